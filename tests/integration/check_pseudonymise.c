/* End to end: `tznr pseudonymise` and `tznr keygen` driven through the built binary in temp
 * folders: the spec's vectors, the manifest, the side files, refusals, bad rows, key files,
 * usage errors, a mapped Windows-1252 export against its canonical twin, a 10 MB field. */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "csvio.h"
#include "sbuf.h"
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

/* The extract's columns, spec section 5, in order. */
static const char SPEC_HEADER[] =
    "token,household,role,k_nir,k_ident,k_ident_alt,k_dob,clk,clk_alt,sex,birth_year,commune,"
    "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,rsa,"
    "prime_activite,aide_logement,aah,css,aspa,apa,pch,fsl,suivi_social";

static const char CANON_HEADER[] =
    "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune";

/* ---- helpers ---------------------------------------------------------------------------- */

/* A test's folder, with the spec's key (0600). */
struct ctx {
    char *dir;
    char *key;
};

static void ctx_init(struct ctx *c)
{
    c->dir = strdup(tmpdir());
    c->key = strdup(tu_test_key(c->dir));
}

static void ctx_free(struct ctx *c)
{
    free(c->dir);
    free(c->key);
}

static const char *path_in(const struct ctx *c, const char *name) { return tu_fmt("%s/%s", c->dir, name); }

