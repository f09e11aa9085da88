#include "link.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fr.h"
#include "fs.h"
#include "sbuf.h"
#include "strtab.h"

const char *link_method_name(enum link_method m)
{
    static const char *const names[] = {"nir", "ident", "ident_alt", "clk"};
    return names[m];
}

static int pop16(const uint64_t *a)
{
    int n = 0;
    for (int i = 0; i < 16; i++)
        n += __builtin_popcountll(a[i]);
    return n;
}

void link_rec_finish(link_rec *r)
{
    r->pop = (uint16_t)pop16(r->clk);
    r->pop_alt = (uint16_t)pop16(r->alt);
    r->flags &= (uint8_t) ~(LK_CLK | LK_CLK_ALT);
    if (r->pop)
        r->flags |= LK_CLK;
    if (r->pop_alt)
        r->flags |= LK_CLK_ALT;
}

/* The clear fields' bits. The filter holds the commune's code, the date of birth and the sex
 * (extract-v1, section 4), which the platform also holds in clear: two strangers of one
 * commune share that commune's 80 insertions, of one birth year its 100, of one sex its 30.
 * Their Dice then rises with what the other comparisons already weigh: among FEBRL's
 * strangers, 7.1 % of those of one postcode reach 0.70-0.74 against 1.1 % of the others
 * (docs/benchmarks.md), and the model, which takes its comparisons as independent, counted
 * the same evidence twice. Each token's bits are the same in every filter that holds it, so
 * the AND of the filters holding one (a character of the commune at its place, a digit of the
 * year at its place, the sex) leaves its bits, and, from CLEAR_MIN filters up, next to nothing
 * else (a bit of another token set in 70 % of filters survives 30 of them once in 40,000).
 * Every filter holding the token is read, whatever the order of the records: the first few
 * thousand could all be one source's, of one commune, and their AND hold that commune's other
 * characters too. A filter made otherwise (a commune code of another length spreads its 80
 * insertions otherwise) only takes bits out of the mask, leaving them in the Dice.
 * A pair's Dice is then taken over the bits outside both records' clear tokens: what their
 * names, address and day of birth say, which the clear comparisons do not. The platform
 * learns nothing it did not hold: which bits its own clear columns set. The masks stay in
 * memory and are never written. */
enum { CT_YEAR = 6 * 256, CT_SEX = CT_YEAR + 4 * 10, CT_N = CT_SEX + 3 };
enum { CLEAR_MIN = 30 };

struct link_clear {
    const link_rec *base; /* the run's records */
    size_t n;
    uint32_t *of;         /* each record's mask in MASK (0: none) */
    uint64_t (*mask)[16]; /* one per commune, birth year and sex held; mask[0] is empty */
    size_t nmask;
};

/* The clear tokens of R (at most 6 + 4 + 1), as indices under CT_N. */
static int clear_tokens(const link_rec *r, int *t)
{
    int n = 0;
    for (int i = 0; i < 6 && r->commune[i]; i++)
        t[n++] = i * 256 + (uint8_t)r->commune[i];
    if (r->birth_year >= 1000 && r->birth_year <= 9999)
        for (int i = 3, y = r->birth_year; i >= 0; i--, y /= 10)
            t[n++] = CT_YEAR + i * 10 + y % 10;
    if (r->sex == 1 || r->sex == 2)
        t[n++] = CT_SEX + r->sex;
    return n;
}

/* What a record's mask depends on, as bytes: its commune, birth year and sex. */
enum { CLEAR_KEY = 6 + 2 + 1 };
static void clear_key(const link_rec *r, char *k)
{
    memcpy(k, r->commune, 6);
    memcpy(k + 6, &r->birth_year, 2);
    k[8] = (char)r->sex;
}

static link_clear *clear_learn(const link_rec *recs, size_t n)
{
    link_clear *c = xcalloc(1, sizeof *c);
    c->base = recs;
    c->n = n;
    c->of = xcalloc(n ? n : 1, sizeof *c->of);
    /* each token's bits: the AND of the filters holding it */
    uint64_t (*tok)[16] = xmalloc(CT_N * sizeof *tok);
    uint32_t *held = xcalloc(CT_N, sizeof *held);
    memset(tok, 0xff, CT_N * sizeof *tok);
    int t[11];
    for (size_t i = 0; i < n; i++) {
        if (!(recs[i].flags & LK_CLK))
            continue;
        int nt = clear_tokens(&recs[i], t);
        for (int j = 0; j < nt; j++) {
            held[t[j]]++;
            for (int w = 0; w < 16; w++)
                tok[t[j]][w] &= recs[i].clk[w];
        }
    }
    for (int k = 0; k < CT_N; k++)
        if (held[k] < CLEAR_MIN)
            memset(tok[k], 0, sizeof tok[k]);
    free(held);
    /* each record's mask, one per commune, year and sex (their bytes, each record's in KEYS,
     * to their mask's index) */
    char *keys = xmalloc((n ? n : 1) * CLEAR_KEY);
    strtab ids;
    strtab_init(&ids);
    size_t cmask = 64;
    c->mask = xcalloc(cmask, sizeof *c->mask);
    c->nmask = 1;
    for (size_t i = 0; i < n; i++) {
        const link_rec *r = &recs[i];
        int nt = clear_tokens(r, t);
        if (nt == 0 || !(r->flags & LK_CLK))
            continue;
        clear_key(r, keys + i * CLEAR_KEY);
        size_t id = strtab_put(&ids, keys + i * CLEAR_KEY, CLEAR_KEY, c->nmask);
        c->of[i] = (uint32_t)id;
        if (id < c->nmask)
            continue;
        if (c->nmask == cmask) {
            cmask *= 2;
            c->mask = xrealloc(c->mask, cmask * sizeof *c->mask);
        }
        uint64_t *m = c->mask[c->nmask];
        memset(m, 0, sizeof c->mask[0]);
        for (int j = 0; j < nt; j++)
            for (int w = 0; w < 16; w++)
                m[w] |= tok[t[j]][w];
        c->nmask++;
    }
    strtab_free(&ids);
    free(keys);
    free(tok);
    c->mask = xrealloc(c->mask, c->nmask * sizeof *c->mask);
    return c;
}

static void clear_free(link_clear *c)
{
    if (!c)
        return;
    free(c->of);
    free(c->mask);
    free(c);
}

/* The bits to leave out of the Dice of two records whose masks are MA and MB: both records'
 * clear tokens. */
static inline void clear_union(const link_clear *c, uint32_t ma, uint32_t mb, uint64_t *m)
{
    const uint64_t *x = c->mask[ma], *y = c->mask[mb];
    for (int w = 0; w < 16; w++)
        m[w] = x[w] | y[w];
}

/* The same for records A and B (indices in C's run). */
static inline void clear_pair(const link_clear *c, uint32_t a, uint32_t b, uint64_t *m)
{
    clear_union(c, c->of[a], c->of[b], m);
}

static const uint64_t clear_none[16];

/* The scorer runs hundreds of millions of times: target_clones builds it twice, with and
 * without the POPCNT instruction, and the loader picks the one the processor can run. */
#define HOT __attribute__((target_clones("popcnt", "default")))

/* The Dice of filters A and B (PA and PB bits set) over the bits outside M. */
static inline __attribute__((always_inline)) double dice(const uint64_t *a, int pa, const uint64_t *b, int pb,
                                                         const uint64_t *m)
{
    int n = 0, out = 0;
    for (int i = 0; i < 16; i++) {
        n += __builtin_popcountll(a[i] & b[i] & ~m[i]);
        out += __builtin_popcountll(a[i] & m[i]) + __builtin_popcountll(b[i] & m[i]);
    }
    return pa + pb > out ? 2.0 * n / (pa + pb - out) : 0.0;
}

/* The Dice of two records' filters: the best of clk and clk_alt against either, from the
 * filters, their popcounts and the records' flags (LK_CLK, LK_CLK_ALT), over the bits outside
 * M (the clear fields' bits; clk_alt differs from clk only by the name). */
HOT static double dice_best(const uint64_t *ac, const uint64_t *aa, int pa, int paa, int fa,
                            const uint64_t *bc, const uint64_t *ba, int pb, int pba, int fb, const uint64_t *m)
{
    if (!(fa & LK_CLK) || !(fb & LK_CLK))
        return 0.0;
    double s = dice(ac, pa, bc, pb, m);
    if (fa & LK_CLK_ALT) {
        double t = dice(aa, paa, bc, pb, m);
        if (t > s)
            s = t;
    }
    if (fb & LK_CLK_ALT) {
        double t = dice(ac, pa, ba, pba, m);
        if (t > s)
            s = t;
        if (fa & LK_CLK_ALT) {
            t = dice(aa, paa, ba, pba, m);
            if (t > s)
                s = t;
        }
    }
    return s;
}

/* The scorer itself; static, because clang does not export a target_clones function's
 * dispatcher under its plain name (the exported link_score below calls it). */
static double score(const link_clear *c, const link_rec *a, const link_rec *b)
{
    uint64_t m[16];
    if (c && (a < c->base || a >= c->base + c->n || b < c->base || b >= c->base + c->n))
        c = NULL; /* records of another array: the whole filters */
    if (c)
        clear_pair(c, (uint32_t)(a - c->base), (uint32_t)(b - c->base), m);
    return dice_best(a->clk, a->alt, a->pop, a->pop_alt, a->flags, b->clk, b->alt, b->pop, b->pop_alt, b->flags,
                     c ? m : clear_none);
}

double link_score(const link_rec *a, const link_rec *b) { return score(NULL, a, b); }

/* How far ahead the loops over blocks and pairs ask for what they will read: a cache miss
 * costs about as much as this many comparisons that hit. */
enum { AHEAD = 8 };

/* The prefetching helpers are always inlined: GCC 12 took a function made of prefetches alone
 * for one without effect, and deleted its calls. */
#define PREFETCH static inline __attribute__((always_inline)) void

/* Every line of record R. */
PREFETCH prefetch_rec(const link_rec *r)
{
    const char *p = (const char *)r;
    _Static_assert(sizeof *r <= 6 * 64, "a record spans seven lines at most");
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
    __builtin_prefetch(p + 192);
    __builtin_prefetch(p + 256);
    __builtin_prefetch(p + 320);
    __builtin_prefetch(p + sizeof *r - 1);
}

/* The mask of id ID in C (two lines). */
PREFETCH prefetch_mask(const link_clear *c, uint32_t id)
{
    __builtin_prefetch(&c->mask[id][0]);
    __builtin_prefetch(&c->mask[id][8]);
}

/* The estimation compares pairs in an order memory does not follow (random pairs, the
 * sample's candidates, the keys' pairs): each comparison would wait for two records (six
 * lines each: filters and fields) and their masks, found through their mask ids. Ahead of
 * the pair it compares, a loop asks for the ids of pair I + 2 AHEAD (stage 0), then for
 * the records and masks of pair I + AHEAD (stage 1), whose ids are there by then. C may be
 * NULL (the whole filters). */
PREFETCH prefetch_pair(const link_clear *c, const link_rec *recs, uint32_t a, uint32_t b, int stage)
{
    if (stage == 0) {
        if (c) {
            __builtin_prefetch(&c->of[a]);
            __builtin_prefetch(&c->of[b]);
        }
        return;
    }
    prefetch_rec(&recs[a]);
    prefetch_rec(&recs[b]);
    if (c) {
        prefetch_mask(c, c->of[a]);
        prefetch_mask(c, c->of[b]);
    }
}

/* The same for pair I of V, pairs packed as A << 32 | B, of N. */
PREFETCH prefetch_packed(const link_clear *c, const link_rec *recs, const uint64_t *v, size_t i, size_t n)
{
    if (i + 2 * AHEAD < n)
        prefetch_pair(c, recs, (uint32_t)(v[i + 2 * AHEAD] >> 32), (uint32_t)v[i + 2 * AHEAD], 0);
    if (i + AHEAD < n)
        prefetch_pair(c, recs, (uint32_t)(v[i + AHEAD] >> 32), (uint32_t)v[i + AHEAD], 1);
}

double link_score_in(const link_result *res, const link_rec *a, const link_rec *b)
{
    return score(res->clear, a, b);
}

#define NDICE 9
const int link_fs_nlevels[LINK_FS_NCOMP] = {NDICE + 1, NDICE + 1, 4, 2, 2, 2, 2, 2};
const char *const link_fs_names[LINK_FS_NCOMP] = {"clk_dice", "clk_dice_dob", "birth",  "sex",
                                                  "commune",  "k_nir",        "sex_dob", "commune_dob"};

/* The bands of the Dice without the clear fields' bits (struct link_clear), about 0.04 under
 * the whole filters' for strangers and 0.07 for matches: strangers' mode near 0.58, FEBRL's
 * strangers reaching 0.64 one in a hundred and 0.72 one in ten thousand, its matches under
 * 0.68 one in a hundred. */
static const double dice_bands[] = {0.56, 0.60, 0.64, 0.68, 0.72, 0.76, 0.80, 0.85, 0.90};

static int dice_level(double d)
{
    int l = 0;
    while (l < NDICE && d >= dice_bands[l])
        l++;
    return l;
}

/* What a comparison reads of a record before its filters, in one cache line. The fuzzy
 * stage makes hundreds of millions of comparisons between records far apart in memory; in
 * link_rec these facts sit two cache lines away from the filters, and the record's exact
 * component in an array of its own: three misses a comparison where this is one, and the
 * filters are read only for the pairs that may link. */
struct fact {
    uint8_t dob[16], nir[16];
    uint64_t household;
    uint32_t exact;
    uint16_t birth_year;
    uint16_t pop, pop_alt; /* the filters' popcounts: the Dice then reads only the filters */
    uint8_t sex, source, flags;
    char commune[6];
    uint32_t clear; /* the record's clear bits (struct link_clear) */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct fact) == 64, "a record's facts fill one cache line");

static void fact_of(const link_rec *r, uint32_t exact, struct fact *f)
{
    memcpy(f->dob, r->dob, 16);
    memcpy(f->nir, r->nir, 16);
    f->household = r->household;
    f->exact = exact;
    f->birth_year = r->birth_year;
    f->pop = r->pop;
    f->pop_alt = r->pop_alt;
    f->sex = r->sex;
    f->source = r->source;
    f->flags = r->flags;
    memcpy(f->commune, r->commune, sizeof f->commune);
    f->clear = 0;
}

/* Every level of the pair but the Dice's (left FS_NULL). */
static void compare_facts(const struct fact *a, const struct fact *b, fs_vec *v)
{
    memset(v, 0, sizeof *v);
    for (int k = 0; k < FS_MAX_COMP; k++)
        v->level[k] = FS_NULL;
    if ((a->flags & b->flags & LK_DOB) && memcmp(a->dob, b->dob, 16) == 0) {
        v->level[LC_BIRTH] = 3;
    } else if (a->birth_year && b->birth_year) {
        int d = abs((int)a->birth_year - (int)b->birth_year);
        v->level[LC_BIRTH] = (int8_t)(d == 0 ? 2 : d == 1 ? 1 : 0);
    }
    int dob = v->level[LC_BIRTH] == 3;
    if (a->sex && b->sex)
        v->level[dob ? LC_SEX_DOB : LC_SEX] = a->sex == b->sex;
    if (a->commune[0] && b->commune[0])
        v->level[dob ? LC_COMMUNE_DOB : LC_COMMUNE] = memcmp(a->commune, b->commune, sizeof a->commune) == 0;
    if (a->flags & b->flags & LK_NIR)
        v->level[LC_NIR] = memcmp(a->nir, b->nir, 16) == 0;
}

void link_fs_init(fs_model *m)
{
    fs_model_init(m, LINK_FS_NCOMP, link_fs_nlevels);
    m->ordinal[LC_DICE] = m->ordinal[LC_DICE_DOB] = m->ordinal[LC_BIRTH] = 1;
    /* the Dice's bands above 0.56, up to 1 (for EM's u: fs_u_log_concave) */
    for (int c = LC_DICE; c <= LC_DICE_DOB; c++)
        for (int l = 1; l <= NDICE; l++) {
            double lo = dice_bands[l - 1], hi = l < NDICE ? dice_bands[l] : 1.0;
            m->band_width[c][l] = hi - lo;
            m->band_centre[c][l] = (lo + hi) / 2;
        }
    /* a sex or a commune mistyped, or a move, does not depend on whether the dates of birth
     * agree: the pairs born the same day share the others' m (their u differs) */
    m->tied[LC_SEX_DOB] = 1 + LC_SEX;
    m->tied[LC_COMMUNE_DOB] = 1 + LC_COMMUNE;
}

void link_why_fr(const char *why, char *buf, size_t cap)
{
    size_t pairs;
    int needed;
    /* the refusal's two figures: the first two numbers after its head */
    const char *f = strncmp(why, LINK_WHY_REFUSED_HEAD, strlen(LINK_WHY_REFUSED_HEAD)) == 0 ? why : NULL;
    double share = -1, need = -1;
    while (f && *f && (share < 0 || need < 0)) {
        if (*f >= '0' && *f <= '9') {
            char *e;
            double v = strtod(f, &e);
            *(share < 0 ? &share : &need) = v;
            f = e;
        } else
            f++;
    }
    if (share >= 0 && need >= 0) {
        char sh[FR_BUF];
        fr_dec(sh, share, 1);
        snprintf(buf, cap,
                 "le modèle estimé cette nuit a été écarté : parmi les paires que les clés exactes ont laissées, il "
                 "attendait bien plus de correspondances que la nuit ne pouvait en relier (%s %%, il en faut %.0f %% "
                 "au moins) ; il prenait des personnes différentes (des membres d’une même famille, des homonymes) "
                 "pour une seule",
                 sh, need);
    }
    else if (sscanf(why, LINK_WHY_FEW_PAIRS, &pairs, &needed) == 2)
        snprintf(buf, cap, "trop peu de paires candidates pour estimer un modèle (%zu, il en faut %d)", pairs, needed);
    else if (strcmp(why, fs_em_status_text(FS_NO_PAIRS)) == 0)
        snprintf(buf, cap, "aucune paire candidate sur laquelle l’estimer");
    else if (strcmp(why, fs_em_status_text(FS_ONE_PATTERN)) == 0)
        snprintf(buf, cap, "toutes les paires candidates se ressemblent : rien n’y distingue une même personne de "
                           "deux");
    else
        snprintf(buf, cap, "%s", why);
}

