/* tznr evaluation: the figures of a world set up here, computed by hand from its description;
 * the Wilson interval; statistical secrecy (no small count printed, no hidden count that a
 * row's or a column's total gives back) and its configurable threshold. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluation.h"
#include "testutil.h"

/* ---- the Wilson interval ---- */

START_TEST(test_wilson)
{
    double lo, hi;
    /* 20 of 50, by hand: p = 0.4, z^2/n = 3.841459/50 = 0.0768292; centre = (0.4 + 0.0384146) /
     * 1.0768292 = 0.4071347; half = 1.959964 / 1.0768292 * sqrt(0.0048 + 0.000384146) = 0.1310491 */
    evaluation_wilson(20, 50, &lo, &hi);
    ck_assert_msg(fabs(lo - 0.2760856) < 1e-5 && fabs(hi - 0.5381838) < 1e-5, "20/50: [%f, %f]", lo, hi);
    /* 0 of 10: [0, z^2/(n + z^2)] = [0, 3.841459/13.841459 = 0.2775328]; not Wald's [0, 0] */
    evaluation_wilson(0, 10, &lo, &hi);
    ck_assert_msg(fabs(lo) < 1e-9 && fabs(hi - 0.2775328) < 1e-5, "0/10: [%f, %f]", lo, hi);
    evaluation_wilson(10, 10, &lo, &hi);
    ck_assert_msg(fabs(lo - (1 - 0.2775328)) < 1e-5 && fabs(hi - 1) < 1e-9, "10/10: [%f, %f]", lo, hi);
}
END_TEST

/* ---- the secrecy audit, independent of evaluation_suppress ---- */

struct audit {
    const ev_table *t;
    int threshold;
    int bad;
    char why[512];
};

static long long val(const ev_table *t, ev_cell c) { return t->rows[c.row].n[c.col]; }

/* A relation must have no hidden cell, or two or more; and two hidden small cells (1 to
 * threshold - 1) alone with a visible total must not sum to 2 or to 2 (threshold - 1). */
static void audit_relation(void *ctx, ev_cell total, const ev_cell *parts, size_t n)
{
    struct audit *a = ctx;
    size_t hid = EV_HIDDEN(&a->t->rows[total.row], total.col);
    long long hsum = 0;
    int all_primary = 1;
    for (size_t i = 0; i < n; i++)
        if (EV_HIDDEN(&a->t->rows[parts[i].row], parts[i].col)) {
            hid++;
            hsum += val(a->t, parts[i]);
            all_primary &= (a->t->rows[parts[i].row].primary >> parts[i].col) & 1;
        }
    if (hid == 1 && !a->bad) {
        a->bad = 1;
        snprintf(a->why, sizeof a->why, "row %zu column %s: one hidden cell in its relation (total row %zu %s)",
                 parts[0].row, evaluation_col_names[parts[0].col], total.row, evaluation_col_names[total.col]);
    }
    if (a->threshold > 0 && hid == 2 && !EV_HIDDEN(&a->t->rows[total.row], total.col) && all_primary &&
        (hsum == 2 || hsum == 2 * (a->threshold - 1)) && !a->bad) {
        a->bad = 1;
        snprintf(a->why, sizeof a->why, "row %zu %s: two small hidden cells of known sum %lld", total.row,
                 evaluation_col_names[total.col], hsum);
    }
}

static void audit_table(const ev_table *t, int threshold)
{
    struct audit a = {t, threshold, 0, ""};
    for (size_t r = 0; r < t->n; r++)
        for (int c = 0; c < EV_NCOLS; c++) {
            long long v = t->rows[r].n[c];
            if (v > 0 && v < threshold)
                ck_assert_msg(EV_HIDDEN(&t->rows[r], c), "row %zu %s = %lld is shown", r, evaluation_col_names[c], v);
            if (EV_HIDDEN(&t->rows[r], c))
                ck_assert_msg(v > 0, "a zero hidden (row %zu %s)", r, evaluation_col_names[c]);
        }
    evaluation_relations(t, audit_relation, &a);
    ck_assert_msg(!a.bad, "%s", a.why);
}

