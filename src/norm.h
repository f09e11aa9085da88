/* norm: the normalisation rules of extract-v1 section 2 (folding, NIR, dates, commune). */
#ifndef TZNR_NORM_H
#define TZNR_NORM_H

#include <stddef.h>

#include "sbuf.h"

enum norm_mode {
    NORM_FOLD,     /* fold(s): A-Z words separated by single spaces */
    NORM_COMPACT,  /* compact(s): fold without spaces */
    NORM_ADDRESS   /* address form: compact keeping the digits 0-9 */
};

/* Append the normal form of S (LEN bytes of UTF-8) to OUT (which is reset first).
 * Return 0, or -1 when S is not valid UTF-8 (OUT is then left empty). */
int norm_fold(const char *s, size_t len, enum norm_mode mode, sbuf *out);

/* First name: compact of the text before the first comma. Same return as norm_fold. */
int norm_prenom(const char *s, size_t len, sbuf *out);

/* Return 1 when S is valid UTF-8, else 0. */
int norm_utf8_valid(const char *s, size_t len);

/* NIR: strip spaces, '.', '-' (and no other character: a tab makes it invalid), upper-case, check shape and key. On success write the 13
 * hashed characters and a NUL into OUT and return 1; an empty NIR returns 0; an invalid one -1.
 * When SEX is not NULL it receives 1 or 2 from the first digit (0 when it tells nothing). */
int norm_nir(const char *s, size_t len, char out[14], int *sex);

enum norm_date_format {
    DATE_ISO,      /* YYYY-MM-DD */
    DATE_DMY,      /* DD/MM/YYYY */
    DATE_COMPACT,  /* YYYYMMDD */
    DATE_DMY_DASH, /* DD-MM-YYYY */
    DATE_DMY_DOT   /* DD.MM.YYYY */
};

/* Parse the name of a date format ("DD/MM/YYYY"); return 0 or -1. */
int norm_date_format_parse(const char *name, enum norm_date_format *fmt);

/* Date of birth: a valid Gregorian date, 1880 <= year <= 2100, in format FMT (surrounding
 * spaces allowed; day and month may have one digit in the D/M forms). Writes YYYYMMDD and a NUL.
 * Return 1 valid, 0 empty, -1 invalid. */
int norm_date(const char *s, size_t len, enum norm_date_format fmt, char out[9]);

/* Commune: trimmed and upper-cased, [0-9A-Z]{1,5}. Writes it and a NUL into OUT (6 bytes).
 * Return 1 valid, 0 empty, -1 invalid. */
int norm_commune(const char *s, size_t len, char out[6]);

/* Decimal amount: digits with an optional fraction after DECIMAL ('.' or ','); spaces and
 * no-break spaces are dropped as thousands separators; a leading '-' is refused. Writes the
 * value with '.' as decimal point into OUT. Return 1 valid, 0 empty, -1 invalid. */
int norm_amount(const char *s, size_t len, char decimal, sbuf *out);

/* Non-negative integer below 1000. Return 1 valid, 0 empty, -1 invalid; the value in *V. */
int norm_count(const char *s, size_t len, int *v);

/* Trim ASCII spaces and tabs: adjust *S and *LEN. */
void norm_trim(const char **s, size_t *len);

#endif
