/* config/parameters.csv, the dated benefit parameters the rules read through tznr.param, read
 * as a run reads it but parsed here in C (no database): docs/parameters.md describes it.
 *
 * - every parameter the rules need (the list below) has a value in force on every day from
 *   2016-01-01 to 2026-12-01;
 * - every row cites its source: an OpenFisca-France parameter file, a tznr screening proxy, or a
 *   legal text (décret, arrêté, loi);
 * - no parameter has two rows from the same date; the file is sorted by name then date;
 * - every value is plausible for its parameter (a typo such as 65.169 for 651.69 is caught), and
 *   the amounts that are only ever revalued upwards never go down;
 * - every tznr.param('name' ...) of the .sql files of sql/rules and sql/migrations names a
 *   parameter the file has. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define CSV_PATH "config/parameters.csv"
#define FIRST_DAY "2016-01-01"
#define LAST_DAY "2026-12-01"

/* Every parameter of the file, with the range its values must lie in and whether it may only
 * grow over time. A parameter missing here fails the plausibility test: add it with its
 * range. REQUIRED: the rules need it on every day from FIRST_DAY to LAST_DAY. */
struct expected {
    const char *name;
    double min, max;
    int required;
    int never_decreases;
};

static const struct expected EXPECTED[] = {
    /* housing aid's legal scale (CCH R823-1 and following, arrêté du 27 septembre 2019):
     * monthly euros, yearly euros for R0, rates */
    {"aide_logement.charges.base", 40, 90, 1, 1},
    {"aide_logement.charges.par_enfant", 8, 20, 1, 1},
    {"aide_logement.loyer_plafond.zone_2.seul", 200, 400, 1, 1},
    {"aide_logement.loyer_plafond.zone_2.couple", 250, 500, 1, 1},
    {"aide_logement.loyer_plafond.zone_2.un_enfant", 280, 550, 1, 1},
    {"aide_logement.loyer_plafond.zone_2.par_enfant_supp", 30, 80, 1, 1},
    {"aide_logement.loyer_plafond.zone_3.seul", 200, 400, 1, 1},
    {"aide_logement.loyer_plafond.zone_3.couple", 250, 500, 1, 1},
    {"aide_logement.loyer_plafond.zone_3.un_enfant", 280, 550, 1, 1},
    {"aide_logement.loyer_plafond.zone_3.par_enfant_supp", 30, 80, 1, 1},
    {"aide_logement.minoration_forfaitaire", 0, 10, 1, 0},
    {"aide_logement.p0.forfait", 25, 60, 1, 1},
    {"aide_logement.p0.taux", 0.05, 0.15, 1, 0},
    {"aide_logement.r0.seul", 3500, 7000, 1, 0},
    {"aide_logement.r0.couple", 5000, 10000, 1, 0},
    {"aide_logement.r0.pac_1", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_2", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_3", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_4", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_5", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_6", 6000, 14000, 1, 0},
    {"aide_logement.r0.pac_supp", 200, 500, 1, 0},
    {"aide_logement.seuil_versement", 0, 30, 1, 0},
    {"aide_logement.tf.seul", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.couple", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_1", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_2", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_3", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_4", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_5", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_6", 0.01, 0.05, 1, 0},
    {"aide_logement.tf.pac_supp_baisse", 0, 0.005, 1, 0},
    {"aide_logement.tl.seuil_1", 0.2, 0.7, 1, 0},
    {"aide_logement.tl.seuil_2", 0.5, 1, 1, 0},
    {"aide_logement.tl.taux_2", 0, 0.02, 1, 0},
    {"aide_logement.tl.taux_3", 0, 0.02, 1, 0},
    /* the département's screening proxies, monthly euros */
    {"aide_logement.plafond_1", 800, 4000, 1, 0},
    {"aide_logement.plafond_2", 800, 4000, 1, 0},
    {"aide_logement.plafond_3", 800, 4000, 1, 0},
    {"aide_logement.plafond_4", 800, 4000, 1, 0},
    {"aide_logement.plafond_5", 800, 4000, 1, 0},
    {"fsl.plafond_base", 500, 4000, 1, 0},
    {"aide_logement.degressivite.zone_2", 2, 1000, 1, 0},
    {"aide_logement.degressivite.zone_3", 2, 1000, 1, 0},
    {"aide_logement.suppression.zone_2", 2, 1000, 1, 0},
    {"aide_logement.suppression.zone_3", 2, 1000, 1, 0},
    {"rsa.age_aspa_prioritaire", 60, 70, 1, 0},
    {"fsl.plafond_par_personne", 100, 2000, 1, 0},
    /* ASPA: yearly euros; multiples of the monthly gross SMIC */
    {"aspa.plafond_seul", 9000, 16000, 1, 1},
    {"aspa.plafond_couple", 14000, 25000, 1, 1},
    {"aspa.abattement_revenus_activite.seul", 0.5, 2, 1, 0},
    {"aspa.abattement_revenus_activite.couple", 1, 3, 1, 0},
    /* CSS: coefficients, yearly euros, rates of the RSA amount */
    {"css.coef_2e_personne", 0, 1, 1, 0},
    {"css.coef_3e_4e_personne", 0, 1, 1, 0},
    {"css.coef_5e_personne_et_plus", 0, 1, 1, 0},
    {"css.plafond_1_personne", 11000, 16000, 1, 1},
    {"css.presomption_aspa", 0, 1, 1, 0},
    {"css.presomption_aah", 0, 1, 1, 0},
    {"css.forfait_logement.avec_al.taux_1p", 0, 0.3, 1, 0},
    {"css.forfait_logement.avec_al.taux_2p", 0, 0.3, 1, 0},
    {"css.forfait_logement.avec_al.taux_3p_plus", 0, 0.3, 1, 0},
    {"css.forfait_logement.sans_al.taux_1p", 0, 0.3, 1, 0},
    {"css.forfait_logement.sans_al.taux_2p", 0, 0.3, 1, 0},
    {"css.forfait_logement.sans_al.taux_3p_plus", 0, 0.3, 1, 0},
    /* prime d'activité: monthly euros, rates, multiples of the hourly gross SMIC */
    {"ppa.montant_base", 500, 700, 1, 1},
    {"ppa.part_revenus_activite", 0.5, 0.7, 1, 0},
    {"ppa.forfait_logement.taux_1", 0, 0.3, 1, 0},
    {"ppa.forfait_logement.taux_2", 0, 0.3, 1, 0},
    {"ppa.forfait_logement.taux_3", 0, 0.3, 1, 0},
    {"ppa.seuil_versement", 1, 50, 1, 0},
    {"ppa.age_minimum", 15, 25, 1, 0},
    {"ppa.bonification.seuil", 30, 100, 1, 0},
    {"ppa.bonification.plafond", 60, 200, 1, 1},
    {"ppa.bonification.taux_max", 0, 1, 1, 1},
    {"ppa.majoration_isolement.base", 1, 2, 1, 0},
    {"ppa.majoration_isolement.par_enfant", 0, 1, 1, 0},
    /* RSA */
    {"rsa.montant_base", 500, 700, 1, 1},
    {"rsa.forfait_logement.taux_1", 0, 0.3, 1, 0},
    {"rsa.forfait_logement.taux_2", 0, 0.3, 1, 0},
    {"rsa.forfait_logement.taux_3", 0, 0.3, 1, 0},
    {"rsa.seuil_versement", 1, 50, 1, 0},
    {"rsa.majoration_isolement.base", 1, 2, 1, 0},
    {"rsa.majoration_isolement.par_enfant", 0, 1, 1, 0},
    /* SMIC: hourly gross euros; hours a month; retirement age in years */
    {"smic.horaire_brut", 9, 13, 1, 1},
    {"smic.heures_mensuelles", 140, 160, 1, 0},
    {"retraite.age_taux_plein", 60, 70, 1, 0},
};
#define NEXPECTED (sizeof EXPECTED / sizeof EXPECTED[0])

/* ---- the file ------------------------------------------------------------------------------- */

struct row {
    char *name, *date, *reference;
    double value;
    long line;
};

struct table {
    char *text;
    struct row *rows;
    size_t n;
};

static int is_iso_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = atoi(s + 5), d = atoi(s + 8);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* The value as tznr's loader accepts it: digits, at most one '.', nothing else. */
static int parse_value(const char *s, double *v)
{
    int digits = 0, points = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.')
            points++;
        else
            return 0;
    }
    if (digits == 0 || points > 1)
        return 0;
    *v = strtod(s, NULL);
    return 1;
}

/* Read and split the file. The convention (docs/parameters.md): no quotes, no comma in a
 * reference, so a line is exactly four comma-separated fields. */
static struct table load(void)
{
    struct table t = {0};
    t.text = tu_read(CSV_PATH, NULL);
    ck_assert_msg(t.text != NULL, "cannot read %s (the tests run from the repository root)", CSV_PATH);
    ck_assert_msg(strchr(t.text, '"') == NULL, "%s: no quotes: a reference holds no comma", CSV_PATH);
    size_t cap = 256;
    t.rows = calloc(cap, sizeof *t.rows);
    char *save = NULL;
    long line = 0;
    for (char *l = strtok_r(t.text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        size_t len = strlen(l);
        if (len > 0 && l[len - 1] == '\r')
            l[--len] = '\0';
        if (line == 1) {
            ck_assert_msg(strcmp(l, "name,valid_from,value,reference") == 0, "%s: header '%s'", CSV_PATH, l);
            continue;
        }
        char *f[4];
        int nf = 0;
        f[nf++] = l;
        for (char *p = l; *p; p++)
            if (*p == ',') {
                ck_assert_msg(nf < 4, "%s line %ld: more than four fields (a comma in the reference?)", CSV_PATH,
                              line);
                *p = '\0';
                f[nf++] = p + 1;
            }
        ck_assert_msg(nf == 4, "%s line %ld: %d fields, want name,valid_from,value,reference", CSV_PATH, line, nf);
        if (t.n == cap) {
            cap *= 2;
            t.rows = realloc(t.rows, cap * sizeof *t.rows);
        }
        struct row *r = &t.rows[t.n++];
        r->name = f[0];
        r->date = f[1];
        r->reference = f[3];
        r->line = line;
        ck_assert_msg(r->name[0] != '\0', "%s line %ld: no name", CSV_PATH, line);
        ck_assert_msg(is_iso_date(r->date), "%s line %ld: valid_from '%s' is not YYYY-MM-DD", CSV_PATH, line, r->date);
        ck_assert_msg(parse_value(f[2], &r->value), "%s line %ld: value '%s' is not a number with a '.'", CSV_PATH,
                      line, f[2]);
    }
    ck_assert_msg(t.n > 0, "%s has no rows", CSV_PATH);
    return t;
}

static void unload(struct table *t)
{
    free(t->rows);
    free(t->text);
}

static const struct expected *expected_of(const char *name)
{
    for (size_t i = 0; i < NEXPECTED; i++)
        if (strcmp(EXPECTED[i].name, name) == 0)
            return &EXPECTED[i];
    return NULL;
}

/* The row of NAME in force on DATE: the last one whose valid_from <= DATE (as tznr.param). */
static const struct row *in_force(const struct table *t, const char *name, const char *date)
{
    const struct row *best = NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].name, name) == 0 && strcmp(t->rows[i].date, date) <= 0 &&
            (!best || strcmp(t->rows[i].date, best->date) > 0))
            best = &t->rows[i];
    return best;
}

