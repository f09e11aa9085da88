/* End to end on the nightly job, `tznr run` (docs/operations.md, docs/listes.md), driven
 * through the built binaries against the throw-away PostgreSQL that tests/run-all starts, each
 * test in a folder and a database of its own, over a small synthetic territory (tznr-synth,
 * pseudonymised by each agency with a key made by `tznr keygen`): the first night (archive,
 * the lists' format, the audit log), a replayed night and the cooldown, the run lock, a
 * refused extract, an extract waiting for its manifest, the teams' feedback (opposition,
 * settled case, linkage error, bad rows, a file loaded twice), routing to declared teams, the
 * pull commands, `tznr export` and a bad --date, `tznr export` after a failed replay, a
 * malformed parameters file; then hand-made households (section 11): who is one foyer, to
 * whom a household is routed, the outcomes that settle a case, the cooldown's length, an
 * opposition following the person's new tokens, the retention purge, a person split in two.
 * Nothing here asserts a duration. */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "sbuf.h"
#include "testutil.h"

/* Generous: the sanitizer build is several times slower; nothing here asserts a duration. */
#define TIMEOUT 300

#define NIGHT "2026-11-26"
#define NIGHT_30 "2026-12-26" /* NIGHT + 30 days */

static const char LIST_HEADER[] =
    "token;foyer;regle;prestation;motif;montant_mensuel_estime;confiance;priorite;source;premiere_detection;"
    "inconnu_de";

/* The run's advisory lock (src/cmd_run.c, RUN_LOCK). */
#define RUN_LOCK "7243110010"

/* ---- a test's folder, database, territory and configuration -------------------------------- */

struct src {
    char id[64];      /* caf:gironde */
    char file[256];   /* caf.csv, as tznr-synth named the raw export */
    char team[64];    /* its default team: caf_gironde */
    char *extract;    /* the pseudonymised extract (its manifest beside it), at the agency */
};

struct rt {
    char *dir;    /* the test's folder */
    char *ci;     /* libpq conninfo, "dbname=..." */
    const char *db;
    char *conf;   /* the platform configuration */
    char *key;    /* the territory's key (keygen --id t), at the agencies */
    char *params; /* absolute path of config/parameters.csv */
    int n;
    struct src s[8];
};

static const char *at(const struct rt *t, const char *rel) { return tu_fmt("%s/%s", t->dir, rel); }

/* Run `BIN ARGS` (a program of the build folder, ARGS formatted, shell syntax); exit status,
 * output and messages in *OUT and *ERR when not NULL. */
static int run(const struct rt *t, const char *bin, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run(const struct rt *t, const char *bin, char **out, char **err, const char *fmt, ...)
{
    (void)t;
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(NULL, bin, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

#define TZNR(t, out, err, ...) run((t), "tznr", (out), (err), __VA_ARGS__)

/* `tznr run` on DATE with the test's configuration. */
static int night(const struct rt *t, const char *date, char **out, char **err)
{
    return TZNR(t, out, err, "run -c '%s' --date %s", t->conf, date);
}

/* The output of SQL that must succeed on the test's database, or the number it returns. */
static char *sqlv(struct rt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(struct rt *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = tu_vsqlv(t->db, fmt, ap);
    va_end(ap);
    return out;
}

static long long sqln(struct rt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long sqln(struct rt *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(t->db, fmt, ap);
    va_end(ap);
    return v;
}

static char *slurp(const char *path, size_t *len)
{
    char *s = tu_read(path, len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *s = slurp(from, &n);
    tu_write(to, s, n);
    free(s);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* The test's configuration: the territory's key id, the parameters, EXTRA appended. */
static void rt_conf(struct rt *t, const char *extra)
{
    free(t->conf);
    char *all = NULL;
    ck_assert_int_ge(asprintf(&all, "[keys]\nkey_id = t\n[run]\nparameters = %s\n%s", t->params, extra ? extra : ""),
                     0);
    t->conf = (char *)tu_conf(t->dir, t->ci, all); /* malloc'd by tu_conf */
    free(all);
}

/* A folder, a migrated database, a synthetic territory pseudonymised by each agency (extracts
 * under DIR/agencies, not yet deposited) and the configuration with EXTRA. */
static void rt_init(struct rt *t, const char *extra)
{
    memset(t, 0, sizeof *t);
    t->dir = (char *)tu_tmpdir(); /* malloc'd by tu_tmpdir */
    t->ci = (char *)tu_db(1); /* malloc'd by tu_db */
    t->db = t->ci + strlen("dbname=");
    char path[PATH_MAX];
    ck_assert_msg(realpath("config/parameters.csv", path) != NULL,
                  "no config/parameters.csv (the runner runs at the repository's root)");
    t->params = strdup(path);
    rt_conf(t, extra);

    char *err = NULL;
    t->key = strdup(at(t, "territory.key"));
    int rc = TZNR(t, NULL, &err, "keygen --id t -o '%s'", t->key);
    ck_assert_msg(rc == 0, "tznr keygen: exit %d: %s", rc, err);
    free(err);
    char *synth = strdup(at(t, "synth")), *agencies = strdup(at(t, "agencies"));
    rc = run(t, "tznr-synth", NULL, &err, "--households 600 --seed 5 -o '%s'", synth);
    ck_assert_msg(rc == 0, "tznr-synth: exit %d: %s", rc, err);
    free(err);
    ck_assert(mkdir(agencies, 0755) == 0);
    char *list = slurp(tu_fmt("%s/sources.txt", synth), NULL);
    char *save = NULL;
    for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char map[256];
        ck_assert_msg(t->n < 8, "more than 8 sources");
        struct src *s = &t->s[t->n];
        ck_assert_msg(sscanf(line, "%255s %63s %255s", s->file, s->id, map) == 3, "sources.txt: '%s'", line);
        memcpy(s->team, s->id, sizeof s->team); /* same sizes */
        for (char *q = s->team; *q; q++)
            if (*q == ':')
                *q = '_';
        s->extract = strdup(tu_fmt("%s/%s", agencies, s->file));
        ck_assert_msg(realpath(tu_fmt("config/%s", map), path) != NULL, "no mapping config/%s", map);
        rc = TZNR(t, NULL, &err,
                  "pseudonymise -q --key '%s' --source %s --mapping '%s' --extract-date 2026-11-01 -o '%s' '%s/%s'",
                  t->key, s->id, path, s->extract, synth, s->file);
        ck_assert_msg(rc == 0, "tznr pseudonymise %s: exit %d: %s", s->file, rc, err);
        free(err);
        ck_assert(exists(tu_fmt("%s.manifest", s->extract)));
        t->n++;
    }
    free(list);
    free(synth);
    free(agencies);
    ck_assert_int_ge(t->n, 2);
    mkdir(at(t, "inbox"), 0755);
}

static void rt_free(struct rt *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->s[i].extract);
    free(t->dir);
    free(t->ci);
    free(t->conf);
    free(t->key);
    free(t->params);
}

/* The source whose id is ID. */
static struct src *src_by_id(struct rt *t, const char *id)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->s[i].id, id) == 0)
            return &t->s[i];
    ck_abort_msg("the territory has no source %s", id);
    return NULL;
}

/* Deposit source S's extract in the inbox, with its manifest when WITH_MANIFEST. */
static void deposit(struct rt *t, const struct src *s, int with_manifest)
{
    char *to = strdup(at(t, tu_fmt("inbox/%s", s->file)));
    copy_file(s->extract, to);
    if (with_manifest)
        copy_file(tu_fmt("%s.manifest", s->extract), tu_fmt("%s.manifest", to));
    free(to);
}

static void deposit_all(struct rt *t)
{
    for (int i = 0; i < t->n; i++)
        deposit(t, &t->s[i], 1);
}

/* ---- the lists -------------------------------------------------------------------------------- */

/* One list row: the 10 columns. */
enum { C_TOKEN, C_FOYER, C_REGLE, C_PRESTATION, C_MOTIF, C_MONTANT, C_CONFIANCE, C_PRIORITE, C_SOURCE, C_PREMIERE,
       C_INCONNU_DE, NCOLS };

struct row {
    char *f[NCOLS];
};

struct list {
    char team[256];
    char *raw;     /* the file's bytes */
    size_t rawlen;
    struct row *rows;
    size_t n;
};

struct nightlists {
    struct list *l;
    size_t n;
};

/* Split TEXT (LEN bytes) into records of fields: SEP-separated, '"' quoting with "" inside,
 * a record ends at LF outside quotes (a CR before it is dropped). An independent reader: it
 * does not use tznr's csvio. Return the number of records; the fields in *RECS (nf each). */
struct crec {
    char **f;
    size_t nf;
};

static size_t csv_split(const char *text, size_t len, char sep, struct crec **recs)
{
    size_t nrec = 0, cap = 0;
    *recs = NULL;
    size_t i = 0;
    while (i < len) {
        if (nrec == cap) {
            cap = cap ? 2 * cap : 64;
            *recs = realloc(*recs, cap * sizeof **recs);
        }
        struct crec *r = &(*recs)[nrec++];
        r->f = NULL;
        r->nf = 0;
        for (;;) {
            /* one field */
            char *fld = malloc(len - i + 1);
            size_t fl = 0;
            if (i < len && text[i] == '"') {
                i++;
                for (;;) {
                    ck_assert_msg(i < len, "unterminated quoted field");
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"') {
                            fld[fl++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    fld[fl++] = text[i++];
                }
            } else {
                while (i < len && text[i] != sep && text[i] != '\n')
                    fld[fl++] = text[i++];
                if (fl > 0 && fld[fl - 1] == '\r' && (i >= len || text[i] == '\n'))
                    fl--;
            }
            fld[fl] = '\0';
            r->f = realloc(r->f, (r->nf + 1) * sizeof *r->f);
            r->f[r->nf++] = fld;
            if (i < len && text[i] == sep) {
                i++;
                continue;
            }
            if (i < len && text[i] == '\r')
                i++;
            ck_assert_msg(i >= len || text[i] == '\n', "garbage after a quoted field at byte %zu", i);
            i++; /* the LF */
            break;
        }
    }
    return nrec;
}

static int all_of(const char *s, const char *set)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(set, *s))
            return 0;
    return 1;
}

static int is_date(const char *s)
{
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && all_of(tu_fmt("%.4s%.2s%.2s", s, s + 5, s + 8), "0123456789");
}

/* An amount as written: digits, the decimal comma, two digits. */
static int is_amount(const char *s)
{
    const char *c = strchr(s, ',');
    if (!c || c == s || strlen(c + 1) != 2 || strchr(s, '.'))
        return 0;
    char intpart[64];
    snprintf(intpart, sizeof intpart, "%.*s", (int)(c - s), s);
    return all_of(intpart, "0123456789") && all_of(c + 1, "0123456789");
}

static double amount(const char *s)
{
    char b[64];
    snprintf(b, sizeof b, "%s", s);
    char *c = strchr(b, ',');
    if (c)
        *c = '.';
    return strtod(b, NULL);
}

/* Read and check one list: BOM, the exact header, ';'-separated rows of 11 columns, tokens of
 * 64 hex digits, numeric foyers, amounts with a decimal comma (or empty), priorities 1..n in
 * file order, estimates non-increasing where present (the empty ones last). */
static void read_list(const char *path, const char *team, struct list *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->team, sizeof l->team, "%s", team);
    l->raw = slurp(path, &l->rawlen);
    ck_assert_msg(l->rawlen >= 3 && memcmp(l->raw, "\xEF\xBB\xBF", 3) == 0, "%s: no UTF-8 BOM", path);
    ck_assert_msg(l->raw[l->rawlen - 1] == '\n', "%s: the last line has no end", path);
    size_t hl = strlen(LIST_HEADER);
    ck_assert_msg(l->rawlen >= 3 + hl + 1 && memcmp(l->raw + 3, LIST_HEADER, hl) == 0 && l->raw[3 + hl] == '\n',
                  "%s: header is not exactly '%s': '%.200s'", path, LIST_HEADER, l->raw + 3);
    struct crec *recs;
    size_t nrec = csv_split(l->raw + 3, l->rawlen - 3, ';', &recs);
    ck_assert_int_ge(nrec, 1);
    l->n = nrec - 1;
    l->rows = calloc(l->n + 1, sizeof *l->rows);
    double last = 1e300;
    int seen_empty = 0;
    for (size_t k = 0; k < nrec; k++) {
        if (k == 0) {
            ck_assert_int_eq(recs[0].nf, NCOLS);
        } else {
            struct row *r = &l->rows[k - 1];
            ck_assert_msg(recs[k].nf == NCOLS, "%s row %zu: %zu fields, want %d ';'-separated", path, k, recs[k].nf,
                          NCOLS);
            for (int c = 0; c < NCOLS; c++)
                r->f[c] = recs[k].f[c];
            ck_assert_msg(strlen(r->f[C_TOKEN]) == 64 && all_of(r->f[C_TOKEN], "0123456789abcdef"),
                          "%s row %zu: token '%s'", path, k, r->f[C_TOKEN]);
            ck_assert_msg(all_of(r->f[C_FOYER], "0123456789"), "%s row %zu: foyer '%s'", path, k, r->f[C_FOYER]);
            ck_assert_msg(all_of(r->f[C_REGLE], "abcdefghijklmnopqrstuvwxyz_0123456789"), "%s row %zu: regle '%s'",
                          path, k, r->f[C_REGLE]);
            ck_assert_msg(r->f[C_PRESTATION][0] && r->f[C_MOTIF][0] && r->f[C_CONFIANCE][0],
                          "%s row %zu: empty prestation, motif or confiance", path, k);
            ck_assert_msg(strcmp(r->f[C_PRIORITE], tu_fmt("%zu", k)) == 0, "%s row %zu: priorite '%s', want %zu",
                          path, k, r->f[C_PRIORITE], k);
            ck_assert_msg(is_date(r->f[C_PREMIERE]), "%s row %zu: premiere_detection '%s'", path, k,
                          r->f[C_PREMIERE]);
            ck_assert_msg(strchr(r->f[C_SOURCE], ':') != NULL, "%s row %zu: source '%s'", path, k, r->f[C_SOURCE]);
            const char *m = r->f[C_MONTANT];
            if (*m) {
                ck_assert_msg(is_amount(m), "%s row %zu: montant '%s' is not digits, a decimal comma, two digits",
                              path, k, m);
                ck_assert_msg(!seen_empty, "%s row %zu: an estimate after rows without one", path, k);
                double v = amount(m);
                ck_assert_msg(v <= last, "%s row %zu: estimate %s above the previous row's (%.2f)", path, k, m, last);
                last = v;
            } else {
                seen_empty = 1;
            }
        }
        if (k == 0)
            for (size_t c = 0; c < recs[0].nf; c++)
                free(recs[0].f[c]);
        free(recs[k].f);
    }
    free(recs);
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        for (int c = 0; c < 10; c++)
            free(l->rows[i].f[c]);
    free(l->rows);
    free(l->raw);
}

/* Every outbox/<team>/DATE/liste.csv, read and checked, sorted by team. */
static int cmp_list(const void *a, const void *b)
{
    return strcmp(((const struct list *)a)->team, ((const struct list *)b)->team);
}

static void read_night(struct rt *t, const char *date, struct nightlists *nl)
{
    memset(nl, 0, sizeof *nl);
    char *outbox = strdup(at(t, "outbox"));
    DIR *d = opendir(outbox);
    ck_assert_msg(d != NULL, "no outbox %s", outbox);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = strdup(tu_fmt("%s/%s/%s/liste.csv", outbox, e->d_name, date));
        if (exists(path)) {
            nl->l = realloc(nl->l, (nl->n + 1) * sizeof *nl->l);
            read_list(path, e->d_name, &nl->l[nl->n++]);
        }
        free(path);
    }
    closedir(d);
    free(outbox);
    if (nl->n)
        qsort(nl->l, nl->n, sizeof *nl->l, cmp_list);
}

static void night_free(struct nightlists *nl)
{
    for (size_t i = 0; i < nl->n; i++)
        list_free(&nl->l[i]);
    free(nl->l);
}

static struct list *team_list(struct nightlists *nl, const char *team)
{
    for (size_t i = 0; i < nl->n; i++)
        if (strcmp(nl->l[i].team, team) == 0)
            return &nl->l[i];
    return NULL;
}

static size_t night_rows(const struct nightlists *nl)
{
    size_t n = 0;
    for (size_t i = 0; i < nl->n; i++)
        n += nl->l[i].n;
    return n;
}

/* Whether the night lists (RULE, FOYER); RULE NULL for any rule. */
/* The night's largest list (the first of the largest), or NULL when it has none. */
static struct list *largest_list(struct nightlists *nl)
{
    struct list *L = NULL;
    for (size_t i = 0; i < nl->n; i++)
        if (!L || nl->l[i].n > L->n)
            L = &nl->l[i];
    return L;
}

static int night_has(const struct nightlists *nl, const char *rule, const char *foyer)
{
    for (size_t i = 0; i < nl->n; i++)
        for (size_t k = 0; k < nl->l[i].n; k++)
            if ((!rule || strcmp(nl->l[i].rows[k].f[C_REGLE], rule) == 0) &&
                strcmp(nl->l[i].rows[k].f[C_FOYER], foyer) == 0)
                return 1;
    return 0;
}