static void add_row(ev_table *t, const char *rule, const char *team, const long long *outcomes)
{
    t->rows = realloc(t->rows, (t->n + 1) * sizeof *t->rows);
    ev_row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    r->rule = strdup(rule);
    r->team = strdup(team);
    for (int c = EV_OPENED; c < EV_NCOLS; c++)
        r->n[c] = outcomes[c - EV_OPENED];
    r->n[EV_CONTACTED] = r->n[EV_OPENED] + r->n[EV_REFUSED] + r->n[EV_NOT_ELIGIBLE] + r->n[EV_ALREADY] +
                         r->n[EV_OPPOSED] + r->n[EV_PENDING];
    r->n[EV_LISTED] = r->n[EV_CONTACTED] + r->n[EV_UNREACHABLE] + r->n[EV_WRONG_PERSON] + r->n[EV_NO_OUTCOME];
}

/* Tables made to need complements: one small cell in a row, one small team in a rule, two small
 * cells of sum 2, a rule with one team. */
START_TEST(test_secondary_suppression)
{
    /* opened refused not_elig already opposed pending unreachable wrong none */
    static const long long rows[][9] = {
        {20, 15, 12, 3, 0, 0, 12, 0, 11},  /* one small cell per relation */
        {40, 30, 25, 0, 0, 20, 15, 1, 1},  /* two hidden cells of sum 2 in the listed relation */
        {2, 0, 0, 0, 0, 0, 0, 0, 0},       /* a small team: its column sums give it back */
        {50, 50, 50, 50, 50, 50, 50, 50, 50},
        {12, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    ev_table t = {0};
    add_row(&t, "r1", "a", rows[0]);
    add_row(&t, "r1", "b", rows[1]);
    add_row(&t, "r1", "c", rows[2]);
    add_row(&t, "r2", "a", rows[3]);
    add_row(&t, "r3", "a", rows[4]);
    evaluation_add_totals(&t);
    ck_assert_int_eq(t.n, 9);
    ck_assert_ptr_null(t.rows[8].rule);
    ck_assert_int_eq(t.rows[8].n[EV_LISTED], 73 + 132 + 2 + 450 + 12);
    for (int thr = 3; thr <= 30; thr++) {
        evaluation_suppress(&t, thr);
        audit_table(&t, thr);
    }
    evaluation_suppress(&t, 11);
    /* r3/a, nothing small, in no relation with a hidden cell, is untouched; r2/a, nothing small
     * either, gives a complement to the small "wrong person" of r1/b in the overall total */
    ck_assert_str_eq(t.rows[6].rule, "r3");
    ck_assert_int_eq(t.rows[6].primary | t.rows[6].secondary, 0);
    ck_assert_int_eq(t.rows[4].primary, 0);
    ck_assert(EV_HIDDEN(&t.rows[4], EV_WRONG_PERSON));
    /* the rate goes with a hidden count of opened: row c */
    ck_assert(t.rows[2].rate_hidden && t.rows[2].amount_hidden);
    evaluation_free(&t);
}
END_TEST

/* ---- the command on a database ---- */

#define FROM "2026-11-01"
#define TO "2026-11-30"

struct world {
    const char *db, *dir;
    long long next_foyer;
};

/* N households listed on run RUN (dated DATE) for RULE and TEAM, estimates BASE, BASE+1...;
 * each with the outcome STATUT (NULL: none) dated ODATE. Return the first foyer id. */
static long long block(struct world *w, long long run, const char *date, const char *rule, const char *team, int n,
                       double base, const char *statut, const char *odate)
{
    long long f0 = w->next_foyer;
    w->next_foyer += n;
    tu_sqln(w->db,
            "INSERT INTO tznr.list_entry (run_id, run_date, team, rule_id, foyer_id, source_id, token, estimate,"
            " motif, confiance, priority, first_detected)"
            " SELECT %lld, '%s', '%s', '%s', %lld + i, 'caf:test', sha256(('f' || (%lld + i))::bytea), %.2f + i,"
            " 'm', 'haute', 1, '%s' FROM generate_series(0, %d) i; SELECT 0",
            run, date, team, rule, f0, f0, base, date, n - 1);
    if (statut)
        tu_sqln(w->db,
                "INSERT INTO tznr.outcome (token, rule_id, statut, outcome_date, file_name, line)"
                " SELECT sha256(('f' || (%lld + i))::bytea), '%s', '%s', '%s', 't.csv', i"
                " FROM generate_series(0, %d) i; SELECT 0",
                f0, rule, statut, odate, n - 1);
    return f0;
}

static long long new_run(struct world *w, const char *date, int written, const char *team)
{
    long long id = tu_sqln(w->db, "INSERT INTO tznr.run (run_date, status) VALUES ('%s', 'done') RETURNING id", date);
    if (written)
        tu_sqln(w->db, "INSERT INTO tznr.list_file (run_id, team, rows) VALUES (%lld, '%s', 1); SELECT 0", id, team);
    return id;
}

/* The world:
 *   rule aide_logement, team alpha (run of 11-02, written):
 *     20 droit_ouvert (estimates 100..119; 5 of them first 'contacte'), 15 refus, 12
 *     non_eligible, 3 deja_beneficiaire, 12 injoignable, 11 without outcome;
 *     4 households whose only outcome (droit_ouvert) is dated before their listing: no outcome;
 *     of the 20, listed again on the run of 11-20 (written): counted once.
 *   rule aide_logement, team beta (run of 11-02, written): 30 contacte, 14 erreur_rapprochement.
 *   rule css, team alpha (run of 11-20, written): 25 droit_ouvert (estimates 40..64), 25 opposition.
 *   not counted: a run of 11-10 whose alpha list was not written (7 droit_ouvert), a run of
 *   10-01 (9 droit_ouvert), before the period. */
static void world_init(struct world *w)
{
    w->dir = tu_tmpdir();
    w->db = tu_db(1);
    w->next_foyer = 1000;
    long long r1 = new_run(w, "2026-11-02", 1, "alpha");
    tu_sqln(w->db, "INSERT INTO tznr.list_file (run_id, team, rows) VALUES (%lld, 'beta', 1); SELECT 0", r1);
    long long r2 = new_run(w, "2026-11-20", 1, "alpha");
    long long r3 = new_run(w, "2026-11-10", 0, "alpha");
    long long r0 = new_run(w, "2026-10-01", 1, "alpha");
    long long opened = block(w, r1, "2026-11-02", "aide_logement", "alpha", 20, 100, "droit_ouvert", "2026-11-15");
    tu_sqln(w->db,
            "INSERT INTO tznr.outcome (token, rule_id, statut, outcome_date, file_name, line)"
            " SELECT sha256(('f' || (%lld + i))::bytea), 'aide_logement', 'contacte', '2026-11-05', 'c.csv', i"
            " FROM generate_series(0, 4) i; SELECT 0", opened);
    tu_sqln(w->db,
            "INSERT INTO tznr.list_entry (run_id, run_date, team, rule_id, foyer_id, source_id, token, estimate,"
            " motif, confiance, priority, first_detected)"
            " SELECT %lld, '2026-11-20', team, rule_id, foyer_id, source_id, token, estimate, motif, confiance,"
            " priority, first_detected FROM tznr.list_entry WHERE run_id = %lld AND foyer_id BETWEEN %lld AND %lld;"
            " SELECT 0", r2, r1, opened, opened + 19);
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 15, 10, "refus", "2026-11-15");
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 12, 10, "non_eligible", "2026-11-15");
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 3, 10, "deja_beneficiaire", "2026-11-15");
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 12, 10, "injoignable", "2026-11-15");
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 11, 10, NULL, NULL);
    block(w, r1, "2026-11-02", "aide_logement", "alpha", 4, 10, "droit_ouvert", "2026-10-15");
    block(w, r1, "2026-11-02", "aide_logement", "beta", 30, 10, "contacte", "2026-11-15");
    block(w, r1, "2026-11-02", "aide_logement", "beta", 14, 10, "erreur_rapprochement", "2026-11-15");
    block(w, r2, "2026-11-20", "css", "alpha", 25, 40, "droit_ouvert", "2026-11-25");
    block(w, r2, "2026-11-20", "css", "alpha", 25, 40, "opposition", "2026-11-25");
    block(w, r3, "2026-11-10", "aide_logement", "alpha", 7, 10, "droit_ouvert", "2026-11-15");
    block(w, r0, "2026-10-01", "aide_logement", "alpha", 9, 10, "droit_ouvert", "2026-10-15");
}

