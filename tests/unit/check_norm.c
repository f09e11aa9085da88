/* norm: every fold/address/nir/bigrams line of the spec's primitives.txt, dates, amounts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "pseudo.h"
#include "testutil.h"

/* Run CHECK on every line of primitives.txt whose kind is KIND; return how many. */
static int each_primitive(const char *kind, void (*check)(const char *in, const char *want))
{
    char *text = tu_read(tu_fixture("extract-v1/primitives.txt"), NULL);
    ck_assert_msg(text != NULL, "cannot read %s", tu_fixture("extract-v1/primitives.txt"));
    int n = 0;
    size_t klen = strlen(kind);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || strncmp(line, kind, klen) != 0 || line[klen] != ' ')
            continue;
        char *tab = strchr(line, '\t');
        ck_assert_msg(tab != NULL, "no tab in '%s'", line);
        *tab = '\0';
        check(line + klen + 1, tab + 1);
        n++;
    }
    free(text);
    return n;
}

static void check_fold(const char *in, const char *want)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(norm_fold(in, strlen(in), NORM_FOLD, &b), 0);
    ck_assert_msg(strcmp(b.p, want) == 0, "fold('%s') = '%s', want '%s'", in, b.p, want);
    /* compact is fold without the spaces */
    char *c = strdup(want), *o = c;
    for (const char *p = want; *p; p++)
        if (*p != ' ')
            *o++ = *p;
    *o = '\0';
    ck_assert_int_eq(norm_fold(in, strlen(in), NORM_COMPACT, &b), 0);
    ck_assert_str_eq(b.p, c);
    free(c);
    sbuf_free(&b);
}

static void check_address(const char *in, const char *want)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(norm_fold(in, strlen(in), NORM_ADDRESS, &b), 0);
    ck_assert_msg(strcmp(b.p, want) == 0, "address('%s') = '%s', want '%s'", in, b.p, want);
    sbuf_free(&b);
}

static void check_nir(const char *in, const char *want)
{
    char out[14];
    int rc = norm_nir(in, strlen(in), out, NULL);
    if (strcmp(want, "INVALID") == 0)
        ck_assert_msg(rc < 0, "nir('%s') should be invalid, got '%s'", in, out);
    else
        ck_assert_msg(rc == 1 && strcmp(out, want) == 0, "nir('%s') = %d '%s', want '%s'", in, rc, out, want);
}

static void check_bigrams(const char *in, const char *want)
{
    char buf[256], got[512];
    int n = pseudo_bigrams(in, strlen(in), buf);
    got[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(got);
        snprintf(got + l, sizeof got - l, "%s%c%c", i ? " " : "", buf[2 * i], buf[2 * i + 1]);
    }
    ck_assert_msg(strcmp(got, want) == 0, "bigrams('%s') = '%s', want '%s'", in, got, want);
}

START_TEST(test_fold_vectors) { ck_assert_int_ge(each_primitive("fold", check_fold), 10); }
END_TEST

START_TEST(test_address_vectors) { ck_assert_int_ge(each_primitive("address", check_address), 3); }
END_TEST

START_TEST(test_nir_vectors) { ck_assert_int_ge(each_primitive("nir", check_nir), 8); }
END_TEST

START_TEST(test_bigram_vectors) { ck_assert_int_ge(each_primitive("bigrams", check_bigrams), 3); }
END_TEST