const char *link_training_name(enum link_training t)
{
    static const char *const names[] = {"none", "keys", "em", "given"};
    return names[t];
}

const char *link_fs_level_label(int k, int l)
{
    static const char *const dice[] = {"Dice < 0.56", "0.56-0.60", "0.60-0.64", "0.64-0.68", "0.68-0.72",
                                       "0.72-0.76", "0.76-0.80", "0.80-0.85", "0.85-0.90", "0.90 and up"};
    static const char *const birth[] = {"born more than a year apart", "born a year apart",
                                        "born the same year", "same date of birth"};
    static const char *const two[] = {"different", "same"};
    if (k < 0 || k >= LINK_FS_NCOMP || l < 0 || l >= link_fs_nlevels[k])
        return "?";
    if (k == LC_DICE || k == LC_DICE_DOB)
        return dice[l];
    if (k == LC_BIRTH)
        return birth[l];
    return two[l];
}

/* Which Dice comparison a pair's CLKs go to: the same k_dob or not. */
static int dice_comp(const fs_vec *v) { return v->level[LC_BIRTH] == 3 ? LC_DICE_DOB : LC_DICE; }

/* link_compare, the Dice without the clear fields' bits C learned (NULL: with them). */
static void compare_recs(const link_clear *c, const link_rec *a, const link_rec *b, fs_vec *v)
{
    struct fact fa, fb;
    fact_of(a, 0, &fa);
    fact_of(b, 0, &fb);
    compare_facts(&fa, &fb, v);
    if ((a->flags & LK_CLK) && (b->flags & LK_CLK))
        v->level[dice_comp(v)] = (int8_t)dice_level(score(c, a, b));
}

void link_compare(const link_rec *a, const link_rec *b, fs_vec *v) { compare_recs(NULL, a, b, v); }

void link_compare_in(const link_result *res, const link_rec *a, const link_rec *b, fs_vec *v)
{
    compare_recs(res->clear, a, b, v);
}

/* A comparison vector as one number (each level + 1, FS_NULL as 0, in mixed radix over the
 * first six comparisons), so the fuzzy stage looks a pair's probability up in a table of
 * NPATTERNS. The sex and the commune take one place each, whichever of their two comparisons
 * holds them: the birth's level says which (pattern_vec). */
enum { NPATTERN_COMP = LC_NIR + 1, NPATTERNS = (NDICE + 2) * (NDICE + 2) * 5 * 3 * 3 * 3 };
_Static_assert((int)LC_SEX_DOB >= (int)NPATTERN_COMP && (int)LC_COMMUNE_DOB >= (int)NPATTERN_COMP,
               "the *_dob comparisons come last");

static int pattern_id(const fs_vec *v)
{
    int id = 0;
    for (int k = 0; k < NPATTERN_COMP; k++) {
        int l = v->level[k];
        if (k == LC_SEX && l == FS_NULL)
            l = v->level[LC_SEX_DOB];
        if (k == LC_COMMUNE && l == FS_NULL)
            l = v->level[LC_COMMUNE_DOB];
        id = id * (link_fs_nlevels[k] + 1) + l + 1;
    }
    return id;
}

static void pattern_vec(int id, fs_vec *v)
{
    memset(v, 0, sizeof *v);
    for (int k = 0; k < FS_MAX_COMP; k++)
        v->level[k] = FS_NULL;
    for (int k = NPATTERN_COMP - 1; k >= 0; k--) {
        v->level[k] = (int8_t)(id % (link_fs_nlevels[k] + 1) - 1);
        id /= link_fs_nlevels[k] + 1;
    }
    if (v->level[LC_BIRTH] == 3) {
        v->level[LC_SEX_DOB] = v->level[LC_SEX];
        v->level[LC_COMMUNE_DOB] = v->level[LC_COMMUNE];
        v->level[LC_SEX] = v->level[LC_COMMUNE] = FS_NULL;
    }
}

/* Union-find with path halving and union by index (the smaller index becomes the root, so a
 * component's root is its smallest record index). */
/* A pair's pattern id without its Dice (both Dice comparisons FS_NULL), straight from the
 * facts: the sum of each level's place, as pattern_id computes it from compare_facts's vector
 * (the fuzzy stage weighs hundreds of millions of pairs; building the vector and its loop
 * were a tenth of it). *DC is the comparison the pair's Dice goes to. */
enum {
    PS_NIR = 1,
    PS_COMMUNE = PS_NIR * 3,
    PS_SEX = PS_COMMUNE * 3,
    PS_BIRTH = PS_SEX * 3,
    PS_DICE_DOB = PS_BIRTH * 5,
    PS_DICE = PS_DICE_DOB * (NDICE + 2),
};
_Static_assert(PS_DICE * (NDICE + 2) == NPATTERNS, "the strides follow pattern_id's mixed radix");

static inline int pattern_base(const struct fact *a, const struct fact *b, int *dc)
{
    int id = 0, birth;
    if ((a->flags & b->flags & LK_DOB) && memcmp(a->dob, b->dob, 16) == 0) {
        birth = 3;
    } else if (a->birth_year && b->birth_year) {
        int d = abs((int)a->birth_year - (int)b->birth_year);
        birth = d == 0 ? 2 : d == 1 ? 1 : 0;
    } else {
        birth = FS_NULL;
    }
    *dc = birth == 3 ? LC_DICE_DOB : LC_DICE;
    id += (birth + 1) * PS_BIRTH;
    if (a->sex && b->sex)
        id += (1 + (a->sex == b->sex)) * PS_SEX;
    if (a->commune[0] && b->commune[0])
        id += (1 + (memcmp(a->commune, b->commune, sizeof a->commune) == 0)) * PS_COMMUNE;
    if (a->flags & b->flags & LK_NIR)
        id += (1 + (memcmp(a->nir, b->nir, 16) == 0)) * PS_NIR;
    return id;
}

/* The id of a pattern, with the Dice of comparison DC as missing (pattern_base's id). */
static inline int pattern_base_of(int id, int dc)
{
    int stride = dc == LC_DICE_DOB ? PS_DICE_DOB : PS_DICE;
    return id - id / stride % (NDICE + 2) * stride;
}

/* The id of a pattern whose only missing level, the Dice of comparison DC, is LEVEL. */
static inline int pattern_with_dice(int base, int dc, int level)
{
    return base + (level + 1) * (dc == LC_DICE_DOB ? PS_DICE_DOB : PS_DICE);
}

int link_pattern_agrees(const link_rec *a, const link_rec *b)
{
    struct fact fa, fb;
    fact_of(a, 0, &fa);
    fact_of(b, 0, &fb);
    fs_vec v;
    link_compare(a, b, &v);
    int dc, base = pattern_base(&fa, &fb, &dc);
    int fast = (a->flags & LK_CLK) && (b->flags & LK_CLK) ? pattern_with_dice(base, dc, v.level[dc]) : base;
    return fast == pattern_id(&v) && (!((a->flags & LK_CLK) && (b->flags & LK_CLK)) || dc == dice_comp(&v));
}

static uint32_t uf_find(uint32_t *uf, uint32_t x)
{
    while (uf[x] != x) {
        uf[x] = uf[uf[x]];
        x = uf[x];
    }
    return x;
}

static void uf_union(uint32_t *uf, uint32_t a, uint32_t b)
{
    a = uf_find(uf, a);
    b = uf_find(uf, b);
    if (a < b)
        uf[b] = a;
    else if (b < a)
        uf[a] = b;
}

/* A growable array of edges. */
struct edges {
    link_edge *e;
    size_t n, cap;
};

static void edges_add(struct edges *v, uint32_t a, uint32_t b, int method, double score)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->e = xrealloc(v->e, v->cap * sizeof *v->e);
    }
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    v->e[v->n].a = a;
    v->e[v->n].b = b;
    v->e[v->n].method = (uint8_t)method;
    v->e[v->n].score = (float)score;
    v->n++;
}

static int edge_cmp(const void *x, const void *y)
{
    const link_edge *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    if (a->method != b->method)
        return a->method < b->method ? -1 : 1;
    return a->score > b->score ? -1 : a->score < b->score;
}

/* NAME(V, N): sort the N elements of V, of TYPE, by the 64-bit KEY(element pointer), stable:
 * least significant digit first, 16 bits a pass, a pass skipped where every element has the
 * same digit (record indexes under 65,536 skip the top ones). */
#define RADIX_SORT64(name, type, key)                                                                                 \
    static void name(type *v, size_t n)                                                                                \
    {                                                                                                                  \
        if (n < 2)                                                                                                     \
            return;                                                                                                    \
        type *tmp = xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;                                                    \
        uint32_t *count = xmalloc(65536 * sizeof *count);                                                              \
        for (int shift = 0; shift < 64; shift += 16) {                                                                 \
            memset(count, 0, 65536 * sizeof *count);                                                                   \
            for (size_t i = 0; i < n; i++)                                                                             \
                count[(key(&src[i]) >> shift) & 0xffff]++;                                                             \
            if (count[(key(&src[0]) >> shift) & 0xffff] == n)                                                          \
                continue;                                                                                              \
            uint32_t sum = 0;                                                                                          \
            for (size_t d = 0; d < 65536; d++) {                                                                       \
                uint32_t c = count[d];                                                                                 \
                count[d] = sum;                                                                                        \
                sum += c;                                                                                              \
            }                                                                                                          \
            for (size_t i = 0; i < n; i++)                                                                             \
                dst[count[(key(&src[i]) >> shift) & 0xffff]++] = src[i];                                               \
            type *t = src;                                                                                             \
            src = dst;                                                                                                 \
            dst = t;                                                                                                   \
        }                                                                                                              \
        if (src != v)                                                                                                  \
            memcpy(v, src, n * sizeof *v);                                                                             \
        free(count);                                                                                                   \
        free(tmp);                                                                                                     \
    }

static uint64_t edge_key(const link_edge *e) { return (uint64_t)e->a << 32 | e->b; }
RADIX_SORT64(radix_edges, link_edge, edge_key)

/* Sort by pair and keep one edge a pair: the strongest method (then the best score), chosen by
 * edge_cmp within a pair (qsort took 0.3 s of the link at 500,000 households). */
static void edges_unique(struct edges *v)
{
    if (v->n == 0)
        return;
    radix_edges(v->e, v->n);
    size_t k = 0;
    for (size_t i = 1; i < v->n; i++) {
        if (edge_key(&v->e[i]) != edge_key(&v->e[k]))
            v->e[++k] = v->e[i];
        else if (edge_cmp(&v->e[i], &v->e[k]) < 0)
            v->e[k] = v->e[i];
    }
    v->n = k + 1;
}

/* Is K in V, sorted, of N? */
static int u64_has(const uint64_t *v, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == k;
}

static int forbidden_pair(const uint64_t *f, size_t n, uint32_t a, uint32_t b)
{
    return u64_has(f, n, a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a);
}

/* Records sorted by one 16-byte key, for the exact links and the k_dob blocks. */
struct keyed {
    uint8_t key[16];
    uint32_t rec;
    uint8_t tag; /* for ident: 0 ident, 1 ident_alt */
};

static int keyed_cmp(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    int c = memcmp(a->key, b->key, 16);
    if (c)
        return c;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

/* The keys of the exact links into K (2 N entries at most), sorted: PASS 0 the k_nir, PASS 1
 * the identity keys (k_ident, tag 0, and k_ident_alt, tag 1). Return how many. */
/* Sort K by key then record, as keyed_cmp orders them. The keys are keyed hashes, so their
 * first four bytes almost always tell them apart: two stable radix passes on those bytes, then
 * the runs that share them (equal keys: the same NIR or date of birth in several records) are
 * finished by insertion, already in record order where the callers build K in it. qsort took
 * four seconds of the 1.1M territory's link, on one thread. */
static void keyed_sort(struct keyed *k, size_t m)
{
    if (m < 2)
        return;
    struct keyed *t = xmalloc(m * sizeof *t), *src = k, *dst = t;
    uint32_t *count = xmalloc(65536 * sizeof *count);
    for (int pass = 0; pass < 2; pass++) {
        int b = pass ? 0 : 2; /* bytes 2-3 first, then 0-1 */
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < m; i++)
            count[src[i].key[b] << 8 | src[i].key[b + 1]]++;
        uint32_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++)
            dst[count[src[i].key[b] << 8 | src[i].key[b + 1]]++] = src[i];
        struct keyed *x = src;
        src = dst;
        dst = x;
    }
    free(count);
    free(t); /* two passes: the result is back in K */
    for (size_t g = 0; g < m;) {
        size_t h = g + 1;
        while (h < m && memcmp(k[h].key, k[g].key, 4) == 0)
            h++;
        for (size_t i = g + 1; i < h; i++) {
            struct keyed v = k[i];
            size_t j = i;
            for (; j > g && keyed_cmp(&k[j - 1], &v) > 0; j--)
                k[j] = k[j - 1];
            k[j] = v;
        }
        g = h;
    }
}

/* The end of the run of K's entries (M of them, sorted) that share entry G's key. */
static size_t key_run_end(const struct keyed *k, size_t m, size_t g)
{
    size_t h = g + 1;
    while (h < m && memcmp(k[h].key, k[g].key, 16) == 0)
        h++;
    return h;
}

static size_t collect_keys(const link_rec *recs, size_t n, int pass, struct keyed *k)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const link_rec *r = &recs[i];
        if (pass == 0 && (r->flags & LK_NIR)) {
            memcpy(k[m].key, r->nir, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 0;
        }
        if (pass == 1 && (r->flags & LK_IDENT)) {
            memcpy(k[m].key, r->ident, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 0;
        }
        if (pass == 1 && (r->flags & LK_IDENT_ALT)) {
            memcpy(k[m].key, r->ident_alt, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 1;
        }
    }
    keyed_sort(k, m);
    return m;
}

/* A candidate pair the fuzzy stage keeps: its match probability, and its Dice to break ties
 * between pairs of one pattern. */
struct cand {
    uint32_t a, b; /* a < b */
    float p, dice;
};

struct cands {
    struct cand *c;
    size_t n, cap;
};

static void cands_add(struct cands *v, uint32_t a, uint32_t b, float p, float dice)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        v->c = xrealloc(v->c, v->cap * sizeof *v->c);
    }
    v->c[v->n++] = (struct cand){a, b, p, dice};
}

static uint64_t cand_key(const struct cand *c) { return (uint64_t)c->a << 32 | c->b; }

RADIX_SORT64(radix_cands, struct cand, cand_key)

/* Sort by (a, b) and keep one of each pair: the blockings find a pair as often as they share a
 * block, always with the same figures. */
static void cands_unique(struct cands *v)
{
    if (v->n < 2)
        return;
    radix_cands(v->c, v->n);
    size_t k = 0;
    for (size_t i = 1; i < v->n; i++)
        if (cand_key(&v->c[i]) != cand_key(&v->c[k]))
            v->c[++k] = v->c[i];
    v->n = k + 1;
}

/* The inputs of a pass of the fuzzy stage, shared read-only by its threads. */
struct pass {
    const link_rec *recs;
    size_t n;
    const link_clear *clear;   /* the clear fields' bits, left out of the Dice */
    const uint32_t *exact;     /* exact component of each record: its pairs are never compared */
    struct fact *facts;        /* each record's facts (fuzzy_pass fills them) */
    const link_params *p;
    const float *ptab;         /* NPATTERNS probabilities; NULL: estimating, every pair is kept */
    float floor;               /* pairs below this probability are only sampled (struct lows) */
    const uint32_t *low_thr;   /* NPATTERNS: their chances of being sampled (low_thresholds) */
    int dice_top[2];           /* the Dice level of the highest weight (LC_DICE, LC_DICE_DOB) */
    const uint64_t *forbidden;
    size_t nforbidden;
    link_pair_fn on_pair;
    void *ctx;
    /* the blockings */
    const uint32_t *who;       /* LSH entries: record index, high bit for the alternative filter */
    size_t ne;
    const int (*bandpos)[32];  /* each band's sampled bit positions */
    int bits;
    const struct keyed *dob;   /* records sorted by k_dob */
    size_t ndob;
};

/* A pair whose Dice is still to compute: its filters were asked for from memory when it
 * was queued, and are read PENDING pairs later (most pairs of the LSH blocks are of records
 * far apart in memory, and the filters' four cache lines a record missed on every one). */
struct pending {
    uint32_t a, b;
    int base; /* the pattern id without the Dice (pattern_base) */
    int dc;   /* the Dice's comparison (LC_DICE, LC_DICE_DOB) */
};
enum { PENDING = 16 };

/* The pairs of two sources under the floor, sampled for the recall's estimate: there are
 * billions in a region (the blocks of one date of birth grow with the square of the
 * territory), and whether one can be a missed match depends on the persons, known only once
 * the links are decided. A pair of probability p is kept with the chance min(1, p / floor)
 * halved SHIFT times, by a hash of the pair (low_keeps): the sample does not depend on how
 * the threads shared the blocks, and SHIFT grows until it holds at most low_cap. */