static int night_has_token(const struct nightlists *nl, const char *token)
{
    for (size_t i = 0; i < nl->n; i++)
        for (size_t k = 0; k < nl->l[i].n; k++)
            if (strcmp(nl->l[i].rows[k].f[C_TOKEN], token) == 0)
                return 1;
    return 0;
}

/* No temporary file left anywhere under DIR. */
static void assert_no_tmp(const char *dir)
{
    char *out = NULL;
    int rc = tu_run(tu_fmt("find '%s' -name '*.tmp*'", dir), &out, NULL);
    ck_assert_msg(rc == 0 && out && out[0] == '\0', "temporary files left under %s: %s", dir, out ? out : "");
    free(out);
}

/* A number following LABEL in TEXT ("... 3 cooldown" with LABEL " cooldown": the number before). */
static long long num_before(const char *text, const char *label)
{
    const char *p = strstr(text, label);
    ck_assert_msg(p != NULL, "no '%s' in: %s", label, text);
    const char *e = p;
    while (p > text && p[-1] >= '0' && p[-1] <= '9')
        p--;
    ck_assert_msg(p < e, "no number before '%s' in: %s", label, text);
    return strtoll(p, NULL, 10);
}

/* ==== 1. the first night ==================================================================== */

START_TEST(test_first_night)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);

    /* the summary */
    ck_assert_msg(strstr(out, "tznr run " NIGHT " (exécution n° ") == out, "summary: %s", out);
    ck_assert_msg(strstr(out, tu_fmt("extraits : %d chargés, 0 déjà chargé, 0 refusé", t.n)) != NULL,
                  "summary should say %d extracts loaded: %s", t.n, out);
    ck_assert_msg(strstr(out, "listes : ") != NULL && strstr(out, "/<équipe>/" NIGHT "/liste.csv") != NULL,
                  "summary should speak of the lists: %s", out);
    ck_assert_msg(strstr(out, "\n  terminé\n") != NULL, "summary should end with done: %s", out);
    /* the audit log's head, as `tznr audit verify` gives it after the night, just before the
     * status line: the auditor keeps it from each night's summary (docs/audit.md) */
    {
        char *vout = NULL, *verr = NULL;
        int vrc = TZNR(&t, &vout, &verr, "audit verify -c '%s'", t.conf);
        ck_assert_msg(vrc == 0, "tznr audit verify: exit %d: %s%s", vrc, vout, verr);
        long long n = 0;
        char head[65];
        ck_assert_msg(sscanf(vout, "audit chain intact: %lld entries, head %64[0-9a-f]", &n, head) == 2, "%s", vout);
        ck_assert_msg(n > 5 && strlen(head) == 64, "%s", vout);
        const char *line = tu_fmt("\n  journal d'audit : %lld entrées, tête %s\n  terminé\n", n, head);
        ck_assert_msg(strstr(out, line) != NULL, "the summary should give the audit head of 'tznr audit verify' (%s) "
                      "before its last line:\n%s", vout, out);
        free(vout);
        free(verr);
    }

    /* the inbox emptied into archive/DATE */
    for (int i = 0; i < t.n; i++) {
        ck_assert_msg(!exists(at(&t, tu_fmt("inbox/%s", t.s[i].file))), "%s left in the inbox", t.s[i].file);
        ck_assert_msg(!exists(at(&t, tu_fmt("inbox/%s.manifest", t.s[i].file))), "%s.manifest left in the inbox",
                      t.s[i].file);
        const char *arch = at(&t, tu_fmt("archive/" NIGHT "/%s", t.s[i].file));
        ck_assert_msg(exists(arch), "%s not archived", arch);
        ck_assert_msg(exists(tu_fmt("%s.manifest", arch)), "%s.manifest not archived", arch);
        /* moved, not rewritten */
        size_t a, b;
        char *x = slurp(t.s[i].extract, &a), *y = slurp(arch, &b);
        ck_assert_msg(a == b && memcmp(x, y, a) == 0, "archived %s differs from the deposit", t.s[i].file);
        free(x);
        free(y);
    }
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE current_snapshot IS NOT NULL"), t.n);

    /* a list for every source's team, whole, in the lists' format */
    struct nightlists nl;
    read_night(&t, NIGHT, &nl);
    for (int i = 0; i < t.n; i++) {
        struct list *l = team_list(&nl, t.s[i].team);
        ck_assert_msg(l != NULL, "no outbox/%s/" NIGHT "/liste.csv", t.s[i].team);
        for (size_t k = 0; k < l->n; k++) {
            ck_assert_msg(strcmp(l->rows[k].f[C_SOURCE], t.s[i].id) == 0,
                          "team %s lists a token of %s: a source's own team gets its tokens", l->team,
                          l->rows[k].f[C_SOURCE]);
            ck_assert_msg(strcmp(l->rows[k].f[C_PREMIERE], NIGHT) == 0,
                          "first night: premiere_detection '%s', want " NIGHT, l->rows[k].f[C_PREMIERE]);
        }
    }
    ck_assert_int_eq(nl.n, (size_t)t.n);
    size_t rows = night_rows(&nl);
    ck_assert_msg(rows > 0, "the first night lists nobody");
    ck_assert_msg(strstr(out, tu_fmt("listes : %d équipes, %zu foyer%s", t.n, rows, rows > 1 ? "s" : "")) != NULL,
                  "summary should count %d teams and %zu rows: %s", t.n, rows, out);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "'"), (long long)rows);
    /* listed rows match the database: token, foyer, rule, team */
    char *db = sqlv(&t, "SELECT string_agg(team || '|' || pg_catalog.encode(token, 'hex') || '|' || foyer_id || '|'"
                        " || rule_id || '|' || priority, E'\\n' ORDER BY team, priority)"
                        " FROM tznr.list_entry WHERE run_date = '" NIGHT "'");
    char *files = NULL;
    size_t flen = 0;
    FILE *ff = open_memstream(&files, &flen);
    int first = 1;
    for (size_t i = 0; i < nl.n; i++)
        for (size_t k = 0; k < nl.l[i].n; k++) {
            fprintf(ff, "%s%s|%s|%s|%s|%s", first ? "" : "\n", nl.l[i].team, nl.l[i].rows[k].f[C_TOKEN],
                    nl.l[i].rows[k].f[C_FOYER], nl.l[i].rows[k].f[C_REGLE], nl.l[i].rows[k].f[C_PRIORITE]);
            first = 0;
        }
    fclose(ff);
    ck_assert_msg(strcmp(db, files) == 0, "the lists differ from tznr.list_entry:\nfiles:\n%.2000s\ndb:\n%.2000s",
                  files, db);
    free(db);
    free(files);
    /* some estimate written with its decimal comma */
    int amounts = 0;
    for (size_t i = 0; i < nl.n; i++)
        for (size_t k = 0; k < nl.l[i].n; k++)
            amounts += nl.l[i].rows[k].f[C_MONTANT][0] != '\0';
    ck_assert_msg(amounts > 0, "no list row has an estimate");
    assert_no_tmp(at(&t, "outbox"));
    night_free(&nl);

    /* the run's record and the audit log */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run WHERE run_date = '" NIGHT "' AND status = 'done'"
                              " AND finished_at IS NOT NULL"),
                     1);
    char *summary = sqlv(&t, "SELECT summary FROM tznr.run ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(out, summary) == out, "tznr.run.summary differs from stdout:\n%s\n---\n%s", summary, out);
    free(summary);
    free(out);
    free(err);
    rc = TZNR(&t, &out, &err, "audit verify -c '%s'", t.conf);
    ck_assert_msg(rc == 0 && strstr(out, "intact") != NULL, "audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE action = 'load'"), t.n);
    ck_assert_int_ge(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE action = 'link'"), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE action = 'detect'"), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE action = 'export'"), 1);
    rt_free(&t);
}
END_TEST

/* ==== 2. a replayed night, the cooldown ===================================================== */

/* "rule|foyer" of every row of the night. */
static char **night_pairs(const struct nightlists *nl, size_t *n)
{
    *n = night_rows(nl);
    char **v = calloc(*n + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < nl->n; i++)
        for (size_t j = 0; j < nl->l[i].n; j++)
            ck_assert_int_ge(asprintf(&v[k++], "%s|%s", nl->l[i].rows[j].f[C_REGLE], nl->l[i].rows[j].f[C_FOYER]), 0);
    return v;
}

static void pairs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

START_TEST(test_replay_and_cooldown)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n1;
    read_night(&t, NIGHT, &n1);
    ck_assert_int_ge(night_rows(&n1), 1);

    /* the same night again: nothing new in the inbox, the same lists byte for byte */
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run again: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "extraits : 0 chargé,") != NULL, "second run: %s", out);
    ck_assert_msg(num_before(out, " pour délai de carence") == 0, "a replayed night is not held back by itself: %s", out);
    free(out);
    free(err);
    struct nightlists n2;
    read_night(&t, NIGHT, &n2);
    ck_assert_int_eq(n2.n, n1.n);
    for (size_t i = 0; i < n1.n; i++) {
        ck_assert_str_eq(n2.l[i].team, n1.l[i].team);
        ck_assert_msg(n1.l[i].rawlen == n2.l[i].rawlen && memcmp(n1.l[i].raw, n2.l[i].raw, n1.l[i].rawlen) == 0,
                      "team %s: the replayed night's list differs from the first one", n1.l[i].team);
    }
    night_free(&n2);
    /* each run keeps its own entries: the replay's are the same households as the first's */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_id = (SELECT max(id) FROM tznr.run"
                              " WHERE run_date = '" NIGHT "')"),
                     (long long)night_rows(&n1));
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM (SELECT rule_id, foyer_id FROM tznr.list_entry WHERE run_date = '"
                              NIGHT "' GROUP BY rule_id, foyer_id HAVING count(*) <> 2) x"), 0);
    assert_no_tmp(at(&t, "outbox"));

    /* 30 days later, cooldown 90 (the default): none of the pairs listed 30 days before */
    size_t np;
    char **pairs = night_pairs(&n1, &np);
    rc = night(&t, NIGHT_30, &out, &err);
    ck_assert_msg(rc == 0, "tznr run +30: exit %d: %s%s", rc, out, err);
    long long cooled = num_before(out, " pour délai de carence");
    ck_assert_msg(cooled > 0, "30 days later, the cooldown should hold pairs back: %s", out);
    free(out);
    free(err);
    struct nightlists n3;
    read_night(&t, NIGHT_30, &n3);
    ck_assert_msg(n3.n >= (size_t)t.n, "every team gets a list, even an empty one (%zu lists)", n3.n);
    for (size_t i = 0; i < np; i++) {
        char *bar = strchr(pairs[i], '|');
        *bar = '\0';
        ck_assert_msg(!night_has(&n3, pairs[i], bar + 1), "(%s, foyer %s), listed on " NIGHT ", listed again on "
                      NIGHT_30 " despite the 90-day cooldown", pairs[i], bar + 1);
        *bar = '|';
    }
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.candidate c JOIN tznr.run r ON r.id = c.run_id"
                              " WHERE r.run_date = '" NIGHT_30 "' AND c.suppressed = 'cooldown'"),
                     cooled);
    night_free(&n3);

    /* the same later night with cooldown_days = 10: they come back, first detected 30 days before
     * (the extracts are then 55 days old: the registers are kept current for that night, or
     * the households found by a payer's absence would rightly not come back) */
    rt_conf(&t, "[run]\ncooldown_days = 10\n[registers]\nmax_age_days = 60\n");
    rc = night(&t, NIGHT_30, &out, &err);
    ck_assert_msg(rc == 0, "tznr run +30, cooldown 10: exit %d: %s%s", rc, out, err);
    ck_assert_msg(num_before(out, " pour délai de carence") == 0, "cooldown 10 should hold nothing back 30 days later: %s", out);
    free(out);
    free(err);
    read_night(&t, NIGHT_30, &n3);
    size_t back = 0;
    for (size_t i = 0; i < n3.n; i++)
        for (size_t k = 0; k < n3.l[i].n; k++) {
            struct row *r = &n3.l[i].rows[k];
            char *pair = NULL;
            ck_assert_int_ge(asprintf(&pair, "%s|%s", r->f[C_REGLE], r->f[C_FOYER]), 0);
            int was = 0;
            for (size_t j = 0; j < np && !was; j++)
                was = strcmp(pairs[j], pair) == 0;
            if (was) {
                back++;
                ck_assert_msg(strcmp(r->f[C_PREMIERE], NIGHT) == 0,
                              "(%s) first listed on " NIGHT ": premiere_detection '%s'", pair, r->f[C_PREMIERE]);
            }
            free(pair);
        }
    ck_assert_msg(back == np, "with cooldown_days = 10, %zu of the %zu pairs of " NIGHT " came back on " NIGHT_30,
                  back, np);
    night_free(&n3);
    pairs_free(pairs, np);
    night_free(&n1);
    rt_free(&t);
}
END_TEST

/* ==== 3. the run lock ======================================================================== */

START_TEST(test_lock)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    /* another session holds the run's advisory lock */
    char *out = NULL;
    int rc = tu_run(tu_fmt("psql -X -q -d '%s' -c \"SELECT pg_advisory_lock(" RUN_LOCK "); SELECT pg_sleep(20)\""
                           " >/dev/null 2>&1 & echo $!",
                           t.db),
                    &out, NULL);
    ck_assert_msg(rc == 0 && out, "could not start psql");
    pid_t holder = (pid_t)atol(out);
    free(out);
    ck_assert_int_gt(holder, 0);
    long long held = 0;
    for (int i = 0; i < 300 && !held; i++) {
        held = sqln(&t, "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND (classid::bigint << 32 | objid::bigint) = " RUN_LOCK);
        if (!held)
            usleep(100000);
    }
    ck_assert_msg(held, "the psql session never took the lock");

    char *err = NULL;
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 4, "tznr run while another holds the lock: exit %d, want 4: %s%s", rc, out, err);
    ck_assert_msg(strstr(err, "another") != NULL && strstr(err, "run") != NULL,
                  "the message should speak of another run: %s", err);
    free(out);
    free(err);
    /* nothing done: no run recorded, the inbox untouched */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.snapshot"), 0);
    for (int i = 0; i < t.n; i++)
        ck_assert_msg(exists(at(&t, tu_fmt("inbox/%s", t.s[i].file))), "%s left the inbox", t.s[i].file);

    /* the holder gone, the run goes through */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM (SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_locks"
                              " WHERE locktype = 'advisory' AND (classid::bigint << 32 | objid::bigint) = " RUN_LOCK
                              ") x"),
                     1);
    kill(holder, SIGTERM); /* the psql started above, if still there */
    for (int i = 0; i < 300; i++) {
        if (sqln(&t, "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
                     " AND (classid::bigint << 32 | objid::bigint) = " RUN_LOCK) == 0)
            break;
        usleep(100000);
    }
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run after the lock was released: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    rt_free(&t);
}
END_TEST

/* ==== scheduling: cron mails a failed night only; the unit alerts through its template ======== */

/* S with every FROM replaced by TO, malloc'd. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    sbuf b;
    sbuf_init(&b);
    for (const char *p; (p = strstr(s, from)) != NULL; s = p + strlen(from)) {
        sbuf_add(&b, s, (size_t)(p - s));
        sbuf_adds(&b, to);
    }
    sbuf_adds(&b, s);
    return b.p;
}

/* scripts/tznr.cron's command run by sh as cron would (its '\%' unescaped), with the build's
 * tznr and a log in the test's folder, under TZNR_CONFIG=CONF: its status and output. */
static int cron_line(const struct rt *t, const char *config, char **out)
{
    char *cron = tu_read("scripts/tznr.cron", NULL);
    ck_assert_ptr_nonnull(cron);
    char *line = NULL;
    for (char *l = strtok(cron, "\n"); l; l = strtok(NULL, "\n"))
        if (l[0] >= '0' && l[0] <= '9')
            line = l;
    ck_assert_msg(line != NULL, "no schedule line in scripts/tznr.cron");
    /* five time fields and the user, then the command */
    const char *cmd = line;
    for (int f = 0; f < 6; f++) {
        cmd += strcspn(cmd, " \t");
        cmd += strspn(cmd, " \t");
    }
    char *a = replace_all(cmd, "/usr/local/bin/tznr", tu_bin("tznr"));
    char *b = replace_all(a, "/var/log/tznr/run.log", at(t, "run.log"));
    char *c = replace_all(b, "\\%", "%");
    tu_write_str(at(t, "cron.sh"), c);
    free(a);
    free(b);
    free(c);
    free(cron);
    char *err = NULL;
    int rc = tu_run(tu_fmt("TZNR_CONFIG='%s' sh '%s'", config, at(t, "cron.sh")), out, &err);
    ck_assert_msg(err[0] == '\0', "the cron line wrote on stderr: %s", err);
    free(err);
    return rc;
}