/* ---- (a) a value in force every day --------------------------------------------------------- */

START_TEST(test_required_in_force_every_day)
{
    struct table t = load();
    for (size_t e = 0; e < NEXPECTED; e++) {
        if (!EXPECTED[e].required)
            continue;
        const char *name = EXPECTED[e].name;
        /* the earliest row must be in force on the first day: no row, or a first row dated after
         * it, leaves a run of early 2016 without the parameter. A row has no end date, so the
         * one in force on the first day stays in force (or gives way to a later one) every day
         * after it: no day up to LAST_DAY can lack a value, and nothing more is to check. */
        const struct row *first = in_force(&t, name, FIRST_DAY);
        ck_assert_msg(first != NULL, "%s: no row in force on %s (earliest valid_from must be <= %s)", name, FIRST_DAY,
                      FIRST_DAY);
    }
    unload(&t);
}
END_TEST

/* ---- (b) every row cites its source --------------------------------------------------------- */

/* Whether S contains WORD, ASCII letters compared without case (the accented letters of
 * "décret" and "arrêté" are compared as written: both capitalisations are listed). */
static int contains(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] &&
               (s[i] == word[i] || ((unsigned char)s[i] < 128 && (s[i] | 0x20) == word[i] && word[i] >= 'a' &&
                                    word[i] <= 'z')))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int names_legal_text(const char *ref)
{
    static const char *const words[] = {"décret", "Décret", "arrêté", "Arrêté", "loi n°"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (contains(ref, words[i]))
            return 1;
    return 0;
}

START_TEST(test_every_row_cites_its_source)
{
    struct table t = load();
    for (size_t i = 0; i < t.n; i++) {
        const struct row *r = &t.rows[i];
        ck_assert_msg(r->reference[0] != '\0' && r->reference[0] != ' ', "%s line %ld (%s %s): no reference",
                      CSV_PATH, r->line, r->name, r->date);
        int openfisca = strncmp(r->reference, "openfisca_france/", 17) == 0;
        int proxy = strncmp(r->reference, "tznr:", 5) == 0;
        ck_assert_msg(openfisca || proxy || names_legal_text(r->reference),
                      "%s line %ld (%s %s): the reference must start with openfisca_france/ or tznr: or name a "
                      "décret, arrêté or loi: '%s'",
                      CSV_PATH, r->line, r->name, r->date, r->reference);
        if (openfisca)
            ck_assert_msg(strstr(r->reference, ".yaml") != NULL, "%s line %ld: an OpenFisca reference names a .yaml: '%s'",
                          CSV_PATH, r->line, r->reference);
        /* a proxy is the département's, not law: it says so and where it is explained */
        if (proxy)
            ck_assert_msg(strstr(r->reference, "docs/") != NULL, "%s line %ld: a tznr: reference names its doc",
                          CSV_PATH, r->line);
    }
    unload(&t);
}
END_TEST

/* ---- (c) one row per date, in order --------------------------------------------------------- */

START_TEST(test_no_duplicate_and_sorted)
{
    struct table t = load();
    for (size_t i = 0; i < t.n; i++)
        for (size_t j = i + 1; j < t.n; j++)
            ck_assert_msg(strcmp(t.rows[i].name, t.rows[j].name) != 0 || strcmp(t.rows[i].date, t.rows[j].date) != 0,
                          "%s lines %ld and %ld: two rows of %s from %s", CSV_PATH, t.rows[i].line, t.rows[j].line,
                          t.rows[i].name, t.rows[i].date);
    for (size_t i = 1; i < t.n; i++) {
        int c = strcmp(t.rows[i - 1].name, t.rows[i].name);
        ck_assert_msg(c < 0 || (c == 0 && strcmp(t.rows[i - 1].date, t.rows[i].date) < 0),
                      "%s line %ld: not sorted by name then valid_from (%s %s after %s %s)", CSV_PATH, t.rows[i].line,
                      t.rows[i].name, t.rows[i].date, t.rows[i - 1].name, t.rows[i - 1].date);
    }
    unload(&t);
}
END_TEST

/* ---- (d) plausible values ------------------------------------------------------------------- */

START_TEST(test_values_plausible)
{
    struct table t = load();
    for (size_t i = 0; i < t.n; i++) {
        const struct row *r = &t.rows[i];
        const struct expected *e = expected_of(r->name);
        ck_assert_msg(e != NULL,
                      "%s line %ld: %s is not in tests/integration/check_parameters.c's list: add it with its "
                      "plausible range",
                      CSV_PATH, r->line, r->name);
        ck_assert_msg(r->value >= e->min && r->value <= e->max, "%s line %ld: %s = %g on %s, outside [%g, %g]",
                      CSV_PATH, r->line, r->name, r->value, r->date, e->min, e->max);
    }
    /* revalued amounts only go up: a lower value after a higher one is a typo */
    for (size_t k = 0; k < NEXPECTED; k++) {
        if (!EXPECTED[k].never_decreases)
            continue;
        const struct row *prev = NULL;
        for (size_t i = 0; i < t.n; i++) {
            const struct row *r = &t.rows[i];
            if (strcmp(r->name, EXPECTED[k].name) != 0)
                continue;
            if (prev)
                ck_assert_msg(r->value >= prev->value, "%s line %ld: %s goes down on %s (%g after %g)", CSV_PATH,
                              r->line, r->name, r->date, r->value, prev->value);
            prev = r;
        }
    }
    /* the hourly SMIC of a known date, the bases the rules are tested with */
    const struct row *r = in_force(&t, "smic.horaire_brut", "2026-11-26");
    ck_assert(r != NULL && r->value > 12 && r->value < 13);
    unload(&t);
}
END_TEST

/* ---- the SQL uses only parameters the file has ----------------------------------------------- */

/* Add to NAMES (at most CAP, *N so far) every tznr.param('...' literal of the file at PATH;
 * a literal followed by || is a prefix, kept with a trailing '*'. */
static void scan_sql(const char *path, char names[][128], size_t *n, size_t cap)
{
    char *text = tu_read(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    static const char key[] = "tznr.param('";
    for (char *p = strstr(text, key); p; p = strstr(p, key)) {
        p += sizeof key - 1;
        char *end = strchr(p, '\'');
        ck_assert_msg(end != NULL && end - p > 0 && end - p < 120, "%s: an unterminated tznr.param name", path);
        char *after = end + 1;
        while (*after == ' ')
            after++;
        int prefix = after[0] == '|' && after[1] == '|';
        ck_assert(*n < cap);
        snprintf(names[*n], 128, "%.*s%s", (int)(end - p), p, prefix ? "*" : "");
        (*n)++;
        p = end;
    }
    free(text);
}

static void scan_dir(const char *dir, char names[][128], size_t *n, size_t cap, int *files)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s (the tests run from the repository root)", dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
            continue;
        scan_sql(tu_fmt("%s/%s", dir, de->d_name), names, n, cap);
        (*files)++;
    }
    closedir(d);
}

