/* End to end on the platform: `tznr db`, `load`, `link`, `links` and `audit` driven through the
 * built binary against the throw-away PostgreSQL that tests/run-all starts (never a mock), each
 * test in a database and a folder of its own: the issue's scenario over a synthetic territory,
 * the audit log's append-only guard and hash chain (tampering, a gap), every load refusal, the
 * reject threshold, duplicate tokens, the stored key types, the linkage methods on hand-made
 * people, `tznr audit show` and the usage errors. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "csvio.h"
#include "link.h"
#include "linkmodel.h"
#include "sbuf.h"
#include "testutil.h"

/* Generous: the sanitizer build is several times slower; nothing here asserts a duration. */
#define TIMEOUT 300

/* The extract's columns, spec section 5, in order. */
static const char SPEC_HEADER[] =
    "token,household,role,k_nir,k_ident,k_ident_alt,k_dob,clk,clk_alt,sex,birth_year,commune,"
    "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,rsa,"
    "prime_activite,aide_logement,aah,css,aspa,apa,pch,fsl,suivi_social";

/* The canonical raw columns (spec vectors/raw.csv) and two attributes. */
static const char RAW_HEADER[] =
    "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune,"
    "nb_personnes,ressources_mensuelles,rsa";

static const char AUDIT_HEADER[] = "id,at,db_role,os_user,command,action,object,details,hash";
static const char LINKS_HEADER[] = "source_a,token_a,source_b,token_b,method,score";

/* ---- a test's folder, database and configuration ------------------------------------------ */

struct pf {
    char *dir;      /* the test's folder */
    char *key;      /* the spec's test key there, mode 0600 */
    char *ci;       /* libpq conninfo, "dbname=..." */
    const char *db; /* the database name inside ci */
    char *conf;     /* the platform configuration */
};

/* A new folder, database (migrated when MIGRATE) and configuration (EXTRA appended). */
static void pf_init(struct pf *p, int migrate, const char *extra)
{
    memset(p, 0, sizeof *p);
    p->dir = (char *)tu_tmpdir();
    p->key = strdup(tu_test_key(p->dir));
    p->ci = (char *)tu_db(migrate);
    p->db = p->ci + strlen("dbname=");
    p->conf = (char *)tu_conf(p->dir, p->ci, extra);
}

static void pf_free(struct pf *p)
{
    free(p->dir);
    free(p->key);
    free(p->ci);
    free(p->conf);
}

static const char *in_dir(const struct pf *p, const char *name) { return tu_fmt("%s/%s", p->dir, name); }

/* Run `BIN ARGS` (BIN a program of the build folder, ARGS formatted, shell syntax); return its
 * exit status, its output and messages in *OUT and *ERR when not NULL. */
