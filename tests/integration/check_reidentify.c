/* End to end: `tznr reidentify` driven through the built binary in temp folders: a small raw
 * export pseudonymised, an outreach list in the platform's format built from its tokens, then
 * re-identified with and without the raw export; the output's layout, order and mode; tokens
 * not in the map; refusals, usage errors, the platform guard; a Windows-1252 export read
 * through a mapping file. */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "testutil.h"

/* tu_tmpdir's names are malloc'd and never freed: keep them reachable for LeakSanitizer. */
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

#define BOM "\xEF\xBB\xBF"
#define LIST_HEADER "token;foyer;regle;prestation;motif;montant_mensuel_estime;confiance;priorite;source;premiere_detection"
#define OUT_HEADER                                                                                                  \
    "token;local_ref;foyer;regle;prestation;motif;montant_mensuel_estime;confiance;priorite;source;"             \
    "premiere_detection"
/* the empty columns a team fills in and sends back to tznr feedback */
#define OUTCOME_COLS ";statut;date;commentaire"
/* a token that is in no map */
#define STRAY_TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- helpers ---------------------------------------------------------------------------- */

struct ctx {
    char *dir;
    char *key;
};

static void ctx_init(struct ctx *c)
{
    c->dir = strdup(tmpdir());
    c->key = strdup(tu_test_key(c->dir));
}

static void ctx_free(struct ctx *c)
{
    free(c->dir);
    free(c->key);
}

static const char *path_in(const struct ctx *c, const char *name) { return tu_fmt("%s/%s", c->dir, name); }

/* Run `tznr ARGS...` with ENV before it (shell syntax); TZNR_CONFIG is unset unless ENV sets it. */
static int run_env(const struct ctx *c, const char *env, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int run_env(const struct ctx *c, const char *env, char **out, char **err, const char *fmt, ...)
{
    (void)c;
    char envs[512];
    snprintf(envs, sizeof envs, "env -u TZNR_CONFIG %s", env ? env : "");
    va_list ap;
    va_start(ap, fmt);
    int rc = tu_vrun_bin(envs, "tznr", out, err, fmt, ap);
    va_end(ap);
    return rc;
}

#define TZNR(c, out, err, ...) run_env((c), NULL, (out), (err), __VA_ARGS__)

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s is missing", path);
    return (unsigned)(st.st_mode & 07777);
}

