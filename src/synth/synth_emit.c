/* synth_emit: the raw exports, their faults, and the ground truth (see synth_emit.h and
 * docs/synth.md, which lists every column and rate used here). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "synth_data.h"
#include "synth_emit.h"
#include "synth_text.h"

#define STREAM_EMIT 0x656D6974ULL /* "emit" */
#define ID_SALT 0x6C6F63616CULL   /* "local" */

#define KIND_CAF SYNTH_KIND_CAF
#define KIND_DEP SYNTH_KIND_DEP
#define KIND_BAIL SYNTH_KIND_BAIL
#define KIND_CPAM SYNTH_KIND_CPAM
#define KIND_CARSAT SYNTH_KIND_CARSAT
#define KIND_MSA SYNTH_KIND_MSA
#define KIND_CCAS SYNTH_KIND_CCAS

/* Fault rates in parts per million, by kind of source (docs/synth.md). Denominators: all
 * records, except nir_key (records carrying a NIR), nir_missing (adult records) and
 * birthname_missing (landlord records of people with a usage name). */
static const uint32_t fault_ppm[SYNTH_KIND_COUNT][SYNTH_F_COUNT] = {
    /* typo_nom typo_prenom accents swap_dm nir_key nir_missing prenom_missing duplicate
     * address birthname_missing */
    {8000, 8000, 10000, 5000, 10000, 10000, 3000, 5000, 50000, 0},            /* CAF */
    {15000, 15000, 30000, 10000, 10000, 80000, 8000, 12000, 100000, 0},       /* département */
    {35000, 35000, 30000, 20000, 20000, 800000, 15000, 10000, 150000, 700000}, /* landlords */
    {3000, 5000, 5000, 2000, 500, 3000, 1000, 3000, 80000, 0},                /* CPAM */
    {5000, 5000, 20000, 3000, 1000, 2000, 2000, 4000, 60000, 0},              /* CARSAT */
    {10000, 10000, 15000, 5000, 10000, 15000, 3000, 6000, 60000, 0},          /* MSA */
    {30000, 30000, 50000, 20000, 30000, 700000, 20000, 20000, 200000, 0},     /* CCAS */
};
/* NIR absent from children's records (not counted as a fault) */
static const uint32_t child_nir_missing_ppm[SYNTH_KIND_COUNT] = {
    700000, 500000, 950000, 50000, 0, 600000, 950000};

static const char *const fault_names[SYNTH_F_COUNT] = {
    "typo_nom", "typo_prenom", "accents_dropped", "day_month_swapped", "nir_wrong_key",
    "nir_missing", "prenom_missing", "duplicate", "address_variant", "birth_name_missing",
};

static const char *const landlord_names[] = {"habitat33", "domofrance"};

/* the kinds of agency that pay each rule's benefit and hold the complete register of its
 * recipients: rsa caf, msa or departement; prime_activite and aide_logement caf or msa;
 * css cpam; aspa carsat; fsl departement */
static const unsigned rule_payers[SYNTH_R_COUNT] = {
    1u << KIND_CAF | 1u << KIND_MSA | 1u << KIND_DEP,
    1u << KIND_CAF | 1u << KIND_MSA,
    1u << KIND_CAF | 1u << KIND_MSA,
    1u << KIND_CPAM,
    1u << KIND_CARSAT,
    1u << KIND_DEP,
};

static char failed_path[4096];

/* ------------------------------------------------------------------ helpers */

