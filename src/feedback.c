#include "feedback.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "csvio.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "norm.h"
#include "sbuf.h"

static const char *const statuts[] = {"contacte", "droit_ouvert", "non_eligible", "refus", "injoignable",
                                      "deja_beneficiaire", "opposition", "erreur_rapprochement"};

static int statut_valid(const char *s)
{
    for (size_t i = 0; i < sizeof statuts / sizeof statuts[0]; i++)
        if (strcmp(s, statuts[i]) == 0)
            return 1;
    return 0;
}

/* The separator of a header line: ';' if it has one, else ','. */
static char sniff_separator(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ';';
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return strchr(buf, ';') ? ';' : ',';
}

int feedback_row_syntax(const csvio_record *rec, char *date, char *why, size_t whylen)
{
    why[0] = '\0';
    size_t bad_field = 0, bad_at = 0;
    for (size_t i = 0; !rec->error && !bad_field && i < rec->nfields; i++)
        for (size_t j = 0, k; j < rec->len[i] && !bad_field; j += k ? k : 1)
            if ((k = sbuf_utf8_seq(rec->field[i] + j, rec->len[i] - j)) == 0 || rec->field[i][j] == '\0')
                bad_field = i + 1, bad_at = j;
    if (rec->error)
        snprintf(why, whylen, "%s", rec->error);
    else if (bad_field) /* checked first: nothing that is not text goes near the database */
        snprintf(why, whylen, "field %zu (%s) is not UTF-8 text: byte 0x%02X at position %zu", bad_field,
                 bad_field <= 4 ? (const char *[]){"token", "regle", "statut", "date"}[bad_field - 1] : "extra",
                 (unsigned char)rec->field[bad_field - 1][bad_at], bad_at + 1);
    else if (rec->nfields != 4)
        snprintf(why, whylen, "%zu fields, expected 4", rec->nfields);
    else if (!extract_token_valid(rec->field[0], rec->len[0]))
        snprintf(why, whylen, "token is not 64 lowercase hex digits");
    else if (!statut_valid(rec->field[2]))
        snprintf(why, whylen, "statut '%.40s' is not one of contacte, droit_ouvert, non_eligible, refus, "
                 "injoignable, deja_beneficiaire, opposition, erreur_rapprochement", rec->field[2]);
    else if (norm_date(rec->field[3], rec->len[3], DATE_ISO, date) != 1 &&
             norm_date(rec->field[3], rec->len[3], DATE_DMY, date) != 1)
        snprintf(why, whylen, "date '%.20s' is not YYYY-MM-DD or DD/MM/YYYY", rec->field[3]);
    else if (rec->len[1] == 0)
        snprintf(why, whylen, "regle is empty");
    return why[0] ? -1 : 0;
}

/* Why REC cannot be recorded ("" when it can); its date as YYYYMMDD in DATE. */
static void check_row(PGconn *conn, const csvio_record *rec, char *date, char *why, size_t whylen)
{
    if (feedback_row_syntax(rec, date, why, whylen) != 0)
        return;
    /* a token nobody holds is a mis-copied one: an objection must not vanish silently */
    const char *pk[] = {rec->field[0], rec->field[1]};
    PGresult *k = db_query(conn,
        "SELECT EXISTS (SELECT 1 FROM tznr.person_record WHERE token = pg_catalog.decode($1, 'hex'))"
        "    OR EXISTS (SELECT 1 FROM tznr.list_entry WHERE token = pg_catalog.decode($1, 'hex')),"
        " EXISTS (SELECT 1 FROM tznr.rule WHERE id = $2)", 2, pk);
    if (strcmp(PQgetvalue(k, 0, 0), "t") != 0)
        snprintf(why, whylen, "token unknown to the platform (mis-copied? it must be copied from a list)");
    else if (strcmp(PQgetvalue(k, 0, 1), "t") != 0)
        snprintf(why, whylen, "regle '%.40s' is not a rule of the platform", rec->field[1]);
    PQclear(k);
}

/* Record a valid outcome (a duplicate adds nothing); an opposition covers every record of the
 * person, an erreur_rapprochement forbids the record's links. */
