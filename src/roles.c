/* roles: the teams' reviewer roles (see roles.h). */
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "sbuf.h"

/* The teams: the configuration's, then each loaded source without one (its own team, named
 * after it, as the routing names it). */
static void team_names(PGconn *conn, const conf *cf, int *n, char ***names)
{
    *n = 0;
    *names = NULL;
    for (int t = 0; t < cf->nteams; t++) {
        *names = xrealloc(*names, (size_t)(*n + 1) * sizeof **names);
        (*names)[(*n)++] = xstrdup(cf->teams[t].name);
    }
    PGresult *r = db_query(conn, "SELECT id, pg_catalog.replace(id, ':', '_') FROM tznr.source ORDER BY id", 0, NULL);
    for (int i = 0; i < PQntuples(r); i++) {
        int declared = 0;
        for (int t = 0; t < cf->nteams && !declared; t++)
            declared = strcmp(cf->teams[t].source, PQgetvalue(r, i, 0)) == 0;
        if (declared)
            continue;
        *names = xrealloc(*names, (size_t)(*n + 1) * sizeof **names);
        (*names)[(*n)++] = xstrdup(PQgetvalue(r, i, 1));
    }
    PQclear(r);
}

void roles_reviewers(PGconn *conn, const conf *cf)
{
    int n;
    char **names;
    sbuf created;
    sbuf_init(&created);
    team_names(conn, cf, &n, &names);
    db_begin(conn);
    int made = 0;
    for (int t = 0; t < n; t++) {
        const char *p[] = {names[t]};
        int is_new = strcmp(db_value(conn, "SELECT tznr.create_reviewer($1)", 1, p), "t") == 0;
        printf("tznr_reviewer_%s: %s\n", names[t], is_new ? "created" : "exists");
        if (is_new) {
            sbuf_adds(&created, made++ ? ", " : "");
            sbuf_add_json(&created, names[t]);
        }
    }
    if (made) {
        sbuf d;
        sbuf_init(&d);
        sbuf_addf(&d, "{\"created\": [%s]}", created.p);
        audit_log(conn, "db.roles", "reviewers", d.p);
        sbuf_free(&d);
    }
    db_commit(conn);
    for (int t = 0; t < n; t++)
        free(names[t]);
    free(names);
    sbuf_free(&created);
}
