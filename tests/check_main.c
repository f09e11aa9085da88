/* The single Check runner: every module's suite, then the end-to-end suites. */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

Suite *suite_norm(void);
Suite *suite_pseudo(void);
Suite *suite_csvio(void);
Suite *suite_manifest(void);
Suite *suite_csv_spectrum(void);
Suite *suite_hex(void);
Suite *suite_strtab(void);
Suite *suite_mapping(void);
Suite *suite_link(void);
Suite *suite_assign(void);
Suite *suite_fs(void);
Suite *suite_opt(void);
Suite *suite_pseudonymise(void);
Suite *suite_synth(void);
Suite *suite_platform(void);
Suite *suite_rules(void);
Suite *suite_reidentify(void);
Suite *suite_run(void);
Suite *suite_report(void);
Suite *suite_export(void);
Suite *suite_registers(void);
Suite *suite_parameters(void);
Suite *suite_openfisca(void);
Suite *suite_security(void);
Suite *suite_faults(void);
Suite *suite_evaluation(void);
Suite *suite_check(void);
Suite *suite_fixtures(void);

static char tmproot[PATH_MAX];

const char *tu_fmt(const char *fmt, ...)
{
    static char buf[8][4096];
    static int slot;
    char *b = buf[slot++ & 7];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, 4096, fmt, ap);
    va_end(ap);
    return b;
}

static char fixtures_dir[PATH_MAX];

const char *tu_fixture(const char *rel)
{
    /* set in main, before any test changes its directory: the runner starts at the repository's top */
    if (!fixtures_dir[0] && realpath("tests/fixtures", fixtures_dir) == NULL)
        snprintf(fixtures_dir, sizeof fixtures_dir, "tests/fixtures");
    return tu_fmt("%s/%s", fixtures_dir, rel);
}

const char *tu_bin(const char *name)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        const char *o = getenv("O");
        if (!o || !*o)
            o = "build";
        if (realpath(o, dir) == NULL)
            snprintf(dir, sizeof dir, "%s", o);
    }
    return tu_fmt("%s/%s", dir, name);
}

const char *tu_tmpdir(void)
{
    /* a copy of its own: tu_fmt's slots are reused */
    char *d = strdup(tu_fmt("%s/tXXXXXX", tmproot));
    ck_assert_msg(d && mkdtemp(d) != NULL, "mkdtemp %s", d);
    return d;
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            b = realloc(b, cap);
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

void tu_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert(fwrite(data, 1, len, f) == len);
    ck_assert(fclose(f) == 0);
}

void tu_write_str(const char *path, const char *s) { tu_write(path, s, strlen(s)); }

void tu_add_cases(Suite *s, const struct tu_case *cases, size_t n, int timeout, void (*teardown)(void))
{
    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, timeout);
        if (teardown)
            tcase_add_unchecked_fixture(tc, NULL, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
}

const char *tu_test_key(const char *dir)
{
    size_t n;
    const char *src = tu_fixture("extract-v1/test.key");
    char *k = tu_read(src, &n);
    ck_assert_msg(k != NULL, "cannot read the contract's test.key at %s", src);
    const char *path = tu_fmt("%s/test.key", dir);
    tu_write(path, k, n);
    free(k);
    ck_assert(chmod(path, 0600) == 0);
    return path;
}

