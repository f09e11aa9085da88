/* export: the outreach lists of a run, one file a team: outbox/<team>/<date>/liste.csv. */
#ifndef TZNR_EXPORT_H
#define TZNR_EXPORT_H

#include <libpq-fe.h>

#include "conf.h"
#include "sbuf.h"

/* Write the lists of RUN (its date DATE); each written to a temporary name and renamed, so a
 * list is whole or absent. Return the number of lists written; dies on error. */
int export_run(PGconn *conn, const conf *cf, long long run, const char *date, long long *rows);

/* The declared teams whose source the platform does not know (no extract of it ever loaded,
 * no [source.ID] section): a line each, "FILE:LINE: reason", appended to WHY; return how many.
 * export_run writes no list for them (an empty one would say "nothing tonight"). */
int export_unknown_teams(PGconn *conn, const conf *cf, sbuf *why);

/* The columns of an outreach list, in order (docs/listes.md); tznr reidentify reads the same. */
#define EXPORT_LIST_NCOL 11
extern const char *const export_list_columns[EXPORT_LIST_NCOL];

#endif
