/* tznr export: write a run's outreach lists again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "export.h"
#include "log.h"
#include "opt.h"
#include "sbuf.h"

static const char synopsis[] = "tznr export [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD]";
static const char description[] =
    "Write the outreach lists of the latest run (of DATE when given) to\n"
    "<outbox>/<team>/<date>/liste.csv: ';'-separated, UTF-8 with a BOM, decimal comma (see\n"
    "[run] separator, decimal, bom), columns token;foyer;regle;prestation;motif;\n"
    "montant_mensuel_estime;confiance;priorite;source;premiere_detection;inconnu_de, highest\n"
    "priority first. Each list is written under a temporary name and renamed: whole or absent.";

int cmd_export(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *date = NULL;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_RUN_DATE(&date, "the latest run of that day instead of the latest run"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "export", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure (no finished run, the database, a list not written), 2 usage.",
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
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
    sbuf why;
    sbuf_init(&why);
    export_unknown_teams(conn, &cf, &why);
    for (const char *l = why.p; *l; l += strcspn(l, "\n") + 1)
        log_warn("%.*s", (int)strcspn(l, "\n"), l);
    sbuf_free(&why);
    log_info("run %lld (%s): %d lists, %lld households, under '%s'", run, rdate, n, rows, cf.outbox);
    db_close(conn);
    conf_free(&cf);
    return 0;
}
