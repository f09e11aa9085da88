#include "feedback.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "csvio.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "norm.h"
#include "sbuf.h"

const char *const feedback_statuts[] = {"contacte", "droit_ouvert", "non_eligible", "refus", "injoignable",
                                        "deja_beneficiaire", "opposition", "erreur_rapprochement", NULL};

static int statut_valid(const char *s)
{
    for (size_t i = 0; feedback_statuts[i]; i++)
        if (strcmp(s, feedback_statuts[i]) == 0)
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
        snprintf(why, whylen, "la colonne %zu (%s) n'est pas du texte UTF-8 : octet 0x%02X en position %zu "
                 "(enregistrez en CSV UTF-8)", bad_field,
                 bad_field <= 4 ? (const char *[]){"token", "regle", "statut", "date"}[bad_field - 1] : "en trop",
                 (unsigned char)rec->field[bad_field - 1][bad_at], bad_at + 1);
    else if (rec->nfields != 4)
        snprintf(why, whylen, "%zu colonnes au lieu de 4", rec->nfields);
    else if (!extract_token_valid(rec->field[0], rec->len[0]))
        snprintf(why, whylen, "token : pas un pseudonyme de 64 chiffres hexadécimaux en minuscules (mal copié ?)");
    else if (!statut_valid(rec->field[2]))
        snprintf(why, whylen, "statut '%.40s' inconnu : les codes sont contacte, droit_ouvert, non_eligible, refus, "
                 "injoignable, deja_beneficiaire, opposition, erreur_rapprochement", rec->field[2]);
    else if (norm_date(rec->field[3], rec->len[3], DATE_ISO, date) != 1 &&
             norm_date(rec->field[3], rec->len[3], DATE_DMY, date) != 1)
        snprintf(why, whylen, "date '%.20s' : ni AAAA-MM-JJ ni JJ/MM/AAAA", rec->field[3]);
    else if (rec->len[1] == 0)
        snprintf(why, whylen, "regle vide");
    return why[0] ? -1 : 0;
}

/* Why REC cannot be recorded ("" when it can); its date as YYYYMMDD in DATE. A row of a list
 * sent back (LIST) must be one the platform listed: that token, for that rule. */
static void check_row(PGconn *conn, const csvio_record *rec, int list, char *date, char *why, size_t whylen)
{
    if (feedback_row_syntax(rec, date, why, whylen) != 0)
        return;
    /* a token nobody holds is a mis-copied one: an objection must not vanish silently */
    const char *pk[] = {rec->field[0], rec->field[1]};
    PGresult *k = db_query(conn,
        "SELECT EXISTS (SELECT 1 FROM tznr.person_record WHERE token = pg_catalog.decode($1, 'hex'))"
        "    OR EXISTS (SELECT 1 FROM tznr.list_entry WHERE token = pg_catalog.decode($1, 'hex')),"
        " EXISTS (SELECT 1 FROM tznr.rule WHERE id = $2),"
        " EXISTS (SELECT 1 FROM tznr.list_entry WHERE token = pg_catalog.decode($1, 'hex') AND rule_id = $2)", 2, pk);
    if (strcmp(PQgetvalue(k, 0, 0), "t") != 0)
        snprintf(why, whylen, "token inconnu de la plateforme (mal copié ? copiez-le depuis la liste)");
    else if (strcmp(PQgetvalue(k, 0, 1), "t") != 0)
        snprintf(why, whylen, "regle '%.40s' : pas une règle de la plateforme", rec->field[1]);
    else if (list && strcmp(PQgetvalue(k, 0, 2), "t") != 0)
        snprintf(why, whylen, "ce pseudonyme n'a jamais été listé pour la règle '%.40s' (ligne modifiée ou "
                              "copiée d'une autre liste ?)", rec->field[1]);
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
            die(TZNR_EXIT_FAIL, "impossible de créer '%s' : %s", rejpath, strerror(errno));
        fputs(CSVIO_REJECTS_HEADER, *rej);
    }
    sbuf l;
    sbuf_init(&l);
    csvio_add_reject(&l, rec->line, why, rec->raw, rec->raw_len);
    if (fwrite(l.p, 1, l.len, *rej) != l.len)
        die(TZNR_EXIT_FAIL, "impossible d'écrire '%s' : %s", rejpath, strerror(errno));
    sbuf_free(&l);
}

/* Whether header field F (LEN bytes) names column NAME, spaces around it and case aside (a
 * spreadsheet user may well type "Statut "). */
