/* hex: encoding, decoding and checking lowercase hex digits. */
#include <check.h>
#include <string.h>

#include "hex.h"
#include "testutil.h"

START_TEST(test_encode_known)
{
    const unsigned char in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof in + 1];
    memset(out, 'X', sizeof out);
    hex_encode(in, sizeof in, out);
    ck_assert_str_eq(out, "00017f80abff");
    /* nothing to encode: an empty string */
    hex_encode(in, 0, out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_round_trip)
{
    unsigned char in[256], back[256];
    char text[2 * sizeof in + 1];
    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)(255 - i);
    hex_encode(in, sizeof in, text);
    ck_assert_uint_eq(strlen(text), 2 * sizeof in);
    ck_assert(hex_valid(text, strlen(text)));
    memset(back, 0, sizeof back);
    ck_assert_int_eq(hex_decode(text, strlen(text), back, sizeof back), 0);
    ck_assert(memcmp(in, back, sizeof in) == 0);
    /* and every digit both ways */
    unsigned char b;
    ck_assert_int_eq(hex_decode("9f", 2, &b, 1), 0);
    ck_assert_uint_eq(b, 0x9f);
    ck_assert_int_eq(hex_decode("a0", 2, &b, 1), 0);
    ck_assert_uint_eq(b, 0xa0);
}
END_TEST

START_TEST(test_bad_input_refused)
{
    unsigned char out[4];
    /* a wrong length: too short, too long, odd */
    ck_assert_int_eq(hex_decode("0011223", 7, out, 4), -1);
    ck_assert_int_eq(hex_decode("001122334", 9, out, 4), -1);
    ck_assert_int_eq(hex_decode("0011", 4, out, 4), -1);
    /* upper case is not the spec's form, nor is anything outside 0-9 a-f, in either digit */
    const char *bad[] = {"0011223A", "A0112233", "00112g33", "0011223 ", "-0112233", "0x112233", "001122:3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(hex_decode(bad[i], 8, out, 4) == -1, "'%s' decoded", bad[i]);
        ck_assert_msg(!hex_valid(bad[i], 8), "'%s' said valid", bad[i]);
    }
    /* a NUL and bytes above 127 */
    ck_assert_int_eq(hex_decode("00\0" "01122", 8, out, 4), -1);
    ck_assert_int_eq(hex_decode("00\xff" "01122", 8, out, 4), -1);
    ck_assert(!hex_valid("0\xe9", 2));
    ck_assert(hex_valid("0123456789abcdef", 16));
    ck_assert(hex_valid("", 0));
}
END_TEST

Suite *suite_hex(void)
{
    Suite *s = suite_create("hex");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_encode_known);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_bad_input_refused);
    suite_add_tcase(s, tc);
    return s;
}
