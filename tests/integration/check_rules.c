/* The benefit formulas (sql/migrations/003_benefits.sql) and the detection rules
 * (sql/rules/<id>.sql) against the throw-away PostgreSQL that tests/run-all starts: each test in a
 * freshly migrated database of its own, with config/parameters.csv loaded as a run loads it.
 *
 * - OpenFisca-France's RSA cases (tests/formulas/rsa.yaml of openfisca-france, period 2018-05,
 *   base 550.93), one test per case, within OpenFisca's absolute_error_margin of 0.03 €;
 * - the formulas on 2026 parameters (coefficients, forfait, ceilings, the French amounts);
 * - every rule file, read from disk, run as the engine runs it (one statement, $1 the run
 *   date) on hand-made tznr.run_foyer rows: the households it must find with their estimate
 *   and a French motif holding the figures, and the households just across each boundary
 *   that it must not find (unknown figures and unknown benefits included);
 * - every rule file against its definition written plainly with 003's functions, on 4000
 *   varied households and two dates: the same households with the same estimates;
 * - every rule file's header and column contract, and that the binary embeds it unchanged. */
#include <check.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testutil.h"

#define TIMEOUT 120
#define RUN_DATE "2026-11-26"

/* The rules this suite knows; the header test fails on a rule file it does not list. */
static const char *const RULES[] = {"rsa", "prime_activite", "aide_logement", "css", "aspa", "fsl"};
#define NRULES (sizeof RULES / sizeof RULES[0])

/* ---- a database with the parameters ---------------------------------------------------------- */

static PGconn *conn;

/* A fresh migrated database, config/parameters.csv loaded with psql's \copy (the repository
 * root is the working directory), and a connection with an empty search_path as tznr's. */
static void setup_db(void)
{
    const char *ci = tu_db(1);
    char *err = NULL;
    int rc = tu_run(tu_fmt("psql -X -q -v ON_ERROR_STOP=1 -d '%s' -c \"\\copy tznr.parameter (name, valid_from, "
                           "value, reference) FROM 'config/parameters.csv' (FORMAT csv, HEADER)\"",
                           ci),
                    NULL, &err);
    ck_assert_msg(rc == 0, "loading config/parameters.csv failed: %s", err ? err : "");
    free(err);
    conn = PQconnectdb(ci);
    ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "cannot connect to %s: %s", ci, PQerrorMessage(conn));
    PGresult *r = PQexec(conn, "SET search_path = ''");
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(conn));
    PQclear(r);
}

static void teardown_db(void)
{
    PQfinish(conn);
    conn = NULL;
}

/* Run SQL with N text parameters; the result must be rows or a command's success. */
static PGresult *query(const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "query failed: %s\n%s",
                  PQresultErrorMessage(r), sql);
    return r;
}

