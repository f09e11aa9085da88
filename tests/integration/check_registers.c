/* Registers (docs/rules.md, « Registres ») end to end: hand-made exports in the canonical raw
 * format, pseudonymised by `tznr pseudonymise` as each agency would, deposited and run through
 * `tznr run` against the throw-away PostgreSQL. The households are described here as people
 * the test knows, so what must be listed follows from who pays them, not from the code:
 *
 *   lefevre  single tenant, 300 €/month, known only to her landlord (no housing aid paid to
 *            it): by her absence from the CAF she receives neither the RSA nor housing aid
 *   martin   single tenant, 200 €/month, the CAF pays him the RSA
 *   petit    single tenant, 350 €/month, known to the CAF, which pays her no RSA
 *   bernard  a farmer, 250 €/month, the MSA pays him the RSA: absent from the CAF, paid all
 *            the same
 *   garcia   300 €/month, known only to the CPAM, which pays her the CSS
 *   roux     320 €/month, known only to the CAF, whose row leaves the RSA empty: present in
 *            the register without the benefit, so not paid it
 *   faure    a recipient of the RSA at another CAF (caf:landes), for the case of two CAFs
 *
 * and the cases of the issue: only a landlord and a CPAM loaded (nobody listed for the RSA,
 * the CSS known), a register older than the limit, a household routed to the CPAM, the French
 * reasons and the list's inconnu_de column, registers named by source id, an empty
 * declaration, and a bad one. Nothing here asserts a duration. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define TIMEOUT 300
#define NIGHT "2026-11-26"
#define FRESH "2026-11-01" /* 25 days before the night */
#define STALE "2026-09-20" /* 67 days before */

/* ---- the people ------------------------------------------------------------------------------ */

struct person {
    const char *who, *nom, *prenom, *dob, *sexe, *nir13;
};

static const struct person P[] = {
    {"lefevre", "LEFEVRE", "Sophie", "1978-03-14", "2", "2780333063101"},
    {"martin", "MARTIN", "Paul", "1969-07-02", "1", "1690733063102"},
    {"petit", "PETIT", "Claire", "1985-11-23", "2", "2851133063103"},
    {"bernard", "BERNARD", "Louis", "1972-05-30", "1", "1720533063104"},
    {"garcia", "GARCIA", "Ana", "1980-09-09", "2", "2800999135105"},
    {"roux", "ROUX", "Denise", "1975-02-17", "2", "2750233063106"},
    {"faure", "FAURE", "Marc", "1958-12-01", "1", "1581233063107"},
};
#define NP (sizeof P / sizeof P[0])

static const struct person *who(const char *w)
{
    for (size_t i = 0; i < NP; i++)
        if (strcmp(P[i].who, w) == 0)
            return &P[i];
    ck_abort_msg("no person %s", w);
    return NULL;
}

/* ---- the agencies' exports (canonical raw format, docs/mapping.md) ---------------------------- */

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css\n";

/* One claimant row of person W with the figures and flags FIELDS (the columns from
 * nb_personnes on, comma separated). */
static const char *row(const char *ref, const char *w, const char *fields)
{
    const struct person *p = who(w);
    return tu_fmt("%s,H%s,D,%s,%s,%s,%s,%s,33063,%s\n", ref, ref, tu_nir15(p->nir13), p->nom, p->prenom, p->dob,
                  p->sexe, fields);
}

struct t {
    const char *dir, *db, *conf, *key;
};

static char *cat3(const char *a, const char *b, const char *c)
{
    char *s = NULL;
    ck_assert_int_ge(asprintf(&s, "%s%s%s", a, b ? b : "", c ? c : ""), 0);
    return s;
}

