/* Faults that must not cost anyone their outreach (issue 11), end to end through build/tznr
 * against the test PostgreSQL: a byte that is not UTF-8 in an extract's row, a manifest, a
 * feedback row or a feedback file's name; a run that fails after detection; a fall of the row
 * count made of small steps, and the good extract loaded again; an archive on another file
 * system; a list written to a full disk; a team whose source is misspelt.
 *
 * The territory is hand-made (as in check_export.c): a landlord's tenant with 300 €/month and
 * no benefit, unknown to the CAF, whose register pays the RSA to someone else, so the tenant is
 * listed for the RSA to the landlord's team. */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define TIMEOUT 300
#define NIGHT "2026-11-26"
#define NIGHT2 "2026-11-27"

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css\n";

struct fx {
    char *dir, *db, *conf, *key;
};

/* A folder, a migrated database, the configuration (EXTRA appended) and the key. */
static void fx_init(struct fx *f, const char *extra)
{
    f->dir = strdup(tu_tmpdir());
    f->db = strdup(tu_db(1));
    f->conf = strdup(tu_conf_params(f->dir, f->db, extra));
    f->key = strdup(tu_test_key(f->dir));
}

static void fx_free(struct fx *f)
{
    free(f->dir);
    free(f->db);
    free(f->conf);
    free(f->key);
}

static const char *at(const struct fx *f, const char *rel) { return tu_fmt("%s/%s", f->dir, rel); }

/* The landlord's tenant and the CAF's register, deposited in the inbox. */
static void deposit_tenant(const struct fx *f)
{
    char *body = strdup(tu_fmt("L1,HL1,D,%s,LEFEVRE,Sophie,1978-03-14,2,33063,1,0,300,0,450,0,,,,,\n",
                               tu_nir15("2780333063101")));
    tu_deposit_canonical(f->dir, f->key, "bailleur:aquitanis", "2026-11-20", HEADER, body);
    free(body);
    body = strdup(tu_fmt("C1,HC1,D,%s,MARTIN,Paul,1969-07-02,1,33063,1,0,200,0,400,0,1,0,0,0,0\n",
                         tu_nir15("1690733063102")));
    tu_deposit_canonical(f->dir, f->key, "caf:gironde", "2026-11-20", HEADER, body);
    free(body);
}

static int night(const struct fx *f, const char *date, char **out, char **err)
{
    return tu_tznr(out, err, "run -c '%s' --date %s", f->conf, date);
}