static void record_outcome(PGconn *conn, const csvio_record *rec, const char *date, const char *base,
                           feedback_result *res)
{
    char iso[11], line[32];
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", date, date + 4, date + 6);
    snprintf(line, sizeof line, "%ld", rec->line);
    const char *p[] = {rec->field[0], rec->field[1], rec->field[2], iso, base, line};
    /* the token's source: from the records, else from the lists it was sent in */
    PGresult *q = db_query(conn,
        "INSERT INTO tznr.outcome (source_id, token, rule_id, statut, outcome_date, file_name, line)"
        " SELECT COALESCE((SELECT source_id FROM tznr.person_record WHERE token = pg_catalog.decode($1, 'hex') LIMIT 1),"
        "                 (SELECT source_id FROM tznr.list_entry WHERE token = pg_catalog.decode($1, 'hex') LIMIT 1)),"
        "        pg_catalog.decode($1, 'hex'), $2, $3, $4::date, $5, $6::integer"
        " ON CONFLICT DO NOTHING", 6, p);
    long long added = atoll(PQcmdTuples(q));
    PQclear(q);
    if (!added) {
        res->duplicates++;
        return;
    }
    res->loaded++;
    if (strcmp(rec->field[2], "opposition") == 0) {
        /* the person objects: every record of theirs, now; later ones are added by each run */
        PQclear(db_query(conn,
            "INSERT INTO tznr.opposition (source_id, token)"
            " SELECT q.source_id, q.token FROM tznr.person_record p"
            "   JOIN tznr.person_record q ON q.person_id = p.person_id"
            "  WHERE p.token = pg_catalog.decode($1, 'hex')"
            " UNION SELECT e.source_id, e.token FROM tznr.list_entry e WHERE e.token = pg_catalog.decode($1, 'hex')"
            " ON CONFLICT DO NOTHING", 1, p));
        res->oppositions++;
    } else if (strcmp(rec->field[2], "erreur_rapprochement") == 0) {
        /* the record was joined to the wrong person: forbid its links of the latest run */
        PQclear(db_query(conn,
            "INSERT INTO tznr.forbidden_link (source_a, token_a, source_b, token_b, reason)"
            " SELECT l.source_a, l.token_a, l.source_b, l.token_b, 'erreur_rapprochement (' || $2 || ')'"
            "   FROM tznr.link l"
            "  WHERE l.run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
            "    AND (l.token_a = pg_catalog.decode($1, 'hex') OR l.token_b = pg_catalog.decode($1, 'hex'))"
            " ON CONFLICT DO NOTHING", 2, (const char *[]){rec->field[0], base}));
        res->link_errors++;
    }
}

/* Append REC with its reason to PATH.rejects, created on the first bad row. */
static void reject_row(FILE **rej, const char *rejpath, const csvio_record *rec, const char *why)
{
    if (!*rej) {
        *rej = fopen(rejpath, "w");
        if (!*rej)
            die(TZNR_EXIT_FAIL, "could not create '%s': %s", rejpath, strerror(errno));
        fputs(CSVIO_REJECTS_HEADER, *rej);
    }
    sbuf l;
    sbuf_init(&l);
    csvio_add_reject(&l, rec->line, why, rec->raw, rec->raw_len);
    if (fwrite(l.p, 1, l.len, *rej) != l.len)
        die(TZNR_EXIT_FAIL, "could not write '%s': %s", rejpath, strerror(errno));
    sbuf_free(&l);
}

csvio_reader *feedback_open(const char *path, char *reason, size_t reasonlen)
{
    csvio_options opt = {.sep = sniff_separator(path)};
    char err[512];
    csvio_reader *r = csvio_open(path, &opt, err, sizeof err);
    if (!r) {
        snprintf(reason, reasonlen, "%s", err);
        return NULL;
    }
    csvio_record rec;
    int rc = csvio_next(r, &rec);
    if (rc != 1 || rec.error || rec.nfields != 4 || strcmp(rec.field[0], "token") != 0 ||
        strcmp(rec.field[1], "regle") != 0 || strcmp(rec.field[2], "statut") != 0 || strcmp(rec.field[3], "date") != 0) {
        snprintf(reason, reasonlen, "the header is not 'token;regle;statut;date'");
        csvio_close(r);
        return NULL;
    }
    return r;
}

int feedback_load(PGconn *conn, const char *path, feedback_result *res)
{
    memset(res, 0, sizeof *res);
    csvio_reader *r = feedback_open(path, res->reason, sizeof res->reason);
    if (!r)
        return -1;
    csvio_record rec;
    int rc;
    char *rejpath = xasprintf("%s.rejects", path);
    FILE *rej = NULL;
    /* the name as the database records it: a name from a Latin-1 system keeps its other
     * bytes as \xHH; the file itself keeps its name */
    char *base = xutf8dup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    db_begin(conn);
    while ((rc = csvio_next(r, &rec)) == 1) {
        res->rows++;
        char why[256], date[9];
        check_row(conn, &rec, date, why, sizeof why);
        if (why[0]) {
            res->rejected++;
            reject_row(&rej, rejpath, &rec, why);
        } else {
            record_outcome(conn, &rec, date, base, res);
        }
    }
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(r));
    csvio_close(r);
    if (rej && fclose(rej) != 0)
        die(TZNR_EXIT_FAIL, "could not write '%s': %s", rejpath, strerror(errno));
    char details[512];
    snprintf(details, sizeof details,
             "{\"rows\": %lld, \"loaded\": %lld, \"duplicates\": %lld, \"rejected\": %lld, \"oppositions\": %lld, "
             "\"link_errors\": %lld}",
             res->rows, res->loaded, res->duplicates, res->rejected, res->oppositions, res->link_errors);
    audit_log(conn, "feedback", base, details);
    db_commit(conn);
    free(rejpath);
    free(base);
    return 0;
}
