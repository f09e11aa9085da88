/* tznr check (issue 13, item 2), end to end through build/tznr against the test PostgreSQL:
 * a good configuration exits 0 with its one line; each problem made on purpose is named on its
 * own line and exits 1 (a misspelt team source, a missing or malformed parameters file,
 * parameters not in force on the date, an outbox that is a file, an archive that cannot be
 * created, an unmigrated or unreachable database, an audit log tampered with, a role that is not
 * the batch's); inbox and archive on two file systems, a register naming an unknown source, a
 * superuser connection and a missing reviewer role are warnings; and `tznr run` with a
 * failing check exits 1 with the inbox untouched, no run recorded and no audit entry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define TIMEOUT 120

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css\n";

struct ck {
    char *dir, *db, *conf;
};

/* A folder, a database (migrated when MIGRATE) and a configuration with the repository's
 * parameters (EXTRA appended: its first line is line 12 of the file). */
static void ck_init(struct ck *c, int migrate, const char *extra)
{
    c->dir = strdup(tu_tmpdir());
    c->db = strdup(tu_db(migrate));
    c->conf = strdup(tu_conf_params(c->dir, c->db, extra));
}

static void ck_free(struct ck *c)
{
    free(c->dir);
    free(c->db);
    free(c->conf);
}

/* The CAF's extract of one household, in the inbox, as the agency deposits it. */
static void deposit_caf(const struct ck *c)
{
    const char *key = tu_test_key(c->dir);
    char *k = strdup(key);
    char *body = strdup(tu_fmt("C1,HC1,D,%s,MARTIN,Paul,1969-07-02,1,33063,1,0,200,0,400,0,1,0,0,0,0\n",
                               tu_nir15("1690733063102")));
    tu_deposit_canonical(c->dir, k, "caf:gironde", "2026-11-20", HEADER, body);
    free(body);
    free(k);
}

/* `tznr check -c CONF` and ARGS: its exit status, stdout and stderr. */
static int check(const struct ck *c, char **out, char **err, const char *args)
{
    return tu_tznr(out, err, "check -c '%s' --date 2026-11-26 %s", c->conf, args ? args : "");
}

/* Whether S has a line holding both A and B (B may be NULL). */
static int line_with(const char *s, const char *a, const char *b)
{
    for (const char *l = s; l && *l;) {
        size_t n = strcspn(l, "\n");
        char *line = strndup(l, n);
        int yes = strstr(line, a) && (!b || strstr(line, b));
        free(line);
        if (yes)
            return 1;
        l += n + (l[n] == '\n');
    }
    return 0;
}

/* The teams of the demo: the CAF's Bordeaux team and its territorial team. */
static const char TEAMS[] = "[team.caf_bordeaux]\nsource = caf:gironde\ncommunes = 33063\n"
                            "[team.caf_territoire]\nsource = caf:gironde\n";

/* ---- the good configuration --------------------------------------------------------------------- */

/* The demo's configuration (teams of a source whose extract waits in the inbox, the reviewer
 * roles made) passes: one line, exit 0, nothing moved. Then a night runs on it. */
START_TEST(test_good)
{
    struct ck c;
    ck_init(&c, 1, TEAMS);
    deposit_caf(&c);
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("PGUSER='%s' '%s' db roles -c '%s'", tu_admin(), tu_bin("tznr"), c.conf), NULL, &err);
    ck_assert_msg(rc == 0, "tznr db roles: %s", err);
    free(err);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "a good configuration: exit %d: %s%s", rc, out, err);
    ck_assert_str_eq(out, "tznr check: ok, a night would start\n");
    ck_assert_msg(err && !*err, "no message: %s", err);
    ck_assert_msg(access(tu_fmt("%s/inbox/caf_gironde.csv", c.dir), F_OK) == 0, "the extract was moved");
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.run"), 0);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "run -c '%s' --date 2026-11-26", c.conf);
    ck_assert_msg(rc == 0, "the night starts and ends: exit %d: %s%s", rc, out, err);
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.run"), 1);
    ck_assert_msg(!strchr(err, '\r') && !strchr(err, '\033'), "the night's phases in a pipe: %.300s", err);
    free(out);
    free(err);
    /* on a terminal (script(1) gives it one), the night shows its phases on one line */
    rc = tu_run(tu_fmt("script -qec \"'%s' run -c '%s' --date 2026-11-27\" /dev/null", tu_bin("tznr"), c.conf), &out,
                &err);
    ck_assert_msg(rc == 0, "a night on a terminal: exit %d: %s%s", rc, out, err);
    static const char *const phases[] = {"loading the extracts", "reading the current records", "detecting",
                                         "writing the lists", "writing the report"};
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        const char *want = tu_fmt("\rtznr run: %s\033[K", phases[i]);
        ck_assert_msg(strstr(out, want) != NULL, "no phase '%s' on a terminal: %.600s", phases[i], out);
    }
    free(out);
    free(err);
    /* the loaded source is known now, the inbox empty: still good */
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "after the night: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    /* a team without its reviewer role is a warning: the night still starts */
    ck_assert_int_eq(tu_run(tu_fmt("printf '[team.ccas_nouvelle]\\nsource = caf:gironde\\n' >> '%s'", c.conf),
                            NULL, NULL), 0);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "a missing reviewer role: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "warning", "tznr_reviewer_ccas_nouvelle") && line_with(err, "tznr db roles", NULL),
                  "the warning names the role and what to do: %s", err);
    ck_assert_msg(strstr(out, "tznr check: ok, a night would start (1 warning above)"), "%s", out);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

