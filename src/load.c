#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit.h"
#include "csvio.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "util.h"
#include "manifest.h"
#include "norm.h"
#include "sbuf.h"

/* Extract columns (extract-v1 section 5). */
enum {
    X_TOKEN, X_HOUSEHOLD, X_ROLE, X_K_NIR, X_K_IDENT, X_K_IDENT_ALT, X_K_DOB, X_CLK, X_CLK_ALT,
    X_SEX, X_BIRTH_YEAR, X_COMMUNE, X_NB_PERSONNES, X_NB_ENFANTS, X_RESSOURCES, X_REVENUS,
    X_LOYER, X_IMPAYE, X_FLAG_FIRST, X_NCOLS = X_FLAG_FIRST + 10
};

static const char *const xnames[X_NCOLS] = {
    "token", "household", "role", "k_nir", "k_ident", "k_ident_alt", "k_dob", "clk", "clk_alt",
    "sex", "birth_year", "commune", "nb_personnes", "nb_enfants", "ressources_mensuelles",
    "revenus_activite", "loyer", "impaye_mois", "rsa", "prime_activite", "aide_logement", "aah",
    "css", "aspa", "apa", "pch", "fsl", "suivi_social"};

#define RECORD_COLUMNS                                                                        \
    "snapshot_id, source_id, line, token, household, role, k_nir, k_ident, k_ident_alt, k_dob," \
    " clk, clk_alt, sex, birth_year, commune, nb_personnes, nb_enfants, ressources_cents,"       \
    " revenus_activite_cents, loyer_cents, impaye_mois, rsa, prime_activite, aide_logement, aah,"\
    " css, aspa, apa, pch, fsl, suivi_social"
#define RECORD_NCOLS 31

/* Hex digit values, -1 for anything else (upper case included: the spec writes lowercase). */
static const signed char hexval[256] = {
    ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
    ['8'] = 8, ['9'] = 9, ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15};
static signed char hexlut[256];

static void hexlut_init(void)
{
    if (hexlut['0'] == 0 && hexlut['x'] == -1)
        return;
    for (int i = 0; i < 256; i++)
        hexlut[i] = -1;
    for (int i = 0; i < 256; i++)
        if ((i >= '0' && i <= '9') || (i >= 'a' && i <= 'f'))
            hexlut[i] = hexval[i];
}

/* Decode exactly 2*N lowercase hex digits into OUT; return 0 or -1. The hot loop of the
 * loader (a row has about 800 hex digits): a table and one validity check at the end. */
static int unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
    if (len != 2 * n)
        return -1;
    const unsigned char *u = (const unsigned char *)s;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = hexlut[u[2 * i]], lo = hexlut[u[2 * i + 1]];
        bad |= hi | lo;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return bad < 0 ? -1 : 0;
}

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

/* Validate one extract row and append it to the binary COPY buffer. Return 0, or -1 with the
 * reason in WHY. */
