/* synth_house: generation of one household's true values (see synth_house.h).
 *
 * Every household draws from its own stream, seeded from (seed, index): household i is the
 * same whatever --households says. Only the NIR order numbers come from counters shared
 * across households (so that no two people share a NIR), which is why households are
 * generated in index order. No floating point anywhere: amounts are integer cents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_data.h"
#include "synth_house.h"
#include "synth_rules.h"

#define STREAM_TRUTH 0x7472757468ULL /* "truth" */
#define NIR_SALT 0x4E4952ULL
#define YEARS 100
#define RES_MAX_CENTS 2000000 /* resource search range: 0 to 20,000.00 */

/* ------------------------------------------------------------------ dates */

long synth_days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

synth_date synth_civil(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    synth_date r = {(int)(y + (m <= 2)), (int)m, (int)d};
    return r;
}

int synth_age(synth_date b, synth_date at)
{
    return at.y - b.y - (at.m < b.m || (at.m == b.m && at.d < b.d));
}

int synth_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* ------------------------------------------------------------------ context */

static int *surname_w, *commune_w;

int synth_ctx_init(synth_ctx *ctx, uint64_t seed, synth_date date, int landlords)
{
    static const synth_period periods[] = SYNTH_PERIODS_INIT;
    memset(ctx, 0, sizeof *ctx);
    ctx->seed = seed;
    ctx->date = date;
    ctx->landlords = landlords;
    long d = synth_days(date.y, date.m, date.d);
    int found = 0;
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        if (synth_days(periods[i].from_y, periods[i].from_m, periods[i].from_d) <= d) {
            ctx->period = periods[i];
            found = 1;
        }
    }
    if (!found)
        return SYNTH_CTX_EDATE;
    /* one more slot than the table: Corsica before 1976 ("20") */
    size_t cells = (synth_birthplaces_n + 1) * 2 * YEARS * 12;
    ctx->nir_counters = calloc(cells, sizeof *ctx->nir_counters);
    surname_w = malloc(synth_surnames_n * sizeof *surname_w);
    commune_w = malloc(synth_communes_n * sizeof *commune_w);
    if (!ctx->nir_counters || !surname_w || !commune_w) {
        synth_ctx_free(ctx);
        return SYNTH_CTX_ENOMEM;
    }
    /* Zipf-like: the first surnames of the table are the most frequent */
    for (size_t i = 0; i < synth_surnames_n; i++)
        surname_w[i] = (int)(200000 / (i + 12));
    for (size_t i = 0; i < synth_communes_n; i++)
        commune_w[i] = synth_communes[i].weight;
    return 0;
}

void synth_ctx_free(synth_ctx *ctx)
{
    free(ctx->nir_counters);
    ctx->nir_counters = NULL;
    free(surname_w);
    free(commune_w);
    surname_w = commune_w = NULL;
}

int synth_landlord_weight(int landlords, int k)
{
    if (landlords == 1)
        return 1000;
    if (landlords == 2)
        return k == 0 ? 550 : 450;
    if (k == 0)
        return 450;
    if (k == 1)
        return 350;
    int each = 200 / (landlords - 2);
    return k == landlords - 1 ? 200 - each * (landlords - 3) : each;
}

/* ------------------------------------------------------------------ people */

static int pct(synth_rng *r, int percent)
{
    return synth_rng_below(r, 100) < (uint32_t)percent;
}

static int rnd(synth_rng *r, int lo, int hi)
{
    return (int)synth_rng_range(r, lo, hi);
}

static const char *pick_surname(synth_rng *r)
{
    return synth_surnames[synth_rng_weighted(r, surname_w, synth_surnames_n)];
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* "A-B" when it fits, else A */
static void compound(char *dst, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 2 <= cap && strcmp(a, b) != 0) {
        memcpy(dst, a, la);
        dst[la] = '-';
        memcpy(dst + la + 1, b, lb + 1);
    } else {
        copy(dst, cap, a);
    }
}

static const char *pick_firstname(synth_rng *r, int sex, int byear)
{
    int g = byear < 1960 ? 0 : byear < 1990 ? 1 : 2;
    if (pct(r, 15))
        g = g == 0 ? 1 : g == 2 ? 1 : (pct(r, 50) ? 0 : 2);
    const char *const *t = synth_firstnames[sex - 1][g];
    return t[synth_rng_below(r, (uint32_t)synth_firstnames_n[sex - 1][g])];
}

static void set_names(synth_rng *r, synth_person *p, const char *nom)
{
    copy(p->nom, sizeof p->nom, nom);
    p->nom_usage[0] = 0;
    copy(p->prenom, sizeof p->prenom, pick_firstname(r, p->sex, p->birth.y));
    p->autres[0] = 0;
    int extra = pct(r, 55) ? 1 : 0;
    if (extra && pct(r, 25))
        extra = 2;
    for (int i = 0; i < extra; i++) {
        const char *x = pick_firstname(r, p->sex, p->birth.y - 30);
        if (strcmp(x, p->prenom) == 0 || strstr(p->autres, x))
            continue;
        size_t n = strlen(p->autres);
        snprintf(p->autres + n, sizeof p->autres - n, "%s%s", n ? ", " : "", x);
    }
}

