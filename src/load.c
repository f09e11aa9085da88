#include "load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit.h"
#include "csvio.h"
#include "db.h"
#include "extract.h"
#include "hex.h"
#include "log.h"
#include "util.h"
#include "manifest.h"
#include "norm.h"
#include "sbuf.h"

#define RECORD_COLUMNS                                                                        \
    "snapshot_id, source_id, line, token, household, role, k_nir, k_ident, k_ident_alt, k_dob," \
    " clk, clk_alt, sex, birth_year, commune, nb_personnes, nb_enfants, ressources_cents,"       \
    " revenus_activite_cents, loyer_cents, impaye_mois, rsa, prime_activite, aide_logement, aah,"\
    " css, aspa, apa, pch, fsl, suivi_social"
#define RECORD_NCOLS 31

/* A whole number in [MIN, MAX]. */
static int small_int(const char *s, size_t len, int min, int max, int *v)
{
    if (len == 0 || len > 4)
        return -1;
    *v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return *v >= min && *v <= max ? 0 : -1;
}

/* Euros with '.' and up to 6 decimals to cents, rounded half up. */
static int cents(const char *s, size_t len, long long *v)
{
    long long whole = 0;
    size_t i = 0;
    if (len == 0 || len > 20)
        return -1;
    for (; i < len && s[i] != '.'; i++) {
        if (s[i] < '0' || s[i] > '9' || whole > 100000000000LL)
            return -1;
        whole = whole * 10 + (s[i] - '0');
    }
    if (i == 0)
        return -1;
    long long frac = 0;
    int nf = 0;
    if (i < len) {
        i++;
        if (i == len)
            return -1;
        for (; i < len; i++, nf++) {
            if (s[i] < '0' || s[i] > '9' || nf >= 6)
                return -1;
            if (nf < 3)
                frac = frac * 10 + (s[i] - '0');
        }
    }
    for (int k = nf < 3 ? nf : 3; k < 3; k++)
        frac *= 10;
    /* frac is now in thousandths */
    *v = whole * 100 + (frac + 5) / 10;
    return 0;
}

/* One extract row, validated and decoded. */
struct xrow {
    unsigned char keys[7][32], clk[2][128];
    int has[X_NCOLS];
    int sex, year, nbp, nbe, imp;
    long long amount[3];
};

static const int keycols[7] = {X_TOKEN, X_HOUSEHOLD, X_K_NIR, X_K_IDENT, X_K_IDENT_ALT, X_K_DOB, -1};

