/* fs: the Fellegi-Sunter model. The pairs are drawn from a model whose m, u and lambda the test
 * sets (the world), and the estimation must find them again from the levels alone. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "testutil.h"

/* The model the pairs come from: a CLK Dice in four bands, equal k_dob, the birth years
 * (different, one apart, equal) and the sexes (unknown for one pair in ten). */
enum { NCOMP = 4 };
static const int NLEVELS[NCOMP] = {4, 2, 3, 2};
static const double TRUE_M[NCOMP][4] = {
    {0.02, 0.05, 0.13, 0.80}, {0.10, 0.90}, {0.03, 0.05, 0.92}, {0.01, 0.99}};
static const double TRUE_U[NCOMP][4] = {
    {0.70, 0.20, 0.08, 0.02}, {0.97, 0.03}, {0.85, 0.10, 0.05}, {0.50, 0.50}};
#define TRUE_LAMBDA 0.05

static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static int draw(const double *d, int n)
{
    double x = uniform(), c = 0;
    for (int l = 0; l < n; l++)
        if (x < (c += d[l]))
            return l;
    return n - 1;
}

/* One pair: a match with probability LAMBDA; its levels drawn from m or u. */
static void pair(fs_vec *v, double lambda)
{
    int match = uniform() < lambda;
    memset(v, 0, sizeof *v);
    for (int k = 0; k < NCOMP; k++)
        v->level[k] = (int8_t)draw(match ? TRUE_M[k] : TRUE_U[k], NLEVELS[k]);
    if (uniform() < 0.1)
        v->level[3] = FS_NULL;
}

/* N pairs drawn with a share LAMBDA of matches, counted by pattern into P. */
static void draw_pairs(fs_patterns *p, int n, double lambda)
{
    fs_vec v;
    for (int i = 0; i < n; i++) {
        pair(&v, lambda);
        fs_patterns_add(p, &v, 1);
    }
}

static void estimate(fs_model *m, uint64_t seed, enum fs_em_status *st)
{
    rng_state = seed;
    fs_patterns random_pairs, candidates;
    fs_patterns_init(&random_pairs);
    fs_patterns_init(&candidates);
    draw_pairs(&random_pairs, 200000, 0.001); /* random pairs: one in a thousand the same person */
    draw_pairs(&candidates, 400000, TRUE_LAMBDA);
    ck_assert_int_eq(fs_model_init(m, NCOMP, NLEVELS), 0);
    ck_assert_int_eq(fs_estimate_u(m, &random_pairs), NCOMP);
    *st = fs_em(m, &candidates, 200, 1e-7);
    fs_patterns_free(&random_pairs);
    fs_patterns_free(&candidates);
}

START_TEST(test_em_recovers_the_model)
{
    fs_model m;
    enum fs_em_status st;
    estimate(&m, 42, &st);
    ck_assert_msg(st == FS_CONVERGED, "EM: %s after %d iterations", fs_em_status_text(st), m.iterations);
    ck_assert_msg(fabs(m.lambda - TRUE_LAMBDA) < 0.003, "lambda %.4f, true %.4f", m.lambda, TRUE_LAMBDA);
    for (int k = 0; k < NCOMP; k++)
        for (int l = 0; l < NLEVELS[k]; l++) {
            ck_assert_msg(fabs(m.m[k][l] - TRUE_M[k][l]) < 0.015, "m[%d][%d] %.4f, true %.4f", k, l, m.m[k][l],
                          TRUE_M[k][l]);
            ck_assert_msg(fabs(m.u[k][l] - TRUE_U[k][l]) < 0.01, "u[%d][%d] %.4f, true %.4f", k, l, m.u[k][l],
                          TRUE_U[k][l]);
        }
}
END_TEST

START_TEST(test_same_data_same_model)
{
    fs_model a, b;
    enum fs_em_status sa, sb;
    estimate(&a, 7, &sa);
    estimate(&b, 7, &sb);
    ck_assert_int_eq(sa, sb);
    ck_assert_int_eq(a.iterations, b.iterations);
    ck_assert(memcmp(a.m, b.m, sizeof a.m) == 0 && memcmp(a.u, b.u, sizeof a.u) == 0 && a.lambda == b.lambda);
}
END_TEST

/* M with the true m and u (lambda left at its start, 0.01). */
static void true_model(fs_model *m)
{
    ck_assert_int_eq(fs_model_init(m, NCOMP, NLEVELS), 0);
    for (int k = 0; k < NCOMP; k++)
        for (int l = 0; l < NLEVELS[k]; l++) {
            m->m[k][l] = TRUE_M[k][l];
            m->u[k][l] = TRUE_U[k][l];
        }
}

