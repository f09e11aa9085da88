/* Linkage quality against ground truth, with the same core as 'tznr link' (src/link.c):
 * pairwise precision and recall of the persons found, and the blocking's pair completeness.
 *
 *   bench_link TRUTH.csv EXTRACT.csv TOKENS.csv SOURCE [EXTRACT TOKENS SOURCE]...
 *
 * TRUTH.csv: source,local_ref,person_id[,...] (tznr-synth's truth_persons.csv format).
 * Parameters from the environment: LINK_THRESHOLD, LINK_GREY, LSH_BANDS, LSH_BITS, BLOCK_MAX
 * (defaults: the platform's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "csvio.h"
#include "fs.h"
#include "link.h"
#include "sbuf.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A string -> int map (open addressing). */
struct smap {
    char **key;
    int *val;
    size_t cap, n;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

static void smap_grow(struct smap *m);

static int *smap_slot(struct smap *m, const char *k, int create)
{
    if (create && 2 * (m->n + 1) > m->cap)
        smap_grow(m);
    if (!m->cap)
        return NULL;
    size_t i = fnv(k) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], k) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->key[i]) {
        if (!create)
            return NULL;
        m->key[i] = xstrdup(k);
        m->val[i] = -1;
        m->n++;
    }
    return &m->val[i];
}

static void smap_grow(struct smap *m)
{
    struct smap o = *m;
    m->cap = o.cap ? o.cap * 2 : 1024;
    m->key = xcalloc(m->cap, sizeof *m->key);
    m->val = xcalloc(m->cap, sizeof *m->val);
    m->n = 0;
    for (size_t i = 0; i < o.cap; i++)
        if (o.key[i]) {
            *smap_slot(m, o.key[i], 1) = o.val[i];
            free(o.key[i]);
        }
    free(o.key);
    free(o.val);
}

static int hexv(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void unhex(const char *s, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(hexv(s[2 * i]) << 4 | hexv(s[2 * i + 1]));
}

static csvio_reader *open_csv(const char *path)
{
    csvio_options o = {.sep = ','};
    char err[512];
    csvio_reader *r = csvio_open(path, &o, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_link: %s\n", err);
        exit(1);
    }
    return r;
}

/* Hash set of true pairs seen by the blocking (a << 32 | b). */
struct pairset {
    uint64_t *slot;
    size_t cap, n;
};

static int pairset_add(struct pairset *s, uint64_t k)
{
    if (2 * (s->n + 1) > s->cap) {
        struct pairset o = *s;
        s->cap = o.cap ? o.cap * 2 : 1 << 16;
        s->slot = xcalloc(s->cap, sizeof *s->slot);
        s->n = 0;
        for (size_t i = 0; i < o.cap; i++)
            if (o.slot[i])
                pairset_add(s, o.slot[i]);
        free(o.slot);
    }
    size_t i = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 17) & (s->cap - 1);
    while (s->slot[i] && s->slot[i] != k)
        i = (i + 1) & (s->cap - 1);
    if (s->slot[i])
        return 0;
    s->slot[i] = k + 0; /* k is never 0: a < b so b > 0 */
    s->n++;
    return 1;
}

struct ctx {
    const int *truth;
    struct pairset seen;
    /* BENCH_FS: the candidate pairs' comparison vectors, for the Fellegi-Sunter model */
    const link_rec *recs;
    fs_patterns *fs_pairs;
    uint64_t *cand;
    size_t ncand, capcand;
};

static void on_pair(void *c, uint32_t a, uint32_t b)
{
    struct ctx *x = c;
    if (x->truth[a] >= 0 && x->truth[a] == x->truth[b])
        pairset_add(&x->seen, (uint64_t)a << 32 | b);
    if (x->fs_pairs) {
        fs_vec v;
        link_compare(&x->recs[a], &x->recs[b], &v);
        fs_patterns_add(x->fs_pairs, &v, 1);
        if (x->ncand == x->capcand) {
            x->capcand = x->capcand ? 2 * x->capcand : 1 << 16;
            x->cand = xrealloc(x->cand, x->capcand * sizeof *x->cand);
        }
        x->cand[x->ncand++] = (uint64_t)a << 32 | b;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Number of pairs within groups of equal keys of a sorted array. */
static unsigned long long pairs_of(const uint64_t *v, size_t n)
{
    unsigned long long p = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i])
            j++;
        p += (unsigned long long)(j - i) * (j - i - 1) / 2;
        i = j;
    }
    return p;
}

