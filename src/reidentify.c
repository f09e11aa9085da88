/* reidentify: the list, the token map and the raw export read, the list written back with the
 * agency's identifiers (reidentify.h). */
#include "reidentify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "csvio.h"
#include "export.h"
#include "extract.h"
#include "ini.h"
#include "log.h"
#include "mapping.h"
#include "norm.h"
#include "sbuf.h"
#include "strtab.h"

#define NONE STRTAB_NONE /* no index: not found */

/* The empty columns a team fills in and sends back (tznr feedback reads them by name); the
 * commentaire is the team's own and is never stored by the platform. */
static const char *const OUTCOME_COLUMNS[] = {"statut", "date", "commentaire"};
#define NOUTCOME_COLUMNS (sizeof OUTCOME_COLUMNS / sizeof OUTCOME_COLUMNS[0])

/* The header of an outreach list, as the platform writes it (export.h). A list written before
 * the column inconnu_de (the last one) is read as well: the columns it has are copied. */
#define LIST_COLUMNS export_list_columns
#define LIST_NCOL ((size_t)EXPORT_LIST_NCOL)
#define LIST_NCOL_BEFORE_INCONNU_DE (LIST_NCOL - 1)

/* The contact fields given by default with --raw, in output order. */
static const enum raw_field CONTACT_FIELDS[] = {RF_NOM, RF_NOM_USAGE, RF_PRENOM, RF_DATE_NAISSANCE,
                                                RF_ADRESSE, RF_COMMUNE};
#define NCONTACT_FIELDS (sizeof CONTACT_FIELDS / sizeof CONTACT_FIELDS[0])

