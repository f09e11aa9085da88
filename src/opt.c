/* opt: parse a command line against a command's options table; print its help. */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "norm.h"
#include "sbuf.h"

#define HELP_WIDTH 92      /* the help's lines are wrapped as the descriptions are written */
#define HELP_NAME_MAX 32   /* an option's names longer than this put its help on the next line */

/* Every command takes -h and --help, after its own options. */
static const struct opt help_opt = OPT_FLAG('h', "help", NULL, "print this help");

/* The Ith option of CMD, -h/--help last; NULL past the end. */
static const struct opt *opt_at(const struct opt_cmd *cmd, size_t i)
{
    size_t n = 0;
    while (cmd->opts[n].type != OPT_T_END)
        n++;
    return i < n ? &cmd->opts[i] : i == n ? &help_opt : NULL;
}

/* How messages name an option: "--jobs", or "-j" when it has no long name. */
static const char *opt_name(const struct opt *o, char *buf, size_t cap)
{
    if (o->long_name)
        snprintf(buf, cap, "--%s", o->long_name);
    else
        snprintf(buf, cap, "-%c", o->short_name);
    return buf;
}

static const struct opt *find_long(const struct opt_cmd *cmd, const char *name, size_t n)
{
    const struct opt *o;
    for (size_t i = 0; (o = opt_at(cmd, i)) != NULL; i++)
        if (o->long_name && strlen(o->long_name) == n && memcmp(o->long_name, name, n) == 0)
            return o;
    return NULL;
}

static const struct opt *find_short(const struct opt_cmd *cmd, char c)
{
    const struct opt *o;
    for (size_t i = 0; (o = opt_at(cmd, i)) != NULL; i++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

/* An unknown long option. Only its name is quoted, never a value after '=' (it may be a
 * connection string). When it is the start of some option names, say that they are not
 * abbreviated and name them. */
__attribute__((noreturn)) static void unknown_long(const struct opt_cmd *cmd, const char *name, size_t n)
{
    sbuf alts;
    sbuf_init(&alts);
    const struct opt *o;
    for (size_t i = 0; n > 0 && (o = opt_at(cmd, i)) != NULL; i++)
        if (o->long_name && strncmp(o->long_name, name, n) == 0)
            sbuf_addf(&alts, "%s--%s", alts.len ? ", " : "", o->long_name);
    if (alts.len)
        die_usage(cmd->name, "unknown option '--%.*s': options are never abbreviated (did you mean %s?)", (int)n,
                  name, alts.p);
    die_usage(cmd->name, "unknown option '--%.*s'", (int)n, name);
}

/* A whole decimal number in [MIN, MAX]; return 0 or -1. */
static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Check ARG for option O and store it. */
static void set_value(const struct opt_cmd *cmd, const struct opt *o, const char *arg)
{
    char nb[64], d8[9];
    long v;
    switch (o->type) {
    case OPT_T_FLAG:
        *(int *)o->value = 1;
        break;
    case OPT_T_STRING:
        *(const char **)o->value = arg;
        break;
    case OPT_T_LONG:
        if (parse_long(arg, o->min, o->max, &v) != 0)
            die_usage(cmd->name, "%s must be a whole number from %ld to %ld, not '%s'",
                      opt_name(o, nb, sizeof nb), o->min, o->max, arg);
        *(long *)o->value = v;
        break;
    case OPT_T_DATE:
        if (strlen(arg) != 10 || norm_date(arg, 10, DATE_ISO, d8) != 1)
            die_usage(cmd->name, "invalid %s '%s': expected YYYY-MM-DD", opt_name(o, nb, sizeof nb), arg);
        *(const char **)o->value = arg;
        break;
    case OPT_T_END:
        break;
    }
}

/* -h or --help: the help on stdout, exit 0 (a write error is a failure). */
__attribute__((noreturn)) static void help_and_exit(const struct opt_cmd *cmd)
{
    opt_usage(cmd, stdout);
    log_close_stdout();
    exit(TZNR_EXIT_OK);
}

/* ARGV[AT..FROM) are positional arguments already passed: move the K (1 or 2) option words at
 * ARGV[FROM] before them. */
static void move_before(char **argv, int at, int from, int k)
{
    char *words[2] = {argv[from], k > 1 ? argv[from + 1] : NULL};
    memmove(argv + at + k, argv + at, (size_t)(from - at) * sizeof *argv);
    for (int j = 0; j < k; j++)
        argv[at + j] = words[j];
}

/* The long option ARGV[I] ("--name" or "--name=value"); return how many words it took. */
static int parse_long_opt(const struct opt_cmd *cmd, int argc, char **argv, int i)
{
    const char *name = argv[i] + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    const struct opt *o = find_long(cmd, name, n);
    if (!o)
        unknown_long(cmd, name, n);
    if (o == &help_opt && !eq)
        help_and_exit(cmd);
    if (o->type == OPT_T_FLAG) {
        if (eq)
            die_usage(cmd->name, "option '--%s' takes no value", o->long_name);
        set_value(cmd, o, NULL);
        return 1;
    }
    if (eq) {
        set_value(cmd, o, eq + 1);
        return 1;
    }
    if (i + 1 >= argc)
        die_usage(cmd->name, "option '--%s' requires a value (%s)", o->long_name, o->argname);
    set_value(cmd, o, argv[i + 1]);
    return 2;
}

/* The short options ARGV[I] ("-q", "-qj4", "-j 4"); return how many words they took. */
static int parse_short_opts(const struct opt_cmd *cmd, int argc, char **argv, int i)
{
    for (const char *p = argv[i] + 1; *p; p++) {
        const struct opt *o = find_short(cmd, *p);
        if (!o)
            die_usage(cmd->name, "unknown option '-%c'", *p);
        if (o == &help_opt)
            help_and_exit(cmd);
        if (o->type == OPT_T_FLAG) {
            set_value(cmd, o, NULL);
            continue;
        }
        if (p[1]) {
            set_value(cmd, o, p + 1);
            return 1;
        }
        if (i + 1 >= argc)
            die_usage(cmd->name, "option '-%c' requires a value (%s)", *p, o->argname);
        set_value(cmd, o, argv[i + 1]);
        return 2;
    }
    return 1;
}

int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int nargs)
{
    int nopt = 1; /* ARGV[1..nopt) are option words, ARGV[nopt..i) positional arguments */
    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        int k;
        if (strcmp(a, "--") == 0) {
            move_before(argv, nopt, i, 1);
            nopt++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') { /* "-" is an argument: standard input, by custom */
            i++;
            continue;
        }
        k = a[1] == '-' ? parse_long_opt(cmd, argc, argv, i) : parse_short_opts(cmd, argc, argv, i);
        move_before(argv, nopt, i, k);
        nopt += k;
        i += k;
    }
    int have = argc - nopt;
    if (nargs >= 0 && have > nargs)
        die_usage(cmd->name, "unexpected argument '%s'", argv[nopt + nargs]);
    if (nargs >= 0 && have < nargs)
        die_usage(cmd->name, "expected %d argument%s", nargs, nargs > 1 ? "s" : "");
    return nopt;
}