static long long sqln(const struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long sqln(const struct fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long v = tu_vsqln(f->db, fmt, ap);
    va_end(ap);
    return v;
}

static char *sqlv(const struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sqlv(const struct fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = tu_vsqlv(f->db, fmt, ap);
    va_end(ap);
    return v;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* Set NAME's value in the manifest beside EXTRACT (a line "NAME = VALUE"). */
static void manifest_set(const char *extract, const char *name, const char *value)
{
    const char *mpath = tu_fmt("%s.manifest", extract);
    char *m = tu_read(mpath, NULL);
    ck_assert_msg(m != NULL, "no manifest %s", mpath);
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    size_t nl = strlen(name);
    int found = 0;
    for (char *l = m; *l;) {
        size_t len = strcspn(l, "\n");
        if (strncmp(l, name, nl) == 0 && strncmp(l + nl, " = ", 3) == 0) {
            fprintf(o, "%s = %s\n", name, value);
            found = 1;
        } else {
            fprintf(o, "%.*s\n", (int)len, l);
        }
        l += len + (l[len] == '\n');
    }
    fclose(o);
    ck_assert_msg(found, "manifest %s has no %s", mpath, name);
    tu_write(mpath, out, outlen);
    free(out);
    free(m);
}

/* Append ROW (with its LF) to EXTRACT and make its manifest say so (rows, sha256): an
 * extract as its agency would have made it with that row. */
static void extract_append(const char *extract, const char *row)
{
    size_t n;
    char *x = tu_read(extract, &n);
    ck_assert(x != NULL);
    long rows = -1;
    for (size_t i = 0; i < n; i++)
        rows += x[i] == '\n';
    char *all = malloc(n + strlen(row) + 1);
    memcpy(all, x, n);
    memcpy(all + n, row, strlen(row));
    tu_write(extract, all, n + strlen(row));
    free(all);
    free(x);
    char *out = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("sha256sum '%s' | cut -c1-64", extract), &out, NULL), 0);
    out[strcspn(out, "\n")] = '\0';
    manifest_set(extract, "sha256", out);
    manifest_set(extract, "rows", tu_fmt("%ld", rows + 1));
    free(out);
}

/* ---- 1. a byte that is not UTF-8 ---------------------------------------------------------- */

/* The CAF's extract carries one row with a Latin-1 byte in its commune; the CPAM's manifest a
 * Latin-1 byte in its created_at. The night goes on: the CAF's extract is loaded with that row
 * rejected and kept with its reason, the CPAM's extract is refused and moved aside with a
 * reason naming the manifest's line, and the tenant is listed. */
START_TEST(test_not_utf8_extract_and_manifest)
{
    struct fx f;
    fx_init(&f, "[load]\nmax_reject_share = 0.5\n");
    deposit_tenant(&f);
    /* the CAF's one row again, its commune with a Latin-1 byte */
    char *x = tu_read(at(&f, "inbox/caf_gironde.csv"), NULL);
    char *row = strchr(x, '\n') + 1, *commune = strstr(row, ",33063,");
    ck_assert(commune != NULL);
    extract_append(at(&f, "inbox/caf_gironde.csv"),
                   tu_fmt("%.*s,3306\xE9,%s", (int)(commune - row), row, commune + strlen(",33063,")));
    free(x);
    tu_deposit_canonical(f.dir, f.key, "cpam:gironde", "2026-11-20", HEADER,
                         tu_fmt("P1,HP1,D,%s,DURAND,Marc,1960-01-01,1,33063,1,0,900,900,0,0,,,,,\n",
                                tu_nir15("1600133063103")));
    manifest_set(at(&f, "inbox/cpam_gironde.csv"), "created_at", "2026-11-20T10:00:00Z d\xE9" "cembre");
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 5, "a night with a refused manifest exits 5, not %d: %s%s", rc, out, err);
    ck_assert_msg(exists(at(&f, "archive/" NIGHT "/caf_gironde.csv")), "the CAF's extract was not archived");
    ck_assert_msg(!exists(at(&f, "inbox/caf_gironde.csv")), "the CAF's extract stayed in the inbox");
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.load_reject WHERE reason LIKE 'commune%%'"
                              " AND strpos(record, '3306\\xE9,') > 0"), 1);
    ck_assert_msg(exists(at(&f, "rejected/" NIGHT "/cpam_gironde.csv")) &&
                      exists(at(&f, "rejected/" NIGHT "/cpam_gironde.csv.manifest")),
                  "the CPAM's extract and manifest were not moved to rejected/");
    char *reason = tu_read(at(&f, "rejected/" NIGHT "/cpam_gironde.csv.reason"), NULL);
    ck_assert_msg(reason && strstr(reason, "cpam_gironde.csv.manifest' line ") && strstr(reason, "0xE9") &&
                      strstr(reason, "not UTF-8"),
                  "the reason names the manifest, its line and the byte: %s", reason ? reason : "(none)");
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.load_attempt WHERE outcome = 'refused'"
                              " AND reason LIKE '%%line %%0xE9%%'"), 1);
    char *list = tu_read(at(&f, "outbox/bailleur_aquitanis/" NIGHT "/liste.csv"), NULL);
    ck_assert_msg(list && strstr(list, ";rsa;"), "the tenant is listed: %s", list ? list : "(no list)");
    free(list);
    free(reason);
    free(out);
    free(err);
    fx_free(&f);
}
END_TEST

