/* fr: figures written the French way, for what French users read (the night's summary, the
 * report, the teams' messages): thousands grouped by a narrow no-break space (U+202F), a
 * decimal comma, the plural mark. */
#ifndef TZNR_FR_H
#define TZNR_FR_H

#define FR_BUF 64 /* room for any of them */

/* N as "12 345", into BUF; returns BUF. */
const char *fr_int(char buf[FR_BUF], long long n);
/* X with PREC decimals as "1 234,56" (never "-0,0"), into BUF; returns BUF. */
const char *fr_dec(char buf[FR_BUF], double x, int prec);
/* The French plural mark for N things: none for 0 and 1. */
static inline const char *fr_pl(long long n) { return n > 1 ? "s" : ""; }

#endif