static int chance(synth_rng *r, uint32_t ppm)
{
    return synth_rng_chance(r, ppm);
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* append src to the string in dst (capacity cap), truncating */
static void cat(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(dst);
    if (n + 1 < cap)
        copy(dst + n, cap - n, src);
}

/* bijective scramble of [0, 10^digits): local ids look random but never collide */
static uint64_t scramble(uint64_t x, int digits, uint64_t offset)
{
    uint64_t m = digits == 7 ? 10000000u : 100000000u;
    uint64_t a = digits == 7 ? 3141593u : 27182819u; /* odd, not multiples of 5 */
    return (x % m * a + offset % m) % m;
}

static void fmt_money(char *out, size_t cap, int64_t cents, char dec, int nbsp_thousands)
{
    int64_t e = cents / 100, c = cents % 100;
    if (nbsp_thousands && e >= 1000)
        snprintf(out, cap, "%" PRId64 "\xC2\xA0%03" PRId64 "%c%02" PRId64, e / 1000, e % 1000,
                 dec, c);
    else
        snprintf(out, cap, "%" PRId64 "%c%02" PRId64, e, dec, c);
}

static void fmt_int(char *out, size_t cap, int64_t v)
{
    snprintf(out, cap, "%" PRId64, v);
}

static void fmt_date(char *out, size_t cap, synth_date d, int iso)
{
    if (iso)
        snprintf(out, cap, "%04d-%02d-%02d", d.y, d.m, d.d);
    else
        snprintf(out, cap, "%02d/%02d/%04d", d.d, d.m, d.y);
}

/* ------------------------------------------------------------------ identity */

typedef struct {
    char nom[160];
    char usage[160];
    char prenom[200];
    synth_date dob;
    char nir[40]; /* "" when missing */
    int nir_bad;  /* the key was altered */
} ident;

static void typo(synth_source *s, synth_rng *r, char *str, size_t cap, int fault)
{
    static const int w[SYNTH_TYPO_COUNT] = {35, 25, 25, 15};
    int op = (int)synth_rng_weighted(r, w, SYNTH_TYPO_COUNT);
    if (synth_typo(r, str, cap, &op))
        s->faults[fault]++;
}

static void ident_make(synth_source *s, int kind, synth_rng *r, const synth_person *p, ident *id)
{
    const uint32_t *rt = fault_ppm[kind];
    copy(id->nom, sizeof id->nom, p->nom);
    copy(id->usage, sizeof id->usage, p->nom_usage);
    if (kind == KIND_CAF && p->autres[0])
        snprintf(id->prenom, sizeof id->prenom, "%s, %s", p->prenom, p->autres);
    else
        copy(id->prenom, sizeof id->prenom, p->prenom);

    if (chance(r, rt[SYNTH_F_ACCENTS]) &&
        (synth_has_accent(id->nom) || synth_has_accent(id->usage) || synth_has_accent(id->prenom))) {
        char tmp[200];
        synth_strip_accents(id->nom, tmp, sizeof tmp);
        copy(id->nom, sizeof id->nom, tmp);
        synth_strip_accents(id->usage, tmp, sizeof tmp);
        copy(id->usage, sizeof id->usage, tmp);
        synth_strip_accents(id->prenom, tmp, sizeof tmp);
        copy(id->prenom, sizeof id->prenom, tmp);
        s->faults[SYNTH_F_ACCENTS]++;
    }
    if (chance(r, rt[SYNTH_F_TYPO_NOM])) {
        if (id->usage[0] && synth_rng_below(r, 100) < 30)
            typo(s, r, id->usage, sizeof id->usage, SYNTH_F_TYPO_NOM);
        else
            typo(s, r, id->nom, sizeof id->nom, SYNTH_F_TYPO_NOM);
    }
    if (chance(r, rt[SYNTH_F_TYPO_PRENOM]))
        typo(s, r, id->prenom, sizeof id->prenom, SYNTH_F_TYPO_PRENOM);
    if (chance(r, rt[SYNTH_F_PRENOM_MISSING])) {
        id->prenom[0] = 0;
        s->faults[SYNTH_F_PRENOM_MISSING]++;
    }
    id->dob = p->birth;
    if (chance(r, rt[SYNTH_F_SWAP_DM]) && p->birth.d <= 12 && p->birth.d != p->birth.m) {
        id->dob.d = p->birth.m;
        id->dob.m = p->birth.d;
        s->faults[SYNTH_F_SWAP_DM]++;
    }
    id->nir_bad = 0;
    int adult = p->role != SYNTH_ROLE_E;
    if (adult)
        s->adults++;
    if (chance(r, adult ? rt[SYNTH_F_NIR_MISSING] : child_nir_missing_ppm[kind])) {
        id->nir[0] = 0;
        if (adult)
            s->faults[SYNTH_F_NIR_MISSING]++;
        return;
    }
    copy(id->nir, sizeof id->nir, p->nir);
    s->with_nir++;
    if (chance(r, rt[SYNTH_F_NIR_KEY])) {
        int key = (id->nir[13] - '0') * 10 + (id->nir[14] - '0');
        int bad = 1 + (key - 1 + (int)synth_rng_range(r, 1, 96)) % 97;
        id->nir[13] = (char)('0' + bad / 10);
        id->nir[14] = (char)('0' + bad % 10);
        id->nir_bad = 1;
        s->faults[SYNTH_F_NIR_KEY]++;
    }
}

/* ------------------------------------------------------------------ addresses */

typedef struct {
    int words;        /* 0 full words, 1 abbreviations, 2 AFNOR postal style */
    int upper;
    int noaccent;
    int nocompl;      /* complement left out */
    int shortsuffix;  /* "12B" rather than "12 bis" */
} astyle;

static void finish(const char *in, astyle st, char *out, size_t cap)
{
    char a[512], b[512];
    copy(a, sizeof a, in);
    if (st.noaccent || st.words == 2) {
        synth_strip_accents(a, b, sizeof b);
        copy(a, sizeof a, b);
    }
    if (st.upper || st.words == 2) {
        synth_upper(a, b, sizeof b);
        copy(a, sizeof a, b);
    }
    if (st.words == 2) { /* postal style: no punctuation */
        size_t n = 0;
        for (const char *p = a; *p && n + 1 < sizeof b; p++) {
            char c = *p == '\'' || *p == ',' || *p == '-' ? ' ' : *p;
            if (c == '.')
                continue;
            if (c == ' ' && (n == 0 || b[n - 1] == ' '))
                continue;
            b[n++] = c;
        }
        while (n && b[n - 1] == ' ')
            n--;
        b[n] = 0;
        copy(a, sizeof a, b);
    }
    copy(out, cap, a);
}

static void street_str(const synth_address *a, astyle st, char *out, size_t cap)
{
    const synth_street_type *t = &synth_street_types[a->type];
    const char *tw = st.words == 0 ? t->full : st.words == 1 ? t->abbr : t->afnor;
    const char *suf = a->suffix == 1 ? (st.shortsuffix ? "B" : "bis")
                    : a->suffix == 2 ? (st.shortsuffix ? "T" : "ter") : "";
    char tmp[256];
    if (a->num && *suf)
        snprintf(tmp, sizeof tmp, st.shortsuffix ? "%d%s %s %s" : "%d %s %s %s", a->num, suf, tw,
                 synth_street_names[a->street]);
    else if (a->num)
        snprintf(tmp, sizeof tmp, "%d %s %s", a->num, tw, synth_street_names[a->street]);
    else
        snprintf(tmp, sizeof tmp, "%s %s", tw, synth_street_names[a->street]);
    finish(tmp, st, out, cap);
}

static void compl_str(const synth_address *a, astyle st, char *out, size_t cap)
{
    char tmp[256] = "", part[96];
    const char *sep = st.words == 2 ? " " : ", ";
    if (!st.nocompl) {
        if (a->residence >= 0) {
            snprintf(part, sizeof part, "%s %s",
                     st.words == 0 ? "Résidence" : st.words == 1 ? "Rés." : "RES",
                     synth_residences[a->residence]);
            cat(tmp, sizeof tmp, part);
        }
        if (a->bat) {
            snprintf(part, sizeof part, "%s%s %c", tmp[0] ? sep : "",
                     st.words == 2 ? "BAT" : "bât.", a->bat);
            cat(tmp, sizeof tmp, part);
        }
        if (a->apt) {
            snprintf(part, sizeof part, "%s%s %d", tmp[0] ? sep : "",
                     st.words == 2 ? "APP" : "apt", a->apt);
            cat(tmp, sizeof tmp, part);
        }
        if (a->host >= 0) {
            snprintf(part, sizeof part, "%s%s %s", tmp[0] ? sep : "",
                     st.words == 1 ? "c/o" : "chez", synth_surnames[a->host]);
            cat(tmp, sizeof tmp, part);
        }
    }
    finish(tmp, st, out, cap);
}

/* the source's usual style, or with the address-variant fault a different writing */
static astyle address_style(synth_source *s, int kind, synth_rng *r, const synth_address *a)
{
    astyle st = {0, 0, 0, 0, 0};
    if (kind == KIND_CAF || kind == KIND_CPAM)
        st.words = 2;
    if (kind == KIND_BAIL)
        st.words = 1;
    if (kind == KIND_CARSAT || kind == KIND_MSA)
        st.upper = 1;
    if (!chance(r, fault_ppm[kind][SYNTH_F_ADDRESS]))
        return st;
    astyle v = st;
    int changes = 1 + (int)synth_rng_below(r, 2);
    for (int i = 0; i < changes; i++) {
        switch (synth_rng_below(r, 5)) {
        case 0: /* the street type spelt the other way */
            v.words = st.words == 0 ? 1 : 0;
            v.upper = v.noaccent = st.words == 2;
            break;
        case 1: /* accents dropped */
            v.noaccent = 1;
            if (st.words == 2) {
                v.words = 1;
                v.upper = 1;
            }
            break;
        case 2: v.nocompl = 1; break;
        case 3: v.shortsuffix = 1; break;
        default: /* case changed */
            v.upper = !v.upper;
            if (st.words == 2)
                v.words = v.upper = 0;
            break;
        }
    }
    char x[512], y[512];
    street_str(a, st, x, sizeof x);
    compl_str(a, st, x + strlen(x), sizeof x - strlen(x));
    street_str(a, v, y, sizeof y);
    compl_str(a, v, y + strlen(y), sizeof y - strlen(y));
    if (strcmp(x, y) != 0)
        s->faults[SYNTH_F_ADDRESS]++;
    return v;
}

/* ------------------------------------------------------------------ records */

typedef struct {
    int person;          /* index in h->p */
    const char *role;    /* the source's own code */
    int rank;            /* 1.. within the household record */
} member;

static void truth_line(synth_emit *e, const synth_source *s, const char *local_ref,
                       const synth_household *h, int person)
{
    char pid[32], hid[32];
    fmt_int(pid, sizeof pid, (int64_t)(h->index + 1) * 10 + person + 1);
    fmt_int(hid, sizeof hid, (int64_t)(h->index + 1));
    synth_out_field(&e->truth_persons, s->id);
    synth_out_field(&e->truth_persons, local_ref);
    synth_out_field(&e->truth_persons, pid);
    synth_out_field(&e->truth_persons, hid);
    synth_out_end(&e->truth_persons);
}

static const char *flag(int v, int kind)
{
    if (kind == KIND_CAF)
        return v ? "O" : "N";
    if (kind == KIND_DEP)
        return v ? "oui" : "non";
    if (kind == KIND_MSA || kind == KIND_CARSAT)
        return v ? "1" : "0";
    return v ? "OUI" : "NON";
}

static int has(const synth_household *h, int b)
{
    return (h->recv >> b) & 1u;
}

/* --- CAF: one row per member of the dossier; figures on the claimant (ALL) row only */

static void caf_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, const char *alloc, int with_figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], ref[32];
    ident_make(s, KIND_CAF, r, p, &id);
    astyle st = address_style(s, KIND_CAF, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "%s-%02d", alloc, m->rank);
    synth_out_field(o, alloc);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, id.nir);
    synth_upper(id.nom, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_upper(id.usage, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_out_field(o, id.prenom);
    fmt_date(buf, sizeof buf, id.dob, 0);
    synth_out_field(o, buf);
    synth_out_field(o, p->sex == 1 ? "1" : "2");
    compl_str(&h->addr, st, buf, sizeof buf);
    synth_out_field(o, buf);
    street_str(&h->addr, st, buf, sizeof buf);
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_out_field(o, c->insee);
    if (with_figures) {
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->nb_enfants);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->res, ',', 0);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->rev, ',', 0);
        synth_out_field(o, buf);
        if (has(h, SYNTH_B_AL))
            fmt_money(buf, sizeof buf, h->loyer, ',', 0);
        else
            buf[0] = 0;
        synth_out_field(o, buf);
        synth_out_field(o, flag(has(h, SYNTH_B_RSA), KIND_CAF));
        synth_out_field(o, flag(has(h, SYNTH_B_PA), KIND_CAF));
        synth_out_field(o, flag(has(h, SYNTH_B_AL), KIND_CAF));
        synth_out_field(o, flag(has(h, SYNTH_B_AAH), KIND_CAF));
    } else {
        for (int i = 0; i < 9; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

/* members in the order an agency lists them: claimant, partner, children, others */
static int order_members(const synth_household *h, int d, member *ms, const char *const codes[4])
{
    static const int pass_roles[3][2] = {
        {SYNTH_ROLE_D, SYNTH_ROLE_C}, {SYNTH_ROLE_E, SYNTH_ROLE_E}, {SYNTH_ROLE_A, SYNTH_ROLE_A}};
    int k = 0;
    ms[k].person = d;
    ms[k].role = codes[0];
    ms[k].rank = 1;
    k++;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < h->n; i++) {
            int role = h->p[i].role;
            if (i == d || (role != pass_roles[pass][0] && role != pass_roles[pass][1]))
                continue;
            ms[k].person = i;
            ms[k].role = codes[pass + 1];
            ms[k].rank = k + 1;
            k++;
        }
    return k;
}

/* Writes one member's row of a dossier (the first with the household's figures). */
typedef void (*dossier_row)(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                            const member *m, const char *dossier, int with_figures);

/* Whether the record just written is followed, at the source's duplicate rate (KIND), by a
 * stale one of the same person; if so, counts the fault and sets *seq to the duplicate's
 * number at the source (from which its ids are made, counting down from the largest). */
static int duplicate(synth_source *s, synth_rng *r, int kind, uint64_t *seq)
{
    if (!chance(r, fault_ppm[kind][SYNTH_F_DUPLICATE]))
        return 0;
    *seq = s->dup_seq++;
    s->faults[SYNTH_F_DUPLICATE]++;
    return 1;
}

/* One household's dossier at a source whose ids are PREFIX and DIGITS scrambled digits: each
 * member of MS[0..K) written by ROW, the first with the figures, each followed, at the
 * source's duplicate rate (KIND), by a stale dossier of the same person under a new id, as
 * DUP_ROLE, without figures. */
static void emit_dossier(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                         const member *ms, int k, int kind, const char *prefix, int digits,
                         const char *dup_role, dossier_row row)
{
    uint64_t top = 1, seq;
    for (int i = 0; i < digits; i++)
        top *= 10;
    top--;
    char id[24];
    snprintf(id, sizeof id, "%s%0*" PRIu64, prefix, digits, scramble(h->index, digits, s->id_offset));
    for (int i = 0; i < k; i++) {
        row(e, s, r, h, &ms[i], id, i == 0);
        s->persons++;
        if (duplicate(s, r, kind, &seq)) {
            char dup[24];
            snprintf(dup, sizeof dup, "%s%0*" PRIu64, prefix, digits,
                     scramble(top - seq, digits, s->id_offset));
            member dm = {ms[i].person, dup_role, 1};
            row(e, s, r, h, &dm, dup, 0);
        }
    }
    s->households++;
}

static void emit_caf(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"ALL", "CJT", "ENF", "AUT"};
    synth_source *s = &e->src[SYNTH_SRC_CAF];
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, h->caf_d, ms, codes);
    emit_dossier(e, s, r, h, ms, k, KIND_CAF, "", 7, "ALL", caf_row);
}

