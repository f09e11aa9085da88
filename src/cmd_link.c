/* tznr link: one linkage pass over the current snapshots of all sources; tznr links: print
 * the current links. */
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
#include "opt.h"
#include "util.h"
#include "sbuf.h"

static const char synopsis[] = "tznr link [-c FILE] [--db CONNINFO] [-q]";
static const char description[] =
    "Link the records of every source's current snapshot into persons (docs/linking.md):\n"
    "exact links on k_nir and k_ident/k_ident_alt, then fuzzy links by a match probability\n"
    "under a model the run estimates on its own records (or [link] model), at or above [link]\n"
    "match_probability. Pairs from possible_probability up left apart are kept for review.\n"
    "Every link is recorded with its run, both records, method and probability, the model\n"
    "and its own estimate of precision and recall with the run; a person keeps its id from\n"
    "one run to the next while its records do not change.";

int cmd_link(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    int quiet = 0;
    const struct opt opts[] = {OPT_PLATFORM(&cfile, &dbinfo), OPT_QUIET(&quiet, "no summary on stderr"), OPT_END};
    const struct opt_cmd cmd = {.name = "link", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure (the database, the configuration, [link] model), 2 usage.",
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    if (quiet)
        log_set_quiet(1);
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
    const char *cfile = NULL, *dbinfo = NULL;
    int possible = 0, model = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_FLAG(0, "possible", &possible, "the possible links (for review) instead of the links"),
        OPT_FLAG(0, "model", &model, "the run's model instead of the links: level, m, u, match weight"),
        OPT_END};
    const struct opt_cmd cmd = {
        .name = "links",
        .usage = "tznr links [-c FILE] [--db CONNINFO] [--possible | --model]",
        .description = "Print the links of the latest linkage run as CSV:\n"
                       "source_a,token_a,source_b,token_b,method,score (tokens in hex; the score is the\n"
                       "match probability, 1 for an exact link). With --possible, the pairs left apart from\n"
                       "[link] possible_probability up (method 'possible'), for review. With --model, the\n"
                       "model the run estimated: comparison,level,label,m,u,match_weight, the first row\n"
                       "('prior') giving the share of matches among the candidate pairs (docs/linking.md).",
        .exits = "Exit: 0 done, 1 failure (the database, standard output), 2 usage.",
        .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    if (possible && model)
        die(TZNR_EXIT_USAGE, "--possible and --model exclude each other");
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    fflush(stdout);
    db_copy_out(conn, linkdb_print_sql(model ? LINKDB_MODEL : possible ? LINKDB_POSSIBLE : LINKDB_LINKS),
                write_stdout, NULL);
    db_close(conn);
    conf_free(&cf);
    return 0;
}
