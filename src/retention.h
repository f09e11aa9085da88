/* retention: what the platform may keep, and for how long ([retention], docs/configuration.md).
 * Superseded snapshots are dropped keep_snapshots_days after a newer one replaced them (their
 * table goes; the snapshot's row stays, marked dropped, for the audit); link runs beyond the
 * latest keep_link_runs are deleted with their links. One transaction, one audit entry when
 * anything went. */
#ifndef TZNR_RETENTION_H
#define TZNR_RETENTION_H

#include <libpq-fe.h>

#include "conf.h"

typedef struct retention_summary {
    int snapshots_dropped;
    long long link_runs_deleted;
} retention_summary;

/* Purge what [retention] no longer allows to keep; dies on database errors. */
void retention_purge(PGconn *conn, const conf *cf, retention_summary *sum);

#endif