/* ---- sources named by teams and registers --------------------------------------------------- */

START_TEST(test_misspelt_team_source)
{
    struct ck c;
    ck_init(&c, 1, "[team.caf_bordeaux]\nsource = caf:girond\n");
    deposit_caf(&c);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1, "a misspelt team source: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "tznr.conf:13: [team.caf_bordeaux] source 'caf:girond' is not a source of the "
                                 "platform", "correct the spelling"),
                  "the line names the file, line, team and what to do: %s", err);
    ck_assert_msg(line_with(err, "tznr check: error: 1 problem: a night would not start", NULL), "%s", err);
    ck_assert_msg(!strstr(out, "ok"), "%s", out);
    free(out);
    free(err);
    /* declared by a [source.ID] section (its first extract to come): fine */
    ck_assert_int_eq(tu_run(tu_fmt("printf '[source.caf:girond]\\npull = true\\n' >> '%s'", c.conf), NULL, NULL), 0);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "a declared source: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

START_TEST(test_misspelt_register_source)
{
    struct ck c;
    ck_init(&c, 1, "[registers]\nrsa = caf:girond departement\n");
    deposit_caf(&c);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    /* a warning: a register that does not count means fewer households found, never false ones
     * (and a payer declared before its first extract is a register "aucun extrait chargé") */
    ck_assert_msg(rc == 0, "a misspelt register: a warning, exit 0, not %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "warning: ", "tznr.conf: [registers] rsa: source 'caf:girond' is not a source of "
                                              "the platform") && line_with(err, "caf:girond", "misspelt"),
                  "%s", err);
    ck_assert_msg(strstr(out, "ok, a night would start (1 warning above)"), "%s", out);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

/* A key the loader refuses is one problem, with its file and line, and exit 1 (not a crash). */
START_TEST(test_unknown_key)
{
    struct ck c;
    ck_init(&c, 1, "[run]\ncooldown_dayz = 30\n");
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1, "an unknown key: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "tznr.conf:13: unknown setting 'cooldown_dayz' in [run]", "docs/configuration.md"),
                  "%s", err);
    free(out);
    free(err);
    ck_free(&c);
    ck_init(&c, 1, "[registers]\nmax_age_days = 0\n");
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1 && line_with(err, "tznr.conf:13: [registers] max_age_days must be a number from 1", NULL),
                  "a value out of range: exit %d: %s", rc, err);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

/* ---- parameters ------------------------------------------------------------------------------ */

START_TEST(test_parameters)
{
    struct ck c;
    c.dir = strdup(tu_tmpdir());
    c.db = strdup(tu_db(1));
    c.conf = strdup(tu_conf(c.dir, c.db, "[run]\nparameters = nowhere.csv\n"));
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1, "a missing parameters file: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "[run] parameters", "nowhere.csv") && line_with(err, "nowhere.csv", "config/parameters.csv"),
                  "the line names the file and what to do: %s", err);
    free(out);
    free(err);
    /* a malformed row: its line */
    char *params = tu_read("config/parameters.csv", NULL);
    ck_assert_ptr_nonnull(params);
    tu_write_str(tu_fmt("%s/nowhere.csv", c.dir), tu_fmt("%.*sfoo,2026-13-01,1,tznr: x\n",
                                                         (int)(strchr(params, '\n') - params + 1), params));
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1 && line_with(err, "nowhere.csv' line 2: expected name,YYYY-MM-DD,number,reference", NULL),
                  "a malformed row: exit %d: %s", rc, err);
    free(out);
    free(err);
    /* a parameter the rules read, missing */
    char *cut = strdup(params);
    char *p = strstr(cut, "\nrsa.seuil_versement,");
    ck_assert_ptr_nonnull(p);
    char *end = p + 1;
    while (strncmp(end, "rsa.seuil_versement,", 20) == 0)
        end = strchr(end, '\n') + 1;
    memmove(p + 1, end, strlen(end) + 1);
    tu_write_str(tu_fmt("%s/nowhere.csv", c.dir), cut);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1 && line_with(err, "no row for rsa.seuil_versement", "docs/parameters.md"),
                  "a parameter missing: exit %d: %s", rc, err);
    free(out);
    free(err);
    free(cut);
    /* the whole file, but for a night before its first rows */
    tu_write_str(tu_fmt("%s/nowhere.csv", c.dir), params);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "the repository's parameters: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "check -c '%s' --date 2015-01-01", c.conf);
    ck_assert_msg(rc == 1 && line_with(err, "rsa.montant_base has no value in force on 2015-01-01", "2015-09-01"),
                  "parameters not in force: exit %d: %s", rc, err);
    free(out);
    free(err);
    free(params);
    ck_free(&c);
}
END_TEST

