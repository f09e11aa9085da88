/* tznr reidentify: an outreach list from the platform -> the same list with the agency's own
 * local_ref next to each token (from the token map) and, optionally, contact columns taken from
 * the agency's raw export. Runs at the agency only (docs/extract-format.md). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"
#include "conf.h"
#include "csvio.h"
#include "extract.h"
#include "ini.h"
#include "log.h"
#include "mapping.h"
#include "export.h"
#include "norm.h"
#include "sbuf.h"

#define NONE SIZE_MAX
#define TOKEN_HEX 64
#define OUT_SUFFIX "-reidentifiee.csv"

/* The header of an outreach list, as the platform writes it (export.h). A list written before
 * the column inconnu_de (the last one) is read as well: the columns it has are copied. */
#define LIST_COLUMNS export_list_columns
#define LIST_NCOL ((size_t)EXPORT_LIST_NCOL)
#define LIST_NCOL_BEFORE_INCONNU_DE (LIST_NCOL - 1)

/* The contact fields given by default with --raw, in output order. */
static const enum raw_field CONTACT_FIELDS[] = {RF_NOM, RF_NOM_USAGE, RF_PRENOM, RF_DATE_NAISSANCE,
                                                RF_ADRESSE, RF_COMMUNE};
#define NCONTACT_FIELDS (sizeof CONTACT_FIELDS / sizeof CONTACT_FIELDS[0])

static void usage(void)
{
    printf("usage: tznr reidentify --tokens OUT.csv.tokens [--raw RAW.csv [--mapping FILE]\n"
           "                       [--columns COL,COL...]] [-o OUTPUT.csv] [-q] LIST.csv\n\n"
           "Put the agency's own identifiers back on an outreach list from the platform. The\n"
           "output is the list, same rows, order, separator and byte order mark, with a local_ref\n"
           "column after token (from the token map pseudonymise wrote) and, with --raw, contact\n"
           "columns from the agency's raw export appended. It holds personal data: it is written\n"
           "with mode 0600, under a temporary name renamed at the end. Never run on the platform:\n"
           "refused when $TZNR_CONFIG is set or %s exists.\n\n"
           "  --tokens FILE         the token map (local_ref,token) of the extract the list is from\n"
           "  --raw RAW.csv         the raw export that extract was made from: add contact columns\n"
           "  --mapping FILE        how to read the raw export (docs/mapping.md); without it, the\n"
           "                        canonical raw format\n"
           "  --columns COL,...     the raw export's columns to add, by its own names (default:\n"
           "                        the columns holding nom, nom_usage, prenom, date_naissance,\n"
           "                        adresse, commune)\n"
           "  -o, --output FILE     the file to write (default: LIST with .csv replaced by\n"
           "                        " OUT_SUFFIX ")\n"
           "  -q, --quiet           no summary on stderr (warnings are still printed)\n\n"
           "Exit: 0 done, 1 failure, 2 usage (or run on the platform), 3 input refused (wrong\n"
           "list header, malformed token map, raw export without the columns asked for).\n",
           CONF_DEFAULT_PATH);
}

/* ---- a string -> index table (open addressing); keys are not copied ---------------------- */

typedef struct strtab {
    struct strtab_slot {
        const char *key; /* NULL: free */
        size_t len;
        size_t val;
    } *slot;
    size_t cap, n;
} strtab;

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static struct strtab_slot *strtab_find(const strtab *t, const char *key, size_t len)
{
    size_t i = (size_t)str_hash(key, len) & (t->cap - 1);
    while (t->slot[i].key && !(t->slot[i].len == len && memcmp(t->slot[i].key, key, len) == 0))
        i = (i + 1) & (t->cap - 1);
    return &t->slot[i];
}

static void strtab_init(strtab *t)
{
    t->cap = 64;
    t->n = 0;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
}

static void strtab_free(strtab *t) { free(t->slot); }

/* The value of KEY, or NONE. */
static size_t strtab_get(const strtab *t, const char *key, size_t len)
{
    const struct strtab_slot *s = strtab_find(t, key, len);
    return s->key ? s->val : NONE;
}

