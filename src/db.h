/* db: libpq helpers. Every failure is fatal through die(), which closes the connection (and so
 * rolls back any open transaction). Parameters always go through PQexecParams. */
#ifndef TZNR_DB_H
#define TZNR_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* Connect with CONNINFO (or the configuration's), application_name tznr, an empty
 * search_path, UTC and a statement timeout of none. Registers PQfinish as a clean-up. */
PGconn *db_connect(const conf *c, const char *conninfo);
/* The same, returning NULL with the reason (one line, no password) in ERR instead of dying. */
PGconn *db_try_connect(const conf *c, const char *conninfo, char *err, size_t errlen);
/* A second connection with CONN's parameters, set up as db_connect's, for a worker thread, or
 * NULL with the reason in ERR. Not a clean-up of die's: the caller closes it (PQfinish). */
PGconn *db_try_clone(PGconn *conn, char *err, size_t errlen);
/* The platform commands' opening: read the configuration (-c FILE, $TZNR_CONFIG or the
 * default), connect (CONNINFO overriding it) and check the schema is this binary's. Dies on
 * any failure. */
PGconn *db_platform(conf *cf, const char *cfile, const char *conninfo);

/* Close the connection and forget its clean-up. */
void db_close(PGconn *conn);

/* Run SQL without parameters (may hold several statements); die on error. */
void db_exec(PGconn *conn, const char *sql);
/* Run SQL with N text parameters; return the result (TUPLES_OK or COMMAND_OK) or die. */
PGresult *db_query(PGconn *conn, const char *sql, int n, const char *const *params);
/* Same, returning NULL on error with the server's message in ERR instead of dying. */
PGresult *db_try_query(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t errlen);
/* The single value of a one-row, one-column query: a copy, whole whatever its length, valid
 * until the next call ("" for NULL or no row). */
const char *db_value(PGconn *conn, const char *sql, int n, const char *const *params);
/* Free the calling thread's db_value buffer (a worker thread, before it ends). */
void db_value_release(void);

void db_begin(PGconn *conn);
void db_commit(PGconn *conn);
void db_rollback(PGconn *conn);

/* Session-level advisory lock: 1 if taken, 0 if another session holds it. */
int db_try_lock(PGconn *conn, int64_t key);

/* COPY ... FROM STDIN: start, send, finish (all die on error). */
void db_copy_start(PGconn *conn, const char *sql);
void db_copy_put(PGconn *conn, const void *buf, size_t len);
/* Finish the COPY; return the number of rows the server took. */
long long db_copy_end(PGconn *conn);

/* COPY ... TO STDOUT: call FN for each row buffer (as the server sent it). */
void db_copy_out(PGconn *conn, const char *sql, void (*fn)(void *ctx, const char *buf, int len),
                 void *ctx);
/* Two COPY ... TO STDOUT read at once, C1's and C2's (two backends of the server working side
 * by side): each stream's messages to its FN with its CTX, interleaved as they arrive. */
typedef void (*db_copy_fn)(void *ctx, const char *buf, int len);
void db_copy_out2(PGconn *c1, const char *sql1, db_copy_fn fn1, void *ctx1, PGconn *c2, const char *sql2,
                  db_copy_fn fn2, void *ctx2);

/* Binary COPY encoding helpers (PostgreSQL's binary COPY format). */
typedef struct db_bincopy {
    char *buf;
    size_t len, cap;
} db_bincopy;
void db_bin_header(db_bincopy *b);
void db_bin_row(db_bincopy *b, int nfields);
void db_bin_null(db_bincopy *b);
void db_bin_bytes(db_bincopy *b, const void *p, size_t n);
void db_bin_int2(db_bincopy *b, int16_t v);
void db_bin_int4(db_bincopy *b, int32_t v);
void db_bin_int8(db_bincopy *b, int64_t v);
void db_bin_bool(db_bincopy *b, int v);
void db_bin_float8(db_bincopy *b, double v);
void db_bin_trailer(db_bincopy *b);
void db_bin_free(db_bincopy *b);

/* Read big-endian integers from a binary COPY row. */
int16_t db_get_int2(const char *p);
int32_t db_get_int4(const char *p);
int64_t db_get_int8(const char *p);

/* The embedded SQL files (sql/migrations, sql/rules), generated at build time. */
struct db_sqlfile {
    const char *name; /* "migrations/001_init.sql" */
    const char *text;
};
extern const struct db_sqlfile db_sqlfiles[];
extern const size_t db_nsqlfiles;

/* Apply the pending migrations, each in its own transaction; refuse a database whose schema is
 * newer than this binary. Return the number applied (die on error). */
int db_migrate(PGconn *conn, int verbose);
/* Die unless the database schema is exactly this binary's ("run tznr db migrate"). */
void db_require_schema(PGconn *conn);
/* Return 0 when the database schema is exactly this binary's, else -1 with what to do in ERR. */
int db_schema_check(PGconn *conn, char *err, size_t errlen);

#endif