/* Validate and decode one extract row into X. Return 0, or -1 with the reason in WHY. */
static int parse_row(const csvio_record *r, struct xrow *x, char *why, size_t whylen)
{
    if (r->error) {
        snprintf(why, whylen, "%s", r->error);
        return -1;
    }
    if (r->nfields != X_NCOLS) {
        snprintf(why, whylen, "%zu fields, the header has %d", r->nfields, X_NCOLS);
        return -1;
    }
    const char *const *f = r->field;
    const size_t *l = r->len;
    memset(x->has, 0, sizeof x->has);
    for (int k = 0; keycols[k] >= 0; k++) {
        int col = keycols[k];
        if (l[col] == 0) {
            if (col == X_TOKEN) {
                snprintf(why, whylen, "token is empty");
                return -1;
            }
            continue;
        }
        if (hex_decode(f[col], l[col], x->keys[k], 32) != 0) {
            snprintf(why, whylen, "%s is not 64 lowercase hex digits", extract_columns[col]);
            return -1;
        }
        x->has[col] = 1;
    }
    for (int k = 0; k < 2; k++) {
        int col = X_CLK + k;
        if (l[col] == 0)
            continue;
        if (hex_decode(f[col], l[col], x->clk[k], 128) != 0) {
            snprintf(why, whylen, "%s is not 256 lowercase hex digits", extract_columns[col]);
            return -1;
        }
        x->has[col] = 1;
    }
    if (l[X_ROLE] && !(l[X_ROLE] == 1 && (f[X_ROLE][0] == 'D' || f[X_ROLE][0] == 'C' ||
                                          f[X_ROLE][0] == 'E' || f[X_ROLE][0] == 'A'))) {
        snprintf(why, whylen, "role '%.8s' is not one of D, C, E, A", f[X_ROLE]);
        return -1;
    }
    x->sex = x->year = x->nbp = x->nbe = x->imp = 0;
    if (l[X_SEX] && small_int(f[X_SEX], l[X_SEX], 1, 2, &x->sex) != 0) {
        snprintf(why, whylen, "sex is not 1 or 2");
        return -1;
    }
    if (l[X_BIRTH_YEAR] && (l[X_BIRTH_YEAR] != 4 || small_int(f[X_BIRTH_YEAR], 4, 1880, 2100, &x->year) != 0)) {
        snprintf(why, whylen, "birth_year is not a year from 1880 to 2100");
        return -1;
    }
    if (l[X_COMMUNE]) {
        int ok = l[X_COMMUNE] <= 5;
        for (size_t i = 0; ok && i < l[X_COMMUNE]; i++) {
            char ch = f[X_COMMUNE][i];
            ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z');
        }
        if (!ok) {
            snprintf(why, whylen, "commune is not 1 to 5 of 0-9 A-Z");
            return -1;
        }
    }
    if ((l[X_NB_PERSONNES] && small_int(f[X_NB_PERSONNES], l[X_NB_PERSONNES], 1, 999, &x->nbp) != 0) ||
        (l[X_NB_ENFANTS] && small_int(f[X_NB_ENFANTS], l[X_NB_ENFANTS], 0, 999, &x->nbe) != 0) ||
        (l[X_IMPAYE] && small_int(f[X_IMPAYE], l[X_IMPAYE], 0, 999, &x->imp) != 0)) {
        snprintf(why, whylen, "nb_personnes, nb_enfants or impaye_mois is not a whole number in range");
        return -1;
    }
    for (int k = 0; k < 3; k++) {
        int col = X_RESSOURCES + k;
        x->amount[k] = 0;
        if (l[col] && cents(f[col], l[col], &x->amount[k]) != 0) {
            snprintf(why, whylen, "%s is not an amount in euros with '.' as decimal point", extract_columns[col]);
            return -1;
        }
    }
    for (int k = 0; k < 10; k++) {
        int col = X_FLAG_FIRST + k;
        if (l[col] && !(l[col] == 1 && (f[col][0] == '0' || f[col][0] == '1'))) {
            snprintf(why, whylen, "%s is not 0 or 1", extract_columns[col]);
            return -1;
        }
    }
    return 0;
}