/* The CSV's cell of RULE, TEAM and column COL ("" when no such row or column). */
static const char *cell(const char *csv, const char *rule, const char *team, const char *col)
{
    static char buf[128];
    buf[0] = '\0';
    if (strncmp(csv, "\xEF\xBB\xBF", 3) == 0)
        csv += 3;
    int idx = -1, k = 0;
    const char *h = csv;
    size_t hl = strcspn(h, "\n");
    for (const char *p = h; p < h + hl; k++) {
        size_t n = strcspn(p, ";\n");
        if (n == strlen(col) && strncmp(p, col, n) == 0)
            idx = k;
        p += n + (p[n] == ';');
        if (p[-1] != ';')
            break;
    }
    if (idx < 0)
        return buf;
    for (const char *l = h + hl + 1; *l; l += strcspn(l, "\n") + 1) {
        char line[2048];
        size_t n = strcspn(l, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        char *f[64];
        int nf = 0;
        for (char *s = line, *tok; nf < 64 && (tok = strsep(&s, ";")) != NULL;)
            f[nf++] = tok;
        if (nf > idx && strcmp(f[0], rule) == 0 && strcmp(f[1], team) == 0) {
            snprintf(buf, sizeof buf, "%s", f[idx]);
            return buf;
        }
    }
    return buf;
}

static char *evaluation(struct world *w, const char *extra)
{
    const char *conf = tu_conf(w->dir, w->db, extra);
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "evaluation -c '%s' --from " FROM " --to " TO " --format csv", conf);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    return out;
}