/* A NIR unique within the run: the order number and commune come from a bijective scramble
 * of a counter per (birthplace, sex, year, month), so that two people never share one. */
static void make_nir(synth_ctx *ctx, synth_rng *r, synth_person *p)
{
    static int bp_w[64];
    static size_t bp_n;
    if (!bp_n) {
        for (size_t i = 0; i < synth_birthplaces_n && i < 64; i++)
            bp_w[i] = synth_birthplaces[i].weight;
        bp_n = synth_birthplaces_n < 64 ? synth_birthplaces_n : 64;
    }
    size_t slot = 0;
    /* most of the children living in the Gironde were born there */
    if (!(p->age < 18 && pct(r, 85)))
        slot = synth_rng_weighted(r, bp_w, bp_n);
    const synth_birthplace *bp = &synth_birthplaces[slot];
    const char *code = bp->code;
    int cmin = bp->commune_min, ccount = bp->commune_count;
    if (code[0] == '2' && (code[1] == 'A' || code[1] == 'B') && p->birth.y < 1976) {
        code = "20";
        slot = synth_birthplaces_n;
        cmin = 1;
        ccount = 366;
    }
    int yy = p->birth.y % 100, mm = p->birth.m;
    size_t cell = ((slot * 2 + (size_t)(p->sex - 1)) * YEARS + (size_t)yy) * 12 + (size_t)(mm - 1);
    uint64_t c = ctx->nir_counters[cell]++;
    uint64_t m = (uint64_t)ccount * 999;
    uint64_t off = synth_mix3(ctx->seed, cell, NIR_SALT) % m;
    uint64_t s = ((c % m) * 1000003u + off) % m;
    int commune = cmin + (int)(s / 999), order = 1 + (int)(s % 999);
    char buf[40];
    snprintf(buf, sizeof buf, "%d%02d%02d%s%03d%03d", p->sex, yy, mm, code, commune % 1000, order);
    uint64_t n = 0;
    for (int i = 0; i < 13; i++) {
        if (i == 5 && buf[5] == '2' && (buf[6] == 'A' || buf[6] == 'B')) {
            n = n * 100 + (buf[6] == 'A' ? 19 : 18);
            i++;
            continue;
        }
        n = n * 10 + (uint64_t)(buf[i] - '0');
    }
    snprintf(buf + 13, sizeof buf - 13, "%02d", (int)(97 - n % 97));
    memcpy(p->nir, buf, 16);
}

/* a birth date giving `age` full years at the reference date, uniformly within the year */
static long birth_for_age(const synth_ctx *ctx, synth_rng *r, int age)
{
    const synth_date d = ctx->date;
    long lo = synth_days(d.y - age - 1, d.m, d.d) + 1;
    long hi = synth_days(d.y - age, d.m, d.d);
    return lo + (long)synth_rng_below(r, (uint32_t)(hi - lo + 1));
}

/* the anniversary `years` before the reference date, shifted by `shift` days */
static long birth_near(const synth_ctx *ctx, int years, int shift)
{
    const synth_date d = ctx->date;
    int dd = d.d;
    if (d.m == 2 && dd == 29 && !synth_date_valid(d.y - years, 2, 29))
        dd = 28;
    return synth_days(d.y - years, d.m, dd) + shift;
}

static synth_person *add_person(synth_ctx *ctx, synth_household *h, int role, int sex, long birth)
{
    synth_person *p = &h->p[h->n++];
    memset(p, 0, sizeof *p);
    p->role = role;
    p->sex = sex;
    p->birth = synth_civil(birth);
    p->age = synth_age(p->birth, ctx->date);
    if (role == SYNTH_ROLE_E)
        h->nb_enfants++;
    return p;
}

enum { K_SINGLE, K_YOUNG, K_COUPLE, K_FAMILY, K_LONE, K_ELDER1, K_ELDER2, K_COUNT };

/* 2 (female) with probability female_pct, else 1 */
static int sex_draw(synth_rng *r, int female_pct)
{
    return pct(r, female_pct) ? 2 : 1;
}

/* k children, eldest first, born 10 months to 4 years apart (2% twins) after the parent's
 * 18th birthday; fewer when they do not fit before the reference date */
static void add_children(synth_ctx *ctx, synth_rng *r, synth_household *h, int k, int parent_age,
                         const char *surname)
{
    int maxage = parent_age - 18 < 20 ? parent_age - 18 : 20;
    if (maxage < 0)
        maxage = 0;
    int minage = 2 * (k - 1) < maxage ? 2 * (k - 1) : maxage;
    long today = synth_days(ctx->date.y, ctx->date.m, ctx->date.d);
    long b = birth_for_age(ctx, r, rnd(r, minage, maxage));
    for (int i = 0; i < k && h->n < SYNTH_MAX_PERSONS && b <= today; i++) {
        synth_person *c = add_person(ctx, h, SYNTH_ROLE_E, sex_draw(r, 49), b);
        set_names(r, c, surname);
        make_nir(ctx, r, c);
        if (!pct(r, 2))
            b += rnd(r, 300, 1460);
    }
}

