/* tznr link: one linkage pass over the current snapshots of all sources; tznr links: print
 * the current links. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "link.h"
#include "linkdb.h"
#include "log.h"
#include "util.h"
#include "sbuf.h"

static void usage(void)
{
    printf("usage: tznr link [-c FILE] [--db CONNINFO] [-q]\n\n"
           "Link the records of every source's current snapshot into persons (docs/linking.md):\n"
           "exact links on k_nir and k_ident/k_ident_alt, then fuzzy links on the CLK (Dice at or\n"
           "above [link] threshold, blocking on k_dob and on LSH bands). Pairs between [link]\n"
           "grey_low and the threshold are kept as possible links, not used. Every link is recorded\n"
           "with its run, both records, method and score; a person keeps its id from one run to the\n"
           "next while its records do not change.\n");
}

int cmd_link(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'D'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cfile = NULL, *dbinfo = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfile = optarg; break;
        case 'D': dbinfo = optarg; break;
        case 'q': log_set_quiet(1); break;
        case 'h': usage(); return 0;
        default: die_usage("link", NULL);
        }
    }
    if (optind != argc)
        die_usage("link", "unexpected argument '%s'", argv[optind]);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    linkdb_summary sum;
    linkdb_run(conn, &cf, &sum);
    db_close(conn);
    conf_free(&cf);
    return 0;
}

static void write_stdout(void *ctx, const char *buf, int len)
{
    (void)ctx;
    if (fwrite(buf, 1, (size_t)len, stdout) != (size_t)len)
        die(TZNR_EXIT_FAIL, "could not write to standard output");
}

int cmd_links(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'D'},
        {"possible", no_argument, NULL, 'p'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cfile = NULL, *dbinfo = NULL;
    int possible = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfile = optarg; break;
        case 'D': dbinfo = optarg; break;
        case 'p': possible = 1; break;
        case 'h':
            printf("usage: tznr links [-c FILE] [--db CONNINFO] [--possible]\n\n"
                   "Print the links of the latest linkage run as CSV:\n"
                   "source_a,token_a,source_b,token_b,method,score (tokens in hex). With --possible,\n"
                   "the grey-zone pairs instead (method 'possible'), for review.\n");
            return 0;
        default: die_usage("links", NULL);
        }
    }
    if (optind != argc)
        die_usage("links", "unexpected argument '%s'", argv[optind]);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    fflush(stdout);
    const char *sql = possible
        ? "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
          " pg_catalog.encode(token_b, 'hex') AS token_b, 'possible' AS method,"
          " pg_catalog.round(score::numeric, 4) AS score FROM tznr.possible_link"
          " WHERE run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
          " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)"
        : "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
          " pg_catalog.encode(token_b, 'hex') AS token_b, method,"
          " pg_catalog.round(score::numeric, 4) AS score FROM tznr.link"
          " WHERE run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
          " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)";
    db_copy_out(conn, sql, write_stdout, NULL);
    db_close(conn);
    conf_free(&cf);
    return 0;
}
