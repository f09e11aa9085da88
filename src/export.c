#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvio.h"
#include "db.h"
#include "log.h"
#include "sbuf.h"
#include "util.h"

const char *const export_list_columns[EXPORT_LIST_NCOL] = {
    "token", "foyer", "regle", "prestation", "motif", "montant_mensuel_estime", "confiance", "priorite", "source",
    "premiere_detection", "inconnu_de"};

static void field(sbuf *line, const char *v, char sep)
{
    csvio_add_field(line, v, strlen(v), sep);
}

/* Whether team T's source is one the platform knows: a source that has had an extract loaded,
 * or one declared by a [source.ID] section. A misspelt source is neither. */
static int team_source_known(PGconn *conn, const conf *cf, int t)
{
    for (int i = 0; i < cf->nsources; i++)
        if (strcmp(cf->sources[i].id, cf->teams[t].source) == 0)
            return 1;
    const char *p[] = {cf->teams[t].source};
    return strcmp(db_value(conn, "SELECT EXISTS (SELECT 1 FROM tznr.source WHERE id = $1)", 1, p), "t") == 0;
}

int export_unknown_teams(PGconn *conn, const conf *cf, sbuf *why)
{
    int n = 0;
    for (int t = 0; t < cf->nteams; t++) {
        if (team_source_known(conn, cf, t))
            continue;
        n++;
        sbuf_addf(why, "%s:%ld: [team.%s] source '%s' is not a source of the platform: no extract of it was ever "
                       "loaded and no [source.%s] section declares it (misspelt?); the team gets no list until it "
                       "is fixed, and that source's households go to the team of their own source\n",
                  cf->path ? cf->path : "(configuration)", cf->teams[t].source_line, cf->teams[t].name,
                  cf->teams[t].source, cf->teams[t].source);
    }
    return n;
}

/* Every team that could receive a list: the teams listed in RUNS, every declared team, and
 * each current source without a declared team (its default team); an empty list says
 * "nothing tonight". Return them (malloc'ed), their number in *N. */
static char **teams_of(PGconn *conn, const conf *cf, const char *runs, int *n)
{
    const char *p[] = {runs};
    PGresult *tr = db_query(conn,
        "SELECT DISTINCT team FROM tznr.list_entry WHERE run_id = $1"
        " UNION SELECT '=' || id FROM tznr.source WHERE current_snapshot IS NOT NULL", 1, p);
    int total = PQntuples(tr) + cf->nteams;
    char **teams = xcalloc((size_t)total + 1, sizeof *teams);
    *n = 0;
    for (int k = 0; k < total; k++) {
        char *name;
        if (k >= PQntuples(tr)) {
            if (!team_source_known(conn, cf, k - PQntuples(tr)))
                continue; /* an empty list would say "nothing tonight": it gets none */
            name = xstrdup(cf->teams[k - PQntuples(tr)].name);
        } else if (PQgetvalue(tr, k, 0)[0] == '=') {
            const char *src = PQgetvalue(tr, k, 0) + 1;
            int declared = 0;
            for (int t = 0; t < cf->nteams; t++)
                declared |= strcmp(cf->teams[t].source, src) == 0;
            if (declared)
                continue;
            name = xstrdup(src);
            for (char *q = name; *q; q++)
                if (*q == ':')
                    *q = '_';
        } else {
            name = xstrdup(PQgetvalue(tr, k, 0));
        }
        int have = 0;
        for (int t = 0; t < *n; t++)
            have |= strcmp(teams[t], name) == 0;
        if (have)
            free(name);
        else
            teams[(*n)++] = name;
    }
    PQclear(tr);
    return teams;
}

/* A fatal error while a list is being written removes its temporary file: nothing half-written
 * stays in the outbox. */
static void abort_list(void *o) { csvio_out_abort(o); }

/* Write LINE to O, the temporary file of the list PATH (csvio_out_open writes PATH.tmp: the
 * message names that file, the one being written), or die; the clean-up removes it. */
static void write_or_die(csvio_out *o, sbuf *line, const char *path)
{
    if (csvio_out_write(o, line->p, line->len) != 0)
        die(TZNR_EXIT_FAIL, "could not write '%s.tmp': %s", path, strerror(errno));
    sbuf_reset(line);
}