static char *slurp(const char *path, size_t *len)
{
    char *s = tu_read(path, len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static int count_char(const char *s, char ch)
{
    int n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

static void no_tmp_files(const struct ctx *c)
{
    DIR *d = opendir(c->dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        ck_assert_msg(!(l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0), "left behind: %s", e->d_name);
    }
    closedir(d);
}

/* A CSV file read with the project's reader (quoted fields, BOM): rows of copied fields. */
typedef struct {
    char ***row; /* row[0] is the header */
    size_t *nf;
    size_t n;
} table;

static void table_read(table *t, const char *path, char sep)
{
    char err[512];
    csvio_options opt = {0};
    opt.sep = sep;
    csvio_reader *r = csvio_open(path, &opt, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    memset(t, 0, sizeof *t);
    csvio_record rec;
    int rc;
    while ((rc = csvio_next(r, &rec)) > 0) {
        ck_assert_msg(rec.error == NULL, "%s line %ld: %s", path, rec.line, rec.error);
        t->row = realloc(t->row, (t->n + 1) * sizeof *t->row);
        t->nf = realloc(t->nf, (t->n + 1) * sizeof *t->nf);
        t->row[t->n] = calloc(rec.nfields, sizeof(char *));
        for (size_t i = 0; i < rec.nfields; i++)
            t->row[t->n][i] = strdup(rec.field[i]);
        t->nf[t->n] = rec.nfields;
        t->n++;
    }
    ck_assert_int_eq(rc, 0);
    csvio_close(r);
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; k < t->nf[i]; k++)
            free(t->row[i][k]);
        free(t->row[i]);
    }
    free(t->row);
    free(t->nf);
}

static size_t col(const table *t, const char *name)
{
    for (size_t i = 0; i < t->nf[0]; i++)
        if (strcmp(t->row[0][i], name) == 0)
            return i;
    ck_abort_msg("no column '%s'", name);
    return 0;
}

/* Data row I (0-based, after the header), column NAME. */
static const char *cell(const table *t, size_t i, const char *name)
{
    ck_assert_msg(i + 1 < t->n, "no row %zu", i);
    ck_assert_msg(t->nf[i + 1] == t->nf[0], "row %zu has %zu fields, the header %zu", i, t->nf[i + 1], t->nf[0]);
    return t->row[i + 1][col(t, name)];
}

/* The token of LOCAL_REF in a token map. */
static char *token_of(const char *tokens_path, const char *local_ref)
{
    table t;
    table_read(&t, tokens_path, ',');
    char *tok = NULL;
    for (size_t i = 1; i < t.n; i++)
        if (strcmp(t.row[i][0], local_ref) == 0)
            tok = strdup(t.row[i][1]);
    table_free(&t);
    ck_assert_msg(tok != NULL, "%s is not in %s", local_ref, tokens_path);
    return tok;
}

/* ---- the agency's raw export (canonical format), pseudonymised -------------------------- */

static const char RAW[] =
    "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n"
    "A0001,F01,185057800608491,Lef\xc3\xa8vre,,Jean,1985-05-12,1,12 rue de la Paix,33063\n"
    "A0002,F01,287063306301221,Martin,Lef\xc3\xa8vre,Marie-Claire,1987-06-03,2,12 rue de la Paix,33063\n"
    "A0003,F01,,Lef\xc3\xa8vre,,Zo\xc3\xab,2015-09-21,2,12 rue de la Paix,33063\n"
    "A0004,F02,175043300300500,\xc5\x92uvray,,Fran\xc3\xa7ois,1975-04-30,1,\"3 bis, all\xc3\xa9" "e des "
    "\xc5\x92illets\",33522\n"
    "A0005,F03,269052A12345688,Le Bihan-Kern\xc3\xa9,,\xc3\x89lo\xc3\xafse,1969-05-17,2,Lieu-dit Kern\xc3\xa9,2A004\n";

/* A test folder with raw.csv pseudonymised into ex.csv (ex.csv.tokens) and the tokens of
 * A0001, A0002, A0004. */
struct fixture {
    struct ctx c;
    char *t1, *t2, *t4;
};

static void fixture_init(struct fixture *f)
{
    ctx_init(&f->c);
    tu_write_str(path_in(&f->c, "raw.csv"), RAW);
    char *err = NULL;
    int rc = TZNR(&f->c, NULL, &err, "pseudonymise -q --key '%s' --source caf:gironde -o '%s' '%s'", f->c.key,
                  path_in(&f->c, "ex.csv"), path_in(&f->c, "raw.csv"));
    ck_assert_msg(rc == 0, "pseudonymise: exit %d: %s", rc, err);
    free(err);
    const char *tok = path_in(&f->c, "ex.csv.tokens");
    f->t1 = token_of(tok, "A0001");
    f->t2 = token_of(tok, "A0002");
    f->t4 = token_of(tok, "A0004");
}

static void fixture_free(struct fixture *f)
{
    free(f->t1);
    free(f->t2);
    free(f->t4);
    ctx_free(&f->c);
}

/* The platform's list: BOM, ';', CRLF, decimal comma, a motif holding a ';' inside quotes; in
 * this order A0004, a token in no map, A0001, A0002, A0004 again (a second rule). */
static char *platform_list(const struct fixture *f)
{
    char *s = NULL;
    ck_assert_int_ge(asprintf(&s,
                              BOM LIST_HEADER "\r\n"
                              "%s;17;rsa_isole;rsa;\"ressources sous le plafond; aucun RSA\";123,45;nir;1;caf:gironde;2026-01-15\r\n"
                              "%s;18;css;css;eligible;0;ident;3;caf:gironde;2026-01-15\r\n"
                              "%s;19;prime_activite;prime_activite;revenus d'activite;1 234,56;nir;2;caf:gironde;2026-01-16\r\n"
                              "%s;19;css;css;\"foyer \"\"sans\"\" CSS\";;clk 0,93;4;caf:gironde;2026-01-16\r\n"
                              "%s;17;aide_logement;aide_logement;loyer;88,5;nir;2;caf:gironde;2026-01-17\r\n",
                              f->t4, STRAY_TOKEN, f->t1, f->t2, f->t4),
                     0);
    return s;
}

/* The list's rows, field by field, as the output must repeat them. */
static void check_list_columns(const table *o, const struct fixture *f)
{
    ck_assert_uint_eq(o->n, 6);
    const char *tokens[] = {f->t4, STRAY_TOKEN, f->t1, f->t2, f->t4};
    const char *refs[] = {"A0004", "", "A0001", "A0002", "A0004"};
    const char *foyer[] = {"17", "18", "19", "19", "17"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_msg(strcmp(cell(o, i, "token"), tokens[i]) == 0, "row %zu: token %s", i, cell(o, i, "token"));
        ck_assert_msg(strcmp(cell(o, i, "local_ref"), refs[i]) == 0, "row %zu: local_ref '%s', expected '%s'", i,
                      cell(o, i, "local_ref"), refs[i]);
        ck_assert_str_eq(cell(o, i, "foyer"), foyer[i]);
        ck_assert_str_eq(cell(o, i, "source"), "caf:gironde");
    }
    ck_assert_str_eq(cell(o, 0, "motif"), "ressources sous le plafond; aucun RSA");
    ck_assert_str_eq(cell(o, 0, "montant_mensuel_estime"), "123,45");
    ck_assert_str_eq(cell(o, 2, "montant_mensuel_estime"), "1 234,56");
    ck_assert_str_eq(cell(o, 3, "motif"), "foyer \"sans\" CSS");
    ck_assert_str_eq(cell(o, 3, "montant_mensuel_estime"), "");
    ck_assert_str_eq(cell(o, 3, "confiance"), "clk 0,93");
    ck_assert_str_eq(cell(o, 4, "regle"), "aide_logement");
    ck_assert_str_eq(cell(o, 4, "premiere_detection"), "2026-01-17");
}

/* ---- without --raw ----------------------------------------------------------------------- */

START_TEST(test_local_ref_only)
{
    struct fixture f;
    fixture_init(&f);
    char *list = platform_list(&f);
    tu_write_str(path_in(&f.c, "liste.csv"), list);
    umask(0); /* the mode must not depend on a restrictive umask */
    char *err = NULL;
    int rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
                  path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    /* the summary: rows, found, not found, and the warning */
    ck_assert_msg(strstr(err, "lignes 5 : local_ref trouvé 4, introuvable 1") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "attention : 1 pseudonyme introuvable : cette liste est-elle celle d'une autre source ?") != NULL, "%s", err);
    free(err);

    /* the default name, mode 0600, no temporary file, the list untouched */
    const char *out = path_in(&f.c, "liste-reidentifiee.csv");
    ck_assert_uint_eq(mode_of(out), 0600);
    no_tmp_files(&f.c);
    char *again = slurp(path_in(&f.c, "liste.csv"), NULL);
    ck_assert_str_eq(again, list);
    free(again);

    /* the same conventions: BOM, ';', CRLF, local_ref after token, quoting where needed */
    char *text = slurp(out, NULL);
    ck_assert_msg(strncmp(text, BOM OUT_HEADER OUTCOME_COLS "\r\n", strlen(BOM OUT_HEADER OUTCOME_COLS "\r\n")) == 0,
                  "output starts '%.200s'", text);
    ck_assert_int_eq(count_char(text, '\n'), 6);
    ck_assert_int_eq(count_char(text, '\r'), 6);
    ck_assert_msg(strstr(text, tu_fmt("%s;A0004;17;rsa_isole;rsa;\"ressources sous le plafond; aucun RSA\";123,45;"
                                      "nir;1;caf:gironde;2026-01-15;;;\r\n", f.t4)) != NULL,
                  "first row: %s", text);
    ck_assert_msg(strstr(text, "\r\n" STRAY_TOKEN ";;18;css;") != NULL, "stray row: %s", text);
    free(text);

    table o;
    table_read(&o, out, ';');
    ck_assert_uint_eq(o.nf[0], 14);
    check_list_columns(&o, &f);
    table_free(&o);

    /* beside it, the codes the team may write in statut, in the list's own conventions: every
     * code tznr feedback takes, and nothing else */
    const char *codes = path_in(&f.c, "liste-reidentifiee-statuts.csv");
    ck_assert_msg(exists(codes), "no file of statut codes beside the list");
    table_read(&o, codes, ';');
    ck_assert_str_eq(o.row[0][0], "statut");
    ck_assert_uint_eq(o.n, 9);
    static const char *const want[] = {"contacte", "droit_ouvert", "non_eligible", "refus", "injoignable",
                                       "deja_beneficiaire", "opposition", "erreur_rapprochement"};
    for (size_t i = 0; i < 8; i++)
        ck_assert_str_eq(o.row[i + 1][0], want[i]);
    table_free(&o);

    /* -q: no summary, the warning stays */
    rc = TZNR(&f.c, NULL, &err, "reidentify -q --tokens '%s' -o '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "q.csv"), path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "lignes 5") == NULL && strstr(err, "autre source") != NULL, "-q: %s", err);
    free(err);
    free(list);
    fixture_free(&f);
}
END_TEST

/* ---- with --raw (canonical) -------------------------------------------------------------- */

START_TEST(test_with_raw)
{
    struct fixture f;
    fixture_init(&f);
    char *list = platform_list(&f);
    tu_write_str(path_in(&f.c, "liste.csv"), list);
    free(list);
    char *err = NULL;
    int rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' --raw '%s' -o '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
                  path_in(&f.c, "raw.csv"), path_in(&f.c, "contacts.csv"), path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "coordonnées trouvées 4, absentes de l'export 0") != NULL, "summary: %s", err);
    free(err);
    ck_assert_uint_eq(mode_of(path_in(&f.c, "contacts.csv")), 0600);
    ck_assert(!exists(path_in(&f.c, "liste-reidentifiee.csv")));

    char *text = slurp(path_in(&f.c, "contacts.csv"), NULL);
    const char *hdr = BOM OUT_HEADER ";nom;nom_usage;prenom;date_naissance;adresse;commune" OUTCOME_COLS "\r\n";
    ck_assert_msg(strncmp(text, hdr, strlen(hdr)) == 0, "output starts '%.300s'", text);
    free(text);

    table o;
    table_read(&o, path_in(&f.c, "contacts.csv"), ';');
    ck_assert_uint_eq(o.nf[0], 20);
    check_list_columns(&o, &f);
    /* A0004, copied as it is in the export (UTF-8), the address with its comma */
    ck_assert_str_eq(cell(&o, 0, "nom"), "\xc5\x92uvray");
    ck_assert_str_eq(cell(&o, 0, "nom_usage"), "");
    ck_assert_str_eq(cell(&o, 0, "prenom"), "Fran\xc3\xa7ois");
    ck_assert_str_eq(cell(&o, 0, "date_naissance"), "1975-04-30");
    ck_assert_str_eq(cell(&o, 0, "adresse"), "3 bis, all\xc3\xa9" "e des \xc5\x92illets");
    ck_assert_str_eq(cell(&o, 0, "commune"), "33522");
    /* the stray token: nothing */
    static const char *const contact[] = {"nom", "nom_usage", "prenom", "date_naissance", "adresse", "commune"};
    for (size_t k = 0; k < 6; k++)
        ck_assert_str_eq(cell(&o, 1, contact[k]), "");
    ck_assert_str_eq(cell(&o, 2, "nom"), "Lef\xc3\xa8vre");
    ck_assert_str_eq(cell(&o, 2, "prenom"), "Jean");
    ck_assert_str_eq(cell(&o, 2, "adresse"), "12 rue de la Paix");
    ck_assert_str_eq(cell(&o, 3, "nom"), "Martin");
    ck_assert_str_eq(cell(&o, 3, "nom_usage"), "Lef\xc3\xa8vre");
    ck_assert_str_eq(cell(&o, 3, "prenom"), "Marie-Claire");
    ck_assert_str_eq(cell(&o, 4, "prenom"), "Fran\xc3\xa7ois");
    table_free(&o);

    /* --columns: the export's own names, in the order given */
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' --raw '%s' --columns 'commune, prenom' -o '%s' '%s'",
              path_in(&f.c, "ex.csv.tokens"), path_in(&f.c, "raw.csv"), path_in(&f.c, "cols.csv"),
              path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    table_read(&o, path_in(&f.c, "cols.csv"), ';');
    ck_assert_uint_eq(o.nf[0], 16);
    ck_assert_str_eq(o.row[0][11], "commune");
    ck_assert_str_eq(o.row[0][12], "prenom");
    ck_assert_str_eq(cell(&o, 2, "commune"), "33063");
    ck_assert_str_eq(cell(&o, 2, "prenom"), "Jean");
    ck_assert_str_eq(cell(&o, 1, "prenom"), "");
    table_free(&o);

    /* an export without A0001 (a later one): its contact columns are empty, and counted */
    char *raw = strdup(RAW);
    char *a1 = strstr(raw, "A0001,"), *a2 = strstr(raw, "A0002,");
    memmove(a1, a2, strlen(a2) + 1);
    tu_write_str(path_in(&f.c, "raw2.csv"), raw);
    free(raw);
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' --raw '%s' -o '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "raw2.csv"), path_in(&f.c, "later.csv"), path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "coordonnées trouvées 3, absentes de l'export 1") != NULL, "summary: %s", err);
    ck_assert_msg(strstr(err, "attention : 1 ligne avec un local_ref absent de") != NULL, "%s", err);
    free(err);
    table_read(&o, path_in(&f.c, "later.csv"), ';');
    ck_assert_str_eq(cell(&o, 2, "local_ref"), "A0001");
    ck_assert_str_eq(cell(&o, 2, "nom"), "");
    ck_assert_str_eq(cell(&o, 2, "prenom"), "");
    ck_assert_str_eq(cell(&o, 3, "prenom"), "Marie-Claire");
    table_free(&o);
    fixture_free(&f);
}
END_TEST

