#include "mapping.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"
#include "log.h"
#include "norm.h"

#define MAX_PARTS 8

struct value_map {
    char **from, **to;
    size_t n;
};

struct mapping {
    int canonical;
    char *encoding;
    char sep;
    extract_format fmt;
    /* the export's column names of each canonical field (adresse may have several) */
    char *col[RF_COUNT][MAX_PARTS];
    int ncol[RF_COUNT];
    int idx[RF_COUNT][MAX_PARTS]; /* bound column indexes, -1 when unmapped */
    struct value_map vmap[RF_COUNT];
    struct value_map flags;       /* [values.flags] */
    size_t ncolumns;              /* header width */
};

static mapping *mapping_new(void)
{
    mapping *m = xcalloc(1, sizeof *m);
    m->sep = ',';
    m->fmt.date = DATE_ISO;
    m->fmt.decimal = '.';
    return m;
}

void mapping_free(mapping *m)
{
    if (!m)
        return;
    for (int f = 0; f < RF_COUNT; f++) {
        for (int i = 0; i < m->ncol[f]; i++)
            free(m->col[f][i]);
        for (size_t i = 0; i < m->vmap[f].n; i++) {
            free(m->vmap[f].from[i]);
            free(m->vmap[f].to[i]);
        }
        free(m->vmap[f].from);
        free(m->vmap[f].to);
    }
    for (size_t i = 0; i < m->flags.n; i++) {
        free(m->flags.from[i]);
        free(m->flags.to[i]);
    }
    free(m->flags.from);
    free(m->flags.to);
    free(m->encoding);
    free(m);
}

mapping *mapping_canonical(void)
{
    mapping *m = mapping_new();
    m->canonical = 1;
    for (int f = 0; f < RF_COUNT; f++) {
        m->col[f][0] = xstrdup(extract_field_name((enum raw_field)f));
        m->ncol[f] = 1;
    }
    return m;
}

static void vmap_add(struct value_map *v, const char *from, const char *to)
{
    v->from = xrealloc(v->from, (v->n + 1) * sizeof *v->from);
    v->to = xrealloc(v->to, (v->n + 1) * sizeof *v->to);
    v->from[v->n] = xstrdup(from);
    v->to[v->n] = xstrdup(to);
    v->n++;
}

static int on_setting(void *ctx, const char *section, const char *key, const char *value, char *err,
                      size_t errlen)
{
    mapping *m = ctx;
    if (strcmp(section, "input") == 0) {
        if (strcmp(key, "encoding") == 0) {
            free(m->encoding);
            if (strcasecmp(value, "latin1") == 0 || strcasecmp(value, "latin-1") == 0)
                value = "ISO-8859-1";
            else if (strcasecmp(value, "cp1252") == 0)
                value = "WINDOWS-1252";
            m->encoding = xstrdup(value);
        } else if (strcmp(key, "separator") == 0) {
            if (strcasecmp(value, "tab") == 0 || strcmp(value, "\\t") == 0)
                m->sep = '\t';
            else if (strlen(value) == 1 && strchr(",;|", value[0]))
                m->sep = value[0];
            else {
                snprintf(err, errlen, "separator must be one of , ; | tab, not '%s'", value);
                return -1;
            }
        } else if (strcmp(key, "date_format") == 0) {
            if (norm_date_format_parse(value, &m->fmt.date) != 0) {
                snprintf(err, errlen,
                         "unknown date_format '%s' (YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, DD-MM-YYYY, DD.MM.YYYY)",
                         value);
                return -1;
            }
        } else if (strcmp(key, "decimal") == 0) {
            if (strcmp(value, ".") != 0 && strcmp(value, ",") != 0) {
                snprintf(err, errlen, "decimal must be '.' or ',', not '%s'", value);
                return -1;
            }
            m->fmt.decimal = value[0];
        } else {
            snprintf(err, errlen, "unknown key '%s' in [input]", key);
            return -1;
        }
        return 0;
    }
    if (strcmp(section, "columns") == 0) {
        int f = extract_field_lookup(key);
        if (f < 0) {
            snprintf(err, errlen, "unknown canonical field '%s' in [columns]", key);
            return -1;
        }
        if (m->ncol[f] > 0) {
            snprintf(err, errlen, "field '%s' is mapped twice", key);
            return -1;
        }
        if (*value == '\0') {
            snprintf(err, errlen, "field '%s' has no column name", key);
            return -1;
        }
        char *copy = xstrdup(value), *save = NULL;
        for (char *part = strtok_r(copy, "+", &save); part; part = strtok_r(NULL, "+", &save)) {
            while (*part == ' ' || *part == '\t')
                part++;
            size_t n = strlen(part);
            while (n > 0 && (part[n - 1] == ' ' || part[n - 1] == '\t'))
                part[--n] = '\0';
            if (n == 0 || m->ncol[f] == MAX_PARTS || (f != RF_ADRESSE && m->ncol[f] == 1)) {
                snprintf(err, errlen, "bad column list for '%s' (only adresse may join columns with '+', %d at most)",
                         key, MAX_PARTS);
                free(copy);
                return -1;
            }
            m->col[f][m->ncol[f]++] = xstrdup(part);
        }
        free(copy);
        return 0;
    }
    if (strncmp(section, "values.", 7) == 0) {
        const char *name = section + 7;
        if (strcmp(name, "flags") == 0) {
            vmap_add(&m->flags, key, value);
            return 0;
        }
        int f = extract_field_lookup(name);
        if (f < 0 || !(f == RF_SEXE || f == RF_ROLE || extract_field_is_flag((enum raw_field)f))) {
            snprintf(err, errlen, "value maps apply to sexe, role, flags and the 0/1 fields, not '%s'", name);
            return -1;
        }
        vmap_add(&m->vmap[f], key, value);
        return 0;
    }
    snprintf(err, errlen, "unknown section [%s]", section);
    return -1;
}