int tu_run(const char *cmdline, char **out, char **err)
{
    static int n;
    n++;
    /* each test runs in its own forked process: the pid keeps the names apart */
    const char *o = tu_fmt("%s/run%d-%d.out", tmproot, (int)getpid(), n);
    const char *e = tu_fmt("%s/run%d-%d.err", tmproot, (int)getpid(), n);
    char *full = malloc(strlen(cmdline) + 2 * PATH_MAX + 32);
    sprintf(full, "( %s ) >'%s' 2>'%s'", cmdline, o, e);
    int st = system(full);
    free(full);
    if (out)
        *out = tu_read(o, NULL);
    if (err)
        *err = tu_read(e, NULL);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int tu_vrun_bin(const char *env, const char *bin, char **out, char **err, const char *fmt, va_list ap)
{
    char *args = NULL, *cmd = NULL;
    ck_assert_int_ge(vasprintf(&args, fmt, ap), 0);
    ck_assert_int_ge(asprintf(&cmd, "%s '%s' %s", env ? env : "", tu_bin(bin), args), 0);
    int rc = tu_run(cmd, out, err);
    free(args);
    free(cmd);
    return rc;
}

/* Remove the core files in DIR; return how many there were. */
static int remove_cores(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "core", 4) == 0) {
            unlink(tu_fmt("%s/%s", dir, e->d_name));
            n++;
        }
    }
    closedir(d);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Who runs the program crashed midway: nobody when the tests run as root, so that whether it is
 * dumpable shows in the owner of /proc/PID (root's processes own theirs either way). */
#define CRASH_UID 65534

/* Give DIR and its files to CRASH_UID, and let it through the test root (mode 0711). */
static void give_to_crash_user(const char *dir)
{
    ck_assert_int_eq(chmod(tmproot, 0711), 0);
    ck_assert_int_eq(chown(dir, CRASH_UID, CRASH_UID), 0);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            ck_assert_int_eq(lchown(tu_fmt("%s/%s", dir, e->d_name), CRASH_UID, CRASH_UID), 0);
    closedir(d);
}

/* Start PROG with ARGV in DIR, stdout and stderr to /dev/null, its core limit as high as allowed;
 * as CRASH_UID when AS_OTHER. */
static pid_t start_in(const char *dir, const char *prog, char *const argv[], int as_other)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_CORE, &rl);
        struct rlimit all = {RLIM_INFINITY, RLIM_INFINITY};
        if (setrlimit(RLIMIT_CORE, &all) != 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_CORE, &rl);
        }
        int null = open("/dev/null", O_WRONLY);
        if (chdir(dir) != 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        unsetenv("TZNR_CONFIG"); /* reidentify refuses to run beside a platform's configuration */
        if (as_other && (setgroups(0, NULL) != 0 || setgid(CRASH_UID) != 0 || setuid(CRASH_UID) != 0))
            _exit(127);
        execv(prog, argv);
        _exit(127);
    }
    return pid;
}

/* Crash PID with SIGSEGV; return 1 when a core was written (in DIR, or as the kernel says). */
static int crash(pid_t pid, const char *dir)
{
    int st;
    kill(pid, SIGSEGV);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    int cores = remove_cores(dir);
    return cores > 0 || (WIFSIGNALED(st) && WCOREDUMP(st));
}

/* Return 1 when PID is not dumpable, 0 when it is, -1 when this cannot be told: the kernel gives
 * /proc/PID/ of a process that is not dumpable to root, otherwise to the process's own user. */
static int not_dumpable(pid_t pid)
{
    struct stat st;
    char *status = tu_read(tu_fmt("/proc/%d/status", (int)pid), NULL);
    const char *u = status ? strstr(status, "\nUid:") : NULL;
    unsigned ruid = 0;
    int ok = u && sscanf(u + 5, "%u", &ruid) == 1 && stat(tu_fmt("/proc/%d/status", (int)pid), &st) == 0;
    free(status);
    if (!ok || ruid == 0)
        return -1;
    return st.st_uid == 0;
}

/* The state letter of PID (R, S, D...), or 0 when it is gone. */
static char proc_state(pid_t pid)
{
    char *s = tu_read(tu_fmt("/proc/%d/stat", (int)pid), NULL);
    char state = 0;
    const char *p = s ? strrchr(s, ')') : NULL;
    if (p && p[1] == ' ')
        state = p[2];
    free(s);
    return state;
}

/* 1 when NEEDLE is in PID's writable memory, 0 when not, -1 when it cannot be read. */
static int in_memory(pid_t pid, const char *needle)
{
    FILE *maps = fopen(tu_fmt("/proc/%d/maps", (int)pid), "r");
    int mem = open(tu_fmt("/proc/%d/mem", (int)pid), O_RDONLY);
    if (!maps || mem < 0) {
        if (maps)
            fclose(maps);
        if (mem >= 0)
            close(mem);
        return -1;
    }
    size_t nl = strlen(needle), cap = 1 << 20;
    char *buf = malloc(cap + nl);
    char line[512];
    int found = 0, readable = 0;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long from, to;
        char perms[8];
        /* (not the sanitizers' shadow memory: terabytes reserved, never a heap) */
        if (sscanf(line, "%lx-%lx %7s", &from, &to, perms) != 3 || perms[0] != 'r' || perms[1] != 'w' ||
            to - from > (256ul << 20))
            continue;
        size_t keep = 0; /* the last bytes of the previous chunk: a needle across two chunks */
        for (unsigned long at = from; at < to;) {
            size_t want = to - at < cap ? to - at : cap;
            ssize_t got = pread(mem, buf + keep, want, (off_t)at);
            if (got <= 0)
                break;
            readable = 1;
            size_t total = keep + (size_t)got;
            if (memmem(buf, total, needle, nl)) {
                found = 1;
                break;
            }
            at += (unsigned long)got;
            keep = total < nl - 1 ? total : nl - 1;
            memmove(buf, buf + total - keep, keep);
        }
    }
    free(buf);
    fclose(maps);
    close(mem);
    return found ? 1 : readable ? 0 : -1;
}

