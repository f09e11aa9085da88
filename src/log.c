#include "log.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *prog = "tznr";
static int quiet;

#define MAX_CLEANUPS 16
static struct {
    void (*fn)(void *);
    void *arg;
} cleanups[MAX_CLEANUPS];
static int ncleanups;

void log_set_prog(const char *p) { prog = p; }
const char *log_prog(void) { return prog; }
void log_set_quiet(int q) { quiet = q; }

static int progress_tty = -1; /* stderr is a terminal: not known yet (-1), no, yes */
static int progress_shown;    /* a progress line is on the terminal */
static double progress_last;  /* the elapsed time it was written at */

static int progress_on = -1; /* log_set_progress: -1 follow quiet, 0 never, 1 always (on a terminal) */
void log_set_progress(int on) { progress_on = on; }
int log_progress_setting(void) { return progress_on; }

/* Whether a progress or phase line may be shown now. */
static int progress_allowed(void)
{
    if (progress_tty < 0)
        progress_tty = isatty(STDERR_FILENO);
    return progress_tty && (progress_on < 0 ? !quiet : progress_on);
}

/* Seconds before the first progress line and between two: 0.25, or TZNR_PROGRESS_EVERY (the
 * tests set 0, so that a load of a few thousand rows shows its progress however fast the
 * machine reads it). */
static double progress_every(void)
{
    static double every = -1;
    if (every < 0) {
        const char *e = getenv("TZNR_PROGRESS_EVERY");
        char *end;
        double v = e ? strtod(e, &end) : 0.25;
        every = e && end != e && *end == '\0' && v >= 0 ? v : 0.25;
    }
    return every;
}

void log_progress(const char *what, unsigned long long rows, double elapsed)
{
    if (!progress_allowed()) /* first: the night's two loads, progress off, read nothing else */
        return;
    double every = progress_every();
    if (elapsed <= 0 || (progress_shown && elapsed - progress_last < every) || (!progress_shown && elapsed < every))
        return;
    fprintf(stderr, "\r%s: %s: %llu rows, %.0f rows/s\033[K", prog, what, rows, (double)rows / elapsed);
    fflush(stderr);
    progress_shown = 1;
    progress_last = elapsed;
}

void log_phase(const char *fmt, ...)
{
    if (!progress_allowed())
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\r%s: ", prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\033[K", stderr);
    fflush(stderr);
    progress_shown = 1;
    progress_last = 0;
}

void log_progress_end(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress_shown = 0;
    }
}

static int french;
void log_set_french(int f) { french = f; }

#define REDACTED "[redacted]"

static const char *const secret_words[] = {"password", "passwd", "passphrase", "pwd", "secret"};

/* The length of a secret keyword at S (any case), with the letters, digits and '_' that follow
 * it ("password2", "secret_key"), or 0. */
static size_t secret_word_at(const char *s)
{
    for (size_t k = 0; k < sizeof secret_words / sizeof secret_words[0]; k++) {
        size_t n = strlen(secret_words[k]);
        if (strncasecmp(s, secret_words[k], n) == 0) {
            while (isalnum((unsigned char)s[n]) || s[n] == '_')
                n++;
            return n;
        }
    }
    return 0;
}

/* After a keyword at S: the offset of its value (past an optional closing quote, then '=' or
 * ':' between blanks), or 0 when no value follows. */
static size_t value_after(const char *s)
{
    size_t i = 0;
    if (s[i] == '"' || s[i] == '\'')
        i++;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (s[i] != '=' && s[i] != ':')
        return 0;
    i++;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return s[i] && s[i] != '\n' ? i : 0;
}

/* The value at S: a quoted string ('...', "..." or, inside JSON, \"...\"; backslashes escape),
 * whose quotes are kept (*Q their length each side), or a word, which stops before a blank, a
 * quote, a backslash or , ; & ) so that redacting it keeps JSON and shell quoting whole. Return
 * the length of the value with its quotes. */
static size_t value_len(const char *s, size_t *q)
{
    size_t i;
    *q = 0;
    if (s[0] == '\'' || s[0] == '"' || (s[0] == '\\' && (s[1] == '"' || s[1] == '\''))) {
        *q = s[0] == '\\' ? 2 : 1;
        char quote = s[*q - 1];
        for (i = *q; s[i]; i++) {
            if (*q == 2 && s[i] == '\\' && s[i + 1] == quote)
                return i + 2;
            if (*q == 1 && s[i] == quote)
                return i + 1;
            if (s[i] == '\\' && s[i + 1])
                i++;
        }
        *q = 0; /* no closing quote: the rest, with the opening quote */
        return i;
    }
    for (i = 0; s[i] && !isspace((unsigned char)s[i]) && !strchr("'\"\\,;&)", s[i]); i++)
        ;
    return i;
}