mapping *mapping_load(const char *path, char *err, size_t errlen)
{
    mapping *m = mapping_new();
    if (ini_parse(path, on_setting, m, err, errlen) != 0) {
        mapping_free(m);
        return NULL;
    }
    if (m->ncol[RF_LOCAL_REF] == 0) {
        /* name the [columns] header's line, or the last line when there is none */
        long line = 0, at = 0;
        FILE *f = fopen(path, "r");
        char buf[512];
        while (f && fgets(buf, sizeof buf, f)) {
            line++;
            char *b = buf;
            while (*b == ' ' || *b == '\t')
                b++;
            if (!at && strncasecmp(b, "[columns]", 9) == 0)
                at = line;
        }
        if (f)
            fclose(f);
        snprintf(err, errlen, "%s:%ld: [columns] must map local_ref", path, at ? at : line);
        mapping_free(m);
        return NULL;
    }
    return m;
}

void mapping_csv_options(const mapping *m, csvio_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->sep = m->sep;
    opt->encoding = m->encoding;
}

void mapping_format(const mapping *m, extract_format *fmt) { *fmt = m->fmt; }

/* The canonical raw format's required columns; the rest are optional. */
static int canonical_required(int f) { return f <= RF_COMMUNE; }

int mapping_bind(mapping *m, const csvio_record *h, char *err, size_t errlen)
{
    m->ncolumns = h->nfields;
    for (int f = 0; f < RF_COUNT; f++)
        for (int i = 0; i < MAX_PARTS; i++)
            m->idx[f][i] = -1;
    if (h->error) {
        snprintf(err, errlen, "line %ld: header is not valid CSV: %s", h->line, h->error);
        return -1;
    }
    for (size_t c = 0; c < h->nfields; c++) {
        const char *name = h->field[c];
        size_t n = h->len[c];
        if (memchr(name, '\0', n)) {
            snprintf(err, errlen, "not a CSV text file (NUL byte in the header)");
            return -1;
        }
        norm_trim(&name, &n);
        int matched = 0;
        for (int f = 0; f < RF_COUNT; f++) {
            for (int i = 0; i < m->ncol[f]; i++) {
                if (strlen(m->col[f][i]) == n && memcmp(m->col[f][i], name, n) == 0) {
                    if (m->idx[f][i] >= 0) {
                        snprintf(err, errlen, "header has column '%s' twice", m->col[f][i]);
                        return -1;
                    }
                    m->idx[f][i] = (int)c;
                    matched = 1;
                }
            }
        }
        if (!matched && m->canonical) {
            snprintf(err, errlen,
                     "wrong header: unexpected column '%.*s' (the canonical raw columns are local_ref, "
                     "household_ref, nir, nom, nom_usage, prenom, date_naissance, sexe, adresse, commune, "
                     "role and the spec's attributes; use --mapping for another layout)",
                     (int)(n > 64 ? 64 : n), name);
            return -1;
        }
    }
    for (int f = 0; f < RF_COUNT; f++) {
        for (int i = 0; i < m->ncol[f]; i++) {
            if (m->idx[f][i] >= 0)
                continue;
            if (m->canonical && !canonical_required(f))
                break; /* optional column absent: idx stays -1, the field is always empty */
            snprintf(err, errlen, "wrong header: column '%s' (for %s) is missing", m->col[f][i],
                     extract_field_name((enum raw_field)f));
            return -1;
        }
    }
    return 0;
}

