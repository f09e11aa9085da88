#include "db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sbuf.h"

static void finish_cb(void *arg) { PQfinish(arg); }

/* libpq's message MSG in DST as one line: its final newlines dropped, the hint libpq puts on a
 * second, tab-indented line joined to the first */
static void one_line(char *dst, size_t cap, const char *msg)
{
    snprintf(dst, cap, "%s", msg);
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = '\0';
    for (char *q = dst; *q; q++)
        if (*q == '\n' || *q == '\t')
            *q = ' ';
}

PGconn *db_try_connect(const conf *c, const char *conninfo, char *err, size_t errlen)
{
    const char *ci = conninfo ? conninfo : (c && c->conninfo ? c->conninfo : "");
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {ci, "tznr", NULL};
    /* libpq's syntax errors quote the faulty word ("missing \"=\" after \"...\""), which may be
     * a password written without its keyword's '=': then say only that the string is malformed */
    char *perr = NULL;
    PQconninfoOption *parsed = NULL;
    /* (a string without '=' nor "://" is a database's name: libpq does not parse it) */
    if ((strchr(ci, '=') || strstr(ci, "://")) && !(parsed = PQconninfoParse(ci, &perr))) {
        char *safe = log_redact(ci);
        int secret = strcmp(safe, ci) != 0 || strcasestr(ci, "passw") || strstr(ci, "://");
        free(safe);
        if (secret || !perr) {
            snprintf(err, errlen, "could not connect to the database: the connection string is malformed (libpq's "
                     "reason is not repeated: it may quote a password)");
        } else {
            size_t n = strlen(perr);
            while (n > 0 && perr[n - 1] == '\n')
                perr[--n] = '\0';
            snprintf(err, errlen, "could not connect to the database: %s", perr);
        }
        PQfreemem(perr);
        return NULL;
    }
    if (parsed)
        PQconninfoFree(parsed);
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn) {
        snprintf(err, errlen, "could not allocate a database connection");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[1024];
        one_line(msg, sizeof msg, PQerrorMessage(conn));
        PQfinish(conn);
        snprintf(err, errlen, "could not connect to the database: %s", msg);
        return NULL;
    }
    log_on_die(finish_cb, conn);
    /* Names are schema-qualified everywhere; an empty search_path keeps it that way. */
    PQclear(db_query(conn, "SELECT pg_catalog.set_config('search_path', '', false), "
                           "pg_catalog.set_config('TimeZone', 'UTC', false)", 0, NULL));
    return conn;
}

PGconn *db_try_clone(PGconn *conn, char *err, size_t errlen)
{
    /* CONN's parameters as libpq holds them (the configuration's string, --db, the
     * environment, the password file's path), pinned to the server CONN reached: with several
     * hosts, or a name for several addresses, the clone must not land on another (a standby) */
    PQconninfoOption *opts = PQconninfo(conn);
    if (!opts) {
        snprintf(err, errlen, "could not read the database connection's parameters");
        return NULL;
    }
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **keys = xcalloc(n + 4, sizeof *keys), **vals = xcalloc(n + 4, sizeof *vals);
    const char *host = PQhost(conn), *hostaddr = PQhostaddr(conn), *port = PQport(conn);
    size_t k = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *v = o->val;
        if (strcmp(o->keyword, "host") == 0 && host && host[0])
            v = host;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            v = hostaddr && hostaddr[0] ? hostaddr : NULL;
        else if (strcmp(o->keyword, "port") == 0 && port && port[0])
            v = port;
        if (v && v[0]) {
            keys[k] = o->keyword;
            vals[k++] = v;
        }
    }
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    PQconninfoFree(opts);
    free(keys);
    free(vals);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char msg[1024];
        one_line(msg, sizeof msg, c ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        snprintf(err, errlen, "could not open one more connection to the database: %s", msg);
        return NULL;
    }
    /* as db_connect's, and READ COMMITTED whatever the role's default: two loads append to the
     * audit chain side by side, each reading its head after taking the chain's lock */
    PQclear(db_query(c, "SELECT pg_catalog.set_config('search_path', '', false), "
                        "pg_catalog.set_config('TimeZone', 'UTC', false), "
                        "pg_catalog.set_config('default_transaction_isolation', 'read committed', false)", 0, NULL));
    return c;
}