static void add_adult_child(synth_ctx *ctx, synth_rng *r, synth_household *h, int parent_age,
                            const char *surname)
{
    int hi = parent_age - 19 < 32 ? parent_age - 19 : 32;
    if (hi < 21 || h->n >= SYNTH_MAX_PERSONS)
        return;
    /* one draw per statement: the order of evaluation of arguments is unspecified */
    int sex = sex_draw(r, 50);
    long b = birth_for_age(ctx, r, rnd(r, 21, hi));
    synth_person *c = add_person(ctx, h, SYNTH_ROLE_A, sex, b);
    set_names(r, c, surname);
    make_nir(ctx, r, c);
}

/* claimant alone: returns the surname children would carry */
static const char *one_adult(synth_ctx *ctx, synth_rng *r, synth_household *h, int sex, long birth,
                             int usage_pct)
{
    synth_person *a = add_person(ctx, h, SYNTH_ROLE_D, sex, birth);
    set_names(r, a, pick_surname(r));
    const char *kids = a->nom;
    if (sex == 2 && pct(r, usage_pct)) {
        copy(a->nom_usage, sizeof a->nom_usage, pick_surname(r));
        if (strcmp(a->nom_usage, a->nom) == 0)
            a->nom_usage[0] = 0;
        else if (pct(r, 65))
            kids = a->nom_usage;
    }
    make_nir(ctx, r, a);
    return kids;
}

/* claimant and partner, the older one first; returns the children's surname in buf */
static void two_adults(synth_ctx *ctx, synth_rng *r, synth_household *h, long b0, long b1,
                       char *kids, size_t cap)
{
    int same_sex = pct(r, 3);
    int s0 = pct(r, 50) ? 1 : 2;
    int s1 = same_sex ? s0 : 3 - s0;
    if (b1 < b0) { /* keep the claimant the older partner */
        long t = b0;
        b0 = b1;
        b1 = t;
    }
    synth_person *a = add_person(ctx, h, SYNTH_ROLE_D, s0, b0);
    synth_person *b = add_person(ctx, h, SYNTH_ROLE_C, s1, b1);
    h->partner = 1;
    const char *sa = pick_surname(r), *sb = pick_surname(r);
    set_names(r, a, sa);
    set_names(r, b, sb);
    copy(kids, cap, sa);
    if (!same_sex) {
        synth_person *man = a->sex == 1 ? a : b, *woman = a->sex == 1 ? b : a;
        int married = pct(r, a->age >= 60 ? 82 : 52);
        int k = rnd(r, 0, 99);
        if (married) {
            if (k < 85)
                copy(woman->nom_usage, sizeof woman->nom_usage, man->nom);
            else if (k < 95)
                compound(woman->nom_usage, sizeof woman->nom_usage, man->nom, woman->nom);
            if (strcmp(woman->nom_usage, woman->nom) == 0)
                woman->nom_usage[0] = 0;
            if (pct(r, 88))
                copy(kids, cap, man->nom);
            else
                compound(kids, cap, man->nom, woman->nom);
        } else if (k < 70) {
            copy(kids, cap, man->nom);
        } else if (k < 88) {
            compound(kids, cap, man->nom, woman->nom);
        } else {
            copy(kids, cap, woman->nom);
        }
    }
    make_nir(ctx, r, a);
    make_nir(ctx, r, b);
}

static int older_age(synth_rng *r, int lo, int span)
{
    /* triangular-ish: more people at the young end */
    int a = rnd(r, 0, span), b = rnd(r, 0, span);
    return lo + (a < b ? a : b);
}

static int kids_count(synth_rng *r, int lone)
{
    static const int fam[] = {35, 38, 18, 6, 3};
    static const int alone[] = {50, 32, 13, 5};
    return 1 + (int)(lone ? synth_rng_weighted(r, alone, 4) : synth_rng_weighted(r, fam, 5));
}

/* Composition; scenario-specific ones first. Random draws are made one per statement, in
 * a fixed order: C leaves the order of evaluation of function arguments unspecified, and
 * compilers do differ, which would break "same seed, same files". */
