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

void synth_copy(char *dst, size_t cap, const char *src)
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
        synth_copy(dst, cap, a);
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
    synth_copy(p->nom, sizeof p->nom, nom);
    p->nom_usage[0] = 0;
    synth_copy(p->prenom, sizeof p->prenom, pick_firstname(r, p->sex, p->birth.y));
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
    /* children at home up to 24, as INSEE counts them */
    int maxage = parent_age - 19 < 24 ? parent_age - 19 : 24;
    if (maxage < 0)
        maxage = 0;
    int minage = 2 * (k - 1) < maxage ? 2 * (k - 1) : maxage;
    long today = synth_days(ctx->date.y, ctx->date.m, ctx->date.d);
    /* the eldest: the older of two draws, as families grow older than their first years */
    int e1 = rnd(r, minage, maxage);
    int e2 = rnd(r, minage, maxage);
    long b = birth_for_age(ctx, r, e1 > e2 ? e1 : e2);
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
        synth_copy(a->nom_usage, sizeof a->nom_usage, pick_surname(r));
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
    synth_copy(kids, cap, sa);
    if (!same_sex) {
        synth_person *man = a->sex == 1 ? a : b, *woman = a->sex == 1 ? b : a;
        int married = pct(r, a->age >= 60 ? 82 : 52);
        int k = rnd(r, 0, 99);
        if (married) {
            if (k < 85)
                synth_copy(woman->nom_usage, sizeof woman->nom_usage, man->nom);
            else if (k < 95)
                compound(woman->nom_usage, sizeof woman->nom_usage, man->nom, woman->nom);
            if (strcmp(woman->nom_usage, woman->nom) == 0)
                woman->nom_usage[0] = 0;
            if (pct(r, 88))
                synth_copy(kids, cap, man->nom);
            else
                compound(kids, cap, man->nom, woman->nom);
        } else if (k < 70) {
            synth_copy(kids, cap, man->nom);
        } else if (k < 88) {
            compound(kids, cap, man->nom, woman->nom);
        } else {
            synth_copy(kids, cap, woman->nom);
        }
    }
    make_nir(ctx, r, a);
    make_nir(ctx, r, b);
}

/* an age in [lo, lo + span], more people at the young end (old age: mortality) */
static int older_age(synth_rng *r, int lo, int span)
{
    int a = rnd(r, 0, span), b = rnd(r, 0, span);
    return lo + (a < b ? a : b);
}

static int kids_count(synth_rng *r, int lone)
{
    static const int fam[] = {40, 40, 15, 4, 1};
    static const int alone[] = {55, 32, 10, 3};
    return 1 + (int)(lone ? synth_rng_weighted(r, alone, 4) : synth_rng_weighted(r, fam, 5));
}

int synth_age_band(int age)
{
    return age < 15 ? 0 : age < 20 ? 1 : age < 25 ? 2 : age < 40 ? 3 : age < 55 ? 4
         : age < 65 ? 5 : age < 80 ? 6 : 7;
}

/* Household structure, Gironde (INSEE, RP2019, FAM T1, per mille of households): one person
 * 382 and other households without a family 24 (flatmates: each one a benefit unit of its
 * own, generated as one-person households), couples 500 (without children 258, with 242:
 * which one follows from the age drawn below), lone-parent families 95. */
static const int kind_w[3] = {406, 500, 95};

/* Age of the adults who head a household, by age band 18-19, 20-24, 25-39, 40-54, 55-64,
 * 65-79, 80-99: persons of the Gironde (INSEE, RP2021, POP3) in couple (married, pacsé or
 * in union) divided by two for couples; for people alone, the persons of the band times the
 * share living alone by age of INSEE's FAM G2 profile of a large urban area (5.8, 19.7,
 * 15.5, 14.8, 22.7, 29.6, 49.2 %); lone parents: an assumption (docs/synth.md). */
static const int band_lo[7] = {18, 20, 25, 40, 55, 65, 80};
static const int band_hi[7] = {19, 24, 39, 54, 64, 79, 99};
static const int age_w_single[7] = {6062, 21292, 48363, 48996, 44687, 68010, 47180};
static const int age_w_couple[7] = {1264, 12259, 104548, 119238, 68208, 77973, 20205};
static const int age_w_lone[7] = {0, 40, 380, 480, 100, 0, 0};
/* percent of couples with children at home, by the band drawn (assumption calibrated on
 * INSEE's 242 with children for 258 without) */
