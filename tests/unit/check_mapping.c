/* mapping: loading mapping files (errors name the file and line), binding the export's header,
 * applying value maps and joins to records. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvio.h"
#include "extract.h"
#include "mapping.h"
#include "sbuf.h"
#include "testutil.h"

/* tu_tmpdir's names are malloc'd and never freed: keep them reachable, or LeakSanitizer (the
 * ASan build) fails every test that made a temp dir. */
static const char *tmpdir(void)
{
    static const char **kept;
    static size_t nkept;
    const char *d = tu_tmpdir();
    kept = realloc(kept, (nkept + 1) * sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    kept[nkept++] = d;
    return d;
}


/* The canonical mapping. */
static mapping *canonical(void)
{
    mapping *m = mapping_canonical();
    ck_assert_ptr_nonnull(m);
    return m;
}

/* A hand-built record: fields given as one string separated by '|'. */
struct hrec {
    csvio_record rec;
    char *buf;
    const char *f[64];
    size_t l[64];
};

static void mkrec(struct hrec *h, long line, const char *fields)
{
    memset(h, 0, sizeof *h);
    h->buf = strdup(fields);
    size_t n = 0;
    char *p = h->buf;
    for (;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        ck_assert(n < 64);
        h->f[n] = p;
        h->l[n] = strlen(p);
        n++;
        if (!bar)
            break;
        p = bar + 1;
    }
    h->rec.nfields = n;
    h->rec.field = h->f;
    h->rec.len = h->l;
    h->rec.line = line;
    h->rec.raw = fields;
    h->rec.raw_len = strlen(fields);
}

static void freerec(struct hrec *h) { free(h->buf); }

/* Write a mapping file; return its path (malloc'd). */
static char *mapfile(const char *text)
{
    char *path = strdup(tu_fmt("%s/map.ini", tmpdir()));
    tu_write_str(path, text);
    return path;
}

static mapping *load_ok(const char *text)
{
    char *path = mapfile(text);
    char err[1024] = "";
    mapping *m = mapping_load(path, err, sizeof err);
    ck_assert_msg(m != NULL, "mapping_load: %s", err);
    free(path);
    return m;
}

/* Loading TEXT fails with "FILE:LINE: ..." holding WHAT. */
static void load_fails(const char *text, int line, const char *what)
{
    char *path = mapfile(text);
    char err[1024] = "";
    mapping *m = mapping_load(path, err, sizeof err);
    ck_assert_msg(m == NULL, "mapping_load accepted:\n%s", text);
    const char *prefix = tu_fmt("%s:%d: ", path, line);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "error '%s' should start with '%s'", err, prefix);
    ck_assert_msg(strstr(err, what) != NULL, "error '%s' should mention '%s'", err, what);
    ck_assert_msg(strchr(err, '\n') == NULL, "error '%s' is not one line", err);
    free(path);
}

START_TEST(test_load_errors)
{
    /* an unknown section: reported at its first key */
    load_fails("[input]\nencoding = utf-8\n[colums]\nlocal_ref = ID\n", 4, "colums");
    load_fails("[columns]\nlocal_ref = ID\n\n# a comment\n[value.sexe]\nM = 1\n", 6, "value.sexe");
    /* an unknown key in [input] */
    load_fails("# agency X\n[input]\nencodage = latin1\n[columns]\nlocal_ref = ID\n", 3, "encodage");
    /* an unknown canonical field */
    load_fails("[columns]\nlocal_ref = ID\nprenon = PRENOM\n", 3, "prenon");
    /* a field mapped twice */
    load_fails("[columns]\nlocal_ref = ID\nnom = NOM\n\nnom = NOM2\n", 5, "nom");
    load_fails("[columns]\nlocal_ref = ID\nNOM = NOM\nnom = NOM2\n", 4, "twice");
    /* bad separator */
    load_fails("[input]\nseparator = ::\n[columns]\nlocal_ref = ID\n", 2, "::");
    load_fails("[input]\nseparator = x\n", 2, "separator");
    /* bad date_format */
    load_fails("[input]\nseparator = ;\ndate_format = MM/DD/YYYY\n", 3, "MM/DD/YYYY");
    /* bad decimal mark */
    load_fails("[input]\ndecimal = ;\n", 2, "decimal");
    /* '+' is only for adresse */
    load_fails("[columns]\nlocal_ref = ID\nnom = NOM1 + NOM2\n", 3, "nom");
    load_fails("[columns]\nlocal_ref = A+B\n", 2, "local_ref");
    load_fails("[columns]\nlocal_ref = ID\nadresse = A1+A2+A3+A4+A5+A6+A7+A8+A9\n", 3, "adresse");
    /* a field with no column */
    load_fails("[columns]\nlocal_ref = ID\nnom =\n", 3, "nom");
    /* value maps only for sexe, role and the flags */
    load_fails("[columns]\nlocal_ref = ID\n[values.nom]\nX = Y\n", 4, "nom");
    /* not 'key = value' */
    load_fails("[columns]\nlocal_ref = ID\njust some text\n", 3, "just some text");
    load_fails("[columns\nlocal_ref = ID\n", 1, "columns");
}
END_TEST