/* Translate V through the value maps of F; return the mapped value or V itself. */
static const char *map_value(const mapping *m, int f, const char *v, size_t *len)
{
    const struct value_map *vm = &m->vmap[f];
    if (vm->n == 0 && extract_field_is_flag((enum raw_field)f))
        vm = &m->flags;
    if (vm->n == 0)
        return v;
    const char *s = v;
    size_t n = *len;
    norm_trim(&s, &n);
    for (size_t i = 0; i < vm->n; i++) {
        if (strlen(vm->from[i]) == n && strncasecmp(vm->from[i], s, n) == 0) {
            *len = strlen(vm->to[i]);
            return vm->to[i];
        }
    }
    return v;
}

int mapping_apply(const mapping *m, const csvio_record *rec, sbuf *arena, extract_row *row,
                  char *why, size_t whylen)
{
    row->line = rec->line;
    if (rec->error) {
        snprintf(why, whylen, "%s", rec->error);
        return -1;
    }
    if (rec->nfields != m->ncolumns) {
        snprintf(why, whylen, "wrong number of fields: %zu, the header has %zu", rec->nfields, m->ncolumns);
        return -1;
    }
    for (int f = 0; f < RF_COUNT; f++) {
        row->off[f] = arena->len;
        if (m->ncol[f] == 1 && m->idx[f][0] < 0) {
            /* an optional canonical column the export does not have */
        } else if (m->ncol[f] == 1) {
            size_t n = rec->len[m->idx[f][0]];
            const char *v = map_value(m, f, rec->field[m->idx[f][0]], &n);
            sbuf_add(arena, v, n);
        } else {
            for (int i = 0; i < m->ncol[f]; i++) {
                const char *v = rec->field[m->idx[f][i]];
                size_t n = rec->len[m->idx[f][i]];
                norm_trim(&v, &n);
                if (n == 0)
                    continue;
                if (arena->len > row->off[f])
                    sbuf_addc(arena, ' ');
                sbuf_add(arena, v, n);
            }
        }
        row->len[f] = arena->len - row->off[f];
        sbuf_addc(arena, '\0');
    }
    const char *lr = arena->p + row->off[RF_LOCAL_REF];
    size_t lrn = row->len[RF_LOCAL_REF];
    norm_trim(&lr, &lrn);
    if (lrn == 0) {
        snprintf(why, whylen, "local_ref is empty");
        return -1;
    }
    if (!norm_utf8_valid(lr, lrn) || memchr(lr, '\0', lrn) ||
        !norm_utf8_valid(arena->p + row->off[RF_HOUSEHOLD_REF], row->len[RF_HOUSEHOLD_REF])) {
        snprintf(why, whylen, "local_ref or household_ref is not valid UTF-8 (is the encoding right?)");
        return -1;
    }
    return 0;
}

csvio_reader *mapping_open_export(const char *mapfile, const char *path, mapping **map, csvio_record *header)
{
    char err[1024];
    *map = mapfile ? mapping_load(mapfile, err, sizeof err) : mapping_canonical();
    if (!*map)
        die(TZNR_EXIT_FAIL, "%s", err);
    csvio_options copt;
    mapping_csv_options(*map, &copt);
    csvio_reader *rd = csvio_open_header(NULL, path, &copt, "", header);
    if (mapping_bind(*map, header, err, sizeof err) != 0)
        die(TZNR_EXIT_REFUSED, "refusing '%s': %s", path, err);
    return rd;
}