static void build_members(synth_ctx *ctx, synth_rng *r, synth_household *h, int sc, int side)
{
    static const int kind_w[K_COUNT] = {230, 55, 150, 225, 110, 140, 90};
    char kids[64] = "";
    int kind, sex;
    long b0, b1;
    if (sc == SYNTH_SC_RSA_AGE) {
        int v = rnd(r, 0, 99);
        if (side && v < 30) {
            /* a young lone parent: eligible through the children */
            kind = K_LONE;
            sex = sex_draw(r, 90);
            b0 = birth_for_age(ctx, r, rnd(r, 19, 24));
            one_adult(ctx, r, h, sex, b0, 0);
            int k = rnd(r, 1, 2);
            add_children(ctx, r, h, k, h->p[0].age, h->p[0].nom);
        } else if (!side && v < 20) {
            /* a young couple without children, the older one 24 */
            kind = K_COUPLE;
            b0 = birth_near(ctx, 25, rnd(r, 1, 60));
            b1 = birth_for_age(ctx, r, rnd(r, 19, 23));
            two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        } else {
            /* alone, 25 since 0-60 days, or turning 25 within 1-60 days */
            kind = K_SINGLE;
            b0 = side ? birth_near(ctx, 25, -rnd(r, 0, 60)) : birth_near(ctx, 25, rnd(r, 1, 60));
            sex = sex_draw(r, 50);
            one_adult(ctx, r, h, sex, b0, 0);
        }
        h->kind = kind;
        return;
    }
    if (sc == SYNTH_SC_ASPA_AGE) {
        /* claimant 65 since 0-60 days, or turning 65 within 1-60 days */
        b0 = side ? birth_near(ctx, 65, -rnd(r, 0, 60)) : birth_near(ctx, 65, rnd(r, 1, 60));
        if (pct(r, 55)) {
            kind = K_ELDER1;
            sex = sex_draw(r, 60);
            one_adult(ctx, r, h, sex, b0, 60);
        } else {
            kind = K_ELDER2;
            b1 = birth_for_age(ctx, r, rnd(r, 55, 63));
            two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        }
        h->kind = kind;
        return;
    }
    if (sc == SYNTH_SC_ASPA_RES || sc == SYNTH_SC_ASPA_HH)
        kind = pct(r, 55) ? K_ELDER1 : K_ELDER2;
    else {
        kind = (int)synth_rng_weighted(r, kind_w, K_COUNT);
        if ((sc == SYNTH_SC_RSA_RES || sc == SYNTH_SC_PA_RES) && kind == K_YOUNG)
            kind = K_SINGLE;
        if ((sc == SYNTH_SC_PA_RES || sc == SYNTH_SC_PA_LOW) && kind == K_ELDER1)
            kind = K_SINGLE;
        if ((sc == SYNTH_SC_PA_RES || sc == SYNTH_SC_PA_LOW) && kind == K_ELDER2)
            kind = K_COUPLE;
    }
    h->kind = kind;
    int a0, a1, k, other = 0;
    switch (kind) {
    case K_SINGLE:
        a0 = older_age(r, 25, 39);
        sex = sex_draw(r, 50);
        b0 = birth_for_age(ctx, r, a0);
        copy(kids, sizeof kids, one_adult(ctx, r, h, sex, b0, 15));
        break;
    case K_YOUNG:
        sex = sex_draw(r, 50);
        b0 = birth_for_age(ctx, r, rnd(r, 18, 24));
        copy(kids, sizeof kids, one_adult(ctx, r, h, sex, b0, 0));
        break;
    case K_COUPLE:
        a0 = older_age(r, 22, 42);
        a1 = a0 + rnd(r, -8, 8);
        b0 = birth_for_age(ctx, r, a0);
        b1 = birth_for_age(ctx, r, a1 < 18 ? 18 : a1);
        two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        if (pct(r, 4))
            other = 1;
        break;
    case K_FAMILY:
        a0 = rnd(r, 22, 55);
        a1 = a0 + rnd(r, -6, 6);
        b0 = birth_for_age(ctx, r, a0);
        b1 = birth_for_age(ctx, r, a1 < 19 ? 19 : a1);
        two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        k = kids_count(r, 0);
        add_children(ctx, r, h, k, h->p[1].age, kids);
        if (pct(r, 4))
            other = 1;
        break;
    case K_LONE: {
        a0 = rnd(r, 20, 55);
        sex = sex_draw(r, 85);
        b0 = birth_for_age(ctx, r, a0);
        const char *s = one_adult(ctx, r, h, sex, b0, 35);
        copy(kids, sizeof kids, pct(r, 55) ? s : h->p[0].nom);
        if (strcmp(kids, h->p[0].nom) == 0 && h->p[0].sex == 2 && pct(r, 45))
            copy(kids, sizeof kids, pick_surname(r)); /* the father's name */
        k = kids_count(r, 1);
        add_children(ctx, r, h, k, a0, kids);
        if (pct(r, 4))
            other = 1;
        break;
    }
    case K_ELDER1:
        sex = sex_draw(r, 62);
        b0 = birth_for_age(ctx, r, older_age(r, 65, 30));
        copy(kids, sizeof kids, one_adult(ctx, r, h, sex, b0, 65));
        other = sc == SYNTH_SC_ASPA_HH && !side;
        break;
    default: /* K_ELDER2 */
        a0 = older_age(r, 65, 27);
        a1 = a0 - rnd(r, -3, 7);
        b0 = birth_for_age(ctx, r, a0);
        b1 = birth_for_age(ctx, r, a1);
        two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        other = (sc == SYNTH_SC_ASPA_HH && !side) || pct(r, 3);
        break;
    }
    if (other) {
        /* an adult child: the younger parent must be old enough */
        int young = h->p[0].age;
        for (int i = 1; i < h->n; i++)
            if (h->p[i].role == SYNTH_ROLE_C && h->p[i].age < young)
                young = h->p[i].age;
        add_adult_child(ctx, r, h, young, kids);
    }
}