struct low {
    uint32_t a, b;
    uint16_t id;   /* the pair's pattern */
    uint8_t dc;    /* when its Dice was not measured (its facts alone left it under the floor):
                    * 1 + the Dice's comparison, ID holding the Dice level of the highest weight */
};
struct lows {
    struct low *v;
    size_t n, cap;
    int shift;
};
static size_t low_cap = (size_t)1 << 20;
_Static_assert(NPATTERNS <= 65536, "struct low holds a pattern id in 16 bits");

void link_set_sample_cap(size_t cap) { low_cap = cap ? cap : (size_t)1 << 20; }

/* The state of one thread of a pass. */
struct fuzzy {
    const struct pass *ps;
    struct cands kept;
    struct lows low; /* pairs of two sources under the floor, sampled */
    link_stats st;
    struct pending pend[PENDING]; /* a ring: pend[head] is the oldest of npend */
    unsigned head, npend;
};

/* A pair's hash for the sample under the floor: its top bits decide (two multiplications
 * that run side by side: it is computed for hundreds of millions of pairs). */
static inline uint64_t pair_hash(uint32_t a, uint32_t b)
{
    return ((uint64_t)a + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)b + 1) * 0xc2b2ae3d27d4eb4fULL;
}

/* Each pattern's chance of being sampled, p / floor (at most 1), in units of 2^-31: a sample
 * of SHIFT keeps a pair when the top 31 bits of its hash are under its pattern's >> SHIFT. */
static uint32_t *low_thresholds(const float *ptab, float floor)
{
    uint32_t *t = xmalloc(NPATTERNS * sizeof *t);
    for (int id = 0; id < NPATTERNS; id++) {
        double c = (double)ptab[id] / floor;
        t[id] = c >= 1 ? 1u << 31 : (uint32_t)(c * 0x1p31);
    }
    return t;
}

static double low_chance(const uint32_t *thr, int id, int shift) { return (double)(thr[id] >> shift) * 0x1p-31; }

static inline int low_keeps(const uint32_t *thr, uint32_t a, uint32_t b, int id, int shift)
{
    uint32_t t = thr[id] >> shift;
    return t && (uint32_t)(pair_hash(a, b) >> 33) < t;
}

/* Keep in L only the pairs a sample of SHIFT holds. */
static void lows_thin(struct lows *l, const uint32_t *thr, int shift)
{
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++)
        if (low_keeps(thr, l->v[i].a, l->v[i].b, l->v[i].id, shift))
            l->v[m++] = l->v[i];
    l->n = m;
    l->shift = shift;
}

/* Add a pair to its thread's sample, thinning the sample when it is full. */
static void low_add(struct fuzzy *z, uint32_t a, uint32_t b, int id, int dc)
{
    const struct pass *ps = z->ps;
    struct lows *l = &z->low;
    if (l->n == l->cap) {
        if (l->n >= low_cap) {
            lows_thin(l, ps->low_thr, l->shift + 1);
            if (!low_keeps(ps->low_thr, a, b, id, l->shift))
                return;
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 4096;
            l->v = xrealloc(l->v, l->cap * sizeof *l->v);
        }
    }
    l->v[l->n++] = (struct low){a, b, (uint16_t)id, (uint8_t)dc};
}

/* A pair of two sources under the floor: in the sample, or not. DC is 1 + the comparison of
 * a Dice not measured (ID then has the highest weight's level), 0 when ID is the pair's own. */
static inline __attribute__((always_inline)) void low_pair(struct fuzzy *z, uint32_t a, uint32_t b, int id, int dc)
{
    const struct pass *ps = z->ps;
    if (ps->facts[a].source != ps->facts[b].source && low_keeps(ps->low_thr, a, b, id, z->low.shift))
        low_add(z, a, b, id, dc);
}

static int share_ident(const link_rec *a, const link_rec *b);

/* The end of a comparison, once the pair's levels are all known: its probability, and the
 * pair kept, or sampled under the floor. */
static void weigh(struct fuzzy *z, uint32_t a, uint32_t b, int id, double d)
{
    const struct pass *ps = z->ps;
    float pr = ps->ptab[id];
    if (pr < ps->floor) {
        low_pair(z, a, b, id, 0);
        return;
    }
    if (forbidden_pair(ps->forbidden, ps->nforbidden, a, b))
        return;
    /* two records sharing an identity key, left in two components: namesakes the key's own
     * weighing kept apart (veto_namesakes), or a key group a forbidden pair split. Their
     * filters are alike because their names and dates of birth are, which the key said
     * already; weighed again here, the same evidence counted twice joined namesakes of two
     * communes (test_namesakes_born_the_same_day), and a pair of such a group joined the
     * forbidden pair through the third. Neither is offered as a possible link either. */
    if (share_ident(&ps->recs[a], &ps->recs[b]))
        return;
    cands_add(&z->kept, a, b, pr, (float)d);
}

/* Compute the Dice of the oldest pending pair, and weigh it. */
static void pending_pop(struct fuzzy *z)
{
    const struct pass *ps = z->ps;
    struct pending *q = &z->pend[z->head];
    const struct fact *fa = &ps->facts[q->a], *fb = &ps->facts[q->b];
    const link_rec *ra = &ps->recs[q->a], *rb = &ps->recs[q->b];
    uint64_t m[16];
    clear_union(ps->clear, fa->clear, fb->clear, m);
    double d = dice_best(ra->clk, ra->alt, fa->pop, fa->pop_alt, fa->flags, rb->clk, rb->alt, fb->pop, fb->pop_alt,
                         fb->flags, m);
    z->head = (z->head + 1) % PENDING;
    z->npend--;
    weigh(z, q->a, q->b, pattern_with_dice(q->base, q->dc, dice_level(d)), d);
}

static void prefetch_filters(const link_rec *r, int flags)
{
    __builtin_prefetch(&r->clk[0]);
    __builtin_prefetch(&r->clk[8]);
    if (flags & LK_CLK_ALT) {
        __builtin_prefetch(&r->alt[0]);
        __builtin_prefetch(&r->alt[8]);
    }
}

static void pending_drain(struct fuzzy *z)
{
    while (z->npend)
        pending_pop(z);
}

static void compare(struct fuzzy *z, uint32_t a, uint32_t b)
{
    const struct pass *ps = z->ps;
    const struct fact *fa = &ps->facts[a], *fb = &ps->facts[b];
    if (a == b || fa->exact == fb->exact)
        return;
    if (fa->household && fa->household == fb->household && fa->source == fb->source)
        return; /* two members of one household in one export: two people */
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
        const struct fact *f = fa;
        fa = fb;
        fb = f;
    }
    z->st.comparisons++;
    if (ps->on_pair)
        ps->on_pair(ps->ctx, a, b);
    if (!ps->ptab) {
        cands_add(&z->kept, a, b, 0, 0);
        return;
    }
    int dc, base = pattern_base(fa, fb, &dc);
    if ((fa->flags & LK_CLK) && (fb->flags & LK_CLK)) {
        /* when even the best Dice level leaves the pair under the floor, spare the popcounts */
        int top = pattern_with_dice(base, dc, ps->dice_top[dc == LC_DICE_DOB]);
        if (ps->ptab[top] < ps->floor) {
            low_pair(z, a, b, top, 1 + dc);
            return;
        }
        /* the Dice later: queue the pair and ask for its filters now */
        if (z->npend == PENDING)
            pending_pop(z);
        struct pending *q = &z->pend[(z->head + z->npend++) % PENDING];
        q->a = a;
        q->b = b;
        q->base = base;
        q->dc = dc;
        prefetch_filters(&ps->recs[a], fa->flags);
        prefetch_filters(&ps->recs[b], fb->flags);
        prefetch_mask(ps->clear, fa->clear); /* and their clear bits' masks */
        prefetch_mask(ps->clear, fb->clear);
        return;
    }
    weigh(z, a, b, base, 0);
}

static void compare_block(struct fuzzy *z, const uint32_t *ids, size_t m, unsigned long long *pairs)
{
    if (m < 2)
        return;
    if ((int)m > z->ps->p->block_max) {
        z->st.blocks_skipped++;
        z->st.records_in_skipped_blocks += m;
        return;
    }
    *pairs += m * (m - 1) / 2;
    const struct fact *facts = z->ps->facts;
    for (size_t x = 0; x < m; x++) {
        for (size_t y = x + 1; y < m; y++) {
            if (y + AHEAD < m)
                __builtin_prefetch(&facts[ids[y + AHEAD]]);
            compare(z, ids[x], ids[y]);
        }
    }
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A band's sampled positions as masks over the filter's 16 words: the words that hold some,
 * in order, each with its mask and how many it holds. */
struct band_mask {
    int nw;
    uint8_t w[16], cnt[16];
    uint64_t m[16];
};

static void band_mask_of(const int *pos, int bits, struct band_mask *b)
{
    uint64_t m[16] = {0};
    for (int i = 0; i < bits; i++)
        m[pos[i] >> 6] |= 1ULL << (pos[i] & 63);
    b->nw = 0;
    for (int w = 0; w < 16; w++) {
        if (m[w]) {
            b->w[b->nw] = (uint8_t)w;
            b->cnt[b->nw] = (uint8_t)__builtin_popcountll(m[w]);
            b->m[b->nw++] = m[w];
        }
    }
}

/* A filter's signature in NB bands: the sampled bits, word by word, lowest bit first within a
 * word. Only which filters share a signature matters (they are compared), not its value. */
static void signatures_bits(const uint64_t *f, const struct band_mask *const *band, int nb, uint32_t *out)
{
    for (int g = 0; g < nb; g++) {
        const struct band_mask *b = band[g];
        uint32_t s = 0;
        for (int k = 0; k < b->nw; k++) {
            uint64_t x = f[b->w[k]], m = b->m[k];
            uint32_t part = 0;
            int j = 0;
            for (; m; m &= m - 1, j++)
                part |= (uint32_t)((x >> __builtin_ctzll(m)) & 1) << j;
            s = s << b->cnt[k] | part;
        }
        out[g] = s;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The same with the BMI2 instruction that gathers a word's masked bits in one step (the
 * signatures were a fifth of the fuzzy stage, bit by bit). */
__attribute__((target("bmi2"))) static void signatures_pext(const uint64_t *f, const struct band_mask *const *band,
                                                            int nb, uint32_t *out)
{
    for (int g = 0; g < nb; g++) {
        const struct band_mask *b = band[g];
        uint64_t s = 0;
        for (int k = 0; k < b->nw; k++)
            s = s << b->cnt[k] | _pext_u64(f[b->w[k]], b->m[k]);
        out[g] = (uint32_t)s;
    }
}
#endif

static int pext_allowed = 1;

void link_allow_pext(int allow) { pext_allowed = allow; }

typedef void (*signatures_fn)(const uint64_t *, const struct band_mask *const *, int, uint32_t *);

/* PEXT when the processor has it and runs it fast: AMD's family 17h (Zen 1 and 2) runs it in
 * microcode, slower than the bits one by one. */
static signatures_fn signatures_choose(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (pext_allowed && __builtin_cpu_supports("bmi2") && !__builtin_cpu_is("amdfam17h"))
        return signatures_pext;
#endif
    return signatures_bits;
}

/* LSH: for each band, the records (and their alternative filters) are sorted by the band's
 * signature with a two-pass radix sort (about half the bits a pass), and records sharing a
 * signature are compared. Thread T of NT takes the bands B with B % NT == T. */
static void lsh(struct fuzzy *z, int t, int nt)
{
    const struct pass *sh = z->ps;
    const link_params *p = sh->p;
    size_t ne = sh->ne;
    int bits = sh->bits;
    uint64_t *a = xmalloc((ne ? ne : 1) * sizeof *a); /* signature << 32 | record */
    uint64_t *b = xmalloc((ne ? ne : 1) * sizeof *b);
    uint32_t *block = xmalloc((size_t)(p->block_max + 1) * sizeof *block);
    int lo_bits = bits / 2, hi_bits = bits - lo_bits;
    uint32_t *count = xmalloc(((size_t)1 << (hi_bits > lo_bits ? hi_bits : lo_bits)) * sizeof *count);
    /* Signatures are computed for GROUP of this thread's bands at a time, record by record, so
     * each filter is read from memory once a group rather than once a band. */
    enum { GROUP = 8 };
    uint32_t *sigs = xmalloc((ne ? ne : 1) * GROUP * sizeof *sigs);
    int mine[GROUP], nmine = 0;
    struct band_mask masks[GROUP];
    const struct band_mask *group[GROUP];
    signatures_fn signatures = signatures_choose();
    for (int band = t; band < p->bands || nmine > 0;) {
        if (band < p->bands && nmine < GROUP) {
            mine[nmine++] = band;
            band += nt;
            if (nmine < GROUP && band < p->bands)
                continue;
        }
        for (int g = 0; g < nmine; g++) {
            band_mask_of(sh->bandpos[mine[g]], bits, &masks[g]);
            group[g] = &masks[g];
        }
        for (size_t x = 0; x < ne; x++) {
            const link_rec *r = &sh->recs[sh->who[x] & 0x7fffffffu];
            const uint64_t *f = (sh->who[x] & 0x80000000u) ? r->alt : r->clk;
            signatures(f, group, nmine, &sigs[x * GROUP]);
        }
        for (int gb = 0; gb < nmine; gb++) {
            size_t e = ne;
            for (size_t x = 0; x < ne; x++)
                a[x] = (uint64_t)sigs[x * GROUP + (size_t)gb] << 32 | (sh->who[x] & 0x7fffffffu);
            /* radix sort on the signature: low half, then high half (stable) */
            for (int pass = 0; pass < 2; pass++) {
                int shift = 32 + (pass ? lo_bits : 0), w = pass ? hi_bits : lo_bits;
                size_t nb = (size_t)1 << w;
                uint64_t mask = nb - 1;
                memset(count, 0, nb * sizeof *count);
                for (size_t i = 0; i < e; i++)
                    count[(a[i] >> shift) & mask]++;
                uint32_t sum = 0;
                for (size_t k = 0; k < nb; k++) {
                    uint32_t c = count[k];
                    count[k] = sum;
                    sum += c;
                }
                for (size_t i = 0; i < e; i++)
                    b[count[(a[i] >> shift) & mask]++] = a[i];
                uint64_t *tmp = a;
                a = b;
                b = tmp;
            }
            for (size_t g = 0; g < e;) {
                size_t h = g + 1;
                while (h < e && (a[h] >> 32) == (a[g] >> 32))
                    h++;
                size_t m = h - g;
                if (m >= 2) {
                    if ((int)m > p->block_max) {
                        z->st.blocks_skipped++;
                        z->st.records_in_skipped_blocks += m;
                    } else {
                        /* a record may stand twice (clk and alt): drop the repeat */
                        size_t k = 0;
                        for (size_t i = g; i < h; i++) {
                            if (i + 2 * AHEAD < e)
                                __builtin_prefetch(&sh->facts[(uint32_t)a[i + 2 * AHEAD]]);
                            uint32_t rec = (uint32_t)a[i];
                            int seen = 0;
                            for (size_t q = 0; q < k && !seen; q++)
                                seen = block[q] == rec;
                            if (!seen)
                                block[k++] = rec;
                        }
                        compare_block(z, block, k, &z->st.candidate_pairs_lsh);
                    }
                }
                g = h;
            }
        }
        nmine = 0;
    }
    free(count);
    free(a);
    free(b);
    free(block);
    free(sigs);
}

/* One thread of a pass: its share of the k_dob blocks, then of the LSH bands. */
struct job {
    struct fuzzy z;
    int t, nt;
};

static void *fuzzy_job(void *arg)
{
    struct job *jb = arg;
    struct fuzzy *z = &jb->z;
    const struct pass *sh = z->ps;
    uint32_t *block = xmalloc((sh->ndob ? sh->ndob : 1) * sizeof *block);
    size_t group = 0;
    for (size_t g = 0; g < sh->ndob; group++) {
        size_t h = key_run_end(sh->dob, sh->ndob, g);
        if ((int)(group % (size_t)jb->nt) == jb->t) {
            for (size_t x = g; x < h; x++) {
                if (x + 2 * AHEAD < sh->ndob)
                    __builtin_prefetch(&sh->facts[sh->dob[x + 2 * AHEAD].rec]);
                block[x - g] = sh->dob[x].rec;
            }
            compare_block(z, block, h - g, &z->st.candidate_pairs_dob);
        }
        g = h;
    }
    free(block);
    lsh(z, jb->t, jb->nt);
    pending_drain(z);
    return NULL;
}

static void stats_add(link_stats *a, const link_stats *b)
{
    a->comparisons += b->comparisons;
    a->candidate_pairs_dob += b->candidate_pairs_dob;
    a->candidate_pairs_lsh += b->candidate_pairs_lsh;
    a->blocks_skipped += b->blocks_skipped;
    a->records_in_skipped_blocks += b->records_in_skipped_blocks;
}

/* The LSH bands' bit positions, drawn from a fixed seed: the same bands every run, whatever
 * the number of threads. */
static int (*band_positions(int bands, int bits))[32]
{
    int (*bandpos)[32] = xmalloc((size_t)(bands ? bands : 1) * sizeof *bandpos);
    uint64_t seed = 0x747a6e722d6c7368ULL;
    for (int band = 0; band < bands; band++) {
        for (int i = 0; i < bits; i++) {
            int dup;
            do {
                bandpos[band][i] = (int)(splitmix(&seed) & 1023);
                dup = 0;
                for (int q = 0; q < i; q++)
                    dup |= bandpos[band][q] == bandpos[band][i];
            } while (dup);
        }
    }
    return bandpos;
}

static int low_cmp(const void *x, const void *y)
{
    const struct low *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Run the blockings over PS's records: every candidate pair is compared once a block it
 * shares; the pairs kept come back unique and sorted in OUT, the pairs under the floor
 * sampled in LOW (when PS weighs pairs; struct lows). The result does not depend on the
 * number of threads. */
static void fuzzy_pass(struct pass *ps, link_stats *st, struct cands *out, struct lows *low)
{
    const link_rec *recs = ps->recs;
    size_t n = ps->n;
    struct fact *facts = xalloc_huge(n * sizeof *facts);
    for (size_t i = 0; i < n; i++) {
        fact_of(&recs[i], ps->exact[i], &facts[i]);
        facts[i].clear = ps->clear->of[i];
    }
    ps->facts = facts;
    /* k_dob blocks: the records sorted by k_dob */
    struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if ((recs[i].flags & LK_DOB) && (recs[i].flags & LK_CLK)) {
            memcpy(k[m].key, recs[i].dob, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 0;
        }
    }
    keyed_sort(k, m);
    ps->dob = k;
    ps->ndob = m;
    size_t ne = 0;
    for (size_t i = 0; i < n; i++)
        ne += ((recs[i].flags & LK_CLK) != 0) + ((recs[i].flags & LK_CLK_ALT) != 0);
    uint32_t *who = xmalloc((ne ? ne : 1) * sizeof *who);
    ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].flags & LK_CLK)
            who[ne++] = (uint32_t)i;
        if (recs[i].flags & LK_CLK_ALT)
            who[ne++] = (uint32_t)i | 0x80000000u; /* the alternative filter */
    }
    ps->who = who;
    ps->ne = ne;
    int nt = ps->p->threads > 0 ? ps->p->threads : 1;
    if (nt > 16)
        nt = 16;
    if (ps->on_pair)
        nt = 1; /* the callback is not required to be thread-safe */
    struct job jobs[16];
    memset(jobs, 0, sizeof jobs);
    pthread_t th[16];
    for (int t = 0; t < nt; t++) {
        jobs[t].z.ps = ps;
        jobs[t].t = t;
        jobs[t].nt = nt;
    }
    int started[16] = {0};
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&th[t], NULL, fuzzy_job, &jobs[t]) == 0;
    fuzzy_job(&jobs[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fuzzy_job(&jobs[t]); /* no thread could start: do its share here */
    }
    *out = jobs[0].z.kept;
    for (int t = 0; t < nt; t++) {
        stats_add(st, &jobs[t].z.st);
        for (size_t i = 0; t > 0 && i < jobs[t].z.kept.n; i++) {
            const struct cand *c = &jobs[t].z.kept.c[i];
            cands_add(out, c->a, c->b, c->p, c->dice);
        }
        if (t > 0)
            free(jobs[t].z.kept.c);
    }
    /* the threads' samples, thinned to the smallest one of at most low_cap pairs: no thread
     * thinned its own further (its pairs alone were already more), so the sample is the same
     * whatever the threads' shares, and sorted, it is summed in the same order */
    if (low && ps->ptab) {
        memset(low, 0, sizeof *low);
        for (int t = 0; t < nt; t++) {
            low->n += jobs[t].z.low.n;
            if (jobs[t].z.low.shift > low->shift)
                low->shift = jobs[t].z.low.shift;
        }
        low->v = xmalloc((low->n ? low->n : 1) * sizeof *low->v);
        low->n = 0;
        for (int t = 0; t < nt; t++) {
            if (jobs[t].z.low.n) /* an empty sample has no array */
                memcpy(low->v + low->n, jobs[t].z.low.v, jobs[t].z.low.n * sizeof *low->v);
            low->n += jobs[t].z.low.n;
        }
        for (lows_thin(low, ps->low_thr, low->shift); low->n > low_cap;)
            lows_thin(low, ps->low_thr, low->shift + 1);
        qsort(low->v, low->n, sizeof *low->v, low_cmp);
        /* a pair the bands brought together several times is one pair */
        size_t u = 0;
        for (size_t i = 0; i < low->n; i++)
            if (u == 0 || low->v[i].a != low->v[u - 1].a || low->v[i].b != low->v[u - 1].b)
                low->v[u++] = low->v[i];
        low->n = u;
    }
    for (int t = 0; t < nt; t++)
        free(jobs[t].z.low.v);
    cands_unique(out);
    free(who);
    free(k);
    free(facts);
    ps->who = NULL;
    ps->dob = NULL;
    ps->facts = NULL;
}

