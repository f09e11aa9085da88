/* report: the night's report for data officers and the scientific committee, one
 * self-contained HTML page in French (docs/rapport.md explains every figure): the night, the
 * linkage and its model, the detection, the trends of the last 30 nights and the evaluation,
 * every count under statistical secrecy (secret.h). Written by every nightly run as
 * <outbox>/rapport-<date>.html and by `tznr report`. */
#ifndef TZNR_REPORT_H
#define TZNR_REPORT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "conf.h"
#include "sbuf.h"

/* The report of the night DATE (its latest run) into HTML, with the evaluation over EVAL_FROM
 * (NULL: the first night on record) to DATE. Return 0, or -1 with the reason (in French) in ERR
 * when there is no run on DATE. Dies on a database error. */
int report_html(PGconn *conn, const conf *cf, const char *date, const char *eval_from, sbuf *html, char *err,
                size_t cap);

/* The evaluation from FROM to TO as a page of its own (tznr evaluation --format html). */
void report_evaluation_html(PGconn *conn, const conf *cf, const char *from, const char *to, sbuf *html);

/* Write HTML to PATH whole or not at all (a temporary file beside it, then a rename). Return 0,
 * or -1 with the reason in ERR. */
int report_save(const sbuf *html, const char *path, char *err, size_t cap);

#endif