/* ------------------------------------------------------------------ money */

static int64_t cents(synth_rng *r, int lo_euros, int hi_euros)
{
    return synth_rng_range(r, (int64_t)lo_euros * 100, (int64_t)hi_euros * 100);
}

/* monthly earnings and other income of an adult */
static void adult_income(synth_rng *r, synth_person *p, int64_t *earn, int64_t *other)
{
    if (p->age >= 65 || (p->age >= 62 && pct(r, 45))) {
        static const int w[] = {14, 24, 40, 22};
        switch (synth_rng_weighted(r, w, 4)) {
        case 0: *other += cents(r, 150, 700); break;
        case 1: *other += cents(r, 700, 1100); break;
        case 2: *other += cents(r, 1100, 1900); break;
        default: *other += cents(r, 1900, 3800); break;
        }
        return;
    }
    if (p->age < 25) {
        static const int w[] = {35, 15, 25, 25};
        switch (synth_rng_weighted(r, w, 4)) {
        case 0: break;
        case 1: *other += cents(r, 500, 1000); break;
        case 2: *earn += cents(r, 350, 1000); break;
        default: *earn += cents(r, 1350, 1700); break;
        }
        return;
    }
    static const int w[] = {11, 4, 10, 18, 29, 20, 8};
    switch (synth_rng_weighted(r, w, 7)) {
    case 0:
        if (pct(r, 30))
            *other += cents(r, 50, 250);
        break;
    case 1: /* disabled adult: allocation aux adultes handicapés */
        *other += cents(r, 900, 1041);
        p->own |= SYNTH_BIT(SYNTH_B_AAH);
        break;
    case 2: *other += cents(r, 600, 1400); break;
    case 3: *earn += cents(r, 350, 1150); break;
    case 4: *earn += cents(r, 1350, 1650); break;
    case 5: *earn += cents(r, 1650, 2800); break;
    default: *earn += cents(r, 2800, 5500); break;
    }
}

static int64_t per_unit(const synth_household *h)
{
    int adults = h->n - h->nb_enfants;
    int64_t uc10 = 10 + 5 * (adults - 1) + 3 * h->nb_enfants;
    return h->res * 10 / uc10;
}

static void set_rent(synth_rng *r, synth_household *h)
{
    if (h->housing == SYNTH_SOCIAL)
        h->loyer = 18000 + 5500 * (int64_t)h->n + cents(r, 0, 120);
    else if (h->housing == SYNTH_PRIVATE) {
        h->loyer = 38000 + 9000 * (int64_t)h->n + cents(r, 0, 250);
        if (h->addr.commune == 0) /* Bordeaux */
            h->loyer = h->loyer * 115 / 100;
    } else
        h->loyer = 0;
}

static void set_arrears(synth_rng *r, synth_household *h, int low)
{
    static const int w[] = {40, 25, 35};
    h->impaye = 0;
    if (h->loyer > 0 && pct(r, low ? 14 : 3)) {
        size_t k = synth_rng_weighted(r, w, 3);
        h->impaye = k == 0 ? 1 : k == 1 ? 2 : rnd(r, 3, 8);
    }
}

static void make_social(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    int w[SYNTH_MAX_LANDLORDS];
    h->housing = SYNTH_SOCIAL;
    for (int k = 0; k < ctx->landlords; k++)
        w[k] = synth_landlord_weight(ctx->landlords, k);
    h->landlord = (int)synth_rng_weighted(r, w, (size_t)ctx->landlords);
}

static void make_address(synth_rng *r, synth_household *h)
{
    static int type_w[32];
    static size_t type_n;
    if (!type_n) {
        type_n = synth_street_types_n < 32 ? synth_street_types_n : 32;
        for (size_t i = 0; i < type_n; i++)
            type_w[i] = synth_street_types[i].weight;
    }
    synth_address *a = &h->addr;
    a->commune = (int)synth_rng_weighted(r, commune_w, synth_communes_n);
    a->cp = (int)synth_rng_below(r, (uint32_t)synth_bordeaux_cps_n);
    a->num = pct(r, 60) ? rnd(r, 1, 40) : rnd(r, 1, 250);
    a->suffix = pct(r, 4) ? 1 : pct(r, 1) ? 2 : 0;
    a->type = (int)synth_rng_weighted(r, type_w, type_n);
    a->street = (int)synth_rng_below(r, (uint32_t)synth_street_names_n);
    a->residence = -1;
    a->bat = 0;
    a->apt = 0;
    a->host = -1;
    if (h->housing == SYNTH_SOCIAL) {
        a->residence = (int)synth_rng_below(r, (uint32_t)synth_residences_n);
        a->bat = (char)('A' + synth_rng_below(r, 8));
        a->apt = rnd(r, 1, 120);
    } else if (h->housing == SYNTH_PRIVATE) {
        if (pct(r, 25))
            a->residence = (int)synth_rng_below(r, (uint32_t)synth_residences_n);
        if (pct(r, 40))
            a->apt = rnd(r, 1, 60);
    } else if (h->housing == SYNTH_HOSTED) {
        if (pct(r, 40))
            a->host = (int)synth_rng_weighted(r, surname_w, synth_surnames_n);
    } else if (pct(r, 8)) {
        a->residence = (int)synth_rng_below(r, (uint32_t)synth_residences_n);
    }
}

