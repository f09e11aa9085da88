/* tznr load: extracts into PostgreSQL, each as its source's new current snapshot.
 * Checks (manifest, sha256, key_id, header, row count), validates every row, streams the
 * valid ones by binary COPY into a new partition, and switches the source's current snapshot
 * in the same transaction: a refusal or a crash leaves the previous snapshot whole. */
#include <getopt.h>
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
#include "sbuf.h"

static void usage(void)
{
    printf("usage: tznr load [-c FILE] [--db CONNINFO] [--force] EXTRACT.csv...\n\n"
           "Load pseudonymised extracts (each with EXTRACT.csv.manifest beside it) as their\n"
           "sources' current snapshots. An extract is refused, and the source keeps its previous\n"
           "snapshot, when its manifest is missing or malformed, its sha256 or row count does not\n"
           "match, its key_id is not the platform's, its header is not tznr-extract-v1's, more than\n"
           "[load] max_reject_share of its rows are invalid, or its row count fell by more than\n"
           "[load] max_drop_share against the current snapshot (unless --force). Loading the same\n"
           "extract again does nothing and says so.\n\n"
           "  -c, --config FILE  platform configuration\n"
           "  --db CONNINFO      libpq connection string, overrides [database] conninfo\n"
           "  --force            accept a snapshot much smaller than the current one\n"
           "  -q, --quiet        no summary\n\n"
           "Exit: 0 all loaded (or already there), 1 failure, 2 usage, 3 an extract was refused.\n");
}

int cmd_load(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'D'},
        {"force", no_argument, NULL, 'f'},        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *cfile = NULL, *dbinfo = NULL;
    int force = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfile = optarg; break;
        case 'D': dbinfo = optarg; break;
        case 'f': force = 1; break;
        case 'q': log_set_quiet(1); break;
        case 'h': usage(); return 0;
        default: die_usage("load", NULL);
        }
    }
    if (optind == argc)
        die_usage("load", "expected one or more extract files");
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    int refused = 0;
    for (int i = optind; i < argc; i++) {
        load_result res;
        load_extract(conn, &cf, argv[i], force, &res);
        if (res.outcome == LOAD_REFUSED) {
            log_error("refused '%s': %s", argv[i], res.reason);
            refused++;
        } else if (res.outcome == LOAD_ALREADY) {
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