/* Do A and B share an identity key (k_ident or k_ident_alt, either against either)? */
static int share_ident(const link_rec *a, const link_rec *b)
{
    const uint8_t *ka[2] = {a->flags & LK_IDENT ? a->ident : NULL, a->flags & LK_IDENT_ALT ? a->ident_alt : NULL};
    const uint8_t *kb[2] = {b->flags & LK_IDENT ? b->ident : NULL, b->flags & LK_IDENT_ALT ? b->ident_alt : NULL};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (ka[i] && kb[j] && memcmp(ka[i], kb[j], 16) == 0)
                return 1;
    return 0;
}

/* Were A and B born the same day (both dates known)? */
static int same_dob(const link_rec *a, const link_rec *b)
{
    return (a->flags & b->flags & LK_DOB) && memcmp(a->dob, b->dob, 16) == 0;
}

/* Sort numbers ascending (qsort took a third of a second on the half million pairs the
 * identity keys join at 500,000 households). */
static uint64_t u64_key(const uint64_t *x) { return *x; }
RADIX_SORT64(u64_sort, uint64_t, u64_key)

/* Groups of more records than this sharing an identity key or a NIR are no real person's
 * (no real name and date of birth, or NIR, is that shared): the veto keeps their star
 * unweighed (veto_namesakes), the model leaves their pairs out (key_pairs). */
#define IDENT_GROUP_MAX 64

/* Every pair of records that share a key of PASS (collect_keys: 0 the k_nir, 1 the identity
 * keys, either against either), each once, as (a << 32 | b), a < b, sorted, into *OUT; the
 * count. Groups of more than IDENT_GROUP_MAX records are left out. All the pairs, not the
 * exact stage's edges: those are a spanning forest that depends on the records' order, and
 * skip the pairs a first key already joined (the NIR's m, learned on the identity keys'
 * pairs, saw only those whose NIRs differ). */