/* Pairs of records of different sources: true (same truth person), predicted (same PERSON),
 * and both; pairs within groups minus pairs within (group, source) sub-groups. */
static void cross_metrics(const link_rec *recs, const int *tr, const uint32_t *person, size_t n, int ns,
                          unsigned long long *xtrue, unsigned long long *xpred, unsigned long long *xtp)
{
    uint64_t *w = xmalloc((n ? n : 1) * sizeof *w);
    for (int pass = 0; pass < 3; pass++) {
        unsigned long long all, same;
        size_t mm = 0;
        for (size_t i = 0; i < n; i++) {
            if (pass != 1 && tr[i] < 0)
                continue;
            uint64_t key = pass == 0 ? (uint64_t)tr[i] : pass == 1 ? (uint64_t)person[i]
                           : ((uint64_t)person[i] << 32 | (uint32_t)tr[i]);
            w[mm++] = key;
        }
        qsort(w, mm, sizeof *w, cmp_u64);
        all = pairs_of(w, mm);
        mm = 0;
        for (size_t i = 0; i < n; i++) {
            if (pass != 1 && tr[i] < 0)
                continue;
            uint64_t key = pass == 0 ? (uint64_t)tr[i] : pass == 1 ? (uint64_t)person[i]
                           : ((uint64_t)person[i] << 32 | (uint32_t)tr[i]);
            w[mm++] = key * (uint64_t)ns + recs[i].source; /* keys stay distinct: ns is small */
        }
        qsort(w, mm, sizeof *w, cmp_u64);
        same = pairs_of(w, mm);
        if (pass == 0) *xtrue = all - same;
        else if (pass == 1) *xpred = all - same;
        else *xtp = all - same;
    }
    free(w);
}

#define FS_SAME_SOURCE 0.999

static uint32_t ufind(uint32_t *uf, uint32_t x)
{
    while (uf[x] != x)
        x = uf[x] = uf[uf[x]];
    return x;
}

/* BENCH_FS: what the model's decision would give. The exact links, then for each record and
 * source its most probable partner at P >= T, kept when mutual or without a rival at P >= T;
 * persons are the components. (Unlike link.c, a source already reached by an exact link is
 * not skipped.) */
