/* report: see report.h; every figure is explained to a data officer in docs/rapport.md. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "evaluation.h"
#include "html.h"
#include "link.h"
#include "secret.h"

typedef struct page {
    PGconn *conn;
    sbuf *h;
    int thr;
    const char *date;   /* YYYY-MM-DD */
    char run[24];       /* the run's id */
    char link_run[24];  /* its linkage run's id, "" when none is on record */
    char started[64];   /* timestamps as PostgreSQL gives them, for the queries */
    char finished[64];
    int latest;         /* the run is the latest one: the registers and persons are its own */
} page;

static PGresult *q(page *p, const char *sql, int n, const char *const *params)
{
    return db_query(p->conn, sql, n, params);
}

static long long ll(PGresult *r, int row, int col) { return atoll(PQgetvalue(r, row, col)); }
static double dbl(PGresult *r, int row, int col) { return strtod(PQgetvalue(r, row, col), NULL); }
static const char *str(PGresult *r, int row, int col) { return PQgetvalue(r, row, col); }

static void esc(page *p, const char *s) { html_esc(p->h, s); }
static void out(page *p, const char *s) { sbuf_adds(p->h, s); }

/* A text that is not a count (a file name, a technical reason, a date): in a measure span. */
static void mtext(page *p, const char *s)
{
    out(p, "<span class=\"m\">");
    esc(p, s);
    out(p, "</span>");
}

static void th_row(page *p, const char *const *heads, size_t n)
{
    out(p, "<thead><tr>");
    for (size_t i = 0; i < n; i++) {
        out(p, "<th scope=\"col\">");
        esc(p, heads[i]);
        out(p, "</th>");
    }
    out(p, "</tr></thead>\n");
}

static void td(page *p, const char *s)
{
    out(p, "<td>");
    esc(p, s);
    out(p, "</td>");
}

static void td_m(page *p, const char *s)
{
    out(p, "<td>");
    mtext(p, s);
    out(p, "</td>");
}

static void count_td(page *p, secret_grid *g, size_t cell) { html_count_td(p->h, g->v[cell], g->hide[cell], p->thr); }

/* ---------------------------------------------------------------- the night */

static const char *status_fr(const char *s)
{
    if (strcmp(s, "done") == 0)
        return "terminée sans incident";
    if (strcmp(s, "done_with_refusals") == 0)
        return "terminée, avec des fichiers refusés ou des collectes en échec";
    if (strcmp(s, "failed") == 0)
        return "en échec";
    return "en cours";
}

static const char *step_fr(const char *s)
{
    static const char *const map[][2] = {{"pull", "collecte des extraits"}, {"load", "chargement"},
                                         {"link", "rapprochement"},        {"detect", "détection"},
                                         {"export", "écriture des listes"}, {"purge", "purge (conservation)"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i][0]) == 0)
            return map[i][1];
    return s;
}

static const char *outcome_fr(const char *s)
{
    return strcmp(s, "loaded") == 0 ? "chargé" : strcmp(s, "already_loaded") == 0 ? "déjà chargé" : "refusé";
}

static void section_night(page *p, PGresult *run)
{
    out(p, "<section id=\"nuit\"><h2>La nuit</h2>\n<dl class=\"kv\">");
    out(p, "<dt>État</dt><dd>");
    const char *status = str(run, 0, 1);
    sbuf_addf(p->h, "<span class=\"%s\">", strcmp(status, "done") == 0 ? "ok" : "ko");
    esc(p, status_fr(status));
    /* the exit status tznr run gave the scheduler (docs/operations.md) */
    const char *code = strcmp(status, "done") == 0 ? "0" : strcmp(status, "done_with_refusals") == 0 ? "5"
                       : strcmp(status, "failed") == 0 ? "1 ou plus" : "";
    if (*code) {
        out(p, "</span> (code de sortie ");
        mtext(p, code);
        out(p, ")");
    } else {
        out(p, "</span>");
    }
    out(p, "</dd><dt>Début</dt><dd>");
    mtext(p, str(run, 0, 2));
    out(p, "</dd><dt>Fin</dt><dd>");
    mtext(p, str(run, 0, 3)[0] ? str(run, 0, 3) : "non terminée");
    out(p, "</dd><dt>Durée</dt><dd>");
    if (dbl(run, 0, 4) >= 0)
        html_measure(p->h, dbl(run, 0, 4), 1, "s");
    out(p, "</dd><dt>Numéro de la nuit</dt><dd>");
    mtext(p, p->run);
    out(p, "</dd></dl>\n");

    /* the steps */
    const char *pr[] = {p->run};
    PGresult *r = q(p, "SELECT step, seconds FROM tznr.run_step WHERE run_id = $1::bigint ORDER BY position", 1, pr);
    out(p, "<h3>Durée de chaque étape</h3>\n");
    if (PQntuples(r) == 0) {
        out(p, "<p class=\"note\">Les durées des étapes ne sont pas enregistrées pour cette nuit.</p>\n");
    } else {
        html_bar *b = xcalloc((size_t)PQntuples(r), sizeof *b);
        out(p, "<table class=\"tri\" id=\"t-etapes\">");
        static const char *const heads[] = {"Étape", "Durée"};
        th_row(p, heads, 2);
        out(p, "<tbody>");
        for (int i = 0; i < PQntuples(r); i++) {
            b[i] = (html_bar){step_fr(str(r, i, 0)), dbl(r, i, 1), 0};
            out(p, "<tr>");
            td(p, step_fr(str(r, i, 0)));
            html_measure_td(p->h, dbl(r, i, 1), 1, "s", 0);
            out(p, "</tr>");
        }
        out(p, "</tbody></table>\n");
        html_hbars(p->h, "Durée des étapes de la nuit (secondes)", b, (size_t)PQntuples(r), 0, 1, "secondes",
                   p->thr);
        free(b);
    }
    PQclear(r);

    /* the extracts received */
    const char *pl[] = {p->started, p->finished};
    r = q(p,
          "SELECT COALESCE(source_id, ''), file_name, outcome, COALESCE(rows_read, -1), COALESCE(rows_rejected, -1),"
          " COALESCE(reason, '') FROM tznr.load_attempt WHERE at >= $1::timestamptz AND at <= $2::timestamptz"
          " ORDER BY source_id NULLS LAST, id",
          2, pl);
    out(p, "<h3>Extraits reçus</h3>\n");
    if (PQntuples(r) == 0) {
        out(p, "<p>Aucun extrait n’est arrivé cette nuit : les données de la nuit précédente restent en place.</p>\n");
    } else {
        secret_grid g;
        secret_init(&g);
        size_t *cells = xcalloc((size_t)PQntuples(r) * 2, sizeof *cells);
        for (int i = 0; i < PQntuples(r); i++) {
            cells[2 * i] = secret_cell(&g, ll(r, i, 3) < 0 ? 0 : ll(r, i, 3));
            cells[2 * i + 1] = secret_cell(&g, ll(r, i, 4) < 0 ? 0 : ll(r, i, 4));
        }
        secret_apply(&g, p->thr);
        out(p, "<table class=\"tri\" id=\"t-extraits\">");
        static const char *const heads[] = {"Source", "Fichier", "Résultat", "Lignes lues", "Lignes rejetées",
                                            "Motif du refus"};
        th_row(p, heads, 6);
        out(p, "<tbody>");
        for (int i = 0; i < PQntuples(r); i++) {
            out(p, "<tr>");
            td(p, str(r, i, 0)[0] ? str(r, i, 0) : "inconnue");
            const char *file = strrchr(str(r, i, 1), '/') ? strrchr(str(r, i, 1), '/') + 1 : str(r, i, 1);
            td_m(p, file);
            td(p, outcome_fr(str(r, i, 2)));
            if (ll(r, i, 3) < 0)
                out(p, "<td></td>");
            else
                count_td(p, &g, cells[2 * i]);
            if (ll(r, i, 4) < 0)
                out(p, "<td></td>");
            else
                count_td(p, &g, cells[2 * i + 1]);
            td_m(p, str(r, i, 5)); /* a technical message for the operator, kept as written */
            out(p, "</tr>");
        }
        out(p, "</tbody></table>\n");
        free(cells);
        secret_free(&g);
    }
    PQclear(r);

    /* the snapshots in use that night */
    const char *ps[] = {p->date, p->finished};
    r = q(p,
          "SELECT DISTINCT ON (n.source_id) n.source_id, pg_catalog.to_char(n.extract_date, 'DD/MM/YYYY'),"
          " ($1::date - n.extract_date), n.rows_loaded, n.rows_rejected"
          " FROM tznr.snapshot n WHERE n.loaded_at <= $2::timestamptz"
          " ORDER BY n.source_id, n.loaded_at DESC, n.id DESC",
          2, ps);
    out(p, "<h3>Données en place pour la nuit</h3>\n");
    if (PQntuples(r) > 0) {
        secret_grid g;
        secret_init(&g);
        for (int i = 0; i < PQntuples(r); i++) {
            secret_cell(&g, ll(r, i, 3));
            secret_cell(&g, ll(r, i, 4));
        }
        secret_apply(&g, p->thr);
        out(p, "<table class=\"tri\" id=\"t-donnees\">");
        static const char *const heads[] = {"Source", "Date de l’extrait", "Âge", "Lignes chargées",
                                            "Lignes rejetées"};
        th_row(p, heads, 5);
        out(p, "<tbody>");
        for (int i = 0; i < PQntuples(r); i++) {
            out(p, "<tr>");
            td(p, str(r, i, 0));
            td_m(p, str(r, i, 1));
            html_measure_td(p->h, dbl(r, i, 2), 0, "jours", 0);
            count_td(p, &g, (size_t)(2 * i));
            count_td(p, &g, (size_t)(2 * i + 1));
            out(p, "</tr>");
        }
        out(p, "</tbody></table>\n");
        secret_free(&g);
    }
    PQclear(r);

    /* the registers */
    out(p, "<h3>Registres des payeurs</h3>\n");
    if (!p->latest) {
        out(p, "<p class=\"note\">Les registres ne sont conservés que pour la dernière nuit.</p>\n");
    } else {
        const char *pd[] = {p->date};
        r = q(p,
              "SELECT benefit, declared, COALESCE(source_id, ''), COALESCE(pg_catalog.to_char(extract_date,"
              " 'DD/MM/YYYY'), ''), COALESCE(($1::date - extract_date)::text, ''), fresh, reports, current"
              " FROM tznr.run_register ORDER BY 1, 2, 3",
              1, pd);
        if (PQntuples(r) == 0) {
            out(p, "<p>Aucun registre n’est déclaré (<code>[registers]</code>) : un foyer absent d’un extrait "
                   "n’est jamais compté comme non payé.</p>\n");
        } else {
            out(p, "<table class=\"tri\" id=\"t-registres\">");
            static const char *const heads[] = {"Prestation", "Déclaré", "Source", "Date de l’extrait", "Âge",
                                                "État"};
            th_row(p, heads, 6);
            out(p, "<tbody>");
            for (int i = 0; i < PQntuples(r); i++) {
                out(p, "<tr>");
                td(p, str(r, i, 0));
                td(p, str(r, i, 1));
                td(p, str(r, i, 2)[0] ? str(r, i, 2) : "aucune source chargée");
                td_m(p, str(r, i, 3));
                if (str(r, i, 4)[0])
                    html_measure_td(p->h, dbl(r, i, 4), 0, "jours", 0);
                else
                    out(p, "<td></td>");
                const char *state = str(r, i, 7)[0] == 't' ? "en vigueur"
                                    : str(r, i, 5)[0] != 't' ? "trop ancien"
                                    : str(r, i, 6)[0] != 't' ? "ne déclare pas la prestation"
                                                             : "incomplet";
                td(p, state);
                out(p, "</tr>");
            }
            out(p, "</tbody></table>\n");
        }
        PQclear(r);
    }
    out(p, "</section>\n");
}

