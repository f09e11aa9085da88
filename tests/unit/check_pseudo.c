/* pseudo: HKDF sub-keys and CLK bit positions from primitives.txt, key files, Dice. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pseudo.h"
#include "testutil.h"

static const unsigned char *master(void)
{
    static unsigned char m[PSEUDO_MASTER_LEN];
    for (int i = 0; i < PSEUDO_MASTER_LEN; i++)
        m[i] = (unsigned char)i; /* test.key: 00 01 ... 1f */
    return m;
}

static char *primitives(void)
{
    char *t = tu_read(tu_fixture("extract-v1/primitives.txt"), NULL);
    ck_assert_msg(t != NULL, "cannot read %s", tu_fixture("extract-v1/primitives.txt"));
    return t;
}

START_TEST(test_hkdf_vectors)
{
    char *text = primitives(), *save = NULL;
    int n = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "hkdf ", 5) != 0)
            continue;
        char *tab = strchr(line, '\t');
        *tab = '\0';
        unsigned char out[32];
        char hex[65];
        ck_assert_int_eq(pseudo_hkdf(master(), line + 5, out), 0);
        for (int i = 0; i < 32; i++)
            sprintf(hex + 2 * i, "%02x", out[i]);
        ck_assert_msg(strcmp(hex, tab + 1) == 0, "hkdf %s = %s, want %s", line + 5, hex, tab + 1);
        n++;
    }
    free(text);
    ck_assert_int_eq(n, PL_COUNT);
}
END_TEST

START_TEST(test_position_vectors)
{
    pseudo_ctx *c = pseudo_new(master());
    ck_assert_ptr_nonnull(c);
    char *text = primitives(), *save = NULL;
    int n = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "positions clk:nom ", 18) != 0)
            continue;
        char *tab = strchr(line, '\t');
        *tab = '\0';
        char tok[16];
        int k;
        ck_assert_int_eq(sscanf(line + 18, "%15s %d", tok, &k), 2);
        int pos[64];
        pseudo_clk_positions(c, PL_CLK_NOM, tok, strlen(tok), k, pos);
        char got[512] = "";
        for (int i = 0; i < k; i++) {
            size_t l = strlen(got);
            snprintf(got + l, sizeof got - l, "%s%d", i ? " " : "", pos[i]);
        }
        ck_assert_msg(strcmp(got, tab + 1) == 0, "positions %s %d = %s, want %s", tok, k, got, tab + 1);
        n++;
    }
    free(text);
    pseudo_free(c);
    ck_assert_int_ge(n, 4);
}
END_TEST

START_TEST(test_hmac_matches_openssl)
{
    /* The pad-absorbing HMAC against OpenSSL's one-shot HMAC(), for messages around the
     * 55/56/64-byte padding edges, under every sub-key. */
    pseudo_ctx *c = pseudo_new(master());
    ck_assert_ptr_nonnull(c);
    unsigned char msg[200];
    for (int i = 0; i < (int)sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 3);
    static const size_t lens[] = {0, 1, 2, 3, 19, 55, 56, 63, 64, 65, 119, 120, 128, 200};
    for (int l = 0; l < PL_COUNT; l++) {
        unsigned char sub[32];
        ck_assert_int_eq(pseudo_hkdf(master(), pseudo_label_name((enum pseudo_label)l), sub), 0);
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            unsigned char a[32], b[32];
            unsigned int bl = 0;
            pseudo_hmac(c, (enum pseudo_label)l, msg, lens[k], a);
            ck_assert_ptr_nonnull(HMAC(EVP_sha256(), sub, 32, msg, lens[k], b, &bl));
            ck_assert_msg(memcmp(a, b, 32) == 0, "label %d length %zu", l, lens[k]);
        }
    }
    /* expected.csv's first token: HMAC(token, "bailleur:test|L0001") */
    unsigned char t[32];
    char hex[65];
    pseudo_hmac(c, PL_TOKEN, "bailleur:test|L0001", 19, t);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", t[i]);
    ck_assert_str_eq(hex, "4807afb536a414697b80dd588693d0b30234550084d83d1e09c355cdad6a48da");
    ck_assert_int_eq((int)pseudo_hmac_count(c), PL_COUNT * 14 + 1);
    pseudo_free(c);
}
END_TEST