/* Run `BIN ARGS...` (ARGS formatted, shell syntax); return the exit status. */
static int run_bin(const struct ctx *c, const char *bin, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run_bin(const struct ctx *c, const char *bin, char **out, char **err, const char *fmt, ...)
{
    (void)c;
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(NULL, bin, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

#define TZNR(c, out, err, ...) run_bin((c), "tznr", (out), (err), __VA_ARGS__)

/* Pseudonymise RAW into OUT (both in the test folder) as bailleur:test; return the status. */
static int pseudonymise(const struct ctx *c, const char *raw, const char *out, const char *extra, char **err)
{
    return TZNR(c, NULL, err, "pseudonymise --key '%s' --source bailleur:test --extract-date 2026-01-15 %s -o '%s' '%s'",
                c->key, extra ? extra : "", path_in(c, out), path_in(c, raw));
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s is missing", path);
    return (unsigned)(st.st_mode & 07777);
}

static char *slurp(const char *path, size_t *len)
{
    char *s = tu_read(path, len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

/* A vector of strings cut out of a buffer in place. */
typedef struct {
    char **v;
    size_t n;
} strv;

static strv split(char *s, char sep)
{
    strv r = {NULL, 0};
    size_t cap = 0;
    for (;;) {
        if (r.n == cap) {
            cap = cap ? 2 * cap : 16;
            r.v = realloc(r.v, cap * sizeof *r.v);
        }
        r.v[r.n++] = s;
        char *e = strchr(s, sep);
        if (!e)
            break;
        *e = '\0';
        s = e + 1;
    }
    return r;
}

/* The lines of TEXT without the final empty one. */
static strv lines_of(char *text)
{
    strv l = split(text, '\n');
    if (l.n > 0 && l.v[l.n - 1][0] == '\0')
        l.n--;
    return l;
}

static size_t col(const strv *hdr, const char *name)
{
    for (size_t i = 0; i < hdr->n; i++)
        if (strcmp(hdr->v[i], name) == 0)
            return i;
    ck_abort_msg("no column '%s'", name);
    return 0;
}

/* A whole CSV file without quoted fields: its header and rows. */
typedef struct {
    char *text;
    strv hdr;
    strv *rows;
    size_t n;
} table;

static void table_read(table *t, const char *path)
{
    t->text = slurp(path, NULL);
    strv l = lines_of(t->text);
    ck_assert_msg(l.n >= 1, "%s has no header", path);
    t->hdr = split(l.v[0], ',');
    t->n = l.n - 1;
    t->rows = calloc(t->n + 1, sizeof *t->rows);
    for (size_t i = 0; i < t->n; i++) {
        t->rows[i] = split(l.v[i + 1], ',');
        ck_assert_msg(t->rows[i].n == t->hdr.n, "%s line %zu has %zu fields, the header %zu", path, i + 2,
                      t->rows[i].n, t->hdr.n);
    }
    free(l.v);
}

static const char *cell(const table *t, size_t row, const char *name)
{
    ck_assert(row < t->n);
    return t->rows[row].v[col(&t->hdr, name)];
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].v);
    free(t->rows);
    free(t->hdr.v);
    free(t->text);
}

static void sha256_hex(const char *path, char hex[65])
{
    size_t n;
    char *data = slurp(path, &n);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ck_assert_int_eq(EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL), 1);
    for (unsigned i = 0; i < mdlen; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    free(data);
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* The files in the test folder other than the inputs, one name a line (for messages). */
static int leftovers(const struct ctx *c, const char *keep1, const char *keep2, char *list, size_t cap)
{
    DIR *d = opendir(c->dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    list[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *f = e->d_name;
        if (!strcmp(f, ".") || !strcmp(f, "..") || !strcmp(f, "test.key") ||
            (keep1 && !strcmp(f, keep1)) || (keep2 && !strcmp(f, keep2)))
            continue;
        n++;
        size_t l = strlen(list);
        snprintf(list + l, cap - l, " %s", f);
    }
    closedir(d);
    return n;
}

static void no_tmp_files(const struct ctx *c)
{
    DIR *d = opendir(c->dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        ck_assert_msg(!(l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0), "left behind: %s", e->d_name);
    }
    closedir(d);
}

static int count_char(const char *s, char ch)
{
    int n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

/* ---- the spec's vectors ------------------------------------------------------------------ */

static void copy_vectors_raw(const struct ctx *c, const char *name)
{
    size_t n;
    char *raw = slurp(tu_fixture("extract-v1/raw.csv"), &n);
    tu_write(path_in(c, name), raw, n);
    free(raw);
}

START_TEST(test_vectors)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);

    /* the header: exactly the spec's columns */
    table out, exp, tok;
    table_read(&out, path_in(&c, "out.csv"));
    char *hdrline = slurp(path_in(&c, "out.csv"), NULL);
    *strchr(hdrline, '\n') = '\0';
    ck_assert_str_eq(hdrline, SPEC_HEADER);
    free(hdrline);

    table_read(&exp, tu_fixture("extract-v1/expected.csv"));
    table_read(&tok, path_in(&c, "out.csv.tokens"));
    ck_assert_uint_eq(exp.n, 20);
    ck_assert_uint_eq(out.n, exp.n);
    ck_assert_uint_eq(tok.n, exp.n);
    static const char *const cols[] = {"token", "household", "k_nir", "k_ident", "k_ident_alt", "k_dob",
                                       "clk", "clk_alt", "sex", "birth_year", "commune"};
    for (size_t i = 0; i < exp.n; i++) {
        const char *lr = cell(&exp, i, "local_ref");
        /* same order: row i of the extract is local_ref i, through the token file */
        ck_assert_msg(strcmp(cell(&tok, i, "local_ref"), lr) == 0, "token file row %zu is %s, expected %s", i,
                      cell(&tok, i, "local_ref"), lr);
        ck_assert_str_eq(cell(&tok, i, "token"), cell(&out, i, "token"));
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            ck_assert_msg(strcmp(cell(&out, i, cols[k]), cell(&exp, i, cols[k])) == 0,
                          "%s: %s is '%s', expected '%s'", lr, cols[k], cell(&out, i, cols[k]),
                          cell(&exp, i, cols[k]));
        /* the vectors have no role and no attributes */
        for (size_t k = 0; k < out.hdr.n; k++)
            if (k == col(&out.hdr, "role") || k >= col(&out.hdr, "nb_personnes"))
                ck_assert_msg(out.rows[i].v[k][0] == '\0', "%s: %s should be empty", lr, out.hdr.v[k]);
    }
    table_free(&exp);
    table_free(&tok);
    table_free(&out);

    /* -j 2 writes the same bytes */
    rc = pseudonymise(&c, "raw.csv", "out2.csv", "-j 2", &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    ck_assert_msg(same_file(path_in(&c, "out.csv"), path_in(&c, "out2.csv")), "-j 2 extract differs from -j 1");
    ck_assert_msg(same_file(path_in(&c, "out.csv.tokens"), path_in(&c, "out2.csv.tokens")),
                  "-j 2 token file differs");
    ctx_free(&c);
}
END_TEST

START_TEST(test_jobs_same_bytes_over_batches)
{
    /* more rows than one batch (2048), the vectors' people under new local_refs */
    struct ctx c;
    ctx_init(&c);
    char *raw = slurp(tu_fixture("extract-v1/raw.csv"), NULL);
    strv l = lines_of(raw);
    FILE *f = fopen(path_in(&c, "big.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", l.v[0]);
    for (int i = 0; i < 5003; i++) {
        const char *line = l.v[1 + i % (l.n - 1)];
        fprintf(f, "R%05d%s\n", i, strchr(line, ','));
    }
    fclose(f);
    free(l.v);
    free(raw);
    char *err = NULL;
    ck_assert_int_eq(pseudonymise(&c, "big.csv", "j1.csv", "-j 1", NULL), 0);
    int rc = pseudonymise(&c, "big.csv", "j3.csv", "--jobs 3", &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "written 5003") != NULL, "summary: %s", err);
    free(err);
    ck_assert_int_eq(pseudonymise(&c, "big.csv", "j8.csv", "-j 8", NULL), 0);
    ck_assert_msg(same_file(path_in(&c, "j1.csv"), path_in(&c, "j3.csv")), "-j 3 extract differs from -j 1");
    ck_assert_msg(same_file(path_in(&c, "j1.csv"), path_in(&c, "j8.csv")), "-j 8 extract differs from -j 1");
    ck_assert_msg(same_file(path_in(&c, "j1.csv.tokens"), path_in(&c, "j8.csv.tokens")), "token files differ");
    table t;
    table_read(&t, path_in(&c, "j8.csv"));
    ck_assert_uint_eq(t.n, 5003);
    table_free(&t);
    ctx_free(&c);
}
END_TEST

/* ---- manifest and side files ------------------------------------------------------------- */

START_TEST(test_manifest)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    ck_assert_int_eq(pseudonymise(&c, "raw.csv", "out.csv", NULL, NULL), 0);
    char *m = slurp(path_in(&c, "out.csv.manifest"), NULL);
    strv l = lines_of(m);
    static const char *const keys[] = {"format", "source", "extract_date", "key_id", "rows", "sha256", "created_at"};
    const size_t nk = sizeof keys / sizeof keys[0];
    const char *val[7] = {NULL};
    for (size_t i = 0; i < l.n; i++) {
        char *eq = strstr(l.v[i], " = ");
        ck_assert_msg(eq != NULL, "manifest line '%s' is not 'name = value'", l.v[i]);
        *eq = '\0';
        for (size_t k = 0; k < nk; k++) {
            if (strcmp(l.v[i], keys[k]) == 0) {
                ck_assert_msg(val[k] == NULL, "%s twice in the manifest", keys[k]);
                val[k] = eq + 3;
            }
        }
    }
    for (size_t k = 0; k < nk; k++)
        ck_assert_msg(val[k] != NULL, "manifest has no %s", keys[k]);
    ck_assert_str_eq(val[0], "tznr-extract-v1");
    ck_assert_str_eq(val[1], "bailleur:test");
    ck_assert_str_eq(val[2], "2026-01-15");
    ck_assert_str_eq(val[3], "vectors-1");
    ck_assert_str_eq(val[4], "20");
    char sha[65];
    sha256_hex(path_in(&c, "out.csv"), sha);
    ck_assert_str_eq(val[5], sha);
    /* ISO 8601 UTC: YYYY-MM-DDTHH:MM:SSZ */
    const char *ca = val[6];
    int y, mo, d, h, mi, s;
    char z = 0, end = 0;
    ck_assert_msg(strlen(ca) == 20 && sscanf(ca, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &s, &z, &end) == 7 &&
                      z == 'Z' && y >= 2024 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61,
                  "created_at '%s' is not ISO 8601 UTC", ca);
    free(l.v);
    free(m);

    /* without --extract-date: a valid date (today) */
    ck_assert_int_eq(TZNR(&c, NULL, NULL, "pseudonymise -q --key '%s' --source caf:gironde -o '%s' '%s'", c.key,
                          path_in(&c, "today.csv"), path_in(&c, "raw.csv")),
                     0);
    m = slurp(path_in(&c, "today.csv.manifest"), NULL);
    const char *xd = strstr(m, "extract_date = ");
    ck_assert_ptr_nonnull(xd);
    ck_assert_msg(sscanf(xd, "extract_date = %4d-%2d-%2d", &y, &mo, &d) == 3 && xd[25] == '\n', "%s", m);
    ck_assert_ptr_nonnull(strstr(m, "source = caf:gironde\n"));
    free(m);
    ctx_free(&c);
}
END_TEST

START_TEST(test_token_and_reject_files)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    umask(022);
    ck_assert_int_eq(pseudonymise(&c, "raw.csv", "out.csv", NULL, NULL), 0);
    char *t = slurp(path_in(&c, "out.csv.tokens"), NULL);
    ck_assert_msg(strncmp(t, "local_ref,token\n", 16) == 0, "token file starts '%.40s'", t);
    strv l = lines_of(t);
    ck_assert_uint_eq(l.n, 21);
    for (size_t i = 1; i < l.n; i++) {
        char *comma = strchr(l.v[i], ',');
        ck_assert_ptr_nonnull(comma);
        ck_assert_uint_eq(strlen(comma + 1), 64);
        ck_assert_uint_eq(strspn(comma + 1, "0123456789abcdef"), 64);
    }
    ck_assert_str_eq(l.v[1], "L0001,4807afb536a414697b80dd588693d0b30234550084d83d1e09c355cdad6a48da");
    free(l.v);
    free(t);
    ck_assert_uint_eq(mode_of(path_in(&c, "out.csv.tokens")), 0600);
    /* rejects: the header alone here; raw data, so no access for group or others either */
    char *r = slurp(path_in(&c, "out.csv.rejects"), NULL);
    ck_assert_str_eq(r, "line,reason,record\n");
    free(r);
    ck_assert_uint_eq(mode_of(path_in(&c, "out.csv.rejects")) & 077, 0);
    no_tmp_files(&c);
    /* the extract and manifest are there; nothing else */
    char list[1024];
    ck_assert_int_eq(leftovers(&c, "raw.csv", NULL, list, sizeof list), 4);
    ck_assert(exists(path_in(&c, "out.csv")) && exists(path_in(&c, "out.csv.manifest")));

    /* a second run replaces the outputs */
    ck_assert_int_eq(pseudonymise(&c, "raw.csv", "out.csv", "-q", NULL), 0);
    ck_assert_int_eq(leftovers(&c, "raw.csv", NULL, list, sizeof list), 4);
    ctx_free(&c);
}
END_TEST

/* Whatever is at the temporary names beforehand (a 0666 file, a symlink to a readable file, a
 * dangling symlink) decides neither the mode nor the target of what is written: the token map
 * turns lists back into names. */
START_TEST(test_tmp_names_taken)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    umask(022);
    tu_write_str(path_in(&c, "public.txt"), "untouched\n");
    ck_assert_int_eq(chmod(path_in(&c, "public.txt"), 0644), 0);
    ck_assert_int_eq(symlink(path_in(&c, "public.txt"), path_in(&c, "out.csv.tokens.tmp")), 0);
    tu_write_str(path_in(&c, "out.csv.rejects.tmp"), "stale\n");
    ck_assert_int_eq(chmod(path_in(&c, "out.csv.rejects.tmp"), 0666), 0);
    tu_write_str(path_in(&c, "out.csv.tmp"), "stale\n");
    ck_assert_int_eq(chmod(path_in(&c, "out.csv.tmp"), 0666), 0);
    ck_assert_int_eq(symlink(path_in(&c, "nowhere.csv"), path_in(&c, "out.csv.manifest.tmp")), 0);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    /* the symlinks' targets are as they were; nothing was created through the dangling one */
    char *pub = slurp(path_in(&c, "public.txt"), NULL);
    ck_assert_msg(strcmp(pub, "untouched\n") == 0, "the token map went through the symlink into public.txt");
    free(pub);
    ck_assert_uint_eq(mode_of(path_in(&c, "public.txt")), 0644);
    ck_assert_msg(!exists(path_in(&c, "nowhere.csv")), "the manifest went through a dangling symlink");
    /* each output is a new regular file with its own mode */
    struct stat st;
    ck_assert_int_eq(lstat(path_in(&c, "out.csv.tokens"), &st), 0);
    ck_assert_msg(S_ISREG(st.st_mode), "the token map is not a regular file");
    ck_assert_uint_eq(mode_of(path_in(&c, "out.csv.tokens")), 0600);
    ck_assert_uint_eq(mode_of(path_in(&c, "out.csv.rejects")), 0600);
    ck_assert_uint_eq(mode_of(path_in(&c, "out.csv")), 0640);
    ck_assert_int_eq(lstat(path_in(&c, "out.csv.manifest"), &st), 0);
    ck_assert_msg(S_ISREG(st.st_mode), "the manifest is not a regular file");
    char *t = slurp(path_in(&c, "out.csv.tokens"), NULL);
    ck_assert_msg(strstr(t, "\nL0001,4807afb536a414697b80dd588693d0b30234550084d83d1e09c355cdad6a48da\n") != NULL,
                  "token map: %.200s", t);
    free(t);
    no_tmp_files(&c);
    ctx_free(&c);
}
END_TEST

/* ---- refusals ---------------------------------------------------------------------------- */

static void expect_refused(const char *content, size_t len, const char *what)
{
    struct ctx c;
    ctx_init(&c);
    tu_write(path_in(&c, "in.csv"), content, len);
    char *err = NULL;
    int rc = pseudonymise(&c, "in.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 3, "%s: exit %d, expected 3 (refused); stderr: %s", what, rc, err);
    ck_assert_msg(count_char(err, '\n') == 1, "%s: stderr is not one line: %s", what, err);
    ck_assert_msg(strstr(err, path_in(&c, "in.csv")) != NULL, "%s: stderr does not name the file: %s", what, err);
    char list[1024];
    int n = leftovers(&c, "in.csv", NULL, list, sizeof list);
    ck_assert_msg(n == 0, "%s: left behind:%s", what, list);
    free(err);
    ctx_free(&c);
}

START_TEST(test_refusals)
{
    expect_refused("", 0, "an empty file");
    expect_refused("\xEF\xBB\xBF", 3, "a BOM alone");
    expect_refused("\n\r\n\n", 4, "empty lines");
    static const char bin[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\x10\x10\0\0\0\0\0\0@\0\0\0\n"
                              "\0\0\0\0\xff\xfe\x01,\x02\n";
    expect_refused(bin, sizeof bin - 1, "a binary file");
    static const char zip[] = "PK\x03\x04\x14\0\0\0\x08\0\xa4\x5a\x7a\x59\0\0\0\0,\"x\x00\ny";
    expect_refused(zip, sizeof zip - 1, "a zip file");
    const char *nonir = "local_ref,household_ref,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n"
                        "L1,H1,Dupont,,Jean,1985-05-12,1,,33063\n";
    expect_refused(nonir, strlen(nonir), "a header without nir");
    const char *unk = "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune,"
                      "telephone\nL1,H1,,Dupont,,Jean,1985-05-12,1,,33063,0102030405\n";
    expect_refused(unk, strlen(unk), "a header with an unknown column");
}
END_TEST

START_TEST(test_refusal_messages)
{
    /* the reason names the column */
    struct ctx c;
    ctx_init(&c);
    tu_write_str(path_in(&c, "a.csv"), "local_ref,household_ref,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n");
    char *err = NULL;
    ck_assert_int_eq(pseudonymise(&c, "a.csv", "out.csv", NULL, &err), 3);
    ck_assert_msg(strstr(err, "'nir'") != NULL, "stderr should name nir: %s", err);
    free(err);
    tu_write_str(path_in(&c, "b.csv"), "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,"
                                        "adresse,commune,Telephone\n");
    ck_assert_int_eq(pseudonymise(&c, "b.csv", "out.csv", NULL, &err), 3);
    ck_assert_msg(strstr(err, "Telephone") != NULL, "stderr should name Telephone: %s", err);
    free(err);
    /* a file that is not there: a failure naming it, nothing written */
    int rc = pseudonymise(&c, "missing.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc != 0 && strstr(err, "missing.csv") != NULL, "exit %d: %s", rc, err);
    free(err);
    ck_assert(!exists(path_in(&c, "out.csv")));
    ck_assert(!exists(path_in(&c, "out.csv.manifest")));
    no_tmp_files(&c);
    ctx_free(&c);
}
END_TEST

/* ---- bad rows ---------------------------------------------------------------------------- */

START_TEST(test_bad_rows)
{
    struct ctx c;
    ctx_init(&c);
    const char *raw = "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n" /* 1 */
                      "R1,H1,185057800608491,Dupont,,Jean,1985-05-12,1,12 rue de la Paix,33063\n"            /* 2 */
                      "R2,H1,Dupont,Jean,1985-05-12,1,12 rue de la Paix,33063\n"                             /* 3 */
                      ",H2,,Martin,,Paul,1970-01-01,1,,33063\n"                                              /* 4 */
                      "R4,H3,,Dup\"ont,,Jean,1985-05-12,1,,33063\n"                                          /* 5 */
                      "R5,H4,185057800608492,Durand,,Luc,1980-03-04,1,,33063\n"                              /* 6 */
                      "R6,H4,,Petit,,Zo\xc3\xa9,2023-02-30,2,,33063\n"                                       /* 7 */
                      "R7,H5,,Leroy,,Anne,\"1990-01-01\",2,\"3, all\xc3\xa9" "e\ndes Pins\",33522\n"          /* 8-9 */
                      "R8,H5,,Mu\xe9ller,,Marc,1991-02-02,1,,33522\n"                                        /* 10 */
                      "R9,H5,,Roux,,Marc,1991-02-02,1,,33522,extra\n"                                        /* 11 */
                      "R10,H6,,Blanc,,Eve,1999-09-09,2,,33522\n";                                            /* 12 */
    tu_write_str(path_in(&c, "raw.csv"), raw);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "read 10") != NULL && strstr(err, "written 6") != NULL &&
                      strstr(err, "rejected 4") != NULL,
                  "summary should give the counts (read 10, written 6, rejected 4): %s", err);
    ck_assert_msg(strstr(err, "out.csv.rejects") != NULL, "summary should point to the rejects: %s", err);
    ck_assert_msg(strstr(err, "NIR: 1 invalid") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "date of birth: 1 invalid") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "1 not UTF-8") != NULL, "summary: %s", err);
    free(err);

    /* rejects: line, reason, the record as it was */
    char e[512];
    csvio_options opt = {0};
    csvio_reader *r = csvio_open(path_in(&c, "out.csv.rejects"), &opt, e, sizeof e);
    ck_assert_msg(r != NULL, "%s", e);
    csvio_record rec;
    ck_assert_int_eq(csvio_next(r, &rec), 1);
    ck_assert_uint_eq(rec.nfields, 3);
    ck_assert_str_eq(rec.field[0], "line");
    ck_assert_str_eq(rec.field[1], "reason");
    ck_assert_str_eq(rec.field[2], "record");
    static const struct {
        const char *line, *why, *record;
    } want[] = {
        {"3", "number of fields", "R2,H1,Dupont,Jean,1985-05-12,1,12 rue de la Paix,33063"},
        {"4", "local_ref", ",H2,,Martin,,Paul,1970-01-01,1,,33063"},
        {"5", "quote", "R4,H3,,Dup\"ont,,Jean,1985-05-12,1,,33063"},
        {"11", "number of fields", "R9,H5,,Roux,,Marc,1991-02-02,1,,33522,extra"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(csvio_next(r, &rec), 1);
        ck_assert_ptr_null(rec.error);
        ck_assert_uint_eq(rec.nfields, 3);
        ck_assert_msg(strcmp(rec.field[0], want[i].line) == 0, "reject %zu is line %s, expected %s", i, rec.field[0],
                      want[i].line);
        ck_assert_msg(strstr(rec.field[1], want[i].why) != NULL, "line %s: reason '%s' should mention '%s'",
                      want[i].line, rec.field[1], want[i].why);
        ck_assert_str_eq(rec.field[2], want[i].record);
    }
    ck_assert_int_eq(csvio_next(r, &rec), 0);
    csvio_close(r);

    /* the others are written, in order */
    table out, tok;
    table_read(&out, path_in(&c, "out.csv"));
    table_read(&tok, path_in(&c, "out.csv.tokens"));
    ck_assert_uint_eq(out.n, 6);
    static const char *const kept[] = {"R1", "R5", "R6", "R7", "R8", "R10"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(cell(&tok, i, "local_ref"), kept[i]);
    ck_assert_uint_eq(strlen(cell(&out, 0, "k_nir")), 64);
    /* R5: a NIR with a wrong key is kept without k_nir */
    ck_assert_str_eq(cell(&out, 1, "k_nir"), "");
    ck_assert_uint_eq(strlen(cell(&out, 1, "k_ident")), 64);
    ck_assert_uint_eq(strlen(cell(&out, 1, "k_dob")), 64);
    ck_assert_str_eq(cell(&out, 1, "birth_year"), "1980");
    /* R6: an impossible date is kept without k_dob, birth_year, k_ident */
    ck_assert_str_eq(cell(&out, 2, "k_dob"), "");
    ck_assert_str_eq(cell(&out, 2, "birth_year"), "");
    ck_assert_str_eq(cell(&out, 2, "k_ident"), "");
    ck_assert_uint_eq(strlen(cell(&out, 2, "clk")), 256);
    ck_assert_str_eq(cell(&out, 2, "sex"), "2");
    /* R7: quoted date and address with a line break */
    ck_assert_str_eq(cell(&out, 3, "birth_year"), "1990");
    ck_assert_str_eq(cell(&out, 3, "commune"), "33522");
    /* R8: a name that is not UTF-8 is left out, the row kept */
    ck_assert_str_eq(cell(&out, 4, "k_ident"), "");
    ck_assert_uint_eq(strlen(cell(&out, 4, "k_dob")), 64);
    table_free(&out);
    table_free(&tok);
    char *m = slurp(path_in(&c, "out.csv.manifest"), NULL);
    ck_assert_msg(strstr(m, "\nrows = 6\n") != NULL, "manifest: %s", m);
    free(m);
    ctx_free(&c);
}
END_TEST

/* Invalid values are kept out of the extract and counted; the summary also says on which lines
 * of the export they are (the first five of each kind), so that the agency can correct them,
 * whatever the number of threads. */
START_TEST(test_invalid_values_located)
{
    struct ctx c;
    ctx_init(&c);
    FILE *f = fopen(path_in(&c, "raw.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", CANON_HEADER);
    for (int line = 2; line <= 13; line++) {
        int bad_nir = line == 3 || line == 4 || line == 6 || line == 8 || line == 10 || line == 11 || line == 13;
        fprintf(f, "R%d,H%d,%s,Dupont,,Jean,%s,%s,,%s\n", line, line, bad_nir ? "185057800608492" : "185057800608491",
                line == 5 ? "1985-02-30" : "1985-05-12", line == 9 ? "M" : "1", line == 12 ? "33-063" : "33063");
    }
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", "-j 4", &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "NIR: 7 invalid (lines 3, 4, 6, 8, 10 and 2 more), 0 missing") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "date of birth: 1 invalid (line 5), 0 missing") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "1 sexe (line 9), 1 commune (line 12), 0 role, 0 attributes") != NULL, "summary: %s", err);
    free(err);
    ctx_free(&c);
}
END_TEST

/* ---- the contract's words where the code once read them otherwise -------------------------- */

/* Run the pseudonymiser on RAW (the canonical header is added) and read the extract into OUT;
 * the summary on stderr into *ERR when not NULL. */
static void run_rows(struct ctx *c, const char *rows, table *out, char **err)
{
    tu_write_str(path_in(c, "raw.csv"), tu_fmt("%s\n%s", CANON_HEADER, rows));
    char *e = NULL;
    int rc = pseudonymise(c, "raw.csv", "out.csv", NULL, &e);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, e);
    table_read(out, path_in(c, "out.csv"));
    if (err)
        *err = e;
    else
        free(e);
}

/* Section 2: "sexe: 1 or 2 from the source; when absent, from the NIR's first character
 * (1, 3, 7 -> 1; 2, 4, 8 -> 2); otherwise empty". A value that is present but not 1 or 2 is
 * not absent: the sex is empty, not the NIR's, and the CLK has no sexe token. */
START_TEST(test_contract_sex_only_when_absent)
{
    struct ctx c;
    ctx_init(&c);
    table out;
    char *err;
    run_rows(&c,
             "S1,H1,185057800608491,Dupont,,Jean,1985-05-12,M,12 rue de la Paix,33063\n"  /* man's NIR, M */
             "S2,H1,,Dupont,,Jean,1985-05-12,,12 rue de la Paix,33063\n"                  /* no sex at all */
             "S3,H1,185057800608491,Dupont,,Jean,1985-05-12,,12 rue de la Paix,33063\n"   /* absent: NIR's */
             "S4,H1,185057800608491,Dupont,,Jean,1985-05-12,2,12 rue de la Paix,33063\n"  /* source's wins */
             "S5,H1,287063306301221,Martin,,Marie,1987-06-03,3,,33063\n"                  /* woman's NIR, 3 */
             "S6,H1,287063306301221,Martin,,Marie,1987-06-03,\"  \",,33063\n",            /* blank: absent */
             &out, &err);
    ck_assert_uint_eq(out.n, 6);
    ck_assert_str_eq(cell(&out, 0, "sex"), "");
    ck_assert_uint_eq(strlen(cell(&out, 0, "k_nir")), 64); /* the NIR itself is still used */
    /* S1 and S2 differ only by the NIR, which is not a CLK feature: no sex, same filter */
    ck_assert_str_eq(cell(&out, 0, "clk"), cell(&out, 1, "clk"));
    ck_assert_str_eq(cell(&out, 1, "sex"), "");
    ck_assert_str_eq(cell(&out, 2, "sex"), "1");
    ck_assert_str_ne(cell(&out, 2, "clk"), cell(&out, 0, "clk"));
    ck_assert_str_eq(cell(&out, 3, "sex"), "2");
    ck_assert_str_eq(cell(&out, 4, "sex"), "");
    ck_assert_str_eq(cell(&out, 5, "sex"), "2");
    /* the present, invalid values are counted (lines 2 and 6) */
    ck_assert_msg(strstr(err, "2 sexe (lines 2 and 6)") != NULL, "summary: %s", err);
    free(err);
    table_free(&out);
    ctx_free(&c);
}
END_TEST

/* Section 2: "NIR: remove spaces, `.` and `-`, upper-case". A tab is none of them: the NIR is
 * invalid, gives no k_nir and no sex, and is counted. */
START_TEST(test_contract_nir_tab_invalid)
{
    struct ctx c;
    ctx_init(&c);
    table out;
    char *err;
    run_rows(&c,
             "N1,H1,1 85 05\t78 006 084 91,Dupont,,Jean,1985-05-12,,,33063\n"
             "N2,H1,1 85-05.78 006 084 91,Dupont,,Jean,1985-05-12,,,33063\n",
             &out, &err);
    ck_assert_str_eq(cell(&out, 0, "k_nir"), "");
    ck_assert_str_eq(cell(&out, 0, "sex"), "");
    ck_assert_uint_eq(strlen(cell(&out, 1, "k_nir")), 64);
    ck_assert_str_eq(cell(&out, 1, "sex"), "1");
    ck_assert_msg(strstr(err, "NIR: 1 invalid (line 2)") != NULL, "summary: %s", err);
    free(err);
    table_free(&out);
    ctx_free(&c);
}
END_TEST

/* Section 2: "nom: compact of the birth name; when the birth name is empty, compact of the usage
 * name", and k_ident_alt / clk_alt are present "when nom_usage is present and differs from nom".
 * A birth name that is there but folds to nothing ("-") or is not UTF-8 is not empty: nom is
 * empty, so no k_ident, and the usage name gives k_ident_alt and clk_alt. tznr's reading: a
 * birth name of spaces only is empty (docs/extract-format.md, trimming). */
START_TEST(test_contract_birth_name_empty_is_raw)
{
    struct ctx c;
    ctx_init(&c);
    table out;
    run_rows(&c,
             "B0,H1,,Martin,,Jean,1985-05-12,1,12 rue de la Paix,33063\n"      /* 0: reference, nom MARTIN */
             "B1,H1,,,,Jean,1985-05-12,1,12 rue de la Paix,33063\n"            /* 1: reference, no nom */
             "B2,H1,,-,Martin,Jean,1985-05-12,1,12 rue de la Paix,33063\n"     /* 2: birth name '-' */
             "B3,H1,,Mu\xe9ller,Martin,Jean,1985-05-12,1,12 rue de la Paix,33063\n" /* 3: not UTF-8 */
             "B4,H1,,,Martin,Jean,1985-05-12,1,12 rue de la Paix,33063\n"      /* 4: empty */
             "B5,H1,,\"   \",Martin,Jean,1985-05-12,1,12 rue de la Paix,33063\n",  /* 5: spaces only */
             &out, NULL);
    ck_assert_uint_eq(out.n, 6);
    const char *ident = cell(&out, 0, "k_ident"), *clk = cell(&out, 0, "clk"), *bare = cell(&out, 1, "clk");
    ck_assert_uint_eq(strlen(ident), 64);
    ck_assert_str_eq(cell(&out, 1, "k_ident"), "");
    ck_assert_str_ne(clk, bare);
    for (size_t r = 2; r <= 3; r++) {
        ck_assert_msg(strcmp(cell(&out, r, "k_ident"), "") == 0, "row %zu: a k_ident without nom", r);
        ck_assert_msg(strcmp(cell(&out, r, "k_ident_alt"), ident) == 0, "row %zu: k_ident_alt is not MARTIN|JEAN|19850512", r);
        ck_assert_msg(strcmp(cell(&out, r, "clk"), bare) == 0, "row %zu: clk should have no nom", r);
        ck_assert_msg(strcmp(cell(&out, r, "clk_alt"), clk) == 0, "row %zu: clk_alt should have nom MARTIN", r);
    }
    for (size_t r = 4; r <= 5; r++) {
        ck_assert_msg(strcmp(cell(&out, r, "k_ident"), ident) == 0, "row %zu: the usage name should stand for the birth name", r);
        ck_assert_msg(strcmp(cell(&out, r, "k_ident_alt"), "") == 0, "row %zu: nom_usage = nom, no k_ident_alt", r);
        ck_assert_msg(strcmp(cell(&out, r, "clk"), clk) == 0, "row %zu: clk should have nom MARTIN", r);
        ck_assert_msg(strcmp(cell(&out, r, "clk_alt"), "") == 0, "row %zu: no clk_alt", r);
    }
    table_free(&out);
    ctx_free(&c);
}
END_TEST

/* The contract trims local_ref and says nothing of household_ref. tznr's reading (kept, see
 * docs/extract-format.md): household_ref is trimmed too, as local_ref is, so that a padded
 * reference does not split a household, and a blank one (spaces only) is empty: no household,
 * rather than every blank row in one household. Case and inner spaces still count. The values
 * are quoted: the CSV reader already drops spaces and tabs around an unquoted field. */
START_TEST(test_household_ref_trimmed)
{
    struct ctx c;
    ctx_init(&c);
    table out;
    run_rows(&c,
             "T1,H1,,Dupont,,Jean,1985-05-12,1,,33063\n"
             "T2,\" H1 \",,Dupont,,Marie,1987-06-03,2,,33063\n"
             "T3,\"\tH1\",,Dupont,,Léa,2015-09-21,2,,33063\n"
             "T4,\"   \",,Durand,,Paul,1970-01-01,1,,33063\n"
             "T5,h1,,Durand,,Luc,1970-01-01,1,,33063\n"
             "T6,H 1,,Durand,,Eve,1970-01-01,2,,33063\n",
             &out, NULL);
    ck_assert_uint_eq(out.n, 6);
    const char *h = cell(&out, 0, "household");
    ck_assert_uint_eq(strlen(h), 64);
    ck_assert_str_eq(cell(&out, 1, "household"), h);
    ck_assert_str_eq(cell(&out, 2, "household"), h);
    ck_assert_str_eq(cell(&out, 3, "household"), "");
    ck_assert_str_ne(cell(&out, 4, "household"), h);
    ck_assert_str_ne(cell(&out, 5, "household"), h);
    ck_assert_uint_eq(strlen(cell(&out, 5, "household")), 64);
    table_free(&out);
    ctx_free(&c);
}
END_TEST

/* tznr's reading where the contract is silent (docs/extract-format.md): the attributes' values
 * as the pseudonymiser writes them, and the invalid ones left empty. */
START_TEST(test_attributes_written)
{
    struct ctx c;
    ctx_init(&c);
    const char *hdr = "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune,"
                      "role,nb_personnes,nb_enfants,impaye_mois,ressources_mensuelles,revenus_activite,loyer,rsa\n";
    tu_write_str(path_in(&c, "raw.csv"), tu_fmt("%s%s%s%s", hdr,
                 "A1,H1,,,,,,,,,D,007,0,2,1 234.56,.5,0012.50,1\n",
                 "A2,H1,,,,,,,,,d,0,1000,-1,-5,12.1234567,1234567890123,2\n",
                 "A3,H1,,,,,,,,,\" E \",\" 3 \",,,\" 400 \",1234567890.123456,0,\" 0 \"\n"));
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "0 role") == NULL && strstr(err, "1 role") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "7 attributes") != NULL, "summary: %s", err);
    free(err);
    table out;
    table_read(&out, path_in(&c, "out.csv"));
    static const char *const cols[] = {"role", "nb_personnes", "nb_enfants", "impaye_mois", "ressources_mensuelles",
                                       "revenus_activite", "loyer", "rsa"};
    static const char *const want[3][8] = {
        {"D", "7", "0", "2", "1234.56", "0.5", "0012.50", "1"},
        {"", "", "", "", "", "", "", ""},
        {"E", "3", "", "", "400", "1234567890.123456", "0", "0"},
    };
    for (size_t r = 0; r < 3; r++)
        for (size_t k = 0; k < 8; k++)
            ck_assert_msg(strcmp(cell(&out, r, cols[k]), want[r][k]) == 0, "row %zu %s: '%s', want '%s'", r + 1,
                          cols[k], cell(&out, r, cols[k]), want[r][k]);
    table_free(&out);
    ctx_free(&c);
}
END_TEST