static int header_is(const char *f, size_t len, const char *name)
{
    while (len && (*f == ' ' || *f == '\t'))
        f++, len--;
    while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
        len--;
    size_t n = strlen(name);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((f[i] >= 'A' && f[i] <= 'Z' ? f[i] - 'A' + 'a' : f[i]) != name[i])
            return 0;
    return 1;
}

csvio_reader *feedback_open_layout(const char *path, feedback_layout *l, char *reason, size_t reasonlen)
{
    memset(l, 0, sizeof *l);
    for (int c = 0; c < FB_NCOL; c++)
        l->col[c] = FEEDBACK_NONE;
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || strftime(l->today, sizeof l->today, "%Y-%m-%d", &tm) != 10)
        snprintf(l->today, sizeof l->today, "1970-01-01");
    csvio_options opt = {.sep = sniff_separator(path)};
    char err[512];
    csvio_reader *r = csvio_open(path, &opt, err, sizeof err);
    if (!r) {
        snprintf(reason, reasonlen, "%s", err);
        return NULL;
    }
    csvio_record rec;
    int rc = csvio_next(r, &rec);
    if (rc == 1 && !rec.error && rec.nfields == 4 && strcmp(rec.field[0], "token") == 0 &&
        strcmp(rec.field[1], "regle") == 0 && strcmp(rec.field[2], "statut") == 0 && strcmp(rec.field[3], "date") == 0) {
        for (int c = 0; c < FB_NCOL; c++)
            l->col[c] = (size_t)c;
        return r;
    }
    /* a list sent back: its columns by name, whatever their order, the others ignored */
    static const char *const names[FB_NCOL] = {"token", "regle", "statut", "date"};
    const char *twice = NULL;
    for (size_t i = 0; rc == 1 && !rec.error && i < rec.nfields; i++)
        for (int c = 0; c < FB_NCOL; c++)
            if (header_is(rec.field[i], rec.len[i], names[c])) {
                if (l->col[c] != FEEDBACK_NONE)
                    twice = names[c];
                l->col[c] = i;
            }
    if (rc != 1 || rec.error || l->col[FB_TOKEN] == FEEDBACK_NONE || l->col[FB_REGLE] == FEEDBACK_NONE ||
        l->col[FB_STATUT] == FEEDBACK_NONE) {
        snprintf(reason, reasonlen, "en-tête non reconnu : ni 'token;regle;statut;date', ni celui d'une liste avec "
                                    "au moins les colonnes token, regle et statut");
        csvio_close(r);
        return NULL;
    }
    if (twice) {
        snprintf(reason, reasonlen, "la colonne %s figure deux fois dans l'en-tête", twice);
        csvio_close(r);
        return NULL;
    }
    l->list = 1;
    return r;
}

csvio_reader *feedback_open(const char *path, char *reason, size_t reasonlen)
{
    feedback_layout l;
    return feedback_open_layout(path, &l, reason, reasonlen);
}

int feedback_row_view(feedback_layout *l, const csvio_record *rec, csvio_record *view)
{
    *view = *rec;
    if (!l->list)
        return 0;
    view->field = l->vfield;
    view->len = l->vlen;
    view->nfields = FB_NCOL;
    for (int c = 0; c < FB_NCOL; c++) {
        size_t i = l->col[c];
        const char *f = i != FEEDBACK_NONE && i < rec->nfields ? rec->field[i] : "";
        size_t n = i != FEEDBACK_NONE && i < rec->nfields ? rec->len[i] : 0;
        while (n && (*f == ' ' || *f == '\t'))
            f++, n--;
        while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
            n--;
        if (n >= sizeof l->buf[c]) { /* too long to be right: left as it is, for the checks to refuse */
            l->vfield[c] = rec->field[i];
            l->vlen[c] = rec->len[i];
            continue;
        }
        memcpy(l->buf[c], f, n);
        l->buf[c][n] = '\0';
        if (c == FB_STATUT)
            for (size_t k = 0; k < n; k++)
                if (l->buf[c][k] >= 'A' && l->buf[c][k] <= 'Z')
                    l->buf[c][k] = (char)(l->buf[c][k] - 'A' + 'a');
        l->vfield[c] = l->buf[c];
        l->vlen[c] = n;
    }
    if (l->vlen[FB_STATUT] == 0 && !rec->error)
        return 1; /* nothing reported for this row (yet) */
    if (l->vlen[FB_DATE] == 0) { /* no date: the day the file is read */
        l->vfield[FB_DATE] = l->today;
        l->vlen[FB_DATE] = strlen(l->today);
    }
    return 0;
}

