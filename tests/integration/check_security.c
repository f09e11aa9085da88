/* Who may read what, and the transport (docs/security.md, docs/schema.md "Roles").
 *
 * roles: a real night (two tenants of one landlord, one in Bordeaux and one in Pessac, routed
 * to two teams of that landlord by commune; the CAF's register says neither receives the RSA)
 * run by tznr as the batch role, the teams' outcomes sent back, then `tznr db roles` and a
 * person's login granted one team's reviewer role: that reviewer reads its team's list rows and
 * outcomes and nothing of the other team's; an auditor reads the audit and match logs and no
 * relation holding records, lists or outcomes; the batch appends to the audit log but cannot
 * update, delete, truncate or forge it, nor disable, drop or replace its trigger.
 *
 * tls: the throw-away server started with TLS (a CA and a server certificate for 'localhost'
 * made with the openssl command, TCP with hostssl lines only): tznr connects with
 * sslmode=verify-full; a wrong CA is refused, and so is a host name the certificate does not
 * name (which verify-ca would accept). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define NIGHT "2026-11-26"

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css\n";

/* Two teams of one landlord, by commune. The team names are this suite's own: roles belong to
 * the whole cluster, and other suites' teams are not these. */
static const char TEAMS[] = "[team.sec_bordeaux]\nsource = bailleur:aquitanis\ncommunes = 33063\n"
                            "[team.sec_pessac]\nsource = bailleur:aquitanis\n";

struct night {
    char *dir, *db, *conf;
    char *tok_bx, *tok_px; /* the token listed to each team (hex) */
};

/* psql on DB as USER (a login role), the SQL through a file; psql's status, its output without
 * the final newlines in *OUT, its messages in *ERR. */
static int psql_as(const char *user, const char *db, char **out, char **err, const char *sql)
{
    static int n;
    static const char *dir;
    if (!dir)
        dir = tu_tmpdir();
    char *file = strdup(tu_fmt("%s/as-%d-%d.sql", dir, (int)getpid(), ++n));
    tu_write_str(file, sql);
    int rc = tu_run(tu_fmt("psql -X -At -q -v ON_ERROR_STOP=1 -U '%s' -d '%s' -f '%s'", user, db, file), out, err);
    if (out && *out) {
        size_t len = strlen(*out);
        while (len > 0 && (*out)[len - 1] == '\n')
            (*out)[--len] = '\0';
    }
    free(file);
    return rc;
}

/* The one value SQL run as USER returns (malloc'd); the test fails if psql does. */
static char *value_as(const char *user, const char *db, const char *sql)
{
    char *out = NULL, *err = NULL;
    int rc = psql_as(user, db, &out, &err, sql);
    ck_assert_msg(rc == 0 && out, "as %s: '%s': psql exit %d: %s", user, sql, rc, err ? err : "");
    free(err);
    return out;
}

/* SQL run as USER must be refused for lack of a privilege (not stopped by a trigger or a
 * constraint): the message names the privilege or the ownership it lacks. */
static void refused_as(const char *user, const char *db, const char *sql)
{
    char *out = NULL, *err = NULL;
    int rc = psql_as(user, db, &out, &err, sql);
    ck_assert_msg(rc != 0, "as %s, '%s' was allowed: %s", user, sql, out ? out : "");
    ck_assert_msg(err && (strstr(err, "permission denied") || strstr(err, "must be owner")),
                  "as %s, '%s' was stopped, but not for lack of privilege: %s", user, sql, err ? err : "");
    free(out);
    free(err);
}

