/* fr: see fr.h. */
#include "fr.h"

#include <stdio.h>
#include <string.h>

#define NNBSP "\xE2\x80\xAF" /* U+202F */

/* DIGITS (N of them, no sign) grouped by three at OUT; returns the end. */
static char *grouped(char *out, const char *digits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            memcpy(out, NNBSP, 3);
            out += 3;
        }
        *out++ = digits[i];
    }
    return out;
}

const char *fr_int(char buf[FR_BUF], long long n)
{
    char d[32];
    snprintf(d, sizeof d, "%lld", n);
    char *o = buf;
    const char *p = d;
    if (*p == '-')
        *o++ = *p++;
    *grouped(o, p, strlen(p)) = '\0';
    return buf;
}

const char *fr_dec(char buf[FR_BUF], double x, int prec)
{
    char d[40];
    snprintf(d, sizeof d, "%.*f", prec, x);
    char *o = buf;
    const char *p = d;
    if (*p == '-') {
        p++;
        if (strspn(p, "0.") != strlen(p)) /* "-0,0" is "0,0" */
            *o++ = '-';
    }
    const char *dot = strchr(p, '.');
    o = grouped(o, p, dot ? (size_t)(dot - p) : strlen(p));
    if (dot) {
        *o++ = ',';
        size_t k = strlen(dot + 1);
        memcpy(o, dot + 1, k);
        o += k;
    }
    *o = '\0';
    return buf;
}