/* Write TEAM's list of RUNS to PATH; return its rows. */
static long long write_list(PGconn *conn, const conf *cf, const char *runs, const char *team, const char *path)
{
    char err[1024];
    char sep = cf->export_separator[0] == '\\' ? '\t' : cf->export_separator[0];
    csvio_out *o = csvio_out_open(path, 0640, err, sizeof err);
    if (!o)
        die(TZNR_EXIT_FAIL, "%s", err);
    log_on_die(abort_list, o);
    sbuf line;
    sbuf_init(&line);
    if (cf->export_bom)
        sbuf_add(&line, "\xEF\xBB\xBF", 3);
    for (int c = 0; c < EXPORT_LIST_NCOL; c++) {
        if (c)
            sbuf_addc(&line, sep);
        sbuf_adds(&line, export_list_columns[c]);
    }
    sbuf_addc(&line, '\n');
    const char *pq[] = {runs, team};
    PGresult *r = db_query(conn,
        "SELECT pg_catalog.encode(e.token, 'hex'), e.foyer_id::text, e.rule_id, ru.benefit, e.motif,"
        " COALESCE(pg_catalog.to_char(e.estimate, 'FM999999990.00'), ''), e.confiance, e.priority::text,"
        " e.source_id, e.first_detected::text, e.inconnu_de"
        " FROM tznr.list_entry e JOIN tznr.rule ru ON ru.id = e.rule_id"
        " WHERE e.run_id = $1 AND e.team = $2 ORDER BY e.priority", 2, pq);
    for (int row = 0; row < PQntuples(r); row++) {
        for (int c = 0; c < EXPORT_LIST_NCOL; c++) {
            if (c)
                sbuf_addc(&line, sep);
            const char *v = PQgetvalue(r, row, c);
            char *dot = c == 5 && cf->export_decimal != '.' ? strchr(v, '.') : NULL;
            if (dot) { /* the amount, with the configured decimal mark */
                char *amount = xstrdup(v);
                amount[dot - v] = cf->export_decimal;
                field(&line, amount, sep);
                free(amount);
            } else {
                field(&line, v, sep);
            }
        }
        sbuf_addc(&line, '\n');
        if (line.len > (1 << 20))
            write_or_die(o, &line, path);
    }
    long long rows = PQntuples(r);
    PQclear(r);
    write_or_die(o, &line, path);
    sbuf_free(&line);
    char sha[65];
    int rc = csvio_out_commit(o, sha, err, sizeof err); /* on failure, it has removed the temporary file */
    log_forget(abort_list, o);
    if (rc != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    /* the list is in the outbox: from now on its households count as contacted (the
     * cooldown); a list that was never written does not keep anyone off the next lists */
    char nrows[32];
    snprintf(nrows, sizeof nrows, "%lld", rows);
    const char *pw[] = {runs, team, nrows, sha};
    PQclear(db_query(conn,
        "INSERT INTO tznr.list_file (run_id, team, rows, sha256) VALUES ($1, $2, $3, pg_catalog.decode($4, 'hex'))"
        " ON CONFLICT (run_id, team) DO UPDATE SET rows = EXCLUDED.rows, sha256 = EXCLUDED.sha256,"
        " written_at = pg_catalog.clock_timestamp()", 4, pw));
    return rows;
}

int export_run(PGconn *conn, const conf *cf, long long run, const char *date, long long *rows)
{
    char runs[32];
    snprintf(runs, sizeof runs, "%lld", run);
    int n = 0;
    char **teams = teams_of(conn, cf, runs, &n);
    *rows = 0;
    for (int i = 0; i < n; i++) {
        char *dir = xasprintf("%s/%s/%s", cf->outbox, teams[i], date);
        if (util_mkdirs(dir) != 0)
            die(TZNR_EXIT_FAIL, "could not create '%s': %s", dir, strerror(errno));
        char *path = xasprintf("%s/liste.csv", dir);
        *rows += write_list(conn, cf, runs, teams[i], path);
        free(path);
        free(dir);
        free(teams[i]);
    }
    free(teams);
    return n;
}
