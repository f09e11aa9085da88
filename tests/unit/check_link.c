/* link: the linkage core on hand-made records (the end-to-end suites drive it through the
 * database; these check its rules one by one, and that threads do not change the result). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fs.h"
#include "link.h"
#include "testutil.h"

/* A model set by hand, as a caller may hand one in (link_params.model): the CLK's Dice in its
 * bands, the birth, the sex, the commune and the NIR, each level's m and u plausible for a
 * French territory. The decision's rules are checked against it, whatever the data would
 * estimate; the estimation has its own tests (the end of this file, and check_fs.c). */
static fs_model given;

static void set_given(void)
{
    static const double dm[10] = {0.001, 0.001, 0.002, 0.004, 0.01, 0.03, 0.06, 0.12, 0.27, 0.50};
    static const double du[10] = {0.05, 0.45, 0.30, 0.12, 0.05, 0.02, 0.008, 0.0015, 0.0004, 0.0001};
    fs_model_init(&given, LINK_FS_NCOMP, link_fs_nlevels);
    /* born the same day, twins of one household are alike: the high bands are less rare */
    static const double duo[10] = {0.05, 0.40, 0.30, 0.12, 0.05, 0.03, 0.02, 0.015, 0.01, 0.005};
    for (int l = 0; l < 10; l++) {
        given.m[LC_DICE][l] = given.m[LC_DICE_DOB][l] = dm[l];
        given.u[LC_DICE][l] = du[l];
        given.u[LC_DICE_DOB][l] = duo[l];
    }
    const double bm[4] = {0.002, 0.01, 0.09, 0.898}, bu[4] = {0.95, 0.03, 0.0199, 0.0001};
    memcpy(given.m[LC_BIRTH], bm, sizeof bm);
    memcpy(given.u[LC_BIRTH], bu, sizeof bu);
    given.m[LC_SEX][0] = 0.0001, given.m[LC_SEX][1] = 0.9999, given.u[LC_SEX][0] = 0.5, given.u[LC_SEX][1] = 0.5;
    given.m[LC_COMMUNE][0] = 0.1, given.m[LC_COMMUNE][1] = 0.9;
    given.u[LC_COMMUNE][0] = 0.9, given.u[LC_COMMUNE][1] = 0.1;
    given.m[LC_NIR][0] = 0.01, given.m[LC_NIR][1] = 0.99, given.u[LC_NIR][0] = 1 - 1e-6, given.u[LC_NIR][1] = 1e-6;
    /* pairs born the same day weigh their sex and commune as the others */
    memcpy(given.m[LC_SEX_DOB], given.m[LC_SEX], sizeof given.m[LC_SEX]);
    memcpy(given.u[LC_SEX_DOB], given.u[LC_SEX], sizeof given.u[LC_SEX]);
    memcpy(given.m[LC_COMMUNE_DOB], given.m[LC_COMMUNE], sizeof given.m[LC_COMMUNE]);
    memcpy(given.u[LC_COMMUNE_DOB], given.u[LC_COMMUNE], sizeof given.u[LC_COMMUNE]);
    given.lambda = 0.01;
}

static link_params params(void)
{
    set_given();
    link_params p = {.match = 0.9, .same_source = 0.999, .possible = 0.5, .bands = 16, .bits = 12,
                     .block_max = 2000, .threads = 1, .model = &given};
    return p;
}

/* The match probability model M puts on the pair (A, B). */
static double prob_of(const fs_model *m, const link_rec *a, const link_rec *b)
{
    fs_vec v;
    link_compare(a, b, &v);
    return fs_probability(m, &v);
}

/* The same under the given model. */
static double prob(const link_rec *a, const link_rec *b) { return prob_of(&given, a, b); }

/* A pseudo-random filter of about 56 % density from SEED: two strangers' Dice near 0.58, as two
 * real filters' without their clear fields' bits (link.c, "the clear fields' bits"). */
static void filter(uint64_t *f, uint64_t seed)
{
    for (int i = 0; i < 16; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        f[i] = (z ^ (z >> 31)) | ((z * 7) & 0x1111111111111111ULL);
    }
}

/* Flip N distinct bits of F (a typo): 389 is prime to 1024, so no bit is flipped twice. */
static void flip(uint64_t *f, int n, int start)
{
    for (int i = 0; i < n; i++) {
        int bit = (start * 97 + i * 389) % 1024;
        f[bit / 64] ^= 1ULL << (bit % 64);
    }
}

/* Flip N distinct bits of F drawn at random from SEED (a partial Fisher-Yates shuffle): as a
 * keyed hash spreads a token's bits, unlike flip's evenly spaced ones, which a band of sampled
 * positions misses less often than chance would. */
/* Shuffle the first N of the NPOS positions POS to the front, drawn from SEED (as many as
 * there are if fewer). */
static void draw_positions(int *pos, int npos, int n, uint64_t seed)
{
    for (int i = 0; i < n && i < npos; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int j = i + (int)((seed >> 33) % (uint64_t)(npos - i));
        int t = pos[i];
        pos[i] = pos[j];
        pos[j] = t;
    }
}

static void flip_random(uint64_t *f, int n, uint64_t seed)
{
    int pos[1024];
    for (int i = 0; i < 1024; i++)
        pos[i] = i;
    draw_positions(pos, 1024, n, seed);
    for (int i = 0; i < n && i < 1024; i++)
        f[pos[i] / 64] ^= 1ULL << (pos[i] % 64);
}

/* Clear from both F and G (G may be NULL: from F alone) N of the bits both set (OTHER: the
 * filter the bits must be set in too), drawn from SEED: the bits of a field one or both
 * records lack and the other holds. */
static void clear_random(uint64_t *f, uint64_t *g, const uint64_t *other, int n, uint64_t seed)
{
    int pos[1024], set = 0;
    for (int i = 0; i < 1024; i++)
        if ((f[i / 64] & other[i / 64]) >> (i % 64) & 1)
            pos[set++] = i;
    draw_positions(pos, set, n, seed);
    for (int i = 0; i < n && i < set; i++) {
        f[pos[i] / 64] &= ~(1ULL << (pos[i] % 64));
        if (g)
            g[pos[i] / 64] &= ~(1ULL << (pos[i] % 64));
    }
}

static void rec(link_rec *r, int source, uint64_t seed, int year, int sex)
{
    memset(r, 0, sizeof *r);
    r->source = (uint8_t)source;
    filter(r->clk, seed);
    r->birth_year = (uint16_t)year;
    r->sex = (uint8_t)sex;
    link_rec_finish(r);
}

static const link_edge *find(const link_result *res, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < res->nedges; i++)
        if (res->edges[i].a == a && res->edges[i].b == b)
            return &res->edges[i];
    return NULL;
}

START_TEST(test_exact_links)
{
    link_rec r[4];
    rec(&r[0], 0, 1, 1980, 1);
    rec(&r[1], 1, 2, 1980, 1);
    rec(&r[2], 1, 3, 1990, 2);
    rec(&r[3], 0, 4, 1990, 2);
    memset(r[0].nir, 7, 16);
    memcpy(r[1].nir, r[0].nir, 16);
    r[0].flags |= LK_NIR;
    r[1].flags |= LK_NIR;
    /* a married name at one source meets the birth name at the other: either key against either */
    memset(r[2].ident_alt, 9, 16);
    r[2].flags |= LK_IDENT_ALT;
    memcpy(r[3].ident, r[2].ident_alt, 16);
    r[3].flags |= LK_IDENT;
    link_params p = params();
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    const link_edge *e = find(&res, 0, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->method, LM_NIR);
    e = find(&res, 2, 3);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->method, LM_IDENT_ALT);
    ck_assert_int_eq(res.stats.persons, 2);
    ck_assert_uint_eq(res.person[1], 0); /* a person is named by its smallest record */
    ck_assert_uint_eq(res.person[3], 2);
    link_result_free(&res);
}
END_TEST

START_TEST(test_fuzzy_link_and_relatives)
{
    link_rec r[4];
    rec(&r[0], 0, 42, 1975, 2);
    rec(&r[1], 1, 42, 1975, 2);
    flip(r[1].clk, 12, 3); /* a typo: a few bits differ */
    link_rec_finish(&r[1]);
    /* the same filter but another birth year and sex: a relative, not the person */
    rec(&r[2], 1, 42, 2005, 1);
    rec(&r[3], 1, 77, 1975, 2); /* a stranger */
    ck_assert(link_score(&r[0], &r[1]) > 0.95);
    link_params p = params();
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    const link_edge *e = find(&res, 0, 1);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->method, LM_CLK);
    /* the link carries the model's match probability */
    ck_assert_msg(e->score > prob(&r[0], &r[1]) - 1e-6 && e->score < prob(&r[0], &r[1]) + 1e-6,
                  "link score %f, model probability %f", e->score, prob(&r[0], &r[1]));
    ck_assert_ptr_null(find(&res, 0, 2));
    ck_assert_ptr_null(find(&res, 0, 3));
    ck_assert_int_eq(res.stats.persons, 3);
    ck_assert_int_eq(res.model.training, LT_GIVEN);
    link_result_free(&res);
}
END_TEST

/* A father and his son of the same name at the same address (Jean MARTIN, 1950 and 1975): their
 * filters differ only by the date of birth, a Dice of about 0.93, as high as a person and a copy
 * of them with a few typos. The birth years tell them apart: two people. The same pair born
 * the same year is one person with typos, and links. */
static const link_edge *find_possible(const link_result *res, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < res->npossible; i++)
        if (res->possible[i].a == a && res->possible[i].b == b)
            return &res->possible[i];
    return NULL;
}

START_TEST(test_birth_year_tells_father_from_son)
{
    link_rec r[2];
    rec(&r[0], 0, 42, 1950, 1); /* the father at the CAF */
    rec(&r[1], 1, 42, 1975, 1); /* the son at the landlord's: same sex, same name, same address */
    flip(r[1].clk, 90, 3);      /* the date of birth's bigrams differ */
    link_rec_finish(&r[1]);
    link_params p = params();
    double dice = link_score(&r[0], &r[1]);
    ck_assert_msg(dice >= 0.90, "the pair must be as alike as a person with typos: Dice %f", dice);
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) == NULL, "father (1950) and son (1975) linked as one person (P %f)",
                  prob(&r[0], &r[1]));
    ck_assert_int_eq(res.stats.persons, 2);
    link_result_free(&res);

    /* born the same year: one person whose date was mistyped */
    r[1].birth_year = 1950;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) != NULL, "the same records born the same year should link");
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
}
END_TEST

/* A pair whose probability lies between possible_probability and match_probability is kept
 * aside as a possible link, for review, with its probability; never used. */
START_TEST(test_possible_links)
{
    link_rec r[2];
    rec(&r[0], 0, 42, 1950, 1);
    rec(&r[1], 1, 42, 1951, 1); /* born a year apart */
    flip(r[1].clk, 150, 3);
    link_rec_finish(&r[1]);
    link_params p = params();
    double pr = prob(&r[0], &r[1]);
    ck_assert_msg(pr > 0.01 && pr < 0.99, "the pair should be in doubt: P %f", pr);
    p.match = pr + (1 - pr) / 2;
    p.possible = pr / 2;
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_ptr_null(find(&res, 0, 1));
    const link_edge *e = find_possible(&res, 0, 1);
    ck_assert_msg(e != NULL, "the pair in doubt should be a possible link");
    ck_assert_msg(e->score > pr - 1e-6 && e->score < pr + 1e-6, "possible link score %f, P %f", e->score, pr);
    link_result_free(&res);
    p.possible = pr + (p.match - pr) / 2; /* above it now: not even possible */
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_ptr_null(find_possible(&res, 0, 1));
    link_result_free(&res);
    p.match = pr / 2; /* below it: linked */
    p.possible = pr / 4;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_ptr_nonnull(find(&res, 0, 1));
    link_result_free(&res);
}
END_TEST

/* The run's own estimate of its quality, on two pairs of two sources whose probabilities the
 * given model sets: A0-A1, near copies, linked; B0-B1, born a year apart, in doubt and left
 * apart. Precision is the mean probability of the pairs put together (A's); recall is that
 * mass over itself plus the mass left out (B's; the strangers' pairs weigh nothing to speak of). */
START_TEST(test_estimated_quality)
{
    link_rec r[4];
    rec(&r[0], 0, 42, 1950, 1); /* A0 */
    rec(&r[1], 1, 42, 1950, 1); /* A1 */
    flip(r[1].clk, 10, 3);
    rec(&r[2], 0, 77, 1960, 2); /* B0 */
    rec(&r[3], 1, 77, 1961, 2); /* B1 */
    flip(r[3].clk, 150, 5);
    for (int i = 0; i < 4; i++)
        link_rec_finish(&r[i]);
    link_params p = params();
    p.bands = 64; /* enough that no band misses these pairs (P of a miss under 1e-4): the share
                   * of matches blocking never brings together is the next test's */
    double pa = prob(&r[0], &r[1]), pb = prob(&r[2], &r[3]);
    ck_assert_msg(pa >= p.match && pb > 0.05 && pb < p.match, "P of A %f, of B %f", pa, pb);
    p.possible = 0.01;
    p.last_search = -1;
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_ptr_nonnull(find(&res, 0, 1));
    ck_assert_ptr_null(find(&res, 2, 3));
    ck_assert_msg(fabs(res.stats.est_precision - pa) < 1e-4, "estimated precision %f, P of A %f",
                  res.stats.est_precision, pa);
    ck_assert_msg(fabs(res.stats.est_recall - pa / (pa + pb)) < 1e-3, "estimated recall %f, want %f",
                  res.stats.est_recall, pa / (pa + pb));
    link_result_free(&res);
}
END_TEST

/* A key group's pairs of two sources are all matches the run linked, whatever the records'
 * order: A known once at the first source and twice at the second, its three records sharing
 * a NIR, holds two such pairs; B0-B1, in doubt, is left apart. The estimated recall is 2 over
 * 2 plus B's probability, in both orders. Counted by the key's links, a star from its first
 * record, the order where a record of the second source comes first gave 1 over 1 plus B's. */