/* ---- folders --------------------------------------------------------------------------------- */

START_TEST(test_folders)
{
    struct ck c;
    ck_init(&c, 1, NULL);
    /* an outbox that is a file: not writable as a folder, for root too */
    tu_write_str(tu_fmt("%s/outbox", c.dir), "not a folder\n");
    /* an archive that cannot be created: its parent is a file */
    ck_assert_int_eq(tu_run(tu_fmt("printf '[paths]\\narchive = %s/outbox/archive\\n' >> '%s'", c.dir, c.conf),
                            NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1, "an outbox that is a file: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "[paths] outbox", "is not a folder"), "%s", err);
    ck_assert_msg(line_with(err, "[paths] archive", "cannot be created"), "%s", err);
    ck_assert_msg(line_with(err, "2 problems: a night would not start", NULL), "%s", err);
    free(out);
    free(err);
    ck_free(&c);
    if (geteuid() != 0) {
        /* a folder without write permission (root writes anyway: tested only as another user) */
        ck_init(&c, 1, NULL);
        ck_assert_int_eq(mkdir(tu_fmt("%s/outbox", c.dir), 0555), 0);
        rc = check(&c, &out, &err, NULL);
        ck_assert_msg(rc == 1 && line_with(err, "[paths] outbox", "is not writable"), "exit %d: %s", rc, err);
        free(out);
        free(err);
        ck_free(&c);
    } else {
        fprintf(stderr, "check: the read-only outbox case is skipped as root (root may write anywhere)\n");
    }
}
END_TEST

/* Inbox and archive on two file systems: a warning, the night starts (files are copied). */
START_TEST(test_two_file_systems)
{
    const char *shm = tu_fmt("/dev/shm/tznr-check-%d", (int)getpid());
    struct stat a, b;
    const char *tmp = tu_tmpdir();
    if (stat("/dev/shm", &b) != 0 || stat(tmp, &a) != 0 || a.st_dev == b.st_dev) {
        fprintf(stderr, "check: two_file_systems skipped: /dev/shm is not another file system here\n");
        return;
    }
    char *archive = strdup(shm);
    struct ck c;
    ck_init(&c, 1, NULL);
    ck_assert_int_eq(tu_run(tu_fmt("printf '[paths]\\narchive = %s\\n' >> '%s'", archive, c.conf), NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "two file systems: a warning, exit 0, not %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "warning", "inbox") && line_with(err, archive, "different file systems"), "%s", err);
    ck_assert_msg(strstr(out, "ok, a night would start (1 warning above)"), "%s", out);
    ck_assert_msg(access(archive, F_OK) != 0, "the check created the archive");
    free(out);
    free(err);
    /* the night starts, and leaves the warnings to tznr check; it writes no list, so it makes
     * the outbox for its report */
    rc = tu_tznr(&out, &err, "run -q -c '%s' --date 2026-11-26", c.conf);
    ck_assert_msg(rc == 0, "a night with inbox and archive apart: exit %d: %s%s", rc, out, err);
    ck_assert_msg(access(tu_fmt("%s/outbox/rapport-2026-11-26.html", c.dir), F_OK) == 0,
                  "a night without lists wrote no report");
    ck_assert_msg(!strstr(err, "different file systems"), "tznr run printed the warning: %s", err);
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.run"), 1);
    free(out);
    free(err);
    free(archive);
    ck_free(&c);
}
END_TEST

/* ---- the database ---------------------------------------------------------------------------- */

START_TEST(test_database)
{
    struct ck c;
    ck_init(&c, 0, NULL);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1 && line_with(err, "schema is at version 0", "run 'tznr db migrate'"),
                  "an unmigrated database: exit %d: %s", rc, err);
    free(out);
    free(err);
    rc = check(&c, &out, &err, "--db 'host=/nonexistent-tznr-check dbname=x'");
    ck_assert_msg(rc == 1 && line_with(err, "could not connect to the database", "[database] conninfo"),
                  "an unreachable database: exit %d: %s", rc, err);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

START_TEST(test_audit_tampered)
{
    struct ck c;
    ck_init(&c, 1, NULL);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 0, "before: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_int_ge(tu_sqln(c.db, "SELECT count(*) FROM tznr.audit_log"), 1);
    ck_assert_int_eq(tu_sqln(c.db, "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only;\n"
                                   "UPDATE tznr.audit_log SET details = '{\"forged\": true}' WHERE id = 1;\n"
                                   "ALTER TABLE tznr.audit_log ENABLE TRIGGER audit_log_append_only;\n"
                                   "SELECT 1"),
                     1);
    rc = check(&c, &out, &err, NULL);
    ck_assert_msg(rc == 1 && line_with(err, "audit chain broken at entry 1", "tell the auditors"),
                  "a tampered audit log: exit %d: %s", rc, err);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

/* Connected as the administrator (a superuser): a warning; as a role that is not the batch: a
 * problem. */
START_TEST(test_roles)
{
    struct ck c;
    ck_init(&c, 1, NULL);
    char *out = NULL, *err = NULL;
    int rc = check(&c, &out, &err, tu_fmt("--db '%s user=%s'", c.db, tu_admin()));
    ck_assert_msg(rc == 0 && line_with(err, "a superuser", "tznr_batch"), "as the superuser: exit %d: %s", rc, err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_sqln(c.db, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname ="
                                   " 'tznr_check_other') THEN CREATE ROLE tznr_check_other LOGIN; END IF; END $$;"
                                   " SELECT 1"),
                     1);
    rc = check(&c, &out, &err, tu_fmt("--db '%s user=tznr_check_other'", c.db));
    ck_assert_msg(rc == 1 && line_with(err, "connected as 'tznr_check_other', which is not tznr_batch", NULL),
                  "as another role: exit %d: %s", rc, err);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

/* ---- tznr run ------------------------------------------------------------------------------ */

/* A failing check stops the night before anything: exit 1, the problem printed, the extract
 * and its manifest still in the inbox, no run recorded, no audit entry. */
START_TEST(test_run_refuses)
{
    struct ck c;
    ck_init(&c, 1, "[team.caf_bordeaux]\nsource = caf:girond\n");
    deposit_caf(&c);
    long long audit = tu_sqln(c.db, "SELECT count(*) FROM tznr.audit_log");
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date 2026-11-26", c.conf);
    ck_assert_msg(rc == 1, "a night with a failing check: exit %d: %s%s", rc, out, err);
    ck_assert_msg(line_with(err, "tznr run: error: ", "tznr.conf:13: [team.caf_bordeaux] source 'caf:girond'"),
                  "the problem is printed: %s", err);
    ck_assert_msg(line_with(err, "the night does not start: 1 problem above", "nothing was moved"), "%s", err);
    ck_assert_msg(access(tu_fmt("%s/inbox/caf_gironde.csv", c.dir), F_OK) == 0 &&
                      access(tu_fmt("%s/inbox/caf_gironde.csv.manifest", c.dir), F_OK) == 0,
                  "the inbox was touched");
    ck_assert_msg(access(tu_fmt("%s/archive", c.dir), F_OK) != 0, "an archive folder was made");
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.run"), 0);
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.source"), 0);
    ck_assert_int_eq(tu_sqln(c.db, "SELECT count(*) FROM tznr.audit_log"), audit);
    free(out);
    free(err);
    ck_free(&c);
}
END_TEST

static void teardown(void) { tu_run(tu_fmt("rm -rf /dev/shm/tznr-check-%d", (int)getpid()), NULL, NULL); }

Suite *suite_check(void)
{
    Suite *s = suite_create("check");
    const struct tu_case cases[] = {
        {"good", test_good},
        {"misspelt_team_source", test_misspelt_team_source},
        {"misspelt_register_source", test_misspelt_register_source},
        {"unknown_key", test_unknown_key},
        {"parameters", test_parameters},
        {"folders", test_folders},
        {"two_file_systems", test_two_file_systems},
        {"database", test_database},
        {"audit_tampered", test_audit_tampered},
        {"roles", test_roles},
        {"run_refuses", test_run_refuses},
    };
    tu_add_cases(s, cases, sizeof cases / sizeof cases[0], TIMEOUT, teardown);
    return s;
}