/* --- département: household records (RSA, FSL, follow-up, known) or personal ones (APA, PCH) */

static void nir_dep(char *out, size_t cap, const char *nir, synth_rng *r, int *keyless)
{
    int k = (int)synth_rng_below(r, 100);
    *keyless = 0;
    if (!nir[0]) {
        out[0] = 0;
    } else if (k < 70) {
        snprintf(out, cap, "%.1s %.2s %.2s %.2s %.3s %.3s %.2s", nir, nir + 1, nir + 3, nir + 5,
                 nir + 7, nir + 10, nir + 13);
    } else if (k < 90) {
        copy(out, cap, nir);
    } else {
        snprintf(out, cap, "%.13s", nir);
        *keyless = 1;
    }
}

/* what a département household record carries */
#define DF_FIGURES 1u   /* composition and resources */
#define DF_REV 2u       /* earnings (RSA declarations, social workers) */
#define DF_RENT 4u      /* rent and arrears (FSL file, social workers) */
#define DF_RIGHTS 8u    /* css and aspa as reviewed by a social worker */

static void dep_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, uint64_t ind, uint64_t foyer, unsigned figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], ref[32], fid[32], x[256];
    ident_make(s, KIND_DEP, r, p, &id);
    astyle st = address_style(s, KIND_DEP, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "IND%08" PRIu64, ind);
    snprintf(fid, sizeof fid, "FOY%07" PRIu64, foyer);
    synth_out_field(o, ref);
    synth_out_field(o, fid);
    synth_out_field(o, m->role);
    int keyless;
    nir_dep(buf, sizeof buf, id.nir, r, &keyless);
    if (keyless && id.nir_bad)
        s->faults[SYNTH_F_NIR_KEY]--; /* the 13-character form has no key to be wrong */
    synth_out_field(o, buf);
    if (synth_rng_below(r, 100) < 30) {
        synth_upper(id.nom, buf, sizeof buf);
        synth_out_field(o, buf);
    } else {
        synth_out_field(o, id.nom);
    }
    synth_out_field(o, id.usage);
    synth_out_field(o, id.prenom);
    fmt_date(buf, sizeof buf, id.dob, 1);
    synth_out_field(o, buf);
    synth_out_field(o, p->sex == 1 ? "M" : "F");
    street_str(&h->addr, st, buf, sizeof buf);
    compl_str(&h->addr, st, x, sizeof x);
    if (x[0]) {
        cat(buf, sizeof buf, ", ");
        cat(buf, sizeof buf, x);
    }
    synth_out_field(o, buf);
    synth_out_field(o, synth_communes[h->addr.commune].insee);
    if (figures) {
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->nb_enfants);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->res, '.', 0);
        synth_out_field(o, buf);
        if (figures & DF_REV)
            fmt_money(buf, sizeof buf, h->rev, '.', 0);
        else
            buf[0] = 0;
        synth_out_field(o, buf);
        if (figures & DF_RENT) {
            fmt_money(buf, sizeof buf, h->loyer, '.', 0);
            synth_out_field(o, buf);
            fmt_int(buf, sizeof buf, h->impaye);
            synth_out_field(o, buf);
        } else {
            synth_out_field(o, "");
            synth_out_field(o, "");
        }
        synth_out_field(o, flag(has(h, SYNTH_B_RSA), KIND_DEP));
        synth_out_field(o, flag(has(h, SYNTH_B_APA), KIND_DEP));
        synth_out_field(o, flag(has(h, SYNTH_B_PCH), KIND_DEP));
        synth_out_field(o, flag(has(h, SYNTH_B_FSL), KIND_DEP));
        /* the département pays none of these: only a social worker who reviewed the
         * household's rights knows */
        synth_out_field(o, figures & DF_RIGHTS ? flag(has(h, SYNTH_B_CSS), KIND_DEP) : "");
        synth_out_field(o, figures & DF_RIGHTS ? flag(has(h, SYNTH_B_ASPA), KIND_DEP) : "");
        synth_out_field(o, flag(has(h, SYNTH_B_SUIVI), KIND_DEP));
    } else {
        for (int i = 0; i < 13; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_dep(synth_emit *e, synth_rng *r, const synth_household *h, int household_level)
{
    static const char *const codes[4] = {"DEMANDEUR", "CONJOINT", "ENFANT", "AUTRE"};
    synth_source *s = &e->src[SYNTH_SRC_DEP];
    member ms[SYNTH_MAX_PERSONS];
    int k;
    unsigned figures = DF_FIGURES;
    if (household_level) {
        k = order_members(h, h->dep_d, ms, codes);
        if (has(h, SYNTH_B_FSL) || has(h, SYNTH_B_SUIVI))
            figures |= DF_RENT;
        if (has(h, SYNTH_B_RSA) || has(h, SYNTH_B_SUIVI))
            figures |= DF_REV;
        if (has(h, SYNTH_B_SUIVI))
            figures |= DF_RIGHTS;
    } else {
        k = 0;
        for (int i = 0; i < h->n; i++)
            if (h->p[i].own & (SYNTH_BIT(SYNTH_B_APA) | SYNTH_BIT(SYNTH_B_PCH))) {
                ms[k].person = i;
                ms[k].role = codes[k ? 1 : 0];
                ms[k].rank = k + 1;
                k++;
            }
    }
    uint64_t foyer = scramble(h->index, 7, s->id_offset);
    for (int i = 0; i < k; i++) {
        uint64_t ind = scramble(h->index * SYNTH_MAX_PERSONS + (uint64_t)ms[i].person, 8,
                                s->id_offset);
        uint64_t seq;
        dep_row(e, s, r, h, &ms[i], ind, foyer, i == 0 ? figures : 0);
        s->persons++;
        if (duplicate(s, r, KIND_DEP, &seq)) {
            /* the same person created again under another household file: a person's id
             * and a household's of their own, which emit_dossier's one id cannot give */
            member dm = {ms[i].person, codes[0], 1};
            dep_row(e, s, r, h, &dm, scramble(99999999u - seq, 8, s->id_offset),
                    scramble(9999999u - seq, 7, s->id_offset), 0);
        }
    }
    s->households++;
}

/* --- landlords: tenant of record, co-tenant or spouse, occupants; Windows-1252 */

static void bail_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *bail, int with_figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], ref[32], tmp[512];
    ident_make(s, KIND_BAIL, r, p, &id);
    astyle st = address_style(s, KIND_BAIL, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "%s-%02d", bail, m->rank);
    synth_out_field(o, bail);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, p->sex == 1 ? "M" : p->age < 18 ? "MLLE" : "MME");
    /* NOM is the name in use (the married name), NOM_NAISSANCE often left blank */
    int noacc = synth_rng_below(r, 100) < 55;
    const char *nom = id.usage[0] ? id.usage : id.nom;
    if (noacc) {
        synth_strip_accents(nom, tmp, sizeof tmp);
        synth_upper(tmp, buf, sizeof buf);
    } else {
        synth_upper(nom, buf, sizeof buf);
    }
    synth_out_field(o, buf);
    int birth_name;
    if (id.usage[0]) {
        s->with_usage++;
        birth_name = !chance(r, fault_ppm[KIND_BAIL][SYNTH_F_BIRTHNAME_MISSING]);
        if (!birth_name)
            s->faults[SYNTH_F_BIRTHNAME_MISSING]++;
    } else {
        birth_name = synth_rng_below(r, 100) < 20;
    }
    if (birth_name) {
        synth_upper(id.nom, buf, sizeof buf);
        synth_out_field(o, buf);
    } else {
        synth_out_field(o, "");
    }
    if (synth_rng_below(r, 100) < 40) {
        synth_upper(id.prenom, buf, sizeof buf);
        synth_out_field(o, buf);
    } else {
        synth_out_field(o, id.prenom);
    }
    fmt_date(buf, sizeof buf, id.dob, 0);
    synth_out_field(o, buf);
    synth_out_field(o, id.nir);
    street_str(&h->addr, st, buf, sizeof buf);
    compl_str(&h->addr, st, tmp, sizeof tmp);
    if (tmp[0]) {
        cat(buf, sizeof buf, " - ");
        cat(buf, sizeof buf, tmp);
    }
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, c->insee);
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_strip_accents(c->name, tmp, sizeof tmp);
    synth_upper(tmp, buf, sizeof buf);
    synth_out_field(o, buf);
    if (with_figures) {
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->nb_enfants);
        synth_out_field(o, buf);
        if (h->facts & SYNTH_F_SURVEY)
            fmt_money(buf, sizeof buf, h->res, ',', 1);
        else
            buf[0] = 0;
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->loyer, ',', 1);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->impaye);
        synth_out_field(o, buf);
        synth_out_field(o, flag(has(h, SYNTH_B_AL), KIND_BAIL));
        synth_out_field(o, flag(has(h, SYNTH_B_FSL), KIND_BAIL));
    } else {
        for (int i = 0; i < 7; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_bail(synth_emit *e, synth_rng *r, const synth_household *h)
{
    const char *codes[4] = {"TITULAIRE", "COTITULAIRE", "ENFANT", "OCCUPANT"};
    synth_source *s = &e->src[SYNTH_SRC_BAIL + h->landlord];
    member ms[SYNTH_MAX_PERSONS];
    if (synth_rng_below(r, 100) < 20)
        codes[1] = "CONJOINT"; /* the partner is not on the lease */
    int k = order_members(h, h->bail_d, ms, codes);
    emit_dossier(e, s, r, h, ms, k, KIND_BAIL, "T", 7, "TITULAIRE", bail_row);
}

/* --- CPAM: the CSS (complémentaire santé solidaire) recipients, every member covered.
 * Latin-1, '|', CRLF, dates YYYYMMDD; names as the national register writes them (upper case,
 * no accents), first names as typed; the NIR of the insured person who opens the right
 * (NIR_OUVREUR_DROIT) is repeated on every row beside the member's own. */

static void cpam_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *dossier, const char *nir_od, uint64_t ref_n,
                     synth_date from, synth_date to, int with_figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], tmp[512], ref[32];
    ident_make(s, KIND_CPAM, r, p, &id);
    astyle st = address_style(s, KIND_CPAM, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "B%08" PRIu64, ref_n);
    synth_out_field(o, dossier);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, nir_od);
    synth_out_field(o, id.nir);
    synth_strip_accents(id.nom, tmp, sizeof tmp);
    synth_upper(tmp, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_strip_accents(id.usage, tmp, sizeof tmp);
    synth_upper(tmp, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_out_field(o, id.prenom);
    snprintf(buf, sizeof buf, "%04d%02d%02d", id.dob.y, id.dob.m, id.dob.d);
    synth_out_field(o, buf);
    synth_out_field(o, p->sex == 1 ? "1" : "2");
    compl_str(&h->addr, st, buf, sizeof buf);
    synth_out_field(o, buf);
    street_str(&h->addr, st, buf, sizeof buf);
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_out_field(o, c->insee);
    synth_strip_accents(c->name, tmp, sizeof tmp);
    synth_upper(tmp, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_out_field(o, "C2S");
    snprintf(buf, sizeof buf, "%04d%02d%02d", from.y, from.m, from.d);
    synth_out_field(o, buf);
    snprintf(buf, sizeof buf, "%04d%02d%02d", to.y, to.m, to.d);
    synth_out_field(o, buf);
    if (with_figures)
        fmt_int(buf, sizeof buf, h->n);
    else
        buf[0] = 0;
    synth_out_field(o, buf);
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_cpam(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"ASSURE", "CONJOINT", "ENFANT", "AUTRE"};
    synth_source *s = &e->src[SYNTH_SRC_CPAM];
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, 0, ms, codes);
    char dossier[16];
    snprintf(dossier, sizeof dossier, "%08" PRIu64, scramble(h->index, 8, s->id_offset));
    /* the right runs for twelve months from a date in the last year */
    long today = synth_days(e->ctx->date.y, e->ctx->date.m, e->ctx->date.d);
    long start = today - (long)synth_rng_below(r, 365);
    synth_date from = synth_civil(start);
    synth_date to = synth_civil(synth_days(from.y + 1, from.m, from.m == 2 && from.d == 29 ? 28
                                                                                  : from.d) - 1);
    for (int i = 0; i < k; i++) {
        uint64_t ref = scramble(h->index * SYNTH_MAX_PERSONS + (uint64_t)ms[i].person, 8,
                                s->id_offset);
        uint64_t seq;
        cpam_row(e, s, r, h, &ms[i], dossier, h->p[0].nir, ref, from, to, i == 0);
        s->persons++;
        if (duplicate(s, r, KIND_CPAM, &seq)) {
            /* a beneficiary left attached to an old dossier, of which they open the right:
             * per-member references and the opener's NIR, which emit_dossier cannot give */
            char dup[16];
            snprintf(dup, sizeof dup, "%08" PRIu64, scramble(99999999u - seq, 8, s->id_offset));
            member dm = {ms[i].person, codes[0], 1};
            cpam_row(e, s, r, h, &dm, dup, h->p[ms[i].person].nir,
                     scramble(89999999u - seq, 8, s->id_offset), from, to, 0);
        }
    }
    s->households++;
}

/* --- CARSAT: the ASPA recipients (and their spouse). UTF-8 with BOM, tab separated, CRLF,
 * dates DD-MM-YYYY, decimal comma; resources over the last quarter, as the ASPA assesses
 * them (three months, not one). */

static void carsat_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                       const member *m, const char *num, int with_figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], tmp[256], ref[32];
    ident_make(s, KIND_CARSAT, r, p, &id);
    astyle st = address_style(s, KIND_CARSAT, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "%s-%d", num, m->rank);
    synth_out_field(o, num);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, id.nir);
    synth_upper(id.nom, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_upper(id.usage, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_out_field(o, id.prenom);
    snprintf(buf, sizeof buf, "%02d-%02d-%04d", id.dob.d, id.dob.m, id.dob.y);
    synth_out_field(o, buf);
    synth_out_field(o, p->sex == 1 ? "H" : "F");
    street_str(&h->addr, st, buf, sizeof buf);
    compl_str(&h->addr, st, tmp, sizeof tmp);
    if (tmp[0]) {
        cat(buf, sizeof buf, " ");
        cat(buf, sizeof buf, tmp);
    }
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_out_field(o, c->insee);
    if (with_figures) {
        synth_out_field(o, h->n == 1 ? "ISOLE" : "COUPLE");
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, 3 * h->res, ',', 0);
        synth_out_field(o, buf);
        synth_out_field(o, flag(1, KIND_CARSAT));
        int64_t ceil = h->n == 1 ? e->ctx->period.aspa_single_cents : e->ctx->period.aspa_couple_cents;
        int64_t amount = (ceil - 12 * h->res) / 12;
        fmt_money(buf, sizeof buf, amount > 0 ? amount : 0, ',', 0);
        synth_out_field(o, buf);
    } else {
        for (int i = 0; i < 5; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_carsat(synth_emit *e, synth_rng *r, const synth_household *h)
{
    synth_source *s = &e->src[SYNTH_SRC_CARSAT];
    int holder = h->p[0].own & SYNTH_BIT(SYNTH_B_ASPA) ? 0 : 1;
    const member ms[2] = {{holder, "TITULAIRE", 1}, {1 - holder, "CONJOINT", 2}};
    /* a duplicate: a pension file opened twice (a second career) */
    emit_dossier(e, s, r, h, ms, h->partner && h->n == 2 ? 2 : 1, KIND_CARSAT, "R", 8,
                 "TITULAIRE", carsat_row);
}

/* --- MSA: the CAF's benefits paid to agricultural households. ISO-8859-15, ';', LF, dates
 * DD/MM/YYYY, decimal comma, flags 1/0, sex M/F; the address in three columns (number,
 * street, complement); figures and flags on the responsible person's (RESP) row only. */

static void msa_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, const char *dossier, int with_figures)
{
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], tmp[512], ref[32];
    ident_make(s, KIND_MSA, r, p, &id);
    astyle st = address_style(s, KIND_MSA, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "%s/%02d", dossier, m->rank);
    synth_out_field(o, dossier);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, id.nir);
    synth_upper(id.nom, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_upper(id.usage, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_out_field(o, id.prenom);
    synth_out_field(o, id.prenom[0] ? p->autres : "");
    fmt_date(buf, sizeof buf, id.dob, 0);
    synth_out_field(o, buf);
    synth_out_field(o, p->sex == 1 ? "M" : "F");
    /* the street with its number, split at the first space after the number */
    street_str(&h->addr, st, tmp, sizeof tmp);
    const char *sp = tmp;
    if (h->addr.num) {
        sp = strchr(tmp, ' ');
        if (sp && h->addr.suffix && !st.shortsuffix)
            sp = strchr(sp + 1, ' ');
        sp = sp ? sp + 1 : tmp + strlen(tmp);
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(sp > tmp ? sp - tmp - 1 : 0), tmp);
    synth_out_field(o, buf);
    synth_out_field(o, sp);
    compl_str(&h->addr, st, buf, sizeof buf);
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_out_field(o, c->insee);
    if (with_figures) {
        synth_out_field(o, synth_rng_below(r, 100) < 30 ? "NSA" : "SA");
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->nb_enfants);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->res, ',', 0);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->rev, ',', 0);
        synth_out_field(o, buf);
        if (has(h, SYNTH_B_AL))
            fmt_money(buf, sizeof buf, h->loyer, ',', 0);
        else
            buf[0] = 0;
        synth_out_field(o, buf);
        synth_out_field(o, flag(has(h, SYNTH_B_RSA), KIND_MSA));
        synth_out_field(o, flag(has(h, SYNTH_B_PA), KIND_MSA));
        synth_out_field(o, flag(has(h, SYNTH_B_AL), KIND_MSA));
        synth_out_field(o, flag(has(h, SYNTH_B_AAH), KIND_MSA));
        synth_out_field(o, flag((h->facts & SYNTH_F_CAF_FAMILY) != 0, KIND_MSA));
    } else {
        for (int i = 0; i < 11; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_msa(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"RESP", "CONJ", "ENF", "AUT"};
    synth_source *s = &e->src[SYNTH_SRC_MSA];
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, h->caf_d, ms, codes);
    emit_dossier(e, s, r, h, ms, k, KIND_MSA, "M", 7, "RESP", msa_row);
}

