/* fixtures: the copies of published data the tests read (tests/fixtures/extract-v1, the
 * contract's vectors; tests/fixtures/febrl, the FEBRL data sets) are their published source,
 * byte for byte. The repository stands alone with them; their source stays the reference.
 *
 * - Where the published source is beside the repository ($TZNR_SHARED, else ../shared), each
 *   fixture must equal its source file there. Where it is not, the test says so on stderr and
 *   passes: a clone with nothing beside it is the normal case at a département. A TZNR_SHARED
 *   that is set but names no folder fails: whoever set it asked for the comparison.
 * - Everywhere, each fixture's SHA-256 must be the one its folder's README states, so an edit
 *   is caught even with no source beside the repository.
 * - Every file of the two folders is either a fixture of the table or the folder's README, so
 *   no file can be added there without being compared. */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "testutil.h"

/* Each fixture (under tests/fixtures) and its published source (under the shared folder). */
static const struct {
    const char *fixture, *source;
} files[] = {
    {"extract-v1/raw.csv", "spec/vectors/raw.csv"},
    {"extract-v1/expected.csv", "spec/vectors/expected.csv"},
    {"extract-v1/primitives.txt", "spec/vectors/primitives.txt"},
    {"extract-v1/test.key", "spec/vectors/test.key"},
    {"extract-v1/upstream-README.md", "spec/vectors/README.md"},
    {"febrl/dataset1.csv", "data/febrl/dataset1.csv"},
    {"febrl/dataset2.csv", "data/febrl/dataset2.csv"},
    {"febrl/dataset3.csv", "data/febrl/dataset3.csv"},
    {"febrl/upstream-README.md", "data/febrl/README.md"},
};
#define NFILES (sizeof files / sizeof files[0])
static const char *const folders[] = {"extract-v1", "febrl"};

/* The folder of the published source, or NULL when none is beside the repository (*WHY says
 * where it was looked for). A TZNR_SHARED naming no folder fails the test. */
static const char *published(const char **why)
{
    static char path[PATH_MAX];
    struct stat st;
    const char *env = getenv("TZNR_SHARED");
    if (env && *env) {
        ck_assert_msg(stat(env, &st) == 0 && S_ISDIR(st.st_mode),
                      "TZNR_SHARED is '%s', which is not a folder: unset it, or name the published source", env);
        snprintf(path, sizeof path, "%s", env);
        return path;
    }
    /* the runner starts at the repository's top: ../shared is beside it */
    if (realpath("../shared", path) != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    *why = "TZNR_SHARED is not set and there is no ../shared beside the repository";
    return NULL;
}

START_TEST(test_fixtures_equal_their_published_source)
{
    const char *why = NULL, *dir = published(&why);
    if (!dir) {
        fprintf(stderr, "fixtures: no published source to compare the %zu fixtures with (%s): "
                        "not compared, their README's SHA-256 digests are checked instead\n",
                NFILES, why);
        return;
    }
    for (size_t i = 0; i < NFILES; i++) {
        char *fix_path = strdup(tu_fixture(files[i].fixture));
        char *src_path = strdup(tu_fmt("%s/%s", dir, files[i].source));
        size_t nf = 0, ns = 0;
        char *f = tu_read(fix_path, &nf), *s = tu_read(src_path, &ns);
        ck_assert_msg(f != NULL, "cannot read the fixture %s", fix_path);
        ck_assert_msg(s != NULL, "the published source %s has no %s (the fixture is %s)", dir, files[i].source,
                      fix_path);
        size_t at = 0;
        while (at < nf && at < ns && f[at] == s[at])
            at++;
        ck_assert_msg(at == nf && at == ns,
                      "the fixture %s differs from its published source %s: %zu and %zu bytes, first difference at "
                      "byte %zu (the source is the reference: copy it again, never edit the fixture)",
                      fix_path, src_path, nf, ns, at);
        free(f);
        free(s);
        free(fix_path);
        free(src_path);
    }
    fprintf(stderr, "fixtures: the %zu fixtures equal their published source in %s\n", NFILES, dir);
}
END_TEST

static void sha256_hex(const char *data, size_t n, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    ck_assert(EVP_Digest(data, n, d, &dl, EVP_sha256(), NULL) == 1 && dl == 32);
    for (unsigned int i = 0; i < dl; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* The digest the README beside FIXTURE gives for its file name: the 64 lowercase hex digits
 * on the line that names the file in backquotes. */
static int readme_digest(const char *fixture, char out[65])
{
    const char *slash = strrchr(fixture, '/');
    char *readme = tu_read(tu_fixture(tu_fmt("%.*s/README.md", (int)(slash - fixture), fixture)), NULL);
    ck_assert_msg(readme != NULL, "no README beside %s", fixture);
    char *name = strdup(tu_fmt("`%s`", slash + 1));
    int found = 0;
    for (char *line = readme; line && *line && !found;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *hit = strstr(line, name);
        if (hit && hit < line + len) {
            for (char *p = hit; p + 64 <= line + len; p++) {
                if (strspn(p, "0123456789abcdef") >= 64 && (p + 64 == line + len || strchr("0123456789abcdef", p[64]) == NULL)) {
                    memcpy(out, p, 64);
                    out[64] = '\0';
                    found = 1;
                    break;
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    free(name);
    free(readme);
    return found;
}

START_TEST(test_fixtures_match_their_readme_digests)
{
    for (size_t i = 0; i < NFILES; i++) {
        char want[65], got[65];
        ck_assert_msg(readme_digest(files[i].fixture, want), "the README beside %s gives no SHA-256 for it",
                      files[i].fixture);
        size_t n = 0;
        char *data = tu_read(tu_fixture(files[i].fixture), &n);
        ck_assert_msg(data != NULL, "cannot read the fixture %s", files[i].fixture);
        sha256_hex(data, n, got);
        free(data);
        ck_assert_msg(strcmp(got, want) == 0, "the fixture %s has SHA-256 %s, its README says %s", files[i].fixture,
                      got, want);
    }
}
END_TEST

START_TEST(test_every_fixture_is_compared)
{
    for (size_t k = 0; k < sizeof folders / sizeof folders[0]; k++) {
        DIR *d = opendir(tu_fixture(folders[k]));
        ck_assert_msg(d != NULL, "no folder %s", tu_fixture(folders[k]));
        int seen = 0;
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
                continue;
            const char *rel = tu_fmt("%s/%s", folders[k], e->d_name);
            size_t i = 0;
            while (i < NFILES && strcmp(files[i].fixture, rel) != 0)
                i++;
            ck_assert_msg(i < NFILES, "tests/fixtures/%s is in no entry of the fixtures' table: add it with its source",
                          rel);
            seen++;
        }
        closedir(d);
        size_t want = 0;
        for (size_t i = 0; i < NFILES; i++)
            want += strncmp(files[i].fixture, folders[k], strlen(folders[k])) == 0;
        ck_assert_msg((size_t)seen == want, "tests/fixtures/%s holds %d of the table's %zu files", folders[k], seen, want);
    }
}
END_TEST

Suite *suite_fixtures(void)
{
    Suite *s = suite_create("fixtures");
    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixtures_equal_their_published_source);
    tcase_add_test(tc, test_fixtures_match_their_readme_digests);
    tcase_add_test(tc, test_every_fixture_is_compared);
    suite_add_tcase(s, tc);
    return s;
}