/* A team sends back a file named in Latin-1 (as Windows writes "retours_décembre.csv") with
 * the tenant's opposition and a row whose regle has a Latin-1 byte. The opposition is
 * recorded, the bad row rejected with its reason, the file archived; the night exits 0. */
START_TEST(test_not_utf8_feedback)
{
    struct fx f;
    fx_init(&f, NULL);
    deposit_tenant(&f);
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "first night: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    char *tok = tu_deposit_token(f.dir, "bailleur:aquitanis", "L1");
    ck_assert(mkdir(at(&f, "inbox/feedback"), 0755) == 0);
    const char *name = "retours_d\xE9" "cembre.csv";
    tu_write_str(at(&f, tu_fmt("inbox/feedback/%s", name)),
                 tu_fmt("token;regle;statut;date\n%s;r\xE9sa;contacte;2026-11-26\n%s;rsa;opposition;2026-11-26\n",
                        tok, tok));
    out = err = NULL;
    rc = night(&f, NIGHT2, &out, &err);
    ck_assert_msg(rc == 0, "a feedback file with a Latin-1 name and row: exit %d: %s%s", rc, out, err);
    ck_assert_msg(out && strstr(out, "1 nouveau résultat (dont 1 opposition), 1 ligne écartée"), "summary: %s", out);
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.opposition WHERE token = decode('%s', 'hex')", tok), 1);
    char *fname = sqlv(&f, "SELECT file_name FROM tznr.outcome WHERE statut = 'opposition'");
    ck_assert_str_eq(fname, "retours_d\\xE9cembre.csv");
    ck_assert_msg(!exists(at(&f, tu_fmt("inbox/feedback/%s", name))), "the file stayed in the inbox");
    ck_assert_msg(exists(at(&f, tu_fmt("archive/feedback/" NIGHT2 "/%s", name))), "the file was not archived");
    char *rej = tu_read(at(&f, tu_fmt("archive/feedback/" NIGHT2 "/%s.rejects", name)), NULL);
    ck_assert_msg(rej && strstr(rej, "2,") && strstr(rej, "regle") && strstr(rej, "0xE9"),
                  "the rejected row is kept with its line and reason: %s", rej ? rej : "(no .rejects)");
    free(rej);
    free(fname);
    free(tok);
    free(out);
    free(err);
    fx_free(&f);
}
END_TEST

/* ---- 2. a run that fails after detection ---------------------------------------------------- */

/* The landlord's team folder cannot be created (a file holds its name: as a read-only or full
 * outbox, for root too), so the first night fails after detection and no list reaches the
 * team. The next night lists the tenant: nobody was contacted, no cooldown runs. */
START_TEST(test_failed_export_is_no_contact)
{
    struct fx f;
    fx_init(&f, NULL);
    deposit_tenant(&f);
    ck_assert(mkdir(at(&f, "outbox"), 0755) == 0);
    tu_write_str(at(&f, "outbox/bailleur_aquitanis"), "not a folder\n");
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 1, "a night whose export fails exits 1, not %d: %s%s", rc, out, err);
    ck_assert_msg(err && strstr(err, "outbox/bailleur_aquitanis"), "the message names the folder: %s", err);
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.list_entry WHERE team = 'bailleur_aquitanis'"), 1);
    free(out);
    free(err);
    ck_assert(unlink(at(&f, "outbox/bailleur_aquitanis")) == 0);
    out = err = NULL;
    rc = night(&f, NIGHT2, &out, &err);
    ck_assert_msg(rc == 0, "second night: exit %d: %s%s", rc, out, err);
    char *list = tu_read(at(&f, "outbox/bailleur_aquitanis/" NIGHT2 "/liste.csv"), NULL);
    ck_assert_msg(list && strstr(list, ";rsa;"),
                  "the tenant, never sent in a list, is listed the next night: %s\n%s", list ? list : "(no list)",
                  out);
    free(list);
    free(out);
    free(err);
    /* a list that was written counts: the night after, the tenant is in the cooldown */
    out = err = NULL;
    rc = night(&f, "2026-11-28", &out, &err);
    ck_assert_msg(rc == 0, "third night: exit %d: %s%s", rc, out, err);
    list = tu_read(at(&f, "outbox/bailleur_aquitanis/2026-11-28/liste.csv"), NULL);
    ck_assert_msg(list && !strstr(list, ";rsa;"), "listed on the 27th, the tenant rests on the 28th: %s",
                  list ? list : "(no list)");
    free(list);
    free(out);
    free(err);
    fx_free(&f);
}
END_TEST

