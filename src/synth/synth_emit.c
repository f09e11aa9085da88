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

/* append src to the string in dst (capacity cap), truncating */
static void cat(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(dst);
    if (n + 1 < cap)
        synth_copy(dst + n, cap - n, src);
}

/* the string in str (capacity cap) without its accents, in place */
static void strip_in_place(char *str, size_t cap)
{
    char tmp[512];
    synth_strip_accents(str, tmp, sizeof tmp);
    synth_copy(str, cap, tmp);
}

/* bijective scramble of [0, 10^digits): local ids look random but never collide */
static uint64_t scramble(uint64_t x, int digits, uint64_t offset)
{
    uint64_t m = digits == 7 ? 10000000u : 100000000u;
    uint64_t a = digits == 7 ? 3141593u : 27182819u; /* odd, not multiples of 5 */
    return (x % m * a + offset % m) % m;
}

/* the 8-digit number a source gives a person of the household (not a dossier) */
static uint64_t person_number(const synth_source *s, const synth_household *h, int person)
{
    return scramble(h->index * SYNTH_MAX_PERSONS + (uint64_t)person, 8, s->id_offset);
}

static void fmt_int(char *out, size_t cap, int64_t v)
{
    snprintf(out, cap, "%" PRId64, v);
}

/* the reference date, in days */
static long today(const synth_emit *e)
{
    return synth_days(e->ctx->date.y, e->ctx->date.m, e->ctx->date.d);
}

/* ------------------------------------------------------------------ columns */

/* how a source writes a date */
enum {
    DATE_SLASHES, /* 31/12/1980 */
    DATE_ISO,     /* 1980-12-31 */
    DATE_COMPACT, /* 19801231 */
    DATE_DASHES,  /* 31-12-1980 */
};

static void put_date(synth_out *o, synth_date d, int style)
{
    char buf[32];
    switch (style) {
    case DATE_ISO: snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.y, d.m, d.d); break;
    case DATE_COMPACT: snprintf(buf, sizeof buf, "%04d%02d%02d", d.y, d.m, d.d); break;
    case DATE_DASHES: snprintf(buf, sizeof buf, "%02d-%02d-%04d", d.d, d.m, d.y); break;
    default: snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.d, d.m, d.y); break;
    }
    synth_out_field(o, buf);
}

static void put_int(synth_out *o, int64_t v)
{
    char buf[32];
    fmt_int(buf, sizeof buf, v);
    synth_out_field(o, buf);
}

/* an amount in euros with the decimal separator DEC, thousands set off by a no-break space
 * when NBSP_THOUSANDS */
static void put_money(synth_out *o, int64_t cents, char dec, int nbsp_thousands)
{
    char buf[64];
    int64_t e = cents / 100, c = cents % 100;
    if (nbsp_thousands && e >= 1000)
        snprintf(buf, sizeof buf, "%" PRId64 "\xC2\xA0%03" PRId64 "%c%02" PRId64, e / 1000,
                 e % 1000, dec, c);
    else
        snprintf(buf, sizeof buf, "%" PRId64 "%c%02" PRId64, e, dec, c);
    synth_out_field(o, buf);
}

/* an amount the source holds only when KNOWN, else a blank */
static void put_money_if(synth_out *o, int known, int64_t cents, char dec, int nbsp_thousands)
{
    if (known)
        put_money(o, cents, dec, nbsp_thousands);
    else
        synth_out_field(o, "");
}

static void put_blanks(synth_out *o, int n)
{
    for (int i = 0; i < n; i++)
        synth_out_field(o, "");
}