static long long sqln(const struct t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long sqln(const struct t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(t->db, fmt, ap);
    va_end(ap);
    return v;
}

static char *sqlv(const struct t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(const struct t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = tu_vsqlv(t->db, fmt, ap);
    va_end(ap);
    return v;
}

static void t_init(struct t *t, const char *extra_conf)
{
    t->dir = strdup(tu_tmpdir());
    t->db = strdup(tu_db(1));
    t->key = strdup(tu_test_key(t->dir));
    t->conf = strdup(tu_conf_params(t->dir, t->db, extra_conf));
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s/inbox' '%s/agencies'", t->dir, t->dir), NULL, NULL), 0);
}

/* An agency pseudonymises BODY (rows after the header) as SOURCE, extract dated DATE, and
 * deposits the extract and its manifest in the inbox. */
static void deposit(const struct t *t, const char *source, const char *date, const char *body)
{
    tu_deposit_canonical(t->dir, t->key, source, date, HEADER, body);
}

static void night(const struct t *t)
{
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date " NIGHT, t->conf);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
}

/* The household (foyer id) of record REF of SOURCE. */
static long long foyer(const struct t *t, const char *source, const char *ref)
{
    char *tok = tu_deposit_token(t->dir, source, ref);
    long long f = sqln(t, "SELECT foyer_id FROM tznr.person_record WHERE source_id = '%s'"
                          " AND token = pg_catalog.decode('%s', 'hex')", source, tok);
    free(tok);
    return f;
}

/* How many list entries of the night for RULE and the household of REF at SOURCE. */
static long long listed(const struct t *t, const char *rule, const char *source, const char *ref)
{
    return sqln(t, "SELECT count(*) FROM tznr.list_entry WHERE run_date = '" NIGHT "' AND rule_id = '%s'"
                   " AND foyer_id = %lld", rule, foyer(t, source, ref));
}

/* A field of that list entry. */
static char *entry(const struct t *t, const char *col, const char *rule, const char *source, const char *ref)
{
    return sqlv(t, "SELECT %s FROM tznr.list_entry WHERE run_date = '" NIGHT "' AND rule_id = '%s'"
                   " AND foyer_id = %lld", col, rule, foyer(t, source, ref));
}

static void t_free(struct t *t)
{
    free((char *)t->dir);
    free((char *)t->db);
    free((char *)t->conf);
    free((char *)t->key);
}

/* The exports: figures nb_personnes..css (11 columns). */
#define LANDLORD_ROWS                                                                                           \
    "L1", "lefevre", "1,0,300,0,400,0,,,0,,"                                                               \
    , "L2", "martin", "1,0,200,0,380,0,,,1,,"                                                                  \
    , "L3", "petit", "1,0,350,0,420,0,,,1,,"                                                                   \
    , "L4", "bernard", "1,0,250,0,300,0,,,1,,"

static char *landlord(void)
{
    static const char *const r[] = {LANDLORD_ROWS};
    char *s = strdup("");
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i += 3) {
        char *n = cat3(s, row(r[i], r[i + 1], r[i + 2]), NULL);
        free(s);
        s = n;
    }
    return s;
}

static char *caf(void)
{
    return cat3(row("C2", "martin", "1,0,200,0,380,0,1,0,1,0,"), row("C3", "petit", "1,0,350,0,420,0,0,0,1,0,"),
                row("C6", "roux", "1,0,320,0,,,,0,1,0,"));
}

static const char *msa(void) { return row("M4", "bernard", "1,0,250,0,300,0,1,0,1,0,"); }
static const char *cpam(void) { return row("P5", "garcia", "1,0,300,0,,,,,,,1"); }

static void deposit_landlord(const struct t *t)
{
    char *b = landlord();
    deposit(t, "bailleur:hab", FRESH, b);
    free(b);
}

static void deposit_caf(const struct t *t, const char *date)
{
    char *b = caf();
    deposit(t, "caf:gironde", date, b);
    free(b);
}

/* A fresh platform (EXTRA_CONF added to its configuration) where the landlord has deposited
 * its extract and the Gironde CAF its own, dated CAF_DATE: most tests start there. */
static void landlord_and_caf(struct t *t, const char *extra_conf, const char *caf_date)
{
    t_init(t, extra_conf);
    deposit_landlord(t);
    deposit_caf(t, caf_date);
}

/* The Landes CAF's extract, 67 days old on the night, with its recipient of the RSA. */
static void deposit_landes_stale(const struct t *t)
{
    deposit(t, "caf:landes", STALE, row("K7", "faure", "1,0,250,0,,,1,0,1,0,"));
}

/* ==== only a landlord and a CPAM: no register of the RSA, the CSS's is there ==================== */

START_TEST(test_landlord_and_cpam_only)
{
    struct t t;
    t_init(&t, NULL);
    deposit_landlord(&t);
    deposit(&t, "cpam:gironde", FRESH, cpam());
    night(&t);
    /* nobody may be listed for the RSA: no register of it is loaded and no source reports it */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE rule_id = 'rsa'"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_foyer WHERE recoit_rsa IS NOT NULL"), 0);
    /* the CSS: the CPAM's register says who has it; the landlord's poor tenants do not */
    ck_assert_int_eq(listed(&t, "css", "bailleur:hab", "L1"), 1);
    ck_assert_int_eq(listed(&t, "css", "bailleur:hab", "L3"), 1);
    ck_assert_int_eq(listed(&t, "css", "cpam:gironde", "P5"), 0);
    char *m = entry(&t, "motif", "css", "bailleur:hab", "L1");
    ck_assert_msg(strstr(m, "foyer inconnu de la CPAM") != NULL, "css motif: %s", m);
    free(m);
    char *u = entry(&t, "inconnu_de", "css", "bailleur:hab", "L1");
    ck_assert_str_eq(u, "CPAM");
    free(u);
    /* housing aid: the landlord says it pays none to Mme Lefèvre (a source said 0) */
    ck_assert_int_eq(listed(&t, "aide_logement", "bailleur:hab", "L1"), 1);
    ck_assert_str_eq(sqlv(&t, "SELECT pourquoi_aide_logement FROM tznr.run_foyer WHERE foyer_id = %lld",
                          foyer(&t, "bailleur:hab", "L1")), "source");
    /* the night's summary names the registers present and those missing */
    char *reg = sqlv(&t, "SELECT summary FROM tznr.run ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(reg, "cpam:gironde 25 j (css)") != NULL, "summary: %s", reg);
    ck_assert_msg(strstr(reg, "aucun extrait chargé : ") != NULL && strstr(reg, "caf (aah aide_logement prime_activite rsa)"),
                  "summary: %s", reg);
    free(reg);
    t_free(&t);
}
END_TEST

