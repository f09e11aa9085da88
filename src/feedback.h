/* feedback: outcomes sent back by the outreach teams (token;regle;statut;date). */
#ifndef TZNR_FEEDBACK_H
#define TZNR_FEEDBACK_H

#include <libpq-fe.h>

typedef struct feedback_result {
    long long rows, loaded, duplicates, rejected, oppositions, link_errors;
    char reason[512];   /* why the whole file was refused, when it was */
} feedback_result;

/* Load PATH in one transaction. Bad rows are written with their line and reason to
 * PATH.rejects and counted; a file that is not a feedback file (wrong header, not CSV) is
 * refused whole. Return 0, or -1 when refused (reason in RES). */
int feedback_load(PGconn *conn, const char *path, feedback_result *res);

#endif