/* At "://" in S: the offset and length of the password in the URI's user part, or 0. */
static size_t uri_password(const char *s, size_t *len)
{
    size_t i = 3, colon = 0;
    for (; s[i] && s[i] != '@'; i++) {
        if (s[i] == '/' || s[i] == '?' || s[i] == '#' || isspace((unsigned char)s[i]))
            return 0;
        if (s[i] == ':' && !colon)
            colon = i;
    }
    if (s[i] != '@' || !colon)
        return 0;
    *len = i - colon - 1;
    return colon + 1;
}

char *log_redact(const char *in)
{
    size_t n = strlen(in);
    /* each redaction replaces at least 5 bytes ("pwd=x", "://:x@") by at most 14 */
    char *out = malloc(3 * n + sizeof REDACTED);
    if (!out) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        _exit(TZNR_EXIT_FAIL);
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t w = secret_word_at(in + i), v, len = 0, q;
        if (w && (v = value_after(in + i + w)) != 0 && (len = value_len(in + i + w + v, &q)) > 2 * q) {
            memcpy(out + o, in + i, w + v + q);
            o += w + v + q;
            memcpy(out + o, REDACTED, sizeof REDACTED - 1);
            o += sizeof REDACTED - 1;
            memcpy(out + o, in + i + w + v + len - q, q);
            o += q;
            i += w + v + len;
            continue;
        }
        if (w) {
            memcpy(out + o, in + i, w);
            o += w;
            i += w;
            continue;
        }
        if (strncmp(in + i, "://", 3) == 0 && (v = uri_password(in + i, &len)) != 0 && len > 0) {
            memcpy(out + o, in + i, v);
            o += v;
            i += v + len;
            memcpy(out + o, REDACTED, sizeof REDACTED - 1);
            o += sizeof REDACTED - 1;
            continue;
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
    return out;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) {
        fputs("tznr: error: out of memory\n", stderr);
        _exit(TZNR_EXIT_FAIL);
    }
    /* a message may quote a command line's word, a file name or a server's error: no secret in it */
    char *safe = log_redact(msg);
    log_progress_end();
    if (kind)
        fprintf(stderr, "%s: %s%s %s\n", prog, kind, french ? " :" : ":", safe);
    else
        fprintf(stderr, "%s: %s\n", prog, safe);
    free(safe);
    free(msg);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(french ? "erreur" : "error", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(french ? "attention" : "warning", fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    va_start(ap, fmt);
    vmsg(NULL, fmt, ap);
    va_end(ap);
}

int log_on_die(void (*fn)(void *), void *arg)
{
    if (ncleanups == MAX_CLEANUPS)
        return -1;
    cleanups[ncleanups].fn = fn;
    cleanups[ncleanups].arg = arg;
    ncleanups++;
    return 0;
}

void log_forget(void (*fn)(void *), void *arg)
{
    for (int i = ncleanups - 1; i >= 0; i--) {
        if (cleanups[i].fn == fn && cleanups[i].arg == arg) {
            memmove(&cleanups[i], &cleanups[i + 1], (size_t)(ncleanups - i - 1) * sizeof cleanups[0]);
            ncleanups--;
            return;
        }
    }
}

/* After the clean-ups (rollback, PQfinish, temporary files removed), flush stdio and end
 * with _exit: a dying process's memory is the kernel's to reclaim, and skipping the exit
 * handlers keeps LeakSanitizer from reporting what an error path, by design, never freed. */
static _Noreturn void run_cleanups_and_exit(int code)
{
    /* one thread runs the clean-ups (tznr run's loads run side by side); a second that dies
     * meanwhile waits here for the process to end; a clean-up that dies itself ends it now */
    static pthread_mutex_t dying = PTHREAD_MUTEX_INITIALIZER;
    static _Thread_local int cleaning;
    if (cleaning) {
        fflush(NULL);
        _exit(code);
    }
    cleaning = 1;
    pthread_mutex_lock(&dying);
    while (ncleanups > 0) {
        ncleanups--;
        cleanups[ncleanups].fn(cleanups[ncleanups].arg);
    }
    fflush(NULL);
    _exit(code);
}

void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(french ? "erreur" : "error", fmt, ap);
    va_end(ap);
    run_cleanups_and_exit(code);
}

void die_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    if (fmt) {
        va_start(ap, fmt);
        vmsg("error", fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "Try 'tznr %s%s--help' for more information.\n", verb ? verb : "", verb ? " " : "");
    run_cleanups_and_exit(TZNR_EXIT_USAGE);
}

void log_close_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        if (errno == EPIPE)
            exit(TZNR_EXIT_FAIL);
        die(TZNR_EXIT_FAIL, "could not write to standard output: %s", strerror(errno));
    }
}