static char *memdup0(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- what is kept in memory: the list, its tokens, their local_refs --------------------- */

struct person {       /* one distinct token of the list */
    char *token;
    size_t ref;       /* index in refs, NONE while not found in the token map */
    long map_line;    /* the token map's line that gave it */
};

struct ref {          /* one distinct local_ref of the list's people */
    char *local_ref;
    size_t len;
    int found;        /* contact values found in the raw export */
};

struct row {          /* one row of the list: its fields in the arena */
    size_t off[LIST_NCOL], len[LIST_NCOL];
    size_t person;
};

struct state {
    sbuf arena;                 /* the list's field values */
    struct row *rows;
    size_t nrows, caprows;
    struct person *people;
    size_t npeople, cappeople;
    strtab by_token;
    struct ref *refs;
    size_t nrefs, caprefs;
    strtab by_ref;
    /* contact columns: names, then each ref's values (offsets into cval) */
    char **cname;
    size_t ncols;
    sbuf cval;
    size_t *coff, *clen;        /* nrefs * ncols */
    size_t lcols;               /* the list's columns: LIST_NCOL, or one less for an older list */
};

/* How the list is written, read from its first line and copied to the output. */
struct list_format {
    int bom;       /* starts with a UTF-8 byte order mark */
    int crlf;      /* lines end with CRLF */
    int quote_all; /* every field quoted (the header's first one is) */
    char sep;      /* ';', ',' or tab; 0 when the first line is not a list header */
};

/* ---- the platform guard ------------------------------------------------------------------- */

void reidentify_refuse_on_platform(void)
{
    if (getenv("TZNR_CONFIG"))
        die(TZNR_EXIT_USAGE, "refus de fonctionner sur la plateforme ($TZNR_CONFIG est défini) : la "
            "réidentification se fait dans l'organisme, sur un poste sans configuration de la plateforme");
    struct stat st;
    if (stat(CONF_DEFAULT_PATH, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
        die(TZNR_EXIT_USAGE, "refus de fonctionner sur la plateforme ('%s' existe) : la réidentification "
            "se fait dans l'organisme, sur un poste sans configuration de la plateforme", CONF_DEFAULT_PATH);
}

/* ---- reading the list ------------------------------------------------------------------- */

static void sniff_list(FILE *f, const char *path, struct list_format *lf)
{
    char *line = NULL;
    size_t cap = 0;
    memset(lf, 0, sizeof *lf);
    ssize_t n = getline(&line, &cap, f);
    if (n < 0 && ferror(f))
        die(TZNR_EXIT_FAIL, "impossible de lire '%s' : %m", path);
    const char *s = n > 0 ? line : "";
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        lf->bom = 1;
        s += 3;
        len -= 3;
    }
    lf->crlf = len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n';
    lf->quote_all = len > 0 && s[0] == '"';
    /* the separator is whatever follows the first column name (quoted when every field is) */
    const char *first = LIST_COLUMNS[0];
    size_t q = lf->quote_all ? 1 : 0, nl = strlen(first), fl = nl + 2 * q;
    if (len > fl && memcmp(s + q, first, nl) == 0 && (!q || s[nl + 1] == '"') && strchr(";,\t", s[fl]) &&
        s[fl] != '\0')
        lf->sep = s[fl];
    free(line);
    if (fseek(f, 0, SEEK_SET) != 0)
        die(TZNR_EXIT_FAIL, "impossible de relire '%s' depuis le début : %m", path);
}

static __attribute__((noreturn)) void refuse_header(const char *path, const char *why)
{
    sbuf expected;
    sbuf_init(&expected);
    for (size_t i = 0; i < LIST_NCOL; i++) {
        if (i > 0)
            sbuf_addc(&expected, ';');
        sbuf_adds(&expected, LIST_COLUMNS[i]);
    }
    die(TZNR_EXIT_REFUSED, "'%s' refusé : ce n'est pas une liste d'aller-vers : %s (en-tête attendu : %s)", path, why,
        expected.p);
}

/* Return the list's number of columns. */
static size_t check_list_header(const csvio_record *h, const char *path)
{
    char why[256];
    if (h->error)
        refuse_header(path, h->error);
    for (size_t i = 0; i < h->nfields && i < LIST_NCOL; i++) {
        if (strlen(LIST_COLUMNS[i]) != h->len[i] || memcmp(LIST_COLUMNS[i], h->field[i], h->len[i]) != 0) {
            snprintf(why, sizeof why, "la colonne %zu est '%.*s' et non '%s'", i + 1,
                     (int)(h->len[i] > 40 ? 40 : h->len[i]), h->field[i], LIST_COLUMNS[i]);
            refuse_header(path, why);
        }
    }
    if (h->nfields != LIST_NCOL && h->nfields != LIST_NCOL_BEFORE_INCONNU_DE) {
        snprintf(why, sizeof why, "l'en-tête a %zu colonnes et non %zu", h->nfields, LIST_NCOL);
        refuse_header(path, why);
    }
    return h->nfields;
}

static void read_list(struct state *st, const char *path, struct list_format *lf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(TZNR_EXIT_FAIL, "impossible d'ouvrir '%s' : %m", path);
    sniff_list(f, path, lf);
    csvio_options opt = {.sep = lf->sep ? lf->sep : ';'};
    csvio_record rec;
    csvio_reader *rd = csvio_open_header(f, path, &opt, "", &rec);
    int rc;
    if (!lf->sep)
        refuse_header(path, "la ligne 1 ne commence pas par la colonne token suivie d'un séparateur ';', ',' ou "
                             "tabulation");
    st->lcols = check_list_header(&rec, path);
    while ((rc = csvio_next(rd, &rec)) > 0) {
        if (rec.error)
            die(TZNR_EXIT_REFUSED, "'%s' refusé : ligne %ld : %s", path, rec.line, rec.error);
        if (rec.nfields != st->lcols)
            die(TZNR_EXIT_REFUSED, "'%s' refusé : ligne %ld : %zu champs, l'en-tête en a %zu", path, rec.line,
                rec.nfields, st->lcols);
        if (st->nrows == st->caprows) {
            st->caprows = st->caprows ? 2 * st->caprows : 64;
            st->rows = xrealloc(st->rows, st->caprows * sizeof *st->rows);
        }
        struct row *r = &st->rows[st->nrows++];
        for (size_t i = 0; i < st->lcols; i++) {
            r->off[i] = st->arena.len;
            r->len[i] = rec.len[i];
            sbuf_add(&st->arena, rec.field[i], rec.len[i]);
            sbuf_addc(&st->arena, '\0');
        }
        const char *tok = rec.field[0];
        size_t tl = rec.len[0];
        norm_trim(&tok, &tl);
        if (st->npeople == st->cappeople) {
            st->cappeople = st->cappeople ? 2 * st->cappeople : 64;
            st->people = xrealloc(st->people, st->cappeople * sizeof *st->people);
        }
        struct person *p = &st->people[st->npeople];
        p->token = memdup0(tok, tl);
        r->person = strtab_put(&st->by_token, p->token, tl, st->npeople);
        if (r->person == st->npeople) {
            p->ref = NONE;
            p->map_line = 0;
            st->npeople++;
        } else {
            free(p->token); /* the token is already on an earlier row */
        }
    }
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    csvio_close(rd);
    fclose(f);
}

/* ---- the token map ---------------------------------------------------------------------- */

/* Stream the map once, checking every line, and keep the local_refs of the list's tokens
 * only: memory follows the list, not the map. Return the map's number of rows. */
static unsigned long long read_token_map(struct state *st, const char *path)
{
    csvio_options opt = {.sep = ','};
    csvio_record rec;
    csvio_reader *rd = csvio_open_header(NULL, path, &opt, "token map ", &rec);
    int rc;
    if (rec.error || rec.nfields != 2 || strcmp(rec.field[0], "local_ref") != 0 || strcmp(rec.field[1], "token") != 0)
        die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : l'en-tête n'est pas "
            "local_ref,token (le fichier .tokens écrit par tznr pseudonymise)", path, rec.line);
    unsigned long long n = 0;
    while ((rc = csvio_next(rd, &rec)) > 0) {
        if (rec.error)
            die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : %s", path, rec.line,
                rec.error);
        if (rec.nfields != 2)
            die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : %zu champ%s au lieu de 2 "
                "(local_ref,token)", path, rec.line, rec.nfields, rec.nfields > 1 ? "s" : "");
        if (!extract_token_valid(rec.field[1], rec.len[1]))
            die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : le pseudonyme n'est pas fait de "
                "%d chiffres hexadécimaux en minuscules",
                path, rec.line, EXTRACT_TOKEN_HEX);
        const char *lr = rec.field[0];
        size_t lrn = rec.len[0];
        norm_trim(&lr, &lrn);
        if (lrn == 0)
            die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : local_ref est vide", path,
                rec.line);
        n++;
        size_t pi = strtab_get(&st->by_token, rec.field[1], rec.len[1]);
        if (pi == NONE)
            continue;
        struct person *p = &st->people[pi];
        if (p->ref != NONE) {
            const struct ref *r = &st->refs[p->ref];
            if (r->len != lrn || memcmp(r->local_ref, lr, lrn) != 0)
                die(TZNR_EXIT_REFUSED, "table de correspondance '%s' refusée : ligne %ld : le pseudonyme de la ligne "
                    "%ld, avec un autre local_ref", path, rec.line, p->map_line);
            continue;
        }
        if (st->nrefs == st->caprefs) {
            st->caprefs = st->caprefs ? 2 * st->caprefs : 64;
            st->refs = xrealloc(st->refs, st->caprefs * sizeof *st->refs);
        }
        struct ref *r = &st->refs[st->nrefs];
        r->local_ref = memdup0(lr, lrn);
        r->len = lrn;
        r->found = 0;
        p->ref = strtab_put(&st->by_ref, r->local_ref, lrn, st->nrefs);
        p->map_line = rec.line;
        if (p->ref == st->nrefs)
            st->nrefs++;
        else
            free(r->local_ref); /* two tokens, one local_ref: maps of two sources put together */
    }
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    csvio_close(rd);
    return n;
}