START_TEST(test_key_files)
{
    const char *dir = tu_tmpdir();
    char id[PSEUDO_KEY_ID_MAX + 1], err[512];
    unsigned char m[PSEUDO_MASTER_LEN];
    const char *k = tu_test_key(dir);
    ck_assert_int_eq(pseudo_key_load(k, id, m, err, sizeof err), 0);
    ck_assert_str_eq(id, "vectors-1");
    ck_assert_int_eq(memcmp(m, master(), 32), 0);

    /* readable by group: refused, and the message says how to fix it */
    ck_assert_int_eq(chmod(k, 0640), 0);
    ck_assert_int_eq(pseudo_key_load(k, id, m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "chmod 600") != NULL, "%s", err);
    ck_assert_int_eq(chmod(k, 0604), 0);
    ck_assert_int_eq(pseudo_key_load(k, id, m, err, sizeof err), -1);

    const char *bad[] = {
        "tznr-key-v1 vectors-1 000102\n",
        "tznr-key-v2 vectors-1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
        "tznr-key-v1 bad/id 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
        "tznr-key-v1 vectors-1 000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\n",
        "tznr-key-v1 vectors-1  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
        "tznr-key-v1 vectors-1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",
        ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = tu_fmt("%s/bad%zu.key", dir, i);
        tu_write_str(p, bad[i]);
        ck_assert_int_eq(chmod(p, 0600), 0);
        ck_assert_msg(pseudo_key_load(p, id, m, err, sizeof err) == -1, "accepted bad key %zu", i);
    }
    /* without the final newline is fine */
    const char *p = tu_fmt("%s/nonl.key", dir);
    tu_write_str(p, "tznr-key-v1 a.b_c-9 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    ck_assert_int_eq(chmod(p, 0600), 0);
    ck_assert_int_eq(pseudo_key_load(p, id, m, err, sizeof err), 0);
    ck_assert_str_eq(id, "a.b_c-9");
}
END_TEST

/* tznr's reading where the contract is silent (docs/extract-format.md): a key file that is not
 * a regular file is refused, at once (a FIFO must not block the run waiting for a writer); a
 * symbolic link is followed to its target; the final newline is a single LF. */
START_TEST(test_key_file_not_regular)
{
    const char *dir = tu_tmpdir();
    char id[PSEUDO_KEY_ID_MAX + 1], err[512];
    unsigned char m[PSEUDO_MASTER_LEN];
    const char *d = tu_fmt("%s/keydir", dir), *fifo = tu_fmt("%s/key.fifo", dir);
    ck_assert_int_eq(mkdir(d, 0700), 0);
    ck_assert_int_eq(pseudo_key_load(d, id, m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(pseudo_key_load(fifo, id, m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
    ck_assert_int_eq(pseudo_key_load("/dev/null", id, m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
    const char *k = tu_test_key(dir), *link = tu_fmt("%s/key.link", dir);
    ck_assert_int_eq(symlink(k, link), 0);
    ck_assert_int_eq(pseudo_key_load(link, id, m, err, sizeof err), 0);
    ck_assert_str_eq(id, "vectors-1");
    const char *crlf = tu_fmt("%s/crlf.key", dir);
    tu_write_str(crlf, "tznr-key-v1 vectors-1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n");
    ck_assert_int_eq(chmod(crlf, 0600), 0);
    ck_assert_int_eq(pseudo_key_load(crlf, id, m, err, sizeof err), -1);
}
END_TEST

START_TEST(test_keygen)
{
    const char *dir = tu_tmpdir();
    const char *p = tu_fmt("%s/new.key", dir), *q = tu_fmt("%s/other.key", dir);
    char err[512], id[PSEUDO_KEY_ID_MAX + 1];
    unsigned char m1[32], m2[32];
    ck_assert_int_eq(pseudo_key_generate(p, "gironde-2026", err, sizeof err), 0);
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(pseudo_key_load(p, id, m1, err, sizeof err), 0);
    ck_assert_str_eq(id, "gironde-2026");
    /* never overwrites */
    ck_assert_int_eq(pseudo_key_generate(p, "gironde-2026", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "never overwritten") != NULL, "%s", err);
    ck_assert_int_eq(pseudo_key_generate(q, "x", err, sizeof err), 0);
    ck_assert_int_eq(pseudo_key_load(q, id, m2, err, sizeof err), 0);
    ck_assert_int_ne(memcmp(m1, m2, 32), 0);
    ck_assert_int_eq(pseudo_key_generate(tu_fmt("%s/z.key", dir), "no spaces", err, sizeof err), -1);
}
END_TEST

START_TEST(test_dice)
{
    unsigned char a[PSEUDO_CLK_BYTES] = {0}, b[PSEUDO_CLK_BYTES] = {0};
    ck_assert(pseudo_dice(a, b) == 0.0);
    a[0] = 0xF0;
    b[0] = 0xF0;
    ck_assert(pseudo_dice(a, b) == 1.0);
    b[0] = 0x30;
    b[5] = 0x03;
    /* |A|=4 |B|=4 |A^B|=2 */
    ck_assert(pseudo_dice(a, b) == 0.5);
}
END_TEST

Suite *suite_pseudo(void)
{
    Suite *s = suite_create("pseudo");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hkdf_vectors);
    tcase_add_test(tc, test_position_vectors);
    tcase_add_test(tc, test_hmac_matches_openssl);
    tcase_add_test(tc, test_key_files);
    tcase_add_test(tc, test_key_file_not_regular);
    tcase_add_test(tc, test_keygen);
    tcase_add_test(tc, test_dice);
    suite_add_tcase(s, tc);
    return s;
}