START_TEST(test_cron_mails_failures_only)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    /* a night that ends with 0: nothing for cron to mail; the summary in the log */
    char *out = NULL;
    ck_assert_int_eq(cron_line(&t, t.conf, &out), 0);
    ck_assert_msg(out[0] == '\0', "a good night printed (cron would mail it): %s", out);
    free(out);
    char *log = tu_read(at(&t, "run.log"), NULL);
    ck_assert_msg(log && strstr(log, "\n  terminé\n"), "the log should have the night's summary: %s", log);
    size_t loglen = strlen(log);
    free(log);
    /* a refused extract: exit 5, printed with the summary, and logged after the first night */
    tu_write_str(at(&t, "inbox/junk.csv"), "not an extract\n");
    tu_write_str(at(&t, "inbox/junk.csv.manifest"), "format = tznr-extract-v1\n");
    ck_assert_int_eq(cron_line(&t, t.conf, &out), 0);
    ck_assert_msg(strncmp(out, "tznr run: the night ended with exit status 5 (docs/operations.md, Exit codes)\n"
                               "tznr run ", 87) == 0, "%s", out);
    ck_assert_msg(strstr(out, "refusé junk.csv") && strstr(out, "\n  terminé, avec des fichiers refusés"), "%s", out);
    log = tu_read(at(&t, "run.log"), NULL);
    ck_assert_msg(strlen(log) > loglen && strstr(log + loglen, "refusé junk.csv"), "%s", log);
    free(log);
    free(out);
    /* a failure: exit 1 and its message */
    ck_assert_int_eq(cron_line(&t, at(&t, "no-such.conf"), &out), 0);
    ck_assert_msg(strstr(out, "tznr run: the night ended with exit status 1 ") == out &&
                  strstr(out, "\ntznr run: error: could not open "), "%s", out);
    free(out);
    /* the units: the run's OnFailure= names the alert's template, and systemd accepts both */
    char *unit = tu_read("scripts/tznr-run.service", NULL);
    ck_assert_msg(strstr(unit, "\nOnFailure=tznr-failure@%n.service\n") && !strstr(unit, "\nSuccessExitStatus="),
                  "%s", unit);
    char *ours = replace_all(unit, "/usr/local/bin/tznr", tu_bin("tznr"));
    tu_write_str(at(&t, "tznr-run.service"), ours);
    free(ours);
    free(unit);
    char *tmpl = tu_read("scripts/tznr-failure@.service", NULL);
    ck_assert_ptr_nonnull(tmpl);
    tu_write_str(at(&t, "tznr-failure@tznr-run.service.service"), tmpl);
    free(tmpl);
    if (tu_run("command -v systemd-analyze", NULL, NULL) == 0) {
        char *vo = NULL, *ve = NULL;
        int rc = tu_run(tu_fmt("cd '%s' && systemd-analyze verify --man=no ./tznr-run.service "
                               "./tznr-failure@tznr-run.service.service", t.dir), &vo, &ve);
        ck_assert_msg(rc == 0 && ve[0] == '\0', "systemd-analyze verify: exit %d: %s%s", rc, vo, ve);
        free(vo);
        free(ve);
    }
    rt_free(&t);
}
END_TEST

/* ==== 4. a refused extract ==================================================================== */

START_TEST(test_refused_extract)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    /* one byte of the CAF's extract changed after its manifest was written */
    struct src *caf = src_by_id(&t, "caf:gironde");
    char *path = strdup(at(&t, tu_fmt("inbox/%s", caf->file)));
    size_t n;
    char *x = slurp(path, &n);
    char *nl = memchr(x, '\n', n);
    ck_assert(nl != NULL && (size_t)(nl - x) + 2 < n);
    nl[1] = nl[1] == 'a' ? 'b' : 'a'; /* the first token's first digit */
    tu_write(path, x, n);
    free(x);

    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 5, "tznr run with a corrupted extract: exit %d, want 5: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, tu_fmt("extraits : %d chargés, 0 déjà chargé, 1 refusé", t.n - 1)) != NULL,
                  "summary: %s", out);
    ck_assert_msg(strstr(out, tu_fmt("refusé %s : ", caf->file)) != NULL && strstr(out, "sha256") != NULL,
                  "the summary should name the file and the reason: %s", out);
    ck_assert_msg(strstr(out, "\n  terminé\n") == NULL, "summary should not say plainly done: %s", out);
    free(out);
    free(err);

    /* the file and its manifest in rejected/DATE, with a reason naming the sha256 mismatch */
    const char *rej = at(&t, tu_fmt("rejected/" NIGHT "/%s", caf->file));
    ck_assert_msg(exists(rej), "%s not moved to rejected/" NIGHT, caf->file);
    ck_assert_msg(exists(tu_fmt("%s.manifest", rej)), "%s.manifest not moved to rejected/" NIGHT, caf->file);
    char *reason = slurp(tu_fmt("%s.reason", at(&t, tu_fmt("rejected/" NIGHT "/%s", caf->file))), NULL);
    ck_assert_msg(strstr(reason, "sha256") != NULL && strstr(reason, "match") != NULL,
                  "the reason should name the sha256 mismatch: %s", reason);
    free(reason);
    ck_assert(!exists(path) && !exists(tu_fmt("%s.manifest", path)));
    ck_assert(!exists(at(&t, tu_fmt("archive/" NIGHT "/%s", caf->file))));
    free(path);

    /* the others loaded and archived */
    for (int i = 0; i < t.n; i++) {
        if (&t.s[i] == caf)
            continue;
        ck_assert_msg(exists(at(&t, tu_fmt("archive/" NIGHT "/%s", t.s[i].file))), "%s not archived", t.s[i].file);
        ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE id = '%s' AND current_snapshot IS NOT NULL",
                              t.s[i].id),
                         1);
    }
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.snapshot WHERE source_id = 'caf:gironde'"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run WHERE status = 'done_with_refusals'"), 1);
    /* the lists are written all the same, the CAF has none (no current snapshot) */
    struct nightlists nl2;
    read_night(&t, NIGHT, &nl2);
    ck_assert_int_eq(nl2.n, (size_t)t.n - 1);
    ck_assert(team_list(&nl2, caf->team) == NULL);
    night_free(&nl2);
    rt_free(&t);
}
END_TEST

/* ==== 5. an extract waiting for its manifest ================================================== */

START_TEST(test_waiting_for_manifest)
{
    struct rt t;
    rt_init(&t, NULL);
    struct src *late = src_by_id(&t, "departement:gironde");
    for (int i = 0; i < t.n; i++)
        deposit(&t, &t.s[i], &t.s[i] != late);
    char *out = NULL, *err = NULL;
    /* waiting is not a refusal (src/cmd_run.c counts it apart): exit 0 */
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run with an extract waiting for its manifest: exit %d, want 0: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, tu_fmt("extraits : %d chargés, 0 déjà chargé, 0 refusé, 1 en attente de leur manifeste",
                                     t.n - 1)) != NULL,
                  "summary: %s", out);
    free(out);
    free(err);
    const char *in = at(&t, tu_fmt("inbox/%s", late->file));
    ck_assert_msg(exists(in), "the extract without a manifest left the inbox");
    ck_assert(!exists(at(&t, tu_fmt("archive/" NIGHT "/%s", late->file))));
    ck_assert(!exists(at(&t, tu_fmt("rejected/" NIGHT "/%s", late->file))));
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.snapshot WHERE source_id = '%s'", late->id), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.load_attempt WHERE source_id = '%s'", late->id), 0);

    /* its manifest arrives: loaded the next night */
    copy_file(tu_fmt("%s.manifest", late->extract), tu_fmt("%s.manifest", at(&t, tu_fmt("inbox/%s", late->file))));
    rc = night(&t, "2026-11-27", &out, &err);
    ck_assert_msg(rc == 0, "next night: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "extraits : 1 chargé, 0 déjà chargé, 0 refusé\n") != NULL, "next night: %s", out);
    free(out);
    free(err);
    ck_assert(exists(at(&t, tu_fmt("archive/2026-11-27/%s", late->file))));
    ck_assert(!exists(at(&t, tu_fmt("inbox/%s", late->file))));
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE current_snapshot IS NOT NULL"), t.n);
    rt_free(&t);
}
END_TEST

/* ==== 6. the teams' feedback ================================================================== */

#define FB_DAY "2026-11-27"    /* the outcomes' date */
#define NEXT_NIGHT "2026-12-03" /* the night that loads them */

START_TEST(test_feedback)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n1;
    read_night(&t, NIGHT, &n1);

    /* tokens of the latest link run's links: an erreur_rapprochement needs a linked record */
    char *linked = sqlv(&t, "SELECT coalesce(string_agg(DISTINCT pg_catalog.encode(x.tok, 'hex'), ','), '') FROM ("
                            " SELECT token_a AS tok FROM tznr.link WHERE run_id = (SELECT max(id) FROM tznr.link_run"
                            "  WHERE finished_at IS NOT NULL)"
                            " UNION SELECT token_b FROM tznr.link WHERE run_id = (SELECT max(id) FROM tznr.link_run"
                            "  WHERE finished_at IS NOT NULL)) x");
    /* three rows of three different households: A objects, B's right was opened, C's record was
     * joined to the wrong person; D for a row with an unknown statut */
    struct row *A = NULL, *B = NULL, *C = NULL, *D = NULL;
    for (int pass = 0; pass < 4; pass++)
        for (size_t i = 0; i < n1.n; i++)
            for (size_t k = 0; k < n1.l[i].n; k++) {
                struct row *r = &n1.l[i].rows[k];
                const char *f = r->f[C_FOYER];
                if (pass == 0 && !C && strstr(linked, r->f[C_TOKEN]) != NULL)
                    C = r;
                else if (pass == 1 && !A && C && strcmp(f, C->f[C_FOYER]) != 0)
                    A = r;
                else if (pass == 2 && !B && A && strcmp(f, C->f[C_FOYER]) != 0 && strcmp(f, A->f[C_FOYER]) != 0)
                    B = r;
                else if (pass == 3 && !D && B && r != A && r != B && r != C)
                    D = r;
            }
    ck_assert_msg(A && B && C && D, "the first night's lists are too small for this test");
    free(linked);
    char *fA = strdup(A->f[C_FOYER]), *fB = strdup(B->f[C_FOYER]), *fC = strdup(C->f[C_FOYER]);
    char *tA = strdup(A->f[C_TOKEN]), *tB = strdup(B->f[C_TOKEN]), *tC = strdup(C->f[C_TOKEN]);
    char *rB = strdup(B->f[C_REGLE]);

    char *fbdir = strdup(at(&t, "inbox/feedback"));
    ck_assert(mkdir(fbdir, 0755) == 0);
    tu_write_str(tu_fmt("%s/retours-caf.csv", fbdir),
                 tu_fmt("token;regle;statut;date\n"
                        "%s;%s;opposition;" FB_DAY "\n"
                        "%s;%s;droit_ouvert;27/11/2026\n"
                        "%s;%s;erreur_rapprochement;" FB_DAY "\n"
                        "%s;%s;rappele;" FB_DAY "\n"
                        "ABC123;rsa;contacte;" FB_DAY "\n",
                        tA, A->f[C_REGLE], tB, rB, tC, C->f[C_REGLE], D->f[C_TOKEN], D->f[C_REGLE]));

    /* the next night, beyond any cooldown */
    rt_conf(&t, "[run]\ncooldown_days = 0\n");
    rc = night(&t, NEXT_NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run with feedback: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "retours des équipes : 1 fichier, 3 nouveaux résultats (dont 1 opposition), 2 lignes écartées") != NULL,
                  "summary: %s", out);
    ck_assert_msg(num_before(out, " pour opposition,") >= 1, "the opposed household should be held back: %s", out);
    ck_assert_msg(num_before(out, " pour dossier réglé") >= 1, "the settled case should be held back: %s", out);
    free(out);
    free(err);

    /* the file archived, its bad rows beside it with their line numbers */
    ck_assert(!exists(tu_fmt("%s/retours-caf.csv", fbdir)));
    ck_assert_msg(exists(at(&t, "archive/feedback/" NEXT_NIGHT "/retours-caf.csv")), "feedback not archived");
    ck_assert(!exists(tu_fmt("%s/retours-caf.csv.rejects", fbdir)));
    char *rejects = slurp(at(&t, "archive/feedback/" NEXT_NIGHT "/retours-caf.csv.rejects"), NULL);
    struct crec *rr;
    size_t nr = csv_split(rejects, strlen(rejects), ',', &rr);
    ck_assert_msg(nr == 3, "the .rejects file should hold a header and 2 rows: %s", rejects);
    ck_assert_msg(strcmp(rr[0].f[0], "line") == 0, ".rejects header: %s", rejects);
    ck_assert_msg(rr[1].nf >= 2 && strcmp(rr[1].f[0], "5") == 0 && strstr(rr[1].f[1], "statut") != NULL,
                  "line 5's unknown statut: %s", rejects);
    ck_assert_msg(rr[2].nf >= 2 && strcmp(rr[2].f[0], "6") == 0 && strstr(rr[2].f[1], "token") != NULL,
                  "line 6's malformed token: %s", rejects);
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < rr[i].nf; c++)
            free(rr[i].f[c]);
        free(rr[i].f);
    }
    free(rr);
    free(rejects);

    struct nightlists n2;
    read_night(&t, NEXT_NIGHT, &n2);
    /* opposition: the person's household, as it is tonight, for no rule */
    char *fA2 = sqlv(&t, "SELECT foyer_id FROM tznr.person_record WHERE token = pg_catalog.decode('%s', 'hex')", tA);
    ck_assert_msg(!night_has(&n2, NULL, fA2), "foyer %s (the opposed person's) listed again", fA2);
    ck_assert_msg(!night_has(&n2, NULL, fA), "foyer %s (the opposed person's) listed again", fA);
    ck_assert_msg(!night_has_token(&n2, tA), "the opposed token listed again");
    ck_assert_int_ge(sqln(&t, "SELECT count(*) FROM tznr.opposition WHERE token = pg_catalog.decode('%s', 'hex')", tA),
                     1);
    /* droit_ouvert: not that rule for that household within settled_days */
    char *fB2 = sqlv(&t, "SELECT foyer_id FROM tznr.person_record WHERE token = pg_catalog.decode('%s', 'hex')", tB);
    ck_assert_msg(!night_has(&n2, rB, fB2) && !night_has(&n2, rB, fB), "(%s, foyer %s) listed again after droit_ouvert",
                  rB, fB2);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.candidate c JOIN tznr.run r ON r.id = c.run_id"
                              " WHERE r.run_date = '" NEXT_NIGHT "' AND c.rule_id = '%s' AND c.foyer_id = %s"
                              " AND c.suppressed = 'settled'", rB, fB2),
                     1);
    /* erreur_rapprochement: the record's links forbidden, and not made again */
    long long forbidden = sqln(&t, "SELECT count(*) FROM tznr.forbidden_link WHERE token_a = pg_catalog.decode('%s', 'hex')"
                                   " OR token_b = pg_catalog.decode('%s', 'hex')", tC, tC);
    ck_assert_msg(forbidden >= 1, "no tznr.forbidden_link row for the erreur_rapprochement token");
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.link l JOIN tznr.forbidden_link f"
                              " ON (l.source_a, l.token_a, l.source_b, l.token_b) = (f.source_a, f.token_a, f.source_b, f.token_b)"
                              "  OR (l.source_a, l.token_a, l.source_b, l.token_b) = (f.source_b, f.token_b, f.source_a, f.token_a)"
                              " WHERE l.run_id = (SELECT max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"),
                     0);
    /* with cooldown_days = 0, every other pair of the first night is back */
    for (size_t i = 0; i < n1.n; i++)
        for (size_t k = 0; k < n1.l[i].n; k++) {
            struct row *r = &n1.l[i].rows[k];
            if (strcmp(r->f[C_FOYER], fA) == 0 || strcmp(r->f[C_FOYER], fC) == 0 ||
                (strcmp(r->f[C_FOYER], fB) == 0 && strcmp(r->f[C_REGLE], rB) == 0))
                continue;
            ck_assert_msg(night_has(&n2, r->f[C_REGLE], r->f[C_FOYER]),
                          "(%s, foyer %s) not listed again with cooldown_days = 0", r->f[C_REGLE], r->f[C_FOYER]);
        }
    night_free(&n2);

    /* the same file again through tznr feedback: nothing added */
    long long outcomes = sqln(&t, "SELECT count(*) FROM tznr.outcome");
    long long opps = sqln(&t, "SELECT count(*) FROM tznr.opposition");
    long long forb = sqln(&t, "SELECT count(*) FROM tznr.forbidden_link");
    ck_assert_int_eq(outcomes, 3);
    rc = TZNR(&t, &out, &err, "feedback -c '%s' '%s'", t.conf, at(&t, "archive/feedback/" NEXT_NIGHT "/retours-caf.csv"));
    ck_assert_msg(rc == 0, "tznr feedback again: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(err, "0 résultat pris en compte, 3 déjà connus, 2 refusés") != NULL, "tznr feedback again: %s", err);
    free(out);
    free(err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome"), outcomes);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.opposition"), opps);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.forbidden_link"), forb);

    /* a well-formed token that no record and no list knows (a digit mis-copied from the list):
     * listes.md says such a "pseudonyme mal copié" is set aside in the .rejects file */
    char *typo = strdup(tA);
    typo[63] = typo[63] == '0' ? '1' : '0';
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.person_record WHERE token = pg_catalog.decode('%s', 'hex')"
                              , typo),
                     0);
    char *typo_file = strdup(at(&t, "retours-typo.csv"));
    tu_write_str(typo_file, tu_fmt("token;regle;statut;date\n%s;%s;opposition;" FB_DAY "\n", typo, A->f[C_REGLE]));
    rc = TZNR(&t, &out, &err, "feedback -c '%s' '%s'", t.conf, typo_file);
    ck_assert_msg(rc == 0, "tznr feedback with an unknown token: exit %d: %s", rc, err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.opposition"), opps);
    /* an objection sent with a mis-copied token must not vanish silently: it is rejected */
    ck_assert_msg(exists(tu_fmt("%s.rejects", typo_file)), "an unknown token should be rejected: %s", err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome"), outcomes);
    ck_assert_msg(strstr(err, "dont 0 opposition,") != NULL, "no opposition was recorded: %s", err);
    free(out);
    free(err);
    free(typo);
    free(typo_file);

    /* settled_days = 3: the outcome of 6 days before no longer holds B's pair back */
    rt_conf(&t, "[run]\ncooldown_days = 0\nsettled_days = 3\n");
    rc = night(&t, NEXT_NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run, settled_days 3: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    read_night(&t, NEXT_NIGHT, &n2);
    ck_assert_msg(night_has(&n2, rB, fB2), "(%s, foyer %s) should be back after settled_days", rB, fB2);
    ck_assert_msg(!night_has(&n2, NULL, fA2), "an opposition is forever");
    night_free(&n2);

    /* a file that is not a feedback file: refused whole, with its reason, exit 5 */
    outcomes = sqln(&t, "SELECT count(*) FROM tznr.outcome");
    tu_write_str(tu_fmt("%s/notes.csv", fbdir), "nom;prenom;resultat\nDupont;Jean;ok\n");
    rc = night(&t, "2026-12-04", &out, &err);
    ck_assert_msg(rc == 5, "tznr run with a refused feedback file: exit %d, want 5: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "retours refusés notes.csv") != NULL, "summary: %s", out);
    free(out);
    free(err);
    ck_assert(!exists(tu_fmt("%s/notes.csv", fbdir)));
    ck_assert(exists(at(&t, "rejected/feedback/2026-12-04/notes.csv")));
    char *why = slurp(at(&t, "rejected/feedback/2026-12-04/notes.csv.reason"), NULL);
    ck_assert_msg(strstr(why, "en-tête") != NULL, "reason: %s", why);
    free(why);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome"), outcomes);

    free(fA2);
    free(fB2);
    free(fA);
    free(fB);
    free(fC);
    free(tA);
    free(tB);
    free(tC);
    free(rB);
    free(fbdir);
    night_free(&n1);
    rt_free(&t);
}
END_TEST

/* A field for a spreadsheet's CSV: always quoted (as some save it), quotes doubled. */
static void sheet_field(FILE *f, const char *v, int first)
{
    fputs(first ? "\"" : ",\"", f);
    for (; *v; v++)
        fputs(*v == '"' ? "\"\"" : (char[]){*v, '\0'}, f);
    fputc('"', f);
}

/* The list itself sent back, as a spreadsheet saves it after a team filled its statut column:
 * BOM, CRLF, ',' for separator, every field quoted, the agency's columns (local_ref, nom) and a
 * commentaire that holds a name; rows with no statut, a row for a rule its token was never listed
 * for. Dropped in the inbox, then given again to tznr feedback. */
START_TEST(test_feedback_from_list)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n1;
    read_night(&t, NIGHT, &n1);
    struct list *L = largest_list(&n1);
    ck_assert_msg(L && L->n >= 3, "the first night's lists are too small for this test");
    struct row *r0 = &L->rows[0], *r1 = &L->rows[1], *r2 = &L->rows[2];
    char *other = sqlv(&t, "SELECT coalesce(min(id), '') FROM tznr.rule WHERE id NOT IN (SELECT rule_id FROM"
                           " tznr.list_entry WHERE token = pg_catalog.decode('%s', 'hex'))", r1->f[C_TOKEN]);
    ck_assert_msg(other[0], "every rule listed %s", r1->f[C_TOKEN]);

    char *fbdir = strdup(at(&t, "inbox/feedback"));
    ck_assert(mkdir(fbdir, 0755) == 0);
    char *path = strdup(at(&t, tu_fmt("liste-%s-remplie.csv", L->team))); /* the team's copy */
    FILE *f = fopen(path, "wb");
    ck_assert(f != NULL);
    fputs("\xEF\xBB\xBF", f);
    static const char *const head[] = {"token", "local_ref", "foyer", "regle", "prestation", "motif",
                                       "montant_mensuel_estime", "nom", "Statut ", "date", "commentaire"};
    for (size_t c = 0; c < sizeof head / sizeof head[0]; c++)
        sheet_field(f, head[c], c == 0);
    fputs("\r\n", f);
    struct {
        const struct row *r;
        const char *regle, *statut, *date, *commentaire;
    } rows[] = {
        {r0, NULL, "opposition", FB_DAY, "Mme Zorglub ne veut plus être appelée"}, /* line 2 */
        {r1, NULL, " Droit_ouvert ", "", ""},                                        /* line 3: today */
        {r2, NULL, "", "", "rappeler lundi"},                                        /* line 4: no outcome */
        {r1, other, "refus", "27/11/2026", "Zorglub"},                               /* line 5: never listed */
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const struct row *r = rows[k].r;
        const char *v[] = {r->f[C_TOKEN], "REF-42", r->f[C_FOYER], rows[k].regle ? rows[k].regle : r->f[C_REGLE],
                           r->f[C_PRESTATION], r->f[C_MOTIF], r->f[C_MONTANT], "Zorglub", rows[k].statut,
                           rows[k].date, rows[k].commentaire};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
            sheet_field(f, v[c], c == 0);
        fputs("\r\n", f);
    }
    fputs(",,,,,,,,,,\r\n", f); /* line 6: the empty row a spreadsheet leaves */
    ck_assert(fclose(f) == 0);
    const char *base = strrchr(path, '/') + 1;
    copy_file(path, tu_fmt("%s/%s", fbdir, base));

    rt_conf(&t, "[run]\ncooldown_days = 0\n");
    rc = night(&t, NEXT_NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run with a list sent back: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "retours des équipes : 1 fichier, 2 nouveaux résultats (dont 1 opposition), 1 ligne écartée") != NULL,
                  "summary: %s", out);
    free(out);
    free(err);
    /* what it took: the opposition recorded as from a feedback file, the right opened today */
    ck_assert_int_ge(sqln(&t, "SELECT count(*) FROM tznr.opposition WHERE token = pg_catalog.decode('%s', 'hex')",
                          r0->f[C_TOKEN]), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome WHERE token = pg_catalog.decode('%s', 'hex')"
                              " AND rule_id = '%s' AND statut = 'opposition' AND outcome_date = '" FB_DAY "' AND line = 2",
                          r0->f[C_TOKEN], r0->f[C_REGLE]), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome WHERE token = pg_catalog.decode('%s', 'hex')"
                              " AND rule_id = '%s' AND statut = 'droit_ouvert' AND line = 3"
                              " AND outcome_date BETWEEN current_date - 1 AND current_date + 1",
                          r1->f[C_TOKEN], r1->f[C_REGLE]), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome"), 2);
    struct nightlists n2;
    read_night(&t, NEXT_NIGHT, &n2);
    ck_assert_msg(!night_has_token(&n2, r0->f[C_TOKEN]), "the opposed token listed again");
    night_free(&n2);

    /* what it refused: line 5, with its reason; the rejects hold neither the name nor the comment */
    char *arch = strdup(at(&t, tu_fmt("archive/feedback/" NEXT_NIGHT "/%s", base)));
    ck_assert_msg(exists(arch), "list sent back not archived");
    char *rejects = slurp(tu_fmt("%s.rejects", arch), NULL);
    struct crec *rr;
    size_t nr = csv_split(rejects, strlen(rejects), ',', &rr);
    ck_assert_msg(nr == 2, "the .rejects file should hold a header and 1 row: %s", rejects);
    ck_assert_msg(rr[1].nf >= 2 && strcmp(rr[1].f[0], "5") == 0 && strstr(rr[1].f[1], "jamais été listé") != NULL,
                  "line 5's token never listed for %s: %s", other, rejects);
    ck_assert_msg(strstr(rejects, "Zorglub") == NULL, "a name or a commentaire in the .rejects file: %s", rejects);
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < rr[i].nf; c++)
            free(rr[i].f[c]);
        free(rr[i].f);
    }
    free(rr);
    free(rejects);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE details::text LIKE '%%Zorglub%%'"), 0);
    /* what the platform archives: the outcomes only, no name, no agency column, no commentaire */
    char *kept = slurp(arch, NULL);
    ck_assert_msg(strncmp(kept, "token;regle;statut;date\n", 24) == 0 && strstr(kept, "Zorglub") == NULL &&
                      strstr(kept, "REF-42") == NULL && strstr(kept, "rappeler") == NULL &&
                      strstr(kept, tu_fmt("%s;%s;opposition;" FB_DAY "\n", r0->f[C_TOKEN], r0->f[C_REGLE])) != NULL,
                  "the archived list sent back: %s", kept);
    free(kept);

    /* the same file given to tznr feedback: said in French, nothing added */
    rc = TZNR(&t, &out, &err, "feedback -c '%s' '%s'", t.conf, path);
    ck_assert_msg(rc == 0, "tznr feedback of a list sent back: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(err, "liste renvoyée") != NULL &&
                  strstr(err, "0 résultat pris en compte, 2 déjà connus, 1 refusé") != NULL &&
                  strstr(err, "2 lignes sans statut") != NULL && strstr(err, "ligne 5 refusée") != NULL,
                  "tznr feedback of a list sent back: %s", err);
    free(out);
    free(err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.outcome"), 2);

    free(arch);
    free(path);
    free(fbdir);
    free(other);
    night_free(&n1);
    rt_free(&t);
}
END_TEST