static int run(const struct pf *p, const char *bin, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run(const struct pf *p, const char *bin, char **out, char **err, const char *fmt, ...)
{
    (void)p;
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(NULL, bin, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

#define TZNR(p, out, err, ...) run((p), "tznr", (out), (err), __VA_ARGS__)

/* tznr as the cluster's administrator instead of the batch: db migrate creates the roles. */
static int tznr_admin(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tznr_admin(char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(tu_fmt("PGUSER='%s'", tu_admin()), "tznr", out, err, fmt, ap);
    va_end(ap);
    return rc;
}

/* Run SQL through psql (-X -At, stopping at the first error) on the test's database as the
 * test server's role (tznr, a superuser); return psql's status, its output without the final
 * newline in *OUT, its messages in *ERR. The SQL goes through a file: no shell quoting. */
static int vpsql(struct pf *p, char **out, char **err, const char *fmt, va_list ap)
{
    return tu_vpsql(p->db, out, err, fmt, ap);
}

static int psql(struct pf *p, char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int psql(struct pf *p, char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vpsql(p, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

/* The output of a query that must succeed (malloc'd). */
static char *sqlv(struct pf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(struct pf *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = tu_vsqlv(p->db, fmt, ap);
    va_end(ap);
    return out;
}

/* A whole number a query returns. */
static long long sqln(struct pf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long sqln(struct pf *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(p->db, fmt, ap);
    va_end(ap);
    return v;
}

/* ---- files: lines, SHA-256, manifests ------------------------------------------------------- */

static char *slurp(const char *path)
{
    char *s = tu_read(path, NULL);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == c;
    return n;
}

static int count_str(const char *s, const char *what)
{
    int n = 0;
    for (const char *q = s; q && (q = strstr(q, what)) != NULL; q += strlen(what))
        n++;
    return n;
}

/* The lines of a file (LF ends, no empty last line), cut in place in one buffer. */
typedef struct {
    char *buf;
    char **v;
    size_t n;
} lines;

static lines read_lines(const char *path)
{
    lines l = {slurp(path), NULL, 0};
    size_t cap = 0;
    for (char *s = l.buf; *s;) {
        if (l.n == cap) {
            cap = cap ? 2 * cap : 64;
            l.v = realloc(l.v, cap * sizeof *l.v);
        }
        l.v[l.n++] = s;
        char *e = strchr(s, '\n');
        if (!e)
            break;
        *e = '\0';
        s = e + 1;
    }
    return l;
}

static void lines_free(lines *l)
{
    free(l->buf);
    free(l->v);
}

static void write_lines(const char *path, char *const *v, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", v[i]);
    ck_assert(fclose(f) == 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *s = tu_read(from, &n);
    ck_assert_msg(s != NULL, "cannot read %s", from);
    tu_write(to, s, n);
    free(s);
}

/* SHA-256 of a file, lowercase hex, with OpenSSL's EVP (independent of tznr's own code). */
static void sha256_file(const char *path, char hex[65])
{
    size_t n;
    char *s = tu_read(path, &n);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    ck_assert(EVP_Digest(s, n, d, &dl, EVP_sha256(), NULL) == 1 && dl == 32);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    free(s);
}

/* NAME's value in the manifest of EXTRACT (malloc'd), NULL when absent. */
static char *manifest_get(const char *extract, const char *name)
{
    lines l = read_lines(tu_fmt("%s.manifest", extract));
    char *v = NULL;
    size_t k = strlen(name);
    for (size_t i = 0; i < l.n && !v; i++)
        if (strncmp(l.v[i], name, k) == 0 && strncmp(l.v[i] + k, " = ", 3) == 0)
            v = strdup(l.v[i] + k + 3);
    lines_free(&l);
    return v;
}

/* Set NAME's line of EXTRACT's manifest to VALUE in place, or remove it when VALUE is NULL. */
static void manifest_set(const char *extract, const char *name, const char *value)
{
    const char *mpath = strdup(tu_fmt("%s.manifest", extract));
    lines l = read_lines(mpath);
    char **out = calloc(l.n + 1, sizeof *out);
    size_t n = 0, k = strlen(name);
    int found = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (strncmp(l.v[i], name, k) == 0 && strncmp(l.v[i] + k, " = ", 3) == 0) {
            found = 1;
            if (value)
                ck_assert_int_ge(asprintf(&out[n++], "%s = %s", name, value), 0);
        } else {
            out[n++] = strdup(l.v[i]);
        }
    }
    ck_assert_msg(found, "no '%s' in %s", name, mpath);
    write_lines(mpath, out, n);
    for (size_t i = 0; i < n; i++)
        free(out[i]);
    free(out);
    lines_free(&l);
    free((char *)mpath);
}

/* After changing EXTRACT: set its manifest's rows and sha256 to what the file now holds. */
static void manifest_fix(const char *extract)
{
    lines l = read_lines(extract);
    char rows[32], sha[65];
    snprintf(rows, sizeof rows, "%zu", l.n - 1);
    lines_free(&l);
    sha256_file(extract, sha);
    manifest_set(extract, "rows", rows);
    manifest_set(extract, "sha256", sha);
}

/* Copy EXTRACT and its manifest (when WITH_MANIFEST) to DIR/NAME (DIR created); return the new
 * extract's path (malloc'd). */
static char *copy_extract(const char *extract, const char *dir, const char *name, int with_manifest)
{
    mkdir(dir, 0755);
    char *to = strdup(tu_fmt("%s/%s", dir, name));
    copy_file(extract, to);
    if (with_manifest)
        copy_file(tu_fmt("%s.manifest", extract), tu_fmt("%s.manifest", to));
    return to;
}

static int is_hex64(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- canonical raw rows, made here -------------------------------------------------------- */

static const char *const NOMS[23] = {
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "N'Diaye"};
static const struct {
    const char *prenom;
    int sexe;
} PRENOMS[19] = {
    {"Jean", 1}, {"Marie", 2}, {"Pierre", 1}, {"Anne-Sophie", 2}, {"Luc", 1}, {"Élodie", 2},
    {"Ahmed", 1}, {"Fatou", 2}, {"Kévin", 1}, {"Chloé", 2}, {"Noël", 1}, {"Inès", 2},
    {"Hugo", 1}, {"Léa", 2}, {"Paul", 1}, {"Zoé", 2}, {"Yann", 1}, {"Maëlle", 2}, {"Rémi", 1}};

/* A 15-character NIR with its key (spec section 2): 13 characters, then 97 - (N mod 97). */
static void make_nir(char out[16], int sexe, int year, int month, int order)
{
    char n13[32];
    snprintf(n13, sizeof n13, "%d%02d%02d33063%03d", sexe % 10, year % 100, month % 100, order % 1000);
    ck_assert_int_eq(strlen(n13), 13);
    unsigned key = (unsigned)(97 - atoll(n13) % 97) % 100u;
    snprintf(out, 16, "%.13s%02u", n13, key);
}

/* Person I as a canonical raw row with local_ref REF: distinct people for distinct I (name,
 * first name, date of birth), a valid NIR for one in three, a usage name for some women. */
static void raw_person(FILE *f, const char *ref, int i)
{
    const char *nom = NOMS[i % 23], *prenom = PRENOMS[(i / 23) % 19].prenom;
    int sexe = PRENOMS[(i / 23) % 19].sexe;
    int year = 1940 + (i * 7) % 65, month = 1 + i % 12, day = 1 + (i * 5) % 28;
    char nir[16] = "";
    if (i % 3 == 0)
        make_nir(nir, sexe, year, month, i);
    const char *usage = sexe == 2 && i % 4 == 1 ? NOMS[(i + 7) % 23] : "";
    fprintf(f, "%s,H%d,%s,%s,%s,%s,%04d-%02d-%02d,%d,%d rue des Lilas,33063,%d,%d.%02d,%d\n", ref, i / 2, nir, nom,
            usage, prenom, year, month, day, sexe, 1 + i % 90, 1 + i % 5, 400 + (i * 37) % 2000, i % 100, i % 2);
}

/* Persons FROM..TO-1 as a canonical raw file, local_refs PREFIX + number. */
static void write_raw(const char *path, const char *prefix, int from, int to)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    fprintf(f, "%s\n", RAW_HEADER);
    for (int i = from; i < to; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "%s%04d", prefix, i);
        raw_person(f, ref, i);
    }
    ck_assert(fclose(f) == 0);
}

/* Pseudonymise RAW as SOURCE into OUT (with --mapping MAPPING when not NULL). */
static void pseudonymise(const struct pf *p, const char *raw, const char *source, const char *mapping,
                         const char *out, const char *date)
{
    char *err = NULL;
    int rc = TZNR(p, NULL, &err, "pseudonymise -q --key '%s' --source %s %s%s%s --extract-date %s -o '%s' '%s'", p->key,
                  source, mapping ? "--mapping '" : "", mapping ? mapping : "", mapping ? "'" : "", date, out, raw);
    ck_assert_msg(rc == 0, "tznr pseudonymise %s: exit %d: %s", raw, rc, err);
    free(err);
}

/* An extract of persons FROM..TO-1 as SOURCE in the test's folder under NAME; its path. */
static char *make_extract(const struct pf *p, const char *source, int from, int to, const char *name)
{
    char *raw = strdup(in_dir(p, tu_fmt("%s.raw", name)));
    char *out = strdup(in_dir(p, name));
    write_raw(raw, "R", from, to);
    pseudonymise(p, raw, source, NULL, out, "2026-11-01");
    free(raw);
    return out;
}

/* ---- checks on the database ----------------------------------------------------------------- */

/* Everything a load may change: snapshots, current snapshots, records, partitions (attached or
 * left behind). Equal before and after a refusal. */
static char *load_state(struct pf *p)
{
    return sqlv(p,
        "SELECT (SELECT count(*) FROM tznr.snapshot) || ' snapshots ['"
        " || (SELECT coalesce(string_agg(id::text || ':' || source_id, ',' ORDER BY id), '') FROM tznr.snapshot)"
        " || '] current [' || (SELECT coalesce(string_agg(id || '=' || coalesce(current_snapshot::text, '-'), ','"
        "    ORDER BY id), '') FROM tznr.source)"
        " || '] records ' || (SELECT count(*) FROM tznr.record)"
        " || ' tables ' || (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'tznr'"
        "    AND tablename LIKE 'record\\_%%')");
}

/* The chain as the database itself sees it (tznr.audit_canonical, sha256), independently of
 * 'tznr audit verify': the ids of the entries whose hash or prev_hash is wrong, or that do not
 * follow the previous id, comma-separated ("" when intact). */
static char *chain_faults(struct pf *p)
{
    return sqlv(p,
        "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM ("
        " SELECT l.id, l.hash, l.prev_hash,"
        "  pg_catalog.sha256(pg_catalog.convert_to(tznr.audit_canonical(l), 'UTF8')) AS computed,"
        "  pg_catalog.lag(l.hash) OVER (ORDER BY l.id) AS prev,"
        "  pg_catalog.lag(l.id, 1, 0::bigint) OVER (ORDER BY l.id) AS prev_id"
        " FROM tznr.audit_log l) e"
        " WHERE e.hash <> e.computed OR e.id <> e.prev_id + 1"
        "  OR e.prev_hash <> coalesce(e.prev, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'))");
}

/* A refusal: exit 3 and one line on stderr that says so and gives WHY. */
static void assert_refused(int rc, const char *err, const char *what, const char *why)
{
    ck_assert_msg(rc == 3, "%s: exit %d, want 3 (refused): %s", what, rc, err ? err : "");
    ck_assert_msg(count_char(err, '\n') == 1 && strncmp(err, "tznr load: error: refused '", 27) == 0,
                  "%s: want one line 'tznr load: error: refused ...', got: %s", what, err);
    ck_assert_msg(strstr(err, why) != NULL, "%s: the reason should mention '%s': %s", what, why, err);
}

/* ==== 1. the issue's scenario ============================================================== */

struct source {
    char id[64];
    char extract[4096];
    char *tokens; /* the .tokens file (local_ref,token), kept at the agency */
    long long rows;
};

static void sources_free(struct source *src, int n)
{
    for (int i = 0; i < n; i++)
        free(src[i].tokens);
}

/* Pseudonymise a synthetic territory made by tznr-synth (WITHOUT_NIR: each agency's mapping
 * without its NIR column); when it is absent or fails, two sources of hand-made canonical rows
 * sharing 150 people. Return the number of sources. */
static int make_territory_of(struct pf *p, struct source *src, int max, int households, int without_nir)
{
    char *sdir = strdup(in_dir(p, "synth")), *xdir = strdup(in_dir(p, "x"));
    ck_assert(mkdir(xdir, 0755) == 0);
    char *err = NULL;
    int n = 0, rc = -2;
    if (access(tu_bin("tznr-synth"), X_OK) == 0)
        rc = run(p, "tznr-synth", NULL, &err, "--households %d --seed 3 -o '%s'", households, sdir);
    char *list = rc == 0 ? tu_read(tu_fmt("%s/sources.txt", sdir), NULL) : NULL;
    if (list) {
        /* lines "<file> <source-id> <mapping>", mappings in config/ (the runner runs at the root) */
        char *save = NULL;
        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char file[256], id[64], map[256], mpath[4096];
            ck_assert_msg(sscanf(line, "%255s %63s %255s", file, id, map) == 3, "sources.txt: '%s'", line);
            ck_assert_msg(n < max, "more than %d sources", max);
            ck_assert_msg(realpath(tu_fmt("config/%s", map), mpath) != NULL, "no mapping config/%s", map);
            if (without_nir) {
                char *ini = tu_read(mpath, NULL), *save2 = NULL;
                sbuf b;
                sbuf_init(&b);
                for (char *l = strtok_r(ini, "\n", &save2); l; l = strtok_r(NULL, "\n", &save2))
                    if (strncmp(l, "nir ", 4) != 0 && strncmp(l, "nir=", 4) != 0)
                        sbuf_addf(&b, "%s\n", l);
                snprintf(mpath, sizeof mpath, "%s", in_dir(p, tu_fmt("without-nir-%s", map)));
                tu_write_str(mpath, b.p);
                sbuf_free(&b);
                free(ini);
            }
            snprintf(src[n].id, sizeof src[n].id, "%s", id);
            snprintf(src[n].extract, sizeof src[n].extract, "%s/%s", xdir, file);
            pseudonymise(p, tu_fmt("%s/%s", sdir, file), id, mpath, src[n].extract, "2026-11-01");
            n++;
        }
        free(list);
    } else {
        fprintf(stderr, "check_platform: tznr-synth %s (%d): the scenario runs on hand-made rows\n",
                rc == -2 ? "is not built" : "failed", rc);
        static const struct {
            const char *id, *prefix;
            int from, to;
        } fb[2] = {{"caf:gironde", "C", 0, 300}, {"bailleur:habitat33", "B", 150, 400}};
        for (int i = 0; i < 2; i++) {
            char *raw = strdup(tu_fmt("%s/raw%d.csv", sdir, i));
            mkdir(sdir, 0755);
            write_raw(raw, fb[i].prefix, fb[i].from, fb[i].to);
            snprintf(src[n].id, sizeof src[n].id, "%s", fb[i].id);
            snprintf(src[n].extract, sizeof src[n].extract, "%s/src%d.csv", xdir, i);
            pseudonymise(p, raw, fb[i].id, NULL, src[n].extract, "2026-11-01");
            free(raw);
            n++;
        }
    }
    for (int i = 0; i < n; i++) {
        char *rows = manifest_get(src[i].extract, "rows");
        ck_assert(rows != NULL);
        src[i].rows = atoll(rows);
        free(rows);
        src[i].tokens = slurp(tu_fmt("%s.tokens", src[i].extract));
    }
    free(err);
    free(sdir);
    free(xdir);
    return n;
}

static int make_territory(struct pf *p, struct source *src, int max) { return make_territory_of(p, src, max, 400, 0); }

/* Load each of the N extracts of SRC, each load succeeding. */
static void load_each(struct pf *p, const struct source *src, int n)
{
    for (int i = 0; i < n; i++) {
        char *err = NULL;
        int rc = TZNR(p, NULL, &err, "load -c '%s' '%s'", p->conf, src[i].extract);
        ck_assert_msg(rc == 0, "load %s: exit %d: %s", src[i].extract, rc, err);
        free(err);
    }
}

/* The source's current snapshot holds the manifest's rows less the rejected ones. */
static void check_current(struct pf *p, const struct source *s)
{
    char *sha = manifest_get(s->extract, "sha256");
    char *v = sqlv(p,
        "SELECT n.rows_declared || '|' || n.rows_loaded || '|' || n.rows_rejected || '|'"
        " || pg_catalog.encode(n.sha256, 'hex') || '|'"
        " || (SELECT count(*) FROM tznr.current_record r WHERE r.source_id = s.id) || '|'"
        " || (SELECT count(*) FROM tznr.load_reject j JOIN tznr.load_attempt a ON a.id = j.attempt_id"
        "     WHERE a.outcome = 'loaded' AND a.snapshot_id = s.current_snapshot)"
        " FROM tznr.source s JOIN tznr.snapshot n ON n.id = s.current_snapshot WHERE s.id = '%s'",
        s->id);
    long long declared, loaded, rejected, current, rejects;
    char hex[65];
    ck_assert_msg(sscanf(v, "%lld|%lld|%lld|%64[0-9a-f]|%lld|%lld", &declared, &loaded, &rejected, hex, &current,
                         &rejects) == 6,
                  "%s has no current snapshot: '%s'", s->id, v);
    ck_assert_int_eq(declared, s->rows);
    ck_assert_msg(loaded == s->rows - rejects && rejected == rejects && current == loaded,
                  "%s: manifest %lld rows, %lld rejects recorded, snapshot %lld loaded %lld rejected, %lld current",
                  s->id, s->rows, rejects, loaded, rejected, current);
    ck_assert_str_eq(hex, sha);
    free(v);
    free(sha);
}

static int source_index(const struct source *src, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcmp(src[i].id, id) == 0)
            return i;
    return -1;
}

/* `tznr links` output: the exact header, then rows of known sources, 64-hex tokens that their
 * source's token map holds, known methods, scores in [0, 1]. Return the number of rows; the
 * cross-source ones in *CROSS. */
static int check_links(const char *out, const struct source *src, int n, int *cross)
{
    char *copy = strdup(out);
    char *save = NULL;
    int rows = 0;
    *cross = 0;
    char *line = strtok_r(copy, "\n", &save);
    ck_assert_msg(line != NULL && strcmp(line, LINKS_HEADER) == 0, "links header: '%s'", line ? line : "");
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        ck_assert_msg(count_char(line, ',') == 5, "links row: '%s'", line);
        char *f[6], *s2 = NULL;
        f[0] = strtok_r(line, ",", &s2);
        for (int i = 1; i < 6; i++)
            f[i] = strtok_r(NULL, ",", &s2);
        for (int i = 0; i < 6; i++)
            ck_assert_msg(f[i] != NULL, "links row %d has an empty field", rows + 1);
        for (int side = 0; side < 2; side++) {
            const char *sid = f[2 * side], *tok = f[2 * side + 1];
            int k = source_index(src, n, sid);
            ck_assert_msg(k >= 0, "link to an unknown source '%s'", sid);
            ck_assert_msg(is_hex64(tok, strlen(tok)), "token '%s' is not 64 lowercase hex digits", tok);
            ck_assert_msg(strstr(src[k].tokens, tu_fmt(",%s\n", tok)) != NULL, "token %s is not one of %s's", tok, sid);
        }
        ck_assert_msg(strcmp(f[4], "nir") == 0 || strcmp(f[4], "ident") == 0 || strcmp(f[4], "ident_alt") == 0 ||
                          strcmp(f[4], "clk") == 0,
                      "method '%s'", f[4]);
        char *end;
        double score = strtod(f[5], &end);
        ck_assert_msg(end != f[5] && *end == '\0' && score >= 0.0 && score <= 1.0, "score '%s'", f[5]);
        if (strcmp(f[0], f[2]) != 0)
            (*cross)++;
        rows++;
    }
    free(copy);
    return rows;
}

START_TEST(test_scenario)
{
    struct pf p;
    pf_init(&p, 0, NULL);
    char *out = NULL, *err = NULL;
    int rc;

    /* an empty database: status says what to do, and fails */
    rc = tznr_admin(&out, &err, "db status -c '%s'", p.conf);
    ck_assert_msg(rc == 1 && strstr(out, "tznr db migrate") != NULL, "db status before migrate: exit %d: %s%s", rc,
                  out, err);
    free(out);
    free(err);

    /* migrate, twice: the second applies nothing and logs nothing */
    rc = tznr_admin(NULL, &err, "db migrate -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "db migrate: exit %d: %s", rc, err);
    free(err);
    long long migrations = sqln(&p, "SELECT count(*) FROM tznr.schema_migration");
    long long version = sqln(&p, "SELECT max(version) FROM tznr.schema_migration");
    ck_assert_int_ge(migrations, 1);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log WHERE action = 'db.migrate'"), 1);
    long long entries = sqln(&p, "SELECT count(*) FROM tznr.audit_log");
    rc = tznr_admin(NULL, &err, "db migrate -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(err, "nothing to do") != NULL, "db migrate again: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.schema_migration"), migrations);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log"), entries);
    rc = TZNR(&p, &out, &err, "db status -c '%s'", p.conf);
    int have = -1, want = -2;
    ck_assert_msg(rc == 0 && sscanf(out, "database schema version %d, this tznr %d", &have, &want) == 2,
                  "db status: exit %d: %s%s", rc, out, err);
    ck_assert_int_eq(have, want);
    ck_assert_int_eq(have, version);
    free(out);
    free(err);

    /* a pseudonymised territory, each extract loaded */
    struct source src[8];
    int n = make_territory(&p, src, 8);
    ck_assert_int_ge(n, 2);
    load_each(&p, src, n);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.source WHERE current_snapshot IS NOT NULL"), n);
    for (int i = 0; i < n; i++)
        check_current(&p, &src[i]);

    /* the same extracts again: nothing new */
    long long snapshots = sqln(&p, "SELECT count(*) FROM tznr.snapshot");
    ck_assert_int_eq(snapshots, n);
    char *all = NULL;
    size_t alen = 0;
    FILE *af = open_memstream(&all, &alen);
    for (int i = 0; i < n; i++)
        fprintf(af, " '%s'", src[i].extract);
    fclose(af);
    rc = TZNR(&p, NULL, &err, "load -c '%s' %s", p.conf, all);
    ck_assert_msg(rc == 0 && count_str(err, "already loaded") == n, "load again: exit %d: %s", rc, err);
    free(err);
    free(all);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.snapshot"), snapshots);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.load_attempt WHERE outcome = 'already_loaded'"), n);

    /* a truncated export: half the rows of the first source, a later date, a manifest that
     * matches it: refused as a fall, the current snapshot stays */
    struct source *t = &src[0];
    lines l = read_lines(t->extract);
    size_t keep = (l.n - 1) / 2;
    ck_assert_int_ge(keep, 10);
    const char *base = strrchr(t->extract, '/') + 1;
    char *tdir = strdup(in_dir(&p, "trunc"));
    char *tpath = copy_extract(t->extract, tdir, base, 1);
    write_lines(tpath, l.v, 1 + keep);
    lines_free(&l);
    manifest_set(tpath, "extract_date", "2026-12-01");
    manifest_fix(tpath);
    char tsha[65];
    sha256_file(tpath, tsha);
    char *before = sqlv(&p, "SELECT current_snapshot || '|' || (SELECT count(*) FROM tznr.current_record"
                            " WHERE source_id = '%s') FROM tznr.source WHERE id = '%s'", t->id, t->id);
    rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, tpath);
    assert_refused(rc, err, "truncated extract", "max_drop_share");
    ck_assert_msg(strstr(err, "fall") != NULL, "the refusal should speak of a fall: %s", err);
    free(err);
    char *after = sqlv(&p, "SELECT current_snapshot || '|' || (SELECT count(*) FROM tznr.current_record"
                           " WHERE source_id = '%s') FROM tznr.source WHERE id = '%s'", t->id, t->id);
    ck_assert_str_eq(after, before);
    free(after);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.snapshot"), snapshots);
    char *reason = sqlv(&p, "SELECT reason FROM tznr.load_attempt WHERE outcome = 'refused' AND source_id = '%s'"
                            " AND sha256 = pg_catalog.decode('%s', 'hex') ORDER BY id DESC LIMIT 1", t->id, tsha);
    ck_assert_msg(strstr(reason, "max_drop_share") != NULL, "load_attempt reason: '%s'", reason);
    free(reason);

    /* --force: it becomes the current snapshot, the previous one superseded */
    rc = TZNR(&p, NULL, &err, "load -c '%s' --force '%s'", p.conf, tpath);
    ck_assert_msg(rc == 0, "load --force: exit %d: %s", rc, err);
    free(err);
    long long prev_snap = atoll(before);
    char *now = sqlv(&p,
        "SELECT n.rows_loaded || '|' || n.forced || '|' || n.extract_date || '|'"
        " || (SELECT count(*) FROM tznr.current_record r WHERE r.source_id = s.id) || '|'"
        " || (SELECT o.superseded_at IS NOT NULL FROM tznr.snapshot o WHERE o.id = %lld)"
        " FROM tznr.source s JOIN tznr.snapshot n ON n.id = s.current_snapshot"
        " WHERE s.id = '%s' AND n.sha256 = pg_catalog.decode('%s', 'hex')", prev_snap, t->id, tsha);
    ck_assert_str_eq(now, tu_fmt("%zu|true|2026-12-01|%zu|true", keep, keep));
    free(now);
    free(before);
    free(tdir);
    free(tpath);

    /* link, then the links; 400 households have too few pairs a NIR joins to learn a model from
     * (13, of 20), and EM's takes relatives for one person and is refused: the identity keys
     * link as they are, with the other exact keys, and the run says so */
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(err, "identity keys: link as they are ("), "link: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.link_run WHERE ident_pairs IS NULL"), 1);
    rc = TZNR(&p, &out, &err, "links -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "links: exit %d: %s", rc, err);
    int cross = 0;
    int nlinks = check_links(out, src, n, &cross);
    ck_assert_int_ge(cross, 1);
    ck_assert_int_eq(nlinks, sqln(&p, "SELECT links FROM tznr.link_run ORDER BY id DESC LIMIT 1"));
    free(out);
    free(err);
    /* the persons by number of sources the linker counted (for the report), against the
     * persons it wrote */
    char *by = sqlv(&p, "SELECT persons_one_source || ' ' || persons_two_sources || ' ' || persons_more_sources"
                        " FROM tznr.link_run ORDER BY id DESC LIMIT 1");
    char *by_rows = sqlv(&p, "SELECT count(*) FILTER (WHERE n = 1) || ' ' || count(*) FILTER (WHERE n = 2) || ' '"
                             " || count(*) FILTER (WHERE n >= 3) FROM (SELECT person_id, count(DISTINCT source_id) AS n"
                             " FROM tznr.person_record GROUP BY 1) x");
    ck_assert_str_eq(by, by_rows);
    ck_assert_int_gt(sqln(&p, "SELECT persons_two_sources FROM tznr.link_run ORDER BY id DESC LIMIT 1"), 0);
    free(by);
    free(by_rows);

    /* link again: every person keeps its id */
    char *persons1 = sqlv(&p, "SELECT source_id, pg_catalog.encode(token, 'hex'), person_id FROM tznr.person_record"
                              " ORDER BY 1, 2");
    ck_assert_int_eq(count_char(persons1, '\n') + 1, sqln(&p, "SELECT count(*) FROM tznr.current_record"));
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "link again: exit %d: %s", rc, err);
    free(err);
    char *persons2 = sqlv(&p, "SELECT source_id, pg_catalog.encode(token, 'hex'), person_id FROM tznr.person_record"
                              " ORDER BY 1, 2");
    ck_assert_msg(strcmp(persons1, persons2) == 0, "person ids changed from one link run to the next");
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.link_run WHERE finished_at IS NOT NULL"), 2);
    free(persons1);
    free(persons2);

    /* the audit chain: intact as the database computes it, and as tznr verifies it */
    entries = sqln(&p, "SELECT count(*) FROM tznr.audit_log");
    ck_assert_int_ge(entries, 10);
    char *faults = chain_faults(&p);
    ck_assert_msg(faults[0] == '\0', "audit entries %s do not chain", faults);
    free(faults);
    /* more than 9 entries: verify once ordered them by the text of their id (1, 10, 2, ...) and
     * reported an intact chain broken at entry 10 */
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(out, tu_fmt("intact: %lld entries", entries)) != NULL,
                  "audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);

    /* tamper with entry 2 as the superuser: found */
    rc = psql(&p, NULL, &err,
              "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
              "UPDATE tznr.audit_log SET details = '{\"forged\": true}' WHERE id = 2;\n"
              "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n");
    ck_assert_msg(rc == 0, "tamper: %s", err);
    free(err);
    faults = chain_faults(&p);
    ck_assert_str_eq(faults, "2");
    free(faults);
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 1 && strstr(out, "broken at entry 2:") != NULL && strstr(out, "intact") == NULL,
                  "audit verify after tampering should name entry 2: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);

    sources_free(src, n);
    pf_free(&p);
}
END_TEST