/* ---- other list conventions ---------------------------------------------------------------- */

START_TEST(test_list_conventions)
{
    struct fixture f;
    fixture_init(&f);
    /* ',' separated, no BOM, LF: the decimal comma is quoted */
    tu_write_str(path_in(&f.c, "comma.csv"),
                 tu_fmt("token,foyer,regle,prestation,motif,montant_mensuel_estime,confiance,priorite,source,"
                        "premiere_detection\n"
                        "%s,19,css,css,\"motif; avec, virgule\",\"123,45\",nir,1,caf:gironde,2026-01-15\n"
                        "%s,17,rsa,rsa,x,\"0,5\",nir,2,caf:gironde,2026-01-15\n",
                        f.t2, f.t1));
    char *err = NULL;
    int rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
                  path_in(&f.c, "comma.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "attention") == NULL, "no warning expected: %s", err);
    free(err);
    char *text = slurp(path_in(&f.c, "comma-reidentifiee.csv"), NULL);
    const char *exp = tu_fmt("token,local_ref,foyer,regle,prestation,motif,montant_mensuel_estime,confiance,priorite,"
                             "source,premiere_detection,statut,date,commentaire\n"
                             "%s,A0002,19,css,css,\"motif; avec, virgule\",\"123,45\",nir,1,caf:gironde,2026-01-15,,,\n"
                             "%s,A0001,17,rsa,rsa,x,\"0,5\",nir,2,caf:gironde,2026-01-15,,,\n",
                             f.t2, f.t1);
    ck_assert_str_eq(text, exp);
    free(text);

    /* every field quoted: so is the output */
    tu_write_str(path_in(&f.c, "quoted.csv"),
                 tu_fmt(BOM "\"token\";\"foyer\";\"regle\";\"prestation\";\"motif\";\"montant_mensuel_estime\";"
                        "\"confiance\";\"priorite\";\"source\";\"premiere_detection\"\n"
                        "\"%s\";\"19\";\"css\";\"css\";\"m\";\"1,5\";\"nir\";\"1\";\"caf:gironde\";\"2026-01-15\"\n",
                        f.t1));
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "quoted.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    text = slurp(path_in(&f.c, "quoted-reidentifiee.csv"), NULL);
    exp = tu_fmt(BOM "\"token\";\"local_ref\";\"foyer\";\"regle\";\"prestation\";\"motif\";\"montant_mensuel_estime\";"
                     "\"confiance\";\"priorite\";\"source\";\"premiere_detection\";\"statut\";\"date\";\"commentaire\"\n"
                     "\"%s\";\"A0001\";\"19\";\"css\";\"css\";\"m\";\"1,5\";\"nir\";\"1\";\"caf:gironde\";\"2026-01-15\";\"\";\"\";\"\"\n",
                 f.t1);
    ck_assert_str_eq(text, exp);
    free(text);

    /* a list as the platform writes it now, with the payers that do not know the household
     * (inconnu_de, the last column): copied as it is */
    tu_write_str(path_in(&f.c, "payeur.csv"),
                 tu_fmt(BOM LIST_HEADER ";inconnu_de\r\n"
                        "%s;19;rsa;RSA;m;\"412,50\";nir;1;bailleur:hab;2026-01-15;CAF, Département\r\n", f.t1));
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "payeur.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    text = slurp(path_in(&f.c, "payeur-reidentifiee.csv"), NULL);
    exp = tu_fmt(BOM OUT_HEADER ";inconnu_de" OUTCOME_COLS "\r\n"
                 "%s;A0001;19;rsa;RSA;m;412,50;nir;1;bailleur:hab;2026-01-15;CAF, Département;;;\r\n", f.t1);
    ck_assert_str_eq(text, exp);
    free(text);
    /* an older list's row may not carry the new column alone */
    tu_write_str(path_in(&f.c, "mixed.csv"),
                 tu_fmt(BOM LIST_HEADER "\r\n%s;19;rsa;RSA;m;1;nir;1;bailleur:hab;2026-01-15;CAF\r\n", f.t1));
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "mixed.csv"));
    ck_assert_msg(rc == 3 && strstr(err, "11 champs, l'en-tête en a 10") != NULL, "exit %d: %s", rc, err);
    free(err);

    /* a header alone: an empty list, re-identified as such */
    tu_write_str(path_in(&f.c, "vide.csv"), BOM LIST_HEADER "\r\n");
    rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' --raw '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
              path_in(&f.c, "raw.csv"), path_in(&f.c, "vide.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    text = slurp(path_in(&f.c, "vide-reidentifiee.csv"), NULL);
    ck_assert_str_eq(text, BOM OUT_HEADER ";nom;nom_usage;prenom;date_naissance;adresse;commune" OUTCOME_COLS "\r\n");
    free(text);
    fixture_free(&f);
}
END_TEST