/* ---- keys and usage ------------------------------------------------------------------------ */

START_TEST(test_key_file_mode)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    ck_assert_int_eq(chmod(c.key, 0644), 0);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc != 0, "a 0644 key file was accepted");
    ck_assert_msg(strstr(err, "chmod 600") != NULL, "stderr should say chmod 600: %s", err);
    ck_assert_msg(strstr(err, c.key) != NULL, "stderr should name the key file: %s", err);
    free(err);
    char list[1024];
    ck_assert_msg(leftovers(&c, "raw.csv", NULL, list, sizeof list) == 0, "left behind:%s", list);
    /* group-readable only is refused too; 0400 is fine */
    ck_assert_int_eq(chmod(c.key, 0640), 0);
    ck_assert_int_ne(pseudonymise(&c, "raw.csv", "out.csv", NULL, NULL), 0);
    ck_assert_int_eq(chmod(c.key, 0400), 0);
    ck_assert_int_eq(pseudonymise(&c, "raw.csv", "out.csv", "-q", NULL), 0);
    /* a key file that is not one */
    tu_write_str(path_in(&c, "bad.key"), "tznr-key-v1 x 0011\n");
    ck_assert_int_eq(chmod(path_in(&c, "bad.key"), 0600), 0);
    rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source bailleur:test -o '%s' '%s'", path_in(&c, "bad.key"),
              path_in(&c, "o2.csv"), path_in(&c, "raw.csv"));
    ck_assert_msg(rc != 0 && strstr(err, "bad.key") != NULL, "exit %d: %s", rc, err);
    free(err);
    ck_assert(!exists(path_in(&c, "o2.csv")));
    ctx_free(&c);
}
END_TEST

