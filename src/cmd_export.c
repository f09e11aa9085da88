/* tznr export: write a run's outreach lists again. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "export.h"
#include "log.h"
#include "norm.h"

static void usage(void)
{
    printf("usage: tznr export [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD]\n\n"
           "Write the outreach lists of the latest run (of DATE when given) to\n"
           "<outbox>/<team>/<date>/liste.csv: ';'-separated, UTF-8 with a BOM, decimal comma (see\n"
           "[run] separator, decimal, bom), columns token;foyer;regle;prestation;motif;\n"
           "montant_mensuel_estime;confiance;priorite;source;premiere_detection;inconnu_de, highest\n"
           "priority first. Each list is written under a temporary name and renamed: whole or absent.\n");
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'D'},
        {"date", required_argument, NULL, 'd'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cfile = NULL, *dbinfo = NULL, *date = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cfile = optarg; break;
        case 'D': dbinfo = optarg; break;
        case 'd': date = optarg; break;
        case 'h': usage(); return 0;
        default: die_usage("export", NULL);
        }
    }
    if (optind != argc)
        die_usage("export", "unexpected argument '%s'", argv[optind]);
    char d8[9];
    if (date && (strlen(date) != 10 || norm_date(date, 10, DATE_ISO, d8) != 1))
        die_usage("export", "invalid --date '%s': expected YYYY-MM-DD", date);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    const char *p[] = {date};
    PGresult *r = db_query(conn,
        "SELECT id, run_date::text FROM tznr.run WHERE status <> 'failed' AND status <> 'running'"
        " AND ($1::date IS NULL OR run_date = $1::date) ORDER BY id DESC LIMIT 1", 1, p);
    if (PQntuples(r) == 0)
        die(TZNR_EXIT_FAIL, "no finished run%s%s to export", date ? " on " : "", date ? date : "");
    long long run = atoll(PQgetvalue(r, 0, 0));
    char rdate[16];
    snprintf(rdate, sizeof rdate, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    long long rows = 0;
    int n = export_run(conn, &cf, run, rdate, &rows);
    log_info("run %lld (%s): %d lists, %lld households, under '%s'", run, rdate, n, rows, cf.outbox);
    db_close(conn);
    conf_free(&cf);
    return 0;
}