static void housing(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    static const int w_old[] = {68, 16, 12, 4};
    static const int w_low[] = {14, 36, 40, 10};
    static const int w_mid[] = {45, 20, 33, 2};
    static const int w_high[] = {70, 5, 25, 0};
    int64_t pu = per_unit(h);
    const int *w = h->p[0].age >= 65 ? w_old : pu < 130000 ? w_low : pu < 230000 ? w_mid : w_high;
    int k = (int)synth_rng_weighted(r, w, 4);
    h->landlord = -1;
    h->housing = k == 0 ? SYNTH_OWNER : k == 1 ? SYNTH_SOCIAL : k == 2 ? SYNTH_PRIVATE : SYNTH_HOSTED;
    if (h->housing == SYNTH_SOCIAL)
        make_social(ctx, r, h);
    make_address(r, h);
    set_rent(r, h);
    set_arrears(r, h, pu < 130000);
}

/* make a non-renting household a renter (scenarios about rent) */
static void make_renter(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    if (h->loyer > 0)
        return;
    if (pct(r, 45))
        make_social(ctx, r, h);
    else
        h->housing = SYNTH_PRIVATE;
    make_address(r, h);
    set_rent(r, h);
}

/* ------------------------------------------------------------------ benefits */

static void give(synth_household *h, int b)
{
    h->recv |= SYNTH_BIT(b);
}

static void take_away(synth_household *h, int b)
{
    h->recv &= ~SYNTH_BIT(b);
    for (int i = 0; i < h->n; i++)
        h->p[i].own &= ~SYNTH_BIT(b);
}

/* take-up, in percent, of the benefit of each rule by the households entitled to it */
static const int takeup_pct[SYNTH_R_COUNT] = {84, 90, 94, 92, 62, 35};

/* Draw the take-up of the rules in `rules` (a bit per rule) that the household is entitled
 * to and does not receive yet, in an order where each draw sees the ones it depends on
 * (the forfait logement looks at aide_logement, the css at the rsa). */
static void take_up(synth_ctx *ctx, synth_rng *r, synth_household *h, unsigned rules)
{
    static const int order[SYNTH_R_COUNT] = {SYNTH_R_AL, SYNTH_R_RSA, SYNTH_R_PA, SYNTH_R_CSS,
                                             SYNTH_R_ASPA, SYNTH_R_FSL};
    for (int k = 0; k < SYNTH_R_COUNT; k++) {
        int rule = order[k], b = synth_rule_benefit(rule);
        if (!(rules & (1u << rule)) || !synth_rule_eligible(ctx, h, rule))
            continue;
        if (!pct(r, takeup_pct[rule]))
            continue;
        give(h, b);
        if (rule == SYNTH_R_ASPA)
            h->p[h->partner && pct(r, 30) ? 1 : 0].own |= SYNTH_BIT(SYNTH_B_ASPA);
    }
}

static void natural_benefits(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    for (int i = 0; i < h->n; i++)
        if (h->p[i].own & SYNTH_BIT(SYNTH_B_AAH))
            give(h, SYNTH_B_AAH);
    take_up(ctx, r, h, (1u << SYNTH_R_COUNT) - 1);
    for (int i = 0; i < h->n; i++) {
        synth_person *p = &h->p[i];
        if (p->age >= 75 && pct(r, p->age >= 85 ? 45 : 20))
            p->own |= SYNTH_BIT(SYNTH_B_APA);
        else if (p->age >= 20 && p->age < 60 &&
                 pct(r, p->own & SYNTH_BIT(SYNTH_B_AAH) ? 20 : 0) )
            p->own |= SYNTH_BIT(SYNTH_B_PCH);
        if (p->own & SYNTH_BIT(SYNTH_B_APA))
            give(h, SYNTH_B_APA);
        if (p->own & SYNTH_BIT(SYNTH_B_PCH))
            give(h, SYNTH_B_PCH);
    }
}

/* delta away from a boundary, in cents: a third within one euro */
static int64_t boundary_delta(synth_rng *r, int inside)
{
    int k = rnd(r, 0, 99);
    if (k < 35)
        return rnd(r, inside ? 0 : 1, 100);
    if (k < 70)
        return rnd(r, 100, 2000);
    return rnd(r, 2000, 15000);
}

static int margin_pass(const synth_ctx *ctx, const synth_household *h, int rule)
{
    int strict;
    int64_t m = synth_rule_margin(ctx, h, rule, &strict);
    return strict ? m > 0 : m >= 0;
}

