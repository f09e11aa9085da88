/* Linkage quality against ground truth, with the same core as 'tznr link' (src/link.c):
 * pairwise precision and recall of the persons found, and the blocking's pair completeness.
 *
 *   bench_link TRUTH.csv EXTRACT.csv TOKENS.csv SOURCE [EXTRACT TOKENS SOURCE]...
 *
 * TRUTH.csv: source,local_ref,person_id[,...] (tznr-synth's truth_persons.csv format).
 * Also the run's own estimate of its precision and recall (from its model, no truth) beside
 * the true ones, and the model (BENCH_MODEL=1 prints its table; BENCH_DEBUG=1 the links by
 * comparison vector, true and false, and the true pairs missed).
 * Parameters from the environment: LINK_MATCH, LINK_SAME, LINK_SAMPLE, LSH_BANDS, LSH_BITS,
 * BLOCK_MAX, LINK_THREADS (defaults: the platform's); LINK_CONFIG=FILE reads a [link]. */
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

static int pairset_has(const struct pairset *s, uint64_t k)
{
    if (!s->cap)
        return 0;
    size_t i = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 17) & (s->cap - 1);
    while (s->slot[i] && s->slot[i] != k)
        i = (i + 1) & (s->cap - 1);
    return s->slot[i] == k;
}

struct ctx {
    const int *truth;
    struct pairset seen;
};

