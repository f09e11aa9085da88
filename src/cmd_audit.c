/* tznr audit: verify the hash chain, show entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "csvio.h"
#include "db.h"
#include "log.h"
#include "opt.h"
#include "sbuf.h"

static const char synopsis[] =
    "tznr audit verify [-c FILE] [--db CONNINFO]\n"
    "       tznr audit show   [-c FILE] [--db CONNINFO] [--action A] [--object TEXT]\n"
    "                         [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N]";
static const char description[] =
    "verify walks the chain from the first entry, recomputing each entry's SHA-256 over its\n"
    "canonical form (docs/audit.md), and names the first broken entry (exit 1).\n"
    "show prints entries as CSV (id,at,db_role,os_user,command,action,object,details,hash),\n"
    "oldest first, filtered by action (exact or prefix with a final '*'), object (substring),\n"
    "date range (at >= since, at < until) and count (the latest N).";

int cmd_audit(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *action = NULL, *object = NULL, *since = NULL,
               *until = NULL;
    long limit = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_STRING(0, "action", &action, "A", "show: entries of action A, or of every action starting with A's "
                   "text before a final '*'"),
        OPT_STRING(0, "object", &object, "TEXT", "show: entries whose object contains TEXT"),
        OPT_DATE(0, "since", &since, "show: entries from this day on (UTC)"),
        OPT_DATE(0, "until", &until, "show: entries before this day (UTC)"),
        OPT_LONG('n', "limit", &limit, "N", 1, 100000000, "show: the latest N entries only"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "audit", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done (verify: the chain is intact), 1 failure (verify: a broken entry,\n"
                                         "named; the database), 2 usage.",
                                .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (argc - first != 1 || (strcmp(argv[first], "verify") != 0 && strcmp(argv[first], "show") != 0))
        die_usage("audit", "expected one action: verify or show");
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    int rc = 0;
    if (strcmp(argv[first], "verify") == 0) {
        rc = audit_verify(conn, stdout);
    } else {
        char lim[32];
        snprintf(lim, sizeof lim, "%ld", limit);
        /* exact, or a prefix with a final '*': LIKE's own '_', '%' and '\' are escaped */
        sbuf act;
        sbuf_init(&act);
        const char *like = NULL;
        if (action) {
            size_t n = strlen(action);
            int prefix = n > 0 && action[n - 1] == '*';
            for (size_t i = 0; i < n - (prefix ? 1 : 0); i++) {
                if (action[i] == '_' || action[i] == '%' || action[i] == '\\')
                    sbuf_addc(&act, '\\');
                sbuf_addc(&act, action[i]);
            }
            if (prefix)
                sbuf_addc(&act, '%');
            like = act.p;
        }
        const char *p[] = {like, object, since, until, limit ? lim : NULL};
        PGresult *r = db_query(conn,
            "SELECT * FROM (SELECT id, pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
            " db_role, os_user, command, action, object, details, pg_catalog.encode(hash, 'hex')"
            " FROM tznr.audit_log"
            " WHERE ($1::text IS NULL OR action LIKE $1 ESCAPE '\\')"
            "   AND ($2::text IS NULL OR pg_catalog.strpos(object, $2) > 0)"
            "   AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)"
            "   AND ($4::timestamptz IS NULL OR at < $4::timestamptz)"
            " ORDER BY id DESC LIMIT $5::bigint) e ORDER BY id", 5, p);
        sbuf line;
        sbuf_init(&line);
        fputs("id,at,db_role,os_user,command,action,object,details,hash\n", stdout);
        for (int i = 0; i < PQntuples(r); i++) {
            sbuf_reset(&line);
            for (int j = 0; j < 9; j++) {
                if (j)
                    sbuf_addc(&line, ',');
                csvio_add_field(&line, PQgetvalue(r, i, j), (size_t)PQgetlength(r, i, j), ',');
            }
            sbuf_addc(&line, '\n');
            fwrite(line.p, 1, line.len, stdout);
        }
        sbuf_free(&line);
        sbuf_free(&act);
        PQclear(r);
    }
    db_close(conn);
    conf_free(&cf);
    return rc;
}