static int encode_row(db_bincopy *b, const csvio_record *r, long long snap, const char *source,
                      char *why, size_t whylen)
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
    unsigned char keys[7][32], clk[2][128];
    int has[X_NCOLS] = {0};
    static const int keycols[7] = {X_TOKEN, X_HOUSEHOLD, X_K_NIR, X_K_IDENT, X_K_IDENT_ALT, X_K_DOB, -1};
    for (int k = 0; keycols[k] >= 0; k++) {
        int col = keycols[k];
        if (l[col] == 0) {
            if (col == X_TOKEN) {
                snprintf(why, whylen, "token is empty");
                return -1;
            }
            continue;
        }
        if (unhex(f[col], l[col], keys[k], 32) != 0) {
            snprintf(why, whylen, "%s is not 64 lowercase hex digits", xnames[col]);
            return -1;
        }
        has[col] = 1;
    }
    for (int k = 0; k < 2; k++) {
        int col = X_CLK + k;
        if (l[col] == 0)
            continue;
        if (unhex(f[col], l[col], clk[k], 128) != 0) {
            snprintf(why, whylen, "%s is not 256 lowercase hex digits", xnames[col]);
            return -1;
        }
        has[col] = 1;
    }
    if (l[X_ROLE] && !(l[X_ROLE] == 1 && (f[X_ROLE][0] == 'D' || f[X_ROLE][0] == 'C' ||
                                          f[X_ROLE][0] == 'E' || f[X_ROLE][0] == 'A'))) {
        snprintf(why, whylen, "role '%.8s' is not one of D, C, E, A", f[X_ROLE]);
        return -1;
    }
    int sex = 0, year = 0, nbp = 0, nbe = 0, imp = 0;
    if (l[X_SEX] && small_int(f[X_SEX], l[X_SEX], 1, 2, &sex) != 0) {
        snprintf(why, whylen, "sex is not 1 or 2");
        return -1;
    }
    if (l[X_BIRTH_YEAR] && (l[X_BIRTH_YEAR] != 4 || small_int(f[X_BIRTH_YEAR], 4, 1880, 2100, &year) != 0)) {
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
    if ((l[X_NB_PERSONNES] && small_int(f[X_NB_PERSONNES], l[X_NB_PERSONNES], 1, 999, &nbp) != 0) ||
        (l[X_NB_ENFANTS] && small_int(f[X_NB_ENFANTS], l[X_NB_ENFANTS], 0, 999, &nbe) != 0) ||
        (l[X_IMPAYE] && small_int(f[X_IMPAYE], l[X_IMPAYE], 0, 999, &imp) != 0)) {
        snprintf(why, whylen, "nb_personnes, nb_enfants or impaye_mois is not a whole number in range");
        return -1;
    }
    long long amount[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        int col = X_RESSOURCES + k;
        if (l[col] && cents(f[col], l[col], &amount[k]) != 0) {
            snprintf(why, whylen, "%s is not an amount in euros with '.' as decimal point", xnames[col]);
            return -1;
        }
    }
    for (int k = 0; k < 10; k++) {
        int col = X_FLAG_FIRST + k;
        if (l[col] && !(l[col] == 1 && (f[col][0] == '0' || f[col][0] == '1'))) {
            snprintf(why, whylen, "%s is not 0 or 1", xnames[col]);
            return -1;
        }
    }

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
        if (has[keycols[k]])
            db_bin_bytes(b, keys[k], 32);
        else
            db_bin_null(b);
    }
    for (int k = 0; k < 2; k++) {
        if (has[X_CLK + k])
            db_bin_bytes(b, clk[k], 128);
        else
            db_bin_null(b);
    }
    if (sex)
        db_bin_int2(b, (int16_t)sex);
    else
        db_bin_null(b);
    if (year)
        db_bin_int2(b, (int16_t)year);
    else
        db_bin_null(b);
    if (l[X_COMMUNE])
        db_bin_bytes(b, f[X_COMMUNE], l[X_COMMUNE]);
    else
        db_bin_null(b);
    if (l[X_NB_PERSONNES])
        db_bin_int2(b, (int16_t)nbp);
    else
        db_bin_null(b);
    if (l[X_NB_ENFANTS])
        db_bin_int2(b, (int16_t)nbe);
    else
        db_bin_null(b);
    for (int k = 0; k < 3; k++) {
        if (l[X_RESSOURCES + k])
            db_bin_int8(b, amount[k]);
        else
            db_bin_null(b);
    }
    if (l[X_IMPAYE])
        db_bin_int2(b, (int16_t)imp);
    else
        db_bin_null(b);
    for (int k = 0; k < 10; k++) {
        int col = X_FLAG_FIRST + k;
        if (l[col])
            db_bin_bool(b, f[col][0] == '1');
        else
            db_bin_null(b);
    }
    return 0;
}

/* COPY text escaping for the reject table. */
static void copy_text(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '\\': sbuf_add(b, "\\\\", 2); break;
        case '\t': sbuf_add(b, "\\t", 2); break;
        case '\n': sbuf_add(b, "\\n", 2); break;
        case '\r': sbuf_add(b, "\\r", 2); break;
        default:
            if (c != '\0')
                sbuf_addc(b, c);
        }
    }
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