/* ==== 2. the audit log ===================================================================== */

/* What the run measured of the identity keys, for the auditor (docs/linking.md, section 1): a
 * territory large enough to count namesakes born the same day by the pairs of two NIRs (1,000
 * such pairs needed: 400 households have a handful, and their keys link as they are, which the
 * run says). The figures are in tznr.link_run and the audit entry, alike, and in the model
 * table, which still reads back as a model. */
START_TEST(test_identity_keys_for_the_auditor)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *out = NULL, *err = NULL;
    int rc;
    struct source src[8];
    int n = make_territory_of(&p, src, 8, 6000, 0);
    load_each(&p, src, n);
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(err, "identity keys: ") != NULL && strstr(err, "namesakes born the same day"),
                  "link: exit %d: %s", rc, err);
    free(err);
    char *ik = sqlv(&p, "SELECT ident_pairs || ' ' || ident_namesakes || ' ' || ident_m || ' ' || ident_u"
                        " FROM tznr.link_run ORDER BY id DESC LIMIT 1");
    char *ika = sqlv(&p, "SELECT (k->>'pairs') || ' ' || (k->>'namesakes') || ' ' || (k->>'m') || ' ' || (k->>'u')"
                         " FROM (SELECT details::jsonb->'identity_keys' AS k FROM tznr.audit_log"
                         "       WHERE action = 'link' ORDER BY id DESC LIMIT 1) x");
    double ip = 0, ins = 0, im = 0, iu = 0, ap = 0, ans = 0, am = 0, au = 0;
    ck_assert_msg(sscanf(ik, "%lf %lf %lf %lf", &ip, &ins, &im, &iu) == 4 && ip > 0 && ins > 0 && im > 0.5 &&
                      iu > 0 && iu < 0.01, "identity keys in link_run: %s", ik);
    ck_assert_msg(sscanf(ika, "%lf %lf %lf %lf", &ap, &ans, &am, &au) == 4 && ap == ip &&
                      fabs(ans - ins) <= 1e-5 * ins && fabs(am - im) < 1e-5 && fabs(au - iu) <= 1e-5 * iu,
                  "identity keys in the audit entry: %s, in link_run: %s", ika, ik);
    free(ik);
    free(ika);
    rc = TZNR(&p, &out, &err, "links -c '%s' --model", p.conf);
    const char *row = strstr(out, "\nidentity_key,,\"pairs sharing k_ident or k_ident_alt: ");
    ck_assert_msg(rc == 0 && row != NULL, "links --model: exit %d: %s%s", rc, out, err);
    free(err);
    /* its m, u and weight: link_run's, and the audit entry's prior weight (to the row's two decimals) */
    const char *after = strstr(row + 16, "\",");
    double rm = 0, ru = 0, rw = 0;
    ck_assert_msg(after && sscanf(after + 2, "%lf,%lf,%lf", &rm, &ru, &rw) == 3, "identity_key row: %.200s", row);
    char *aw = sqlv(&p, "SELECT details::jsonb->'identity_keys'->>'prior_weight' FROM tznr.audit_log"
                        " WHERE action = 'link' ORDER BY id DESC LIMIT 1");
    ck_assert_msg(fabs(rm - im) < 1e-9 && fabs(ru - iu) <= 1e-9 * iu && fabs(rw - atof(aw)) <= 0.006 &&
                      fabs(rw - log2((ip - ins) / ins)) <= 0.006,
                  "identity_key row m %g u %g weight %g; link_run m %g u %g, prior weight %s in the audit", rm, ru, rw,
                  im, iu, aw);
    free(aw);
    char *mfile = strdup(tu_fmt("%s/model-read-back.csv", tu_tmpdir()));
    tu_write_str(mfile, out);
    free(out);
    fs_model back;
    char merr[256];
    ck_assert_msg(linkmodel_read(mfile, &back, merr, sizeof merr) == 0, "the model table read back: %s", merr);
    /* a table saved before the Dice left the clear fields' bits out: its bands are not today's */
    static const char now[] = "\nclk_dice,9,0.90 and up,", then[] = "\nclk_dice,9,0.95 and up,";
    char *old = tu_read(mfile, NULL);
    char *band = strstr(old, now);
    ck_assert_msg(band != NULL, "the model table: %s", old);
    memcpy(band, then, strlen(then)); /* the same length */
    tu_write_str(mfile, old);
    ck_assert_msg(linkmodel_read(mfile, &back, merr, sizeof merr) != 0 && strstr(merr, "0.95 and up") &&
                      strstr(merr, "2026-12-03") && strstr(merr, mfile), "a table of the old bands read: %s", merr);
    free(old);
    free(mfile);
    sources_free(src, n);
    pf_free(&p);
}
END_TEST