/* The single value of a one-row, one-column query (malloc'd; NULL for SQL NULL). */
static char *value(const char *sql)
{
    PGresult *r = query(sql, 0, NULL);
    ck_assert_msg(PQntuples(r) == 1 && PQnfields(r) == 1, "one value expected from %s", sql);
    char *v = PQgetisnull(r, 0, 0) ? NULL : strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* A condition that must hold. */
static void expect_true(const char *cond)
{
    char *v = value(tu_fmt("SELECT (%s)::text", cond));
    ck_assert_msg(v != NULL && strcmp(v, "true") == 0, "not true: %s", cond);
    free(v);
}

static double number(const char *sql)
{
    char *v = value(sql);
    ck_assert_msg(v != NULL, "NULL from %s", sql);
    char *end;
    double d = strtod(v, &end);
    ck_assert_msg(end != v && *end == '\0', "not a number: '%s' from %s", v, sql);
    free(v);
    return d;
}

static void expect_text(const char *sql, const char *want)
{
    char *v = value(sql);
    ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s gave '%s', expected '%s'", sql, v ? v : "NULL", want);
    free(v);
}

/* ---- the registers' words (004_registers.sql): what an outreach worker reads ---------------- */

START_TEST(test_register_phrases)
{
    /* unknown to every payer of the RSA */
    expect_text("SELECT tznr.non_percu('rsa', '{caf:gironde,departement:gironde}', '{bailleur:hab}')",
                "foyer inconnu de la CAF et du Département");
    /* known to one of them, which pays nothing */
    expect_text("SELECT tznr.non_percu('rsa', '{caf:gironde,departement:gironde}', '{bailleur:hab,caf:gironde}')",
                "foyer inconnu du Département, aucun RSA selon la CAF");
    expect_text("SELECT tznr.non_percu('css', '{cpam:gironde}', '{cpam:gironde,caf:gironde}')",
                "aucune CSS selon la CPAM");
    expect_text("SELECT tznr.non_percu('aspa', '{carsat:aquitaine}', '{ccas:bordeaux}')", "foyer inconnu de la CARSAT");
    expect_text("SELECT tznr.non_percu('prime_activite', '{caf:a,caf:b}', '{caf:b}')",
                "aucune prime d'activité selon la CAF");
    /* no register: a source of the household said it */
    expect_text("SELECT tznr.non_percu('rsa', '{}', '{caf:gironde}')", "aucun membre ne perçoit le RSA");
    expect_text("SELECT tznr.non_percu('aide_logement', '{}', '{bailleur:hab}')",
                "aucun membre ne perçoit d'aide au logement");
    /* the list's column: the payers that do not know the household, a kind once */
    expect_text("SELECT tznr.inconnu_de('{caf:gironde,departement:gironde}', '{bailleur:hab}')", "CAF, Département");
    expect_text("SELECT tznr.inconnu_de('{caf:a,caf:b,departement:x}', '{caf:b}')", "Département");
    expect_text("SELECT tznr.inconnu_de('{caf:gironde}', '{caf:gironde}')", "");
    expect_text("SELECT tznr.inconnu_de('{}', '{caf:gironde}')", "");
    expect_text("SELECT tznr.organisme('france_travail', 'de') || ' / ' || tznr.organisme('ccas', 'le') || ' / '"
                " || tznr.organisme('msa', 'de') || ' / ' || tznr.organisme('autre', 'de')",
                "de France Travail / le CCAS / de la MSA / d'un autre organisme");
    /* three payers: commas, then "et" */
    expect_text("SELECT tznr.non_percu('rsa', '{caf:g,departement:g,msa:g}', '{bailleur:hab}')",
                "foyer inconnu de la CAF, du Département et de la MSA");
    expect_text("SELECT tznr.non_percu('rsa', '{caf:g,departement:g,msa:g}', '{caf:g,departement:g,msa:g}')",
                "aucun RSA selon la CAF, le Département et la MSA");
}
END_TEST

/* ---- OpenFisca-France: tests/formulas/rsa.yaml, period 2018-05 ------------------------------- */

/* One case: the household as tznr.rsa_estimate sees it (the forfait applies whenever the
 * household receives housing aid above the forfait, as in all these cases), its resources
 * (earnings and family benefits), and OpenFisca's expected RSA; NO_RSA when OpenFisca expects
 * none (rsa: 0), where the estimate must be at most 0. */
#define NO_RSA (-1.0)
struct of_case {
    const char *name;
    int couple, enfants;
    const char *ressources;
    double expected;
};

static const struct of_case OF_CASES[] = {
    {"RSA Cas N°1", 1, 0, "167", 550.93 * 1.5 - 132.22 - 167},
    {"RSA Cas N°2", 1, 1, "167", 550.93 * 1.8 * (1 - 0.165) - 167},
    {"RSA Cas N°3", 1, 2, "167 + 131.16", 550.93 * 2.1 - 550.93 * 1.8 * 0.165 - 167 - 131.16},
    {"RSA Cas N°4", 1, 3, "167 + 299.20 + 170.71", 550.93 * 2.5 - 550.93 * 1.8 * 0.165 - 167 - 299.20 - 170.71},
    {"RSA Cas N°6", 0, 0, "134", 550.93 * (1 - 0.12) - 134},
    {"RSA Cas Non Passant N°1", 1, 0, "340 + 360", NO_RSA},
};

static void openfisca_case(const struct of_case *c)
{
    double got = number(tu_fmt("SELECT tznr.rsa_estimate('2018-05-01', %s, %d, true, %s)",
                               c->couple ? "true" : "false", c->enfants, c->ressources));
    if (c->expected == NO_RSA)
        ck_assert_msg(got <= 0, "%s: OpenFisca gives no RSA, tznr estimates %.2f", c->name, got);
    else
        ck_assert_msg(fabs(got - c->expected) <= 0.03, "%s: OpenFisca %.4f, tznr %.4f", c->name, c->expected,
                      got);
}

START_TEST(test_openfisca_rsa_cas_1)
{
    openfisca_case(&OF_CASES[0]);
    /* the case also fixes the forfait: 132.22 for a couple */
    ck_assert(fabs(number("SELECT tznr.forfait_logement(550.93, 2, 0.12, 0.16, 0.165)") - 132.22) <= 0.03);
    ck_assert(fabs(number("SELECT 550.93 * tznr.rsa_coefficient(true, 0)") - 550.93 * 1.5) < 1e-9);
}
END_TEST

START_TEST(test_openfisca_rsa_cas_2) { openfisca_case(&OF_CASES[1]); }
END_TEST

START_TEST(test_openfisca_rsa_cas_3)
{
    openfisca_case(&OF_CASES[2]);
    ck_assert(fabs(number("SELECT tznr.rsa_estimate('2018-05-01', true, 2, true, 167 + 131.16)") - 695.17) <=
              0.03);
}
END_TEST

START_TEST(test_openfisca_rsa_cas_4) { openfisca_case(&OF_CASES[3]); }
END_TEST

START_TEST(test_openfisca_rsa_cas_6) { openfisca_case(&OF_CASES[4]); }
END_TEST

START_TEST(test_openfisca_rsa_cas_non_passant_1) { openfisca_case(&OF_CASES[5]); }
END_TEST

/* ---- the formulas on 2026 parameters --------------------------------------------------------- */

/* The formulas a rule calls for each household (migrations 014 and 015) are inlined into the
 * rule's query, where a PL/pgSQL call cost an interpreter round trip; a NULL argument still
 * gives NULL, as their STRICT PL/pgSQL versions did. */
START_TEST(test_formulas_inlined)
{
    enum { MAXARGS = 13 };
    static const struct {
        const char *fn, *args[MAXARGS];
    } f[] = {
        {"euros", {"x"}},
        {"rsa_coefficient", {"x > 1", "2"}},
        {"forfait_logement", {"x", "2", "0.12", "0.16", "0.165"}},
        {"montant_forfaitaire", {"x", "false", "1", "true", "1.28412", "0.42804"}},
        {"ppa_bonification", {"x", "12.02", "59", "138", "0.377", "1000"}},
        {"aide_logement_taux_loyer", {"x", "290.34", "0.45", "0.75", "0.0045", "0.0068"}},
        {"aide_logement_montant",
         {"x", "300", "400", "290.34", "58.08", "0.0283", "4500", "0.085", "37.21", "0.45", "0.75", "0.0045",
          "0.0068"}},
        {"composition", {"x > 1", "2"}},
        {"foyer_de", {"x::integer"}},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        char call[512] = "", nulled[512];
        size_t n = 0;
        while (n < MAXARGS && f[i].args[n])
            n++;
        for (size_t a = 0; a < n; a++)
            snprintf(call + strlen(call), sizeof call - strlen(call), "%s%s", a ? ", " : "", f[i].args[a]);
        /* two rows: a VALUES of one row would be folded into constants, inlined or not */
        PGresult *r = query(tu_fmt("EXPLAIN (VERBOSE, COSTS OFF) SELECT tznr.%s(%s) FROM (VALUES (1.5), (900.0)) AS v(x)",
                                   f[i].fn, call), 0, NULL);
        for (int row = 0; row < PQntuples(r); row++)
            ck_assert_msg(strstr(PQgetvalue(r, row, 0), f[i].fn) == NULL, "tznr.%s is not inlined: %s", f[i].fn,
                          PQgetvalue(r, row, 0));
        PQclear(r);
        /* NULL in each place */
        for (size_t a = 0; a < n; a++) {
            nulled[0] = '\0';
            for (size_t b = 0; b < n; b++)
                snprintf(nulled + strlen(nulled), sizeof nulled - strlen(nulled), "%s%s", b ? ", " : "",
                         b == a ? "NULL" : f[i].args[b]);
            char *v = value(tu_fmt("SELECT tznr.%s(%s)::text FROM (VALUES (1.5)) AS v(x)", f[i].fn, nulled));
            ck_assert_msg(v == NULL, "tznr.%s(%s) gave '%s', expected NULL", f[i].fn, nulled, v);
        }
    }
    /* the young child's majoration was not STRICT and is not: an unknown couple is no lone parent */
    PGresult *r = query("EXPLAIN (VERBOSE, COSTS OFF) SELECT tznr.parent_isole_jeune_enfant('2026-11-26', x > 1, 1, 2025)"
                        " FROM (VALUES (1.5), (900.0)) AS v(x)", 0, NULL);
    for (int row = 0; row < PQntuples(r); row++)
        ck_assert_msg(strstr(PQgetvalue(r, row, 0), "parent_isole") == NULL, "not inlined: %s", PQgetvalue(r, row, 0));
    PQclear(r);
    expect_text("SELECT tznr.parent_isole_jeune_enfant('2026-11-26', NULL, 1, 2025)::text", "false");
    expect_text("SELECT tznr.parent_isole_jeune_enfant('2026-11-26', false, 1, 2025)::text", "true");
    expect_text("SELECT tznr.euros(1234.5)", "1 234,50 €");
    expect_text("SELECT tznr.euros(540)", "540 €");
}
END_TEST

START_TEST(test_formulas_2026)
{
    /* coefficients: couple, lone parent, third child on */
    static const struct {
        const char *args;
        const char *want;
    } coef[] = {
        {"false, 0", "1.0"}, {"true, 0", "1.5"}, {"false, 1", "1.5"}, {"false, 2", "1.8"}, {"false, 3", "2.2"},
        {"true, 1", "1.8"},  {"true, 2", "2.1"}, {"true, 3", "2.5"},  {"true, 5", "3.3"},
    };
    for (size_t i = 0; i < sizeof coef / sizeof coef[0]; i++)
        expect_text(tu_fmt("SELECT tznr.rsa_coefficient(%s)::numeric(4,1)", coef[i].args), coef[i].want);
    ck_assert(value("SELECT tznr.rsa_coefficient(NULL, 1)") == NULL);
    /* the forfait: base x coefficient of min(size, 3) x rate */
    expect_true("tznr.forfait_logement(651.69, 1, 0.12, 0.16, 0.165) = 651.69 * 0.12");
    expect_true("tznr.forfait_logement(651.69, 2, 0.12, 0.16, 0.165) = 651.69 * 1.5 * 0.16");
    expect_true("tznr.forfait_logement(651.69, 3, 0.12, 0.16, 0.165) = 651.69 * 1.8 * 0.165");
    expect_true("tznr.forfait_logement(651.69, 6, 0.12, 0.16, 0.165) = 651.69 * 1.8 * 0.165");
    /* the RSA's forfait is on the benefit's household: claimant, partner, children */
    expect_true("tznr.rsa_estimate('" RUN_DATE "', true, 2, false, 0) - tznr.rsa_estimate('" RUN_DATE
                "', true, 2, true, 0) = 651.69 * 1.8 * 0.165");
    expect_true("tznr.rsa_estimate('" RUN_DATE "', false, 1, false, 0) - tznr.rsa_estimate('" RUN_DATE
                "', false, 1, true, 0) = 651.69 * 1.5 * 0.16");
    /* the prime's forfait is on the prime's base */
    expect_true("tznr.ppa_estimate('" RUN_DATE "', false, 0, false, 900, 900) - tznr.ppa_estimate('" RUN_DATE
                "', false, 0, true, 900, 900) = 638.28 * 0.12");
    /* the bases change on 1 April */
    expect_true("tznr.rsa_estimate('2026-03-31', false, 0, false, 0) = 646.52");
    expect_true("tznr.rsa_estimate('2026-04-01', false, 0, false, 0) = 651.69");
    /* the bases, the bonification's ceiling and maximum change on 1 April; the SMIC on 1 January */
    expect_true("tznr.ppa_estimate('2026-03-31', false, 0, false, 1000, 1000) = 633.21 + 598.5"
                " + round(0.29101 * 633.21, 2) * (1000 - 59 * 12.02) / ((120 - 59) * 12.02) - 1000");
    expect_true("tznr.ppa_estimate('2026-04-01', false, 0, false, 1000, 1000) = 638.28 + 598.5"
                " + round(0.377 * 638.28, 2) * (1000 - 59 * 12.02) / ((138 - 59) * 12.02) - 1000");
    /* the bonification: nothing up to 59 SMIC hours, its maximum from 138 */
    expect_true("tznr.ppa_bonification(638.28, 12.31, 59, 138, 0.377, 726.29) = 0");
    expect_true("tznr.ppa_bonification(638.28, 12.31, 59, 138, 0.377, 500) = 0");
    expect_true("tznr.ppa_bonification(638.28, 12.31, 59, 138, 0.377, 1698.78) = 240.63");
    expect_true("tznr.ppa_bonification(638.28, 12.31, 59, 138, 0.377, 3000) = 240.63");
    expect_true("round(tznr.ppa_bonification(638.28, 12.31, 59, 138, 0.377, 1212.535), 2) = 120.32");
    /* the forfait inside the comparison: a tenant with housing aid earning 500 (the law pays
     * 638.28 + 299.25 - max(500 + 76.59, 638.28) = 299.25) */
    expect_true("tznr.ppa_estimate('" RUN_DATE "', false, 0, true, 500, 500) = 299.25");
    /* resources under the base: the prime tops up to the base (max(ressources, base x c)) */
    expect_true("tznr.ppa_estimate('" RUN_DATE "', false, 0, false, 400, 400) = 0.5985 * 400");
    /* unknown figures give no amount (and GREATEST must not hide an unknown resource) */
    expect_text("SELECT coalesce(tznr.ppa_estimate('" RUN_DATE "', false, 0, false, NULL, 500)::text, 'NULL')",
                "NULL");
    expect_text("SELECT coalesce(tznr.rsa_estimate('" RUN_DATE "', false, 0, true, NULL)::text, 'NULL')", "NULL");
    /* ceilings */
    static const char *const css[] = {"13957", "20935.5", "25122.6", "29309.7", "34892.5", "40475.3"};
    static const char *const fsl[] = {"1600", "2100", "2600", "3100", "3600", "4100"};
    for (int n = 1; n <= 6; n++) {
        expect_true(tu_fmt("tznr.css_plafond('" RUN_DATE "', %d) = %s", n, css[n - 1]));
        expect_true(tu_fmt("tznr.fsl_plafond('" RUN_DATE "', %d) = %s", n, fsl[n - 1]));
    }
    /* housing aid: the APL zone of the commune (OpenFisca's zoning, 52 communes of the Gironde
     * in zone 2), the scale by zone, couple and persons in charge */
    expect_true("tznr.aide_logement_zone('33063') = 2"); /* Bordeaux */
    expect_true("tznr.aide_logement_zone('33122') = 2"); /* Cestas, outside the Métropole */
    expect_true("tznr.aide_logement_zone('33273') = 3"); /* Martignas-sur-Jalle */
    expect_true("tznr.aide_logement_zone('33243') = 3"); /* Libourne */
    expect_true("tznr.aide_logement_zone(NULL) = 3");
    /* alone in zone 2: ceiling 290.34, reference 290.34, charges 60.59, TF 0.0283, R0 5235 */
    expect_true("(SELECT (b.plafond, b.loyer_reference, b.charges, b.taux_famille, b.r0) = (290.34, 290.34, 60.59, 0.0283, 5235) "
                "FROM tznr.aide_logement_bareme('" RUN_DATE "', 2, false, 0) b)");
    /* a couple in zone 3: 329.88, the zone-2 couple's 355.38, 60.59, 0.0315, 7501 */
    expect_true("(SELECT (b.plafond, b.loyer_reference, b.charges, b.taux_famille, b.r0) = (329.88, 355.38, 60.59, 0.0315, 7501) "
                "FROM tznr.aide_logement_bareme('" RUN_DATE "', 3, true, 0) b)");
    /* 3 in charge, zone 2: 399.89 + 2 x 58.21 = 516.31; 60.59 + 3 x 13.74 = 101.81; 0.0201; 9498 */
    expect_true("(SELECT (b.plafond, b.loyer_reference, b.charges, b.taux_famille, b.r0) = (516.31, 516.31, 101.81, 0.0201, 9498) "
                "FROM tznr.aide_logement_bareme('" RUN_DATE "', 2, true, 3) b)");
    /* 8 in charge, zone 3: 369.88 + 7 x 53.01 = 740.95; zone 2 399.89 + 7 x 58.21 = 807.36;
     * 60.59 + 8 x 13.74 = 170.51; TF 0.0173 - 2 x 0.0006 = 0.0161; R0 10554 + 2 x 346 = 11246 */
    expect_true("(SELECT (b.plafond, b.loyer_reference, b.charges, b.taux_famille, b.r0) = (740.95, 807.36, 170.51, 0.0161, 11246) "
                "FROM tznr.aide_logement_bareme('" RUN_DATE "', 3, false, 8) b)");
    /* TL: 0 under 45 % of the reference rent, 0.45 % of the share over 45 % up to 75 %, then 0.68 % */
    expect_true("tznr.aide_logement_taux_loyer(100, 290.34, 0.45, 0.75, 0.0045, 0.0068) = 0");
    expect_true("tznr.aide_logement_taux_loyer(174.204, 290.34, 0.45, 0.75, 0.0045, 0.0068) = 0.0045 * 0.15");
    expect_true("tznr.aide_logement_taux_loyer(290.34, 290.34, 0.45, 0.75, 0.0045, 0.0068) = 0.0045 * 0.30 + 0.0068 * 0.25");
    /* alone, zone 2, rent 400, 1000 a month: L = 290.34, C = 60.59, P0 = max(0.085 x 350.93, 39.56)
     * = 39.56, RL = 1 so TL = 0.00305, Tp = 0.03135, R = 12000, Pp = 39.56 + 0.03135 x (12000 -
     * 5235) = 251.64275, aid 350.93 - 251.64275 = 99.28725 */
    expect_true("tznr.aide_logement_estimate('" RUN_DATE "', '33063', false, 0, 400, 1000) = 99.28725");
    /* resources rounded up to the hundred euros a year: 1233.33 x 12 = 14799.96 -> 14800,
     * 1233.34 x 12 = 14800.08 -> 14900 (the step of 100 x 0.03135 = 3.135) */
    expect_true("tznr.aide_logement_estimate('" RUN_DATE "', '33063', false, 0, 400, 1233.33) = 350.93 - 39.56 - 0.03135 * 9565");
    expect_true("tznr.aide_logement_estimate('" RUN_DATE "', '33063', false, 0, 400, 1233.34) = 350.93 - 39.56 - 0.03135 * 9665");
    /* P0 at 8.5 % of L + C once that exceeds 39.56: couple, 3 in charge, zone 2, rent 700, 2500 a
     * month: L + C = 516.31 + 101.81 = 618.12, P0 = 52.5402, Tp = 0.0201 + 0.00305, R - R0 =
     * 30000 - 9498 = 20502: 618.12 - 52.5402 - 0.02315 x 20502 = 90.9585 */
    expect_true("tznr.aide_logement_estimate('" RUN_DATE "', '33063', true, 3, 700, 2500) = 90.9585");
    /* the scale changes on 1 October (rent ceilings, charges, P0) and 1 January (R0): alone in
     * zone 2 with no resources, rent 400: 2025-09-30 287.35 + 59.97 - 39.15; 2025-10-01
     * 290.34 + 60.59 - 39.56 */
    expect_true("tznr.aide_logement_estimate('2025-09-30', '33063', false, 0, 400, 0) = 287.35 + 59.97 - 39.15");
    expect_true("tznr.aide_logement_estimate('2025-10-01', '33063', false, 0, 400, 0) = 290.34 + 60.59 - 39.56");
    expect_true("tznr.aspa_plafond('" RUN_DATE "', false) = 12523.14");
    expect_true("tznr.aspa_plafond('" RUN_DATE "', true) = 19442.21");
    /* a parameter with no value in force is an error, never a silent 0 */
    PGresult *r = PQexec(conn, "SELECT tznr.aspa_plafond('1900-01-01', false)");
    ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR, "ASPA before its first value must fail");
    ck_assert(strstr(PQresultErrorMessage(r), "aspa.plafond_seul") != NULL);
    PQclear(r);
    /* amounts the French way */
    expect_text("SELECT tznr.euros(540)", "540 €");
    expect_text("SELECT tznr.euros(1234.5)", "1 234,50 €");
    expect_text("SELECT tznr.euros(1234567.891)", "1 234 567,89 €");
    expect_text("SELECT tznr.euros(0.004)", "0 €");
    expect_text("SELECT tznr.euros(-5.5)", "-5,50 €");
    expect_text("SELECT tznr.composition(true, 2)", "un couple avec 2 enfants");
    expect_text("SELECT tznr.composition(true, 0)", "un couple sans enfant");
    expect_text("SELECT tznr.composition(false, 1)", "un parent seul avec 1 enfant");
    expect_text("SELECT tznr.composition(false, 0)", "une personne seule");
    expect_text("SELECT tznr.foyer_de(1)", "un foyer de 1 personne");
    expect_text("SELECT tznr.foyer_de(4)", "un foyer de 4 personnes");
}
END_TEST