/* Add KEY (which must stay valid) with VAL unless present; return its value either way. */
static size_t strtab_put(strtab *t, const char *key, size_t len, size_t val)
{
    struct strtab_slot *s = strtab_find(t, key, len);
    if (s->key)
        return s->val;
    s->key = key;
    s->len = len;
    s->val = val;
    if (++t->n * 2 > t->cap) {
        strtab old = *t;
        t->cap *= 2;
        t->slot = xcalloc(t->cap, sizeof *t->slot);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].key)
                *strtab_find(t, old.slot[i].key, old.slot[i].len) = old.slot[i];
        free(old.slot);
    }
    return val;
}

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

/* The platform is where $TZNR_CONFIG is set or the default configuration exists: the token
 * map must never meet the platform's data, so refuse to run there. */
static void refuse_on_platform(void)
{
    if (getenv("TZNR_CONFIG"))
        die(TZNR_EXIT_USAGE, "refusing to run on the platform ($TZNR_CONFIG is set): re-identification "
            "is done at the agency, on a machine without a platform configuration");
    struct stat st;
    if (stat(CONF_DEFAULT_PATH, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
        die(TZNR_EXIT_USAGE, "refusing to run on the platform ('%s' exists): re-identification is done "
            "at the agency, on a machine without a platform configuration", CONF_DEFAULT_PATH);
}

/* ---- reading the list ------------------------------------------------------------------- */

static void sniff_list(FILE *f, const char *path, struct list_format *lf)
{
    char *line = NULL;
    size_t cap = 0;
    memset(lf, 0, sizeof *lf);
    ssize_t n = getline(&line, &cap, f);
    if (n < 0 && ferror(f))
        die(TZNR_EXIT_FAIL, "could not read '%s': %m", path);
    const char *s = n > 0 ? line : "";
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        lf->bom = 1;
        s += 3;
        len -= 3;
    }
    lf->crlf = len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n';
    lf->quote_all = len > 0 && s[0] == '"';
    /* the separator is whatever follows the first column name */
    const char *first = lf->quote_all ? "\"token\"" : "token";
    size_t fl = strlen(first);
    if (len > fl && memcmp(s, first, fl) == 0 && strchr(";,\t", s[fl]) && s[fl] != '\0')
        lf->sep = s[fl];
    free(line);
    if (fseek(f, 0, SEEK_SET) != 0)
        die(TZNR_EXIT_FAIL, "could not read '%s' again from its start: %m", path);
}

static __attribute__((noreturn)) void refuse_header(const char *path, const char *why)
{
    die(TZNR_EXIT_REFUSED, "refusing '%s': not an outreach list: %s (expected " EXPORT_LIST_HEADER ")", path, why);
}

/* Return the list's number of columns. */
static size_t check_list_header(const csvio_record *h, const char *path)
{
    char why[256];
    if (h->error)
        refuse_header(path, h->error);
    for (size_t i = 0; i < h->nfields && i < LIST_NCOL; i++) {
        if (strlen(LIST_COLUMNS[i]) != h->len[i] || memcmp(LIST_COLUMNS[i], h->field[i], h->len[i]) != 0) {
            snprintf(why, sizeof why, "column %zu is '%.*s', not '%s'", i + 1,
                     (int)(h->len[i] > 40 ? 40 : h->len[i]), h->field[i], LIST_COLUMNS[i]);
            refuse_header(path, why);
        }
    }
    if (h->nfields != LIST_NCOL && h->nfields != LIST_NCOL_BEFORE_INCONNU_DE) {
        snprintf(why, sizeof why, "the header has %zu columns, not %zu", h->nfields, LIST_NCOL);
        refuse_header(path, why);
    }
    return h->nfields;
}

static void read_list(struct state *st, const char *path, struct list_format *lf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(TZNR_EXIT_FAIL, "could not open '%s': %m", path);
    sniff_list(f, path, lf);
    char err[512];
    csvio_options opt = {0};
    opt.sep = lf->sep ? lf->sep : ';';
    csvio_reader *rd = csvio_open_stream(f, path, &opt, err, sizeof err);
    if (!rd)
        die(TZNR_EXIT_FAIL, "%s", err);
    csvio_record rec;
    int rc = csvio_next(rd, &rec);
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    if (rc == 0)
        die(TZNR_EXIT_REFUSED, "refusing '%s': the file is empty", path);
    if (!lf->sep)
        refuse_header(path, "line 1 does not start with the column token and a separator ';', ',' or tab");
    st->lcols = check_list_header(&rec, path);
    while ((rc = csvio_next(rd, &rec)) > 0) {
        if (rec.error)
            die(TZNR_EXIT_REFUSED, "refusing '%s': line %ld: %s", path, rec.line, rec.error);
        if (rec.nfields != st->lcols)
            die(TZNR_EXIT_REFUSED, "refusing '%s': line %ld: %zu fields, the header has %zu", path, rec.line,
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

static int is_token(const char *s, size_t n)
{
    if (n != TOKEN_HEX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Stream the map once, checking every line, and keep the local_refs of the list's tokens
 * only: memory follows the list, not the map. Return the map's number of rows. */
static unsigned long long read_token_map(struct state *st, const char *path)
{
    char err[512];
    csvio_options opt = {0};
    opt.sep = ',';
    csvio_reader *rd = csvio_open(path, &opt, err, sizeof err);
    if (!rd)
        die(TZNR_EXIT_FAIL, "%s", err);
    csvio_record rec;
    int rc = csvio_next(rd, &rec);
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    if (rc == 0)
        die(TZNR_EXIT_REFUSED, "refusing token map '%s': the file is empty", path);
    if (rec.error || rec.nfields != 2 || strcmp(rec.field[0], "local_ref") != 0 || strcmp(rec.field[1], "token") != 0)
        die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: the header is not local_ref,token "
            "(the .tokens file tznr pseudonymise wrote)", path, rec.line);
    unsigned long long n = 0;
    while ((rc = csvio_next(rd, &rec)) > 0) {
        if (rec.error)
            die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: %s", path, rec.line, rec.error);
        if (rec.nfields != 2)
            die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: %zu field%s, expected 2 (local_ref,token)",
                path, rec.line, rec.nfields, rec.nfields == 1 ? "" : "s");
        if (!is_token(rec.field[1], rec.len[1]))
            die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: the token is not %d lowercase hex digits",
                path, rec.line, TOKEN_HEX);
        const char *lr = rec.field[0];
        size_t lrn = rec.len[0];
        norm_trim(&lr, &lrn);
        if (lrn == 0)
            die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: local_ref is empty", path, rec.line);
        n++;
        size_t pi = strtab_get(&st->by_token, rec.field[1], rec.len[1]);
        if (pi == NONE)
            continue;
        struct person *p = &st->people[pi];
        if (p->ref != NONE) {
            const struct ref *r = &st->refs[p->ref];
            if (r->len != lrn || memcmp(r->local_ref, lr, lrn) != 0)
                die(TZNR_EXIT_REFUSED, "refusing token map '%s': line %ld: the token of line %ld again, with "
                    "another local_ref", path, rec.line, p->map_line);
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
        die(TZNR_EXIT_REFUSED, "refusing mapping '%s': it maps none of nom, nom_usage, prenom, date_naissance, "
            "adresse, commune: name the contact columns with --columns", mapfile);
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
                die(TZNR_EXIT_REFUSED, "refusing '%s': the header has column '%s' twice", path, st->cname[k]);
            idx[k] = c;
        }
        if (idx[k] == NONE)
            die(TZNR_EXIT_REFUSED, "refusing '%s': no column '%s' in its header (see --columns)", path,
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
    sbuf_free(&arena);
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
        die(TZNR_EXIT_FAIL, "could not write '%s': %m", path);
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
        end_line(&line, lf);
        out_write(out, path, &line);
    }
    sbuf_free(&line);
    csvio_out *o = out;
    out = NULL; /* committed or removed by csvio_out_commit */
    log_forget(abort_output, &out);
    if (csvio_out_commit(o, NULL, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
}

/* ---- the command -------------------------------------------------------------------------- */

static char *default_output(const char *list)
{
    size_t n = strlen(list);
    if (n >= 4 && strcasecmp(list + n - 4, ".csv") == 0)
        n -= 4;
    char *p = xmalloc(n + sizeof OUT_SUFFIX);
    memcpy(p, list, n);
    memcpy(p + n, OUT_SUFFIX, sizeof OUT_SUFFIX);
    return p;
}

/* Refuse an output that is one of the inputs (the same path or the same file). */
static void not_an_input(const char *out, const char *in, const char *what)
{
    struct stat a, b;
    if (!in)
        return;
    if (strcmp(out, in) == 0 ||
        (stat(out, &a) == 0 && stat(in, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino))
        die_usage("reidentify", "the output '%s' is the %s: it would be overwritten", out, what);
}

int cmd_reidentify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokens", required_argument, NULL, 't'}, {"raw", required_argument, NULL, 'r'},
        {"mapping", required_argument, NULL, 'm'}, {"columns", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *tokpath = NULL, *rawpath = NULL, *mapfile = NULL, *columns = NULL, *outpath = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:r:m:c:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 't': tokpath = optarg; break;
        case 'r': rawpath = optarg; break;
        case 'm': mapfile = optarg; break;
        case 'c': columns = optarg; break;
        case 'o': outpath = optarg; break;
        case 'q': log_set_quiet(1); break;
        case 'h': usage(); return 0;
        default: die_usage("reidentify", NULL);
        }
    }
    refuse_on_platform();
    if (!tokpath)
        die_usage("reidentify", "--tokens is required");
    if (argc - optind != 1)
        die_usage("reidentify", "expected exactly one list file");
    if ((mapfile || columns) && !rawpath)
        die_usage("reidentify", "--mapping and --columns go with --raw");
    const char *listpath = argv[optind];
    char *outbuf = outpath ? NULL : default_output(listpath);
    if (!outpath)
        outpath = outbuf;
    if (*outpath == '\0')
        die_usage("reidentify", "-o needs a file name");
    not_an_input(outpath, listpath, "list");
    not_an_input(outpath, tokpath, "token map");
    not_an_input(outpath, rawpath, "raw export");
    not_an_input(outpath, mapfile, "mapping file");

    struct state st;
    memset(&st, 0, sizeof st);
    sbuf_init(&st.arena);
    sbuf_init(&st.cval);
    strtab_init(&st.by_token);
    strtab_init(&st.by_ref);
    if (columns)
        parse_columns(&st, columns);

    struct list_format lf;
    read_list(&st, listpath, &lf);
    unsigned long long maprows = read_token_map(&st, tokpath);
    struct raw_stats rs = {0};
    if (rawpath)
        read_raw(&st, rawpath, mapfile, columns != NULL, &rs);
    struct counts n;
    write_output(&st, &lf, outpath, rawpath != NULL, &n);

    log_info("'%s' -> '%s' (mode 0600: it names people)", listpath, outpath);
    log_info("  rows %zu: local_ref found %llu, not found %llu (token map '%s', %llu rows)", st.nrows, n.found,
             n.not_found, tokpath, maprows);
    if (rawpath)
        log_info("  contact columns found %llu, not in the raw export %llu ('%s': %llu rows read, %llu unusable, "
                 "%llu repeated local_refs ignored)",
                 n.contact, n.no_contact, rawpath, rs.rows, rs.unusable, rs.duplicates);
    if (n.not_found)
        log_warn("%llu token%s not found: is this list for another source?", n.not_found,
                 n.not_found > 1 ? "s" : "");
    if (n.no_contact)
        log_warn("%llu row%s with a local_ref that is not in '%s': is it the export the extract was made "
                 "from?", n.no_contact, n.no_contact > 1 ? "s" : "", rawpath);
    if (rs.not_utf8)
        log_warn("%llu contact values are not valid UTF-8: is the export's encoding set in the mapping?",
                 rs.not_utf8);

    for (size_t i = 0; i < st.npeople; i++)
        free(st.people[i].token);
    for (size_t i = 0; i < st.nrefs; i++)
        free(st.refs[i].local_ref);
    for (size_t i = 0; i < st.ncols; i++)
        free(st.cname[i]);
    free(st.cname);
    free(st.people);
    free(st.refs);
    free(st.rows);
    free(st.coff);
    free(st.clen);
    strtab_free(&st.by_token);
    strtab_free(&st.by_ref);
    sbuf_free(&st.arena);
    sbuf_free(&st.cval);
    free(outbuf);
    return 0;
}
