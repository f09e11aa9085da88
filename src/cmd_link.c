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
    "exact links on k_nir and k_ident/k_ident_alt, then fuzzy links on the CLK (Dice at or\n"
    "above [link] threshold, blocking on k_dob and on LSH bands). Pairs between [link]\n"
    "grey_low and the threshold are kept as possible links, not used. Every link is recorded\n"
    "with its run, both records, method and score; a person keeps its id from one run to the\n"
    "next while its records do not change.";

int cmd_link(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    int quiet = 0;
    const struct opt opts[] = {OPT_PLATFORM(&cfile, &dbinfo), OPT_QUIET(&quiet, "no summary on stderr"), OPT_END};
    const struct opt_cmd cmd = {.name = "link", .usage = synopsis, .description = description, .opts = opts};
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
        .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    fflush(stdout);
    if (possible && model)
        die(TZNR_EXIT_USAGE, "--possible and --model exclude each other");
    const char *sql = model
        ? "COPY (WITH r AS (SELECT pg_catalog.max(id) AS id FROM tznr.link_run WHERE finished_at IS NOT NULL),"
          " t AS (SELECT -1 AS position, 'prior' AS comparison, NULL::integer AS level,"
          "              'share of matches among candidate pairs' AS label, model_lambda AS m, 1 - model_lambda AS u,"
          "              pg_catalog.log(2, (model_lambda / (1 - model_lambda))::numeric)::float8 AS weight"
          "         FROM tznr.link_run WHERE id = (SELECT id FROM r) AND model_lambda > 0 AND model_lambda < 1"
          "       UNION ALL"
          "       SELECT position, comparison, level, label, m, u, weight"
          "         FROM tznr.link_model WHERE run_id = (SELECT id FROM r))"
          " SELECT comparison, level, label, m, u, pg_catalog.round(weight::numeric, 2) AS match_weight"
          "   FROM t ORDER BY position, level) TO STDOUT (FORMAT csv, HEADER)"
        : possible
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
