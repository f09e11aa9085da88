/* OpenFisca-France's own test cases, replayed through the whole pipeline (issue 8).
 *
 * tests/fixtures/openfisca/cases.csv holds the test cases of OpenFisca-France for the RSA, the
 * prime d'activité, the CSS and the ASPA that an agency's extract can express, one row per
 * (case, benefit), with OpenFisca's amount (its README says how they were read). For each
 * month of those cases this suite writes, as a CAF would, one raw export in the canonical
 * format holding each case of the month as a household (the claimant, the partner, the
 * children, with the case's figures), pseudonymises it with `tznr pseudonymise` dated the
 * first day of the month, deposits it and runs `tznr run --date` on the 15th of the month in a
 * fresh database: load, link, detect with the parameters in force that day, export. Then
 * tznr.list_entry is read:
 *
 *   - a case whose amount is positive must be on the list of its benefit (rule id = benefit)
 *     with an estimate within 0.03 € of OpenFisca's (`expected_recomputed`, else `expected`);
 *     a CSS case (expected 1: eligible) must be on the CSS list, which carries no amount;
 *   - a case expected at 0 must not be on that list;
 *   - the household must have been formed as written (its persons, size, children, couple
 *     and resources in tznr.run_foyer), so that "not listed" never passes for a household
 *     that was lost.
 *
 * Each case is one test of a loop (its number is the row of cases.csv, from 0), failing with
 * the case's id, name, OpenFisca's amount, tznr's and the list's motif. The cases that tznr
 * is known to compute otherwise, for a reason its documentation gives (the parameters of
 * the run date where OpenFisca uses those of the reference quarter), are in KNOWN_GAPS with
 * the amount that reason gives: they are reported, not failed, as long as tznr gives that
 * amount; a known gap that starts matching OpenFisca, or that moves to another amount,
 * fails, so the table stays true. docs/openfisca-cases.md lists them with the results.
 *
 * The replay runs once, in an unchecked fixture (the runner's own process); the tests read
 * what it kept. Nothing here asserts a duration. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "testutil.h"

#define CASES_CSV "tests/fixtures/openfisca/cases.csv"
#define NOT_EXPRESSIBLE_CSV "tests/fixtures/openfisca/not_expressible.csv"
#define CASES_DOC "docs/openfisca-cases.md"
#define TOLERANCE 0.03         /* €, the fixtures' README */
#define SOURCE "caf:openfisca" /* the agency that writes the export */
#define RUN_DAY "15"           /* the day of the case's month the night runs */
/* The rent given to a household whose case gives none (README: "Replay such a row with a
 * positive loyer of your choice"): OpenFisca deducts no forfait logement from a tenant, or a
 * household of unknown status, without housing aid; tznr deducts it unless the rent is known
 * and positive. The rent enters no formula of the four benefits. */
#define RENT_WHEN_NONE "450"

/* ---- the cases -------------------------------------------------------------------------- */

struct ofcase {
    char *id, *benefit, *source_file, *name, *period, *ages, *youngest, *ressources, *revenus, *loyer;
    int couple, nb_enfants, aide_logement;
    double expected; /* expected_recomputed, else expected */
    const char *expected_text; /* as the file writes it */
    /* what the replay found */
    int replayed;      /* the period's pipeline ran and was read */
    char *household;   /* NULL when the household was formed as written, else what went wrong */
    int listed;        /* on the list of its benefit */
    int has_estimate;  /* the entry has an amount */
    double got;        /* that amount */
    char *motif;       /* the entry's motif */
};

static struct ofcase *cases;
static size_t ncases;

/* The cases tznr is known to compute otherwise, and why: each amount below is the one the
 * documented approximation gives, as the case's `notes` in cases.csv work it out ("with the
 * SMIC of 2016-01", "with the parameters of 2020-04"). docs/openfisca-cases.md, "Replaying
 * the cases through the pipeline", has the same table. */
struct known_gap {
    const char *id;
    double tznr; /* the amount the reason gives (0: not listed) */
    const char *reason;
};

#define SMIC_2015 "the PPA of 2016-01 is OpenFisca's mean over 2015-10..12, with the SMIC of 2015 (9.61); tznr " \
                  "reads the parameters in force on the run date, the SMIC of 2016-01 (9.67), so a lower bonification"
