/* tznr: one binary, git-style subcommands (docs/architecture.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "log.h"
#include "version.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/* Sorted by name. */
static const struct command commands[] = {
    {"audit", cmd_audit, "verify the audit log's hash chain, show its entries (platform)"},
    {"check", cmd_check, "check everything a night needs, before the night (platform)"},
    {"db", cmd_db, "apply schema migrations, show the schema version (platform)"},
    {"evaluation", cmd_evaluation, "outcomes of the households listed over a period, under secrecy (platform)"},
    {"export", cmd_export, "write a run's outreach lists again (platform)"},
    {"feedback", cmd_feedback, "load the outcomes sent back by outreach teams (platform)"},
    {"keygen", cmd_keygen, "create a new pseudonymisation key file (at the agency, once)"},
    {"link", cmd_link, "link the records of all sources into persons (platform)"},
    {"links", cmd_links, "print the current links as CSV (platform)"},
    {"load", cmd_load, "load extracts into the database as their sources' current snapshots (platform)"},
    {"pseudonymise", cmd_pseudonymise, "turn a raw export into a tznr-extract-v1 file (at the agency)"},
    {"reidentify", cmd_reidentify, "add the agency's own references to an outreach list (at the agency)"},
    {"report", cmd_report, "the night's report for data officers, one HTML page in French (platform)"},
    {"run", cmd_run, "the nightly job: pull, load, feedback, link, detect, export, purge (platform)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tznr <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'tznr <command> --help' describes a command. 'tznr --version' prints the version.\n"
               "Exit codes: 0 done, 1 failure, 2 usage, 3 input refused, 4 already running,\n"
               "5 done with refused inputs.\n");
}

int main(int argc, char **argv)
{
    /* over a file size limit (RLIMIT_FSIZE), a write fails with EFBIG instead of the signal
     * killing the process: the clean-ups then remove a half-written list or copy */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return TZNR_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        log_close_stdout();
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tznr %s\n", TZNR_VERSION);
        log_close_stdout();
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            static char prog[64];
            snprintf(prog, sizeof prog, "tznr %s", commands[i].name);
            log_set_prog(prog);
            audit_set_command(argc, argv);
            int rc = commands[i].fn(argc - 1, argv + 1);
            log_close_stdout();
            return rc;
        }
    }
    fprintf(stderr, "tznr: '%s' is not a tznr command. See 'tznr --help'.\n", argv[1]);
    return TZNR_EXIT_USAGE;
}