void tu_crash_midway(const char *dir, const char *fifo, const char *feed, const char *ready, const char *needle,
                     char *const argv[], tu_crash *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_msg(mkfifo(fifo, 0600) == 0, "mkfifo %s: %s", fifo, strerror(errno));
    int as_other = geteuid() == 0;
    char *prog = strdup(tu_bin(argv[0]));
    if (as_other) {
        /* a copy in DIR: the build folder may be out of nobody's reach (a mutation's copy) */
        size_t n;
        char *bin = tu_read(prog, &n);
        ck_assert_msg(bin != NULL, "cannot read %s", prog);
        free(prog);
        prog = strdup(tu_fmt("%s/%s.bin", dir, argv[0]));
        tu_write(prog, bin, n);
        free(bin);
        ck_assert_int_eq(chmod(prog, 0755), 0);
        give_to_crash_user(dir);
    }
    pid_t pid = start_in(dir, prog, argv, as_other);
    free(prog);
    /* open the pipe once the program has opened it for reading (never block on a dead one) */
    int fd = -1, st;
    for (int i = 0; fd < 0 && i < 1000; i++) {
        fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            ck_assert_msg(errno == ENXIO, "open %s: %s", fifo, strerror(errno));
            ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "%s ended before reading %s (status %d)", argv[0], fifo, st);
            sleep_ms(10);
        }
    }
    ck_assert_msg(fd >= 0, "%s never opened %s", argv[0], fifo);
    ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
    ck_assert_int_eq(write(fd, feed, strlen(feed)), (ssize_t)strlen(feed));
    /* midway: everything fed has been read, READY is there, and it sleeps waiting for more */
    int calm = 0;
    for (int i = 0; calm < 20 && i < 2000; i++) {
        int left = -1;
        ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "%s ended midway (status %d)", argv[0], st);
        if (ioctl(fd, FIONREAD, &left) == 0 && left == 0 && (!ready || access(ready, F_OK) == 0) &&
            proc_state(pid) == 'S')
            calm++;
        else
            calm = 0;
        sleep_ms(10);
    }
    ck_assert_msg(calm >= 20, "%s never settled waiting on %s", argv[0], fifo);
    char *lim = tu_read(tu_fmt("/proc/%d/limits", (int)pid), NULL);
    const char *line = lim ? strstr(lim, "Max core file size") : NULL;
    char soft[32] = "", hard[32] = "";
    if (line)
        sscanf(line + strlen("Max core file size"), "%31s %31s", soft, hard);
    r->core_limit_zero = strcmp(soft, "0") == 0 && strcmp(hard, "0") == 0;
    free(lim);
    r->not_dumpable = not_dumpable(pid);
    r->needle_found = needle ? in_memory(pid, needle) : -1;
    struct rlimit all = {RLIM_INFINITY, RLIM_INFINITY};
    r->raised = prlimit(pid, RLIMIT_CORE, &all, NULL) == 0;
    r->dumped = crash(pid, dir);
    close(fd);
    unlink(fifo);
    char *const sleep_argv[] = {(char *)"sleep", (char *)"30", NULL};
    pid = start_in(dir, "/bin/sleep", sleep_argv, as_other);
    sleep_ms(100);
    for (int i = 0; i < 500 && proc_state(pid) != 'S'; i++)
        sleep_ms(10);
    if (r->raised)
        prlimit(pid, RLIMIT_CORE, &all, NULL);
    r->control_dumped = crash(pid, dir);
}

int tu_tznr(char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(NULL, "tznr", out, err, fmt, ap);
    va_end(ap);
    return rc;
}

const char *tu_admin(void)
{
    const char *a = getenv("TZNR_TEST_ADMIN");
    return a && *a ? a : "tznr";
}