/* --- CCAS of Bordeaux: households that asked for help this year, with the resources the
 * CCAS assessed. An office spreadsheet: UTF-8, ',' separated (amounts with a decimal comma
 * are therefore quoted), CRLF, dates DD/MM/YYYY, French column titles; names as typed, the
 * NIR rarely asked for. */

static void ccas_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *dossier, int with_figures)
{
    static const char *const aids[] = {"Aide alimentaire", "Secours financier",
                                       "Aide énergie", "Aide au loyer", "Domiciliation"};
    const synth_person *p = &h->p[m->person];
    ident id;
    char buf[512], tmp[256], ref[32];
    ident_make(s, KIND_CCAS, r, p, &id);
    astyle st = address_style(s, KIND_CCAS, r, &h->addr);
    synth_out *o = &s->out;
    snprintf(ref, sizeof ref, "%s-%d", dossier, m->rank);
    synth_out_field(o, dossier);
    synth_out_field(o, ref);
    synth_out_field(o, m->role);
    synth_out_field(o, p->sex == 1 ? "M." : p->age < 18 ? "Mlle" : "Mme");
    synth_out_field(o, id.usage[0] ? id.usage : id.nom);
    synth_out_field(o, id.usage[0] ? id.nom : "");
    synth_out_field(o, id.prenom);
    fmt_date(buf, sizeof buf, id.dob, 0);
    synth_out_field(o, buf);
    /* the NIR of adults, when asked (30 %; the nir_missing fault of this source) */
    synth_out_field(o, p->role != SYNTH_ROLE_E ? id.nir : "");
    street_str(&h->addr, st, buf, sizeof buf);
    compl_str(&h->addr, st, tmp, sizeof tmp);
    if (tmp[0]) {
        cat(buf, sizeof buf, ", ");
        cat(buf, sizeof buf, tmp);
    }
    synth_out_field(o, buf);
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, h->addr.commune == 0 ? synth_bordeaux_cps[h->addr.cp] : c->cp);
    synth_out_field(o, c->name);
    if (with_figures) {
        fmt_int(buf, sizeof buf, h->n);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->nb_enfants);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->res, ',', 0);
        synth_out_field(o, buf);
        fmt_money(buf, sizeof buf, h->loyer, ',', 0);
        synth_out_field(o, buf);
        fmt_int(buf, sizeof buf, h->impaye);
        synth_out_field(o, buf);
        long today = synth_days(e->ctx->date.y, e->ctx->date.m, e->ctx->date.d);
        fmt_date(buf, sizeof buf, synth_civil(today - (long)synth_rng_below(r, 365)), 0);
        synth_out_field(o, buf);
        synth_out_field(o, aids[synth_rng_below(r, sizeof aids / sizeof aids[0])]);
    } else {
        for (int i = 0; i < 7; i++)
            synth_out_field(o, "");
    }
    synth_out_end(o);
    truth_line(e, s, ref, h, m->person);
}

