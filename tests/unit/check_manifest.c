/* manifest: the extract's manifest file read on its own (the load's refusals of whole
 * extracts are in the platform and faults suites). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "testutil.h"

static const char good[] = "format = tznr-extract-v1\n"
                           "source = caf:gironde\n"
                           "extract_date = 2026-11-01\n"
                           "key_id = demo-territory\n"
                           "rows = 5745\n"
                           "sha256 = 48d815bca98f27e3a3b3916d628f54d314e282432d6aba39d5b45ab7439c3688\n"
                           "created_at = 2026-12-01T21:45:56Z\n";

/* tu_tmpdir's names stay reachable, for LeakSanitizer */
static const char *kept[16];
static int nkept;

/* Write LEN bytes of DATA as a manifest in a new temp dir; return its path (static). */
static const char *write_manifest(const char *data, size_t len)
{
    const char *dir = tu_tmpdir();
    ck_assert_int_lt(nkept, 16);
    kept[nkept++] = dir;
    const char *path = tu_fmt("%s/x.csv.manifest", dir);
    tu_write(path, data, len);
    return path;
}

START_TEST(test_manifest_reads)
{
    manifest m;
    char err[512];
    ck_assert_msg(manifest_read(write_manifest(good, strlen(good)), &m, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(m.source, "caf:gironde");
    ck_assert_int_eq(m.rows, 5745);
}
END_TEST

/* A NUL byte inside a value is refused with its line and column. Read line by line as C
 * strings, the value would end at the NUL and the rest of the line vanish unseen:
 * "source = caf:gironde\0<anything>" would pass as caf:gironde. */
START_TEST(test_manifest_nul_byte_refused)
{
    char data[sizeof good + 16];
    const char *at = strstr(good, "caf:gironde") + strlen("caf:gironde");
    size_t head = (size_t)(at - good);
    memcpy(data, good, head);
    memcpy(data + head, "\0evil", 5);
    memcpy(data + head + 5, at, strlen(at));
    size_t len = head + 5 + strlen(at);
    manifest m;
    char err[512];
    ck_assert_int_eq(manifest_read(write_manifest(data, len), &m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "line 2 column 21") && strstr(err, "0x00"), "%s", err);
}
END_TEST

/* tznr's reading of the manifest's strictness, where the contract lists the names only
 * (docs/extract-format.md): any order, empty lines and CR LF accepted; a name twice counts by
 * its last line; an unknown or missing name, a line without " = ", a bad value refused. */
START_TEST(test_manifest_strictness)
{
    manifest m;
    char err[512];
    const char *lax = "\ncreated_at = 2026-12-01T21:45:56Z\r\n"
                      "sha256 = 48d815bca98f27e3a3b3916d628f54d314e282432d6aba39d5b45ab7439c3688\r\n"
                      "rows = 5745\r\n\r\nkey_id = demo-territory\r\nextract_date = 2026-11-01\r\n"
                      "source = caf:x\r\nsource = caf:gironde\r\nformat = tznr-extract-v1\r\n";
    ck_assert_msg(manifest_read(write_manifest(lax, strlen(lax)), &m, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(m.source, "caf:gironde");
    ck_assert_int_eq(m.rows, 5745);
    static const struct {
        const char *from, *to, *why;
    } bad[] = {
        {"rows = 5745\n", "rows = 5745\nlines = 5746\n", "unknown name"},
        {"rows = 5745\n", "", "'rows' is missing"},
        {"rows = 5745\n", "rows=5745\n", "not 'name = value'"},
        {"rows = 5745\n", "rows = -1\n", "invalid rows"},
        {"rows = 5745\n", "rows = 5745\t\n", "0x09"},
        {"format = tznr-extract-v1\n", "format = tznr-extract-v2\n", "not tznr-extract-v1"},
        {"source = caf:gironde\n", "source = mairie:gironde\n", "invalid source"},
        {"extract_date = 2026-11-01\n", "extract_date = 2026-11-31\n", "invalid extract_date"},
        {"sha256 = 48d8", "sha256 = 48D8", "invalid sha256"},
        {"created_at = 2026-12-01T21:45:56Z\n", "created_at = 2026\n", "invalid created_at"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *at = strstr(good, bad[i].from);
        ck_assert_ptr_nonnull(at);
        const char *data = tu_fmt("%.*s%s%s", (int)(at - good), good, bad[i].to, at + strlen(bad[i].from));
        ck_assert_msg(manifest_read(write_manifest(data, strlen(data)), &m, err, sizeof err) == -1,
                      "case %zu accepted", i);
        ck_assert_msg(strstr(err, bad[i].why) != NULL, "case %zu: '%s' should say '%s'", i, err, bad[i].why);
    }
}
END_TEST

Suite *suite_manifest(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, test_manifest_reads);
    tcase_add_test(tc, test_manifest_nul_byte_refused);
    tcase_add_test(tc, test_manifest_strictness);
    suite_add_tcase(s, tc);
    return s;
}
