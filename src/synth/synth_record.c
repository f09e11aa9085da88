/* synth_record: the pieces every agency's export row is made of (see synth_record.h): fault
 * rates, identities with their faults, addresses in each source's style, column writers and
 * the record of one member at a source. Private to the emitter. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "synth_data.h"
#include "synth_record.h"
#include "synth_text.h"

const uint32_t synth_fault_ppm[SYNTH_KIND_COUNT][SYNTH_F_COUNT] = {
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

uint64_t synth_scramble(uint64_t x, int digits, uint64_t offset)
{
    uint64_t m = digits == 7 ? 10000000u : 100000000u;
    uint64_t a = digits == 7 ? 3141593u : 27182819u; /* odd, not multiples of 5 */
    return (x % m * a + offset % m) % m;
}

uint64_t synth_person_number(const synth_source *s, const synth_household *h, int person)
{
    return synth_scramble(h->index * SYNTH_MAX_PERSONS + (uint64_t)person, 8, s->id_offset);
}

void synth_fmt_int(char *out, size_t cap, int64_t v)
{
    snprintf(out, cap, "%" PRId64, v);
}

long synth_today(const synth_emit *e)
{
    return synth_days(e->ctx->date.y, e->ctx->date.m, e->ctx->date.d);
}

/* ------------------------------------------------------------------ columns */

void synth_put_date(synth_out *o, synth_date d, int style)
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

void synth_put_int(synth_out *o, int64_t v)
{
    char buf[32];
    synth_fmt_int(buf, sizeof buf, v);
    synth_out_field(o, buf);
}

void synth_put_money(synth_out *o, int64_t cents, char dec, int nbsp_thousands)
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

void synth_put_money_if(synth_out *o, int known, int64_t cents, char dec, int nbsp_thousands)
{
    if (known)
        synth_put_money(o, cents, dec, nbsp_thousands);
    else
        synth_out_field(o, "");
}

void synth_put_blanks(synth_out *o, int n)
{
    for (int i = 0; i < n; i++)
        synth_out_field(o, "");
}

void synth_put_upper(synth_out *o, const char *in, int ascii)
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

static void typo(synth_source *s, synth_rng *r, char *str, size_t cap, int fault)
{
    static const int w[SYNTH_TYPO_COUNT] = {35, 25, 25, 15};
    int op = (int)synth_rng_weighted(r, w, SYNTH_TYPO_COUNT);
    if (synth_typo(r, str, cap, &op))
        s->faults[fault]++;
}

static void ident_make(synth_source *s, int kind, synth_rng *r, const synth_person *p, ident *id)
{
    const uint32_t *rt = synth_fault_ppm[kind];
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

void synth_street_str(const synth_address *a, astyle st, char *out, size_t cap)
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

void synth_compl_str(const synth_address *a, astyle st, char *out, size_t cap)
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
    if (!chance(r, synth_fault_ppm[kind][SYNTH_F_ADDRESS]))
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
    synth_street_str(a, st, x, sizeof x);
    synth_compl_str(a, st, x + strlen(x), sizeof x - strlen(x));
    synth_street_str(a, v, y, sizeof y);
    synth_compl_str(a, v, y + strlen(y), sizeof y - strlen(y));
    if (strcmp(x, y) != 0)
        s->faults[SYNTH_F_ADDRESS]++;
    return v;
}

void synth_put_address_line(synth_out *o, const synth_address *a, astyle st, const char *sep)
{
    char buf[512], x[256];
    synth_street_str(a, st, buf, sizeof buf);
    synth_compl_str(a, st, x, sizeof x);
    if (x[0]) {
        cat(buf, sizeof buf, sep);
        cat(buf, sizeof buf, x);
    }
    synth_out_field(o, buf);
}

void synth_put_postal_lines(synth_out *o, const synth_address *a, astyle st)
{
    char buf[512];
    synth_compl_str(a, st, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_street_str(a, st, buf, sizeof buf);
    synth_out_field(o, buf);
}

const char *synth_postcode(const synth_address *a)
{
    return a->commune == 0 ? synth_bordeaux_cps[a->cp] : synth_communes[a->commune].cp;
}

void synth_put_cp_insee(synth_out *o, const synth_address *a)
{
    synth_out_field(o, synth_postcode(a));
    synth_out_field(o, synth_communes[a->commune].insee);
}

/* ------------------------------------------------------------------ records */

record synth_record_draw(synth_source *s, int kind, synth_rng *r, const synth_household *h,
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

void synth_put_keys(synth_out *o, const char *id1, const char *id2, const char *role)
{
    synth_out_field(o, id1);
    synth_out_field(o, id2);
    synth_out_field(o, role);
}

record synth_record_start(synth_source *s, int kind, synth_rng *r, const synth_household *h,
                          const member *m, const char *num, char sep, int rank_digits)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%s%c%0*d", num, sep, rank_digits, m->rank);
    record rec = synth_record_draw(s, kind, r, h, m, ref);
    synth_put_keys(rec.o, num, rec.ref, m->role);
    return rec;
}

void synth_record_end(synth_emit *e, synth_source *s, const synth_household *h,
                      const record *rec)
{
    char pid[32], hid[32];
    synth_out_end(rec->o);
    synth_fmt_int(pid, sizeof pid, (int64_t)(h->index + 1) * 10 + rec->person + 1);
    synth_fmt_int(hid, sizeof hid, (int64_t)(h->index + 1));
    synth_out_field(&e->truth_persons, s->id);
    synth_out_field(&e->truth_persons, rec->ref);
    synth_out_field(&e->truth_persons, pid);
    synth_out_field(&e->truth_persons, hid);
    synth_out_end(&e->truth_persons);
}

void synth_put_register_identity(const record *rec, int ascii)
{
    synth_out_field(rec->o, rec->id.nir);
    synth_put_upper(rec->o, rec->id.nom, ascii);
    synth_put_upper(rec->o, rec->id.usage, ascii);
    synth_out_field(rec->o, rec->id.prenom);
}

void synth_put_birth(const record *rec, int style, const char *male, const char *female)
{
    synth_put_date(rec->o, rec->id.dob, style);
    synth_out_field(rec->o, rec->p->sex == 1 ? male : female);
}

const char *synth_flag(int v, int kind)
{
    if (kind == KIND_CAF)
        return v ? "O" : "N";
    if (kind == KIND_DEP)
        return v ? "oui" : "non";
    if (kind == KIND_MSA || kind == KIND_CARSAT)
        return v ? "1" : "0";
    return v ? "OUI" : "NON";
}

int synth_has(const synth_household *h, int b)
{
    return (h->recv >> b) & 1u;
}

void synth_put_has(synth_out *o, const synth_household *h, int b, int kind)
{
    synth_out_field(o, synth_flag(synth_has(h, b), kind));
}

void synth_put_family_figures(synth_out *o, const synth_household *h, int kind)
{
    synth_put_int(o, h->n);
    synth_put_int(o, h->nb_enfants);
    synth_put_money(o, h->res, ',', 0);
    synth_put_money(o, h->rev, ',', 0);
    synth_put_money_if(o, synth_has(h, SYNTH_B_AL), h->loyer, ',', 0);
    synth_put_has(o, h, SYNTH_B_RSA, kind);
    synth_put_has(o, h, SYNTH_B_PA, kind);
    synth_put_has(o, h, SYNTH_B_AL, kind);
    synth_put_has(o, h, SYNTH_B_AAH, kind);
}
