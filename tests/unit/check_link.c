/* link: the linkage core on hand-made records (the end-to-end suites drive it through the
 * database; these check its rules one by one, and that threads do not change the result). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "link.h"
#include "testutil.h"

static link_params params(void)
{
    link_params p = {.threshold = 0.88, .grey_low = 0.80, .margin = 0.05, .same_source = 0.92,
                     .year_penalty = 0.10, .sex_penalty = 0.25, .bands = 16, .bits = 12,
                     .block_max = 2000, .threads = 1};
    return p;
}

/* A pseudo-random filter of about 60 % density from SEED. */
static void filter(uint64_t *f, uint64_t seed)
{
    for (int i = 0; i < 16; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        f[i] = (z ^ (z >> 31)) | ((z * 7) & 0x5555555555555555ULL);
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

START_TEST(test_fuzzy_link_and_penalties)
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
    ck_assert_ptr_null(find(&res, 0, 2));
    ck_assert_ptr_null(find(&res, 0, 3));
    ck_assert_int_eq(res.stats.persons, 3);
    link_result_free(&res);
}
END_TEST

/* A father and his son of the same name at the same address (Jean MARTIN, 1950 and 1975): their
 * filters differ only by the date of birth, a Dice of about 0.93, as high as a person and a copy
 * of them with a few typos (docs/linking.md, "Score"). Only the birth year tells them apart:
 * two people, kept as a possible link for review, never linked. The same pair born the same
 * year is one person with typos, and links. */
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
    ck_assert_msg(dice >= p.threshold + 0.03 && dice - p.year_penalty >= p.grey_low &&
                      dice - p.year_penalty < p.threshold - 0.03,
                  "the pair must score above the threshold on its filters alone, and in the grey zone once the "
                  "birth years differ: Dice %f", dice);
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) == NULL, "father (1950) and son (1975) linked as one person");
    ck_assert_int_eq(res.stats.persons, 2);
    const link_edge *e = find_possible(&res, 0, 1);
    ck_assert_msg(e != NULL, "the pair should be kept as a possible link, for review");
    ck_assert_msg(e->score > dice - p.year_penalty - 0.001 && e->score < dice - p.year_penalty + 0.001,
                  "the possible link's score %f should be the Dice %f less the year penalty %f", e->score, dice,
                  p.year_penalty);
    link_result_free(&res);

    /* born the same year: one person whose date was mistyped */
    r[1].birth_year = 1950;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) != NULL, "the same records born the same year should link");
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
}
END_TEST

/* Twins, Louis and Louise, born the same day at the same address: their filters differ by a
 * letter (Dice about 0.98), only the sex tells them apart. With the default sex_penalty (0.25)
 * no pair of two sexes can reach the grey zone; a département that lowers it to 0.15 still
 * gets 0.83 for them: a possible link for review, never one person. */
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
    ck_assert_msg(find(&res, 0, 1) == NULL, "Louis and Louise linked as one person (default sex_penalty)");
    ck_assert_int_eq(res.stats.persons, 2);
    link_result_free(&res);

    p.sex_penalty = 0.15;
    ck_assert_msg(dice - p.sex_penalty >= p.grey_low && dice - p.sex_penalty < p.threshold,
                  "with sex_penalty 0.15 the pair must fall in the grey zone: Dice %f", dice);
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) == NULL, "Louis and Louise linked as one person (sex_penalty 0.15)");
    ck_assert_int_eq(res.stats.persons, 2);
    const link_edge *e = find_possible(&res, 0, 1);
    ck_assert_msg(e != NULL && e->score < p.threshold, "the twins should be a possible link, for review");
    link_result_free(&res);

    /* the same records of one sex: one person with a typo */
    r[1].sex = 1;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 1) != NULL, "the same records of one sex should link");
    link_result_free(&res);
}
END_TEST