static void emit_ccas(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"Demandeur", "Conjoint", "Enfant", "Autre"};
    synth_source *s = &e->src[SYNTH_SRC_CCAS];
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, h->dep_d, ms, codes);
    char prefix[8]; /* requests are numbered by year: 26-0012345 */
    snprintf(prefix, sizeof prefix, "%02d-", e->ctx->date.y % 100);
    emit_dossier(e, s, r, h, ms, k, KIND_CCAS, prefix, 7, codes[0], ccas_row);
}

/* ------------------------------------------------------------------ public */

static const char caf_header[] =
    "NUM_ALLOC;ID_INDIVIDU;QUALITE;NIR;NOM_NAISSANCE;NOM_USAGE;PRENOMS;DATE_NAISSANCE;SEXE;"
    "ADR_COMPLEMENT;ADR_VOIE;CODE_POSTAL;CODE_COMMUNE;NB_PERSONNES;NB_ENFANTS;RESS_MENSUELLES;"
    "REV_ACTIVITE;LOYER;DROIT_RSA;DROIT_PPA;DROIT_AL;DROIT_AAH";
static const char dep_header[] =
    "id_individu,id_foyer,role,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,"
    "code_commune,nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,"
    "mois_impayes,rsa,apa,pch,fsl_12_mois,css,aspa,accompagnement_social";