/* PATH as valid UTF-8 for the database (a byte that is not becomes '?'), in a static buffer. */
static const char *printable_path(const char *path)
{
    static char buf[4096];
    size_t n = 0;
    for (const char *p = path; *p && n + 4 < sizeof buf;) {
        size_t len = strlen(p);
        size_t step = 1;
        while (step <= 4 && step <= len && !norm_utf8_valid(p, step))
            step++;
        if (step > 4 || step > len || (unsigned char)*p < 0x20) {
            buf[n++] = '?';
            p++;
        } else {
            memcpy(buf + n, p, step);
            n += step;
            p += step;
        }
    }
    buf[n] = '\0';
    return buf;
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
    const char *p[] = {printable_path(path), source && *source ? source : NULL, sha && *sha ? sha : NULL, outcome,
                       reason, snap > 0 ? snaps : NULL, rows_read >= 0 ? reads : NULL, rejs};
    const char *id = db_value(conn,
        "INSERT INTO tznr.load_attempt (file_name, source_id, sha256, outcome, reason, snapshot_id,"
        " rows_read, rows_rejected) VALUES ($1, $2, pg_catalog.decode($3, 'hex'), $4, $5, $6, $7, $8)"
        " RETURNING id", 8, p);
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
    static unsigned char buf[1 << 20];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    int err = ferror(f);
    fclose(f);
    unsigned char d[32];
    unsigned int dl;
    EVP_DigestFinal_ex(md, d, &dl);
    EVP_MD_CTX_free(md);
    if (err)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* Refuse: roll back what was begun, then record the attempt, its rejects and an audit entry. */
static void refuse(PGconn *conn, int in_tx, load_result *res, const char *path, const char *source,
                   const char *sha, long long rows_read, struct rejects *rj)
{
    res->outcome = LOAD_REFUSED;
    if (in_tx)
        db_rollback(conn);
    db_begin(conn);
    record_attempt(conn, path, source, sha, "refused", res->reason, 0, rows_read, rj);
    sbuf d;
    sbuf_init(&d);
    sbuf_adds(&d, "{\"file\": ");
    sbuf_add_json(&d, printable_path(path));
    sbuf_addf(&d, ", \"reason\": ");
    sbuf_add_json(&d, res->reason);
    sbuf_addf(&d, ", \"rows_read\": %lld, \"rows_rejected\": %lld}", rows_read, rj ? rj->n : 0);
    audit_log(conn, "load.refused", source && *source ? source : printable_path(path), d.p);
    db_commit(conn);
    sbuf_free(&d);
}

void load_extract(PGconn *conn, const conf *cf, const char *path, int force, load_result *res)
{
    hexlut_init();
    memset(res, 0, sizeof *res);
    double t0 = util_now();
    char mpath[4096], sha[65] = "";
    snprintf(mpath, sizeof mpath, "%s.manifest", path);
    manifest m;
    struct rejects rj = {0};
    sbuf_init(&rj.line);
    if (manifest_read(mpath, &m, res->reason, sizeof res->reason) != 0) {
        refuse(conn, 0, res, path, NULL, NULL, -1, NULL);
        goto out;
    }
    snprintf(res->source, sizeof res->source, "%s", m.source);
    if (!cf->key_id) {
        snprintf(res->reason, sizeof res->reason,
                 "the platform has no key id configured ([keys] key_id): it cannot tell whose key the extract uses");
        refuse(conn, 0, res, path, m.source, m.sha256, -1, NULL);
        goto out;
    }
    if (strcmp(m.key_id, cf->key_id) != 0) {
        snprintf(res->reason, sizeof res->reason, "key_id '%s' is not the platform's ('%s')", m.key_id,
                 cf->key_id);
        refuse(conn, 0, res, path, m.source, m.sha256, -1, NULL);
        goto out;
    }
    {
        /* Already loaded? Asked with the manifest's sha256 and, when it names a snapshot,
         * confirmed on the file (a second read only in that case). Otherwise the file's digest
         * is computed during the one pass that loads it, and checked before the commit. */
        const char *p[] = {m.sha256};
        PGresult *r = db_query(conn, "SELECT id FROM tznr.snapshot WHERE sha256 = pg_catalog.decode($1, 'hex')", 1, p);
        if (PQntuples(r) > 0) {
            long long id = atoll(PQgetvalue(r, 0, 0));
            PQclear(r);
            if (file_sha256(path, sha) != 0) {
                snprintf(res->reason, sizeof res->reason, "could not read the extract: %s", strerror(errno));
                refuse(conn, 0, res, path, m.source, m.sha256, -1, NULL);
                goto out;
            }
            if (strcmp(sha, m.sha256) != 0) {
                snprintf(res->reason, sizeof res->reason,
                         "sha256 of the file (%.12s...) does not match the manifest's (%.12s...): truncated or "
                         "altered in transit", sha, m.sha256);
                refuse(conn, 0, res, path, m.source, sha, -1, NULL);
                goto out;
            }
            res->outcome = LOAD_ALREADY;
            res->snapshot_id = id;
            db_begin(conn);
            record_attempt(conn, path, m.source, sha, "already_loaded", NULL, res->snapshot_id, -1, NULL);
            char d[128];
            snprintf(d, sizeof d, "{\"snapshot\": %lld}", res->snapshot_id);
            audit_log(conn, "load.already_loaded", m.source, d);
            db_commit(conn);
            goto out;
        }
        PQclear(r);
    }

    db_begin(conn);
    long long prev_snap = 0, prev_rows = -1;
    {
        const char *p[] = {m.source};
        PQclear(db_query(conn, "INSERT INTO tznr.source (id) VALUES ($1) ON CONFLICT DO NOTHING", 1, p));
        PGresult *r = db_query(conn,
            "SELECT s.current_snapshot, n.rows_loaded FROM tznr.source s"
            " LEFT JOIN tznr.snapshot n ON n.id = s.current_snapshot WHERE s.id = $1 FOR UPDATE OF s", 1, p);
        if (!PQgetisnull(r, 0, 0)) {
            prev_snap = atoll(PQgetvalue(r, 0, 0));
            prev_rows = atoll(PQgetvalue(r, 0, 1));
        }
        PQclear(r);
    }
    long long snap = atoll(db_value(conn, "SELECT pg_catalog.nextval('tznr.snapshot_id_seq')", 0, NULL));
    res->snapshot_id = snap;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE tznr.record_%lld (LIKE tznr.record INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
             " CHECK (snapshot_id = %lld))", snap, snap);
    db_exec(conn, sql);

    csvio_options opt = {.sep = ',', .max_field = 1024};
    char err[1024];
    csvio_reader *rd = csvio_open(path, &opt, err, sizeof err);
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
        header_ok = strcmp(rec.field[i], xnames[i]) == 0;
    if (!header_ok) {
        csvio_close(rd);
        EVP_MD_CTX_free(md);
        snprintf(res->reason, sizeof res->reason, "%s",
                 rc == 1 ? "the header is not the tznr-extract-v1 header" : "the file is empty");
        refuse(conn, 1, res, path, m.source, m.sha256, 0, NULL);
        goto out;
    }
    rj.f = tmpfile();
    if (!rj.f)
        die(TZNR_EXIT_FAIL, "could not create a temporary file: %s", strerror(errno));
    snprintf(sql, sizeof sql, "COPY tznr.record_%lld (" RECORD_COLUMNS ") FROM STDIN (FORMAT binary)", snap);
    db_copy_start(conn, sql);
    db_bincopy b = {0};
    db_bin_header(&b);
    char why[256];
    while ((rc = csvio_next(rd, &rec)) == 1) {
        res->rows_read++;
        if (encode_row(&b, &rec, snap, m.source, why, sizeof why) != 0)
            rejects_add(&rj, rec.line, why, rec.raw, rec.raw_len);
        if (b.len > (1 << 20)) {
            db_copy_put(conn, b.buf, b.len);
            b.len = 0;
        }
    }
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    csvio_close(rd);
    {
        unsigned char d[32];
        unsigned int dl;
        EVP_DigestFinal_ex(md, d, &dl);
        EVP_MD_CTX_free(md);
        for (int i = 0; i < 32; i++)
            snprintf(sha + 2 * i, 3, "%02x", d[i]);
    }
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_bin_free(&b);
    res->rows_loaded = db_copy_end(conn);

    if (strcmp(sha, m.sha256) != 0) {
        snprintf(res->reason, sizeof res->reason,
                 "sha256 of the file (%.12s...) does not match the manifest's (%.12s...): truncated or altered in transit",
                 sha, m.sha256);
        refuse(conn, 1, res, path, m.source, sha, res->rows_read, NULL);
        goto out;
    }
    if (res->rows_read != m.rows) {
        snprintf(res->reason, sizeof res->reason, "the file has %lld data rows, its manifest says %lld",
                 res->rows_read, m.rows);
        refuse(conn, 1, res, path, m.source, sha, res->rows_read, &rj);
        goto out;
    }
    /* A token twice: the same local_ref twice in the export. Keep the first, reject the others. */
    snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX ON tznr.record_%lld (token)", snap);
    char dberr[1024];
    db_exec(conn, "SAVEPOINT dup");
    PGresult *ix = db_try_query(conn, sql, 0, NULL, dberr, sizeof dberr);
    if (!ix) {
        db_exec(conn, "ROLLBACK TO SAVEPOINT dup");
        snprintf(sql, sizeof sql,
                 "DELETE FROM tznr.record_%lld d USING (SELECT token, pg_catalog.min(line) AS first"
                 " FROM tznr.record_%lld GROUP BY token HAVING pg_catalog.count(*) > 1) x"
                 " WHERE d.token = x.token AND d.line > x.first"
                 " RETURNING d.line, x.first, pg_catalog.encode(d.token, 'hex')", snap, snap);
        PGresult *r = db_query(conn, sql, 0, NULL);
        for (int i = 0; i < PQntuples(r); i++) {
            snprintf(why, sizeof why, "duplicate token: the same local_ref as line %s", PQgetvalue(r, i, 1));
            rejects_add(&rj, atol(PQgetvalue(r, i, 0)), why, PQgetvalue(r, i, 2), 64);
        }
        res->rows_loaded -= PQntuples(r);
        PQclear(r);
        snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX ON tznr.record_%lld (token)", snap);
        db_exec(conn, sql);
    } else {
        PQclear(ix);
        db_exec(conn, "RELEASE SAVEPOINT dup");
    }
    res->rows_rejected = rj.n;
    if (res->rows_read > 0 && (double)rj.n > cf->max_reject_share * (double)res->rows_read) {
        snprintf(res->reason, sizeof res->reason,
                 "%lld of %lld rows are invalid (%.2f%%), more than the %.2f%% allowed ([load] max_reject_share)",
                 rj.n, res->rows_read, 100.0 * (double)rj.n / (double)res->rows_read, 100.0 * cf->max_reject_share);
        refuse(conn, 1, res, path, m.source, sha, res->rows_read, &rj);
        goto out;
    }
    if (prev_rows > 0 && !force &&
        (double)res->rows_loaded < (1.0 - cf->max_drop_share) * (double)prev_rows) {
        snprintf(res->reason, sizeof res->reason,
                 "%lld rows against %lld in the current snapshot: a fall of %.1f%%, more than the %.1f%% allowed "
                 "([load] max_drop_share); a truncated export? use --force if it is right",
                 res->rows_loaded, prev_rows, 100.0 * (1.0 - (double)res->rows_loaded / (double)prev_rows),
                 100.0 * cf->max_drop_share);
        refuse(conn, 1, res, path, m.source, sha, res->rows_read, &rj);
        goto out;
    }
    snprintf(sql, sizeof sql, "ALTER TABLE tznr.record ATTACH PARTITION tznr.record_%lld FOR VALUES IN (%lld);"
             "ANALYZE tznr.record_%lld", snap, snap, snap);
    db_exec(conn, sql);
    {
        char snaps[32], declared[32], loaded[32], rejected[32], prevs[32];
        snprintf(snaps, sizeof snaps, "%lld", snap);
        snprintf(declared, sizeof declared, "%lld", m.rows);
        snprintf(loaded, sizeof loaded, "%lld", res->rows_loaded);
        snprintf(rejected, sizeof rejected, "%lld", res->rows_rejected);
        snprintf(prevs, sizeof prevs, "%lld", prev_snap);
        const char *full = printable_path(path);
        const char *base = strrchr(full, '/') ? strrchr(full, '/') + 1 : full;
        const char *p[] = {snaps, m.source, base, sha, m.extract_date, m.created_at, m.key_id,
                           declared, loaded, rejected, force ? "true" : "false", prev_snap ? prevs : NULL};
        PQclear(db_query(conn,
            "WITH n AS (INSERT INTO tznr.snapshot (id, source_id, file_name, sha256, extract_date,"
            " manifest_created_at, key_id, rows_declared, rows_loaded, rows_rejected, forced)"
            " VALUES ($1, $2, $3, pg_catalog.decode($4, 'hex'), $5, $6, $7, $8, $9, $10, $11) RETURNING id),"
            " o AS (UPDATE tznr.snapshot SET superseded_at = pg_catalog.now() WHERE id = $12::bigint)"
            " UPDATE tznr.source SET current_snapshot = (SELECT id FROM n) WHERE id = $2", 12, p));
        record_attempt(conn, path, m.source, sha, "loaded", NULL, snap, res->rows_read, &rj);
        sbuf d;
        sbuf_init(&d);
        sbuf_adds(&d, "{\"file\": ");
        sbuf_add_json(&d, base);
        sbuf_addf(&d, ", \"sha256\": \"%s\", \"snapshot\": %lld, \"previous\": %lld, "
                      "\"rows\": %lld, \"rejected\": %lld, \"extract_date\": \"%s\", \"forced\": %s}",
                  sha, snap, prev_snap, res->rows_loaded, res->rows_rejected, m.extract_date,
                  force ? "true" : "false");
        audit_log(conn, "load", m.source, d.p);
        sbuf_free(&d);
    }
    db_commit(conn);
    res->outcome = LOAD_DONE;
out:
    if (rj.f)
        fclose(rj.f);
    sbuf_free(&rj.line);
    res->seconds = util_now() - t0;
}
