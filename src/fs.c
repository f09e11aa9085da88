/* fs: the Fellegi-Sunter model, estimated without labels (see fs.h). */
#include "fs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

#define FLOOR 1e-6

int fs_model_init(fs_model *m, int ncomp, const int *nlevels)
{
    memset(m, 0, sizeof *m);
    if (ncomp < 1 || ncomp > FS_MAX_COMP)
        return -1;
    m->ncomp = ncomp;
    for (int k = 0; k < ncomp; k++) {
        int n = nlevels[k];
        if (n < 2 || n > FS_MAX_LEVELS)
            return -1;
        m->nlevels[k] = n;
        for (int l = 0; l < n; l++) {
            m->m[k][l] = l == n - 1 ? 0.9 : 0.1 / (n - 1);
            m->u[k][l] = 1.0 / n;
        }
    }
    m->lambda = 0.01;
    return 0;
}

static uint64_t vec_hash(const fs_vec *v)
{
    uint64_t x;
    memcpy(&x, v->level, sizeof x);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

void fs_patterns_init(fs_patterns *p)
{
    memset(p, 0, sizeof *p);
    p->mask = 255;
    p->slot = xcalloc(p->mask + 1, sizeof *p->slot);
}

void fs_patterns_free(fs_patterns *p)
{
    free(p->vec);
    free(p->count);
    free(p->slot);
    memset(p, 0, sizeof *p);
}

static void rehash(fs_patterns *p)
{
    p->mask = p->mask * 2 + 1;
    free(p->slot);
    p->slot = xcalloc(p->mask + 1, sizeof *p->slot);
    for (size_t i = 0; i < p->n; i++) {
        size_t s = (size_t)vec_hash(&p->vec[i]) & p->mask;
        while (p->slot[s])
            s = (s + 1) & p->mask;
        p->slot[s] = (uint32_t)(i + 1);
    }
}

void fs_patterns_add(fs_patterns *p, const fs_vec *v, double weight)
{
    fs_vec key;
    memset(&key, 0, sizeof key);
    memcpy(key.level, v->level, sizeof key.level);
    size_t s = (size_t)vec_hash(&key) & p->mask;
    while (p->slot[s]) {
        size_t i = p->slot[s] - 1;
        if (memcmp(p->vec[i].level, key.level, sizeof key.level) == 0) {
            p->count[i] += weight;
            return;
        }
        s = (s + 1) & p->mask;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->vec = xrealloc(p->vec, p->cap * sizeof *p->vec);
        p->count = xrealloc(p->count, p->cap * sizeof *p->count);
    }
    p->vec[p->n] = key;
    p->count[p->n] = weight;
    p->slot[s] = (uint32_t)++p->n;
    if (2 * p->n > p->mask)
        rehash(p);
}

/* Normalise D[0..N) to sum 1 with every value at least FLOOR. */
static void normalise(double *d, int n)
{
    double sum = 0;
    for (int l = 0; l < n; l++)
        sum += d[l] = d[l] < FLOOR ? FLOOR : d[l];
    for (int l = 0; l < n; l++)
        d[l] /= sum;
}

/* How many of P's pairs are at each level of comparison K (nulls left out), into C; the total. */
static double level_counts(const fs_model *m, int k, const fs_patterns *p, double *c)
{
    double total = 0;
    memset(c, 0, FS_MAX_LEVELS * sizeof *c);
    for (size_t i = 0; i < p->n; i++) {
        int l = p->vec[i].level[k];
        if (l >= 0 && l < m->nlevels[k]) {
            c[l] += p->count[i];
            total += p->count[i];
        }
    }
    return total;
}

/* The level frequencies of comparison K among P's pairs into D, with one pair more at every
 * level (Laplace): a level never seen among N pairs is given about 1 / N, not a floor that
 * would make it weigh without bound. Return the pairs counted (0: D left as it was). */
static double smoothed(const fs_model *m, int k, const fs_patterns *p, double *d)
{
    double c[FS_MAX_LEVELS];
    double total = level_counts(m, k, p, c);
    if (total <= 0)
        return 0;
    for (int l = 0; l < m->nlevels[k]; l++)
        d[l] = (c[l] + 1) / (total + m->nlevels[k]);
    return total;
}

int fs_estimate_u_of(fs_model *m, int k, const fs_patterns *p) { return smoothed(m, k, p, m->u[k]) > 0; }

int fs_estimate_u(fs_model *m, const fs_patterns *rp)
{
    int used = 0;
    for (int k = 0; k < m->ncomp; k++) {
        if (!fs_estimate_u_of(m, k, rp)) {
            /* never observed (a field no source sends): no evidence either way, m = u */
            for (int l = 0; l < m->nlevels[k]; l++)
                m->m[k][l] = m->u[k][l] = 1.0 / m->nlevels[k];
            m->absent[k] = 1;
            continue;
        }
        m->absent[k] = 0;
        used++;
    }
    return used;
}

double fs_estimate_m(fs_model *m, int k, const fs_patterns *matches) { return smoothed(m, k, matches, m->m[k]); }

/* The mode is taken as u stands: a top band so inflated that it outweighed the strangers'
 * common bands would be taken for it and left (never so on FEBRL or the synthetic territories,
 * whose strangers' mode is at 0.56-0.64, with tens of thousands of pairs). */
void fs_u_log_concave(fs_model *m, int k)
{
    const double *w = m->band_width[k], *c = m->band_centre[k];
    double *u = m->u[k];
    int n = m->nlevels[k], mode = -1;
    for (int l = 0; l < n; l++)
        if (w[l] > 0 && (mode < 0 || u[l] / w[l] > u[mode] / w[mode]))
            mode = l;
    double slope = INFINITY; /* of log density per unit, from the band below */
    for (int l = mode + 1; mode >= 0 && l < n && w[l] > 0 && w[l - 1] > 0; l++) {
        double g0 = log(u[l - 1] / w[l - 1]), dc = c[l] - c[l - 1], s = (log(u[l] / w[l]) - g0) / dc;
        if (s > slope) {
            u[l] = w[l] * exp(g0 + slope * dc);
            s = slope;
        }
        slope = s;
    }
    if (mode >= 0)
        normalise(u, n);
}

void fs_monotone(fs_model *m, int k)
{
    /* pool adjacent violators: the isotonic regression of the ratios m/u, each level weighed
     * by its u. A run of levels out of order shares one ratio, sum(m) / sum(u) over the run,
     * so the mass m of the run is kept and every level outside it is left as it was. (Bringing
     * the lower level down to the upper one's ratio instead would let a sparse upper level, m
     * near zero from a handful of pairs, crush a well-observed lower one.) */
    int n = m->nlevels[k];
    double sm[FS_MAX_LEVELS], su[FS_MAX_LEVELS];
    int first[FS_MAX_LEVELS], nb = 0;
    for (int l = 0; l < n; l++) {
        sm[nb] = m->m[k][l];
        su[nb] = m->u[k][l];
        first[nb++] = l;
        while (nb > 1 && sm[nb - 2] / su[nb - 2] > sm[nb - 1] / su[nb - 1]) {
            sm[nb - 2] += sm[nb - 1];
            su[nb - 2] += su[nb - 1];
            nb--;
        }
    }
    for (int b = 0; b < nb; b++) {
        int end = b + 1 < nb ? first[b + 1] : n;
        for (int l = first[b]; l < end && end - first[b] > 1; l++)
            m->m[k][l] = m->u[k][l] * sm[b] / su[b];
    }
    normalise(m->m[k], n);
}

/* log of the probability of V among matches (which = 0) or non-matches (1). */
static double log_given(const fs_model *m, const fs_vec *v, int which)
{
    double s = 0;
    for (int k = 0; k < m->ncomp; k++) {
        int l = v->level[k];
        if (l >= 0 && l < m->nlevels[k])
            s += log(which == 0 ? m->m[k][l] : m->u[k][l]);
    }
    return s;
}

double fs_probability(const fs_model *m, const fs_vec *v)
{
    /* lambda B / (lambda B + 1 - lambda) = 1 / (1 + exp(-(log odds))) */
    double lo = log(m->lambda) - log1p(-m->lambda) + log_given(m, v, 0) - log_given(m, v, 1);
    return lo > 0 ? 1.0 / (1.0 + exp(-lo)) : exp(lo) / (1.0 + exp(lo));
}

double fs_level_weight(const fs_model *m, int k, int l) { return log2(m->m[k][l] / m->u[k][l]); }

double fs_weight(const fs_model *m, const fs_vec *v)
{
    return (log_given(m, v, 0) - log_given(m, v, 1)) / log(2.0);
}

/* EM over the patterns, u held fixed: lambda, and m too when WITH_M. With m fixed, one
 * pattern is enough to find lambda; with m free, it cannot tell matches apart. */
static enum fs_em_status em(fs_model *m, const fs_patterns *p, int max_iter, double tol, int with_m)
{
    m->iterations = 0;
    m->change = 0;
    double total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += p->count[i];
    if (p->n == 0 || total <= 0)
        return FS_NO_PAIRS;
    if (with_m && p->n == 1)
        return FS_ONE_PATTERN;
    while (m->iterations < max_iter) {
        m->iterations++;
        double nm[FS_MAX_COMP][FS_MAX_LEVELS] = {{0}}, nu[FS_MAX_COMP][FS_MAX_LEVELS] = {{0}}, matched = 0;
        for (size_t i = 0; i < p->n; i++) {
            double w = p->count[i] * fs_probability(m, &p->vec[i]);
            matched += w;
            for (int k = 0; with_m && k < m->ncomp; k++) {
                int l = p->vec[i].level[k];
                if (l >= 0 && l < m->nlevels[k]) {
                    nm[k][l] += w;
                    nu[k][l] += p->count[i] - w;
                }
            }
        }
        for (int k = 0; with_m && k < m->ncomp; k++) {
            double sum = 0;
            for (int l = 0; l < m->nlevels[k]; l++)
                sum += nu[k][l];
            if (!m->u_free[k] || sum <= 0 || m->absent[k])
                continue;
            for (int l = 0; l < m->nlevels[k]; l++)
                m->u[k][l] = nu[k][l] / sum;
            normalise(m->u[k], m->nlevels[k]);
            fs_u_log_concave(m, k);
        }
        /* a tied comparison's pairs count for the one it is tied to, and take its m below */
        for (int k = 0; with_m && k < m->ncomp; k++) {
            int t = m->tied[k] - 1;
            if (t < 0 || t == k || t >= m->ncomp || m->tied[t])
                continue;
            for (int l = 0; l < m->nlevels[k] && l < m->nlevels[t]; l++) {
                nm[t][l] += nm[k][l];
                nm[k][l] = 0;
            }
        }
        double lambda = matched / total;
        lambda = lambda < FLOOR ? FLOOR : lambda > 1 - FLOOR ? 1 - FLOOR : lambda;
        double change = fabs(lambda - m->lambda);
        m->lambda = lambda;
        for (int k = 0; with_m && k < m->ncomp; k++) {
            double sum = 0;
            for (int l = 0; l < m->nlevels[k]; l++)
                sum += nm[k][l];
            if (sum <= 0 || m->absent[k])
                continue; /* never observed: keep the previous m */
            for (int l = 0; l < m->nlevels[k]; l++)
                nm[k][l] /= sum;
            normalise(nm[k], m->nlevels[k]);
            if (m->ordinal[k]) {
                double keep[FS_MAX_LEVELS];
                memcpy(keep, m->m[k], sizeof keep);
                memcpy(m->m[k], nm[k], sizeof keep);
                fs_monotone(m, k);
                memcpy(nm[k], m->m[k], sizeof keep);
                memcpy(m->m[k], keep, sizeof keep);
            }
            for (int l = 0; l < m->nlevels[k]; l++) {
                double d = fabs(nm[k][l] - m->m[k][l]);
                if (d > change)
                    change = d;
                m->m[k][l] = nm[k][l];
            }
        }
        for (int k = 0; with_m && k < m->ncomp; k++) {
            int t = m->tied[k] - 1;
            if (t >= 0 && t != k && t < m->ncomp && !m->tied[t] && !m->absent[k])
                memcpy(m->m[k], m->m[t], sizeof m->m[k]);
        }
        m->change = change;
        if (change < tol)
            return FS_CONVERGED;
    }
    return FS_NOT_CONVERGED;
}

enum fs_em_status fs_em(fs_model *m, const fs_patterns *p, int max_iter, double tol)
{
    return em(m, p, max_iter, tol, 1);
}

enum fs_em_status fs_em_lambda(fs_model *m, const fs_patterns *p, int max_iter, double tol)
{
    return em(m, p, max_iter, tol, 0);
}

const char *fs_em_status_text(enum fs_em_status s)
{
    switch (s) {
    case FS_CONVERGED: return "converged";
    case FS_NO_PAIRS: return "no candidate pair to estimate from";
    case FS_ONE_PATTERN: return "every candidate pair compares alike: matches cannot be told from non-matches";
    case FS_NOT_CONVERGED: return "did not converge within the iteration limit";
    }
    return "?";
}
