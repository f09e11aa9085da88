/* opt: the options table's parser (flags, values, bounds, dates, positional arguments, refused
 * abbreviations) and the help it prints; then every command's --help from the binary. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "sbuf.h"
#include "testutil.h"

#define MAXW 16

/* What the test command's options store. */
struct vals {
    const char *cfile, *dbinfo, *output, *date, *rare;
    long jobs;
    int force, quiet;
};

/* A command with an option of every kind, the shared ones included; VALS receives them. */
#define TEST_OPTS(v)                                                                                  \
    {OPT_PLATFORM(&(v)->cfile, &(v)->dbinfo),                                                         \
     OPT_FLAG('f', "force", &(v)->force, "go on whatever happens"),                                   \
     OPT_QUIET(&(v)->quiet, "say nothing"),                                                           \
     OPT_STRING('o', "output", &(v)->output, "FILE", "where to write"),                               \
     OPT_LONG('j', "jobs", &(v)->jobs, "N", 1, 64, "threads"),                                        \
     OPT_RUN_DATE(&(v)->date, "the day: a long help text that the printer has to wrap because it "   \
                              "does not fit on one line of the help, however wide the terminal is"), \
     OPT_STRING(0, "seldom-used-option", &(v)->rare, "SOME_VALUE", "its help under the others"),       \
     OPT_END}

static const char test_usage[] = "tznr test [-c FILE] [--db CONNINFO] [-f] [-q] [-o FILE] [-j N] ARG...";
static const char test_description[] = "A command for the tests.\nIts second line.";
static const char test_exits[] = "Exit: 0 done, 2 usage.";

/* The NULL-terminated WORDS as an argv ("test" first) in W; return argc. */
static int make_argv(char *w[MAXW], const char *const *words)
{
    int n = 0;
    w[n++] = (char *)"test";
    for (; *words; words++) {
        ck_assert_int_lt(n, MAXW - 1);
        w[n++] = (char *)*words;
    }
    w[n] = NULL;
    return n;
}

/* Parse WORDS against the test table into V, expecting NARGS positional arguments; the
 * rearranged argv in W; return opt_parse's result. */
static int parse(struct vals *v, char *w[MAXW], int nargs, const char *const *words)
{
    memset(v, 0, sizeof *v);
    const struct opt opts[] = TEST_OPTS(v);
    const struct opt_cmd cmd = {.name = "test", .usage = test_usage, .description = test_description,
                                .exits = test_exits, .opts = opts};
    int argc = make_argv(w, words);
    return opt_parse(&cmd, argc, w, nargs);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Parse WORDS in a child process (opt_parse exits on errors and on --help): return its exit
 * status, with what it printed in *OUT and *ERR (malloc'd). A parse that returns exits
 * 100 + its result. */
static int parse_in_child(int nargs, char **out, char **err, const char *const *words)
{
    const char *dir = tu_tmpdir();
    char *o = strdup(tu_fmt("%s/out", dir)), *e = strdup(tu_fmt("%s/err", dir));
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen(o, "w", stdout) || !freopen(e, "w", stderr))
            _exit(99);
        struct vals v;
        char *w[MAXW];
        int first = parse(&v, w, nargs, words);
        fflush(NULL);
        _exit(100 + first);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "the parse was killed");
    *out = tu_read(o, NULL);
    *err = tu_read(e, NULL);
    ck_assert(*out != NULL && *err != NULL);
    free(o);
    free(e);
    return WEXITSTATUS(st);
}

/* WORDS are a usage error: exit 2, nothing on stdout, a message with WHAT on stderr (and
 * without NOT when it is not NULL), and the pointer to --help. */
static void expect_usage_error(const char *what, const char *not, int nargs, const char *const *words)
{
    char *out, *err;
    int rc = parse_in_child(nargs, &out, &err, words);
    ck_assert_msg(rc == 2, "%s: exit %d, expected 2; stderr: %s", words[0], rc, err);
    ck_assert_msg(out[0] == '\0', "%s: wrote to stdout: %s", words[0], out);
    ck_assert_msg(strstr(err, what) != NULL, "%s: stderr should say \"%s\": %s", words[0], what, err);
    ck_assert_msg(not == NULL || strstr(err, not) == NULL, "%s: stderr should not say \"%s\": %s", words[0], not,
                  err);
    ck_assert_msg(strstr(err, "Try 'tznr test --help'") != NULL, "%s: %s", words[0], err);
    free(out);
    free(err);
}