#define CELL(rule, team, col, want)                                                                        \
    do {                                                                                                   \
        const char *got_ = cell(csv, rule, team, col);                                                     \
        ck_assert_msg(strcmp(got_, want) == 0, "%s/%s %s: '%s', not '%s'", rule, team, col, got_, want); \
    } while (0)

START_TEST(test_figures)
{
    struct world w;
    world_init(&w);
    /* threshold 3: only 1 and 2 are small; this world has none, so every figure shows */
    char *csv = evaluation(&w, "[statistics]\nsecret_threshold = 3\n");
    /* aide_logement/alpha: listed 20+15+12+3+12+11+4 = 77; contacted 20+15+12+3 = 50 */
    CELL("aide_logement", "alpha", "foyers_listes", "77");
    CELL("aide_logement", "alpha", "contactes", "50");
    CELL("aide_logement", "alpha", "droits_ouverts", "20");
    CELL("aide_logement", "alpha", "refus", "15");
    CELL("aide_logement", "alpha", "non_eligibles", "12");
    CELL("aide_logement", "alpha", "deja_beneficiaires", "3");
    CELL("aide_logement", "alpha", "contactes_sans_suite", "0");
    CELL("aide_logement", "alpha", "injoignables", "12");
    CELL("aide_logement", "alpha", "sans_retour", "15");
    /* 20 of 50: 40 %, Wilson [27.6 %, 53.8 %] */
    CELL("aide_logement", "alpha", "taux_recours_pct", "40,0");
    CELL("aide_logement", "alpha", "ic95_bas_pct", "27,6");
    CELL("aide_logement", "alpha", "ic95_haut_pct", "53,8");
    /* 100 + 101 + ... + 119 = 20 * 100 + 190 */
    CELL("aide_logement", "alpha", "montant_mensuel_droits_ouverts", "2190,00");
    CELL("aide_logement", "beta", "foyers_listes", "44");
    CELL("aide_logement", "beta", "contactes", "30");
    CELL("aide_logement", "beta", "contactes_sans_suite", "30");
    CELL("aide_logement", "beta", "erreurs_rapprochement", "14");
    CELL("aide_logement", "beta", "taux_recours_pct", "0,0");
    CELL("aide_logement", "Total", "foyers_listes", "121");
    CELL("aide_logement", "Total", "contactes", "80");
    /* css: 25 opened of 50 contacted (the oppositions were reached); 40 + ... + 64 = 25 * 40 + 300 */
    CELL("css", "alpha", "contactes", "50");
    CELL("css", "alpha", "oppositions", "25");
    CELL("css", "alpha", "taux_recours_pct", "50,0");
    CELL("css", "alpha", "montant_mensuel_droits_ouverts", "1300,00");
    CELL("Total", "Total", "foyers_listes", "171");
    CELL("Total", "Total", "droits_ouverts", "45");
    CELL("Total", "Total", "montant_mensuel_droits_ouverts", "3490,00");
    /* 45 of 130 = 34.6 % */
    CELL("Total", "Total", "taux_recours_pct", "34,6");
    free(csv);
}
END_TEST