/* IN upper-cased, and without its accents when ASCII */
static void put_upper(synth_out *o, const char *in, int ascii)
{
    char tmp[512], buf[512];
    if (ascii) {
        synth_strip_accents(in, tmp, sizeof tmp);
        in = tmp;
    }
    synth_upper(in, buf, sizeof buf);
    synth_out_field(o, buf);
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
    synth_copy(id->nom, sizeof id->nom, p->nom);
    synth_copy(id->usage, sizeof id->usage, p->nom_usage);
    if (kind == KIND_CAF && p->autres[0])
        snprintf(id->prenom, sizeof id->prenom, "%s, %s", p->prenom, p->autres);
    else
        synth_copy(id->prenom, sizeof id->prenom, p->prenom);

    if (chance(r, rt[SYNTH_F_ACCENTS]) &&
        (synth_has_accent(id->nom) || synth_has_accent(id->usage) || synth_has_accent(id->prenom))) {
        strip_in_place(id->nom, sizeof id->nom);
        strip_in_place(id->usage, sizeof id->usage);
        strip_in_place(id->prenom, sizeof id->prenom);
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
    synth_copy(id->nir, sizeof id->nir, p->nir);
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
    synth_copy(a, sizeof a, in);
    if (st.noaccent || st.words == 2)
        strip_in_place(a, sizeof a);
    if (st.upper || st.words == 2) {
        synth_upper(a, b, sizeof b);
        synth_copy(a, sizeof a, b);
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
        synth_copy(a, sizeof a, b);
    }
    synth_copy(out, cap, a);
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

/* the street, then the complement after SEP when there is one, in one column */
static void put_address_line(synth_out *o, const synth_address *a, astyle st, const char *sep)
{
    char buf[512], x[256];
    street_str(a, st, buf, sizeof buf);
    compl_str(a, st, x, sizeof x);
    if (x[0]) {
        cat(buf, sizeof buf, sep);
        cat(buf, sizeof buf, x);
    }
    synth_out_field(o, buf);
}

/* the complement and the street, in two columns (the postal lines 3 and 4) */
static void put_postal_lines(synth_out *o, const synth_address *a, astyle st)
{
    char buf[512];
    compl_str(a, st, buf, sizeof buf);
    synth_out_field(o, buf);
    street_str(a, st, buf, sizeof buf);
    synth_out_field(o, buf);
}

/* the address's postal code: Bordeaux has five, every other commune one */
static const char *postcode(const synth_address *a)
{
    return a->commune == 0 ? synth_bordeaux_cps[a->cp] : synth_communes[a->commune].cp;
}

/* the postal code, then the commune's INSEE code */
static void put_cp_insee(synth_out *o, const synth_address *a)
{
    synth_out_field(o, postcode(a));
    synth_out_field(o, synth_communes[a->commune].insee);
}

/* ------------------------------------------------------------------ records */

typedef struct {
    int person;          /* index in h->p */
    const char *role;    /* the source's own code */
    int rank;            /* 1.. within the household record */
} member;

/* One member's record at a source and the row it is written to: the person, their identity
 * as the source holds it (faults included), the source's way of writing the address. */
typedef struct {
    synth_out *o;           /* the source's file */
    const synth_person *p;
    int person;             /* index in h->p */
    ident id;
    astyle st;
    char ref[32];           /* the row's local reference, for truth_persons.csv */
} record;

/* Draw member M's record at source S of KIND: the identity, then the address style (the
 * order the random stream is consumed in). REF is the row's local reference. */
static record record_draw(synth_source *s, int kind, synth_rng *r, const synth_household *h,
                          const member *m, const char *ref)
{
    record rec;
    rec.o = &s->out;
    rec.p = &h->p[m->person];
    rec.person = m->person;
    ident_make(s, kind, r, rec.p, &rec.id);
    rec.st = address_style(s, kind, r, &h->addr);
    synth_copy(rec.ref, sizeof rec.ref, ref);
    return rec;
}

/* the three columns a row opens with: two ids (the dossier's, or file's, and the row's own,
 * in the source's order), then the member's role */
static void put_keys(synth_out *o, const char *id1, const char *id2, const char *role)
{
    synth_out_field(o, id1);
    synth_out_field(o, id2);
    synth_out_field(o, role);
}

/* Draw the record of member M of dossier NUM, whose row is referenced as NUM, SEP and the
 * member's rank on RANK_DIGITS digits or more, and open the row with its keys. */
static record record_start(synth_source *s, int kind, synth_rng *r, const synth_household *h,
                           const member *m, const char *num, char sep, int rank_digits)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%s%c%0*d", num, sep, rank_digits, m->rank);
    record rec = record_draw(s, kind, r, h, m, ref);
    put_keys(rec.o, num, rec.ref, m->role);
    return rec;
}

/* End the record's row and write whose it is into truth_persons.csv. */
static void record_end(synth_emit *e, synth_source *s, const synth_household *h,
                       const record *rec)
{
    char pid[32], hid[32];
    synth_out_end(rec->o);
    fmt_int(pid, sizeof pid, (int64_t)(h->index + 1) * 10 + rec->person + 1);
    fmt_int(hid, sizeof hid, (int64_t)(h->index + 1));
    synth_out_field(&e->truth_persons, s->id);
    synth_out_field(&e->truth_persons, rec->ref);
    synth_out_field(&e->truth_persons, pid);
    synth_out_field(&e->truth_persons, hid);
    synth_out_end(&e->truth_persons);
}

/* the identity as a national register holds it: the NIR, the birth and usage names
 * upper-cased (without accents when ASCII), the first names as typed */
static void put_register_identity(const record *rec, int ascii)
{
    synth_out_field(rec->o, rec->id.nir);
    put_upper(rec->o, rec->id.nom, ascii);
    put_upper(rec->o, rec->id.usage, ascii);
    synth_out_field(rec->o, rec->id.prenom);
}

/* the date of birth in STYLE, then the sex as MALE or FEMALE */
static void put_birth(const record *rec, int style, const char *male, const char *female)
{
    put_date(rec->o, rec->id.dob, style);
    synth_out_field(rec->o, rec->p->sex == 1 ? male : female);
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

/* whether the household receives benefit B, as a flag of KIND's style */
static void put_has(synth_out *o, const synth_household *h, int b, int kind)
{
    synth_out_field(o, flag(has(h, b), kind));
}

/* the figures the CAF and the MSA hold on a family: composition, resources and earnings,
 * the rent when they pay housing aid, and the four benefits they pay (flags of KIND) */
static void put_family_figures(synth_out *o, const synth_household *h, int kind)
{
    put_int(o, h->n);
    put_int(o, h->nb_enfants);
    put_money(o, h->res, ',', 0);
    put_money(o, h->rev, ',', 0);
    put_money_if(o, has(h, SYNTH_B_AL), h->loyer, ',', 0);
    put_has(o, h, SYNTH_B_RSA, kind);
    put_has(o, h, SYNTH_B_PA, kind);
    put_has(o, h, SYNTH_B_AL, kind);
    put_has(o, h, SYNTH_B_AAH, kind);
}

/* --- CAF: one row per member of the dossier; figures on the claimant (ALL) row only */

static void caf_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, const char *alloc, int with_figures)
{
    record rec = record_start(s, KIND_CAF, r, h, m, alloc, '-', 2);
    put_register_identity(&rec, 0);
    put_birth(&rec, DATE_SLASHES, "1", "2");
    put_postal_lines(rec.o, &h->addr, rec.st);
    put_cp_insee(rec.o, &h->addr);
    if (with_figures)
        put_family_figures(rec.o, h, KIND_CAF);
    else
        put_blanks(rec.o, 9);
    record_end(e, s, h, &rec);
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

/* emit_dossier with 7-digit ids for the whole household, listed from the claimant D in the
 * usual order with the roles CODES (claimant, partner, children, others); a duplicate is a
 * claimant's. */
static void emit_household(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                           int d, const char *const codes[4], int kind, const char *prefix,
                           dossier_row row)
{
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, d, ms, codes);
    emit_dossier(e, s, r, h, ms, k, kind, prefix, 7, codes[0], row);
}

static void emit_caf(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"ALL", "CJT", "ENF", "AUT"};
    emit_household(e, &e->src[SYNTH_SRC_CAF], r, h, h->caf_d, codes, KIND_CAF, "", caf_row);
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
        synth_copy(out, cap, nir);
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
    char buf[512], ref[32], fid[32];
    snprintf(ref, sizeof ref, "IND%08" PRIu64, ind);
    snprintf(fid, sizeof fid, "FOY%07" PRIu64, foyer);
    record rec = record_draw(s, KIND_DEP, r, h, m, ref);
    synth_out *o = rec.o;
    put_keys(o, ref, fid, m->role);
    int keyless;
    nir_dep(buf, sizeof buf, rec.id.nir, r, &keyless);
    if (keyless && rec.id.nir_bad)
        s->faults[SYNTH_F_NIR_KEY]--; /* the 13-character form has no key to be wrong */
    synth_out_field(o, buf);
    if (synth_rng_below(r, 100) < 30)
        put_upper(o, rec.id.nom, 0);
    else
        synth_out_field(o, rec.id.nom);
    synth_out_field(o, rec.id.usage);
    synth_out_field(o, rec.id.prenom);
    put_birth(&rec, DATE_ISO, "M", "F");
    put_address_line(o, &h->addr, rec.st, ", ");
    synth_out_field(o, synth_communes[h->addr.commune].insee);
    if (figures) {
        put_int(o, h->n);
        put_int(o, h->nb_enfants);
        put_money(o, h->res, '.', 0);
        put_money_if(o, figures & DF_REV, h->rev, '.', 0);
        if (figures & DF_RENT) {
            put_money(o, h->loyer, '.', 0);
            put_int(o, h->impaye);
        } else {
            put_blanks(o, 2);
        }
        put_has(o, h, SYNTH_B_RSA, KIND_DEP);
        put_has(o, h, SYNTH_B_APA, KIND_DEP);
        put_has(o, h, SYNTH_B_PCH, KIND_DEP);
        put_has(o, h, SYNTH_B_FSL, KIND_DEP);
        /* the département pays none of these: only a social worker who reviewed the
         * household's rights knows */
        synth_out_field(o, figures & DF_RIGHTS ? flag(has(h, SYNTH_B_CSS), KIND_DEP) : "");
        synth_out_field(o, figures & DF_RIGHTS ? flag(has(h, SYNTH_B_ASPA), KIND_DEP) : "");
        put_has(o, h, SYNTH_B_SUIVI, KIND_DEP);
    } else {
        put_blanks(o, 13);
    }
    record_end(e, s, h, &rec);
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
        uint64_t seq;
        dep_row(e, s, r, h, &ms[i], person_number(s, h, ms[i].person), foyer, i == 0 ? figures : 0);
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
    record rec = record_start(s, KIND_BAIL, r, h, m, bail, '-', 2);
    synth_out *o = rec.o;
    synth_out_field(o, rec.p->sex == 1 ? "M" : rec.p->age < 18 ? "MLLE" : "MME");
    /* NOM is the name in use (the married name), NOM_NAISSANCE often left blank */
    int noacc = synth_rng_below(r, 100) < 55;
    put_upper(o, rec.id.usage[0] ? rec.id.usage : rec.id.nom, noacc);
    int birth_name;
    if (rec.id.usage[0]) {
        s->with_usage++;
        birth_name = !chance(r, fault_ppm[KIND_BAIL][SYNTH_F_BIRTHNAME_MISSING]);
        if (!birth_name)
            s->faults[SYNTH_F_BIRTHNAME_MISSING]++;
    } else {
        birth_name = synth_rng_below(r, 100) < 20;
    }
    if (birth_name)
        put_upper(o, rec.id.nom, 0);
    else
        synth_out_field(o, "");
    if (synth_rng_below(r, 100) < 40)
        put_upper(o, rec.id.prenom, 0);
    else
        synth_out_field(o, rec.id.prenom);
    put_date(o, rec.id.dob, DATE_SLASHES);
    synth_out_field(o, rec.id.nir);
    put_address_line(o, &h->addr, rec.st, " - ");
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, c->insee);
    synth_out_field(o, postcode(&h->addr));
    put_upper(o, c->name, 1);
    if (with_figures) {
        put_int(o, h->n);
        put_int(o, h->nb_enfants);
        put_money_if(o, (h->facts & SYNTH_F_SURVEY) != 0, h->res, ',', 1);
        put_money(o, h->loyer, ',', 1);
        put_int(o, h->impaye);
        put_has(o, h, SYNTH_B_AL, KIND_BAIL);
        put_has(o, h, SYNTH_B_FSL, KIND_BAIL);
    } else {
        put_blanks(o, 7);
    }
    record_end(e, s, h, &rec);
}

