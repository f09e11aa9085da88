/* feedback: outcomes sent back by the outreach teams (token;regle;statut;date). */
#ifndef TZNR_FEEDBACK_H
#define TZNR_FEEDBACK_H

#include <stddef.h>

#include <libpq-fe.h>

#include "csvio.h"

typedef struct feedback_result {
    long long rows, loaded, duplicates, rejected, oppositions, link_errors;
    long long empty; /* rows of a list sent back with an empty statut: not outcomes, not rejected */
    int list;        /* the file was a list sent back (feedback_layout) */
    char reason[512];   /* why the whole file was refused, when it was */
} feedback_result;

/* Load PATH in one transaction. Bad rows are written with their line and reason to
 * PATH.rejects and counted; a file that is not a feedback file (wrong header, not CSV) is
 * refused whole. Return 0, or -1 when refused (reason in RES). */
int feedback_load(PGconn *conn, const char *path, feedback_result *res);

/* The columns a feedback file is read from. A feedback file proper has exactly the 4 columns
 * token;regle;statut;date. An outreach list sent back (as written by tznr run, or by tznr
 * reidentify, then edited in a spreadsheet) has at least token, regle and statut, maybe date
 * and commentaire, and any other column (the agency's local_ref, contact columns, the list's
 * own) which is ignored; a row with an empty statut is not an outcome. */
enum { FB_TOKEN, FB_REGLE, FB_STATUT, FB_DATE, FB_NCOL };
#define FEEDBACK_NONE ((size_t)-1) /* a column the file does not have */
typedef struct feedback_layout {
    int list;            /* 1: a list sent back; 0: the 4-column feedback file */
    size_t col[FB_NCOL]; /* index of each column in the file, FEEDBACK_NONE when absent */
    /* the view of the current row handed to feedback_row_syntax (feedback_row_view) */
    const char *vfield[FB_NCOL];
    size_t vlen[FB_NCOL];
    char today[11];      /* YYYY-MM-DD: the date of a list row whose date is empty */
    char buf[FB_NCOL][128]; /* a list row's values, trimmed */
} feedback_layout;

/* The codes a team may write in the statut column, NULL-terminated. */
extern const char *const feedback_statuts[];

/* Open PATH as feedback_open does, accepting a list sent back too; its columns into L. */
csvio_reader *feedback_open_layout(const char *path, feedback_layout *l, char *reason, size_t reasonlen);

/* The outcome in REC as a 4-field record token;regle;statut;date into VIEW (its fields point
 * into REC and L). Return 1 when REC holds no outcome (a list row with an empty statut), else 0.
 * Spaces around a list row's values are dropped and its statut is lowercased. */
int feedback_row_view(feedback_layout *l, const csvio_record *rec, csvio_record *view);

/* When PATH is a list sent back, rewrite it (whole or not at all) as the 4-column feedback file
 * of its rows that have a statut: what the platform archives holds no name, no contact column
 * and no commentaire. A 4-column feedback file is left as it is. Return 0, or -1 with REASON. */
int feedback_reduce(const char *path, char *reason, size_t reasonlen);

/* The parsing half of feedback_load, without a database (and fuzzed so): open PATH, guess its
 * separator (';' when its first line has one, else ','), read and check the header. Return the
 * reader on the first row, or NULL with why the file is refused in REASON. */
csvio_reader *feedback_open(const char *path, char *reason, size_t reasonlen);

/* Check REC's form: 4 fields, a token of 64 lowercase hex digits, a known statut, a date
 * YYYY-MM-DD or DD/MM/YYYY (written YYYYMMDD into DATE, 9 bytes), a regle. Return 0, or -1 with
 * the reason in WHY, in French (the team that sent the file reads it). Whether the token and the
 * regle are known is the database's question. */
int feedback_row_syntax(const csvio_record *rec, char *date, char *why, size_t whylen);

#endif