static const char bail_header[] =
    "NUM_BAIL;ID_OCCUPANT;LIEN;CIVILITE;NOM;NOM_NAISSANCE;PRENOM;DATE_NAISSANCE;NUM_SECU;"
    "ADRESSE;CODE_INSEE;CODE_POSTAL;VILLE;NB_OCCUPANTS;NB_ENFANTS;RESSOURCES_MENSUELLES;LOYER;"
    "MOIS_IMPAYES;APL;AIDE_FSL";

static const char cpam_header[] =
    "NUM_DOSSIER_C2S|ID_BENEFICIAIRE|QUALITE_BENEF|NIR_OUVREUR_DROIT|NIR_BENEFICIAIRE|"
    "NOM_FAMILLE|NOM_USAGE|PRENOM|DATE_NAISSANCE|CODE_SEXE|ADRESSE_L3|ADRESSE_L4|CODE_POSTAL|"
    "COMMUNE_INSEE|LIBELLE_COMMUNE|NATURE_DROIT|DATE_DEBUT_DROIT|DATE_FIN_DROIT|"
    "NB_BENEFICIAIRES";
static const char carsat_header[] =
    "NUM_RETRAITE\tMATRICULE_BENEF\tTYPE_BENEF\tNIR\tNOM_PATRONYMIQUE\tNOM_MARITAL\tPRENOM\t"
    "DATE_NAISS\tSEXE\tADRESSE\tCP\tCOMMUNE_INSEE\tSITUATION_FAM\tNB_PERS_FOYER\t"
    "RESSOURCES_TRIMESTRE\tASPA\tMT_ASPA_MENSUEL";
static const char msa_header[] =
    "NUM_DOSSIER;NUM_INDIVIDU;LIEN;NIR;NOM;NOM_EPOUSE;PRENOM;AUTRES_PRENOMS;DATE_NAISSANCE;"
    "SEXE;NUM_VOIE;LIB_VOIE;COMPL_ADRESSE;CODE_POSTAL;CODE_INSEE;REGIME;NB_PERS;NB_ENF;"
    "RESSOURCES_MENS;REVENUS_PRO;LOYER_MENS;RSA;PPA;AL;AAH;PF";
static const char ccas_header[] =
    "N° dossier,Réf. personne,Lien,Civilité,Nom,Nom de naissance,Prénom,Né(e) le,N° sécu,"
    "Adresse,Code postal,Ville,Composition,Dont enfants,Ressources mensuelles,Loyer,"
    "Mois d'impayés,Date de la demande,Nature de l'aide";

static int open_one(synth_out *o, const char *dir, const char *name, int charset, char sep,
                    const char *eol, int bom, const char *header, const char **failed)
{
    if (synth_out_open(o, dir, name, charset, sep, eol, bom) != 0) {
        snprintf(failed_path, sizeof failed_path, "%s/%s", dir, name);
        *failed = failed_path;
        return -1;
    }
    synth_out_raw(o, header);
    synth_out_end(o);
    return 0;
}

/* the exports that are not landlords', in source order */
static const struct {
    const char *file, *id, *mapping, *header;
    int charset;
    char sep;
    const char *eol;
    int bom;
} fixed_sources[SYNTH_SRC_BAIL] = {
    {"caf.csv", "caf:gironde", "mapping-caf.ini", caf_header, SYNTH_UTF8, ';', "\r\n", 1},
    {"departement.csv", "departement:gironde", "mapping-departement.ini", dep_header,
     SYNTH_UTF8, ',', "\n", 0},
    {"cpam.csv", "cpam:gironde", "mapping-cpam.ini", cpam_header, SYNTH_LATIN1, '|', "\r\n", 0},
    {"carsat.csv", "carsat:aquitaine", "mapping-carsat.ini", carsat_header, SYNTH_UTF8, '\t',
     "\r\n", 1},
    {"msa.csv", "msa:gironde", "mapping-msa.ini", msa_header, SYNTH_LATIN9, ';', "\n", 0},
    {"ccas_bordeaux.csv", "ccas:bordeaux", "mapping-ccas.ini", ccas_header, SYNTH_UTF8, ',',
     "\r\n", 0},
};

