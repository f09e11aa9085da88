/* evaluation: see evaluation.h; the figures are defined in docs/evaluation.md. */
#include "evaluation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sbuf.h"
#include "secret.h"

const char *const evaluation_col_names[EV_NCOLS] = {
    "foyers_listes", "contactes",   "droits_ouverts",        "refus",          "non_eligibles",
    "deja_beneficiaires", "oppositions", "contactes_sans_suite", "injoignables", "erreurs_rapprochement",
    "sans_retour"};

#define EV_Z 1.959963984540054 /* the 0.975 quantile of the standard normal */

void evaluation_wilson(long long k, long long n, double *lo, double *hi)
{
    double p = (double)k / (double)n, nn = (double)n, z2 = EV_Z * EV_Z;
    double den = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / den;
    double half = EV_Z / den * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
}

/* The outcome column of a statut; the conclusive ones first (see the SQL's precedence). */
static int col_of(const char *statut)
{
    static const struct {
        const char *statut;
        int col;
    } map[] = {{"droit_ouvert", EV_OPENED},        {"refus", EV_REFUSED},
               {"non_eligible", EV_NOT_ELIGIBLE},  {"deja_beneficiaire", EV_ALREADY},
               {"opposition", EV_OPPOSED},         {"erreur_rapprochement", EV_WRONG_PERSON},
               {"contacte", EV_PENDING},           {"injoignable", EV_UNREACHABLE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(statut, map[i].statut) == 0)
            return map[i].col;
    return EV_NO_OUTCOME;
}

static int cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0; /* NULL (a total) after the others */
    return strcmp(a, b);
}

static int cmp_row(const void *a, const void *b)
{
    const ev_row *x = a, *y = b;
    int c = cmp_str(x->rule, y->rule);
    return c ? c : cmp_str(x->team, y->team);
}

static void add_into(ev_row *to, const ev_row *from)
{
    for (int c = 0; c < EV_NCOLS; c++)
        to->n[c] += from->n[c];
    to->amount += from->amount;
}

void evaluation_add_totals(ev_table *t)
{
    if (t->n) /* no rows: rows may be NULL, which qsort must not get */
        qsort(t->rows, t->n, sizeof *t->rows, cmp_row);
    size_t nrules = 0;
    for (size_t i = 0; i < t->n; i++)
        if (i == 0 || strcmp(t->rows[i].rule, t->rows[i - 1].rule) != 0)
            nrules++;
    ev_row *out = xcalloc(t->n + nrules + 1, sizeof *out);
    size_t k = 0;
    ev_row all = {0};
    for (size_t i = 0; i < t->n; i++) {
        out[k++] = t->rows[i];
        if (i + 1 == t->n || strcmp(t->rows[i + 1].rule, t->rows[i].rule) != 0) {
            ev_row tot = {0};
            tot.rule = xstrdup(t->rows[i].rule);
            for (size_t j = k; j-- > 0 && out[j].team && strcmp(out[j].rule, tot.rule) == 0;)
                add_into(&tot, &out[j]);
            add_into(&all, &tot);
            out[k++] = tot;
        }
    }
    out[k++] = all;
    free(t->rows);
    t->rows = out;
    t->n = k;
}

/* The households listed in the period: a (rule, team, household) on a list that was written
 * (tznr.list_file) of a run dated FROM..TO, counted once however many nights listed it. Its
 * outcome is the most conclusive one sent back for one of its tokens and the rule, dated on or
 * after its first listing in the period; its amount is the estimate of its latest listing. */
static const char EVAL_SQL[] =
    "WITH listed AS ("
    "  SELECT e.rule_id, e.team, e.foyer_id, pg_catalog.min(e.run_date) AS first_date,"
    "         pg_catalog.array_agg(DISTINCT e.token) AS tokens,"
    "         (pg_catalog.array_agg(e.estimate ORDER BY e.run_date DESC, e.run_id DESC))[1] AS estimate"
    "    FROM tznr.list_entry e"
    "    JOIN tznr.list_file f ON f.run_id = e.run_id AND f.team = e.team"
    "   WHERE e.run_date BETWEEN $1::date AND $2::date"
    "   GROUP BY e.rule_id, e.team, e.foyer_id),"
    " settled AS ("
    "  SELECT l.rule_id, l.team, l.estimate,"
    "         (SELECT o.statut FROM tznr.outcome o"
    "           WHERE o.rule_id = l.rule_id AND o.token = ANY (l.tokens) AND o.outcome_date >= l.first_date"
    "           ORDER BY pg_catalog.array_position(ARRAY['droit_ouvert', 'refus', 'non_eligible',"
    "                    'deja_beneficiaire', 'opposition', 'erreur_rapprochement', 'contacte',"
    "                    'injoignable']::text[], o.statut)"
    "           LIMIT 1) AS statut"
    "    FROM listed l)"
    " SELECT rule_id, team, COALESCE(statut, ''), pg_catalog.count(*),"
    "        COALESCE(pg_catalog.sum(estimate), 0)::text"
    "   FROM settled GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";