/* ==== every register loaded: the tenant unknown to the CAF is found ============================ */

START_TEST(test_all_registers)
{
    struct t t;
    landlord_and_caf(&t, NULL, FRESH);
    deposit(&t, "msa:gironde", FRESH, msa());
    deposit(&t, "cpam:gironde", FRESH, cpam());
    night(&t);
    /* Mme Lefèvre: unknown to the CAF, so no RSA from it; listed, and the list says why */
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 1);
    char *m = entry(&t, "motif", "rsa", "bailleur:hab", "L1");
    /* 651,69 € (the RSA's base from 2026-04-01, décret n° 2026-220) less her 300 €, without
     * the forfait logement: she rents, and the CAF's absence says no housing aid */
    ck_assert_msg(strstr(m, "RSA estimé 351,69 €/mois") != NULL, "rsa motif: %s", m);
    ck_assert_msg(strstr(m, "foyer inconnu de la CAF") != NULL, "rsa motif: %s", m);
    free(m);
    char *u = entry(&t, "inconnu_de", "rsa", "bailleur:hab", "L1");
    ck_assert_str_eq(u, "CAF");
    free(u);
    ck_assert_str_eq(sqlv(&t, "SELECT pourquoi_rsa FROM tznr.run_foyer WHERE foyer_id = %lld",
                          foyer(&t, "bailleur:hab", "L1")), "registre");
    /* the list a team reads carries the column */
    char *list = tu_read(tu_fmt("%s/outbox/bailleur_hab/" NIGHT "/liste.csv", t.dir), NULL);
    ck_assert_msg(list && strstr(list, ";premiere_detection;inconnu_de\n") != NULL, "list: %s", list);
    ck_assert_msg(strstr(list, ";" NIGHT ";CAF\n") != NULL, "list: %s", list);
    free(list);
    /* the audit log keeps which registers the night relied on, and how many entries no payer knew */
    char *audit = sqlv(&t, "SELECT details::jsonb ->> 'registers' FROM tznr.audit_log WHERE action = 'detect'"
                           " ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(audit, "caf:gironde 25 j") != NULL, "audit: %s", audit);
    free(audit);
    ck_assert_int_eq(sqln(&t, "SELECT (details::jsonb ->> 'unknown_to_payer')::integer FROM tznr.audit_log"
                              " WHERE action = 'detect' ORDER BY id DESC LIMIT 1"),
                     sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE inconnu_de <> ''"));
    ck_assert_int_ge(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE inconnu_de <> ''"), 3);
    /* Mme Roux: the CAF knows her, its row leaves the RSA empty: its register says she is not paid */
    ck_assert_int_eq(listed(&t, "rsa", "caf:gironde", "C6"), 1);
    ck_assert_str_eq(sqlv(&t, "SELECT pourquoi_rsa FROM tznr.run_foyer WHERE foyer_id = %lld",
                          foyer(&t, "caf:gironde", "C6")), "registre");
    m = entry(&t, "motif", "rsa", "caf:gironde", "C6");
    ck_assert_msg(strstr(m, "aucun RSA selon la CAF") != NULL, "rsa motif: %s", m);
    free(m);
    /* M. Martin: paid by the CAF */
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L2"), 0);
    /* Mme Petit: known to the CAF, which pays her no RSA: the CAF's own word */
    ck_assert_int_eq(listed(&t, "rsa", "caf:gironde", "C3"), 1);
    m = entry(&t, "motif", "rsa", "caf:gironde", "C3");
    ck_assert_msg(strstr(m, "aucun RSA selon la CAF") != NULL, "rsa motif: %s", m);
    ck_assert_msg(strstr(m, "inconnu") == NULL, "rsa motif: %s", m);
    free(m);
    u = entry(&t, "inconnu_de", "rsa", "caf:gironde", "C3");
    ck_assert_str_eq(u, "");
    free(u);
    /* M. Bernard: absent from the CAF but the MSA pays him: a record that says 1 wins */
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L4"), 0);
    /* Mme Garcia: known only to the CPAM; unknown to the CAF, so listed for the RSA and routed
     * to the only agency that can find her, with the CAF named as not knowing her */
    ck_assert_int_eq(listed(&t, "rsa", "cpam:gironde", "P5"), 1);
    char *team = entry(&t, "team", "rsa", "cpam:gironde", "P5");
    ck_assert_str_eq(team, "cpam_gironde");
    free(team);
    char *src = entry(&t, "source_id", "rsa", "cpam:gironde", "P5");
    ck_assert_str_eq(src, "cpam:gironde");
    free(src);
    u = entry(&t, "inconnu_de", "rsa", "cpam:gironde", "P5");
    ck_assert_str_eq(u, "CAF");
    free(u);
    ck_assert(tu_read(tu_fmt("%s/outbox/cpam_gironde/" NIGHT "/liste.csv", t.dir), NULL) != NULL);
    /* routing still prefers an owner of the rule that knows the household: the département,
     * then the CAF; Mme Petit is known to the CAF and her landlord: the CAF gets her */
    src = entry(&t, "source_id", "rsa", "caf:gironde", "C3");
    ck_assert_str_eq(src, "caf:gironde");
    free(src);
    t_free(&t);
}
END_TEST

/* ==== two registers of the RSA: the CAF's and the département's ================================ */

START_TEST(test_two_registers)
{
    struct t t;
    landlord_and_caf(&t, NULL, FRESH);
    deposit(&t, "departement:gironde", FRESH, row("D2", "martin", "1,0,200,0,380,0,1,,,,"));
    night(&t);
    /* unknown to both */
    char *m = entry(&t, "motif", "rsa", "bailleur:hab", "L1");
    ck_assert_msg(strstr(m, "foyer inconnu de la CAF et du Département") != NULL, "rsa motif: %s", m);
    free(m);
    char *u = entry(&t, "inconnu_de", "rsa", "bailleur:hab", "L1");
    ck_assert_str_eq(u, "CAF, Département");
    free(u);
    /* known to the CAF, which pays her nothing, unknown to the département */
    m = entry(&t, "motif", "rsa", "caf:gironde", "C3");
    ck_assert_msg(strstr(m, "foyer inconnu du Département, aucun RSA selon la CAF") != NULL, "rsa motif: %s", m);
    free(m);
    u = entry(&t, "inconnu_de", "rsa", "caf:gironde", "C3");
    ck_assert_str_eq(u, "Département");
    free(u);
    /* the département's extract has no recipient of the APA, the PCH or the FSL: it is no
     * register of them, and nobody is "not paid" the FSL by its absence */
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_register WHERE benefit = 'fsl' AND current"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_foyer WHERE pourquoi_fsl IS NOT NULL"), 0);
    char *sum = sqlv(&t, "SELECT summary FROM tznr.run ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(sum, "aucun bénéficiaire dans l'extrait : ") != NULL &&
                  strstr(sum, "departement:gironde (apa fsl pch)") != NULL, "summary: %s", sum);
    free(sum);
    t_free(&t);
}
END_TEST