/* Append a parsed row X (fields of R) to the binary COPY buffer, in RECORD_COLUMNS order. */
static void emit_row(db_bincopy *b, const csvio_record *r, const struct xrow *x, long long snap, const char *source)
{
    const char *const *f = r->field;
    const size_t *l = r->len;
    db_bin_row(b, RECORD_NCOLS);
    db_bin_int8(b, snap);
    db_bin_bytes(b, source, strlen(source));
    db_bin_int4(b, (int32_t)r->line);
    for (int k = 0; keycols[k] >= 0; k++) {
        if (k == 2) { /* role sits between household and k_nir */
            if (l[X_ROLE])
                db_bin_bytes(b, f[X_ROLE], 1);
            else
                db_bin_null(b);
        }
        if (x->has[keycols[k]])
            db_bin_bytes(b, x->keys[k], 32);
        else
            db_bin_null(b);
    }
    for (int k = 0; k < 2; k++) {
        if (x->has[X_CLK + k])
            db_bin_bytes(b, x->clk[k], 128);
        else
            db_bin_null(b);
    }
    if (x->sex)
        db_bin_int2(b, (int16_t)x->sex);
    else
        db_bin_null(b);
    if (x->year)
        db_bin_int2(b, (int16_t)x->year);
    else
        db_bin_null(b);
    if (l[X_COMMUNE])
        db_bin_bytes(b, f[X_COMMUNE], l[X_COMMUNE]);
    else
        db_bin_null(b);
    if (l[X_NB_PERSONNES])
        db_bin_int2(b, (int16_t)x->nbp);
    else
        db_bin_null(b);
    if (l[X_NB_ENFANTS])
        db_bin_int2(b, (int16_t)x->nbe);
    else
        db_bin_null(b);
    for (int k = 0; k < 3; k++) {
        if (l[X_RESSOURCES + k])
            db_bin_int8(b, x->amount[k]);
        else
            db_bin_null(b);
    }
    if (l[X_IMPAYE])
        db_bin_int2(b, (int16_t)x->imp);
    else
        db_bin_null(b);
    for (int k = 0; k < 10; k++) {
        int col = X_FLAG_FIRST + k;
        if (l[col])
            db_bin_bool(b, f[col][0] == '1');
        else
            db_bin_null(b);
    }
}

/* COPY text escaping for the reject table; the text is made valid UTF-8 first (a byte that is
 * not becomes \xHH), so a row with a Latin-1 byte is kept with its reason, not a COPY error. */
static void copy_text(sbuf *b, const char *s, size_t n)
{
    sbuf u;
    sbuf_init(&u);
    sbuf_add_utf8(&u, s, n);
    for (size_t i = 0; i < u.len; i++) {
        char c = u.p[i];
        switch (c) {
        case '\\': sbuf_add(b, "\\\\", 2); break;
        case '\t': sbuf_add(b, "\\t", 2); break;
        case '\n': sbuf_add(b, "\\n", 2); break;
        case '\r': sbuf_add(b, "\\r", 2); break;
        default: sbuf_addc(b, c);
        }
    }
    sbuf_free(&u);
}

/* The rejected rows, spooled to a temporary file (COPY text lines without the attempt id) so
 * memory stays flat whatever the number of bad rows. */
struct rejects {
    FILE *f;
    long long n;
    sbuf line;
};

static void rejects_add(struct rejects *rj, long line, const char *why, const char *raw, size_t rawlen)
{
    while (rawlen > 0 && (raw[rawlen - 1] == '\n' || raw[rawlen - 1] == '\r'))
        rawlen--;
    sbuf_reset(&rj->line);
    sbuf_addf(&rj->line, "%ld\t", line);
    copy_text(&rj->line, why, strlen(why));
    sbuf_addc(&rj->line, '\t');
    copy_text(&rj->line, raw, rawlen > 65536 ? 65536 : rawlen);
    sbuf_addc(&rj->line, '\n');
    if (fwrite(rj->line.p, 1, rj->line.len, rj->f) != rj->line.len)
        die(TZNR_EXIT_FAIL, "could not spool rejected rows: %s", strerror(errno));
    rj->n++;
}

/* PATH as valid UTF-8 for the database (a byte that is not becomes \xHH, a control character
 * '?'), allocated (loads run side by side in tznr run: no static buffer). */
static char *printable_path(const char *path)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add_utf8(&b, path, strlen(path));
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.p[i] < 0x20 || b.p[i] == 0x7F)
            b.p[i] = '?';
    return b.p;
}

