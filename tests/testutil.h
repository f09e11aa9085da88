/* testutil: helpers shared by the Check suites (paths, temp dirs, files, running the binary). */
#ifndef TZNR_TESTUTIL_H
#define TZNR_TESTUTIL_H

#include <check.h>
#include <stdarg.h>
#include <stddef.h>

/* Absolute path of REL under the repository's tests/fixtures (the contract's vectors are
 * extract-v1/, the FEBRL data sets febrl/): static buffer per call slot, copy it if kept. */
const char *tu_fixture(const char *rel);
/* The build folder holding tznr and tznr-synth: $O, else "build". Absolute. */
const char *tu_bin(const char *name);
/* A new empty temporary directory (removed at exit by the runner's clean-up). */
const char *tu_tmpdir(void);
/* Read a whole file into a malloc'd NUL-terminated buffer; *LEN if not NULL. NULL on error. */
char *tu_read(const char *path, size_t *len);
/* Write LEN bytes to PATH (mode 0644). Aborts the test on failure. */
void tu_write(const char *path, const void *data, size_t len);
/* Write a NUL-terminated string to PATH. */
void tu_write_str(const char *path, const char *s);
/* Copy the contract's test.key (tests/fixtures/extract-v1) to DIR/test.key with mode 0600; return its path (static). */
const char *tu_test_key(const char *dir);
/* What became of a process crashed midway by tu_crash_midway. */
typedef struct tu_crash {
    int core_limit_zero; /* while it ran, /proc/PID/limits gave its core file size as 0 (soft and hard) */
    int not_dumpable;    /* while it ran, it was not dumpable (PR_SET_DUMPABLE 0): 1, or 0, or -1 when
                          * this could not be told (it ran as root) */
    int raised;          /* the test could raise that limit again from outside (prlimit, as root) */
    int dumped;          /* the kernel wrote a core (WCOREDUMP, or a core file appeared in the folder) */
    int control_dumped;  /* the same for a plain `sleep` crashed the same way: this machine makes cores */
    int needle_found;    /* NEEDLE was in its writable memory midway: 1, 0, or -1 when that memory could
                          * not be read (no NEEDLE, or not allowed: reading it takes CAP_SYS_PTRACE) */
} tu_crash;
/* Run the build's ARGV[0] with ARGV (NULL-terminated) in DIR with its core limit raised as far
 * as allowed (as user nobody when the tests run as root: DIR and its files are given to it), reading the named pipe FIFO (made here) that is fed FEED and then left open, so the
 * program waits midway with its secrets in memory. Once it has read all of FEED (and READY, when
 * not NULL, exists), note its core limit, whether it is dumpable and whether NEEDLE (when not
 * NULL) is in its memory, raise the limit again from outside, crash it with
 * SIGSEGV and see whether a core was written; then the same with `sleep` as a control. */
void tu_crash_midway(const char *dir, const char *fifo, const char *feed, const char *ready, const char *needle,
                     char *const argv[], tu_crash *r);
/* Run a shell command line; return its exit status (0-255), or -1 if it was killed.
 * Its stdout and stderr go to OUT and ERR files in the temp dir when those are not NULL. */
int tu_run(const char *cmdline, char **out, char **err);
/* The test server's administrator (its superuser, $TZNR_TEST_ADMIN): psql's role in the tests.
 * tznr itself connects as the batch role (tests/run-all sets PGUSER=tznr_batch). */
const char *tu_admin(void);
/* A new empty database on the test server (tests/run-all starts one and exports PGHOST...),
 * with the schema migrated when MIGRATE; return its libpq conninfo ("dbname=..."). */
const char *tu_db(int migrate);
/* Write a platform configuration for the database CONNINFO in DIR (key_id vectors-1, paths
 * under DIR, EXTRA appended verbatim); return its path. */
const char *tu_conf(const char *dir, const char *conninfo, const char *extra);
/* tu_conf for a night's run: [run] parameters = the repository's config/parameters.csv (an
 * absolute path), then EXTRA. */
const char *tu_conf_params(const char *dir, const char *conninfo, const char *extra);

/* Run `ENV BIN ARGS` (BIN a program of the build folder, ENV NULL or shell assignments, ARGS
 * formatted, shell syntax); the exit status, output and messages as tu_run gives them. */
int tu_vrun_bin(const char *env, const char *bin, char **out, char **err, const char *fmt, va_list ap);
/* tu_vrun_bin of the build's tznr, with the arguments formatted from FMT. */
int tu_tznr(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run the SQL formatted from FMT with psql on database DB (through a file, so no shell quoting
 * applies); its output without the final newlines in *OUT; psql's exit status. */
int tu_vpsql(const char *db, char **out, char **err, const char *fmt, va_list ap);
/* The output of SQL that must succeed (malloc'd), or the whole number it returns. */
char *tu_vsqlv(const char *db, const char *fmt, va_list ap);
long long tu_vsqln(const char *db, const char *fmt, va_list ap);
long long tu_sqln(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The 15-character NIR of the 13 characters NIR13: they, then the key 97 - (N mod 97) on two
 * digits (static rotating buffer, as tu_fmt). */
const char *tu_nir15(const char *nir13);
/* An agency's night deposit, as the agency makes it: it writes its raw export in the canonical
 * format (HEADER, a line of canonical column names, then BODY) and a mapping naming each of
 * those columns as itself under DIR/agencies/, pseudonymises it with `tznr pseudonymise` as
 * SOURCE (kind:name) with the key file KEY, extract dated DATE, and copies the extract and its
 * manifest into DIR/inbox. Its files are named after SOURCE, ':' written '_'
 * (DIR/agencies/caf_gironde.csv, .csv.tokens...). Aborts the test on any failure. */
void tu_deposit_canonical(const char *dir, const char *key, const char *source, const char *date,
                          const char *header, const char *body);
/* The token (64 hex digits, malloc'd) of record LOCAL_REF in the token map that SOURCE's
 * tu_deposit_canonical kept under DIR. Aborts the test if there is none. */
char *tu_deposit_token(const char *dir, const char *source, const char *local_ref);

/* A suite's test cases, one TCase each under its own name, with TIMEOUT seconds and, when
 * TEARDOWN is not NULL, that function run after each case (an unchecked fixture). */
struct tu_case {
    const char *name;
    const TTest *test;
};
void tu_add_cases(Suite *s, const struct tu_case *cases, size_t n, int timeout, void (*teardown)(void));

/* UNDER_ASAN: 1 in a build under AddressSanitizer (GCC says so with __SANITIZE_ADDRESS__,
 * clang with __has_feature), else 0. It reports a huge allocation itself instead of
 * returning NULL, and keeps freed memory in quarantine (peak RSS says nothing there). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* printf into a static rotating buffer (8 slots of 4 KiB). */
const char *tu_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