/* ---- refusals ------------------------------------------------------------------------------ */

/* Reidentify LIST with the map TOKENS (names in the test folder): expect exit 3, one line on
 * stderr naming BLAME (the refused file) and holding WHAT, and no output. */
static void expect_refused(const struct fixture *f, const char *list, const char *tokens, const char *extra,
                           const char *blame, const char *what)
{
    char *err = NULL;
    int rc = TZNR(&f->c, NULL, &err, "reidentify --tokens '%s' %s -o '%s' '%s'", path_in(&f->c, tokens),
                  extra ? extra : "", path_in(&f->c, "out.csv"), path_in(&f->c, list));
    ck_assert_msg(rc == 3, "%s: exit %d, expected 3; stderr: %s", what, rc, err);
    ck_assert_msg(count_char(err, '\n') == 1, "%s: stderr is not one line: %s", what, err);
    ck_assert_msg(strstr(err, tu_fmt("'%s'", path_in(&f->c, blame))) != NULL, "%s: stderr does not name %s: %s", what,
                  blame, err);
    ck_assert_msg(strstr(err, what) != NULL, "stderr should say '%s': %s", what, err);
    ck_assert(!exists(path_in(&f->c, "out.csv")));
    no_tmp_files(&f->c);
    free(err);
}

START_TEST(test_refusals)
{
    struct fixture f;
    fixture_init(&f);
    const char *map = "ex.csv.tokens";
    const char *row = tu_fmt("%s;17;rsa;rsa;m;1,5;nir;1;caf:gironde;2026-01-15\r\n", f.t1);
    char *good_row = strdup(row);

    /* wrong headers */
    tu_write_str(path_in(&f.c, "l1.csv"), tu_fmt(BOM "id;foyer;regle;prestation;motif;montant_mensuel_estime;"
                                                 "confiance;priorite;source;premiere_detection\r\n%s", good_row));
    expect_refused(&f, "l1.csv", map, NULL, "l1.csv", "pas une liste d'aller-vers");
    tu_write_str(path_in(&f.c, "l2.csv"), tu_fmt(BOM "token;foyer;regle;prestation;motif;montant;confiance;"
                                                 "priorite;source;premiere_detection\r\n%s", good_row));
    expect_refused(&f, "l2.csv", map, NULL, "l2.csv", "la colonne 6 est 'montant'");
    tu_write_str(path_in(&f.c, "l3.csv"), tu_fmt(BOM LIST_HEADER ";inconnu_de;extra\r\n%s", good_row));
    expect_refused(&f, "l3.csv", map, NULL, "l3.csv", "12 colonnes");
    tu_write_str(path_in(&f.c, "l4.csv"), tu_fmt(BOM "local_ref,token\n%s", good_row));
    expect_refused(&f, "l4.csv", map, NULL, "l4.csv", "pas une liste d'aller-vers");
    tu_write_str(path_in(&f.c, "l5.csv"), "");
    expect_refused(&f, "l5.csv", map, NULL, "l5.csv", "empty");
    tu_write_str(path_in(&f.c, "l6.csv"), BOM);
    expect_refused(&f, "l6.csv", map, NULL, "l6.csv", "empty");
    /* a row with a field missing, a malformed row */
    tu_write_str(path_in(&f.c, "l7.csv"), tu_fmt(BOM LIST_HEADER "\r\n%s%s;17;rsa\r\n", good_row, f.t2));
    expect_refused(&f, "l7.csv", map, NULL, "l7.csv", "ligne 3 : 3 champs");
    tu_write_str(path_in(&f.c, "l8.csv"), tu_fmt(BOM LIST_HEADER "\r\n%s;17;rsa;rsa;m\"x;1;nir;1;caf:gironde;2026\r\n",
                                                 f.t2));
    expect_refused(&f, "l8.csv", map, NULL, "l8.csv", "ligne 2 : malformed CSV");

    /* malformed token maps (the line is named) */
    tu_write_str(path_in(&f.c, "liste.csv"), tu_fmt(BOM LIST_HEADER "\r\n%s", good_row));
    size_t n;
    char *tokens = slurp(path_in(&f.c, map), &n);
    char *third = strchr(strchr(tokens, '\n') + 1, '\n') + 1; /* line 3 */
    char *bad = strdup(tokens);
    bad[third - tokens + strlen("A0002,")] = 'G'; /* not hex */
    tu_write_str(path_in(&f.c, "m1.tokens"), bad);
    expect_refused(&f, "liste.csv", "m1.tokens", NULL, "m1.tokens", "ligne 3 : le pseudonyme n'est pas fait de 64 chiffres hexadécimaux");
    free(bad);
    bad = strdup(tokens);
    bad[third - tokens + 5] = ';'; /* A0002;token: one field */
    tu_write_str(path_in(&f.c, "m2.tokens"), bad);
    expect_refused(&f, "liste.csv", "m2.tokens", NULL, "m2.tokens", "ligne 3 : 1 champ au lieu de 2");
    free(bad);
    tu_write_str(path_in(&f.c, "m3.tokens"), tu_fmt("token,local_ref\n%s,A0001\n", f.t1));
    expect_refused(&f, "liste.csv", "m3.tokens", NULL, "m3.tokens", "ligne 1 : l'en-tête n'est pas local_ref,token");
    tu_write_str(path_in(&f.c, "m4.tokens"), tu_fmt("local_ref,token\nA0001,%s\n,%s\n", f.t1, f.t2));
    expect_refused(&f, "liste.csv", "m4.tokens", NULL, "m4.tokens", "ligne 3 : local_ref est vide");
    tu_write_str(path_in(&f.c, "m5.tokens"), tu_fmt("local_ref,token\nA0001,%s\nA0009,%s\n", f.t1, f.t1));
    expect_refused(&f, "liste.csv", "m5.tokens", NULL, "m5.tokens", "ligne 3 : le pseudonyme de la ligne 2");
    tu_write_str(path_in(&f.c, "m6.tokens"), "");
    expect_refused(&f, "liste.csv", "m6.tokens", NULL, "m6.tokens", "empty");
    tu_write_str(path_in(&f.c, "m7.tokens"), tu_fmt("local_ref,token\n\"A0001,%s\n", f.t1));
    expect_refused(&f, "liste.csv", "m7.tokens", NULL, "m7.tokens", "ligne 2 : unterminated quoted field");
    free(tokens);

    /* a raw export without the columns asked for */
    expect_refused(&f, "liste.csv", map, tu_fmt("--raw '%s' --columns prenom,telephone", path_in(&f.c, "raw.csv")),
                   "raw.csv", "pas de colonne 'telephone'");
    tu_write_str(path_in(&f.c, "raw3.csv"), "local_ref,nom\nA0001,Dupont\n");
    expect_refused(&f, "liste.csv", map, tu_fmt("--raw '%s'", path_in(&f.c, "raw3.csv")), "raw3.csv",
                   "column 'household_ref'");

    /* a file that is not there: a failure (1) naming it */
    char *err = NULL;
    int rc = TZNR(&f.c, NULL, &err, "reidentify --tokens '%s' '%s'", path_in(&f.c, map), path_in(&f.c, "absente.csv"));
    ck_assert_msg(rc == 1 && strstr(err, "absente.csv") != NULL, "exit %d: %s", rc, err);
    free(err);
    ck_assert(!exists(path_in(&f.c, "absente-reidentifiee.csv")));
    free(good_row);
    fixture_free(&f);
}
END_TEST