START_TEST(test_estimated_quality_counts_a_key_groups_pairs)
{
    for (int order = 0; order < 2; order++) {
        link_rec r[5];
        int a0 = order ? 2 : 0, a1 = order ? 0 : 1, a2 = order ? 1 : 2;
        rec(&r[a0], 0, 42, 1950, 1);
        rec(&r[a1], 1, 42, 1950, 1);
        rec(&r[a2], 1, 42, 1950, 1);
        flip(r[a1].clk, 10, 3);
        flip(r[a2].clk, 10, 4);
        for (int i = 0; i < 3; i++) {
            memset(r[i].nir, 7, 16);
            r[i].flags |= LK_NIR;
        }
        rec(&r[3], 0, 77, 1960, 2); /* B0 */
        rec(&r[4], 1, 77, 1961, 2); /* B1 */
        flip(r[4].clk, 150, 5);
        for (int i = 0; i < 5; i++)
            link_rec_finish(&r[i]);
        link_params p = params();
        p.bands = 64;
        p.last_search = -1; /* B stays apart: the count, not the search (whose pi, the pairs of two
                             * sources over the records, reads A's two pairs as a partner sure) */
        double pb = prob(&r[3], &r[4]);
        ck_assert_msg(pb > 0.05 && pb < p.match, "P of B %f", pb);
        link_result res;
        ck_assert_int_eq(link_run(r, 5, &p, NULL, 0, NULL, NULL, &res), 0);
        ck_assert_int_eq(res.person[0], res.person[2]);
        ck_assert_int_eq(res.person[1], res.person[2]);
        ck_assert_int_eq(res.stats.exact_edges, 2); /* the NIR's star: two links for three pairs */
        ck_assert_ptr_null(find(&res, 3, 4));
        ck_assert_msg(fabs(res.stats.est_recall - 2 / (2 + pb)) < 1e-3, "order %d: estimated recall %f, want %f",
                      order, res.stats.est_recall, 2 / (2 + pb));
        link_result_free(&res);
    }
}
END_TEST

/* Matches no blocking brought together still count against the estimated recall. 400 people
 * at two sources, each record of the second a copy of the first with 140 of its 1,024 bits
 * changed (Dice about 0.88), the same birth year and commune, the date of birth unknown: the
 * LSH alone can find them, and with 4 bands of 12 bits it misses about half (the world decides
 * which: the bands' positions against each pair's changed bits). The run's estimate, without
 * the truth, must come near the true recall, not near the 1.0 of the pairs it saw. */
/* That world: PEOPLE people at two sources (records 2 i and 2 i + 1), then ALONE[0] and
 * ALONE[1] people known to one source only, with filters of their own. */
static link_rec *blocking_world(int people, const int alone[2], size_t *n)
{
    *n = (size_t)(2 * people + alone[0] + alone[1]);
    link_rec *r = calloc(*n, sizeof *r);
    for (int i = 0; i < 2 * people; i++) {
        int person = i / 2;
        rec(&r[i], i % 2, (uint64_t)person * 7919u + 11, 1940 + person % 60, 1 + person % 2);
        snprintf(r[i].commune, sizeof r[i].commune, "%u", 10000u + (unsigned)person % 80000u);
        if (i % 2 == 1) {
            flip(r[i].clk, 140, i);
            link_rec_finish(&r[i]);
        }
    }
    for (size_t i = (size_t)(2 * people); i < *n; i++) {
        int person = people + (int)i;
        rec(&r[i], i < (size_t)(2 * people + alone[0]) ? 0 : 1, (uint64_t)person * 7919u + 11,
            1940 + person % 60, 1 + person % 2);
        snprintf(r[i].commune, sizeof r[i].commune, "%u", 10000u + (unsigned)person % 80000u);
    }
    return r;
}

/* The parameters that world is linked with: 4 bands of 12 bits, which miss about half its
 * pairs. */
static link_params blocking_params(void)
{
    link_params p = params();
    p.bands = 4;
    p.bits = 12;
    return p;
}

/* The share of the world's PEOPLE pairs the run linked. */
static double pairs_linked(const link_result *res, int people)
{
    int linked = 0;
    for (int i = 0; i < 2 * people; i += 2)
        linked += res->person[i] == res->person[i + 1];
    return linked / (double)people;
}

START_TEST(test_estimated_recall_counts_blocking_misses)
{
    enum { PEOPLE = 400 };
    size_t n;
    link_rec *r = blocking_world(PEOPLE, (const int[2]){0, 0}, &n);
    link_params p = blocking_params();
    p.last_search = -1; /* the misses left as a large territory leaves them (next test) */
    link_result res;
    ck_assert_int_eq(link_run(r, n, &p, NULL, 0, NULL, NULL, &res), 0);
    double truth = pairs_linked(&res, PEOPLE);
    ck_assert_msg(truth > 0.2 && truth < 0.8, "the bands should miss some pairs and find others: recall %f", truth);
    ck_assert_msg(fabs(res.stats.est_recall - truth) < 0.05, "estimated recall %f, true %f", res.stats.est_recall,
                  truth);
    link_result_free(&res);
    free(r);
}
END_TEST

/* The last records' search (link.c, last_records) in that world. Where the run expects most
 * of a source's unlinked records to be its misses, it compares each with every record of the
 * other source, and links its most probable partner there, weighed against its rivals: the
 * pairs the bands missed are found, and the people known to one source only, 50 at the second,
 * are linked to nobody. Where the sources know different people (800 known to each alone), the
 * unlinked records are mostly those: the run does not search, and the bands' misses stay
 * missed, as the estimate says. The truth is the world's: records 2 i and 2 i + 1 are one
 * person, the others each their own. */
START_TEST(test_last_records_search_finds_what_the_bands_missed)
{
    enum { PEOPLE = 400 };
    size_t n;
    link_rec *r = blocking_world(PEOPLE, (const int[2]){0, 50}, &n);
    link_params p = blocking_params();
    link_result res;
    ck_assert_int_eq(link_run(r, n, &p, NULL, 0, NULL, NULL, &res), 0);
    double truth = pairs_linked(&res, PEOPLE);
    ck_assert_msg(truth >= 0.99, "the search should find the pairs the bands missed: recall %f", truth);
    ck_assert_msg(res.stats.last_edges >= PEOPLE / 10, "%llu links by the search", res.stats.last_edges);
    for (size_t i = 2 * PEOPLE; i < n; i++)
        for (size_t j = 0; j < n; j++)
            ck_assert_msg(j == i || res.person[j] != res.person[i], "record %zu, known to one source, linked to %zu",
                          i, j);
    ck_assert_msg(fabs(res.stats.est_recall - truth) < 0.02, "estimated recall %f, true %f", res.stats.est_recall,
                  truth);
    link_result_free(&res);
    free(r);

    r = blocking_world(PEOPLE, (const int[2]){800, 800}, &n);
    ck_assert_int_eq(link_run(r, n, &p, NULL, 0, NULL, NULL, &res), 0);
    truth = pairs_linked(&res, PEOPLE);
    ck_assert_int_eq(res.stats.last_edges, 0);
    ck_assert_msg(truth > 0.2 && truth < 0.8, "no search where the sources know different people: recall %f", truth);
    ck_assert_msg(fabs(res.stats.est_recall - truth) < 0.05, "estimated recall %f, true %f", res.stats.est_recall,
                  truth);
    link_result_free(&res);
    free(r);
}
END_TEST

/* How the dates of birth of a person's two records stand, in the territories below. */
enum date_kind { BORN_SAME_DAY, DIGIT_MISTYPED, UNKNOWN_AT_ONE, UNKNOWN_AT_BOTH };

/* N + M people at two sources, records 2i and 2i + 1 person i's: the second a copy of the
 * first, its names and address mistyped by 10, 40, 70, 100 or 130 random bits (one person in
 * five each) for the first N, by none for the last M. Person i's dates are of the kind
 * KINDS[i / 5 % NK] for the first N, KINDS[i % NK] for the last M, so that each kind holds as
 * many of each mistyping (what the estimate assumes: a person's other fields are mistyped as
 * often whatever became of the date). A digit mistyped: 50 bits more changed, and the dates
 * differ. A date unknown: no date nor birth year, and 120 of the bits both filters set gone
 * from the record's filter (from both when unknown at both), as a filter holds no bits of a
 * field it lacks. The last M born the same day share an identity key: their filters agree
 * everywhere, as the identity keys' pairs do in the field. person_records makes person I's
 * two records, of the kind KIND, MISTYPED bits apart, sharing a key if KEYED. */
static void person_records(link_rec *r, int i, int mistyped, enum date_kind kind, int keyed)
{
    uint64_t seed = (uint64_t)i * 2654435761u + 17;
    for (int k = 0; k < 2; k++) {
        link_rec *x = &r[2 * i + k];
        rec(x, k, (uint64_t)i * 7919u + 5, 1940 + i % 50, 1 + i % 2);
        snprintf(x->commune, sizeof x->commune, "%d", 33000 + i % 20);
        memset(x->dob, 0, 16);
        memcpy(x->dob, &i, sizeof i);
        x->dob[8] = (uint8_t)(k && kind == DIGIT_MISTYPED);
        x->flags |= LK_DOB;
        if (keyed && kind == BORN_SAME_DAY) {
            memcpy(x->ident, &i, sizeof i);
            x->flags |= LK_IDENT;
        }
        if (k == 1 && (mistyped > 0 || kind == DIGIT_MISTYPED)) {
            flip_random(x->clk, mistyped + (kind == DIGIT_MISTYPED ? 50 : 0), seed);
            link_rec_finish(x);
        }
    }
    if (kind == UNKNOWN_AT_ONE || kind == UNKNOWN_AT_BOTH) {
        link_rec *a = &r[2 * i], *b = &r[2 * i + 1];
        clear_random(b->clk, kind == UNKNOWN_AT_BOTH ? a->clk : NULL, a->clk, 120, seed ^ 0x5eed);
        for (link_rec *x = kind == UNKNOWN_AT_BOTH ? a : b; x <= b; x++) {
            memset(x->dob, 0, 16);
            x->birth_year = 0;
            x->flags &= (uint8_t)~LK_DOB;
            link_rec_finish(x);
        }
        link_rec_finish(a);
    }
}

static link_rec *date_territory(int n, int m, const enum date_kind *kinds, int nk)
{
    link_rec *r = calloc(2 * (size_t)(n + m), sizeof *r);
    for (int i = 0; i < n + m; i++)
        person_records(r, i, i < n ? 10 + 30 * (i % 5) : 0, kinds[i < n ? i / 5 % nk : i % nk], i >= n);
    return r;
}

/* The same, linked into RES with bands of 24 bits, 16 of them: the people born apart are found
 * the less, the more bits differ. */
static link_rec *link_date_territory(int n, int m, const enum date_kind *kinds, int nk, link_result *res)
{
    link_rec *r = date_territory(n, m, kinds, nk);
    link_params p = params();
    p.bands = 16;
    p.bits = 24;
    ck_assert_int_eq(link_run(r, 2 * (size_t)(n + m), &p, NULL, 0, NULL, NULL, res), 0);
    return r;
}

/* The blocking's misses that no pair found stands for. 10,000 people at two sources, the
 * second record a copy of the first with some of its bits changed at random: its names and
 * address mistyped by 10, 40, 70, 100 or 130 bits, one person in five each, and for every
 * other person a digit of the date of birth mistyped too, 50 bits more (the dates then differ;
 * the birth year and commune agree). 2,000 more with nothing mistyped but, for every other
 * one, the date: the others share an identity key, and their filters agree everywhere, as
 * the identity keys' pairs do in the field. The people born the same day are all compared, in
 * their k_dob blocks or by their key; the others only when a band of 24 bits brings them
 * together, which it does less the more bits differ: about 1 in 7 of the most mistyped, 1 in 3
 * of the next. Found, every pair is a link (Dice 0.84 and up). A pair found with a chance of 1
 * in 7 stands for 6 unseen; weighing each pair found by its own chance, capped at 3
 * (blocking_tally), left the estimate 0.026-0.047 too high over six draws of the bits (without
 * the 2,000). The run must measure the misses against the pairs born the same day, whose
 * mistypings the blocking did not choose: within 0.0064 over four draws, where the same
 * measure with its shifted distribution not summing to 1 was 0.023-0.041 too high. The truth
 * is what the run linked. */
START_TEST(test_estimated_recall_counts_the_misses_no_pair_found_stands_for)
{
    enum { N = 10000, M = 2000 };
    static const enum date_kind kinds[] = {BORN_SAME_DAY, DIGIT_MISTYPED};
    link_result res;
    link_rec *r = link_date_territory(N, M, kinds, 2, &res);
    int linked = 0, linked_apart = 0;
    for (int i = 0; i < N + M; i++) {
        int apart = i < N ? i / 5 % 2 : i % 2, one = res.person[2 * i] == res.person[2 * i + 1];
        linked += one;
        linked_apart += apart && one;
    }
    double truth = linked / (double)(N + M);
    ck_assert_msg(linked - linked_apart == (N + M) / 2, "%d of the %d born the same day linked",
                  linked - linked_apart, (N + M) / 2);
    ck_assert_msg(linked_apart > (N + M) / 2 * 0.5 && linked_apart < (N + M) / 2 * 0.75, "%d of the %d born apart linked",
                  linked_apart, (N + M) / 2);
    ck_assert_msg(fabs(res.stats.est_recall - truth) < 0.015, "estimated recall %f, true %f", res.stats.est_recall,
                  truth);
    ck_assert_msg(res.stats.est_blocking_from_dob & (1 << LINK_DK_DIFFER),
                  "the misses were not measured against the pairs born the same day");
    link_result_free(&res);
    free(r);
}
END_TEST