/* ---- the raw export's contact columns ------------------------------------------------- */

static void add_name(struct state *st, const char *name, size_t n)
{
    for (size_t i = 0; i < st->ncols; i++)
        if (strlen(st->cname[i]) == n && memcmp(st->cname[i], name, n) == 0)
            return;
    st->cname = xrealloc(st->cname, (st->ncols + 1) * sizeof *st->cname);
    st->cname[st->ncols++] = memdup0(name, n);
}

/* --columns A,B,C: usage errors for an empty or repeated name. */
static void parse_columns(struct state *st, const char *list)
{
    const char *s = list;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        const char *name = s;
        norm_trim(&name, &n);
        if (n == 0)
            die_usage("reidentify", "--columns has an empty column name: '%s'", list);
        size_t before = st->ncols;
        add_name(st, name, n);
        if (st->ncols == before)
            die_usage("reidentify", "--columns names '%.*s' twice", (int)n, name);
        if (!e)
            break;
        s = e + 1;
    }
}

/* [columns] of a mapping file: the export columns of the default contact fields. */
static int on_mapping_setting(void *ctx, const char *section, const char *key, const char *value, char *err,
                              size_t errlen)
{
    char **col = ctx;
    (void)err;
    (void)errlen;
    if (strcmp(section, "columns") != 0)
        return 0;
    int f = extract_field_lookup(key);
    for (size_t i = 0; i < NCONTACT_FIELDS; i++) {
        if ((int)CONTACT_FIELDS[i] == f) {
            free(col[i]);
            col[i] = xstrdup(value);
        }
    }
    return 0;
}