#define BASE_2020 "the PPA of 2020-04 is OpenFisca's mean over 2020-01..03, with the PPA base of then (551.51); tznr " \
                  "reads the parameters in force on the run date, the base revalued on 2020-04-01 (553.16)"

static const struct known_gap KNOWN_GAPS[] = {
    {"ppa_02", 242.19, SMIC_2015 " (bonification 66.87 instead of 67.00)"},
    {"ppa_13", 242.19, SMIC_2015 " (bonification 66.87 instead of 67.00)"},
    {"ppa_14", 264.32, SMIC_2015 " (bonification 44.16 instead of 45.13)"},
    {"ppa_20", 179.30, SMIC_2015 " (bonification 66.87 instead of 67.00)"},
    {"ppa_24", 245.57, SMIC_2015 " (bonification 63.41 instead of 64.49)"},
    {"ppa_45", 206.28, BASE_2020},
    {"ppa_46", 208.49, BASE_2020},
    {NULL, 0, NULL},
};

static const struct known_gap *known_gap(const char *id)
{
    for (size_t i = 0; KNOWN_GAPS[i].id; i++)
        if (strcmp(KNOWN_GAPS[i].id, id) == 0)
            return &KNOWN_GAPS[i];
    return NULL;
}

/* The cases where AAH is received (the fixtures' README, "Replaying a row"). */
static int receives_aah(const char *id)
{
    return strcmp(id, "ppa_38") == 0 || strcmp(id, "ppa_37_rsa") == 0 || strcmp(id, "ppa_38_rsa") == 0;
}

/* Every record of the CSV file PATH (header first), each field malloc'd; *NREC records. The
 * file must be well formed (RFC 4180, comma separated, UTF-8). */
static char ***read_csv(const char *path, size_t *nrec, size_t **nf)
{
    char err[512];
    csvio_options opt = {.sep = ',', .encoding = NULL, .max_field = 0, .max_record = 0};
    csvio_reader *rd = csvio_open(path, &opt, err, sizeof err);
    ck_assert_msg(rd != NULL, "%s: %s", path, err);
    char ***recs = NULL;
    size_t n = 0, *counts = NULL;
    csvio_record rec;
    int rc;
    while ((rc = csvio_next(rd, &rec)) > 0) {
        ck_assert_msg(rec.error == NULL, "%s:%ld: %s", path, rec.line, rec.error);
        char ***more = realloc(recs, (n + 1) * sizeof *recs);
        size_t *more_counts = realloc(counts, (n + 1) * sizeof *counts);
        ck_assert(more != NULL && more_counts != NULL);
        recs = more;
        counts = more_counts;
        recs[n] = calloc(rec.nfields, sizeof **recs);
        for (size_t i = 0; i < rec.nfields; i++)
            recs[n][i] = strdup(rec.field[i]);
        counts[n] = rec.nfields;
        n++;
    }
    ck_assert_msg(rc == 0, "%s: %s", path, csvio_error(rd));
    csvio_close(rd);
    *nrec = n;
    *nf = counts;
    return recs;
}

/* The value of column NAME of record R, the header being H (NH fields). */
static char *field(char **h, size_t nh, char **r, const char *name)
{
    for (size_t i = 0; i < nh; i++)
        if (strcmp(h[i], name) == 0)
            return r[i];
    ck_abort_msg("%s has no column %s", CASES_CSV, name);
    return NULL;
}

