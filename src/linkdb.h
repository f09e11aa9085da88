/* linkdb: the linkage pass over the database (read the current records, link, write persons,
 * households, links and an audit entry): the heart of 'tznr link' and of the nightly run. */
#ifndef TZNR_LINKDB_H
#define TZNR_LINKDB_H

#include <libpq-fe.h>
#include <stddef.h>

#include "conf.h"

typedef struct linkdb_summary {
    long long run;
    size_t records, persons, persons_kept, foyers, possible;
    int sources;
    unsigned long long links_exact, links_clk;
    double seconds;
    double est_precision, est_recall; /* the run's own estimates across sources; -1: no model */
    double field_precision;           /* from the teams' outcomes; -1: not enough yet */
    long field_outcomes;              /* the outcomes it counts */
    char no_model[256];               /* why the run had no model (exact links only), or "" */
} linkdb_summary;

/* What 'tznr links' prints of the latest run, and the COPY ... TO STDOUT (CSV with a header)
 * that gives it: the links, the possible links, or the model's table (its prior first). */
enum linkdb_print { LINKDB_LINKS, LINKDB_POSSIBLE, LINKDB_MODEL };
const char *linkdb_print_sql(enum linkdb_print what);

/* Link every source's current records; dies on database errors. */
void linkdb_run(PGconn *conn, const conf *cf, linkdb_summary *sum);

#endif