START_TEST(test_load_missing_local_ref)
{
    char *path = mapfile("[input]\nseparator = ;\n[columns]\nnom = NOM\nprenom = PRENOM\n");
    char err[1024] = "";
    ck_assert_ptr_null(mapping_load(path, err, sizeof err));
    ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
                  "error '%s' should start with the file name", err);
    ck_assert_msg(strstr(err, "local_ref") != NULL, "error '%s' should name local_ref", err);
    /* the error names the [columns] header's line, as mapping.h promises FILE:LINE */
    ck_assert_msg(strncmp(err, tu_fmt("%s:3: ", path), strlen(path) + 4) == 0, "error '%s' has no line", err);
    free(path);

    /* a file that is not there is named */
    ck_assert_ptr_null(mapping_load("/nonexistent/map.ini", err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/map.ini") != NULL, "error '%s'", err);
}
END_TEST

START_TEST(test_load_options)
{
    mapping *m = load_ok("\xEF\xBB\xBF# BOM, comments and blank lines are fine\n"
                         "[INPUT]\n"
                         "Encoding = cp1252\n"
                         "separator = ;\n"
                         "date_format = DD/MM/YYYY\n"
                         "decimal = ,\n"
                         "; another comment\n\n"
                         "[columns]\n"
                         "local_ref = NUM ALLOC\n");
    csvio_options opt;
    mapping_csv_options(m, &opt);
    ck_assert_int_eq(opt.sep, ';');
    ck_assert_ptr_nonnull(opt.encoding);
    ck_assert_str_eq(opt.encoding, "WINDOWS-1252");
    extract_format fmt;
    mapping_format(m, &fmt);
    ck_assert_int_eq(fmt.date, DATE_DMY);
    ck_assert_int_eq(fmt.decimal, ',');
    mapping_free(m);

    m = load_ok("[input]\nencoding = latin1\nseparator = tab\ndate_format = YYYYMMDD\n[columns]\nlocal_ref = ID\n");
    mapping_csv_options(m, &opt);
    ck_assert_int_eq(opt.sep, '\t');
    ck_assert_str_eq(opt.encoding, "ISO-8859-1");
    mapping_format(m, &fmt);
    ck_assert_int_eq(fmt.date, DATE_COMPACT);
    ck_assert_int_eq(fmt.decimal, '.');
    mapping_free(m);

    /* defaults: UTF-8, comma, ISO dates, '.' */
    m = load_ok("[columns]\nlocal_ref = ID\n");
    mapping_csv_options(m, &opt);
    ck_assert_int_eq(opt.sep, ',');
    ck_assert(opt.encoding == NULL || strcasecmp(opt.encoding, "UTF-8") == 0);
    mapping_format(m, &fmt);
    ck_assert_int_eq(fmt.date, DATE_ISO);
    ck_assert_int_eq(fmt.decimal, '.');
    mapping_free(m);
}
END_TEST

/* Bind HEADER ('|'-separated) to M; return mapping_bind's result, the reason in ERR. */
static int bind(mapping *m, const char *header, char *err, size_t errlen)
{
    struct hrec h;
    mkrec(&h, 1, header);
    err[0] = '\0';
    int rc = mapping_bind(m, &h.rec, err, errlen);
    freerec(&h);
    return rc;
}

START_TEST(test_bind_mapped_columns)
{
    mapping *m = load_ok("[columns]\nlocal_ref = ID\nnom = NOM_NAISS\nadresse = NUM + VOIE\n");
    char err[1024];
    /* a mapped column missing is refused, naming it */
    ck_assert_int_eq(bind(m, "ID|NOM|NUM|VOIE", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "NOM_NAISS") != NULL, "error '%s' should name NOM_NAISS", err);
    ck_assert_int_eq(bind(m, "ID|NOM_NAISS|NUM", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "VOIE") != NULL, "error '%s' should name VOIE", err);
    /* names are case-sensitive */
    ck_assert_int_eq(bind(m, "id|NOM_NAISS|NUM|VOIE", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'ID'") != NULL, "error '%s' should name ID", err);
    /* a mapped column twice */
    ck_assert_int_eq(bind(m, "ID|NOM_NAISS|NUM|VOIE|ID", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "twice") != NULL && strstr(err, "ID") != NULL, "error '%s'", err);
    /* other columns are ignored, header cells are trimmed */
    ck_assert_msg(bind(m, "EXTRA| ID |VOIE|NUM|NOM_NAISS|EXTRA", err, sizeof err) == 0, "%s", err);
    ck_assert(strchr(err, '\n') == NULL);
    mapping_free(m);
}
END_TEST

START_TEST(test_bind_canonical)
{
    mapping *m = canonical();
    char err[1024];
    /* an unknown column is refused, naming it */
    ck_assert_int_eq(bind(m, "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|adresse|"
                             "commune|date_naisance", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'date_naisance'") != NULL, "error '%s' should name the column", err);
    /* a required column missing */
    ck_assert_int_eq(bind(m, "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|adresse",
                          err, sizeof err), -1);
    ck_assert_msg(strstr(err, "commune") != NULL, "error '%s' should name commune", err);
    /* a column twice */
    ck_assert_int_eq(bind(m, "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|adresse|"
                             "commune|nom", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "twice") != NULL, "error '%s'", err);
    mapping_free(m);

    /* the required ones, in any order, without the optional ones */
    m = canonical();
    ck_assert_msg(bind(m, "commune|adresse|sexe|date_naissance|prenom|nom_usage|nom|nir|household_ref|local_ref",
                       err, sizeof err) == 0, "%s", err);
    struct hrec h;
    mkrec(&h, 7, "33063|1 rue X|2|1985-05-12|Anne|Dupont|Martin|285057800608412|H1|L1");
    sbuf arena;
    sbuf_init(&arena);
    extract_row row;
    char why[512];
    ck_assert_msg(mapping_apply(m, &h.rec, &arena, &row, why, sizeof why) == 0, "%s", why);
    ck_assert_int_eq(row.line, 7);
    ck_assert_str_eq(arena.p + row.off[RF_LOCAL_REF], "L1");
    ck_assert_str_eq(arena.p + row.off[RF_NOM], "Martin");
    ck_assert_str_eq(arena.p + row.off[RF_NOM_USAGE], "Dupont");
    ck_assert_str_eq(arena.p + row.off[RF_COMMUNE], "33063");
    ck_assert_uint_eq(row.len[RF_ROLE], 0);
    ck_assert_uint_eq(row.len[RF_RSA], 0);
    ck_assert_uint_eq(row.len[RF_LOYER], 0);
    freerec(&h);
    mapping_free(m);

    /* with some of the optional ones */
    m = canonical();
    ck_assert_msg(bind(m, "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|adresse|commune|"
                          "role|loyer|rsa", err, sizeof err) == 0, "%s", err);
    mkrec(&h, 2, "L2||||||||||E|450.5|1");
    sbuf_reset(&arena);
    ck_assert_msg(mapping_apply(m, &h.rec, &arena, &row, why, sizeof why) == 0, "%s", why);
    ck_assert_str_eq(arena.p + row.off[RF_ROLE], "E");
    ck_assert_str_eq(arena.p + row.off[RF_LOYER], "450.5");
    ck_assert_str_eq(arena.p + row.off[RF_RSA], "1");
    ck_assert_uint_eq(row.len[RF_AAH], 0);
    freerec(&h);
    mapping_free(m);
    sbuf_free(&arena);
}
END_TEST

START_TEST(test_bind_canonical_rebind)
{
    static const char *const required = "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|"
                                        "adresse|commune";
    mapping *m = canonical();
    char err[1024];
    ck_assert_msg(bind(m, required, err, sizeof err) == 0, "%s", err);
    /* binding a header without the optional columns does not forget them: a second header
     * with them binds (and under ASan, nothing leaks) */
    ck_assert_msg(bind(m, "local_ref|household_ref|nir|nom|nom_usage|prenom|date_naissance|sexe|adresse|"
                          "commune|role", err, sizeof err) == 0, "re-bind: %s", err);
    ck_assert_msg(bind(m, required, err, sizeof err) == 0, "%s", err);
    mapping_free(m);
}
END_TEST

/* A record after mapping_apply: its arena and row. */
struct applied {
    sbuf arena;
    extract_row row;
};

/* Apply M to a record of FIELDS ('|'-separated), which must succeed. */
static void apply_ok(const mapping *m, const char *fields, struct applied *a)
{
    struct hrec h;
    mkrec(&h, 5, fields);
    sbuf_init(&a->arena);
    char why[512] = "";
    ck_assert_msg(mapping_apply(m, &h.rec, &a->arena, &a->row, why, sizeof why) == 0, "apply '%s': %s", fields, why);
    freerec(&h);
}

static const char *val(const struct applied *a, enum raw_field f)
{
    const char *v = a->arena.p + a->row.off[f];
    ck_assert_uint_eq(strlen(v), a->row.len[f]);
    return v;
}

START_TEST(test_apply_value_maps)
{
    mapping *m = load_ok("[columns]\n"
                         "local_ref = ID\n"
                         "sexe = SEXE\n"
                         "role = QUALITE\n"
                         "rsa = RSA\n"
                         "prime_activite = PPA\n"
                         "aah = AAH\n"
                         "css = CSS\n"
                         "[values.sexe]\n"
                         "M = 1\n"
                         "F = 2\n"
                         "[values.role]\n"
                         "ALLOCATAIRE = D\n"
                         "CONJOINT = C\n"
                         "ENFANT = E\n"
                         "[values.flags]\n"
                         "O = 1\n"
                         "N = 0\n"
                         "[values.rsa]\n"
                         "OUI = 1\n"
                         "NON = 0\n");
    char err[512];
    ck_assert_msg(bind(m, "ID|SEXE|QUALITE|RSA|PPA|AAH|CSS", err, sizeof err) == 0, "%s", err);
    struct applied a;
    apply_ok(m, "A1|M|ALLOCATAIRE|oui|O|N|1", &a);
    ck_assert_str_eq(val(&a, RF_LOCAL_REF), "A1");
    ck_assert_str_eq(val(&a, RF_SEXE), "1");
    ck_assert_str_eq(val(&a, RF_ROLE), "D");
    ck_assert_str_eq(val(&a, RF_RSA), "1");
    ck_assert_str_eq(val(&a, RF_PRIME_ACTIVITE), "1");
    ck_assert_str_eq(val(&a, RF_AAH), "0");
    ck_assert_str_eq(val(&a, RF_CSS), "1"); /* a canonical value passes */
    sbuf_free(&a.arena);

    /* case-insensitive, after trimming */
    apply_ok(m, "A2| f |conjoint|Non|o|n|0", &a);
    ck_assert_str_eq(val(&a, RF_SEXE), "2");
    ck_assert_str_eq(val(&a, RF_ROLE), "C");
    ck_assert_str_eq(val(&a, RF_RSA), "0");
    ck_assert_str_eq(val(&a, RF_PRIME_ACTIVITE), "1");
    ck_assert_str_eq(val(&a, RF_AAH), "0");
    sbuf_free(&a.arena);

    /* [values.rsa] replaces [values.flags] for rsa: O is not in it, so it stays O (and the
     * encoder will count it invalid); unknown values pass unchanged */
    apply_ok(m, "A3|X|Enfant|O|OUI||", &a);
    ck_assert_str_eq(val(&a, RF_SEXE), "X");
    ck_assert_str_eq(val(&a, RF_ROLE), "E");
    ck_assert_str_eq(val(&a, RF_RSA), "O");
    ck_assert_str_eq(val(&a, RF_PRIME_ACTIVITE), "OUI");
    ck_assert_str_eq(val(&a, RF_AAH), "");
    /* fields not mapped are empty */
    ck_assert_str_eq(val(&a, RF_NOM), "");
    ck_assert_str_eq(val(&a, RF_NIR), "");
    ck_assert_str_eq(val(&a, RF_FSL), "");
    sbuf_free(&a.arena);
    mapping_free(m);
}
END_TEST

START_TEST(test_apply_adresse_join)
{
    mapping *m = load_ok("[input]\nseparator = ;\n[columns]\nlocal_ref = ID\n"
                         "adresse = NUM + TYPE_VOIE + LIB_VOIE + COMPL\ncommune = INSEE\n");
    char err[512];
    ck_assert_msg(bind(m, "COMPL|ID|NUM|TYPE_VOIE|LIB_VOIE|INSEE", err, sizeof err) == 0, "%s", err);
    struct applied a;
    apply_ok(m, "Bat B|P1|12| rue |  de la Paix |33063", &a);
    ck_assert_str_eq(val(&a, RF_ADRESSE), "12 rue de la Paix Bat B");
    ck_assert_str_eq(val(&a, RF_COMMUNE), "33063");
    sbuf_free(&a.arena);
    apply_ok(m, "|P2|  |Allee|des Pins|33522", &a);
    ck_assert_str_eq(val(&a, RF_ADRESSE), "Allee des Pins");
    sbuf_free(&a.arena);
    apply_ok(m, "Lieu-dit Kerné|P3|||| 2A004", &a);
    ck_assert_str_eq(val(&a, RF_ADRESSE), "Lieu-dit Kerné");
    sbuf_free(&a.arena);
    apply_ok(m, " | P4 | | | |", &a);
    ck_assert_str_eq(val(&a, RF_ADRESSE), "");
    ck_assert_str_eq(val(&a, RF_LOCAL_REF), " P4 "); /* trimmed later, by the encoder */
    sbuf_free(&a.arena);
    mapping_free(m);
}
END_TEST

/* Applying REC fails with a reason holding WHAT. */
static void apply_fails(const mapping *m, const csvio_record *rec, const char *what)
{
    sbuf arena;
    sbuf_init(&arena);
    extract_row row;
    char why[512] = "";
    ck_assert_msg(mapping_apply(m, rec, &arena, &row, why, sizeof why) == -1, "line %ld accepted", rec->line);
    ck_assert_msg(strstr(why, what) != NULL, "reason '%s' should mention '%s'", why, what);
    ck_assert_int_eq(row.line, rec->line);
    sbuf_free(&arena);
}

static void apply_fails_str(const mapping *m, const char *fields, const char *what)
{
    struct hrec h;
    mkrec(&h, 9, fields);
    apply_fails(m, &h.rec, what);
    freerec(&h);
}

START_TEST(test_apply_rejects)
{
    mapping *m = load_ok("[columns]\nlocal_ref = ID\nhousehold_ref = FOYER\nnom = NOM\n");
    char err[512];
    ck_assert_msg(bind(m, "ID|FOYER|NOM|AUTRE", err, sizeof err) == 0, "%s", err);
    /* wrong field count, both ways */
    apply_fails_str(m, "1|2|3", "3");
    apply_fails_str(m, "1|2|3", "4");
    apply_fails_str(m, "1|2|3|4|5", "5");
    apply_fails_str(m, "1", "fields");
    /* empty local_ref */
    apply_fails_str(m, "|F1|Dupont|x", "local_ref");
    apply_fails_str(m, "  \t |F1|Dupont|x", "empty");
    /* local_ref with invalid UTF-8 (a Latin-1 é read as UTF-8), or a truncated sequence */
    apply_fails_str(m, "L\xe9on|F1|Dupont|x", "UTF-8");
    apply_fails_str(m, "L\xc3|F1|Dupont|x", "UTF-8");
    /* so is household_ref */
    apply_fails_str(m, "L1|F\xff|Dupont|x", "UTF-8");
    /* a NUL byte inside local_ref */
    struct hrec h;
    mkrec(&h, 11, "Lx|F1|Dupont|x");
    static const char nul_ref[] = "L\0x";
    h.f[0] = nul_ref;
    h.l[0] = 3;
    apply_fails(m, &h.rec, "local_ref");
    freerec(&h);
    /* a record the reader marked bad: its reason is kept */
    mkrec(&h, 12, "L1|F1|Dupont|x");
    h.rec.error = "malformed CSV at line 12, column 3";
    apply_fails(m, &h.rec, "malformed CSV at line 12");
    freerec(&h);
    /* but invalid UTF-8 elsewhere is left to the encoder, and a trimmed local_ref is fine */
    struct applied a;
    apply_ok(m, " L\xc3\xa9on |F1|Mu\xe9ller|x", &a);
    ck_assert_str_eq(val(&a, RF_NOM), "Mu\xe9ller");
    sbuf_free(&a.arena);
    mapping_free(m);
}
END_TEST

START_TEST(test_apply_from_csv_file)
{
    /* the reader and the mapping together: a Windows-1252 ';' export */
    const char *dir = tmpdir();
    char *mpath = strdup(tu_fmt("%s/caf.ini", dir));
    tu_write_str(mpath, "[input]\nencoding = windows-1252\nseparator = ;\n[columns]\nlocal_ref = MATRICULE\n"
                        "nom = NOM\nsexe = SEXE\nadresse = L1 + L2\n[values.sexe]\nH = 1\nF = 2\n");
    char err[1024];
    mapping *m = mapping_load(mpath, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    const char raw[] = "MATRICULE;NOM;SEXE;L1;L2\r\n"
                       "0012;Lef\xe8vre;h;\"3; all\xe9" "e\";des \x8Cillets\r\n"
                       "0013;\x8Cuvray;F;;\r\n";
    char *cpath = strdup(tu_fmt("%s/export.csv", dir));
    tu_write(cpath, raw, sizeof raw - 1);
    csvio_options opt;
    mapping_csv_options(m, &opt);
    csvio_reader *r = csvio_open(cpath, &opt, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    csvio_record rec;
    ck_assert_int_eq(csvio_next(r, &rec), 1);
    ck_assert_msg(mapping_bind(m, &rec, err, sizeof err) == 0, "%s", err);
    sbuf arena;
    sbuf_init(&arena);
    extract_row row;
    char why[256];
    ck_assert_int_eq(csvio_next(r, &rec), 1);
    ck_assert_msg(mapping_apply(m, &rec, &arena, &row, why, sizeof why) == 0, "%s", why);
    ck_assert_int_eq(row.line, 2);
    ck_assert_str_eq(arena.p + row.off[RF_LOCAL_REF], "0012");
    ck_assert_str_eq(arena.p + row.off[RF_NOM], "Lef\xc3\xa8vre");
    ck_assert_str_eq(arena.p + row.off[RF_SEXE], "1");
    ck_assert_str_eq(arena.p + row.off[RF_ADRESSE], "3; all\xc3\xa9" "e des \xc5\x92illets");
    ck_assert_int_eq(csvio_next(r, &rec), 1);
    sbuf_reset(&arena);
    ck_assert_msg(mapping_apply(m, &rec, &arena, &row, why, sizeof why) == 0, "%s", why);
    ck_assert_int_eq(row.line, 3);
    ck_assert_str_eq(arena.p + row.off[RF_NOM], "\xc5\x92uvray");
    ck_assert_str_eq(arena.p + row.off[RF_SEXE], "2");
    ck_assert_str_eq(arena.p + row.off[RF_ADRESSE], "");
    ck_assert_int_eq(csvio_next(r, &rec), 0);
    csvio_close(r);
    sbuf_free(&arena);
    mapping_free(m);
    free(mpath);
    free(cpath);
}
END_TEST

Suite *suite_mapping(void)
{
    Suite *s = suite_create("mapping");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_load_missing_local_ref);
    tcase_add_test(tc, test_load_options);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tc = tcase_create("bind");
    tcase_add_test(tc, test_bind_mapped_columns);
    tcase_add_test(tc, test_bind_canonical);
    tcase_add_test(tc, test_bind_canonical_rebind);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tc = tcase_create("apply");
    tcase_add_test(tc, test_apply_value_maps);
    tcase_add_test(tc, test_apply_adresse_join);
    tcase_add_test(tc, test_apply_rejects);
    tcase_add_test(tc, test_apply_from_csv_file);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}
