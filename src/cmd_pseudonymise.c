/* tznr pseudonymise: raw export -> extract, manifest, token map, rejects (extract-v1); the work
 * is pseudonymise.c's. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "manifest.h"
#include "norm.h"
#include "pseudonymise.h"

#define MAX_JOBS PSEUDONYMISE_MAX_JOBS

static void usage(void)
{
    printf("usage: tznr pseudonymise --key FILE --source KIND:NAME [--mapping FILE] -o OUT.csv\n"
           "                         [--extract-date YYYY-MM-DD] [-j N] [-q] RAW.csv\n\n"
           "Turn an agency's raw export into a tznr-extract-v1 file (docs/extract-format.md).\n"
           "Writes OUT.csv and OUT.csv.manifest (to deposit on the platform), OUT.csv.tokens\n"
           "(local_ref,token: stays at the agency) and OUT.csv.rejects (rows that could not be\n"
           "used, with their line and reason: stays at the agency). Every file is written under a\n"
           "temporary name and renamed at the end, the manifest last.\n\n"
           "  --key FILE            the territory's key file (mode 0600)\n"
           "  --source KIND:NAME    source id, KIND one of caf, departement, bailleur, cpam,\n"
           "                        msa, carsat, france_travail, ccas, autre\n"
           "  --mapping FILE        how to read the export (docs/mapping.md); without it, the\n"
           "                        canonical raw columns, UTF-8, comma separated\n"
           "  -o, --output OUT.csv  the extract to write\n"
           "  --extract-date DATE   the export's date for the manifest (default: today, UTC)\n"
           "  -j, --jobs N          encode on N threads (1-%d, default 1)\n"
           "  -q, --quiet           no summary on stderr\n\n"
           "Exit: 0 done, 1 failure, 2 usage, 3 input refused (empty, not CSV, wrong header).\n",
           MAX_JOBS);
}

static int date_valid(const char *s)
{
    char out[9];
    return norm_date(s, strlen(s), DATE_ISO, out) > 0 && strlen(s) == 10;
}

int cmd_pseudonymise(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},      {"source", required_argument, NULL, 's'},
        {"mapping", required_argument, NULL, 'm'},  {"output", required_argument, NULL, 'o'},
        {"extract-date", required_argument, NULL, 'd'}, {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *keyfile = NULL, *source = NULL, *mapfile = NULL, *outpath = NULL, *xdate = NULL;
    long jobs = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:s:m:o:d:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 's': source = optarg; break;
        case 'm': mapfile = optarg; break;
        case 'o': outpath = optarg; break;
        case 'd': xdate = optarg; break;
        case 'j':
            if (cmd_parse_long(optarg, 1, MAX_JOBS, &jobs) != 0)
                die_usage("pseudonymise", "--jobs must be a whole number from 1 to %d, not '%s'", MAX_JOBS, optarg);
            break;
        case 'q': log_set_quiet(1); break;
        case 'h': usage(); return 0;
        default: die_usage("pseudonymise", NULL);
        }
    }
    if (!keyfile || !source || !outpath)
        die_usage("pseudonymise", "--key, --source and -o are required");
    if (argc - optind != 1)
        die_usage("pseudonymise", "expected exactly one raw export file");
    const char *rawpath = argv[optind];
    if (!manifest_source_valid(source))
        die_usage("pseudonymise", "invalid source '%s': expected KIND:NAME, KIND one of " MANIFEST_KINDS
                  ", NAME 1-32 of a-z 0-9 _ -", source);
    if (xdate && !date_valid(xdate))
        die_usage("pseudonymise", "invalid --extract-date '%s': expected YYYY-MM-DD", xdate);

    pseudonymise(&(pseudonymise_opts){.key = keyfile, .source = source, .mapping = mapfile, .raw = rawpath,
                                      .output = outpath, .extract_date = xdate, .jobs = jobs});
    return 0;
}