/* ---------------------------------------------------------------- linkage */

static const char *method_fr(const char *m)
{
    if (strcmp(m, "nir") == 0)
        return "NIR identique";
    if (strcmp(m, "ident") == 0)
        return "identité exacte (nom, prénoms, date de naissance)";
    if (strcmp(m, "ident_alt") == 0)
        return "identité exacte, autre graphie";
    return "encodage approché, selon le modèle";
}

static void prob_note(sbuf *h, double w)
{
    double pr = 1.0 / (1.0 + pow(2.0, -w));
    sbuf_adds(h, "p = ");
    html_dec(h, pr, pr > 0.999 ? 4 : pr > 0.99 ? 3 : 2);
}

/* The model's comparisons and levels in French (link.c names them in English for the audit log). */
static const char *comparison_fr(const char *c)
{
    static const char *const map[][2] = {{"clk_dice", "ressemblance des encodages (Dice), dates de naissance différentes"},
                                         {"clk_dice_dob", "ressemblance des encodages (Dice), même date de naissance"},
                                         {"birth", "naissance"},
                                         {"sex", "sexe"},
                                         {"commune", "commune"},
                                         {"k_nir", "NIR"},
                                         {"sex_dob", "sexe, même date de naissance"},
                                         {"commune_dob", "commune, même date de naissance"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(c, map[i][0]) == 0)
            return map[i][1];
    return c;
}

static void level_fr(sbuf *h, const char *l)
{
    static const char *const map[][2] = {{"born more than a year apart", "nés à plus d’un an d’écart"},
                                         {"born a year apart", "nés à un an d’écart"},
                                         {"born the same year", "nés la même année"},
                                         {"same date of birth", "même date de naissance"},
                                         {"different", "différent"},
                                         {"same", "identique"},
                                         {"Dice < 0.56", "Dice < 0,56"},
                                         {"0.90 and up", "0,90 et plus"},
                                         /* the bands of runs before 2026-12-03 */
                                         {"Dice < 0.62", "Dice < 0,62"},
                                         {"0.95 and up", "0,95 et plus"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(l, map[i][0]) == 0) {
            html_esc(h, map[i][1]);
            return;
        }
    for (const char *c = l; *c; c++) /* a band "0.56-0.60" */
        sbuf_addc(h, *c == '.' ? ',' : *c == '-' ? ' ' : *c);
}

static const char *em_status_fr(const char *s)
{
    if (strcmp(s, "converged") == 0)
        return "a convergé";
    if (strncmp(s, "did not converge", 16) == 0)
        return "n’a pas convergé dans la limite des itérations";
    return s;
}

#define HIST_WIDTH 2.0
#define HIST_TOP 30.0

static void section_linkage(page *p)
{
    out(p, "<section id=\"rapprochement\"><h2>Rapprochement</h2>\n");
    if (!p->link_run[0]) {
        out(p, "<p>Le rapprochement de cette nuit n’est plus conservé (voir <code>[retention]</code>).</p></section>\n");
        return;
    }
    const char *pr[] = {p->link_run};
    PGresult *lr = q(p,
        "SELECT records, persons, links, possible, COALESCE(model_training, 'none'), COALESCE(model_status, ''),"
        " COALESCE(model_iterations, 0), COALESCE(model_lambda, -1), COALESCE(est_precision, -1),"
        " COALESCE(est_recall, -1), COALESCE(field_precision, -1), COALESCE(field_outcomes, 0),"
        " COALESCE((params::jsonb ->> 'match_probability')::float8, 0.9),"
        " COALESCE((params::jsonb ->> 'possible_probability')::float8, 0.5),"
        " ident_pairs, ident_namesakes, COALESCE(ident_kept_apart, -1)" /* where the keys were weighed (017, 018) */
        " FROM tznr.link_run WHERE id = $1::bigint", 1, pr);
    if (PQntuples(lr) == 0) {
        PQclear(lr);
        out(p, "<p>Le rapprochement de cette nuit n’est plus conservé.</p></section>\n");
        return;
    }
    secret_grid g;
    secret_init(&g);
    size_t c_records = secret_cell(&g, ll(lr, 0, 0)), c_persons = secret_cell(&g, ll(lr, 0, 1));
    size_t c_links = secret_cell(&g, ll(lr, 0, 2)), c_possible = secret_cell(&g, ll(lr, 0, 3));
    double match = dbl(lr, 0, 12), possible = dbl(lr, 0, 13);

    /* links by method */
    PGresult *rm = q(p, "SELECT method, pg_catalog.count(*) FROM tznr.link WHERE run_id = $1::bigint GROUP BY 1"
                        " ORDER BY pg_catalog.array_position(ARRAY['nir', 'ident', 'ident_alt', 'clk'], method)",
                     1, pr);
    int nm = PQntuples(rm);
    size_t *cm = xcalloc((size_t)nm + 1, sizeof *cm), c_clk = (size_t)-1;
    for (int i = 0; i < nm; i++) {
        cm[i] = secret_cell(&g, ll(rm, i, 1));
        if (strcmp(str(rm, i, 0), "clk") == 0)
            c_clk = cm[i];
    }
    secret_relation(&g, c_links, cm, (size_t)nm);

    /* the model's scores, in bins of match weight */
    double x0 = floor(log2(possible / (1 - possible)) / HIST_WIDTH) * HIST_WIDTH;
    if (x0 > 0)
        x0 = 0;
    size_t nbins = (size_t)((HIST_TOP - x0) / HIST_WIDTH);
    char sx0[32], sw[32], snb[32];
    snprintf(sx0, sizeof sx0, "%g", x0);
    snprintf(sw, sizeof sw, "%g", HIST_WIDTH);
    snprintf(snb, sizeof snb, "%zu", nbins - 1);
    const char *ph[] = {p->link_run, sx0, sw, snb};
    PGresult *rh = q(p,
        "WITH s AS (SELECT 0 AS k, score FROM tznr.link WHERE run_id = $1::bigint AND method = 'clk'"
        "           UNION ALL SELECT 1, score FROM tznr.possible_link WHERE run_id = $1::bigint)"
        " SELECT k, LEAST(GREATEST(pg_catalog.floor((CASE WHEN score >= 1 THEN 1e9 WHEN score <= 0 THEN -1e9"
        "        ELSE pg_catalog.ln(score::float8 / (1 - score::float8)) / pg_catalog.ln(2) END - $2::float8)"
        "        / $3::float8), 0), $4::float8)::integer AS bin, pg_catalog.count(*)"
        " FROM s GROUP BY 1, 2 ORDER BY 1, 2", 4, ph);
    long long *hv = xcalloc(2 * nbins, sizeof *hv);
    for (int i = 0; i < PQntuples(rh); i++)
        hv[(size_t)ll(rh, i, 0) * nbins + (size_t)ll(rh, i, 1)] = ll(rh, i, 2);
    PQclear(rh);
    /* up to the highest bin that holds a pair, and at least past the threshold */
    size_t used = (size_t)ceil((log2(match / (1 - match)) - x0) / HIST_WIDTH) + 1;
    for (size_t i = 0; i < nbins; i++)
        if ((hv[i] || hv[nbins + i]) && i + 2 > used)
            used = i + 2;
    if (used < nbins) {
        memmove(hv + used, hv + nbins, used * sizeof *hv);
        nbins = used;
    }
    size_t *hc = xcalloc(2 * nbins, sizeof *hc);
    for (size_t i = 0; i < 2 * nbins; i++)
        hc[i] = secret_cell(&g, hv[i]);
    if (c_clk != (size_t)-1)
        secret_relation(&g, c_clk, hc, nbins);
    secret_relation(&g, c_possible, hc + nbins, nbins);

    /* persons by number of sources, as the linkage counted them (link runs from migration 015
     * on; NULL before) */
    PGresult *rp = q(p,
        "SELECT persons_one_source, persons_two_sources, persons_more_sources FROM tznr.link_run"
        " WHERE id = $1::bigint AND persons_one_source IS NOT NULL", 1, pr);
    long long pv[3] = {0, 0, 0};
    int have_persons = PQntuples(rp) > 0;
    for (int i = 0; have_persons && i < 3; i++)
        pv[i] = ll(rp, 0, i);
    PQclear(rp);
    size_t pc[3];
    for (int i = 0; i < 3; i++)
        pc[i] = secret_cell(&g, pv[i]);
    if (have_persons)
        secret_relation(&g, c_persons, pc, 3);

    /* the identity keys, where the run weighed them (NULL otherwise) */
    int have_keys = !PQgetisnull(lr, 0, 15);
    size_t c_ipairs = 0, c_ikept = 0;
    double namesakes = have_keys ? dbl(lr, 0, 15) : 0;
    long long kept_apart = have_keys ? ll(lr, 0, 16) : -1;
    if (have_keys) {
        c_ipairs = secret_cell(&g, ll(lr, 0, 14));
        c_ikept = secret_cell(&g, kept_apart < 0 ? 0 : kept_apart);
    }
    secret_apply(&g, p->thr);

    out(p, "<dl class=\"kv\"><dt>Enregistrements rapprochés</dt><dd>");
    html_count_text(p->h, g.v[c_records], g.hide[c_records], p->thr);
    out(p, "</dd><dt>Personnes</dt><dd>");
    html_count_text(p->h, g.v[c_persons], g.hide[c_persons], p->thr);
    out(p, "</dd><dt>Liens retenus</dt><dd>");
    html_count_text(p->h, g.v[c_links], g.hide[c_links], p->thr);
    out(p, "</dd><dt>Liens possibles, non retenus (à examiner)</dt><dd>");
    html_count_text(p->h, g.v[c_possible], g.hide[c_possible], p->thr);
    out(p, "</dd></dl>\n");

    out(p, "<h3>Liens par méthode</h3>\n<table class=\"tri\" id=\"t-methodes\">");
    static const char *const mh[] = {"Méthode", "Liens"};
    th_row(p, mh, 2);
    out(p, "<tbody>");
    html_bar *bars = xcalloc((size_t)nm + 3, sizeof *bars);
    for (int i = 0; i < nm; i++) {
        sbuf_addf(p->h, "<tr data-k=\"%s\">", str(rm, i, 0)); /* the method's id, for the tests */
        td(p, method_fr(str(rm, i, 0)));
        count_td(p, &g, cm[i]);
        out(p, "</tr>");
        bars[i] = (html_bar){method_fr(str(rm, i, 0)), (double)g.v[cm[i]], g.hide[cm[i]]};
    }
    out(p, "</tbody><tfoot><tr><td>Total</td>");
    count_td(p, &g, c_links);
    out(p, "</tr></tfoot></table>\n");
    html_hbars(p->h, "Liens retenus par méthode", bars, (size_t)nm, 1, 0, "liens", p->thr);

    out(p, "<h3>Distribution des scores du modèle</h3>\n<p class=\"note\">Chaque paire comparée par le modèle a "
           "un poids de correspondance : plus il est haut, plus les deux enregistrements désignent "
           "vraisemblablement la même personne. Sous chaque graduation, la probabilité qui lui correspond. La "
           "ligne rouge est le seuil de décision ; les paires en dessous ne sont pas rapprochées mais restent à "
           "examiner. Une barre hachurée signale un effectif masqué par le secret statistique.</p>\n");
    int *hh = xcalloc(2 * nbins, sizeof *hh);
    for (size_t i = 0; i < 2 * nbins; i++)
        hh[i] = g.hide[hc[i]];
    sbuf ml;
    sbuf_init(&ml);
    sbuf_adds(&ml, "seuil p = ");
    html_dec(&ml, match, 2);
    html_histogram(p->h, "Paires comparées par le modèle, selon leur poids de correspondance", x0, HIST_WIDTH, nbins,
                   hv, hh, hv + nbins, hh + nbins, "liens retenus", "liens possibles, non retenus",
                   log2(match / (1 - match)), ml.p, "poids de correspondance (log₂ de la cote)", prob_note, p->thr);
    sbuf_free(&ml);
    out(p, "<table class=\"tri\" id=\"t-scores\">");
    static const char *const hhd[] = {"Poids de correspondance", "Liens retenus", "Liens possibles"};
    th_row(p, hhd, 3);
    out(p, "<tbody>");
    for (size_t i = 0; i < nbins; i++) {
        if (hv[i] == 0 && hv[nbins + i] == 0)
            continue;
        sbuf_addf(p->h, "<tr><td data-v=\"%g\" class=\"c m\"><span class=\"m\">", x0 + (double)i * HIST_WIDTH);
        if (i + 1 == nbins)
            sbuf_adds(p->h, "≥ ");
        html_dec(p->h, x0 + (double)i * HIST_WIDTH, 0);
        if (i + 1 < nbins) {
            sbuf_adds(p->h, " à ");
            html_dec(p->h, x0 + (double)(i + 1) * HIST_WIDTH, 0);
        }
        out(p, "</span></td>");
        count_td(p, &g, hc[i]);
        count_td(p, &g, hc[nbins + i]);
        out(p, "</tr>");
    }
    out(p, "</tbody></table>\n");

    out(p, "<h3>Personnes selon le nombre de sources qui les connaissent</h3>\n");
    if (!have_persons) {
        out(p, "<p class=\"note\">Ce décompte n’a pas été enregistré pour ce rapprochement (il l’est depuis la migration 015 de la base).</p>\n");
    } else {
        static const char *const np[] = {"une source", "deux sources", "trois sources ou plus"};
        out(p, "<table class=\"tri\" id=\"t-personnes\">");
        static const char *const pch[] = {"Connue de", "Personnes"};
        th_row(p, pch, 2);
        out(p, "<tbody>");
        for (int i = 0; i < 3; i++) {
            out(p, "<tr>");
            td(p, np[i]);
            count_td(p, &g, pc[i]);
            out(p, "</tr>");
            bars[i] = (html_bar){np[i], (double)pv[i], g.hide[pc[i]]};
        }
        out(p, "</tbody><tfoot><tr><td>Total</td>");
        count_td(p, &g, c_persons);
        out(p, "</tr></tfoot></table>\n");
        html_hbars(p->h, "Personnes selon le nombre de sources qui les connaissent", bars, 3, 1, 0, "personnes",
                   p->thr);
    }
    free(bars);

    /* the model */
    out(p, "<h3>Le modèle de rapprochement de la nuit</h3>\n");
    const char *training = str(lr, 0, 4);
    if (strcmp(training, "none") == 0) {
        char why[512];
        link_why_fr(str(lr, 0, 5), why, sizeof why);
        out(p, "<p>Pas de modèle cette nuit : ");
        esc(p, why);
        out(p, ". Seuls les liens exacts ont été faits.</p>\n");
    } else {
        out(p, "<dl class=\"kv\"><dt>Appris</dt><dd>");
        out(p, strcmp(training, "keys") == 0 ? "sur les paires qu’un même NIR relie"
               : strcmp(training, "em") == 0 ? "sans exemple étiqueté, par maximisation de l’espérance (EM)"
                                             : "fourni par la configuration");
        out(p, "</dd><dt>Convergence</dt><dd>");
        mtext(p, em_status_fr(str(lr, 0, 5)));
        out(p, ", ");
        html_measure(p->h, dbl(lr, 0, 6), 0, "itérations");
        out(p, "</dd><dt>Part des paires candidates qui sont la même personne</dt><dd>");
        html_measure(p->h, 100 * dbl(lr, 0, 7), 3, "%");
        out(p, "</dd><dt>Précision estimée</dt><dd>");
        html_measure(p->h, dbl(lr, 0, 8), 4, "");
        out(p, "</dd><dt>Rappel estimé</dt><dd>");
        html_measure(p->h, dbl(lr, 0, 9), 4, "");
        out(p, "</dd><dt>Précision mesurée sur le terrain</dt><dd>");
        if (dbl(lr, 0, 10) >= 0) {
            html_measure(p->h, dbl(lr, 0, 10), 4, "");
            out(p, " (d’après les retours des équipes : erreurs de rapprochement parmi les contacts)");
        } else {
            out(p, "pas encore assez de retours des équipes");
        }
        out(p, "</dd><dt>Seuil de décision</dt><dd>");
        html_measure(p->h, match, 2, "");
        out(p, "</dd></dl>\n");
        PGresult *rmod = q(p, "SELECT comparison, label, m, u, weight FROM tznr.link_model WHERE run_id = $1::bigint"
                              " ORDER BY position, level", 1, pr);
        int n = PQntuples(rmod);
        out(p, "<table class=\"tri\" id=\"t-modele\">");
        static const char *const mdh[] = {"Comparaison", "Niveau", "m (même personne)", "u (personnes différentes)",
                                          "Poids de correspondance"};
        th_row(p, mdh, 5);
        out(p, "<tbody>");
        html_bar *wb = xcalloc((size_t)n + 1, sizeof *wb);
        sbuf labels;
        sbuf_init(&labels);
        size_t *off = xcalloc((size_t)n + 1, sizeof *off);
        for (int i = 0; i < n; i++) {
            out(p, "<tr>");
            td(p, comparison_fr(str(rmod, i, 0)));
            out(p, "<td><span class=\"m\">");
            level_fr(p->h, str(rmod, i, 1));
            out(p, "</span></td>");
            html_measure_td(p->h, dbl(rmod, i, 2), 4, "", 0);
            html_measure_td(p->h, dbl(rmod, i, 3), 6, "", 0);
            html_measure_td(p->h, dbl(rmod, i, 4), 2, "", 0);
            out(p, "</tr>");
            off[i] = labels.len;
            sbuf_addf(&labels, "%s : ", str(rmod, i, 0));
            level_fr(&labels, str(rmod, i, 1));
            sbuf_addc(&labels, '\0');
        }
        out(p, "</tbody></table>\n");
        for (int i = 0; i < n; i++)
            wb[i] = (html_bar){labels.p + off[i], dbl(rmod, i, 4), 0};
        html_hbars(p->h, "Poids de correspondance de chaque niveau (positif : rapproche ; négatif : sépare)", wb,
                   (size_t)n, 0, 1, "poids (log₂ du rapport m / u)", p->thr);
        free(off);
        sbuf_free(&labels);
        free(wb);
        PQclear(rmod);
    }

    /* the identity keys */
    out(p, "<h3>Les clés d’identité</h3>\n");
    if (have_keys) {
        out(p, "<p>Deux fiches qui partagent une clé d’identité (mêmes nom, prénoms et date de naissance, par leurs "
               "empreintes) sont la même personne, sauf deux homonymes nés le même jour. Cette nuit, le rapprochement "
               "a compté ces homonymes et pesé chaque paire : une autre commune ou un autre NIR disent deux "
               "personnes, et la paire n’est alors pas reliée par sa clé.</p>\n");
        out(p, "<dl class=\"kv\" id=\"cles-identite\"><dt>Paires de fiches partageant une clé</dt><dd>");
        html_count_text(p->h, g.v[c_ipairs], g.hide[c_ipairs], p->thr);
        out(p, "</dd><dt>Homonymes nés le même jour attendus parmi elles (estimation)</dt><dd>");
        html_measure(p->h, namesakes, 0, "");
        out(p, "</dd><dt>Paires gardées séparées (deux personnes)</dt><dd>");
        if (kept_apart >= 0)
            html_count_text(p->h, g.v[c_ikept], g.hide[c_ikept], p->thr);
        else
            out(p, "non enregistré pour ce rapprochement (il l’est depuis la migration 018 de la base)");
        out(p, "</dd></dl>\n");
    } else {
        out(p, "<p id=\"cles-identite\">Cette nuit, les clés d’identité (mêmes nom, prénoms et date de naissance) "
               "ont relié leurs fiches sans les peser : le modèle n’a pas été appris sur le NIR, trop peu de paires "
               "de NIR différents nés le même jour permettaient de compter les homonymes (un petit territoire, où ils "
               "sont rares), ou le rapprochement est antérieur à la migration 017 de la base.</p>\n");
    }
    free(hh);
    free(hc);
    free(hv);
    free(cm);
    PQclear(rm);
    PQclear(lr);
    secret_free(&g);
    out(p, "</section>\n");
}

/* ---------------------------------------------------------------- detection */

enum { D_CAND, D_LISTED, D_OPP, D_COOL, D_SETTLED, D_UNREACH, D_OTHER, D_NCOLS };

static void section_detection(page *p)
{
    out(p, "<section id=\"detection\"><h2>Détection</h2>\n<p class=\"note\">Un foyer repéré pour deux règles "
           "compte pour chacune : les effectifs ci-dessous comptent des paires (foyer, règle). Les montants sont "
           "des estimations mensuelles.</p>\n");
    const char *pr[] = {p->run};
    PGresult *rr = q(p,
        "SELECT c.rule_id, COALESCE(ru.benefit, ''), pg_catalog.count(*),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed IS NULL),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed = 'opposition'),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed = 'cooldown'),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed = 'settled'),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed = 'unreachable'),"
        " pg_catalog.count(*) FILTER (WHERE c.suppressed NOT IN ('opposition', 'cooldown', 'settled', 'unreachable')),"
        " COALESCE(pg_catalog.sum(c.estimate) FILTER (WHERE c.suppressed IS NULL), 0)"
        " FROM tznr.candidate c LEFT JOIN tznr.rule ru ON ru.id = c.rule_id WHERE c.run_id = $1::bigint"
        " GROUP BY 1, 2 ORDER BY 1", 1, pr);
    int nr = PQntuples(rr);
    secret_grid g;
    secret_init(&g);
    size_t *rc = xcalloc((size_t)(nr + 1) * D_NCOLS, sizeof *rc);
    long long tot[D_NCOLS] = {0};
    double amount_total = 0;
    for (int i = 0; i < nr; i++)
        for (int c = 0; c < D_NCOLS; c++) {
            rc[i * D_NCOLS + c] = secret_cell(&g, ll(rr, i, 2 + c));
            tot[c] += ll(rr, i, 2 + c);
        }
    for (int c = 0; c < D_NCOLS; c++)
        rc[nr * D_NCOLS + c] = secret_cell(&g, tot[c]);
    size_t *parts = xcalloc((size_t)nr + D_NCOLS, sizeof *parts);
    for (int i = 0; i <= nr; i++) /* candidates = listed + the reasons not to list */
        secret_relation(&g, rc[i * D_NCOLS + D_CAND], &rc[i * D_NCOLS + D_LISTED], D_NCOLS - 1);
    for (int c = 0; c < D_NCOLS; c++) {
        for (int i = 0; i < nr; i++)
            parts[i] = rc[i * D_NCOLS + c];
        secret_relation(&g, rc[nr * D_NCOLS + c], parts, (size_t)nr);
    }
    size_t c_listed = rc[nr * D_NCOLS + D_LISTED]; /* shared with the teams' and communes' tables */

    /* teams */
    PGresult *rt = q(p,
        "SELECT e.team, pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE e.first_detected = e.run_date),"
        " pg_catalog.count(*) FILTER (WHERE e.first_detected < e.run_date),"
        " pg_catalog.count(*) FILTER (WHERE e.inconnu_de <> ''), COALESCE(pg_catalog.sum(e.estimate), 0),"
        " EXISTS (SELECT 1 FROM tznr.list_file f WHERE f.run_id = e.run_id AND f.team = e.team)"
        " FROM tznr.list_entry e WHERE e.run_id = $1::bigint GROUP BY e.run_id, e.team ORDER BY 2 DESC, 1", 1, pr);
    int nt = PQntuples(rt);
    long long team_total = 0, tnew = 0, told = 0, tunk = 0;
    size_t *tc = xcalloc((size_t)(nt + 1) * 4, sizeof *tc);
    for (int i = 0; i < nt; i++) {
        for (int c = 0; c < 4; c++)
            tc[i * 4 + c] = secret_cell(&g, ll(rt, i, 1 + c));
        team_total += ll(rt, i, 1);
        tnew += ll(rt, i, 2);
        told += ll(rt, i, 3);
        tunk += ll(rt, i, 4);
    }
    tc[nt * 4] = team_total == tot[D_LISTED] ? c_listed : secret_cell(&g, team_total);
    tc[nt * 4 + 1] = secret_cell(&g, tnew);
    tc[nt * 4 + 2] = secret_cell(&g, told);
    tc[nt * 4 + 3] = secret_cell(&g, tunk);
    size_t *tparts = xcalloc((size_t)nt + 2, sizeof *tparts);
    for (int i = 0; i <= nt; i++) /* listed = new + listed before */
        secret_relation(&g, tc[i * 4], &tc[i * 4 + 1], 2);
    for (int c = 0; c < 4; c++) {
        for (int i = 0; i < nt; i++)
            tparts[i] = tc[i * 4 + c];
        secret_relation(&g, tc[nt * 4 + c], tparts, (size_t)nt);
    }

    /* communes */
    PGresult *rcm = q(p,
        "SELECT COALESCE(e.commune, ''), pg_catalog.count(*), COALESCE(pg_catalog.sum(e.estimate), 0)"
        " FROM tznr.list_entry e WHERE e.run_id = $1::bigint GROUP BY 1 ORDER BY 2 DESC, 1", 1, pr);
    int nc = PQntuples(rcm);
    size_t *cc = xcalloc((size_t)nc + 1, sizeof *cc);
    for (int i = 0; i < nc; i++)
        cc[i] = secret_cell(&g, ll(rcm, i, 1));
    secret_relation(&g, tc[nt * 4], cc, (size_t)nc);

    /* payers that did not know the household */
    PGresult *ru = q(p,
        "SELECT x.payer, pg_catalog.count(*) FROM tznr.list_entry e,"
        " pg_catalog.unnest(pg_catalog.string_to_array(e.inconnu_de, ', ')) AS x(payer)"
        " WHERE e.run_id = $1::bigint AND e.inconnu_de <> '' GROUP BY 1 ORDER BY 2 DESC, 1", 1, pr);
    int np = PQntuples(ru);
    size_t *uc = xcalloc((size_t)np + 1, sizeof *uc);
    for (int i = 0; i < np; i++)
        uc[i] = secret_cell(&g, ll(ru, i, 1));
    secret_apply(&g, p->thr);

    /* by rule */
    out(p, "<h3>Par règle</h3>\n<table class=\"tri\" id=\"t-regles\">");
    out(p, "<p class=\"note\">Les candidats non listés le sont pour une de ces raisons : une opposition, une "
           "inscription sur une liste pendant le délai de carence, une situation réglée (droit ouvert, refus, "
           "non-éligibilité ou déjà bénéficiaire), aucune source capable de le ré-identifier pour une équipe ; « autre » pour toute autre.</p>\n");
    static const char *const rh[] = {"Règle", "Prestation", "Candidats", "Listés", "Opposition",
                                     "Listés récemment", "Réglés", "Sans équipe", "Autre",
                                     "Montant mensuel en jeu (listés)"};
    th_row(p, rh, 10);
    out(p, "<tbody>");
    html_bar *bars = xcalloc((size_t)(nr + nt + nc + np) + 1, sizeof *bars);
    for (int i = 0; i <= nr; i++) {
        out(p, i == nr ? "</tbody><tfoot><tr>" : "<tr>");
        td(p, i == nr ? "Total" : str(rr, i, 0));
        td(p, i == nr ? "" : str(rr, i, 1));
        for (int c = 0; c < D_NCOLS; c++)
            count_td(p, &g, rc[i * D_NCOLS + c]);
        double amount = i == nr ? amount_total : dbl(rr, i, 9);
        if (i < nr)
            amount_total += amount;
        html_measure_td(p->h, amount, 2, "€", g.hide[rc[i * D_NCOLS + D_LISTED]] != 0);
        out(p, "</tr>");
    }
    out(p, "</tfoot></table>\n");
    for (int i = 0; i < nr; i++)
        bars[i] = (html_bar){str(rr, i, 0), (double)ll(rr, i, 3), g.hide[rc[i * D_NCOLS + D_LISTED]]};
    html_hbars(p->h, "Foyers listés par règle", bars, (size_t)nr, 1, 0, "foyers listés", p->thr);
    for (int i = 0; i < nr; i++)
        bars[i] = (html_bar){str(rr, i, 0), dbl(rr, i, 9), g.hide[rc[i * D_NCOLS + D_LISTED]]};
    html_hbars(p->h, "Montant mensuel estimé en jeu, par règle (euros par mois)", bars, (size_t)nr, 0, 0,
               "euros par mois", p->thr);

    /* by team */
    out(p, "<h3>Par équipe</h3>\n<table class=\"tri\" id=\"t-equipes\">");
    static const char *const tth[] = {"Équipe", "Listés", "Nouveaux cette nuit", "Déjà listés une nuit précédente",
                                      "Inconnus d’un payeur de la prestation", "Montant mensuel en jeu",
                                      "Liste écrite"};
    th_row(p, tth, 7);
    out(p, "<tbody>");
    double tamount = 0;
    for (int i = 0; i <= nt; i++) {
        out(p, i == nt ? "</tbody><tfoot><tr>" : "<tr>");
        td(p, i == nt ? "Total" : str(rt, i, 0));
        for (int c = 0; c < 4; c++)
            count_td(p, &g, tc[i * 4 + c]);
        double amount = i == nt ? tamount : dbl(rt, i, 5);
        if (i < nt)
            tamount += amount;
        html_measure_td(p->h, amount, 2, "€", g.hide[tc[i * 4]] != 0);
        td(p, i == nt ? "" : str(rt, i, 6)[0] == 't' ? "oui" : "non");
        out(p, "</tr>");
    }
    out(p, "</tfoot></table>\n");
    for (int i = 0; i < nt; i++)
        bars[i] = (html_bar){str(rt, i, 0), (double)ll(rt, i, 1), g.hide[tc[i * 4]]};
    html_hbars(p->h, "Foyers listés par équipe", bars, (size_t)nt, 1, 0, "foyers listés", p->thr);

    /* by commune */
    out(p, "<h3>Par commune</h3>\n<table class=\"tri\" id=\"t-communes\">");
    static const char *const ch[] = {"Commune (code INSEE)", "Listés", "Montant mensuel en jeu"};
    th_row(p, ch, 3);
    out(p, "<tbody>");
    for (int i = 0; i < nc; i++) {
        out(p, "<tr>");
        td_m(p, str(rcm, i, 0)[0] ? str(rcm, i, 0) : "inconnue");
        count_td(p, &g, cc[i]);
        html_measure_td(p->h, dbl(rcm, i, 2), 2, "€", g.hide[cc[i]] != 0);
        out(p, "</tr>");
    }
    out(p, "</tbody><tfoot><tr><td>Total</td>");
    count_td(p, &g, tc[nt * 4]);
    html_measure_td(p->h, tamount, 2, "€", g.hide[tc[nt * 4]] != 0);
    out(p, "</tr></tfoot></table>\n");
    size_t ncb = 0;
    for (int i = 0; i < nc && ncb < 15; i++)
        bars[ncb++] = (html_bar){str(rcm, i, 0)[0] ? str(rcm, i, 0) : "inconnue", (double)ll(rcm, i, 1),
                                 g.hide[cc[i]]};
    html_hbars(p->h, "Les communes qui comptent le plus de foyers listés (quinze au plus)", bars, ncb, 1, 0,
               "foyers listés", p->thr);

    /* payers */
    out(p, "<h3>Foyers qu’un payeur ne connaissait pas</h3>\n<p class=\"note\">Un foyer listé est « inconnu » "
           "d’un payeur quand le registre complet de ce payeur ne le compte pas parmi ses allocataires : c’est "
           "précisément le non-recours que les listes cherchent.</p>\n");
    if (np == 0) {
        out(p, "<p>Aucun cette nuit (ou aucun registre déclaré).</p>\n");
    } else {
        out(p, "<table class=\"tri\" id=\"t-payeurs\">");
        static const char *const uh[] = {"Payeur", "Foyers listés qu’il ne connaissait pas"};
        th_row(p, uh, 2);
        out(p, "<tbody>");
        for (int i = 0; i < np; i++) {
            out(p, "<tr>");
            td(p, str(ru, i, 0));
            count_td(p, &g, uc[i]);
            out(p, "</tr>");
            bars[i] = (html_bar){str(ru, i, 0), (double)ll(ru, i, 1), g.hide[uc[i]]};
        }
        out(p, "</tbody></table>\n");
        html_hbars(p->h, "Foyers listés inconnus de chaque payeur", bars, (size_t)np, 1, 0, "foyers listés", p->thr);
    }
    free(bars);
    free(uc);
    free(cc);
    free(tparts);
    free(tc);
    free(parts);
    free(rc);
    PQclear(ru);
    PQclear(rcm);
    PQclear(rt);
    PQclear(rr);
    secret_free(&g);
    out(p, "</section>\n");
}

/* ---------------------------------------------------------------- trends */

static void section_trends(page *p)
{
    out(p, "<section id=\"tendances\"><h2>Tendances des trente dernières nuits</h2>\n<p class=\"note\">Pour chaque "
           "nuit : les candidats et les foyers listés ; les premiers contacts et les droits ouverts que les équipes "
           "ont datés depuis la nuit précédente (une paire foyer-règle compte à la date de son premier contact, "
           "et à celle de l’ouverture de son droit).</p>\n");
    const char *pr[] = {p->date, p->run};
    PGresult *r = q(p,
        "WITH runs AS (SELECT DISTINCT ON (run_date) id, run_date FROM tznr.run"
        "               WHERE run_date <= $1::date AND (status IN ('done', 'done_with_refusals') OR id = $2::bigint)"
        "               ORDER BY run_date, id DESC),"
        " w AS (SELECT id, run_date, pg_catalog.lag(run_date) OVER (ORDER BY run_date) AS prev FROM runs"
        "        ORDER BY run_date DESC LIMIT 30),"
        " contact AS (SELECT token, rule_id, pg_catalog.min(outcome_date) AS d FROM tznr.outcome"
        "              WHERE statut IN ('contacte', 'droit_ouvert', 'refus', 'non_eligible', 'deja_beneficiaire',"
        "                               'opposition') GROUP BY 1, 2),"
        " opened AS (SELECT token, rule_id, pg_catalog.min(outcome_date) AS d FROM tznr.outcome"
        "             WHERE statut = 'droit_ouvert' GROUP BY 1, 2)"
        " SELECT pg_catalog.to_char(w.run_date, 'DD/MM'), pg_catalog.to_char(w.run_date, 'DD/MM/YYYY'),"
        " (SELECT pg_catalog.count(*) FROM tznr.candidate c WHERE c.run_id = w.id),"
        " (SELECT pg_catalog.count(*) FROM tznr.list_entry e WHERE e.run_id = w.id),"
        " (SELECT pg_catalog.count(*) FROM contact f WHERE f.d > COALESCE(w.prev, '-infinity'::date)"
        "   AND f.d <= w.run_date),"
        " (SELECT pg_catalog.count(*) FROM opened f WHERE f.d > COALESCE(w.prev, '-infinity'::date)"
        "   AND f.d <= w.run_date)"
        " FROM w ORDER BY w.run_date", 2, pr);
    size_t n = (size_t)PQntuples(r);
    secret_grid g;
    secret_init(&g);
    long long *v = xcalloc(4 * n + 1, sizeof *v);
    int *hid = xcalloc(4 * n + 1, sizeof *hid);
    for (size_t s = 0; s < 4; s++)
        for (size_t i = 0; i < n; i++) {
            v[s * n + i] = ll(r, (int)i, 2 + (int)s);
            secret_cell(&g, v[s * n + i]);
        }
    secret_apply(&g, p->thr);
    for (size_t k = 0; k < 4 * n; k++)
        hid[k] = g.hide[k];
    const char **x = xcalloc(n + 1, sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = str(r, (int)i, 0);
    static const char *const n1[] = {"candidats", "foyers listés"};
    static const char *const n2[] = {"premiers contacts", "droits ouverts"};
    if (n > 0) {
        html_lines(p->h, "Candidats et foyers listés, nuit par nuit", x, n, n1, 2, v, hid, "foyers", p->thr);
        html_lines(p->h, "Premiers contacts et droits ouverts, nuit par nuit", x, n, n2, 2, v + 2 * n, hid + 2 * n,
                   "foyers", p->thr);
    }
    out(p, "<table class=\"tri\" id=\"t-tendances\">");
    static const char *const th[] = {"Nuit", "Candidats", "Listés", "Premiers contacts", "Droits ouverts"};
    th_row(p, th, 5);
    out(p, "<tbody>");
    for (size_t i = 0; i < n; i++) {
        out(p, "<tr>");
        td_m(p, str(r, (int)i, 1));
        for (size_t s = 0; s < 4; s++)
            html_count_td(p->h, v[s * n + i], hid[s * n + i], p->thr);
        out(p, "</tr>");
    }
    out(p, "</tbody></table>\n</section>\n");
    free(x);
    free(hid);
    free(v);
    secret_free(&g);
    PQclear(r);
}

/* ---------------------------------------------------------------- evaluation */

static void rate_chart(sbuf *h, const ev_table *t)
{
    /* the rules' total rows and the overall one, with their Wilson interval */
    const int W = 780, LW = 220, PX = LW + 12, PW = 460, RH = 26, TOP = 44;
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += !t->rows[i].team;
    int H = TOP + (int)n * RH + 44;
    sbuf_addf(h, "<figure><figcaption>Taux de recours parmi les foyers contactés, avec son intervalle de confiance à "
                 "95 %%</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                 "height=\"%d\" role=\"img\" aria-label=\"Taux de recours par règle\">",
              W, H, W, H);
#define XR(v) (PX + (v) * PW)
    int axis_y = TOP + (int)n * RH + 4;
    for (int k = 0; k <= 10; k += 2) {
        sbuf_addf(h, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", XR(k / 10.0), TOP,
                  XR(k / 10.0), axis_y);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d %%</text>", XR(k / 10.0),
                  axis_y + 16, k * 10);
    }
    static const struct {
        double v;
        const char *label;
    } refs[] = {{0.25, "Gironde 2017 : un quart"}, {0.63, "rendez-vous des droits : 63 %"}};
    for (size_t k = 0; k < 2; k++) {
        sbuf_addf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#7f3f98\" stroke-dasharray=\"4 3\"/>",
                  XR(refs[k].v), TOP - 4, XR(refs[k].v), axis_y);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" fill=\"#7f3f98\" text-anchor=\"middle\">%s</text>",
                  XR(refs[k].v), TOP - 8 - 16 * (int)(1 - k), refs[k].label);
    }
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        const ev_row *row = &t->rows[i];
        if (row->team)
            continue;
        int y = TOP + (int)k++ * RH;
        sbuf_addf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LW, y + 17);
        html_esc(h, row->rule ? row->rule : "Ensemble");
        sbuf_adds(h, "</text>");
        if (row->rate_hidden || row->n[EV_CONTACTED] == 0) {
            sbuf_addf(h, "<text class=\"s\" x=\"%d\" y=\"%d\">%s</text>", PX + 4, y + 17,
                      row->rate_hidden ? "secret" : "aucun contact");
            continue;
        }
        double lo, hi, rate = (double)row->n[EV_OPENED] / (double)row->n[EV_CONTACTED];
        evaluation_wilson(row->n[EV_OPENED], row->n[EV_CONTACTED], &lo, &hi);
        sbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#9dc3e6\"/>", PX, y + 5,
                  rate * PW, RH - 10);
        sbuf_addf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1b1b1b\" stroke-width=\"1.5\"/>",
                  XR(lo), y + RH / 2, XR(hi), y + RH / 2);
        sbuf_addf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1b1b1b\"/>", XR(lo), y + 7, XR(lo),
                  y + RH - 7);
        sbuf_addf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1b1b1b\"/>", XR(hi), y + 7, XR(hi),
                  y + RH - 7);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\">", XR(hi) + 6, y + 17);
        html_dec(h, 100 * rate, 1);
        sbuf_adds(h, " % [");
        html_dec(h, 100 * lo, 1);
        sbuf_adds(h, " – ");
        html_dec(h, 100 * hi, 1);
        sbuf_adds(h, "]</text>");
    }