int feedback_load(PGconn *conn, const char *path, feedback_result *res)
{
    memset(res, 0, sizeof *res);
    feedback_layout l;
    csvio_reader *r = feedback_open_layout(path, &l, res->reason, sizeof res->reason);
    if (!r)
        return -1;
    res->list = l.list;
    csvio_record rec;
    int rc;
    char *rejpath = xasprintf("%s.rejects", path);
    FILE *rej = NULL;
    /* the name as the database records it: a name from a Latin-1 system keeps its other
     * bytes as \xHH; the file itself keeps its name */
    char *base = xutf8dup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    db_begin(conn);
    sbuf raw; /* a list row as rejected: its 4 columns only, never a name, a contact or a commentaire */
    sbuf_init(&raw);
    while ((rc = csvio_next(r, &rec)) == 1) {
        csvio_record v;
        if (feedback_row_view(&l, &rec, &v) != 0) {
            res->empty++;
            continue;
        }
        res->rows++;
        char why[256], date[9];
        check_row(conn, &v, l.list, date, why, sizeof why);
        if (why[0]) {
            res->rejected++;
            if (l.list) {
                sbuf_reset(&raw);
                for (int c = 0; c < FB_NCOL; c++) {
                    if (c)
                        sbuf_addc(&raw, ';');
                    csvio_add_field(&raw, v.field[c], v.len[c], ';');
                }
                v.raw = raw.p;
                v.raw_len = raw.len;
            }
            reject_row(&rej, rejpath, &v, why);
            if (res->rejected <= 20) /* the team reads what was refused, and where */
                log_info("'%s', ligne %ld refusée : %s", base, rec.line, why);
            else if (res->rejected == 21)
                log_info("'%s' : les autres lignes refusées sont dans '%s'", base, rejpath);
        } else {
            record_outcome(conn, &v, date, base, res);
        }
    }
    sbuf_free_wipe(&raw);
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(r));
    csvio_close(r);
    if (rej && fclose(rej) != 0)
        die(TZNR_EXIT_FAIL, "impossible d'écrire '%s' : %s", rejpath, strerror(errno));
    char details[512];
    snprintf(details, sizeof details,
             "{\"rows\": %lld, \"loaded\": %lld, \"duplicates\": %lld, \"rejected\": %lld, \"oppositions\": %lld, "
             "\"link_errors\": %lld, \"list\": %s, \"without_statut\": %lld}",
             res->rows, res->loaded, res->duplicates, res->rejected, res->oppositions, res->link_errors,
             res->list ? "true" : "false", res->empty);
    audit_log(conn, "feedback", base, details);
    db_commit(conn);
    free(rejpath);
    free(base);
    return 0;
}

int feedback_reduce(const char *path, char *reason, size_t reasonlen)
{
    feedback_layout l;
    csvio_reader *r = feedback_open_layout(path, &l, reason, reasonlen);
    if (!r)
        return -1;
    if (!l.list) {
        csvio_close(r);
        return 0;
    }
    csvio_out *o = csvio_out_open(path, 0640, reason, reasonlen);
    if (!o) {
        csvio_close(r);
        return -1;
    }
    sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "token;regle;statut;date\n");
    csvio_record rec, v;
    int rc;
    while ((rc = csvio_next(r, &rec)) == 1) {
        if (feedback_row_view(&l, &rec, &v) != 0)
            continue;
        for (int c = 0; c < FB_NCOL; c++) {
            if (c)
                sbuf_addc(&b, ';');
            csvio_add_field(&b, v.field[c], v.len[c], ';');
        }
        sbuf_addc(&b, '\n');
    }
    if (rc < 0) {
        snprintf(reason, reasonlen, "%s", csvio_error(r));
    } else if (csvio_out_write(o, b.p, b.len) != 0) {
        snprintf(reason, reasonlen, "impossible d'écrire '%s.tmp' : %s", path, strerror(errno));
        rc = -1;
    }
    sbuf_free_wipe(&b);
    csvio_close(r);
    if (rc < 0) {
        csvio_out_abort(o);
        return -1;
    }
    return csvio_out_commit(o, NULL, reason, reasonlen) == 0 ? 0 : -1;
}