/* ==== an extract without the benefit's column is no register of it ============================== */

START_TEST(test_register_without_recipients)
{
    struct t t;
    t_init(&t, NULL);
    deposit_landlord(&t);
    /* a CPAM extract made with a mapping that forgot the CSS column: nobody says 1 */
    deposit(&t, "cpam:gironde", FRESH, row("P5", "garcia", "1,0,300,0,,,,,,,"));
    night(&t);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.list_entry WHERE rule_id = 'css'"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_foyer WHERE recoit_css IS NOT NULL"), 0);
    t_free(&t);
}
END_TEST

/* ==== two CAFs: one register, current only when both are ======================================== */

START_TEST(test_two_cafs)
{
    struct t t;
    landlord_and_caf(&t, NULL, FRESH);
    deposit_landes_stale(&t);
    night(&t);
    /* the Landes CAF's extract is too old: people who moved in since may be paid by it, so the
     * kind 'caf' is no register tonight, and Mme Lefèvre's absence says nothing */
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 0);
    ck_assert_int_eq(listed(&t, "rsa", "caf:gironde", "C3"), 1); /* the CAF's own 0 still holds */
    char *sum = sqlv(&t, "SELECT summary FROM tznr.run ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(sum, "trop anciens : caf:landes 67 j") != NULL, "summary: %s", sum);
    ck_assert_msg(strstr(sum, "écartés avec une autre source du même type : caf:gironde") != NULL, "summary: %s", sum);
    free(sum);
    t_free(&t);

    /* declared by source id, the Gironde CAF alone is the register */
    landlord_and_caf(&t, "[registers]\nrsa = caf:gironde\n", FRESH);
    deposit_landes_stale(&t);
    night(&t);
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 1);
    t_free(&t);
}
END_TEST

