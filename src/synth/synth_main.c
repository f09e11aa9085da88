/* tznr-synth: a seeded, deterministic synthetic territory (Gironde) with the raw exports of
 * the CAF, the MSA, the département, the CPAM, the CARSAT, the CCAS of Bordeaux and social
 * landlords, and the ground truth to score a matching and detection run against. See
 * docs/synth.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synth_emit.h"
#include "synth_house.h"

#define PROG "tznr-synth"

static const char usage_text[] =
    "usage: " PROG " [--households N] [--seed S] [--date YYYY-MM-DD] [--landlords K] -o DIR\n"
    "\n"
    "Generate a synthetic territory and the raw exports of its agencies into DIR.\n"
    "\n"
    "  --households N    households to generate, 1 to 5000000 (default 2000)\n"
    "  --seed S          seed, 0 to 18446744073709551615 (default 1)\n"
    "  --date D          reference date YYYY-MM-DD, from 2025-04-01 (default 2026-11-01)\n"
    "  --landlords K     social landlords, 1 to 20 (default 2)\n"
    "  -o, --output DIR  output directory (created if missing)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Same seed and options give byte-identical files on any machine.\n"
    "Exit status: 0 done, 1 failure, 2 usage error.\n";

/* print "tznr-synth: <message>" and the hint to stderr; returns the usage exit status */
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '" PROG " --help' for more information.\n", stderr);
    return 2;
}

/* decimal digits only, within [lo, hi] */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_date(const char *s, synth_date *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    d->y = atoi(s);
    d->m = atoi(s + 5);
    d->d = atoi(s + 8);
    return synth_date_valid(d->y, d->m, d->d) ? 0 : -1;
}

static int make_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (errno == EEXIST)
        errno = ENOTDIR;
    return -1;
}

int main(int argc, char **argv)
{
    uint64_t households = 2000, seed = 1, landlords = 2;
    synth_date date = {2026, 11, 1};
    const char *dir = NULL;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
        }
        static const char *const longs[] = {"--households", "--seed", "--date", "--landlords",
                                            "--output"};
        int which = -1;
        const char *val = NULL;
        for (int k = 0; k < 5; k++) {
            size_t n = strlen(longs[k]);
            if (strncmp(arg, longs[k], n) == 0 && (arg[n] == 0 || arg[n] == '=')) {
                which = k;
                val = arg[n] == '=' ? arg + n + 1 : NULL;
            }
        }
        if (which < 0 && strncmp(arg, "-o", 2) == 0) {
            which = 4;
            val = arg[2] ? arg + 2 : NULL;
        }
        if (which < 0)
            return usage_error("unknown option '%s'", arg);
        if (!val) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", arg);
            val = argv[++i];
        }
        switch (which) {
        case 0:
            if (parse_u64(val, 1, SYNTH_MAX_HOUSEHOLDS, &households) != 0)
                return usage_error("invalid number of households '%s': expected an integer "
                                   "from 1 to 5000000", val);
            break;
        case 1:
            if (parse_u64(val, 0, UINT64_MAX, &seed) != 0)
                return usage_error("invalid seed '%s': expected an integer from 0 to "
                                   "18446744073709551615", val);
            break;
        case 2:
            if (parse_date(val, &date) != 0 || date.y > 2099)
                return usage_error("invalid date '%s': expected a date YYYY-MM-DD up to "
                                   "2099-12-31", val);
            break;
        case 3:
            if (parse_u64(val, 1, SYNTH_MAX_LANDLORDS, &landlords) != 0)
                return usage_error("invalid number of landlords '%s': expected an integer "
                                   "from 1 to 20", val);
            break;
        default:
            if (!*val)
                return usage_error("empty output directory");
            dir = val;
            break;
        }
    }
    if (!dir)
        return usage_error("no output directory given (-o DIR)");

    synth_ctx ctx;
    int rc = synth_ctx_init(&ctx, seed, date, (int)landlords);
    if (rc == SYNTH_CTX_ENOMEM) {
        fprintf(stderr, PROG ": could not allocate memory\n");
        return 1;
    }
    if (rc != 0) {
        char d[16];
        snprintf(d, sizeof d, "%04d-%02d-%02d", date.y, date.m, date.d);
        return usage_error("invalid date '%s': no benefit parameters known before "
                           "2025-04-01", d);
    }
    if (make_dir(dir) != 0) {
        fprintf(stderr, PROG ": could not create directory '%s': %s\n", dir, strerror(errno));
        synth_ctx_free(&ctx);
        return 1;
    }

    static synth_emit e;
    static synth_household h;
    const char *failed = NULL;
    if (synth_emit_open(&e, &ctx, dir, &failed) != 0) {
        fprintf(stderr, PROG ": could not open '%s': %s\n", failed, strerror(errno));
        synth_ctx_free(&ctx);
        return 1;
    }
    for (uint64_t i = 0; i < households; i++) {
        synth_house_generate(&ctx, i, &h);
        synth_emit_household(&e, &h);
    }
    rc = synth_emit_close(&e, dir, &failed);
    if (rc != 0)
        fprintf(stderr, PROG ": could not write '%s': %s\n", failed, strerror(errno));
    synth_ctx_free(&ctx);
    return rc == 0 ? 0 : 1;
}