void evaluation_compute(PGconn *conn, const char *from, const char *to, ev_table *t)
{
    const char *p[] = {from, to};
    PGresult *r = db_query(conn, EVAL_SQL, 2, p);
    t->rows = NULL;
    t->n = 0;
    size_t cap = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *rule = PQgetvalue(r, i, 0), *team = PQgetvalue(r, i, 1);
        if (t->n == 0 || strcmp(t->rows[t->n - 1].rule, rule) != 0 || strcmp(t->rows[t->n - 1].team, team) != 0) {
            if (t->n == cap) {
                cap = cap ? 2 * cap : 16;
                t->rows = xrealloc(t->rows, cap * sizeof *t->rows);
            }
            memset(&t->rows[t->n], 0, sizeof t->rows[t->n]);
            t->rows[t->n].rule = xstrdup(rule);
            t->rows[t->n].team = xstrdup(team);
            t->n++;
        }
        ev_row *row = &t->rows[t->n - 1];
        int col = col_of(PQgetvalue(r, i, 2));
        long long n = atoll(PQgetvalue(r, i, 3));
        row->n[col] += n;
        if (col == EV_OPENED)
            row->amount += strtod(PQgetvalue(r, i, 4), NULL);
    }
    PQclear(r);
    for (size_t i = 0; i < t->n; i++) {
        long long *n = t->rows[i].n;
        n[EV_CONTACTED] = n[EV_OPENED] + n[EV_REFUSED] + n[EV_NOT_ELIGIBLE] + n[EV_ALREADY] + n[EV_OPPOSED] +
                          n[EV_PENDING];
        n[EV_LISTED] = n[EV_CONTACTED] + n[EV_UNREACHABLE] + n[EV_WRONG_PERSON] + n[EV_NO_OUTCOME];
    }
    evaluation_add_totals(t);
}

void evaluation_relations(const ev_table *t, void (*fn)(void *ctx, ev_cell total, const ev_cell *parts, size_t n),
                          void *ctx)
{
    ev_cell *parts = xcalloc(t->n + 8, sizeof *parts);
    for (size_t r = 0; r < t->n; r++) {
        static const int listed_parts[] = {EV_CONTACTED, EV_UNREACHABLE, EV_WRONG_PERSON, EV_NO_OUTCOME};
        static const int contacted_parts[] = {EV_OPENED,  EV_REFUSED, EV_NOT_ELIGIBLE,
                                              EV_ALREADY, EV_OPPOSED, EV_PENDING};
        for (size_t i = 0; i < 4; i++)
            parts[i] = (ev_cell){r, listed_parts[i]};
        fn(ctx, (ev_cell){r, EV_LISTED}, parts, 4);
        for (size_t i = 0; i < 6; i++)
            parts[i] = (ev_cell){r, contacted_parts[i]};
        fn(ctx, (ev_cell){r, EV_CONTACTED}, parts, 6);
    }
    for (int c = 0; c < EV_NCOLS; c++) {
        size_t nall = 0, first = 0;
        for (size_t r = 0; r < t->n; r++) {
            if (!t->rows[r].rule)
                break; /* the overall total: last */
            if (t->rows[r].team)
                continue;
            size_t k = 0;
            for (size_t j = first; j < r; j++)
                parts[k++] = (ev_cell){j, c};
            fn(ctx, (ev_cell){r, c}, parts, k);
            first = r + 1;
        }
        for (size_t r = 0; r < t->n; r++)
            if (t->rows[r].rule && !t->rows[r].team)
                parts[nall++] = (ev_cell){r, c};
        if (t->n > 0 && !t->rows[t->n - 1].rule)
            fn(ctx, (ev_cell){t->n - 1, c}, parts, nall);
    }
    free(parts);
}

/* The table's cells and relations in a secret_grid: cell r * EV_NCOLS + c. */
static void add_relation(void *ctx, ev_cell total, const ev_cell *parts, size_t n)
{
    secret_grid *g = ctx;
    size_t *idx = xcalloc(n + 1, sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = parts[i].row * EV_NCOLS + (size_t)parts[i].col;
    secret_relation(g, total.row * EV_NCOLS + (size_t)total.col, idx, n);
    free(idx);
}

void evaluation_suppress(ev_table *t, int threshold)
{
    secret_grid g;
    secret_init(&g);
    for (size_t r = 0; r < t->n; r++)
        for (int c = 0; c < EV_NCOLS; c++)
            secret_cell(&g, t->rows[r].n[c]);
    evaluation_relations(t, add_relation, &g);
    secret_apply(&g, threshold);
    for (size_t r = 0; r < t->n; r++) {
        ev_row *row = &t->rows[r];
        row->primary = row->secondary = 0;
        for (int c = 0; c < EV_NCOLS; c++) {
            int h = secret_hidden(&g, r * EV_NCOLS + (size_t)c);
            if (h == SECRET_SMALL)
                row->primary |= 1u << c;
            else if (h == SECRET_COMPLEMENT)
                row->secondary |= 1u << c;
        }
        unsigned h = row->primary | row->secondary;
        row->rate_hidden = ((h >> EV_OPENED) & 1) || ((h >> EV_CONTACTED) & 1);
        row->amount_hidden = (h >> EV_OPENED) & 1;
    }
    secret_free(&g);
}

void evaluation_free(ev_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].rule);
        free(t->rows[i].team);
    }
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}