/* ---- 9. a team whose source is misspelt ------------------------------------------------------ */

/* The landlord's team is declared with its source misspelt ("bailleur:aquitani"). The night
 * does not start (tznr check's problem, naming the configuration's line): exit 1, the inbox
 * untouched. When an extract of that source is in the inbox the check lets the night start
 * (the source arrives tonight); if the load then refuses that extract, the night says so,
 * naming the configuration's line, and exits 5; that team gets no list (an empty one would say
 * "nothing tonight"), and the tenant is listed to the landlord's own team. */
START_TEST(test_team_with_unknown_source)
{
    struct fx f;
    fx_init(&f, "[team.bailleur_bordeaux]\nsource = bailleur:aquitani\n");
    deposit_tenant(&f);
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 1, "a team with an unknown source: the night does not start (exit 1), not %d: %s%s", rc, out,
                  err);
    ck_assert_msg(err && strstr(err, "tznr.conf:13: [team.bailleur_bordeaux] source 'bailleur:aquitani'"),
                  "the message names the file, line, team and source: %s", err);
    ck_assert_msg(exists(at(&f, "inbox/bailleur_aquitanis.csv")), "the inbox was touched");
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.run"), 0);
    free(out);
    free(err);
    /* an extract of that source arrives, and is refused (another key) */
    char *body = strdup(tu_fmt("A1,HA1,D,%s,DUPONT,Marc,1980-01-01,1,33063,1,0,300,0,450,0,,,,,\n",
                               tu_nir15("1800133063103")));
    tu_deposit_canonical(f.dir, f.key, "bailleur:aquitani", "2026-11-20", HEADER, body);
    free(body);
    manifest_set(at(&f, "inbox/bailleur_aquitani.csv"), "key_id", "another-key");
    out = err = NULL;
    rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 5, "a team whose source's extract is refused: exit 5, not %d: %s%s", rc, out, err);
    ck_assert_msg(out && strstr(out, "tznr.conf:13: [team.bailleur_bordeaux] source 'bailleur:aquitani'"),
                  "the summary names the file, line, team and source: %s", out);
    ck_assert_msg(!exists(at(&f, "outbox/bailleur_bordeaux/" NIGHT "/liste.csv")),
                  "the misspelt team got a list");
    char *list = tu_read(at(&f, "outbox/bailleur_aquitanis/" NIGHT "/liste.csv"), NULL);
    ck_assert_msg(list && strstr(list, ";rsa;"), "the tenant goes to the landlord's own team: %s",
                  list ? list : "(no list)");
    free(list);
    free(out);
    free(err);
    fx_free(&f);
}
END_TEST

/* ---- 5. a fall made of small steps, and the good extract again ------------------------------- */

/* The landlord's extract of DATE with N tenants, deposited and set aside as DIR/ext/NAME.csv. */
static char *landlord_extract(const struct fx *f, const char *date, int n, const char *name)
{
    char *body = strdup("");
    for (int i = 0; i < n; i++) {
        char *more = NULL;
        char nir[16];
        snprintf(nir, sizeof nir, "27803330631%02d", i);
        ck_assert_int_ge(asprintf(&more, "%sL%d,HL%d,D,%s,LEFEVRE,Sophie%c,1978-03-14,2,33063,1,0,300,0,450,0,,,,,\n",
                                  body, i, i, tu_nir15(nir), 'a' + i),
                         0);
        free(body);
        body = more;
    }
    tu_deposit_canonical(f->dir, f->key, "bailleur:aquitanis", date, HEADER, body);
    free(body);
    char *path = strdup(at(f, tu_fmt("ext/%s.csv", name)));
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s/ext' && mv '%s/inbox/bailleur_aquitanis.csv' '%s' &&"
                                   " mv '%s/inbox/bailleur_aquitanis.csv.manifest' '%s.manifest'",
                                   f->dir, f->dir, path, f->dir, path),
                            NULL, NULL),
                     0);
    return path;
}

