/* roles: the teams' reviewer roles (tznr db roles). The roles themselves, their privileges and
 * the row-level security that keeps a reviewer to its team are migration 009's
 * (sql/migrations/009_roles.sql, docs/schema.md "Roles"). */
#ifndef TZNR_ROLES_H
#define TZNR_ROLES_H

#include <libpq-fe.h>

#include "conf.h"

/* Create the role tznr_reviewer_<team> of every team when missing (the configuration's teams,
 * then each loaded source without one), in one transaction with a db.roles audit entry when
 * any was created; print one line per team on stdout. Needs CREATEROLE; dies on errors. */
void roles_reviewers(PGconn *conn, const conf *cf);

#endif