PGconn *db_connect(const conf *c, const char *conninfo)
{
    char err[1200];
    PGconn *conn = db_try_connect(c, conninfo, err, sizeof err);
    if (!conn)
        die(TZNR_EXIT_FAIL, "%s", err);
    return conn;
}

PGconn *db_platform(conf *cf, const char *cfile, const char *conninfo)
{
    char err[1024];
    if (conf_load(cf, cfile, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    PGconn *conn = db_connect(cf, conninfo);
    db_require_schema(conn);
    return conn;
}

void db_close(PGconn *conn)
{
    log_forget(finish_cb, conn);
    PQfinish(conn);
}

static void trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

PGresult *db_try_query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen)
{
    PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    snprintf(err, errlen, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    trim_nl(err);
    PQclear(r);
    return NULL;
}

PGresult *db_query(PGconn *conn, const char *sql, int n, const char *const *params)
{
    char err[2048];
    PGresult *r = db_try_query(conn, sql, n, params, err, sizeof err);
    if (!r)
        die(TZNR_EXIT_FAIL, "database: %s", err);
    return r;
}

void db_exec(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        char err[2048];
        snprintf(err, sizeof err, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
        trim_nl(err);
        PQclear(r);
        die(TZNR_EXIT_FAIL, "database: %s", err);
    }
    PQclear(r);
}

/* db_value's buffer, one a thread (tznr run loads extracts side by side) */
static _Thread_local char *value_buf;
static _Thread_local size_t value_cap;

void db_value_release(void)
{
    free(value_buf);
    value_buf = NULL;
    value_cap = 0;
}

const char *db_value(PGconn *conn, const char *sql, int n, const char *const *params)
{
    /* grown to fit: a value is never cut short */
    PGresult *r = db_query(conn, sql, n, params);
    const char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
    size_t len = strlen(v);
    if (len + 1 > value_cap) {
        value_cap = len + 1 < 256 ? 256 : len + 1;
        value_buf = xrealloc(value_buf, value_cap);
    }
    memcpy(value_buf, v, len + 1);
    PQclear(r);
    return value_buf;
}

void db_begin(PGconn *conn) { db_exec(conn, "BEGIN"); }
void db_commit(PGconn *conn) { db_exec(conn, "COMMIT"); }
void db_rollback(PGconn *conn) { db_exec(conn, "ROLLBACK"); }

int db_try_lock(PGconn *conn, int64_t key)
{
    char k[32];
    snprintf(k, sizeof k, "%lld", (long long)key);
    const char *p[] = {k};
    return strcmp(db_value(conn, "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", 1, p), "t") == 0;
}

/* Send a COPY statement and die unless the server answers with STATUS (COPY_IN or COPY_OUT). */
static void copy_begin(PGconn *conn, const char *sql, ExecStatusType status)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != status) {
        char err[2048];
        snprintf(err, sizeof err, "%s", PQresultErrorMessage(r));
        trim_nl(err);
        PQclear(r);
        die(TZNR_EXIT_FAIL, "database: could not start COPY: %s", err);
    }
    PQclear(r);
}

void db_copy_start(PGconn *conn, const char *sql) { copy_begin(conn, sql, PGRES_COPY_IN); }

/* After a COPY: drain every result until NULL, as psql's copy.c does; die on the first error.
 * Return the rows the server reports (-1 when none). */
static long long copy_drain(PGconn *conn)
{
    long long rows = -1;
    char err[2048] = "";
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            rows = atoll(PQcmdTuples(r));
        else if (!err[0]) {
            snprintf(err, sizeof err, "%s", PQresultErrorMessage(r));
            trim_nl(err);
        }
        PQclear(r);
    }
    if (err[0])
        die(TZNR_EXIT_FAIL, "database: COPY failed: %s", err);
    return rows;
}

void db_copy_put(PGconn *conn, const void *buf, size_t len)
{
    while (len > 0) {
        int n = len > (1 << 30) ? (1 << 30) : (int)len;
        if (PQputCopyData(conn, buf, n) != 1)
            die(TZNR_EXIT_FAIL, "database: COPY failed: %s", PQerrorMessage(conn));
        buf = (const char *)buf + n;
        len -= (size_t)n;
    }
}

long long db_copy_end(PGconn *conn)
{
    if (PQputCopyEnd(conn, NULL) != 1)
        die(TZNR_EXIT_FAIL, "database: COPY failed: %s", PQerrorMessage(conn));
    return copy_drain(conn);
}