/* The CSV read back as a table whose hidden cells are flagged (their values unknown: -1). */
static void csv_table(const char *csv, ev_table *t)
{
    memset(t, 0, sizeof *t);
    const char *body = strchr(csv, '\n') + 1;
    for (const char *l = body; *l; l += strcspn(l, "\n") + 1) {
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
        t->rows = realloc(t->rows, (t->n + 1) * sizeof *t->rows);
        ev_row *r = &t->rows[t->n++];
        memset(r, 0, sizeof *r);
        int k = 0;
        for (char *s = line, *tok; (tok = strsep(&s, ";")) != NULL; k++) {
            if (k < 2) {
                if (strcmp(tok, "Total") != 0)
                    *(k == 0 ? &r->rule : &r->team) = strdup(tok);
            } else if (k < 2 + EV_NCOLS) {
                if (strcmp(tok, "secret") == 0 || strncmp(tok, "< ", 2) == 0) {
                    r->primary |= 1u << (k - 2);
                    r->n[k - 2] = -1;
                } else {
                    r->n[k - 2] = atoll(tok);
                }
            }
        }
    }
}

/* In the CSV, every relation (a row's two sums, each column's per-rule and overall totals)
 * hides none of its cells or two or more: none can be worked out by a subtraction. */
static void audit_csv(const char *csv)
{
    ev_table t;
    csv_table(csv, &t);
    ck_assert_msg(t.n > 0 && !t.rows[t.n - 1].rule, "no overall total row");
    struct audit a = {&t, 0, 0, ""};
    evaluation_relations(&t, audit_relation, &a);
    ck_assert_msg(!a.bad, "%s\n%s", a.why, csv);
    evaluation_free(&t);
}

START_TEST(test_secrecy_in_csv)
{
    struct world w;
    world_init(&w);
    char *csv = evaluation(&w, NULL);
    /* default threshold 11: the 3 already receiving are hidden, and a complement in their row */
    CELL("aide_logement", "alpha", "deja_beneficiaires", "< 11");
    CELL("aide_logement", "alpha", "non_eligibles", "secret");
    CELL("aide_logement", "alpha", "refus", "15");
    /* the same 3 in the rule's total: hidden (its column has one team with any), with a complement */
    CELL("aide_logement", "Total", "deja_beneficiaires", "< 11");
    /* no number from 1 to 10 anywhere in the counts */
    const char *body = strchr(csv, '\n') + 1;
    for (const char *l = body; *l; l += strcspn(l, "\n") + 1) {
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
        int k = 0;
        for (char *s = line, *tok; (tok = strsep(&s, ";")) != NULL; k++) {
            if (k < 2 || k >= 2 + EV_NCOLS)
                continue;
            char *end;
            long v = strtol(tok, &end, 10);
            if (*end == '\0' && *tok)
                ck_assert_msg(v == 0 || v >= 11, "count %ld printed in: %s", v, line);
            else
                ck_assert_msg(strcmp(tok, "< 11") == 0 || strcmp(tok, "secret") == 0, "'%s' in: %s", tok, line);
        }
    }
    audit_csv(csv);
    /* with 20 as the threshold, the 12s and 15s go, and 20 comes back */
    free(csv);
    csv = evaluation(&w, "[statistics]\nsecret_threshold = 20\n");
    audit_csv(csv);
    CELL("aide_logement", "alpha", "refus", "< 20");
    CELL("aide_logement", "alpha", "non_eligibles", "< 20");
    CELL("aide_logement", "alpha", "droits_ouverts", "20");
    free(csv);
}
END_TEST

/* The texts of the cells of the HTML table row starting at ROW (tags dropped, U+202F as a
 * space), up to N of them. */
