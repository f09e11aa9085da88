/* fs: the Fellegi-Sunter model of record linkage, estimated without labelled data (issue 10;
 * the method Splink popularised).
 *
 * Each candidate pair is described by a comparison vector: for each comparison (the Dice of
 * the two CLKs in bands, the birth years, the sexes...), the level the pair reaches, from 0
 * (the least alike) to nlevels - 1 (the most alike), or FS_NULL when either record lacks the
 * field. Two distributions explain the levels:
 *   m[k][l]  the probability of level l of comparison k among pairs of the same person;
 *   u[k][l]  the same among pairs of two different people;
 * and lambda, the share of true matches among the candidate pairs. Comparisons are taken as
 * independent given the match status. Then a pair's match weight is the sum over comparisons
 * of log2(m / u) (each level's weight: positive when the level is more likely for the same
 * person, negative otherwise), and its match probability is
 *   P = lambda * B / (lambda * B + 1 - lambda),   B = 2^weight.
 *
 * u is estimated from random pairs (almost all of two different people), m and lambda by
 * expectation-maximisation over the candidate pairs with u held fixed. Vectors are counted by
 * pattern first, so the EM's cost depends on the number of distinct patterns, not of pairs. */
#ifndef TZNR_FS_H
#define TZNR_FS_H

#include <stddef.h>
#include <stdint.h>

#define FS_MAX_COMP 8
#define FS_MAX_LEVELS 12
#define FS_NULL (-1)

typedef struct fs_model {
    int ncomp;
    int nlevels[FS_MAX_COMP];
    double m[FS_MAX_COMP][FS_MAX_LEVELS];
    double u[FS_MAX_COMP][FS_MAX_LEVELS];
    double lambda;
    int absent[FS_MAX_COMP]; /* never observed in the random pairs: m = u, no evidence */
    int u_free[FS_MAX_COMP];  /* u estimated by fs_em too (from the pairs' non-match weights) */
    int ordinal[FS_MAX_COMP]; /* levels ordered by likeness: a level never weighs more than the next */
    int tied[FS_MAX_COMP];    /* 1 + the comparison whose m this one shares (fs_em pools their pairs); 0: its own.
                               * For a comparison split in two by another's level, whose m does not depend on it */
    /* A comparison whose levels from 1 up are bands of a score (their width; 0: not a band)
     * whose density among non-matches falls off above its mode at least as fast as it fell
     * below (log-concave, as the Dice of two people's filters, a sum over a thousand bits, is).
     * Where fs_em re-estimates such a u, it keeps it so (fs_u_log_concave). */
    double band_width[FS_MAX_COMP][FS_MAX_LEVELS], band_centre[FS_MAX_COMP][FS_MAX_LEVELS];
    int iterations;  /* of the last fs_em */
    double change;   /* the largest change of m or lambda at its last iteration */
} fs_model;

/* A comparison vector: one level (or FS_NULL) per comparison. */
typedef struct fs_vec {
    int8_t level[FS_MAX_COMP];
} fs_vec;

/* Distinct vectors with how many pairs have each. */
typedef struct fs_patterns {
    fs_vec *vec;
    double *count;
    size_t n, cap;
    uint32_t *slot; /* open-addressing index into vec (0: empty, else index + 1) */
    size_t mask;
} fs_patterns;

/* Above the mode of comparison K's band densities (u / width), lower any band whose density
 * falls slower than the band below it fell (per unit of the score, from centre to centre),
 * to the rate of that band, then normalise u; the others keep their ratios. Nothing without
 * bands. */
void fs_u_log_concave(fs_model *m, int k);

/* Set up M for NCOMP comparisons of NLEVELS[k] levels each (2 to FS_MAX_LEVELS), with a
 * starting point for the EM: the top level likely among matches (0.9, the rest sharing 0.1),
 * u uniform, lambda 0.01. Return 0, or -1 on bad sizes. */
int fs_model_init(fs_model *m, int ncomp, const int *nlevels);

void fs_patterns_init(fs_patterns *p);
void fs_patterns_free(fs_patterns *p);
/* Count one pair's vector (WEIGHT pairs of it). */
void fs_patterns_add(fs_patterns *p, const fs_vec *v, double weight);

/* u from the vectors of random pairs: each comparison's level frequencies (nulls ignored),
 * with one pair more at every level. A comparison never observed (a field no source sends) is marked absent,
 * with m = u: it weighs nothing. Return the number of comparisons estimated. */
int fs_estimate_u(fs_model *m, const fs_patterns *random_pairs);

enum fs_em_status {
    FS_CONVERGED = 0,
    FS_NO_PAIRS,       /* nothing to estimate from */
    FS_ONE_PATTERN,    /* every pair alike: the data cannot tell matches from non-matches */
    FS_NOT_CONVERGED,  /* MAX_ITER reached; the last estimate is kept */
};
/* m and lambda by EM over the candidate pairs' patterns, u held fixed, until no m nor lambda
 * moves by more than TOL (or MAX_ITER). */
enum fs_em_status fs_em(fs_model *m, const fs_patterns *pairs, int max_iter, double tol);
const char *fs_em_status_text(enum fs_em_status s);
/* u of comparison K alone from pairs known to be two people (P), as fs_estimate_u does it.
 * Return 0, u unchanged, when none of them has the comparison. */
int fs_estimate_u_of(fs_model *m, int k, const fs_patterns *p);
/* m of comparison K from pairs known to match (MATCHES), with one pair more at every level so
 * that a level never seen there weighs a lot, not infinitely. Return the number of pairs
 * where K was observed (0: m left as it was). */
double fs_estimate_m(fs_model *m, int k, const fs_patterns *matches);
/* Make comparison K's weights non-decreasing from level 0 up, by pooling adjacent violators:
 * a run of levels out of order gets one ratio m/u, the run's sum of m over its sum of u, which
 * keeps the run's share of m; levels in order are left alone. fs_em does this at each step
 * for the comparisons marked ordinal. */
void fs_monotone(fs_model *m, int k);
/* lambda alone by EM, m and u held fixed (m estimated elsewhere, e.g. from pairs a key joins). */
enum fs_em_status fs_em_lambda(fs_model *m, const fs_patterns *pairs, int max_iter, double tol);

/* The match weight of level L of comparison K: log2(m / u). */
double fs_level_weight(const fs_model *m, int k, int l);
/* A vector's match weight (nulls count 0) and match probability. */
double fs_weight(const fs_model *m, const fs_vec *v);
double fs_probability(const fs_model *m, const fs_vec *v);

#endif
