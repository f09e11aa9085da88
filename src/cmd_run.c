/* tznr run: the nightly job (docs/operations.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "opt.h"
#include "preflight.h"
#include "run.h"
#include "sbuf.h"
#include "util.h"

static const char synopsis[] = "tznr run [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD] [-q]";
static const char description[] =
    "The nightly job, for cron or a systemd timer (scripts/tznr.cron, scripts/tznr-run.timer):\n"
    "  1. pull: each [source.ID] pull command, with [run] pull_timeout\n"
    "  2. load the extracts in the inbox (moved to archive/DATE, or rejected/DATE with a\n"
    "     .reason file), then the teams' feedback files in inbox/feedback\n"
    "  3. link, 4. detect with the benefit parameters in force on DATE, 5. export the lists\n"
    "     to outbox/<team>/DATE/liste.csv, 6. purge what [retention] allows\n"
    "and print a one-screen summary. --date replays a past night; running it twice gives the\n"
    "same lists. It first makes the checks of 'tznr check' and does not start when one fails.";
static const char exits[] =
    "Exit: 0 done, 1 failure (or a check failed: nothing done), 2 usage, 4 another run holds\n"
    "the lock, 5 done but some inputs were refused or a pull failed.";

int cmd_run(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *date_opt = NULL;
    int quiet = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_RUN_DATE(&date_opt, "the night to run, or replay (default: today)"),
        OPT_QUIET(&quiet, "no summary on stdout"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "run", .usage = synopsis, .description = description, .exits = exits,
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    char date[11];
    util_night_date(date, date_opt);
    conf cf;
    char err[1024];
    if (conf_load(&cf, cfile, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    /* tznr check's checks first: a night that would stop half-way does not start (nothing
     * moved, no run recorded, no audit entry); their warnings are tznr check's to print */
    int problems = preflight_night(&cf, dbinfo, date, NULL);
    if (problems)
        die(TZNR_EXIT_FAIL, "the night does not start: %d problem%s above (as 'tznr check' says); nothing was "
            "moved", problems, problems > 1 ? "s" : "");
    PGconn *conn = db_connect(&cf, dbinfo);
    db_require_schema(conn);
    log_set_quiet(1); /* the steps' own chatter; the summary says what happened */
    log_set_progress(!quiet); /* but a person watching a terminal sees the phases */
    sbuf sum;
    sbuf_init(&sum);
    int rc = run_night(conn, &cf, date, &sum);
    if (!quiet)
        fputs(sum.p, stdout);
    sbuf_free(&sum);
    db_close(conn);
    conf_free(&cf);
    return rc;
}