static int load(const struct fx *f, const char *opts, const char *path, char **err)
{
    return tu_tznr(NULL, err, "load -c '%s' %s '%s'", f->conf, opts, path);
}

static long long current_rows(const struct fx *f)
{
    return sqln(f, "SELECT n.rows_loaded FROM tznr.source s JOIN tznr.snapshot n ON n.id = s.current_snapshot"
                   " WHERE s.id = 'bailleur:aquitanis'");
}

/* 20 tenants, then 17 (-15 %), then 14 (-18 % more, -30 % in all): the third is refused
 * against the 20 (max_drop_share 20 %). The first extract, superseded, is not made current
 * again by a plain load (an old file fetched again must not roll the source back), and is with
 * --force; after that a correct extract of 19 loads. The second extract, fetched again by a
 * night with the current one, is left as it is too, and the summary says so. */
START_TEST(test_drop_in_small_steps_and_reload)
{
    struct fx f;
    fx_init(&f, NULL);
    char *a = landlord_extract(&f, "2026-11-01", 20, "a");
    char *b = landlord_extract(&f, "2026-11-08", 17, "b");
    char *c = landlord_extract(&f, "2026-11-15", 14, "c");
    char *d = landlord_extract(&f, "2026-11-22", 19, "d");
    char *err = NULL;
    ck_assert_msg(load(&f, "", a, &err) == 0, "a: %s", err);
    free(err);
    ck_assert_msg(load(&f, "", b, &err) == 0, "b (-15 %%): %s", err);
    free(err);
    int rc = load(&f, "", c, &err);
    ck_assert_msg(rc == 3, "c, 30 %% below a in two steps, is refused (exit 3), not %d: %s", rc, err);
    ck_assert_msg(strstr(err, "14 rows against 20 in snapshot") && strstr(err, "extract of 2026-11-01"),
                  "the reason names the reference snapshot: %s", err);
    free(err);
    ck_assert_int_eq(current_rows(&f), 17);
    rc = load(&f, "", a, &err);
    ck_assert_msg(rc == 0 && strstr(err, "--force"), "a again: exit %d, says how to make it current: %s", rc, err);
    free(err);
    ck_assert_int_eq(current_rows(&f), 17);
    rc = load(&f, "--force", a, &err);
    ck_assert_msg(rc == 0, "a again with --force: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(current_rows(&f), 20);
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.snapshot WHERE source_id = 'bailleur:aquitanis'"), 3);
    rc = load(&f, "", d, &err);
    ck_assert_msg(rc == 0, "d, a correct extract of 19: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(current_rows(&f), 19);
    /* b fetched again by a night's pull: not made current, the summary says how it could be */
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s' && cp '%s' '%s.manifest' '%s' '%s.manifest' '%s'", at(&f, "inbox"),
                                   b, b, d, d, at(&f, "inbox")), NULL, NULL), 0);
    char *out = NULL;
    rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "a night with an old extract: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "extraits : 0 chargé, 2 déjà chargés, 0 refusé") &&
                      strstr(out, "déjà chargé b.csv : loaded before as snapshot ") &&
                      strstr(out, "'tznr load --force' makes it current again"),
                  "summary: %s", out);
    ck_assert_int_eq(current_rows(&f), 19);
    ck_assert_msg(exists(at(&f, "archive/" NIGHT "/b.csv")), "the old extract was not archived");
    free(out);
    free(err);
    free(a);
    free(b);
    free(c);
    free(d);
    fx_free(&f);
}
END_TEST

/* ---- 7. an archive on another file system ------------------------------------------------- */