static size_t key_pairs(const link_rec *recs, size_t n, int pass, uint64_t **out)
{
    struct keyed *k = xmalloc((2 * n + 1) * sizeof *k);
    size_t m = collect_keys(recs, n, pass, k), np = 0, cap = 1024;
    uint64_t *v = xmalloc(cap * sizeof *v);
    for (size_t g = 0, h; g < m; g = h) {
        h = key_run_end(k, m, g);
        if (h - g > IDENT_GROUP_MAX)
            continue;
        for (size_t x = g; x < h; x++)
            for (size_t y = x + 1; y < h; y++) {
                uint32_t a = k[x].rec, b = k[y].rec;
                if (a == b)
                    continue;
                if (np == cap)
                    v = xrealloc(v, (cap *= 2) * sizeof *v);
                v[np++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
            }
    }
    free(k);
    u64_sort(v, np);
    size_t u = 0;
    for (size_t i = 0; i < np; i++)
        if (u == 0 || v[i] != v[u - 1])
            v[u++] = v[i];
    *out = v;
    return u;
}

/* The pairs born the same day the identity keys are weighed against (estimate): every k_dob
 * block counts, those the blocking skips too. */
struct namesakes {
    double dob_pairs;     /* the pairs born the same day whose two records have an identity key */
    double dob_pairs_nir; /* those of them whose two records have a NIR too */
};

/* The records of the k_dob block K[G, H) that the blocking compares (those with a filter), as
 * fuzzy_pass counts them against block_max. */
static size_t block_size(const link_rec *recs, const struct keyed *k, size_t g, size_t h)
{
    size_t c = 0;
    for (size_t x = g; x < h; x++)
        c += (recs[k[x].rec].flags & LK_CLK) != 0;
    return c;
}

/* Whether the k_dob block starting at K[G] is drawn, at CHANCE, by a hash of its key. */
static int dob_drawn(const struct keyed *k, size_t g, double chance)
{
    uint64_t s;
    memcpy(&s, k[g].key, sizeof s);
    s ^= 0x646f622d70616972ULL;
    return (double)(splitmix(&s) >> 11) * 0x1p-53 < chance;
}

/* The pairs of two sexes born the same day, for the u of the comparisons of pairs born the
 * same day: two people (barring a mistyped sex), twins of a household or strangers whom the
 * k_dob blocks brought together, as alike as a date of birth makes them. Into TWINS, their
 * Dice and commune levels. Every pair of a k_dob block is a candidate, so they are counted on
 * the blocks of the whole territory, not of the model's sample: where the sample keeps one
 * record in ten, it keeps one such pair in a hundred, and the high Dice levels, rare among
 * two people (5 in 100,000 pairs), were counted on a few dozen pairs; one pattern's
 * probability then moved across the threshold with the sample's draw (docs/benchmarks.md).
 * Whole blocks are drawn, by a hash of their k_dob, with the chance that brings about
 * LINK_DOB_PAIRS pairs of two sexes; their pairs are those fuzzy_pass compares (not one exact
 * component, not one household in one export, blocks of block_max at most). Returns the pairs
 * counted.
 * And into NS, for the identity keys (struct namesakes), the pairs of every block whose two
 * records have an identity key, and of those whose two records have a NIR too. */
static double dob_pairs_of(const link_rec *recs, size_t n, const link_clear *cl, const uint32_t *exact, int block_max,
                           fs_patterns *twins, struct namesakes *ns)
{
    struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const link_rec *r = &recs[i];
        if ((r->flags & LK_DOB) && (r->flags & (LK_CLK | LK_IDENT | LK_IDENT_ALT))) {
            memcpy(k[m].key, recs[i].dob, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 0;
        }
    }
    keyed_sort(k, m);
    double all = 0;
    for (size_t g = 0, h; g < m; g = h) {
        size_t men = 0, women = 0, filters = 0, keyed = 0, keyed_nir = 0;
        h = key_run_end(k, m, g);
        for (size_t x = g; x < h; x++) {
            if (x + 2 * AHEAD < m) { /* the fields read here, two lines at most */
                const link_rec *f = &recs[k[x + 2 * AHEAD].rec];
                __builtin_prefetch(&f->sex);
                __builtin_prefetch(&f->flags);
            }
            const link_rec *r = &recs[k[x].rec];
            filters += (r->flags & LK_CLK) != 0;
            men += r->sex == 1 && (r->flags & LK_CLK);
            women += r->sex == 2 && (r->flags & LK_CLK);
            keyed += (r->flags & (LK_IDENT | LK_IDENT_ALT)) != 0;
            keyed_nir += (r->flags & (LK_IDENT | LK_IDENT_ALT)) && (r->flags & LK_NIR);
        }
        if (filters <= (size_t)block_max) /* as block_size counts */
            all += (double)men * (double)women;
        /* every block, those the blocking skips too (a date put for an unknown one, where
         * namesakes gather): their pairs sharing a key are weighed as the others */
        ns->dob_pairs += (double)keyed * (double)(keyed - (keyed > 0)) / 2;
        ns->dob_pairs_nir += (double)keyed_nir * (double)(keyed_nir - (keyed_nir > 0)) / 2;
    }
    double chance = all > LINK_DOB_PAIRS ? LINK_DOB_PAIRS / all : 1;
    double count[NDICE + 1][3] = {{0}}, total = 0; /* [Dice level][commune level + 1] */
    /* the blocks are read in the order of their dates, their records anywhere in memory: the
     * records of the drawn blocks from 2 AHEAD records on are asked for with their mask ids,
     * and from AHEAD on, their masks */
    size_t far = 0, near = 0;
    for (size_t g = 0, h; g < m; g = h) {
        h = key_run_end(k, m, g);
        for (size_t e; far < m && far < h + 2 * AHEAD; far = e) {
            e = key_run_end(k, m, far);
            if (dob_drawn(k, far, chance))
                for (size_t x = far; x < e; x++) {
                    prefetch_rec(&recs[k[x].rec]);
                    if (cl)
                        __builtin_prefetch(&cl->of[k[x].rec]);
                }
        }
        for (size_t e; cl && near < m && near < h + AHEAD; near = e) {
            e = key_run_end(k, m, near);
            if (dob_drawn(k, near, chance))
                for (size_t x = near; x < e; x++)
                    prefetch_mask(cl, cl->of[k[x].rec]);
        }
        if (!dob_drawn(k, g, chance) || block_size(recs, k, g, h) > (size_t)block_max)
            continue;
        for (size_t x = g; x < h; x++) {
            const link_rec *a = &recs[k[x].rec];
            for (size_t y = x + 1; y < h; y++) {
                const link_rec *b = &recs[k[y].rec];
                if (!a->sex || !b->sex || a->sex == b->sex || !(a->flags & b->flags & LK_CLK) ||
                    exact[k[x].rec] == exact[k[y].rec] ||
                    (a->household && a->household == b->household && a->source == b->source))
                    continue;
                int commune = a->commune[0] && b->commune[0] ? memcmp(a->commune, b->commune, 6) == 0 : FS_NULL;
                count[dice_level(score(cl, a, b))][commune + 1]++;
                total++;
            }
        }
    }
    fs_vec v;
    memset(&v, 0, sizeof v);
    for (int c = 0; c < FS_MAX_COMP; c++)
        v.level[c] = FS_NULL;
    for (int l = 0; l <= NDICE; l++)
        for (int c = 0; c < 3; c++) {
            v.level[LC_DICE_DOB] = (int8_t)l;
            v.level[LC_COMMUNE_DOB] = (int8_t)(c - 1);
            if (count[l][c] > 0)
                fs_patterns_add(twins, &v, count[l][c]);
        }
    free(k);
    return total;
}

/* Estimate the model (docs/linking.md, "The model"):
 *   u   from random pairs of records (almost all of two different people); then, for the CLK,
 *       the sex and the commune, from the candidate pairs born more than a year apart when
 *       the sample has enough of them: different people, but as alike as candidates are
 *       (the relatives of one household share surname, address and commune), which random
 *       pairs are not;
 *   m   from the pairs that share a k_nir and no identity key (the same selection as the
 *       candidate pairs: exact matches on the names never reach the model), and the NIR's
 *       own m from the pairs that share an identity key (key_pairs: all of them, whatever the
 *       records' order), net of the namesakes among them where the keys are weighed; without
 *       enough such pairs, by EM;
 *   lambda by EM over the candidate pairs of a sample of the records (all of them up to
 *       params.sample): sampling records keeps the share of matches among candidate pairs,
 *       since a pair is a candidate whatever the other records are.
 * The sample is blocked with the full run's bands and bits, so its pairs are drawn as the
 * full run's are. */
/* A record's draw from what it holds, not where it stands: the same records in another order
 * (the database's, which may change from one night to the next) are drawn alike. */
static uint64_t content_draw(const link_rec *r, uint64_t salt)
{
    uint64_t h = salt ^ r->clk[0] ^ (r->clk[1] << 1 | r->clk[1] >> 63) ^ r->household;
    return splitmix(&h);
}

/* A draw from everything the model compares of a record: two records that draw alike are
 * alike to every other (their order among themselves changes no pair's levels). */
static uint64_t content_hash(const link_rec *r, uint64_t salt)
{
    uint64_t h = salt;
#define MIX(x) (h ^= (x), h = splitmix(&h))
    const int alt = (r->flags & LK_CLK_ALT) != 0;
    for (int w = 0; w < 16; w++) {
        MIX(r->clk[w]);
        MIX(alt ? r->alt[w] : 0);
    }
    static const uint8_t has[4] = {LK_NIR, LK_IDENT, LK_IDENT_ALT, LK_DOB};
    const uint8_t *keys[4] = {r->nir, r->ident, r->ident_alt, r->dob};
    for (int k = 0; k < 4; k++) {
        uint64_t x[2] = {0, 0};
        if (r->flags & has[k])
            memcpy(x, keys[k], 16);
        MIX(x[0]);
        MIX(x[1]);
    }
    uint64_t c = 0;
    memcpy(&c, r->commune, sizeof r->commune);
    MIX(c ^ (uint64_t)r->birth_year << 48 ^ (uint64_t)r->sex << 40 ^ (uint64_t)r->source << 32);
    MIX(r->household);
#undef MIX
    return h;
}

/* About LINK_RANDOM_PAIRS pairs of records drawn at random, for u, as (a << 32 | b) into a new
 * array (*NP of them), drawn by content as the sample is: the records whose draw falls under a
 * bar set for LINK_RANDOM_PAIRS of them (all, in a smaller territory), in the order of their
 * draw (content_hash, as a key keyed_sort orders), each paired with the records R distinct
 * fractions of the list away, all under half of it (R = 1, a third, unless there are fewer
 * records than pairs wanted). The same records in another order give the same levels, pair
 * for pair. */
static uint64_t *random_pairs(const link_rec *recs, size_t n, size_t *np)
{
    const uint64_t salt = 0x7a6e722d752d7072ULL;
    double bar = n > LINK_RANDOM_PAIRS ? (double)LINK_RANDOM_PAIRS / (double)n : 1;
    size_t cap = (size_t)(bar * (double)n * 1.1) + 16, m = 0;
    struct keyed *d = xmalloc(cap * sizeof *d);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = content_hash(&recs[i], salt);
        if ((double)(h >> 11) * 0x1p-53 < bar) {
            if (m == cap)
                d = xrealloc(d, (cap *= 2) * sizeof *d);
            memset(&d[m], 0, sizeof d[m]);
            for (int b = 0; b < 8; b++) /* most significant byte first: the draw's order */
                d[m].key[b] = (uint8_t)(h >> (56 - 8 * b));
            d[m++].rec = (uint32_t)i;
        }
    }
    keyed_sort(d, m);
    size_t rounds = m > 2 ? (LINK_RANDOM_PAIRS + m - 1) / m : 0;
    if (rounds > (m - 1) / 2)
        rounds = m > 2 ? (m - 1) / 2 : 0;
    uint64_t *v = xmalloc((m * rounds + 1) * sizeof *v);
    size_t k = 0;
    for (size_t r = 1; r <= rounds; r++) {
        size_t off = m * r / (2 * rounds + 1); /* under half the list */
        if (off == 0)
            off = 1;
        for (size_t i = 0; i < m; i++) {
            uint32_t a = d[i].rec, b = d[(i + off) % m].rec;
            if (a != b)
                v[k++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
        }
    }
    free(d);
    *np = k;
    return v;
}

static void estimate(const link_rec *recs, size_t n, const link_clear *c, const uint32_t *exact,
                     const link_params *p, int bits, const int (*bandpos)[32], link_model *out)
{
    fs_model *m = &out->fs;
    link_fs_init(m);
    fs_patterns rnd, sp, keys, idents;
    fs_patterns_init(&rnd);
    fs_patterns_init(&sp);
    fs_patterns_init(&keys);
    fs_patterns_init(&idents);
    size_t nr;
    uint64_t *rp = random_pairs(recs, n, &nr);
    for (size_t i = 0; i < nr; i++) {
        fs_vec v;
        prefetch_packed(c, recs, rp, i, nr);
        compare_recs(c, &recs[rp[i] >> 32], &recs[(uint32_t)rp[i]], &v);
        fs_patterns_add(&rnd, &v, 1);
    }
    out->random_pairs = nr;
    free(rp);
    fs_estimate_u(m, &rnd);
    double u_sex_random[FS_MAX_LEVELS];
    memcpy(u_sex_random, m->u[LC_SEX], sizeof u_sex_random);

    /* the sample */
    size_t want = p->sample ? p->sample : LINK_SAMPLE;
    link_rec *srecs = NULL;
    uint32_t *sexact = NULL;
    size_t ns = 0;
    link_clear sclear = *c; /* the sample's records' clear bits: C's masks */
    if (n <= want) {
        ns = n;
    } else {
        srecs = xmalloc(want * 2 * sizeof *srecs);
        sexact = xmalloc(want * 2 * sizeof *sexact);
        sclear.of = xmalloc(want * 2 * sizeof *sclear.of);
        uint64_t s0 = 0x73616d706c652121ULL;
        for (size_t i = 0; i < n; i++) {
            if (content_draw(&recs[i], s0) % n < want && ns < want * 2) {
                srecs[ns] = recs[i];
                sclear.of[ns] = c->of[i];
                sexact[ns++] = exact[i];
            }
        }
        sclear.base = srecs;
        sclear.n = ns;
    }
    struct pass ps = {.recs = srecs ? srecs : recs, .n = ns, .clear = &sclear, .exact = sexact ? sexact : exact,
                      .p = p, .bandpos = bandpos, .bits = bits};
    link_stats sst = {0};
    struct cands sc = {0};
    fuzzy_pass(&ps, &sst, &sc, NULL);
    fs_patterns up, twins, sexes, unlike;
    fs_patterns_init(&up);
    fs_patterns_init(&twins);
    fs_patterns_init(&sexes);
    fs_patterns_init(&unlike);
    double born_apart = 0, two_sexes = 0, unlike_pairs = 0;
    for (size_t i = 0; i < sc.n; i++) {
        fs_vec v;
        if (i + 2 * AHEAD < sc.n)
            prefetch_pair(ps.clear, ps.recs, sc.c[i + 2 * AHEAD].a, sc.c[i + 2 * AHEAD].b, 0);
        if (i + AHEAD < sc.n)
            prefetch_pair(ps.clear, ps.recs, sc.c[i + AHEAD].a, sc.c[i + AHEAD].b, 1);
        compare_recs(ps.clear, &ps.recs[sc.c[i].a], &ps.recs[sc.c[i].b], &v);
        fs_patterns_add(&sp, &v, 1);
        if (v.level[LC_BIRTH] == 0) {
            fs_patterns_add(&up, &v, 1);
            born_apart++;
        }
        int dl = v.level[LC_DICE] >= 0 ? v.level[LC_DICE] : v.level[LC_DICE_DOB];
        if (dl >= 0 && dl <= 1 && v.level[LC_BIRTH] >= 0) {
            fs_patterns_add(&unlike, &v, 1);
            unlike_pairs++;
        }
        if ((v.level[LC_SEX] == 0 || v.level[LC_SEX_DOB] == 0) && v.level[LC_BIRTH] >= 0) {
            fs_patterns_add(&sexes, &v, 1);
            two_sexes++;
        }
    }
    out->sample_records = ns;
    out->sample_pairs = sc.n;
    free(sc.c);
    free(srecs);
    free(sexact);
    if (sclear.of != c->of)
        free(sclear.of);

    if (born_apart >= 1000) {
        static const int ks[] = {LC_DICE, LC_SEX, LC_COMMUNE};
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
            if (!m->absent[ks[i]])
                fs_estimate_u_of(m, ks[i], &up);
        out->u_from_candidates = 1;
    }
    /* the birth's u: the k_dob blocking makes an equal date of birth far more common among
     * candidate pairs than among random ones, so it is measured on the candidate pairs of two
     * sexes, or else on those whose filters are as unlike as strangers' (Dice under 0.60) */
    if ((two_sexes >= 1000 || unlike_pairs >= 1000) && !m->absent[LC_BIRTH])
        fs_estimate_u_of(m, LC_BIRTH, two_sexes >= 1000 ? &sexes : &unlike);
    /* the Dice of pairs born the same day: u from the pairs of the k_dob blocks of two sexes
     * (twins of a household, strangers), else as the other pairs' */
    struct namesakes nsk = {0};
    out->dob_pairs = (size_t)dob_pairs_of(recs, n, c, exact, p->block_max, &twins, &nsk);
    if (out->dob_pairs < 1000 || !fs_estimate_u_of(m, LC_DICE_DOB, &twins)) {
        /* measured on the candidates born apart (from 1,000 of them; else on random pairs),
         * that u holds at its top the matches whose date of birth was mistyped, which EM, where
         * it estimates the model, takes out of the other pairs' u but not out of this copy
         * (FEBRL dataset 1: 0.0002 at 0.76-0.80, then 0.0016 at 0.80-0.85, where its truth
         * holds no stranger born the same day): as strangers' filters, it is kept falling. (A
         * model learned from the NIR keeps them in the other pairs' u, which it holds.) */
        memcpy(m->u[LC_DICE_DOB], m->u[LC_DICE], sizeof m->u[LC_DICE_DOB]);
        if (!m->absent[LC_DICE])
            fs_u_log_concave(m, LC_DICE_DOB);
    }
    m->absent[LC_DICE_DOB] = m->absent[LC_DICE];
    /* the sex and the commune of pairs born the same day: most such candidates are strangers
     * the k_dob blocks brought together, not the relatives of the others (born apart): the
     * sex's u is the random pairs', the commune's from the same pairs as the Dice's; without
     * them, as the other pairs' */
    m->absent[LC_SEX_DOB] = m->absent[LC_SEX];
    memcpy(m->u[LC_SEX_DOB], out->dob_pairs >= 1000 ? u_sex_random : m->u[LC_SEX], sizeof m->u[LC_SEX_DOB]);
    m->absent[LC_COMMUNE_DOB] = m->absent[LC_COMMUNE];
    if (out->dob_pairs < 1000 || !fs_estimate_u_of(m, LC_COMMUNE_DOB, &twins))
        memcpy(m->u[LC_COMMUNE_DOB], m->u[LC_COMMUNE], sizeof m->u[LC_COMMUNE_DOB]);
    memcpy(m->m[LC_SEX_DOB], m->m[LC_SEX], sizeof m->m[LC_SEX_DOB]);
    memcpy(m->m[LC_COMMUNE_DOB], m->m[LC_COMMUNE], sizeof m->m[LC_COMMUNE_DOB]);
    if (!m->absent[LC_DICE_DOB]) /* random pairs rarely share a date of birth: start m afresh */
        for (int l = 0; l < m->nlevels[LC_DICE_DOB]; l++)
            m->m[LC_DICE_DOB][l] = l == m->nlevels[LC_DICE_DOB] - 1 ? 0.9 : 0.1 / (m->nlevels[LC_DICE_DOB] - 1);
    /* the pairs exact keys join: the NIR's, for m (those that share no identity key went
     * through the same selection as the candidates) and, born the same day, for the identity
     * keys' m and how often one person's records of one name share a commune; the identity
     * keys', with both NIRs, for the NIR's m */
    double nir_ident = 0, nir_ident_shared = 0, one_c = 0, one_same = 0;
    uint64_t *kp;
    size_t nkp = key_pairs(recs, n, 0, &kp);
    for (size_t i = 0; i < nkp; i++) {
        prefetch_packed(c, recs, kp, i, nkp);
        const link_rec *a = &recs[kp[i] >> 32], *b = &recs[(uint32_t)kp[i]];
        int shared = share_ident(a, b);
        if ((a->flags & (LK_IDENT | LK_IDENT_ALT)) && (b->flags & (LK_IDENT | LK_IDENT_ALT)) && same_dob(a, b)) {
            nir_ident++;
            nir_ident_shared += shared;
            if (shared && a->commune[0] && b->commune[0]) { /* one person, one name: its commune */
                one_c++;
                one_same += memcmp(a->commune, b->commune, 6) == 0;
            }
        }
        if (shared)
            continue;
        fs_vec v;
        compare_recs(c, a, b, &v);
        for (int k = 0; k < LINK_FS_NCOMP; k++) /* the tied comparisons in the ones they share m with */
            if (m->tied[k] && v.level[k] != FS_NULL) {
                v.level[m->tied[k] - 1] = v.level[k];
                v.level[k] = FS_NULL;
            }
        fs_patterns_add(&keys, &v, 1);
        out->training_pairs++;
    }
    free(kp);
    nkp = key_pairs(recs, n, 1, &kp);
    /* the pairs sharing a key with both NIRs (ident_nir), those of two NIRs (two), and of
     * these, with both communes known (two_c), those of one commune (two_same) */
    double ident_pairs = (double)nkp, ident_nir = 0, two = 0, two_c = 0, two_same = 0;
    for (size_t i = 0; i < nkp; i++) {
        prefetch_packed(c, recs, kp, i, nkp);
        const link_rec *a = &recs[kp[i] >> 32], *b = &recs[(uint32_t)kp[i]];
        if (a->flags & b->flags & LK_NIR) {
            fs_vec v;
            compare_recs(c, a, b, &v);
            fs_patterns_add(&idents, &v, 1);
            ident_nir++;
            if (memcmp(a->nir, b->nir, 16) != 0) {
                two++;
                if (a->commune[0] && b->commune[0]) {
                    two_c++;
                    two_same += memcmp(a->commune, b->commune, 6) == 0;
                }
            }
        }
    }
    free(kp);
    enum fs_em_status es;
    if (out->training_pairs >= LINK_MIN_TRAINING) {
        out->training = LT_KEYS;
        for (int k = 0; k < LINK_FS_NCOMP; k++)
            if (k != LC_NIR && !m->absent[k] && !m->tied[k]) {
                fs_estimate_m(m, k, &keys);
                if (m->ordinal[k])
                    fs_monotone(m, k);
            }
        for (int k = 0; k < LINK_FS_NCOMP; k++)
            if (m->tied[k] && !m->absent[k])
                memcpy(m->m[k], m->m[m->tied[k] - 1], sizeof m->m[k]);
        if (!m->absent[LC_NIR])
            fs_estimate_m(m, LC_NIR, &idents);
        /* The identity keys (link_ident_probability). The pairs sharing a key whose NIRs differ
         * are namesakes, or one person whose NIR was mistyped; the NIR cannot say which, their
         * commune can: a person's records of one name share one as often as the pairs of one
         * NIR sharing a key do (not m of the commune: its pairs share no key, and people who
         * change their name move), two people born the same day as u of commune_dob says. So
         * the share of namesakes among them is (m - f) / (m - u), f their share of one commune
         * (all of them where the commune tells little, m - u under 0.1, where fewer than 100 of
         * them have both communes, or where u was not measured on pairs born the same day). The
         * NIR's m counts the others only: learned on them all, it was mostly the namesakes'
         * share, and a NIR that differs weighed as much against a pair sharing a key as its
         * namesakes' prior (below) already did, so namesakes of one commune and two NIRs were
         * linked. The namesakes' u is their share of the pairs born the same day with keys and
         * NIRs on both sides (dob_pairs_nir); times all the pairs born the same day with keys,
         * the namesakes to expect among the pairs sharing a key. With too few pairs of two NIRs
         * born the same day, the territory is too small for namesakes to be more than a few
         * (they grow with the square of its size): the keys link as they are. */
        out->ident_pairs = ident_pairs;
        out->ident_two_nirs = fmax(nsk.dob_pairs_nir - nir_ident, 0);
        double mc = (one_same + 1) / (one_c + 2), uc = m->u[LC_COMMUNE_DOB][1];
        double share = two_c >= 100 && out->dob_pairs >= 1000 && mc - uc > 0.1
                           ? (mc - two_same / two_c) / (mc - uc) : 1;
        double namesakes_nir = two * fmin(fmax(share, 0), 1);
        out->ident_u = (namesakes_nir + 1) / (out->ident_two_nirs + 2);
        out->ident_namesakes = out->ident_u * nsk.dob_pairs;
        out->ident_m = nir_ident > 0 && out->ident_two_nirs >= LINK_MIN_NAMESAKE_PAIRS
                           ? (nir_ident_shared + 1) / (nir_ident + 2) : 0;
        if (out->ident_m > 0 && !m->absent[LC_NIR]) {
            m->m[LC_NIR][0] = (two - namesakes_nir + 1) / (ident_nir - namesakes_nir + 2);
            m->m[LC_NIR][1] = 1 - m->m[LC_NIR][0];
        }
    } else {
        out->training = LT_EM;
    }
    /* by EM, the CLK's u is re-estimated with m: pairs born apart hold the matches whose date
     * of birth was mistyped, which the keys' m would otherwise not let through. So is the
     * birth's: without two sexes to tell strangers apart, its u was measured on the candidates
     * whose filters are unlike, and among those the k_dob blocks, which bring every pair born
     * the same day whatever its Dice, outnumber the LSH's, which bring few unlike pairs: on
     * FEBRL dataset 2 that u was 0.0012 for an equal date of birth, the truth's 0.00003, and
     * strangers born the same day with unlike names were linked at P 0.91 */
    if (out->training == LT_EM)
        m->u_free[LC_DICE] = m->u_free[LC_BIRTH] = 1;
    if (out->training == LT_KEYS)
        es = fs_em_lambda(m, &sp, 1000, 1e-7);
    else
        es = fs_em(m, &sp, 1000, 1e-6);
    out->status = es;
    if (es == FS_NO_PAIRS || es == FS_ONE_PATTERN) {
        out->training = LT_NONE;
        snprintf(out->why, sizeof out->why, "%s", fs_em_status_text(es));
    } else if (out->sample_pairs < LINK_MIN_PAIRS) {
        /* a handful of pairs says little about what tells people apart: a model estimated on
         * them would link at random */
        out->training = LT_NONE;
        snprintf(out->why, sizeof out->why, LINK_WHY_FEW_PAIRS, out->sample_pairs, LINK_MIN_PAIRS);
    }
    fs_patterns_free(&rnd);
    fs_patterns_free(&sp);
    fs_patterns_free(&up);
    fs_patterns_free(&twins);
    fs_patterns_free(&sexes);
    fs_patterns_free(&unlike);
    fs_patterns_free(&keys);
    fs_patterns_free(&idents);
}

/* Is B (of A's pairs in source S) a better partner for A than C? The more probable, then the
 * higher Dice (pairs of one pattern share a probability), then the smaller index. */
static int better(const struct cand *b, uint32_t bo, const struct cand *c, uint32_t co)
{
    if (b->p != c->p)
        return b->p > c->p;
    if (b->dice != c->dice)
        return b->dice > c->dice;
    return bo < co;
}

enum { BEST_A = 1, ALONE_A = 2, BEST_B = 4, ALONE_B = 8 };

/* The decision over the pairs kept (sorted, unique): for each record and each source, the most
 * probable of its pairs there reaching the threshold (same_source between two records of one
 * source), unless an exact link already ties the record to that source. A pair links when it
 * is the best of both its records, or the best of one that has no other pair in that source
 * reaching the threshold (several records of one person in a source may all reach that
 * person's one record elsewhere). Links are added to LINKS and joined in UF. */
static void decide(const link_rec *recs, size_t n, const struct cands *c, const link_params *p,
                   const uint32_t *exact, const uint64_t *covered, const uint64_t *covered_dup, uint32_t *uf,
                   struct edges *links)
{
    uint32_t *deg = xcalloc(n + 1, sizeof *deg);
    uint8_t *flags = xcalloc(c->n ? c->n : 1, 1);
#define ELIGIBLE(e, i, o)                                                                        \
    (c->c[e].p >= (recs[i].source == recs[o].source ? p->same_source : p->match) &&              \
     !((recs[o].source == recs[i].source ? covered_dup : covered)[exact[i]] >> recs[o].source & 1))
    for (size_t e = 0; e < c->n; e++) {
        uint32_t a = c->c[e].a, b = c->c[e].b;
        if (ELIGIBLE(e, a, b))
            deg[a]++;
        if (ELIGIBLE(e, b, a))
            deg[b]++;
    }
    size_t *off = xmalloc((n + 1) * sizeof *off);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        off[i] = total;
        total += deg[i];
    }
    off[n] = total;
    uint32_t *adj = xmalloc((total ? total : 1) * sizeof *adj);
    memset(deg, 0, (n + 1) * sizeof *deg);
    for (size_t e = 0; e < c->n; e++) {
        uint32_t a = c->c[e].a, b = c->c[e].b;
        if (ELIGIBLE(e, a, b))
            adj[off[a] + deg[a]++] = (uint32_t)e;
        if (ELIGIBLE(e, b, a))
            adj[off[b] + deg[b]++] = (uint32_t)e;
    }
#undef ELIGIBLE
    uint32_t best[LINK_MAX_SOURCES], cnt[LINK_MAX_SOURCES];
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < n; i++) {
        if (off[i] == off[i + 1])
            continue;
        for (size_t x = off[i]; x < off[i + 1]; x++) {
            const struct cand *e = &c->c[adj[x]];
            uint32_t o = e->a == i ? e->b : e->a;
            int s = recs[o].source;
            if (cnt[s]++ == 0) {
                best[s] = adj[x];
            } else {
                const struct cand *bc = &c->c[best[s]];
                if (better(e, o, bc, bc->a == i ? bc->b : bc->a))
                    best[s] = adj[x];
            }
        }
        for (size_t x = off[i]; x < off[i + 1]; x++) {
            const struct cand *e = &c->c[adj[x]];
            int s = recs[e->a == i ? e->b : e->a].source;
            if (cnt[s] == 0)
                continue;
            int side_a = c->c[best[s]].a == i; /* the best pair's end, not this entry's */
            flags[best[s]] |= (uint8_t)(side_a ? BEST_A : BEST_B);
            if (cnt[s] == 1)
                flags[best[s]] |= (uint8_t)(side_a ? ALONE_A : ALONE_B);
            cnt[s] = 0;
        }
    }
    for (size_t e = 0; e < c->n; e++) {
        uint8_t f = flags[e];
        if (((f & BEST_A) && (f & BEST_B)) || ((f & BEST_A) && (f & ALONE_A)) || ((f & BEST_B) && (f & ALONE_B))) {
            edges_add(links, c->c[e].a, c->c[e].b, LM_CLK, c->c[e].p);
            uf_union(uf, c->c[e].a, c->c[e].b);
        }
    }
    free(deg);
    free(off);
    free(adj);
    free(flags);
}