/* ==== 7. routing to declared teams ============================================================ */

START_TEST(test_routing)
{
    struct rt t;
    rt_init(&t, "[team.a]\nsource = caf:gironde\ncommunes = 33063\n[team.b]\nsource = caf:gironde\n");
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    /* every CAF household of commune 33063 to a, the others to b */
    long long a = sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "' AND team = 'a'");
    long long b = sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "' AND team = 'b'");
    ck_assert_msg(a > 0 && b > 0, "both teams should get households: a %lld, b %lld", a, b);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry e JOIN tznr.run_foyer f ON f.foyer_id = e.foyer_id"
                              " WHERE e.run_date = '" NIGHT "' AND e.source_id = 'caf:gironde'"
                              " AND (e.team = 'a') IS DISTINCT FROM (f.commune IS NOT DISTINCT FROM '33063')"),
                     0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "'"
                              " AND (team IN ('a', 'b')) <> (source_id = 'caf:gironde')"),
                     0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE team = 'caf_gironde'"), 0);

    /* the files: a and b, no default CAF list */
    struct nightlists nl;
    read_night(&t, NIGHT, &nl);
    ck_assert_msg(!exists(at(&t, "outbox/caf_gironde")), "a caf_gironde list was written though the source has teams");
    struct list *la = team_list(&nl, "a"), *lb = team_list(&nl, "b");
    ck_assert(la && lb);
    ck_assert_int_eq(la->n, a);
    ck_assert_int_eq(lb->n, b);
    for (int pass = 0; pass < 2; pass++) {
        struct list *l = pass ? lb : la;
        for (size_t k = 0; k < l->n; k++) {
            ck_assert_str_eq(l->rows[k].f[C_SOURCE], "caf:gironde");
            char *commune = sqlv(&t, "SELECT coalesce(commune, '') FROM tznr.run_foyer WHERE foyer_id = %s",
                                 l->rows[k].f[C_FOYER]);
            ck_assert_msg((strcmp(commune, "33063") == 0) == (pass == 0), "team %s lists foyer %s of commune '%s'",
                          l->team, l->rows[k].f[C_FOYER], commune);
            free(commune);
        }
    }
    /* the other sources are their own teams */
    for (int i = 0; i < t.n; i++)
        if (strcmp(t.s[i].id, "caf:gironde") != 0)
            ck_assert_msg(team_list(&nl, t.s[i].team) != NULL, "no list for %s", t.s[i].team);
    ck_assert_int_eq(nl.n, (size_t)t.n + 1);
    night_free(&nl);
    rt_free(&t);
}
END_TEST

/* ==== 8. pull commands ======================================================================== */

START_TEST(test_pull)
{
    struct rt t;
    rt_init(&t, NULL);
    struct src *caf = src_by_id(&t, "caf:gironde");
    /* the CAF's deposit, fetched by its pull command (an agency's outbox stands for its sftp) */
    char *pull_conf = NULL;
    ck_assert_int_ge(asprintf(&pull_conf, "[source.caf:gironde]\npull = test -n \"$TZNR_INBOX\" && cp '%s' '%s.manifest'"
                                     " \"$TZNR_INBOX\"/\n",
                              caf->extract, caf->extract),
                     0);
    rt_conf(&t, pull_conf);
    free(pull_conf);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run with a pull: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "collecte caf:gironde : réussie") != NULL, "summary: %s", out);
    ck_assert_msg(strstr(out, "extraits : 1 chargé, 0 déjà chargé, 0 refusé") != NULL, "summary: %s", out);
    free(out);
    free(err);
    ck_assert(exists(at(&t, tu_fmt("archive/" NIGHT "/%s", caf->file))));
    ck_assert(exists(at(&t, tu_fmt("archive/" NIGHT "/%s.manifest", caf->file))));
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE id = 'caf:gironde' AND current_snapshot IS NOT NULL"),
                     1);

    /* a pull that hangs, stopped at pull_timeout, and one that fails: reported, exit 5, the
     * rest of the night goes on */
    struct src *dep = src_by_id(&t, "departement:gironde");
    deposit(&t, dep, 1);
    rt_conf(&t, "[run]\npull_timeout = 2\n[source.caf:gironde]\npull = sleep 30\n"
                "[source.bailleur:habitat33]\npull = exit 3\n");
    rc = night(&t, "2026-11-27", &out, &err);
    ck_assert_msg(rc == 5, "tznr run with failed pulls: exit %d, want 5: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "collecte caf:gironde : ÉCHEC, arrêtée au bout de 2 s ([run] pull_timeout)") != NULL,
                  "the timeout should be reported: %s", out);
    ck_assert_msg(strstr(out, "collecte bailleur:habitat33 : ÉCHEC, code de sortie 3") != NULL,
                  "the failed pull should be reported with its status: %s", out);
    ck_assert_msg(strstr(out, "extraits : 1 chargé, 0 déjà chargé, 0 refusé") != NULL, "summary: %s", out);
    free(out);
    free(err);
    ck_assert(exists(at(&t, tu_fmt("archive/2026-11-27/%s", dep->file))));
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run WHERE run_date = '2026-11-27' AND status = 'done_with_refusals'"),
                     1);
    rt_free(&t);
}
END_TEST

/* ==== 9. tznr export, a bad --date ============================================================ */

START_TEST(test_export_and_bad_date)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n1;
    read_night(&t, NIGHT, &n1);
    ck_assert_int_eq(n1.n, (size_t)t.n);

    /* the lists gone (or damaged), tznr export writes them again byte for byte */
    for (size_t i = 0; i < n1.n; i++) {
        const char *p = at(&t, tu_fmt("outbox/%s/" NIGHT "/liste.csv", n1.l[i].team));
        if (i % 2)
            ck_assert(unlink(p) == 0);
        else
            tu_write_str(p, "damaged\n");
    }
    rc = TZNR(&t, &out, &err, "export -c '%s' --date " NIGHT, t.conf);
    ck_assert_msg(rc == 0, "tznr export: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n2;
    read_night(&t, NIGHT, &n2);
    ck_assert_int_eq(n2.n, n1.n);
    for (size_t i = 0; i < n1.n; i++) {
        ck_assert_str_eq(n2.l[i].team, n1.l[i].team);
        ck_assert_msg(n1.l[i].rawlen == n2.l[i].rawlen && memcmp(n1.l[i].raw, n2.l[i].raw, n1.l[i].rawlen) == 0,
                      "team %s: tznr export wrote a different list", n1.l[i].team);
    }
    night_free(&n2);
    assert_no_tmp(at(&t, "outbox"));
    /* a date without a run: nothing to export */
    rc = TZNR(&t, &out, &err, "export -c '%s' --date 2026-11-25", t.conf);
    ck_assert_msg(rc == 1 && strstr(err, "no finished run") != NULL, "tznr export of a night without a run: exit %d: %s",
                  rc, err);
    ck_assert(!exists(at(&t, "outbox/caf_gironde/2026-11-25")));
    free(out);
    free(err);

    /* an impossible --date: usage, nothing done */
    long long runs = sqln(&t, "SELECT count(*) FROM tznr.run");
    rc = TZNR(&t, &out, &err, "run -c '%s' --date 2026-02-30", t.conf);
    ck_assert_msg(rc == 2, "tznr run --date 2026-02-30: exit %d, want 2: %s%s", rc, out, err);
    ck_assert_msg(strstr(err, "2026-02-30") != NULL, "the message should quote the date: %s", err);
    free(out);
    free(err);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run"), runs);
    ck_assert(!exists(at(&t, "outbox/caf_gironde/2026-02-30")));
    night_free(&n1);
    rt_free(&t);
}
END_TEST

/* A replayed night that fails after its detection was committed (its export cannot write a
 * list): the night's lists must survive, through `tznr export` as through a new run. */