/* ---- usage errors and the platform guard --------------------------------------------------- */

static void expect_usage(const struct fixture *f, const char *args, const char *what)
{
    char *err = NULL;
    int rc = TZNR(&f->c, NULL, &err, "reidentify %s", args);
    ck_assert_msg(rc == 2, "%s: exit %d, expected 2; stderr: %s", args, rc, err);
    ck_assert_msg(strstr(err, "Try 'tznr reidentify --help'") != NULL, "%s: %s", args, err);
    ck_assert_msg(what == NULL || strstr(err, what) != NULL, "%s: stderr should say '%s': %s", args, what, err);
    free(err);
}

START_TEST(test_usage_errors)
{
    struct fixture f;
    fixture_init(&f);
    const char *list = strdup(path_in(&f.c, "liste.csv"));
    const char *map = strdup(path_in(&f.c, "ex.csv.tokens"));
    tu_write_str(list, tu_fmt(BOM LIST_HEADER "\r\n%s;17;rsa;rsa;m;1,5;nir;1;caf:gironde;2026-01-15\r\n", f.t1));
    char *before = slurp(list, NULL);

    expect_usage(&f, tu_fmt("'%s'", list), "--tokens is required");
    expect_usage(&f, tu_fmt("--tokens '%s'", map), "exactly one list");
    expect_usage(&f, tu_fmt("--tokens '%s' '%s' '%s'", map, list, list), "exactly one list");
    expect_usage(&f, tu_fmt("--tokens '%s' --mapping x.ini '%s'", map, list), "--raw");
    expect_usage(&f, tu_fmt("--tokens '%s' --columns nom '%s'", map, list), "--raw");
    expect_usage(&f, tu_fmt("--tokens '%s' --raw '%s' --columns 'nom,,prenom' '%s'", map, path_in(&f.c, "raw.csv"), list),
                 "empty column name");
    expect_usage(&f, tu_fmt("--tokens '%s' --raw '%s' --columns 'nom,nom' '%s'", map, path_in(&f.c, "raw.csv"), list),
                 "twice");
    expect_usage(&f, tu_fmt("--tokens '%s' --frobnicate '%s'", map, list), NULL);
    expect_usage(&f, tu_fmt("--tokens '%s' --tokens", map), NULL);
    /* never overwrite an input */
    expect_usage(&f, tu_fmt("--tokens '%s' -o '%s' '%s'", map, list, list), "would be overwritten");
    expect_usage(&f, tu_fmt("--tokens '%s' -o '%s' '%s'", map, map, list), "would be overwritten");
    expect_usage(&f, tu_fmt("--tokens '%s' --raw '%s' -o '%s' '%s'", map, path_in(&f.c, "raw.csv"),
                            path_in(&f.c, "raw.csv"), list),
                 "would be overwritten");
    ck_assert_int_eq(symlink(list, path_in(&f.c, "lien.csv")), 0);
    expect_usage(&f, tu_fmt("--tokens '%s' -o '%s' '%s'", map, path_in(&f.c, "lien.csv"), list),
                 "would be overwritten");
    char *after = slurp(list, NULL);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
    no_tmp_files(&f.c);

    /* --help: the usage on stdout, exit 0 */
    char *out = NULL;
    int rc = TZNR(&f.c, &out, NULL, "reidentify --help");
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(out, "usage: tznr reidentify --tokens") != NULL, "%s", out);
    free(out);
    free((char *)list);
    free((char *)map);
    fixture_free(&f);
}
END_TEST