/* ---- the rule files on hand-made households -------------------------------------------------- */

/* One household of tznr.run_foyer, with what the rule under test must make of it. Figures are
 * SQL literals, NULL for unknown. RECOIT lists the benefits some member receives, and with a
 * '?' those no source of the household reports (recoit_X NULL); the others are known not
 * received. */
/* The case tables below give the last field (youngest) only where a case needs it. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct foyer {
    const char *why;  /* the case, for messages */
    int id, personnes, enfants, couple;
    const char *age, *ressources, *revenus, *loyer, *impaye;
    const char *recoit;
    int found;              /* whether the rule must list it */
    const char *estimate;   /* when found: the estimate as PostgreSQL prints it, NULL for none */
    const char *motif[4];   /* when found: pieces the motif must hold */
    const char *youngest;   /* the youngest child's birth year, NULL for none */
    const char *partner;    /* the partner's birth year, NULL for unknown */
    const char *commune;    /* the commune as an SQL literal, NULL for '33063' (Bordeaux, APL zone 2) */
};

static int receives(const struct foyer *f, const char *benefit)
{
    size_t n = strlen(benefit);
    for (const char *p = f->recoit; p && (p = strstr(p, benefit)) != NULL; p += n)
        if ((p == f->recoit || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* The recoit_X literal of F for BENEFIT. */
static const char *flag(const struct foyer *f, const char *benefit)
{
    if (receives(f, benefit))
        return "true";
    size_t n = strlen(benefit);
    for (const char *p = f->recoit; p && (p = strstr(p, benefit)) != NULL; p += n)
        if (p > f->recoit && p[-1] == '?' && (p[n] == '\0' || p[n] == ' '))
            return "NULL";
    return "false";
}

static void insert_foyers(const struct foyer *f, size_t n)
{
    static const char *const benefits[] = {"rsa", "prime_activite", "aide_logement", "aah", "css",
                                           "aspa", "apa", "pch", "fsl"};
    for (size_t i = 0; i < n; i++) {
        char *sql = NULL;
        char flags[128] = "";
        for (size_t b = 0; b < sizeof benefits / sizeof benefits[0]; b++)
            strcat(strcat(flags, flag(&f[i], benefits[b])), ", ");
        ck_assert_int_ge(
            asprintf(&sql,
                     "INSERT INTO tznr.run_foyer (foyer_id, commune, nb_personnes, nb_enfants, nb_adultes, couple, "
                     "claimant_birth_year, claimant_age, ressources, revenus_activite, loyer, impaye_mois, "
                     "recoit_rsa, recoit_prime_activite, recoit_aide_logement, recoit_aah, recoit_css, "
                     "recoit_aspa, recoit_apa, recoit_pch, recoit_fsl, suivi_social, confiance, confiance_score, "
                     "youngest_child_birth_year, partner_birth_year) "
                     "VALUES (%d, %s, %d, %d, %d, %s, 2026 - %s, %s, %s, %s, %s, %s, %sfalse, 'NIR', 1, %s, %s)",
                     f[i].id, f[i].commune ? f[i].commune : "'33063'", f[i].personnes, f[i].enfants, f[i].personnes - f[i].enfants,
                     f[i].couple ? "true" : "false", f[i].age ? f[i].age : "NULL", f[i].age ? f[i].age : "NULL",
                     f[i].ressources ? f[i].ressources : "NULL", f[i].revenus ? f[i].revenus : "NULL",
                     f[i].loyer ? f[i].loyer : "NULL", f[i].impaye ? f[i].impaye : "NULL", flags,
                     f[i].youngest ? f[i].youngest : "NULL", f[i].partner ? f[i].partner : "NULL"),
            0);
        PQclear(query(sql, 0, NULL));
        free(sql);
    }
}

/* The text of sql/rules/ID.sql (malloc'd). */
static char *rule_text(const char *id)
{
    char *s = tu_read(tu_fmt("sql/rules/%s.sql", id), NULL);
    ck_assert_msg(s != NULL, "cannot read sql/rules/%s.sql (run from the repository root)", id);
    return s;
}

/* Run the rule as the engine does: the file's one statement, $1 the run date. */
static PGresult *run_rule(const char *id, const char *date)
{
    char *sql = rule_text(id);
    const char *p[] = {date};
    PGresult *r = query(sql, 1, p);
    free(sql);
    ck_assert_msg(PQnfields(r) == 3, "%s: %d columns", id, PQnfields(r));
    ck_assert_str_eq(PQfname(r, 0), "foyer_id");
    ck_assert_str_eq(PQfname(r, 1), "estimate");
    ck_assert_str_eq(PQfname(r, 2), "motif");
    return r;
}

/* Whether S writes a number with a decimal point (English style) rather than a comma. */
static int has_decimal_point(const char *s)
{
    for (const char *p = s; *p; p++)
        if (*p == '.' && p > s && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' && p[1] <= '9')
            return 1;
    return 0;
}

static void check_rule(const char *id, const struct foyer *f, size_t n)
{
    insert_foyers(f, n);
    PGresult *r = run_rule(id, RUN_DATE);
    int rows = PQntuples(r), listed = 0;
    for (int i = 0; i < rows; i++) {
        long long fid = atoll(PQgetvalue(r, i, 0));
        size_t k = 0;
        while (k < n && f[k].id != fid)
            k++;
        ck_assert_msg(k < n, "%s: unknown foyer %lld", id, fid);
        ck_assert_msg(f[k].found, "%s lists foyer %d (%s): %s", id, f[k].id, f[k].why, PQgetvalue(r, i, 2));
        listed++;
        if (f[k].estimate == NULL)
            ck_assert_msg(PQgetisnull(r, i, 1), "%s, foyer %d (%s): estimate %s, expected none", id, f[k].id,
                          f[k].why, PQgetvalue(r, i, 1));
        else
            ck_assert_msg(!PQgetisnull(r, i, 1) && strcmp(PQgetvalue(r, i, 1), f[k].estimate) == 0,
                          "%s, foyer %d (%s): estimate %s, expected %s", id, f[k].id, f[k].why,
                          PQgetisnull(r, i, 1) ? "NULL" : PQgetvalue(r, i, 1), f[k].estimate);
        const char *motif = PQgetvalue(r, i, 2);
        ck_assert_msg(!PQgetisnull(r, i, 2) && strlen(motif) > 20, "%s, foyer %d: motif '%s'", id, f[k].id,
                      motif);
        ck_assert_msg(!has_decimal_point(motif), "%s, foyer %d: amount not written French-style in '%s'", id,
                      f[k].id, motif);
        for (int m = 0; m < 4 && f[k].motif[m]; m++)
            ck_assert_msg(strstr(motif, f[k].motif[m]) != NULL, "%s, foyer %d (%s): motif '%s' lacks '%s'", id,
                          f[k].id, f[k].why, motif, f[k].motif[m]);
    }
    for (size_t k = 0; k < n; k++) {
        int seen = 0;
        for (int i = 0; i < rows; i++)
            seen |= atoll(PQgetvalue(r, i, 0)) == f[k].id;
        ck_assert_msg(seen == f[k].found, "%s %s foyer %d (%s)", id, seen ? "lists" : "misses", f[k].id, f[k].why);
    }
    PQclear(r);
    ck_assert(listed == rows);
}

/* Base 651.69 from 2026-04-01, forfait rates 0.12 / 0.16 / 0.165, paid from 6 €. */
START_TEST(test_rule_rsa)
{
    static const struct foyer f[] = {
        {"single owner, forfait 78.20", 1, 1, 0, 0, "40", "200", "0", "0", NULL, "", 1, "373.49",
         {"ressources 200 €/mois", "une personne seule", "RSA estimé 373,49 €/mois", "aucun membre ne perçoit le RSA"}},
        {"couple + 2 children renting with housing aid, forfait 651.69 x 1.8 x 0.165", 2, 4, 2, 1, "35", "540",
         "540", "600", NULL, "aide_logement", 1, "635.00",
         {"ressources 540 €/mois", "un couple avec 2 enfants", "RSA estimé 635 €/mois", "forfait logement"}},
        {"single renting without housing aid: no forfait", 3, 1, 0, 0, "30", "300", NULL, "450", NULL, "", 1,
         "351.69", {"RSA estimé 351,69 €/mois", NULL}},
        {"lone parent aged 22 with a child: eligible through the child", 4, 2, 1, 0, "22", "100.50", NULL, "0",
         NULL, "", 1, "720.63", {"ressources 100,50 €/mois", "un parent seul avec 1 enfant", NULL}},
        {"rent unknown: the forfait is deducted", 5, 1, 0, 0, "40", "200", NULL, NULL, NULL, "", 1, "373.49",
         {"forfait logement", NULL}},
        {"estimate exactly 6 €: paid", 6, 1, 0, 0, "50", "645.69", NULL, "400", NULL, "", 1, "6.00",
         {"RSA estimé 6 €/mois", NULL}},
        {"estimate 5.99 €: below the 6 € paid", 7, 1, 0, 0, "50", "645.70", NULL, "400", NULL, "", 0, NULL, {NULL}},
        {"aged 24 without children", 8, 1, 0, 0, "24", "0", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"age unknown, no children", 9, 1, 0, 0, NULL, "0", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"a member already receives the RSA", 10, 1, 0, 0, "40", "200", NULL, "0", NULL, "rsa", 0, NULL, {NULL}},
        {"resources unknown", 11, 1, 0, 0, "40", NULL, NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"resources above the RSA", 12, 2, 0, 1, "40", "1200", "1200", "0", NULL, "", 0, NULL, {NULL}},
        {"receives other benefits only", 13, 1, 0, 0, "40", "200", NULL, "0", NULL, "css aah prime_activite", 1,
         "373.49", {NULL}},
        {"no source reports the RSA: not known to be missing", 14, 1, 0, 0, "40", "200", NULL, "0", NULL, "?rsa", 0,
         NULL, {NULL}},
        {"renting, housing aid unknown: the forfait is deducted", 15, 1, 0, 0, "40", "200", NULL, "450", NULL,
         "?aide_logement", 1, "373.49", {"forfait logement", NULL}},
        /* 651.69 x (1.28412 + 0.42804) - 300, renting without aid (CASF L262-9, R262-1) */
        {"isolated parent, child born 2025: the majoration", 16, 2, 1, 0, "30", "300", NULL, "450", NULL, "", 1,
         "815.80", {"RSA majoré (parent isolé, enfant de moins de 3 ans) estimé 815,80 €/mois", NULL}, "2025"},
        /* born 2023: may be 3 already, not counted: 651.69 x 1.5 - 300 */
        {"isolated parent, child born 2023: no majoration", 17, 2, 1, 0, "30", "300", NULL, "450", NULL, "", 1,
         "677.54", {"RSA estimé 677,54 €/mois", NULL}, "2023"},
        {"claimant aged 67: the ASPA first (L262-10)", 18, 1, 0, 0, "67", "200", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"claimant aged 66", 19, 1, 0, 0, "66", "200", NULL, "0", NULL, "", 1, "373.49", {NULL}},
        {"another adult, neither partner nor child: left out", 20, 2, 0, 0, "40", "200", NULL, "0", NULL, "", 0, NULL,
         {NULL}},
    };
    check_rule("rsa", f, sizeof f / sizeof f[0]);
}
END_TEST

/* Base 638.28, share 0.5985 of earnings, paid from 15 €. */
START_TEST(test_rule_prime_activite)
{
    /* 2026-11-26: base 638.28, pente 0.5985, SMIC horaire brut 12.31, bonification from
     * 59 x 12.31 = 726.29 to 138 x 12.31 = 1698.78, at most round(0.377 x 638.28) = 240.63;
     * prime = base x c + 0.5985 x earnings + bonification - max(resources + forfait, base x c) */
    static const struct foyer f[] = {
        /* 638.28 + 718.20 + 240.63 x (1200 - 726.29) / 972.49 = 117.21 - 1200 */
        {"single renting without aid, earnings 1200", 1, 1, 0, 0, "30", "1200", "1200", "500", NULL, "", 1,
         "273.69",
         {"revenus d'activité 1 200 €/mois (ressources 1 200 €/mois)", "prime d'activité estimée 273,69 €/mois",
          "montant forfaitaire 638,28 € + 59,85 % des revenus d'activité, soit 718,20 € + bonification 117,21 € − ressources 1 200 €",
          "aucun membre ne perçoit la prime d'activité"}},
        /* a couple: the bonification of the earnings less one threshold, 1000 - 726.29 = 273.71,
         * under the threshold: none; 957.42 + 598.50 - (1000 + 638.28 x 1.5 x 0.16 = 153.19) */
        {"couple owning, earnings 1000, forfait 638.28 x 1.5 x 0.16 inside the comparison", 2, 2, 0, 1, "40", "1000",
         "1000", "0", NULL, "", 1, "402.73", {"un couple sans enfant", "et forfait logement 153,19 €", NULL}},
        /* two part-time workers, 700 + 700, resources 1790: no bonification in law (each under
         * 726.29): 957.42 + 837.90 - 1790 = 5.32, not paid; one bonification on 1400 would list them */
        {"couple earning 1400 together: no bonification counted", 17, 2, 0, 1, "40", "1790", "1400", "500", NULL, "", 0,
         NULL, {NULL}},
        /* resources sent under the earnings (two agencies): the earnings count as resources */
        {"resources 300 from one agency, earnings 1200 from another", 18, 1, 0, 0, "30", "300", "1200", "500", NULL, "",
         1, "273.69", {"(ressources 1 200 €/mois)", NULL}},
        /* above 1698.78 the bonification is 240.63: 878.91 - 0.4015 x 2151.70 = 15.0025 */
        {"estimate 15.0025: paid", 3, 1, 0, 0, "30", "2151.70", "2151.70", "500", NULL, "", 1, "15.00",
         {"prime d'activité estimée 15 €/mois", "bonification 240,63 €", NULL}},
        {"estimate 14.9984: below the 15 € paid", 4, 1, 0, 0, "30", "2151.71", "2151.71", "500", NULL, "", 0, NULL,
         {NULL}},
        {"no earnings", 5, 1, 0, 0, "30", "300", "0", "500", NULL, "", 0, NULL, {NULL}},
        {"earnings unknown", 6, 1, 0, 0, "30", "300", NULL, "500", NULL, "", 0, NULL, {NULL}},
        {"resources unknown", 7, 1, 0, 0, "30", NULL, "500", "500", NULL, "", 0, NULL, {NULL}},
        {"a member already receives it", 8, 1, 0, 0, "30", "1200", "1200", "500", NULL, "prime_activite", 0, NULL,
         {NULL}},
        {"earnings too high", 9, 1, 0, 0, "30", "2500", "2500", "500", NULL, "", 0, NULL, {NULL}},
        {"no source reports the prime", 10, 1, 0, 0, "30", "1200", "1200", "500", NULL, "?prime_activite", 0, NULL,
         {NULL}},
        /* 273.69 - 638.28 x 0.12 */
        {"renting, housing aid unknown: the forfait is counted", 11, 1, 0, 0, "30", "1200", "1200", "500", NULL,
         "?aide_logement", 1, "197.10", {"et forfait logement 76,59 €", NULL}},
        /* the tenant with housing aid earning 500: 638.28 + 299.25 - max(500 + 76.59, 638.28) */
        {"tenant with housing aid earning 500: the law's 299.25, not 222.66", 12, 1, 0, 0, "30", "500", "500", "400",
         NULL, "aide_logement", 1, "299.25", {"montant forfaitaire, plus élevé que les ressources et le forfait logement",
         NULL}},
        {"claimant aged 17 (by birth year): no prime before 18", 13, 1, 0, 0, "17", "1200", "1200", "500", NULL, "", 0,
         NULL, {NULL}},
        {"claimant aged 18", 14, 1, 0, 0, "18", "1200", "1200", "500", NULL, "", 1, "273.69", {NULL}},
        /* montant 638.28 x 1.71216 = 1092.84 in the + and in the max: 1092.84 + 718.20 + 117.21 - 1200 */
        {"isolated parent, child born 2025: the majoration", 15, 2, 1, 0, "30", "1200", "1200", "500", NULL, "", 1,
         "728.25", {"montant forfaitaire majoré pour un parent isolé 1 092,84 €", NULL}, "2025"},
        {"a couple and another adult: left out", 16, 3, 0, 1, "40", "1200", "1200", "500", NULL, "", 0, NULL, {NULL}},
    };
    check_rule("prime_activite", f, sizeof f / sizeof f[0]);
    /* a replayed night of 2018: the share of earnings was 62 %, written as such */
    PGresult *r = run_rule("prime_activite", "2018-01-15");
    ck_assert_int_ge(PQntuples(r), 1);
    const char *m = PQgetvalue(r, 0, 2);
    ck_assert_msg(strstr(m, " + 62 % des revenus d'activité") != NULL, "2018 motif: %s", m);
    PQclear(r);
}
END_TEST

/* The legal scale on 2026-11-26 (arrêté du 27 septembre 2019 as revalued; docs/rules.md): rent
 * ceilings zone 2 290.34 alone, 355.38 a couple, 399.89 + 58.21 per further person in charge;
 * zone 3 272.12, 329.88, 369.88 + 53.01; charges 60.59 + 13.74 per person in charge; P0 =
 * max(0.085 x (L + C), 39.56); TF 0.0283 alone, 0.0315 a couple, 0.027, 0.0238, 0.0201,
 * 0.0185, 0.0179 for 1 to 5 in charge; TL 0.45 % of RL over 0.45 up to 0.75, 0.68 % above; R0
 * 5235, 7501, 8947, 9148, 9498, 9851, 10202 (yearly); R = 12 x resources rounded up to the
 * hundred; listed when L + C - Pp >= 10, the estimate that less 5 (the minoration). */
START_TEST(test_rule_aide_logement)
{
    static const struct foyer f[] = {
        /* L = min(400, 290.34); L + C = 350.93; P0 = 39.56; RL = 1: TL = 0.0045 x 0.30 + 0.0068 x
         * 0.25 = 0.00305; Pp = 39.56 + 0.03135 x (12000 - 5235) = 251.64275; 99.28725 - 5 */
        {"alone, Bordeaux, rent over the ceiling", 1, 1, 0, 0, "40", "1000", "1000", "400", NULL, "", 1, "94.29",
         {"loyer 400 €/mois (plafond de la zone 2 pour un foyer de 1 personne : 290,34 €, loyer retenu 290,34 €)",
          "forfait charges 60,59 €", "participation personnelle 251,64 € (ressources 1 000 €/mois)",
          "aide estimée 94,29 €/mois"}},
        /* Libourne, zone 3: L = 272.12; L + C = 332.71; RL = 272.12 / 290.34 = 0.937246: TL =
         * 0.00135 + 0.0068 x 0.187246 = 0.0026233; Pp = 39.56 + 0.0309233 x 6765 = 248.75594;
         * 83.95406 - 5 */
        {"alone, Libourne (zone 3)", 2, 1, 0, 0, "40", "1000", "1000", "400", NULL, "", 1, "78.95",
         {"plafond de la zone 3 pour un foyer de 1 personne : 272,12 €", NULL}, NULL, NULL, "'33243'"},
        /* an unknown commune is taken as zone 3: the same figures */
        {"alone, commune unknown", 3, 1, 0, 0, "40", "1000", "1000", "400", NULL, "", 1, "78.95",
         {"plafond de la zone 3", NULL}, NULL, NULL, "NULL"},
        /* the minimum paid (10 €) applies to the aid after the 5 € minoration (D823-16):
         * 12 x 1216.66 = 14599.92 -> 14600: 311.37 - 0.03135 x 9365 = 17.77725 -> 17.78 - 5 = 12.78 */
        {"just over the minimum paid, after the minoration", 4, 1, 0, 0, "40", "1216.66", "1216.66", "400", NULL, "",
         1, "12.78", {"aide estimée 12,78 €/mois", NULL}},
        /* 12 x 1216.67 = 14600.04 -> 14700: 311.37 - 0.03135 x 9465 = 14.64225 -> 9.64 < 10 */
        {"just under the minimum paid, after the minoration", 5, 1, 0, 0, "40", "1216.67", "1216.67", "400", NULL, "",
         0, NULL, {NULL}},
        /* 12 x 1233.33 -> 14800: 11.50725 before the minoration, 6.51 after: not paid */
        {"11.51 before the minoration: not paid", 16, 1, 0, 0, "40", "1233.33", "1233.33", "400", NULL, "", 0, NULL,
         {NULL}},
        /* rent 120 under 45 % of 290.34 (130.653): TL = 0; R = 0 under R0: 180.59 - 39.56 = 141.03 */
        {"small rent, no resources", 6, 1, 0, 0, "40", "0", "0", "120", NULL, "", 1, "136.03",
         {"loyer retenu 120 €", "participation personnelle 39,56 €", NULL}},
        /* couple and 3 children: L = 399.89 + 2 x 58.21 = 516.31, C = 60.59 + 3 x 13.74 = 101.81,
         * P0 = 0.085 x 618.12 = 52.5402, Tp = 0.0201 + 0.00305, R - R0 = 30000 - 9498 = 20502:
         * 618.12 - 52.5402 - 474.6213 = 90.9585 */
        {"couple and 3 children, P0 at 8.5 %", 7, 5, 3, 1, "40", "2500", "2500", "700", NULL, "", 1, "85.96",
         {"un foyer de 5 personnes : 516,31 €", "forfait charges 101,81 €", NULL}},
        /* a parent and a child, zone 3: L = 369.88, C = 74.33, RL = 369.88 / 399.89 = 0.924954,
         * TL = 0.00135 + 0.0068 x 0.174954 = 0.0025397, Tp = 0.0295397, R - R0 = 16800 - 8947 =
         * 7853: 444.21 - 39.56 - 231.97518 = 172.67482 */
        {"parent and a child, zone 3", 8, 2, 1, 0, "35", "1400", "1400", "500", NULL, "", 1, "167.67",
         {NULL}, NULL, NULL, "'33243'"},
        /* couple without child, rent 300: RL = 300 / 355.38 = 0.844167, TL = 0.0019903, R - R0
         * = 18000 - 7501: 360.59 - 39.56 - 0.0334903 x 10499 = -30.585 */
        {"couple, 1500 a month: participation over rent and charges", 9, 2, 0, 1, "40", "1500", "1500", "300", NULL,
         "", 0, NULL, {NULL}},
        /* alone at 2000: 311.37 - 0.03135 x 18765 < 0 */
        {"alone at 2000", 10, 1, 0, 0, "40", "2000", "2000", "400", NULL, "", 0, NULL, {NULL}},
        {"no rent (owner)", 11, 1, 0, 0, "70", "500", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"rent unknown", 12, 1, 0, 0, "70", "500", NULL, NULL, NULL, "", 0, NULL, {NULL}},
        {"already receives housing aid", 13, 1, 0, 0, "70", "500", NULL, "400", NULL, "aide_logement", 0, NULL,
         {NULL}},
        {"resources unknown", 14, 1, 0, 0, "70", NULL, NULL, "400", NULL, "", 0, NULL, {NULL}},
        {"no source reports housing aid", 15, 1, 0, 0, "70", "500", NULL, "400", NULL, "?aide_logement", 0, NULL,
         {NULL}},
        /* high rents, Bordeaux alone (ceiling 290.34): from 2.5 x = 725.85 the aid falls, to
         * nothing at 3.1 x = 900.05. Rent 800, no resources: 290.34 + 60.59 - 39.56 = 311.37
         * x (1 - 74.15 / 174.20) = 178.83 - 5 */
        {"rent 800: the aid reduced", 17, 1, 0, 0, "40", "0", "0", "800", NULL, "", 1, "173.83",
         {"aide réduite pour un loyer au-delà de 725,85 €", NULL}},
        {"rent 950: no aid above 3.1 times the ceiling", 18, 1, 0, 0, "40", "0", "0", "950", NULL, "", 0, NULL,
         {NULL}},
        {"another adult: left out", 19, 2, 0, 0, "40", "500", "500", "400", NULL, "", 0, NULL, {NULL}},
    };
    check_rule("aide_logement", f, sizeof f / sizeof f[0]);
}
END_TEST

/* 12 x resources <= 13957 x (1 + 0.5 + 0.3 + 0.3 + 0.4...), or a member receives the RSA. */
START_TEST(test_rule_css)
{
    static const struct foyer f[] = {
        /* a tenant without housing aid: no forfait logement; 12 x 1163.08 = 13956.96 */
        {"single tenant, 12 x 1163.08 = 13956.96", 1, 1, 0, 0, "40", "1163.08", NULL, "450", NULL, "", 1, NULL,
         {"ressources 1 163,08 €/mois", "13 956,96 €/an", "13 957 €/an", "aucun membre ne bénéficie de la complémentaire santé solidaire"}},
        {"single tenant, 12 x 1163.09 = 13957.08", 2, 1, 0, 0, "40", "1163.09", NULL, "450", NULL, "", 0, NULL, {NULL}},
        /* owners (rent 0): the forfait without aid, 12 x 651.69 x 1.8 x 0.14 = 1970.71 a year for 4,
         * added to the resources (R861-5): 12 x 2278.24 + 1970.71 = 29309.59 <= 29309.70 */
        {"4 owners at 2278.24 + forfait (ceiling 29309.70)", 3, 4, 2, 1, "40", "2278.24", NULL, "0", NULL, "", 1, NULL,
         {"un foyer de 4 personnes", "1 970,71 €/an de forfait logement", "29 309,70 €/an", NULL}},
        {"4 owners at 2278.25 + forfait", 4, 4, 2, 1, "40", "2278.25", NULL, "0", NULL, "", 0, NULL, {NULL}},
        /* 12 x 2743.48 + 1970.71 = 34892.47 <= 34892.50 */
        {"5 owners at 2743.48 + forfait (ceiling 34892.50)", 5, 5, 3, 1, "40", "2743.48", NULL, "0", NULL, "", 1, NULL,
         {"34 892,50 €/an", NULL}},
        {"5 owners at 2743.49 + forfait", 6, 5, 3, 1, "40", "2743.49", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"receives the RSA, resources unknown", 7, 1, 0, 0, "40", NULL, NULL, "0", NULL, "rsa", 1, NULL,
         {"perçoit le RSA", NULL}},
        {"receives the RSA and already has the CSS", 8, 1, 0, 0, "40", "100", NULL, "0", NULL, "rsa css", 0, NULL,
         {NULL}},
        {"already has the CSS", 9, 1, 0, 0, "40", "100", NULL, "0", NULL, "css", 0, NULL, {NULL}},
        {"resources unknown, no RSA", 10, 1, 0, 0, "40", NULL, NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"no source reports the CSS", 11, 1, 0, 0, "40", "100", NULL, "0", NULL, "?css", 0, NULL, {NULL}},
        {"RSA unknown, resources under the ceiling", 12, 1, 0, 0, "40", "100", NULL, "0", NULL, "?rsa", 1, NULL,
         {"ressources 100 €/mois", NULL}},
        {"RSA unknown, resources over the ceiling", 13, 1, 0, 0, "40", "1500", NULL, "0", NULL, "?rsa", 0, NULL,
         {NULL}},
        {"another adult, neither partner nor child: left out", 14, 2, 0, 0, "40", "100", NULL, "0", NULL, "", 0, NULL,
         {NULL}},
        /* single owner: 12 x 651.69 x 0.12 = 938.43 a year; 12 x 1084.88 + 938.43 = 13956.99 */
        {"single owner at 1084.88 + forfait", 15, 1, 0, 0, "40", "1084.88", NULL, "0", NULL, "", 1, NULL,
         {"938,43 €/an de forfait logement", NULL}},
        {"single owner at 1084.89 + forfait", 16, 1, 0, 0, "40", "1084.89", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"single tenant with housing aid at 1084.89: the forfait with aid", 17, 1, 0, 0, "40", "1084.89", NULL, "450",
         NULL, "aide_logement", 0, NULL, {NULL}},
        /* presumptions (L861-2): the ASPA since 2022-04-01, the AAH alone since 2025-07-01 */
        {"ASPA recipient, resources over the ceiling, no earnings known", 18, 1, 0, 0, "70", "1500", NULL, "0", NULL,
         "aspa", 1, NULL, {"perçoit l'ASPA", "présumé", NULL}},
        {"ASPA recipient with earnings", 19, 1, 0, 0, "70", "1500", "300", "0", NULL, "aspa", 0, NULL, {NULL}},
        {"AAH recipient alone, no earnings", 20, 1, 0, 0, "40", "1500", "0", "0", NULL, "aah", 1, NULL,
         {"perçoit l'AAH", NULL}},
        {"AAH recipient in a couple: no presumption", 21, 2, 0, 1, "40", "2000", "0", "0", NULL, "aah", 0, NULL,
         {NULL}},
        {"AAH recipient alone, earnings unknown: no presumption", 22, 1, 0, 0, "40", "1500", NULL, "0", NULL, "aah", 0,
         NULL, {NULL}},
        /* a tenant whose housing aid is unknown: the forfait with aid, the prudent one:
         * 12 x 1163.08 + 938.43 > 13957 */
        {"tenant, housing aid unknown: the forfait counted", 23, 1, 0, 0, "40", "1163.08", NULL, "450", NULL,
         "?aide_logement", 0, NULL, {NULL}},
    };
    check_rule("css", f, sizeof f / sizeof f[0]);
}
END_TEST

/* Ceilings 12523.14 (alone) and 19442.21 (couple) a year, strict; from 65. */
START_TEST(test_rule_aspa)
{
    static const struct foyer f[] = {
        {"alone, 70, 800 a month", 1, 1, 0, 0, "70", "800", NULL, "0", NULL, "", 1, "243.60",
         {"demandeur de 70 ans vivant seul", "ressources 800 €/mois", "1 043,60 €/mois", "ASPA estimée 243,60 €/mois"}},
        {"couple of two, 66, 1500 a month", 2, 2, 0, 1, "66", "1500", NULL, "450", NULL, "", 1, "120.18",
         {"en couple", "1 620,18 €/mois", NULL}},
        {"alone, 12 x 1043.59 = 12523.08 < 12523.14", 3, 1, 0, 0, "80", "1043.59", NULL, "0", NULL, "", 1, "0.01",
         {NULL}},
        {"alone, 12 x 1043.60 = 12523.20", 4, 1, 0, 0, "80", "1043.60", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"a couple with an adult child: 3 persons", 5, 3, 0, 1, "70", "800", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"living with a child", 6, 2, 1, 0, "66", "500", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"two persons who are not a couple", 7, 2, 0, 0, "70", "500", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"aged 64", 8, 1, 0, 0, "64", "500", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"age unknown", 9, 1, 0, 0, NULL, "500", NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"a member already receives the ASPA", 10, 2, 0, 1, "70", "500", NULL, "0", NULL, "aspa", 0, NULL, {NULL}},
        {"resources unknown", 11, 1, 0, 0, "70", NULL, NULL, "0", NULL, "", 0, NULL, {NULL}},
        {"no source reports the ASPA", 12, 1, 0, 0, "70", "800", NULL, "0", NULL, "?aspa", 0, NULL, {NULL}},
        /* a couple whose partner's age is unknown: at most the single maximum, 12523.14 / 12 */
        {"couple, 300 a month, partner's age unknown", 13, 2, 0, 1, "70", "300", NULL, "0", NULL, "", 1, "1043.60",
         {"au plus le montant d'une personne seule", NULL}},
        /* both of age: the couple's maximum, 19442.21 / 12 - 300 */
        {"couple, 300 a month, partner born 1955", 14, 2, 0, 1, "70", "300", NULL, "0", NULL, "", 1, "1320.18",
         {NULL}, NULL, "1955"},
        {"couple, 300 a month, partner born 1970", 15, 2, 0, 1, "70", "300", NULL, "0", NULL, "", 1, "1043.60",
         {NULL}, NULL, "1970"},
        /* earnings disregarded up to 0.9 x 12.02 x 151.67 / 3 = 546.92 a month (R815-29): of
         * 1100 with 400 of earnings, 700 count: 1043.595 - 700 */
        {"alone, 1100 a month of which 400 earnings", 16, 1, 0, 0, "70", "1100", "400", "0", NULL, "", 1, "343.60",
         {"dont 400 € de revenus d'activité non comptés", NULL}},
        {"alone, 1100 a month, no earnings", 17, 1, 0, 0, "70", "1100", "0", "0", NULL, "", 0, NULL, {NULL}},
    };
    check_rule("aspa", f, sizeof f / sizeof f[0]);
}
END_TEST

/* Rent, 2 months of arrears or more, resources < 1600 + 500 per further person, strict. */
START_TEST(test_rule_fsl)
{
    static const struct foyer f[] = {
        {"3 months of arrears, 540 a month", 1, 2, 1, 0, "30", "540", NULL, "450", "3", "", 1, NULL,
         {"loyer impayé depuis 3 mois", "ressources 540 €/mois", "aucun membre n'a reçu d'aide du FSL", "plafond FSL 2 100 €/mois"}},
        {"2 months, just under the ceiling", 2, 2, 0, 1, "30", "2099.99", NULL, "450", "2", "", 1, NULL,
         {"loyer impayé depuis 2 mois", "2 099,99 €/mois", NULL}},
        {"2 months, at the ceiling (strict)", 3, 2, 0, 1, "30", "2100", NULL, "450", "2", "", 0, NULL, {NULL}},
        {"one month of arrears", 4, 1, 0, 0, "30", "540", NULL, "450", "1", "", 0, NULL, {NULL}},
        {"arrears unknown", 5, 1, 0, 0, "30", "540", NULL, "450", NULL, "", 0, NULL, {NULL}},
        {"already had FSL aid", 6, 1, 0, 0, "30", "540", NULL, "450", "4", "fsl", 0, NULL, {NULL}},
        {"no rent", 7, 1, 0, 0, "30", "540", NULL, "0", "4", "", 0, NULL, {NULL}},
        {"resources unknown", 8, 1, 0, 0, "30", NULL, NULL, "450", "4", "", 0, NULL, {NULL}},
        {"receives housing aid: still a candidate", 9, 1, 0, 0, "30", "1000", NULL, "450", "6", "aide_logement", 1,
         NULL, {"6 mois", NULL}},
        {"no source reports FSL aid", 10, 1, 0, 0, "30", "540", NULL, "450", "3", "?fsl", 0, NULL, {NULL}},
    };
    check_rule("fsl", f, sizeof f / sizeof f[0]);
}
END_TEST

/* ---- every rule against its definition on many households ------------------------------------- */

/* The rules' definitions (docs/rules.md) written plainly with the functions of 003, $1 the run
 * date: what each rule file must return, row for row. */
static const struct {
    const char *rule, *sql;
} DEFINITIONS[] = {
    /* the RSA: base x coefficient, or for an isolated parent whose youngest child was born in
     * the run's year or the two before, base x (1.28412 + 0.42804 x children); less the forfait
     * and the resources; under 67, no adult but the couple */
    {"rsa", "SELECT x.foyer_id, pg_catalog.round(x.e, 2) FROM (SELECT f.foyer_id, "
            "tznr.rsa_estimate($1::date, f.couple, f.nb_enfants, "
            "NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE), f.ressources) "
            "+ CASE WHEN NOT f.couple AND f.nb_enfants > 0 "
            "            AND pg_catalog.date_part('year', $1::date) - f.youngest_child_birth_year <= 2 "
            "       THEN tznr.param('rsa.montant_base', $1::date) * (tznr.param('rsa.majoration_isolement.base', $1::date) "
            "            + tznr.param('rsa.majoration_isolement.par_enfant', $1::date) * f.nb_enfants "
            "            - tznr.rsa_coefficient(false, f.nb_enfants)) ELSE 0 END AS e "
            "FROM tznr.run_foyer f WHERE NOT f.recoit_rsa AND (f.claimant_age >= 25 OR f.nb_enfants > 0) "
            "AND (f.claimant_age < 67 OR f.claimant_age IS NULL) AND f.nb_adultes <= 1 + f.couple::int) x "
            "WHERE x.e >= tznr.param('rsa.seuil_versement', $1::date)"},
    /* the prime: montant forfaitaire (majoré for the same isolated parents) + part x earnings +
     * the bonification (a couple's on the earnings less 59 SMIC hours) - max(resources, at
     * least the earnings, + forfait, montant); 18 or more, no adult but the couple */
    {"prime_activite",
     "SELECT x.foyer_id, pg_catalog.round(x.e, 2) FROM (SELECT f.foyer_id, tznr.ppa_calcul("
     "  CASE WHEN NOT f.couple AND f.nb_enfants > 0 "
     "            AND pg_catalog.date_part('year', $1::date) - f.youngest_child_birth_year <= 2 "
     "       THEN tznr.param('ppa.montant_base', $1::date) * (tznr.param('ppa.majoration_isolement.base', $1::date) "
     "            + tznr.param('ppa.majoration_isolement.par_enfant', $1::date) * f.nb_enfants) "
     "       ELSE tznr.param('ppa.montant_base', $1::date) * tznr.rsa_coefficient(f.couple, f.nb_enfants) END, "
     "  tznr.param('ppa.part_revenus_activite', $1::date), f.revenus_activite, "
     "  tznr.ppa_bonification(tznr.param('ppa.montant_base', $1::date), tznr.param('smic.horaire_brut', $1::date), "
     "       tznr.param('ppa.bonification.seuil', $1::date), tznr.param('ppa.bonification.plafond', $1::date), "
     "       tznr.param('ppa.bonification.taux_max', $1::date), f.revenus_activite - CASE WHEN f.couple "
     "       THEN tznr.param('ppa.bonification.seuil', $1::date) * tznr.param('smic.horaire_brut', $1::date) ELSE 0 END), "
     "  GREATEST(f.ressources, f.revenus_activite), "
     "  CASE WHEN NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE) "
     "       THEN tznr.forfait_logement(tznr.param('ppa.montant_base', $1::date), 1 + f.couple::int + f.nb_enfants, "
     "            tznr.param('ppa.forfait_logement.taux_1', $1::date), tznr.param('ppa.forfait_logement.taux_2', $1::date), "
     "            tznr.param('ppa.forfait_logement.taux_3', $1::date)) ELSE 0 END) AS e "
     "FROM tznr.run_foyer f WHERE NOT f.recoit_prime_activite AND f.revenus_activite > 0 "
     "AND f.ressources IS NOT NULL AND f.claimant_age >= 18 AND f.nb_adultes <= 1 + f.couple::int) x "
     "WHERE x.e >= tznr.param('ppa.seuil_versement', $1::date)"},
    /* housing aid: a tenant without it whose estimate on the legal scale (zone of the commune,
     * couple, every other member in charge) reaches the minimum paid; the estimate less the
     * minoration */
    /* housing aid: the scale's estimate, reduced from 2.5 to 3.1 times the rent ceiling, less
     * the minoration, from the minimum paid; no other adult */
    {"aide_logement", "SELECT x.foyer_id, pg_catalog.round(x.v, 2) FROM (SELECT y.foyer_id, "
                      "GREATEST(pg_catalog.round(y.e * CASE WHEN y.loyer <= pg_catalog.round(2.5 * y.p, 2) THEN 1 "
                      "WHEN y.loyer <= pg_catalog.round(3.1 * y.p, 2) THEN 1 - (y.loyer - pg_catalog.round(2.5 * y.p, 2)) "
                      "/ (pg_catalog.round(3.1 * y.p, 2) - pg_catalog.round(2.5 * y.p, 2)) ELSE 0 END, 2) "
                      "- tznr.param('aide_logement.minoration_forfaitaire', $1::date), 0) AS v "
                      "FROM (SELECT f.foyer_id, f.loyer, tznr.aide_logement_estimate($1::date, f.commune, f.couple, "
                      "GREATEST(f.nb_personnes - 1 - f.couple::int, 0), f.loyer, f.ressources) AS e, "
                      "(tznr.aide_logement_bareme($1::date, tznr.aide_logement_zone(f.commune), f.couple, "
                      "GREATEST(f.nb_personnes - 1 - f.couple::int, 0))).plafond AS p "
                      "FROM tznr.run_foyer f WHERE NOT f.recoit_aide_logement AND f.loyer > 0 "
                      "AND f.nb_adultes <= 1 + f.couple::int) y) x "
                      "WHERE x.v >= tznr.param('aide_logement.seuil_versement', $1::date)"},
    /* the CSS: the RSA, the ASPA without earnings (from 2022-04-01), the AAH alone without
     * earnings (from 2025-07-01), or 12 x resources + the yearly forfait logement (with aid:
     * the aid's rates; a tenant without aid: none; else the rates without aid) under the
     * ceiling; no adult but the couple */
    {"css", "SELECT f.foyer_id, NULL::numeric FROM tznr.run_foyer f WHERE NOT f.recoit_css "
            "AND f.nb_adultes <= 1 + f.couple::int AND (f.recoit_rsa "
            "OR (f.recoit_aspa AND $1::date >= '2022-04-01' AND COALESCE(f.revenus_activite, 0) = 0) "
            "OR (f.recoit_aah AND $1::date >= '2025-07-01' AND f.nb_personnes = 1 AND COALESCE(f.revenus_activite, 0) = 0) "
            "OR 12 * f.ressources + 12 * tznr.param('rsa.montant_base', $1::date) "
            "   * CASE WHEN f.recoit_aide_logement IS TRUE "
            "          THEN CASE f.nb_personnes WHEN 1 THEN 0.12 WHEN 2 THEN 1.5 * 0.16 ELSE 1.8 * 0.165 END "
            "          WHEN COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE THEN 0 "
            "          ELSE CASE f.nb_personnes WHEN 1 THEN 0.12 WHEN 2 THEN 1.5 * 0.14 ELSE 1.8 * 0.14 END END "
            "   <= tznr.css_plafond($1::date, f.nb_personnes))"},
    /* the ASPA: the ceiling less the resources, earnings disregarded up to 0.9 (alone) or 1.5
     * (couple) x the 1 January SMIC x 151.67 / 3 a month; at most the single maximum unless the
     * partner is 65 too (by birth year) */
    {"aspa", "SELECT x.foyer_id, pg_catalog.round(LEAST(CASE WHEN x.nb_personnes = 2 AND 2026 - x.partner_birth_year >= 65 "
             "THEN tznr.aspa_plafond($1::date, true) ELSE tznr.aspa_plafond($1::date, false) END / 12, "
             "tznr.aspa_plafond($1::date, x.nb_personnes = 2) / 12 - x.r), 2) "
             "FROM (SELECT f.*, GREATEST(f.ressources, COALESCE(f.revenus_activite, 0)) - LEAST(COALESCE(f.revenus_activite, 0), "
             "CASE WHEN f.nb_personnes = 2 THEN 1.5 ELSE 0.9 END * 12.02 * 151.67 / 3) AS r FROM tznr.run_foyer f) x "
             "WHERE NOT x.recoit_aspa AND x.claimant_age >= 65 AND x.nb_enfants = 0 AND x.ressources IS NOT NULL "
             "AND (x.nb_personnes = 1 OR (x.nb_personnes = 2 AND x.couple)) "
             "AND x.r < tznr.aspa_plafond($1::date, x.nb_personnes = 2) / 12"},
    {"fsl", "SELECT f.foyer_id, NULL::numeric FROM tznr.run_foyer f WHERE NOT f.recoit_fsl AND f.loyer > 0 "
            "AND f.impaye_mois >= 2 AND f.ressources < tznr.fsl_plafond($1::date, f.nb_personnes)"},
};

START_TEST(test_rules_match_definitions)
{
    /* 4000 varied households, some figures unknown */
    PQclear(query(
        "INSERT INTO tznr.run_foyer (foyer_id, commune, nb_personnes, nb_enfants, nb_adultes, couple, "
        "claimant_birth_year, claimant_age, ressources, revenus_activite, loyer, impaye_mois, recoit_rsa, "
        "recoit_prime_activite, recoit_aide_logement, recoit_aah, recoit_css, recoit_aspa, recoit_apa, recoit_pch, "
        "recoit_fsl, suivi_social, confiance, confiance_score, youngest_child_birth_year, partner_birth_year) "
        "SELECT g, '33063', 1 + cpl::int + enf + (g % 19 = 0)::int, enf, 1 + cpl::int + (g % 19 = 0)::int, cpl, "
        "       2026 - age, age, res, CASE WHEN g % 29 = 0 THEN NULL ELSE pg_catalog.round(res * (g % 5) / 4, 2) END, "
        "       CASE WHEN g % 31 = 0 THEN NULL WHEN g % 4 = 0 THEN 0 ELSE 250 + g * 13 % 600 END, "
        "       CASE WHEN g % 37 = 0 THEN NULL ELSE g % 5 END, "
        "       CASE WHEN g % 43 = 1 THEN NULL ELSE g % 6 = 0 END, CASE WHEN g % 43 = 2 THEN NULL ELSE g % 10 = 0 END, "
        "       CASE WHEN g % 43 = 3 OR g % 47 = 3 THEN NULL ELSE g % 2 = 0 END, false, "
        "       CASE WHEN g % 43 = 4 THEN NULL ELSE g % 9 = 0 END, CASE WHEN g % 43 = 5 THEN NULL ELSE g % 11 = 0 END, "
        "       false, false, CASE WHEN g % 43 = 6 THEN NULL ELSE g % 13 = 0 END, false, "
        "       'NIR', 1, CASE WHEN enf > 0 AND g % 53 <> 0 THEN 2026 - g % 7 END, "
        "       CASE WHEN cpl AND g % 2 = 0 THEN 2026 - 40 - g % 50 END "
        "  FROM (SELECT g, g % 3 = 0 AS cpl, (g / 3) % 5 AS enf, "
        "               CASE WHEN g % 41 = 0 THEN NULL ELSE 18 + g * 7 % 75 END AS age, "
        "               CASE WHEN g % 23 = 0 THEN NULL ELSE (g::bigint * 7919 % 350000) / 100.0 END AS res "
        "          FROM pg_catalog.generate_series(1, 4000) g) h",
        0, NULL));
    static const char *const dates[] = {RUN_DATE, "2026-03-15"};
    for (size_t d = 0; d < 2; d++)
        for (size_t i = 0; i < sizeof DEFINITIONS / sizeof DEFINITIONS[0]; i++) {
            char *text = rule_text(DEFINITIONS[i].rule);
            size_t n = strlen(text);
            while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == ';'))
                text[--n] = '\0';
            char *sql = NULL;
            ck_assert_int_ge(asprintf(&sql,
                                      "WITH r AS (\n%s\n), x (foyer_id, estimate) AS (%s) "
                                      "SELECT (SELECT count(*) FROM r)::text || ' ' || (SELECT count(*) FROM x) "
                                      "|| ' ' || (SELECT count(*) FROM ((SELECT foyer_id, estimate FROM r EXCEPT "
                                      "SELECT * FROM x) UNION ALL (SELECT * FROM x EXCEPT SELECT foyer_id, "
                                      "estimate FROM r)) d)",
                                      text, DEFINITIONS[i].sql),
                             0);
            const char *p[] = {dates[d]};
            PGresult *r = query(sql, 1, p);
            long listed = 0, defined = 0, differ = 0;
            ck_assert(sscanf(PQgetvalue(r, 0, 0), "%ld %ld %ld", &listed, &defined, &differ) == 3);
            ck_assert_msg(differ == 0 && listed == defined, "%s on %s: the rule lists %ld, its definition %ld, %ld differ",
                          DEFINITIONS[i].rule, dates[d], listed, defined, differ);
            ck_assert_msg(listed >= 20 && listed <= 3000, "%s on %s lists %ld of 4000: a weak test",
                          DEFINITIONS[i].rule, dates[d], listed);
            PQclear(r);
            free(sql);
            free(text);
        }
}
END_TEST

/* ---- every rule file: header, contract, embedding ---------------------------------------------- */

static const char *const HEADER_KEYS[] = {"rule", "benefit", "owners", "legal", "description"};
/* extract-v1 section 5, as amended on 2026-12-01 */
static const char *const KINDS[] = {"caf", "departement", "bailleur", "cpam", "msa", "carsat", "france_travail", "ccas",
                                    "autre"};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

/* Check the header of rule file ID (TEXT): the five keys first, in order, one a line. */
static void check_header(const char *id, const char *text)
{
    const char *p = text;
    for (size_t k = 0; k < 5; k++) {
        const char *eol = strchr(p, '\n');
        ck_assert_msg(eol != NULL, "%s.sql: header cut short", id);
        char line[1024];
        size_t len = (size_t)(eol - p);
        ck_assert_msg(len < sizeof line, "%s.sql: header line %zu too long", id, k + 1);
        memcpy(line, p, len);
        line[len] = '\0';
        const char *want = tu_fmt("-- %s: ", HEADER_KEYS[k]);
        ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s.sql line %zu: '%s', expected '%s...'", id, k + 1,
                      line, want);
        const char *val = line + strlen(want);
        ck_assert_msg(strlen(val) >= 3 && val[strlen(val) - 1] != ' ', "%s.sql: empty or padded %s", id,
                      HEADER_KEYS[k]);
        if (k == 0)
            ck_assert_msg(strcmp(val, id) == 0, "%s.sql names the rule '%s'", id, val);
        if (k == 2) {
            char owners[256];
            snprintf(owners, sizeof owners, "%s", val);
            int seen[NKINDS] = {0}, n = 0;
            for (char *save = NULL, *t = strtok_r(owners, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ')
                    t++;
                size_t i = 0;
                while (i < NKINDS && strcmp(t, KINDS[i]) != 0)
                    i++;
                ck_assert_msg(i < NKINDS, "%s.sql: owner '%s' is not a source kind of the extract", id, t);
                ck_assert_msg(!seen[i], "%s.sql: owner '%s' twice", id, t);
                seen[i] = 1;
                n++;
            }
            ck_assert_msg(n > 0, "%s.sql: no owner", id);
        }
        p = eol + 1;
    }
}

START_TEST(test_rule_files)
{
    /* the rule files on disk are exactly the rules this suite tests */
    DIR *d = opendir("sql/rules");
    ck_assert_msg(d != NULL, "no sql/rules (run from the repository root)");
    size_t files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        files++;
        size_t i = 0;
        while (i < NRULES && !(strlen(RULES[i]) == len - 4 && strncmp(e->d_name, RULES[i], len - 4) == 0))
            i++;
        ck_assert_msg(i < NRULES, "sql/rules/%s has no test in check_rules.c", e->d_name);
    }
    closedir(d);
    ck_assert_uint_eq(files, NRULES);

    for (size_t i = 0; i < NRULES; i++) {
        char *text = rule_text(RULES[i]);
        check_header(RULES[i], text);
        /* the binary carries it unchanged */
        const char *name = tu_fmt("rules/%s.sql", RULES[i]);
        size_t k = 0;
        while (k < db_nsqlfiles && strcmp(db_sqlfiles[k].name, name) != 0)
            k++;
        ck_assert_msg(k < db_nsqlfiles, "%s is not embedded (rebuild)", name);
        ck_assert_msg(strcmp(db_sqlfiles[k].text, text) == 0, "the embedded %s differs from the file (rebuild)", name);
        /* one statement, $1 a date, the three columns with their types */
        PGresult *r = PQprepare(conn, RULES[i], text, 0, NULL);
        ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s does not prepare as one statement: %s", RULES[i],
                      PQresultErrorMessage(r));
        PQclear(r);
        r = PQdescribePrepared(conn, RULES[i]);
        ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
        ck_assert_int_eq(PQnparams(r), 1);
        ck_assert_uint_eq(PQparamtype(r, 0), 1082); /* date */
        ck_assert_int_eq(PQnfields(r), 3);
        ck_assert_str_eq(PQfname(r, 0), "foyer_id");
        ck_assert_uint_eq(PQftype(r, 0), 20); /* bigint */
        ck_assert_str_eq(PQfname(r, 1), "estimate");
        ck_assert_uint_eq(PQftype(r, 1), 1700); /* numeric */
        ck_assert_str_eq(PQfname(r, 2), "motif");
        ck_assert_uint_eq(PQftype(r, 2), 25); /* text */
        PQclear(r);
        /* usable inside a larger statement (a trailing semicolon is the engine's to drop) */
        size_t n = strlen(text);
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == ';'))
            text[--n] = '\0';
        char *wrapped = NULL;
        ck_assert_int_ge(asprintf(&wrapped, "SELECT count(*) FROM (\n%s\n) r", text), 0);
        const char *p[] = {RUN_DATE};
        PQclear(query(wrapped, 1, p));
        free(wrapped);
        free(text);
    }
}
END_TEST

Suite *suite_rules(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("openfisca");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_openfisca_rsa_cas_1);
    tcase_add_test(tc, test_openfisca_rsa_cas_2);
    tcase_add_test(tc, test_openfisca_rsa_cas_3);
    tcase_add_test(tc, test_openfisca_rsa_cas_4);
    tcase_add_test(tc, test_openfisca_rsa_cas_6);
    tcase_add_test(tc, test_openfisca_rsa_cas_non_passant_1);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("formulas");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_formulas_2026);
    tcase_add_test(tc, test_formulas_inlined);
    tcase_add_test(tc, test_register_phrases);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);

    tc = tcase_create("rule files");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_rule_rsa);
    tcase_add_test(tc, test_rule_prime_activite);
    tcase_add_test(tc, test_rule_aide_logement);
    tcase_add_test(tc, test_rule_css);
    tcase_add_test(tc, test_rule_aspa);
    tcase_add_test(tc, test_rule_fsl);
    tcase_add_test(tc, test_rules_match_definitions);
    tcase_add_test(tc, test_rule_files);
    tcase_set_timeout(tc, TIMEOUT);
    suite_add_tcase(s, tc);
    return s;
}