START_TEST(test_keygen)
{
    struct ctx c;
    ctx_init(&c);
    const char *k = strdup(path_in(&c, "new.key"));
    char *err = NULL;
    /* whatever the umask, the file is 0600 */
    int rc = run_bin(&c, "tznr", NULL, &err, "keygen --id gironde-2026 -o '%s'", k);
    ck_assert_msg(rc == 0, "keygen exit %d: %s", rc, err);
    free(err);
    ck_assert_uint_eq(mode_of(k), 0600);
    char *text = slurp(k, NULL);
    ck_assert_msg(strncmp(text, "tznr-key-v1 gironde-2026 ", 25) == 0 && strlen(text) == 25 + 64 + 1 &&
                      strspn(text + 25, "0123456789abcdef") == 64 && text[89] == '\n',
                  "key file '%s'", text);
    /* never overwritten */
    rc = run_bin(&c, "tznr", NULL, &err, "keygen --id other -o '%s'", k);
    ck_assert_msg(rc != 0, "keygen overwrote a key");
    ck_assert_msg(strstr(err, "new.key") != NULL, "stderr should name the file: %s", err);
    free(err);
    char *again = slurp(k, NULL);
    ck_assert_str_eq(again, text);
    free(again);
    /* two keys differ */
    const char *k2 = strdup(path_in(&c, "second.key"));
    ck_assert_int_eq(tu_run(tu_fmt("umask 000; '%s' keygen --id g2 -o '%s'", tu_bin("tznr"), k2),
                            NULL, NULL),
                     0);
    ck_assert_uint_eq(mode_of(k2), 0600);
    char *text2 = slurp(k2, NULL);
    ck_assert_str_ne(text + 25, text2 + 15);
    /* and it works */
    copy_vectors_raw(&c, "raw.csv");
    rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source autre:essai -o '%s' '%s'", k, path_in(&c, "o.csv"),
              path_in(&c, "raw.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    char *m = slurp(path_in(&c, "o.csv.manifest"), NULL);
    ck_assert_msg(strstr(m, "key_id = gironde-2026\n") != NULL, "manifest: %s", m);
    free(m);
    /* a bad id */
    rc = run_bin(&c, "tznr", NULL, &err, "keygen --id 'bad id!' -o '%s'", path_in(&c, "x.key"));
    ck_assert_int_ne(rc, 0);
    ck_assert(!exists(path_in(&c, "x.key")));
    free(err);
    free(text);
    free(text2);
    free((char *)k);
    free((char *)k2);
    ctx_free(&c);
}
END_TEST

/* TMPL with @K, @O and @R replaced by K, O and R (malloc'd). */
static char *subst(const char *tmpl, const char *k, const char *o, const char *r)
{
    sbuf b;
    sbuf_init(&b);
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '@' && (p[1] == 'K' || p[1] == 'O' || p[1] == 'R')) {
            sbuf_adds(&b, p[1] == 'K' ? k : p[1] == 'O' ? o : r);
            p++;
        } else {
            sbuf_addc(&b, *p);
        }
    }
    return b.p;
}