START_TEST(test_platform_guard)
{
    struct fixture f;
    fixture_init(&f);
    tu_write_str(path_in(&f.c, "liste.csv"),
                 tu_fmt(BOM LIST_HEADER "\r\n%s;17;rsa;rsa;m;1,5;nir;1;caf:gironde;2026-01-15\r\n", f.t1));
    tu_write_str(path_in(&f.c, "tznr.conf"), "[keys]\nkey_id = vectors-1\n");
    char *err = NULL;
    int rc = run_env(&f.c, tu_fmt("TZNR_CONFIG='%s'", path_in(&f.c, "tznr.conf")), NULL, &err,
                     "reidentify --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"), path_in(&f.c, "liste.csv"));
    ck_assert_msg(rc == 2, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "refus de fonctionner sur la plateforme") != NULL && strstr(err, "TZNR_CONFIG") != NULL, "%s",
                  err);
    free(err);
    ck_assert(!exists(path_in(&f.c, "liste-reidentifiee.csv")));
    no_tmp_files(&f.c);
    /* the same run without it works (this machine has no /etc/tznr/tznr.conf) */
    if (!exists("/etc/tznr/tznr.conf")) {
        rc = TZNR(&f.c, NULL, &err, "reidentify -q --tokens '%s' '%s'", path_in(&f.c, "ex.csv.tokens"),
                  path_in(&f.c, "liste.csv"));
        ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
        free(err);
        ck_assert(exists(path_in(&f.c, "liste-reidentifiee.csv")));
    }
    fixture_free(&f);
}
END_TEST