/* ==== which record gives a household's figures ================================================= */

/* Mme Petit's figures come from four extracts. The resources: the CAF's first (the general
 * order of kinds). Her rent: a landlord's first (the housing order), the latest extract first,
 * and between two landlords' extracts of the same date, the first source id: whatever order
 * the extracts were loaded in and whatever plan the roll-up gets (src/detect.c). */
START_TEST(test_household_figures_order)
{
    struct t t;
    t_init(&t, NULL);
    deposit(&t, "bailleur:xyz", FRESH, row("X3", "petit", "1,0,370,0,500,0,,,1,,"));
    deposit_landlord(&t); /* bailleur:hab, FRESH: 350 €, rent 420 € */
    deposit(&t, "bailleur:abc", STALE, row("A3", "petit", "1,0,380,0,600,0,,,1,,"));
    deposit(&t, "caf:gironde", FRESH, row("C3", "petit", "1,0,360,0,410,0,0,0,1,0,"));
    night(&t);
    long long f = foyer(&t, "caf:gironde", "C3");
    ck_assert_int_eq(f, foyer(&t, "bailleur:xyz", "X3"));
    char *v = sqlv(&t, "SELECT ressources::text || ' ' || loyer::text FROM tznr.run_foyer WHERE foyer_id = %lld", f);
    ck_assert_str_eq(v, "360.00 420.00");
    free(v);
    t_free(&t);
}
END_TEST

/* ==== a register older than the limit counts as absent ========================================= */

/* Whether Mme Lefèvre is listed for the RSA when the CAF's extract is dated DATE. */
static long long lefevre_with_caf_of(const char *date)
{
    struct t t;
    landlord_and_caf(&t, NULL, date);
    night(&t);
    long long n = listed(&t, "rsa", "bailleur:hab", "L1");
    t_free(&t);
    return n;
}

START_TEST(test_max_age_boundary)
{
    ck_assert_int_eq(lefevre_with_caf_of("2026-10-12"), 1); /* 45 days before the night: current */
    ck_assert_int_eq(lefevre_with_caf_of("2026-10-11"), 0); /* 46 days: too old */
}
END_TEST