START_TEST(test_usage_errors)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    char *raw = strdup(path_in(&c, "raw.csv")), *out = strdup(path_in(&c, "out.csv"));
    /* @K the key, @O the output, @R the input */
    static const char *const bad[] = {
        "",
        "--source bailleur:test -o '@O' '@R'",                     /* no --key */
        "--key '@K' -o '@O' '@R'",                               /* no --source */
        "--key '@K' --source bailleur:test '@R'",                  /* no -o */
        "--key '@K' --source bailleur:test -o '@O'",               /* no input */
        "--key '@K' --source bailleur:test -o '@O' '@R' '@R'", /* two inputs */
        "--key '@K' --source bailleur:Test -o '@O' '@R'",
        "--key '@K' --source mairie:x -o '@O' '@R'",
        "--key '@K' --source bailleur: -o '@O' '@R'",
        "--key '@K' --source bailleur:abcdefghijklmnopqrstuvwxyz0123456 -o '@O' '@R'",
        "--key '@K' --source bailleur:test -j 0 -o '@O' '@R'",
        "--key '@K' --source bailleur:test -j 65 -o '@O' '@R'",
        "--key '@K' --source bailleur:test -j two -o '@O' '@R'",
        "--key '@K' --source bailleur:test --extract-date 2026-13-01 -o '@O' '@R'",
        "--key '@K' --source bailleur:test --extract-date 15/01/2026 -o '@O' '@R'",
        "--key '@K' --source bailleur:test --frobnicate -o '@O' '@R'",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *args = NULL, *err = NULL;
        args = subst(bad[i], c.key, out, raw);
        int rc = TZNR(&c, NULL, &err, "pseudonymise %s", args);
        ck_assert_msg(rc == 2, "'%s': exit %d, expected 2; stderr: %s", args, rc, err);
        ck_assert_msg(strstr(err, "Try 'tznr pseudonymise --help'") != NULL, "'%s': stderr: %s", args, err);
        ck_assert_msg(!exists(out), "'%s' wrote an output", args);
        free(args);
        free(err);
    }
    /* --help is not an error */
    char *o = NULL;
    ck_assert_int_eq(TZNR(&c, &o, NULL, "pseudonymise --help"), 0);
    ck_assert_msg(strstr(o, "usage: tznr pseudonymise") != NULL, "%s", o);
    free(o);
    /* the 32-character limit itself is fine */
    ck_assert_int_eq(TZNR(&c, NULL, NULL, "pseudonymise -q --key '%s' --source bailleur:abcdefghijklmnopqrstuvwxyz012345 "
                                          "-o '%s' '%s'", c.key, out, raw), 0);
    free(raw);
    free(out);
    ctx_free(&c);
}
END_TEST

/* ---- a mapped export against its canonical twin ---------------------------------------- */

/* The same five people, as a canonical UTF-8 file and as a Windows-1252, ';'-separated, CRLF
 * export with DD/MM/YYYY dates, decimal commas, coded values and its own column names. */
static const char *const CANON_ROWS[] = {
    "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune,role,nb_personnes,"
    "nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,rsa,prime_activite,aide_logement,aah,css,"
    "fsl,suivi_social",
    "A0001,F01,185057800608491,Lef\xc3\xa8vre,,Jean,1985-05-12,1,12 rue de la Paix,33063,D,3,1,1234.50,800.00,"
    "450.5,0,1,0,1,0,1,0,1",
    "A0002,F01,287063306301221,Martin,Lef\xc3\xa8vre,Marie-Claire,1987-06-03,2,12 rue de la Paix,33063,C,3,1,,,,,"
    "0,1,0,0,0,,",
    "A0003,F01,,Lef\xc3\xa8vre,,Zo\xc3\xab,2015-09-21,2,12 rue de la Paix,33063,E,3,1,,,,,,,,,,,",
    "A0004,F02,175043300300500,\xc5\x92uvray,,Fran\xc3\xa7ois,1975-04-30,1,\"3 bis, all\xc3\xa9" "e des "
    "\xc5\x92illets\",33522,D,1,0,2345.00,0,380,2,1,0,1,1,1,1,1",
    "A0005,F03,269052A12345688,Le Bihan-Kern\xc3\xa9,,\xc3\x89lo\xc3\xafse,1969-05-17,2,Lieu-dit Kern\xc3\xa9,"
    "2A004,D,1,0,540,,,,1,0,0,0,1,0,0",
};

static const char *const CP1252_ROWS[] = {
    "MATRICULE;NUM_FOYER;NIR;NOM_NAISSANCE;NOM_USAGE;PRENOMS;DATE_NAISS;SEXE;NUM_VOIE;LIB_VOIE;CODE_INSEE;QUALITE;"
    "NB_PERS;NB_ENF;RESSOURCES;REV_ACT;LOYER;IMPAYES;RSA;PPA;AL;AAH;CSS;FSL;SUIVI;COMMENTAIRE",
    "A0001;F01;185057800608491;Lef\xe8vre;;Jean;12/05/1985;M;12;rue de la Paix;33063;ALLOCATAIRE;3;1;1 234,50;"
    "800,00;450,5;0;O;N;O;N;O;N;O;",
    "A0002;F01;287063306301221;Martin;Lef\xe8vre;Marie-Claire;03/06/1987;F;12;rue de la Paix;33063;Conjoint;3;1;;;;;"
    "N;O;N;N;N;;;",
    "A0003;F01;;Lef\xe8vre;;Zo\xeb;21/09/2015;f;12;rue de la Paix;33063;enfant;3;1;;;;;;;;;;;;",
    "A0004;F02;175043300300500;\x8cuvray;;Fran\xe7ois;30/04/1975;M;3 bis,;all\xe9" "e des \x8cillets;33522;"
    "ALLOCATAIRE;1;0;2\xa0" "345,00;0;380;2;O;N;O;O;O;O;O;\"voir le dossier; urgent\"",
    "A0005;F03;269052A12345688;Le Bihan-Kern\xe9;;\xc9lo\xefse;17/05/1969;F;;Lieu-dit Kern\xe9;2A004;ALLOCATAIRE;"
    "1;0;540;;;;O;N;N;N;O;N;N;",
};

static const char CP1252_MAPPING[] = "# a CAF-like export\n"
                                     "[input]\n"
                                     "encoding = cp1252\n"
                                     "separator = ;\n"
                                     "date_format = DD/MM/YYYY\n"
                                     "decimal = ,\n"
                                     "\n"
                                     "[columns]\n"
                                     "local_ref = MATRICULE\n"
                                     "household_ref = NUM_FOYER\n"
                                     "nir = NIR\n"
                                     "nom = NOM_NAISSANCE\n"
                                     "nom_usage = NOM_USAGE\n"
                                     "prenom = PRENOMS\n"
                                     "date_naissance = DATE_NAISS\n"
                                     "sexe = SEXE\n"
                                     "adresse = NUM_VOIE + LIB_VOIE\n"
                                     "commune = CODE_INSEE\n"
                                     "role = QUALITE\n"
                                     "nb_personnes = NB_PERS\n"
                                     "nb_enfants = NB_ENF\n"
                                     "ressources_mensuelles = RESSOURCES\n"
                                     "revenus_activite = REV_ACT\n"
                                     "loyer = LOYER\n"
                                     "impaye_mois = IMPAYES\n"
                                     "rsa = RSA\n"
                                     "prime_activite = PPA\n"
                                     "aide_logement = AL\n"
                                     "aah = AAH\n"
                                     "css = CSS\n"
                                     "fsl = FSL\n"
                                     "suivi_social = SUIVI\n"
                                     "\n"
                                     "[values.sexe]\n"
                                     "M = 1\n"
                                     "F = 2\n"
                                     "[values.role]\n"
                                     "ALLOCATAIRE = D\n"
                                     "CONJOINT = C\n"
                                     "ENFANT = E\n"
                                     "[values.flags]\n"
                                     "O = 1\n"
                                     "N = 0\n";