/* The blocking's misses counted kind by kind of date. As the test above (date_territory),
 * with the people born apart of three kinds, one in five each: a digit of the date mistyped,
 * the date unknown at the second source, the date unknown at both. The LSH finds the first
 * kind about 63 % of the time, the second about 21 %, the third 87 % (its filters as near as
 * if born the same day). One shift of the pairs born the same day cannot describe them all:
 * fitted to the pairs found, mostly of the first and third kinds, it took the second's misses
 * for theirs, and the estimate was 0.076-0.093 too high over four draws of the bits (0.063-
 * 0.074 with the two kinds of unknown dates taken for one). Measured kind by kind (how two
 * records' dates stand is known without the truth: both known, one unknown, none), it came
 * within −0.0110 … +0.0064. The truth is what the run linked. */
START_TEST(test_estimated_recall_counts_the_misses_kind_by_kind_of_date)
{
    enum { N = 10000, M = 2000 };
    static const enum date_kind kinds[] = {BORN_SAME_DAY, BORN_SAME_DAY, DIGIT_MISTYPED, UNKNOWN_AT_ONE,
                                           UNKNOWN_AT_BOTH};
    link_result res;
    link_rec *r = link_date_territory(N, M, kinds, 5, &res);
    int linked = 0, linked_kind[4] = {0}, people_kind[4] = {0};
    for (int i = 0; i < N + M; i++) {
        int kind = kinds[i < N ? i / 5 % 5 : i % 5], one = res.person[2 * i] == res.person[2 * i + 1];
        linked += one;
        linked_kind[kind] += one;
        people_kind[kind]++;
    }
    double truth = linked / (double)(N + M);
    ck_assert_msg(linked_kind[BORN_SAME_DAY] == people_kind[BORN_SAME_DAY], "%d of the %d born the same day linked",
                  linked_kind[BORN_SAME_DAY], people_kind[BORN_SAME_DAY]);
    double found_typo = linked_kind[DIGIT_MISTYPED] / (double)people_kind[DIGIT_MISTYPED],
           found_one = linked_kind[UNKNOWN_AT_ONE] / (double)people_kind[UNKNOWN_AT_ONE];
    ck_assert_msg(found_typo > 0.5 && found_typo < 0.8 && found_one > 0.1 && found_one < 0.35,
                  "linked: %f of those with a digit mistyped, %f of those with the date unknown at one source",
                  found_typo, found_one);
    ck_assert_msg(fabs(res.stats.est_recall - truth) < 0.015, "estimated recall %f, true %f", res.stats.est_recall,
                  truth);
    ck_assert_msg((res.stats.est_blocking_from_dob & (1 << LINK_DK_DIFFER)) &&
                      (res.stats.est_blocking_from_dob & (1 << LINK_DK_ONE_UNKNOWN)),
                  "the misses of a digit mistyped and of a date unknown at one source were not both measured against "
                  "the pairs born the same day (%#x)",
                  res.stats.est_blocking_from_dob);
    link_result_free(&res);
    free(r);
}
END_TEST

/* A model learned from the NIR is not refused, however small the share of its matches the run
 * links; an EM model would be (docs/linking.md, "A model refused"). The territory of the test
 * above, its matches born apart mostly out of the bands' reach (the dates unknown at one
 * source: one in five found), and 200 people more whose two records share a NIR, enough to
 * learn the model from. The run links 0.44 of the matches it expects among the pairs the exact
 * keys left: it keeps its model and its 5,198 links by the filters, and leaves the caller to
 * warn (tznr link does, in its log). Refusing every model under the bar, it kept none. */
START_TEST(test_a_model_learned_from_the_nir_is_kept_under_the_bar)
{
    enum { N = 10000, M = 2000, NIR = 200 };
    static const enum date_kind kinds[] = {BORN_SAME_DAY, UNKNOWN_AT_ONE, UNKNOWN_AT_ONE};
    link_rec *t = date_territory(N, M, kinds, 3), *r = calloc(2 * (N + M + NIR), sizeof *r);
    memcpy(r, t, 2 * (N + M) * sizeof *r);
    free(t);
    for (int i = N + M; i < N + M + NIR; i++) {
        person_records(r, i, 10 + 30 * (i % 5), BORN_SAME_DAY, 0);
        for (int k = 0; k < 2; k++) {
            memset(r[2 * i + k].nir, 0, 16);
            memcpy(r[2 * i + k].nir, &i, sizeof i);
            r[2 * i + k].flags |= LK_NIR;
        }
    }
    link_params p = params();
    p.model = NULL; /* estimated from the records */
    p.bands = 16;
    p.bits = 24;
    link_result res;
    ck_assert_int_eq(link_run(r, 2 * (N + M + NIR), &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(res.model.training == LT_KEYS && !res.model.refused, "training %d, refused %d: %s",
                  (int)res.model.training, res.model.refused, res.model.why);
    ck_assert_msg(link_share_under_bar(&res.stats), "the run links %f of the matches it expects",
                  res.stats.est_fuzzy_recall);
    ck_assert_msg(res.stats.clk_edges > 0, "no link by the filters");
    link_result_free(&res);
    free(r);
}
END_TEST

/* The pairs under the floor (a probability under 0.001, never kept): a region's blocks of one
 * date of birth hold billions, each too unlikely to weigh, together heavy. Records for them:
 * born the same day (one k_dob), each a NIR and a commune of its own, the given model with a
 * prior of 1e-3, so that two strangers of one sex and such filters are a pair under the floor
 * (5e-5) and of two sexes a pair whose facts alone leave it there (5e-9). */
static fs_model rare;

static void floor_rec(link_rec *r, int source, uint64_t seed, int sex, int dob, int nir)
{
    rec(r, source, seed, 1960, sex);
    memset(r->dob, dob, sizeof r->dob);
    memset(r->nir, 0, sizeof r->nir);
    memcpy(r->nir, &nir, sizeof nir);
    r->flags |= LK_DOB | LK_NIR;
    snprintf(r->commune, sizeof r->commune, "%05d", nir % 90000);
}

static link_params floor_params(void)
{
    link_params p = params();
    rare = given;
    rare.lambda = 1e-3;
    p.model = &rare;
    p.block_max = 5000;
    return p;
}

/* 600 people held by both sources (their NIR links them) and 1,000 known to one source only,
 * all born the same day: 1.2 million pairs of strangers of two sources, each under the floor.
 * None is a missed match: the found people's because each already holds a record of the other
 * source; the others' because they are of two sexes (men in one source, women in the other),
 * which their facts alone say, and their Dice (never measured in the comparison) then says
 * again. The estimated recall must stay at 1, as the true one is: counting the pairs under
 * the floor whoever they are (0.928), or at the Dice of the highest weight (0.923), would not. */
START_TEST(test_estimated_recall_pairs_under_the_floor)
{
    enum { FOUND = 600, ALONE = 1000, N = 2 * FOUND + ALONE };
    link_rec *r = calloc(N, sizeof *r);
    for (int i = 0; i < FOUND; i++) {
        floor_rec(&r[2 * i], 0, (uint64_t)i + 1, 1 + i % 2, 7, 100000 + i);
        floor_rec(&r[2 * i + 1], 1, (uint64_t)i + 1, 1 + i % 2, 7, 100000 + i);
    }
    for (int i = 0; i < ALONE; i++)
        floor_rec(&r[2 * FOUND + i], i % 2, (uint64_t)i + 5000, 1 + i % 2, 7, 200000 + i);
    link_params p = floor_params();
    double same_sex = prob_of(&rare, &r[0], &r[5]),
           two_sexes = prob_of(&rare, &r[2 * FOUND], &r[2 * FOUND + 1]);
    ck_assert_msg(same_sex > 1e-5 && same_sex < 1e-3, "two found strangers of one sex: P %g", same_sex);
    ck_assert_msg(two_sexes < 1e-7, "two strangers of two sexes: P %g", two_sexes);
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, FOUND + ALONE);
    ck_assert_msg(res.stats.comparisons > 1000000, "%llu comparisons", (unsigned long long)res.stats.comparisons);
    ck_assert_msg(res.stats.est_recall > 0.999, "estimated recall %f, true 1", res.stats.est_recall);
    link_result_free(&res);
    free(r);
}
END_TEST

/* The same estimate from a sample of at most 1,000 of the pairs under the floor: the mass of
 * 2,000 people known to one source each, of one sex, in four dates of birth (250,000 pairs of
 * two sources, 5e-5 each: a recall of 0.962), against 600 people found. The estimate must
 * agree with the sum of the pairs' probabilities worked out here one by one, with a sample of
 * a million and of a thousand, and be the same on one thread or two (each thread samples its
 * share of the blocks, and the shares are thinned to one sample). */
START_TEST(test_estimated_recall_sample_is_one_whatever_the_threads)
{
    enum { FOUND = 600, ALONE = 2000, N = 2 * FOUND + ALONE };
    link_rec *r = calloc(N, sizeof *r);
    for (int i = 0; i < FOUND; i++) {
        floor_rec(&r[2 * i], 0, (uint64_t)i + 1, 1, 100 + i % 100, 100000 + i);
        floor_rec(&r[2 * i + 1], 1, (uint64_t)i + 1, 1, 100 + i % 100, 100000 + i);
    }
    for (int i = 0; i < ALONE; i++)
        floor_rec(&r[2 * FOUND + i], i % 2, (uint64_t)i + 5000, 1, 1 + i / 2 % 4, 200000 + i);
    link_params p = floor_params();
    double mass = 0;
    for (int i = 2 * FOUND; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (r[i].source != r[j].source && r[i].dob[0] == r[j].dob[0]) {
                double pr = prob_of(&rare, &r[i], &r[j]);
                ck_assert_msg(pr < 1e-3, "a pair above the floor: P %g", pr);
                mass += pr;
            }
    double want = FOUND / (FOUND + mass);
    ck_assert_msg(want < 0.99, "the pairs under the floor should weigh: recall %f", want);
    p.bands = 64; /* with short bands, most pairs met in the k_dob blocks meet again in a band: */
    p.bits = 8;   /* a pair met twice is still one pair */
    link_result a, b, c;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &a), 0);
    link_set_sample_cap(1000);
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &b), 0);
    p.threads = 2;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &c), 0);
    link_set_sample_cap(0);
    ck_assert_int_eq(a.stats.persons, FOUND + ALONE);
    ck_assert_msg(fabs(a.stats.est_recall - want) < 0.001, "estimated recall %f, want %f", a.stats.est_recall, want);
    ck_assert_msg(fabs(b.stats.est_recall - want) < 0.003, "from a sample of 1,000: %f, want %f", b.stats.est_recall,
                  want);
    ck_assert_msg(b.stats.est_recall == c.stats.est_recall, "one thread %.17g, two %.17g", b.stats.est_recall,
                  c.stats.est_recall);
    link_result_free(&a);
    link_result_free(&b);
    link_result_free(&c);
    free(r);
}
END_TEST

/* Twins, Louis and Louise, born the same day at the same address: their filters differ by a
 * letter (Dice about 0.98), only the sex tells them apart: never one person. */
/* Two records that are each other's best partner link, whichever of them has the smaller
 * index and wherever their rivals stand: X (source 0) and Y (source 1) are near copies, Z
 * (source 1) a rival of Y for X, W (source 0) a rival of X for Y; Z is numbered before X, X
 * before Y, W last, so X's rival and its best partner lie on both sides of it. */
START_TEST(test_mutual_best_whatever_the_order)
{
    link_rec r[4];
    rec(&r[0], 1, 42, 1950, 1); /* Z */
    flip(r[0].clk, 40, 11);
    rec(&r[1], 0, 42, 1950, 1); /* X */
    rec(&r[2], 1, 42, 1950, 1); /* Y: X with a typo */
    flip(r[2].clk, 6, 3);
    rec(&r[3], 0, 42, 1950, 1); /* W */
    flip(r[3].clk, 44, 13);
    for (int i = 0; i < 4; i++) {
        link_rec_finish(&r[i]);
        memset(r[i].dob, 6, 16);
        r[i].flags |= LK_DOB;
        r[i].household = (uint64_t)(10 + r[i].source); /* no duplicates inside a source */
    }
    link_params p = params();
    ck_assert_msg(prob(&r[1], &r[0]) >= p.match && prob(&r[2], &r[3]) >= p.match,
                  "the rivals must pass the threshold: %f %f", prob(&r[1], &r[0]), prob(&r[2], &r[3]));
    ck_assert(link_score(&r[1], &r[2]) > link_score(&r[1], &r[0]));
    ck_assert(link_score(&r[1], &r[2]) > link_score(&r[2], &r[3]));
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 1, 2) != NULL, "X and Y, each other's best, are not linked");
    link_result_free(&res);
}
END_TEST

START_TEST(test_sex_tells_twins_apart)
{
    link_rec r[2];
    rec(&r[0], 0, 77, 1990, 1); /* Louis, at the CAF */
    rec(&r[1], 1, 77, 1990, 2); /* Louise, at the CPAM */
    flip(r[1].clk, 30, 5);
    link_rec_finish(&r[1]);
    for (int i = 0; i < 2; i++) {
        memset(r[i].dob, 5, 16); /* the same date of birth: compared whatever the LSH draws */
        r[i].flags |= LK_DOB;
    }
    link_params p = params();
    double dice = link_score(&r[0], &r[1]);
    ck_assert_msg(dice > 0.95, "the twins' filters should be nearly the same: Dice %f", dice);
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) == NULL, "Louis and Louise linked as one person (P %f)", prob(&r[0], &r[1]));
    ck_assert_int_eq(res.stats.persons, 2);
    link_result_free(&res);

    /* the same records of one sex: one person with a typo */
    r[1].sex = 1;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) != NULL, "the same records of one sex should link");
    link_result_free(&res);
}
END_TEST

/* Two members of one household in one source's export are two people, however alike: an
 * export lists each member of a household once. */
START_TEST(test_one_household_one_source_two_people)
{
    link_rec r[2];
    rec(&r[0], 0, 31, 1990, 1);
    rec(&r[1], 0, 31, 1990, 1); /* identical, born the same day: a duplicate */
    for (int i = 0; i < 2; i++) {
        memset(r[i].dob, 4, 16);
        r[i].flags |= LK_DOB;
    }
    link_params p = params();
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
    r[0].household = r[1].household = 0x1234;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 2);
    link_result_free(&res);
    r[1].source = 1; /* the same household key in two sources means nothing */
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
}
END_TEST

