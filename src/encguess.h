/* encguess: notice, cheaply, the lines of an export declared in an 8-bit encoding (ISO-8859-1
 * or Windows-1252) whose bytes say otherwise: bytes 0x80-0x9F, control codes in ISO-8859-1 that
 * mean Windows-1252's "Œ", "œ", "’" or "€"; and valid UTF-8 sequences ("Ã©" read for "é"), an
 * export in UTF-8. Read as declared, either gives names that no longer match other agencies'. */
#ifndef TZNR_ENCGUESS_H
#define TZNR_ENCGUESS_H

#include <stddef.h>

/* How many lines of each kind are noted (the first ones). */
#define ENCGUESS_LINES 5

enum encguess_kind {
    EG_C1,       /* a byte 0x80-0x9F outside a UTF-8 sequence, in ISO-8859-1 */
    EG_UTF8,     /* a valid UTF-8 sequence of two bytes or more */
    EG_EIGHTBIT, /* a byte 0x80-0xFF outside a UTF-8 sequence (what the declared encoding is for) */
    EG_COUNT
};

typedef struct encguess {
    int charset;                            /* 0: nothing to check (UTF-8, another encoding) */
    unsigned long long lines[EG_COUNT];     /* lines with at least one of each kind */
    long at[EG_COUNT][ENCGUESS_LINES];      /* the first of them */
    char sample[32];                        /* the first UTF-8 sequence seen, as it reads decoded */
} encguess;

/* Start checking an export declared in ENCODING (an iconv name, or NULL for UTF-8). */
void encguess_init(encguess *g, const char *encoding);

/* Look at the record starting on LINE, TEXT (LEN bytes) as decoded into UTF-8 from the
 * declared encoding. A record without a byte over 0x7F costs a pass of word-wide tests. */
void encguess_record(encguess *g, const char *text, size_t len, long line);

/* What the export's lines say: 0 when they agree with the declared encoding; else a reason in
 * MSG (naming the lines and the encoding to declare) and 1 when the export must be refused (it
 * is certainly in another encoding, which the mapping can declare), 2 when a warning is what
 * can be done (some lines are in UTF-8 among others that are not: to be corrected at source). */
int encguess_verdict(const encguess *g, char *msg, size_t cap);

#endif