#undef XR
    sbuf_adds(h, "</svg></figure>\n");
}

static const char *const ev_heads_fr[EV_NCOLS] = {
    "Listés", "Contactés", "Droit ouvert", "Refus", "Non éligibles", "Déjà bénéficiaires", "Opposition",
    "Contactés, sans suite connue", "Injoignables", "Erreur de rapprochement", "Sans retour"};

/* YYYY-MM-DD as DD/MM/YYYY. */
static void date_fr(sbuf *h, const char *iso)
{
    if (strlen(iso) == 10)
        sbuf_addf(h, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        html_esc(h, iso);
}

static void evaluation_body(sbuf *h, const ev_table *t, int thr, const char *from, const char *to)
{
    sbuf_adds(h, "<p>Période : nuits du <span class=\"m\">");
    date_fr(h, from);
    sbuf_adds(h, "</span> au <span class=\"m\">");
    date_fr(h, to);
    sbuf_adds(h, "</span>. Chaque foyer listé pour une règle et une équipe compte une fois, dans la colonne de son "
                 "retour le plus concluant ; le taux de recours est la part des droits ouverts parmi les foyers "
                 "contactés.</p>\n");
    if (t->n <= 1) {
        sbuf_adds(h, "<p>Aucun foyer listé sur la période.</p>\n");
        return;
    }
    rate_chart(h, t);
    sbuf_adds(h, "<table class=\"tri\" id=\"t-evaluation\"><thead><tr><th scope=\"col\">Règle</th><th scope=\"col\">Équipe</th>");
    for (int c = 0; c < EV_NCOLS; c++) {
        sbuf_adds(h, "<th scope=\"col\">");
        html_esc(h, ev_heads_fr[c]);
        sbuf_adds(h, "</th>");
    }
    sbuf_adds(h, "<th scope=\"col\">Taux de recours</th><th scope=\"col\">Intervalle de confiance à 95 %</th>"
                 "<th scope=\"col\">Montant mensuel des droits ouverts</th></tr></thead>\n<tbody>");
    for (size_t i = 0; i < t->n; i++) {
        const ev_row *row = &t->rows[i];
        if (!row->rule)
            sbuf_adds(h, "</tbody><tfoot>");
        sbuf_adds(h, row->team ? "<tr>" : "<tr class=\"total\">");
        sbuf_adds(h, "<td>");
        html_esc(h, row->rule ? row->rule : "Ensemble");
        sbuf_adds(h, "</td><td>");
        html_esc(h, row->team ? row->team : "Total");
        sbuf_adds(h, "</td>");
        for (int c = 0; c < EV_NCOLS; c++)
            html_count_td(h, row->n[c], (row->primary >> c) & 1u ? SECRET_SMALL
                                        : (row->secondary >> c) & 1u ? SECRET_COMPLEMENT : SECRET_SHOWN, thr);
        if (row->rate_hidden) {
            sbuf_adds(h, "<td class=\"c s\">secret</td><td class=\"c s\">secret</td>");
        } else if (row->n[EV_CONTACTED] == 0) {
            sbuf_adds(h, "<td class=\"c\"></td><td class=\"c\"></td>");
        } else {
            double lo, hi, rate = (double)row->n[EV_OPENED] / (double)row->n[EV_CONTACTED];
            evaluation_wilson(row->n[EV_OPENED], row->n[EV_CONTACTED], &lo, &hi);
            html_measure_td(h, 100 * rate, 1, "%", 0);
            sbuf_addf(h, "<td class=\"c m\" data-v=\"%.6f\"><span class=\"m\">", 100 * lo);
            html_dec(h, 100 * lo, 1);
            sbuf_adds(h, " – ");
            html_dec(h, 100 * hi, 1);
            sbuf_adds(h, " %</span></td>");
        }
        html_measure_td(h, row->amount, 2, "€", row->amount_hidden);
        sbuf_adds(h, "</tr>\n");
    }
    sbuf_adds(h, "</tfoot></table>\n");
}

static void section_evaluation(page *p, const char *from)
{
    out(p, "<section id=\"evaluation\"><h2>Évaluation</h2>\n");
    ev_table t;
    evaluation_compute(p->conn, from, p->date, &t);
    evaluation_suppress(&t, p->thr);
    evaluation_body(p->h, &t, p->thr, from, p->date);
    evaluation_free(&t);
    out(p, "</section>\n");
}

static void secrecy_note(sbuf *h, int thr)
{
    sbuf_addf(h, "<p class=\"note\">Secret statistique : tout effectif non nul inférieur à %d est affiché « &lt;"
                 "\xE2\x80\xAF%d », et les effectifs qui permettraient de le retrouver par différence sont affichés "
                 "« secret », de même que les taux et montants qui en dépendent (<code>[statistics] "
                 "secret_threshold</code>).</p>\n",
              thr, thr);
}

int report_html(PGconn *conn, const conf *cf, const char *date, const char *eval_from, sbuf *html, char *err,
                size_t cap)
{
    page p = {.conn = conn, .h = html, .thr = cf->secret_threshold, .date = date};
    const char *pd[] = {date};
    PGresult *run = q(&p,
        "SELECT r.id, r.status,"
        " pg_catalog.to_char(r.started_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI:SS'),"
        " COALESCE(pg_catalog.to_char(r.finished_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI:SS'), ''),"
        " COALESCE(EXTRACT(epoch FROM r.finished_at - r.started_at)::float8, -1), COALESCE(r.link_run_id::text, ''),"
        " r.started_at, COALESCE(r.finished_at, pg_catalog.clock_timestamp()),"
        " r.id = (SELECT pg_catalog.max(id) FROM tznr.run), pg_catalog.to_char(r.run_date, 'DD/MM/YYYY'),"
        " (SELECT pg_catalog.min(run_date)::text FROM tznr.run)"
        " FROM tznr.run r WHERE r.run_date = $1::date ORDER BY r.id DESC LIMIT 1", 1, pd);
    if (PQntuples(run) == 0) {
        PQclear(run);
        snprintf(err, cap, "aucune nuit n’a tourné le %s", date);
        return -1;
    }
    snprintf(p.run, sizeof p.run, "%s", str(run, 0, 0));
    snprintf(p.link_run, sizeof p.link_run, "%s", str(run, 0, 5));
    snprintf(p.started, sizeof p.started, "%s", str(run, 0, 6));
    snprintf(p.finished, sizeof p.finished, "%s", str(run, 0, 7));
    p.latest = str(run, 0, 8)[0] == 't';
    char title[96];
    snprintf(title, sizeof title, "tznr : rapport de la nuit du %s", str(run, 0, 9));
    html_begin(html, title);
    sbuf_adds(html, "<header><h1>Rapport de la nuit du <span class=\"m\">");
    html_esc(html, str(run, 0, 9));
    sbuf_adds(html, "</span></h1><p class=\"note\">Territoires zéro non recours : ce que la nuit a reçu, rapproché, "
                    "repéré et listé, et ce que les équipes ont rapporté. Aucune donnée nominative : seulement des "
                    "effectifs, sous le secret statistique. Les tableaux se trient d’un clic sur leur en-tête. "
                    "Chaque chiffre est expliqué dans le guide des agents de données (<code>docs/rapport.md</code>)."
                    "</p>\n");
    secrecy_note(html, p.thr);
    sbuf_adds(html, "<nav><ul><li><a href=\"#nuit\">La nuit</a></li><li><a href=\"#rapprochement\">Rapprochement</a>"
                    "</li><li><a href=\"#detection\">Détection</a></li><li><a href=\"#tendances\">Tendances</a></li>"
                    "<li><a href=\"#evaluation\">Évaluation</a></li></ul></nav></header>\n<main>\n");
    section_night(&p, run);
    section_linkage(&p);
    section_detection(&p);
    section_trends(&p);
    char from[16];
    snprintf(from, sizeof from, "%s", eval_from ? eval_from : str(run, 0, 10));
    section_evaluation(&p, from);
    PQclear(run);
    sbuf_adds(html, "</main>\n");
    html_end(html);
    return 0;
}

void report_evaluation_html(PGconn *conn, const conf *cf, const char *from, const char *to, sbuf *html)
{
    char title[96];
    snprintf(title, sizeof title, "tznr : évaluation du %s au %s", from, to);
    html_begin(html, title);
    sbuf_adds(html, "<header><h1>Évaluation</h1>\n");
    secrecy_note(html, cf->secret_threshold);
    sbuf_adds(html, "</header>\n<main>\n");
    ev_table t;
    evaluation_compute(conn, from, to, &t);
    evaluation_suppress(&t, cf->secret_threshold);
    evaluation_body(html, &t, cf->secret_threshold, from, to);
    evaluation_free(&t);
    sbuf_adds(html, "</main>\n");
    html_end(html);
}

int report_save(const sbuf *html, const char *path, char *err, size_t cap)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f && fwrite(html->p, 1, html->len, f) == html->len;
    if (f)
        ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        snprintf(err, cap, "could not write '%s': %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}