static void load_cases(void)
{
    size_t n, *nf;
    char ***r = read_csv(CASES_CSV, &n, &nf);
    ck_assert_msg(n >= 2, "%s: no case", CASES_CSV);
    char **h = r[0];
    size_t nh = nf[0];
    cases = calloc(n - 1, sizeof *cases);
    ncases = n - 1;
    for (size_t i = 1; i < n; i++) {
        ck_assert_msg(nf[i] == nh, "%s: record %zu has %zu fields, the header %zu", CASES_CSV, i, nf[i], nh);
        struct ofcase *c = &cases[i - 1];
        c->id = field(h, nh, r[i], "case_id");
        c->benefit = field(h, nh, r[i], "benefit");
        c->source_file = field(h, nh, r[i], "source_file");
        c->name = field(h, nh, r[i], "case_name");
        c->period = field(h, nh, r[i], "period");
        c->ages = field(h, nh, r[i], "ages");
        c->youngest = field(h, nh, r[i], "youngest_child_birth_date");
        c->ressources = field(h, nh, r[i], "ressources_mensuelles");
        c->revenus = field(h, nh, r[i], "revenus_activite");
        c->loyer = field(h, nh, r[i], "loyer");
        c->couple = atoi(field(h, nh, r[i], "couple"));
        c->nb_enfants = atoi(field(h, nh, r[i], "nb_enfants"));
        c->aide_logement = atoi(field(h, nh, r[i], "aide_logement"));
        const char *rec = field(h, nh, r[i], "expected_recomputed");
        c->expected_text = *rec ? rec : field(h, nh, r[i], "expected");
        c->expected = strtod(c->expected_text, NULL);
        ck_assert_msg(strlen(c->period) == 7 && c->period[4] == '-', "%s: period '%s'", c->id, c->period);
        ck_assert_msg(c->couple == 0 || c->couple == 1, "%s: couple", c->id);
    }
}

/* ---- the people of a case ----------------------------------------------------------------- */

/* A surname of letters only for household H: three syllables, spread so that no two
 * households of a month look alike to the linker. */
static const char *surname(size_t h)
{
    static const char cons[] = "BDFGKLMNPRSTVZ", vow[] = "AEIOU";
    const size_t ns = (sizeof cons - 1) * (sizeof vow - 1);
    size_t s[3] = {h % ns, (h * 37 + 11) % ns, (h * 53 + 29) % ns};
    char name[16];
    size_t k = 0;
    for (int i = 0; i < 3; i++) {
        name[k++] = cons[s[i] / (sizeof vow - 1)];
        name[k++] = vow[s[i] % (sizeof vow - 1)];
    }
    name[k] = '\0';
    return tu_fmt("%s", name);
}

static const char *const FIRST[] = {"Alain", "Brigitte", "Cyril", "Dorothee", "Emile", "Francoise", "Gaston"};

static char *cat(char *s, const char *more)
{
    char *r = NULL;
    ck_assert_int_ge(asprintf(&r, "%s%s", s ? s : "", more), 0);
    free(s);
    return r;
}

/* The raw rows of case C as household number H; *PERSON numbers the people (NIR, dates). */
static char *household_rows(const struct ofcase *c, size_t h, int *person)
{
    int years[16] = {0}, ny = 0;
    for (const char *a = c->ages; *a && ny < 16;) {
        years[ny++] = atoi(a);
        a += strcspn(a, ";");
        if (*a == ';')
            a++;
    }
    ck_assert_msg(ny == 1 + c->couple + c->nb_enfants, "%s: %d birth years for %d persons", c->id, ny,
                  1 + c->couple + c->nb_enfants);
    /* the youngest child (the latest birth year, first of them) takes the case's date */
    int youngest = -1;
    for (int i = 1 + c->couple; i < ny; i++)
        if (youngest < 0 || years[i] > years[youngest])
            youngest = i;
    if (*c->youngest)
        ck_assert_msg(youngest >= 0 && atoi(c->youngest) == years[youngest], "%s: youngest child %s, ages %s",
                      c->id, c->youngest, c->ages);
    const char *loyer = *c->loyer ? c->loyer : RENT_WHEN_NONE;
    /* the household's figures and the benefits received, on every member's row */
    const char *attrs = tu_fmt("%d,%d,%s,%s,%s,0,0,0,%d,%d,0,0,0,0,0", ny, c->nb_enfants, c->ressources, c->revenus,
                               loyer, c->aide_logement, receives_aah(c->id));
    char *attr = strdup(attrs);
    char *rows = NULL;
    for (int i = 0; i < ny; i++) {
        int p = ++*person;
        const char *role = i == 0 ? "D" : (c->couple && i == 1) ? "C" : "E";
        int sexe = i == 0 ? 1 : (c->couple && i == 1) ? 2 : 1 + p % 2;
        char dob[11];
        if (i == youngest && *c->youngest)
            snprintf(dob, sizeof dob, "%s", c->youngest);
        else
            snprintf(dob, sizeof dob, "%04d-%02d-%02d", years[i], 1 + p % 12, 1 + (p * 5) % 28);
        char nir13[32];
        snprintf(nir13, sizeof nir13, "%d%02d%.2s33063%03d", sexe, years[i] % 100, dob + 5, p % 1000);
        ck_assert_uint_eq(strlen(nir13), 13);
        rows = cat(rows, tu_fmt("%s-%d,%s,%s,%s,%s,%s,%s,%d,33063,", c->id, i + 1, c->id, role, tu_nir15(nir13),
                                surname(h), FIRST[i % 7], dob, sexe));
        rows = cat(rows, tu_fmt("%s\n", attr));
    }
    free(attr);
    return rows;
}

