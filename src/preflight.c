/* preflight: everything a night needs, before the night (see preflight.h, docs/operations.md). */
#include "preflight.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "db.h"
#include "detect.h"
#include "fs.h"
#include "linkmodel.h"
#include "log.h"
#include "manifest.h"
#include "sbuf.h"

typedef struct checker {
    const conf *cf;
    const char *file; /* the configuration file, for messages */
    int problems, warnings;
    int quiet_warnings; /* count the warnings, print none */
} checker;

static char *dupn(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

#define PROBLEM(k, ...) ((k)->problems++, log_error(__VA_ARGS__))
#define WARNING(k, ...) ((k)->warnings++, (k)->quiet_warnings ? (void)0 : log_warn(__VA_ARGS__))

/* ---- settings the loader cannot check alone ---------------------------------------------- */

static void check_settings(checker *k)
{
    const conf *cf = k->cf;
    if (!cf->key_id || !*cf->key_id)
        PROBLEM(k, "%s: [keys] key_id is not set, so every extract would be refused: set it to the key id the "
                   "agencies' manifests carry (docs/configuration.md)", k->file);
    for (int i = 0; i < cf->nsources; i++)
        if (!manifest_source_valid(cf->sources[i].id))
            PROBLEM(k, "%s: [source.%s]: '%s' is not a source id KIND:NAME (kinds: " MANIFEST_KINDS
                       "): rename the section to the id the agency's manifests carry", k->file, cf->sources[i].id,
                    cf->sources[i].id);
    for (int t = 0; t < cf->nteams; t++)
        if (!manifest_source_valid(cf->teams[t].source))
            PROBLEM(k, "%s:%ld: [team.%s] source '%s' is not a source id KIND:NAME (kinds: " MANIFEST_KINDS
                       "): write the id the agency's manifests carry (caf:gironde)", k->file,
                    cf->teams[t].source_line, cf->teams[t].name, cf->teams[t].source);
    if (cf->link_model) {
        fs_model m;
        char err[1024];
        if (linkmodel_read(cf->link_model, &m, err, sizeof err) != 0)
            PROBLEM(k, "%s: [link] model: %s: the linkage would stop; fix the file (tznr links --model prints "
                       "one) or remove the key to estimate a model each night", k->file, err);
    }
}

/* ---- folders --------------------------------------------------------------------------------- */

/* PATH, or when it does not exist its nearest existing ancestor, into *ST; *EXISTS says which.
 * Return the path stat'ed (malloc'd), or NULL with errno set. */
static char *nearest(const char *path, struct stat *st, int *exists)
{
    char *p = xstrdup(path);
    *exists = 1;
    for (;;) {
        if (stat(p, st) == 0)
            return p;
        if (errno != ENOENT && errno != ENOTDIR) {
            int e = errno;
            free(p);
            errno = e;
            return NULL;
        }
        *exists = 0;
        char *slash = strrchr(p, '/');
        if (!slash) {
            free(p);
            p = xstrdup(".");
        } else if (slash == p) {
            p[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}

/* The folder [paths] KEY = PATH: present and writable by this user, or creatable (its nearest
 * existing ancestor a writable folder: the night creates it). Its device in *DEV (or the
 * ancestor's). Return 0 when fine. */
static int check_folder(checker *k, const char *key, const char *path, int need_read, dev_t *dev)
{
    struct stat st;
    int exists;
    char *at = nearest(path, &st, &exists);
    int why = errno; /* before audit_os_user's first getpwuid, which may change errno */
    const char *user = audit_os_user();
    if (!at) {
        PROBLEM(k, "%s: [paths] %s '%s' cannot be reached: %s: give the user %s access to it", k->file, key, path,
                strerror(why), user);
        return -1;
    }
    *dev = st.st_dev;
    int rc = 0;
    int mode = W_OK | X_OK | (need_read ? R_OK : 0);
    if (exists && !S_ISDIR(st.st_mode)) {
        PROBLEM(k, "%s: [paths] %s '%s' is not a folder: remove or rename that file, or point %s elsewhere", k->file,
                key, path, key);
        rc = -1;
    } else if (exists && access(path, mode) != 0) {
        PROBLEM(k, "%s: [paths] %s '%s' is not %s by %s (%s): chown or chmod it (docs/operations.md)", k->file, key,
                path, need_read ? "readable and writable" : "writable", user, strerror(errno));
        rc = -1;
    } else if (!exists && !S_ISDIR(st.st_mode)) {
        PROBLEM(k, "%s: [paths] %s '%s' cannot be created: '%s' is not a folder; create the folder or point %s "
                   "elsewhere", k->file, key, path, at, key);
        rc = -1;
    } else if (!exists && access(at, W_OK | X_OK) != 0) {
        PROBLEM(k, "%s: [paths] %s '%s' does not exist and cannot be created: '%s' is not writable by %s (%s); "
                   "create it for %s", k->file, key, path, at, user, strerror(errno), user);
        rc = -1;
    }
    free(at);
    return rc;
}

static void check_folders(checker *k)
{
    const conf *cf = k->cf;
    dev_t inbox = 0, archive = 0, outbox = 0, rejected = 0;
    int ok_in = check_folder(k, "inbox", cf->inbox, 1, &inbox) == 0;
    int ok_ar = check_folder(k, "archive", cf->archive, 0, &archive) == 0;
    check_folder(k, "outbox", cf->outbox, 0, &outbox);
    int ok_rj = check_folder(k, "rejected", cf->rejected, 0, &rejected) == 0;
    /* the teams' outcomes are read from inbox/feedback and moved out of it */
    char *fb = xasprintf("%s/feedback", cf->inbox);
    struct stat st;
    if (ok_in && stat(fb, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            PROBLEM(k, "'%s' is not a folder: the teams' outcomes go there; remove or rename that file", fb);
        else if (access(fb, R_OK | W_OK | X_OK) != 0)
            PROBLEM(k, "'%s' is not readable and writable by %s (%s): chown or chmod it", fb, audit_os_user(),
                    strerror(errno));
    }
    free(fb);
    /* util_move copes with another file system (copy, flush, rename, then remove), so a night
     * works; but each file is then copied whole rather than renamed: said, not refused */
    if (ok_in && ok_ar && inbox != archive)
        WARNING(k, "%s: [paths] inbox '%s' and archive '%s' are on different file systems: every extract is "
                   "copied then removed instead of renamed (slower, twice its size on disk meanwhile); put "
                   "them on one file system", k->file, cf->inbox, cf->archive);
    if (ok_in && ok_rj && inbox != rejected)
        WARNING(k, "%s: [paths] inbox '%s' and rejected '%s' are on different file systems: every refused "
                   "extract is copied then removed instead of renamed; put them on one file system", k->file,
                cf->inbox, cf->rejected);
}

/* ---- parameters ------------------------------------------------------------------------------ */

/* The parameters the SQL the binary carries reads: every tznr.param('NAME' of the migrations
 * and rules; a name followed by || is a prefix (*PREFIX set). Calls FN for each. */
static void required_parameters(void (*fn)(void *ctx, const char *name, int prefix), void *ctx)
{
    static const char key[] = "tznr.param('";
    for (size_t f = 0; f < db_nsqlfiles; f++) {
        for (const char *p = strstr(db_sqlfiles[f].text, key); p; p = strstr(p, key)) {
            p += sizeof key - 1;
            size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_.");
            if (n == 0 || n >= 128 || p[n] != '\'')
                continue;
            char name[128];
            memcpy(name, p, n);
            name[n] = '\0';
            const char *q = p + n + 1;
            q += strspn(q, " \t\n");
            fn(ctx, name, strncmp(q, "||", 2) == 0);
        }
    }
}

struct param_row {
    char *name;
    char valid_from[11];
};

struct params {
    checker *k;
    const char *path, *date;
    struct param_row *rows;
    int n;
    sbuf seen; /* the names already checked, "\nname\n" each */
};

static void need_parameter(void *ctx, const char *name, int prefix)
{
    struct params *ps = ctx;
    size_t len = strlen(name);
    char *tag = xasprintf("\n%s%s\n", name, prefix ? "*" : "");
    int seen = strstr(ps->seen.p, tag) != NULL;
    if (!seen)
        sbuf_adds(&ps->seen, tag + 1);
    free(tag);
    if (seen)
        return;
    const char *first = NULL;
    int any = 0, in_force = 0;
    for (int i = 0; i < ps->n; i++) {
        if (prefix ? strncmp(ps->rows[i].name, name, len) != 0 : strcmp(ps->rows[i].name, name) != 0)
            continue;
        any = 1;
        if (strcmp(ps->rows[i].valid_from, ps->date) <= 0)
            in_force = 1;
        if (!first || strcmp(ps->rows[i].valid_from, first) < 0)
            first = ps->rows[i].valid_from;
    }
    if (!any)
        PROBLEM(ps->k, "[run] parameters '%s': no row for %s%s, which the rules read: add it (docs/parameters.md; "
                       "the release's config/parameters.csv has it)", ps->path, name, prefix ? "*" : "");
    else if (!in_force)
        PROBLEM(ps->k, "[run] parameters '%s': %s%s has no value in force on %s (its first row is from %s): add "
                       "the row in force that day (docs/parameters.md)", ps->path, name, prefix ? "*" : "", ps->date,
                first);
}

static void check_parameters(checker *k, const char *date)
{
    const char *path = k->cf->parameters;
    sbuf copy;
    sbuf_init(&copy);
    int nrows = 0;
    char err[1024];
    if (detect_read_parameters(path, &copy, &nrows, err, sizeof err) != 0) {
        PROBLEM(k, "%s: [run] parameters: %s: the night would stop before detection; point [run] parameters at "
                   "the dated benefit parameters (the release's config/parameters.csv, docs/parameters.md)", k->file,
                err);
        sbuf_free(&copy);
        return;
    }
    struct params ps = {.k = k, .path = path, .date = date};
    ps.rows = xcalloc((size_t)nrows, sizeof *ps.rows);
    sbuf_init(&ps.seen);
    sbuf_addc(&ps.seen, '\n');
    long line = 1;
    for (char *l = copy.p; *l && ps.n < nrows; line++) {
        char *nl = strchr(l, '\n');
        size_t n = strcspn(l, "\t");
        struct param_row *r = &ps.rows[ps.n++];
        r->name = dupn(l, n);
        snprintf(r->valid_from, sizeof r->valid_from, "%.10s", l + n + 1);
        for (int i = 0; i < ps.n - 1; i++)
            if (strcmp(ps.rows[i].name, r->name) == 0 && strcmp(ps.rows[i].valid_from, r->valid_from) == 0) {
                PROBLEM(k, "[run] parameters '%s' line %ld: a second row for %s from %s: keep one (a new value "
                           "is a row with a new date)", path, line + 1, r->name, r->valid_from);
                break;
            }
        l = nl ? nl + 1 : l + strlen(l);
    }
    required_parameters(need_parameter, &ps);
    for (int i = 0; i < ps.n; i++)
        free(ps.rows[i].name);
    free(ps.rows);
    sbuf_free(&ps.seen);
    sbuf_free(&copy);
}

/* ---- the database ---------------------------------------------------------------------------- */

/* The sources the platform knows: loaded, declared by [source.ID], or named by a manifest of
 * the inbox (loaded tonight, before anything is routed): "\nid\n" each. */
static void known_sources(checker *k, PGconn *conn, sbuf *known)
{
    sbuf_addc(known, '\n');
    PGresult *r = db_query(conn, "SELECT id FROM tznr.source", 0, NULL);
    for (int i = 0; i < PQntuples(r); i++)
        sbuf_addf(known, "%s\n", PQgetvalue(r, i, 0));
    PQclear(r);
    for (int i = 0; i < k->cf->nsources; i++)
        sbuf_addf(known, "%s\n", k->cf->sources[i].id);
    DIR *d = opendir(k->cf->inbox);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n < 13 || strcmp(e->d_name + n - 13, ".csv.manifest") != 0)
            continue;
        char *path = xasprintf("%s/%s", k->cf->inbox, e->d_name);
        manifest m;
        char err[512];
        if (manifest_read(path, &m, err, sizeof err) == 0)
            sbuf_addf(known, "%s\n", m.source);
        free(path);
    }
    if (d)
        closedir(d);
}

static int is_known(const sbuf *known, const char *id)
{
    char *tag = xasprintf("\n%s\n", id);
    int yes = strstr(known->p, tag) != NULL;
    free(tag);
    return yes;
}

static void check_sources_named(checker *k, PGconn *conn)
{
    const conf *cf = k->cf;
    sbuf known;
    sbuf_init(&known);
    known_sources(k, conn, &known);
    for (int t = 0; t < cf->nteams; t++)
        if (manifest_source_valid(cf->teams[t].source) && !is_known(&known, cf->teams[t].source))
            PROBLEM(k, "%s:%ld: [team.%s] source '%s' is not a source of the platform: no extract of it was "
                       "loaded, none is in the inbox and no [source.%s] section declares it; correct the spelling, "
                       "or add a [source.%s] section if its first extract is still to come", k->file,
                    cf->teams[t].source_line, cf->teams[t].name, cf->teams[t].source, cf->teams[t].source,
                    cf->teams[t].source);
    for (int b = 0; b < CONF_NBENEFITS; b++) {
        const char *p = cf->registers[b];
        while (p && *p) {
            size_t n = strcspn(p, " ");
            char *item = dupn(p, n);
            /* a warning: a register that does not count means fewer households found, never
             * false ones, and the night's summary names it ("aucun extrait chargé") */
            if (strchr(item, ':') && !is_known(&known, item))
                WARNING(k, "%s: [registers] %s: source '%s' is not a source of the platform: no extract of it was "
                           "loaded, none is in the inbox and no [source.%s] section declares it, so it counts as no "
                           "register; correct the spelling if it is misspelt", k->file, conf_benefits[b], item,
                        item);
            free(item);
            p += n;
            p += strspn(p, " ");
        }
    }
    sbuf_free(&known);
}

/* The role connected: tznr_batch (or a member), else a problem; a superuser is a warning.
 * Return 0 when the other checks can go on. */
static int check_user(checker *k, PGconn *conn)
{
    int rc = 0;
    PGresult *r = db_query(conn,
        "SELECT current_user, r.rolsuper,"
        " CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tznr_batch')"
        "  THEN pg_catalog.pg_has_role(current_user, 'tznr_batch', 'MEMBER') ELSE false END"
        " FROM pg_catalog.pg_roles r WHERE r.rolname = current_user", 0, NULL);
    if (PQntuples(r) == 1) {
        const char *user = PQgetvalue(r, 0, 0);
        int super = strcmp(PQgetvalue(r, 0, 1), "t") == 0, batch = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
        if (super) {
            WARNING(k, "connected as '%s', a superuser: the night should connect as tznr_batch, which cannot "
                       "rewrite the audit log (user=tznr_batch in [database] conninfo; docs/operations.md)", user);
        } else if (!batch) {
            PROBLEM(k, "connected as '%s', which is not tznr_batch: the night would lack its privileges; connect as "
                       "tznr_batch (user=tznr_batch in [database] conninfo; docs/operations.md)", user);
            rc = -1;
        }
    }
    PQclear(r);
    return rc;
}

static void check_roles(checker *k, PGconn *conn)
{
    static const char *const roles[] = {"tznr_owner", "tznr_batch", "tznr_reviewer", "tznr_auditor"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        const char *p[] = {roles[i]};
        if (strcmp(db_value(conn, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", 1, p),
                   "t") != 0)
            PROBLEM(k, "the database has no role %s: run 'tznr db migrate' as the cluster's administrator "
                       "(docs/schema.md, Roles)", roles[i]);
    }
    const char *owner = db_value(conn, "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace"
                                       " WHERE nspname = 'tznr'", 0, NULL);
    if (strcmp(owner, "tznr_owner") != 0)
        PROBLEM(k, "the schema tznr belongs to '%s', not tznr_owner: run 'tznr db migrate' as the cluster's "
                   "administrator (docs/schema.md, Roles)", owner);
    for (int t = 0; t < k->cf->nteams; t++) {
        char *role = xasprintf("tznr_reviewer_%s", k->cf->teams[t].name);
        const char *p[] = {role};
        if (strcmp(db_value(conn, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", 1, p),
                   "t") != 0)
            WARNING(k, "%s:%ld: [team.%s] has no reviewer role %s yet: its agents cannot read their lists in the "
                       "database; run 'tznr db roles' as the cluster's administrator", k->file,
                    k->cf->teams[t].source_line, k->cf->teams[t].name, role);
        free(role);
    }
}

static void check_audit(checker *k, PGconn *conn)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        die(TZNR_EXIT_FAIL, "out of memory");
    int broken = audit_verify(conn, out);
    fclose(out);
    if (broken) {
        size_t n = strcspn(text, "\n");
        PROBLEM(k, "%.*s: the audit log was altered; no night should write after it: keep the database as it is "
                   "and tell the auditors ('tznr audit verify', docs/audit.md)", (int)n, text);
    }
    free(text);
}

static void check_database(checker *k, const char *conninfo)
{
    char err[1400];
    PGconn *conn = db_try_connect(k->cf, conninfo, err, sizeof err);
    if (!conn) {
        PROBLEM(k, "%s: check [database] conninfo (or --db), that the server is up and that this user may log in "
                   "(docs/operations.md, Roles and connections)", err);
        return;
    }
    if (check_user(k, conn) != 0) {
        /* the other checks would only find what this role may not read */
    } else if (db_schema_check(conn, err, sizeof err) != 0) {
        PROBLEM(k, "%s (as the cluster's administrator, with --db)", err);
    } else {
        check_roles(k, conn);
        check_sources_named(k, conn);
        check_audit(k, conn);
    }
    db_close(conn);
}

int preflight_night(const conf *cf, const char *conninfo, const char *date, int *warnings)
{
    checker k = {.cf = cf, .file = cf->path ? cf->path : "(no configuration file: the defaults)",
                 .quiet_warnings = warnings == NULL};
    check_settings(&k);
    check_folders(&k);
    check_parameters(&k, date);
    check_database(&k, conninfo);
    if (warnings)
        *warnings = k.warnings;
    return k.problems;
}
