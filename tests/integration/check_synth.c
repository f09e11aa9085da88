/* tznr-synth end to end: its own script (determinism, formats, truth files, command line), and
 * a small territory whose every export goes through `tznr pseudonymise` with its mapping file
 * from config/, the extracts of different agencies sharing keys for the same people.
 * Paths are relative to the repository root: the runner runs from there. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* tu_tmpdir's names are malloc'd and never freed: keep them reachable, or LeakSanitizer (the
 * ASan build) fails every test that made a temp dir. */
static const char *tmpdir(void)
{
    static const char **kept;
    static size_t nkept;
    const char *d = tu_tmpdir();
    kept = realloc(kept, (nkept + 1) * sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    kept[nkept++] = d;
    return d;
}

static const char *synth_bin(void)
{
    const char *b = tu_bin("tznr-synth");
    ck_assert_msg(access(b, X_OK) == 0, "%s is not built (make %s)", b, b);
    return b;
}

/* The lines of OUT that report a failure, for the message (at most ~3000 bytes). */
static char *failures(const char *out)
{
    size_t cap = 3000, n = 0;
    char *r = calloc(1, cap + 1);
    for (const char *p = out; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        if (strncmp(p, "FAIL", 4) == 0 && n + len < cap) {
            memcpy(r + n, p, len);
            n += len;
        }
        p += len;
    }
    return r;
}

START_TEST(test_synth_script)
{
    const char *bin = synth_bin();
    ck_assert_msg(access("tests/integration/test_synth.sh", R_OK) == 0,
                  "tests/integration/test_synth.sh is missing (the test runs from the repository root)");
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("bash tests/integration/test_synth.sh '%s'", bin), &out, &err);
    char *f = failures(out);
    ck_assert_msg(rc == 0, "test_synth.sh exited %d:\n%s%.2000s", rc, f, err ? err : "");
    free(f);
    free(out);
    free(err);
}
END_TEST

/* Records in a CSV file (any ASCII-compatible encoding, any separator): line ends outside
 * quotes that close a non-empty line; a last line without a line end counts too. */
static long count_records(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot read %s", path);
    long n = 0;
    int c, quoted = 0, content = 0;
    while ((c = getc(fp)) != EOF) {
        if (c == '"')
            quoted = !quoted;
        if (c == '\n' && !quoted) {
            n += content;
            content = 0;
        } else if (c != '\r') {
            content = 1;
        }
    }
    n += content;
    fclose(fp);
    return n;
}

/* The k_nir and k_ident values of an extract, sorted. */
typedef struct {
    char source[64];
    char **v;
    size_t n;
} keyset;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The index of the column NAME in the header LINE (comma separated), or -1. */
static int header_column(const char *line, const char *name)
{
    int i = 0;
    for (const char *p = line; p; i++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == strlen(name) && strncmp(p, name, len) == 0)
            return i;
        p = comma ? comma + 1 : NULL;
    }
    return -1;
}

static void keys_of(const char *path, keyset *ks, long *rows)
{
    char *text = tu_read(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    ck_assert_ptr_nonnull(line);
    /* the header: find the two columns */
    int knir = header_column(line, "k_nir"), kident = header_column(line, "k_ident");
    ck_assert_msg(knir >= 0 && kident >= 0, "%s: no k_nir or k_ident in the header", path);
    ks->v = NULL;
    ks->n = 0;
    *rows = 0;
    size_t cap = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        (*rows)++;
        int i = 0;
        for (char *p = line; p; i++) {
            char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if ((i == knir || i == kident) && len > 0) {
                ck_assert_msg(len == 64, "%s: a key of %zu characters", path, len);
                if (ks->n == cap) {
                    cap = cap ? 2 * cap : 256;
                    ks->v = realloc(ks->v, cap * sizeof *ks->v);
                }
                /* k_nir and k_ident are HMACs under different sub-keys: no clash */
                ks->v[ks->n++] = strndup(p, len);
            }
            p = comma ? comma + 1 : NULL;
        }
    }
    qsort(ks->v, ks->n, sizeof *ks->v, cmp_str);
    free(text);
}

/* Rows of the extract at PATH (only when recipients_only: the rows of role D that carry the
 * household's figures, nb_personnes; a duplicate's stale file carries none) whose column NAME
 * holds exactly WANT; *total gets the rows looked at. */
static long column_is(const char *path, const char *name, const char *want, int recipients_only,
                      long *total)
{
    char *text = tu_read(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    ck_assert_ptr_nonnull(line);
    int col = header_column(line, name), role = header_column(line, "role"),
        nbp = header_column(line, "nb_personnes");
    ck_assert_msg(col >= 0 && role >= 0 && nbp >= 0, "%s: no %s, role or nb_personnes column in the header",
                  path, name);
    long n = 0;
    *total = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        const char *v = NULL, *r = NULL;
        size_t vl = 0, rl = 0, nl = 0;
        int i = 0;
        for (char *p = line; p; i++) {
            char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if (i == col) {
                v = p;
                vl = len;
            }
            if (i == role) {
                r = p;
                rl = len;
            }
            if (i == nbp)
                nl = len;
            p = comma ? comma + 1 : NULL;
        }
        if (recipients_only && !(r && rl == 1 && r[0] == 'D' && nl > 0))
            continue;
        (*total)++;
        if (v && vl == strlen(want) && strncmp(v, want, vl) == 0)
            n++;
    }
    free(text);
    return n;
}

static size_t shared(const keyset *a, const keyset *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        if ((i == 0 || strcmp(a->v[i], a->v[i - 1]) != 0) && bsearch(&a->v[i], b->v, b->n, sizeof *b->v, cmp_str))
            n++;
    return n;
}

