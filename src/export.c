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

int export_run(PGconn *conn, const conf *cf, long long run, const char *date, long long *rows)
{
    char runs[32];
    snprintf(runs, sizeof runs, "%lld", run);
    const char *p[] = {runs};
    /* every team that could receive a list: the teams listed in this run, every declared team,
     * and each current source without a declared team (its default team); an empty list says
     * "nothing tonight" */
    int cap = cf->nteams + 16, n = 0;
    char **teams = xcalloc((size_t)cap, sizeof *teams);
    PGresult *tr = db_query(conn,
        "SELECT DISTINCT team FROM tznr.list_entry WHERE run_id = $1"
        " UNION SELECT '=' || id FROM tznr.source WHERE current_snapshot IS NOT NULL", 1, p);
    for (int k = 0; k < PQntuples(tr) + cf->nteams; k++) {
        char name[256];
        if (k < PQntuples(tr)) {
            const char *v = PQgetvalue(tr, k, 0);
            if (v[0] == '=') {
                int declared = 0;
                for (int t = 0; t < cf->nteams; t++)
                    declared |= strcmp(cf->teams[t].source, v + 1) == 0;
                if (declared)
                    continue;
                snprintf(name, sizeof name, "%s", v + 1);
                for (char *q = name; *q; q++)
                    if (*q == ':')
                        *q = '_';
            } else {
                snprintf(name, sizeof name, "%s", v);
            }
        } else {
            snprintf(name, sizeof name, "%s", cf->teams[k - PQntuples(tr)].name);
        }
        int have = 0;
        for (int t = 0; t < n; t++)
            have |= strcmp(teams[t], name) == 0;
        if (have)
            continue;
        if (n == cap) {
            cap *= 2;
            teams = xrealloc(teams, (size_t)cap * sizeof *teams);
        }
        teams[n++] = xstrdup(name);
    }
    PQclear(tr);
    char sep = cf->export_separator[0] == '\\' ? '\t' : cf->export_separator[0];
    *rows = 0;
    for (int i = 0; i < n; i++) {
        char dir[4096], path[4200], err[1024];
        snprintf(dir, sizeof dir, "%s/%s/%s", cf->outbox, teams[i], date);
        if (util_mkdirs(dir) != 0)
            die(TZNR_EXIT_FAIL, "could not create '%s': %s", dir, strerror(errno));
        snprintf(path, sizeof path, "%s/liste.csv", dir);
        csvio_out *o = csvio_out_open(path, 0640, err, sizeof err);
        if (!o)
            die(TZNR_EXIT_FAIL, "%s", err);
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
        const char *pq[] = {runs, teams[i]};
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
                if (c == 5 && cf->export_decimal != '.') {
                    char amount[64];
                    snprintf(amount, sizeof amount, "%s", v);
                    char *dot = strchr(amount, '.');
                    if (dot)
                        *dot = cf->export_decimal;
                    field(&line, amount, sep);
                } else {
                    field(&line, v, sep);
                }
            }
            sbuf_addc(&line, '\n');
            if (line.len > (1 << 20)) {
                if (csvio_out_write(o, line.p, line.len) != 0)
                    die(TZNR_EXIT_FAIL, "could not write '%s': %s", path, strerror(errno));
                sbuf_reset(&line);
            }
        }
        *rows += PQntuples(r);
        PQclear(r);
        if (csvio_out_write(o, line.p, line.len) != 0)
            die(TZNR_EXIT_FAIL, "could not write '%s': %s", path, strerror(errno));
        if (csvio_out_commit(o, NULL, err, sizeof err) != 0)
            die(TZNR_EXIT_FAIL, "%s", err);
        sbuf_free(&line);
        free(teams[i]);
    }
    free(teams);
    return n;
}