/* The output of SQL run by the administrator (malloc'd). */
static char *sqlv(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(const char *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = tu_vsqlv(db, fmt, ap);
    va_end(ap);
    return out;
}

/* A login role of this test, granted ROLE (dropped by drop_login). */
static char *make_login(const char *db, const char *prefix, const char *role)
{
    char *name = strdup(tu_fmt("%s_%d", prefix, (int)getpid()));
    tu_sqln(db, "DROP ROLE IF EXISTS \"%s\"; CREATE ROLE \"%s\" LOGIN IN ROLE %s; SELECT 1", name, name, role);
    return name;
}

static void drop_login(const char *db, char *name)
{
    tu_sqln(db, "DROP ROLE IF EXISTS \"%s\"; SELECT 1", name);
    free(name);
}

/* The night: two tenants listed to two teams, their outcomes sent back by the teams. */
static void night_init(struct night *n)
{
    memset(n, 0, sizeof *n);
    n->dir = strdup(tu_tmpdir());
    n->db = strdup(tu_db(1));
    n->conf = strdup(tu_conf_params(n->dir, n->db, TEAMS));
    char *key = strdup(tu_test_key(n->dir));
    char *body = strdup(tu_fmt("L1,HL1,D,%s,LEFEVRE,Sophie,1978-03-14,2,33063,1,0,300,0,450,0,,,,,\n"
                               "L2,HL2,D,%s,DURAND,Claire,1985-05-20,2,33318,1,0,250,0,420,0,,,,,\n",
                               tu_nir15("2780333063101"), tu_nir15("2850533318104")));
    tu_deposit_canonical(n->dir, key, "bailleur:aquitanis", "2026-11-20", HEADER, body);
    free(body);
    /* the CAF's register: it pays the RSA to someone else, so its silence on the tenants says
     * they are not paid */
    body = strdup(tu_fmt("C1,HC1,D,%s,MARTIN,Paul,1969-07-02,1,33063,1,0,200,0,400,0,1,0,0,0,0\n",
                         tu_nir15("1690733063102")));
    tu_deposit_canonical(n->dir, key, "caf:gironde", "2026-11-20", HEADER, body);
    free(body);
    free(key);
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date " NIGHT, n->conf);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    /* the night's lists: one household each */
    for (int t = 0; t < 2; t++) {
        const char *team = t ? "sec_pessac" : "sec_bordeaux";
        char *list = tu_read(tu_fmt("%s/outbox/%s/" NIGHT "/liste.csv", n->dir, team), NULL);
        ck_assert_msg(list && strstr(list, "rsa"), "team %s's list has no RSA household: %s", team, list ? list : "(none)");
        free(list);
        ck_assert_int_eq(tu_sqln(n->db, "SELECT count(*) FROM tznr.list_entry WHERE team = '%s'", team), 1);
        char *tok = sqlv(n->db, "SELECT pg_catalog.encode(token, 'hex') FROM tznr.list_entry WHERE team = '%s'", team);
        if (t)
            n->tok_px = tok;
        else
            n->tok_bx = tok;
    }
    /* the teams' outcomes, through tznr feedback */
    const char *fb = tu_fmt("%s/retours.csv", n->dir);
    tu_write_str(fb, tu_fmt("token;regle;statut;date\n%s;rsa;contacte;27/11/2026\n%s;rsa;droit_ouvert;27/11/2026\n",
                            n->tok_bx, n->tok_px));
    rc = tu_tznr(&out, &err, "feedback -c '%s' '%s'", n->conf, fb);
    ck_assert_msg(rc == 0, "tznr feedback: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_int_eq(tu_sqln(n->db, "SELECT count(*) FROM tznr.outcome"), 2);
}

static void night_free(struct night *n)
{
    free(n->dir);
    free(n->db);
    free(n->conf);
    free(n->tok_bx);
    free(n->tok_px);
}

/* ---- roles ---------------------------------------------------------------------------------- */

/* What a reviewer of TEAM reads: its team's list rows and outcomes, none of OTHER's. */
static void reviewer_reads_own_team(const struct night *n, const char *user, const char *team, const char *tok,
                                    const char *other_tok)
{
    char *v = value_as(user, n->db, "SELECT coalesce(string_agg(DISTINCT team, ','), '') FROM tznr.list_entry");
    ck_assert_msg(strcmp(v, team) == 0, "a reviewer of %s reads list rows of the teams '%s'", team, v);
    free(v);
    v = value_as(user, n->db, "SELECT count(*) FROM tznr.list_entry");
    ck_assert_str_eq(v, "1");
    free(v);
    v = value_as(user, n->db, "SELECT coalesce(string_agg(pg_catalog.encode(token, 'hex'), ','), '') FROM tznr.outcome");
    ck_assert_msg(strcmp(v, tok) == 0, "a reviewer of %s reads the outcomes of '%s', not only %s", team, v, tok);
    ck_assert_msg(strstr(v, other_tok) == NULL, "a reviewer of %s reads the other team's outcome", team);
    free(v);
    /* and nothing but lists and outcomes */
    static const char *const denied[] = {"tznr.record", "tznr.current_record", "tznr.person_record", "tznr.run_foyer",
                                         "tznr.candidate", "tznr.opposition", "tznr.audit_log", "tznr.link",
                                         "tznr.load_reject"};
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
        refused_as(user, n->db, tu_fmt("SELECT count(*) FROM %s", denied[i]));
}

START_TEST(test_reviewer_reads_only_its_team)
{
    struct night n;
    night_init(&n);
    /* the batch may not create roles; the administrator does, from the configuration's teams
     * and the sources without one */
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "db roles -c '%s'", n.conf);
    ck_assert_msg(rc == 1, "tznr db roles as the batch: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "db roles -c '%s' --db '%s user=%s'", n.conf, n.db, tu_admin());
    ck_assert_msg(rc == 0, "tznr db roles: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "tznr_reviewer_sec_bordeaux: ") && strstr(out, "tznr_reviewer_sec_pessac: ") &&
                      strstr(out, "tznr_reviewer_caf_gironde: ") && !strstr(out, "tznr_reviewer_bailleur_aquitanis"),
                  "tznr db roles: %s", out);
    free(out);
    free(err);
    /* again: nothing new, nothing logged */
    long long logged = tu_sqln(n.db, "SELECT count(*) FROM tznr.audit_log WHERE action = 'db.roles'");
    rc = tu_tznr(&out, &err, "db roles -c '%s' --db '%s user=%s'", n.conf, n.db, tu_admin());
    ck_assert_msg(rc == 0 && strstr(out, "tznr_reviewer_sec_bordeaux: exists") && !strstr(out, "created"),
                  "tznr db roles again: exit %d: %s%s", rc, out, err);
    ck_assert_int_eq(tu_sqln(n.db, "SELECT count(*) FROM tznr.audit_log WHERE action = 'db.roles'"), logged);
    free(out);
    free(err);
    /* the admin reads both teams' rows: there is something to hide */
    ck_assert_int_ge(tu_sqln(n.db, "SELECT count(DISTINCT team) FROM tznr.list_entry"), 2);

    char *bx = make_login(n.db, "sec_agent_bx", "tznr_reviewer_sec_bordeaux");
    char *px = make_login(n.db, "sec_agent_px", "tznr_reviewer_sec_pessac");
    reviewer_reads_own_team(&n, bx, "sec_bordeaux", n.tok_bx, n.tok_px);
    reviewer_reads_own_team(&n, px, "sec_pessac", n.tok_px, n.tok_bx);
    drop_login(n.db, bx);
    drop_login(n.db, px);
    night_free(&n);
}
END_TEST

START_TEST(test_auditor_reads_no_record)
{
    struct night n;
    night_init(&n);
    char *aud = make_login(n.db, "sec_auditor", "tznr_auditor");
    /* the auditor does an auditor's work: the chain checks, the logs read */
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "audit verify --db '%s user=%s'", n.db, aud);
    ck_assert_msg(rc == 0, "tznr audit verify as the auditor: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    char *v = value_as(aud, n.db, "SELECT (SELECT count(*) FROM tznr.audit_log) > 0 AND (SELECT count(*) FROM tznr.link_run) > 0"
                                  " AND (SELECT count(*) FROM tznr.link) >= 0 AND (SELECT count(*) FROM tznr.link_model) >= 0"
                                  " AND (SELECT count(*) FROM tznr.possible_link) >= 0");
    ck_assert_str_eq(v, "t");
    free(v);
    /* every other relation of the schema, the snapshots' partitions included, is closed to it */
    char *rels = sqlv(n.db, "SELECT string_agg('tznr.' || quote_ident(c.relname), ' ' ORDER BY c.relname) FROM pg_class c"
                            " WHERE c.relnamespace = 'tznr'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')"
                            " AND c.relname NOT IN ('audit_log', 'schema_migration', 'link_run', 'link',"
                            " 'link_model', 'possible_link')");
    ck_assert_msg(strstr(rels, "tznr.record ") && strstr(rels, "tznr.current_record ") && strstr(rels, "tznr.list_entry ") &&
                      strstr(rels, "tznr.outcome ") && strstr(rels, "tznr.record_"),
                  "the relations to check: %s", rels);
    int checked = 0;
    for (char *r = strtok(rels, " "); r; r = strtok(NULL, " ")) {
        refused_as(aud, n.db, tu_fmt("SELECT count(*) FROM %s", r));
        checked++;
    }
    ck_assert_int_ge(checked, 20);
    free(rels);
    /* nor may it write the log */
    refused_as(aud, n.db, "SELECT tznr.audit_append('x', 'x', 'x', 'x', '{}')");
    drop_login(n.db, aud);
    night_free(&n);
}
END_TEST

/* Every row of the audit log, whole, as one digest. */
#define AUDIT_LOG_DIGEST "SELECT count(*) || ' ' || md5(string_agg(l::text, E'\\n' ORDER BY l.id)) FROM tznr.audit_log l"

START_TEST(test_batch_cannot_rewrite_history)
{
    struct night n;
    night_init(&n);
    /* tznr ran the night as the batch role: every entry of the night says so */
    ck_assert_int_ge(tu_sqln(n.db, "SELECT count(*) FROM tznr.audit_log WHERE action IN ('load', 'link', 'feedback')"), 3);
    ck_assert_int_eq(tu_sqln(n.db, "SELECT count(*) FROM tznr.audit_log WHERE action <> 'db.migrate'"
                                   " AND db_role <> 'tznr_batch'"), 0);
    char *before = sqlv(n.db, AUDIT_LOG_DIGEST);
    static const char *const rewrite[] = {
        "UPDATE tznr.audit_log SET details = '{}' WHERE id = 2",
        "DELETE FROM tznr.audit_log WHERE id = 2",
        "TRUNCATE tznr.audit_log",
        "INSERT INTO tznr.audit_log SELECT id + 1000, at, db_role, os_user, command, action, object, details,"
        " prev_hash, hash FROM tznr.audit_log WHERE id = 2",
        "ALTER TABLE tznr.audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE tznr.audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_truncate ON tznr.audit_log",
        "CREATE TRIGGER audit_log_nothing BEFORE UPDATE ON tznr.audit_log FOR EACH ROW EXECUTE FUNCTION tznr.audit_refuse_change()",
        "CREATE OR REPLACE FUNCTION tznr.audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE OR REPLACE FUNCTION tznr.audit_append(p_os_user text, p_command text, p_action text, p_object text,"
        " p_details text) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint'",
        "ALTER TABLE tznr.audit_log OWNER TO tznr_batch",
        "DROP TABLE tznr.audit_log",
        "SET session_replication_role = replica",
        "SET ROLE tznr_owner",
        /* the schema's version and the oppositions are history too */
        "UPDATE tznr.schema_migration SET version = 0",
        "DELETE FROM tznr.opposition",
    };
    for (size_t i = 0; i < sizeof rewrite / sizeof *rewrite; i++)
        refused_as("tznr_batch", n.db, rewrite[i]);
    char *after = sqlv(n.db, AUDIT_LOG_DIGEST);
    ck_assert_str_eq(before, after);
    /* appending, the one way in, is the batch's */
    char *id = value_as("tznr_batch", n.db, "SELECT tznr.audit_append('test', 'test', 'test.append', 'x', '{}')");
    ck_assert_int_eq(tu_sqln(n.db, "SELECT count(*) FROM tznr.audit_log WHERE id = %s AND db_role = 'tznr_batch'", id), 1);
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "audit verify -c '%s'", n.conf);
    ck_assert_msg(rc == 0, "tznr audit verify: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    free(id);
    free(before);
    free(after);
    night_free(&n);
}
END_TEST

/* ---- transport ------------------------------------------------------------------------------- */

static char *tls_dir; /* the TLS server's folder: certificates, data, socket */
static int tls_port;
static char pg_tmp[4096]; /* scripts/pg-tmp, absolute (the tests run from the repository's root) */

static void sh(const char *cmd)
{
    char *err = NULL;
    int rc = tu_run(cmd, NULL, &err);
    ck_assert_msg(rc == 0, "'%s': exit %d: %s", cmd, rc, err ? err : "");
    free(err);
}

/* A CA, a server certificate for localhost signed by it, and another CA that signed nothing. */
static void make_certificates(const char *d)
{
    const char *req = "openssl req -new -nodes -newkey rsa:2048 -subj";
    sh(tu_fmt("cd '%s' && %s '/CN=tznr test CA' -x509 -days 2 -keyout ca.key -out ca.crt", d, req));
    sh(tu_fmt("cd '%s' && %s '/CN=another CA' -x509 -days 2 -keyout wrong-ca.key -out wrong-ca.crt", d, req));
    sh(tu_fmt("cd '%s' && %s '/CN=localhost' -keyout server.key -out server.csr && "
              "printf 'subjectAltName=DNS:localhost\\n' >san.ext && "
              "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
              "-extfile san.ext -out server.crt",
              d, req));
}

/* Started once for the transport's tests (in the runner's process, so it is stopped whatever
 * they do). A port of localhost nobody uses: tried from one that depends on the pid. */
static void tls_server_start(void)
{
    ck_assert_msg(realpath("scripts/pg-tmp", pg_tmp) != NULL, "no scripts/pg-tmp: run from the repository's root");
    tls_dir = strdup(tu_fmt("%s/tls-pg", tu_tmpdir()));
    sh(tu_fmt("mkdir -p '%s/certs'", tls_dir));
    make_certificates(tu_fmt("%s/certs", tls_dir));
    int rc = -1;
    for (int attempt = 0; attempt < 8 && rc != 0; attempt++) {
        tls_port = 20000 + (int)(getpid() * 7 + attempt * 389) % 20000;
        rc = tu_run(tu_fmt("PG_FSYNC=off PG_PORT=%d PG_TLS_DIR='%s/certs' '%s' start '%s/pg'", tls_port, tls_dir, pg_tmp,
                           tls_dir),
                    NULL, NULL);
        if (rc != 0) /* the port taken? stopped, to start again on another */
            tu_run(tu_fmt("'%s' stop '%s/pg'", pg_tmp, tls_dir), NULL, NULL);
    }
    ck_assert_msg(rc == 0, "could not start a TLS server (see %s/pg/server.log)", tls_dir);
}

static void tls_server_stop(void)
{
    if (tls_dir)
        tu_run(tu_fmt("'%s' stop '%s/pg'", pg_tmp, tls_dir), NULL, NULL);
}

/* A conninfo to the TLS server's database tznr over TCP as USER. */
static const char *tls_conninfo(const char *host, const char *user, const char *mode, const char *ca)
{
    return tu_fmt("host=%s port=%d dbname=tznr user=%s sslmode=%s sslrootcert=%s/certs/%s", host, tls_port, user, mode,
                  tls_dir, ca);
}

START_TEST(test_tls_verify_full)
{
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "db migrate --db '%s'", tls_conninfo("localhost", tu_admin(), "verify-full", "ca.crt"));
    ck_assert_msg(rc == 0, "tznr db migrate over TLS, verify-full: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "audit verify --db '%s'", tls_conninfo("localhost", "tznr_batch", "verify-full", "ca.crt"));
    ck_assert_msg(rc == 0, "tznr audit verify over TLS as the batch: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    /* it was TLS: the server says so, and it refuses TCP without it */
    char *log = tu_read(tu_fmt("%s/pg/server.log", tls_dir), NULL);
    ck_assert_msg(log && strstr(log, "connection authorized: user=tznr_batch database=tznr") &&
                      strstr(strstr(log, "connection authorized: user=tznr_batch database=tznr"), "SSL enabled"),
                  "the server's log has no TLS connection of tznr_batch: %s", log ? log : "(no log)");
    free(log);
    rc = tu_tznr(&out, &err, "audit verify --db '%s'", tls_conninfo("localhost", "tznr_batch", "disable", "ca.crt"));
    ck_assert_msg(rc == 1 && strstr(err, "no encryption"), "a connection without TLS: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_tls_wrong_ca_refused)
{
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "db status --db '%s'", tls_conninfo("localhost", "tznr_batch", "verify-full", "wrong-ca.crt"));
    ck_assert_msg(rc == 1 && strstr(err, "certificate verify failed"), "a server certificate of another CA: exit %d: %s%s",
                  rc, out, err);
    ck_assert_msg(strstr(out, "database schema") == NULL, "refused, yet it read the database: %s", out);
    free(out);
    free(err);
    /* the right CA, the wrong name: verify-full refuses what verify-ca accepts */
    rc = tu_tznr(&out, &err, "db status --db '%s'", tls_conninfo("127.0.0.1", "tznr_batch", "verify-full", "ca.crt"));
    ck_assert_msg(rc == 1 && strstr(err, "does not match host name"), "a certificate for another name: exit %d: %s%s", rc,
                  out, err);
    free(out);
    free(err);
    rc = tu_tznr(&out, &err, "db status --db '%s'", tls_conninfo("127.0.0.1", "tznr_batch", "verify-ca", "ca.crt"));
    ck_assert_msg(rc != 1 || strstr(err, "does not match") == NULL, "verify-ca checked the name: %s", err);
    free(out);
    free(err);
}
END_TEST

Suite *suite_security(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("roles");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_reviewer_reads_only_its_team);
    tcase_add_test(tc, test_auditor_reads_no_record);
    tcase_add_test(tc, test_batch_cannot_rewrite_history);
    suite_add_tcase(s, tc);
    tc = tcase_create("tls");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, tls_server_start, tls_server_stop);
    tcase_add_test(tc, test_tls_verify_full);
    tcase_add_test(tc, test_tls_wrong_ca_refused);
    suite_add_tcase(s, tc);
    return s;
}