/* resources x; earned income x - other when tied to it, else capped at x */
static void set_resources(synth_household *h, int64_t x, int tie_rev, int64_t other, int64_t rev0)
{
    h->res = x;
    h->rev = tie_rev ? x - other : (rev0 < x ? rev0 : x);
}

/* Put ressources_mensuelles just inside (side 1) or just outside (side 0) the resource test
 * of `rule`, searched in [lo, hi] where the test passes below the boundary (dir < 0) or
 * above it (dir > 0). `other` is the non-earned part: earned income follows (tie_rev) or is
 * capped. Returns 0 (and leaves h as it was) when the boundary is not in the range. */
static int resources_near(const synth_ctx *ctx, synth_rng *r, synth_household *h, int rule,
                          int side, int dir, int64_t lo, int64_t hi, int tie_rev, int64_t other)
{
    int64_t res0 = h->res, rev0 = h->rev;
    set_resources(h, lo, tie_rev, other, rev0);
    int plo = margin_pass(ctx, h, rule);
    set_resources(h, hi, tie_rev, other, rev0);
    int phi = margin_pass(ctx, h, rule);
    if (lo > hi || plo == phi || (dir < 0) != plo) {
        h->res = res0;
        h->rev = rev0;
        return 0;
    }
    /* invariant: pass(a) == plo, pass(b) == phi */
    int64_t a = lo, b = hi;
    while (b - a > 1) {
        int64_t mid = a + (b - a) / 2;
        set_resources(h, mid, tie_rev, other, rev0);
        if (margin_pass(ctx, h, rule) == plo)
            a = mid;
        else
            b = mid;
    }
    /* dir < 0: a is the last passing value; dir > 0: b is the first passing value */
    int64_t d = boundary_delta(r, side), x;
    if (dir < 0)
        x = side ? a - d : b + d - 1;
    else
        x = side ? b + d : a - d + 1;
    if (x < lo)
        x = lo;
    if (x > hi)
        x = hi;
    set_resources(h, x, tie_rev, other, rev0);
    /* never exactly on a non-strict boundary: float and decimal implementations then agree */
    int strict;
    if (synth_rule_margin(ctx, h, rule, &strict) == 0 && !strict)
        set_resources(h, x + (dir < 0 ? -1 : 1), tie_rev, other, rev0);
    return 1;
}

static void apply_scenario(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    int side = h->scenario_side;
    int64_t other;
    int ok = 1;
    switch (h->scenario) {
    case SYNTH_SC_RSA_RES:
        take_away(h, SYNTH_B_RSA);
        ok = resources_near(ctx, r, h, SYNTH_R_RSA, side, -1, 0, RES_MAX_CENTS, 0, 0);
        break;
    case SYNTH_SC_RSA_AGE:
        take_away(h, SYNTH_B_RSA);
        h->res = cents(r, 0, 250);
        h->rev = h->rev < h->res ? h->rev : h->res;
        break;
    case SYNTH_SC_PA_RES:
    case SYNTH_SC_PA_LOW: {
        take_away(h, SYNTH_B_PA);
        other = h->scenario == SYNTH_SC_PA_LOW || pct(r, 60) ? 0 : cents(r, 50, 300);
        /* base x c in cents, rounded up: above it the margin falls with resources, below
         * it (earnings only) the margin rises with them */
        int64_t bc = (ctx->period.pa_base_cents * synth_rule_coef10(h) + 9) / 10;
        if (h->scenario == SYNTH_SC_PA_RES)
            ok = resources_near(ctx, r, h, SYNTH_R_PA, side, -1,
                                bc > other + 1 ? bc : other + 1, RES_MAX_CENTS, 1, other);
        else
            ok = resources_near(ctx, r, h, SYNTH_R_PA, side, +1, 1, bc - 1, 1, 0);
        break;
    }
    case SYNTH_SC_AL_RES:
        take_away(h, SYNTH_B_AL);
        make_renter(ctx, r, h);
        ok = resources_near(ctx, r, h, SYNTH_R_AL, side, -1, 0, RES_MAX_CENTS, 0, 0);
        break;
    case SYNTH_SC_CSS_RES:
        take_away(h, SYNTH_B_RSA);
        take_away(h, SYNTH_B_CSS);
        ok = resources_near(ctx, r, h, SYNTH_R_CSS, side, -1, 0, RES_MAX_CENTS, 0, 0);
        break;
    case SYNTH_SC_ASPA_RES:
        take_away(h, SYNTH_B_ASPA);
        ok = resources_near(ctx, r, h, SYNTH_R_ASPA, side, -1, 0, RES_MAX_CENTS, 0, 0);
        break;
    case SYNTH_SC_ASPA_AGE:
    case SYNTH_SC_ASPA_HH:
        take_away(h, SYNTH_B_ASPA);
        h->res = cents(r, 300, 1000);
        h->rev = 0;
        break;
    case SYNTH_SC_FSL_RES:
        take_away(h, SYNTH_B_FSL);
        make_renter(ctx, r, h);
        h->impaye = rnd(r, 2, 6);
        ok = resources_near(ctx, r, h, SYNTH_R_FSL, side, -1, 0, RES_MAX_CENTS, 0, 0);
        break;
    case SYNTH_SC_FSL_IMP: {
        take_away(h, SYNTH_B_FSL);
        make_renter(ctx, r, h);
        h->impaye = side ? 2 : 1;
        int64_t ceil = SYNTH_FSL_BASE_CENTS + (int64_t)SYNTH_FSL_PER_PERSON_CENTS * (h->n - 1);
        h->res = ceil * rnd(r, 40, 95) / 100;
        h->rev = h->rev < h->res ? h->rev : h->res;
        break;
    }
    default:
        break;
    }
    if (!ok)
        h->scenario = SYNTH_SC_NONE;
}

