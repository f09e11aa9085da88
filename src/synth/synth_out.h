/* synth_out: a CSV file written row by row through a large stdio buffer, in UTF-8 or a
 * single-byte character set (Windows-1252, ISO-8859-1, ISO-8859-15), with the separator and
 * line end of the agency that "exports" it. */
#ifndef SYNTH_OUT_H
#define SYNTH_OUT_H

#include <stdint.h>
#include <stdio.h>

#define SYNTH_OUT_LINE 8192

/* character sets of the exports */
enum { SYNTH_UTF8, SYNTH_CP1252, SYNTH_LATIN1, SYNTH_LATIN9 };

typedef struct {
    FILE *f;
    char *path;
    char *vbuf;
    int charset;           /* SYNTH_UTF8, or the single-byte set each row is converted to */
    char sep;
    const char *eol;
    size_t len;            /* bytes of the row being built */
    int fields;            /* fields in the row being built */
    uint64_t rows;         /* lines written, header included */
    uint64_t unmapped;     /* code points the character set could not hold ('?') */
    int overflow;          /* a row did not fit (never expected) */
    char line[SYNTH_OUT_LINE];
    char conv[SYNTH_OUT_LINE];
} synth_out;

/* Create dir/name for writing. Returns 0, or -1 with errno set. */
int synth_out_open(synth_out *o, const char *dir, const char *name, int charset, char sep,
                   const char *eol, int bom);

/* Append one field (quoted as RFC 4180 when it holds the separator, a quote or a line end). */
void synth_out_field(synth_out *o, const char *s);

/* Append a row of fields given as one string already separated by o->sep (a header). */
void synth_out_raw(synth_out *o, const char *s);

/* End the row and hand it to stdio. */
void synth_out_end(synth_out *o);

/* Flush and close. Returns 0, or -1 with errno set (the path is in o->path). */
int synth_out_close(synth_out *o);

/* Release without reporting (error paths). */
void synth_out_abort(synth_out *o);

#endif