static void emit_bail(synth_emit *e, synth_rng *r, const synth_household *h)
{
    const char *codes[4] = {"TITULAIRE", "COTITULAIRE", "ENFANT", "OCCUPANT"};
    if (synth_rng_below(r, 100) < 20)
        codes[1] = "CONJOINT"; /* the partner is not on the lease */
    emit_household(e, &e->src[SYNTH_SRC_BAIL + h->landlord], r, h, h->bail_d, codes, KIND_BAIL,
                   "T", bail_row);
}

/* --- CPAM: the CSS (complémentaire santé solidaire) recipients, every member covered.
 * Latin-1, '|', CRLF, dates YYYYMMDD; names as the national register writes them (upper case,
 * no accents), first names as typed; the NIR of the insured person who opens the right
 * (NIR_OUVREUR_DROIT) is repeated on every row beside the member's own. */

static void cpam_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *dossier, const char *nir_od, uint64_t ref_n,
                     synth_date from, synth_date to, int with_figures)
{
    char ref[32];
    snprintf(ref, sizeof ref, "B%08" PRIu64, ref_n);
    record rec = record_draw(s, KIND_CPAM, r, h, m, ref);
    synth_out *o = rec.o;
    put_keys(o, dossier, ref, m->role);
    synth_out_field(o, nir_od);
    put_register_identity(&rec, 1);
    put_birth(&rec, DATE_COMPACT, "1", "2");
    put_postal_lines(o, &h->addr, rec.st);
    put_cp_insee(o, &h->addr);
    put_upper(o, synth_communes[h->addr.commune].name, 1);
    synth_out_field(o, "C2S");
    put_date(o, from, DATE_COMPACT);
    put_date(o, to, DATE_COMPACT);
    if (with_figures)
        put_int(o, h->n);
    else
        synth_out_field(o, "");
    record_end(e, s, h, &rec);
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
    long start = today(e) - (long)synth_rng_below(r, 365);
    synth_date from = synth_civil(start);
    synth_date to = synth_civil(synth_days(from.y + 1, from.m, from.m == 2 && from.d == 29 ? 28
                                                                                  : from.d) - 1);
    for (int i = 0; i < k; i++) {
        uint64_t seq;
        cpam_row(e, s, r, h, &ms[i], dossier, h->p[0].nir, person_number(s, h, ms[i].person),
                 from, to, i == 0);
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
    record rec = record_start(s, KIND_CARSAT, r, h, m, num, '-', 1);
    synth_out *o = rec.o;
    put_register_identity(&rec, 0);
    put_birth(&rec, DATE_DASHES, "H", "F");
    put_address_line(o, &h->addr, rec.st, " ");
    put_cp_insee(o, &h->addr);
    if (with_figures) {
        synth_out_field(o, h->n == 1 ? "ISOLE" : "COUPLE");
        put_int(o, h->n);
        put_money(o, 3 * h->res, ',', 0);
        synth_out_field(o, flag(1, KIND_CARSAT));
        int64_t ceil = h->n == 1 ? e->ctx->period.aspa_single_cents
                                 : e->ctx->period.aspa_couple_cents;
        int64_t amount = (ceil - 12 * h->res) / 12;
        put_money(o, amount > 0 ? amount : 0, ',', 0);
    } else {
        put_blanks(o, 5);
    }
    record_end(e, s, h, &rec);
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
    char buf[512], tmp[512];
    record rec = record_start(s, KIND_MSA, r, h, m, dossier, '/', 2);
    synth_out *o = rec.o;
    put_register_identity(&rec, 0);
    synth_out_field(o, rec.id.prenom[0] ? rec.p->autres : "");
    put_birth(&rec, DATE_SLASHES, "M", "F");
    /* the street with its number, split at the first space after the number */
    street_str(&h->addr, rec.st, tmp, sizeof tmp);
    const char *sp = tmp;
    if (h->addr.num) {
        sp = strchr(tmp, ' ');
        if (sp && h->addr.suffix && !rec.st.shortsuffix)
            sp = strchr(sp + 1, ' ');
        sp = sp ? sp + 1 : tmp + strlen(tmp);
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(sp > tmp ? sp - tmp - 1 : 0), tmp);
    synth_out_field(o, buf);
    synth_out_field(o, sp);
    compl_str(&h->addr, rec.st, buf, sizeof buf);
    synth_out_field(o, buf);
    put_cp_insee(o, &h->addr);
    if (with_figures) {
        synth_out_field(o, synth_rng_below(r, 100) < 30 ? "NSA" : "SA");
        put_family_figures(o, h, KIND_MSA);
        synth_out_field(o, flag((h->facts & SYNTH_F_CAF_FAMILY) != 0, KIND_MSA));
    } else {
        put_blanks(o, 11);
    }
    record_end(e, s, h, &rec);
}

static void emit_msa(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"RESP", "CONJ", "ENF", "AUT"};
    emit_household(e, &e->src[SYNTH_SRC_MSA], r, h, h->caf_d, codes, KIND_MSA, "M", msa_row);
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
    record rec = record_start(s, KIND_CCAS, r, h, m, dossier, '-', 1);
    synth_out *o = rec.o;
    synth_out_field(o, rec.p->sex == 1 ? "M." : rec.p->age < 18 ? "Mlle" : "Mme");
    synth_out_field(o, rec.id.usage[0] ? rec.id.usage : rec.id.nom);
    synth_out_field(o, rec.id.usage[0] ? rec.id.nom : "");
    synth_out_field(o, rec.id.prenom);
    put_date(o, rec.id.dob, DATE_SLASHES);
    /* the NIR of adults, when asked (30 %; the nir_missing fault of this source) */
    synth_out_field(o, rec.p->role != SYNTH_ROLE_E ? rec.id.nir : "");
    put_address_line(o, &h->addr, rec.st, ", ");
    synth_out_field(o, postcode(&h->addr));
    synth_out_field(o, synth_communes[h->addr.commune].name);
    if (with_figures) {
        put_int(o, h->n);
        put_int(o, h->nb_enfants);
        put_money(o, h->res, ',', 0);
        put_money(o, h->loyer, ',', 0);
        put_int(o, h->impaye);
        put_date(o, synth_civil(today(e) - (long)synth_rng_below(r, 365)), DATE_SLASHES);
        synth_out_field(o, aids[synth_rng_below(r, sizeof aids / sizeof aids[0])]);
    } else {
        put_blanks(o, 7);
    }
    record_end(e, s, h, &rec);
}

