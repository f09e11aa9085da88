/* feedback: outcomes sent back by the outreach teams (token;regle;statut;date). */
#ifndef TZNR_FEEDBACK_H
#define TZNR_FEEDBACK_H

#include <stddef.h>

#include <libpq-fe.h>

#include "csvio.h"

typedef struct feedback_result {
    long long rows, loaded, duplicates, rejected, oppositions, link_errors;
    char reason[512];   /* why the whole file was refused, when it was */
} feedback_result;

/* Load PATH in one transaction. Bad rows are written with their line and reason to
 * PATH.rejects and counted; a file that is not a feedback file (wrong header, not CSV) is
 * refused whole. Return 0, or -1 when refused (reason in RES). */
int feedback_load(PGconn *conn, const char *path, feedback_result *res);

/* The parsing half of feedback_load, without a database (and fuzzed so): open PATH, guess its
 * separator (';' when its first line has one, else ','), read and check the header. Return the
 * reader on the first row, or NULL with why the file is refused in REASON. */
csvio_reader *feedback_open(const char *path, char *reason, size_t reasonlen);

/* Check REC's form: 4 fields, a token of 64 lowercase hex digits, a known statut, a date
 * YYYY-MM-DD or DD/MM/YYYY (written YYYYMMDD into DATE, 9 bytes), a regle. Return 0, or -1 with
 * the reason in WHY. Whether the token and the regle are known is the database's question. */
int feedback_row_syntax(const csvio_record *rec, char *date, char *why, size_t whylen);

#endif
