/* tznr check: everything a night needs, checked before the night (docs/operations.md). */
#include <stdio.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"
#include "opt.h"
#include "preflight.h"
#include "util.h"

static const char synopsis[] = "tznr check [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD]";
static const char description[] =
    "Check, as 'nginx -t' or 'visudo -c' do, everything a night needs, before the night:\n"
    "  - the configuration: every key known and in range, [keys] key_id set, [source.ID] and\n"
    "    [team.NAME] naming source ids, the [link] model file readable;\n"
    "  - the folders inbox, archive, outbox and rejected present and writable (or creatable),\n"
    "    and inbox and archive (and rejected) on one file system (a warning: files are then\n"
    "    copied instead of renamed);\n"
    "  - [run] parameters readable and valid, with a value in force on DATE for every parameter\n"
    "    the rules read;\n"
    "  - the database reachable, at exactly this tznr's schema version, with its roles (and a\n"
    "    reviewer role per team, a warning), connected as tznr_batch, its audit chain intact;\n"
    "  - each team naming a source of the platform (loaded, in the inbox, or declared by a\n"
    "    [source.ID] section); a register declared by a source id it does not know (a warning).\n"
    "Each problem is one line on stderr saying what to do, with the file and line where one\n"
    "applies; then 'tznr check: ok, a night would start' on stdout when there is none.\n"
    "Nothing is moved, created or written. 'tznr run' makes the same checks first.";
static const char exits[] =
    "Exit: 0 a night would start (warnings aside), 1 a problem (a night would not start),\n"
    "2 usage.";

int cmd_check(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *date_opt = NULL;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_RUN_DATE(&date_opt, "the night to check for: the parameters in force that day (default: today)"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "check", .usage = synopsis, .description = description, .exits = exits,
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    char date[11];
    util_night_date(date, date_opt);
    conf cf;
    char err[1024];
    if (conf_load(&cf, cfile, err, sizeof err) != 0) {
        /* the loader stops at its first refusal: the other checks need the configuration */
        log_error("%s: fix the configuration (docs/configuration.md); the other checks need it", err);
        conf_free(&cf);
        log_error("1 problem: a night would not start");
        return TZNR_EXIT_FAIL;
    }
    int warnings = 0;
    int problems = preflight_night(&cf, dbinfo, date, &warnings);
    conf_free(&cf);
    if (problems) {
        log_error("%d problem%s: a night would not start", problems, problems > 1 ? "s" : "");
        return TZNR_EXIT_FAIL;
    }
    if (warnings)
        printf("tznr check: ok, a night would start (%d warning%s above)\n", warnings, warnings > 1 ? "s" : "");
    else
        printf("tznr check: ok, a night would start\n");
    return TZNR_EXIT_OK;
}