/* The archive and the rejected folder are on another file system than the inbox (/dev/shm, a
 * tmpfs): the night moves its extracts, a refused one and a feedback file there (copy, fsync,
 * unlink), leaves the inbox empty and exits 5 for the refused extract only. */
START_TEST(test_archive_on_another_file_system)
{
    struct stat shm, tmp;
    /* named after the runner (the test's parent), whose teardown removes it even when an
     * assertion ends the test */
    char other[64];
    snprintf(other, sizeof other, "/dev/shm/tznr-faults-%d", (int)getppid());
    ck_assert_msg(mkdir(other, 0755) == 0, "this test needs /dev/shm, a file system of its own");
    struct fx f;
    char *paths = strdup(tu_fmt("[paths]\narchive = %s/archive\nrejected = %s/rejected\n", other, other));
    fx_init(&f, paths);
    free(paths);
    ck_assert(stat(other, &shm) == 0 && stat(f.dir, &tmp) == 0);
    ck_assert_msg(shm.st_dev != tmp.st_dev, "/dev/shm and %s are on the same file system: nothing is tested",
                  f.dir);
    deposit_tenant(&f);
    tu_deposit_canonical(f.dir, f.key, "cpam:gironde", "2026-11-20", HEADER,
                         tu_fmt("P1,HP1,D,%s,DURAND,Marc,1960-01-01,1,33063,1,0,900,900,0,0,,,,,\n",
                                tu_nir15("1600133063103")));
    manifest_set(at(&f, "inbox/cpam_gironde.csv"), "key_id", "another-key");
    ck_assert(mkdir(at(&f, "inbox/feedback"), 0755) == 0);
    tu_write_str(at(&f, "inbox/feedback/retours.csv"),
                 "token;regle;statut;date\n"
                 "00000000000000000000000000000000000000000000000000000000000000ff;rsa;contacte;2026-11-25\n");
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 5, "exit 5 (one refused extract), not %d: %s%s", rc, out, err);
    const char *want[] = {"archive/" NIGHT "/bailleur_aquitanis.csv", "archive/" NIGHT "/caf_gironde.csv.manifest",
                          "rejected/" NIGHT "/cpam_gironde.csv", "rejected/" NIGHT "/cpam_gironde.csv.reason",
                          "archive/feedback/" NIGHT "/retours.csv", "archive/feedback/" NIGHT "/retours.csv.rejects"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(exists(tu_fmt("%s/%s", other, want[i])), "%s/%s is missing", other, want[i]);
    char *left = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("find '%s' -type f | wc -l", at(&f, "inbox")), &left, NULL), 0);
    ck_assert_msg(atoi(left) == 0, "%s files left in the inbox", left);
    ck_assert_int_eq(tu_run(tu_fmt("find '%s' -name '*.tmp' | wc -l", other), &left, NULL), 0);
    ck_assert_msg(atoi(left) == 0, "%s temporary files left in the archive", left);
    /* the archived extract is the one that was loaded, byte for byte */
    char *sha = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("sha256sum '%s/archive/" NIGHT "/caf_gironde.csv' | cut -c1-64", other), &sha, NULL),
                     0);
    sha[strcspn(sha, "\n")] = '\0';
    ck_assert_int_eq(sqln(&f, "SELECT count(*) FROM tznr.snapshot WHERE sha256 = decode('%s', 'hex')", sha), 1);
    free(sha);
    free(left);
    free(out);
    free(err);
    tu_run(tu_fmt("rm -rf '%s'", other), NULL, NULL);
    fx_free(&f);
}
END_TEST

/* The night's archive folder cannot be created (a file holds its name: a fault tznr check
 * cannot foresee, as a disk that fills during the night; an archive that cannot be created at
 * all stops the night before it starts, suite check): the loads are committed, so the night
 * goes on (the tenant is listed) and exits 5, the extracts stay in the inbox; the next night,
 * the archive fixed, finds them already loaded and archives them. */