START_TEST(test_flags_and_strings)
{
    struct vals v;
    char *w[MAXW];
    /* nothing given: nothing set */
    ck_assert_int_eq(parse(&v, w, 0, (const char *const[]){NULL}), 1);
    ck_assert(v.cfile == NULL && v.dbinfo == NULL && v.output == NULL && v.date == NULL);
    ck_assert(v.force == 0 && v.quiet == 0 && v.jobs == 0);
    /* every spelling of a value: separate word, '=', glued to the short name */
    ck_assert_int_eq(parse(&v, w, 0, WORDS("-c", "a.conf", "--db", "dbname=x", "--force", "-q", "-o", "out")), 9);
    ck_assert_str_eq(v.cfile, "a.conf");
    ck_assert_str_eq(v.dbinfo, "dbname=x");
    ck_assert_str_eq(v.output, "out");
    ck_assert_int_eq(v.force, 1);
    ck_assert_int_eq(v.quiet, 1);
    parse(&v, w, 0, WORDS("--config=b.conf", "--db=host=h dbname=y", "--output=o2", "-f"));
    ck_assert_str_eq(v.cfile, "b.conf");
    ck_assert_str_eq(v.dbinfo, "host=h dbname=y");
    ck_assert_str_eq(v.output, "o2");
    ck_assert_int_eq(v.force, 1);
    ck_assert_int_eq(v.quiet, 0);
    /* flags together, then one that takes the rest of the word or the next one */
    parse(&v, w, 0, WORDS("-qfofile"));
    ck_assert(v.quiet == 1 && v.force == 1);
    ck_assert_str_eq(v.output, "file");
    parse(&v, w, 0, WORDS("-fqo", "-dash"));
    ck_assert(v.quiet == 1 && v.force == 1);
    ck_assert_str_eq(v.output, "-dash");
    /* the last of a repeated option wins; an empty value is a value */
    parse(&v, w, 0, WORDS("-o", "one", "--output", "two"));
    ck_assert_str_eq(v.output, "two");
    parse(&v, w, 0, WORDS("--output="));
    ck_assert_str_eq(v.output, "");
    parse(&v, w, 0, WORDS("-o", ""));
    ck_assert_str_eq(v.output, "");
}
END_TEST

START_TEST(test_numbers)
{
    struct vals v;
    char *w[MAXW];
    parse(&v, w, 0, WORDS("-j", "4"));
    ck_assert_int_eq(v.jobs, 4);
    parse(&v, w, 0, WORDS("-j1"));
    ck_assert_int_eq(v.jobs, 1);
    parse(&v, w, 0, WORDS("--jobs=64"));
    ck_assert_int_eq(v.jobs, 64);
    parse(&v, w, 0, WORDS("--jobs", "17"));
    ck_assert_int_eq(v.jobs, 17);
    /* out of bounds or not a whole number: the option and its bounds are named */
    expect_usage_error("--jobs must be a whole number from 1 to 64, not '0'", NULL, 0, WORDS("-j", "0"));
    expect_usage_error("not '65'", NULL, 0, WORDS("--jobs", "65"));
    expect_usage_error("not '-1'", NULL, 0, WORDS("--jobs=-1"));
    expect_usage_error("not 'two'", NULL, 0, WORDS("-jtwo"));
    expect_usage_error("not '4x'", NULL, 0, WORDS("-j", "4x"));
    expect_usage_error("not ''", NULL, 0, WORDS("--jobs="));
    expect_usage_error("not '99999999999999999999'", NULL, 0, WORDS("-j", "99999999999999999999"));
}
END_TEST

