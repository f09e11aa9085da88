/* secret: see secret.h. */
#include "secret.h"

#include <limits.h>
#include <stdlib.h>

#include "sbuf.h"

#define SECRET_INF (LLONG_MAX / 8)

void secret_init(secret_grid *g)
{
    g->v = NULL;
    g->hide = NULL;
    g->n = g->cap = 0;
    g->rel = NULL;
    g->rlen = g->rcap = 0;
}

size_t secret_cell(secret_grid *g, long long v)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->v = xrealloc(g->v, g->cap * sizeof *g->v);
        g->hide = xrealloc(g->hide, g->cap);
    }
    g->v[g->n] = v;
    g->hide[g->n] = SECRET_SHOWN;
    return g->n++;
}

void secret_relation(secret_grid *g, size_t total, const size_t *parts, size_t n)
{
    if (g->rlen + n + 2 > g->rcap) {
        g->rcap = (g->rlen + n + 2) * 2;
        g->rel = xrealloc(g->rel, g->rcap * sizeof *g->rel);
    }
    g->rel[g->rlen++] = n;
    g->rel[g->rlen++] = total;
    for (size_t i = 0; i < n; i++)
        g->rel[g->rlen++] = parts[i];
}

/* What a reader who knows this method can tell of cell C: its value when shown; 1..threshold-1
 * when hidden as small; at least the threshold when hidden as a complement (never a zero). */
static void bounds(const secret_grid *g, int threshold, size_t c, long long *lo, long long *hi)
{
    if (g->hide[c] == SECRET_SHOWN)
        *lo = *hi = g->v[c];
    else if (g->hide[c] == SECRET_SMALL)
        *lo = 1, *hi = threshold - 1;
    else
        *lo = threshold, *hi = SECRET_INF;
}

static long long sat_add(long long a, long long b) { return a >= SECRET_INF || b >= SECRET_INF ? SECRET_INF : a + b; }

/* Whether some hidden cell of TOTAL = sum(PARTS) is known exactly from the relation: its
 * bounds narrowed by the others' bounds meet. */
static int discloses(const secret_grid *g, int thr, size_t total, const size_t *parts, size_t n)
{
    long long tlo, thi, smin = 0, smax = 0;
    bounds(g, thr, total, &tlo, &thi);
    for (size_t i = 0; i < n; i++) {
        long long lo, hi;
        bounds(g, thr, parts[i], &lo, &hi);
        smin = sat_add(smin, lo);
        smax = sat_add(smax, hi);
    }
    if (g->hide[total] && (tlo > smin ? tlo : smin) == (thi < smax ? thi : smax))
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (!g->hide[parts[i]])
            continue;
        long long lo, hi, omin = 0, omax = 0;
        bounds(g, thr, parts[i], &lo, &hi);
        for (size_t j = 0; j < n; j++) {
            long long l, h;
            if (j == i)
                continue;
            bounds(g, thr, parts[j], &l, &h);
            omin = sat_add(omin, l);
            omax = sat_add(omax, h);
        }
        /* part = total - others */
        long long l2 = omax >= SECRET_INF ? lo : tlo - omax, h2 = thi >= SECRET_INF ? hi : thi - omin;
        if (l2 < lo)
            l2 = lo;
        if (h2 > hi)
            h2 = hi;
        if (l2 == h2)
            return 1;
    }
    return 0;
}

/* Hide one more cell of a disclosing relation: the smallest visible non-zero part, else the
 * total. Return whether one was hidden. */
static int protect(secret_grid *g, size_t total, const size_t *parts, size_t n)
{
    size_t best = (size_t)-1;
    for (size_t i = 0; i < n; i++)
        if (!g->hide[parts[i]] && g->v[parts[i]] > 0 && (best == (size_t)-1 || g->v[parts[i]] < g->v[best]))
            best = parts[i];
    if (best == (size_t)-1 && !g->hide[total] && g->v[total] > 0)
        best = total;
    if (best == (size_t)-1)
        return 0; /* cannot happen with a threshold of 3 or more (docs/evaluation.md) */
    g->hide[best] = SECRET_COMPLEMENT;
    return 1;
}

void secret_apply(secret_grid *g, int threshold)
{
    for (size_t c = 0; c < g->n; c++)
        g->hide[c] = g->v[c] > 0 && g->v[c] < threshold ? SECRET_SMALL : SECRET_SHOWN;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < g->rlen; i += g->rel[i] + 2) {
            size_t n = g->rel[i], total = g->rel[i + 1];
            const size_t *parts = &g->rel[i + 2];
            if (discloses(g, threshold, total, parts, n))
                changed |= protect(g, total, parts, n);
        }
    }
}

void secret_free(secret_grid *g)
{
    free(g->v);
    free(g->hide);
    free(g->rel);
    secret_init(g);
}