/* Record the attempt and its rejects in the current transaction. */
static void record_attempt(PGconn *conn, const char *path, const char *source, const char *sha,
                           const char *outcome, const char *reason, long long snap, long long rows_read,
                           struct rejects *rj)
{
    char snaps[32], reads[32], rejs[32];
    snprintf(snaps, sizeof snaps, "%lld", snap);
    snprintf(reads, sizeof reads, "%lld", rows_read);
    snprintf(rejs, sizeof rejs, "%lld", rj ? rj->n : 0);
    /* the file's name comes from a command line: a password typed there stays out (log_redact);
     * a reason may quote it, and a manifest's bytes (xutf8dup) */
    char *pp = printable_path(path);
    char *name = log_redact(pp), *r = reason ? log_redact(reason) : NULL;
    free(pp);
    char *why = r ? xutf8dup(r) : NULL;
    free(r);
    const char *p[] = {name, source && *source ? source : NULL, sha && *sha ? sha : NULL, outcome,
                       why, snap > 0 ? snaps : NULL, rows_read >= 0 ? reads : NULL, rejs};
    const char *id = db_value(conn,
        "INSERT INTO tznr.load_attempt (file_name, source_id, sha256, outcome, reason, snapshot_id,"
        " rows_read, rows_rejected) VALUES ($1, $2, pg_catalog.decode($3, 'hex'), $4, $5, $6, $7, $8)"
        " RETURNING id", 8, p);
    free(name);
    free(why);
    if (!rj || rj->n == 0)
        return;
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%s", id);
    db_copy_start(conn, "COPY tznr.load_reject (attempt_id, line, reason, record) FROM STDIN");
    rewind(rj->f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    sbuf out;
    sbuf_init(&out);
    while ((n = getline(&line, &cap, rj->f)) > 0) {
        sbuf_adds(&out, idbuf);
        sbuf_addc(&out, '\t');
        sbuf_add(&out, line, (size_t)n);
        if (out.len > (1 << 20)) {
            db_copy_put(conn, out.p, out.len);
            sbuf_reset(&out);
        }
    }
    db_copy_put(conn, out.p, out.len);
    db_copy_end(conn);
    free(line);
    sbuf_free(&out);
}

/* SHA-256 of a file as hex. Return 0 or -1 with errno. */
static int file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = xmalloc(CHUNK);
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    free(buf);
    int err = ferror(f);
    fclose(f);
    unsigned char d[32];
    unsigned int dl;
    EVP_DigestFinal_ex(md, d, &dl);
    EVP_MD_CTX_free(md);
    if (err)
        return -1;
    hex_encode(d, 32, hex);
    return 0;
}

/* What one load knows as it goes: the steps below fill it; the first that finds a reason to
 * refuse writes it in res->reason and returns -1, and load_extract refuses in one place. */
struct load_job {
    PGconn *conn;
    const conf *cf;
    const char *path;
    int force;
    load_result *res;
    manifest m;
    int have_manifest;
    char sha[65];           /* the digest to record with the attempt ("" for none) */
    long long rows_read;    /* -1 until the file has been read */
    long long prev_snap, prev_rows, snap;
    long long ref_snap;     /* the drop guard's reference: the largest snapshot since the last forced one */
    char ref_date[11];
    struct rejects rj;
    int keep_rejects;       /* record the rejected rows with a refusal */
};

/* Refuse: roll back what was begun, then record the attempt, its rejects and an audit entry. */
static void refuse(struct load_job *j)
{
    PGconn *conn = j->conn;
    const char *source = j->have_manifest ? j->m.source : NULL;
    struct rejects *rj = j->keep_rejects ? &j->rj : NULL;
    j->res->outcome = LOAD_REFUSED;
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        db_rollback(conn);
    db_begin(conn);
    record_attempt(conn, j->path, source, j->sha, "refused", j->res->reason, 0, j->rows_read, rj);
    sbuf d;
    sbuf_init(&d);
    sbuf_adds(&d, "{\"file\": ");
    char *pp = printable_path(j->path);
    sbuf_add_json(&d, pp);
    sbuf_addf(&d, ", \"reason\": ");
    sbuf_add_json(&d, j->res->reason);
    sbuf_addf(&d, ", \"rows_read\": %lld, \"rows_rejected\": %lld}", j->rows_read, rj ? rj->n : 0);
    audit_log(conn, "load.refused", source ? source : pp, d.p);
    free(pp);
    db_commit(conn);
    sbuf_free(&d);
}