/* A record's pair into another source, for the recall's estimate. */
struct slot {
    uint64_t key; /* record << 6 | source */
    float p;
    uint32_t pair; /* index among the pairs kept */
};

static int slot_cmp(const void *x, const void *y)
{
    const struct slot *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* On how many of the 1,024 positions the filters of A and B agree: the most of their pairings
 * (clk and clk_alt). */
static int filters_agree(const link_rec *a, const link_rec *b)
{
    const uint64_t *fa[2] = {a->clk, (a->flags & LK_CLK_ALT) ? a->alt : NULL};
    const uint64_t *fb[2] = {b->clk, (b->flags & LK_CLK_ALT) ? b->alt : NULL};
    int agree = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            if (!fa[i] || !fb[j])
                continue;
            int d = 0;
            for (int w = 0; w < 16; w++)
                d += __builtin_popcountll(fa[i][w] ^ fb[j][w]);
            if (1024 - d > agree)
                agree = 1024 - d;
        }
    return agree;
}

/* The probability that no LSH band brings together two filters agreeing on AGREE positions:
 * each band samples BITS distinct positions of the 1,024, and the pair collides in a band when
 * the two filters agree on all of them. */
static double lsh_miss_at(int agree, int bands, int bits)
{
    double hit = 1; /* one band: all BITS sampled positions among the AGREE */
    for (int i = 0; i < bits; i++)
        hit *= agree - i > 0 ? (double)(agree - i) / (1024 - i) : 0;
    return pow(1 - hit, bands);
}

/* The matches born apart that no blocking brought together (estimate_quality). Only the LSH
 * can bring two records of one person together when their dates of birth differ (a mistyped
 * digit) or one is unknown, and the bands miss a pair the more, the fewer positions its
 * filters agree on: the pairs found are the most alike of them, and the ones missed, the least
 * alike, are never seen. Weighing each pair found by 1 / its chance of being found (as
 * blocking_tally does for its floor) cannot count a kind of pair found almost never: on FEBRL
 * it counted 2-3 of dataset 1's 7-9 such misses, 17-25 of dataset 3's 44-54
 * (docs/benchmarks.md). The pairs born the same day are another sample of one person's
 * records, which the k_dob blocks compare whatever their filters (blocks of block_max records
 * at most): how far apart their filters are, their names and addresses mistyped, is not chosen
 * by the blocking. A mistyped date of birth takes its digits' bits from both filters, an
 * unknown one all its bits from one, so the filters of a match born apart agree on fewer
 * positions than those of one born the same day, by a number DELTA the data set says, for
 * each kind of date (dob_kind). The agreements of the pairs born the same day (REF, a
 * histogram over 0..1024, each pair weighed by its probability) moved down by DELTA are taken
 * for those of the matches born apart of one kind; those found (SEEN, the pairs of that kind
 * the LSH brought, weighed so) are that distribution times the chance of being found, FOUND(a)
 * = 1 - lsh_miss_at(a). DELTA is the one (0 to 160, every 2) under which the pairs found are
 * likeliest; the matches found are then a share Z of all, sum f(a) FOUND(a), and those missed
 * W (1 - Z) / Z, W the weight found (estimate_quality). */
enum {
    AGREE_N = 1025,
    BLOCKING_MISSED_REF = 100,  /* the pairs born the same day needed (their weight) */
    BLOCKING_MISSED_SEEN = 10,  /* the pairs found born apart needed, all kinds together and in one */
    BLOCKING_MISSED_MAX = 9,    /* the misses counted, at most, for each pair found */
    SHIFT_MAX = 160,
    G_N = AGREE_N + SHIFT_MAX
};

/* REF smoothed into G[G_N] (a Gauss kernel of 8 positions, so that a few hundred pairs
 * describe it, computed over 0..G_N so that a shift brings in what it spread past 1024) and
 * normalised over 0..1024. Returns 0, G untouched, when REF weighs under BLOCKING_MISSED_REF. */
static int blocking_reference(const double *ref, double *g)
{
    double wr = 0;
    for (int a = 0; a < AGREE_N; a++)
        wr += ref[a];
    if (wr < BLOCKING_MISSED_REF)
        return 0;
    for (int a = 0; a < AGREE_N; a++)
        if (ref[a] > 0)
            for (int b = 0; b < G_N; b++)
                g[b] += ref[a] * exp(-0.5 * (double)((b - a) * (b - a)) / 64.0);
    double sum = 0;
    for (int a = 0; a < AGREE_N; a++)
        sum += g[a];
    for (int a = 0; a < G_N; a++)
        g[a] /= sum;
    return 1;
}

/* Each shift's f(a) = G(a + delta) / MASS[delta / 2] is made to sum to 1 over 0..1024: the
 * kernel spreads the many pairs whose filters agree everywhere, the identity keys', past 1024,
 * and a shift moves some of the reference under 0. Z[delta / 2] is the share of f the bands
 * find (sum f(a) found(a)); both are the same for every kind (blocking_missed). */
enum { NSHIFT = SHIFT_MAX / 2 + 1 };

/* The share Z of the matches whose agreements SEEN found that the bands find: that of the
 * shift under which SEEN is likeliest; -1 when SEEN is empty. */
static double blocking_found_share(const double *g, const double *mass, const double *z, const double *seen)
{
    double ws = 0;
    for (int a = 0; a < AGREE_N; a++)
        ws += seen[a];
    if (ws <= 0)
        return -1;
    double best = -HUGE_VAL, best_z = -1;
    for (int d = 0; d < NSHIFT; d++) {
        if (mass[d] <= 0 || z[d] <= 0)
            continue;
        double ll = -ws * log(z[d]);
        for (int a = 0; a < AGREE_N; a++)
            if (seen[a] > 0)
                ll += seen[a] * log(fmax(g[a + 2 * d] / mass[d], 1e-300));
        if (ll > best) {
            best = ll;
            best_z = z[d];
        }
    }
    return best_z;
}

/* How the dates of birth of two records not born the same day stand (enum link_date_kind):
 * both known (and different), one unknown, both unknown. A mistyped date takes the bits of
 * its wrong digits from both filters, an unknown one all its bits from one filter, two unknown
 * ones none: the filters of such matches are apart by different amounts, so blocking_missed
 * measures each kind on its own. */
static int dob_kind(const link_rec *a, const link_rec *b)
{
    int known = ((a->flags & LK_DOB) != 0) + ((b->flags & LK_DOB) != 0);
    return known == 2 ? LINK_DK_DIFFER : known == 1 ? LINK_DK_ONE_UNKNOWN : LINK_DK_BOTH_UNKNOWN;
}

/* The matches of two sources a run found, by their filters' agreement, for the matches no
 * blocking brought together (blocking_tally, blocking_missed). */
struct misses {
    double miss[AGREE_N];            /* the chance the bands miss a pair of that agreement */
    double ref[AGREE_N];             /* the pairs born the same day */
    double seen[LINK_DK_N][AGREE_N]; /* the pairs born apart, by kind of date (dob_kind) */
    double ht[LINK_DK_N];            /* the misses, each pair found standing for those like it */
};

/* The matches born apart that no blocking brought together, kind by kind of date (dob_kind):
 * for each kind, its pairs found (T's seen[kind]) against the pairs born the same day (T's
 * ref), W (1 - Z) / Z for W the weight found and Z the share found (blocking_found_share),
 * at most BLOCKING_MISSED_MAX W. A kind found on pairs weighing under BLOCKING_MISSED_SEEN
 * takes the share of all kinds together (a share measured on a dozen pairs moves by half with
 * the draw, and 1 / Z amplifies it); where REF weighs under BLOCKING_MISSED_REF or all kinds'
 * SEEN under BLOCKING_MISSED_SEEN, each kind falls back to its pairs found weighed by their own
 * chance (T's ht[kind], blocking_tally). That count is also each kind's floor. Returns the
 * matches missed; into *FROM the kinds measured against the pairs born the same day
 * (1 << kind, enum link_date_kind). */
static double blocking_missed(const struct misses *t, int *from)
{
    double *g = xcalloc(G_N, sizeof *g), all[AGREE_N], wk[LINK_DK_N] = {0}, w_all = 0, missed_all = 0;
    for (int a = 0; a < AGREE_N; a++) {
        all[a] = 0;
        for (int k = 0; k < LINK_DK_N; k++) {
            all[a] += t->seen[k][a];
            wk[k] += t->seen[k][a];
        }
        w_all += all[a];
    }
    double z_all = -1, mass[NSHIFT], z[NSHIFT];
    if (w_all >= BLOCKING_MISSED_SEEN && blocking_reference(t->ref, g)) {
        for (int d = 0; d < NSHIFT; d++) {
            mass[d] = z[d] = 0;
            for (int a = 0; a < AGREE_N; a++) {
                mass[d] += g[a + 2 * d];
                z[d] += g[a + 2 * d] * (1 - t->miss[a]);
            }
            z[d] = mass[d] > 0 ? z[d] / mass[d] : 0;
        }
        z_all = blocking_found_share(g, mass, z, all);
    }
    *from = 0;
    for (int k = 0; k < LINK_DK_N; k++) {
        double missed = -1;
        if (z_all > 0 && wk[k] > 0) {
            double zk = wk[k] >= BLOCKING_MISSED_SEEN ? blocking_found_share(g, mass, z, t->seen[k]) : -1;
            if (zk <= 0)
                zk = z_all;
            missed = wk[k] * fmin((1 - zk) / zk, BLOCKING_MISSED_MAX);
        }
        if (missed > t->ht[k])
            *from |= 1 << k;
        missed_all += fmax(missed, t->ht[k]);
    }
    free(g);
    return missed_all;
}

/* Count the pair A, B of two sources, of weight W, into T for the matches no blocking brought
 * together. Born the same day (the k_dob blocking compares it whatever its filters), into
 * ref, by its filters' agreement (blocking_missed); else, by how its dates stand (dob_kind,
 * K), into seen[K], and into ht[K] its weight times the pairs like it the bands never brought
 * together, for each one they did: q / (1 - q), q the chance they miss it (miss, from
 * lsh_miss_at, with alternative filters the most alike of the pairings standing for them
 * all), taken at most 0.75 (no pair stands for more than three unseen). A pair without both
 * filters goes into neither histogram. */
static void blocking_tally(struct misses *t, const link_rec *a, const link_rec *b, double w)
{
    int agree = filters_agree(a, b), both = (a->flags & b->flags & LK_CLK) != 0;
    if (same_dob(a, b)) {
        if (both)
            t->ref[agree] += w;
        return;
    }
    int k = dob_kind(a, b);
    double q = fmin(t->miss[agree], 0.75);
    t->ht[k] += w * q / (1 - q);
    if (both)
        t->seen[k][agree] += w;
}

/* The estimate's sums, kept for the last records' search (last_records): over all pairs of two
 * sources, and for each two sources S < T, the mass of the matches linked between them and of
 * those expected and not linked. */
struct quality {
    double tp, fn, pred, exact_tp;
    double last; /* the mass the last records' search linked */
    double pair_tp[LINK_MAX_SOURCES][LINK_MAX_SOURCES], pair_fn[LINK_MAX_SOURCES][LINK_MAX_SOURCES];
};

/* The cell of V for sources S and T, in either order. */
static double *quality_at(double (*v)[LINK_MAX_SOURCES], int s, int t) { return &v[s < t ? s : t][s < t ? t : s]; }

static void quality_add(double (*v)[LINK_MAX_SOURCES], int s, int t, double w) { *quality_at(v, s, t) += w; }

/* The estimates from Q's sums into ST. */
static void quality_stats(const struct quality *q, link_stats *st)
{
    double tp = q->tp, fn = q->fn > 0 ? q->fn : 0, pred = q->pred, exact_tp = q->exact_tp;
    st->est_precision = pred > 0 ? tp / pred : 1.0;
    st->est_recall = tp + fn > 0 ? tp / (tp + fn) : 1.0;
    st->est_fuzzy_recall = tp - exact_tp + fn > 0 ? (tp - exact_tp) / (tp - exact_tp + fn) : 1.0;
    st->est_missed = fn;
    st->est_last = q->last;
}

/* Each record's person and source as one key, person << 6 | source, sorted: the runs of equal
 * keys are a person's records at a source. */
static uint64_t *person_source_keys(const link_rec *recs, const uint32_t *person, size_t n)
{
    uint64_t *k = xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = (uint64_t)person[i] << 6 | recs[i].source;
    u64_sort(k, n);
    return k;
}

/* The run's estimate of its quality across sources, from the model alone (no ground truth).
 * Precision: the mean probability of the pairs of two sources it put in one person (exact
 * links count 1). Recall: that mass over itself plus the mass left out, which is, for each
 * record whose person has no record in a source, its most probable pair there (one partner a
 * source, as the decision assumes: a record's several candidates there are rivals, not
 * several matches), plus the pairs under the floor where neither person holds the other's
 * source (from their sample, LOW, at the pairs' own Dice), plus the matches no blocking
 * brought together: measured against the pairs born the same day (blocking_missed), or, where
 * there are too few, each pair found by the LSH alone with probability 1 - q standing for
 * q / (1 - q) such pairs never seen (its mass weighed so; q at most 0.75). */