START_TEST(test_weights_and_probabilities)
{
    fs_model m;
    true_model(&m);
    m.lambda = TRUE_LAMBDA;
    /* a level's weight: log2(m / u), by hand for the top Dice band: log2(0.80 / 0.02) */
    ck_assert(fabs(fs_level_weight(&m, 0, 3) - log2(40.0)) < 1e-12);
    fs_vec top = {{3, 1, 2, 1}}, bottom = {{0, 0, 0, 0}}, unknown_sex = {{3, 1, 2, FS_NULL}};
    double wt = log2(0.80 / 0.02) + log2(0.90 / 0.03) + log2(0.92 / 0.05) + log2(0.99 / 0.50);
    ck_assert(fabs(fs_weight(&m, &top) - wt) < 1e-9);
    /* P = lambda B / (lambda B + 1 - lambda) */
    double b = pow(2.0, wt), p = TRUE_LAMBDA * b / (TRUE_LAMBDA * b + 1 - TRUE_LAMBDA);
    ck_assert(fabs(fs_probability(&m, &top) - p) < 1e-12);
    ck_assert(fs_probability(&m, &top) > 0.99);
    ck_assert(fs_probability(&m, &bottom) < 1e-4);
    /* an unknown level carries no evidence either way */
    ck_assert(fabs(fs_weight(&m, &unknown_sex) - (wt - log2(0.99 / 0.50))) < 1e-9);
}
END_TEST

START_TEST(test_nothing_to_learn_from)
{
    fs_model m;
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    fs_patterns p;
    fs_patterns_init(&p);
    ck_assert_int_eq(fs_em(&m, &p, 100, 1e-6), FS_NO_PAIRS);
    /* only exact links: every candidate pair alike */
    fs_vec v = {{3, 1, 2, 1}};
    fs_patterns_add(&p, &v, 1);
    fs_patterns_add(&p, &v, 1);
    ck_assert_uint_eq(p.n, 1);
    ck_assert(p.count[0] == 2);
    ck_assert_int_eq(fs_em(&m, &p, 100, 1e-6), FS_ONE_PATTERN);
    ck_assert_ptr_nonnull(strstr(fs_em_status_text(FS_ONE_PATTERN), "cannot be told"));
    fs_patterns_free(&p);
    int bad[1] = {1};
    ck_assert_int_eq(fs_model_init(&m, 1, bad), -1);
    /* a field no source sends weighs nothing */
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    fs_patterns_init(&p);
    fs_vec nosex = {{3, 1, 2, FS_NULL}}, other = {{0, 0, 0, FS_NULL}};
    fs_patterns_add(&p, &nosex, 1);
    fs_patterns_add(&p, &other, 9);
    ck_assert_int_eq(fs_estimate_u(&m, &p), NCOMP - 1);
    ck_assert(m.absent[3]);
    ck_assert(fs_level_weight(&m, 3, 0) == 0 && fs_level_weight(&m, 3, 1) == 0);
    fs_patterns_free(&p);
}
END_TEST

START_TEST(test_patterns_grow)
{
    fs_patterns p;
    fs_patterns_init(&p);
    fs_vec v;
    memset(&v, 0, sizeof v);
    for (int i = 0; i < 8 * 8 * 8 * 8; i++) {
        for (int k = 0; k < 4; k++)
            v.level[k] = (int8_t)((i >> (3 * k)) & 7);
        fs_patterns_add(&p, &v, 1);
        fs_patterns_add(&p, &v, 0.5);
    }
    ck_assert_uint_eq(p.n, 4096);
    for (size_t i = 0; i < p.n; i++)
        ck_assert(p.count[i] == 1.5);
    fs_patterns_free(&p);
}
END_TEST

START_TEST(test_em_lambda_alone)
{
    /* m and u known (as when m comes from pairs a key joins): EM finds lambda alone */
    rng_state = 3;
    fs_patterns candidates;
    fs_patterns_init(&candidates);
    draw_pairs(&candidates, 300000, TRUE_LAMBDA);
    fs_model m;
    true_model(&m);
    enum fs_em_status st = fs_em_lambda(&m, &candidates, 200, 1e-9);
    ck_assert_msg(st == FS_CONVERGED, "%s", fs_em_status_text(st));
    ck_assert_msg(fabs(m.lambda - TRUE_LAMBDA) < 0.002, "lambda %.4f, true %.4f", m.lambda, TRUE_LAMBDA);
    ck_assert(m.m[0][3] == TRUE_M[0][3]); /* m untouched */
    fs_patterns_free(&candidates);
}
END_TEST