START_TEST(test_export_after_failed_replay)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n1;
    read_night(&t, NIGHT, &n1);
    ck_assert_int_ge(night_rows(&n1), 1);

    /* the replay's export cannot create the CAF's temporary list */
    char *block = strdup(at(&t, "outbox/caf_gironde/" NIGHT "/liste.csv.tmp"));
    ck_assert(mkdir(block, 0755) == 0);
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 1, "tznr run whose export fails: exit %d, want 1: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert(rmdir(block) == 0);
    free(block);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run WHERE status = 'failed'"), 1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run WHERE status = 'done'"), 1);

    /* tznr export of that night: the latest run that did not fail, the first one */
    rc = TZNR(&t, &out, &err, "export -c '%s' --date " NIGHT, t.conf);
    ck_assert_msg(rc == 0, "tznr export: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists n2;
    read_night(&t, NIGHT, &n2);
    ck_assert_int_eq(n2.n, n1.n);
    /* a failed replay leaves the night's lists whole: export writes them again as they were */
    for (size_t i = 0; i < n1.n; i++)
        ck_assert_msg(n1.l[i].rawlen == n2.l[i].rawlen && memcmp(n1.l[i].raw, n2.l[i].raw, n1.l[i].rawlen) == 0,
                      "team %s: tznr export after a failed replay wrote %zu rows, the night had %zu",
                      n1.l[i].team, n2.l[i].n, n1.l[i].n);
    night_free(&n2);

    /* the documented recovery: run the night again */
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run again: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    read_night(&t, NIGHT, &n2);
    ck_assert_int_eq(n2.n, n1.n);
    for (size_t i = 0; i < n1.n; i++)
        ck_assert_msg(n1.l[i].rawlen == n2.l[i].rawlen && memcmp(n1.l[i].raw, n2.l[i].raw, n1.l[i].rawlen) == 0,
                      "team %s: the night run again differs from the first run", n1.l[i].team);
    night_free(&n2);
    assert_no_tmp(at(&t, "outbox"));
    night_free(&n1);
    rt_free(&t);
}
END_TEST

/* ==== 10. a malformed parameters file ========================================================= */

START_TEST(test_bad_parameters)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    /* the parameters file with its third line broken (';' for ',') */
    size_t n;
    char *p = slurp(t.params, &n);
    char *l2 = strchr(p, '\n');
    ck_assert(l2 != NULL);
    char *l3 = strchr(l2 + 1, '\n');
    ck_assert(l3 != NULL);
    l3++;
    char *e3 = strchr(l3, '\n');
    ck_assert(e3 != NULL);
    for (char *q = l3; q < e3; q++)
        if (*q == ',')
            *q = ';';
    char *bad = strdup(at(&t, "parametres.csv"));
    tu_write(bad, p, n);
    free(p);
    free(t.params);
    t.params = bad;
    rt_conf(&t, NULL);

    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 1, "tznr run with a malformed parameters file: exit %d, want 1: %s%s", rc, out, err);
    ck_assert_msg(strstr(err, bad) != NULL && strstr(err, "line 3") != NULL,
                  "the message should name the file and line 3: %s", err);
    ck_assert_msg(strstr(err, "the night does not start") != NULL, "%s", err);
    free(out);
    free(err);
    /* found by the checks before the night (tznr check): nothing started, no run recorded */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run"), 0);
    /* no rule ran, no list was written */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.candidate"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry"), 0);
    for (int i = 0; i < t.n; i++)
        ck_assert(!exists(at(&t, tu_fmt("outbox/%s/" NIGHT, t.s[i].team))));
    /* tznr export does not take a failed run */
    rc = TZNR(&t, &out, &err, "export -c '%s' --date " NIGHT, t.conf);
    ck_assert_msg(rc == 1, "tznr export of a failed night: exit %d: %s", rc, err);
    free(out);
    free(err);
    rt_free(&t);
}
END_TEST

/* ==== 11. hand-made households: who is contacted, and who is not ============================ */

/* Households described here as people the test knows (docs/listes.md): what must be listed,
 * to whom, and what must not, follows from who they are and what they said, not from the code.
 * Each agency writes its export in the canonical raw format and pseudonymises it with the
 * spec's test key (tu_deposit_canonical). */

static const char HM_HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                                "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                                "rsa,prime_activite,aide_logement,aah,css\n";

/* The figures from nb_personnes on (11 columns): a single adult of 300 EUR a month whom the
 * agency pays no RSA (a RSA of about 270 EUR is due); a couple with a child on 400 EUR, no RSA;
 * a member of a household (the claimant's record carries the figures). */
#define HM_SINGLE_POOR "1,0,300,0,,,0,0,,0,"
#define HM_FAMILY_POOR "3,1,400,0,,,0,0,,0,"
#define HM_MEMBER ",,,,,,,,,,"

struct hp {
    const char *nom, *prenom, *dob, *sexe, *nir13;
};

static const struct hp DUBOIS = {"DUBOIS", "Jean", "1980-04-12", "1", "1800433063201"};
static const struct hp MOREAU = {"MOREAU", "Alice", "1984-06-03", "2", "2840633063202"};
static const struct hp LEROY = {"LEROY", "Sophie", "1976-08-08", "2", "2760833063208"};
static const struct hp ROBERT = {"ROBERT", "Paul", "1970-03-03", "1", "1700333063206"};
static const struct hp GIRARD = {"GIRARD", "Henri", "1955-09-09", "1", "1550933063207"};

/* Four families of three: the claimant (D), the partner (C), a child (E). */
static const struct hp FAMILY[4][3] = {
    {{"LAURENT", "Marc", "1979-01-15", "1", "1790133063211"},
     {"LAURENT", "Julie", "1981-02-20", "2", "2810233063212"},
     {"LAURENT", "Emma", "2015-05-05", "2", "2150533063213"}},
    {{"FONTAINE", "Nadia", "1983-07-19", "2", "2830733063221"},
     {"FONTAINE", "Karim", "1982-11-02", "1", "1821133063222"},
     {"FONTAINE", "Yanis", "2016-09-30", "1", "1160933063223"}},
    {{"CHEVALIER", "Luc", "1975-12-24", "1", "1751233063231"},
     {"CHEVALIER", "Ines", "1978-03-08", "2", "2780333063232"},
     {"CHEVALIER", "Hugo", "2012-01-17", "1", "1120133063233"}},
    {{"BONNET", "Sarah", "1988-05-11", "2", "2880533063241"},
     {"BONNET", "Tom", "1987-10-06", "1", "1871033063242"},
     {"BONNET", "Lina", "2019-04-22", "2", "2190433063243"}},
};
static const char *const ROLES = "DCE";

/* A family each of three agencies knows two members of. */
static const struct hp GAUTIER[3] = {{"GAUTIER", "Paul", "1977-06-14", "1", "1770633063251"},
                                     {"GAUTIER", "Claire", "1979-10-01", "2", "2791033063252"},
                                     {"GAUTIER", "Leo", "2014-02-28", "1", "1140233063253"}};

/* One raw row: REF, household HH, ROLE, person P, the figures FIELDS. */
static const char *hm_row(const char *ref, const char *hh, char role, const struct hp *p, const char *fields)
{
    return tu_fmt("%s,%s,%c,%s,%s,%s,%s,%s,33063,%s\n", ref, hh, role, tu_nir15(p->nir13), p->nom, p->prenom, p->dob,
                  p->sexe, fields);
}

struct hm {
    const char *dir, *db, *conf, *key;
};

static void hm_init(struct hm *h, const char *extra_conf)
{
    h->dir = tu_tmpdir();
    h->db = strdup(tu_db(1));
    h->key = strdup(tu_test_key(h->dir));
    h->conf = tu_conf_params(h->dir, h->db, extra_conf);
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s/inbox/feedback' '%s/agencies'", h->dir, h->dir), NULL, NULL), 0);
}

/* The configuration again, with EXTRA_CONF (the same file). */
static void hm_conf(struct hm *h, const char *extra_conf)
{
    free((char *)h->conf);
    h->conf = tu_conf_params(h->dir, h->db, extra_conf);
}

/* SOURCE's agency deposits BODY (rows after the header), extract dated DATE. */
static void hm_deposit(const struct hm *h, const char *source, const char *date, const char *body)
{
    tu_deposit_canonical(h->dir, h->key, source, date, HM_HEADER, body);
}

/* `tznr run` on DATE, which must succeed; its summary (malloc'd). */
static char *hm_night(const struct hm *h, const char *date)
{
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("'%s' run -c '%s' --date %s", tu_bin("tznr"), h->conf, date), &out, &err);
    ck_assert_msg(rc == 0, "tznr run %s: exit %d: %s%s", date, rc, out, err);
    free(err);
    return out;
}

static long long hm_sqln(const struct hm *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long hm_sqln(const struct hm *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(h->db, fmt, ap);
    va_end(ap);
    return v;
}

static char *hm_sqlv(const struct hm *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *hm_sqlv(const struct hm *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = tu_vsqlv(h->db, fmt, ap);
    va_end(ap);
    return v;
}

/* The foyer and the person of TOKEN at SOURCE in the latest linkage. */
static long long hm_foyer(const struct hm *h, const char *source, const char *token)
{
    return hm_sqln(h, "SELECT foyer_id FROM tznr.person_record WHERE source_id = '%s'"
                      " AND token = pg_catalog.decode('%s', 'hex')", source, token);
}

static long long hm_person(const struct hm *h, const char *source, const char *token)
{
    return hm_sqln(h, "SELECT person_id FROM tznr.person_record WHERE source_id = '%s'"
                      " AND token = pg_catalog.decode('%s', 'hex')", source, token);
}

/* How many entries of the night DATE list RULE for the household of TOKEN at SOURCE (RULE NULL:
 * any rule). */
static long long hm_listed(const struct hm *h, const char *date, const char *rule, const char *source,
                           const char *token)
{
    return hm_sqln(h, "SELECT count(*) FROM tznr.list_entry e WHERE e.run_date = '%s' AND e.foyer_id = %lld%s%s%s",
                   date, hm_foyer(h, source, token), rule ? " AND e.rule_id = '" : "", rule ? rule : "",
                   rule ? "'" : "");
}

/* The teams' feedback file NAME in the inbox, rows token;regle;statut;date. */
static void hm_feedback(const struct hm *h, const char *name, const char *rows)
{
    tu_write_str(tu_fmt("%s/inbox/feedback/%s", h->dir, name), tu_fmt("token;regle;statut;date\n%s", rows));
}

static void hm_free(struct hm *h)
{
    free((char *)h->dir);
    free((char *)h->db);
    free((char *)h->conf);
    free((char *)h->key);
}

/* The CAF's four families (references F<i>D, F<i>C, F<i>E, households H<i>). */
static char *hm_families(void)
{
    char *s = strdup("");
    for (int i = 0; i < 4; i++)
        for (int m = 0; m < 3; m++) {
            char *n = NULL;
            ck_assert_int_ge(asprintf(&n, "%s%s", s,
                                      hm_row(tu_fmt("F%d%c", i, ROLES[m]), tu_fmt("H%d", i), ROLES[m], &FAMILY[i][m],
                                             m == 0 ? HM_FAMILY_POOR : HM_MEMBER)),
                             0);
            free(s);
            s = n;
        }
    return s;
}

/* A household is the people an agency files together: the partner's and the child's records
 * (other persons, no key in common with the claimant) are in the claimant's foyer, which is a
 * couple with a child; and a family each of three agencies knows two members of (the CAF the
 * couple, the landlord the mother and the child, the CCAS the father and the child) is one
 * foyer through the persons the agencies' households share. */
START_TEST(test_households_are_one_foyer)
{
    struct hm h;
    hm_init(&h, NULL);
    const struct hp *A = &GAUTIER[0], *B = &GAUTIER[1], *C = &GAUTIER[2];
    char *fam = hm_families(), *caf = NULL;
    ck_assert_int_ge(asprintf(&caf, "%s%s%s", fam, hm_row("G1", "HG", 'D', A, "3,1,500,0,,,0,0,,0,"),
                              hm_row("G2", "HG", 'C', B, HM_MEMBER)),
                     0);
    hm_deposit(&h, "caf:gironde", "2026-11-20", caf);
    free(fam);
    free(caf);
    hm_deposit(&h, "bailleur:hab", "2026-11-20",
               tu_fmt("%s%s", hm_row("B1", "L1", 'D', B, "2,1,,,450,0,,,,,"), hm_row("B2", "L1", 'E', C, HM_MEMBER)));
    hm_deposit(&h, "ccas:bordeaux", "2026-11-20",
               tu_fmt("%s%s", hm_row("S1", "K1", 'D', A, HM_MEMBER), hm_row("S2", "K1", 'E', C, HM_MEMBER)));
    char *summary = hm_night(&h, NIGHT);
    /* a territory this small cannot estimate a linkage model: the night says so, in French in
     * its summary and its report, and links on the exact keys (which is all these families need) */
    ck_assert_msg(strstr(summary, "\n  rapprochement : pas de modèle cette nuit (trop peu de paires candidates pour "
                                  "estimer un modèle (") != NULL, "%s", summary);
    free(summary);
    char *report = tu_read(tu_fmt("%s/outbox/rapport-%s.html", h.dir, NIGHT), NULL);
    ck_assert_msg(report && strstr(report, "<p>Pas de modèle cette nuit : trop peu de paires candidates pour estimer un "
                                           "modèle ("),
                  "the report does not say why the night had no model");
    free(report);

    for (int i = 0; i < 4; i++) {
        char *d = tu_deposit_token(h.dir, "caf:gironde", tu_fmt("F%dD", i));
        long long fd = hm_foyer(&h, "caf:gironde", d);
        for (int m = 1; m < 3; m++) {
            char *o = tu_deposit_token(h.dir, "caf:gironde", tu_fmt("F%d%c", i, ROLES[m]));
            ck_assert_msg(hm_foyer(&h, "caf:gironde", o) == fd, "family %d: the %s's record (%s %s) is not in the "
                          "claimant's foyer", i, m == 1 ? "partner" : "child", FAMILY[i][m].prenom, FAMILY[i][m].nom);
            ck_assert_msg(hm_person(&h, "caf:gironde", o) != hm_person(&h, "caf:gironde", d),
                          "family %d: two people made one person", i);
            free(o);
        }
        /* the foyer the rules see: a couple with one child, listed for the RSA as such */
        char *f = hm_sqlv(&h, "SELECT couple || '|' || nb_personnes || '|' || nb_enfants FROM tznr.run_foyer"
                              " WHERE foyer_id = %lld", fd);
        ck_assert_msg(strcmp(f, "true|3|1") == 0, "family %d: run_foyer says couple|persons|children %s", i, f);
        free(f);
        char *motif = hm_sqlv(&h, "SELECT coalesce(string_agg(motif, ' / '), '') FROM tznr.list_entry"
                                  " WHERE run_date = '" NIGHT "' AND rule_id = 'rsa' AND foyer_id = %lld", fd);
        ck_assert_msg(strstr(motif, "un couple avec 1 enfant") != NULL, "family %d: the RSA's motif: '%s'", i, motif);
        free(motif);
        free(d);
    }
    /* the Gautiers across three agencies: six records, three persons, one foyer */
    static const struct {
        const char *source, *ref;
    } G[] = {{"caf:gironde", "G1"},  {"caf:gironde", "G2"},   {"bailleur:hab", "B1"},
             {"bailleur:hab", "B2"}, {"ccas:bordeaux", "S1"}, {"ccas:bordeaux", "S2"}};
    long long fg = -1;
    for (size_t i = 0; i < sizeof G / sizeof G[0]; i++) {
        char *tok = tu_deposit_token(h.dir, G[i].source, G[i].ref);
        long long f = hm_foyer(&h, G[i].source, tok);
        if (i == 0)
            fg = f;
        ck_assert_msg(f == fg, "the Gautiers: %s's record %s is in foyer %lld, the CAF's claimant in %lld", G[i].source,
                      G[i].ref, f, fg);
        free(tok);
    }
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(DISTINCT person_id) FROM tznr.person_record WHERE foyer_id = %lld", fg),
                     3);
    hm_free(&h);
}
END_TEST

/* Routing (docs/listes.md, « Pourquoi ce foyer vous est adressé »): to the first agency of the
 * rule's order that knows the household, with the pseudonym of its claimant when it knows
 * them. The CAF knows the four families whole: each goes to the CAF with the claimant's token,
 * never the partner's or the child's (the team would call the wrong person). The Département,
 * first for the RSA, knows only Mme Laurent, as the partner of a household of its own: the
 * Laurents go to the Département, with her token. */
START_TEST(test_routing_to_the_claimant)
{
    struct hm h;
    hm_init(&h, NULL);
    char *fam = hm_families();
    hm_deposit(&h, "caf:gironde", "2026-11-20", fam);
    free(fam);
    hm_deposit(&h, "departement:gironde", "2026-11-20", hm_row("D1", "DH1", 'C', &FAMILY[0][1], HM_MEMBER));
    free(hm_night(&h, NIGHT));
    for (int i = 0; i < 4; i++) {
        char *d = tu_deposit_token(h.dir, "caf:gironde", tu_fmt("F%dD", i));
        long long f = hm_foyer(&h, "caf:gironde", d);
        ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "'"
                                     " AND rule_id = 'rsa' AND foyer_id = %lld", f), 1);
        char *got = hm_sqlv(&h, "SELECT source_id || ' ' || pg_catalog.encode(token, 'hex') FROM tznr.list_entry"
                                " WHERE run_date = '" NIGHT "' AND rule_id = 'rsa' AND foyer_id = %lld", f);
        char *want = NULL;
        if (i == 0) {
            char *dep = tu_deposit_token(h.dir, "departement:gironde", "D1");
            ck_assert_int_ge(asprintf(&want, "departement:gironde %s", dep), 0);
            free(dep);
        } else {
            ck_assert_int_ge(asprintf(&want, "caf:gironde %s", d), 0);
        }
        ck_assert_msg(strcmp(got, want) == 0, "family %d (%s): routed to '%s', want '%s'%s", i, FAMILY[i][0].nom, got,
                      want, i ? " (the claimant's record)" : " (the Département comes first for the RSA)");
        free(got);
        free(want);
        free(d);
    }
    hm_free(&h);
}
END_TEST