static void write_lines(const char *path, const char *const *lines, size_t n, const char *eol)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", lines[i], eol);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_mapped_export_matches_canonical)
{
    struct ctx c;
    ctx_init(&c);
    const size_t n = sizeof CANON_ROWS / sizeof CANON_ROWS[0];
    ck_assert_uint_eq(n, sizeof CP1252_ROWS / sizeof CP1252_ROWS[0]);
    write_lines(path_in(&c, "canon.csv"), CANON_ROWS, n, "\n");
    write_lines(path_in(&c, "caf.csv"), CP1252_ROWS, n, "\r\n");
    tu_write_str(path_in(&c, "caf.ini"), CP1252_MAPPING);
    char *e1 = NULL, *e2 = NULL;
    int rc = TZNR(&c, NULL, &e1, "pseudonymise --key '%s' --source caf:gironde -o '%s' '%s'", c.key,
                  path_in(&c, "canon.out.csv"), path_in(&c, "canon.csv"));
    ck_assert_msg(rc == 0, "canonical: exit %d: %s", rc, e1);
    rc = TZNR(&c, NULL, &e2, "pseudonymise --key '%s' --source caf:gironde --mapping '%s' -o '%s' '%s'", c.key,
              path_in(&c, "caf.ini"), path_in(&c, "caf.out.csv"), path_in(&c, "caf.csv"));
    ck_assert_msg(rc == 0, "mapped: exit %d: %s", rc, e2);
    /* nothing rejected, nothing invalid, in either */
    const char *clean = "0 not UTF-8, 0 sexe, 0 commune, 0 role, 0 attributes";
    ck_assert_msg(strstr(e1, "written 5, rejected 0") && strstr(e1, clean), "canonical: %s", e1);
    ck_assert_msg(strstr(e2, "written 5, rejected 0") && strstr(e2, clean), "mapped: %s", e2);
    free(e1);
    free(e2);

    /* the same extract, line for line */
    table a, b;
    table_read(&a, path_in(&c, "canon.out.csv"));
    table_read(&b, path_in(&c, "caf.out.csv"));
    ck_assert_uint_eq(a.n, 5);
    ck_assert_uint_eq(b.n, 5);
    for (size_t i = 0; i < a.n; i++)
        for (size_t k = 0; k < a.hdr.n; k++)
            ck_assert_msg(strcmp(a.rows[i].v[k], b.rows[i].v[k]) == 0, "row %zu, %s: canonical '%s', mapped '%s'",
                          i + 1, a.hdr.v[k], a.rows[i].v[k], b.rows[i].v[k]);
    ck_assert_msg(same_file(path_in(&c, "canon.out.csv"), path_in(&c, "caf.out.csv")), "the extracts differ");
    ck_assert_msg(same_file(path_in(&c, "canon.out.csv.tokens"), path_in(&c, "caf.out.csv.tokens")),
                  "the token files differ");

    /* and the values did go through: keys, decoded amounts, maps */
    ck_assert_uint_eq(strlen(cell(&b, 0, "k_nir")), 64);
    ck_assert_uint_eq(strlen(cell(&b, 0, "k_ident")), 64);
    ck_assert_str_eq(cell(&b, 0, "role"), "D");
    ck_assert_str_eq(cell(&b, 0, "sex"), "1");
    ck_assert_str_eq(cell(&b, 0, "birth_year"), "1985");
    ck_assert_str_eq(cell(&b, 0, "ressources_mensuelles"), "1234.50");
    ck_assert_str_eq(cell(&b, 0, "loyer"), "450.5");
    ck_assert_str_eq(cell(&b, 0, "rsa"), "1");
    ck_assert_str_eq(cell(&b, 0, "prime_activite"), "0");
    ck_assert_str_eq(cell(&b, 0, "aspa"), "");
    ck_assert_str_eq(cell(&b, 1, "role"), "C");
    ck_assert_uint_eq(strlen(cell(&b, 1, "k_ident_alt")), 64);
    ck_assert_str_eq(cell(&b, 2, "role"), "E");
    ck_assert_str_eq(cell(&b, 2, "sex"), "2");
    ck_assert_str_eq(cell(&b, 3, "ressources_mensuelles"), "2345.00");
    ck_assert_str_eq(cell(&b, 3, "impaye_mois"), "2");
    ck_assert_str_eq(cell(&b, 3, "suivi_social"), "1");
    ck_assert_str_eq(cell(&b, 4, "commune"), "2A004");
    ck_assert_uint_eq(strlen(cell(&b, 4, "k_nir")), 64);
    /* the names are folded the same: the same k_ident as the same person written in UTF-8 */
    ck_assert_str_eq(cell(&a, 3, "k_ident"), cell(&b, 3, "k_ident"));
    ck_assert_uint_eq(strlen(cell(&b, 3, "k_ident")), 64);
    table_free(&a);
    table_free(&b);
    ctx_free(&c);
}
END_TEST

/* ---- an export in another encoding than declared ------------------------------------------- */

/* The canonical columns read through a mapping that declares ENCODING. */
static void write_mapping(const struct ctx *c, const char *name, const char *encoding)
{
    char m[1024];
    size_t o = (size_t)snprintf(m, sizeof m, "[input]\nencoding = %s\n[columns]\n", encoding);
    static const char *const cols[] = {"local_ref", "household_ref", "nir", "nom", "nom_usage", "prenom",
                                       "date_naissance", "sexe", "adresse", "commune"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        o += (size_t)snprintf(m + o, sizeof m - o, "%s = %s\n", cols[i], cols[i]);
    tu_write_str(path_in(c, name), m);
}

/* Pseudonymise RAW through the mapping MAP; the exit status, the messages in *ERR. */
static int pseudonymise_mapped(const struct ctx *c, const char *raw, const char *map, const char *out, char **err)
{
    return pseudonymise(c, raw, out, tu_fmt("--mapping '%s'", path_in(c, map)), err);
}

/* The k_ident of data row ROW of the extract OUT. */
static char *k_ident_of(const struct ctx *c, const char *out, size_t row)
{
    table t;
    table_read(&t, path_in(c, out));
    char *k = strdup(cell(&t, row, "k_ident"));
    table_free(&t);
    return k;
}

/* An export declared latin1 that is Windows-1252 ("C\x9Cur": bytes 0x80-0x9F, control codes in
 * ISO-8859-1) or UTF-8 ("Rou\xC3\xA9" reads "RouÃ©") would give names that match no other
 * agency's: refused, naming the file, the lines and the encoding to declare, nothing written;
 * declared right, the names are those of the same people written in UTF-8. UTF-8 lines among
 * real Latin-1 ones: a warning naming them. Real Latin-1: nothing said. */
START_TEST(test_encoding_contradicted)
{
    struct ctx c;
    ctx_init(&c);
    write_mapping(&c, "latin1.ini", "latin1");
    write_mapping(&c, "cp1252.ini", "cp1252");
    write_mapping(&c, "utf8.ini", "UTF-8");
    const char *h = CANON_HEADER;
    const char *row = "A,H1,,Dupont,,Jean,1985-05-12,1,,33063\n";
    tu_write_str(path_in(&c, "w.csv"), tu_fmt("%s\n%s%sC\x9cur,,L\xe9on,1970-01-01,1,,33063\n", h, row, "B,H2,,"));
    tu_write_str(path_in(&c, "u.csv"), tu_fmt("%s\n%s%sRou\xc3\xa9,,L\xc3\xa9on,1970-01-01,1,,33063\n%s", h, row,
                                              "B,H2,,", "C,H3,,Martin,,Zo\xc3\xab,1990-02-03,2,,33063\n"));
    tu_write_str(path_in(&c, "ref.csv"), tu_fmt("%s\n%s%s\xc5\x92ur,,L\xc3\xa9on,1970-01-01,1,,33063\n"
                                                "D,H2,,Rou\xc3\xa9,,L\xc3\xa9on,1970-01-01,1,,33063\n", h, row, "B,H2,,C"));
    char *err = NULL;
    char list[1024];

    int rc = pseudonymise_mapped(&c, "w.csv", "latin1.ini", "out.csv", &err);
    ck_assert_msg(rc == 3, "Windows-1252 declared latin1: exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, path_in(&c, "w.csv")) && strstr(err, "line 3 ") && strstr(err, "encoding = cp1252"),
                  "the refusal should name the file, line 3 and cp1252: %s", err);
    ck_assert_msg(leftovers(&c, NULL, NULL, list, sizeof list) == 6, "written after a refusal:%s", list);
    free(err);

    rc = pseudonymise_mapped(&c, "u.csv", "latin1.ini", "out.csv", &err);
    ck_assert_msg(rc == 3, "UTF-8 declared latin1: exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, path_in(&c, "u.csv")) && strstr(err, "lines 3 and 4") && strstr(err, "encoding = UTF-8") &&
                      strstr(err, "\xc3\x83\xc2\xa9"),
                  "the refusal should name the file, lines 3 and 4, UTF-8 and show 'Ã©': %s", err);
    free(err);
    rc = pseudonymise_mapped(&c, "u.csv", "cp1252.ini", "out.csv", &err);
    ck_assert_msg(rc == 3 && strstr(err, "encoding = UTF-8"), "UTF-8 declared cp1252: exit %d: %s", rc, err);
    free(err);
    ck_assert_msg(leftovers(&c, NULL, NULL, list, sizeof list) == 6, "written after a refusal:%s", list);

    /* declared as suggested: the same keys as the people written in UTF-8 */
    ck_assert_int_eq(pseudonymise_mapped(&c, "ref.csv", "utf8.ini", "ref.out.csv", NULL), 0);
    rc = pseudonymise_mapped(&c, "w.csv", "cp1252.ini", "w.out.csv", &err);
    ck_assert_msg(rc == 0 && !strstr(err, "warning"), "Windows-1252 declared cp1252: exit %d: %s", rc, err);
    free(err);
    rc = pseudonymise_mapped(&c, "u.csv", "utf8.ini", "u.out.csv", &err);
    ck_assert_msg(rc == 0 && !strstr(err, "warning"), "UTF-8 declared UTF-8: exit %d: %s", rc, err);
    free(err);
    char *kw = k_ident_of(&c, "w.out.csv", 1), *ku = k_ident_of(&c, "u.out.csv", 1);
    char *k1 = k_ident_of(&c, "ref.out.csv", 1), *k2 = k_ident_of(&c, "ref.out.csv", 2);
    ck_assert_uint_eq(strlen(k1), 64);
    ck_assert_msg(strcmp(kw, k1) == 0, "C\xc5\x93ur read as cp1252 is not C\xc5\x93ur");
    ck_assert_msg(strcmp(ku, k2) == 0, "Rou\xc3\xa9 read as UTF-8 is not Rou\xc3\xa9");
    free(kw);
    free(ku);
    free(k1);
    free(k2);

    /* UTF-8 lines among Latin-1 ones: written, with a warning naming them */
    tu_write_str(path_in(&c, "mixed.csv"), tu_fmt("%s\nA,H1,,Lef\xe8vre,,Jean,1985-05-12,1,,33063\n"
                                                  "B,H2,,Rou\xc3\xa9,,L\xe9on,1970-01-01,1,,33063\n", h));
    rc = pseudonymise_mapped(&c, "mixed.csv", "latin1.ini", "mixed.out.csv", &err);
    ck_assert_msg(rc == 0, "mixed: exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "warning:") && strstr(err, path_in(&c, "mixed.csv")) && strstr(err, "line 3 "),
                  "mixed: a warning should name the file and line 3: %s", err);
    free(err);
    /* real Latin-1, accents everywhere: nothing to say */
    tu_write_str(path_in(&c, "latin1.csv"), tu_fmt("%s\nA,H1,,Lef\xe8vre,,J\xe9r\xf4me,1985-05-12,1,,33063\n"
                                                   "B,H2,,D\xe9j\xe0,,L\xe9" "a,1970-01-01,2,\xab Les Pins \xbb,33063\n", h));
    rc = pseudonymise_mapped(&c, "latin1.csv", "latin1.ini", "latin1.out.csv", &err);
    ck_assert_msg(rc == 0 && !strstr(err, "warning") && !strstr(err, "UTF-8 sequences"), "latin1: exit %d: %s", rc, err);
    free(err);
    ctx_free(&c);
}
END_TEST

/* ---- a 10 MB field ------------------------------------------------------------------------ */

START_TEST(test_field_of_10_mb)
{
    struct ctx c;
    ctx_init(&c);
    FILE *f = fopen(path_in(&c, "raw.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", CANON_HEADER);
    fprintf(f, "A1,H1,,Dupont,,Jean,1985-05-12,1,,33063\n");
    fprintf(f, "A2,H1,,Dupont,,Marie,1986-01-01,2,");
    char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 160; i++) /* 10 MiB */
        ck_assert_uint_eq(fwrite(chunk, 1, sizeof chunk, f), sizeof chunk);
    fprintf(f, ",33063\nA3,H2,,Durand,,Luc,1980-03-04,1,,33063\n");
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "written 2, rejected 1") != NULL, "summary: %s", err);
    free(err);
    table out, tok;
    table_read(&out, path_in(&c, "out.csv"));
    table_read(&tok, path_in(&c, "out.csv.tokens"));
    ck_assert_uint_eq(out.n, 2);
    ck_assert_str_eq(cell(&tok, 0, "local_ref"), "A1");
    ck_assert_str_eq(cell(&tok, 1, "local_ref"), "A3");
    ck_assert_uint_eq(strlen(cell(&out, 1, "k_ident")), 64);
    table_free(&out);
    table_free(&tok);
    /* the reject: line 3, a reason naming the limit (read by hand: the record is 10 MB) */
    size_t n;
    char *rej = slurp(path_in(&c, "out.csv.rejects"), &n);
    ck_assert_msg(strncmp(rej, "line,reason,record\n3,", 21) == 0, "rejects start '%.200s'", rej);
    char head[512];
    snprintf(head, sizeof head, "%s", rej + 21);
    ck_assert_msg(strstr(head, "limit") != NULL, "reason should name the limit: '%.200s'", head);
    ck_assert_int_eq(count_char(rej, '\n'), 2);
    free(rej);
    ctx_free(&c);
}
END_TEST

