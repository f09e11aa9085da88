/* retention: the purge of superseded snapshots and old link runs (see retention.h). */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "db.h"
#include "log.h"

void retention_purge(PGconn *conn, const conf *cf, retention_summary *sum)
{
    db_begin(conn);
    char days[16], keep[16];
    snprintf(days, sizeof days, "%d", cf->keep_snapshots_days);
    snprintf(keep, sizeof keep, "%d", cf->keep_link_runs);
    const char *pd[] = {days};
    PGresult *old = db_query(conn,
        "SELECT id FROM tznr.snapshot WHERE superseded_at IS NOT NULL AND dropped_at IS NULL"
        " AND superseded_at < pg_catalog.now() - ($1::integer * interval '1 day') ORDER BY id", 1, pd);
    sum->snapshots_dropped = PQntuples(old);
    for (int i = 0; i < sum->snapshots_dropped; i++) {
        /* The table's name is built from the id as a number, never from the text the server
         * sent: nothing but digits reaches the DDL. */
        char *end;
        long long id = strtoll(PQgetvalue(old, i, 0), &end, 10);
        if (*end != '\0' || id <= 0)
            die(TZNR_EXIT_FAIL, "database: snapshot id '%s' is not a number", PQgetvalue(old, i, 0));
        char q[128], ids[32];
        snprintf(q, sizeof q, "DROP TABLE IF EXISTS tznr.record_%lld", id);
        snprintf(ids, sizeof ids, "%lld", id);
        db_exec(conn, q);
        const char *pi[] = {ids};
        PQclear(db_query(conn, "UPDATE tznr.snapshot SET dropped_at = pg_catalog.now() WHERE id = $1::bigint", 1, pi));
    }
    PQclear(old);
    const char *pk[] = {keep};
    PGresult *del = db_query(conn,
        "DELETE FROM tznr.link_run WHERE id NOT IN (SELECT id FROM tznr.link_run ORDER BY id DESC LIMIT $1::integer)",
        1, pk);
    sum->link_runs_deleted = atoll(PQcmdTuples(del));
    PQclear(del);
    if (sum->snapshots_dropped || sum->link_runs_deleted) {
        char details[128];
        snprintf(details, sizeof details, "{\"snapshots_dropped\": %d, \"link_runs_deleted\": %lld}",
                 sum->snapshots_dropped, sum->link_runs_deleted);
        audit_log(conn, "purge", "retention", details);
    }
    db_commit(conn);
}