#define HM_FB_DAY "2026-11-27"
#define HM_WEEK "2026-12-03"

/* Outcomes (docs/listes.md, « Renvoyer les résultats »): M. Dubois does not want to claim the
 * RSA (refus): a settled case, not listed for the RSA for settled_days; nobody could reach Mme
 * Moreau (injoignable): no effect, she is listed again once the cooldown is over (here 0). */
START_TEST(test_outcomes_that_settle)
{
    struct hm h;
    hm_init(&h, NULL);
    hm_deposit(&h, "caf:gironde", "2026-11-20",
               tu_fmt("%s%s", hm_row("C1", "H1", 'D', &DUBOIS, HM_SINGLE_POOR),
                      hm_row("C2", "H2", 'D', &MOREAU, HM_SINGLE_POOR)));
    char *dub = tu_deposit_token(h.dir, "caf:gironde", "C1"), *mor = tu_deposit_token(h.dir, "caf:gironde", "C2");
    free(hm_night(&h, NIGHT));
    ck_assert_int_eq(hm_listed(&h, NIGHT, "rsa", "caf:gironde", dub), 1);
    ck_assert_int_eq(hm_listed(&h, NIGHT, "rsa", "caf:gironde", mor), 1);
    hm_feedback(&h, "retours.csv",
                tu_fmt("%s;rsa;refus;" HM_FB_DAY "\n%s;rsa;injoignable;" HM_FB_DAY "\n", dub, mor));
    hm_conf(&h, "[run]\ncooldown_days = 0\n");
    char *sum = hm_night(&h, HM_WEEK);
    ck_assert_msg(strstr(sum, "2 nouveaux résultats") != NULL, "both outcomes should be loaded: %s", sum);
    free(sum);
    ck_assert_msg(hm_listed(&h, HM_WEEK, "rsa", "caf:gironde", dub) == 0,
                  "M. Dubois said no (refus) a week ago and is listed again for the RSA");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.candidate c JOIN tznr.run r ON r.id = c.run_id"
                                 " WHERE r.run_date = '" HM_WEEK "' AND c.rule_id = 'rsa' AND c.foyer_id = %lld"
                                 " AND c.suppressed = 'settled'", hm_foyer(&h, "caf:gironde", dub)),
                     1);
    ck_assert_msg(hm_listed(&h, HM_WEEK, "rsa", "caf:gironde", mor) == 1,
                  "Mme Moreau could not be reached (injoignable): she should be listed again after the cooldown");
    free(dub);
    free(mor);
    hm_free(&h);
}
END_TEST

/* The cooldown (docs/listes.md: not listed again for the same benefit for 90 days): M. Dubois,
 * listed on 2026-11-26, is held back on day 89 (2027-02-23) and listed again on day 90
 * (2027-02-24), first detected on the first night. */
START_TEST(test_cooldown_lasts_ninety_days)
{
    struct hm h;
    hm_init(&h, NULL);
    hm_deposit(&h, "caf:gironde", "2026-11-20", hm_row("C1", "H1", 'D', &DUBOIS, HM_SINGLE_POOR));
    char *dub = tu_deposit_token(h.dir, "caf:gironde", "C1");
    free(hm_night(&h, NIGHT));
    ck_assert_int_eq(hm_listed(&h, NIGHT, "rsa", "caf:gironde", dub), 1);
    free(hm_night(&h, "2027-02-23"));
    ck_assert_msg(hm_listed(&h, "2027-02-23", "rsa", "caf:gironde", dub) == 0, "listed again on day 89 of the cooldown");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.candidate c JOIN tznr.run r ON r.id = c.run_id"
                                 " WHERE r.run_date = '2027-02-23' AND c.suppressed = 'cooldown'"),
                     1);
    free(hm_night(&h, "2027-02-24"));
    ck_assert_msg(hm_listed(&h, "2027-02-24", "rsa", "caf:gironde", dub) == 1,
                  "not listed again on day 90, when the 90-day cooldown is over");
    char *first = hm_sqlv(&h, "SELECT first_detected FROM tznr.list_entry WHERE run_date = '2027-02-24'");
    ck_assert_str_eq(first, NIGHT);
    free(first);
    free(dub);
    hm_free(&h);
}
END_TEST

/* An opposition is forever and follows the person (docs/listes.md: « même si elle change de
 * pseudonyme ou d'organisme »). Mme Leroy, known to the CAF and to her landlord, objects
 * through the CAF's list. Later the CAF files her under a new reference (a new token), then her
 * landlord too: once none of the tokens she objected under is left, she must still never be
 * listed. */
START_TEST(test_opposition_follows_new_tokens)
{
    struct hm h;
    hm_init(&h, "[run]\ncooldown_days = 0\n");
    hm_deposit(&h, "caf:gironde", "2026-11-20", hm_row("C1", "H1", 'D', &LEROY, HM_SINGLE_POOR));
    hm_deposit(&h, "bailleur:hab", "2026-11-20", hm_row("B1", "L1", 'D', &LEROY, "1,0,,,420,0,,,,,"));
    char *old = tu_deposit_token(h.dir, "caf:gironde", "C1"), *land0 = tu_deposit_token(h.dir, "bailleur:hab", "B1");
    free(hm_night(&h, NIGHT));
    ck_assert_int_eq(hm_listed(&h, NIGHT, "rsa", "caf:gironde", old), 1);
    hm_feedback(&h, "retours.csv", tu_fmt("%s;rsa;opposition;" HM_FB_DAY "\n", old));
    free(hm_night(&h, "2026-11-28"));
    ck_assert_int_eq(hm_listed(&h, "2026-11-28", NULL, "caf:gironde", old), 0);

    /* the CAF's next extract: Mme Leroy under reference C9 */
    hm_deposit(&h, "caf:gironde", "2026-12-01", hm_row("C9", "H9", 'D', &LEROY, HM_SINGLE_POOR));
    char *new = tu_deposit_token(h.dir, "caf:gironde", "C9");
    ck_assert_str_ne(new, old);
    free(hm_night(&h, "2026-12-02"));
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.current_record WHERE source_id = 'caf:gironde'"
                                 " AND token = pg_catalog.decode('%s', 'hex')", old), 0);
    ck_assert_msg(hm_listed(&h, "2026-12-02", NULL, "caf:gironde", new) == 0,
                  "Mme Leroy objected, and is listed again under her new CAF token");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '2026-12-02'"), 0);

    /* then her landlord files her under a new reference too: none of the tokens she objected
     * under is left, only those the nights carried her opposition to */
    hm_deposit(&h, "bailleur:hab", "2026-12-05", hm_row("B9", "L9", 'D', &LEROY, "1,0,,,420,0,,,,,"));
    char *land = tu_deposit_token(h.dir, "bailleur:hab", "B9");
    free(hm_night(&h, "2026-12-06"));
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.current_record WHERE token IN"
                                 " (pg_catalog.decode('%s', 'hex'), pg_catalog.decode('%s', 'hex'))", old, land0), 0);
    ck_assert_msg(hm_listed(&h, "2026-12-06", NULL, "caf:gironde", new) == 0,
                  "Mme Leroy objected, and is listed again once all her records have new tokens");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '2026-12-06'"), 0);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.opposition WHERE source_id = 'bailleur:hab'"
                                 " AND token = pg_catalog.decode('%s', 'hex')", land), 1);
    free(land);
    free(land0);
    free(old);
    free(new);
    hm_free(&h);
}
END_TEST

/* Retention (docs/operations.md, purge): a superseded snapshot older than keep_snapshots_days
 * is dropped, its history row kept; link runs beyond keep_link_runs are deleted. With 0 days
 * and 1 run, the CAF's first snapshot goes the night its second one is loaded. */
START_TEST(test_purge_superseded_snapshots)
{
    struct hm h;
    hm_init(&h, "[retention]\nkeep_snapshots_days = 0\nkeep_link_runs = 1\n");
    hm_deposit(&h, "caf:gironde", "2026-11-20", hm_row("C1", "H1", 'D', &DUBOIS, HM_SINGLE_POOR));
    free(hm_night(&h, NIGHT));
    long long first = hm_sqln(&h, "SELECT current_snapshot FROM tznr.source WHERE id = 'caf:gironde'");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.record WHERE snapshot_id = %lld", first), 1);
    hm_deposit(&h, "caf:gironde", "2026-12-01",
               tu_fmt("%s%s", hm_row("C1", "H1", 'D', &DUBOIS, HM_SINGLE_POOR),
                      hm_row("C2", "H2", 'D', &MOREAU, HM_SINGLE_POOR)));
    /* links of the first run (the purge, as the batch, must take them with their run) */
    ck_assert_int_eq(hm_sqln(&h, "INSERT INTO tznr.link SELECT id, 'x', '\\x00', 'y', '\\x01', 'nir', 1"
                                 "  FROM tznr.link_run;"
                                 "INSERT INTO tznr.possible_link SELECT id, 'x', '\\x00', 'y', '\\x01', 0.6"
                                 "  FROM tznr.link_run;"
                                 "SELECT count(*) FROM tznr.link WHERE source_a = 'x'"),
                     1);
    char *sum = hm_night(&h, "2026-12-02");
    ck_assert_int_eq(hm_sqln(&h, "SELECT (SELECT count(*) FROM tznr.link WHERE source_a = 'x')"
                                 "     + (SELECT count(*) FROM tznr.possible_link WHERE source_a = 'x')"),
                     0);
    long long second = hm_sqln(&h, "SELECT current_snapshot FROM tznr.source WHERE id = 'caf:gironde'");
    ck_assert_int_ne(first, second);
    ck_assert_msg(strstr(sum, "purge : 1 instantané remplacé supprimé, 1 ancien rapprochement supprimé") != NULL,
                  "the summary should report the purge: %s", sum);
    free(sum);
    /* the first snapshot's records gone, its history row kept and marked */
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                                 " ON n.oid = c.relnamespace WHERE n.nspname = 'tznr' AND c.relname = 'record_%lld'",
                             first),
                     0);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.record WHERE snapshot_id = %lld", first), 0);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.snapshot WHERE id = %lld AND dropped_at IS NOT NULL",
                             first),
                     1);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.record WHERE snapshot_id = %lld", second), 2);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.link_run"), 1);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.audit_log WHERE action = 'purge'"), 1);
    hm_free(&h);
}
END_TEST

/* The persons are written incrementally (docs/linking.md, « Persons »): a night where few
 * records changed writes only their rows of tznr.person_record (new records, records gone,
 * another person or household) and keeps the others with the run that wrote them; the table
 * still holds exactly the current records with their persons. Thirty people at the CAF, five
 * of them at the landlord too; the next night one has left the CAF and another arrived. */
static const char *const INC_NOM[31] = {
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "RICHARD", "DURAND", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND",
    "ROUX", "VINCENT", "FOURNIER", "MOREL", "GIRAUD", "ANDRE", "MERCIER", "BLANC", "GUERIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANCOIS", "LEGRAND", "GAUTHIER", "PERRIN", "ROBIN", "CLEMENT", "MORIN", "NICOLAS"};
static const char *const INC_PRENOM[31] = {
    "Jean", "Marie", "Pierre", "Anne", "Louis", "Claire", "Paul", "Julie", "Marc", "Sylvie", "Luc",
    "Nathalie", "Yves", "Isabelle", "Alain", "Christine", "Hugo", "Camille", "Denis", "Elise", "Bruno", "Agnes",
    "Remi", "Odile", "Gilles", "Helene", "Xavier", "Laure", "Eric", "Sandrine", "Victor"};

static struct hp inc_person(int i, char dob[11], char nir[14])
{
    int sex = i % 2 ? 2 : 1, yy = 50 + i, mm = 1 + i % 12;
    snprintf(dob, 11, "19%02d-%02d-15", yy, mm);
    snprintf(nir, 14, "%d%02d%02d33063%03d", sex, yy, mm, 300 + i);
    return (struct hp){INC_NOM[i], INC_PRENOM[i], dob, sex == 1 ? "1" : "2", nir};
}

static char *inc_rows(int from, int to, const char *prefix)
{
    size_t cap = 256 * (size_t)(to - from + 1), len = 0;
    char *b = calloc(1, cap);
    ck_assert_ptr_nonnull(b);
    for (int i = from; i < to; i++) {
        char dob[11], nir[14];
        struct hp p = inc_person(i, dob, nir);
        const char *row = hm_row(tu_fmt("%s%d", prefix, i), tu_fmt("%sH%d", prefix, i), 'D', &p, HM_SINGLE_POOR);
        ck_assert_uint_lt(len + strlen(row), cap);
        memcpy(b + len, row, strlen(row) + 1);
        len += strlen(row);
    }
    return b;
}

START_TEST(test_persons_written_incrementally)
{
    struct hm h;
    hm_init(&h, NULL);
    char *caf = inc_rows(0, 30, "C"), *hab = inc_rows(0, 5, "B");
    hm_deposit(&h, "caf:gironde", "2026-11-20", caf);
    hm_deposit(&h, "bailleur:hab", "2026-11-20", hab);
    free(hm_night(&h, NIGHT));
    long long run1 = hm_sqln(&h, "SELECT max(id) FROM tznr.link_run");
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.person_record WHERE run_id = %lld", run1), 35);
    char *gone = tu_deposit_token(h.dir, "caf:gironde", "C29");
    char *stay = tu_deposit_token(h.dir, "caf:gironde", "C3"), *stay_hab = tu_deposit_token(h.dir, "bailleur:hab", "B3");
    long long p_stay = hm_person(&h, "caf:gironde", stay), f_stay = hm_foyer(&h, "caf:gironde", stay);
    ck_assert_int_eq(hm_person(&h, "bailleur:hab", stay_hab), p_stay);
    char *before = hm_sqlv(&h, "SELECT string_agg(source_id || encode(token, 'hex') || person_id || '/' || foyer_id, ','"
                               " ORDER BY source_id, token) FROM tznr.person_record WHERE token <> decode('%s', 'hex')",
                           gone);

    char *t5 = tu_deposit_token(h.dir, "caf:gironde", "C5"), *t6 = tu_deposit_token(h.dir, "caf:gironde", "C6");
    long long p5 = hm_person(&h, "caf:gironde", t5), p6 = hm_person(&h, "caf:gironde", t6);
    ck_assert_int_ne(hm_foyer(&h, "caf:gironde", t5), hm_foyer(&h, "caf:gironde", t6));
    free(before);
    before = hm_sqlv(&h, "SELECT string_agg(source_id || encode(token, 'hex') || person_id || '/' || foyer_id, ','"
                         " ORDER BY source_id, token) FROM tznr.person_record"
                         " WHERE token NOT IN (decode('%s', 'hex'), decode('%s', 'hex'), decode('%s', 'hex'))",
                     gone, t5, t6);

    /* the next night: C29 has left, C30 arrived, C5 moved in with C6 (same person, another
     * household: the household's id is its smallest person id) */
    free(caf);
    char *head = inc_rows(0, 5, "C"), *tail = inc_rows(6, 29, "C");
    char dob5[11], nir5[14];
    struct hp person5 = inc_person(5, dob5, nir5);
    caf = strdup(tu_fmt("%s%s%s", head, hm_row("C5", "CH6", 'C', &person5, HM_SINGLE_POOR), tail));
    free(head);
    free(tail);
    char *arrived = inc_rows(30, 31, "C");
    hm_deposit(&h, "caf:gironde", "2026-12-01", tu_fmt("%s%s", caf, arrived));
    free(hm_night(&h, "2026-12-02"));
    long long run2 = hm_sqln(&h, "SELECT max(id) FROM tznr.link_run");
    ck_assert_int_gt(run2, run1);
    char *newcomer = tu_deposit_token(h.dir, "caf:gironde", "C30");
    /* the newcomer's row alone was written; the one who left is gone; the rest as they were */
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.person_record"), 35);
    /* one row's household id changes: the one of the two with the larger person id */
    ck_assert_int_eq(hm_person(&h, "caf:gironde", t5), p5);
    ck_assert_int_eq(hm_person(&h, "caf:gironde", t6), p6);
    ck_assert_int_eq(hm_foyer(&h, "caf:gironde", t5), p5 < p6 ? p5 : p6);
    ck_assert_int_eq(hm_foyer(&h, "caf:gironde", t6), p5 < p6 ? p5 : p6);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.person_record WHERE run_id = %lld", run2), 2);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.person_record WHERE run_id = %lld"
                                 " AND token = decode('%s', 'hex')", run2, newcomer), 1);
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.person_record WHERE token = decode('%s', 'hex')", gone), 0);
    char *after = hm_sqlv(&h, "SELECT string_agg(source_id || encode(token, 'hex') || person_id || '/' || foyer_id, ','"
                              " ORDER BY source_id, token) FROM tznr.person_record"
                              " WHERE token NOT IN (decode('%s', 'hex'), decode('%s', 'hex'), decode('%s', 'hex'))",
                          newcomer, t5, t6);
    ck_assert_str_eq(after, before);
    ck_assert_int_eq(hm_person(&h, "caf:gironde", stay), p_stay);
    ck_assert_int_eq(hm_person(&h, "bailleur:hab", stay_hab), p_stay);
    ck_assert_int_eq(hm_foyer(&h, "caf:gironde", stay), f_stay);
    /* every current record has its row, and no other */
    ck_assert_int_eq(hm_sqln(&h, "SELECT count(*) FROM tznr.current_record r FULL JOIN tznr.person_record p"
                                 " ON p.source_id = r.source_id AND p.token = r.token"
                                 " WHERE p.token IS NULL OR r.token IS NULL"),
                     0);
    free(before);
    free(after);
    free(caf);
    free(hab);
    free(arrived);
    free(gone);
    free(stay);
    free(stay_hab);
    free(newcomer);
    free(t5);
    free(t6);
    hm_free(&h);
}
END_TEST