START_TEST(test_dates)
{
    struct vals v;
    char *w[MAXW];
    parse(&v, w, 0, WORDS("--date", "2026-02-28"));
    ck_assert_str_eq(v.date, "2026-02-28");
    parse(&v, w, 0, WORDS("--date=2024-02-29"));
    ck_assert_str_eq(v.date, "2024-02-29");
    static const char *const bad[] = {"2026-02-29", "2026-13-01", "20260101", "2026-1-01", "2026-01-01x",
                                      " 2026-01-01", "15/01/2026", "garbage", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_usage_error(tu_fmt("invalid --date '%s': expected YYYY-MM-DD", bad[i]), NULL, 0,
                           WORDS("--date", bad[i]));
}
END_TEST

START_TEST(test_positionals)
{
    struct vals v;
    char *w[MAXW];
    /* options and arguments in any order: the arguments end up last, in their order */
    int first = parse(&v, w, OPT_ARGS_ANY, WORDS("a", "-q", "b", "--output", "o", "c", "-j2"));
    ck_assert_int_eq(first, 5);
    ck_assert_str_eq(w[first], "a");
    ck_assert_str_eq(w[first + 1], "b");
    ck_assert_str_eq(w[first + 2], "c");
    ck_assert_ptr_null(w[first + 3]);
    ck_assert_str_eq(v.output, "o");
    ck_assert(v.quiet == 1 && v.jobs == 2);
    /* "--" ends the options; "-" is an argument */
    first = parse(&v, w, OPT_ARGS_ANY, WORDS("-", "--", "-q", "--output=x"));
    ck_assert_int_eq(first, 2);
    ck_assert_str_eq(w[2], "-");
    ck_assert_str_eq(w[3], "-q");
    ck_assert_str_eq(w[4], "--output=x");
    ck_assert(v.quiet == 0 && v.output == NULL);
    /* a value that looks like an option or an argument is still the value */
    first = parse(&v, w, 1, WORDS("--output", "--force", "arg"));
    ck_assert_str_eq(v.output, "--force");
    ck_assert_int_eq(v.force, 0);
    ck_assert_str_eq(w[first], "arg");
    /* none: the index is argc */
    ck_assert_int_eq(parse(&v, w, OPT_ARGS_ANY, WORDS("-q")), 2);
    /* a count the caller asks for */
    ck_assert_int_eq(parse(&v, w, 2, WORDS("x", "-q", "y")), 2);
    expect_usage_error("unexpected argument 'extra'", NULL, 0, WORDS("-q", "extra"));
    expect_usage_error("unexpected argument 'z'", NULL, 2, WORDS("x", "y", "z"));
    expect_usage_error("expected 2 arguments", NULL, 2, WORDS("x", "-q"));
    expect_usage_error("unexpected argument '--force'", NULL, 0, WORDS("--", "--force"));
}
END_TEST

START_TEST(test_refused)
{
    expect_usage_error("unknown option '--bogus'", NULL, 0, WORDS("--bogus"));
    expect_usage_error("unknown option '-x'", NULL, 0, WORDS("-qx"));
    expect_usage_error("option '--force' takes no value", NULL, 0, WORDS("--force=yes"));
    expect_usage_error("option '--output' requires a value (FILE)", NULL, 0, WORDS("--output"));
    expect_usage_error("option '-o' requires a value (FILE)", NULL, 0, WORDS("-q", "-o"));
    expect_usage_error("option '--help' takes no value", NULL, 0, WORDS("--help=me"));
    /* no abbreviation, even an unambiguous one; the value after '=' is never repeated */
    expect_usage_error("unknown option '--forc': options are never abbreviated (did you mean --force?)", NULL, 0,
                       WORDS("--forc"));
    expect_usage_error("(did you mean --db, --date?)", "secret", 0, WORDS("--d=password=secret"));
    expect_usage_error("unknown option '--d'", NULL, 0, WORDS("--d", "dbname=x"));
    expect_usage_error("unknown option '--quieter'", "abbreviated", 0, WORDS("--quieter"));
    /* the option's name is matched whole, not its prefix */
    expect_usage_error("unknown option '--forced'", NULL, 0, WORDS("--forced"));
    expect_usage_error("unknown option '--'", NULL, 0, WORDS("--=x"));
}
END_TEST

/* The help of the test command, as opt_usage prints it. */
static char *help_text(void)
{
    struct vals v;
    const struct opt opts[] = TEST_OPTS(&v);
    const struct opt_cmd cmd = {.name = "test", .usage = test_usage, .description = test_description,
                                .exits = test_exits, .opts = opts};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    opt_usage(&cmd, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

START_TEST(test_help)
{
    char *h = help_text();
    /* the synopsis, the description, the options, the exit codes, in that order */
    ck_assert_msg(strncmp(h, tu_fmt("usage: %s\n\n%s\n\n", test_usage, test_description),
                          strlen(test_usage) + strlen(test_description) + 10) == 0, "%s", h);
    ck_assert_msg(strstr(h, tu_fmt("\n\n%s\n", test_exits)) != NULL, "%s", h);
    /* each option on its line, names first, helps in one column */
    static const char *const lines[] = {"  -c, --config FILE ", "      --db CONNINFO ", "  -f, --force ",
                                        "  -q, --quiet ",      "  -o, --output FILE ",  "  -j, --jobs N ",
                                        "      --date YYYY-MM-DD ", "  -h, --help "};
    size_t col = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const char *l = strstr(h, tu_fmt("\n%s", lines[i]));
        ck_assert_msg(l != NULL, "no line '%s' in:\n%s", lines[i], h);
        l++;
        size_t at = strspn(l + strlen(lines[i]), " ") + strlen(lines[i]);
        if (!col)
            col = at;
        ck_assert_msg(at == col, "'%s' help at column %zu, not %zu:\n%s", lines[i], at, col, h);
    }
    /* names too long for the column: the help on the next line, in the column */
    ck_assert_msg(strstr(h, tu_fmt("\n      --seldom-used-option SOME_VALUE\n%*sits help under the others\n", (int)col,
                                   "")) != NULL, "column %zu:\n%s", col, h);
    ck_assert_msg(strstr(h, "platform configuration (default $TZNR_CONFIG, " CONF_DEFAULT_PATH ")") != NULL, "%s", h);
    ck_assert_msg(strstr(h, "print this help") != NULL, "%s", h);
    /* a long help is wrapped, its next lines under the first */
    ck_assert_msg(strstr(h, "the day: a long help") != NULL && strstr(h, "wide the terminal is\n") != NULL, "%s", h);
    for (const char *l = h; *l; l += strcspn(l, "\n"), l += *l == '\n')
        ck_assert_msg(strcspn(l, "\n") <= 92, "a line longer than 92: %.*s", (int)strcspn(l, "\n"), l);
    const char *wrapped = strstr(h, "--date YYYY-MM-DD");
    wrapped = strchr(wrapped, '\n') + 1;
    ck_assert_msg(strspn(wrapped, " ") == col, "continuation not aligned:\n%s", h);
    free(h);

    /* -h and --help print it on stdout and exit 0, whatever comes after */
    const char *const *const asks[] = {WORDS("--help"), WORDS("-h"), WORDS("-qh"), WORDS("a", "--help", "--bogus")};
    char *want = help_text();
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        char *out, *err;
        int rc = parse_in_child(0, &out, &err, asks[i]);
        ck_assert_msg(rc == 0, "%s: exit %d: %s", asks[i][0], rc, err);
        ck_assert_str_eq(out, want);
        ck_assert_str_eq(err, "");
        free(out);
        free(err);
    }
    free(want);
}
END_TEST

/* Every command's --help, from the binary: exit 0, its synopsis, each of its options. */
START_TEST(test_commands_help)
{
    static const struct {
        const char *verb, *options;
    } cmds[] = {
        {"audit", "-c, --config|--db|--action|--object|--since|--until|-n, --limit"},
        {"db", "-c, --config|--db|migrate|status"},
        {"evaluation", "-c, --config|--db|--from|--to|--format|Exit: 0 done"},
        {"export", "-c, --config|--db|--date"},
        {"feedback", "-c, --config|--db|Exit: 0 done, 1 failure, 2 usage, 3 a file was refused."},
        {"keygen", "-i, --id KEY_ID|-o, --output FILE"},
        {"link", "-c, --config|--db|-q, --quiet"},
        {"links", "-c, --config|--db|--possible"},
        {"load", "-c, --config|--db|--force|-q, --quiet|Exit: 0 all loaded"},
        {"pseudonymise", "-k, --key|-s, --source|-m, --mapping|-o, --output|-d, --extract-date|-j, --jobs N|"
                         "-q, --quiet|(1-64, default 1)|france_travail|Exit: 0 done"},
        {"reidentify", "-t, --tokens|-r, --raw|-m, --mapping|-c, --columns|-o, --output|-q, --quiet|"
                       "-reidentifiee.csv|" CONF_DEFAULT_PATH "|Exit: 0 done"},
        {"run", "-c, --config|--db|--date|-q, --quiet|Exit: 0 done"},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = tu_run(tu_fmt("'%s' %s --help", tu_bin("tznr"), cmds[i].verb), &out, &err);
        ck_assert_msg(rc == 0, "tznr %s --help: exit %d: %s", cmds[i].verb, rc, err);
        ck_assert_msg(strncmp(out, tu_fmt("usage: tznr %s ", cmds[i].verb), strlen(cmds[i].verb) + 12) == 0,
                      "tznr %s --help:\n%s", cmds[i].verb, out);
        ck_assert_msg(strstr(out, "  -h, --help ") != NULL, "tznr %s --help:\n%s", cmds[i].verb, out);
        for (const char *o = cmds[i].options; *o;) {
            size_t n = strcspn(o, "|");
            /* a long-only option is looked for as an option line, not in the usage line */
            const char *needle = strncmp(o, "--", 2) == 0 ? tu_fmt("\n      %.*s", (int)n, o) : tu_fmt("%.*s", (int)n, o);
            if (n > 0)
                ck_assert_msg(strstr(out, needle) != NULL, "tznr %s --help has no '%.*s' line:\n%s", cmds[i].verb,
                              (int)n, o, out);
            o += n + (o[n] == '|');
        }
        free(out);
        free(err);
    }
}
END_TEST

/* The commands of the binary's own table, as `tznr --help` lists them (so a command added to
 * main.c is checked without this test knowing it): N names into NAMES. */
static size_t binary_commands(char names[32][32])
{
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("'%s' --help", tu_bin("tznr")), &out, &err), 0);
    const char *p = strstr(out, "\ncommands:\n");
    ck_assert_msg(p != NULL, "tznr --help:\n%s", out);
    size_t n = 0;
    for (p += strlen("\ncommands:\n"); strncmp(p, "  ", 2) == 0 && n < 32; p = strchr(p, '\n') + 1) {
        size_t w = strcspn(p + 2, " ");
        ck_assert(w > 0 && w < 32);
        memcpy(names[n], p + 2, w);
        names[n++][w] = '\0';
    }
    free(out);
    free(err);
    return n;
}