static void fs_decide(const struct ctx *x, const link_result *res, const fs_model *m, double t, size_t n, int ns,
                      uint32_t *person)
{
    for (size_t i = 0; i < n; i++)
        person[i] = (uint32_t)i;
    for (size_t e = 0; e < res->nedges; e++)
        if (res->edges[e].method != LM_CLK) {
            uint32_t a = ufind(person, res->edges[e].a), b = ufind(person, res->edges[e].b);
            person[a > b ? a : b] = a < b ? a : b;
        }
    uint32_t *best = xmalloc(n * (size_t)ns * sizeof *best);
    double *bp = xcalloc(n * (size_t)ns, sizeof *bp), *sp = xcalloc(n * (size_t)ns, sizeof *sp);
    for (size_t i = 0; i < n * (size_t)ns; i++)
        best[i] = UINT32_MAX;
    for (size_t c = 0; c < x->ncand; c++) {
        uint32_t ab[2] = {(uint32_t)(x->cand[c] >> 32), (uint32_t)x->cand[c]};
        fs_vec v;
        link_compare(&x->recs[ab[0]], &x->recs[ab[1]], &v);
        double pr = fs_probability(m, &v);
        /* two records of one source: a duplicate inside one export is rarer than a person
         * known to two agencies, so it needs more evidence */
        double need = x->recs[ab[0]].source == x->recs[ab[1]].source ? (t > FS_SAME_SOURCE ? t : FS_SAME_SOURCE) : t;
        if (pr < need)
            continue;
        for (int side = 0; side < 2; side++) {
            uint32_t i = ab[side], j = ab[1 - side];
            size_t k = (size_t)i * (size_t)ns + x->recs[j].source;
            if (best[k] == j)
                continue;
            if (pr > bp[k]) {
                sp[k] = bp[k];
                bp[k] = pr;
                best[k] = j;
            } else if (pr > sp[k]) {
                sp[k] = pr;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        for (int s2 = 0; s2 < ns; s2++) {
            size_t k = i * (size_t)ns + (size_t)s2;
            uint32_t j = best[k];
            if (j == UINT32_MAX)
                continue;
            int mutual = best[(size_t)j * (size_t)ns + x->recs[i].source] == (uint32_t)i;
            if (mutual || sp[k] < t) {
                uint32_t a = ufind(person, (uint32_t)i), b = ufind(person, j);
                person[a > b ? a : b] = a < b ? a : b;
            }
        }
    for (size_t i = 0; i < n; i++)
        person[i] = ufind(person, (uint32_t)i);
    free(best);
    free(bp);
    free(sp);
}

/* BENCH_FS: the model estimated on the candidate pairs (u from random pairs), its table, and
 * the pairs it would keep at P >= 0.5 against the truth (pairwise, candidate pairs only). */
static void fs_report(struct ctx *x, size_t n, const link_result *res, int ns)
{
    fs_model m;
    fs_model_init(&m, LINK_FS_NCOMP, link_fs_nlevels);
    fs_patterns rnd;
    fs_patterns_init(&rnd);
    uint64_t st = 12345;
    for (int i = 0; i < 300000 && n > 1; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t a = (uint32_t)((st >> 33) % n);
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t b = (uint32_t)((st >> 33) % n);
        if (a == b)
            continue;
        fs_vec v;
        link_compare(&x->recs[a], &x->recs[b], &v);
        fs_patterns_add(&rnd, &v, 1);
    }
    int used = fs_estimate_u(&m, &rnd);
    printf("fs: %d of %d comparisons observed in 300000 random pairs (%zu patterns)\n", used, m.ncomp, rnd.n);
    if (getenv("FS_U_CANDIDATES")) {
        /* u of every comparison but the birth from the candidate pairs whose birth years are
         * more than one apart: different people, but as alike as the candidates are
         * (parents and children of one household), which random pairs are not */
        fs_patterns up;
        fs_patterns_init(&up);
        for (size_t i = 0; i < x->fs_pairs->n; i++)
            if (x->fs_pairs->vec[i].level[LC_BIRTH] == 0)
                fs_patterns_add(&up, &x->fs_pairs->vec[i], x->fs_pairs->count[i]);
        fs_model mu = m;
        fs_estimate_u(&mu, &up);
        for (int k = 0; k < m.ncomp; k++)
            if (k != LC_BIRTH && k != LC_NIR && k != LC_IDENT && !mu.absent[k])
                memcpy(m.u[k], mu.u[k], sizeof m.u[k]);
        fs_patterns_free(&up);
    }
    enum fs_em_status es;
    if (getenv("FS_TRAIN_NIR")) {
        /* m from the pairs the NIR already joins (the platform's own near-certain matches:
         * no ground truth), every comparison but the NIR's; then lambda alone by EM */
        fs_patterns tp;
        fs_patterns_init(&tp);
        size_t ntrain = 0;
        for (size_t e = 0; e < res->nedges; e++)
            if (res->edges[e].method == LM_NIR) {
                fs_vec v;
                link_compare(&x->recs[res->edges[e].a], &x->recs[res->edges[e].b], &v);
                fs_patterns_add(&tp, &v, 1);
                ntrain++;
            }
        /* level frequencies among the NIR's pairs, with one pair more at every level (so that a
         * level never seen there weighs a lot, not infinitely) */
        for (int k = 0; k < m.ncomp; k++) {
            if (k == LC_NIR || m.absent[k])
                continue;
            double c[FS_MAX_LEVELS] = {0}, tot = 0;
            for (size_t i = 0; i < tp.n; i++) {
                int l = tp.vec[i].level[k];
                if (l >= 0 && l < m.nlevels[k]) {
                    c[l] += tp.count[i];
                    tot += tp.count[i];
                }
            }
            if (tot <= 0)
                continue;
            for (int l = 0; l < m.nlevels[k]; l++)
                m.m[k][l] = (c[l] + 1) / (tot + m.nlevels[k]);
        }
        printf("fs: m from %zu pairs joined by k_nir\n", ntrain);
        fs_patterns_free(&tp);
        es = fs_em_lambda(&m, x->fs_pairs, 500, 1e-7);
    } else {
        es = fs_em(&m, x->fs_pairs, 500, 1e-6);
    }
    printf("fs: %s after %d iterations; lambda %.5f over %zu candidate pairs (%zu patterns)\n",
           fs_em_status_text(es), m.iterations, m.lambda, x->ncand, x->fs_pairs->n);
    for (int k = 0; k < m.ncomp; k++)
        for (int l = 0; l < m.nlevels[k]; l++)
            printf("fs:   %-10s level %d  m %.4f  u %.6f  weight %+7.2f\n", link_fs_names[k], l, m.m[k][l], m.u[k][l],
                   fs_level_weight(&m, k, l));
    double thr[] = {0.5, 0.9, 0.99};
    for (int t = 0; t < 3; t++) {
        unsigned long long kept = 0, tp = 0, truepairs = 0;
        double sum_p = 0, missed_p = 0;
        for (size_t i = 0; i < x->ncand; i++) {
            uint32_t a = (uint32_t)(x->cand[i] >> 32), b = (uint32_t)x->cand[i];
            fs_vec v;
            link_compare(&x->recs[a], &x->recs[b], &v);
            double pr = fs_probability(&m, &v);
            int same = x->truth[a] >= 0 && x->truth[a] == x->truth[b];
            truepairs += same;
            if (pr >= thr[t]) {
                kept++;
                tp += same;
                sum_p += pr;
            } else {
                missed_p += pr;
            }
        }
        printf("fs: P >= %.2f: %llu pairs kept, precision %.4f (estimated %.4f), recall of the candidates' true "
               "pairs %.4f (estimated %.4f)\n",
               thr[t], kept, kept ? (double)tp / (double)kept : 1.0, kept ? sum_p / (double)kept : 1.0,
               truepairs ? (double)tp / (double)truepairs : 1.0, sum_p + missed_p > 0 ? sum_p / (sum_p + missed_p) : 1.0);
    }
    uint32_t *person = xmalloc((n ? n : 1) * sizeof *person);
    for (int t = 0; t < 3; t++) {
        unsigned long long xt = 0, xp = 0, xtp = 0;
        fs_decide(x, res, &m, thr[t], n, ns, person);
        cross_metrics(x->recs, x->truth, person, n, ns, &xt, &xp, &xtp);
        printf("fs: decision at P >= %.2f, across sources: precision %.4f recall %.4f\n", thr[t],
               xp ? (double)xtp / (double)xp : 1.0, xt ? (double)xtp / (double)xt : 1.0);
    }
    free(person);
    fs_patterns_free(&rnd);
}

int main(int argc, char **argv)
{
    if (argc < 5 || (argc - 2) % 3 != 0) {
        fprintf(stderr, "usage: bench_link TRUTH.csv EXTRACT.csv TOKENS.csv SOURCE [...]\n");
        return 2;
    }
    conf cf;
    char err[512];
    const char *cfile = getenv("LINK_CONFIG");
    if (conf_load(&cf, cfile ? cfile : "/dev/null", err, sizeof err) != 0) {
        fprintf(stderr, "bench_link: %s\n", err);
        return 2;
    }
    link_params p = {.threshold = cf.link_threshold, .grey_low = cf.link_grey, .margin = cf.link_margin,
                     .same_source = cf.link_same_source, .dob_bonus = cf.link_dob_bonus,
                     .year_penalty = cf.link_year_penalty, .sex_penalty = cf.link_sex_penalty, .commune_bonus = cf.link_commune_bonus,
                     .bands = cf.lsh_bands, .bits = cf.lsh_bits, .block_max = cf.block_max};
    if (getenv("LINK_MARGIN")) p.margin = atof(getenv("LINK_MARGIN"));
    if (getenv("LINK_SAME")) p.same_source = atof(getenv("LINK_SAME"));
    if (getenv("LINK_DOB_BONUS")) p.dob_bonus = atof(getenv("LINK_DOB_BONUS"));
    if (getenv("LINK_COMMUNE_BONUS")) p.commune_bonus = atof(getenv("LINK_COMMUNE_BONUS"));
    if (getenv("LINK_SEX_PENALTY")) p.sex_penalty = atof(getenv("LINK_SEX_PENALTY"));
    if (getenv("LINK_YEAR_PENALTY")) p.year_penalty = atof(getenv("LINK_YEAR_PENALTY"));
    if (getenv("LINK_SAME")) p.same_source = atof(getenv("LINK_SAME"));
    if (getenv("LINK_THRESHOLD")) p.threshold = atof(getenv("LINK_THRESHOLD"));
    if (getenv("LINK_GREY")) p.grey_low = atof(getenv("LINK_GREY"));
    if (getenv("LSH_BANDS")) p.bands = atoi(getenv("LSH_BANDS"));
    if (getenv("LSH_BITS")) p.bits = atoi(getenv("LSH_BITS"));
    if (getenv("BLOCK_MAX")) p.block_max = atoi(getenv("BLOCK_MAX"));

    /* truth: "source|local_ref" -> person number */
    struct smap truth = {0}, persons = {0};
    csvio_reader *r = open_csv(argv[1]);
    csvio_record rec;
    sbuf k;
    sbuf_init(&k);
    int first = 1, npersons = 0;
    while (csvio_next(r, &rec) == 1) {
        if (first) {
            first = 0;
            continue;
        }
        if (rec.nfields < 3)
            continue;
        sbuf_reset(&k);
        sbuf_adds(&k, rec.field[2]);
        int *pv = smap_slot(&persons, k.p, 1);
        if (*pv < 0)
            *pv = npersons++;
        int person = *pv;
        sbuf_reset(&k);
        sbuf_addf(&k, "%s|%s", rec.field[0], rec.field[1]);
        *smap_slot(&truth, k.p, 1) = person;
    }
    csvio_close(r);

    link_rec *recs = NULL;
    int *tr = NULL;
    size_t n = 0, cap = 0, unknown = 0;
    for (int s = 0; 2 + 3 * s < argc; s++) {
        const char *xpath = argv[2 + 3 * s], *tpath = argv[3 + 3 * s], *src = argv[4 + 3 * s];
        /* token -> local_ref */
        struct smap tok = {0};
        char **refs = NULL;
        size_t nrefs = 0;
        r = open_csv(tpath);
        first = 1;
        while (csvio_next(r, &rec) == 1) {
            if (first) {
                first = 0;
                continue;
            }
            refs = xrealloc(refs, (nrefs + 1) * sizeof *refs);
            refs[nrefs] = xstrdup(rec.field[0]);
            *smap_slot(&tok, rec.field[1], 1) = (int)nrefs++;
        }
        csvio_close(r);
        r = open_csv(xpath);
        first = 1;
        while (csvio_next(r, &rec) == 1) {
            if (first) {
                first = 0;
                continue;
            }
            if (n == cap) {
                cap = cap ? 2 * cap : 65536;
                recs = xrealloc(recs, cap * sizeof *recs);
                tr = xrealloc(tr, cap * sizeof *tr);
            }
            link_rec *x = &recs[n];
            memset(x, 0, sizeof *x);
            x->source = (uint8_t)s;
            const char *const *f = rec.field;
            if (rec.len[3]) { unhex(f[3], x->nir, 16); x->flags |= LK_NIR; }
            if (rec.len[4]) { unhex(f[4], x->ident, 16); x->flags |= LK_IDENT; }
            if (rec.len[5]) { unhex(f[5], x->ident_alt, 16); x->flags |= LK_IDENT_ALT; }
            if (rec.len[6]) { unhex(f[6], x->dob, 16); x->flags |= LK_DOB; }
            if (rec.len[7]) unhex(f[7], (unsigned char *)x->clk, 128);
            if (rec.len[8]) unhex(f[8], (unsigned char *)x->alt, 128);
            if (rec.len[11] > 0 && rec.len[11] < 6)
                memcpy(x->commune, f[11], rec.len[11] + 1);
            if (rec.len[9] == 1)
                x->sex = (uint8_t)(f[9][0] - '0');
            if (rec.len[10] == 4)
                x->birth_year = (uint16_t)atoi(f[10]);
            link_rec_finish(x);
            int *ri = smap_slot(&tok, f[0], 0);
            tr[n] = -1;
            if (ri) {
                sbuf_reset(&k);
                sbuf_addf(&k, "%s|%s", src, refs[*ri]);
                int *pv = smap_slot(&truth, k.p, 0);
                if (pv)
                    tr[n] = *pv;
            }
            if (tr[n] < 0)
                unknown++;
            n++;
        }
        csvio_close(r);
        for (size_t i = 0; i < nrefs; i++)
            free(refs[i]);
        free(refs);
        for (size_t i = 0; i < tok.cap; i++)
            free(tok.key[i]);
        free(tok.key);
        free(tok.val);
    }

    struct ctx cx = {tr, {0}, recs, NULL, NULL, 0, 0};
    fs_patterns fsp;
    if (getenv("BENCH_FS")) {
        fs_patterns_init(&fsp);
        cx.fs_pairs = &fsp;
    }
    link_result res;
    double t0 = now();
    /* pair completeness needs the candidate pairs, seen on one thread; LINK_THREADS=N measures
     * the threaded speed instead (and skips pair completeness) */
    p.threads = getenv("LINK_THREADS") ? atoi(getenv("LINK_THREADS")) : 1;
    if (link_run(recs, n, &p, NULL, 0, p.threads > 1 ? NULL : on_pair, &cx, &res) != 0) {
        fprintf(stderr, "bench_link: bad parameters\n");
        return 2;
    }
    double t1 = now();

    /* pairwise metrics: true pairs share a truth person, predicted pairs a component */
    uint64_t *v = xmalloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (tr[i] >= 0)
            v[m++] = (uint64_t)tr[i];
    qsort(v, m, sizeof *v, cmp_u64);
    unsigned long long true_pairs = pairs_of(v, m);
    for (size_t i = 0; i < n; i++)
        v[i] = res.person[i];
    qsort(v, n, sizeof *v, cmp_u64);
    unsigned long long pred_pairs = pairs_of(v, n);
    if (getenv("BENCH_DEBUG")) {
        size_t big = 0, bigat = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && v[j] == v[i])
                j++;
            if (j - i > big) {
                big = j - i;
                bigat = (size_t)v[i];
            }
            i = j;
        }
        printf("largest person: %zu records (root %zu)\n", big, bigat);
        int shown = 0, cat[2][2][3] = {{{0}}};
        for (size_t e = 0; e < res.nedges; e++) {
            const link_rec *a = &recs[res.edges[e].a], *b = &recs[res.edges[e].b];
            if (tr[res.edges[e].a] == tr[res.edges[e].b])
                continue;
            int sd = (a->flags & b->flags & LK_DOB) && !memcmp(a->dob, b->dob, 16);
            int sy = a->birth_year == b->birth_year;
            int sx = !a->sex || !b->sex ? 2 : a->sex == b->sex;
            cat[sd][sy][sx]++;
            if (shown++ < 10)
                printf("  false edge %u-%u src %d-%d method %d score %.3f years %d/%d sex %d/%d samedob %d\n",
                       res.edges[e].a, res.edges[e].b, a->source, b->source, res.edges[e].method,
                       res.edges[e].score, a->birth_year, b->birth_year, a->sex, b->sex, sd);
        }
        for (int x = 0; x < 2; x++)
            for (int y = 0; y < 2; y++)
                printf("  false edges samedob=%d sameyear=%d: sex differ %d, same %d, unknown %d\n", x, y,
                       cat[x][y][0], cat[x][y][1], cat[x][y][2]);
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (tr[i] >= 0)
            v[m++] = (uint64_t)res.person[i] << 32 | (uint32_t)tr[i];
    qsort(v, m, sizeof *v, cmp_u64);
    unsigned long long tp = pairs_of(v, m);
    /* the same over pairs of records from different sources: the linkage across agencies */
    unsigned long long xtrue = 0, xpred = 0, xtp = 0;
    cross_metrics(recs, tr, res.person, n, (argc - 2) / 3, &xtrue, &xpred, &xtp);
    /* pair completeness: true pairs linked exactly (same exact component) or compared */
    unsigned long long exact_true = 0;
    {
        /* exact components: rebuild from the exact edges */
        uint32_t *uf = xmalloc((n ? n : 1) * sizeof *uf);
        for (size_t i = 0; i < n; i++)
            uf[i] = (uint32_t)i;
        for (size_t e = 0; e < res.nedges; e++) {
            if (res.edges[e].method == LM_CLK)
                continue;
            uint32_t a = res.edges[e].a, b = res.edges[e].b;
            while (uf[a] != a) a = uf[a];
            while (uf[b] != b) b = uf[b];
            if (a != b)
                uf[a > b ? a : b] = a < b ? a : b;
        }
        m = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t a = (uint32_t)i;
            while (uf[a] != a) a = uf[a];
            if (tr[i] >= 0)
                v[m++] = (uint64_t)a << 32 | (uint32_t)tr[i];
        }
        qsort(v, m, sizeof *v, cmp_u64);
        exact_true = pairs_of(v, m);
        free(uf);
    }
    unsigned long long covered = exact_true + cx.seen.n;
    printf("records %zu (%zu without truth), sources %d, true pairs %llu\n", n, unknown, (argc - 2) / 3, true_pairs);
    printf("links: %llu exact, %llu clk; possible %zu; persons %zu\n", res.stats.exact_edges,
           res.stats.clk_edges, res.npossible, res.stats.persons);
    printf("blocking: %llu candidate pairs (k_dob %llu, lsh %llu), %llu comparisons, %llu blocks skipped\n",
           res.stats.candidate_pairs_dob + res.stats.candidate_pairs_lsh, res.stats.candidate_pairs_dob,
           res.stats.candidate_pairs_lsh, res.stats.comparisons, res.stats.blocks_skipped);
    printf("pair_completeness %.4f (true pairs linked exactly or compared: %llu of %llu; fuzzy stage %.4f)\n",
           true_pairs ? (double)covered / (double)true_pairs : 1.0, covered, true_pairs,
           true_pairs > exact_true ? (double)cx.seen.n / (double)(true_pairs - exact_true) : 1.0);
    printf("across sources: precision %.4f recall %.4f (pairs: %llu true, %llu predicted, %llu true positive)\n",
           xpred ? (double)xtp / (double)xpred : 1.0, xtrue ? (double)xtp / (double)xtrue : 1.0, xtrue, xpred, xtp);
    printf("all pairs: precision %.4f recall %.4f (pairs: %llu predicted, %llu true positive)\n",
           pred_pairs ? (double)tp / (double)pred_pairs : 1.0, true_pairs ? (double)tp / (double)true_pairs : 1.0,
           pred_pairs, tp);
    printf("parameters: threshold %.2f, grey_low %.2f, margin %.2f, same_source %.2f, dob_bonus %.2f, "
           "year_penalty %.2f, sex_penalty %.2f, commune_bonus %.2f, %d LSH bands of %d bits\n", p.threshold,
           p.grey_low, p.margin, p.same_source, p.dob_bonus, p.year_penalty, p.sex_penalty, p.commune_bonus, p.bands,
           res.stats.lsh_bits);
    printf("link_seconds %.2f\n", t1 - t0);
    if (cx.fs_pairs) {
        fs_report(&cx, n, &res, (argc - 2) / 3);
        fs_patterns_free(&fsp);
        free(cx.cand);
    }
    if (getenv("BENCH_SCORES") && n < 20000) {
        /* the score of every true pair, brute force: the ceiling any blocking can reach */
        int hist[21] = {0};
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                if (tr[a] >= 0 && tr[a] == tr[b])
                    hist[(int)(link_score(&recs[a], &recs[b]) * 20)]++;
        for (int h = 0; h <= 20; h++)
            printf("true pairs with score in [%.2f, %.2f): %d\n", h / 20.0, (h + 1) / 20.0, hist[h]);
    }
    free(v);
    link_result_free(&res);
    free(recs);
    free(tr);
    free(cx.seen.slot);
    sbuf_free(&k);
    conf_free(&cf);
    return 0;
}
