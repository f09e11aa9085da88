/* tznr load: extracts into PostgreSQL, each as its source's new current snapshot.
 * Checks (manifest, sha256, key_id, header, row count), validates every row, streams the
 * valid ones by binary COPY into a new partition, and switches the source's current snapshot
 * in the same transaction: a refusal or a crash leaves the previous snapshot whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "csvio.h"
#include "db.h"
#include "extract.h"
#include "load.h"
#include "log.h"
#include "manifest.h"
#include "opt.h"
#include "sbuf.h"

static const char synopsis[] = "tznr load [-c FILE] [--db CONNINFO] [--force] [-q] EXTRACT.csv...";
static const char description[] =
    "Load pseudonymised extracts (each with EXTRACT.csv.manifest beside it) as their\n"
    "sources' current snapshots. An extract is refused, and the source keeps its previous\n"
    "snapshot, when its manifest is missing or malformed, its sha256 or row count does not\n"
    "match, its key_id is not the platform's, its header is not tznr-extract-v1's, more than\n"
    "[load] max_reject_share of its rows are invalid, or its row count fell by more than\n"
    "[load] max_drop_share against the largest snapshot since the last forced load (unless\n"
    "--force). Loading the current snapshot's extract again does nothing and says so; an\n"
    "older extract, superseded since, is made current again only with --force.";

int cmd_load(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    int force = 0, quiet = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_FLAG(0, "force", &force, "accept a snapshot much smaller than the earlier ones, or make a superseded "
                                     "extract current again"),
        OPT_QUIET(&quiet, "no summary"),
        OPT_END};
    const struct opt_cmd cmd = {
        .name = "load", .usage = synopsis, .description = description,
        .exits = "Exit: 0 all loaded (or already there), 1 failure, 2 usage, 3 an extract was refused.",
        .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (first == argc)
        die_usage("load", "expected one or more extract files");
    if (quiet)
        log_set_quiet(1);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    int refused = 0;
    for (int i = first; i < argc; i++) {
        load_result res;
        load_extract(conn, &cf, argv[i], force, &res);
        if (res.outcome == LOAD_REFUSED) {
            log_error("refused '%s': %s", argv[i], res.reason);
            refused++;
        } else if (res.outcome == LOAD_ALREADY) {
            if (res.reason[0])
                log_warn("'%s' is already loaded: %s", argv[i], res.reason);
            else
                log_info("'%s' is already loaded (snapshot %lld of %s): nothing to do", argv[i],
                         res.snapshot_id, res.source);
        } else {
            log_info("loaded '%s' as snapshot %lld of %s: %lld rows, %lld rejected, %.2f s", argv[i],
                     res.snapshot_id, res.source, res.rows_loaded, res.rows_rejected, res.seconds);
        }
    }
    db_close(conn);
    conf_free(&cf);
    return refused ? TZNR_EXIT_REFUSED : 0;
}