static size_t html_cells(const char *row, char cells[][64], size_t n)
{
    const char *end = strstr(row, "</tr>");
    size_t k = 0;
    for (const char *p = strstr(row, "<td"); p && p < end && k < n; p = strstr(p + 1, "<td")) {
        const char *q = strchr(p, '>') + 1;
        size_t w = 0;
        int in_tag = 0;
        for (; *q && strncmp(q, "</td>", 5) != 0; q++) {
            if (*q == '<')
                in_tag = 1;
            else if (*q == '>')
                in_tag = 0;
            else if (!in_tag && w < 63) {
                if (strncmp(q, "\xE2\x80\xAF", 3) == 0) {
                    cells[k][w++] = ' ';
                    q += 2;
                } else if (strncmp(q, "&lt;", 4) == 0) {
                    cells[k][w++] = '<';
                    q += 3;
                } else {
                    cells[k][w++] = *q;
                }
            }
        }
        cells[k++][w] = '\0';
    }
    return k;
}

/* --format html: the same figures as the CSV, cell for cell on every row, hidden alike. */
START_TEST(test_html_as_csv)
{
    struct world w;
    world_init(&w);
    char *csv = evaluation(&w, NULL);
    const char *conf = tu_conf(w.dir, w.db, NULL);
    char *html = NULL, *err = NULL;
    int rc = tu_tznr(&html, &err, "evaluation -c '%s' --from " FROM " --to " TO " --format html", conf);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strncmp(html, "<!DOCTYPE html>", 15) == 0 && strstr(html, "</html>") != NULL, "not a page");
    ck_assert_msg(strstr(html, "<script src") == NULL && strstr(html, "<link") == NULL, "an external resource");
    const char *table = strstr(html, "id=\"t-evaluation\"");
    ck_assert_msg(table != NULL, "no evaluation table");
    table = strstr(table, "</thead>"); /* the rows after the head */
    ck_assert(table != NULL);
    size_t rows = 0;
    for (const char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        char f[20][64];
        size_t nf = 0;
        const char *p = line;
        while (nf < 20) { /* the CSV's fields: no quotes in this world */
            size_t len = strcspn(p, ";\r\n");
            snprintf(f[nf++], 64, "%.*s", (int)len, p);
            if (p[len] != ';')
                break;
            p += len + 1;
        }
        table = strstr(table + 1, "<tr");
        ck_assert_msg(table != NULL, "the page has fewer rows than the CSV (%zu)", rows);
        char c[20][64];
        size_t nc = html_cells(table, c, 20);
        ck_assert_int_eq(nc, 16);
        ck_assert_msg(strcmp(c[0], strcmp(f[0], "Total") == 0 ? "Ensemble" : f[0]) == 0, "row %zu: %s, %s", rows, c[0],
                      f[0]);
        ck_assert_str_eq(c[1], f[1]);
        for (int k = 2; k < 13; k++)
            ck_assert_msg(strcmp(c[k], f[k]) == 0, "row %zu (%s, %s) column %d: page '%s', CSV '%s'", rows, f[0], f[1],
                          k, c[k], f[k]);
        rows++;
        if (!strchr(line, '\n'))
            break;
    }
    ck_assert_int_ge(rows, 5);
    free(html);
    free(err);
    free(csv);
}
END_TEST

START_TEST(test_refusals)
{
    struct world w = {.dir = tu_tmpdir(), .db = tu_db(1)};
    const char *conf = tu_conf(w.dir, w.db, NULL);
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "evaluation -c '%s' --from " FROM " --to " TO " --format xml", conf);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, "csv or html") != NULL, "%s", err);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "evaluation -c '%s' --from " TO " --to " FROM, conf);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "evaluation -c '%s' --from " FROM, conf);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(err);
    conf = tu_conf(w.dir, w.db, "[statistics]\nsecret_threshold = 2\n");
    rc = tu_tznr(&out, &err, "evaluation -c '%s' --from " FROM " --to " TO, conf);
    ck_assert_msg(rc != 0 && strstr(err, "secret_threshold") != NULL, "exit %d: %s", rc, err);
    free(out);
    free(err);
}
END_TEST

Suite *suite_evaluation(void)
{
    Suite *s = suite_create("evaluation");
    TCase *tc = tcase_create("evaluation");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_wilson);
    tcase_add_test(tc, test_secondary_suppression);
    tcase_add_test(tc, test_figures);
    tcase_add_test(tc, test_secrecy_in_csv);
    tcase_add_test(tc, test_html_as_csv);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    return s;
}