static int refusal(struct load_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refusal(struct load_job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->res->reason, sizeof j->res->reason, fmt, ap);
    va_end(ap);
    return -1;
}

/* The manifest, and whose key the extract was made with. */
static int check_manifest(struct load_job *j)
{
    char *mpath = xasprintf("%s.manifest", j->path);
    int rc = manifest_read(mpath, &j->m, j->res->reason, sizeof j->res->reason);
    free(mpath);
    if (rc != 0)
        return -1;
    j->have_manifest = 1;
    snprintf(j->sha, sizeof j->sha, "%s", j->m.sha256);
    snprintf(j->res->source, sizeof j->res->source, "%s", j->m.source);
    if (!j->cf->key_id)
        return refusal(j, "the platform has no key id configured ([keys] key_id): it cannot tell whose key the "
                          "extract uses");
    if (strcmp(j->m.key_id, j->cf->key_id) != 0)
        return refusal(j, "key_id '%s' is not the platform's ('%s')", j->m.key_id, j->cf->key_id);
    return 0;
}

static int sha_mismatch(struct load_job *j, const char *sha)
{
    return refusal(j, "sha256 of the file (%.12s...) does not match the manifest's (%.12s...): truncated or "
                      "altered in transit", sha, j->m.sha256);
}

/* Already loaded? Asked with the manifest's sha256 and, when it names a snapshot, confirmed on
 * the file (a second read only in that case; otherwise the file's digest is computed during the
 * one pass that loads it, and checked before the commit). Return 1 when it was, 0 when not,
 * -1 when it must be refused (the file cannot be read, or is not the one loaded). An extract
 * whose snapshot has been superseded since is loaded again, as a new current snapshot, only
 * with --force (a pull that fetches old files again must not roll a source back); without it,
 * res->reason says how. */