/* The records read on two connections in one snapshot of the database (TZNR_TWO_READS_FROM=0:
 * from any size) give the run what one connection gives: the same links, methods and
 * probabilities, the same persons and households. 6,000 households, eight sources: linked on
 * one connection, then again on two (the second run keeps every person's id, so its rows are
 * the first's where the linkage is the same). */
START_TEST(test_records_read_on_two_connections)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    struct source src[8];
    int n = make_territory_of(&p, src, 8, 6000, 0);
    load_each(&p, src, n);
    static const char links_sql[] =
        "SELECT pg_catalog.md5(pg_catalog.string_agg(source_a || pg_catalog.encode(token_a, 'hex') || source_b"
        " || pg_catalog.encode(token_b, 'hex') || method || score::text, ',' ORDER BY source_a, token_a, source_b,"
        " token_b)) FROM tznr.link WHERE run_id = %d";
    static const char persons_sql[] =
        "SELECT pg_catalog.md5(pg_catalog.string_agg(source_id || pg_catalog.encode(token, 'hex') || person_id"
        " || '/' || foyer_id, ',' ORDER BY source_id, token)) FROM tznr.person_record";
    char *links[2], *persons[2];
    for (int k = 0; k < 2; k++) {
        setenv("TZNR_TWO_READS_FROM", k ? "0" : "1000000000", 1);
        char *err = NULL;
        int rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
        unsetenv("TZNR_TWO_READS_FROM");
        ck_assert_msg(rc == 0, "link: exit %d: %s", rc, err);
        ck_assert_msg(strstr(err, k ? "(two connections)" : "(one connection)") != NULL,
                      "run %d should read on %s: %s", k + 1, k ? "two connections" : "one", err);
        free(err);
        links[k] = sqlv(&p, links_sql, k + 1);
        persons[k] = sqlv(&p, persons_sql);
    }
    ck_assert_int_gt(sqln(&p, "SELECT count(*) FROM tznr.link WHERE run_id = 2 AND method = 'clk'"), 0);
    ck_assert_msg(strcmp(links[0], links[1]) == 0, "the links differ: %s on one connection, %s on two", links[0],
                  links[1]);
    ck_assert_msg(strcmp(persons[0], persons[1]) == 0, "the persons differ: %s on one connection, %s on two",
                  persons[0], persons[1]);
    for (int k = 0; k < 2; k++) {
        free(links[k]);
        free(persons[k]);
    }
    sources_free(src, n);
    pf_free(&p);
}
END_TEST

/* A model that would join different people is refused, and the run keeps its exact links.
 * Loop 0: tznr-synth's territory of 3,000 households with its NIRs: about 70 pairs a NIR joins,
 * fewer than the 100 once needed to learn m from them, enough now (LINK_MIN_TRAINING); the model
 * is learned from them and links by the filters too. Loop 1: the same territory, each agency's
 * mapping without its NIR column: EM alone, which takes relatives and people of common names
 * for one person (linked with it, 15 of the run's persons held two people; docs/benchmarks.md,
 * 2026-12-03). Its model is refused, said so in the log, link_run and the audit entry (with
 * the share it would have linked), no link is made by the filters, and no person of the run
 * holds two people of the territory's truth. */
START_TEST(test_a_model_that_would_merge_people_is_refused)
{
    const int without_nir = _i == 1;
    struct pf p;
    pf_init(&p, 1, NULL);
    struct source src[8];
    int n = make_territory_of(&p, src, 8, 3000, without_nir);
    ck_assert_msg(n == 8, "tznr-synth's territory is needed (%d sources)", n);
    load_each(&p, src, n);
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "link: exit %d: %s", rc, err);
    char *lr = sqlv(&p, "SELECT model_training || '|' || model_status FROM tznr.link_run ORDER BY id DESC LIMIT 1");
    long long clk = sqln(&p, "SELECT count(*) FROM tznr.link WHERE method = 'clk'"
                             " AND run_id = (SELECT max(id) FROM tznr.link_run)");
    char *status = sqlv(&p, "SELECT details::jsonb->'model'->>'status' FROM tznr.audit_log"
                            " WHERE action = 'link' ORDER BY id DESC LIMIT 1");
    if (without_nir) {
        ck_assert_msg(strncmp(lr, "none|the model refused: ", 24) == 0, "link_run: %s", lr);
        ck_assert_msg(strstr(err, "no model this run (the model refused: ") != NULL, "link: %s", err);
        ck_assert_msg(strncmp(status, "the model refused: ", 19) == 0, "audit entry's model status: %s", status);
        char *share = sqlv(&p, "SELECT details::jsonb->>'refused_model_fuzzy_recall' FROM tznr.audit_log"
                               " WHERE action = 'link' ORDER BY id DESC LIMIT 1");
        ck_assert_msg(atof(share) > 0 && atof(share) < 0.7, "the refused model's share in the audit entry: %s", share);
        free(share);
        char fr[512]; /* as the data officers' report says it */
        link_why_fr(lr + 5, fr, sizeof fr);
        ck_assert_msg(strstr(fr, "le modèle estimé cette nuit a été écarté") && strstr(fr, " %, il en faut 70 % au moins)"),
                      "in French: %s", fr);
        ck_assert_msg(clk == 0, "%lld links by the filters under a refused model", clk);
    } else {
        ck_assert_msg(strncmp(lr, "keys|", 5) == 0, "link_run: %s", lr);
        ck_assert_msg(clk > 0, "no link by the filters");
    }
    free(lr);
    free(status);
    free(err);
    /* the truth: each record's person in the territory, through the agencies' token maps */
    char *map = strdup(in_dir(&p, "truth-tokens.csv"));
    for (int i = 0; i < n; i++) {
        rc = tu_run(tu_fmt("awk -F, -v s='%s' 'FNR == 1 { next } FILENAME ~ /truth_persons/ { t[$1 \",\" $2] = $3;"
                           " next } { print s \",\" $2 \",\" t[s \",\" $1] }' '%s' '%s.tokens' >> '%s'",
                           src[i].id, in_dir(&p, "synth/truth_persons.csv"), src[i].extract, map),
                    NULL, NULL);
        ck_assert_int_eq(rc, 0);
    }
    char *out = NULL;
    rc = psql(&p, &out, &err,
              "CREATE TEMP TABLE truth (source text, token text, person int);\n"
              "\\copy truth FROM '%s' CSV\n"
              "SELECT count(*) FILTER (WHERE n > 1) || ' ' || count(*) FROM ("
              " SELECT r.person_id, count(DISTINCT t.person) AS n FROM tznr.person_record r"
              " JOIN truth t ON t.source = r.source_id AND t.token = pg_catalog.encode(r.token, 'hex')"
              " GROUP BY r.person_id) x;\n",
              map);
    long long merged = -1, persons = 0;
    ck_assert_msg(rc == 0 && sscanf(out, "%lld %lld", &merged, &persons) == 2 && persons > 3000,
                  "the truth joined: exit %d: %s%s", rc, out, err);
    ck_assert_msg(merged == 0, "%lld of the run's %lld persons hold two people of the territory", merged, persons);
    free(out);
    free(err);
    free(map);
    sources_free(src, n);
    pf_free(&p);
}
END_TEST

START_TEST(test_audit_append_only)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *out = NULL, *err = NULL;
    /* a second entry: a refused load (no manifest) */
    tu_write_str(in_dir(&p, "lonely.csv"), SPEC_HEADER);
    int rc = TZNR(&p, NULL, NULL, "load -c '%s' '%s'", p.conf, in_dir(&p, "lonely.csv"));
    ck_assert_int_eq(rc, 3);
    char *log0 = sqlv(&p, "SELECT id, action, details, pg_catalog.encode(hash, 'hex') FROM tznr.audit_log ORDER BY id");
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log"), 2);

    static const char *const stmts[] = {
        "UPDATE tznr.audit_log SET details = '{}' WHERE id = 1",
        "UPDATE tznr.audit_log SET os_user = 'nobody'",
        "DELETE FROM tznr.audit_log WHERE id = 2",
        "DELETE FROM tznr.audit_log",
        "TRUNCATE tznr.audit_log",
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        rc = psql(&p, &out, &err, "%s;\n", stmts[i]);
        ck_assert_msg(rc != 0 && strstr(err, "append-only") != NULL, "'%s': psql exit %d: %s", stmts[i], rc, err);
        free(out);
        free(err);
    }
    char *log1 = sqlv(&p, "SELECT id, action, details, pg_catalog.encode(hash, 'hex') FROM tznr.audit_log ORDER BY id");
    ck_assert_str_eq(log1, log0);
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(out, "intact") != NULL, "audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    free(log0);
    free(log1);
    pf_free(&p);
}
END_TEST

/* A password in a command line reaches neither the audit log (which cannot be edited) nor the
 * messages, however it was written: a connection string split in words by a forgotten quote,
 * a URI with a password among the arguments, an abbreviated --db. */
START_TEST(test_audit_keeps_passwords_out)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    tu_write_str(in_dir(&p, "lonely.csv"), SPEC_HEADER);
    long long before = sqln(&p, "SELECT count(*) FROM tznr.audit_log");
    static const char *const spellings[] = {
        "--db '%s' 'password=hunter2'",                    /* the quote forgotten around the conninfo */
        "--db '%s' 'postgresql://tznr:hunter3@localhost/x'", /* a URI among the arguments */
        "--db='%s sslpassword=hunter4'",
        "--db '%s' 'PGPASSWORD=hunter5'",
        "--db '%s' \"password='hunter 6'\"",
        "--d '%s password=hunter7'",                       /* refused: never abbreviated */
        "--db '%s password=correct hunter8'",              /* a blank unquoted: libpq quotes 'hunter8' */
    };
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        char *err = NULL;
        char words[512];
        snprintf(words, sizeof words, spellings[i], p.ci);
        int rc = TZNR(&p, NULL, &err, "load -c '%s' %s '%s'", p.conf, words, in_dir(&p, "lonely.csv"));
        ck_assert_msg(rc != 0, "%s: exit 0", words);
        ck_assert_msg(strstr(err, "hunter") == NULL, "%s: the messages repeat the password: %s", words, err);
        free(err);
    }
    /* the runs were audited (their refusals), with their command lines, without the passwords */
    ck_assert_int_ge(sqln(&p, "SELECT count(*) FROM tznr.audit_log"), before + 5);
    char *leak = sqlv(&p, "SELECT command || ' ' || object FROM tznr.audit_log "
                          "WHERE (command || object || details::text) LIKE '%%hunter%%'");
    ck_assert_msg(leak[0] == '\0', "passwords in the audit log: %s", leak);
    free(leak);
    /* nor in the load attempts' record (the refused file's name, the reason) */
    leak = sqlv(&p, "SELECT file_name || ' ' || reason FROM tznr.load_attempt "
                    "WHERE (file_name || coalesce(reason, '')) LIKE '%%hunter%%'");
    ck_assert_msg(leak[0] == '\0', "passwords in tznr.load_attempt: %s", leak);
    free(leak);
    char *cmd = sqlv(&p, "SELECT command FROM tznr.audit_log ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(cmd, "load -c") != NULL && strstr(cmd, "password=") != NULL, "last command: %s", cmd);
    free(cmd);
    pf_free(&p);
}
END_TEST