/* ---- a Windows-1252 export read through a mapping ------------------------------------------ */

/* A social landlord's export (config/mapping-bailleur.ini's layout, the address in two
 * columns): Windows-1252, ';', CRLF, DD/MM/YYYY, a column the mapping does not use. */
static const char *const BAILLEUR_ROWS[] = {
    "ID_OCCUPANT;NUM_BAIL;LIEN;NUM_SECU;NOM_NAISSANCE;NOM;PRENOM;DATE_NAISSANCE;CIVILITE;NUM_VOIE;LIB_VOIE;"
    "CODE_INSEE;TELEPHONE",
    "B-101;BAIL7;TITULAIRE;;Lef\xe8vre;Lef\xe8vre;Ren\xe9" "e;03/02/1960;MME;4;all\xe9" "e des \x8cillets;33522;"
    "05 56 00 00 01",
    "B-102;BAIL7;ENFANT;;;Lef\xe8vre;Zo\xeb;21/09/2015;MLLE;4;all\xe9" "e des \x8cillets;33522;",
    "B-201;BAIL9;TITULAIRE;;\x8cuvray;Dubois;Fran\xe7ois;30/04/1975;M;\"3 bis;\";rue du Ch\xe2teau;33063;"
    "07 00 00 00 02",
    "B-301;BAIL12;TITULAIRE;;;N'Diaye;A\xefssatou;12/12/1982;MME;;Lieu-dit Kern\xe9;2A004;",
};

static const char BAILLEUR_MAPPING[] = "[input]\n"
                                       "encoding = windows-1252\n"
                                       "separator = ;\n"
                                       "date_format = DD/MM/YYYY\n"
                                       "decimal = ,\n"
                                       "\n"
                                       "[columns]\n"
                                       "local_ref = ID_OCCUPANT\n"
                                       "household_ref = NUM_BAIL\n"
                                       "role = LIEN\n"
                                       "nir = NUM_SECU\n"
                                       "nom = NOM_NAISSANCE\n"
                                       "nom_usage = NOM\n"
                                       "prenom = PRENOM\n"
                                       "date_naissance = DATE_NAISSANCE\n"
                                       "sexe = CIVILITE\n"
                                       "adresse = NUM_VOIE + LIB_VOIE\n"
                                       "commune = CODE_INSEE\n"
                                       "\n"
                                       "[values.sexe]\n"
                                       "M = 1\n"
                                       "MME = 2\n"
                                       "MLLE = 2\n"
                                       "\n"
                                       "[values.role]\n"
                                       "TITULAIRE = D\n"
                                       "ENFANT = E\n";

