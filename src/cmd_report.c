/* tznr report: the night's report, one self-contained HTML page in French (docs/rapport.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "opt.h"
#include "report.h"
#include "sbuf.h"
#include "util.h"

static const char synopsis[] =
    "tznr report [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD] [--from YYYY-MM-DD] [-o FILE]";
static const char description[] =
    "Write the report of the latest night (of --date when given) as one HTML page in French\n"
    "that opens offline (no external script, font or image): the night (extracts, steps,\n"
    "registers), the linkage and its model, the detection (per rule, team, commune and payer),\n"
    "the trends of the last 30 nights and the evaluation from --from (default: the first\n"
    "night) to the night, every count under statistical secrecy ([statistics]\n"
    "secret_threshold). Written to <outbox>/rapport-<date>.html, whole or not at all, unless\n"
    "-o names another file ('-' for stdout); prints the path. Every nightly run writes it too.";

int cmd_report(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *date = NULL, *from = NULL, *output = NULL;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_RUN_DATE(&date, "the night of that day instead of the latest night"),
        OPT_DATE(0, "from", &from, "first day of the evaluation's period (default: the first night)"),
        OPT_STRING('o', "output", &output, "FILE", "write there instead of <outbox>/rapport-<date>.html ('-': stdout)"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "report", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure (no such night, the database, the file), 2 usage.",
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    char day[16];
    if (date) {
        snprintf(day, sizeof day, "%s", date);
    } else {
        PGresult *r = db_query(conn, "SELECT run_date::text FROM tznr.run ORDER BY id DESC LIMIT 1", 0, NULL);
        if (PQntuples(r) == 0)
            die(TZNR_EXIT_FAIL, "no night has run yet: nothing to report");
        snprintf(day, sizeof day, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if (from && strcmp(from, day) > 0)
        die_usage("report", "--from %s is after the night %s", from, day);
    sbuf html;
    sbuf_init(&html);
    char err[512];
    if (report_html(conn, &cf, day, from, &html, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    db_close(conn);
    if (output && strcmp(output, "-") == 0) {
        if (fwrite(html.p, 1, html.len, stdout) != html.len)
            die(TZNR_EXIT_FAIL, "could not write the report to stdout");
    } else {
        char *path = output ? xstrdup(output) : xasprintf("%s/rapport-%s.html", cf.outbox, day);
        if (!output && util_mkdirs(cf.outbox) != 0)
            die(TZNR_EXIT_FAIL, "could not create the outbox '%s'", cf.outbox);
        if (report_save(&html, path, err, sizeof err) != 0)
            die(TZNR_EXIT_FAIL, "%s", err);
        printf("%s\n", path);
        free(path);
    }
    sbuf_free(&html);
    conf_free(&cf);
    return TZNR_EXIT_OK;
}