/* A short log: migrate, two loads, one again, a link: 5 entries. */
static void short_log(struct pf *p)
{
    char *a = make_extract(p, "caf:t", 0, 60, "a.csv"), *b = make_extract(p, "bailleur:t", 30, 90, "b.csv");
    char *err = NULL;
    int rc = TZNR(p, NULL, &err, "load -c '%s' '%s' '%s'", p->conf, a, b);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    rc = TZNR(p, NULL, &err, "load -c '%s' '%s'", p->conf, a);
    ck_assert_msg(rc == 0, "load again: exit %d: %s", rc, err);
    free(err);
    rc = TZNR(p, NULL, &err, "link -c '%s'", p->conf);
    ck_assert_msg(rc == 0, "link: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(sqln(p, "SELECT count(*) FROM tznr.audit_log"), 5);
    free(a);
    free(b);
}

START_TEST(test_audit_tamper)
{
    char *out = NULL, *err = NULL;
    int rc;
    /* an entry rewritten behind the trigger's back */
    struct pf p;
    pf_init(&p, 1, NULL);
    short_log(&p);
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(out, "intact: 5 entries") != NULL, "audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    rc = psql(&p, NULL, &err,
              "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
              "UPDATE tznr.audit_log SET details = '{\"forged\": true}' WHERE id = 2;\n"
              "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n");
    ck_assert_msg(rc == 0, "tamper: %s", err);
    free(err);
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 1 && strstr(out, "broken at entry 2:") != NULL && strstr(out, "hash") != NULL,
                  "audit verify should name entry 2: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "intact") == NULL, "%s", out);
    free(out);
    free(err);
    pf_free(&p);

    /* the middle entry deleted: the gap is named */
    struct pf q;
    pf_init(&q, 1, NULL);
    short_log(&q);
    rc = psql(&q, NULL, &err,
              "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
              "DELETE FROM tznr.audit_log WHERE id = 3;\n"
              "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n");
    ck_assert_msg(rc == 0, "delete: %s", err);
    free(err);
    rc = TZNR(&q, &out, &err, "audit verify -c '%s'", q.conf);
    ck_assert_msg(rc == 1 && strstr(out, "broken at entry 4:") != NULL && strstr(out, "expected entry 3") != NULL &&
                      strstr(out, "missing") != NULL,
                  "audit verify should name the gap before entry 4: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);

    /* the same gap with the hashes rewritten to match (as an attacker with the table would):
     * still found, by the ids */
    rc = psql(&q, NULL, &err,
              "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
              "UPDATE tznr.audit_log SET prev_hash = (SELECT hash FROM tznr.audit_log WHERE id = 2) WHERE id = 4;\n"
              "UPDATE tznr.audit_log l SET hash = pg_catalog.sha256(pg_catalog.convert_to("
              "tznr.audit_canonical(l), 'UTF8')) WHERE id = 4;\n"
              "UPDATE tznr.audit_log SET prev_hash = (SELECT hash FROM tznr.audit_log WHERE id = 4) WHERE id = 5;\n"
              "UPDATE tznr.audit_log l SET hash = pg_catalog.sha256(pg_catalog.convert_to("
              "tznr.audit_canonical(l), 'UTF8')) WHERE id = 5;\n"
              "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n");
    ck_assert_msg(rc == 0, "rechain: %s", err);
    free(err);
    rc = TZNR(&q, &out, &err, "audit verify -c '%s'", q.conf);
    ck_assert_msg(rc == 1 && strstr(out, "broken at entry 4:") != NULL,
                  "audit verify should name the gap before entry 4: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    pf_free(&q);
}
END_TEST

/* An entry rewritten with its own hash recomputed (by someone who can run SQL on the table but
 * does not rewrite the rest of the chain): the entry is consistent with itself, the next one
 * still names the old hash as its prev_hash. audit verify must name the break at the next
 * entry (docs/audit.md). */
START_TEST(test_audit_rewritten_entry_breaks_the_chain)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    short_log(&p);
    char *out = NULL, *err = NULL;
    int rc = psql(&p, NULL, &err,
                  "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
                  "UPDATE tznr.audit_log SET details = '{\"forged\": true}' WHERE id = 2;\n"
                  "UPDATE tznr.audit_log l SET hash = pg_catalog.sha256(pg_catalog.convert_to("
                  "tznr.audit_canonical(l), 'UTF8')) WHERE id = 2;\n"
                  "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n");
    ck_assert_msg(rc == 0, "rewrite: %s", err);
    free(err);
    rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 1 && strstr(out, "broken at entry 3:") != NULL && strstr(out, "prev_hash") != NULL,
                  "audit verify should name entry 3, whose prev_hash no longer matches entry 2: exit %d: %s%s", rc,
                  out, err);
    ck_assert_msg(strstr(out, "intact") == NULL, "%s", out);
    free(out);
    free(err);
    pf_free(&p);
}
END_TEST

/* Ten entries or more, nothing touched: intact (ids once sorted as text, 10 before 2). */
START_TEST(test_audit_verify_ten_entries_or_more)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    tu_write_str(in_dir(&p, "lonely.csv"), SPEC_HEADER);
    /* migrate (1) and 11 refused loads (no manifest): 12 entries */
    for (int i = 0; i < 11; i++)
        ck_assert_int_eq(TZNR(&p, NULL, NULL, "load -c '%s' '%s'", p.conf, in_dir(&p, "lonely.csv")), 3);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log"), 12);
    char *faults = chain_faults(&p);
    ck_assert_msg(faults[0] == '\0', "audit entries %s do not chain", faults);
    free(faults);
    char *out = NULL, *err = NULL;
    int rc = TZNR(&p, &out, &err, "audit verify -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(out, "intact: 12 entries") != NULL, "audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    pf_free(&p);
}
END_TEST

/* ==== 3. load refusals, rejects, duplicates =================================================== */

/* Load PATH (then freed): refused for WHY, nothing loaded (the load state still STATE0), the
 * NCASE-th refused attempt recorded with the reason printed. */
static void refused_case(struct pf *p, char *path, const char *what_, const char *why_, const char *state0, int ncase)
{
    char *what = strdup(what_), *why = strdup(why_), *err = NULL;
    int rc = TZNR(p, NULL, &err, "load -c '%s' '%s'", p->conf, path);
    assert_refused(rc, err, what, why);
    char *state = load_state(p);
    ck_assert_msg(strcmp(state, state0) == 0, "%s: something was loaded: %s, was %s", what, state, state0);
    ck_assert_int_eq(sqln(p, "SELECT count(*) FROM tznr.load_attempt WHERE outcome = 'refused'"), ncase);
    char *reason = sqlv(p, "SELECT reason FROM tznr.load_attempt ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(err, reason) != NULL, "%s: load_attempt's reason '%s' is not the one printed: %s", what,
                  reason, err);
    free(reason);
    free(state);
    free(err);
    free(what);
    free(why);
    free(path);
}

START_TEST(test_refusals)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *x = make_extract(&p, "caf:t", 0, 200, "base.csv");
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, x);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    char *state0 = load_state(&p);
    int ncase = 0;

    /* Each case in a folder of its own, the extract named x.csv. */
#define CASE(name) (ncase++, copy_extract(x, in_dir(&p, name), "x.csv", 1))
#define REFUSED(path, what, why) refused_case(&p, (path), (what), (why), state0, ncase)
    /* no manifest */
    char *c = CASE("nomanifest");
    ck_assert(unlink(tu_fmt("%s.manifest", c)) == 0);
    REFUSED(c, "missing manifest", "is missing");

    /* each key missing in turn */
    static const char *const keys[] = {"format", "source", "extract_date", "key_id", "rows", "sha256", "created_at"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        c = CASE(tu_fmt("no_%s", keys[i]));
        manifest_set(c, keys[i], NULL);
        REFUSED(c, tu_fmt("manifest without %s", keys[i]), tu_fmt("'%s' is missing", keys[i]));
    }

    /* bad values */
    static const struct {
        const char *key, *value;
    } bad[] = {
        {"sha256", "not-a-sha256"},
        {"sha256", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"},
        {"sha256", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
        {"rows", "many"},
        {"source", "mairie:bordeaux"},
        {"extract_date", "2026-02-30"},
        {"format", "tznr-extract-v2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = CASE(tu_fmt("bad_%zu", i));
        manifest_set(c, bad[i].key, bad[i].value);
        REFUSED(c, tu_fmt("manifest %s = %s", bad[i].key, bad[i].value), bad[i].value);
    }

    /* one byte of the extract changed (a token's digit, still valid): the manifest's sha256
     * no longer matches */
    c = CASE("onebyte");
    {
        lines l = read_lines(c);
        l.v[3][10] = l.v[3][10] == '0' ? '1' : '0';
        write_lines(c, l.v, l.n);
        lines_free(&l);
    }
    REFUSED(c, "sha256 mismatch", "does not match the manifest");

    /* a row less than the manifest says (sha256 right) */
    c = CASE("rows");
    {
        lines l = read_lines(c);
        char *rows = manifest_get(c, "rows");
        write_lines(c, l.v, l.n - 1);
        manifest_fix(c);
        manifest_set(c, "rows", rows);
        free(rows);
        lines_free(&l);
    }
    REFUSED(c, "rows mismatch", "199 data rows, its manifest says 200");

    /* another key's extract */
    c = CASE("keyid");
    manifest_set(c, "key_id", "other-key-2");
    REFUSED(c, "key_id", "key_id 'other-key-2' is not the platform's");

    /* headers that are not the spec's: two columns swapped; the last one missing; upper case */
    static const char *const headers[][2] = {
        {"k_ident,k_ident_alt", "k_ident_alt,k_ident"},
        {",suivi_social", ""},
        {"token,household", "TOKEN,household"},
    };
    for (size_t i = 0; i < 3; i++) {
        c = CASE(tu_fmt("header%zu", i));
        lines l = read_lines(c);
        char *h = l.v[0], *at = strstr(h, headers[i][0]);
        ck_assert(at != NULL);
        char *nh = NULL;
        ck_assert_int_ge(asprintf(&nh, "%.*s%s%s", (int)(at - h), h, headers[i][1], at + strlen(headers[i][0])), 0);
        l.v[0] = nh;
        write_lines(c, l.v, l.n);
        free(nh);
        lines_free(&l);
        manifest_fix(c);
        REFUSED(c, tu_fmt("header %zu", i), "header");
    }
#undef CASE
#undef REFUSED
    /* every refusal is in the audit log */
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log WHERE action = 'load.refused'"), ncase);
    free(state0);
    free(x);
    pf_free(&p);
}
END_TEST

/* 2% of the rows have a token of 63 hex digits. */
START_TEST(test_reject_threshold)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *x = make_extract(&p, "caf:t", 0, 200, "x.csv");
    static const int bad[4] = {10, 50, 90, 130}; /* data rows, at lines 12, 52, 92, 132 */
    char *badrow[4];
    {
        lines l = read_lines(x);
        ck_assert_int_eq(l.n, 201);
        for (int i = 0; i < 4; i++) {
            char *row = l.v[1 + bad[i]];
            memmove(row + 63, row + 64, strlen(row + 64) + 1); /* the token's last digit out */
            badrow[i] = strdup(row);
        }
        write_lines(x, l.v, l.n);
        lines_free(&l);
        manifest_fix(x);
    }
    char *state0 = load_state(&p);
    const char *why = "token is not 64 lowercase hex digits";
    char *want = strdup(tu_fmt("12:%s;52:%s;92:%s;132:%s", why, why, why, why));

    /* the default max_reject_share, 0.01: refused, its rejects recorded */
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, x);
    assert_refused(rc, err, "2% rejects", "max_reject_share");
    free(err);
    char *s = load_state(&p);
    ck_assert_str_eq(s, state0);
    free(s);
    char *att = sqlv(&p, "SELECT outcome || '|' || rows_read || '|' || rows_rejected FROM tznr.load_attempt"
                         " ORDER BY id DESC LIMIT 1");
    ck_assert_str_eq(att, "refused|200|4");
    free(att);
    char *rj = sqlv(&p, "SELECT string_agg(line || ':' || reason, ';' ORDER BY line) FROM tznr.load_reject"
                        " WHERE attempt_id = (SELECT max(id) FROM tznr.load_attempt)");
    ck_assert_str_eq(rj, want);
    free(rj);
    for (int i = 0; i < 4; i++) {
        char *rec = sqlv(&p, "SELECT record FROM tznr.load_reject WHERE attempt_id = (SELECT max(id) FROM"
                             " tznr.load_attempt) AND line = %d", bad[i] + 2);
        ck_assert_msg(strcmp(rec, badrow[i]) == 0, "reject line %d: record is not the row", bad[i] + 2);
        free(rec);
    }

    /* max_reject_share = 0.05: loaded without those rows, which are recorded */
    free(p.conf);
    p.conf = (char *)tu_conf(p.dir, p.ci, "[load]\nmax_reject_share = 0.05\n");
    rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, x);
    ck_assert_msg(rc == 0, "load with max_reject_share = 0.05: exit %d: %s", rc, err);
    free(err);
    char *snap = sqlv(&p, "SELECT n.rows_declared || '|' || n.rows_loaded || '|' || n.rows_rejected || '|'"
                          " || (SELECT count(*) FROM tznr.current_record) FROM tznr.source s"
                          " JOIN tznr.snapshot n ON n.id = s.current_snapshot WHERE s.id = 'caf:t'");
    ck_assert_str_eq(snap, "200|196|4|196");
    free(snap);
    rj = sqlv(&p, "SELECT string_agg(j.line || ':' || j.reason, ';' ORDER BY j.line) FROM tznr.load_reject j"
                  " JOIN tznr.load_attempt a ON a.id = j.attempt_id WHERE a.outcome = 'loaded'");
    ck_assert_str_eq(rj, want);
    free(rj);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.record WHERE line IN (12, 52, 92, 132)"), 0);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.record WHERE line IN (11, 13, 131, 133)"), 4);
    for (int i = 0; i < 4; i++)
        free(badrow[i]);
    free(want);
    free(state0);
    free(x);
    pf_free(&p);
}
END_TEST

