#include "audit.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db.h"
#include "hex.h"
#include "log.h"
#include "sbuf.h"

static char *command_line;

void audit_set_command(int argc, char **argv)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < argc; i++) {
        if (i)
            sbuf_addc(&b, ' ');
        const char *a = i == 0 ? "tznr" : argv[i];
        /* a connection string may hold a password: it never enters the log */
        if (i > 0 && strcmp(argv[i - 1], "--db") == 0)
            a = "[conninfo]";
        else if (strncmp(a, "--db=", 5) == 0)
            a = "--db=[conninfo]";
        sbuf_adds(&b, a);
    }
    free(command_line);
    /* and a password written anywhere else: a word of a conninfo split by a forgotten quote,
     * a URI among the arguments */
    command_line = log_redact(b.p);
    sbuf_free(&b);
}

const char *audit_os_user(void)
{
    static char name[256];
    if (name[0])
        return name;
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(name, sizeof name, "%s", pw->pw_name);
    else
        snprintf(name, sizeof name, "uid:%u", (unsigned)geteuid());
    return name;
}

void audit_log(PGconn *conn, const char *action, const char *object, const char *details)
{
    /* the object (a file's name) and the details (a reason quoting it) may hold a password
     * typed on the command line: redacted as the command line is (quotes kept: JSON stays JSON).
     * The log is UTF-8 text: a file name or an argument from a Latin-1 system must not make an
     * entry, and with it the step it records, fail (its bytes are kept as \xHH) */
    char *ro = log_redact(object ? object : ""), *rd = log_redact(details ? details : "{}");
    char *cmd = xutf8dup(command_line ? command_line : "tznr"), *obj = xutf8dup(ro), *det = xutf8dup(rd);
    free(ro);
    free(rd);
    const char *p[] = {audit_os_user(), cmd, action, object ? obj : NULL, det};
    PQclear(db_query(conn, "SELECT tznr.audit_append($1, $2, $3, $4, $5)", 5, p));
    free(cmd);
    free(obj);
    free(det);
}

void audit_canonical(sbuf *out, const char *const f[9])
{
    sbuf_reset(out);
    sbuf_adds(out, "tznr-audit-v1\n");
    for (int i = 0; i < 9; i++)
        sbuf_addf(out, "%zu:%s\n", strlen(f[i]), f[i]);
}

int audit_verify(PGconn *conn, FILE *out)
{
    const char *sql =
        "SELECT id::text, pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
        " db_role, os_user, command, action, object, details,"
        " pg_catalog.encode(prev_hash, 'hex'), pg_catalog.encode(hash, 'hex')"
        " FROM tznr.audit_log ORDER BY tznr.audit_log.id"; /* the column, not the text above */
    if (!PQsendQuery(conn, sql) || !PQsetSingleRowMode(conn))
        die(TZNR_EXIT_FAIL, "database: %s", PQerrorMessage(conn));
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    long long expect = 1, n = 0;
    int broken = 0;
    sbuf canon;
    sbuf_init(&canon);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && !broken) {
            const char *f[9];
            for (int i = 0; i < 9; i++)
                f[i] = PQgetvalue(r, 0, i);
            const char *hash = PQgetvalue(r, 0, 9);
            long long id = atoll(f[0]);
            audit_canonical(&canon, f);
            unsigned char d[32];
            unsigned int dl;
            char hex[65];
            EVP_DigestInit_ex(md, EVP_sha256(), NULL);
            EVP_DigestUpdate(md, canon.p, canon.len);
            EVP_DigestFinal_ex(md, d, &dl);
            hex_encode(d, sizeof d, hex);
            if (id != expect) {
                fprintf(out, "audit chain broken at entry %lld: expected entry %lld (entries missing or renumbered)\n",
                        id, expect);
                broken = 1;
            } else if (strcmp(f[8], prev) != 0) {
                fprintf(out, "audit chain broken at entry %lld: prev_hash does not match the hash of entry %lld\n",
                        id, id - 1);
                broken = 1;
            } else if (strcmp(hex, hash) != 0) {
                fprintf(out, "audit chain broken at entry %lld: its content does not match its hash "
                             "(recorded %.16s..., computed %.16s...)\n", id, hash, hex);
                broken = 1;
            } else {
                memcpy(prev, hash, 65);
                expect++;
                n++;
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
            char err[1024];
            snprintf(err, sizeof err, "%s", PQresultErrorMessage(r));
            PQclear(r);
            while ((r = PQgetResult(conn)) != NULL)
                PQclear(r);
            die(TZNR_EXIT_FAIL, "database: %s", err);
        }
        PQclear(r);
    }
    EVP_MD_CTX_free(md);
    sbuf_free(&canon);
    if (!broken)
        fprintf(out, "audit chain intact: %lld entries, head %s\n", n, prev);
    return broken;
}