/* ---- process protection ---------------------------------------------------------------------- */

/* A pseudonymiser that crashes midway, core dumps enabled, leaves no core: the HMAC inner and
 * outer states in its memory would recompute every token, NIR and date-of-birth key. Midway, a
 * batch already encoded (2,048 rows) is no longer in its memory: the raw fields are wiped after
 * use, not left until the next batch overwrites them. */
START_TEST(test_crash_leaves_no_core)
{
    struct ctx c;
    ctx_init(&c);
    char *fifo = strdup(path_in(&c, "raw.fifo")), *out = strdup(path_in(&c, "out.csv"));
    char *ready = strdup(path_in(&c, "out.csv.tokens.tmp"));
    sbuf feed;
    sbuf_init(&feed);
    sbuf_addf(&feed, "%s\nA1,H1,185057800608491,Zygomarquette,,Jean,1985-05-12,1,,33063\n", CANON_HEADER);
    for (int i = 2; i <= 2048; i++) /* one batch: encoded, written, then the next one is waited for */
        sbuf_addf(&feed, "A%d,H%d,,Dupont,,Luc,1980-03-04,1,,33063\n", i, i);
    char *const argv[] = {"tznr", "pseudonymise", "--key", c.key, "--source", "caf:test", "-o", out, fifo, NULL};
    tu_crash r;
    tu_crash_midway(c.dir, fifo, feed.p, ready, "Zygomarquette", argv, &r);
    ck_assert_msg(r.not_dumpable == 1, "pseudonymise ran dumpable: its memory was open to a core and to its user's "
                  "other processes");
    ck_assert_msg(r.core_limit_zero, "pseudonymise ran with a core file size limit other than 0");
    ck_assert_msg(!r.dumped, "pseudonymise crashed midway left a core (its limit raised again from outside: %s; "
                  "a plain process's crash here makes a core: %s)", r.raised ? "yes" : "no",
                  r.control_dumped ? "yes" : "no");
    /* (the memory can only be read with CAP_SYS_PTRACE: root's tests) */
    ck_assert_msg(r.needle_found != 1, "a name of the batch already encoded was still in pseudonymise's memory");
    if (geteuid() == 0)
        ck_assert_msg(r.needle_found == 0, "could not read pseudonymise's memory as root");
    sbuf_free(&feed);
    free(fifo);
    free(out);
    free(ready);
    ctx_free(&c);
}
END_TEST

/* ---- known bug --------------------------------------------------------------------------- */

START_TEST(test_canonical_run_has_no_leak)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "raw.csv");
    char *err = NULL;
    int rc = tu_run(tu_fmt("'%s' pseudonymise -q --key '%s' --source bailleur:test -o '%s' '%s'", tu_bin("tznr"), c.key,
                           path_in(&c, "out.csv"), path_in(&c, "raw.csv")),
                    NULL, &err);
    ck_assert(exists(path_in(&c, "out.csv.manifest")));
    /* under the ASan build, a canonical run leaks nothing (LeakSanitizer would exit 1) */
    ck_assert_msg(rc == 0 && strstr(err, "LeakSanitizer") == NULL, "exit %d: %s", rc, err);
    free(err);
    ctx_free(&c);
}
END_TEST


/* ---- the agency's side: duplicates, an output over the input, the French summary -------- */

/* A local_ref seen twice (also once trimmed, and across batches of 2,048 rows) keeps its first
 * usable row; the others go to the rejects with the line kept, and the summary gives their lines. */