/* The same token twice in one extract (the same local_ref twice in the export). */
START_TEST(test_duplicate_token)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *x = make_extract(&p, "caf:t", 0, 200, "x.csv");
    char tok[65];
    {
        lines l = read_lines(x);
        memcpy(tok, l.v[1 + 5], 64); /* data row 5, line 7 */
        tok[64] = '\0';
        memcpy(l.v[1 + 20], tok, 64); /* onto data row 20, line 22 */
        write_lines(x, l.v, l.n);
        lines_free(&l);
        manifest_fix(x);
    }
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, x);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    char *rj = sqlv(&p, "SELECT string_agg(line || ':' || reason, ';') FROM tznr.load_reject");
    ck_assert_msg(strncmp(rj, "22:", 3) == 0 && strstr(rj, "duplicate") != NULL && strstr(rj, "line 7") != NULL &&
                      strchr(rj, ';') == NULL,
                  "rejects: '%s'", rj);
    free(rj);
    char *lines_of = sqlv(&p, "SELECT string_agg(line::text, ',') FROM tznr.record"
                              " WHERE token = pg_catalog.decode('%s', 'hex')", tok);
    ck_assert_str_eq(lines_of, "7");
    free(lines_of);
    char *snap = sqlv(&p, "SELECT n.rows_loaded || '|' || n.rows_rejected || '|' || (SELECT count(*) FROM tznr.record)"
                          " FROM tznr.snapshot n");
    ck_assert_str_eq(snap, "199|1|199");
    free(snap);
    free(x);
    pf_free(&p);
}
END_TEST

/* ==== 4. keys as bytea ======================================================================= */

START_TEST(test_key_types)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *x = make_extract(&p, "caf:t", 0, 150, "x.csv");
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "load -c '%s' '%s'", p.conf, x);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    char *types = sqlv(&p, "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name)"
                           " FROM information_schema.columns WHERE table_schema = 'tznr' AND table_name = 'record'"
                           " AND column_name IN ('token', 'household', 'k_nir', 'k_ident', 'k_ident_alt', 'k_dob',"
                           " 'clk', 'clk_alt')");
    ck_assert_str_eq(types, "clk:bytea,clk_alt:bytea,household:bytea,k_dob:bytea,k_ident:bytea,k_ident_alt:bytea,"
                            "k_nir:bytea,token:bytea");
    free(types);
    char *v = sqlv(&p,
        "SELECT count(*) || '|'"
        " || count(*) FILTER (WHERE pg_catalog.pg_typeof(token) = 'bytea'::regtype"
        "   AND pg_catalog.pg_typeof(clk) = 'bytea'::regtype) || '|'"
        " || count(*) FILTER (WHERE octet_length(token) = 32) || '|'"
        " || count(*) FILTER (WHERE octet_length(household) <> 32 OR octet_length(k_nir) <> 32"
        "   OR octet_length(k_ident) <> 32 OR octet_length(k_ident_alt) <> 32 OR octet_length(k_dob) <> 32) || '|'"
        " || count(*) FILTER (WHERE octet_length(clk) <> 128 OR octet_length(clk_alt) <> 128) || '|'"
        " || (count(household) > 0 AND count(k_nir) > 0 AND count(k_ident) > 0 AND count(k_ident_alt) > 0"
        "   AND count(k_dob) > 0 AND count(clk) > 0 AND count(clk_alt) > 0)"
        " FROM tznr.record");
    ck_assert_str_eq(v, "150|150|150|0|0|true");
    free(v);

    /* the bytes are the extract's, key for key */
    char *db = sqlv(&p,
        "SELECT line || ',' || pg_catalog.encode(token, 'hex')"
        " || ',' || coalesce(pg_catalog.encode(household, 'hex'), '')"
        " || ',' || coalesce(role, '') || ',' || coalesce(pg_catalog.encode(k_nir, 'hex'), '')"
        " || ',' || coalesce(pg_catalog.encode(k_ident, 'hex'), '')"
        " || ',' || coalesce(pg_catalog.encode(k_ident_alt, 'hex'), '')"
        " || ',' || coalesce(pg_catalog.encode(k_dob, 'hex'), '') || ',' || coalesce(pg_catalog.encode(clk, 'hex'), '')"
        " || ',' || coalesce(pg_catalog.encode(clk_alt, 'hex'), '') FROM tznr.record ORDER BY line");
    lines l = read_lines(x);
    char *want = NULL;
    size_t wlen = 0;
    FILE *w = open_memstream(&want, &wlen);
    for (size_t i = 1; i < l.n; i++) {
        char *row = l.v[i], *q = row;
        for (int k = 0; k < 9; k++)
            q = strchr(q, ',') + 1;
        fprintf(w, "%s%zu,%.*s", i > 1 ? "\n" : "", i + 1, (int)(q - row - 1), row);
    }
    fclose(w);
    ck_assert_msg(strcmp(db, want) == 0, "the stored keys are not the extract's");
    free(want);
    free(db);
    lines_free(&l);
    free(x);
    pf_free(&p);
}
END_TEST

/* ==== 5. linkage methods ==================================================================== */

/* The local_ref of TOKEN in a .tokens file (local_ref,token), or NULL. */
static char *ref_of(const char *tokens, const char *tok)
{
    const char *at = strstr(tokens, tu_fmt(",%s\n", tok));
    if (!at)
        return NULL;
    const char *start = at;
    while (start > tokens && start[-1] != '\n')
        start--;
    return strndup(start, (size_t)(at - start));
}

/* A linkage model set by hand, as 'tznr links --model' prints one: a territory of eight records
 * has too few pairs to estimate its own ([link] model, docs/linking.md). Its identity_key row,
 * a run's measure of its own keys, is read and left: a given model links on the keys alone. */
static const char HAND_MODEL[] =
    "comparison,level,label,m,u,match_weight\n"
    "prior,,share of matches,0.01,0.99,\n"
    "identity_key,,\"pairs sharing k_ident or k_ident_alt: 1000, about 3 of them namesakes born the same day\","
    "0.97,0.0001,8.38\n"
    "clk_dice,0,,0.001,0.05,\nclk_dice,1,,0.001,0.45,\nclk_dice,2,,0.002,0.30,\nclk_dice,3,,0.004,0.12,\n"
    "clk_dice,4,,0.01,0.05,\nclk_dice,5,,0.03,0.02,\nclk_dice,6,,0.06,0.008,\nclk_dice,7,,0.12,0.0015,\n"
    "clk_dice,8,,0.27,0.0004,\nclk_dice,9,,0.502,0.0001,\n"
    "clk_dice_dob,0,,0.001,0.05,\nclk_dice_dob,1,,0.001,0.40,\nclk_dice_dob,2,,0.002,0.30,\n"
    "clk_dice_dob,3,,0.004,0.12,\nclk_dice_dob,4,,0.01,0.05,\nclk_dice_dob,5,,0.03,0.03,\n"
    "clk_dice_dob,6,,0.06,0.02,\nclk_dice_dob,7,,0.12,0.015,\nclk_dice_dob,8,,0.27,0.01,\n"
    "clk_dice_dob,9,,0.502,0.005,\n"
    "birth,0,,0.002,0.95,\nbirth,1,,0.01,0.03,\nbirth,2,,0.09,0.0199,\nbirth,3,,0.898,0.0001,\n"
    "sex,0,,0.0001,0.5,\nsex,1,,0.9999,0.5,\ncommune,0,,0.1,0.9,\ncommune,1,,0.9,0.1,\n"
    "k_nir,0,,0.01,0.999999,\nk_nir,1,,0.99,0.000001,\n";

