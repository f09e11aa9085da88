/* tznr db: schema migrations, and the teams' reviewer roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "opt.h"
#include "roles.h"

static const char synopsis[] =
    "tznr db migrate [-c FILE] [--db CONNINFO]\n"
    "       tznr db status  [-c FILE] [--db CONNINFO]\n"
    "       tznr db roles   [-c FILE] [--db CONNINFO]";
static const char description[] =
    "migrate applies the numbered migrations this binary carries (sql/migrations), each once\n"
    "and in its own transaction; it refuses a database whose schema is newer than the binary.\n"
    "status prints the schema version of the database and of the binary.\n"
    "roles creates the reviewer role tznr_reviewer_<team> of each team when missing: the\n"
    "configuration's [team.NAME] sections and the sources loaded without one (their own team).\n"
    "migrate and roles run as the cluster's administrator (CREATEROLE), not as tznr_batch.";

int cmd_db(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    const struct opt opts[] = {OPT_PLATFORM(&cfile, &dbinfo), OPT_END};
    const struct opt_cmd cmd = {.name = "db", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done (status: the database's schema is this binary's), 1 failure\n"
                                         "(status: another schema version; migrate: a newer schema; the database), 2 usage.",
                                .opts = opts};
    int first = opt_parse(&cmd, argc, argv, OPT_ARGS_ANY);
    if (argc - first != 1)
        die_usage("db", "expected one action: migrate, status or roles");
    const char *action = argv[first];
    if (strcmp(action, "migrate") != 0 && strcmp(action, "status") != 0 && strcmp(action, "roles") != 0)
        die_usage("db", "unknown action '%s'", action);
    conf cf;
    char err[1024];
    if (conf_load(&cf, cfile, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    PGconn *conn = db_connect(&cf, dbinfo);
    if (strcmp(action, "status") == 0) {
        int have = 0;
        if (strcmp(db_value(conn, "SELECT pg_catalog.to_regclass('tznr.schema_migration') IS NOT NULL", 0, NULL), "t") == 0)
            have = atoi(db_value(conn, "SELECT coalesce(max(version), 0) FROM tznr.schema_migration", 0, NULL));
        int want = 0;
        for (size_t i = 0; i < db_nsqlfiles; i++)
            if (strncmp(db_sqlfiles[i].name, "migrations/", 11) == 0 && atoi(db_sqlfiles[i].name + 11) > want)
                want = atoi(db_sqlfiles[i].name + 11);
        printf("database schema version %d, this tznr %d%s\n", have, want,
               have < want ? ": run 'tznr db migrate'" : have > want ? ": upgrade tznr" : "");
        db_close(conn);
        conf_free(&cf);
        return have == want ? 0 : TZNR_EXIT_FAIL;
    }
    if (strcmp(action, "roles") == 0) {
        db_require_schema(conn);
        roles_reviewers(conn, &cf);
        db_close(conn);
        conf_free(&cf);
        return 0;
    }
    int n = db_migrate(conn, 1);
    if (n > 0) {
        char details[64];
        snprintf(details, sizeof details, "{\"applied\": %d}", n);
        db_begin(conn);
        audit_log(conn, "db.migrate", "schema", details);
        db_commit(conn);
    }
    log_info("%s", n ? "database schema up to date" : "nothing to do: the database schema is up to date");
    db_close(conn);
    conf_free(&cf);
    return 0;
}