/* ---- the pipeline, as check_registers.c drives it (testutil's canonical deposit) --------------------------------------- */

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css,aspa,apa,pch,fsl\n";

struct t {
    const char *dir, *db, *conf, *key;
};

static char *sqlv(const struct t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(const struct t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = tu_vsqlv(t->db, fmt, ap);
    va_end(ap);
    return v;
}

static void t_init(struct t *t)
{
    t->dir = strdup(tu_tmpdir());
    t->db = strdup(tu_db(1));
    t->key = strdup(tu_test_key(t->dir));
    t->conf = strdup(tu_conf_params(t->dir, t->db, NULL));
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s/inbox' '%s/agencies'", t->dir, t->dir), NULL, NULL), 0);
}

static void t_free(struct t *t)
{
    free((char *)t->dir);
    free((char *)t->db);
    free((char *)t->conf);
    free((char *)t->key);
}

/* The CAF pseudonymises BODY, extract dated DATE, and deposits it in the inbox. */
static void deposit(const struct t *t, const char *date, const char *body)
{
    tu_deposit_canonical(t->dir, t->key, SOURCE, date, HEADER, body);
}

/* Read what the night found for case C, whose claimant's token is TOK. */
static void read_case(const struct t *t, struct ofcase *c, const char *date, const char *tok)
{
    /* the household as tznr formed it: its records, size, children, couple, resources */
    char *f = sqlv(t, "SELECT COALESCE((SELECT f.foyer_id || '|' || (SELECT pg_catalog.count(*) FROM tznr.person_record q"
                      "                                          WHERE q.foyer_id = f.foyer_id)"
                      "  || '|' || f.nb_personnes || '|' || f.nb_enfants || '|' || f.couple"
                      "  || '|' || COALESCE(f.ressources::text, '') || '|' || COALESCE(f.revenus_activite::text, '')"
                      "  FROM tznr.person_record p JOIN tznr.run_foyer f ON f.foyer_id = p.foyer_id"
                      " WHERE p.source_id = '" SOURCE "' AND p.token = pg_catalog.decode('%s', 'hex')), 'none')",
                   tok);
    long long foyer = -1, records = -1, nb_p = -1, nb_e = -1;
    char couple[8] = "", res[64] = "", act[64] = "";
    if (sscanf(f, "%lld|%lld|%lld|%lld|%7[^|]|%63[^|]|%63s", &foyer, &records, &nb_p, &nb_e, couple, res, act) < 6)
        c->household = strdup(tu_fmt("no household in tznr.run_foyer for the claimant (%s)", f));
    else {
        int n = 1 + c->couple + c->nb_enfants;
        if (records != n || nb_p != n || nb_e != c->nb_enfants || strcmp(couple, c->couple ? "true" : "false") != 0 ||
            fabs(strtod(res, NULL) - strtod(c->ressources, NULL)) > 0.005 ||
            fabs(strtod(act, NULL) - strtod(c->revenus, NULL)) > 0.005)
            c->household = strdup(tu_fmt("household formed otherwise than written: %lld records, nb_personnes %lld, "
                                         "nb_enfants %lld, couple %s, ressources %s, revenus_activite %s "
                                         "(written: %d persons, %d children, couple %d, %s, %s)",
                                         records, nb_p, nb_e, couple, res, act, n, c->nb_enfants, c->couple,
                                         c->ressources, c->revenus));
    }
    free(f);
    if (foyer < 0)
        return;
    char *e = sqlv(t, "SELECT pg_catalog.count(*) || '|' || COALESCE(pg_catalog.min(estimate)::text, 'none') || '|'"
                      "       || COALESCE(pg_catalog.min(motif), '')"
                      "  FROM tznr.list_entry WHERE run_date = '%s' AND rule_id = '%s' AND foyer_id = %lld",
                   date, c->benefit, foyer);
    char *p = e;
    long long n = strtoll(p, &p, 10);
    c->listed = (int)n;
    if (*p == '|')
        p++;
    if (strncmp(p, "none|", 5) == 0)
        p += 5;
    else {
        c->has_estimate = 1;
        c->got = strtod(p, &p);
        if (*p == '|')
            p++;
    }
    c->motif = strdup(p);
    free(e);
}

/* One month: every case of PERIOD as a household of one CAF export, one night. */
static void replay_period(const char *period)
{
    struct t t;
    t_init(&t);
    char *body = NULL;
    int person = 0;
    for (size_t i = 0; i < ncases; i++)
        if (strcmp(cases[i].period, period) == 0) {
            char *rows = household_rows(&cases[i], i, &person);
            body = cat(body, rows);
            free(rows);
        }
    char *extract_date = strdup(tu_fmt("%s-01", period));
    deposit(&t, extract_date, body);
    free(extract_date);
    free(body);
    char *date = strdup(tu_fmt("%s-" RUN_DAY, period));
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date %s", t.conf, date);
    ck_assert_msg(rc == 0, "tznr run --date %s: exit %d: %s%s", date, rc, out, err);
    free(out);
    free(err);
    /* every person written was loaded with a NIR and an identity of his own, and every case
     * is a household of its own */
    char *n = sqlv(&t, "SELECT pg_catalog.count(*) || ' ' || pg_catalog.count(DISTINCT k_nir) || ' '"
                       "       || pg_catalog.count(DISTINCT k_ident) || ' '"
                       "       || (SELECT pg_catalog.count(*) FROM tznr.run_foyer) FROM tznr.current_record");
    size_t households = 0;
    for (size_t i = 0; i < ncases; i++)
        households += strcmp(cases[i].period, period) == 0;
    ck_assert_msg(strcmp(n, tu_fmt("%d %d %d %zu", person, person, person, households)) == 0,
                  "%s: records, NIRs, identities, households: %s (written: %d persons, %zu households)", period, n,
                  person, households);
    free(n);
    for (size_t i = 0; i < ncases; i++)
        if (strcmp(cases[i].period, period) == 0) {
            char *tok = tu_deposit_token(t.dir, SOURCE, tu_fmt("%s-1", cases[i].id));
            read_case(&t, &cases[i], date, tok);
            cases[i].replayed = 1;
            free(tok);
        }
    free(date);
    t_free(&t);
}

/* The unchecked fixture: read the cases, replay every month once. */
static void replay_all(void)
{
    load_cases();
    for (size_t i = 0; i < ncases; i++) {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(cases[j].period, cases[i].period) == 0;
        if (!seen)
            replay_period(cases[i].period);
    }
}

/* ==== each case ============================================================================ */

static int is_css(const struct ofcase *c) { return strcmp(c->benefit, "css") == 0; }

/* What tznr gave, in words. */
static const char *got_text(const struct ofcase *c)
{
    if (!c->listed)
        return "not listed";
    if (!c->has_estimate)
        return "listed, no amount";
    return tu_fmt("%.2f", c->got);
}

/* Whether tznr's result for C is OpenFisca's. */
static int matches(const struct ofcase *c)
{
    if (c->expected <= 0)
        return !c->listed;
    if (is_css(c))
        return c->listed == 1;
    return c->listed == 1 && c->has_estimate && fabs(c->got - c->expected) <= TOLERANCE + 1e-9;
}

START_TEST(test_case)
{
    ck_assert_msg((size_t)_i < ncases, "no case %d (%zu in %s)", _i, ncases, CASES_CSV);
    const struct ofcase *c = &cases[_i];
    ck_assert_msg(c->replayed, "%s: its month %s was not replayed", c->id, c->period);
    ck_assert_msg(c->household == NULL, "%s (%s, %s): %s", c->id, c->name, c->benefit, c->household);
    const struct known_gap *g = known_gap(c->id);
    int ok = matches(c);
    if (g) {
        ck_assert_msg(!ok, "%s (%s, %s): a known gap now matches OpenFisca (expected %s, got %s): take it out of "
                      "KNOWN_GAPS and of " CASES_DOC, c->id, c->name, c->benefit, c->expected_text, got_text(c));
        int as_explained = g->tznr <= 0 ? !c->listed
                                        : c->listed == 1 && c->has_estimate && fabs(c->got - g->tznr) <= TOLERANCE + 1e-9;
        ck_assert_msg(as_explained, "%s (%s, %s): expected %s, got %s, and the known gap explained %.2f (%s); motif: %s",
                      c->id, c->name, c->benefit, c->expected_text, got_text(c), g->tznr, g->reason, c->motif);
        fprintf(stderr, "openfisca: known gap %s (%s): OpenFisca %s, tznr %s: %s\n", c->id, c->benefit,
                c->expected_text, got_text(c), g->reason);
        return;
    }
    ck_assert_msg(ok, "%s (%s, %s, %s): expected %s, got %s; motif: %s", c->id, c->name, c->benefit, c->period,
                  c->expected_text, got_text(c), c->motif && *c->motif ? c->motif : "(none)");
}
END_TEST

/* ==== the fixtures and the table stay consistent ========================================= */

START_TEST(test_fixtures)
{
    /* the counts the README gives */
    ck_assert_uint_eq(ncases, 53);
    size_t zero = 0;
    for (size_t i = 0; i < ncases; i++)
        zero += cases[i].expected <= 0;
    ck_assert_uint_eq(zero, 17);
    /* each case the data cannot express is listed with its reason, and only there */
    size_t n, *nf;
    char ***r = read_csv(NOT_EXPRESSIBLE_CSV, &n, &nf);
    ck_assert_uint_eq(n, 1 + 48);
    ck_assert_str_eq(r[0][0], "case_id");
    ck_assert_str_eq(r[0][4], "reason");
    for (size_t i = 1; i < n; i++) {
        ck_assert_msg(nf[i] == 5 && strlen(r[i][4]) > 20, "%s: %s has no reason", NOT_EXPRESSIBLE_CSV, r[i][0]);
        for (size_t j = 0; j < ncases; j++)
            ck_assert_msg(strcmp(cases[j].id, r[i][0]) != 0 || strcmp(cases[j].benefit, r[i][1]) != 0,
                          "%s %s is both in cases.csv and not_expressible.csv", r[i][0], r[i][1]);
    }
    /* every known gap is a case of the fixtures, and written in the documentation */
    char *doc = tu_read(CASES_DOC, NULL);
    ck_assert_msg(doc != NULL, "cannot read %s", CASES_DOC);
    for (size_t k = 0; KNOWN_GAPS[k].id; k++) {
        int found = 0;
        for (size_t j = 0; j < ncases; j++)
            found |= strcmp(cases[j].id, KNOWN_GAPS[k].id) == 0;
        ck_assert_msg(found, "known gap %s is no case of %s", KNOWN_GAPS[k].id, CASES_CSV);
        ck_assert_msg(strstr(doc, tu_fmt("| `%s` |", KNOWN_GAPS[k].id)) != NULL,
                      "known gap %s is not in the table of %s", KNOWN_GAPS[k].id, CASES_DOC);
    }
    free(doc);
}
END_TEST

/* The rows of cases.csv, counted when the suite is made (0 if it cannot be read: the
 * fixture then fails with the reason). */
static int count_cases(void)
{
    char err[512];
    csvio_options opt = {.sep = ',', .encoding = NULL, .max_field = 0, .max_record = 0};
    csvio_reader *rd = csvio_open(CASES_CSV, &opt, err, sizeof err);
    if (!rd)
        return 0;
    csvio_record rec;
    int n = 0;
    while (csvio_next(rd, &rec) > 0)
        n++;
    csvio_close(rd);
    return n > 0 ? n - 1 : 0;
}

Suite *suite_openfisca(void);
Suite *suite_openfisca(void)
{
    Suite *s = suite_create("openfisca");
    TCase *tc = tcase_create("openfisca");
    /* the replay runs once, before the tests, in the runner's process */
    tcase_add_unchecked_fixture(tc, replay_all, NULL);
    tcase_add_test(tc, test_fixtures);
    /* one test per row of cases.csv; test_fixtures holds the count to the README's */
    tcase_add_loop_test(tc, test_case, 0, count_cases());
    suite_add_tcase(s, tc);
    return s;
}