static int check_already_loaded(struct load_job *j)
{
    /* the source's own: two sources' files can be the same bytes (two first extracts holding
     * their header alone), and loaded side by side, which was first would decide */
    const char *p[] = {j->m.sha256, j->m.source};
    PGresult *r = db_query(j->conn,
        "SELECT n.id, n.id = s.current_snapshot, s.current_snapshot FROM tznr.snapshot n"
        " JOIN tznr.source s ON s.id = n.source_id"
        " WHERE n.sha256 = pg_catalog.decode($1, 'hex') AND n.source_id = $2 ORDER BY n.id DESC LIMIT 1", 2, p);
    long long id = PQntuples(r) > 0 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    int current = id && strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    long long now = id ? atoll(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    if (!id)
        return 0;
    if (!current && j->force)
        return 0; /* the operator makes it current again: loaded as a new snapshot */
    if (!current)
        snprintf(j->res->reason, sizeof j->res->reason,
                 "loaded before as snapshot %lld, superseded since by snapshot %lld; 'tznr load --force' makes it "
                 "current again", id, now);
    char sha[65];
    if (file_sha256(j->path, sha) != 0)
        return refusal(j, "could not read the extract: %s", strerror(errno));
    if (strcmp(sha, j->m.sha256) != 0) {
        snprintf(j->sha, sizeof j->sha, "%s", sha);
        return sha_mismatch(j, sha);
    }
    j->res->snapshot_id = id;
    return 1;
}

static void record_already_loaded(struct load_job *j)
{
    j->res->outcome = LOAD_ALREADY;
    db_begin(j->conn);
    record_attempt(j->conn, j->path, j->m.source, j->sha, "already_loaded", NULL, j->res->snapshot_id, -1, NULL);
    char d[128];
    snprintf(d, sizeof d, "{\"snapshot\": %lld}", j->res->snapshot_id);
    audit_log(j->conn, "load.already_loaded", j->m.source, d);
    db_commit(j->conn);
}

/* Open the transaction, lock the source's row, create the snapshot's table and stream the
 * file into it (binary COPY), its digest computed on the way. Bad rows go to the rejects.
 * Return 0, or -1 when the file must be refused (empty, or not the extract's header). */
static int stage(struct load_job *j)
{
    PGconn *conn = j->conn;
    db_begin(conn);
    const char *p[] = {j->m.source};
    PQclear(db_query(conn, "INSERT INTO tznr.source (id) VALUES ($1) ON CONFLICT DO NOTHING", 1, p));
    /* the guard's reference is the largest snapshot the source has had since the last one an
     * operator forced (or since its first): a fall made of several small steps is measured
     * whole, and a forced load says "this is the new level" */
    PGresult *r = db_query(conn,
        "SELECT s.current_snapshot, r.rows_loaded, r.id, r.extract_date::text FROM tznr.source s"
        " LEFT JOIN LATERAL (SELECT x.id, x.rows_loaded, x.extract_date FROM tznr.snapshot x"
        "    WHERE x.source_id = s.id AND x.id >= COALESCE((SELECT pg_catalog.max(y.id) FROM tznr.snapshot y"
        "                                                   WHERE y.source_id = s.id AND y.forced), 0)"
        "    ORDER BY x.rows_loaded DESC, x.id DESC LIMIT 1) r ON true"
        " WHERE s.id = $1 FOR UPDATE OF s", 1, p);
    if (!PQgetisnull(r, 0, 0)) {
        j->prev_snap = atoll(PQgetvalue(r, 0, 0));
        j->prev_rows = atoll(PQgetvalue(r, 0, 1));
        j->ref_snap = atoll(PQgetvalue(r, 0, 2));
        snprintf(j->ref_date, sizeof j->ref_date, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    j->snap = j->res->snapshot_id = atoll(db_value(conn, "SELECT pg_catalog.nextval('tznr.snapshot_id_seq')", 0, NULL));
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE tznr.record_%lld (LIKE tznr.record INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
             " CHECK (snapshot_id = %lld))", j->snap, j->snap);
    db_exec(conn, sql);

    csvio_options opt = {.sep = ',', .max_field = 1024};
    char err[1024];
    csvio_reader *rd = csvio_open(j->path, &opt, err, sizeof err);
    if (!rd)
        die(TZNR_EXIT_FAIL, "%s", err);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        die(TZNR_EXIT_FAIL, "could not initialise SHA-256");
    csvio_set_digest(rd, md);
    csvio_record rec;
    int rc = csvio_next(rd, &rec);
    int header_ok = rc == 1 && !rec.error && rec.nfields == X_NCOLS;
    for (int i = 0; header_ok && i < X_NCOLS; i++)
        header_ok = strcmp(rec.field[i], extract_columns[i]) == 0;
    if (!header_ok) {
        csvio_close(rd);
        EVP_MD_CTX_free(md);
        j->rows_read = 0;
        return refusal(j, "%s", rc == 1 ? "the header is not the tznr-extract-v1 header" : "the file is empty");
    }
    j->rows_read = 0;
    j->rj.f = tmpfile();
    if (!j->rj.f)
        die(TZNR_EXIT_FAIL, "could not create a temporary file: %s", strerror(errno));
    snprintf(sql, sizeof sql, "COPY tznr.record_%lld (" RECORD_COLUMNS ") FROM STDIN (FORMAT binary)", j->snap);
    db_copy_start(conn, sql);
    db_bincopy b = {0};
    db_bin_header(&b);
    char why[256];
    struct xrow x;
    double start = util_now();
    while ((rc = csvio_next(rd, &rec)) == 1) {
        j->rows_read++;
        if ((j->rows_read & 8191) == 0)
            log_progress(j->path, j->rows_read, util_now() - start);
        if (parse_row(&rec, &x, why, sizeof why) == 0)
            emit_row(&b, &rec, &x, j->snap, j->m.source);
        else
            rejects_add(&j->rj, rec.line, why, rec.raw, rec.raw_len);
        if (b.len > (1 << 20)) {
            db_copy_put(conn, b.buf, b.len);
            b.len = 0;
        }
    }
    log_progress_end();
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    csvio_close(rd);
    unsigned char d[32];
    unsigned int dl;
    EVP_DigestFinal_ex(md, d, &dl);
    EVP_MD_CTX_free(md);
    hex_encode(d, 32, j->sha);
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_bin_free(&b);
    j->res->rows_read = j->rows_read;
    j->res->rows_loaded = db_copy_end(conn);
    return 0;
}

/* A token twice is the same local_ref twice in the export: keep the first, reject the others. */
static void reject_duplicates(struct load_job *j)
{
    PGconn *conn = j->conn;
    char sql[512], dberr[1024], why[256];
    snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX ON tznr.record_%lld (token)", j->snap);
    db_exec(conn, "SAVEPOINT dup");
    PGresult *ix = db_try_query(conn, sql, 0, NULL, dberr, sizeof dberr);
    if (ix) {
        PQclear(ix);
        db_exec(conn, "RELEASE SAVEPOINT dup");
        return;
    }
    db_exec(conn, "ROLLBACK TO SAVEPOINT dup");
    char del[512];
    snprintf(del, sizeof del,
             "DELETE FROM tznr.record_%lld d USING (SELECT token, pg_catalog.min(line) AS first"
             " FROM tznr.record_%lld GROUP BY token HAVING pg_catalog.count(*) > 1) x"
             " WHERE d.token = x.token AND d.line > x.first"
             " RETURNING d.line, x.first, pg_catalog.encode(d.token, 'hex')", j->snap, j->snap);
    PGresult *r = db_query(conn, del, 0, NULL);
    for (int i = 0; i < PQntuples(r); i++) {
        snprintf(why, sizeof why, "duplicate token: the same local_ref as line %s", PQgetvalue(r, i, 1));
        rejects_add(&j->rj, atol(PQgetvalue(r, i, 0)), why, PQgetvalue(r, i, 2), 64);
    }
    j->res->rows_loaded -= PQntuples(r);
    PQclear(r);
    db_exec(conn, sql);
}

/* The staged snapshot against its manifest and the guards of [load]. */
static int verify(struct load_job *j)
{
    load_result *res = j->res;
    const conf *cf = j->cf;
    if (strcmp(j->sha, j->m.sha256) != 0)
        return sha_mismatch(j, j->sha);
    j->keep_rejects = 1;
    if (j->rows_read != j->m.rows)
        return refusal(j, "the file has %lld data rows, its manifest says %lld", j->rows_read, j->m.rows);
    reject_duplicates(j);
    res->rows_rejected = j->rj.n;
    if (j->rows_read > 0 && (double)j->rj.n > cf->max_reject_share * (double)j->rows_read)
        return refusal(j, "%lld of %lld rows are invalid (%.2f%%), more than the %.2f%% allowed ([load] max_reject_share)",
                       j->rj.n, j->rows_read, 100.0 * (double)j->rj.n / (double)j->rows_read,
                       100.0 * cf->max_reject_share);
    if (j->prev_rows > 0 && !j->force && (double)res->rows_loaded < (1.0 - cf->max_drop_share) * (double)j->prev_rows)
        return refusal(j, "%lld rows against %lld in snapshot %lld (extract of %s), the largest since the last "
                          "forced load: a fall of %.1f%%, more than the %.1f%% allowed ([load] max_drop_share); a "
                          "truncated export? use --force if it is right",
                       res->rows_loaded, j->prev_rows, j->ref_snap, j->ref_date,
                       100.0 * (1.0 - (double)res->rows_loaded / (double)j->prev_rows), 100.0 * cf->max_drop_share);
    return 0;
}

/* Attach the snapshot's table, make it the source's current snapshot, record the attempt and
 * the audit entry, commit. */
static void publish(struct load_job *j)
{
    PGconn *conn = j->conn;
    load_result *res = j->res;
    char sql[512];
    snprintf(sql, sizeof sql, "ALTER TABLE tznr.record ATTACH PARTITION tznr.record_%lld FOR VALUES IN (%lld);"
             "ANALYZE tznr.record_%lld", j->snap, j->snap, j->snap);
    db_exec(conn, sql);
    char snaps[32], declared[32], loaded[32], rejected[32], prevs[32];
    snprintf(snaps, sizeof snaps, "%lld", j->snap);
    snprintf(declared, sizeof declared, "%lld", j->m.rows);
    snprintf(loaded, sizeof loaded, "%lld", res->rows_loaded);
    snprintf(rejected, sizeof rejected, "%lld", res->rows_rejected);
    snprintf(prevs, sizeof prevs, "%lld", j->prev_snap);
    char *full = printable_path(j->path);
    const char *base = strrchr(full, '/') ? strrchr(full, '/') + 1 : full;
    const char *p[] = {snaps, j->m.source, base, j->sha, j->m.extract_date, j->m.created_at, j->m.key_id,
                       declared, loaded, rejected, j->force ? "true" : "false", j->prev_snap ? prevs : NULL};
    PQclear(db_query(conn,
        "WITH n AS (INSERT INTO tznr.snapshot (id, source_id, file_name, sha256, extract_date,"
        " manifest_created_at, key_id, rows_declared, rows_loaded, rows_rejected, forced)"
        " VALUES ($1, $2, $3, pg_catalog.decode($4, 'hex'), $5, $6, $7, $8, $9, $10, $11) RETURNING id),"
        " o AS (UPDATE tznr.snapshot SET superseded_at = pg_catalog.now() WHERE id = $12::bigint)"
        " UPDATE tznr.source SET current_snapshot = (SELECT id FROM n) WHERE id = $2", 12, p));
    record_attempt(conn, j->path, j->m.source, j->sha, "loaded", NULL, j->snap, j->rows_read, &j->rj);
    sbuf d;
    sbuf_init(&d);
    sbuf_adds(&d, "{\"file\": ");
    sbuf_add_json(&d, base);
    sbuf_addf(&d, ", \"sha256\": \"%s\", \"snapshot\": %lld, \"previous\": %lld, "
                  "\"rows\": %lld, \"rejected\": %lld, \"extract_date\": \"%s\", \"forced\": %s}",
              j->sha, j->snap, j->prev_snap, res->rows_loaded, res->rows_rejected, j->m.extract_date,
              j->force ? "true" : "false");
    audit_log(conn, "load", j->m.source, d.p);
    sbuf_free(&d);
    free(full);
    db_commit(conn);
    res->outcome = LOAD_DONE;
}

void load_extract(PGconn *conn, const conf *cf, const char *path, int force, load_result *res)
{
    memset(res, 0, sizeof *res);
    double t0 = util_now();
    struct load_job j = {.conn = conn, .cf = cf, .path = path, .force = force, .res = res, .rows_read = -1};
    sbuf_init(&j.rj.line);
    /* Every check that needs no transaction comes first; then the snapshot is staged and
     * verified inside one. Whatever step refuses, the refusal is recorded here, once. */
    int rc = check_manifest(&j);
    if (rc == 0)
        rc = check_already_loaded(&j);
    if (rc == 0)
        rc = stage(&j);
    if (rc == 0)
        rc = verify(&j);
    if (rc < 0)
        refuse(&j);
    else if (rc == 1)
        record_already_loaded(&j);
    else
        publish(&j);
    if (j.rj.f)
        fclose(j.rj.f);
    sbuf_free(&j.rj.line);
    res->seconds = util_now() - t0;
}