/* Every command of the binary's table says its exit codes in its --help: a line starting
 * "Exit: 0 ", with the usage code. */
START_TEST(test_commands_help_exits)
{
    char names[32][32];
    size_t n = binary_commands(names);
    ck_assert_msg(n >= 13, "tznr --help lists %zu commands", n);
    for (size_t i = 0; i < n; i++) {
        char *out = NULL, *err = NULL;
        int rc = tu_run(tu_fmt("'%s' %s --help", tu_bin("tznr"), names[i]), &out, &err);
        ck_assert_msg(rc == 0, "tznr %s --help: exit %d: %s", names[i], rc, err);
        const char *e = strstr(out, "\nExit: 0 ");
        ck_assert_msg(e != NULL, "tznr %s --help gives no exit codes (an 'Exit: 0 ...' line):\n%s", names[i], out);
        ck_assert_msg(strstr(e, "2 usage") != NULL, "tznr %s --help: no '2 usage' among its exit codes:\n%s", names[i],
                      out);
        free(out);
        free(err);
    }
}
END_TEST

/* Every message of a command starts with "tznr CMD:": an unknown option, a missing
 * configuration file, and the out-of-memory message written without log_*. */
START_TEST(test_messages_named)
{
    char names[32][32];
    size_t n = binary_commands(names);
    for (size_t i = 0; i < n; i++) {
        char *out = NULL, *err = NULL;
        int rc = tu_run(tu_fmt("'%s' %s --no-such-option", tu_bin("tznr"), names[i]), &out, &err);
        ck_assert_msg(rc == 2, "tznr %s --no-such-option: exit %d", names[i], rc);
        ck_assert_msg(strcmp(err, tu_fmt("tznr %s: error: unknown option '--no-such-option'\n"
                                         "Try 'tznr %s --help' for more information.\n", names[i], names[i])) == 0,
                      "tznr %s --no-such-option said:\n%s", names[i], err);
        free(out);
        free(err);
    }
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("'%s' run -c /nonexistent/tznr.conf", tu_bin("tznr")), &out, &err);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strncmp(err, "tznr run: error: ", 17) == 0, "%s", err);
    free(out);
    free(err);