int synth_emit_open(synth_emit *e, synth_ctx *ctx, const char *dir, const char **failed)
{
    memset(e, 0, sizeof *e);
    e->ctx = ctx;
    e->nsources = SYNTH_SRC_BAIL + ctx->landlords;
    for (int i = 0; i < e->nsources; i++) {
        synth_source *s = &e->src[i];
        s->id_offset = synth_mix3(ctx->seed, ID_SALT, (uint64_t)i);
        int rc;
        if (i < SYNTH_SRC_BAIL) {
            copy(s->file, sizeof s->file, fixed_sources[i].file);
            copy(s->id, sizeof s->id, fixed_sources[i].id);
            copy(s->mapping, sizeof s->mapping, fixed_sources[i].mapping);
            rc = open_one(&s->out, dir, s->file, fixed_sources[i].charset, fixed_sources[i].sep,
                          fixed_sources[i].eol, fixed_sources[i].bom, fixed_sources[i].header,
                          failed);
        } else {
            int k = i - SYNTH_SRC_BAIL;
            char name[32];
            if (k < 2)
                copy(name, sizeof name, landlord_names[k]);
            else
                snprintf(name, sizeof name, "bailleur%d", k + 1);
            snprintf(s->file, sizeof s->file, "bailleur_%s.csv", name);
            snprintf(s->id, sizeof s->id, "bailleur:%s", name);
            copy(s->mapping, sizeof s->mapping, "mapping-bailleur.ini");
            rc = open_one(&s->out, dir, s->file, SYNTH_CP1252, ';', "\r\n", 0, bail_header,
                          failed);
        }
        if (rc != 0) {
            e->nsources = i;
            synth_emit_abort(e);
            return -1;
        }
    }
    if (open_one(&e->truth_persons, dir, "truth_persons.csv", SYNTH_UTF8, ',', "\n", 0,
                 "source,local_ref,person_id,household_id", failed) != 0 ||
        open_one(&e->truth_eligible, dir, "truth_eligible.csv", SYNTH_UTF8, ',', "\n", 0,
                 "household_id,rule,payer_knows,known,by_year_only", failed) != 0) {
        synth_emit_abort(e);
        return -1;
    }
    return 0;
}

static void truth_eligible_line(synth_emit *e, const char *hid, int rule, int payer, int known,
                                int by_year)
{
    synth_out_field(&e->truth_eligible, hid);
    synth_out_field(&e->truth_eligible, synth_rule_names[rule]);
    synth_out_field(&e->truth_eligible, payer ? "1" : "0");
    synth_out_field(&e->truth_eligible, known ? "1" : "0");
    synth_out_field(&e->truth_eligible, by_year ? "1" : "0");
    synth_out_end(&e->truth_eligible);
}

void synth_emit_household(synth_emit *e, const synth_household *h)
{
    synth_rng rr, *r = &rr;
    synth_rng_seed(r, e->ctx->seed, STREAM_EMIT, h->index);
    unsigned held = 0; /* a bit per kind of agency whose export holds a member */

    /* the CAF, or the MSA for agricultural households, pays the RSA, the prime d'activité,
     * housing aid, the AAH and family benefits */
    if ((h->recv & (SYNTH_BIT(SYNTH_B_RSA) | SYNTH_BIT(SYNTH_B_PA) | SYNTH_BIT(SYNTH_B_AL) |
                    SYNTH_BIT(SYNTH_B_AAH))) ||
        (h->facts & SYNTH_F_CAF_FAMILY)) {
        if (h->facts & SYNTH_F_AGRI) {
            emit_msa(e, r, h);
            held |= 1u << KIND_MSA;
        } else {
            emit_caf(e, r, h);
            held |= 1u << KIND_CAF;
        }
    }

    int dep_household = (h->recv & (SYNTH_BIT(SYNTH_B_RSA) | SYNTH_BIT(SYNTH_B_FSL) |
                                    SYNTH_BIT(SYNTH_B_SUIVI))) ||
                        (h->facts & SYNTH_F_DEP_KNOWN);
    if (dep_household || (h->recv & (SYNTH_BIT(SYNTH_B_APA) | SYNTH_BIT(SYNTH_B_PCH)))) {
        emit_dep(e, r, h, dep_household);
        held |= 1u << KIND_DEP;
    }

    if (has(h, SYNTH_B_CSS)) {
        emit_cpam(e, r, h);
        held |= 1u << KIND_CPAM;
    }

    if (has(h, SYNTH_B_ASPA)) {
        emit_carsat(e, r, h);
        held |= 1u << KIND_CARSAT;
    }

    if (h->facts & SYNTH_F_CCAS) {
        emit_ccas(e, r, h);
        held |= 1u << KIND_CCAS;
    }

    if (h->housing == SYNTH_SOCIAL && h->landlord >= 0) {
        emit_bail(e, r, h);
        held |= 1u << KIND_BAIL;
    }

    e->households++;
    e->persons += (uint64_t)h->n;
    e->kinds[h->kind]++;
    for (int i = 0; i < h->n; i++)
        e->ages[synth_age_band(h->p[i].age)]++;
    e->agri += (h->facts & SYNTH_F_AGRI) != 0;
    e->known += held != 0;
    for (int b = 0; b < SYNTH_B_COUNT; b++)
        e->received[b] += has(h, b);

    /* The truth, from the household's true values: entitled and nobody paid, whoever
     * knows it; and, for the rules with an age condition, households eligible only when the
     * age is counted as (year of the reference date - year of birth), as a platform that
     * sees birth years only must count it. */
    char hid[32];
    fmt_int(hid, sizeof hid, (int64_t)(h->index + 1));
    int by_year_age = e->ctx->date.y - h->p[0].birth.y;
    for (int rule = 0; rule < SYNTH_R_COUNT; rule++) {
        int payer = (held & rule_payers[rule]) != 0, known = held != 0;
        /* synth_rule_eligible() is entitled and unpaid: entitlement once, the receipt here */
        int entitled = synth_rule_entitled(e->ctx, h, rule);
        e->entitled[rule] += (uint64_t)entitled;
        if (entitled && !has(h, synth_rule_benefit(rule))) {
            e->truth[rule]++;
            e->payer_knows[rule] += (uint64_t)payer;
            e->truth_known[rule] += (uint64_t)known;
            truth_eligible_line(e, hid, rule, payer, known, 0);
        } else if ((rule == SYNTH_R_RSA || rule == SYNTH_R_ASPA) && by_year_age != h->p[0].age) {
            static synth_household y;
            y = *h;
            y.p[0].age = by_year_age;
            if (synth_rule_eligible(e->ctx, &y, rule)) {
                e->by_year_only[rule]++;
                truth_eligible_line(e, hid, rule, payer, known, 1);
            }
        }
    }
}

/* ------------------------------------------------------------------ closing */

static int close_one(synth_out *o, const char **failed)
{
    int rc = 0;
    if (o->overflow) {
        errno = EOVERFLOW;
        rc = -1;
    }
    if (synth_out_close(o) != 0)
        rc = -1;
    if (rc != 0) {
        copy(failed_path, sizeof failed_path, o->path ? o->path : "?");
        *failed = failed_path;
    }
    synth_out_abort(o);
    return rc;
}

static double rate(uint64_t n, uint64_t d)
{
    return d ? 100.0 * (double)n / (double)d : 0.0;
}