START_TEST(test_stale_register)
{
    struct t t;
    landlord_and_caf(&t, NULL, STALE);
    night(&t);
    /* the CAF's extract is 67 days old, over the 45 days by default: its absence says nothing */
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 0);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_foyer WHERE foyer_id = %lld AND recoit_rsa IS NULL",
                          foyer(&t, "bailleur:hab", "L1")), 1);
    /* what the CAF said of its own recipients still holds */
    ck_assert_int_eq(listed(&t, "rsa", "caf:gironde", "C3"), 1);
    char *m = entry(&t, "motif", "rsa", "caf:gironde", "C3");
    ck_assert_msg(strstr(m, "aucun membre ne perçoit le RSA") != NULL, "rsa motif: %s", m);
    free(m);
    char *reg = sqlv(&t, "SELECT summary FROM tznr.run ORDER BY id DESC LIMIT 1");
    ck_assert_msg(strstr(reg, "trop anciens : caf:gironde 67 j") != NULL, "summary: %s", reg);
    free(reg);

    /* with a longer limit the same extract is a register again */
    char *conf = tu_read(t.conf, NULL);
    char *longer = cat3(conf, "[registers]\nmax_age_days = 90\n", NULL);
    tu_write_str(t.conf, longer);
    free(conf);
    free(longer);
    night(&t);
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 1);
    t_free(&t);
}
END_TEST

/* ==== declarations: by source id, empty, wrong ================================================= */

START_TEST(test_declarations)
{
    struct t t;
    /* by source id: the same as by kind when it is the only CAF */
    landlord_and_caf(&t, "[registers]\nrsa = caf:gironde\naide_logement =\n", FRESH);
    night(&t);
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 1);
    /* no register of housing aid declared: the landlord's 0 still counts (a source said it) */
    ck_assert_int_eq(listed(&t, "aide_logement", "bailleur:hab", "L1"), 1);
    char *m = entry(&t, "motif", "aide_logement", "bailleur:hab", "L1");
    ck_assert_msg(strstr(m, "aucun membre ne perçoit d'aide au logement") != NULL, "motif: %s", m);
    free(m);
    ck_assert_int_eq(sqln(&t, "SELECT count(*) FROM tznr.run_register WHERE benefit = 'aide_logement'"), 0);
    t_free(&t);

    /* no register of the RSA at all: absence from the CAF says nothing */
    landlord_and_caf(&t, "[registers]\nrsa =\n", FRESH);
    night(&t);
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 0);
    ck_assert_int_eq(listed(&t, "rsa", "caf:gironde", "C3"), 1);
    t_free(&t);

    /* a register of another CAF than the one loaded: not a register of this territory */
    landlord_and_caf(&t, "[registers]\nrsa = caf:landes\n", FRESH);
    night(&t);
    ck_assert_int_eq(listed(&t, "rsa", "bailleur:hab", "L1"), 0);
    t_free(&t);

    /* a kind that does not exist is refused with its name, before anything runs */
    t_init(&t, "[registers]\nrsa = caf, cnaf\n");
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date " NIGHT, t.conf);
    ck_assert_msg(rc == 2 || rc == 1, "a bad register: exit %d", rc);
    ck_assert_msg(strstr(err, "'cnaf'") != NULL && strstr(err, "[registers] rsa") != NULL, "message: %s", err);
    free(out);
    free(err);
    t_free(&t);
}
END_TEST

Suite *suite_registers(void);
Suite *suite_registers(void)
{
    Suite *s = suite_create("registers");
    TCase *tc = tcase_create("registers");
    tcase_set_timeout(tc, TIMEOUT);
    tcase_add_test(tc, test_landlord_and_cpam_only);
    tcase_add_test(tc, test_all_registers);
    tcase_add_test(tc, test_two_registers);
    tcase_add_test(tc, test_register_without_recipients);
    tcase_add_test(tc, test_two_cafs);
    tcase_add_test(tc, test_household_figures_order);
    tcase_add_test(tc, test_stale_register);
    tcase_add_test(tc, test_max_age_boundary);
    tcase_add_test(tc, test_declarations);
    suite_add_tcase(s, tc);
    return s;
}