/* A record whose true partner is absent from the other source must not grab the least unlike
 * stranger there (docs/linking.md, "Decision"). A (CAF) has no record at the landlord's; the
 * landlord has B1, the record of A2 (A's namesake at the CAF, B1's mutual best), and B2, a
 * relative of theirs (A and A2 are two members of one household at the CAF, namesakes born
 * the same day). A's best at the landlord's is B1, but B2 passes the threshold too: A's
 * best is neither mutual nor alone, so A links to nobody. Without B2, A's best is alone in
 * its source, and links. All four share one k_dob, so every pair is compared. */
START_TEST(test_one_sided_best_needs_to_be_alone)
{
    link_rec r[4];
    rec(&r[0], 0, 42, 1950, 1); /* A, CAF */
    flip(r[0].clk, 60, 7);
    link_rec_finish(&r[0]);
    rec(&r[1], 0, 42, 1950, 1); /* A2, CAF */
    rec(&r[2], 1, 42, 1950, 1); /* B1, landlord: A2 with a typo */
    flip(r[2].clk, 10, 3);
    link_rec_finish(&r[2]);
    rec(&r[3], 1, 42, 1950, 1); /* B2, landlord */
    flip(r[3].clk, 40, 11);
    link_rec_finish(&r[3]);
    for (int i = 0; i < 4; i++) {
        memset(r[i].dob, 3, 16);
        r[i].flags |= LK_DOB;
    }
    link_params p = params();
    double ab1 = prob(&r[0], &r[2]), ab2 = prob(&r[0], &r[3]), a2b1 = prob(&r[1], &r[2]);
    ck_assert_msg(ab1 >= p.match && ab2 >= p.match, "A's pairs at the landlord's must both pass: %f %f", ab1, ab2);
    ck_assert_msg(link_score(&r[1], &r[2]) > link_score(&r[0], &r[2]) && a2b1 >= p.match,
                  "B1's best at the CAF must be A2");
    r[0].household = r[1].household = 77; /* A and A2: two members of one household at the CAF */
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    for (size_t i = 0; i < res.nedges; i++)
        ck_assert_msg(res.edges[i].a != 0 && res.edges[i].b != 0, "A linked to record %u (P %f): a rival was "
                      "taken for its partner", res.edges[i].b, res.edges[i].score);
    ck_assert_msg(find(&res, 1, 2) != NULL, "A2 and B1, mutual best partners, should link");
    link_result_free(&res);

    /* without B2, A's best at the landlord's stands alone: it links, though not mutual */
    ck_assert_int_eq(link_run(r, 3, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 2) != NULL, "A's one-sided best B1, alone in its source, should link");
    link_result_free(&res);
}
END_TEST

START_TEST(test_forbidden_pair)
{
    link_rec r[2];
    rec(&r[0], 0, 5, 1960, 1);
    rec(&r[1], 1, 5, 1960, 1); /* identical: would link */
    link_params p = params();
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
    uint64_t forbidden[] = {(uint64_t)0 << 32 | 1};
    ck_assert_int_eq(link_run(r, 2, &p, forbidden, 1, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 2);
    ck_assert_uint_eq(res.nedges, 0);
    link_result_free(&res);
}
END_TEST

START_TEST(test_same_source_needs_more)
{
    link_rec r[2];
    rec(&r[0], 0, 9, 1970, 1);
    rec(&r[1], 0, 9, 1970, 1);
    flip(r[1].clk, 120, 1); /* close enough across sources, not inside one */
    link_rec_finish(&r[1]);
    link_params p = params();
    double pr = prob(&r[0], &r[1]);
    p.match = pr - (pr - 0.5) / 2;
    p.same_source = pr + (1 - pr) / 2;
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 2);
    link_result_free(&res);
    r[1].source = 1;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
    r[1].source = 0;
    p.same_source = p.match;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
}
END_TEST

/* A territory of N people in three sources: the first two hold every person, the third a
 * copy with typos of two in three; each person a birth year and a sex. */
static link_rec *territory(int n)
{
    link_rec *r = calloc((size_t)n, sizeof *r);
    for (int i = 0; i < n; i++) {
        rec(&r[i], i % 3, (uint64_t)(i / 3), 1930 + (i / 3) % 70, 1 + (i / 3) % 2);
        if (i % 3 == 2) {
            flip(r[i].clk, 5 + i % 40, i);
            link_rec_finish(&r[i]);
        }
    }
    return r;
}

static void same_result(const link_result *a, const link_result *b, size_t n)
{
    ck_assert_uint_eq(a->nedges, b->nedges);
    ck_assert_uint_eq(a->npossible, b->npossible);
    for (size_t i = 0; i < a->nedges; i++) /* field by field: the struct has padding */
        ck_assert_msg(a->edges[i].a == b->edges[i].a && a->edges[i].b == b->edges[i].b &&
                          a->edges[i].method == b->edges[i].method && a->edges[i].score == b->edges[i].score,
                      "edge %zu differs", i);
    ck_assert(memcmp(a->person, b->person, n * sizeof *a->person) == 0);
    ck_assert_uint_eq(a->stats.comparisons, b->stats.comparisons);
    ck_assert(memcmp(&a->model.fs, &b->model.fs, sizeof a->model.fs) == 0);
    ck_assert(a->stats.est_precision == b->stats.est_precision && a->stats.est_recall == b->stats.est_recall);
}

START_TEST(test_threads_and_runs_do_not_change_the_result)
{
    enum { N = 3000 };
    link_rec *r = territory(N);
    link_params p = params();
    p.model = NULL; /* estimated from the records */
    p.bits = 0;
    link_result a, b, c;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &a), 0);
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &c), 0);
    p.threads = 2;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &b), 0);
    ck_assert_int_eq(a.model.training, LT_EM);
    ck_assert_int_gt((int)a.stats.clk_edges, 0);
    same_result(&a, &b, N);
    same_result(&a, &c, N);
    link_result_free(&a);
    link_result_free(&b);
    link_result_free(&c);
    free(r);
}
END_TEST

/* The NIR's m, and the same model whatever the records' order. Each of N people has four
 * records: at sources 0 and 1 the same NIR; at source 2 the same, but mistyped for one
 * person in 20; at source 3 none (the fuzzy stage finds it). Sources 1 and 2 share an
 * identity key, source 0 has none. So the pairs that share a NIR and no identity key (0-1,
 * and 0-2 where the NIR is not mistyped) train m, and among the pairs an identity key joins
 * (1-2), one in 20 has NIRs that differ: m of "k_nir different" is 0.05 by construction.
 * (Learned on the exact stage's edges, it saw only the 1-2 pairs the NIR had not already
 * joined, the mistyped ones: 0.99.) The same records reversed must give the same training
 * pairs, model sample, random pairs, model and persons (the sample and the random pairs are
 * drawn by what a record holds; where it stood in the array decided them). */
START_TEST(test_nir_m_and_the_same_model_whatever_the_order)
{
    enum { N = 2000 };
    link_rec *r = calloc(4 * N, sizeof *r), *rev = calloc(4 * N, sizeof *rev);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 4; k++) {
            link_rec *x = &r[4 * i + k];
            rec(x, k, (uint64_t)i * 7919u + 1, 1930 + i % 70, 1 + i % 2);
            if (k > 0) {
                flip(x->clk, 4 + 4 * k, i);
                link_rec_finish(x);
            }
            if (k == 3)
                continue; /* found by its filter alone */
            memset(x->nir, 0, 16);
            memcpy(x->nir, &i, sizeof i);
            if (k == 2 && i % 20 == 0)
                x->nir[15] = 1; /* mistyped */
            x->flags |= LK_NIR;
            if (k == 1 || k == 2) {
                memset(x->ident, 0, 16);
                memcpy(x->ident, &i, sizeof i);
                x->ident[15] = 2;
                x->flags |= LK_IDENT;
            }
        }
    for (int i = 0; i < 4 * N; i++)
        rev[i] = r[4 * N - 1 - i];
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    p.sample = 4000; /* fewer than the records: the model is estimated on a sample */
    link_result a, b;
    ck_assert_int_eq(link_run(r, 4 * N, &p, NULL, 0, NULL, NULL, &a), 0);
    ck_assert_int_eq(link_run(rev, 4 * N, &p, NULL, 0, NULL, NULL, &b), 0);
    ck_assert_int_eq(a.model.training, LT_KEYS);
    ck_assert_uint_eq(a.model.training_pairs, 2 * N - N / 20);
    double mdiff = a.model.fs.m[LC_NIR][0];
    ck_assert_msg(mdiff > 0.03 && mdiff < 0.08, "m of k_nir different %f, made 0.05", mdiff);
    ck_assert_uint_eq(b.model.training_pairs, a.model.training_pairs);
    ck_assert(b.model.fs.m[LC_NIR][0] == mdiff);
    ck_assert_uint_lt(a.model.sample_records, 4 * N);
    ck_assert_uint_eq(b.model.sample_records, a.model.sample_records);
    ck_assert_uint_eq(b.model.sample_pairs, a.model.sample_pairs);
    ck_assert_uint_eq(b.model.random_pairs, a.model.random_pairs);
    for (int k = 0; k < LINK_FS_NCOMP; k++) /* the whole model: its random pairs are drawn by content too */
        for (int l = 0; l < a.model.fs.nlevels[k]; l++)
            ck_assert_msg(fabs(a.model.fs.u[k][l] - b.model.fs.u[k][l]) <= 1e-12 * a.model.fs.u[k][l] &&
                              fabs(a.model.fs.m[k][l] - b.model.fs.m[k][l]) <= 1e-12 * a.model.fs.m[k][l],
                          "comparison %d level %d: m %g and %g, u %g and %g in the two orders", k, l,
                          a.model.fs.m[k][l], b.model.fs.m[k][l], a.model.fs.u[k][l], b.model.fs.u[k][l]);
    ck_assert(fabs(a.model.fs.lambda - b.model.fs.lambda) <= 1e-12 * a.model.fs.lambda);
    for (int i = 0; i < 4 * N; i++)
        for (int j = i + 1; j < 4 * N && j < i + 4; j++) /* each record against its neighbours */
            ck_assert_msg((a.person[i] == a.person[j]) == (b.person[4 * N - 1 - i] == b.person[4 * N - 1 - j]),
                          "records %d and %d: %s in one order, not in the other", i, j,
                          a.person[i] == a.person[j] ? "one person" : "two");
    link_result_free(&a);
    link_result_free(&b);
    free(r);
    free(rev);
}
END_TEST

/* The LSH's signatures gathered by PEXT (where the processor runs it fast) or bit by bit: the
 * same blocks, so the same comparisons and links. */
START_TEST(test_pext_and_bits_give_the_same_links)
{
    enum { N = 3000 };
    link_rec *r = territory(N);
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result a, b;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &a), 0);
    link_allow_pext(0);
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &b), 0);
    link_allow_pext(1);
    ck_assert_uint_gt(a.stats.candidate_pairs_lsh, 0);
    ck_assert_uint_eq(a.stats.candidate_pairs_lsh, b.stats.candidate_pairs_lsh);
    same_result(&a, &b, N);
    link_result_free(&a);
    link_result_free(&b);
    free(r);
}
END_TEST

/* The fuzzy stage's pattern id, worked out from a pair's facts, against link_compare's
 * vector for every pair of records whose fields are each missing, equal or different. */
START_TEST(test_pattern_ids_agree_with_the_vectors)
{
    enum { N = 240 };
    link_rec *r = calloc(N, sizeof *r);
    uint64_t x = 12345;
    int dob_pairs = 0, clk_pairs = 0;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t v = x >> 20;
        rec(&r[i], (int)(v % 3), v % 7 == 0 ? 0 : 1 + v % 5, v % 4 == 0 ? 0 : 1950 + (int)(v / 4 % 4),
            (int)(v / 16 % 3));
        if (v % 7 == 0) { /* no filter */
            memset(r[i].clk, 0, sizeof r[i].clk);
            link_rec_finish(&r[i]);
        }
        if (v / 64 % 3) {
            r[i].flags |= LK_DOB;
            r[i].dob[0] = (uint8_t)(v / 192 % 3);
        }
        if (v / 576 % 2)
            memcpy(r[i].commune, v / 1152 % 2 ? "33063" : "33281", 6);
        if (v / 2304 % 2) {
            r[i].flags |= LK_NIR;
            r[i].nir[5] = (uint8_t)(v / 4608 % 2);
        }
        if (v / 9216 % 3 == 0) {
            filter(r[i].alt, v / 27648 % 5 + 1);
            link_rec_finish(&r[i]);
        }
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            ck_assert_msg(link_pattern_agrees(&r[i], &r[j]), "records %d and %d", i, j);
            fs_vec v;
            link_compare(&r[i], &r[j], &v);
            dob_pairs += v.level[LC_BIRTH] == 3;
            clk_pairs += v.level[LC_DICE] != FS_NULL || v.level[LC_DICE_DOB] != FS_NULL;
        }
    ck_assert_int_gt(dob_pairs, 1000);
    ck_assert_int_gt(clk_pairs, 1000);
    ck_assert_int_lt(clk_pairs, N * N);
    free(r);
}
END_TEST

/* A territory where the model learns from its own data: every person of the first two sources
 * is found in the third, and the model's estimate of precision and recall is near the truth
 * the territory was built with. */
START_TEST(test_estimated_model_links_the_territory)
{
    enum { N = 3000 };
    link_rec *r = territory(N);
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    size_t together = 0;
    for (int i = 0; i < N; i += 3)
        together += res.person[i] == res.person[i + 1] && res.person[i] == res.person[i + 2];
    ck_assert_msg(together >= N / 3 * 98 / 100, "%zu of %d people found in all three sources", together, N / 3);
    for (int i = 0; i < N; i++)
        ck_assert_msg(res.person[i] == res.person[i - i % 3], "record %d joined to another person", i);
    ck_assert_msg(res.model.status == FS_CONVERGED, "EM: %s", fs_em_status_text(res.model.status));
    ck_assert_msg(res.stats.est_precision > 0.99 && res.stats.est_recall > 0.97,
                  "estimated precision %f, recall %f", res.stats.est_precision, res.stats.est_recall);
    link_result_free(&res);
    free(r);
}
END_TEST

