/* csv-spectrum: the CSV edge cases of the csv-spectrum package (tests/fixtures/csv-spectrum,
 * its README), each case's CSV read by the reader and compared with the case's expected JSON.
 * The expected files are arrays of objects whose values are strings (one is a bare object);
 * the small JSON reader below takes exactly that and fails the test on anything else. */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "sbuf.h"
#include "testutil.h"

#define SPECTRUM "tests/fixtures/csv-spectrum"

/* Every case of the package: those read as their JSON says, then the one the reader refuses on
 * purpose (a quote inside an unquoted field: RFC 4180 section 2, rule 5; the README). */
static const char *const passing[] = {"comma_in_quotes", "empty", "empty_crlf", "escaped_quotes",
                                      "json", "newlines", "newlines_crlf", "quotes_and_newlines",
                                      "simple", "simple_crlf", "utf8"};
#define NPASSING (sizeof passing / sizeof passing[0])
#define REFUSED "location_coordinates"

/* ==== a JSON reader for arrays of objects of strings ====================================== */

typedef struct jobj {
    size_t n;
    sbuf *key, *val;
} jobj;

typedef struct jdoc {
    size_t n;
    jobj *obj;
    int bare_object; /* the file is one object, not an array of them */
} jdoc;

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0')
                     : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                     : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10) : 16u;
        if (d == 16)
            return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

static void add_utf8(sbuf *b, unsigned cp)
{
    if (cp < 0x80) {
        sbuf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        sbuf_addc(b, (char)(0xC0 | (cp >> 6)));
        sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sbuf_addc(b, (char)(0xE0 | (cp >> 12)));
        sbuf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sbuf_addc(b, (char)(0xF0 | (cp >> 18)));
        sbuf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sbuf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* A JSON string at P (its opening quote) into OUT; the text after it, or NULL if malformed. */
static const char *jstring(const char *p, sbuf *out)
{
    if (*p++ != '"')
        return NULL;
    sbuf_init(out);
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"')
            return p;
        if (c < 0x20) /* the end of the text, or a control character JSON must escape */
            return NULL;
        if (c != '\\') {
            sbuf_addc(out, (char)c);
            continue;
        }
        char e = *p++;
        unsigned cp, lo;
        switch (e) {
        case '"': case '\\': case '/': sbuf_addc(out, e); break;
        case 'b': sbuf_addc(out, '\b'); break;
        case 'f': sbuf_addc(out, '\f'); break;
        case 'n': sbuf_addc(out, '\n'); break;
        case 'r': sbuf_addc(out, '\r'); break;
        case 't': sbuf_addc(out, '\t'); break;
        case 'u':
            if (hex4(p, &cp) != 0)
                return NULL;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* a surrogate pair */
                if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return NULL;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return NULL;
            }
            add_utf8(out, cp);
            break;
        default:
            return NULL;
        }
    }
}