#if !UNDER_ASAN
    /* out of memory, in a child: the message names the command too */
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        log_set_prog("tznr load");
        void *p = xmalloc(SIZE_MAX / 2);
        _exit(p != NULL ? 0 : 9);
    }
    close(fd[1]);
    char buf[256];
    ssize_t got = read(fd[0], buf, sizeof buf - 1);
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(got > 0);
    buf[got] = '\0';
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "xmalloc did not abort");
    ck_assert_msg(strncmp(buf, "tznr load: error: out of memory (asked for ", 43) == 0, "%s", buf);
#endif
}
END_TEST

/* What messages and the audit log's command line keep of a secret: nothing, however written;
 * JSON and quoting stay whole; text that only mentions a password is left alone. */
START_TEST(test_redact)
{
    static const char *const cases[][2] = {
        {"host=h password=hunter2 user=u", "host=h password=[redacted] user=u"},
        {"sslpassword = 'a b\\' c' dbname=x", "sslpassword = '[redacted]' dbname=x"},
        {"PGPASSWORD=s3cret tznr run", "PGPASSWORD=[redacted] tznr run"},
        {"Password:hunter2", "Password:[redacted]"},
        {"secret_key=abc;x=1", "secret_key=[redacted];x=1"},
        {"pwd=x", "pwd=[redacted]"},
        {"postgresql://tznr:s3cret@db.example/tznr?sslmode=verify-full",
         "postgresql://tznr:[redacted]@db.example/tznr?sslmode=verify-full"},
        {"postgres://:p@h", "postgres://:[redacted]@h"},
        {"{\"password\":\"abc\",\"n\":1}", "{\"password\":\"[redacted]\",\"n\":1}"},
        {"{\"reason\":\"manifest 'password=x.manifest' is missing\"}",
         "{\"reason\":\"manifest 'password=[redacted]' is missing\"}"},
        {"{\"why\":\"password=\\\"a b\\\" left\"}", "{\"why\":\"password=\\\"[redacted]\\\" left\"}"},
        {"{\"why\":\"password=ab\\\"cd\"}", "{\"why\":\"password=[redacted]\\\"cd\"}"},
        /* nothing to redact */
        {"password authentication failed for user \"u\"", "password authentication failed for user \"u\""},
        {"could not open 'passwords.txt'", "could not open 'passwords.txt'"},
        {"postgresql://tznr@db/x https://example.org/a:b@c", "postgresql://tznr@db/x https://example.org/a:b@c"},
        {"password=", "password="},
        {"password=''", "password=''"},
        {"tznr load --db=[conninfo] a.csv", "tznr load --db=[conninfo] a.csv"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = log_redact(cases[i][0]);
        ck_assert_msg(strcmp(r, cases[i][1]) == 0, "'%s' -> '%s', expected '%s'", cases[i][0], r, cases[i][1]);
        free(r);
    }
    /* many short secrets in a row: the output's room is enough */
    char many[6 * 200 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(many, "pwd=x,");
    char *r = log_redact(many);
    ck_assert_uint_eq(strlen(r), 200 * strlen("pwd=[redacted],"));
    free(r);
}
END_TEST

Suite *suite_opt(void)
{
    Suite *s = suite_create("opt");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_flags_and_strings);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_dates);
    tcase_add_test(tc, test_positionals);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_redact);
    suite_add_tcase(s, tc);
    tc = tcase_create("commands");
    tcase_add_test(tc, test_commands_help);
    tcase_add_test(tc, test_commands_help_exits);
    tcase_add_test(tc, test_messages_named);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
