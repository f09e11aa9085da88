/* select: which of a run's candidates go on a list, and on whose (docs/listes.md).
 *
 * Suppression, in this order, each candidate marked with the first that applies:
 *   opposition  the household holds a person who objected; an objection follows the person to
 *               every record the linkage gives them, now and in later runs;
 *   cooldown    the household was listed for the same rule less than [run] cooldown_days ago;
 *   settled     an outcome droit_ouvert, non_eligible, refus or deja_beneficiaire for the
 *               rule less than [run] settled_days ago (injoignable and contacte settle nothing);
 * then routing: the rule's owners in their order, a claimant's record before a spouse's,
 * then any source holding a record (never nobody), and the team of that source for the
 * household's commune; a candidate no source can re-identify is marked unreachable. */
#ifndef TZNR_SELECT_H
#define TZNR_SELECT_H

#include <libpq-fe.h>

#include "conf.h"

typedef struct select_summary {
    long long listed, suppressed_opposition, suppressed_cooldown, suppressed_settled, suppressed_unreachable;
    long long listed_unknown_to_payer; /* list entries that some payer of the benefit does not know */
} select_summary;

/* Suppress and route the candidates of RUN on DATE into tznr.list_entry, in the caller's
 * transaction; dies on database errors. */
void select_run(PGconn *conn, const conf *cf, long long run, const char *date, select_summary *sum);

#endif