static void on_pair(void *c, uint32_t a, uint32_t b)
{
    struct ctx *x = c;
    if (x->truth[a] >= 0 && x->truth[a] == x->truth[b])
        pairset_add(&x->seen, (uint64_t)a << 32 | b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A comparison pattern among the pairs of two sources: how many are one person, how many two. */
struct pattern_count {
    double match, other;
};

/* Best share of matches first; among equals, the most matches first. */
static int by_share(const void *x, const void *y)
{
    const struct pattern_count *a = x, *b = y;
    double l = a->match * (b->match + b->other), r = b->match * (a->match + a->other);
    if (l != r)
        return l > r ? -1 : 1;
    return a->match > b->match ? -1 : a->match < b->match;
}

/* The ceiling of any rule on the model's comparisons: every pair of two sources, brute force,
 * counted by its comparison pattern (the levels the run RES gave it, link_compare_in) with
 * the truth; then the patterns taken whole, the best share of matches first, as long as the
 * pairs taken keep PRECISION.
 * The recall so reached is what a linkage that knew, for each pattern, how many of its pairs
 * are one person could reach with these comparisons and no blocking (the exact keys aside,
 * which are not comparisons). It flatters such a rule a little: on a small set a pattern of
 * one match and no stranger counts as sure. Return the matches taken; *TOTAL the true pairs. */
static double pattern_ceiling(const link_rec *recs, size_t n, const link_result *res, const int *tr, double precision,
                              double *total)
{
    size_t cap = n * (n - 1) / 2 + 1, np = 0;
    uint64_t *code = xmalloc(cap * sizeof *code);
    *total = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            if (recs[a].source == recs[b].source)
                continue;
            int match = tr[a] >= 0 && tr[a] == tr[b];
            fs_vec v;
            link_compare_in(res, &recs[a], &recs[b], &v);
            uint64_t c = 0;
            for (int k = 0; k < LINK_FS_NCOMP; k++) /* each level + 1 (FS_NULL: 0) in 4 bits */
                c = c << 4 | (uint64_t)(v.level[k] + 1);
            code[np++] = c << 1 | (uint64_t)match;
            *total += match;
        }
    qsort(code, np, sizeof *code, cmp_u64);
    struct pattern_count *pc = xmalloc((np + 1) * sizeof *pc);
    size_t npc = 0;
    for (size_t i = 0; i < np;) {
        struct pattern_count c = {0, 0};
        size_t j = i;
        for (; j < np && code[j] >> 1 == code[i] >> 1; j++)
            *((code[j] & 1) ? &c.match : &c.other) += 1;
        pc[npc++] = c;
        i = j;
    }
    qsort(pc, npc, sizeof *pc, by_share);
    double tp = 0, fp = 0;
    for (size_t i = 0; i < npc && pc[i].match > 0; i++) {
        if ((tp + pc[i].match) / (tp + pc[i].match + fp + pc[i].other) < precision)
            break;
        tp += pc[i].match;
        fp += pc[i].other;
    }
    free(pc);
    free(code);
    return tp;
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

/* An identity key's 16 bytes and its record, for ident_truth. */
struct keyrec {
    uint64_t k0, k1;
    uint32_t rec;
};

static int cmp_keyrec(const void *x, const void *y)
{
    const struct keyrec *a = x, *b = y;
    if (a->k0 != b->k0)
        return a->k0 < b->k0 ? -1 : 1;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

/* The pairs of records that share an identity key (k_ident or k_ident_alt, either against
 * either; groups of at most 64, as the linker takes them), into *PAIRS, and how many of them
 * are two people by the truth TR (namesakes) into *TWO: the figure the model estimates
 * without ground truth (link_model.ident_namesakes). */
static void ident_truth(const link_rec *recs, size_t n, const int *tr, double *pairs, double *two)
{
    struct keyrec *k = malloc((2 * n + 1) * sizeof *k);
    size_t m = 0, np = 0, cap = 1024;
    for (size_t i = 0; i < n; i++)
        for (int alt = 0; alt < 2; alt++)
            if (recs[i].flags & (alt ? LK_IDENT_ALT : LK_IDENT)) {
                const uint8_t *key = alt ? recs[i].ident_alt : recs[i].ident;
                memcpy(&k[m].k0, key, 8);
                memcpy(&k[m].k1, key + 8, 8);
                k[m++].rec = (uint32_t)i;
            }
    qsort(k, m, sizeof *k, cmp_keyrec);
    uint64_t *v = malloc(cap * sizeof *v);
    for (size_t g = 0, h; g < m; g = h) {
        for (h = g + 1; h < m && k[h].k0 == k[g].k0 && k[h].k1 == k[g].k1; h++)
            ;
        if (h - g > 64)
            continue;
        for (size_t x = g; x < h; x++)
            for (size_t y = x + 1; y < h; y++) {
                if (k[x].rec == k[y].rec)
                    continue;
                if (np == cap)
                    v = realloc(v, (cap *= 2) * sizeof *v);
                v[np++] = (uint64_t)k[x].rec << 32 | k[y].rec;
            }
    }
    qsort(v, np, sizeof *v, cmp_u64);
    *pairs = *two = 0;
    for (size_t i = 0; i < np; i++) {
        if (i > 0 && v[i] == v[i - 1])
            continue;
        uint32_t a = (uint32_t)(v[i] >> 32), b = (uint32_t)v[i];
        *pairs += 1;
        *two += tr[a] >= 0 && tr[b] >= 0 && tr[a] != tr[b];
    }
    free(v);
    free(k);
}

/* The model of the run, as 'tznr links --model' prints it. */
static void print_model(const link_result *res)
{
    const link_model *lm = &res->model;
    static const char *const how[] = {"none", "pairs joined by k_nir", "EM", "given"};
    printf("model: m from %s (%zu training pairs); EM %s after %d iterations; lambda %.5f; "
           "sample %zu records, %zu candidate pairs; u from %zu random pairs%s; %zu pairs of the k_dob blocks\n",
           how[lm->training], lm->training_pairs, fs_em_status_text(lm->status), lm->fs.iterations, lm->fs.lambda,
           lm->sample_records, lm->sample_pairs, lm->random_pairs,
           lm->u_from_candidates ? " (CLK, sex, commune: candidate pairs born apart)" : "", lm->dob_pairs);
    if (lm->training == LT_NONE)
        printf("no model: %s\n", lm->why);
    else
        printf("share linked: %.4f of the matches the model expects among the pairs the exact keys left (an EM model "
               "is refused under %g)\n", res->stats.est_fuzzy_recall, LINK_MIN_FUZZY_RECALL);
    if (getenv("BENCH_MODEL"))
        for (int k = 0; k < lm->fs.ncomp; k++)
            for (int l = 0; l < lm->fs.nlevels[k]; l++)
                printf("model:   %-10s level %d  m %.4f  u %.6f  weight %+7.2f\n", link_fs_names[k], l,
                       lm->fs.m[k][l], lm->fs.u[k][l], fs_level_weight(&lm->fs, k, l));
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
    link_params p = {.match = cf.link_match, .same_source = cf.link_same_source, .possible = cf.link_possible,
                     .sample = (size_t)cf.link_sample, .bands = cf.lsh_bands, .bits = cf.lsh_bits,
                     .block_max = cf.block_max};
    if (getenv("LINK_MATCH")) p.match = atof(getenv("LINK_MATCH"));
    if (getenv("LINK_SAME")) p.same_source = atof(getenv("LINK_SAME"));
    if (getenv("LINK_SAMPLE")) p.sample = (size_t)atol(getenv("LINK_SAMPLE"));
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
            if (rec.len[1] >= 16) unhex(f[1], (unsigned char *)&x->household, 8);
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

    if (getenv("BENCH_REVERSE")) /* the records in the other order: the same links are expected */
        for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
            link_rec t = recs[i];
            recs[i] = recs[j];
            recs[j] = t;
            int x = tr[i];
            tr[i] = tr[j];
            tr[j] = x;
        }
    struct ctx cx = {tr, {0}};
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
        /* the fuzzy links by comparison vector: how many true, how many false */
        struct { char key[24]; int t, f; float p; } tally[2048];
        int nt = 0;
        for (size_t e = 0; e < res.nedges; e++) {
            fs_vec fv;
            link_compare_in(&res, &recs[res.edges[e].a], &recs[res.edges[e].b], &fv);
            if (fv.level[LC_BIRTH] == 3) { /* the sex and commune of pairs born the same day, in their usual place */
                fv.level[LC_SEX] = fv.level[LC_SEX_DOB];
                fv.level[LC_COMMUNE] = fv.level[LC_COMMUNE_DOB];
            }
            char key[24];
            snprintf(key, sizeof key, "%s%d%d%d%d%d%s", res.edges[e].method == LM_CLK ? "" : link_method_name(res.edges[e].method), fv.level[0] % 10, fv.level[1] % 10, fv.level[2] % 10, fv.level[3] % 10, fv.level[4] % 10,
                     recs[res.edges[e].a].source == recs[res.edges[e].b].source ? "s" : "x");
            int t = 0;
            while (t < nt && strcmp(tally[t].key, key) != 0)
                t++;
            if (t == nt && nt < 2048) {
                snprintf(tally[nt].key, sizeof tally[nt].key, "%s", key);
                tally[nt].t = tally[nt].f = 0;
                tally[nt++].p = res.edges[e].score;
            }
            if (t < nt) {
                if (tr[res.edges[e].a] >= 0 && tr[res.edges[e].a] == tr[res.edges[e].b])
                    tally[t].t++;
                else
                    tally[t].f++;
            }
        }
        /* the true pairs of two sources left apart, by vector (brute force on small sets) */
        if (n <= 20000) {
            int shown2 = 0;
            double tl[2][4][10] = {{{0}}}; /* [match][birth level][Dice level] */
            static double tlc[2][4][3][10]; /* the same by commune level + 1 */
            memset(tlc, 0, sizeof tlc);
            struct { int b, c, d; } lost[400];
            for (size_t a = 0; a < n; a++)
                for (size_t b = a + 1; b < n; b++) {
                    if (recs[a].source != recs[b].source) {
                        fs_vec fv;
                        link_compare_in(&res, &recs[a], &recs[b], &fv);
                        int bl = fv.level[LC_BIRTH], dl = bl == 3 ? fv.level[LC_DICE_DOB] : fv.level[LC_DICE];
                        int cl = (bl == 3 ? fv.level[LC_COMMUNE_DOB] : fv.level[LC_COMMUNE]) + 1;
                        if (bl >= 0 && dl >= 0) {
                            tl[tr[a] >= 0 && tr[a] == tr[b]][bl][dl]++;
                            if (cl >= 0 && cl < 3)
                                tlc[tr[a] >= 0 && tr[a] == tr[b]][bl][cl][dl]++;
                        }
                    }
                    if (tr[a] < 0 || tr[a] != tr[b] || recs[a].source == recs[b].source ||
                        res.person[a] == res.person[b])
                        continue;
                    fs_vec fv;
                    link_compare_in(&res, &recs[a], &recs[b], &fv);
                    if (shown2 < 400) {
                        int bl = fv.level[LC_BIRTH];
                        lost[shown2].b = bl;
                        lost[shown2].c = (bl == 3 ? fv.level[LC_COMMUNE_DOB] : fv.level[LC_COMMUNE]) + 1;
                        lost[shown2].d = bl == 3 ? fv.level[LC_DICE_DOB] : fv.level[LC_DICE];
                    }
                    if (shown2++ < 400) {
                        const char *seen = p.threads > 1                                      ? ""
                                           : pairset_has(&cx.seen, (uint64_t)a << 32 | b) ? " compared"
                                                                                           : " unseen";
                        printf("  missed %zu-%zu levels %d%d%d%d%d P %.4f dice %.3f%s\n", a, b, fv.level[0],
                               fv.level[1], fv.level[2], fv.level[3], fv.level[4], fs_probability(&res.model.fs, &fv),
                               link_score_in(&res, &recs[a], &recs[b]), seen);
                    }
                }
            /* each lost pair's kind (birth, commune and Dice levels) in the truth: how many
             * strangers and matches share it, so what any rule on these levels would take
             * with it */
            for (int i = 0; i < shown2 && i < 400; i++) {
                int b = lost[i].b, c = lost[i].c, d = lost[i].d;
                if (b >= 0 && d >= 0 && c >= 0 && c < 3)
                    printf("  lost pair %d: birth %d commune %d Dice %d: %.0f strangers, %.0f matches of its kind\n", i,
                           b, c - 1, d, tlc[0][b][c][d], tlc[1][b][c][d]);
            }
            for (int w = 0; w < 2 && n <= 20000; w++)
                for (int bl = 0; bl < 4; bl++) {
                    double sum = 0;
                    for (int l = 0; l < 10; l++)
                        sum += tl[w][bl][l];
                    printf("  truth: %s, birth level %d, %.0f pairs, by Dice level:", w ? "matches" : "non-matches",
                           bl, sum);
                    for (int l = 0; l < 10; l++)
                        printf(" %.0f", tl[w][bl][l]);
                    printf("\n");
                }
        }
        for (int t = 0; t < nt; t++)
            printf("  clk links with levels %s (P %.4f): %d true, %d false\n", tally[t].key, tally[t].p, tally[t].t,
                   tally[t].f);
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
    printf("links: %llu exact, %llu clk (%llu by the last records' search); possible %zu; persons %zu; "
           "identity-key pairs kept apart %llu\n",
           res.stats.exact_edges, res.stats.clk_edges, res.stats.last_edges, res.npossible, res.stats.persons,
           res.stats.ident_vetoed);
    if (res.model.ident_m > 0) {
        double ipairs, itwo;
        ident_truth(recs, n, tr, &ipairs, &itwo);
        printf("identity keys: %.0f pairs share one, %.0f of them two people (truth); estimated %.0f of %.0f "
               "(prior weight %+.2f)\n", ipairs, itwo, res.model.ident_namesakes, res.model.ident_pairs,
               link_ident_weight(&res.model));
    }
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
    printf("estimated across sources: precision %.4f recall %.4f (true %.4f %.4f)\n", res.stats.est_precision,
           res.stats.est_recall, xpred ? (double)xtp / (double)xpred : 1.0, xtrue ? (double)xtp / (double)xtrue : 1.0);
    static const char *const kind_name[LINK_DK_N] = {"two dates", "one date unknown", "both unknown"};
    char kinds[96] = "";
    for (int dk = 0; dk < LINK_DK_N; dk++)
        if (res.stats.est_blocking_from_dob & (1 << dk))
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", kinds[0] ? ", " : "", kind_name[dk]);
    printf("estimated missed: %.1f matches; before the last records' search %.1f, of which %.1f no blocking brought "
           "together (%s%s)\n", res.stats.est_missed, res.stats.est_missed + res.stats.est_last,
           res.stats.est_blocking_missed,
           kinds[0] ? "against the pairs born the same day: " : "from the pairs found alone", kinds);
    printf("parameters: match_probability %.3f, same_source_probability %.4f, %d LSH bands of %d bits\n", p.match,
           p.same_source, p.bands, res.stats.lsh_bits);
    print_model(&res);
    printf("link_seconds %.2f\n", t1 - t0);
    if (getenv("BENCH_CEILING") && n <= 20000) {
        double total, taken = pattern_ceiling(recs, n, &res, tr, 0.998, &total);
        printf("ceiling: a rule on the model's comparison patterns that knew the truth reaches recall %.4f (%.0f of %.0f "
               "pairs of two sources) at precision 0.998\n", total > 0 ? taken / total : 1.0, taken, total);
    }
    if (getenv("BENCH_SCORES") && n < 20000) {
        /* the score of every true pair, brute force: the ceiling any blocking can reach */
        int hist[21] = {0};
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                if (tr[a] >= 0 && tr[a] == tr[b])
                    hist[(int)(link_score_in(&res, &recs[a], &recs[b]) * 20)]++;
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