/* The model estimated from records built with known rates: each of N/2 people has a record at
 * two sources, the second a copy with a few flipped bits whose sex is mistyped for one person
 * in 20 and whose commune differs for one in 5; people's sexes alternate and their communes
 * are ten, evenly. With no NIR the model is estimated by EM; it must find m of the sex and the
 * commune near 0.95 and 0.80, and u near 0.5 and 0.1, the rates the records were made with.
 * Each person is born on a day of their own, so every match is a pair born the same day. */
START_TEST(test_em_finds_the_rates_records_were_made_with)
{
    enum { N = 6000 };
    link_rec *r = calloc(N, sizeof *r);
    for (int i = 0; i < N; i++) {
        int person = i / 2;
        rec(&r[i], i % 2, (uint64_t)person * 7919u + 1, 1930 + person % 70, 1 + person % 2);
        snprintf(r[i].commune, sizeof r[i].commune, "%d", 33000 + person % 10);
        /* each person's own date of birth: their pairs weigh sex_dob and commune_dob, whose m
         * is the sex's and the commune's (tied: EM pools their pairs) */
        memset(r[i].dob, 0, 16);
        memcpy(r[i].dob, &person, sizeof person);
        r[i].flags |= LK_DOB;
        if (i % 2 == 1) {
            flip(r[i].clk, 8 + person % 16, i);
            link_rec_finish(&r[i]);
            if (person % 20 == 0)
                r[i].sex = (uint8_t)(3 - r[i].sex);
            if (person % 5 == 1)
                snprintf(r[i].commune, sizeof r[i].commune, "%d", 33000 + (person + 3) % 10);
        }
    }
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    const fs_model *m = &res.model.fs;
    ck_assert_int_eq(res.model.training, LT_EM);
    ck_assert_msg(res.model.status == FS_CONVERGED, "EM: %s", fs_em_status_text(res.model.status));
    ck_assert_msg(m->m[LC_SEX][1] > 0.92 && m->m[LC_SEX][1] < 0.98, "m of the same sex %f, made 0.95", m->m[LC_SEX][1]);
    ck_assert_msg(m->m[LC_COMMUNE][1] > 0.77 && m->m[LC_COMMUNE][1] < 0.83, "m of the same commune %f, made 0.80",
                  m->m[LC_COMMUNE][1]);
    ck_assert_msg(m->u[LC_SEX][1] > 0.47 && m->u[LC_SEX][1] < 0.53, "u of the same sex %f, made 0.5", m->u[LC_SEX][1]);
    ck_assert_msg(m->u[LC_COMMUNE][1] > 0.07 && m->u[LC_COMMUNE][1] < 0.13, "u of the same commune %f, made 0.1",
                  m->u[LC_COMMUNE][1]);
    ck_assert(memcmp(m->m[LC_SEX_DOB], m->m[LC_SEX], sizeof m->m[LC_SEX]) == 0);
    link_result_free(&res);
    free(r);
}
END_TEST

/* Pairs born the same day weigh their sex and commune against their own kind: strangers the
 * k_dob blocks brought together. Each of N people has a record at two sources (a few bits
 * apart), born on one of N/40 days, in one of 50 communes drawn at random, of either sex; and
 * a relative at a third source, born 30 years before, of the other sex, in the same commune,
 * whose filter is near theirs: the candidates born apart are relatives, who always share a
 * commune and never a sex. The u of commune_dob must be the strangers' 1 in 50 and the u of
 * sex_dob one in two, while the commune's and sex's come from the relatives; their m is
 * shared; and a pair's probability is its model's, through the pattern table. */
START_TEST(test_pairs_born_the_same_day_weigh_sex_and_commune_against_strangers)
{
    enum { N = 3000 };
    link_rec *r = calloc(3 * N, sizeof *r);
    for (int i = 0; i < N; i++) {
        uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 32;
        int commune = (int)(h % 50), sex = 1 + (int)((h >> 8) & 1), day = i % (N / 40);
        for (int k = 0; k < 3; k++) {
            link_rec *x = &r[3 * i + k];
            rec(x, k, (uint64_t)i * 7919u + 1, k < 2 ? 1960 : 1930, k < 2 ? sex : 3 - sex);
            snprintf(x->commune, sizeof x->commune, "%d", 33000 + commune);
            memset(x->dob, 0, 16);
            x->dob[0] = (uint8_t)(k < 2 ? day : 200);
            x->dob[1] = (uint8_t)(k < 2 ? 1 : i % 250);
            x->dob[2] = (uint8_t)(k < 2 ? 0 : i / 250);
            x->flags |= LK_DOB;
            if (k > 0) {
                flip(x->clk, k == 1 ? 10 : 60, i);
                link_rec_finish(x);
            }
        }
    }
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result res;
    ck_assert_int_eq(link_run(r, 3 * N, &p, NULL, 0, NULL, NULL, &res), 0);
    const fs_model *m = &res.model.fs;
    ck_assert_msg(res.model.dob_pairs > 50000, "%zu pairs of the k_dob blocks", res.model.dob_pairs);
    ck_assert_msg(m->u[LC_COMMUNE_DOB][1] > 0.015 && m->u[LC_COMMUNE_DOB][1] < 0.025,
                  "u of the same commune, born the same day: %f, made 0.02", m->u[LC_COMMUNE_DOB][1]);
    ck_assert_msg(m->u[LC_COMMUNE][1] > 0.5, "u of the same commune, born apart: %f", m->u[LC_COMMUNE][1]);
    ck_assert_msg(m->u[LC_SEX_DOB][1] > 0.45 && m->u[LC_SEX_DOB][1] < 0.55,
                  "u of the same sex, born the same day: %f, made 0.5", m->u[LC_SEX_DOB][1]);
    ck_assert_msg(m->u[LC_SEX][1] < 0.2, "u of the same sex, born apart: %f", m->u[LC_SEX][1]);
    ck_assert(memcmp(m->m[LC_SEX_DOB], m->m[LC_SEX], sizeof m->m[LC_SEX]) == 0);
    ck_assert(memcmp(m->m[LC_COMMUNE_DOB], m->m[LC_COMMUNE], sizeof m->m[LC_COMMUNE]) == 0);
    /* the person's two records, linked at their model's probability */
    const link_edge *e = find(&res, 0, 1);
    ck_assert_msg(e != NULL, "the records of one person, born the same day, are not linked");
    ck_assert_msg(fabs(e->score - prob_of(m, &r[0], &r[1])) < 1e-6, "link at %f, its model says %f", e->score,
                  prob_of(m, &r[0], &r[1]));
    link_result_free(&res);
    free(r);
}
END_TEST

/* Make B a namesake of A: A's identity key, a date of birth of theirs (DAY), birth year and sex. */
static void namesake(link_rec *r, int a, int b, int day)
{
    memcpy(r[b].ident, r[a].ident, 16);
    r[b].flags |= LK_IDENT;
    memset(r[a].dob, day, 16);
    memset(r[b].dob, day, 16);
    r[a].flags |= LK_DOB;
    r[b].flags |= LK_DOB;
    r[b].birth_year = r[a].birth_year;
    r[b].sex = r[a].sex;
}

/* territory(N) with what identity keys need: a commune per person, NIRs at sources 0 and 1,
 * a date of birth shared with a few strangers born the same year, as in any territory, and
 * the identity key on source 0 always, on source 1 for one person in two. */
static link_rec *keyed_territory(int n)
{
    link_rec *r = territory(n);
    for (int i = 0; i < n; i++) {
        int person = i / 3, src = i % 3;
        snprintf(r[i].commune, sizeof r[i].commune, "%d", 33000 + person % 500);
        if (src < 2) {
            memcpy(r[i].nir, &person, sizeof person);
            r[i].flags |= LK_NIR;
        }
        /* a date of birth shared with a few strangers born the same year, as in any territory */
        memset(r[i].dob, 0, 16);
        r[i].dob[0] = (uint8_t)r[i].birth_year;
        r[i].dob[1] = (uint8_t)(r[i].birth_year >> 8);
        r[i].dob[2] = (uint8_t)(person / 70 % 3);
        r[i].flags |= LK_DOB;
        if (src == 0 || (src == 1 && person % 2 == 0)) {
            memset(r[i].ident, 0x5a, 16);
            memcpy(r[i].ident, &person, sizeof person);
            r[i].flags |= LK_IDENT;
        }
    }
    return r;
}

/* Namesakes born the same day: two people, at different addresses and communes, whose names
 * and date of birth (so their identity keys) are the same. The territory's NIRs teach the
 * model (every person's records at sources 0 and 1 share a NIR; the identity key is on the
 * first always, on the second for one person in two), so it weighs the pair an identity key
 * joins: the rest of it says two people, and the link goes. A true pair sharing the key stays.
 * Every date of birth is shared by a few strangers, so that candidate pairs are mostly two
 * people, as in a territory (the share of matches among them near 0.1, not a half). */
START_TEST(test_namesakes_born_the_same_day)
{
    enum { N = 3000 };
    link_rec *r = keyed_territory(N);
    /* A (person 10, source 0) and B (person 11, source 2): the same identity key and date of
     * birth, their own filters and communes */
    const int a = 30, b = 35;
    namesake(r, a, b, 8);
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.model.training, LT_KEYS);
    ck_assert_msg(res.model.ident_m > 0.9, "identity key among NIR pairs: m %f", res.model.ident_m);
    ck_assert_msg(link_ident_probability(&res.model, &r[a], &r[b]) < p.match, "the namesakes weigh %f",
                  link_ident_probability(&res.model, &r[a], &r[b]));
    ck_assert_msg(res.person[a] != res.person[b], "namesakes born the same day made one person");
    ck_assert_uint_ge(res.stats.ident_vetoed, 1);
    /* person 12's records at sources 0 and 1 share their identity key (and NIR): one person */
    ck_assert_uint_eq(res.person[36], res.person[37]);
    ck_assert_uint_eq(res.person[a], res.person[a + 1]);
    link_result_free(&res);

    /* the namesake numbered first in its key's group, the group's true pair joined by the key
     * alone: C (person 14, source 2) shares the key and date of birth of D and E (person 16,
     * sources 0 and 1, E without a NIR). Dropping C must not cut D from E. */
    const int c = 44, d = 48, e = 49;
    memcpy(r[c].ident, r[d].ident, 16);
    memcpy(r[e].ident, r[d].ident, 16);
    r[c].flags |= LK_IDENT;
    r[e].flags |= LK_IDENT;
    r[e].flags &= (uint8_t)~LK_NIR;
    for (int i = 0; i < 3; i++) {
        int x = i == 0 ? c : i == 1 ? d : e;
        memset(r[x].dob, 9, 16);
        r[x].flags |= LK_DOB;
        r[x].birth_year = r[d].birth_year;
        r[x].sex = r[d].sex;
    }
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(res.person[c] != res.person[d], "the namesake first in its group made one person with it");
    const link_edge *de = find(&res, d, e);
    ck_assert_msg(de != NULL && de->method == LM_IDENT, "D and E, the group's true pair, lost their identity link");
    link_result_free(&res);

    /* namesakes whose filters are alike: F (person 20, source 0) and G (person 21, source 2)
     * share the key, the date of birth and the sex, and G's filter is F's but for BITS bits
     * (the commune's, in a real filter): their Dice is high because their names are the
     * same, which the key already says. Their communes differ, and every person's records
     * share one: two people, whatever the Dice. */
    const int f = 60, gg = 65;
    namesake(r, f, gg, 10);
    for (int bits = 20; bits <= 60; bits += 20) {
        memcpy(r[gg].clk, r[f].clk, sizeof r[gg].clk);
        flip(r[gg].clk, bits, 7);
        link_rec_finish(&r[gg]);
        ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
        ck_assert_msg(res.person[f] != res.person[gg], "namesakes in two communes, filters %d bits apart (Dice %.3f), "
                      "made one person (P %f)", bits, link_score(&r[f], &r[gg]),
                      link_ident_probability(&res.model, &r[f], &r[gg]));
        link_result_free(&res);
    }
    free(r);
}
END_TEST

/* The identity-key pairs kept apart are counted from the outcome, whatever the records' order.
 * A (person 100, source 0, its NIR and commune) and C (person 101, source 1, another NIR and
 * commune) share a key and a date of birth with B (person 101, source 2, no NIR, no commune):
 * A and C weigh apart, A and B, B and C together. Weighed in the records' order, A-C was counted
 * kept apart before B joined them (1); reversed, B came first and A-C was never weighed (0). */
START_TEST(test_pairs_kept_apart_whatever_the_order)
{
    enum { N = 3000 };
    link_rec *r = keyed_territory(N);
    const int a = 300, c = 304, b = 305;
    r[c].flags |= LK_IDENT;
    r[b].flags = (uint8_t)((r[b].flags | LK_IDENT) & ~LK_NIR);
    memcpy(r[c].ident, r[a].ident, 16);
    memcpy(r[b].ident, r[a].ident, 16);
    for (int i = 0; i < 3; i++) {
        int x = i == 0 ? a : i == 1 ? b : c;
        memset(r[x].dob, 7, 16);
        r[x].birth_year = r[a].birth_year;
        r[x].sex = r[a].sex;
    }
    memset(r[b].commune, 0, sizeof r[b].commune); /* B's commune unknown: it weighs nothing */
    link_rec *rev = calloc(N, sizeof *rev);
    for (int i = 0; i < N; i++)
        rev[N - 1 - i] = r[i];
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result x, y;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &x), 0);
    ck_assert_int_eq(link_run(rev, N, &p, NULL, 0, NULL, NULL, &y), 0);
    ck_assert_msg(x.model.ident_m > 0, "the keys are weighed");
    double ac = link_ident_probability(&x.model, &r[a], &r[c]), ab = link_ident_probability(&x.model, &r[a], &r[b]),
           bc = link_ident_probability(&x.model, &r[b], &r[c]);
    ck_assert_msg(ac < p.match && ab >= p.match && bc >= p.match, "A-C weigh %f, A-B %f, B-C %f", ac, ab, bc);
    ck_assert_uint_eq(x.person[a], x.person[c]); /* through B */
    ck_assert_uint_eq(y.person[N - 1 - a], y.person[N - 1 - c]);
    ck_assert_msg(x.stats.ident_vetoed == 0 && y.stats.ident_vetoed == 0,
                  "kept apart: %llu, reversed %llu, where every pair sharing a key ends in one person",
                  (unsigned long long)x.stats.ident_vetoed, (unsigned long long)y.stats.ident_vetoed);
    link_result_free(&x);
    link_result_free(&y);
    free(rev);
    free(r);
}
END_TEST