START_TEST(test_mapped_export)
{
    struct ctx c;
    ctx_init(&c);
    FILE *fp = fopen(path_in(&c, "bailleur.csv"), "wb");
    ck_assert_ptr_nonnull(fp);
    for (size_t i = 0; i < sizeof BAILLEUR_ROWS / sizeof BAILLEUR_ROWS[0]; i++)
        fprintf(fp, "%s\r\n", BAILLEUR_ROWS[i]);
    ck_assert_int_eq(fclose(fp), 0);
    tu_write_str(path_in(&c, "bailleur.ini"), BAILLEUR_MAPPING);
    char *err = NULL;
    int rc = TZNR(&c, NULL, &err, "pseudonymise --key '%s' --source bailleur:habitat33 --mapping '%s' -o '%s' '%s'",
                  c.key, path_in(&c, "bailleur.ini"), path_in(&c, "ex.csv"), path_in(&c, "bailleur.csv"));
    ck_assert_msg(rc == 0, "pseudonymise: exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "written 4, rejected 0") != NULL, "pseudonymise: %s", err);
    free(err);
    const char *tokpath = strdup(path_in(&c, "ex.csv.tokens"));
    char *t101 = token_of(tokpath, "B-101"), *t201 = token_of(tokpath, "B-201"), *t301 = token_of(tokpath, "B-301");
    tu_write_str(path_in(&c, "liste.csv"),
                 tu_fmt(BOM LIST_HEADER "\r\n"
                        "%s;40;fsl;fsl;\"impay\xc3\xa9s; 2 mois\";150,00;ident;1;bailleur:habitat33;2026-02-01\r\n"
                        "%s;41;aide_logement;aide_logement;loyer;210,5;ident;2;bailleur:habitat33;2026-02-01\r\n"
                        "%s;40;css;css;x;0;ident;3;bailleur:habitat33;2026-02-02\r\n",
                        t201, t301, t101));

    /* the default columns: the export's columns mapped to the contact fields, in UTF-8 */
    rc = TZNR(&c, NULL, &err, "reidentify --tokens '%s' --raw '%s' --mapping '%s' '%s'", tokpath,
              path_in(&c, "bailleur.csv"), path_in(&c, "bailleur.ini"), path_in(&c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "lignes 3 : local_ref trouvé 3, introuvable 0") != NULL &&
                      strstr(err, "coordonnées trouvées 3, absentes de l'export 0") != NULL && strstr(err, "attention") == NULL,
                  "summary: %s", err);
    free(err);
    const char *out = path_in(&c, "liste-reidentifiee.csv");
    ck_assert_uint_eq(mode_of(out), 0600);
    char *text = slurp(out, NULL);
    const char *hdr = BOM OUT_HEADER ";NOM_NAISSANCE;NOM;PRENOM;DATE_NAISSANCE;NUM_VOIE;LIB_VOIE;CODE_INSEE" OUTCOME_COLS "\r\n";
    ck_assert_msg(strncmp(text, hdr, strlen(hdr)) == 0, "output starts '%.300s'", text);
    free(text);
    table o;
    table_read(&o, out, ';');
    ck_assert_uint_eq(o.n, 4);
    ck_assert_uint_eq(o.nf[0], 21);
    ck_assert_str_eq(cell(&o, 0, "token"), t201);
    ck_assert_str_eq(cell(&o, 0, "local_ref"), "B-201");
    ck_assert_str_eq(cell(&o, 0, "motif"), "impay\xc3\xa9s; 2 mois");
    ck_assert_str_eq(cell(&o, 0, "NOM_NAISSANCE"), "\xc5\x92uvray");
    ck_assert_str_eq(cell(&o, 0, "NOM"), "Dubois");
    ck_assert_str_eq(cell(&o, 0, "PRENOM"), "Fran\xc3\xa7ois");
    ck_assert_str_eq(cell(&o, 0, "DATE_NAISSANCE"), "30/04/1975"); /* as it is in the export */
    ck_assert_str_eq(cell(&o, 0, "NUM_VOIE"), "3 bis;");
    ck_assert_str_eq(cell(&o, 0, "LIB_VOIE"), "rue du Ch\xc3\xa2teau");
    ck_assert_str_eq(cell(&o, 0, "CODE_INSEE"), "33063");
    ck_assert_str_eq(cell(&o, 1, "local_ref"), "B-301");
    ck_assert_str_eq(cell(&o, 1, "NOM_NAISSANCE"), "");
    ck_assert_str_eq(cell(&o, 1, "NOM"), "N'Diaye");
    ck_assert_str_eq(cell(&o, 1, "PRENOM"), "A\xc3\xafssatou");
    ck_assert_str_eq(cell(&o, 1, "LIB_VOIE"), "Lieu-dit Kern\xc3\xa9");
    ck_assert_str_eq(cell(&o, 1, "CODE_INSEE"), "2A004");
    ck_assert_str_eq(cell(&o, 2, "local_ref"), "B-101");
    ck_assert_str_eq(cell(&o, 2, "PRENOM"), "Ren\xc3\xa9" "e");
    ck_assert_str_eq(cell(&o, 2, "LIB_VOIE"), "all\xc3\xa9" "e des \xc5\x92illets");
    table_free(&o);

    /* --columns: any column of the export, mapped or not */
    rc = TZNR(&c, NULL, &err, "reidentify --tokens '%s' --raw '%s' --mapping '%s' --columns TELEPHONE,NOM -o '%s' '%s'",
              tokpath, path_in(&c, "bailleur.csv"), path_in(&c, "bailleur.ini"), path_in(&c, "tel.csv"),
              path_in(&c, "liste.csv"));
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    table_read(&o, path_in(&c, "tel.csv"), ';');
    ck_assert_uint_eq(o.nf[0], 16);
    ck_assert_str_eq(o.row[0][11], "TELEPHONE");
    ck_assert_str_eq(cell(&o, 0, "TELEPHONE"), "07 00 00 00 02");
    ck_assert_str_eq(cell(&o, 1, "TELEPHONE"), "");
    ck_assert_str_eq(cell(&o, 2, "TELEPHONE"), "05 56 00 00 01");
    ck_assert_str_eq(cell(&o, 2, "NOM"), "Lef\xc3\xa8vre");
    table_free(&o);

    /* read without its mapping, the export is refused */
    rc = TZNR(&c, NULL, &err, "reidentify --tokens '%s' --raw '%s' -o '%s' '%s'", tokpath, path_in(&c, "bailleur.csv"),
              path_in(&c, "x.csv"), path_in(&c, "liste.csv"));
    ck_assert_msg(rc == 3 && strstr(err, "bailleur.csv") != NULL, "exit %d: %s", rc, err);
    free(err);
    free(t101);
    free(t201);
    free(t301);
    free((char *)tokpath);
    ctx_free(&c);
}
END_TEST

/* ---- process protection ---------------------------------------------------------------------- */

/* reidentify holds the token map and the people's names: crashed midway (reading the raw
 * export), core dumps enabled, it leaves no core, and it was never dumpable. */
START_TEST(test_crash_leaves_no_core)
{
    struct fixture f;
    fixture_init(&f);
    char *list = platform_list(&f);
    tu_write_str(path_in(&f.c, "liste.csv"), list);
    free(list);
    char *fifo = strdup(path_in(&f.c, "raw.fifo")), *tokens = strdup(path_in(&f.c, "ex.csv.tokens"));
    char *lpath = strdup(path_in(&f.c, "liste.csv")), *out = strdup(path_in(&f.c, "out.csv"));
    char *const argv[] = {"tznr", "reidentify", "--tokens", tokens, "--raw", fifo, "-o", out, lpath, NULL};
    tu_crash r;
    tu_crash_midway(f.c.dir, fifo,
                    "local_ref,household_ref,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,commune\n"
                    "A0001,F01,185057800608491,Lef\xc3\xa8vre,,Jean,1985-05-12,1,12 rue de la Paix,33063\n",
                    NULL, NULL, argv, &r);
    ck_assert_msg(r.not_dumpable == 1, "reidentify ran dumpable (%d): its memory was open to a core and to its "
                  "user's other processes", r.not_dumpable);
    ck_assert_msg(r.core_limit_zero, "reidentify ran with a core file size limit other than 0");
    ck_assert_msg(!r.dumped, "reidentify crashed midway left a core (a plain process's crash here makes a core: %s)",
                  r.control_dumped ? "yes" : "no");
    free(fifo);
    free(tokens);
    free(lpath);
    free(out);
    fixture_free(&f);
}
END_TEST

Suite *suite_reidentify(void);
Suite *suite_reidentify(void)
{
    Suite *s = suite_create("reidentify");
    TCase *tc = tcase_create("lists");
    tcase_add_test(tc, test_local_ref_only);
    tcase_add_test(tc, test_with_raw);
    tcase_add_test(tc, test_list_conventions);
    tcase_add_test(tc, test_mapped_export);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("refusals");
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_platform_guard);
    tcase_add_test(tc, test_crash_leaves_no_core);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
