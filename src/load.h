/* load: one extract into the database (the heart of 'tznr load' and of the nightly run). */
#ifndef TZNR_LOAD_H
#define TZNR_LOAD_H

#include <libpq-fe.h>

#include "conf.h"

enum load_outcome { LOAD_DONE, LOAD_ALREADY, LOAD_REFUSED };

typedef struct load_result {
    enum load_outcome outcome;
    char reason[512];        /* why it was refused */
    char source[64];
    long long snapshot_id;   /* the new snapshot, or the one already loaded */
    long long rows_read, rows_loaded, rows_rejected;
    double seconds;
} load_result;

/* Load PATH (its manifest beside it). Refusals are recorded (load_attempt, rejects, audit) and
 * returned in RES; database failures die. */
void load_extract(PGconn *conn, const conf *cf, const char *path, int force, load_result *res);

#endif
