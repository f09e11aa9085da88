#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
void log_set_quiet(int q) { quiet = q; }

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    if (kind)
        fprintf(stderr, "%s: %s: ", prog, kind);
    else
        fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning", fmt, ap);
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
    vmsg("error", fmt, ap);
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