static void estimate_quality(const link_rec *recs, size_t n, const link_clear *cl, const uint32_t *person,
                             const uint32_t *exact, const struct cands *kept, const struct lows *low,
                             const float *ptab, const uint32_t *low_thr, int bands, int bits, link_stats *st,
                             struct quality *q)
{
    double tp = 0, fn = 0, pred = 0;
    memset(q, 0, sizeof *q);
    double (*fuzzy_tp)[LINK_MAX_SOURCES] = xcalloc(LINK_MAX_SOURCES, sizeof *fuzzy_tp);
    /* the filters' agreements of the matches born the same day and of those born apart the
     * LSH found (blocking_missed), each weighed by its probability */
    struct misses *mt = xcalloc(1, sizeof *mt);
    for (int a = 0; a < AGREE_N; a++)
        mt->miss[a] = lsh_miss_at(a, bands, bits);
    /* the pairs of two sources the exact keys put in one component, each a match: all of them,
     * not the links (a key group's links are a star from its first record, which depends on
     * the records' order: from a record of the source holding the person twice, one of its
     * pairs with the other source was not counted; FEBRL dataset3, the estimate 0.9823 or
     * 0.9754 by the order) */
    {
        uint64_t *k = xmalloc((n ? n : 1) * sizeof *k);
        for (size_t i = 0; i < n; i++)
            k[i] = (uint64_t)exact[i] << 32 | i;
        u64_sort(k, n);
        for (size_t g = 0; g < n;) {
            size_t h = g + 1;
            while (h < n && k[h] >> 32 == k[g] >> 32)
                h++;
            if (h - g <= IDENT_GROUP_MAX) {
                for (size_t x = g; x < h; x++)
                    for (size_t y = x + 1; y < h; y++) {
                        const link_rec *a = &recs[(uint32_t)k[x]], *b = &recs[(uint32_t)k[y]];
                        if (a->source == b->source)
                            continue;
                        tp += 1;
                        pred += 1;
                        quality_add(q->pair_tp, a->source, b->source, 1);
                        /* a key joined it: born apart, the LSH did not have to find it */
                        if (same_dob(a, b))
                            blocking_tally(mt, a, b, 1);
                    }
            } else { /* a component too large to walk pair by pair: counted by its sources */
                double per[LINK_MAX_SOURCES] = {0};
                for (size_t x = g; x < h; x++)
                    per[recs[(uint32_t)k[x]].source]++;
                for (int s = 0; s < LINK_MAX_SOURCES; s++)
                    for (int t = s + 1; t < LINK_MAX_SOURCES; t++)
                        if (per[s] * per[t] > 0) {
                            tp += per[s] * per[t];
                            pred += per[s] * per[t];
                            quality_add(q->pair_tp, s, t, per[s] * per[t]);
                        }
            }
            g = h;
        }
        free(k);
    }
    const double exact_tp = tp;
    uint64_t *cover = xcalloc(n ? n : 1, sizeof *cover);
    for (size_t i = 0; i < n; i++)
        cover[person[i]] |= 1ULL << recs[i].source;
    /* per source, the share of its persons holding two records or more there (duplicates) */
    double dup_rate[LINK_MAX_SOURCES] = {0}, held[LINK_MAX_SOURCES] = {0};
    {
        uint64_t *k = person_source_keys(recs, person, n);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && k[j] == k[i])
                j++;
            held[k[i] & 63]++;
            if (j - i > 1)
                dup_rate[k[i] & 63]++;
            i = j;
        }
        for (int s = 0; s < LINK_MAX_SOURCES; s++)
            dup_rate[s] = held[s] > 0 ? dup_rate[s] / held[s] : 0;
        free(k);
    }
    /* entries (record, source, pair) of the pairs left apart, for each end whose person lacks
     * the other's source; sorted, the first of each (record, source) is its most probable */
    struct slot *sl = xmalloc((2 * kept->n + 1) * sizeof *sl);
    size_t ns = 0;
    for (size_t e = 0; e < kept->n; e++) {
        const struct cand *c = &kept->c[e];
        int sa = recs[c->a].source, sb = recs[c->b].source;
        if (sa == sb)
            continue;
        if (person[c->a] == person[c->b]) {
            tp += c->p;
            pred += 1;
            quality_add(q->pair_tp, sa, sb, c->p);
            quality_add(fuzzy_tp, sa, sb, c->p);
            blocking_tally(mt, &recs[c->a], &recs[c->b], c->p);
            continue;
        }
        /* when the other end's person already has a record in this end's source, the pair can
         * only match if that person is there twice: weigh it by the source's duplicates */
        if (!(cover[person[c->a]] >> sb & 1))
            sl[ns++] = (struct slot){(uint64_t)c->a << 6 | (uint64_t)sb,
                                     (cover[person[c->b]] >> sa & 1) ? c->p * (float)dup_rate[sa] : c->p, (uint32_t)e};
        if (!(cover[person[c->b]] >> sa & 1))
            sl[ns++] = (struct slot){(uint64_t)c->b << 6 | (uint64_t)sa,
                                     (cover[person[c->a]] >> sb & 1) ? c->p * (float)dup_rate[sb] : c->p, (uint32_t)e};
    }
    /* the most probable pair of each (record, source); a pair chosen from both its ends (two
     * records each missing the other's source) is one missed match, counted once */
    qsort(sl, ns, sizeof *sl, slot_cmp);
    float *chosen = xcalloc(kept->n ? kept->n : 1, sizeof *chosen);
    for (size_t i = 0; i < ns;) {
        size_t j = i, best = i;
        while (j < ns && sl[j].key == sl[i].key) {
            if (sl[j].p > sl[best].p)
                best = j;
            j++;
        }
        if (sl[best].p > chosen[sl[best].pair])
            chosen[sl[best].pair] = sl[best].p;
        i = j;
    }
    for (size_t e = 0; e < kept->n; e++)
        if (chosen[e] > 0) {
            const link_rec *a = &recs[kept->c[e].a], *b = &recs[kept->c[e].b];
            fn += chosen[e];
            quality_add(q->pair_fn, a->source, b->source, chosen[e]);
            blocking_tally(mt, a, b, chosen[e]);
        }
    free(chosen);
    /* the matches no blocking brought together: from the pairs born the same day where there
     * are enough (blocking_missed), else each pair found standing for those like it (HT),
     * which is also a floor: each pair found stands for at least those like it, and more only
     * where no pair found stands for them. Under the floor, the pairs found born apart are not
     * the matches born the same day with a date mistyped: relatives, which a wrong model takes
     * for one person (a territory without NIRs: 4 misses by the pairs born the same day, 107
     * by the floor, which refuses that model). Each kind of date (dob_kind) on its own, with
     * its own floor: one shift fitted to the pairs found, mostly those of a mistyped digit,
     * took the misses of the dates unknown on one side, whose filters are further apart, for
     * theirs (FEBRL dataset 3: 30 counted of 42-50). */
    st->est_blocking_missed = blocking_missed(mt, &st->est_blocking_from_dob);
    fn += st->est_blocking_missed;
    free(mt);
    /* which two sources the blocking's misses are between is not measured: they are shared as
     * the matches the LSH and the blocks found are */
    {
        double all = 0;
        for (int s = 0; s < LINK_MAX_SOURCES; s++)
            for (int t = s + 1; t < LINK_MAX_SOURCES; t++)
                all += fuzzy_tp[s][t];
        for (int s = 0; s < LINK_MAX_SOURCES && all > 0; s++)
            for (int t = s + 1; t < LINK_MAX_SOURCES; t++)
                q->pair_fn[s][t] += st->est_blocking_missed * fuzzy_tp[s][t] / all;
        free(fuzzy_tp);
    }
    /* the pairs under the floor: a missed match only where neither person holds a record of
     * the other's source (or the source holds that person twice), each sampled pair standing
     * for 1 / its chance of being sampled */
    for (size_t i = 0; i < low->n; i++) {
        uint32_t a = low->v[i].a, b = low->v[i].b;
        int sa = recs[a].source, sb = recs[b].source;
        double w = ((cover[person[a]] >> sb & 1) ? dup_rate[sb] : 1) *
                   ((cover[person[b]] >> sa & 1) ? dup_rate[sa] : 1);
        int id = low->v[i].id;
        double chance = low_chance(low_thr, id, low->shift);
        if (low->v[i].dc) /* sampled at the highest weight's Dice level: its own Dice now */
            id = pattern_with_dice(pattern_base_of(id, low->v[i].dc - 1), low->v[i].dc - 1,
                                   dice_level(score(cl, &recs[a], &recs[b])));
        float pr = ptab[id];
        fn += w * pr / chance;
        quality_add(q->pair_fn, sa, sb, w * pr / chance);
    }
    free(sl);
    free(cover);
    q->tp = tp;
    q->fn = fn;
    q->pred = pred;
    q->exact_tp = exact_tp;
    quality_stats(q, st);
}

/* The last records' search. After the decision, a record of source S whose person has no
 * record in source T is free there. Where the run expects, among S's free records, at least
 * LAST_MIN_SHARE of a match each with T that it did not link (struct quality: the blocking's
 * misses included), those records are mostly its misses, not people T does not know: each is
 * compared with every record of T, and its partner there chosen as one, not pair by pair:
 *
 *   P(x's partner is y) = c o(y) / ((1 - pi) + c sum over T of o(y')),
 *   c = pi (1 - l) / (l N(T)),   l = M / (N(S) N(T)),   pi = min(LAST_MAX_SHARE, M / N(S))
 *
 * with o the odds of a pair's probability (its pattern's share of matches among the pairs
 * that hold it, taken as every pair's of S and T having l of being one), N the records of a
 * source, M the matches the run expects between S and T without x's own most probable pair
 * (so that x's evidence is not counted once in pi and again in o), and pi the chance that a
 * record of S has a partner in T. A record has at most one partner in T: the other records of
 * T are its partner's rivals, and none of them may be. For a pair without rivals and a partner
 * unlikely (pi near 0), this is its own probability; with a partner likely and no rival, more.
 * Whether y's person already holds a record of S is evidence too, weighed as a likelihood
 * ratio: were y x's partner, it would be taken only if S holds that person twice, with chance
 * d, the share of S's records, among those whose person holds T, whose person S holds twice or
 * more; were it anyone else, with chance tau, the share of T's records taken. So a taken y's
 * odds are weighed by d / tau, a free y's by (1 - d) / (1 - tau), d and tau read at most
 * LAST_MAX_SHARE: where nearly every record of T is taken, the few left free are likely the
 * partners of the few left free at S. A free y weighs at least as any record: d is measured on
 * the records the decision joined, and a record it left free is one that neither its partner
 * nor a twin pulled in, so fewer of the free have twins than d says (FEBRL dataset2, d 0.89
 * against tau 0.11, read 0.13 and left pairs at P 0.64-0.84 apart). A taken y is left out
 * where that record of S is in x's household (two members of one household in one export are
 * two people). The most probable partner links when that reaches the match probability.
 * The share picks where to search, not what to link: a territory whose sources know
 * different people has many free records and few unlinked matches, and nothing is searched;
 * nor more comparisons in all than the budget (link_params.last_search), the pairs of sources
 * taken in order. The links carry their probability; the estimate moves their mass
 * from the expected unlinked to the linked (est_last). Returns the links added. */
#define LAST_MIN_SHARE 0.5
#define LAST_MAX_SHARE 0.9

/* A record's person (its root in UF), source and household, as one key. */
static uint64_t household_key(const link_rec *r, uint32_t root)
{
    uint64_t h = (uint64_t)root * 0x9e3779b97f4a7c15ULL ^ r->household * 0xc2b2ae3d27d4eb4fULL ^ r->source;
    return h ^ h >> 29;
}

/* A free record's claim on its most probable partner: its probability NUM / DEN, and DUP, the
 * factor of its odds should another person claim that partner first (taken then: d / tau over
 * the weight it had free, at most 1; d if it was taken already). */
struct claim {
    uint32_t x, y;
    double post, num, den, dup;
};

/* A candidate partner's person and odds. */
struct rival {
    uint32_t person;
    double o;
};

/* By person, then by odds (the person's most probable record last). */
static int rival_cmp(const void *a, const void *b)
{
    const struct rival *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return x->o < y->o ? -1 : x->o > y->o;
}

/* By partner, then the most probable claim first, then the claimant. */
static int claim_cmp(const void *a, const void *b)
{
    const struct claim *x = a, *y = b;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    if (x->post != y->post)
        return x->post > y->post ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x;
}

static size_t last_records(const link_rec *recs, size_t n, const link_clear *cl, const float *ptab, float floor,
                           const link_params *p, const uint64_t *forbidden, size_t n_forbidden, uint32_t *uf,
                           struct edges *links, struct quality *q)
{
    if (p->last_search < 0)
        return 0;
    double budget = p->last_search ? (double)p->last_search : (double)LINK_LAST_BUDGET;
    size_t count[LINK_MAX_SOURCES] = {0}, off[LINK_MAX_SOURCES + 1] = {0};
    uint64_t *cover = xcalloc(n ? n : 1, sizeof *cover);
    for (size_t i = 0; i < n; i++) {
        cover[uf[i]] |= 1ULL << recs[i].source;
        count[recs[i].source]++;
    }
    for (int s = 0; s < LINK_MAX_SOURCES; s++)
        off[s + 1] = off[s] + count[s];
    uint32_t *by = xmalloc((n ? n : 1) * sizeof *by), fill[LINK_MAX_SOURCES];
    for (int s = 0; s < LINK_MAX_SOURCES; s++)
        fill[s] = (uint32_t)off[s];
    for (size_t i = 0; i < n; i++)
        by[fill[recs[i].source]++] = (uint32_t)i;
    double *sib = NULL;
    uint64_t *hh = NULL; /* the households of each person's records (household_key), sorted */
    size_t nhh = 0;
    uint32_t *best_of = NULL; /* per record searched, its most probable partner, and how probable */
    float *post_of = NULL;
    struct claim *cl_v = NULL;
    size_t ncl = 0, capcl = 0;
    struct rival *cand = NULL;
    size_t capcand = 0;
    for (int s = 0; s < LINK_MAX_SOURCES; s++)
        for (int t = 0; t < LINK_MAX_SOURCES; t++) {
            if (s == t || !count[s] || !count[t])
                continue;
            double lost = *quality_at(q->pair_fn, s, t), expected = *quality_at(q->pair_tp, s, t) + lost;
            size_t nfree = 0;
            for (size_t x = off[s]; x < off[s + 1]; x++)
                nfree += !(cover[uf[by[x]]] >> t & 1);
            if (!nfree || lost <= 0 || lost < LAST_MIN_SHARE * (double)nfree ||
                (double)nfree * (double)count[t] > budget)
                continue;
            budget -= (double)nfree * (double)count[t];
            if (!best_of) {
                best_of = xmalloc((n ? n : 1) * sizeof *best_of);
                memset(best_of, 0xff, (n ? n : 1) * sizeof *best_of);
                post_of = xcalloc(n ? n : 1, sizeof *post_of);
            }
            if (!sib) { /* per two sources, the records of S whose person holds T, and with S twice */
                sib = xcalloc((size_t)LINK_MAX_SOURCES * LINK_MAX_SOURCES, 2 * sizeof *sib);
                uint64_t *k = person_source_keys(recs, uf, n);
                for (size_t i = 0; i < n;) {
                    size_t j = i + 1;
                    while (j < n && k[j] == k[i])
                        j++;
                    int ks = (int)(k[i] & 63);
                    for (uint64_t has = cover[k[i] >> 6] & ~(1ULL << ks); has; has &= has - 1) {
                        double *cell = &sib[2 * (ks * LINK_MAX_SOURCES + __builtin_ctzll(has))];
                        cell[0] += (double)(j - i);
                        cell[1] += j - i > 1 ? (double)(j - i) : 0;
                    }
                    i = j;
                }
                free(k);
            }
            if (!hh) {
                hh = xmalloc((n ? n : 1) * sizeof *hh);
                for (size_t i = 0; i < n; i++)
                    if (recs[i].household)
                        hh[nhh++] = household_key(&recs[i], uf[i]);
                u64_sort(hh, nhh);
            }
            /* what a record of T's person tells: tau, the share of T's records whose person holds S
             * already; d, the share of S's records, among those with a partner at T, whose person
             * holds S twice or more. x's partner is taken with chance d, another record with tau. */
            size_t taken = 0;
            for (size_t y = off[t]; y < off[t + 1]; y++)
                taken += cover[uf[by[y]]] >> s & 1;
            double tau = fmin(LAST_MAX_SHARE, (double)taken / (double)count[t]);
            const double *sd = &sib[2 * (s * LINK_MAX_SOURCES + t)];
            double d = sd[0] > 0 ? fmin(LAST_MAX_SHARE, sd[1] / sd[0]) : 0;
            double w_free = fmax(1, (1 - d) / (1 - tau)), w_taken = tau > 0 ? d / tau : 0;
            for (size_t x = off[s]; x < off[s + 1]; x++) {
                uint32_t a = by[x];
                if (cover[uf[a]] >> t & 1)
                    continue;
                double best_o = 0, best_p = 0;
                uint32_t best = UINT32_MAX;
                size_t ncand = 0;
                for (size_t y = off[t]; y < off[t + 1]; y++) {
                    uint32_t b = by[y];
                    if (forbidden_pair(forbidden, n_forbidden, a, b) ||
                        share_ident(&recs[a], &recs[b]))
                        continue;
                    double w = w_free;
                    if (cover[uf[b]] >> s & 1) { /* taken: B's person already at S */
                        if (recs[a].household &&
                            u64_has(hh, nhh, household_key(&(link_rec){.household = recs[a].household,
                                                                        .source = (uint8_t)s},
                                                           uf[b])))
                            continue;
                        w = w_taken;
                        if (w <= 0)
                            continue;
                    }
                    fs_vec v;
                    compare_recs(cl, &recs[a], &recs[b], &v);
                    double pr = ptab[pattern_id(&v)];
                    if (pr < floor)
                        continue;
                    double o = w * (pr < 1 ? pr / (1 - pr) : 1e12);
                    if (ncand == capcand) {
                        capcand = capcand ? 2 * capcand : 64;
                        cand = xrealloc(cand, capcand * sizeof *cand);
                    }
                    cand[ncand++] = (struct rival){uf[b], o};
                    if (o > best_o) {
                        best_o = o;
                        best_p = pr;
                        best = b;
                    }
                }
                /* the rivals are people: one person's several records at T count once */
                double sum = 0;
                if (ncand)
                    qsort(cand, ncand, sizeof *cand, rival_cmp);
                for (size_t i = 0; i < ncand; i++)
                    if (i + 1 == ncand || cand[i + 1].person != cand[i].person)
                        sum += cand[i].o; /* the most probable of the person's records, last */
                double m = expected - best_p, l = m / ((double)count[s] * (double)count[t]);
                if (best == UINT32_MAX || m <= 0 || l >= 1)
                    continue;
                double pi = fmin(LAST_MAX_SHARE, m / (double)count[s]);
                double c = pi * (1 - l) / (l * (double)count[t]);
                double num = c * best_o, den = (1 - pi) + c * sum, post = num / den;
                best_of[a] = best;
                post_of[a] = (float)post;
                if (post >= p->match) {
                    if (ncl == capcl) {
                        capcl = capcl ? 2 * capcl : 256;
                        cl_v = xrealloc(cl_v, capcl * sizeof *cl_v);
                    }
                    /* should another person claim BEST first, it would be taken */
                    double again = (cover[uf[best]] >> s & 1) ? d : fmin(1, w_taken / w_free);
                    cl_v[ncl++] = (struct claim){a, best, post, num, den, again};
                }
            }
        }
    /* The claims settled, as the decision settles pairs. A claim on a record that was searched
     * too stands only if that record's own search chose the claimant, as likely: a record with
     * two plausible partners gets neither, though each of them, seeing it alone, claims it.
     * Several records of S claiming one record y of T: the most probable keeps its claim; the
     * others are y's partners only if S holds y's person twice, and are weighed again so (DUP). */
    if (ncl) /* qsort takes no null array, even empty */
        qsort(cl_v, ncl, sizeof *cl_v, claim_cmp);
    struct edges add = {0};
    uint32_t first = UINT32_MAX; /* the person of y's first claimant */
    for (size_t i = 0; i < ncl; i++) {
        const struct claim *k = &cl_v[i];
        if (i == 0 || cl_v[i - 1].y != k->y)
            first = uf[k->x];
        if (best_of[k->y] != UINT32_MAX && (uf[best_of[k->y]] != uf[k->x] || post_of[k->y] < p->match))
            continue;
        double post = k->post;
        if (uf[k->x] != first) /* another person claiming y: S would hold y's person twice */
            post = k->dup * k->num / (k->den - k->num + k->dup * k->num);
        if (post >= p->match)
            edges_add(&add, k->x, k->y, LM_CLK, post);
    }
    /* a pair chosen from both its ends is one link, at the higher probability */
    edges_unique(&add);
    for (size_t e = 0; e < add.n; e++) {
        edges_add(links, add.e[e].a, add.e[e].b, LM_CLK, add.e[e].score);
        uf_union(uf, add.e[e].a, add.e[e].b);
        quality_add(q->pair_tp, recs[add.e[e].a].source, recs[add.e[e].b].source, add.e[e].score);
        q->tp += add.e[e].score;
        q->fn -= add.e[e].score;
        q->last += add.e[e].score;
        q->pred += 1;
    }
    size_t added = add.n;
    free(add.e);
    free(cl_v);
    free(cand);
    free(best_of);
    free(post_of);
    free(hh);
    free(sib);
    free(by);
    free(cover);
    return added;
}