/* u held free for one comparison: started uniform, EM finds it again from the candidates'
 * non-match weights (what the linkage does for the CLK's u without a NIR). */
START_TEST(test_em_frees_one_u)
{
    rng_state = 11;
    fs_patterns random_pairs, candidates;
    fs_patterns_init(&random_pairs);
    fs_patterns_init(&candidates);
    draw_pairs(&random_pairs, 200000, 0.001);
    draw_pairs(&candidates, 400000, TRUE_LAMBDA);
    fs_model m;
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    fs_estimate_u(&m, &random_pairs);
    for (int l = 0; l < NLEVELS[0]; l++)
        m.u[0][l] = 1.0 / NLEVELS[0];
    m.u_free[0] = 1;
    enum fs_em_status st = fs_em(&m, &candidates, 500, 1e-7);
    ck_assert_msg(st == FS_CONVERGED, "EM: %s", fs_em_status_text(st));
    for (int l = 0; l < NLEVELS[0]; l++)
        ck_assert_msg(fabs(m.u[0][l] - TRUE_U[0][l]) < 0.01, "u[0][%d] %.4f, true %.4f", l, m.u[0][l], TRUE_U[0][l]);
    ck_assert_msg(fabs(m.lambda - TRUE_LAMBDA) < 0.005, "lambda %.4f", m.lambda);
    fs_patterns_free(&random_pairs);
    fs_patterns_free(&candidates);
}
END_TEST

/* An ordinal comparison whose estimate puts more weight on a less alike level (level 1 over
 * level 2) is brought into order by pooling the two: both get the ratio (m1 + m2) / (u1 + u2),
 * the pair keeps its share of m, and the levels in order keep their m exactly. */
START_TEST(test_monotone_weights)
{
    fs_model m;
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    const double mm[4] = {0.02, 0.30, 0.08, 0.60}, uu[4] = {0.70, 0.20, 0.08, 0.02};
    memcpy(m.m[0], mm, sizeof mm);
    memcpy(m.u[0], uu, sizeof uu);
    fs_monotone(&m, 0);
    double sum = 0;
    for (int l = 0; l < 4; l++)
        sum += m.m[0][l];
    ck_assert_msg(fabs(sum - 1) < 1e-9, "m sums to %f", sum);
    for (int l = 0; l + 1 < 4; l++)
        ck_assert_msg(fs_level_weight(&m, 0, l) <= fs_level_weight(&m, 0, l + 1) + 1e-9, "weight %d %f > %d %f", l,
                      fs_level_weight(&m, 0, l), l + 1, fs_level_weight(&m, 0, l + 1));
    const double pooled = (0.30 + 0.08) / (0.20 + 0.08);
    ck_assert_msg(fabs(m.m[0][1] / m.u[0][1] - pooled) < 1e-9, "level 1 m/u %f, pooled %f", m.m[0][1] / m.u[0][1],
                  pooled);
    ck_assert(fabs(m.m[0][2] / m.u[0][2] - pooled) < 1e-9);
    ck_assert(fabs(m.m[0][0] - 0.02) < 1e-9 && fabs(m.m[0][3] - 0.60) < 1e-9);
}
END_TEST

/* A sparse upper level must not crush a well-observed lower one. Dates of birth mistyped by
 * years (7 % of the matches, as in FEBRL) against almost no match a year apart: the two
 * levels out of order are pooled, so "born years apart" keeps about the weight its own pairs
 * give it, log2(0.0701 / 0.993), instead of being brought down to the sparse level's
 * log2(0.0001 / 0.023), which would keep every such match apart. */
START_TEST(test_monotone_sparse_level)
{
    fs_model m;
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    const double mm[4] = {0.07, 0.0001, 0.0099, 0.92}, uu[4] = {0.970, 0.023, 0.006, 0.001};
    memcpy(m.m[0], mm, sizeof mm);
    memcpy(m.u[0], uu, sizeof uu);
    fs_monotone(&m, 0);
    double w0 = fs_level_weight(&m, 0, 0), want = log2((0.07 + 0.0001) / (0.970 + 0.023));
    ck_assert_msg(fabs(w0 - want) < 0.01, "born years apart weighs %.2f, want %.2f", w0, want);
    ck_assert(fs_level_weight(&m, 0, 1) >= w0 - 1e-9);
}
END_TEST