START_TEST(test_archive_unusable_does_not_stop_the_night)
{
    struct fx f;
    char *path = strdup(tu_fmt("%s/archive", tu_tmpdir()));
    char *paths = strdup(tu_fmt("[paths]\narchive = %s\n", path));
    fx_init(&f, paths);
    free(paths);
    ck_assert(mkdir(path, 0755) == 0);
    tu_write_str(tu_fmt("%s/" NIGHT, path), "not a folder\n");
    deposit_tenant(&f);
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 5, "an archive that cannot be created: exit 5, not %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, tu_fmt("'%s/" NIGHT "/caf_gironde.csv'", path)) &&
                      strstr(out, "reste dans la boîte de dépôt"),
                  "the summary says which folder and what stays: %s", out);
    ck_assert_msg(exists(at(&f, "inbox/caf_gironde.csv")) && exists(at(&f, "inbox/caf_gironde.csv.manifest")),
                  "the extract left the inbox");
    char *list = tu_read(at(&f, "outbox/bailleur_aquitanis/" NIGHT "/liste.csv"), NULL);
    ck_assert_msg(list && strstr(list, ";rsa;"), "the night went on: %s", list ? list : "(no list)");
    free(list);
    free(out);
    free(err);
    ck_assert(unlink(tu_fmt("%s/" NIGHT, path)) == 0);
    out = err = NULL;
    rc = night(&f, NIGHT2, &out, &err);
    ck_assert_msg(rc == 0, "the archive fixed: exit %d: %s%s", rc, out, err);
    ck_assert_msg(strstr(out, "extraits : 0 chargé, 2 déjà chargés, 0 refusé"), "summary: %s", out);
    ck_assert_msg(exists(tu_fmt("%s/" NIGHT2 "/caf_gironde.csv", path)), "not archived the next night");
    free(out);
    free(err);
    free(path);
    fx_free(&f);
}
END_TEST

/* ---- 8. a list over 1 MB on a full disk ------------------------------------------------------ */

static char full_fs[4096];

/* Files under DIR (recursively) whose name ends in .tmp. */
static int count_tmp(const char *dir)
{
    char *out = NULL;
    ck_assert_int_eq(tu_run(tu_fmt("find '%s' -name '*.tmp' | wc -l", dir), &out, NULL), 0);
    int n = atoi(out);
    free(out);
    return n;
}

/* `tznr export` of a list of about 2 MB (the first night's, with 8,000 more households)
 * fails: exit 1, a message naming the temporary file it could not write and why, no
 * temporary file left, the list already there untouched. RUNNER is a command prefix that
 * limits the disk (prlimit), CONF the configuration whose outbox is OUTBOX. */
static void export_on_full_disk(const struct fx *f, const char *runner, const char *conf, const char *outbox,
                                const char *why)
{
    const char *team_dir = tu_fmt("%s/bailleur_aquitanis/" NIGHT, outbox);
    ck_assert_int_eq(tu_run(tu_fmt("mkdir -p '%s'", team_dir), NULL, NULL), 0);
    char *list = strdup(tu_fmt("%s/liste.csv", team_dir));
    tu_write_str(list, "the list already sent\n");
    char *out = NULL, *err = NULL;
    int rc = tu_run(tu_fmt("%s '%s' export -c '%s' --date " NIGHT, runner, tu_bin("tznr"), conf), &out, &err);
    ck_assert_msg(rc == 1, "%s: an export to a full disk exits 1, not %d: %s%s", why, rc, out, err);
    ck_assert_msg(err && strstr(err, tu_fmt("could not write '%s.tmp'", list)),
                  "%s: the message names the temporary file: %s", why, err);
    ck_assert_msg(count_tmp(outbox) == 0, "%s: a truncated temporary list was left in %s", why, outbox);
    char *after = tu_read(list, NULL);
    ck_assert_msg(after && strcmp(after, "the list already sent\n") == 0, "%s: the list there was changed", why);
    (void)f;
    free(after);
    free(list);
    free(out);
    free(err);
}

