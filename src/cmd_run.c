/* tznr run: the nightly job (docs/operations.md). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "detect.h"
#include "export.h"
#include "feedback.h"
#include "linkdb.h"
#include "load.h"
#include "log.h"
#include "util.h"
#include "norm.h"
#include "run.h"
#include "sbuf.h"

static void usage(void)
{
    printf("usage: tznr run [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD] [-q]\n\n"
           "The nightly job, for cron or a systemd timer (scripts/tznr.cron, scripts/tznr-run.timer):\n"
           "  1. pull: each [source.ID] pull command, with [run] pull_timeout\n"
           "  2. load the extracts in the inbox (moved to archive/DATE, or rejected/DATE with a\n"
           "     .reason file), then the teams' feedback files in inbox/feedback\n"
           "  3. link, 4. detect with the benefit parameters in force on DATE, 5. export the lists\n"
           "     to outbox/<team>/DATE/liste.csv, 6. purge what [retention] allows\n"
           "and print a one-screen summary. --date replays a past night; running it twice gives the\n"
           "same lists.\n\n"
           "Exit: 0 done, 1 failure, 2 usage, 4 another run holds the lock, 5 done but some inputs\n"
           "were refused or a pull failed.\n");
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'D'},
        {"date", required_argument, NULL, 'd'},   {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *cfile = NULL, *dbinfo = NULL, *date_opt = NULL;
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfile = optarg; break;
        case 'D': dbinfo = optarg; break;
        case 'd': date_opt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(); return 0;
        default: die_usage("run", NULL);
        }
    }
    if (optind != argc)
        die_usage("run", "unexpected argument '%s'", argv[optind]);
    char date[11], d8[9];
    if (date_opt) {
        if (strlen(date_opt) != 10 || norm_date(date_opt, 10, DATE_ISO, d8) != 1)
            die_usage("run", "invalid --date '%s': expected YYYY-MM-DD", date_opt);
        snprintf(date, sizeof date, "%s", date_opt);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    log_set_quiet(1); /* the steps' own chatter; the summary says what happened */
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
