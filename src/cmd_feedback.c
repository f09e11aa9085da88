/* tznr feedback: load the outcomes an outreach team sent back. */
#include <stdio.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "feedback.h"
#include "fr.h"
#include "log.h"
#include "opt.h"

static const char synopsis[] = "tznr feedback [-c FILE] [--db CONNINFO] FILE.csv...";
static const char description[] =
    "Load outcomes sent back by outreach teams: 'token;regle;statut;date' (';' or ','),\n"
    "or the list itself with a 'statut' column filled in (and optional 'date' and\n"
    "'commentaire', never stored), as a spreadsheet saves it: BOM or not, CRLF, other\n"
    "columns ignored, rows with an empty statut skipped; each row must be a token the\n"
    "platform listed for that regle. An empty date is today.\n"
    "statut one of contacte, droit_ouvert, non_eligible, refus, injoignable,\n"
    "deja_beneficiaire, opposition, erreur_rapprochement; date YYYY-MM-DD or DD/MM/YYYY.\n"
    "An 'opposition' means the person is never listed again; 'erreur_rapprochement' forbids\n"
    "the record's links in later runs; droit_ouvert, non_eligible, refus and\n"
    "deja_beneficiaire settle the case for [run] settled_days. Loading a file twice adds\n"
    "nothing. Bad rows go to FILE.csv.rejects with their line and reason.";

/* The French plural mark for N things: none for 0 and 1. */

int cmd_feedback(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    const struct opt opts[] = {OPT_PLATFORM(&cfile, &dbinfo), OPT_END};
    const struct opt_cmd cmd = {.name = "feedback", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure, 2 usage, 3 a file was refused.", .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (first == argc)
        die_usage("feedback", "expected one or more feedback files");
    log_set_french(1); /* read by the outreach team that sent the files */
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    int refused = 0;
    for (int i = first; i < argc; i++) {
        feedback_result res;
        if (feedback_load(conn, argv[i], &res) != 0) {
            log_error("'%s' refusé : %s", argv[i], res.reason);
            refused++;
            continue;
        }
        char empty[96] = "";
        if (res.list)
            snprintf(empty, sizeof empty, " ; %lld ligne%s sans statut, laissée%s de côté", res.empty, fr_pl(res.empty),
                     fr_pl(res.empty));
        /* read by the outreach team that sent the file: in French (no plural mark for 0 or 1) */
        log_info("'%s' (%s) : %lld ligne%s avec un statut, %lld résultat%s pris en compte, %lld déjà connu%s, "
                 "%lld refusé%s%s ; dont %lld opposition%s, %lld erreur%s de rapprochement%s",
                 argv[i], res.list ? "liste renvoyée" : "fichier de retours", res.rows, fr_pl(res.rows), res.loaded,
                 fr_pl(res.loaded), res.duplicates, fr_pl(res.duplicates), res.rejected, fr_pl(res.rejected),
                 res.rejected ? " (ligne et raison dans le fichier .rejects)" : "", res.oppositions,
                 fr_pl(res.oppositions), res.link_errors, fr_pl(res.link_errors), empty);
    }
    db_close(conn);
    conf_free(&cf);
    return refused ? TZNR_EXIT_REFUSED : 0;
}