START_TEST(test_list_on_full_disk)
{
    struct fx f;
    fx_init(&f, NULL);
    deposit_tenant(&f);
    char *out = NULL, *err = NULL;
    int rc = night(&f, NIGHT, &out, &err);
    ck_assert_msg(rc == 0, "first night: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    ck_assert_int_eq(sqln(&f, "INSERT INTO tznr.list_entry (run_id, run_date, team, rule_id, foyer_id, source_id,"
                              " token, estimate, motif, confiance, priority, first_detected, inconnu_de)"
                              " SELECT e.run_id, e.run_date, e.team, e.rule_id, e.foyer_id + i, e.source_id, e.token,"
                              " e.estimate, e.motif, e.confiance, e.priority + i, e.first_detected, e.inconnu_de"
                              " FROM tznr.list_entry e, generate_series(1, 8000) i"
                              " WHERE e.team = 'bailleur_aquitanis';"
                              " SELECT count(*) FROM tznr.list_entry WHERE team = 'bailleur_aquitanis'"),
                     8001);
    /* a small file system, filled by the list: the disk is full (ENOSPC) */
    ck_assert_msg(geteuid() == 0, "this test mounts a small tmpfs: run it as root (CI does)");
    snprintf(full_fs, sizeof full_fs, "%s", at(&f, "full"));
    ck_assert(mkdir(full_fs, 0755) == 0);
    ck_assert_int_eq(tu_run(tu_fmt("mount -t tmpfs -o size=1m tmpfs '%s'", full_fs), NULL, NULL), 0);
    char *conf = strdup(tu_conf_params(f.dir, f.db, tu_fmt("[paths]\noutbox = %s\n", full_fs)));
    export_on_full_disk(&f, "", conf, full_fs, "a full tmpfs");
    ck_assert_int_eq(tu_run(tu_fmt("umount '%s'", full_fs), NULL, NULL), 0);
    full_fs[0] = '\0';
    /* a file size limit (RLIMIT_FSIZE, 1 MB), as a quota would set it */
    char *outbox = strdup(at(&f, "outbox2"));
    free(conf);
    conf = strdup(tu_conf_params(f.dir, f.db, tu_fmt("[paths]\noutbox = %s\n", outbox)));
    export_on_full_disk(&f, "prlimit --fsize=1000000", conf, outbox, "a file size limit");
    free(outbox);
    free(conf);
    fx_free(&f);
}
END_TEST

/* In the runner, after each test: what a test that failed half-way left outside its folder (a
 * mount under the runner's temporary root, the folder in /dev/shm). */
static void teardown(void)
{
    char *root = strdup(tu_tmpdir());
    *strrchr(root, '/') = '\0';
    FILE *m = fopen("/proc/self/mounts", "r");
    char dev[256], point[4096];
    while (m && fscanf(m, "%255s %4095s %*[^\n]", dev, point) == 2)
        if (strncmp(point, root, strlen(root)) == 0 && point[strlen(root)] == '/')
            tu_run(tu_fmt("umount -l '%s'", point), NULL, NULL);
    if (m)
        fclose(m);
    tu_run(tu_fmt("rm -rf /dev/shm/tznr-faults-%d", (int)getpid()), NULL, NULL);
    free(root);
}

Suite *suite_faults(void)
{
    Suite *s = suite_create("faults");
    const struct tu_case cases[] = {
        {"not_utf8_extract_and_manifest", test_not_utf8_extract_and_manifest},
        {"not_utf8_feedback", test_not_utf8_feedback},
        {"failed_export_is_no_contact", test_failed_export_is_no_contact},
        {"team_with_unknown_source", test_team_with_unknown_source},
        {"drop_in_small_steps_and_reload", test_drop_in_small_steps_and_reload},
        {"archive_on_another_file_system", test_archive_on_another_file_system},
        {"archive_unusable", test_archive_unusable_does_not_stop_the_night},
        {"list_on_full_disk", test_list_on_full_disk},
    };
    tu_add_cases(s, cases, sizeof cases / sizeof cases[0], TIMEOUT, teardown);
    return s;
}
