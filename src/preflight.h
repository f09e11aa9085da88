/* preflight: everything a night needs, checked before the night (tznr check; tznr run does the
 * same first and does not start when a check fails). Reads, never writes: no file is moved or
 * created, nothing is written to the database. */
#ifndef TZNR_PREFLIGHT_H
#define TZNR_PREFLIGHT_H

#include "conf.h"

/* Check the platform that CF (already read) configures for the night of DATE (YYYY-MM-DD):
 * the settings the loader cannot check alone, the folders, the parameters file, and, connected
 * with CONNINFO (NULL: CF's), the database's schema, roles and audit chain, and whether each
 * team and register names a source of the platform. Each problem is reported with log_error and
 * each warning with log_warn, one line each saying what to do. Return the number of problems
 * (0: a night would start); the number of warnings in *WARNINGS, or, when WARNINGS is NULL (tznr
 * run: a warning does not stop a night, tznr check shows it), print no warning. */
int preflight_night(const conf *cf, const char *conninfo, const char *date, int *warnings);

#endif