int tu_vpsql(const char *db, char **out, char **err, const char *fmt, va_list ap)
{
    static int n;
    char *sql = NULL;
    ck_assert_int_ge(vasprintf(&sql, fmt, ap), 0);
    char *file = strdup(tu_fmt("%s/q%d-%d.sql", tmproot, (int)getpid(), ++n));
    tu_write_str(file, sql);
    int rc = tu_run(tu_fmt("psql -X -At -q -v ON_ERROR_STOP=1 -U '%s' -d '%s' -f '%s'", tu_admin(), db, file), out, err);
    if (out && *out) {
        size_t len = strlen(*out);
        while (len > 0 && (*out)[len - 1] == '\n')
            (*out)[--len] = '\0';
    }
    free(sql);
    free(file);
    return rc;
}

char *tu_vsqlv(const char *db, const char *fmt, va_list ap)
{
    char *out = NULL, *err = NULL;
    int rc = tu_vpsql(db, &out, &err, fmt, ap);
    ck_assert_msg(rc == 0 && out != NULL, "psql failed (%d): %s", rc, err ? err : "");
    free(err);
    return out;
}

long long tu_vsqln(const char *db, const char *fmt, va_list ap)
{
    char *out = tu_vsqlv(db, fmt, ap), *end;
    long long v = strtoll(out, &end, 10);
    ck_assert_msg(end != out && *end == '\0', "not a number: '%s'", out);
    free(out);
    return v;
}

long long tu_sqln(const char *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(db, fmt, ap);
    va_end(ap);
    return v;
}

const char *tu_db(int migrate)
{
    static int n;
    ck_assert_msg(getenv("PGHOST") != NULL, "no test PostgreSQL: run the tests through tests/run-all");
    char *name = strdup(tu_fmt("t_%d_%d", (int)getpid(), ++n));
    int rc = tu_run(tu_fmt("psql -X -q -U '%s' -d postgres -c 'CREATE DATABASE %s'", tu_admin(), name), NULL, NULL);
    ck_assert_msg(rc == 0, "could not create database %s", name);
    const char *ci = strdup(tu_fmt("dbname=%s", name));
    if (migrate) {
        char *err = NULL;
        /* as the administrator: the migrations create the roles and hand the schema to its owner */
        rc = tu_run(tu_fmt("PGUSER='%s' '%s' db migrate --db '%s'", tu_admin(), tu_bin("tznr"), ci), NULL, &err);
        ck_assert_msg(rc == 0, "tznr db migrate failed: %s", err ? err : "");
        free(err);
    }
    free(name);
    return ci;
}

const char *tu_conf(const char *dir, const char *conninfo, const char *extra)
{
    const char *path = strdup(tu_fmt("%s/tznr.conf", dir));
    tu_write_str(path, tu_fmt("[database]\nconninfo = %s\n[keys]\nkey_id = vectors-1\n"
                              "[paths]\ninbox = inbox\narchive = archive\noutbox = outbox\n"
                              "rejected = rejected\n%s",
                              conninfo, extra ? extra : ""));
    return path;
}

const char *tu_nir15(const char *nir13)
{
    unsigned long long n = strtoull(nir13, NULL, 10);
    return tu_fmt("%s%02d", nir13, (int)(97 - n % 97));
}

/* SOURCE as a file name: ':' written '_'. */
static const char *source_file_name(const char *source)
{
    char *name = (char *)tu_fmt("%s", source);
    for (char *c = name; *c; c++)
        if (*c == ':')
            *c = '_';
    return name;
}

void tu_deposit_canonical(const char *dir, const char *key, const char *source, const char *date,
                          const char *header, const char *body)
{
    const char *name = source_file_name(source);
    char *raw = NULL, *x = NULL, *mapping = NULL, *all = NULL;
    ck_assert_int_ge(asprintf(&raw, "%s/agencies/%s.raw.csv", dir, name), 0);
    ck_assert_int_ge(asprintf(&x, "%s/agencies/%s.csv", dir, name), 0);
    ck_assert_int_ge(asprintf(&mapping, "%s/agencies/%s.mapping.ini", dir, name), 0);
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s/agencies' '%s/inbox'", dir, dir), NULL, NULL), 0);
    ck_assert_int_ge(asprintf(&all, "%s%s", header, body ? body : ""), 0);
    tu_write_str(raw, all);
    free(all);
    /* the export's columns are the canonical names; the mapping names those it has */
    char *cols = strdup("[columns]\n");
    for (const char *c = header; *c && *c != '\n';) {
        size_t n = strcspn(c, ",\n");
        char *more = NULL;
        ck_assert_int_ge(asprintf(&more, "%s%.*s = %.*s\n", cols, (int)n, c, (int)n, c), 0);
        free(cols);
        cols = more;
        c += n + (c[n] == ',');
    }
    tu_write_str(mapping, cols);
    free(cols);
    char *err = NULL;
    int rc = tu_run(tu_fmt("'%s' pseudonymise -q --key '%s' --source %s --mapping '%s' --extract-date %s -o '%s' '%s'",
                           tu_bin("tznr"), key, source, mapping, date, x, raw),
                    NULL, &err);
    ck_assert_msg(rc == 0, "pseudonymise %s: exit %d: %s", source, rc, err ? err : "");
    free(err);
    rc = tu_run(tu_fmt("cp '%s' '%s.manifest' '%s/inbox/'", x, x, dir), NULL, NULL);
    ck_assert_msg(rc == 0, "cannot deposit %s in %s/inbox", x, dir);
    free(raw);
    free(x);
    free(mapping);
}