START_TEST(test_synth_through_pseudonymise)
{
    const char *bin = synth_bin();
    char *dir = strdup(tmpdir());
    char *key = strdup(tu_test_key(dir));
    char *terr = strdup(tu_fmt("%s/t", dir));
    char *err = NULL;
    int rc = tu_run(tu_fmt("'%s' --households 300 --seed 7 -o '%s'", bin, terr), NULL, &err);
    ck_assert_msg(rc == 0, "tznr-synth exited %d: %s", rc, err);
    free(err);

    char *sources = tu_read(tu_fmt("%s/sources.txt", terr), NULL);
    ck_assert_msg(sources != NULL, "no sources.txt in %s", terr);
    keyset ks[32];
    size_t nks = 0;
    char *save = NULL;
    for (char *line = strtok_r(sources, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char file[256], source[64], map[256];
        ck_assert_msg(sscanf(line, "%255s %63s %255s", file, source, map) == 3, "sources.txt line '%s'", line);
        ck_assert_msg(access(tu_fmt("config/%s", map), R_OK) == 0, "config/%s is missing", map);
        ck_assert(nks < 32);
        char *raw = strdup(tu_fmt("%s/%s", terr, file));
        char *ext = strdup(tu_fmt("%s/%s.extract.csv", terr, file));
        rc = tu_run(tu_fmt("'%s' pseudonymise --key '%s' --source '%s' --mapping 'config/%s' -o '%s' '%s'",
                           tu_bin("tznr"), key, source, map, ext, raw),
                    NULL, &err);
        ck_assert_msg(rc == 0, "%s: tznr pseudonymise exited %d: %s", file, rc, err);
        unsigned long long nread = 0, written = 0, rejected = 0;
        const char *summary = strstr(err, "rows read ");
        ck_assert_msg(summary && sscanf(summary, "rows read %llu, written %llu, rejected %llu", &nread, &written,
                                        &rejected) == 3,
                      "%s: no summary on stderr: %s", file, err);
        long records = count_records(raw) - 1; /* less the header */
        ck_assert_msg(records > 0, "%s has no data records", file);
        ck_assert_msg(written + rejected == (unsigned long long)records,
                      "%s: written %llu + rejected %llu != %ld records", file, written, rejected, records);
        ck_assert_msg(nread == (unsigned long long)records, "%s: read %llu of %ld records", file, nread, records);
        ck_assert_msg(rejected * 100 <= (unsigned long long)records, "%s: %llu of %ld rows rejected (over 1%%): %s",
                      file, rejected, records, err);
        free(err);
        long rows;
        snprintf(ks[nks].source, sizeof ks[nks].source, "%s", source);
        keys_of(ext, &ks[nks], &rows);
        ck_assert_msg(rows == (long)written, "%s: %ld extract rows, %llu written", file, rows, written);
        ck_assert_msg(ks[nks].n > 0, "%s: no k_nir nor k_ident at all", file);
        /* the CPAM exports CSS rights only, the CARSAT ASPA recipients only: their flags
         * must come through the mapping files */
        long total = 0, ones = 0;
        if (strncmp(source, "cpam:", 5) == 0) {
            ones = column_is(ext, "css", "1", 0, &total);
            ck_assert_msg(total > 0 && ones == total, "%s: css = 1 on %ld of %ld rows", file, ones, total);
        }
        if (strncmp(source, "carsat:", 7) == 0) {
            ones = column_is(ext, "aspa", "1", 1, &total);
            ck_assert_msg(total > 0 && ones == total, "%s: aspa = 1 on %ld of %ld recipient rows", file, ones,
                          total);
        }
        char *man = tu_read(tu_fmt("%s.manifest", ext), NULL);
        ck_assert_msg(man && strstr(man, tu_fmt("\nrows = %llu\n", written)) && strstr(man, tu_fmt("\nsource = %s\n", source)),
                      "%s: manifest %s", file, man ? man : "missing");
        free(man);
        nks++;
        free(raw);
        free(ext);
    }
    ck_assert_msg(nks >= 8,
                  "sources.txt lists %zu exports, expected the CAF, the departement, the CPAM, the CARSAT, the MSA, "
                  "the CCAS and landlords",
                  nks);
    static const char *const kinds[] = {"caf:", "departement:", "cpam:", "carsat:", "msa:", "ccas:", "bailleur:"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int found = 0;
        for (size_t a = 0; a < nks; a++)
            found |= strncmp(ks[a].source, kinds[k], strlen(kinds[k])) == 0;
        ck_assert_msg(found, "no %s export in sources.txt", kinds[k]);
    }

    /* the same people are known to several agencies */
    char report[2048] = "";
    size_t total = 0;
    for (size_t a = 0; a < nks; a++) {
        size_t best = 0;
        for (size_t b = 0; b < nks; b++) {
            if (a == b)
                continue;
            size_t s = shared(&ks[a], &ks[b]);
            if (b > a) {
                size_t l = strlen(report);
                snprintf(report + l, sizeof report - l, " %.63s/%.63s:%zu", ks[a].source, ks[b].source, s);
                total += s;
            }
            if (s > best)
                best = s;
        }
        ck_assert_msg(best > 0, "%s shares no k_nir nor k_ident with any other source;%s", ks[a].source, report);
    }
    ck_assert_msg(total > 0, "no shared keys:%s", report);
    for (size_t a = 0; a < nks; a++) {
        for (size_t i = 0; i < ks[a].n; i++)
            free(ks[a].v[i]);
        free(ks[a].v);
    }
    free(sources);
    free(terr);
    free(key);
    free(dir);
}
END_TEST

Suite *suite_synth(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    tcase_add_test(tc, test_synth_script);
    tcase_add_test(tc, test_synth_through_pseudonymise);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}