static void write_summary(synth_emit *e, FILE *f)
{
    const synth_ctx *c = e->ctx;
    static const char *const bnames[SYNTH_B_COUNT] = {
        "rsa", "prime_activite", "aide_logement", "aah", "css", "aspa", "apa", "pch", "fsl",
        "suivi_social",
    };
    static const char *const knames[SYNTH_K_COUNT] = {"single", "couple_without_children",
                                                       "couple_with_children", "lone_parent"};
    static const char *const anames[SYNTH_AGE_BANDS] = {"0-14", "15-19", "20-24", "25-39",
                                                         "40-54", "55-64", "65-79", "80+"};
    fprintf(f, "# tznr-synth ground truth summary\n");
    fprintf(f, "seed = %" PRIu64 "\n", c->seed);
    fprintf(f, "date = %04d-%02d-%02d\n", c->date.y, c->date.m, c->date.d);
    fprintf(f, "params.rsa_base = %" PRId64 ".%02" PRId64 "\n", c->period.rsa_base_cents / 100,
            c->period.rsa_base_cents % 100);
    fprintf(f, "params.prime_activite_base = %" PRId64 ".%02" PRId64 "\n",
            c->period.pa_base_cents / 100, c->period.pa_base_cents % 100);
    fprintf(f, "params.smic_horaire_brut = %" PRId64 ".%02" PRId64 "\n",
            c->period.smic_h_cents / 100, c->period.smic_h_cents % 100);
    fprintf(f, "households = %" PRIu64 "\n", e->households);
    fprintf(f, "persons = %" PRIu64 "\n", e->persons);
    fprintf(f, "landlords = %d\n", c->landlords);
    fprintf(f, "\n# the territory: households by structure, persons by age\n");
    for (int k = 0; k < SYNTH_K_COUNT; k++)
        fprintf(f, "households.%s = %" PRIu64 " (%.2f%%)\n", knames[k], e->kinds[k],
                rate(e->kinds[k], e->households));
    fprintf(f, "households.agricultural = %" PRIu64 " (%.2f%%)\n", e->agri,
            rate(e->agri, e->households));
    fprintf(f, "households.in_some_export = %" PRIu64 " (%.2f%%)\n", e->known,
            rate(e->known, e->households));
    for (int a = 0; a < SYNTH_AGE_BANDS; a++)
        fprintf(f, "persons.age_%s = %" PRIu64 " (%.2f%%)\n", anames[a], e->ages[a],
                rate(e->ages[a], e->persons));
    fprintf(f, "\n# benefits received (households where some member receives it)\n");
    for (int b = 0; b < SYNTH_B_COUNT; b++)
        fprintf(f, "received.%s = %" PRIu64 " (%.2f%%)\n", bnames[b], e->received[b],
                rate(e->received[b], e->households));
    fprintf(f, "\n# per rule: entitled households (paid or not); truth = entitled and nobody "
               "paid (truth_eligible.csv, by_year_only = 0), its share of the entitled "
               "(non-take-up), the share a payer's export holds (payer_knows) and the share "
               "some export holds (known); by_year_only = eligible only on the birth year\n");
    for (int i = 0; i < SYNTH_R_COUNT; i++) {
        const char *n = synth_rule_names[i];
        fprintf(f, "rule.%s.entitled = %" PRIu64 " (%.2f%% of households)\n", n, e->entitled[i],
                rate(e->entitled[i], e->households));
        fprintf(f, "rule.%s.truth = %" PRIu64 " (%.2f%% of households, non-take-up %.1f%%)\n", n,
                e->truth[i], rate(e->truth[i], e->households), rate(e->truth[i], e->entitled[i]));
        fprintf(f, "rule.%s.payer_knows = %" PRIu64 " (%.2f%%)\n", n, e->payer_knows[i],
                rate(e->payer_knows[i], e->truth[i]));
        fprintf(f, "rule.%s.known = %" PRIu64 " (%.2f%%)\n", n, e->truth_known[i],
                rate(e->truth_known[i], e->truth[i]));
        if (i == SYNTH_R_RSA || i == SYNTH_R_ASPA)
            fprintf(f, "rule.%s.by_year_only = %" PRIu64 "\n", n, e->by_year_only[i]);
    }
    for (int i = 0; i < e->nsources; i++) {
        const synth_source *s = &e->src[i];
        uint64_t rows = s->out.rows ? s->out.rows - 1 : 0;
        fprintf(f, "\n# %s (%s)\n", s->id, s->file);
        fprintf(f, "source.%s.rows = %" PRIu64 "\n", s->id, rows);
        fprintf(f, "source.%s.persons = %" PRIu64 "\n", s->id, s->persons);
        fprintf(f, "source.%s.households = %" PRIu64 " (%.2f%%)\n", s->id, s->households,
                rate(s->households, e->households));
        fprintf(f, "source.%s.records_with_nir = %" PRIu64 " (%.2f%%)\n", s->id, s->with_nir,
                rate(s->with_nir, rows));
        if (s->out.unmapped)
            fprintf(f, "source.%s.unmapped_characters = %" PRIu64 "\n", s->id, s->out.unmapped);
        for (int k = 0; k < SYNTH_F_COUNT; k++) {
            uint64_t d = k == SYNTH_F_NIR_KEY ? s->with_nir
                       : k == SYNTH_F_NIR_MISSING ? s->adults
                       : k == SYNTH_F_BIRTHNAME_MISSING ? s->with_usage : rows;
            const char *dn = k == SYNTH_F_NIR_KEY ? "records with a NIR"
                           : k == SYNTH_F_NIR_MISSING ? "adult records"
                           : k == SYNTH_F_BIRTHNAME_MISSING ? "records with a usage name"
                                                            : "records";
            if (k == SYNTH_F_BIRTHNAME_MISSING && i < SYNTH_SRC_BAIL)
                continue;
            fprintf(f, "fault.%s.%s = %" PRIu64 " (%.2f%% of %s)\n", s->id, fault_names[k],
                    s->faults[k], rate(s->faults[k], d), dn);
        }
    }
}

static int write_text(const char *dir, const char *name, synth_emit *e, int summary,
                      const char **failed)
{
    snprintf(failed_path, sizeof failed_path, "%s/%s", dir, name);
    FILE *f = fopen(failed_path, "w");
    if (!f) {
        *failed = failed_path;
        return -1;
    }
    if (summary) {
        write_summary(e, f);
    } else {
        for (int i = 0; i < e->nsources; i++)
            fprintf(f, "%s %s %s\n", e->src[i].file, e->src[i].id, e->src[i].mapping);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (bad)
            errno = EIO;
        *failed = failed_path;
        return -1;
    }
    return 0;
}

int synth_emit_close(synth_emit *e, const char *dir, const char **failed)
{
    int rc = 0;
    for (int i = 0; i < e->nsources; i++)
        if (e->src[i].out.f && close_one(&e->src[i].out, failed) != 0 && rc == 0)
            rc = -1;
    if (rc == 0 && close_one(&e->truth_persons, failed) != 0)
        rc = -1;
    if (rc == 0 && close_one(&e->truth_eligible, failed) != 0)
        rc = -1;
    if (rc != 0) {
        int err = errno;
        synth_emit_abort(e);
        errno = err;
        return -1;
    }
    if (write_text(dir, "sources.txt", e, 0, failed) != 0 ||
        write_text(dir, "truth_summary.txt", e, 1, failed) != 0)
        return -1;
    return 0;
}

void synth_emit_abort(synth_emit *e)
{
    for (int i = 0; i < SYNTH_MAX_SOURCES; i++)
        synth_out_abort(&e->src[i].out);
    synth_out_abort(&e->truth_persons);
    synth_out_abort(&e->truth_eligible);
}