/* {"key": "value", ...} at P into O; the text after it, or NULL. */
static const char *jobject(const char *p, jobj *o)
{
    memset(o, 0, sizeof *o);
    if (*p++ != '{')
        return NULL;
    p = skip_ws(p);
    if (*p == '}')
        return p + 1;
    for (;;) {
        o->key = realloc(o->key, (o->n + 1) * sizeof *o->key);
        o->val = realloc(o->val, (o->n + 1) * sizeof *o->val);
        p = jstring(skip_ws(p), &o->key[o->n]);
        if (!p)
            return NULL;
        p = skip_ws(p);
        if (*p++ != ':')
            return NULL;
        p = jstring(skip_ws(p), &o->val[o->n]);
        if (!p)
            return NULL;
        o->n++;
        p = skip_ws(p);
        if (*p == '}')
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

/* The whole text S: an array of objects, or one object. 0, or -1 if it is anything else. */
static int jparse(const char *s, jdoc *d)
{
    memset(d, 0, sizeof *d);
    const char *p = skip_ws(s);
    if (*p == '{') {
        d->bare_object = 1;
        d->obj = calloc(1, sizeof *d->obj);
        p = jobject(p, &d->obj[0]);
        if (!p)
            return -1;
        d->n = 1;
    } else if (*p == '[') {
        p = skip_ws(p + 1);
        if (*p == ']') {
            p++;
        } else {
            for (;;) {
                d->obj = realloc(d->obj, (d->n + 1) * sizeof *d->obj);
                p = jobject(skip_ws(p), &d->obj[d->n]);
                if (!p)
                    return -1;
                d->n++;
                p = skip_ws(p);
                if (*p == ']') {
                    p++;
                    break;
                }
                if (*p++ != ',')
                    return -1;
            }
        }
    } else {
        return -1;
    }
    return *skip_ws(p) == '\0' ? 0 : -1;
}

static void jfree(jdoc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        for (size_t k = 0; k < d->obj[i].n; k++) {
            sbuf_free(&d->obj[i].key[k]);
            sbuf_free(&d->obj[i].val[k]);
        }
        free(d->obj[i].key);
        free(d->obj[i].val);
    }
    free(d->obj);
}

static void load_expected(const char *name, jdoc *d)
{
    const char *path = tu_fmt(SPECTRUM "/json/%s.json", name);
    char *text = tu_read(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    ck_assert_msg(jparse(text, d) == 0, "%s is not an array of objects of strings", path);
    free(text);
}

/* ==== the reader's records =============================================================== */

typedef struct row {
    long line;
    char *error;
    size_t n;
    sbuf *field;
} row;

/* Every record of the case's CSV as the reader hands it out; their number in *N. */
static row *read_csv(const char *name, size_t *n)
{
    const char *path = tu_fmt(SPECTRUM "/csvs/%s.csv", name);
    csvio_options opt = {.sep = ','};
    char err[512];
    csvio_reader *r = csvio_open(path, &opt, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    row *rows = NULL;
    csvio_record rec;
    int rc;
    *n = 0;
    while ((rc = csvio_next(r, &rec)) == 1) {
        rows = realloc(rows, (*n + 1) * sizeof *rows);
        row *w = &rows[(*n)++];
        w->line = rec.line;
        w->error = rec.error ? strdup(rec.error) : NULL;
        w->n = rec.nfields;
        w->field = calloc(rec.nfields ? rec.nfields : 1, sizeof *w->field);
        for (size_t i = 0; i < rec.nfields; i++) {
            sbuf_init(&w->field[i]);
            sbuf_add(&w->field[i], rec.field[i], rec.len[i]);
        }
    }
    ck_assert_msg(rc == 0, "%s: %s", name, csvio_error(r));
    csvio_close(r);
    return rows;
}

static void free_rows(row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < rows[i].n; k++)
            sbuf_free(&rows[i].field[k]);
        free(rows[i].field);
        free(rows[i].error);
    }
    free(rows);
}

static int same(const sbuf *a, const sbuf *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* The header's column named KEY, or -1. */
static long column(const row *header, const sbuf *key)
{
    for (size_t c = 0; c < header->n; c++)
        if (same(&header->field[c], key))
            return (long)c;
    return -1;
}

/* The header is read cleanly, its names distinct, and they are the object O's keys. */
static void check_header(const char *name, const row *header, const jobj *o)
{
    ck_assert_msg(header->error == NULL, "%s: header refused: %s", name, header->error);
    for (size_t c = 0; c < header->n; c++)
        for (size_t d = c + 1; d < header->n; d++)
            ck_assert_msg(!same(&header->field[c], &header->field[d]), "%s: column %zu twice", name, c + 1);
    ck_assert_msg(o->n == header->n, "%s: the header has %zu columns, the expected object %zu keys", name,
                  header->n, o->n);
    for (size_t k = 0; k < o->n; k++)
        ck_assert_msg(column(header, &o->key[k]) >= 0, "%s: no column '%s' in the header", name, o->key[k].p);
}

/* ==== the cases ========================================================================== */

/* Each case the reader reads as csv-spectrum expects: the first record is the header, each
 * following one an object of the JSON whose every key holds that column's value, byte for
 * byte (doubled quotes undone, line breaks inside quotes kept as written, CRLF included). */
START_TEST(test_spectrum_case)
{
    const char *name = passing[_i];
    jdoc want;
    load_expected(name, &want);
    ck_assert_msg(!want.bare_object, "%s: the expected JSON is not an array", name);
    size_t n;
    row *rows = read_csv(name, &n);
    ck_assert_msg(n >= 1, "%s: no header", name);
    ck_assert_msg(n - 1 == want.n, "%s: %zu records after the header, %zu expected", name, n - 1, want.n);
    for (size_t r = 0; r < want.n; r++) {
        const row *got = &rows[r + 1];
        const jobj *o = &want.obj[r];
        check_header(name, &rows[0], o);
        ck_assert_msg(got->error == NULL, "%s: record %zu (line %ld) refused: %s", name, r + 1, got->line,
                      got->error);
        ck_assert_msg(got->n == rows[0].n, "%s: record %zu has %zu fields, the header %zu", name, r + 1,
                      got->n, rows[0].n);
        for (size_t k = 0; k < o->n; k++) {
            long c = column(&rows[0], &o->key[k]);
            ck_assert_msg(same(&got->field[c], &o->val[k]), "%s: record %zu, '%s' is '%s', expected '%s'", name,
                          r + 1, o->key[k].p, got->field[c].p, o->val[k].p);
        }
    }
    free_rows(rows, n);
    jfree(&want);
}
END_TEST

/* location_coordinates has a quote inside an unquoted field (37°36'37.8"N), which RFC 4180
 * (section 2, rule 5) and the extract contract do not allow: the reader hands the record out
 * with an error naming the line and the column of that quote, so the row is rejected and
 * located (docs/extract-format.md, rejects). Its header is read as expected. */
START_TEST(test_spectrum_location_coordinates_refused)
{
    jdoc want;
    load_expected(REFUSED, &want);
    ck_assert_uint_eq(want.n, 1);
    size_t n;
    row *rows = read_csv(REFUSED, &n);
    ck_assert_msg(n == 2, "%zu records, expected the header and one refused row", n);
    check_header(REFUSED, &rows[0], &want.obj[0]);

    /* the column of the first quote of the CSV's second line, counted in bytes from 1 */
    char *csv = tu_read(SPECTRUM "/csvs/" REFUSED ".csv", NULL);
    ck_assert_ptr_nonnull(csv);
    const char *line2 = strchr(csv, '\n') + 1;
    const char *quote = strchr(line2, '"');
    ck_assert_msg(quote != NULL && memchr(line2, '\n', (size_t)(quote - line2)) == NULL,
                  "the second line has no quote");
    ck_assert_msg(line2[0] != '"', "the second line starts with a quoted field");
    const char *where = tu_fmt("malformed CSV at line 2, column %ld: a quote inside an unquoted field",
                               (long)(quote - line2) + 1);
    free(csv);

    ck_assert_int_eq(rows[1].line, 2);
    ck_assert_msg(rows[1].error != NULL, "the row with a quote inside an unquoted field was accepted");
    ck_assert_msg(strncmp(rows[1].error, where, strlen(where)) == 0, "error '%s', expected '%s...'",
                  rows[1].error, where);
    free_rows(rows, n);
    jfree(&want);
}
END_TEST

/* The fixture folder holds exactly the cases above, each with its CSV and its JSON: a case
 * added by a new version of the package is not skipped unseen. */
START_TEST(test_spectrum_every_case_is_run)
{
    const char *dirs[] = {SPECTRUM "/csvs", SPECTRUM "/json"};
    const char *ext[] = {".csv", ".json"};
    for (int d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        ck_assert_msg(dir != NULL, "cannot open %s", dirs[d]);
        size_t found = 0;
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            size_t len = strlen(e->d_name), el = strlen(ext[d]);
            ck_assert_msg(len > el && strcmp(e->d_name + len - el, ext[d]) == 0, "%s/%s is not a %s file",
                          dirs[d], e->d_name, ext[d]);
            int listed = strlen(REFUSED) == len - el && strncmp(e->d_name, REFUSED, len - el) == 0;
            for (size_t i = 0; i < NPASSING && !listed; i++)
                listed = strlen(passing[i]) == len - el && strncmp(e->d_name, passing[i], len - el) == 0;
            ck_assert_msg(listed, "%s/%s is a case the test does not run", dirs[d], e->d_name);
            found++;
        }
        closedir(dir);
        ck_assert_msg(found == NPASSING + 1, "%s holds %zu cases, expected %zu", dirs[d], found, NPASSING + 1);
    }
}
END_TEST

Suite *suite_csv_spectrum(void)
{
    Suite *s = suite_create("csv_spectrum");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_spectrum_case, 0, (int)NPASSING);
    tcase_add_test(tc, test_spectrum_location_coordinates_refused);
    tcase_add_test(tc, test_spectrum_every_case_is_run);
    suite_add_tcase(s, tc);
    return s;
}