START_TEST(test_link_methods)
{
    struct pf p;
    char *model = strdup(tu_fmt("%s/model.csv", tu_tmpdir()));
    tu_write_str(model, HAND_MODEL);
    char *extra = strdup(tu_fmt("[link]\nmodel = %s\n", model));
    pf_init(&p, 1, extra);
    free(extra);
    char nir[16];
    make_nir(nir, 1, 1971, 4, 123);
    /* C1/B1: a typo in the first name, no NIR: only the CLK can see it;
     * C2/B2: the same NIR, first names that differ (so k_ident does);
     * C3/B3: her birth name and married name at the CAF, only the married name at the landlord;
     * C4, B4: two different people. */
    tu_write_str(in_dir(&p, "caf.raw"),
                 tu_fmt("%s\n"
                        "C1,HC1,,Durand,,Sébastien,1980-03-14,1,5 rue Victor Hugo,33063,1,900.00,0\n"
                        "C2,HC2,%s,Garnier,,Jean-Luc,1971-04-22,1,8 cours de l'Intendance,33063,2,1500.00,0\n"
                        "C3,HC3,,Bernard,Lefebvre,Sophie,1975-06-02,2,14 avenue Thiers,33063,3,1200.50,1\n"
                        "C4,HC4,,Petit,,Lucas,2001-01-01,1,3 place Gambetta,33000,1,600.00,1\n",
                        RAW_HEADER, nir));
    tu_write_str(in_dir(&p, "bailleur.raw"),
                 tu_fmt("%s\n"
                        "B1,HB1,,Durand,,Sebastian,1980-03-14,1,5 rue Victor Hugo,33063,,,\n"
                        "B2,HB2,%s,Garnier,,Jean,1971-04-22,1,22 quai de Bacalan,33063,,,\n"
                        "B3,HB3,,,Lefebvre,Sophie,1975-06-02,2,2 rue Sainte-Catherine,33063,,,\n"
                        "B4,HB4,,Moreau,,Chloé,1963-09-30,2,40 rue du Palais Gallien,33281,,,\n",
                        RAW_HEADER, nir));
    char *caf = strdup(in_dir(&p, "caf.csv")), *bai = strdup(in_dir(&p, "bailleur.csv"));
    pseudonymise(&p, in_dir(&p, "caf.raw"), "caf:t", NULL, caf, "2026-11-01");
    pseudonymise(&p, in_dir(&p, "bailleur.raw"), "bailleur:t", NULL, bai, "2026-11-01");
    char *err = NULL, *out = NULL;
    int rc = TZNR(&p, NULL, &err, "load -c '%s' '%s' '%s'", p.conf, caf, bai);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "link: exit %d: %s", rc, err);
    free(err);
    rc = TZNR(&p, &out, &err, "links -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "links: exit %d: %s", rc, err);
    free(err);

    /* back to local_refs through the token maps that stay at the agencies */
    char *tk[2] = {slurp(tu_fmt("%s.tokens", caf)), slurp(tu_fmt("%s.tokens", bai))};
    char seen[4][32] = {"", "", "", ""};
    int nlinks = 0;
    char *save = NULL;
    char *line = strtok_r(out, "\n", &save);
    ck_assert_msg(line && strcmp(line, LINKS_HEADER) == 0, "links header: '%s'", line ? line : "");
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char sa[64], ta[65], sb[64], tb[65], method[16];
        double score;
        ck_assert_msg(sscanf(line, "%63[^,],%64[0-9a-f],%63[^,],%64[0-9a-f],%15[^,],%lf", sa, ta, sb, tb, method,
                             &score) == 6,
                      "links row '%s'", line);
        ck_assert_msg(score >= 0 && score <= 1, "score in '%s'", line);
        /* one end at each source, in either order */
        int caf_first = strcmp(sa, "caf:t") == 0;
        ck_assert_msg(strcmp(caf_first ? sb : sa, "bailleur:t") == 0 && strcmp(caf_first ? sa : sb, "caf:t") == 0,
                      "link '%s'", line);
        char *rb = ref_of(tk[1], caf_first ? tb : ta), *rc_ = ref_of(tk[0], caf_first ? ta : tb);
        ck_assert_msg(rb && rc_, "tokens of '%s' are not in the token maps", line);
        ck_assert_msg(strlen(rb) == 2 && strlen(rc_) == 2 && rb[1] == rc_[1] && rb[1] >= '1' && rb[1] <= '3',
                      "%s linked to %s (%s)", rc_, rb, method);
        int k = rb[1] - '1';
        ck_assert_msg(seen[k][0] == '\0', "%s and %s linked twice", rc_, rb);
        snprintf(seen[k], sizeof seen[k], "%s", method);
        free(rb);
        free(rc_);
        nlinks++;
    }
    ck_assert_msg(strcmp(seen[0], "clk") == 0, "C1/B1 (first-name typo, no NIR): method '%s', want clk", seen[0]);
    ck_assert_msg(strcmp(seen[1], "nir") == 0, "C2/B2 (same NIR): method '%s', want nir", seen[1]);
    ck_assert_msg(strcmp(seen[2], "ident") == 0 || strcmp(seen[2], "ident_alt") == 0,
                  "C3/B3 (married name): method '%s', want ident or ident_alt", seen[2]);
    ck_assert_int_eq(nlinks, 3); /* and so C4 and B4 in none */

    /* persons: the pairs share one, the two others are alone */
    char *tok[2][4];
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 4; i++) {
            const char *at = strstr(tk[s], tu_fmt("\n%c%d,", s ? 'B' : 'C', i + 1));
            ck_assert(at != NULL);
            tok[s][i] = strndup(at + 4, 64);
        }
    for (int i = 0; i < 4; i++) {
        long long same = sqln(&p, "SELECT count(DISTINCT person_id) FROM tznr.person_record WHERE token IN"
                                  " (pg_catalog.decode('%s', 'hex'), pg_catalog.decode('%s', 'hex'))",
                              tok[0][i], tok[1][i]);
        ck_assert_msg(same == (i < 3 ? 1 : 2), "C%d and B%d: %lld persons", i + 1, i + 1, same);
    }
    ck_assert_int_eq(sqln(&p, "SELECT count(DISTINCT person_id) FROM tznr.person_record"), 5);
    for (int s = 0; s < 2; s++) {
        free(tk[s]);
        for (int i = 0; i < 4; i++)
            free(tok[s][i]);
    }
    /* the model the run used, as 'tznr links --model' prints it: the hand-set one, which reads
     * back as a model file */
    free(out);
    out = NULL;
    rc = TZNR(&p, &out, &err, "links -c '%s' --model", p.conf);
    ck_assert_msg(rc == 0, "links --model: exit %d: %s", rc, err);
    free(err);
    ck_assert_msg(strncmp(out, "comparison,level,label,m,u,match_weight\nprior,,", 47) == 0, "model table: %s", out);
    ck_assert_msg(strstr(out, "identity_key") == NULL, "a given model's run weighed the keys: %s", out);
    ck_assert_msg(strstr(out, "\nclk_dice,9,0.90 and up,0.502,0.0001,12.29\n") != NULL, "model table: %s", out);
    ck_assert_msg(strstr(out, "\nbirth,3,same date of birth,0.898,0.0001,13.13\n") != NULL, "model table: %s", out);
    /* a table without the pairs born the same day's own sex and commune (saved before they
     * had them): those pairs weigh them as the others */
    ck_assert_msg(strstr(out, "\nsex_dob,1,same,0.9999,0.5,1.00\n") != NULL, "model table: %s", out);
    ck_assert_msg(strstr(out, "\ncommune_dob,0,different,0.1,0.9,-3.17\n") != NULL, "model table: %s", out);
    tu_write_str(model, out);
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "link with the printed model: exit %d: %s", rc, err);
    free(err);
    free(model);

    /* the precision the field measures: none before 30 outcomes where a team reached someone;
     * then the share that were the right person (outcomes as tznr feedback records them; the
     * statuses that reach nobody, injoignable and opposition, do not count) */
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.link_run WHERE field_precision IS NULL"), 2);
    for (int i = 0; i < 30; i++)
        sqln(&p, "INSERT INTO tznr.outcome (token, rule_id, statut, outcome_date, file_name, line)"
                 " VALUES ('\\x%02x', 'rsa', '%s', '2026-11-20', 'retours.csv', %d) RETURNING 1",
             i, i < 3 ? "erreur_rapprochement" : i < 29 ? "contacte" : "injoignable", i + 2);
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(err, "not yet (29 outcomes of 30 needed)"), "link: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.link_run WHERE field_precision IS NULL"), 3);
    sqln(&p, "INSERT INTO tznr.outcome (token, rule_id, statut, outcome_date, file_name, line)"
             " VALUES ('\\x99', 'rsa', 'droit_ouvert', '2026-11-20', 'retours.csv', 40) RETURNING 1");
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0 && strstr(err, "measured in the field: 0.9000 (30 outcomes)"), "link: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(sqln(&p, "SELECT round(field_precision * 1000) FROM tznr.link_run ORDER BY id DESC LIMIT 1"), 900);
    ck_assert_int_eq(sqln(&p, "SELECT field_outcomes FROM tznr.link_run ORDER BY id DESC LIMIT 1"), 30);
    free(out);
    free(caf);
    free(bai);
    pf_free(&p);
}
END_TEST

/* ==== 6. audit show, usage errors =========================================================== */

/* `tznr audit show ARGS`: its CSV records (header first) through tznr's own reader. */
static int audit_show(struct pf *p, const char *args, char fields[][9][128], int max)
{
    char *out = NULL, *err = NULL;
    int rc = TZNR(p, &out, &err, "audit show -c '%s' %s", p->conf, args);
    ck_assert_msg(rc == 0, "audit show %s: exit %d: %s", args, rc, err);
    const char *file = strdup(in_dir(p, "show.csv"));
    tu_write_str(file, out);
    csvio_options opt = {.sep = ','};
    char e[512];
    csvio_reader *rd = csvio_open(file, &opt, e, sizeof e);
    ck_assert_msg(rd != NULL, "%s", e);
    csvio_record rec;
    int n = 0;
    while ((rc = csvio_next(rd, &rec)) == 1) {
        ck_assert_msg(rec.error == NULL && rec.nfields == 9, "audit show: record %d: %zu fields %s", n, rec.nfields,
                      rec.error ? rec.error : "");
        ck_assert_int_lt(n, max);
        for (int i = 0; i < 9; i++)
            snprintf(fields[n][i], 128, "%s", rec.field[i]);
        n++;
    }
    ck_assert_int_eq(rc, 0);
    csvio_close(rd);
    ck_assert_msg(strncmp(out, AUDIT_HEADER, strlen(AUDIT_HEADER)) == 0 && out[strlen(AUDIT_HEADER)] == '\n',
                  "audit show header: %s", out);
    free(out);
    free(err);
    free((char *)file);
    return n - 1;
}

START_TEST(test_audit_show)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    short_log(&p); /* db.migrate, load, load, load.already_loaded, link */
    tu_write_str(in_dir(&p, "lonely.csv"), SPEC_HEADER);
    ck_assert_int_eq(TZNR(&p, NULL, NULL, "load -c '%s' '%s'", p.conf, in_dir(&p, "lonely.csv")), 3);
    static char f[16][9][128];
    int n = audit_show(&p, "--action load", f, 16);
    ck_assert_int_eq(n, 2);
    for (int i = 1; i <= n; i++) {
        ck_assert_str_eq(f[i][5], "load");
        char *hash = sqlv(&p, "SELECT pg_catalog.encode(hash, 'hex') FROM tznr.audit_log WHERE id = %s", f[i][0]);
        ck_assert_str_eq(f[i][8], hash);
        free(hash);
    }
    ck_assert_str_eq(f[1][6], "caf:t");
    ck_assert_str_eq(f[2][6], "bailleur:t");
    /* a prefix */
    n = audit_show(&p, "--action 'load*'", f, 16);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(f[3][5], "load.already_loaded");
    ck_assert_str_eq(f[4][5], "load.refused");
    /* the latest, and everything */
    n = audit_show(&p, "--action 'load*' --limit 1", f, 16);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(f[1][0], "6");
    n = audit_show(&p, "", f, 16);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(f[1][5], "db.migrate");
    ck_assert_str_eq(f[5][5], "link");
    n = audit_show(&p, "--action nothing", f, 16);
    ck_assert_int_eq(n, 0);
    n = audit_show(&p, "--action load.refused", f, 16);
    ck_assert_int_eq(n, 1);
    /* --action is exact: '_' and '%' are not wildcards */
    n = audit_show(&p, "--action load_refused", f, 16);
    ck_assert_int_eq(n, 0);
    n = audit_show(&p, "--action 'l%'", f, 16);
    ck_assert_int_eq(n, 0);
    pf_free(&p);
}
END_TEST

START_TEST(test_usage_errors)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    static const struct {
        const char *args, *verb;
    } cases[] = {
        {"audit", "audit"},
        {"audit frobnicate", "audit"},
        {"audit verify show", "audit"},
        {"audit show --limit 0", "audit"},
        {"audit show --limit many", "audit"},
        {"audit show --bogus", "audit"},
        {"load", "load"},
        {"load --bogus x.csv", "load"},
        {"link extra", "link"},
        {"link --bogus", "link"},
        {"links extra", "links"},
        {"db", "db"},
        {"db frobnicate", "db"},
        {"db migrate status", "db"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = TZNR(&p, &out, &err, "%s -c '%s'", cases[i].args, p.conf);
        ck_assert_msg(rc == 2 && strstr(err, tu_fmt("Try 'tznr %s --help'", cases[i].verb)) != NULL,
                      "tznr %s: exit %d, want 2 and \"Try 'tznr %s --help'\": %s", cases[i].args, rc, cases[i].verb,
                      err);
        ck_assert_msg(out[0] == '\0', "tznr %s wrote to stdout: %s", cases[i].args, out);
        free(out);
        free(err);
    }
    /* a --since that is not a date is a usage error, like a bad --limit */
    {
        char *out = NULL, *err = NULL;
        int rc = TZNR(&p, &out, &err, "audit show --since garbage -c '%s'", p.conf);
        ck_assert_msg(rc == 2 && strstr(err, "Try 'tznr audit --help'") != NULL, "--since garbage: exit %d: %s",
                      rc, err);
        free(out);
        free(err);
    }
    /* nothing reached the database */
    ck_assert_int_eq(sqln(&p, "SELECT count(*) FROM tznr.audit_log"), 1);
    pf_free(&p);
}
END_TEST

/* ==== 6. linkage quality on FEBRL datasets 1, 2 and 3 ========================================== */

/* FEBRL datasets 1, 2 and 3 (tests/fixtures/febrl/README.md) as two agencies, originals and
 * duplicates, pseudonymised, loaded and linked with no [link] section: the model estimated on
 * these records alone. Precision and recall across the two against the ground truth (rec-N-org
 * and rec-N-dup-K are one person), and the run's own estimate beside them, held to the issue's
 * bar: precision 0.998, recall 0.99, the estimates within 0.01. Dataset 1 under the test key
 * links 495 of its 500 pairs, just at the bar; before the last records' search (link.c,
 * last_records), 492 (0.978-0.988 over eight keys; docs/linking.md, "Figures"), and before
 * pooling adjacent levels cut "born years apart", 0.928 under three keys.
 * Dataset 2 (4,000 originals, 1,000 duplicates) holds the precision: with the birth's u held
 * at what the candidates of unlike filters said, strangers born the same day were linked and
 * it fell to 0.970-0.982 under the bench's keys, 0.989 and 0.997 under this test's two.
 * Dataset 3 (2,000 originals, 3,000 duplicates, up to five of one person) under the test key
 * links 2,976 of its 3,000 pairs; 2,969 (0.9897) while the search weighed a partner whose
 * person the duplicates' side already held by the share of its persons held twice, not by
 * how much likelier that is for a partner than for any record (d / tau, link.c). */