/* How many of the pairs sharing an identity key are namesakes, counted without ground truth:
 * P people with a record at two sources, born on one of 150 days (40 people a day), in one of
 * 37 communes drawn at random; every record at source 0 has a NIR and an identity key, at source 1 a quarter
 * have no NIR (their person is joined by the key alone) and another quarter no key (their
 * NIR pair teaches m). Then Q pairs of people born the same day in two communes are made
 * namesakes: the second takes the first's identity key. The pairs of two different NIRs born
 * the same day that share a key say how common namesakes are; the model must count the
 * namesakes planted (within a fifth: Laplace's one pair more, and the pairs of one person
 * among those born the same day, add a little), keep every namesake apart and every person
 * joined by the key alone; and a person's sex, which namesakes share, must not move its key
 * pair's probability. Three variants (_i): 1, one namesake pair of the 20 lives in one commune
 * (as often as two people born the same day do, about), its records all with a NIR, and the
 * NIRs alone tell them apart (a NIR's m learned on the pairs sharing a key, namesakes
 * included, cancelled their prior); 2, one NIR in 20 is mistyped at
 * source 1: those persons' pairs sharing a key have two NIRs but are one person, and neither
 * the namesakes' count nor the NIR's m (0.05 by construction) may take them for namesakes;
 * 3, every person born on a day of its own and no namesake: too few pairs of two NIRs born the
 * same day to count namesakes by (1,000 needed), so the keys link as they are. */
START_TEST(test_namesakes_counted_from_pairs_of_two_nirs)
{
    enum { P = 6000, Q = 20 };
    const int one_commune = _i == 1, mistyped = _i == 2, own_days = _i == 3;
    link_rec *r = calloc(2 * P, sizeof *r);
    int mistakes = 0, nir_pairs_keyed = 0;
    for (int i = 0; i < P; i++) {
        int day = own_days ? i : i % 150;
        for (int s = 0; s < 2; s++) {
            link_rec *x = &r[2 * i + s];
            rec(x, s, (uint64_t)i * 7919u + 1, 1930 + day % 60, 1 + (i / 150) % 2);
            if (s == 1) {
                flip(x->clk, 10, i);
                link_rec_finish(x);
            }
            snprintf(x->commune, sizeof x->commune, "%d", 33000 + (int)((uint32_t)i * 2654435761u % 37));
            memset(x->dob, 0, 16);
            x->dob[0] = (uint8_t)day;
            x->dob[1] = 0x5a;
            x->dob[2] = (uint8_t)(day >> 8);
            x->flags |= LK_DOB;
            if (s == 0 || i % 4 != 3) {
                memcpy(x->nir, &i, sizeof i);
                if (s == 1 && mistyped && i % 20 == 1) {
                    x->nir[15] = 1;
                    mistakes += i % 4 != 2;
                }
                x->flags |= LK_NIR;
            }
            if (s == 0 || i % 4 != 2) {
                memset(x->ident, 0xa5, 16);
                memcpy(x->ident, &i, sizeof i);
                x->flags |= LK_IDENT;
            }
        }
        nir_pairs_keyed += i % 4 < 2;
    }
    /* the namesakes: A and B = A + 150, born the same day, of two communes (or one), one sex */
    int planted = 0;
    for (int q = 0; q < Q; q++) {
        int a = 300 * q + q * 7 % 150, b = a + 150;
        for (int s = 0; s < 2; s++) {
            r[2 * b + s].sex = r[2 * a].sex;
            /* another commune than A's, or A's */
            int ca = (int)((uint32_t)a * 2654435761u % 37), cb = one_commune && q == 0 ? ca : (ca + 1) % 37;
            snprintf(r[2 * b + s].commune, sizeof r[2 * b + s].commune, "%d", 33000 + cb);
            if (r[2 * b + s].flags & LK_IDENT)
                memcpy(r[2 * b + s].ident, r[2 * a].ident, 16);
        }
        planted += (1 + (a % 4 != 2)) * (1 + (b % 4 != 2)); /* keyed records of A times of B */
    }
    link_params p = params();
    p.model = NULL;
    p.bits = 0;
    link_result res;
    if (own_days) { /* every person born on a day of its own: no namesake to count by */
        ck_assert_int_eq(link_run(r, 2 * P, &p, NULL, 0, NULL, NULL, &res), 0);
        ck_assert_int_eq(res.model.training, LT_KEYS);
        ck_assert_msg(res.model.ident_m == 0 && res.stats.ident_vetoed == 0,
                      "keys weighed on %.0f pairs of two NIRs born the same day: m %f, %llu kept apart",
                      res.model.ident_two_nirs, res.model.ident_m, res.stats.ident_vetoed);
        link_result_free(&res);
        free(r);
        return;
    }
    ck_assert_int_eq(link_run(r, 2 * P, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.model.training, LT_KEYS);
    ck_assert_msg(res.model.ident_namesakes > 0.8 * planted && res.model.ident_namesakes < 1.2 * planted,
                  "namesakes among the %.0f pairs sharing a key: %.1f counted, %d planted", res.model.ident_pairs,
                  res.model.ident_namesakes, planted);
    double mdiff = res.model.fs.m[LC_NIR][0], made = (double)mistakes / nir_pairs_keyed;
    ck_assert_msg(mistyped ? mdiff > 0.6 * made && mdiff < 1.4 * made : mdiff < 0.002,
                  "m of two NIRs among one person's pairs sharing a key: %f, made %f", mdiff, mistyped ? made : 0.0);
    for (int q = 0; q < Q; q++) {
        int a = 300 * q + q * 7 % 150, b = a + 150;
        if (one_commune && q == 0 && (a % 4 == 3 || b % 4 == 3))
            continue; /* one name, one date, one commune, one NIR missing: nothing tells them apart */
        for (int s = 0; s < 4; s++) {
            const link_rec *x = &r[2 * a + s / 2], *y = &r[2 * b + s % 2];
            ck_assert_msg(res.person[2 * a + s / 2] != res.person[2 * b + s % 2],
                          "namesakes %d and %d (records %d, %d) made one person (P %f; prior weight %+.2f, NIR "
                          "different %+.2f, one commune %+.2f)", a, b, 2 * a + s / 2, 2 * b + s % 2,
                          link_ident_probability(&res.model, x, y), link_ident_weight(&res.model),
                          fs_level_weight(&res.model.fs, LC_NIR, 0), fs_level_weight(&res.model.fs, LC_COMMUNE_DOB, 1));
        }
    }
    for (int i = 3; i < P; i += 4) { /* no NIR at source 1: the key alone joins them */
        const link_edge *e = find(&res, 2 * (uint32_t)i, 2 * (uint32_t)i + 1);
        ck_assert_msg(e != NULL && e->method == LM_IDENT, "person %d, joined by its identity key alone, %s", i,
                      e ? "linked by another method" : "left apart");
    }
    if (mistyped) /* one person, two NIRs, one key: the key joins them */
        for (int i = 1; i < P; i += 20)
            if (i % 4 != 2)
                ck_assert_msg(res.person[2 * i] == res.person[2 * i + 1], "person %d, its NIR mistyped, cut apart", i);
    double before = link_ident_probability(&res.model, &r[6], &r[7]);
    r[7].sex = (uint8_t)(3 - r[7].sex);
    ck_assert_msg(link_ident_probability(&res.model, &r[6], &r[7]) == before,
                  "the sex moved a pair sharing a key from %f to %f", before,
                  link_ident_probability(&res.model, &r[6], &r[7]));
    link_result_free(&res);
    free(r);
}
END_TEST

/* Territories the model cannot learn from say why, and still get their exact links: one with
 * no candidate pair at all (every pair of records shares a key, no blocking but k_dob, which
 * no record has), and with the LSH bands, where the few candidates are strangers; then one
 * of strangers only. */
START_TEST(test_nothing_to_estimate_from)
{
    enum { N = 200 };
    link_rec *r = territory(N);
    for (int i = 0; i < N; i++) {
        memset(r[i].nir, 0, 16);
        memcpy(r[i].nir, &(int){i / 3}, sizeof(int));
        r[i].flags |= LK_NIR;
    }
    link_params p = params();
    p.model = NULL;
    p.bands = 0;
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.model.training, LT_NONE);
    ck_assert_msg(strstr(res.model.why, "no candidate pair") != NULL, "why: %s", res.model.why);
    ck_assert_uint_eq(res.stats.clk_edges, 0);
    ck_assert_uint_eq(res.stats.exact_edges, N - (N + 2) / 3);
    ck_assert_uint_eq(res.stats.persons, (N + 2) / 3);
    link_result_free(&res);
    p.bands = 16;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(res.model.training == LT_NONE ? res.model.why[0] != 0 : res.model.status == FS_CONVERGED,
                  "neither converged nor said why");
    ck_assert_uint_eq(res.stats.clk_edges, 0);
    ck_assert_uint_eq(res.stats.persons, (N + 2) / 3);
    link_result_free(&res);
    /* strangers only: every record its own filter */
    for (int i = 0; i < N; i++)
        rec(&r[i], i % 2, (uint64_t)i * 7919u, 1930 + i % 70, 1 + i % 2);
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(res.model.training == LT_NONE ? res.model.why[0] != 0 : res.model.status == FS_CONVERGED,
                  "neither converged nor said why");
    ck_assert_uint_eq(res.stats.clk_edges, 0);
    ck_assert_uint_eq(res.stats.persons, N);
    link_result_free(&res);
    free(r);
}
END_TEST

/* Why a run had no model, in French for the data officers' report: each reason the linker
 * writes, with its figures; one it does not know, as it is. */
START_TEST(test_why_said_in_french)
{
    char why[256], fr[512];
    snprintf(why, sizeof why, LINK_WHY_REFUSED, 24.5, 70.0);
    link_why_fr(why, fr, sizeof fr);
    ck_assert_msg(strstr(fr, "le modèle estimé cette nuit a été écarté") && strstr(fr, "(24,5 %, il en faut 70 % au moins)"),
                  "%s", fr);
    snprintf(why, sizeof why, LINK_WHY_FEW_PAIRS, (size_t)42, 500);
    link_why_fr(why, fr, sizeof fr);
    ck_assert_str_eq(fr, "trop peu de paires candidates pour estimer un modèle (42, il en faut 500)");
    link_why_fr(fs_em_status_text(FS_NO_PAIRS), fr, sizeof fr);
    ck_assert_str_eq(fr, "aucune paire candidate sur laquelle l’estimer");
    link_why_fr(fs_em_status_text(FS_ONE_PATTERN), fr, sizeof fr);
    ck_assert(strncmp(fr, "toutes les paires candidates se ressemblent", 43) == 0);
    link_why_fr("something new", fr, sizeof fr);
    ck_assert_str_eq(fr, "something new");
}
END_TEST

START_TEST(test_bad_parameters)
{
    link_rec r[1];
    rec(&r[0], 0, 1, 1980, 1);
    link_params p = params();
    link_result res;
    p.bits = 31;
    ck_assert_int_eq(link_run(r, 1, &p, NULL, 0, NULL, NULL, &res), -1);
    p = params();
    p.match = 0;
    ck_assert_int_eq(link_run(r, 1, &p, NULL, 0, NULL, NULL, &res), -1);
    p = params();
    p.same_source = 1.5;
    ck_assert_int_eq(link_run(r, 1, &p, NULL, 0, NULL, NULL, &res), -1);
}
END_TEST

/* The settings of the Dice score the model replaced are refused by name, pointing to what
 * replaced them, rather than silently ignored; the new ones are read and checked. */
START_TEST(test_retired_settings)
{
    const char *path = strdup(tu_fmt("%s/t.conf", tu_tmpdir()));
    conf c;
    char err[512];
    tu_write_str(path, "[link]\nthreshold = 0.88\n");
    ck_assert_int_eq(conf_load(&c, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "threshold is gone") && strstr(err, "match_probability"), "%s", err);
    conf_free(&c);
    tu_write_str(path, "[link]\nmatch_probability = 0.95\npossible_probability = 0.4\n");
    ck_assert_int_eq(conf_load(&c, path, err, sizeof err), 0);
    ck_assert(c.link_match == 0.95 && c.link_possible == 0.4 && c.link_same_source == 0.999);
    conf_free(&c);
    tu_write_str(path, "[link]\nmatch_probability = 0.6\npossible_probability = 0.7\n");
    ck_assert_int_eq(conf_load(&c, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "possible_probability") != NULL, "%s", err);
    conf_free(&c);
    free((char *)path);
}
END_TEST

/* The comparison levels of the model, on pairs whose answer is known by construction: the
 * same filter (Dice 1), a filter with flipped bits, a stranger's. */