/* A record whose true partner is absent from the other source must not grab the least unlike
 * stranger there (docs/linking.md, "Decision"). A (CAF) has no record at the landlord's; the
 * landlord has B1, the record of A2 (A's namesake at the CAF, B1's mutual best), and B2, a
 * relative of theirs. A's best at the landlord's is B1 at 0.897, only 0.04 ahead of B2: one-sided
 * and not clear of the next best by the 0.05 margin, so A links to nobody. All four share one
 * k_dob (dob_bonus 0), so every pair is compared whatever the LSH draws. */
START_TEST(test_one_sided_best_needs_a_margin)
{
    link_rec r[4];
    rec(&r[0], 0, 42, 1950, 1); /* A, CAF */
    flip(r[0].clk, 120, 7);
    link_rec_finish(&r[0]);
    rec(&r[1], 0, 42, 1950, 1); /* A2, CAF */
    rec(&r[2], 1, 42, 1950, 1); /* B1, landlord: A2 with a typo */
    flip(r[2].clk, 10, 3);
    link_rec_finish(&r[2]);
    rec(&r[3], 1, 42, 1950, 1); /* B2, landlord */
    flip(r[3].clk, 60, 11);
    link_rec_finish(&r[3]);
    for (int i = 0; i < 4; i++) {
        memset(r[i].dob, 3, 16);
        r[i].flags |= LK_DOB;
    }
    link_params p = params();
    double ab1 = link_score(&r[0], &r[2]), ab2 = link_score(&r[0], &r[3]), aa2 = link_score(&r[0], &r[1]);
    double a2b1 = link_score(&r[1], &r[2]);
    ck_assert_msg(ab1 >= p.threshold && ab1 - ab2 > 0 && ab1 - ab2 < p.margin - 0.005,
                  "A's best at the landlord's must pass the threshold and lead its next by less than the margin: "
                  "A-B1 %f, A-B2 %f", ab1, ab2);
    ck_assert_msg(a2b1 > ab1 && aa2 < p.same_source, "B1's best at the CAF must be A2 (%f, A %f), and A, A2 not "
                  "duplicates (%f)", a2b1, ab1, aa2);
    link_result res;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    for (size_t i = 0; i < res.nedges; i++)
        ck_assert_msg(res.edges[i].a != 0 && res.edges[i].b != 0, "A linked to record %u (score %f): the least "
                      "unlike stranger was taken for its partner", res.edges[i].b, res.edges[i].score);
    ck_assert_msg(find(&res, 1, 2) != NULL, "A2 and B1, mutual best partners, should link");
    for (uint32_t i = 1; i < 4; i++)
        ck_assert_uint_ne(res.person[i], res.person[0]);
    link_result_free(&res);

    /* without a margin the one-sided best would be taken: the setting is what keeps A apart */
    p.margin = 0;
    ck_assert_int_eq(link_run(r, 4, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(find(&res, 0, 2) != NULL, "with margin 0, A's one-sided best B1 links");
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
    double s = link_score(&r[0], &r[1]);
    link_params p = params();
    link_result res;
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_msg(s >= p.threshold && s < p.same_source, "the pair must sit between the thresholds: %f", s);
    ck_assert_int_eq(res.stats.persons, 2);
    p.same_source = p.threshold;
    link_result_free(&res);
    ck_assert_int_eq(link_run(r, 2, &p, NULL, 0, NULL, NULL, &res), 0);
    ck_assert_int_eq(res.stats.persons, 1);
    link_result_free(&res);
}
END_TEST

START_TEST(test_threads_do_not_change_the_result)
{
    enum { N = 3000 };
    link_rec *r = calloc(N, sizeof *r);
    for (int i = 0; i < N; i++) {
        rec(&r[i], i % 3, (uint64_t)(i / 3), 1930 + i % 70, 1 + i % 2);
        if (i % 3 == 2) {
            flip(r[i].clk, 5 + i % 20, i);
            link_rec_finish(&r[i]);
        }
    }
    link_params p = params();
    p.bits = 0;
    link_result a, b;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &a), 0);
    p.threads = 2;
    ck_assert_int_eq(link_run(r, N, &p, NULL, 0, NULL, NULL, &b), 0);
    ck_assert_uint_eq(a.nedges, b.nedges);
    ck_assert_uint_eq(a.npossible, b.npossible);
    for (size_t i = 0; i < a.nedges; i++) /* field by field: the struct has padding */
        ck_assert_msg(a.edges[i].a == b.edges[i].a && a.edges[i].b == b.edges[i].b &&
                          a.edges[i].method == b.edges[i].method && a.edges[i].score == b.edges[i].score,
                      "edge %zu differs", i);
    ck_assert(memcmp(a.person, b.person, N * sizeof *a.person) == 0);
    ck_assert_uint_eq(a.stats.comparisons, b.stats.comparisons);
    ck_assert_int_gt((int)a.stats.clk_edges, 0);
    link_result_free(&a);
    link_result_free(&b);
    free(r);
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
    p.grey_low = 0.95;
    ck_assert_int_eq(link_run(r, 1, &p, NULL, 0, NULL, NULL, &res), -1);
}
END_TEST