void db_copy_out(PGconn *conn, const char *sql, void (*fn)(void *ctx, const char *buf, int len),
                 void *ctx)
{
    copy_begin(conn, sql, PGRES_COPY_OUT);
    char *buf;
    int n;
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
        fn(ctx, buf, n);
        PQfreemem(buf);
    }
    if (n == -2)
        die(TZNR_EXIT_FAIL, "database: COPY failed: %s", PQerrorMessage(conn));
    copy_drain(conn);
}

void db_copy_out2(PGconn *c1, const char *sql1, db_copy_fn fn1, void *ctx1, PGconn *c2, const char *sql2,
                  db_copy_fn fn2, void *ctx2)
{
    copy_begin(c1, sql1, PGRES_COPY_OUT);
    copy_begin(c2, sql2, PGRES_COPY_OUT);
    PGconn *conn[2] = {c1, c2};
    void *ctx[2] = {ctx1, ctx2};
    db_copy_fn fn[2] = {fn1, fn2};
    int open[2] = {1, 1};
    while (open[0] || open[1]) {
        int got = 0;
        for (int k = 0; k < 2; k++) {
            char *buf;
            int n;
            /* what has arrived, without waiting */
            while (open[k] && (n = PQgetCopyData(conn[k], &buf, 1)) != 0) {
                if (n == -1) {
                    open[k] = 0;
                    break;
                }
                if (n == -2)
                    die(TZNR_EXIT_FAIL, "database: COPY failed: %s", PQerrorMessage(conn[k]));
                fn[k](ctx[k], buf, n);
                PQfreemem(buf);
                got = 1;
            }
        }
        if (got || !(open[0] || open[1]))
            continue;
        /* neither had a whole row: wait for either socket, then read what came */
        struct pollfd pf[2];
        int np = 0;
        for (int k = 0; k < 2; k++)
            if (open[k])
                pf[np++] = (struct pollfd){.fd = PQsocket(conn[k]), .events = POLLIN};
        if (poll(pf, (nfds_t)np, -1) < 0 && errno != EINTR)
            die(TZNR_EXIT_FAIL, "database: poll: %s", strerror(errno));
        for (int k = 0; k < 2; k++)
            if (open[k] && !PQconsumeInput(conn[k]))
                die(TZNR_EXIT_FAIL, "database: %s", PQerrorMessage(conn[k]));
    }
    copy_drain(c1);
    copy_drain(c2);
}

static void bin_reserve(db_bincopy *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + n)
        cap *= 2;
    b->buf = xrealloc(b->buf, cap);
    b->cap = cap;
}