START_TEST(test_comparison_levels)
{
    link_rec a, b, c;
    rec(&a, 0, 7, 1980, 1);
    rec(&b, 1, 7, 1981, 2);
    rec(&c, 1, 99, 1950, 0);
    memset(a.dob, 1, 16);
    memset(b.dob, 1, 16);
    a.flags |= LK_DOB;
    b.flags |= LK_DOB;
    memcpy(a.commune, "33063", 6);
    memcpy(b.commune, "33000", 6);
    memset(a.ident, 5, 16);
    memset(b.ident_alt, 5, 16);
    a.flags |= LK_IDENT;
    b.flags |= LK_IDENT_ALT;
    fs_vec v;
    link_compare(&a, &b, &v);
    ck_assert_int_eq(v.level[LC_DICE_DOB], 9); /* the same filter: Dice 1, born the same day */
    ck_assert_int_eq(v.level[LC_DICE], FS_NULL); /* one Dice comparison or the other */
    ck_assert_int_eq(v.level[LC_BIRTH], 3);   /* the same k_dob, whatever the years say */
    ck_assert_int_eq(v.level[LC_SEX_DOB], 0);  /* born the same day: the sex and commune of such pairs */
    ck_assert_int_eq(v.level[LC_COMMUNE_DOB], 0);
    ck_assert_int_eq(v.level[LC_SEX], FS_NULL);
    ck_assert_int_eq(v.level[LC_COMMUNE], FS_NULL);
    ck_assert_int_eq(v.level[LC_NIR], FS_NULL); /* neither has a NIR */
    b.flags &= ~LK_DOB;
    link_compare(&a, &b, &v);
    ck_assert_int_eq(v.level[LC_BIRTH], 1);   /* no date of birth to compare: one year apart */
    ck_assert_int_eq(v.level[LC_SEX], 0);
    ck_assert_int_eq(v.level[LC_SEX_DOB], FS_NULL);
    ck_assert_int_eq(v.level[LC_DICE], 9);
    ck_assert_int_eq(v.level[LC_DICE_DOB], FS_NULL);
    link_compare(&a, &c, &v);
    ck_assert_int_eq(v.level[LC_BIRTH], 0);   /* thirty years apart */
    ck_assert_int_eq(v.level[LC_SEX], FS_NULL); /* c's sex unknown */
    ck_assert_int_eq(v.level[LC_COMMUNE], FS_NULL);
    /* a stranger's filter of about 56 %: Dice near 0.58, one of the two lowest bands */
    ck_assert_int_le(v.level[LC_DICE], 1);
    /* bits flipped: Dice falls band by band */
    link_rec d = a;
    flip(d.clk, 200, 3);
    link_rec_finish(&d);
    link_compare(&a, &d, &v);
    double dice = link_score(&a, &d);
    static const double bands[] = {0.56, 0.60, 0.64, 0.68, 0.72, 0.76, 0.80, 0.85, 0.90};
    int want = 0;
    while (want < 9 && dice >= bands[want])
        want++;
    ck_assert_int_eq(v.level[LC_DICE_DOB], want);
    ck_assert_int_lt(want, 9);
    ck_assert_int_gt(want, 1);
    ck_assert_str_eq(link_fs_level_label(LC_DICE, 9), "0.90 and up");
    ck_assert_str_eq(link_fs_level_label(LC_BIRTH, 3), "same date of birth");
}
END_TEST

/* Set K bits of token T (a feature's tag and value) in F, at positions drawn from them, as the
 * contract's CLK does with its keyed hashes (extract-v1, section 4). */
static void token_bits(uint64_t *f, const char *tag, unsigned value, int k)
{
    for (int j = 0; j < k; j++) {
        uint64_t z = 0x6a09e667f3bcc908ULL;
        for (const char *c = tag; *c; c++)
            z = (z ^ (uint8_t)*c) * 0x100000001b3ULL;
        z = (z ^ value) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (uint64_t)j) * 0xbf58476d1ce4e5b9ULL;
        z ^= z >> 29;
        int bit = (int)(z % 1024);
        f[bit / 64] |= 1ULL << (bit % 64);
    }
}

/* The territory of test_dice_leaves_the_clear_fields_out: N records, two a person; NAMES gets
 * each record's name bits alone. */
enum { CLEAR_N = 600 };
static link_rec *clear_territory(uint64_t (*names)[16])
{
    enum { N = CLEAR_N };
    static const char *const communes[] = {"33063", "33281", "33522", "33318"};
    link_rec *r = calloc(N, sizeof *r);
    for (int i = 0; i < N; i++) {
        int person = i / 2;
        r[i].source = (uint8_t)(i % 2);
        memset(names[i], 0, sizeof names[i]);
        uint64_t s = 0x1234u + (uint64_t)person * 7919;
        for (int t = 0; t < 25; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned word = (unsigned)(s >> 33) % 400;
            token_bits(names[i], "name", i % 2 && t < 6 ? 400 + word : word, 24);
        }
        memcpy(r[i].clk, names[i], sizeof names[i]);
        const char *c = communes[person % 4];
        memcpy(r[i].commune, c, 6);
        for (int k = 0; k < 5; k++)
            token_bits(r[i].clk, "commune", (unsigned)(k * 256 + (uint8_t)c[k]), 16);
        r[i].birth_year = (uint16_t)(1950 + person / 8 % 25);
        for (int k = 0, y = r[i].birth_year; k < 4; k++, y /= 10)
            token_bits(r[i].clk, "year", (unsigned)((3 - k) * 10 + y % 10), 25);
        r[i].sex = (uint8_t)(1 + person / 4 % 2);
        token_bits(r[i].clk, "sex", r[i].sex, 30);
        link_rec_finish(&r[i]);
    }
    return r;
}

/* In blocking_world's records R, person I's second record made anew: a copy of the first, BITS
 * of its filter changed (a pair in doubt). Its probability. */
static double doubt_pair(link_rec *r, int i, int bits)
{
    link_rec_finish(&r[2 * i]);
    r[2 * i + 1] = r[2 * i];
    r[2 * i + 1].source = 1;
    flip_random(r[2 * i + 1].clk, bits, 1000 + (uint64_t)i);
    link_rec_finish(&r[2 * i + 1]);
    return prob(&r[2 * i], &r[2 * i + 1]);
}

/* RES's persons against the world's truth: the N records R hold PEOPLE people's two records
 * first (2 i and 2 i + 1), then people known to one source alone up to TWINS, then from TWINS
 * a twin of each of the first people, one a person: each person holds its records, no more. */
static void assert_world_persons(const link_result *res, const link_rec *r, size_t n, int people, size_t twins)
{
    size_t *size = calloc(n, sizeof *size); /* records a person */
    for (size_t i = 0; i < n; i++)
        size[res->person[i]]++;
    for (int i = 0; i < people; i++) {
        size_t twin = twins + (size_t)i, want = 2 + (twin < n);
        ck_assert_msg(res->person[2 * i] == res->person[2 * i + 1], "person %d's two records not linked (P %f)", i,
                      prob(&r[2 * i], &r[2 * i + 1]));
        ck_assert_msg(twin >= n || res->person[twin] == res->person[2 * i], "person %d's twin not joined", i);
        ck_assert_msg(size[res->person[2 * i]] == want, "person %d holds %zu records, not %zu", i,
                      size[res->person[2 * i]], want);
    }
    for (size_t i = 2 * (size_t)people; i < twins; i++)
        ck_assert_msg(size[res->person[i]] == 1, "record %zu, known to one source, joined to another", i);
    free(size);
}

/* Who is already taken weighs too. 400 people at two sources whom the bands bring together and
 * the decision links; 32 more whose two records are in doubt, 24 with filters 240 bits apart
 * (P 0.86) and 8 with 320 (six at P 0.14, two at 0.55); and 4 people known to the second
 * source alone. After the decision, nine records in ten of the second source have a partner
 * at the first: a record left free there is that much likelier the partner of a record left
 * free at the first (its odds times 1 / (1 - 0.9), the share taken read at most 0.9), and the
 * six pairs at P 0.14 are linked (at 0.94; weighed as any record, taken or not, 0.61). The four known to one
 * source stay alone and no two people are joined. The truth is the world's. */
START_TEST(test_last_records_search_weighs_who_is_free)
{
    enum { PEOPLE = 400, NEAR = 24, FAR = 8, ALONE = 4 };
    size_t n0;
    link_rec *r = blocking_world(PEOPLE + NEAR + FAR, (const int[2]){0, ALONE}, &n0);
    link_params p = params();
    p.bands = 64;
    for (int i = PEOPLE; i < PEOPLE + NEAR + FAR; i++) {
        double pr = doubt_pair(r, i, i < PEOPLE + NEAR ? 240 : 320);
        ck_assert_msg(pr > 0.1 && pr < p.match, "person %d's pair should be in doubt: P %f", i, pr);
    }
    link_result res;
    ck_assert_int_eq(link_run(r, n0, &p, NULL, 0, NULL, NULL, &res), 0);
    assert_world_persons(&res, r, n0, PEOPLE + NEAR + FAR, n0);
    ck_assert_msg(res.stats.last_edges >= FAR, "%llu links by the search", res.stats.last_edges);
    link_result_free(&res);
    free(r);
}
END_TEST

/* A pair's own evidence counted once. Six records at each of two sources: four people near
 * copies (P 0.998), linked by the decision; B, born the same year, filters 200 bits apart
 * (P 0.88); and E0 and E1, two people, born a year apart, look-alikes 200 bits apart
 * (P 0.35), each the other's least unlike. B and E are free: pi, the chance a record of one
 * source has a partner at the other, is the matches the run expects between the two without
 * the record's own most probable pair, over the six records. B is linked (0.99); E, weighed
 * against having no partner at all, is not (0.88). Counting E's own 0.35 in pi too, then
 * again as its evidence, linked them (0.91). */
START_TEST(test_last_records_search_counts_a_pairs_evidence_once)
{
    enum { NEAR = 4, N = 2 * (NEAR + 2) };
    link_rec r[N];
    link_params p = params();
    p.bands = 64; /* no band misses these pairs: the search is the test's, not the blocking's */
    for (int i = 0; i < NEAR + 2; i++) {
        int e = i == NEAR + 1;
        rec(&r[2 * i], 0, 500 + (uint64_t)i, 1950 + i, 1 + i % 2);
        rec(&r[2 * i + 1], 1, 500 + (uint64_t)i, 1950 + i + e, 1 + i % 2);
        flip_random(r[2 * i + 1].clk, i < NEAR ? 100 : 200, 40 + (uint64_t)i);
        link_rec_finish(&r[2 * i + 1]);
    }
    double pb = prob(&r[2 * NEAR], &r[2 * NEAR + 1]), pe = prob(&r[2 * NEAR + 2], &r[2 * NEAR + 3]);
    ck_assert_msg(pb > 0.8 && pb < p.match && pe > 0.3 && pe < 0.45, "P of B %f, of E %f", pb, pe);
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    for (int i = 0; i <= NEAR; i++)
        ck_assert_msg(res.person[2 * i] == res.person[2 * i + 1], "person %d's two records not linked (P %f)", i,
                      prob(&r[2 * i], &r[2 * i + 1]));
    ck_assert_msg(res.person[2 * NEAR + 2] != res.person[2 * NEAR + 3], "E0 and E1, two people, P %f, linked", pe);
    ck_assert_int_eq(res.stats.persons, NEAR + 3);
    link_result_free(&res);
}
END_TEST

/* A free partner is never weighed under any record. The world above turned about: the second
 * source holds each of the 400 people it shares with the first twice (the two records one
 * identity key), and the first knows 1,600 people more. Records of the first are then mostly
 * free (tau 0.2) and the second's people mostly twice (d 0.9): as a likelihood ratio, a free
 * partner would weigh (1 - 0.9) / (1 - 0.2) = 0.125 of any record's odds. But d is measured on
 * the records the decision joined, and a record it left free is one that neither its partner
 * nor a twin pulled in: the 32 people known once at the second source, their pairs in doubt
 * (25 at P 0.86, 7 at P 0.55), are linked, weighed as any record (at 0.98 and 0.92; at 0.125,
 * 0.875 and 0.58), and the 1,600 known to the first alone are joined to no one. The truth is
 * the world's. */
START_TEST(test_last_records_search_never_weighs_a_free_partner_under_any)
{
    enum { PEOPLE = 400, NEAR = 24, FAR = 8, ALONE = 1600 };
    size_t n0;
    link_rec *r = blocking_world(PEOPLE + NEAR + FAR, (const int[2]){ALONE, 0}, &n0);
    size_t n = n0 + PEOPLE;
    r = realloc(r, n * sizeof *r);
    link_params p = params();
    p.bands = 64;
    for (int i = 0; i < PEOPLE + NEAR + FAR; i++) {
        link_rec_finish(&r[2 * i]);
        if (i < PEOPLE) { /* twice at the second source, one identity key on both records */
            link_rec *x = &r[n0 + (size_t)i], *o = &r[2 * i + 1];
            *x = *o;
            flip_random(x->clk, 3, 700 + (uint64_t)i);
            memset(o->ident, 0, 16);
            memcpy(o->ident, &i, sizeof i);
            memcpy(x->ident, o->ident, 16);
            o->flags |= LK_IDENT;
            x->flags |= LK_IDENT;
            link_rec_finish(x);
            continue;
        }
        double pr = doubt_pair(r, i, i < PEOPLE + NEAR ? 240 : 280);
        ck_assert_msg(pr > 0.5 && pr < p.match, "person %d's pair should be in doubt: P %f", i, pr);
    }
    link_result res;
    ck_assert_int_eq(link_run(r, n, &p, NULL, 0, NULL, NULL, &res), 0);
    assert_world_persons(&res, r, n, PEOPLE + NEAR + FAR, n0);
    ck_assert_msg(res.stats.last_edges >= FAR, "%llu links by the search", res.stats.last_edges);
    link_result_free(&res);
    free(r);
}
END_TEST