/* Links and possible links belong to a run (migration 013: statement-level triggers in place
 * of the foreign keys, which checked each of the night's 400,000 links with a query of its
 * own). A row naming no run is refused however it comes (INSERT, COPY, UPDATE); deleting a
 * run deletes its rows; a run's id cannot change under its links. */
static int run_psql(const char *db, char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int run_psql(const char *db, char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vpsql(db, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

START_TEST(test_links_belong_to_a_run)
{
    const char *db = tu_db(1);
    long long run = tu_sqln(db, "INSERT INTO tznr.link_run DEFAULT VALUES RETURNING id");
    long long other = tu_sqln(db, "INSERT INTO tznr.link_run DEFAULT VALUES RETURNING id");
    ck_assert_int_eq(tu_sqln(db, "INSERT INTO tznr.link VALUES (%lld, 'a', '\\x00', 'b', '\\x01', 'nir', 1),"
                                 " (%lld, 'a', '\\x02', 'b', '\\x03', 'clk', 0.95);"
                                 "INSERT INTO tznr.possible_link VALUES (%lld, 'a', '\\x00', 'b', '\\x04', 0.6),"
                                 " (%lld, 'a', '\\x05', 'b', '\\x06', 0.7);"
                                 "SELECT count(*) FROM tznr.link",
                             run, other, run, other),
                     2);
    static const char *const refused[] = {
        "INSERT INTO tznr.link VALUES (%lld, 'a', '\\x00', 'b', '\\x01', 'nir', 1)",
        "INSERT INTO tznr.possible_link VALUES (%lld, 'a', '\\x00', 'b', '\\x01', 0.6)",
        "COPY tznr.link FROM STDIN;\n%lld\ta\t\\\\x00\tb\t\\\\x01\tnir\t1\n\\.\n",
        "UPDATE tznr.link SET run_id = %lld",
        "UPDATE tznr.possible_link SET run_id = %lld",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char *out = NULL, *err = NULL;
        const char *sql = tu_fmt(refused[i], other + 1000);
        int rc = run_psql(db, &out, &err, "%s", sql);
        ck_assert_msg(rc != 0 && err && strstr(err, "is not in tznr.link_run"),
                      "a row naming no run was taken (%s): %d %s", sql, rc, err ? err : "");
        free(out);
        free(err);
    }
    char *out = NULL, *err = NULL;
    int rc = run_psql(db, &out, &err, "UPDATE tznr.link_run SET id = id + 1000 WHERE id = %lld", run);
    ck_assert_msg(rc != 0 && err && strstr(err, "still has links"), "a run renumbered under its links: %d %s", rc,
                  err ? err : "");
    free(out);
    free(err);
    ck_assert_int_eq(tu_sqln(db, "DELETE FROM tznr.link_run WHERE id = %lld;"
                                 "SELECT count(*) * 100 + (SELECT count(*) FROM tznr.possible_link)"
                                 "  FROM tznr.link WHERE run_id = %lld",
                             run, other),
                     101);
    ck_assert_int_eq(tu_sqln(db, "SELECT (SELECT count(*) FROM tznr.link WHERE run_id = %lld)"
                                 "     + (SELECT count(*) FROM tznr.possible_link WHERE run_id = %lld)",
                             run, run),
                     0);
}
END_TEST

/* A person who turns out to be two (docs/linking.md, « Persons »): the landlord filed M.
 * Girard with M. Robert's NIR, so they were linked; its next extract has his own NIR. They are
 * two people again: two person ids (one keeps the old one, the other gets a new one) and two
 * foyers, so neither is assessed with the other's figures. */
START_TEST(test_split_person_gets_two_ids)
{
    struct hm h;
    hm_init(&h, NULL);
    hm_deposit(&h, "caf:gironde", "2026-11-20", hm_row("C1", "H1", 'D', &ROBERT, HM_SINGLE_POOR));
    struct hp mistaken = GIRARD;
    mistaken.nir13 = ROBERT.nir13;
    hm_deposit(&h, "bailleur:hab", "2026-11-20", hm_row("B1", "L1", 'D', &mistaken, "1,0,,,380,0,,,,,"));
    char *rob = tu_deposit_token(h.dir, "caf:gironde", "C1"), *gir = tu_deposit_token(h.dir, "bailleur:hab", "B1");
    free(hm_night(&h, NIGHT));
    long long p0 = hm_person(&h, "caf:gironde", rob);
    ck_assert_int_eq(hm_person(&h, "bailleur:hab", gir), p0); /* one person, by the (wrong) NIR */

    hm_deposit(&h, "bailleur:hab", "2026-12-01", hm_row("B1", "L1", 'D', &GIRARD, "1,0,,,380,0,,,,,"));
    char *gir2 = tu_deposit_token(h.dir, "bailleur:hab", "B1");
    ck_assert_str_eq(gir2, gir); /* the same reference: the same token */
    free(hm_night(&h, "2026-12-02"));
    long long pr = hm_person(&h, "caf:gironde", rob), pg = hm_person(&h, "bailleur:hab", gir);
    ck_assert_msg(pr != pg, "M. Robert and M. Girard, now told apart, share person id %lld", pr);
    ck_assert_msg(pr == p0 || pg == p0, "neither kept the id %lld (%lld, %lld)", p0, pr, pg);
    ck_assert_msg(hm_foyer(&h, "caf:gironde", rob) != hm_foyer(&h, "bailleur:hab", gir),
                  "M. Robert and M. Girard in one foyer");
    free(rob);
    free(gir);
    free(gir2);
    hm_free(&h);
}
END_TEST

/* ---- the report, read in a real browser ------------------------------------------------------- */

/* Debian's Chromium (scripts/bootstrap installs it), or $CHROMIUM. */
static const char *chromium(void)
{
    const char *env = getenv("CHROMIUM");
    if (env && *env)
        return env;
    static const char *const cands[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (access(cands[i], X_OK) == 0)
            return cands[i];
    ck_abort_msg("no Chromium: the report's browser test needs Debian's chromium (scripts/bootstrap installs it)");
    return NULL;
}

/* "&lt;" "&gt;" "&amp;" of a dumped DOM's text, in place. */
static void unescape_html(char *s)
{
    static const char *const ent[][2] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}};
    char *w = s;
    for (const char *r = s; *r;) {
        size_t k = 0;
        for (; k < sizeof ent / sizeof ent[0]; k++)
            if (strncmp(r, ent[k][0], strlen(ent[k][0])) == 0)
                break;
        if (k < sizeof ent / sizeof ent[0]) {
            *w++ = ent[k][1][0];
            r += strlen(ent[k][0]);
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Open a copy of the page HTML with tests/fixtures/report-probe.js appended in headless
 * Chromium, and return what the probe read of the rendered DOM ("key\tvalue" lines). */
static char *probe_page(struct rt *t, const char *html, int threshold)
{
    char *page = slurp(html, NULL), *js = slurp("tests/fixtures/report-probe.js", NULL);
    char *end = strstr(page, "</body>");
    ck_assert_msg(end != NULL, "%s: no </body>", html);
    char *thr = strstr(js, "@THRESHOLD@");
    ck_assert(thr != NULL);
    char *copy = strdup(at(t, "probe.html"));
    FILE *f = fopen(copy, "w");
    ck_assert(f != NULL);
    fprintf(f, "%.*s<script>%.*s%d%s</script>%s", (int)(end - page), page, (int)(thr - js), js, threshold,
            thr + strlen("@THRESHOLD@"), end);
    ck_assert(fclose(f) == 0);
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("'%s' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='%s' "
                           "--dump-dom 'file://%s'", chromium(), at(t, "chromium-profile"), copy),
                    &out, &err);
    ck_assert_msg(rc == 0, "chromium --dump-dom: exit %d: %s", rc, err);
    char *pre = NULL; /* the last one: the page's own text never holds one */
    for (char *p = strstr(out, "<pre id=\"tznr-probe\">"); p; p = strstr(p + 1, "<pre id=\"tznr-probe\">"))
        pre = p;
    ck_assert_msg(pre != NULL, "the probe wrote nothing: the page's scripts did not run (%.300s)", err);
    pre += strlen("<pre id=\"tznr-probe\">");
    char *stop = strstr(pre, "</pre>");
    ck_assert(stop != NULL);
    char *res = strndup(pre, (size_t)(stop - pre));
    unescape_html(res);
    free(out);
    free(err);
    free(copy);
    free(js);
    free(page);
    return res;
}

/* The value of the probe's first line KEY (static), or "missing". */
static const char *probed(const char *res, const char *key)
{
    static char buf[1024];
    size_t kl = strlen(key);
    for (const char *l = res; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0)) {
        if (strncmp(l, key, kl) == 0 && l[kl] == '\t') {
            snprintf(buf, sizeof buf, "%.*s", (int)strcspn(l + kl + 1, "\n"), l + kl + 1);
            return buf;
        }
        if (!l[strcspn(l, "\n")])
            break;
    }
    return "missing";
}

/* How a count shows under secrecy with THRESHOLD, when no complement hides it. */
static const char *shown(long long v, int threshold)
{
    return v > 0 && v < threshold ? tu_fmt("< %d", threshold) : tu_fmt("%lld", v);
}

#define NIGHT_1 "2026-11-05"
#define NIGHT_2 "2026-11-12"

/* Two nights, outcomes sent back between them from the list itself; the second night's report
 * is opened in Chromium, its rendered figures compared with what the database holds and with
 * the outcomes this test sent; no count under the threshold anywhere in the page; its tables
 * sort; nothing comes from outside the file. A screenshot is kept under build/test-artefacts. */
START_TEST(test_report_in_browser)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT_1, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_msg(exists(at(&t, "outbox/rapport-" NIGHT_1 ".html")), "the night wrote no report");

    /* the largest list comes back with 12 rights opened, 15 contacted, 11 refusals (the overall
     * row's figures are all shown, so they can be compared; the rules' rows have small ones) */
    struct nightlists n1;
    read_night(&t, NIGHT_1, &n1);
    struct list *L = largest_list(&n1);
    ck_assert_msg(L && L->n >= 38, "the first night's largest list has fewer than 38 rows");
    ck_assert(mkdir(at(&t, "inbox/feedback"), 0755) == 0);
    FILE *f = fopen(at(&t, tu_fmt("inbox/feedback/%s-retours.csv", L->team)), "wb");
    ck_assert(f != NULL);
    fputs("\xEF\xBB\xBFtoken;foyer;regle;statut;date\r\n", f);
    enum { OPENED = 12, CONTACTED = 15, REFUSED = 11 };
    for (size_t k = 0; k < OPENED + CONTACTED + REFUSED; k++)
        fprintf(f, "%s;%s;%s;%s;%s\r\n", L->rows[k].f[C_TOKEN], L->rows[k].f[C_FOYER], L->rows[k].f[C_REGLE],
                k < OPENED ? "droit_ouvert" : k < OPENED + CONTACTED ? "contacte" : "refus",
                k < OPENED ? "08/11/2026" : "09/11/2026");
    ck_assert(fclose(f) == 0);
    rc = night(&t, NIGHT_2, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    char *html = strdup(at(&t, "outbox/rapport-" NIGHT_2 ".html"));
    ck_assert_msg(strstr(out, html) != NULL, "the summary does not name the report %s: %s", html, out);
    free(out);
    free(err);

    /* the households listed over the two nights, from the list files themselves */
    struct nightlists n2;
    read_night(&t, NIGHT_2, &n2);
    size_t npairs = 0;
    char **pairs = calloc(night_rows(&n1) + night_rows(&n2) + 1, sizeof *pairs);
    struct nightlists *nights[] = {&n1, &n2};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < nights[k]->n; i++)
            for (size_t j = 0; j < nights[k]->l[i].n; j++) {
                char *key = strdup(tu_fmt("%s/%s/%s", nights[k]->l[i].rows[j].f[C_REGLE], nights[k]->l[i].team,
                                          nights[k]->l[i].rows[j].f[C_FOYER]));
                size_t m = 0;
                while (m < npairs && strcmp(pairs[m], key) != 0)
                    m++;
                if (m < npairs)
                    free(key);
                else
                    pairs[npairs++] = key;
            }

    const int thr = 11;
    char *res = probe_page(&t, html, thr);
    ck_assert_msg(strcmp(probed(res, "sections"), "nuit,rapprochement,detection,tendances,evaluation") == 0,
                  "sections: %s", probed(res, "sections"));
    ck_assert_msg(strcmp(probed(res, "script_ran"), "1") == 0, "the page's script did not run");
    ck_assert_msg(strcmp(probed(res, "external"), "0") == 0, "%s elements load something from outside the file",
                  probed(res, "external"));
    ck_assert_msg(atoi(probed(res, "svg")) >= 8, "%s charts", probed(res, "svg"));
    ck_assert_msg(strcmp(probed(res, "small_counts"), "0") == 0, "counts under %d printed: %s (first: %s)", thr,
                  probed(res, "small_counts"), probed(res, "small"));
    ck_assert_msg(strcmp(probed(res, "sort"), "ok") == 0, "the rules' table does not sort: %s", probed(res, "sort"));
    ck_assert_msg(strcmp(probed(res, "steps"), "6") == 0, "the steps' durations: %s rows", probed(res, "steps"));
    ck_assert_msg(strcmp(probed(res, "trend_nights"), "2") == 0, "trend nights: %s", probed(res, "trend_nights"));

    /* what the database holds */
    long long run2 = sqln(&t, "SELECT max(id) FROM tznr.run WHERE run_date = '" NIGHT_2 "'");
    long long links = sqln(&t, "SELECT count(*) FROM tznr.link l JOIN tznr.run r ON r.link_run_id = l.run_id"
                               " WHERE r.id = %lld", run2);
    /* the second night's linkage is the last: the persons are all those of person_record */
    long long persons = sqln(&t, "SELECT count(DISTINCT person_id) FROM tznr.person_record");
    long long cands = sqln(&t, "SELECT count(*) FROM tznr.candidate WHERE run_id = %lld", run2);
    long long listed = sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_id = %lld", run2);
    ck_assert_int_gt(links, 100);
    const struct {
        const char *key;
        long long want;
    } figs[] = {{"links_total", links}, {"persons_total", persons}, {"candidates_total", cands},
                {"listed_total", listed}, {"teams_listed_total", listed}, {"communes_listed_total", listed}};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        const char *got = probed(res, figs[i].key);
        ck_assert_msg(strcmp(got, shown(figs[i].want, thr)) == 0 || (strcmp(got, "secret") == 0 && figs[i].want >= thr),
                      "%s: the page shows '%s', the database holds %lld", figs[i].key, got, figs[i].want);
    }
    /* the identity keys: this small territory has too few pairs of two NIRs born the same day to
     * count namesakes by, so its keys link as they are, and the page says so */
    long long weighed = sqln(&t, "SELECT count(*) FROM tznr.link_run l JOIN tznr.run r ON r.link_run_id = l.id"
                                 " WHERE r.id = %lld AND l.ident_namesakes IS NOT NULL", run2);
    ck_assert_int_eq(weighed, 0);
    ck_assert_msg(strcmp(probed(res, "ident_keys"), "unweighed") == 0, "identity keys: %s", probed(res, "ident_keys"));
    /* one, two, three or more sources: all the persons, none twice */
    const char *psum = probed(res, "persons_by_sources_sum");
    ck_assert_msg(strcmp(psum, tu_fmt("%lld", persons)) == 0 || strcmp(psum, "hidden") == 0,
                  "the persons by number of sources add up to %s, not %lld", psum, persons);
    /* the links of each method */
    int nmethods = 0;
    for (const char *l = strstr(res, "method\t"); l; l = strstr(l + 1, "\nmethod\t")) {
        if (*l == '\n')
            l++;
        char method[32], n[32];
        ck_assert(sscanf(l, "method\t%31[^\t]\t%31[^\n]", method, n) == 2);
        long long want = sqln(&t, "SELECT count(*) FROM tznr.link l JOIN tznr.run r ON r.link_run_id = l.run_id"
                                  " WHERE r.id = %lld AND l.method = '%s'", run2, method);
        ck_assert_msg(strcmp(n, shown(want, thr)) == 0 || (strcmp(n, "secret") == 0 && want >= thr),
                      "links by %s: %s shown, %lld in the database", method, n, want);
        nmethods++;
    }
    ck_assert_int_eq(nmethods, (int)sqln(&t, "SELECT count(DISTINCT l.method) FROM tznr.link l JOIN tznr.run r"
                                                 " ON r.link_run_id = l.run_id WHERE r.id = %lld", run2));
    /* each rule's candidates and listed households */
    int nrules = 0;
    for (const char *l = strstr(res, "rule\t"); l; l = strstr(l + 1, "\nrule\t")) {
        if (*l == '\n')
            l++;
        char rule[64], c[32], li[32];
        ck_assert(sscanf(l, "rule\t%63[^\t]\t%31[^\t]\t%31[^\n]", rule, c, li) == 3);
        long long wc = sqln(&t, "SELECT count(*) FROM tznr.candidate WHERE run_id = %lld AND rule_id = '%s'", run2,
                            rule);
        ck_assert_msg(strcmp(c, shown(wc, thr)) == 0 || (strcmp(c, "secret") == 0 && wc >= thr),
                      "rule %s: %s candidates shown, %lld in the database", rule, c, wc);
        long long wl = sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE run_id = %lld AND rule_id = '%s'", run2,
                            rule);
        ck_assert_msg(strcmp(li, shown(wl, thr)) == 0 || (strcmp(li, "secret") == 0 && wl >= thr),
                      "rule %s: %s listed shown, %lld on the lists", rule, li, wl);
        nrules++;
    }
    ck_assert_int_ge(nrules, 3);

    /* the evaluation, from the outcomes this test sent and the lists written */
    ck_assert_msg(strcmp(probed(res, "eval_row"), "Ensemble/Total") == 0, "%s", probed(res, "eval_row"));
    const struct {
        const char *key;
        long long want;
    } ev[] = {{"eval Listés", (long long)npairs}, {"eval Contactés", OPENED + CONTACTED + REFUSED},
              {"eval Droit ouvert", OPENED}, {"eval Refus", REFUSED},
              {"eval Sans retour", (long long)npairs - (OPENED + CONTACTED + REFUSED)}};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        const char *got = probed(res, ev[i].key);
        ck_assert_msg(strcmp(got, shown(ev[i].want, thr)) == 0, "%s: the page shows '%s', want %s", ev[i].key, got,
                      shown(ev[i].want, thr));
    }
    free(res);

    /* the page as a person sees it, kept for whoever reads the test's results */
    const char *o = getenv("O");
    char *shots = strdup(tu_fmt("%s/test-artefacts", o && *o ? o : "build"));
    mkdir(shots, 0755);
    char *png = strdup(tu_fmt("%s/rapport-" NIGHT_2 ".png", shots));
    unlink(png);
    rc = tu_run(tu_fmt("'%s' --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars "
                       "--user-data-dir='%s' --window-size=1100,9000 --screenshot='%s' 'file://%s'",
                       chromium(), at(&t, "chromium-profile"), png, html),
                NULL, &err);
    struct stat st;
    ck_assert_msg(rc == 0 && stat(png, &st) == 0 && st.st_size > 10000, "no screenshot %s: exit %d: %s", png, rc, err);
    free(err);
    free(png);
    free(shots);

    /* a stricter threshold from the configuration: the same page again, nothing under 40; the
     * night's linkage given the identity keys' figures of a larger territory (as a run that
     * weighed them stores them), which the page shows, the pairs kept apart under the threshold
     * hidden */
    rt_conf(&t, "[statistics]\nsecret_threshold = 40\n");
    ck_assert_int_eq(sqln(&t, "WITH u AS (UPDATE tznr.link_run SET ident_pairs = 5321, ident_namesakes = 41.6,"
                              " ident_m = 0.99, ident_u = 0.0001, ident_kept_apart = 7"
                              " WHERE id = (SELECT link_run_id FROM tznr.run WHERE id = %lld) RETURNING 1)"
                              " SELECT count(*) FROM u", run2), 1);
    char *strict = strdup(at(&t, "strict.html"));
    rc = TZNR(&t, &out, &err, "report -c '%s' --date " NIGHT_2 " -o '%s'", t.conf, strict);
    ck_assert_msg(rc == 0, "tznr report: exit %d: %s", rc, err);
    free(out);
    free(err);
    res = probe_page(&t, strict, 40);
    ck_assert_msg(strcmp(probed(res, "small_counts"), "0") == 0, "counts under 40 printed: %s (first: %s)",
                  probed(res, "small_counts"), probed(res, "small"));
    ck_assert_msg(strcmp(probed(res, "eval Droit ouvert"), "< 40") == 0, "rights opened with a threshold of 40: %s",
                  probed(res, "eval Droit ouvert"));
    ck_assert_msg(strcmp(probed(res, "ident_keys"), "5321|42|< 40") == 0, "identity keys: %s",
                  probed(res, "ident_keys"));
    free(res);
    free(strict);
    free(html);

    for (size_t i = 0; i < npairs; i++)
        free(pairs[i]);
    free(pairs);
    night_free(&n1);
    night_free(&n2);
    rt_free(&t);
}
END_TEST