static const int couple_kids_pct[7] = {25, 30, 72, 80, 28, 0, 0};

static int age_in_band(synth_rng *r, int band)
{
    if (band == 6)
        return older_age(r, 80, 19);
    return rnd(r, band_lo[band], band_hi[band]);
}

/* Composition: structure, then the claimant's age band, then the rest. Random draws are
 * made one per statement, in a fixed order: C leaves the order of evaluation of function
 * arguments unspecified, and compilers do differ, which would break "same seed, same
 * files". */
static void build_members(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    char kids[64] = "";
    int sex, a0, a1, k, band, other = 0;
    long b0, b1;
    int kind = (int)synth_rng_weighted(r, kind_w, 3);
    if (kind == 0) {
        band = (int)synth_rng_weighted(r, age_w_single, 7);
        a0 = age_in_band(r, band);
        /* women are 58 % of people alone (INSEE FAM T1), most of them at old ages */
        sex = sex_draw(r, a0 >= 80 ? 75 : a0 >= 65 ? 65 : 50);
        b0 = birth_for_age(ctx, r, a0);
        one_adult(ctx, r, h, sex, b0, a0 >= 65 ? 65 : a0 >= 25 ? 15 : 0);
        h->kind = SYNTH_K_SINGLE;
        return;
    }
    if (kind == 1) {
        band = (int)synth_rng_weighted(r, age_w_couple, 7);
        a0 = age_in_band(r, band);
        a1 = a0 + rnd(r, -7, 7);
        if (a1 < 18)
            a1 = 18;
        b0 = birth_for_age(ctx, r, a0);
        b1 = birth_for_age(ctx, r, a1);
        two_adults(ctx, r, h, b0, b1, kids, sizeof kids);
        h->kind = SYNTH_K_COUPLE;
        if (pct(r, couple_kids_pct[band])) {
            k = kids_count(r, 0);
            add_children(ctx, r, h, k, h->p[1].age, kids);
            if (h->nb_enfants > 0)
                h->kind = SYNTH_K_FAMILY;
        }
        other = pct(r, a0 >= 65 ? 3 : 4);
    } else {
        band = (int)synth_rng_weighted(r, age_w_lone, 7);
        a0 = age_in_band(r, band);
        /* lone parents: 85 % mothers (INSEE FAM T1bis: 748 women for 270 men in the
         * Réolais, 82 % in France) */
        sex = sex_draw(r, 85);
        b0 = birth_for_age(ctx, r, a0);
        const char *s = one_adult(ctx, r, h, sex, b0, 35);
        synth_copy(kids, sizeof kids, pct(r, 55) ? s : h->p[0].nom);
        if (strcmp(kids, h->p[0].nom) == 0 && h->p[0].sex == 2 && pct(r, 45))
            synth_copy(kids, sizeof kids, pick_surname(r)); /* the father's name */
        k = kids_count(r, 1);
        add_children(ctx, r, h, k, a0, kids);
        h->kind = h->nb_enfants > 0 ? SYNTH_K_LONE : SYNTH_K_SINGLE;
        other = pct(r, 4);
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

/* Monthly net earnings of a full-time worker by decile, in euros: INSEE, Les salaires dans le
 * secteur privé en 2022 (Insee Première n° 1971, November 2023), net monthly wage in full-time
 * equivalent: D1 1,436, median 2,091, D9 4,162; D2 to D4 spaced as in the 2020 edition (1,343,
 * 1,507, 1,655, 1,816, 2,005 for D1 to D5), D6 to D8 interpolated (2,340, 2,680, 3,200: an
 * assumption); all raised by 7.3 %, the net SMIC's rise from the end of 2022 (1,329) to 2025
 * (1,426), which is the floor; the top decile up to 9,600. A draw is uniform within a decile. */
static const int fulltime_deciles[11] = {1426, 1541, 1715, 1872, 2043, 2244,
                                         2511, 2876, 3434, 4466, 9600};

/* Activity of the adults of 25 to 64: inactive, disabled (AAH), unemployed and paid the
 * unemployment insurance (ARE, 700-1,500), unemployed and not paid it (ASS or nothing,
 * 0-550), part time (500-1,400), full time (the deciles above). Two sets: adults who live
 * with a partner, and adults who do not (people alone, lone parents, adult children at their
 * parents'), who are far more often out of work and poor (INSEE, Pauvreté selon le type de
 * ménage, 2022: poverty rate 19.5 % of people alone and 31.4 % of lone-parent families under
 * 65, 6.6 % and 13.0 % of couples without and with children). An assumption calibrated on
 * the shares of households receiving the RSA, the prime d'activité and housing aid
 * (docs/synth.md): 85 % and 66 % in work. */
static const int activity_w_couple[6] = {5, 4, 4, 2, 13, 72};
static const int activity_w_alone[6] = {13, 6, 5, 10, 11, 55};

/* monthly earnings and other income of an adult (into p->earn and p->other, which start
 * at 0); `alone`: without a partner */
static void adult_income(synth_rng *r, synth_person *p, int alone)
{
    /* pensions: about one retiree in five under 1,100 EUR a month, the median near 1,500
     * (DREES, Les retraités et les retraites, pension of all schemes, net); an assumption
     * calibrated to the ASPA recipients (about 4.5 % of people aged 65 or more) */
    if (p->age >= 65 || (p->age >= 62 && pct(r, 45))) {
        static const int w[] = {6, 17, 44, 33};
        switch (synth_rng_weighted(r, w, 4)) {
        case 0: p->other += cents(r, 150, 700); break;
        case 1: p->other += cents(r, 700, 1100); break;
        case 2: p->other += cents(r, 1100, 1900); break;
        default: p->other += cents(r, 1900, 3800); break;
        }
        return;
    }
    /* under 25: nothing 30 %, other income (family support, grants, benefits) 30 %, small
     * jobs 15 %, around the SMIC 25 %: an assumption */
    if (p->age < 25) {
        static const int w[] = {30, 30, 15, 25};
        switch (synth_rng_weighted(r, w, 4)) {
        case 0: break;
        case 1: p->other += cents(r, 500, 1000); break;
        case 2: p->earn = cents(r, 350, 1000); break;
        default: p->earn = cents(r, 1350, 1700); break;
        }
        return;
    }
    int k;
    switch (synth_rng_weighted(r, alone ? activity_w_alone : activity_w_couple, 6)) {
    case 0:
        if (pct(r, 30))
            p->other += cents(r, 50, 250);
        break;
    case 1: /* disabled adult: allocation aux adultes handicapés */
        p->other += cents(r, 900, 1041);
        p->own |= SYNTH_BIT(SYNTH_B_AAH);
        break;
    case 2: p->other += cents(r, 700, 1500); break;
    case 3: p->other += cents(r, 0, 550); break;
    case 4: p->earn = cents(r, 500, 1400); break;
    default:
        k = (int)synth_rng_below(r, 10);
        p->earn = cents(r, fulltime_deciles[k], fulltime_deciles[k + 1]);
        break;
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
    /* owner, social tenant, private tenant, hosted: about 14 % of households in social
     * housing (INSEE: 14 % of main residences in France, fewer in the Gironde), an
     * assumption by age and income */
    static const int w_old[] = {70, 11, 15, 4};
    static const int w_low[] = {14, 28, 46, 12};
    static const int w_mid[] = {45, 14, 39, 2};
    static const int w_high[] = {72, 3, 25, 0};
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

/* ------------------------------------------------------------------ benefits */

static void give(synth_household *h, int b)
{
    h->recv |= SYNTH_BIT(b);
}

/* Non-take-up, in percent of the households entitled to the benefit of each rule (sources
 * in docs/synth.md): RSA 34 % on the whole (DREES, Les Dossiers n° 92, 2022), 18 % of the
 * eligible households paid housing aid and 57 % of the others (same study): drawn with
 * these two, which gives about 33 % here; prime d'activité under 30 % (evaluation report,
 * DGCS 2017); aide au logement: no published figure, 10 % assumed; CSS 44 % (DREES, 2022:
 * the rule's ceiling is that of the CSS with a contribution, so the rate of the whole CSS);
 * ASPA 50 % of single people (DREES, Les Dossiers n° 97, 2022), assumed for couples too;
 * FSL: no published figure, 65 % assumed. */
#define RSA_NTU_KNOWN 18
#define RSA_NTU_OTHER 57
static const int ntu_pct[SYNTH_R_COUNT] = {0 /* rsa: above */, 30, 10, 44, 50, 65};

/* Draw the take-up of every rule the household is entitled to, in an order where each draw
 * sees the ones it depends on (the forfait logement looks at aide_logement, the css at the
 * rsa and the aspa). Whether an agency knows the household plays no part, except through
 * real mechanisms: a household already paid housing aid or family benefits claims the RSA
 * more often (DREES). */
static void take_up(synth_ctx *ctx, synth_rng *r, synth_household *h)
{
    static const int order[SYNTH_R_COUNT] = {SYNTH_R_AL, SYNTH_R_RSA, SYNTH_R_PA, SYNTH_R_ASPA,
                                             SYNTH_R_CSS, SYNTH_R_FSL};
    for (int k = 0; k < SYNTH_R_COUNT; k++) {
        int rule = order[k], b = synth_rule_benefit(rule);
        if (!synth_rule_eligible(ctx, h, rule))
            continue;
        int ntu = ntu_pct[rule];
        if (rule == SYNTH_R_RSA)
            ntu = h->recv & SYNTH_BIT(SYNTH_B_AL) ? RSA_NTU_KNOWN : RSA_NTU_OTHER;
        if (pct(r, ntu))
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
    take_up(ctx, r, h);
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

/* ------------------------------------------------------------------ household */

void synth_house_generate(synth_ctx *ctx, uint64_t index, synth_household *h)
{
    synth_rng rr, *r = &rr;
    synth_rng_seed(r, ctx->seed, STREAM_TRUTH, index);
    memset(h, 0, sizeof *h);
    h->index = index;
    h->landlord = -1;
    build_members(ctx, r, h);

    for (int i = 0; i < h->n; i++)
        if (h->p[i].role != SYNTH_ROLE_E)
            adult_income(r, &h->p[i], !h->partner || h->p[i].role == SYNTH_ROLE_A);
    if (h->kind == SYNTH_K_LONE && pct(r, 40))
        h->p[0].other += cents(r, 50, 250); /* pension alimentaire, the parent's */
    for (int i = 0; i < h->n; i++) {
        h->res += h->p[i].earn + h->p[i].other;
        h->rev += h->p[i].earn;
    }
    housing(ctx, r, h);

    /* Facts drawn before take-up, independently of it. Agricultural households: the MSA of
     * the Gironde has 170,000 members for about 1.6 million inhabitants (La Tribune, 2019):
     * 10 % of households. Family benefits: 97 % of families with two children or more
     * (allocations familiales, paid without means test), 55 % of those with one (means-tested
     * benefits only): an assumption. */
    if (pct(r, 10))
        h->facts |= SYNTH_F_AGRI;
    if (h->nb_enfants > 0 && pct(r, h->nb_enfants >= 2 ? 97 : 55))
        h->facts |= SYNTH_F_CAF_FAMILY;
    natural_benefits(ctx, r, h);

    int64_t pu = per_unit(h);
    if (h->recv & SYNTH_BIT(SYNTH_B_RSA) ? pct(r, 35)
        : h->recv & SYNTH_BIT(SYNTH_B_FSL) ? pct(r, 70)
        : pct(r, pu < 100000 ? 18 : 2))
        give(h, SYNTH_B_SUIVI);
    if (pct(r, pu < 130000 ? 12 : 2))
        h->facts |= SYNTH_F_DEP_KNOWN;
    if (pct(r, 85))
        h->facts |= SYNTH_F_SURVEY;
    /* the CCAS of Bordeaux: households of the commune that asked it for help (food, energy,
     * emergency aid) this year; an assumption, no published rate */
    if (h->addr.commune == 0 && pct(r, pu < 100000 ? 15 : 1))
        h->facts |= SYNTH_F_CCAS;
    h->caf_d = h->partner && pct(r, 30) ? 1 : 0;
    h->dep_d = h->partner && pct(r, 15) ? 1 : 0;
    h->bail_d = h->partner && pct(r, 25) ? 1 : 0;
}