char *tu_deposit_token(const char *dir, const char *source, const char *local_ref)
{
    const char *path = tu_fmt("%s/agencies/%s.csv.tokens", dir, source_file_name(source));
    char *map = tu_read(path, NULL);
    ck_assert_msg(map != NULL, "no token map for %s (%s)", source, path);
    /* lines local_ref,token: the line that starts with LOCAL_REF and a comma */
    size_t n = strlen(local_ref);
    char *tok = NULL;
    for (const char *l = map; *l && !tok; l += strcspn(l, "\n"), l += *l == '\n')
        if (strncmp(l, local_ref, n) == 0 && l[n] == ',')
            tok = strndup(l + n + 1, strcspn(l + n + 1, "\r\n"));
    free(map);
    ck_assert_msg(tok != NULL, "%s has no record %s", source, local_ref);
    ck_assert_msg(strlen(tok) == 64, "%s: token of %s is '%s'", source, local_ref, tok);
    return tok;
}

const char *tu_conf_params(const char *dir, const char *conninfo, const char *extra)
{
    char params[PATH_MAX];
    ck_assert_msg(realpath("config/parameters.csv", params) != NULL,
                  "config/parameters.csv not found (the tests run from the repository root)");
    char *run = NULL;
    ck_assert_int_ge(asprintf(&run, "[run]\nparameters = %s\n%s", params, extra ? extra : ""), 0);
    const char *path = tu_conf(dir, conninfo, run);
    free(run);
    return path;
}

static pid_t main_pid;

static void cleanup(void)
{
    if (getpid() != main_pid)
        return; /* a forked test exiting */
    if (tmproot[0] && !getenv("TZNR_KEEP_TMP")) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmproot);
    }
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmproot, sizeof tmproot, "%s/tznr-check-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmproot)) {
        perror("mkdtemp");
        return 1;
    }
    main_pid = getpid();
    atexit(cleanup);
    tu_fixture(""); /* the fixtures' absolute path, while the directory is the repository's top */
    SRunner *sr = srunner_create(suite_norm());
    srunner_add_suite(sr, suite_pseudo());
    srunner_add_suite(sr, suite_csvio());
    srunner_add_suite(sr, suite_manifest());
    srunner_add_suite(sr, suite_csv_spectrum());
    srunner_add_suite(sr, suite_fixtures());
    srunner_add_suite(sr, suite_hex());
    srunner_add_suite(sr, suite_strtab());
    srunner_add_suite(sr, suite_mapping());
    srunner_add_suite(sr, suite_link());
    srunner_add_suite(sr, suite_assign());
    srunner_add_suite(sr, suite_fs());
    srunner_add_suite(sr, suite_opt());
    srunner_add_suite(sr, suite_pseudonymise());
    srunner_add_suite(sr, suite_synth());
    srunner_add_suite(sr, suite_platform());
    srunner_add_suite(sr, suite_rules());
    srunner_add_suite(sr, suite_reidentify());
    srunner_add_suite(sr, suite_run());
    srunner_add_suite(sr, suite_report());
    srunner_add_suite(sr, suite_export());
    srunner_add_suite(sr, suite_registers());
    srunner_add_suite(sr, suite_parameters());
    srunner_add_suite(sr, suite_openfisca());
    srunner_add_suite(sr, suite_security());
    srunner_add_suite(sr, suite_faults());
    srunner_add_suite(sr, suite_evaluation());
    srunner_add_suite(sr, suite_check());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