START_TEST(test_sql_uses_known_parameters)
{
    struct table t = load();
    static char names[512][128];
    size_t n = 0;
    int files = 0;
    scan_dir("sql/rules", names, &n, 512, &files);
    scan_dir("sql/migrations", names, &n, 512, &files);
    ck_assert_msg(files >= 2 && n >= 10, "only %zu tznr.param calls in %d SQL files: the scan is broken", n, files);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        int prefix = names[i][len - 1] == '*';
        if (prefix)
            names[i][--len] = '\0';
        int found = 0;
        for (size_t j = 0; j < t.n && !found; j++)
            found = prefix ? strncmp(t.rows[j].name, names[i], len) == 0 : strcmp(t.rows[j].name, names[i]) == 0;
        ck_assert_msg(found, "the SQL reads parameter %s%s, which %s lacks", names[i], prefix ? "..." : "", CSV_PATH);
        /* and the test's list knows it, so that it is checked on every day */
        if (!prefix)
            ck_assert_msg(expected_of(names[i]) != NULL && expected_of(names[i])->required,
                          "the SQL reads %s: list it as required in check_parameters.c", names[i]);
    }
    unload(&t);
}
END_TEST

Suite *suite_parameters(void)
{
    Suite *s = suite_create("parameters");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_required_in_force_every_day);
    tcase_add_test(tc, test_every_row_cites_its_source);
    tcase_add_test(tc, test_no_duplicate_and_sorted);
    tcase_add_test(tc, test_values_plausible);
    tcase_add_test(tc, test_sql_uses_known_parameters);
    suite_add_tcase(s, tc);
    return s;
}
