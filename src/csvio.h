/* csvio: streaming CSV reading over libcsv (strict mode, line numbers, recovery after a bad
 * record, encodings through iconv) and minimal-quoting CSV writing with a running SHA-256. */
#ifndef TZNR_CSVIO_H
#define TZNR_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "sbuf.h"

typedef struct csvio_reader csvio_reader;

/* One record as handed out by csvio_next; valid until the next call. */
typedef struct csvio_record {
    size_t nfields;
    const char **field;   /* NUL-terminated field values (UTF-8 after decoding) */
    const size_t *len;    /* their lengths */
    long line;            /* physical line where the record starts (1-based) */
    const char *error;    /* NULL, or why the record cannot be used (it is still returned) */
    const char *raw;      /* the record's text as read (after decoding), for reject files */
    size_t raw_len;
} csvio_record;

typedef struct csvio_options {
    char sep;             /* field separator */
    const char *encoding; /* NULL or "UTF-8" for no conversion; else an iconv name */
    size_t max_field;     /* a longer field makes the record bad (0: 64 KiB) */
    size_t max_record;    /* a record longer than this refuses the file (0: 64 MiB) */
} csvio_options;

/* Open PATH ("-" for standard input). NULL with a reason in ERR on failure. */
csvio_reader *csvio_open(const char *path, const csvio_options *opt, char *err, size_t errlen);

/* Read from an open stream F (not closed by csvio_close); NAME is used in messages. */
csvio_reader *csvio_open_stream(FILE *f, const char *name, const csvio_options *opt, char *err,
                                size_t errlen);

/* Open PATH (or read F, named PATH in messages, when F is not NULL) and read its first record
 * into HEADER, or die: exit 1 when the file cannot be opened or read, 3 when it holds no record
 * ("refusing WHAT'PATH': the file is empty", WHAT "" or a kind and a space: "token map "). */
csvio_reader *csvio_open_header(FILE *f, const char *path, const csvio_options *opt, const char *what,
                                csvio_record *header);

/* Next record: 1 and *REC filled (check rec->error), 0 at end of file, -1 on a fatal error
 * (I/O, a record over max_record) with the reason in csvio_error(). */
int csvio_next(csvio_reader *r, csvio_record *rec);

/* Feed every byte read from now on, as read, to MD (an OpenSSL EVP_MD_CTX initialised by the
 * caller): the file's digest comes with the one pass that parses it. */
void csvio_set_digest(csvio_reader *r, void *md);

/* The fatal error of the last csvio_next, "FILE:LINE: reason". */
const char *csvio_error(const csvio_reader *r);
/* Bytes read so far from the file. */
unsigned long long csvio_bytes(const csvio_reader *r);
void csvio_close(csvio_reader *r);

/* Append FIELD to OUT as a CSV field, quoted only when it holds SEP, a quote, CR or LF. */
void csvio_add_field(sbuf *out, const char *field, size_t len, char sep);
/* Append FIELD to OUT quoted, whatever it holds (quotes doubled). */
void csvio_add_quoted(sbuf *out, const char *field, size_t len);

/* A .rejects file (kept at the agency, or beside a refused feedback file): its header, then a
 * line a rejected row: the row's line number, the reason and the record as it was read. */
#define CSVIO_REJECTS_HEADER "line,reason,record\n"
/* Append the line of the row at LINE, rejected for WHY, whose text was RAW (RAW_LEN bytes, its
 * line end left out), with its LF. */
void csvio_add_reject(sbuf *out, long line, const char *why, const char *raw, size_t raw_len);

/* A buffered output file with a running SHA-256 of every byte written, created under a
 * temporary name and renamed into place by csvio_out_commit, so it is whole or absent. */
typedef struct csvio_out csvio_out;

/* Create PATH.tmp anew (mode MODE less the umask): whatever was at that name is removed first
 * (a symlink is not followed), and the file is created with O_EXCL | O_NOFOLLOW. NULL with a
 * reason in ERR. */
csvio_out *csvio_out_open(const char *path, int mode, char *err, size_t errlen);
/* Write N bytes. Return 0 or -1 (errno set). */
int csvio_out_write(csvio_out *o, const void *s, size_t n);
/* Flush, fsync, close and rename to the final name; the SHA-256 in HEX (65 bytes) if not NULL.
 * Return 0, or -1 with a reason in ERR (the temporary file is removed). */
int csvio_out_commit(csvio_out *o, char *hex, char *err, size_t errlen);
/* Remove the temporary file and free (after a failure). Safe on NULL. */
void csvio_out_abort(csvio_out *o);
/* Bytes written so far. */
unsigned long long csvio_out_bytes(const csvio_out *o);

#endif
