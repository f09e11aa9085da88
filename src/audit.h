/* audit: entries in the append-only, hash-chained audit log (docs/audit.md). */
#ifndef TZNR_AUDIT_H
#define TZNR_AUDIT_H

#include <libpq-fe.h>
#include <stdio.h>

/* Remember the command line recorded in every entry (main calls it once). */
void audit_set_command(int argc, char **argv);
/* The OS user running tznr. */
const char *audit_os_user(void);

/* Append an entry in the current transaction (so it commits or rolls back with the change
 * it records). DETAILS is a JSON object. Dies on error. */
void audit_log(PGconn *conn, const char *action, const char *object, const char *details);

/* Walk the chain from the first entry, streaming; print the verdict on OUT. Return 0 when
 * intact, 1 at the first broken entry (named, with the reason). */
int audit_verify(PGconn *conn, FILE *out);

/* Canonical form of one entry (docs/audit.md): appended to OUT, which is reset first. */
struct sbuf;
void audit_canonical(struct sbuf *out, const char *const fields[9]);

#endif