static void default_columns(struct state *st, const char *mapfile)
{
    if (!mapfile) {
        for (size_t i = 0; i < NCONTACT_FIELDS; i++) {
            const char *name = extract_field_name(CONTACT_FIELDS[i]);
            add_name(st, name, strlen(name));
        }
        return;
    }
    char *col[NCONTACT_FIELDS] = {NULL};
    char err[1024];
    if (ini_parse(mapfile, on_mapping_setting, col, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    for (size_t i = 0; i < NCONTACT_FIELDS; i++) {
        if (!col[i])
            continue;
        /* adresse may join several columns: NUM_VOIE + LIB_VOIE */
        for (const char *s = col[i];;) {
            const char *e = strchr(s, '+');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            const char *name = s;
            norm_trim(&name, &n);
            if (n > 0)
                add_name(st, name, n);
            if (!e)
                break;
            s = e + 1;
        }
        free(col[i]);
    }
    if (st->ncols == 0)
        die(TZNR_EXIT_REFUSED, "fichier de correspondance des colonnes '%s' refusé : il ne désigne aucune de nom, "
            "nom_usage, prenom, date_naissance, adresse, commune : nommez les colonnes de contact avec --columns", mapfile);
}

/* The header index of each contact column (names matched after trimming, like the mapping). */
static size_t *bind_columns(const struct state *st, const csvio_record *h, const char *path)
{
    size_t *idx = xmalloc((st->ncols ? st->ncols : 1) * sizeof *idx);
    for (size_t k = 0; k < st->ncols; k++) {
        idx[k] = NONE;
        size_t want = strlen(st->cname[k]);
        for (size_t c = 0; c < h->nfields; c++) {
            const char *name = h->field[c];
            size_t n = h->len[c];
            norm_trim(&name, &n);
            if (n != want || memcmp(name, st->cname[k], n) != 0)
                continue;
            if (idx[k] != NONE)
                die(TZNR_EXIT_REFUSED, "'%s' refusé : la colonne '%s' figure deux fois dans l'en-tête", path,
                    st->cname[k]);
            idx[k] = c;
        }
        if (idx[k] == NONE)
            die(TZNR_EXIT_REFUSED, "'%s' refusé : pas de colonne '%s' dans l'en-tête (voir --columns)", path,
                st->cname[k]);
    }
    return idx;
}

struct raw_stats {
    unsigned long long rows, unusable, duplicates, not_utf8;
};

/* Stream the raw export once; keep the contact values of the list's local_refs only (the first
 * row of each, as the platform keeps the first of duplicate tokens). */
static void read_raw(struct state *st, const char *path, const char *mapfile, int columns_given,
                     struct raw_stats *rs)
{
    if (!columns_given)
        default_columns(st, mapfile);
    mapping *map;
    csvio_record rec;
    int rc;
    csvio_reader *rd = mapping_open_export(mapfile, path, &map, &rec);
    size_t *idx = bind_columns(st, &rec, path);

    st->coff = xcalloc(st->nrefs * st->ncols + 1, sizeof *st->coff);
    st->clen = xcalloc(st->nrefs * st->ncols + 1, sizeof *st->clen);
    sbuf arena;
    sbuf_init(&arena);
    extract_row row;
    char why[512];
    memset(rs, 0, sizeof *rs);
    while ((rc = csvio_next(rd, &rec)) > 0) {
        rs->rows++;
        sbuf_reset(&arena);
        if (mapping_apply(map, &rec, &arena, &row, why, sizeof why) != 0) {
            rs->unusable++; /* the pseudonymiser rejected it too: it has no token */
            continue;
        }
        const char *lr = arena.p + row.off[RF_LOCAL_REF];
        size_t lrn = row.len[RF_LOCAL_REF];
        norm_trim(&lr, &lrn);
        size_t ri = strtab_get(&st->by_ref, lr, lrn);
        if (ri == NONE)
            continue;
        if (st->refs[ri].found) {
            rs->duplicates++;
            continue;
        }
        st->refs[ri].found = 1;
        for (size_t k = 0; k < st->ncols; k++) {
            const char *v = rec.field[idx[k]];
            size_t n = rec.len[idx[k]];
            if (!norm_utf8_valid(v, n))
                rs->not_utf8++;
            st->coff[ri * st->ncols + k] = st->cval.len;
            st->clen[ri * st->ncols + k] = n;
            sbuf_add(&st->cval, v, n);
        }
    }
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    sbuf_free_wipe(&arena); /* the raw export's rows */
    free(idx);
    csvio_close(rd);
    mapping_free(map);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void add_field(sbuf *b, const char *s, size_t n, const struct list_format *lf, int first)
{
    if (!first)
        sbuf_addc(b, lf->sep);
    if (!lf->quote_all) {
        csvio_add_field(b, s, n, lf->sep);
        return;
    }
    csvio_add_quoted(b, s, n);
}

static void end_line(sbuf *b, const struct list_format *lf) { sbuf_adds(b, lf->crlf ? "\r\n" : "\n"); }

static void abort_output(void *arg)
{
    csvio_out **o = arg;
    csvio_out_abort(*o);
    *o = NULL;
}

static void out_write(csvio_out *o, const char *path, const sbuf *b)
{
    if (csvio_out_write(o, b->p, b->len) != 0)
        die(TZNR_EXIT_FAIL, "impossible d'écrire '%s' : %m", path);
}

struct counts {
    unsigned long long found, not_found, contact, no_contact;
};

static void write_output(const struct state *st, const struct list_format *lf, const char *path, int with_raw,
                         struct counts *n)
{
    char err[1024];
    csvio_out *out = csvio_out_open(path, 0600, err, sizeof err);
    if (!out)
        die(TZNR_EXIT_FAIL, "%s", err);
    log_on_die(abort_output, &out);
    sbuf line;
    sbuf_init(&line);
    if (lf->bom)
        sbuf_add(&line, "\xEF\xBB\xBF", 3);
    add_field(&line, LIST_COLUMNS[0], strlen(LIST_COLUMNS[0]), lf, 1);
    add_field(&line, "local_ref", 9, lf, 0);
    for (size_t i = 1; i < st->lcols; i++)
        add_field(&line, LIST_COLUMNS[i], strlen(LIST_COLUMNS[i]), lf, 0);
    for (size_t k = 0; with_raw && k < st->ncols; k++)
        add_field(&line, st->cname[k], strlen(st->cname[k]), lf, 0);
    for (size_t k = 0; k < NOUTCOME_COLUMNS; k++)
        add_field(&line, OUTCOME_COLUMNS[k], strlen(OUTCOME_COLUMNS[k]), lf, 0);
    end_line(&line, lf);
    out_write(out, path, &line);

    memset(n, 0, sizeof *n);
    for (size_t r = 0; r < st->nrows; r++) {
        const struct row *row = &st->rows[r];
        size_t ri = st->people[row->person].ref;
        const struct ref *ref = ri != NONE ? &st->refs[ri] : NULL;
        sbuf_reset(&line);
        add_field(&line, st->arena.p + row->off[0], row->len[0], lf, 1);
        add_field(&line, ref ? ref->local_ref : "", ref ? ref->len : 0, lf, 0);
        for (size_t i = 1; i < st->lcols; i++)
            add_field(&line, st->arena.p + row->off[i], row->len[i], lf, 0);
        if (ref)
            n->found++;
        else
            n->not_found++;
        if (with_raw) {
            int has = ref && ref->found;
            if (has)
                n->contact++;
            else if (ref)
                n->no_contact++;
            for (size_t k = 0; k < st->ncols; k++) {
                if (has)
                    add_field(&line, st->cval.p + st->coff[ri * st->ncols + k], st->clen[ri * st->ncols + k], lf, 0);
                else
                    add_field(&line, "", 0, lf, 0);
            }
        }
        for (size_t k = 0; k < NOUTCOME_COLUMNS; k++)
            add_field(&line, "", 0, lf, 0);
        end_line(&line, lf);
        out_write(out, path, &line);
    }
    sbuf_free_wipe(&line); /* the last row written, with its names */
    csvio_out *o = out;
    out = NULL; /* committed or removed by csvio_out_commit */
    log_forget(abort_output, &out);
    if (csvio_out_commit(o, NULL, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
}

/* The codes a team may write in the statut column, with what each means and does, in French
 * (docs/listes.md says the same): the second file, beside the list, that a spreadsheet user
 * opens to fill the column. */
static const char *const statut_help[][3] = {
    {"contacte", "la personne a été jointe, démarche en cours", "aucun (pour l'évaluation)"},
    {"droit_ouvert", "le droit a été ouvert", "plus listé pour cette prestation pendant 365 jours"},
    {"non_eligible", "après examen, pas de droit", "plus listé pour cette prestation pendant 365 jours"},
    {"refus", "la personne ne souhaite pas demander cette prestation",
     "plus listé pour cette prestation pendant 365 jours"},
    {"injoignable", "personne n'a pu être jointe", "peut être relisté après le délai de carence"},
    {"deja_beneficiaire", "elle la percevait déjà", "plus listé pour cette prestation pendant 365 jours"},
    {"opposition", "la personne refuse tout contact", "plus jamais listée, pour aucune prestation"},
    {"erreur_rapprochement", "la fiche ne correspond pas à la bonne personne",
     "les liens de cette fiche sont interdits aux rapprochements suivants"},
};

char *reidentify_statuts_path(const char *output)
{
    size_t n = strlen(output);
    if (n > 4 && strcmp(output + n - 4, ".csv") == 0)
        n -= 4;
    return xasprintf("%.*s-statuts.csv", (int)n, output);
}

static void write_statuts(const struct list_format *lf, const char *path)
{
    char err[1024];
    csvio_out *out = csvio_out_open(path, 0644, err, sizeof err);
    if (!out)
        die(TZNR_EXIT_FAIL, "%s", err);
    log_on_die(abort_output, &out);
    sbuf b;
    sbuf_init(&b);
    if (lf->bom)
        sbuf_add(&b, "\xEF\xBB\xBF", 3);
    static const char *const head[] = {"statut", "sens", "effet"};
    for (size_t c = 0; c < 3; c++)
        add_field(&b, head[c], strlen(head[c]), lf, c == 0);
    end_line(&b, lf);
    for (size_t i = 0; i < sizeof statut_help / sizeof statut_help[0]; i++) {
        for (size_t c = 0; c < 3; c++)
            add_field(&b, statut_help[i][c], strlen(statut_help[i][c]), lf, c == 0);
        end_line(&b, lf);
    }
    out_write(out, path, &b);
    sbuf_free(&b);
    csvio_out *o = out;
    out = NULL;
    log_forget(abort_output, &out);
    if (csvio_out_commit(o, NULL, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
}

/* ---- the entry point ----------------------------------------------------------------------- */

static void log_summary(const reidentify_args *a, const struct state *st, unsigned long long maprows,
                        const struct raw_stats *rs, const struct counts *n)
{
    /* read by the team that re-identifies its list: in French */
    log_info("'%s' -> '%s' (mode 0600 : il contient des données nominatives)", a->list, a->output);
    log_info("  lignes %zu : local_ref trouvé %llu, introuvable %llu (table de correspondance '%s', %llu lignes)",
             st->nrows, n->found, n->not_found, a->tokens, maprows);
    if (a->raw)
        log_info("  coordonnées trouvées %llu, absentes de l'export %llu ('%s' : %llu lignes lues, %llu "
                 "inutilisables, %llu local_ref répétés ignorés)",
                 n->contact, n->no_contact, a->raw, rs->rows, rs->unusable, rs->duplicates);
    if (n->not_found)
        log_warn("%llu pseudonyme%s introuvable%s : cette liste est-elle celle d'une autre source ?", n->not_found,
                 n->not_found > 1 ? "s" : "", n->not_found > 1 ? "s" : "");
    if (n->no_contact)
        log_warn("%llu ligne%s avec un local_ref absent de '%s' : est-ce l'export dont l'extrait a été tiré ?",
                 n->no_contact, n->no_contact > 1 ? "s" : "", a->raw);
    if (rs->not_utf8)
        log_warn("%llu valeurs de contact ne sont pas en UTF-8 : l'encodage de l'export est-il indiqué dans le "
                 "fichier de correspondance des colonnes (mapping) ?", rs->not_utf8);
}

static void state_free(struct state *st)
{
    /* the list, the token map's pairs and the contact columns (names, addresses): wiped */
    free(st->rows);
    sbuf_free_wipe(&st->arena);
    for (size_t i = 0; i < st->npeople; i++)
        free(st->people[i].token);
    free(st->people);
    strtab_free(&st->by_token);
    for (size_t i = 0; i < st->nrefs; i++) {
        explicit_bzero(st->refs[i].local_ref, st->refs[i].len);
        free(st->refs[i].local_ref);
    }
    free(st->refs);
    strtab_free(&st->by_ref);
    for (size_t i = 0; i < st->ncols; i++)
        free(st->cname[i]);
    free(st->cname);
    free(st->coff);
    free(st->clen);
    sbuf_free_wipe(&st->cval);
}

void reidentify(const reidentify_args *a)
{
    reidentify_refuse_on_platform();
    struct state st;
    memset(&st, 0, sizeof st);
    sbuf_init(&st.arena);
    sbuf_init(&st.cval);
    strtab_init(&st.by_token);
    strtab_init(&st.by_ref);
    if (a->columns)
        parse_columns(&st, a->columns);

    struct list_format lf;
    read_list(&st, a->list, &lf);
    unsigned long long maprows = read_token_map(&st, a->tokens);
    struct raw_stats rs = {0};
    if (a->raw)
        read_raw(&st, a->raw, a->mapping, a->columns != NULL, &rs);
    struct counts n;
    write_output(&st, &lf, a->output, a->raw != NULL, &n);
    char *statuts = reidentify_statuts_path(a->output);
    write_statuts(&lf, statuts);
    log_summary(a, &st, maprows, &rs, &n);
    /* read by the team that fills the list in */
    log_info("  colonne statut à remplir (et date, commentaire) : codes possibles dans '%s' ; renvoyez la liste "
             "telle quelle par tznr feedback ou inbox/feedback ; le commentaire n'est jamais transmis", statuts);
    free(statuts);
    state_free(&st);
}
