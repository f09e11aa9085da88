/* link: the linkage core on hand-made records (the end-to-end suites drive it through the
 * database; these check its rules one by one, and that threads do not change the result). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

Suite *suite_link(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_exact_links);
    tcase_add_test(tc, test_fuzzy_link_and_penalties);
    tcase_add_test(tc, test_forbidden_pair);
    tcase_add_test(tc, test_same_source_needs_more);
    tcase_add_test(tc, test_threads_do_not_change_the_result);
    tcase_add_test(tc, test_bad_parameters);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