static void emit_ccas(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"Demandeur", "Conjoint", "Enfant", "Autre"};
    char prefix[8]; /* requests are numbered by year: 26-0012345 */
    snprintf(prefix, sizeof prefix, "%02d-", e->ctx->date.y % 100);
    emit_household(e, &e->src[SYNTH_SRC_CCAS], r, h, h->dep_d, codes, KIND_CCAS, prefix, ccas_row);
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
            synth_copy(s->file, sizeof s->file, fixed_sources[i].file);
            synth_copy(s->id, sizeof s->id, fixed_sources[i].id);
            synth_copy(s->mapping, sizeof s->mapping, fixed_sources[i].mapping);
            rc = open_one(&s->out, dir, s->file, fixed_sources[i].charset, fixed_sources[i].sep,
                          fixed_sources[i].eol, fixed_sources[i].bom, fixed_sources[i].header,
                          failed);
        } else {
            int k = i - SYNTH_SRC_BAIL;
            char name[32];
            if (k < 2)
                synth_copy(name, sizeof name, landlord_names[k]);
            else
                snprintf(name, sizeof name, "bailleur%d", k + 1);
            snprintf(s->file, sizeof s->file, "bailleur_%s.csv", name);
            snprintf(s->id, sizeof s->id, "bailleur:%s", name);
            synth_copy(s->mapping, sizeof s->mapping, "mapping-bailleur.ini");
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
        synth_copy(failed_path, sizeof failed_path, o->path ? o->path : "?");
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