static void bin_raw(db_bincopy *b, const void *p, size_t n)
{
    bin_reserve(b, n);
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

void db_bin_header(db_bincopy *b)
{
    static const char sig[] = "PGCOPY\n\377\r\n\0";
    bin_raw(b, sig, 11);
    uint32_t z = 0;
    bin_raw(b, &z, 4); /* flags */
    bin_raw(b, &z, 4); /* header extension length */
}

void db_bin_row(db_bincopy *b, int nfields)
{
    uint16_t v = htons((uint16_t)nfields);
    bin_raw(b, &v, 2);
}

void db_bin_null(db_bincopy *b)
{
    uint32_t v = htonl(0xFFFFFFFFu);
    bin_raw(b, &v, 4);
}

void db_bin_bytes(db_bincopy *b, const void *p, size_t n)
{
    uint32_t v = htonl((uint32_t)n);
    bin_raw(b, &v, 4);
    bin_raw(b, p, n);
}

void db_bin_int2(db_bincopy *b, int16_t x)
{
    uint16_t v = htons((uint16_t)x);
    db_bin_bytes(b, &v, 2);
}

void db_bin_int4(db_bincopy *b, int32_t x)
{
    uint32_t v = htonl((uint32_t)x);
    db_bin_bytes(b, &v, 4);
}

void db_bin_int8(db_bincopy *b, int64_t x)
{
    uint32_t hi = htonl((uint32_t)((uint64_t)x >> 32)), lo = htonl((uint32_t)x);
    uint32_t len = htonl(8);
    bin_raw(b, &len, 4);
    bin_raw(b, &hi, 4);
    bin_raw(b, &lo, 4);
}

void db_bin_bool(db_bincopy *b, int x)
{
    char v = x ? 1 : 0;
    db_bin_bytes(b, &v, 1);
}

void db_bin_float8(db_bincopy *b, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    db_bin_int8(b, (int64_t)u);
}

void db_bin_trailer(db_bincopy *b)
{
    uint16_t v = htons(0xFFFF);
    bin_raw(b, &v, 2);
}

void db_bin_free(db_bincopy *b)
{
    free(b->buf);
    memset(b, 0, sizeof *b);
}

int16_t db_get_int2(const char *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return (int16_t)ntohs(v);
}

int32_t db_get_int4(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (int32_t)ntohl(v);
}

int64_t db_get_int8(const char *p)
{
    uint32_t hi, lo;
    memcpy(&hi, p, 4);
    memcpy(&lo, p + 4, 4);
    return (int64_t)((uint64_t)ntohl(hi) << 32 | ntohl(lo));
}

/* Migration number of an embedded file name "migrations/NNN_name.sql", or -1. */
static int migration_version(const char *name)
{
    if (strncmp(name, "migrations/", 11) != 0)
        return -1;
    return atoi(name + 11);
}

static int latest_version(void)
{
    int v = 0;
    for (size_t i = 0; i < db_nsqlfiles; i++) {
        int m = migration_version(db_sqlfiles[i].name);
        if (m > v)
            v = m;
    }
    return v;
}

static int current_version(PGconn *conn)
{
    const char *exists = db_value(conn, "SELECT pg_catalog.to_regclass('tznr.schema_migration') IS NOT NULL", 0, NULL);
    if (strcmp(exists, "t") != 0)
        return 0;
    return atoi(db_value(conn, "SELECT coalesce(max(version), 0) FROM tznr.schema_migration", 0, NULL));
}

int db_migrate(PGconn *conn, int verbose)
{
    /* One migrator at a time. */
    db_exec(conn, "SELECT pg_catalog.pg_advisory_lock(7243110001)");
    db_exec(conn, "CREATE SCHEMA IF NOT EXISTS tznr;"
                  "CREATE TABLE IF NOT EXISTS tznr.schema_migration ("
                  " version integer PRIMARY KEY, name text NOT NULL,"
                  " applied_at timestamptz NOT NULL DEFAULT pg_catalog.now(),"
                  " applied_by text NOT NULL DEFAULT CURRENT_USER)");
    int have = current_version(conn), want = latest_version();
    if (have > want)
        die(TZNR_EXIT_FAIL, "the database schema is at version %d, newer than this tznr (%d): "
            "upgrade tznr before using this database", have, want);
    int applied = 0;
    for (size_t i = 0; i < db_nsqlfiles; i++) {
        int v = migration_version(db_sqlfiles[i].name);
        if (v <= have)
            continue;
        db_begin(conn);
        /* Once the roles exist (migration 009), migrations run as the schema's owner, so what
         * they create is tznr_owner's and gets the batch's default privileges. */
        if (strcmp(db_value(conn, "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace"
                                  " WHERE nspname = 'tznr'", 0, NULL), "tznr_owner") == 0)
            db_exec(conn, "SET LOCAL ROLE tznr_owner");
        db_exec(conn, db_sqlfiles[i].text);
        char vs[16];
        snprintf(vs, sizeof vs, "%d", v);
        const char *p[] = {vs, db_sqlfiles[i].name + 11};
        PQclear(db_query(conn, "INSERT INTO tznr.schema_migration (version, name) VALUES ($1, $2)", 2, p));
        db_commit(conn);
        if (verbose)
            log_info("applied %s", db_sqlfiles[i].name);
        applied++;
    }
    db_exec(conn, "SELECT pg_catalog.pg_advisory_unlock(7243110001)");
    return applied;
}

int db_schema_check(PGconn *conn, char *err, size_t errlen)
{
    int have = current_version(conn), want = latest_version();
    if (have < want)
        snprintf(err, errlen, "the database schema is at version %d, this tznr needs %d: run 'tznr db migrate'",
                 have, want);
    else if (have > want)
        snprintf(err, errlen, "the database schema is at version %d, newer than this tznr (%d): upgrade tznr",
                 have, want);
    return have == want ? 0 : -1;
}

void db_require_schema(PGconn *conn)
{
    char err[256];
    if (db_schema_check(conn, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
}