/* What the last records' search weighs besides a pair's own probability, in the world above
 * (400 people at two sources, 50 known to the second alone) and five more records whose truth
 * the test makes: Q's two records, their filters 220 bits apart (a pair in doubt, under the
 * match probability), which the search links, Q1 having no other plausible partner; unless an
 * outreach team said they are two people (a forbidden pair), then never. J's two records as
 * far apart, and at the first source T, who lives with J, a filter J0's with 10 bits changed:
 * J1 has two plausible partners and gets neither. R, at the second source, a relative of a
 * person K the bands find, in one household with K's record there, its filter as far from K's
 * at the first source: K is known there already, and the second source holds a fifth of its
 * people twice (100 of them, by an identity key), but not two of one household: R is not
 * joined to K. In a second world, where no source holds anyone twice, R lives apart and is not
 * joined to K either (and the forbidden pair is tried there). U0 and U1, two people, one at
 * each source, each other's least unlike record, in doubt (filters 320 bits apart): each may
 * have no partner at all, and they are not linked. */
START_TEST(test_last_records_search_weighs_rivals_and_households)
{
    enum { PEOPLE = 400, DUPS = 100, UNLIKE = 320 };
    /* K, R's relative: a person the bands bring together, so known at both sources already */
    uint32_t kk = 0;
    {
        size_t nb;
        link_rec *b = blocking_world(PEOPLE, (const int[2]){0, 50}, &nb);
        link_params p = blocking_params();
        p.last_search = -1;
        link_result res;
        ck_assert_int_eq(link_run(b, nb, &p, NULL, 0, NULL, NULL, &res), 0);
        while (kk < 200 && res.person[2 * kk] != res.person[2 * kk + 1])
            kk++;
        ck_assert_uint_lt(kk, 200);
        link_result_free(&res);
        free(b);
    }
    for (int forbid = 0; forbid < 2; forbid++) {
        size_t n0;
        link_rec *r = blocking_world(PEOPLE, (const int[2]){0, 50}, &n0);
        int dups = forbid ? 0 : DUPS;
        size_t n = n0 + 8 + (size_t)dups;
        r = realloc(r, n * sizeof *r);
        /* people 200 to 299 known twice at the second source, one identity key on both records */
        for (int d = 0; d < dups; d++) {
            link_rec *x = &r[n0 + 8 + d], *o = &r[2 * (200 + d) + 1];
            *x = *o;
            flip_random(x->clk, 3, 500 + (uint64_t)d);
            memset(o->ident, 1 + d, 16);
            memcpy(x->ident, o->ident, 16);
            o->flags |= LK_IDENT;
            x->flags |= LK_IDENT;
            link_rec_finish(x);
        }
        uint32_t q0 = (uint32_t)n0, q1 = q0 + 1, j0 = q0 + 2, j1 = q0 + 3, t = q0 + 4, rel = q0 + 5;
        uint32_t u0 = q0 + 6, u1 = q0 + 7;
        rec(&r[u0], 0, 900003, 1973, 1);
        snprintf(r[u0].commune, sizeof r[u0].commune, "33003");
        r[u1] = r[u0];
        r[u1].source = 1;
        flip_random(r[u1].clk, UNLIKE, 15);
        rec(&r[q0], 0, 900001, 1971, 1);
        rec(&r[j0], 0, 900002, 1972, 2);
        snprintf(r[q0].commune, sizeof r[q0].commune, "33001");
        snprintf(r[j0].commune, sizeof r[j0].commune, "33002");
        r[q1] = r[q0];
        r[q1].source = 1;
        flip_random(r[q1].clk, 240, 11);
        r[j1] = r[j0];
        r[j1].source = 1;
        flip_random(r[j1].clk, 240, 12);
        r[t] = r[j0];
        flip_random(r[t].clk, 10, 13);
        r[rel] = r[2 * kk];
        r[rel].source = 1;
        flip_random(r[rel].clk, 240, 14);
        if (!forbid) /* in the world without duplicates, R lives apart */
            r[2 * kk + 1].household = r[rel].household = 77;
        r[j0].household = r[t].household = 88; /* J and T live together: two people */
        for (size_t i = n0; i < n; i++)
            link_rec_finish(&r[i]);
        link_params p = blocking_params();
        double pq = prob(&r[q0], &r[q1]), pj = prob(&r[j0], &r[j1]), pt = prob(&r[t], &r[j1]);
        double pr = prob(&r[2 * kk], &r[rel]), pu = prob(&r[u0], &r[u1]);
        ck_assert_msg(pu > 0.01 && pu < 0.4, "U0 and U1 should look unlike: P %f", pu);
        ck_assert_msg(pq > 0.5 && pq < p.match && pj > 0.5 && pj < p.match && pt > 0.5 && pt < p.match &&
                          pr > 0.5 && pr < p.match,
                      "the pairs should be in doubt: Q %f, J %f, T-J1 %f, R %f", pq, pj, pt, pr);
        uint64_t forbidden[] = {(uint64_t)q0 << 32 | q1};
        link_result res;
        ck_assert_int_eq(link_run(r, n, &p, forbid ? forbidden : NULL, forbid ? 1 : 0, NULL, NULL, &res), 0);
        ck_assert_msg(pairs_linked(&res, PEOPLE) >= 0.99, "recall %f", pairs_linked(&res, PEOPLE));
        if (forbid)
            ck_assert_msg(res.person[q0] != res.person[q1], "a pair said to be two people linked by the search");
        else
            ck_assert_msg(res.person[q0] == res.person[q1], "Q1's only plausible partner, P %f, not linked", pq);
        ck_assert_msg(res.person[j1] != res.person[j0] && res.person[j1] != res.person[t],
                      "J1, with two plausible partners, linked to one (%u: J0 %u, T %u)", res.person[j1],
                      res.person[j0], res.person[t]);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(i == rel || res.person[i] != res.person[rel], "R, a relative, joined to record %zu", i);
        ck_assert_msg(res.person[u0] != res.person[u1], "U0 and U1, each the other's least unlike, P %f, linked", pu);
        link_result_free(&res);
        free(r);
    }
}
END_TEST

/* The Dice of two records, left with their clear fields' bits out: what their names say.
 * Filters made as the contract makes them, from tokens: the name's (25 bigrams of 24 bits,
 * drawn from a vocabulary of 400, so strangers share some), the commune's five characters
 * at their places (16 bits each), the birth year's four digits at theirs (25 each) and the
 * sex (30). The platform holds the commune, year and sex in clear; strangers who share them
 * share their 210 insertions. Each of 300 people has a record at two sources, the second with
 * 6 of its 25 name tokens changed. The truth is the Dice of the name bits alone, which the
 * test knows from how it made the filters: the run's Dice must agree with it, among
 * strangers of one commune, year and sex (where the whole filters' stands well above) and of
 * two communes (both records' commune bits out, not only the shared ones'); and each pair the
 * fuzzy stage weighed (its links and possible links) must carry the probability of that Dice. */
START_TEST(test_dice_leaves_the_clear_fields_out)
{
    enum { N = CLEAR_N };
    static uint64_t names[N][16];
    link_rec *r = clear_territory(names);
    link_params p = params();
    p.last_search = -1; /* its links carry their pattern's probability, not a partner's chosen as one */
    link_result res;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
    /* strangers: [0] of one commune, year and sex, [1] of two communes */
    double run[2] = {0}, whole[2] = {0}, truth[2] = {0};
    int pairs[2] = {0};
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            int same = memcmp(r[i].commune, r[j].commune, 6) == 0;
            int kind = same && r[i].birth_year == r[j].birth_year && r[i].sex == r[j].sex ? 0 : !same ? 1 : -1;
            if (i / 2 == j / 2 || kind < 0)
                continue;
            link_rec a = {0}, b = {0};
            memcpy(a.clk, names[i], sizeof a.clk);
            memcpy(b.clk, names[j], sizeof b.clk);
            link_rec_finish(&a);
            link_rec_finish(&b);
            truth[kind] += link_score(&a, &b);
            run[kind] += link_score_in(&res, &r[i], &r[j]);
            whole[kind] += link_score(&r[i], &r[j]);
            pairs[kind]++;
        }
    for (int k = 0; k < 2; k++) {
        ck_assert_int_ge(pairs[k], 100);
        run[k] /= pairs[k], whole[k] /= pairs[k], truth[k] /= pairs[k];
        ck_assert_msg(fabs(run[k] - truth[k]) < 0.01, "strangers %s: the run's Dice %.3f, the names' %.3f",
                      k ? "of two communes" : "of one commune, year and sex", run[k], truth[k]);
    }
    ck_assert_msg(whole[0] - truth[0] > 0.05, "the whole filters' Dice %.3f, the names' %.3f: the test's "
                  "clear fields should weigh", whole[0], truth[0]);
    /* the pairs the fuzzy stage weighed: the probability of the Dice above */
    int weighed = 0;
    for (int set = 0; set < 2; set++) {
        const link_edge *e = set ? res.possible : res.edges;
        size_t ne = set ? res.npossible : res.nedges;
        for (size_t x = 0; x < ne; x++) {
            if (e[x].method != LM_CLK)
                continue;
            fs_vec v;
            link_compare_in(&res, &r[e[x].a], &r[e[x].b], &v);
            double want = fs_probability(&res.model.fs, &v);
            ck_assert_msg(fabs(e[x].score - want) < 1e-5, "pair %u-%u weighed %f, its Dice says %f", e[x].a,
                          e[x].b, e[x].score, want);
            weighed++;
        }
    }
    ck_assert_msg(weighed >= N / 2 * 9 / 10, "%d pairs weighed by their filters", weighed);
    link_result_free(&res);
    free(r);
}
END_TEST

/* The model estimated on a sample weighs the Dice the run weighs: the sample's records are
 * copies, and their masks must follow them. The same territory, a NIR at both sources for
 * each person, the model learned from its own data on all its records and on a sample of
 * half: the strangers' u of the Dice, measured on the candidates born apart, must sit in the
 * same bands (mean level 0.008 and 0.024; the sample's filters whole, 1.66). */
START_TEST(test_the_sample_weighs_the_runs_dice)
{
    enum { N = CLEAR_N };
    static uint64_t names[N][16];
    link_rec *r = clear_territory(names);
    for (int i = 0; i < N; i++) {
        int person = i / 2;
        memcpy(r[i].nir, &person, sizeof person);
        r[i].flags |= LK_NIR;
    }
    double mean[2];
    for (int sampled = 0; sampled < 2; sampled++) {
        link_params p = params();
        p.model = NULL;
        p.bits = 10; /* short bands: thousands of strangers among the candidates */
        p.sample = sampled ? N / 2 : N;
        link_result res;
        ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &res), 0);
        ck_assert_msg(res.model.u_from_candidates, "u from the candidates born apart (%zu sampled records)",
                      res.model.sample_records);
        ck_assert_msg(sampled ? res.model.sample_records < N * 2 / 3 : res.model.sample_records == N,
                      "%zu records sampled", res.model.sample_records);
        mean[sampled] = 0;
        for (int l = 0; l < link_fs_nlevels[LC_DICE]; l++)
            mean[sampled] += l * res.model.fs.u[LC_DICE][l];
        link_result_free(&res);
    }
    ck_assert_msg(fabs(mean[0] - mean[1]) < 0.5, "the strangers' Dice level: %.2f on all records, %.2f on a sample",
                  mean[0], mean[1]);
    free(r);
}
END_TEST

Suite *suite_link(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_exact_links);
    tcase_add_test(tc, test_fuzzy_link_and_relatives);
    tcase_add_test(tc, test_birth_year_tells_father_from_son);
    tcase_add_test(tc, test_possible_links);
    tcase_add_test(tc, test_one_sided_best_needs_to_be_alone);
    tcase_add_test(tc, test_sex_tells_twins_apart);
    tcase_add_test(tc, test_mutual_best_whatever_the_order);
    tcase_add_test(tc, test_estimated_quality);
    tcase_add_test(tc, test_estimated_quality_counts_a_key_groups_pairs);
    tcase_add_test(tc, test_estimated_recall_counts_blocking_misses);
    tcase_add_test(tc, test_last_records_search_finds_what_the_bands_missed);
    tcase_add_test(tc, test_last_records_search_weighs_rivals_and_households);
    tcase_add_test(tc, test_last_records_search_weighs_who_is_free);
    tcase_add_test(tc, test_last_records_search_counts_a_pairs_evidence_once);
    tcase_add_test(tc, test_last_records_search_never_weighs_a_free_partner_under_any);
    tcase_add_test(tc, test_estimated_recall_counts_the_misses_no_pair_found_stands_for);
    tcase_add_test(tc, test_estimated_recall_counts_the_misses_kind_by_kind_of_date);
    tcase_add_test(tc, test_a_model_learned_from_the_nir_is_kept_under_the_bar);
    tcase_add_test(tc, test_estimated_recall_pairs_under_the_floor);
    tcase_add_test(tc, test_estimated_recall_sample_is_one_whatever_the_threads);
    tcase_add_test(tc, test_one_household_one_source_two_people);
    tcase_add_test(tc, test_forbidden_pair);
    tcase_add_test(tc, test_same_source_needs_more);
    tcase_add_test(tc, test_threads_and_runs_do_not_change_the_result);
    tcase_add_test(tc, test_pext_and_bits_give_the_same_links);
    tcase_add_test(tc, test_pattern_ids_agree_with_the_vectors);
    tcase_add_test(tc, test_estimated_model_links_the_territory);
    tcase_add_test(tc, test_nothing_to_estimate_from);
    tcase_add_test(tc, test_namesakes_born_the_same_day);
    tcase_add_test(tc, test_pairs_kept_apart_whatever_the_order);
    tcase_add_loop_test(tc, test_namesakes_counted_from_pairs_of_two_nirs, 0, 4);
    tcase_add_test(tc, test_em_finds_the_rates_records_were_made_with);
    tcase_add_test(tc, test_pairs_born_the_same_day_weigh_sex_and_commune_against_strangers);
    tcase_add_test(tc, test_nir_m_and_the_same_model_whatever_the_order);
    tcase_add_test(tc, test_bad_parameters);
    tcase_add_test(tc, test_why_said_in_french);
    tcase_add_test(tc, test_comparison_levels);
    tcase_add_test(tc, test_dice_leaves_the_clear_fields_out);
    tcase_add_test(tc, test_the_sample_weighs_the_runs_dice);
    tcase_add_test(tc, test_retired_settings);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
