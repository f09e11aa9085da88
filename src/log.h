/* log: one place for messages, exit codes and clean-ups run on a fatal error. */
#ifndef TZNR_LOG_H
#define TZNR_LOG_H

/* Documented exit codes (docs/operations.md). */
enum {
    TZNR_EXIT_OK = 0,       /* done */
    TZNR_EXIT_FAIL = 1,     /* failure */
    TZNR_EXIT_USAGE = 2,    /* bad command line */
    TZNR_EXIT_REFUSED = 3,  /* an input was refused (nothing written from it) */
    TZNR_EXIT_LOCKED = 4,   /* another run holds the lock */
    TZNR_EXIT_PARTIAL = 5   /* done, but some inputs were refused */
};

/* Set the program/subcommand prefix of every message ("tznr load"). */
void log_set_prog(const char *prog);
/* That prefix ("tznr" before a command is chosen), for the few messages written without
 * log_* (out of memory). */
const char *log_prog(void);
/* Print "PROG: error: MSG" to stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROG: warning: MSG" to stderr. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROG: MSG" to stderr unless quiet. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet);
/* A long step's progress, for a person watching: "PROG: WHAT: N rows, R rows/s" rewritten in
 * place on stderr, at most four times a second (ELAPSED: seconds since the step began), only
 * when stderr is a terminal and not quiet; nothing in cron or a pipe. The next message, or
 * log_progress_end, clears the line. */
void log_progress(const char *what, unsigned long long rows, double elapsed);
void log_progress_end(void);
/* A long command's phase ("PROG: WHAT", e.g. "tznr link: linking 1,115,623 records"), on the
 * same line as the progress and under the same rules: a terminal only, not quiet. */
void log_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Show the progress and phases (on a terminal) even when the messages are quiet (ON = 1), or
 * never (0); by default they follow log_set_quiet. */
void log_set_progress(int on);
/* The setting log_set_progress made (-1 when none). */
int log_progress_setting(void);
/* With FRENCH set, log_error, log_warn and die say "erreur" and "attention" instead of "error"
 * and "warning": for the commands whose messages outreach teams read (feedback, reidentify).
 * Usage errors (die_usage) stay in English. */
void log_set_french(int french);
/* Register a clean-up that die() runs, newest first (rollback, PQfinish, unlink temp). */
int log_on_die(void (*fn)(void *), void *arg);
/* Forget a clean-up registered with log_on_die (the resource was released normally). */
void log_forget(void (*fn)(void *), void *arg);
/* Report an error, run the clean-ups and exit with CODE. */
__attribute__((noreturn)) void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "Try 'tznr VERB --help'..." and exit 2. */
__attribute__((noreturn)) void die_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy IN with every secret it may hold replaced by "[redacted]": the value after a keyword
 * holding password, passwd, passphrase, pwd or secret (any case, as in "password=x",
 * "sslpassword = 'a b'", "PGPASSWORD=x", "\"password\": \"x\""), and the password of a URI's user
 * ("postgresql://user:x@host"). Every message goes through it, and the audit log's command
 * line. Return a malloc'd string. */
char *log_redact(const char *in);
/* Flush and close stdout; die on a write error (ENOSPC, EPIPE). */
void log_close_stdout(void);

#endif