/* ==== the inbox's loads side by side ======================================================= */

/* The absolute path of source S's mapping file, as the territory's sources.txt names it. */
static void mapping_of(struct rt *t, const struct src *s, char path[PATH_MAX])
{
    char *sources = slurp(at(t, "synth/sources.txt"), NULL), map[256] = "";
    char *line = strstr(sources, tu_fmt("%s %s ", s->file, s->id));
    ck_assert_msg(line && sscanf(line + strlen(s->file) + strlen(s->id) + 2, "%255s", map) == 1,
                  "no mapping for %s in sources.txt", s->id);
    free(sources);
    ck_assert_msg(realpath(tu_fmt("config/%s", map), path) != NULL, "no mapping config/%s", map);
}

/* Two first extracts of two sources holding their header alone are the same bytes: each is
 * its own source's, both loaded (the "already loaded" lookup asked the digest alone, and
 * the second was taken for the first). First and last in the inbox's order, the first is
 * committed long before the last is read. */
START_TEST(test_two_sources_same_bytes)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    struct src *ccas = src_by_id(&t, "ccas:bordeaux");
    char *raw = slurp(at(&t, tu_fmt("synth/%s", ccas->file)), NULL);
    char *nl = strchr(raw, '\n');
    ck_assert(nl != NULL);
    tu_write(at(&t, "synth/header_only.csv"), raw, (size_t)(nl - raw) + 1);
    free(raw);
    char path[PATH_MAX];
    mapping_of(&t, ccas, path);
    const char *ids[] = {"ccas:pessac", "ccas:talence"};
    for (int i = 0; i < 2; i++) {
        char *err = NULL;
        int rc = TZNR(&t, NULL, &err, "pseudonymise -q --key '%s' --source %s --mapping '%s' --extract-date 2026-11-01 "
                      "-o '%s' '%s'", t.key, ids[i], path, at(&t, i ? "inbox/z_ccas.csv" : "inbox/a_ccas.csv"),
                      at(&t, "synth/header_only.csv"));
        ck_assert_msg(rc == 0, "tznr pseudonymise: exit %d: %s", rc, err);
        free(err);
    }
    size_t la, lb;
    char *a = slurp(at(&t, "inbox/a_ccas.csv"), &la), *b = slurp(at(&t, "inbox/z_ccas.csv"), &lb);
    ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "the two extracts should be the same bytes");
    free(a);
    free(b);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, tu_fmt("extraits : %d chargés, 0 déjà chargé, 0 refusé", t.n + 2)) != NULL,
                  "summary should say %d extracts loaded: %s", t.n + 2, out);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE id IN ('ccas:pessac', 'ccas:talence')"
                              " AND current_snapshot IS NOT NULL"),
                     2);
    free(out);
    free(err);
    rt_free(&t);
}
END_TEST

/* A night whose inbox holds two extracts of one source, the older first in the inbox's order,
 * beside every other source's: they load two at a time (no "one at a time" said), the CAF's
 * two in turn, so the newer is current and the older superseded, both archived. */
START_TEST(test_two_extracts_of_a_source_in_one_night)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    struct src *caf = src_by_id(&t, "caf:gironde");
    /* the CAF's export three weeks later, five rows fewer: another file, another digest */
    char *raw = slurp(at(&t, tu_fmt("synth/%s", caf->file)), NULL);
    size_t len = strlen(raw);
    for (int cut = 0; cut < 6 && len > 0; cut++) /* the final newline and five rows */
        while (len > 0 && raw[--len] != '\n')
            ;
    ck_assert(len > 0);
    raw[len] = '\n'; /* the fifth row from the end's newline, kept */
    tu_write(at(&t, "synth/caf_later.csv"), raw, len + 1);
    free(raw);
    char path[PATH_MAX];
    mapping_of(&t, caf, path);
    const char *later = at(&t, "inbox/caf_z_later.csv"); /* after caf.csv in the inbox's order */
    char *err = NULL;
    int rc = TZNR(&t, NULL, &err, "pseudonymise -q --key '%s' --source %s --mapping '%s' --extract-date 2026-11-20 "
                  "-o '%s' '%s'", t.key, caf->id, path, later, at(&t, "synth/caf_later.csv"));
    ck_assert_msg(rc == 0, "tznr pseudonymise: exit %d: %s", rc, err);
    free(err);

    char *out = NULL;
    rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, tu_fmt("extraits : %d chargés, 0 déjà chargé, 0 refusé", t.n + 1)) != NULL,
                  "summary should say %d extracts loaded: %s", t.n + 1, out);
    ck_assert_msg(strstr(out, "à la fois") == NULL && strstr(err, "one at a time") == NULL,
                  "the night should load two at a time:\n%s%s", out, err);
    char *current = sqlv(&t, "SELECT n.extract_date::text FROM tznr.source s JOIN tznr.snapshot n"
                             " ON n.id = s.current_snapshot WHERE s.id = 'caf:gironde'");
    ck_assert_msg(strcmp(current, "2026-11-20") == 0, "the CAF's current extract is of %s, want the later one",
                  current);
    free(current);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.snapshot WHERE source_id = 'caf:gironde'"
                              " AND extract_date = '2026-11-01' AND superseded_at IS NOT NULL"),
                     1);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.source WHERE current_snapshot IS NOT NULL"), t.n);
    ck_assert_msg(exists(at(&t, tu_fmt("archive/" NIGHT "/%s", caf->file))) &&
                      exists(at(&t, "archive/" NIGHT "/caf_z_later.csv")),
                  "both CAF extracts should be archived");
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.audit_log WHERE action = 'load'"), t.n + 1);
    free(out);
    free(err);
    rt_free(&t);
}
END_TEST


/* One source's extracts go to one worker in the inbox's order (the later becomes current, as
 * when loaded one after the other); a file whose manifest cannot be read ("") is alone; a
 * file not wanted (no manifest yet) is in no group. */
START_TEST(test_load_groups)
{
    const char *src[] = {"caf:gironde", "departement:gironde", "caf:gironde", "", "", "departement:gironde",
                         "cpam:gironde"};
    const int wanted[] = {1, 1, 1, 1, 1, 1, 0};
    int order[8], start[9];
    int ng = run_load_groups(src, wanted, 7, order, start);
    ck_assert_int_eq(ng, 4);
    const int want_order[] = {0, 2, 1, 5, 3, 4}, want_start[] = {0, 2, 4, 5, 6};
    for (int i = 0; i < 6; i++)
        ck_assert_msg(order[i] == want_order[i], "order[%d] = %d, want %d", i, order[i], want_order[i]);
    for (int g = 0; g <= ng; g++)
        ck_assert_msg(start[g] == want_start[g], "group_start[%d] = %d, want %d", g, start[g], want_start[g]);
    ck_assert_int_eq(run_load_groups(src, (const int[]){0, 0, 0, 0, 0, 0, 0}, 7, order, start), 0);
}
END_TEST

Suite *suite_report(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("browser");
    tcase_add_test(tc, test_report_in_browser);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);
    return s;
}

/* ==== the motif quotes the list's amount, to the cent ======================================== */

/* The amount column (the list's decimal comma) in cents, or -1 when it is not an amount. */
static long long column_cents(const char *v)
{
    long long e = 0;
    const char *p = v;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9')
        e = 10 * e + (*p++ - '0');
    if (*p != ',' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] != '\0')
        return -1;
    return 100 * e + 10 * (p[1] - '0') + (p[2] - '0');
}

/* CENTS as a person reads it in a motif (docs/listes.md): "1 043,60 €", "352 €" for 352,00. */
static const char *euros_text(long long cents)
{
    char d[32], g[48];
    int n = snprintf(d, sizeof d, "%lld", cents / 100), o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            g[o++] = ' ';
        g[o++] = d[i];
    }
    g[o] = '\0';
    return cents % 100 ? tu_fmt("%s,%02lld €", g, cents % 100) : tu_fmt("%s €", g);
}

/* The estimate a motif quotes ("RSA estimé 351,69 €/mois", "aide estimée 12,78 €/mois"): the
 * text between the last "estimé(e) " and " €/mois", with its " €"; NULL when there is none. */
static char *quoted_estimate(const char *motif)
{
    const char *q = NULL;
    for (const char *p = motif; (p = strstr(p, "estimé")) != NULL; p++) {
        const char *a = p + strlen("estimé");
        if (*a == 'e')
            a++;
        if (*a == ' ' && a[1] >= '0' && a[1] <= '9')
            q = a + 1;
    }
    if (!q)
        return NULL;
    const char *e = strstr(q, " €/mois");
    if (!e)
        return NULL;
    return strdup(tu_fmt("%.*s €", (int)(e - q), q));
}

/* Every row of a night's real lists (a synthetic territory's, every rule) that has an amount
 * quotes it in its motif, to the cent, written as the column is: one amount, not a rounded
 * one in the text and the cents in the column (issue 12, item 5). */
START_TEST(test_motif_quotes_the_amount)
{
    struct rt t;
    rt_init(&t, NULL);
    deposit_all(&t);
    char *out = NULL, *err = NULL;
    int rc = night(&t, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    struct nightlists nl;
    read_night(&t, NIGHT, &nl);
    int checked = 0, with_cents = 0, rsa = 0, prime = 0;
    for (size_t i = 0; i < nl.n; i++)
        for (size_t k = 0; k < nl.l[i].n; k++) {
            const struct row *r = &nl.l[i].rows[k];
            char *quoted = quoted_estimate(r->f[C_MOTIF]);
            if (r->f[C_MONTANT][0] == '\0') {
                ck_assert_msg(quoted == NULL, "%s, foyer %s: no amount, yet the motif quotes %s: %s", r->f[C_REGLE],
                              r->f[C_FOYER], quoted, r->f[C_MOTIF]);
                continue;
            }
            long long cents = column_cents(r->f[C_MONTANT]);
            ck_assert_msg(cents >= 0, "%s, foyer %s: montant_mensuel_estime '%s'", r->f[C_REGLE], r->f[C_FOYER],
                          r->f[C_MONTANT]);
            ck_assert_msg(quoted != NULL, "%s, foyer %s: an amount of %s, not quoted in the motif: %s", r->f[C_REGLE],
                          r->f[C_FOYER], r->f[C_MONTANT], r->f[C_MOTIF]);
            ck_assert_msg(strcmp(quoted, euros_text(cents)) == 0,
                          "%s, foyer %s: montant_mensuel_estime %s, the motif says %s: %s", r->f[C_REGLE], r->f[C_FOYER],
                          r->f[C_MONTANT], quoted, r->f[C_MOTIF]);
            free(quoted);
            checked++;
            with_cents += cents % 100 != 0;
            rsa += strcmp(r->f[C_REGLE], "rsa") == 0;
            prime += strcmp(r->f[C_REGLE], "prime_activite") == 0;
        }
    night_free(&nl);
    /* a test that checks nothing proves nothing: amounts with cents, of the RSA and the prime */
    ck_assert_msg(checked >= 20 && with_cents >= 10 && rsa > 0 && prime > 0,
                  "too few amounts to compare: %d rows, %d with cents, %d RSA, %d prime d'activité", checked,
                  with_cents, rsa, prime);
}
END_TEST

Suite *suite_run(void)
{
    Suite *s = suite_create("run");
    const struct tu_case cases[] = {
        {"first_night", test_first_night},     {"replay_cooldown", test_replay_and_cooldown},
        {"lock", test_lock},                   {"refused_extract", test_refused_extract},
        {"waiting", test_waiting_for_manifest}, {"feedback", test_feedback},
        {"feedback_from_list", test_feedback_from_list},
        {"routing", test_routing},             {"pull", test_pull},
        {"export", test_export_and_bad_date},  {"export_after_failed_replay", test_export_after_failed_replay},
        {"parameters", test_bad_parameters},
        {"households", test_households_are_one_foyer}, {"routing_claimant", test_routing_to_the_claimant},
        {"outcomes_settle", test_outcomes_that_settle}, {"cooldown_90", test_cooldown_lasts_ninety_days},
        {"opposition_follows", test_opposition_follows_new_tokens}, {"purge", test_purge_superseded_snapshots},
        {"links_belong_to_a_run", test_links_belong_to_a_run},
        {"persons_incremental", test_persons_written_incrementally},
        {"split_person", test_split_person_gets_two_ids},
        {"motif_amount", test_motif_quotes_the_amount},
        {"cron", test_cron_mails_failures_only},
        {"load_groups", test_load_groups},
        {"two_extracts_one_source", test_two_extracts_of_a_source_in_one_night},
        {"two_sources_same_bytes", test_two_sources_same_bytes},
    };
    tu_add_cases(s, cases, sizeof cases / sizeof cases[0], TIMEOUT, NULL);
    return s;
}