START_TEST(test_febrl)
{
    /* the data set, and the key: the contract's test key, or one written here. The figures move
     * with the key's draw; under keys 3 and 4 the earlier estimate of the birth's u linked
     * strangers born the same day (dataset 2's precision 0.997 and 0.989) */
    static const struct { int ds, key; } runs[] = {{1, 0}, {2, 0}, {2, 3}, {2, 4}, {3, 0}};
    int ds = runs[_i].ds, key = runs[_i].key;
    struct pf p;
    pf_init(&p, 1, NULL);
    if (key) {
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", (i * key * 7 + key * 31) % 256);
        FILE *kf = fopen(p.key, "w");
        ck_assert_ptr_nonnull(kf);
        fprintf(kf, "tznr-key-v1 febrl-%d %s\n", key, hex);
        fclose(kf);
        size_t cn;
        char *conf = tu_read(p.conf, &cn), *id = strstr(conf, "key_id = vectors-1\n");
        ck_assert_ptr_nonnull(id);
        *id = '\0';
        tu_write_str(p.conf, tu_fmt("%skey_id = febrl-%d\n%s", conf, key, id + strlen("key_id = vectors-1\n")));
        free(conf);
    }
    FILE *in = fopen(tu_fmt("tests/fixtures/febrl/dataset%d.csv", ds), "r");
    ck_assert_ptr_nonnull(in);
    char *side[2] = {strdup(in_dir(&p, "febrl_org.csv")), strdup(in_dir(&p, "febrl_dup.csv"))};
    FILE *out[2] = {fopen(side[0], "w"), fopen(side[1], "w")};
    char line[1024];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    fputs(line, out[0]);
    fputs(line, out[1]);
    while (fgets(line, sizeof line, in))
        fputs(line, out[strstr(line, "-dup-") != NULL]);
    fclose(in);
    fclose(out[0]);
    fclose(out[1]);
    const char *src[2] = {"autre:febrl_org", "autre:febrl_dup"};
    char *x[2];
    for (int k = 0; k < 2; k++) {
        x[k] = strdup(in_dir(&p, k ? "x_dup.csv" : "x_org.csv"));
        pseudonymise(&p, side[k], src[k], "tests/fixtures/mapping-febrl.ini", x[k], "2026-11-01");
    }
    char *err = NULL;
    int rc = TZNR(&p, NULL, &err, "load -q -c '%s' '%s' '%s'", p.conf, x[0], x[1]);
    ck_assert_msg(rc == 0, "load: exit %d: %s", rc, err);
    free(err);
    rc = TZNR(&p, NULL, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "link: exit %d: %s", rc, err);
    free(err);

    /* each record: its truth number (rec-N-...), its side, its person */
    enum { MAXR = 5000 };
    static int truth[MAXR], sd[MAXR];
    static long long person[MAXR];
    int n = 0;
    for (int k = 0; k < 2; k++) {
        char *tokens = slurp(tu_fmt("%s.tokens", x[k]));
        char *rows = sqlv(&p, "SELECT string_agg(pg_catalog.encode(token, 'hex') || ' ' || person_id, ',')"
                              "  FROM tznr.person_record WHERE source_id = '%s'", src[k]);
        char *save = NULL;
        for (char *r = strtok_r(rows, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
            char tok[65];
            long long pid;
            ck_assert(sscanf(r, "%64s %lld", tok, &pid) == 2);
            char *ref = ref_of(tokens, tok);
            ck_assert_msg(ref != NULL, "token %s not in the token map", tok);
            ck_assert(n < MAXR);
            truth[n] = atoi(ref + 4); /* rec-N-org, rec-N-dup-K */
            sd[n] = k;
            person[n++] = pid;
            free(ref);
        }
        free(rows);
        free(tokens);
    }
    ck_assert_int_eq(n, ds == 1 ? 1000 : 5000);
    long long tp = 0, pred = 0, truepairs = 0;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            if (sd[a] == sd[b])
                continue;
            truepairs += truth[a] == truth[b];
            pred += person[a] == person[b];
            tp += truth[a] == truth[b] && person[a] == person[b];
        }
    ck_assert_int_eq(truepairs, ds == 1 ? 500 : ds == 2 ? 1000 : 3000);
    double precision = pred ? (double)tp / (double)pred : 1, recall = (double)tp / (double)truepairs;
    ck_assert_msg(precision >= 0.998, "FEBRL dataset%d, key %d: precision %f (%lld of %lld)", ds, key, precision, tp,
                  pred);
    ck_assert_msg(recall >= 0.99, "FEBRL dataset%d, key %d: recall %f (%lld of %lld)", ds, key, recall, tp, truepairs);
    /* the run's own estimate, without the truth, and how the model was estimated */
    char *est = sqlv(&p, "SELECT model_training || ' ' || est_precision || ' ' || est_recall FROM tznr.link_run"
                         " ORDER BY id DESC LIMIT 1");
    char how[16];
    double ep, er;
    ck_assert_msg(sscanf(est, "%15s %lf %lf", how, &ep, &er) == 3, "link_run: %s", est);
    ck_assert_str_eq(how, "em"); /* FEBRL has no NIR to learn from */
    ck_assert_msg(ep > precision - 0.01 && ep < precision + 0.01, "estimated precision %f, true %f", ep, precision);
    ck_assert_msg(er > recall - 0.01 && er < recall + 0.01, "estimated recall %f, true %f", er, recall);
    free(est);
    /* The u of the Dice, above its mode: its density (u over the band's width) falls from band
     * to band at least as fast as it fell into the band below, and once at the model's floor
     * (10^-6) stays there. For the pairs not born the same day, EM re-estimates it so: without
     * fs_u_log_concave the tail rose again where the truth holds no stranger (dataset 1, whole
     * filters: 10^-6 at 0.78-0.82, 0.0002 at 0.82-0.90), taking matches whose date of birth was
     * mistyped for strangers. For the pairs born the same day, FEBRL has no sex to measure it on
     * twins; it is the other pairs' as measured, kept so (dataset 1 under the test key, before:
     * 0.0002 at 0.76-0.80, 0.0016 at 0.80-0.85). */
    static const char *const dice_comp[] = {"clk_dice", "clk_dice_dob"};
    for (int c = 0; c < 2; c++) {
        char *tail = sqlv(&p,
                          "SELECT string_agg(u::text, ' ' ORDER BY level) FROM tznr.link_model"
                          " WHERE run_id = (SELECT max(id) FROM tznr.link_run) AND comparison = '%s'",
                          dice_comp[c]);
        char *shown = strdup(tail);
        double u[10], dens[10];
        const double lo[10] = {0, 0.56, 0.60, 0.64, 0.68, 0.72, 0.76, 0.80, 0.85, 0.90}; /* link.c's bands */
        int nu = 0, mode = 1;
        for (char *t = strtok(tail, " "); t && nu < 10; t = strtok(NULL, " "))
            u[nu++] = atof(t);
        ck_assert_int_eq(nu, 10);
        for (int l = 1; l < 10; l++) {
            dens[l] = u[l] / ((l < 9 ? lo[l + 1] : 1.0) - lo[l]);
            if (dens[l] > dens[mode])
                mode = l;
        }
        double slope = INFINITY;
        for (int l = mode + 1; l < 10; l++) {
            if (u[l - 1] < 1.5e-6) {
                ck_assert_msg(u[l] < 1.5e-6, "dataset%d, key %d: u of %s rises again from the floor at level %d: %s",
                              ds, key, dice_comp[c], l, shown);
                continue;
            }
            if (u[l] < 1.5e-6)
                continue;
            double c0 = (lo[l - 1] + lo[l]) / 2, c1 = (lo[l] + (l < 9 ? lo[l + 1] : 1.0)) / 2;
            double sl = log(dens[l] / dens[l - 1]) / (c1 - c0);
            ck_assert_msg(sl <= slope + 1e-6, "dataset%d, key %d: u of %s falls slower at level %d than below: %s", ds,
                          key, dice_comp[c], l, shown);
            slope = sl;
        }
        free(shown);
        free(tail);
    }
    for (int k = 0; k < 2; k++) {
        free(side[k]);
        free(x[k]);
    }
    pf_free(&p);
}
END_TEST

/* tznr load shows its progress on a terminal (script(1) gives it one): the extract, its rows
 * and the rate, the line cleared after; nothing in a pipe, as in cron. */
START_TEST(test_load_progress)
{
    struct pf p;
    pf_init(&p, 1, NULL);
    char *x = make_extract(&p, "caf:gironde", 0, 60000, "caf.csv");
    char *out = NULL, *err = NULL;
    /* the first line at once (TZNR_PROGRESS_EVERY=0): a fast machine reads 60,000 rows in
     * less than the usual quarter of a second, and showed none */
    int rc = tu_run(tu_fmt("TZNR_PROGRESS_EVERY=0 script -qec \"'%s' load -c '%s' '%s'\" /dev/null", tu_bin("tznr"),
                           p.conf, x), &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
    const char *at = strstr(out, tu_fmt("\rtznr load: %s: ", x));
    ck_assert_msg(at && strstr(at, " rows/s\033[K") && strstr(at, "\r\033[K"), "no progress on a terminal: %.400s", out);
    free(out);
    free(err);
    char *x2 = make_extract(&p, "caf:gironde", 0, 60001, "caf2.csv");
    rc = TZNR(&p, &out, &err, "load -c '%s' '%s'", p.conf, x2);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(!strchr(err, '\r') && !strchr(err, '\033'), "progress in a pipe: %.300s", err);
    free(out);
    free(err);
    /* tznr link's phases: on a terminal, each on the progress line; nothing in a pipe */
    rc = tu_run(tu_fmt("script -qec \"'%s' link -c '%s'\" /dev/null", tu_bin("tznr"), p.conf), &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s%s", rc, out, err);
    const char *phases[] = {"\rtznr link: reading the current records\033[K", "\rtznr link: linking 60001 records\033[K",
                            "\rtznr link: writing the links and the persons\033[K"};
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
        ck_assert_msg(strstr(out, phases[i]) != NULL, "no phase '%s' on a terminal: %.400s", phases[i] + 1, out);
    free(out);
    free(err);
    rc = TZNR(&p, &out, &err, "link -c '%s'", p.conf);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(!strchr(err, '\r') && !strchr(err, '\033'), "phases in a pipe: %.300s", err);
    free(out);
    free(err);
    free(x);
    free(x2);
    pf_free(&p);
}
END_TEST

Suite *suite_platform(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("scenario");
    tcase_add_test(tc, test_scenario);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("identity_keys");
    tcase_add_test(tc, test_identity_keys_for_the_auditor);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("two_reads");
    tcase_add_test(tc, test_records_read_on_two_connections);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("refused_model");
    tcase_add_loop_test(tc, test_a_model_that_would_merge_people_is_refused, 0, 2);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("audit");
    tcase_add_test(tc, test_audit_append_only);
    tcase_add_test(tc, test_audit_tamper);
    tcase_add_test(tc, test_audit_rewritten_entry_breaks_the_chain);
    tcase_add_test(tc, test_audit_verify_ten_entries_or_more);
    tcase_add_test(tc, test_audit_show);
    tcase_add_test(tc, test_audit_keeps_passwords_out);
    tcase_add_test(tc, test_usage_errors);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_reject_threshold);
    tcase_add_test(tc, test_duplicate_token);
    tcase_add_test(tc, test_key_types);
    tcase_add_test(tc, test_load_progress);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("febrl");
    tcase_add_loop_test(tc, test_febrl, 0, 5);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);
    tc = tcase_create("link");
    tcase_add_test(tc, test_link_methods);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);
    return s;
}