/* ------------------------------------------------------------------ household */

static const int scenario_rule[SYNTH_SC_COUNT] = {
    -1, SYNTH_R_RSA, SYNTH_R_RSA, SYNTH_R_PA, SYNTH_R_PA, SYNTH_R_AL, SYNTH_R_CSS,
    SYNTH_R_ASPA, SYNTH_R_ASPA, SYNTH_R_ASPA, SYNTH_R_FSL, SYNTH_R_FSL,
};

static unsigned entitlements(const synth_ctx *ctx, const synth_household *h)
{
    unsigned m = 0;
    for (int rule = 0; rule < SYNTH_R_COUNT; rule++)
        if (synth_rule_entitled(ctx, h, rule))
            m |= 1u << rule;
    return m;
}

void synth_house_generate(synth_ctx *ctx, uint64_t index, synth_household *h)
{
    static const int sc_w[SYNTH_SC_COUNT] = {0, 14, 6, 14, 4, 12, 12, 10, 5, 4, 12, 7};
    synth_rng rr, *r = &rr;
    synth_rng_seed(r, ctx->seed, STREAM_TRUTH, index);
    memset(h, 0, sizeof *h);
    h->index = index;
    h->landlord = -1;
    h->scenario = pct(r, 30) ? (int)synth_rng_weighted(r, sc_w, SYNTH_SC_COUNT) : SYNTH_SC_NONE;
    h->scenario_side = pct(r, 45);
    build_members(ctx, r, h, h->scenario, h->scenario_side);

    int64_t earn = 0, other = 0;
    for (int i = 0; i < h->n; i++)
        if (h->p[i].role != SYNTH_ROLE_E)
            adult_income(r, &h->p[i], &earn, &other);
    if (h->kind == K_LONE && pct(r, 40))
        other += cents(r, 50, 250); /* pension alimentaire */
    h->res = earn + other;
    h->rev = earn;
    if (h->scenario == SYNTH_SC_PA_RES && h->rev == 0) {
        h->rev = cents(r, 900, 1600);
        h->res += h->rev;
    }
    housing(ctx, r, h);
    natural_benefits(ctx, r, h);
    unsigned before = entitlements(ctx, h);
    apply_scenario(ctx, r, h);
    if (h->scenario != SYNTH_SC_NONE) {
        /* the new resources may open other rights: their take-up is drawn as for anyone,
         * except the planted rule and what its boundary depends on */
        unsigned keep = 1u << scenario_rule[h->scenario];
        if (scenario_rule[h->scenario] == SYNTH_R_RSA || scenario_rule[h->scenario] == SYNTH_R_PA)
            keep |= 1u << SYNTH_R_AL;
        if (scenario_rule[h->scenario] == SYNTH_R_CSS)
            keep |= 1u << SYNTH_R_RSA;
        take_up(ctx, r, h, entitlements(ctx, h) & ~before & ~keep);
    }

    /* no household sits exactly on a non-strict boundary (margin 0) */
    for (int pass = 0; pass < 4; pass++) {
        int moved = 0;
        for (int rule = 0; rule < SYNTH_R_COUNT; rule++) {
            int strict;
            if (synth_rule_margin(ctx, h, rule, &strict) == 0 && !strict) {
                h->res += 1;
                moved = 1;
            }
        }
        if (!moved)
            break;
    }

    int64_t pu = per_unit(h);
    if (h->recv & SYNTH_BIT(SYNTH_B_RSA) ? pct(r, 35)
        : h->recv & SYNTH_BIT(SYNTH_B_FSL) ? pct(r, 70)
        : pct(r, pu < 100000 ? 18 : 2))
        give(h, SYNTH_B_SUIVI);
    if (pct(r, pu < 130000 ? 12 : 2))
        h->facts |= SYNTH_F_DEP_KNOWN;
    if (h->nb_enfants > 0 && pct(r, 93))
        h->facts |= SYNTH_F_CAF_FAMILY;
    if (pct(r, 85))
        h->facts |= SYNTH_F_SURVEY;
    h->caf_d = h->partner && pct(r, 30) ? 1 : 0;
    h->dep_d = h->partner && pct(r, 15) ? 1 : 0;
    h->bail_d = h->partner && pct(r, 25) ? 1 : 0;
    ctx->scenario_count[h->scenario]++;
}
