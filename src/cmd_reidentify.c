/* tznr reidentify: an outreach list from the platform -> the same list with the agency's own
 * local_ref next to each token (from the token map) and, optionally, contact columns taken from
 * the agency's raw export. Runs at the agency only; the work is reidentify.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"
#include "opt.h"
#include "pseudo.h"
#include "reidentify.h"
#include "sbuf.h"

#define OUT_SUFFIX "-reidentifiee.csv"

static const char synopsis[] =
    "tznr reidentify --tokens OUT.csv.tokens [--raw RAW.csv [--mapping FILE]\n"
    "                       [--columns COL,COL...]] [-o OUTPUT.csv] [-q] LIST.csv";
static const char description[] =
    "Put the agency's own identifiers back on an outreach list from the platform. The\n"
    "output is the list, same rows, order, separator and byte order mark, with a local_ref\n"
    "column after token (from the token map pseudonymise wrote) and, with --raw, contact\n"
    "columns from the agency's raw export appended, then empty statut, date and\n"
    "commentaire columns for the team to fill in and send back to tznr feedback (the codes\n"
    "allowed in statut in OUTPUT-statuts.csv beside it). It holds personal data: it is written\n"
    "with mode 0600, under a temporary name renamed at the end. Never run on the platform:\n"
    "refused when $TZNR_CONFIG is set or " CONF_DEFAULT_PATH " exists.";
static const char exits[] =
    "Exit: 0 done, 1 failure, 2 usage (or run on the platform), 3 input refused (wrong\n"
    "list header, malformed token map, raw export without the columns asked for).";

static char *default_output(const char *list)
{
    size_t n = strlen(list);
    if (n >= 4 && strcasecmp(list + n - 4, ".csv") == 0)
        n -= 4;
    return xasprintf("%.*s%s", (int)n, list, OUT_SUFFIX);
}

/* Refuse an output that is one of the inputs (the same path or the same file). */
static void not_an_input(const char *out, const char *in, const char *what)
{
    struct stat a, b;
    if (!in)
        return;
    if (strcmp(out, in) == 0 ||
        (stat(out, &a) == 0 && stat(in, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino))
        die_usage("reidentify", "the output '%s' is the %s: it would be overwritten", out, what);
}

int cmd_reidentify(int argc, char **argv)
{
    char perr[256];
    /* first: what this command holds (the key, names, the token map) stays out of any core */
    if (pseudo_protect_process(perr, sizeof perr) != 0)
        die(TZNR_EXIT_FAIL, "%s", perr);
    const char *tokpath = NULL, *rawpath = NULL, *mapfile = NULL, *columns = NULL, *outpath = NULL;
    int quiet = 0;
    const struct opt opts[] = {
        OPT_STRING('t', "tokens", &tokpath, "FILE", "the token map (local_ref,token) of the extract the list is from"),
        OPT_STRING('r', "raw", &rawpath, "RAW.csv", "the raw export that extract was made from: add contact columns"),
        OPT_STRING('m', "mapping", &mapfile, "FILE", "how to read the raw export (docs/mapping.md); without it, the "
                   "canonical raw format"),
        OPT_STRING('c', "columns", &columns, "COL,...", "the raw export's columns to add, by its own names (default: "
                   "the columns holding nom, nom_usage, prenom, date_naissance, adresse, commune)"),
        OPT_STRING('o', "output", &outpath, "FILE", "the file to write (default: LIST with .csv replaced by "
                   OUT_SUFFIX ")"),
        OPT_QUIET(&quiet, "no summary on stderr (warnings are still printed)"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "reidentify", .usage = synopsis, .description = description,
                                .exits = exits, .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (quiet)
        log_set_quiet(1);
    log_set_french(1); /* read by the agency's staff; usage errors stay in English */
    reidentify_refuse_on_platform();
    if (!tokpath)
        die_usage("reidentify", "--tokens is required");
    if (argc - first != 1)
        die_usage("reidentify", "expected exactly one list file");
    if ((mapfile || columns) && !rawpath)
        die_usage("reidentify", "--mapping and --columns go with --raw");
    const char *listpath = argv[first];
    char *outbuf = outpath ? NULL : default_output(listpath);
    if (!outpath)
        outpath = outbuf;
    if (*outpath == '\0')
        die_usage("reidentify", "-o needs a file name");
    not_an_input(outpath, listpath, "list");
    not_an_input(outpath, tokpath, "token map");
    not_an_input(outpath, rawpath, "raw export");
    not_an_input(outpath, mapfile, "mapping file");

    reidentify(&(reidentify_args){.list = listpath, .tokens = tokpath, .raw = rawpath, .mapping = mapfile,
                                  .columns = columns, .output = outpath});
    free(outbuf);
    return 0;
}
