/* tznr pseudonymise: raw export -> extract, manifest, token map, rejects (extract-v1); the work
 * is pseudonymise.c's. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "manifest.h"
#include "opt.h"
#include "pseudo.h"
#include "pseudonymise.h"

#define MAX_JOBS PSEUDONYMISE_MAX_JOBS

static const char synopsis[] =
    "tznr pseudonymise --key FILE --source KIND:NAME [--mapping FILE] -o OUT.csv\n"
    "                         [--extract-date YYYY-MM-DD] [-j N] [-q] RAW.csv";
static const char description[] =
    "Turn an agency's raw export into a tznr-extract-v1 file (docs/extract-format.md).\n"
    "Writes OUT.csv and OUT.csv.manifest (to deposit on the platform), OUT.csv.tokens\n"
    "(local_ref,token: stays at the agency) and OUT.csv.rejects (rows that could not be\n"
    "used, with their line and reason: stays at the agency). Every file is written under a\n"
    "temporary name and renamed at the end, the manifest last.";

int cmd_pseudonymise(int argc, char **argv)
{
    char perr[256];
    /* first: what this command holds (the key, names, the token map) stays out of any core */
    if (pseudo_protect_process(perr, sizeof perr) != 0)
        die(TZNR_EXIT_FAIL, "%s", perr);
    const char *keyfile = NULL, *source = NULL, *mapfile = NULL, *outpath = NULL, *xdate = NULL;
    long jobs = 1;
    int quiet = 0;
    const struct opt opts[] = {
        OPT_STRING('k', "key", &keyfile, "FILE", "the territory's key file (mode 0600)"),
        OPT_STRING('s', "source", &source, "KIND:NAME", "source id, KIND one of " MANIFEST_KINDS),
        OPT_STRING('m', "mapping", &mapfile, "FILE", "how to read the export (docs/mapping.md); without it, the "
                   "canonical raw columns, UTF-8, comma separated"),
        OPT_STRING('o', "output", &outpath, "OUT.csv", "the extract to write"),
        OPT_DATE('d', "extract-date", &xdate, "the export's date for the manifest (default: today, UTC)"),
        OPT_LONG('j', "jobs", &jobs, "N", 1, MAX_JOBS, "encode on N threads (1-" OPT_STR(MAX_JOBS) ", default 1)"),
        OPT_QUIET(&quiet, "no summary on stderr"),
        OPT_END};
    const struct opt_cmd cmd = {
        .name = "pseudonymise", .usage = synopsis, .description = description,
        .exits = "Exit: 0 done, 1 failure, 2 usage (also -o naming the raw export or its side files),\n"
                 "3 input refused (empty, not CSV, wrong header).", .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (quiet)
        log_set_quiet(1);
    if (!keyfile || !source || !outpath)
        die_usage("pseudonymise", "--key, --source and -o are required");
    if (argc - first != 1)
        die_usage("pseudonymise", "expected exactly one raw export file");
    const char *rawpath = argv[first];
    if (!manifest_source_valid(source))
        die_usage("pseudonymise", "invalid source '%s': expected KIND:NAME, KIND one of " MANIFEST_KINDS
                  ", NAME 1-32 of a-z 0-9 _ -", source);
    char why[1024];
    if (pseudonymise_output_clash(rawpath, outpath, why, sizeof why))
        die_usage("pseudonymise", "%s; choose another -o", why);
    pseudonymise(&(pseudonymise_opts){.key = keyfile, .source = source, .mapping = mapfile, .raw = rawpath,
                                      .output = outpath, .extract_date = xdate, .jobs = jobs});
    return 0;
}