/* "-c, --config FILE", "    --db CONNINFO" or "-o FILE". */
static void names_of(const struct opt *o, sbuf *b)
{
    sbuf_reset(b);
    if (o->short_name)
        sbuf_addf(b, "-%c%s", o->short_name, o->long_name ? ", " : "");
    else
        sbuf_adds(b, "    ");
    if (o->long_name)
        sbuf_addf(b, "--%s", o->long_name);
    if (o->argname)
        sbuf_addf(b, " %s", o->argname);
}

/* TEXT from column COL (the cursor is there), wrapped at HELP_WIDTH with new lines indented to
 * INDENT; a '\n' in TEXT starts a new line. */
static void print_wrapped(FILE *f, const char *text, size_t col, size_t indent)
{
    int line_empty = 1;
    for (const char *p = text; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t n = strcspn(p, " \n");
        if (*p == '\n' || (!line_empty && col + 1 + n > HELP_WIDTH)) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
            line_empty = 1;
            if (*p == '\n') {
                p++;
                continue;
            }
        }
        if (!line_empty) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, n, f);
        col += n;
        line_empty = 0;
        p += n;
    }
    fputc('\n', f);
}

void opt_usage(const struct opt_cmd *cmd, FILE *f)
{
    fprintf(f, "usage: %s\n", cmd->usage);
    if (cmd->description)
        fprintf(f, "\n%s\n", cmd->description);
    sbuf names;
    sbuf_init(&names);
    size_t width = 0;
    const struct opt *o;
    for (size_t i = 0; (o = opt_at(cmd, i)) != NULL; i++) {
        names_of(o, &names);
        if (names.len > width && names.len <= HELP_NAME_MAX)
            width = names.len;
    }
    size_t column = 2 + width + 2;
    fputc('\n', f);
    for (size_t i = 0; (o = opt_at(cmd, i)) != NULL; i++) {
        names_of(o, &names);
        fprintf(f, "  %s", names.p);
        if (names.len > width)
            fprintf(f, "\n%*s", (int)column, "");
        else
            fprintf(f, "%*s", (int)(column - 2 - names.len), "");
        print_wrapped(f, o->help ? o->help : "", column, column);
    }
    sbuf_free(&names);
    if (cmd->exits)
        fprintf(f, "\n%s\n", cmd->exits);
}