START_TEST(test_fold_edges)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(norm_fold("", 0, NORM_FOLD, &b), 0);
    ck_assert_str_eq(b.p, "");
    ck_assert_int_eq(norm_fold("  --  ", 6, NORM_FOLD, &b), 0);
    ck_assert_str_eq(b.p, "");
    /* decomposed input: e + combining acute is dropped to E, not a separator */
    ck_assert_int_eq(norm_fold("Ele\xcc\x81onore", 10, NORM_FOLD, &b), 0);
    ck_assert_str_eq(b.p, "ELEONORE");
    /* invalid UTF-8: the field is invalid and left empty */
    ck_assert_int_eq(norm_fold("Mu\xe9ller", 7, NORM_FOLD, &b), -1);
    ck_assert_str_eq(b.p, "");
    ck_assert_int_eq(norm_fold("\xc3", 1, NORM_FOLD, &b), -1);
    /* non-Latin letters become separators */
    const char *cyr = "Ana \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd Dubois";
    ck_assert_int_eq(norm_fold(cyr, strlen(cyr), NORM_FOLD, &b), 0);
    ck_assert_str_eq(b.p, "ANA DUBOIS");
    /* digits are separators in fold, kept in the address form */
    ck_assert_int_eq(norm_fold("Louis 14", 8, NORM_FOLD, &b), 0);
    ck_assert_str_eq(b.p, "LOUIS");
    ck_assert_int_eq(norm_prenom("Jean-Pierre, Marc", 17, &b), 0);
    ck_assert_str_eq(b.p, "JEANPIERRE");
    ck_assert(norm_utf8_valid("\xc3\xa9", 2));
    ck_assert(!norm_utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
    sbuf_free(&b);
}
END_TEST

START_TEST(test_nir_sex)
{
    char out[14];
    int sex;
    ck_assert_int_eq(norm_nir("185057800608491", 15, out, &sex), 1);
    ck_assert_int_eq(sex, 1);
    ck_assert_int_eq(norm_nir("8990199999999", 13, out, &sex), 1);
    ck_assert_int_eq(sex, 2);
    ck_assert_int_eq(norm_nir("", 0, out, &sex), 0);
    ck_assert_int_eq(norm_nir(" . ", 3, out, &sex), 0);
    ck_assert_int_eq(norm_nir("1850578006084917", 16, out, &sex), -1);
    ck_assert_int_eq(sex, 0);
    ck_assert_int_eq(norm_nir("18505780060849a", 15, out, &sex), -1);
    /* found by fuzz_norm: a NUL byte first must not pass the first-digit check */
    ck_assert_int_eq(norm_nir("\0" "069060023432", 13, out, &sex), -1);
    /* lower-case Corsican department is upper-cased before the key check */
    ck_assert_int_eq(norm_nir("269052a12345688", 15, out, &sex), 1);
    ck_assert_str_eq(out, "269052A123456");
}
END_TEST

/* The contract's NIR rule: "remove spaces, `.` and `-`, upper-case". Those three and no other
 * character: a tab (or a carriage return) stays, so the NIR no longer has 13 or 15 characters
 * and is invalid, in tznr as in any other implementation of the contract. */
START_TEST(test_nir_removes_only_space_dot_dash)
{
    char out[14];
    int sex;
    ck_assert_int_eq(norm_nir("1 85.05-78 006 084 91", 21, out, &sex), 1);
    ck_assert_str_eq(out, "1850578006084");
    ck_assert_int_eq(norm_nir("1 85 05\t78 006 084 91", 21, out, &sex), -1);
    ck_assert_int_eq(sex, 0);
    ck_assert_int_eq(norm_nir("185057800608491\t", 16, out, &sex), -1);
    ck_assert_int_eq(norm_nir("\t1850578006084", 14, out, &sex), -1);
    ck_assert_int_eq(norm_nir("1850578006084\r", 14, out, &sex), -1);
    ck_assert_int_eq(sex, 0);
}
END_TEST