/* A u over bands of a score is kept log-concave above its mode: level 0 is no band; bands 1-4
 * are 0.1 wide, band 5 is 0.2 wide. Densities (u / width) 1, 3, 0.9, 0.27, then 0.25: from
 * the mode (band 2) the density falls by 0.3 a band, but band 5 (centre 0.15 above band 4's,
 * 1.5 bands) would fall by 0.926 only. It is brought to band 4's rate, 0.3 per 0.1:
 * 0.27 * 0.3^1.5 * 0.2 wide. The bands under the mode and those falling fast enough keep
 * their ratios, and u is normalised again; a comparison without bands is left as it is. */
START_TEST(test_u_log_concave_above_its_mode)
{
    fs_model m;
    const int nl[2] = {6, 6};
    ck_assert_int_eq(fs_model_init(&m, 2, nl), 0);
    const double u[6] = {0.4, 0.1, 0.3, 0.09, 0.027, 0.05}, w[6] = {0, 0.1, 0.1, 0.1, 0.1, 0.2};
    for (int k = 0; k < 2; k++)
        memcpy(m.u[k], u, sizeof u);
    for (int l = 1; l < 6; l++) {
        m.band_width[0][l] = w[l];
        m.band_centre[0][l] = l < 5 ? 0.6 + 0.1 * l : 1.15;
    }
    fs_u_log_concave(&m, 0);
    fs_u_log_concave(&m, 1);
    const double want5 = 0.27 * pow(0.3, 1.5) * 0.2, sum = 0.4 + 0.1 + 0.3 + 0.09 + 0.027 + want5;
    for (int l = 0; l < 5; l++)
        ck_assert_msg(fabs(m.u[0][l] - u[l] / sum) < 1e-12, "band %d: %g, want %g", l, m.u[0][l], u[l] / sum);
    ck_assert_msg(fabs(m.u[0][5] - want5 / sum) < 1e-12, "band 5: %.9f, want %.9f", m.u[0][5], want5 / sum);
    ck_assert(memcmp(m.u[1], u, sizeof u) == 0);
    /* a tail that falls faster and faster keeps its shape */
    const double fast[6] = {0.4, 0.1, 0.3, 0.09, 0.018, 0.0005}, fsum = 0.9085;
    memcpy(m.u[0], fast, sizeof fast);
    fs_u_log_concave(&m, 0);
    for (int l = 0; l < 6; l++)
        ck_assert_msg(fabs(m.u[0][l] - fast[l] / fsum) < 1e-12, "band %d: %g, want %g", l, m.u[0][l], fast[l] / fsum);
}
END_TEST

/* u and m count one pair more at every level: a level never seen among N pairs gets 1/(N+L),
 * not a floor that would let it weigh without bound. */
START_TEST(test_one_pair_more_at_every_level)
{
    fs_patterns p;
    fs_patterns_init(&p);
    fs_vec v;
    memset(&v, 0, sizeof v);
    for (int k = 0; k < FS_MAX_COMP; k++)
        v.level[k] = FS_NULL;
    v.level[1] = 0;
    fs_patterns_add(&p, &v, 1000); /* 1,000 pairs, all at level 0 of the two-level comparison */
    fs_model m;
    ck_assert_int_eq(fs_model_init(&m, NCOMP, NLEVELS), 0);
    ck_assert_int_eq(fs_estimate_u(&m, &p), 1);
    ck_assert(fabs(m.u[1][1] - 1.0 / 1002) < 1e-12 && fabs(m.u[1][0] - 1001.0 / 1002) < 1e-12);
    ck_assert_int_eq(m.absent[0], 1); /* never observed: m = u, no evidence */
    ck_assert(fs_level_weight(&m, 0, 3) == 0);
    ck_assert(fs_estimate_m(&m, 1, &p) == 1000);
    ck_assert(fabs(m.m[1][1] - 1.0 / 1002) < 1e-12);
    ck_assert(fs_estimate_u_of(&m, 2, &p) == 0); /* nothing at comparison 2: u left as it was */
    fs_patterns_free(&p);
}
END_TEST

Suite *suite_fs(void)
{
    Suite *s = suite_create("fs");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_em_recovers_the_model);
    tcase_add_test(tc, test_same_data_same_model);
    tcase_add_test(tc, test_em_lambda_alone);
    tcase_add_test(tc, test_weights_and_probabilities);
    tcase_add_test(tc, test_nothing_to_learn_from);
    tcase_add_test(tc, test_patterns_grow);
    tcase_add_test(tc, test_em_frees_one_u);
    tcase_add_test(tc, test_monotone_weights);
    tcase_add_test(tc, test_monotone_sparse_level);
    tcase_add_test(tc, test_one_pair_more_at_every_level);
    tcase_add_test(tc, test_u_log_concave_above_its_mode);
    suite_add_tcase(s, tc);
    return s;
}