/* The comparison levels of the Fellegi-Sunter model, on pairs whose answer is known by
 * construction: the same filter (Dice 1), a filter with flipped bits, a stranger's. */
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
    ck_assert_int_eq(v.level[LC_DICE], 6);    /* the same filter: Dice 1 */
    ck_assert_int_eq(v.level[LC_BIRTH], 3);   /* the same k_dob, whatever the years say */
    ck_assert_int_eq(v.level[LC_SEX], 0);
    ck_assert_int_eq(v.level[LC_COMMUNE], 0);
    ck_assert_int_eq(v.level[LC_NIR], FS_NULL); /* neither has a NIR */
    ck_assert_int_eq(v.level[LC_IDENT], 1);   /* k_ident against k_ident_alt */
    b.flags &= ~LK_DOB;
    link_compare(&a, &b, &v);
    ck_assert_int_eq(v.level[LC_BIRTH], 1);   /* no date of birth to compare: one year apart */
    link_compare(&a, &c, &v);
    ck_assert_int_eq(v.level[LC_BIRTH], 0);   /* thirty years apart */
    ck_assert_int_eq(v.level[LC_SEX], FS_NULL); /* c's sex unknown */
    ck_assert_int_eq(v.level[LC_COMMUNE], FS_NULL);
    ck_assert_int_eq(v.level[LC_IDENT], FS_NULL);
    /* a stranger's filter of about 60 %: Dice near 0.6, one of the two lowest bands */
    ck_assert_int_le(v.level[LC_DICE], 1);
    /* bits flipped: Dice falls band by band */
    link_rec d = a;
    flip(d.clk, 200, 3);
    link_rec_finish(&d);
    link_compare(&a, &d, &v);
    double dice = link_score(&a, &d);
    int want = dice >= 0.95 ? 6 : dice >= 0.90 ? 5 : dice >= 0.84 ? 4 : dice >= 0.78 ? 3 : dice >= 0.70 ? 2
             : dice >= 0.62 ? 1 : 0;
    ck_assert_int_eq(v.level[LC_DICE], want);
    ck_assert_int_lt(want, 6);
}
END_TEST

Suite *suite_link(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_exact_links);
    tcase_add_test(tc, test_fuzzy_link_and_penalties);
    tcase_add_test(tc, test_birth_year_tells_father_from_son);
    tcase_add_test(tc, test_one_sided_best_needs_a_margin);
    tcase_add_test(tc, test_sex_tells_twins_apart);
    tcase_add_test(tc, test_forbidden_pair);
    tcase_add_test(tc, test_same_source_needs_more);
    tcase_add_test(tc, test_threads_do_not_change_the_result);
    tcase_add_test(tc, test_bad_parameters);
    tcase_add_test(tc, test_comparison_levels);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
