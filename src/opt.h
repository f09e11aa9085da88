/* opt: one options table a command, that parses its command line and prints its --help
 * (git's parse-options in spirit). A command declares what it takes:
 *
 *     const char *cfile = NULL, *dbinfo = NULL;
 *     int force = 0;
 *     const struct opt opts[] = {
 *         OPT_PLATFORM(&cfile, &dbinfo),
 *         OPT_FLAG(0, "force", &force, "accept a snapshot much smaller than the current one"),
 *         OPT_END};
 *     const struct opt_cmd cmd = {.name = "load", .usage = "tznr load [-c FILE] ... EXTRACT.csv...",
 *                                 .description = "...", .exits = "Exit: 0 done, ...", .opts = opts};
 *     int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);   (argv[first..argc): the files)
 *
 * Long options are matched whole, never abbreviated. -h and --help are always there. */
#ifndef TZNR_OPT_H
#define TZNR_OPT_H

#include <stdio.h>

#include "conf.h"

enum opt_type {
    OPT_T_END,    /* the end of the table */
    OPT_T_FLAG,   /* no value: sets an int to 1 */
    OPT_T_STRING, /* a value: stores the argument itself (a const char *) */
    OPT_T_LONG,   /* a whole decimal number in [min, max] (a long) */
    OPT_T_DATE    /* a date YYYY-MM-DD (a const char *, the argument itself) */
};

struct opt {
    enum opt_type type;
    int short_name;        /* 'c', or 0 when none */
    const char *long_name; /* "config" (without the dashes), or NULL when none */
    void *value;           /* int *, const char ** or long *, as the type says */
    const char *argname;   /* how the help names the value ("FILE"); NULL for a flag */
    const char *help;      /* one line or more, wrapped by the help printer */
    long min, max;         /* bounds of an OPT_T_LONG */
};

/* The pointer-type check: a destination of the wrong type draws a compiler warning. */
#define OPT_PTR_(type, v) ((void *)(1 ? (v) : (type *)0))

#define OPT_END {.type = OPT_T_END}
#define OPT_FLAG(s, l, v, h) {.type = OPT_T_FLAG, .short_name = (s), .long_name = (l), \
                              .value = OPT_PTR_(int, v), .help = (h)}
#define OPT_STRING(s, l, v, a, h) {.type = OPT_T_STRING, .short_name = (s), .long_name = (l), \
                                   .value = OPT_PTR_(const char *, v), .argname = (a), .help = (h)}
#define OPT_LONG(s, l, v, a, lo, hi, h) {.type = OPT_T_LONG, .short_name = (s), .long_name = (l), \
                                         .value = OPT_PTR_(long, v), .argname = (a), .help = (h), \
                                         .min = (lo), .max = (hi)}
#define OPT_DATE(s, l, v, h) {.type = OPT_T_DATE, .short_name = (s), .long_name = (l), \
                              .value = OPT_PTR_(const char *, v), .argname = "YYYY-MM-DD", .help = (h)}

/* The options every platform command takes: its configuration file and a connection string. */
#define OPT_PLATFORM(cfile, dbinfo)                                                                    \
    OPT_STRING('c', "config", cfile, "FILE",                                                           \
               "platform configuration (default $TZNR_CONFIG, " CONF_DEFAULT_PATH ")"),               \
    OPT_STRING(0, "db", dbinfo, "CONNINFO", "libpq connection string, overrides [database] conninfo")
/* -q, --quiet: what it silences is the command's to say. */
#define OPT_QUIET(v, h) OPT_FLAG('q', "quiet", v, h)
/* --date YYYY-MM-DD: the day of the nightly run a command works on. */
#define OPT_RUN_DATE(v, h) OPT_DATE(0, "date", v, h)

/* A number as a string literal, for help texts: OPT_STR(MAX_JOBS) is "64". */
#define OPT_STR_(x) #x
#define OPT_STR(x) OPT_STR_(x)

struct opt_cmd {
    const char *name;        /* the verb, for messages: "load" */
    const char *usage;       /* the synopsis after "usage: ", its lines separated by '\n' */
    const char *description; /* what the command does, as printed (lines separated by '\n') */
    const char *exits;       /* the exit codes ("Exit: 0 done, ..."), or NULL */
    const struct opt *opts;  /* ends with OPT_END */
};

/* opt_parse's NARGS when the command checks its positional arguments itself. */
#define OPT_ARGS_ANY (-1)

/* Parse ARGV[1..ARGC) against CMD's table: options and positional arguments may come in any
 * order, "--" ends the options. Store each option's value; a repeated option keeps the last.
 * Reorder ARGV so the positional arguments come last, in their order, and return the index of
 * the first (ARGC when none). With NARGS >= 0, exactly NARGS of them are required. On -h or
 * --help, print the help to stdout and exit 0; on a usage error (unknown or abbreviated option,
 * missing or refused value, wrong count of arguments) call die_usage (exit 2). */
int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int nargs);

/* Print CMD's help: the synopsis, the description, one aligned line an option, the exit codes. */
void opt_usage(const struct opt_cmd *cmd, FILE *f);

#endif