START_TEST(test_duplicate_local_refs)
{
    struct ctx c;
    ctx_init(&c);
    FILE *f = fopen(path_in(&c, "raw.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", CANON_HEADER);                                 /* line 1 */
    fprintf(f, "R1,H1,,Dupont,,Jean,1985-05-12,1,,33063\n");          /* 2 */
    fprintf(f, ",H1,,Dupont,,Anne,1986-05-12,2,,33063\n");            /* 3: rejected, no local_ref */
    fprintf(f, " R1 ,H9,,Durand,,Paul,1970-01-01,1,,33063\n");        /* 4: duplicate of 2 once trimmed */
    fprintf(f, "R2,H2,,Martin,,Luc,1990-02-02,1,,33063\n");           /* 5 */
    for (int i = 0; i < 3000; i++)                                    /* 6-3005 */
        fprintf(f, "X%d,H%d,,Nom%d,,Prenom,1980-01-01,1,,33063\n", i, i, i);
    fprintf(f, "R2,H2,,Martin,,Luc,1990-02-02,1,,33063\n");           /* 3006: duplicate of 5, another batch */
    fprintf(f, "X2999,H0,,Autre,,Personne,1981-01-01,2,,33063\n");    /* 3007: duplicate of 3005 */
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", "-j 3", &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "local_ref en double : 3 : ligne 4 (même local_ref que la ligne 2), ligne 3006 (même "
                              "local_ref que la ligne 5) et ligne 3007 (même local_ref que la ligne 3005)") != NULL,
                  "the summary should give each duplicate's line: %s", err);
    ck_assert_msg(strstr(err, "1 local_ref vide, 3 local_ref en double") != NULL, "rejects by kind: %s", err);
    free(err);

    /* the rejects: each duplicate with its line and the line kept, the row as it was */
    char e[512];
    csvio_options opt = {0};
    csvio_reader *r = csvio_open(path_in(&c, "out.csv.rejects"), &opt, e, sizeof e);
    ck_assert_msg(r != NULL, "%s", e);
    csvio_record rec;
    ck_assert_int_eq(csvio_next(r, &rec), 1);
    static const struct {
        const char *line, *why, *record;
    } want[] = {
        {"3", "local_ref is empty", ",H1,,Dupont,,Anne,1986-05-12,2,,33063"},
        {"4", "duplicate local_ref: the same as line 2, which was kept", " R1 ,H9,,Durand,,Paul,1970-01-01,1,,33063"},
        {"3006", "duplicate local_ref: the same as line 5, which was kept", "R2,H2,,Martin,,Luc,1990-02-02,1,,33063"},
        {"3007", "duplicate local_ref: the same as line 3005, which was kept",
         "X2999,H0,,Autre,,Personne,1981-01-01,2,,33063"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(csvio_next(r, &rec), 1);
        ck_assert_uint_eq(rec.nfields, 3);
        ck_assert_str_eq(rec.field[0], want[i].line);
        ck_assert_str_eq(rec.field[1], want[i].why);
        ck_assert_str_eq(rec.field[2], want[i].record);
    }
    ck_assert_int_eq(csvio_next(r, &rec), 0);
    csvio_close(r);

    /* the extract and the token map hold each local_ref once, the first row's */
    table out, tok;
    table_read(&out, path_in(&c, "out.csv"));
    table_read(&tok, path_in(&c, "out.csv.tokens"));
    ck_assert_uint_eq(out.n, 3002);
    ck_assert_uint_eq(tok.n, 3002);
    ck_assert_str_eq(cell(&tok, 0, "local_ref"), "R1");
    ck_assert_str_eq(cell(&tok, 1, "local_ref"), "R2");
    ck_assert_str_eq(cell(&tok, 3001, "local_ref"), "X2999");
    ck_assert_str_eq(cell(&out, 0, "birth_year"), "1985"); /* line 2's row, not line 4's */
    ck_assert_str_eq(cell(&out, 3001, "birth_year"), "1980");
    for (size_t i = 1; i < tok.n; i++)
        ck_assert_str_ne(cell(&out, i, "token"), cell(&out, 0, "token"));
    table_free(&out);
    table_free(&tok);
    char *m = slurp(path_in(&c, "out.csv.manifest"), NULL);
    ck_assert_msg(strstr(m, "\nrows = 3002\n") != NULL, "manifest: %s", m);
    free(m);
    ctx_free(&c);
}
END_TEST

/* -o naming the raw export, under its own name or another, or so that a side file or a
 * temporary name would be it: refused as a usage error before anything is written, the raw
 * export untouched. */
START_TEST(test_output_is_input)
{
    struct ctx c;
    ctx_init(&c);
    copy_vectors_raw(&c, "c.csv");
    ck_assert_int_eq(mkdir(path_in(&c, "sub"), 0700), 0);
    ck_assert_int_eq(link(tu_fmt("%s/c.csv", c.dir), tu_fmt("%s/hard.csv", c.dir)), 0);
    ck_assert_int_eq(symlink("c.csv", tu_fmt("%s/soft.csv", c.dir)), 0);
    copy_vectors_raw(&c, "x.tokens");
    copy_vectors_raw(&c, "y.tmp");
    char *before = slurp(path_in(&c, "c.csv"), NULL);
    char *dir = strdup(c.dir);
    static const struct {
        const char *out, *in;
    } cases[] = {
        {"c.csv", "c.csv"},         /* the same name */
        {"sub/../c.csv", "c.csv"},  /* another spelling of it */
        {"./hard.csv", "c.csv"},    /* another name of the same file */
        {"soft.csv", "c.csv"},      /* a link to it */
        {"x", "x.tokens"},          /* the token map would replace it */
        {"y", "y.tmp"},             /* the extract's temporary name would remove it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *err = NULL;
        int rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source bailleur:test -o '%s/%s' '%s/%s'", c.key, dir,
                      cases[i].out, dir, cases[i].in);
        ck_assert_msg(rc == 2, "-o %s %s: exit %d, expected 2: %s", cases[i].out, cases[i].in, rc, err);
        ck_assert_msg(strstr(err, "tznr pseudonymise: error: the output '") && strstr(err, "is the raw export"),
                      "-o %s %s: %s", cases[i].out, cases[i].in, err);
        ck_assert_msg(strstr(err, "Try 'tznr pseudonymise --help'"), "%s", err);
        free(err);
        char *now = slurp(tu_fmt("%s/%s", dir, cases[i].in), NULL);
        ck_assert_msg(strcmp(now, before) == 0, "-o %s %s: the raw export changed", cases[i].out, cases[i].in);
        free(now);
        /* nothing written: only the files made above */
        DIR *d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            static const char *const made[] = {".", "..", "test.key", "c.csv", "sub", "hard.csv", "soft.csv",
                                               "x.tokens", "y.tmp"};
            int known = 0;
            for (size_t k = 0; k < sizeof made / sizeof made[0]; k++)
                known |= strcmp(e->d_name, made[k]) == 0;
            ck_assert_msg(known, "-o %s %s left '%s'", cases[i].out, cases[i].in, e->d_name);
        }
        closedir(d);
    }
    /* a different file, and a side file's name that exists but is another file: accepted */
    char *err = NULL;
    int rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source bailleur:test -o '%s/sub/c.csv' '%s/c.csv'", c.key,
                  dir, dir);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    err = NULL;
    rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source bailleur:test -o '%s/sub/c.csv' '%s/c.csv'", c.key,
              dir, dir);
    ck_assert_msg(rc == 0, "again over its own outputs: exit %d: %s", rc, err);
    free(err);
    char *now = slurp(path_in(&c, "c.csv"), NULL);
    ck_assert_str_eq(now, before);
    free(now);
    free(before);
    free(dir);
    ctx_free(&c);
}
END_TEST

/* The summary the agency's IT acts on: French, last, counts by reason, and which files go to
 * the platform and which stay; nothing with -q. */
START_TEST(test_french_summary)
{
    struct ctx c;
    ctx_init(&c);
    const char *raw = "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n" /* 1 */
                      "R1,H1,,Dupont,,Jean,1985-05-12,1,,33063\n"                                          /* 2 */
                      "R2,H1,Dupont,Jean,1985-05-12,1,,33063\n"                                            /* 3 */
                      ",H2,,Martin,,Paul,1970-01-01,1,,33063\n"                                            /* 4 */
                      "R4,H3,,Dup\"ont,,Jean,1985-05-12,1,,33063\n"                                        /* 5 */
                      "R5,H4,,Durand,,Luc,1980-03-04,1,,33063\n"                                           /* 6 */
                      "R9,H5,,Roux,,Marc,1991-02-02,1,,33522,extra\n"                                      /* 7 */
                      "R1,H1,,Dupont,,Jean,1985-05-12,1,,33063\n";                                         /* 8 */
    tu_write_str(path_in(&c, "raw.csv"), raw);
    char *err = NULL;
    int rc = pseudonymise(&c, "raw.csv", "out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    const char *b = strstr(err, "tznr pseudonymise: bilan : 7 lignes lues, 2 écrites dans l'extrait, 5 écartées\n");
    ck_assert_msg(b != NULL, "summary: %s", err);
    char *want = strdup(tu_fmt(
        "tznr pseudonymise:   lignes écartées : 1 CSV mal formé (guillemet), 2 mauvais nombre de champs, "
        "1 local_ref vide, 1 local_ref en double ; chacune avec sa ligne et sa raison dans %s/out.csv.rejects\n"
        "tznr pseudonymise:   local_ref en double : 1 : ligne 8 (même local_ref que la ligne 2) ; l'extrait garde la "
        "première ligne de chacun, corrigez l'export à la source\n"
        "tznr pseudonymise:   à déposer sur la plateforme : %s/out.csv, puis %s/out.csv.manifest en dernier\n"
        "tznr pseudonymise:   à garder à l'agence, jamais déposés : %s/out.csv.tokens (la table de correspondance), "
        "%s/out.csv.rejects (les lignes écartées, avec leurs données)\n",
        c.dir, c.dir, c.dir, c.dir, c.dir));
    ck_assert_msg(strcmp(strchr(b, '\n') + 1, want) == 0, "the summary's end should be\n%s\nnot\n%s", want,
                  strchr(b, '\n') + 1);
    free(want);
    free(err);
    /* a clean export: nothing rejected, no duplicate line */
    copy_vectors_raw(&c, "v.csv");
    err = NULL;
    rc = pseudonymise(&c, "v.csv", "v-out.csv", NULL, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "bilan : 20 lignes lues, 20 écrites dans l'extrait, 0 écartée\n"), "%s", err);
    ck_assert_msg(!strstr(err, "lignes écartées :") && !strstr(err, "en double"), "%s", err);
    free(err);
    /* -q: nothing at all */
    err = NULL;
    rc = pseudonymise(&c, "raw.csv", "q.csv", "-q", &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(err[0] == '\0', "-q printed: %s", err);
    free(err);
    ctx_free(&c);
}
END_TEST

/* Progress on a terminal (under script(1), which gives the command a pseudo-terminal): the
 * rows and the rate rewritten in place, the line cleared before the summary; nothing in a
 * pipe (cron) nor with -q. */
START_TEST(test_progress_on_a_terminal)
{
    struct ctx c;
    ctx_init(&c);
    FILE *f = fopen(path_in(&c, "big.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%s\n", CANON_HEADER);
    for (int i = 0; i < 200000; i++)
        fprintf(f, "R%d,H%d,,Nom%d,,Jean,1985-05-12,1,,33063\n", i, i, i);
    ck_assert_int_eq(fclose(f), 0);
    char *cmd = strdup(tu_fmt("'%s' pseudonymise --key '%s' --source bailleur:test -o '%s' '%s'", tu_bin("tznr"), c.key,
                              path_in(&c, "out.csv"), path_in(&c, "big.csv")));
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("script -qec \"%s\" /dev/null", cmd), &out, &err), 0);
    const char *p = strstr(out, tu_fmt("\rtznr pseudonymise: %s: ", path_in(&c, "big.csv")));
    ck_assert_msg(p != NULL && strstr(p, " rows/s\033[K"), "no progress on a terminal: %.300s", out);
    ck_assert_msg(strstr(out, "\r\033[Ktznr pseudonymise: '"), "the progress line is not cleared before the summary: %s",
                  out);
    free(out);
    free(err);
    /* -q on a terminal, and a pipe: no progress */
    ck_assert_int_eq(tu_run(tu_fmt("script -qec \"%s -q\" /dev/null", cmd), &out, &err), 0);
    ck_assert_msg(!strstr(out, "rows/s"), "-q: %s", out);
    free(out);
    free(err);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    ck_assert_msg(!strchr(err, '\r') && !strchr(err, '\033'), "progress in a pipe: %.300s", err);
    free(out);
    free(err);
    free(cmd);
    ctx_free(&c);
}
END_TEST

Suite *suite_pseudonymise(void)
{
    Suite *s = suite_create("pseudonymise");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_jobs_same_bytes_over_batches);
    tcase_add_test(tc, test_manifest);
    tcase_add_test(tc, test_token_and_reject_files);
    tcase_add_test(tc, test_tmp_names_taken);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("refusals");
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_refusal_messages);
    tcase_add_test(tc, test_bad_rows);
    tcase_add_test(tc, test_invalid_values_located);
    tcase_add_test(tc, test_key_file_mode);
    tcase_add_test(tc, test_keygen);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_crash_leaves_no_core);
    tcase_add_test(tc, test_duplicate_local_refs);
    tcase_add_test(tc, test_output_is_input);
    tcase_add_test(tc, test_french_summary);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("contract");
    tcase_add_test(tc, test_contract_sex_only_when_absent);
    tcase_add_test(tc, test_contract_nir_tab_invalid);
    tcase_add_test(tc, test_contract_birth_name_empty_is_raw);
    tcase_add_test(tc, test_household_ref_trimmed);
    tcase_add_test(tc, test_attributes_written);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("mapping");
    tcase_add_test(tc, test_mapped_export_matches_canonical);
    tcase_add_test(tc, test_canonical_run_has_no_leak);
    tcase_add_test(tc, test_encoding_contradicted);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, test_field_of_10_mb);
    tcase_add_test(tc, test_progress_on_a_terminal);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}