START_TEST(test_dates)
{
    char d[9];
    ck_assert_int_eq(norm_date("1985-05-12", 10, DATE_ISO, d), 1);
    ck_assert_str_eq(d, "19850512");
    ck_assert_int_eq(norm_date("2000-02-29", 10, DATE_ISO, d), 1);
    ck_assert_int_eq(norm_date("1900-02-29", 10, DATE_ISO, d), -1);
    ck_assert_int_eq(norm_date("2023-02-30", 10, DATE_ISO, d), -1);
    ck_assert_int_eq(norm_date("1879-12-31", 10, DATE_ISO, d), -1);
    ck_assert_int_eq(norm_date("1880-01-01", 10, DATE_ISO, d), 1);
    ck_assert_int_eq(norm_date("2101-01-01", 10, DATE_ISO, d), -1);
    ck_assert_int_eq(norm_date("", 0, DATE_ISO, d), 0);
    ck_assert_int_eq(norm_date("  ", 2, DATE_ISO, d), 0);
    ck_assert_int_eq(norm_date("31/12/1985", 10, DATE_DMY, d), 1);
    ck_assert_str_eq(d, "19851231");
    ck_assert_int_eq(norm_date("1/2/1985", 8, DATE_DMY, d), 1);
    ck_assert_str_eq(d, "19850201");
    ck_assert_int_eq(norm_date("12/31/1985", 10, DATE_DMY, d), -1);
    ck_assert_int_eq(norm_date("31/12/85", 8, DATE_DMY, d), -1);
    ck_assert_int_eq(norm_date("19851231", 8, DATE_COMPACT, d), 1);
    ck_assert_int_eq(norm_date("31.12.1985", 10, DATE_DMY_DOT, d), 1);
    ck_assert_int_eq(norm_date("31-12-1985", 10, DATE_DMY_DASH, d), 1);
    ck_assert_int_eq(norm_date("1985-5-12", 9, DATE_ISO, d), -1);
    enum norm_date_format f;
    ck_assert_int_eq(norm_date_format_parse("DD/MM/YYYY", &f), 0);
    ck_assert_int_eq(f, DATE_DMY);
    ck_assert_int_eq(norm_date_format_parse("MM/DD/YYYY", &f), -1);
}
END_TEST

START_TEST(test_amounts_counts_communes)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(norm_amount("540.5", 5, '.', &b), 1);
    ck_assert_str_eq(b.p, "540.5");
    ck_assert_int_eq(norm_amount("1 234,56", 8, ',', &b), 1);
    ck_assert_str_eq(b.p, "1234.56");
    ck_assert_int_eq(norm_amount("1\xc2\xa0" "234,56", 9, ',', &b), 1);
    ck_assert_str_eq(b.p, "1234.56");
    ck_assert_int_eq(norm_amount(",5", 2, ',', &b), 1);
    ck_assert_str_eq(b.p, "0.5");
    ck_assert_int_eq(norm_amount("12,5", 4, '.', &b), -1);
    ck_assert_int_eq(norm_amount("-3", 2, '.', &b), -1);
    ck_assert_int_eq(norm_amount("3.", 2, '.', &b), -1);
    ck_assert_int_eq(norm_amount("", 0, '.', &b), 0);
    ck_assert_int_eq(norm_amount("abc", 3, '.', &b), -1);
    int v;
    ck_assert_int_eq(norm_count("3", 1, &v), 1);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(norm_count("x", 1, &v), -1);
    ck_assert_int_eq(norm_count("1000", 4, &v), -1);
    char c[6];
    ck_assert_int_eq(norm_commune(" 2a004 ", 7, c), 1);
    ck_assert_str_eq(c, "2A004");
    ck_assert_int_eq(norm_commune("330630", 6, c), -1);
    ck_assert_int_eq(norm_commune("33-63", 5, c), -1);
    ck_assert_str_eq(c, "");
    ck_assert_int_eq(norm_commune("", 0, c), 0);
    sbuf_free(&b);
}
END_TEST

Suite *suite_norm(void)
{
    Suite *s = suite_create("norm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fold_vectors);
    tcase_add_test(tc, test_address_vectors);
    tcase_add_test(tc, test_nir_vectors);
    tcase_add_test(tc, test_bigram_vectors);
    tcase_add_test(tc, test_fold_edges);
    tcase_add_test(tc, test_nir_sex);
    tcase_add_test(tc, test_nir_removes_only_space_dot_dash);
    tcase_add_test(tc, test_dates);
    tcase_add_test(tc, test_amounts_counts_communes);
    suite_add_tcase(s, tc);
    return s;
}
