/* detect: what the nightly run does between linkage and selection: the dated benefit
 * parameters, the registers of the night, the households' facts (tznr.run_foyer) and the
 * rules (sql/rules), which write candidates; select.c then suppresses and routes them. */
#ifndef TZNR_DETECT_H
#define TZNR_DETECT_H

#include <libpq-fe.h>

#include "conf.h"
#include "sbuf.h"

typedef struct detect_summary {
    long long candidates;
    int rules;
    char *registers;                   /* the registers of the night, one line (tznr.run_register); free it */
} detect_summary;

/* Load the parameters file into tznr.parameter (replacing it, in one transaction); an audit
 * entry when its content changed. Return 0, or -1 with a one-line reason in ERR (file, line). */
int detect_load_parameters(PGconn *conn, const char *path, char *err, size_t errlen);
/* Read and check the parameters file without the database: its rows appended to COPY as
 * COPY text (name, valid_from, value, reference, tab-separated, a line each), their number in
 * *NROWS. Return 0, or -1 with the reason in ERR (file, line). */
int detect_read_parameters(const char *path, sbuf *copy, int *nrows, char *err, size_t errlen);

/* A rule file's header: the keys of docs/rules.md. Return 0 or -1 (reason in ERR). */
typedef struct detect_rule {
    char id[64], benefit[256], owners[256], legal[512], description[1024];
    char receives[64]; /* the run_foyer flag it tests ("rsa"), "" for none */
    const char *body; /* the SELECT, after the header */
} detect_rule;
int detect_parse_rule(const char *text, detect_rule *r, char *err, size_t errlen);

/* Evaluate every rule for RUN on DATE (YYYY-MM-DD), in the current transaction: registers,
 * households' facts, then each rule's candidates (tznr.candidate). */
void detect_run(PGconn *conn, const conf *cf, long long run, const char *date, detect_summary *sum);

#endif
