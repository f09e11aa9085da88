/* run: the nightly job (docs/operations.md), step by step:
 *   1. pull: each [source.ID] pull command, at most [run] pull_timeout seconds;
 *   2. load the extracts of the inbox whose manifest has arrived (moved to archive/DATE, or to
 *      rejected/DATE with a .reason file), then the teams' feedback files (inbox/feedback);
 *   3. link (linkdb), 4. detect with the parameters in force on DATE (detect, select),
 *   5. export the lists, 6. purge what [retention] allows;
 * a run record (tznr.run: running, then done, done_with_refusals or failed) and a one-screen
 * summary. One run at a time: a second one exits with TZNR_EXIT_LOCKED and does nothing. */
#ifndef TZNR_RUN_H
#define TZNR_RUN_H

#include <libpq-fe.h>

#include "conf.h"
#include "sbuf.h"

/* Run the night of DATE (YYYY-MM-DD) and append its summary to SUMMARY. Return 0, or
 * TZNR_EXIT_PARTIAL when an input was refused or a pull failed; dies on any other failure,
 * leaving the run recorded as failed. */
int run_night(PGconn *conn, const conf *cf, const char *date, sbuf *summary);

/* The inbox's loads side by side: group the NFILES files whose WANTED flag is set by source
 * (SRC[i], their manifest's; "" when it cannot be read, a group of its own), the groups in the
 * order of their first file, each group's files in the inbox's order (one source's extracts
 * are loaded in turn, the later current). ORDER receives the files group by group, group G's
 * from GROUP_START[G] to GROUP_START[G + 1] (NFILES + 1 entries suffice). Return the number
 * of groups. */
int run_load_groups(const char *const *src, const int *wanted, int nfiles, int *order, int *group_start);

#endif