/* Each record's exact component (its root in UF), and per component the sources holding one
 * of its records (COVERED) and two or more (COVERED_DUP). */
static void exact_components(const link_rec *recs, size_t n, uint32_t *uf, uint32_t *exact, uint64_t *covered,
                             uint64_t *covered_dup)
{
    memset(covered, 0, (n ? n : 1) * sizeof *covered);
    memset(covered_dup, 0, (n ? n : 1) * sizeof *covered_dup);
    for (size_t i = 0; i < n; i++) {
        exact[i] = uf_find(uf, (uint32_t)i);
        uint64_t bit = 1ULL << recs[i].source;
        if (covered[exact[i]] & bit)
            covered_dup[exact[i]] |= bit;
        covered[exact[i]] |= bit;
    }
}

/* The match probability of a pair an identity key joins. Its prior odds are those of all the
 * pairs that share a key: ident_pairs of them, of which ident_namesakes are two people. Not
 * the candidates' prior: those are the pairs the exact stage left, among which the same
 * person is far rarer (with the birth's weight, 1 in 3,000 of the pairs born the same day at
 * 1.1M households, where about 1 in 100 of all such pairs with keys are one person). The rest
 * of the pair then weighs its commune, whose u is that of two people born the same day, as
 * namesakes are, and its NIR (u from random pairs: two people's NIRs differ). Left out: the
 * Dice (the key says the names are the same, and the filters are mostly names: namesakes in
 * two communes, whose filters differ only by the commune's bits, were weighed +11.5 for it and
 * linked), the date of birth (the key holds it) and the sex (namesakes share a first name, so
 * their sex agrees as a true pair's does). */
double link_ident_probability(const link_model *lm, const link_rec *a, const link_rec *b)
{
    fs_vec v;
    link_compare(a, b, &v);
    v.level[LC_DICE] = v.level[LC_DICE_DOB] = v.level[LC_BIRTH] = FS_NULL;
    v.level[LC_SEX] = v.level[LC_SEX_DOB] = FS_NULL;
    double w = fs_weight(&lm->fs, &v) + link_ident_weight(lm);
    return w > 0 ? 1.0 / (1.0 + exp2(-w)) : exp2(w) / (1.0 + exp2(w));
}

/* The prior weight of a pair sharing an identity key: log2 of the pairs of one person among
 * those sharing a key over the namesakes among them (at least one of one person). */
double link_ident_weight(const link_model *lm)
{
    return log2(fmax(lm->ident_pairs - lm->ident_namesakes, 1) / lm->ident_namesakes);
}

/* The identity keys' links again, weighed (namesakes born the same day, whom the rest of the
 * pair tells apart: another address and commune, another NIR, filters apart). Within each
 * group of records sharing a key, every pair not already joined is weighed with the key's
 * weight and linked from the threshold up, so dropping a namesake never cuts the group's true
 * pairs apart (the exact stage's star from the group's first record would: that record may
 * be the namesake). Groups of more than IDENT_GROUP_MAX records (no real name and date of
 * birth is that shared) keep their star unweighed. The NIR's links stay; UF is rebuilt.
 * Return the pairs kept apart: those sharing a key (and not forbidden) whose records are two
 * persons once every group is done, each pair once. Counting them as they were weighed
 * depended on the records' order (a pair weighed apart may be joined later through a third
 * record, or skipped as joined already: 6,612 against 6,684 at 1.1M households, reversed). */
static unsigned long long veto_namesakes(const link_rec *recs, size_t n, const link_model *lm, const link_params *p,
                                         const uint64_t *forbidden, size_t nforbidden, struct edges *links,
                                         uint32_t *uf)
{
    size_t kept = 0;
    for (size_t e = 0; e < links->n; e++)
        if (links->e[e].method == LM_NIR)
            links->e[kept++] = links->e[e];
    links->n = kept;
    for (size_t i = 0; i < n; i++)
        uf[i] = (uint32_t)i;
    for (size_t e = 0; e < links->n; e++)
        uf_union(uf, links->e[e].a, links->e[e].b);
    struct keyed *k = xmalloc((2 * n + 1) * sizeof *k);
    size_t m = collect_keys(recs, n, 1, k);
    for (size_t g = 0; g < m;) {
        size_t h = key_run_end(k, m, g);
        for (size_t x = g; x < h; x++)
            for (size_t y = x + 1; y < h; y++) {
                if (h - g > IDENT_GROUP_MAX && x > g)
                    break; /* a star */
                uint32_t a = k[x].rec, b = k[y].rec;
                if (a == b || forbidden_pair(forbidden, nforbidden, a, b) || uf_find(uf, a) == uf_find(uf, b))
                    continue;
                double need = recs[a].source == recs[b].source ? p->same_source : p->match;
                if (h - g <= IDENT_GROUP_MAX && link_ident_probability(lm, &recs[a], &recs[b]) < need)
                    continue;
                edges_add(links, a, b, (k[x].tag || k[y].tag) ? LM_IDENT_ALT : LM_IDENT, 1.0);
                uf_union(uf, a, b);
            }
        g = h;
    }
    /* the pairs kept apart, once every group is weighed */
    uint64_t *apart = NULL;
    size_t napart = 0, cap = 0;
    for (size_t g = 0; g < m;) {
        size_t h = key_run_end(k, m, g);
        for (size_t x = g; x < h && h - g <= IDENT_GROUP_MAX; x++)
            for (size_t y = x + 1; y < h; y++) {
                uint32_t a = k[x].rec, b = k[y].rec;
                int two = a != b && uf_find(uf, a) != uf_find(uf, b);
                if (!two || forbidden_pair(forbidden, nforbidden, a, b))
                    continue;
                if (napart == cap)
                    apart = xrealloc(apart, (cap = cap ? 2 * cap : 256) * sizeof *apart);
                apart[napart++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
            }
        g = h;
    }
    if (napart > 1)
        u64_sort(apart, napart);
    unsigned long long kept_apart = 0;
    for (size_t i = 0; i < napart; i++)
        kept_apart += i == 0 || apart[i] != apart[i - 1];
    free(apart);
    free(k);
    edges_unique(links);
    return kept_apart;
}

int link_share_under_bar(const link_stats *st)
{
    return st->est_missed >= 1 && st->est_fuzzy_recall < LINK_MIN_FUZZY_RECALL;
}

/* rounded down, so a share just under the bar never reads as the bar */
double link_share_percent(const link_stats *st) { return floor(1000 * st->est_fuzzy_recall) / 10; }

/* Each record's root in UF, written in place; the number of roots (persons). */
static size_t persons_of(uint32_t *uf, size_t n)
{
    size_t persons = 0;
    for (size_t i = 0; i < n; i++)
        uf[i] = uf_find(uf, (uint32_t)i);
    for (size_t i = 0; i < n; i++)
        persons += uf[i] == i;
    return persons;
}

/* The exact links: the pairs sharing k_nir, k_ident or k_ident_alt (into LINKS, unique), and
 * their components in UF (reset first). */
static void exact_links(const link_rec *recs, size_t n, const uint64_t *forbidden, size_t n_forbidden, uint32_t *uf,
                        struct edges *links)
{
    for (size_t i = 0; i < n; i++)
        uf[i] = (uint32_t)i;
    struct keyed *k = xmalloc((2 * n + 1) * sizeof *k);
    for (int pass = 0; pass < 2; pass++) {
        size_t m = collect_keys(recs, n, pass, k);
        for (size_t g = 0; g < m;) {
            size_t h = key_run_end(k, m, g);
            for (size_t x = g + 1; x < h; x++) {
                uint32_t a = k[g].rec, b = k[x].rec;
                if (a == b || forbidden_pair(forbidden, n_forbidden, a, b))
                    continue;
                int method = pass == 0 ? LM_NIR : (k[g].tag || k[x].tag) ? LM_IDENT_ALT : LM_IDENT;
                edges_add(links, a, b, method, 1.0);
                uf_union(uf, a, b);
            }
            g = h;
        }
    }
    free(k);
    edges_unique(links);
}

int link_run(const link_rec *recs, size_t n, const link_params *p, const uint64_t *forbidden,
             size_t n_forbidden, link_pair_fn on_pair, void *ctx, link_result *out)
{
    memset(out, 0, sizeof *out);
    if ((p->bits != 0 && (p->bits < 8 || p->bits > 30)) || p->bands < 0 || p->block_max < 2 || p->match <= 0 ||
        p->match > 1 || p->same_source <= 0 || p->same_source > 1 || p->possible < 0 || n >= UINT32_MAX)
        return -1;
    link_stats *st = &out->stats;
    uint32_t *uf = xmalloc((n ? n : 1) * sizeof *uf);
    link_clear *clear = out->clear = clear_learn(recs, n);
    struct edges links = {0};

    /* 1. exact links */
    exact_links(recs, n, forbidden, n_forbidden, uf, &links);
    st->exact_edges = links.n;

    /* 2. fuzzy links */
    uint32_t *exact = xmalloc((n ? n : 1) * sizeof *exact);
    uint64_t *covered = xmalloc((n ? n : 1) * sizeof *covered);
    uint64_t *covered_dup = xmalloc((n ? n : 1) * sizeof *covered_dup);
    exact_components(recs, n, uf, exact, covered, covered_dup);
    /* LSH bits 0 takes the smallest number of bits, from 12, whose buckets outnumber the
     * records 64 times, so strangers rarely share one whatever the size (the comparisons then
     * grow about linearly with the records) */
    int bits = p->bits;
    if (bits == 0) {
        bits = 12;
        while (bits < 30 && (double)(1u << bits) < 64.0 * (double)n)
            bits++;
    }
    st->lsh_bits = bits;
    int (*bandpos)[32] = band_positions(p->bands, bits);
    link_model *lm = &out->model;
    if (p->model) {
        lm->fs = *p->model;
        lm->training = LT_GIVEN;
        lm->status = FS_CONVERGED;
    } else {
        estimate(recs, n, clear, exact, p, bits, (const int (*)[32])bandpos, lm);
    }
    if (lm->training != LT_NONE && lm->ident_m > 0) {
        st->ident_vetoed = veto_namesakes(recs, n, lm, p, forbidden, n_forbidden, &links, uf);
        st->exact_edges = links.n; /* the exact components without the pairs kept apart */
        exact_components(recs, n, uf, exact, covered, covered_dup);
    }
    struct cands kept = {0};
    struct lows low = {0};
    uint32_t *low_thr = NULL;
    float *ptab = xmalloc(NPATTERNS * sizeof *ptab);
    if (lm->training != LT_NONE) {
        int top[2] = {0, 0};
        for (int c = 0; c < 2; c++)
            for (int l = 1; l < link_fs_nlevels[LC_DICE + c]; l++)
                if (fs_level_weight(&lm->fs, LC_DICE + c, l) > fs_level_weight(&lm->fs, LC_DICE + c, top[c]))
                    top[c] = l;
        for (int id = 0; id < NPATTERNS; id++) {
            fs_vec v;
            pattern_vec(id, &v);
            ptab[id] = (float)fs_probability(&lm->fs, &v);
        }
        /* pairs from a thousandth up are kept (most are relatives), so the mass under the
         * threshold counts each once; the rest are only sampled (struct lows) */
        float fl = p->possible < 0.001 ? (float)p->possible : 0.001f;
        low_thr = low_thresholds(ptab, fl);
        struct pass ps = {.recs = recs, .n = n, .clear = clear, .exact = exact, .p = p, .ptab = ptab, .floor = fl,
                          .low_thr = low_thr, .dice_top = {top[0], top[1]}, .forbidden = forbidden,
                          .nforbidden = n_forbidden, .on_pair = on_pair, .ctx = ctx,
                          .bandpos = (const int (*)[32])bandpos, .bits = bits};
        fuzzy_pass(&ps, st, &kept, &low);
        decide(recs, n, &kept, p, exact, covered, covered_dup, uf, &links);
    }
    free(bandpos);
    edges_unique(&links);
    st->clk_edges = links.n - st->exact_edges;

    /* 3. persons */
    st->persons = persons_of(uf, n);
    /* possible links, and the run's estimate of its quality */
    struct edges possible = {0};
    for (size_t e = 0; e < kept.n; e++)
        if (uf[kept.c[e].a] != uf[kept.c[e].b] && kept.c[e].p >= p->possible)
            edges_add(&possible, kept.c[e].a, kept.c[e].b, LM_CLK, kept.c[e].p);
    struct quality *q = xcalloc(1, sizeof *q);
    if (lm->training != LT_NONE)
        estimate_quality(recs, n, clear, uf, exact, &kept, &low, ptab, low_thr, p->bands, bits, st, q);
    st->possible = possible.n;
    /* A model whose own matches the run cannot link is not describing one person's records:
     * in a territory of households with no NIR to learn from, EM takes relatives, or people
     * of common names, for the same person, and their links would join thousands of people
     * into one (a synthetic territory of 100,000 households with its NIRs blanked: 130,660
     * false links, one person of 97,111 records). Such a model expects far more matches among
     * the pairs the exact stage left than the decision, one partner per source, can take, so
     * the share it links falls: 0.13-0.54 in such runs, 0.89-0.99 where the model was right
     * (0.92 in a region of 3 million households; docs/linking.md, section 3). Under
     * LINK_MIN_FUZZY_RECALL an EM model is refused: the run keeps the links it did not owe to
     * the model's filters (its exact links, and the namesakes it kept apart stay apart), says
     * why, and leaves the model in its result for the auditor; not where it leaves less than
     * one match (with nothing left to link, the share says nothing). A model learned from the
     * NIR is not refused (every wrong model measured was EM's, and the share drifts down with
     * size, so a refusal there would be a cliff from one night to the next; the caller warns
     * instead), nor one handed in ([link] model), the data officer's choice. */
    if (lm->training == LT_EM && link_share_under_bar(st)) {
        snprintf(lm->why, sizeof lm->why, LINK_WHY_REFUSED, link_share_percent(st), 100 * LINK_MIN_FUZZY_RECALL);
        lm->training = LT_NONE;
        lm->refused = 1;
        size_t kept_exact = 0;
        for (size_t e = 0; e < links.n; e++)
            if (links.e[e].method != LM_CLK)
                links.e[kept_exact++] = links.e[e];
        links.n = kept_exact;
        for (size_t i = 0; i < n; i++)
            uf[i] = (uint32_t)i;
        for (size_t e = 0; e < links.n; e++)
            uf_union(uf, links.e[e].a, links.e[e].b);
        st->persons = persons_of(uf, n);
        st->exact_edges = links.n;
        st->clk_edges = st->possible = 0;
        st->est_precision = st->est_recall = 0; /* est_fuzzy_recall and est_missed stay, for the audit */
        possible.n = 0;
    }
    if (lm->training != LT_NONE) {
        st->last_edges = last_records(recs, n, clear, ptab, p->possible < 0.001 ? (float)p->possible : 0.001f, p,
                                      forbidden, n_forbidden, uf, &links, q);
        if (st->last_edges) {
            edges_unique(&links);
            st->clk_edges = links.n - st->exact_edges;
            st->persons = persons_of(uf, n);
            size_t kept_possible = 0; /* those the search joined are no longer possible links */
            for (size_t e = 0; e < possible.n; e++)
                if (uf[possible.e[e].a] != uf[possible.e[e].b])
                    possible.e[kept_possible++] = possible.e[e];
            possible.n = kept_possible;
            st->possible = possible.n;
            double share = st->est_fuzzy_recall; /* the decision's, which judges the model */
            quality_stats(q, st);
            st->est_fuzzy_recall = share;
        }
    }
    free(q);
    free(kept.c);
    free(low.v);
    free(low_thr);
    free(ptab);
    free(exact);
    free(covered);
    free(covered_dup);
    out->person = uf;
    out->edges = links.e;
    out->nedges = links.n;
    out->possible = possible.e;
    out->npossible = possible.n;
    return 0;
}

void link_result_free(link_result *r)
{
    clear_free(r->clear);
    free(r->edges);
    free(r->possible);
    free(r->person);
    memset(r, 0, sizeof *r);
}
