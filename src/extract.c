#include "extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

static const char *const field_names[RF_COUNT] = {
    "local_ref", "household_ref", "nir", "nom", "nom_usage", "prenom", "date_naissance", "sexe",
    "adresse", "commune", "role", "nb_personnes", "nb_enfants", "ressources_mensuelles",
    "revenus_activite", "loyer", "impaye_mois", "rsa", "prime_activite", "aide_logement", "aah",
    "css", "aspa", "apa", "pch", "fsl", "suivi_social"};

const char *extract_field_name(enum raw_field f) { return field_names[f]; }

int extract_field_lookup(const char *name)
{
    for (int i = 0; i < RF_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

int extract_field_is_flag(enum raw_field f) { return f >= RF_RSA && f <= RF_SUIVI_SOCIAL; }

const char *const extract_columns[X_NCOLS] = {
    "token", "household", "role", "k_nir", "k_ident", "k_ident_alt", "k_dob", "clk", "clk_alt",
    "sex", "birth_year", "commune", "nb_personnes", "nb_enfants", "ressources_mensuelles",
    "revenus_activite", "loyer", "impaye_mois", "rsa", "prime_activite", "aide_logement", "aah",
    "css", "aspa", "apa", "pch", "fsl", "suivi_social"};

const char *extract_header(void)
{
    static char header[512];
    if (!header[0]) {
        size_t n = 0;
        for (int i = 0; i < X_NCOLS; i++)
            n += (size_t)snprintf(header + n, sizeof header - n, "%s%s", i ? "," : "", extract_columns[i]);
    }
    return header;
}

int extract_token_valid(const char *s, size_t len) { return len == EXTRACT_TOKEN_HEX && hex_valid(s, len); }

/* CLK feature budgets (spec section 4). */
enum { B_NOM = 200, B_PRENOM = 200, B_DOB = 200, B_SEXE = 30, B_ADRESSE = 300, B_COMMUNE = 80 };

struct extract_worker {
    pseudo_ctx *pc;
    long line; /* the line of the row being encoded, for extract_stats.at */
    char *source;
    size_t source_len;
    extract_format fmt;
    sbuf msg, nom, nom_usage, prenom, adresse, amount;
    char *bigrams;  /* 2 bytes a bigram */
    size_t bigram_cap;
    const char **tok;
    size_t *tlen;
    size_t tok_cap;
};

extract_worker *extract_worker_new(const unsigned char master[PSEUDO_MASTER_LEN], const char *source,
                                   const extract_format *fmt)
{
    extract_worker *w = xcalloc(1, sizeof *w);
    w->pc = pseudo_new(master);
    if (!w->pc) {
        free(w);
        return NULL;
    }
    w->source = xstrdup(source);
    w->source_len = strlen(source);
    w->fmt = *fmt;
    sbuf_init(&w->msg);
    sbuf_init(&w->nom);
    sbuf_init(&w->nom_usage);
    sbuf_init(&w->prenom);
    sbuf_init(&w->adresse);
    sbuf_init(&w->amount);
    return w;
}

void extract_worker_free(extract_worker *w)
{
    if (!w)
        return;
    pseudo_free(w->pc); /* the sub-keys' HMAC states: cleansed */
    free(w->source);
    /* the last row's normalised names, NIR and date: wiped */
    sbuf_free_wipe(&w->msg);
    sbuf_free_wipe(&w->nom);
    sbuf_free_wipe(&w->nom_usage);
    sbuf_free_wipe(&w->prenom);
    sbuf_free_wipe(&w->adresse);
    sbuf_free_wipe(&w->amount);
    if (w->bigrams)
        explicit_bzero(w->bigrams, w->tok_cap * 2);
    free(w->bigrams);
    free(w->tok);
    free(w->tlen);
    free(w);
}

/* Note LINE as one of the first lines with a fault of kind K, if it is. Lines come in
 * increasing order within a worker. */
static void note_at(extract_stats *st, enum extract_fault k, long line)
{
    if (st->nat[k] < EXTRACT_FAULT_LINES && (st->nat[k] == 0 || st->at[k][st->nat[k] - 1] != line))
        st->at[k][st->nat[k]++] = line;
}

static void hmac_hex(extract_worker *w, enum pseudo_label l, const char *msg, size_t len, sbuf *out)
{
    unsigned char d[32];
    pseudo_hmac(w->pc, l, msg, len, d);
    sbuf_addhex(out, d, 32);
}

static void ensure_tokens(extract_worker *w, size_t n)
{
    if (n <= w->tok_cap)
        return;
    w->tok_cap = n * 2;
    w->tok = xrealloc(w->tok, w->tok_cap * sizeof *w->tok);
    w->tlen = xrealloc(w->tlen, w->tok_cap * sizeof *w->tlen);
    w->bigrams = xrealloc(w->bigrams, w->tok_cap * 2);
}

/* Bigrams of "_" + S + "_" into the filter under feature L. */
static void add_bigrams(extract_worker *w, enum pseudo_label l, const sbuf *s, int budget,
                        unsigned char *clk)
{
    if (s->len == 0)
        return;
    ensure_tokens(w, s->len + 1);
    int n = pseudo_bigrams(s->p, s->len, w->bigrams);
    for (int i = 0; i < n; i++) {
        w->tok[i] = w->bigrams + 2 * i;
        w->tlen[i] = 2;
    }
    pseudo_clk_add(w->pc, l, w->tok, w->tlen, n, budget, clk);
}

/* Positional tokens "1:c", "2:c"... of S into the filter under feature L. */
static void add_positional(extract_worker *w, enum pseudo_label l, const char *s, size_t len,
                           int budget, unsigned char *clk)
{
    char buf[8][3];
    const char *tok[8];
    size_t tlen[8];
    if (len > 8)
        len = 8;
    for (size_t i = 0; i < len; i++) {
        buf[i][0] = (char)('1' + i);
        buf[i][1] = ':';
        buf[i][2] = s[i];
        tok[i] = buf[i];
        tlen[i] = 3;
    }
    pseudo_clk_add(w->pc, l, tok, tlen, (int)len, budget, clk);
}

static int clk_empty(const unsigned char *clk)
{
    for (int i = 0; i < PSEUDO_CLK_BYTES; i++)
        if (clk[i])
            return 0;
    return 1;
}

static void add_clk(sbuf *out, const unsigned char *clk)
{
    if (!clk_empty(clk))
        sbuf_addhex(out, clk, PSEUDO_CLK_BYTES);
}

/* Fold a name-like field; count invalid UTF-8. */
static void fold_field(const extract_worker *w, const char *s, size_t len, enum norm_mode mode, sbuf *out,
                       extract_stats *st)
{
    if (norm_fold(s, len, mode, out) != 0) {
        st->utf8_invalid++;
        note_at(st, XF_UTF8, w->line);
    }
}

/* What the identity columns leave for the CLK and the plain columns. */
struct ident {
    int sex;        /* 1, 2, or 0 when unknown */
    int dr;         /* norm_date's result: 1 when DOB holds YYYYMMDD */
    char dob[9];
    int have_alt;   /* a usage name other than the birth name */
};

#define F(i) (arena + row->off[i])
#define L(i) (row->len[i])

/* token, household (keyed by the source), role */
static void encode_refs(extract_worker *w, const char *arena, const extract_row *row, sbuf *out, extract_stats *st)
{
    const char *lr = F(RF_LOCAL_REF);
    size_t lrn = L(RF_LOCAL_REF);
    norm_trim(&lr, &lrn);
    sbuf_reset(&w->msg);
    sbuf_add(&w->msg, w->source, w->source_len);
    sbuf_addc(&w->msg, '|');
    sbuf_add(&w->msg, lr, lrn);
    hmac_hex(w, PL_TOKEN, w->msg.p, w->msg.len, out);
    sbuf_addc(out, ',');
    const char *hh = F(RF_HOUSEHOLD_REF);
    size_t hhn = L(RF_HOUSEHOLD_REF);
    norm_trim(&hh, &hhn);
    if (hhn > 0) {
        sbuf_reset(&w->msg);
        sbuf_add(&w->msg, w->source, w->source_len);
        sbuf_add(&w->msg, "|household|", 11);
        sbuf_add(&w->msg, hh, hhn);
        hmac_hex(w, PL_TOKEN, w->msg.p, w->msg.len, out);
    }
    sbuf_addc(out, ',');
    const char *ro = F(RF_ROLE);
    size_t ron = L(RF_ROLE);
    norm_trim(&ro, &ron);
    if (ron == 1 && (ro[0] == 'D' || ro[0] == 'C' || ro[0] == 'E' || ro[0] == 'A'))
        sbuf_addc(out, ro[0]);
    else if (ron > 0) {
        st->role_invalid++;
        note_at(st, XF_ROLE, w->line);
    }
    sbuf_addc(out, ',');
}

/* k_ident or k_ident_alt: HMAC of NOM|PRENOM|DOB */
static void ident_key(extract_worker *w, const sbuf *nom, const char *dob, sbuf *out)
{
    sbuf_reset(&w->msg);
    sbuf_add(&w->msg, nom->p, nom->len);
    sbuf_addc(&w->msg, '|');
    sbuf_add(&w->msg, w->prenom.p, w->prenom.len);
    sbuf_addc(&w->msg, '|');
    sbuf_add(&w->msg, dob, 8);
    hmac_hex(w, PL_IDENT, w->msg.p, w->msg.len, out);
}

/* k_nir, k_ident, k_ident_alt, k_dob; the sex (the field, else the NIR's) and the date */
static void encode_keys(extract_worker *w, const char *arena, const extract_row *row, sbuf *out, extract_stats *st,
                        struct ident *id)
{
    char nir[14];
    int nir_sex = 0;
    int nr = norm_nir(F(RF_NIR), L(RF_NIR), nir, &nir_sex);
    if (nr > 0)
        hmac_hex(w, PL_NIR, nir, 13, out);
    else if (nr < 0) {
        st->nir_invalid++;
        note_at(st, XF_NIR, w->line);
    }
    else
        st->nir_missing++;
    sbuf_addc(out, ',');
    const char *sx = F(RF_SEXE);
    size_t sxn = L(RF_SEXE);
    norm_trim(&sx, &sxn);
    /* The contract: 1 or 2 from the source; "when absent", the NIR's; otherwise empty. A value
     * that is present but not 1 or 2 is counted invalid and leaves the sex unknown: it does not
     * fall back on the NIR, or another implementation of the contract would write other bytes
     * (sex and the CLK's sexe token). */
    if (sxn == 1 && (sx[0] == '1' || sx[0] == '2')) {
        id->sex = sx[0] - '0';
    } else if (sxn > 0) {
        st->sexe_invalid++;
        note_at(st, XF_SEXE, w->line);
        id->sex = 0;
    } else {
        id->sex = nir_sex;
    }
    fold_field(w, F(RF_NOM), L(RF_NOM), NORM_COMPACT, &w->nom, st);
    fold_field(w, F(RF_NOM_USAGE), L(RF_NOM_USAGE), NORM_COMPACT, &w->nom_usage, st);
    /* The contract: "when the birth name is empty", the usage name stands for it. Empty is the
     * raw value (nothing but spaces and tabs), not its normal form: a birth name that folds to
     * nothing ("-", not UTF-8) leaves nom empty, and the usage name goes to k_ident_alt and
     * clk_alt, as it does in any other implementation of the contract. */
    const char *bn = F(RF_NOM);
    size_t bnn = L(RF_NOM);
    norm_trim(&bn, &bnn);
    if (bnn == 0 && w->nom_usage.len > 0)
        sbuf_add(&w->nom, w->nom_usage.p, w->nom_usage.len);
    if (norm_prenom(F(RF_PRENOM), L(RF_PRENOM), &w->prenom) != 0) {
        st->utf8_invalid++;
        note_at(st, XF_UTF8, w->line);
    }
    id->dr = norm_date(F(RF_DATE_NAISSANCE), L(RF_DATE_NAISSANCE), w->fmt.date, id->dob);
    if (id->dr < 0) {
        st->date_invalid++;
        note_at(st, XF_DATE, w->line);
    }
    else if (id->dr == 0)
        st->date_missing++;
    id->have_alt = w->nom_usage.len > 0 &&
                   (w->nom_usage.len != w->nom.len || memcmp(w->nom_usage.p, w->nom.p, w->nom.len) != 0);
    if (w->nom.len && w->prenom.len && id->dr > 0)
        ident_key(w, &w->nom, id->dob, out);
    else
        st->ident_missing++;
    sbuf_addc(out, ',');
    if (id->have_alt && w->prenom.len && id->dr > 0)
        ident_key(w, &w->nom_usage, id->dob, out);
    sbuf_addc(out, ',');
    if (id->dr > 0)
        hmac_hex(w, PL_DOB, id->dob, 8, out);
    sbuf_addc(out, ',');
}

/* clk, clk_alt, sex, birth_year, commune. The features other than the name are shared by clk
 * and clk_alt, so they are encoded once. */
static void encode_clk(extract_worker *w, const char *arena, const extract_row *row, sbuf *out, extract_stats *st,
                       const struct ident *id)
{
    char commune[6];
    int cr = norm_commune(F(RF_COMMUNE), L(RF_COMMUNE), commune);
    if (cr < 0) {
        st->commune_invalid++;
        note_at(st, XF_COMMUNE, w->line);
    }
    fold_field(w, F(RF_ADRESSE), L(RF_ADRESSE), NORM_ADDRESS, &w->adresse, st);
    unsigned char base[PSEUDO_CLK_BYTES], clk[PSEUDO_CLK_BYTES];
    memset(base, 0, sizeof base);
    add_bigrams(w, PL_CLK_PRENOM, &w->prenom, B_PRENOM, base);
    if (id->dr > 0)
        add_positional(w, PL_CLK_DOB, id->dob, 8, B_DOB, base);
    if (id->sex) {
        const char *t = id->sex == 1 ? "S:1" : "S:2";
        size_t tl = 3;
        pseudo_clk_add(w->pc, PL_CLK_SEXE, &t, &tl, 1, B_SEXE, base);
    }
    add_bigrams(w, PL_CLK_ADRESSE, &w->adresse, B_ADRESSE, base);
    if (cr > 0)
        add_positional(w, PL_CLK_COMMUNE, commune, strlen(commune), B_COMMUNE, base);
    memcpy(clk, base, sizeof clk);
    add_bigrams(w, PL_CLK_NOM, &w->nom, B_NOM, clk);
    add_clk(out, clk);
    sbuf_addc(out, ',');
    if (id->have_alt) {
        memcpy(clk, base, sizeof clk);
        add_bigrams(w, PL_CLK_NOM, &w->nom_usage, B_NOM, clk);
        add_clk(out, clk);
    }
    sbuf_addc(out, ',');
    if (id->sex)
        sbuf_addc(out, (char)('0' + id->sex));
    sbuf_addc(out, ',');
    if (id->dr > 0)
        sbuf_add(out, id->dob, 4);
    sbuf_addc(out, ',');
    if (cr > 0)
        sbuf_adds(out, commune);
}

/* the attributes: amounts, 0/1 flags, counts */
static void encode_attributes(extract_worker *w, const char *arena, const extract_row *row, sbuf *out,
                              extract_stats *st)
{
    for (int f = RF_ATTR_FIRST; f < RF_COUNT; f++) {
        sbuf_addc(out, ',');
        const char *v = F(f);
        size_t n = L(f);
        if (f == RF_RESSOURCES || f == RF_REVENUS || f == RF_LOYER) {
            int r = norm_amount(v, n, w->fmt.decimal, &w->amount);
            if (r > 0)
                sbuf_add(out, w->amount.p, w->amount.len);
            else if (r < 0) {
                st->attr_invalid++;
                note_at(st, XF_ATTR, w->line);
            }
        } else if (extract_field_is_flag((enum raw_field)f)) {
            norm_trim(&v, &n);
            if (n == 1 && (v[0] == '0' || v[0] == '1'))
                sbuf_addc(out, v[0]);
            else if (n > 0) {
                st->attr_invalid++;
                note_at(st, XF_ATTR, w->line);
            }
        } else {
            int c;
            int r = norm_count(v, n, &c);
            if (r > 0 && !(f == RF_NB_PERSONNES && c == 0))
                sbuf_addf(out, "%d", c);
            else if (r != 0) {
                st->attr_invalid++;
                note_at(st, XF_ATTR, w->line);
            }
        }
    }
}

#undef F
#undef L

void extract_encode(extract_worker *w, const char *arena, const extract_row *row, sbuf *out,
                    extract_stats *st)
{
    unsigned long long h0 = pseudo_hmac_count(w->pc), s0 = pseudo_hmac_saved(w->pc);
    st->rows++;
    w->line = row->line;
    struct ident id;
    encode_refs(w, arena, row, out, st);
    encode_keys(w, arena, row, out, st, &id);
    encode_clk(w, arena, row, out, st, &id);
    encode_attributes(w, arena, row, out, st);
    sbuf_addc(out, '\n');
    st->hmacs += pseudo_hmac_count(w->pc) - h0;
    st->hmacs_saved += pseudo_hmac_saved(w->pc) - s0;
}

void extract_stats_add(extract_stats *a, const extract_stats *b)
{
    a->rows += b->rows;
    a->nir_invalid += b->nir_invalid;
    a->nir_missing += b->nir_missing;
    a->date_invalid += b->date_invalid;
    a->date_missing += b->date_missing;
    a->utf8_invalid += b->utf8_invalid;
    a->sexe_invalid += b->sexe_invalid;
    a->commune_invalid += b->commune_invalid;
    a->role_invalid += b->role_invalid;
    a->attr_invalid += b->attr_invalid;
    a->ident_missing += b->ident_missing;
    a->hmacs += b->hmacs;
    a->hmacs_saved += b->hmacs_saved;
    /* the first lines of both: merge two increasing lists, keep the first ones */
    for (int k = 0; k < XF_COUNT; k++) {
        long m[EXTRACT_FAULT_LINES] = {0};
        int i = 0, j = 0, n = 0;
        while (n < EXTRACT_FAULT_LINES && (i < a->nat[k] || j < b->nat[k])) {
            long x = j >= b->nat[k] || (i < a->nat[k] && a->at[k][i] <= b->at[k][j]) ? a->at[k][i++] : b->at[k][j++];
            if (n == 0 || m[n - 1] != x)
                m[n++] = x;
        }
        memcpy(a->at[k], m, (size_t)n * sizeof m[0]);
        a->nat[k] = n;
    }
}
