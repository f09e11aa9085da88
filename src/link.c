#include "link.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "sbuf.h"

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

/* The scorer runs hundreds of millions of times: target_clones builds it twice, with and
 * without the POPCNT instruction, and the loader picks the one the processor can run. */
#define HOT __attribute__((target_clones("popcnt", "default")))

static inline __attribute__((always_inline)) double dice(const uint64_t *a, int pa, const uint64_t *b, int pb)
{
    int n = 0;
    for (int i = 0; i < 16; i++)
        n += __builtin_popcountll(a[i] & b[i]);
    return 2.0 * n / (pa + pb);
}

/* The scorer itself; static, because clang does not export a target_clones function's
 * dispatcher under its plain name (the exported link_score below calls it). */
HOT static double score(const link_rec *a, const link_rec *b)
{
    if (!(a->flags & LK_CLK) || !(b->flags & LK_CLK))
        return 0.0;
    double s = dice(a->clk, a->pop, b->clk, b->pop);
    if (a->flags & LK_CLK_ALT) {
        double t = dice(a->alt, a->pop_alt, b->clk, b->pop);
        if (t > s)
            s = t;
    }
    if (b->flags & LK_CLK_ALT) {
        double t = dice(a->clk, a->pop, b->alt, b->pop_alt);
        if (t > s)
            s = t;
        if (a->flags & LK_CLK_ALT) {
            t = dice(a->alt, a->pop_alt, b->alt, b->pop_alt);
            if (t > s)
                s = t;
        }
    }
    return s;
}

double link_score(const link_rec *a, const link_rec *b) { return score(a, b); }

const int link_fs_nlevels[LINK_FS_NCOMP] = {7, 4, 2, 2, 2, 2};
const char *const link_fs_names[LINK_FS_NCOMP] = {"clk_dice", "birth", "sex", "commune", "k_nir", "k_ident"};

void link_compare(const link_rec *a, const link_rec *b, fs_vec *v)
{
    static const double bands[] = {0.62, 0.70, 0.78, 0.84, 0.90, 0.95};
    memset(v, 0, sizeof *v);
    for (int k = 0; k < FS_MAX_COMP; k++)
        v->level[k] = FS_NULL;
    if ((a->flags & LK_CLK) && (b->flags & LK_CLK)) {
        double d = score(a, b);
        int l = 0;
        while (l < 6 && d >= bands[l])
            l++;
        v->level[LC_DICE] = (int8_t)l;
    }
    if ((a->flags & b->flags & LK_DOB) && memcmp(a->dob, b->dob, 16) == 0) {
        v->level[LC_BIRTH] = 3;
    } else if (a->birth_year && b->birth_year) {
        int d = abs((int)a->birth_year - (int)b->birth_year);
        v->level[LC_BIRTH] = (int8_t)(d == 0 ? 2 : d == 1 ? 1 : 0);
    }
    if (a->sex && b->sex)
        v->level[LC_SEX] = a->sex == b->sex;
    if (a->commune[0] && b->commune[0])
        v->level[LC_COMMUNE] = strcmp(a->commune, b->commune) == 0;
    if (a->flags & b->flags & LK_NIR)
        v->level[LC_NIR] = memcmp(a->nir, b->nir, 16) == 0;
    if ((a->flags & (LK_IDENT | LK_IDENT_ALT)) && (b->flags & (LK_IDENT | LK_IDENT_ALT))) {
        int eq = 0;
        const uint8_t *ka[2] = {a->flags & LK_IDENT ? a->ident : NULL, a->flags & LK_IDENT_ALT ? a->ident_alt : NULL};
        const uint8_t *kb[2] = {b->flags & LK_IDENT ? b->ident : NULL, b->flags & LK_IDENT_ALT ? b->ident_alt : NULL};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                eq |= ka[i] && kb[j] && memcmp(ka[i], kb[j], 16) == 0;
        v->level[LC_IDENT] = (int8_t)eq;
    }
}

/* Union-find with path halving and union by index (the smaller index becomes the root, so a
 * component's root is its smallest record index). */
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

/* Sort and keep one edge a pair: the strongest method (then the best score). */
static void edges_unique(struct edges *v)
{
    if (v->n == 0)
        return;
    qsort(v->e, v->n, sizeof *v->e, edge_cmp);
    size_t k = 0;
    for (size_t i = 1; i < v->n; i++)
        if (v->e[i].a != v->e[k].a || v->e[i].b != v->e[k].b)
            v->e[++k] = v->e[i];
    v->n = k + 1;
}

static int forbidden_pair(const uint64_t *f, size_t n, uint32_t a, uint32_t b)
{
    if (n == 0)
        return 0;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    uint64_t key = (uint64_t)a << 32 | b;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && f[lo] == key;
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

/* The state of the fuzzy stage. */
struct fuzzy {
    const link_rec *recs;
    size_t n;
    const link_params *p;
    uint32_t *exact;          /* exact component of each record */
    uint64_t *covered;        /* per exact component: sources holding one of its records */
    uint64_t *covered_dup;    /* per exact component: sources holding two or more */
    uint32_t *rep;            /* per exact component and source: its first record there */
    float *best_score;        /* n x 64: best partner's score per source */
    float *second_score;      /* n x 64: the next best partner's score */
    uint32_t *best;           /* n x 64: best partner per source (UINT32_MAX none) */
    int nsrc;
    struct edges possible;
    const uint64_t *forbidden;
    size_t nforbidden;
    link_pair_fn on_pair;
    void *ctx;
    link_stats *st;
};

static int is_covered(const struct fuzzy *z, uint32_t i, int s)
{
    uint32_t c = z->exact[i];
    if (s != z->recs[i].source)
        return (int)((z->covered[c] >> s) & 1);
    return (int)((z->covered_dup[c] >> s) & 1);
}

static void offer(struct fuzzy *z, uint32_t i, uint32_t j, double score)
{
    int s = z->recs[j].source;
    size_t k = (size_t)i * (size_t)z->nsrc + (size_t)s;
    float f = (float)score;
    if (j == z->best[k])
        return; /* the same pair again, from another block */
    if (f > z->best_score[k] || (f == z->best_score[k] && j < z->best[k])) {
        z->second_score[k] = z->best_score[k];
        z->best_score[k] = f;
        z->best[k] = j;
    } else if (f > z->second_score[k]) {
        z->second_score[k] = f;
    }
}

static void compare(struct fuzzy *z, uint32_t a, uint32_t b)
{
    if (a == b || z->exact[a] == z->exact[b])
        return;
    z->st->comparisons++;
    if (z->on_pair)
        z->on_pair(z->ctx, a < b ? a : b, a < b ? b : a);
    const link_rec *ra0 = &z->recs[a], *rb0 = &z->recs[b];
    if (ra0->sex && rb0->sex && ra0->sex != rb0->sex && 1.0 - z->p->sex_penalty < z->p->grey_low)
        return; /* no Dice can bring two sexes up to the grey zone: spare the popcounts */
    double s = score(&z->recs[a], &z->recs[b]);
    /* the same date of birth (k_dob) is strong evidence the CLK's compressed Dice
     * understates: strangers share one about once in 30,000 pairs */
    const link_rec *ra = &z->recs[a], *rb = &z->recs[b];
    if ((ra->flags & rb->flags & LK_DOB) && memcmp(ra->dob, rb->dob, 16) == 0)
        s += z->p->dob_bonus;
    else if (ra->birth_year && rb->birth_year && ra->birth_year != rb->birth_year)
        s -= z->p->year_penalty;
    if (ra->sex && rb->sex && ra->sex != rb->sex)
        s -= z->p->sex_penalty;
    if (ra->commune[0] && strcmp(ra->commune, rb->commune) == 0)
        s += z->p->commune_bonus;
    if (s < z->p->grey_low)
        return;
    if (forbidden_pair(z->forbidden, z->nforbidden, a, b))
        return;
    if (s < z->p->threshold)
        edges_add(&z->possible, a, b, LM_CLK, s);
    if (!is_covered(z, a, z->recs[b].source))
        offer(z, a, b, s);
    if (!is_covered(z, b, z->recs[a].source))
        offer(z, b, a, s);
}

static void compare_block(struct fuzzy *z, const uint32_t *ids, size_t m, unsigned long long *pairs)
{
    if (m < 2)
        return;
    if ((int)m > z->p->block_max) {
        z->st->blocks_skipped++;
        z->st->records_in_skipped_blocks += m;
        return;
    }
    *pairs += m * (m - 1) / 2;
    for (size_t x = 0; x < m; x++)
        for (size_t y = x + 1; y < m; y++)
            compare(z, ids[x], ids[y]);
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t signature(const uint64_t *f, const int *pos, int bits)
{
    uint32_t s = 0;
    for (int i = 0; i < bits; i++)
        s = s << 1 | (uint32_t)((f[pos[i] >> 6] >> (pos[i] & 63)) & 1);
    return s;
}

/* The shared, read-only inputs of the fuzzy stage's threads. */
struct shared {
    const uint32_t *who;       /* LSH entries: record index, high bit for the alternative filter */
    size_t ne;
    const int (*bandpos)[32];  /* each band's sampled bit positions */
    int bits;
    const struct keyed *dob;   /* records sorted by k_dob */
    size_t ndob;
};

/* LSH: for each band, the records (and their alternative filters) are sorted by the band's
 * signature with a two-pass radix sort (about half the bits a pass), and records sharing a
 * signature are compared. Thread T of NT takes the bands B with B % NT == T. */
static void lsh(struct fuzzy *z, const struct shared *sh, int t, int nt)
{
    const link_params *p = z->p;
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
    for (int band = t; band < p->bands || nmine > 0;) {
        if (band < p->bands && nmine < GROUP) {
            mine[nmine++] = band;
            band += nt;
            if (nmine < GROUP && band < p->bands)
                continue;
        }
        for (size_t x = 0; x < ne; x++) {
            const link_rec *r = &z->recs[sh->who[x] & 0x7fffffffu];
            const uint64_t *f = (sh->who[x] & 0x80000000u) ? r->alt : r->clk;
            for (int g = 0; g < nmine; g++)
                sigs[x * GROUP + (size_t)g] = signature(f, sh->bandpos[mine[g]], bits);
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
                        z->st->blocks_skipped++;
                        z->st->records_in_skipped_blocks += m;
                    } else {
                        /* a record may stand twice (clk and alt): drop the repeat */
                        size_t k = 0;
                        for (size_t i = g; i < h; i++) {
                            uint32_t rec = (uint32_t)a[i];
                            int seen = 0;
                            for (size_t q = 0; q < k && !seen; q++)
                                seen = block[q] == rec;
                            if (!seen)
                                block[k++] = rec;
                        }
                        compare_block(z, block, k, &z->st->candidate_pairs_lsh);
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

/* One thread of the fuzzy stage: its share of the k_dob blocks, then of the LSH bands. */
struct job {
    struct fuzzy z;
    link_stats st;
    const struct shared *sh;
    int t, nt;
};

static void *fuzzy_job(void *arg)
{
    struct job *jb = arg;
    struct fuzzy *z = &jb->z;
    const struct shared *sh = jb->sh;
    uint32_t *block = xmalloc((sh->ndob ? sh->ndob : 1) * sizeof *block);
    size_t group = 0;
    for (size_t g = 0; g < sh->ndob; group++) {
        size_t h = g + 1;
        while (h < sh->ndob && memcmp(sh->dob[h].key, sh->dob[g].key, 16) == 0)
            h++;
        if ((int)(group % (size_t)jb->nt) == jb->t) {
            for (size_t x = g; x < h; x++)
                block[x - g] = sh->dob[x].rec;
            compare_block(z, block, h - g, &z->st->candidate_pairs_dob);
        }
        g = h;
    }
    free(block);
    lsh(z, sh, jb->t, jb->nt);
    return NULL;
}

/* Fold thread B's best partners into A's (same semantics as offer(): ties to the smaller
 * index, the second best never the best's own record). */
static void merge_best(struct fuzzy *a, const struct fuzzy *b, size_t nbest)
{
    for (size_t k = 0; k < nbest; k++) {
        if (b->best[k] == UINT32_MAX)
            continue;
        if (a->best[k] == UINT32_MAX) {
            a->best[k] = b->best[k];
            a->best_score[k] = b->best_score[k];
            a->second_score[k] = b->second_score[k];
            continue;
        }
        float sec = a->second_score[k] > b->second_score[k] ? a->second_score[k] : b->second_score[k];
        if (a->best[k] == b->best[k]) {
            a->second_score[k] = sec;
            continue;
        }
        int b_wins = b->best_score[k] > a->best_score[k] ||
                     (b->best_score[k] == a->best_score[k] && b->best[k] < a->best[k]);
        float loser = b_wins ? a->best_score[k] : b->best_score[k];
        if (b_wins) {
            a->best[k] = b->best[k];
            a->best_score[k] = b->best_score[k];
        }
        a->second_score[k] = loser > sec ? loser : sec;
    }
}

static void stats_add(link_stats *a, const link_stats *b)
{
    a->comparisons += b->comparisons;
    a->candidate_pairs_dob += b->candidate_pairs_dob;
    a->candidate_pairs_lsh += b->candidate_pairs_lsh;
    a->blocks_skipped += b->blocks_skipped;
    a->records_in_skipped_blocks += b->records_in_skipped_blocks;
}

int link_run(const link_rec *recs, size_t n, const link_params *p, const uint64_t *forbidden,
             size_t n_forbidden, link_pair_fn on_pair, void *ctx, link_result *out)
{
    memset(out, 0, sizeof *out);
    if ((p->bits != 0 && (p->bits < 8 || p->bits > 30)) || p->bands < 0 || p->block_max < 2 || p->threshold <= 0 ||
        p->grey_low > p->threshold || n >= UINT32_MAX)
        return -1;
    link_stats *st = &out->stats;
    uint32_t *uf = xmalloc((n ? n : 1) * sizeof *uf);
    for (size_t i = 0; i < n; i++)
        uf[i] = (uint32_t)i;
    struct edges links = {0};

    /* 1. exact links */
    struct keyed *k = xmalloc((2 * n + 1) * sizeof *k);
    for (int pass = 0; pass < 2; pass++) {
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
        qsort(k, m, sizeof *k, keyed_cmp);
        for (size_t g = 0; g < m;) {
            size_t h = g + 1;
            while (h < m && memcmp(k[h].key, k[g].key, 16) == 0)
                h++;
            for (size_t x = g + 1; x < h; x++) {
                uint32_t a = k[g].rec, b = k[x].rec;
                if (a == b || forbidden_pair(forbidden, n_forbidden, a, b))
                    continue;
                int method = pass == 0 ? LM_NIR : (k[g].tag || k[x].tag) ? LM_IDENT_ALT : LM_IDENT;
                edges_add(&links, a, b, method, 1.0);
                uf_union(uf, a, b);
            }
            g = h;
        }
    }
    edges_unique(&links);
    st->exact_edges = links.n;

    /* 2. fuzzy links */
    struct fuzzy z = {0};
    z.recs = recs;
    z.n = n;
    z.p = p;
    z.st = st;
    z.forbidden = forbidden;
    z.nforbidden = n_forbidden;
    z.on_pair = on_pair;
    z.ctx = ctx;
    z.exact = xmalloc((n ? n : 1) * sizeof *z.exact);
    z.covered = xcalloc(n ? n : 1, sizeof *z.covered);
    z.covered_dup = xcalloc(n ? n : 1, sizeof *z.covered_dup);
    int maxsrc = 0;
    for (size_t i = 0; i < n; i++) {
        z.exact[i] = uf_find(uf, (uint32_t)i);
        if (recs[i].source > maxsrc)
            maxsrc = recs[i].source;
    }
    z.nsrc = maxsrc + 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t bit = 1ULL << recs[i].source;
        uint32_t c = z.exact[i];
        if (z.covered[c] & bit)
            z.covered_dup[c] |= bit;
        z.covered[c] |= bit;
    }
    size_t nbest = n * (size_t)z.nsrc;
    z.rep = xmalloc((nbest ? nbest : 1) * sizeof *z.rep);
    for (size_t i = 0; i < nbest; i++)
        z.rep[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t kr = (size_t)z.exact[i] * (size_t)z.nsrc + recs[i].source;
        if (z.rep[kr] == UINT32_MAX)
            z.rep[kr] = (uint32_t)i;
    }
    /* k_dob blocks: the records sorted by k_dob */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if ((recs[i].flags & LK_DOB) && (recs[i].flags & LK_CLK)) {
            memcpy(k[m].key, recs[i].dob, 16);
            k[m].rec = (uint32_t)i;
            k[m++].tag = 0;
        }
    }
    qsort(k, m, sizeof *k, keyed_cmp);
    /* LSH bands; bits 0 takes the smallest number of bits, from 12, whose buckets outnumber
     * the records 64 times, so strangers rarely share one whatever the size (the comparisons
     * then grow about linearly with the records). The bands' positions are drawn from a fixed
     * seed: the same bands every run, whatever the number of threads. */
    int bits = p->bits;
    if (bits == 0) {
        bits = 12;
        while (bits < 30 && (double)(1u << bits) < 64.0 * (double)n)
            bits++;
    }
    st->lsh_bits = bits;
    int (*bandpos)[32] = xmalloc((size_t)(p->bands ? p->bands : 1) * sizeof *bandpos);
    uint64_t seed = 0x747a6e722d6c7368ULL;
    for (int band = 0; band < p->bands; band++) {
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
    struct shared sh = {who, ne, (const int (*)[32])bandpos, bits, k, m};
    /* the threads: each with its own best partners, merged after */
    int nt = p->threads > 0 ? p->threads : 1;
    if (nt > 16)
        nt = 16;
    if (on_pair)
        nt = 1; /* the callback is not required to be thread-safe */
    struct job jobs[16];
    memset(jobs, 0, sizeof jobs);
    pthread_t th[16];
    for (int t = 0; t < nt; t++) {
        jobs[t].z = z;
        jobs[t].z.st = &jobs[t].st;
        memset(&jobs[t].st, 0, sizeof jobs[t].st);
        memset(&jobs[t].z.possible, 0, sizeof jobs[t].z.possible);
        jobs[t].z.best_score = xmalloc((nbest ? nbest : 1) * sizeof *z.best_score);
        jobs[t].z.best = xmalloc((nbest ? nbest : 1) * sizeof *z.best);
        jobs[t].z.second_score = xmalloc((nbest ? nbest : 1) * sizeof *z.second_score);
        for (size_t i = 0; i < nbest; i++) {
            jobs[t].z.best_score[i] = -1.0f;
            jobs[t].z.second_score[i] = -1.0f;
            jobs[t].z.best[i] = UINT32_MAX;
        }
        jobs[t].sh = &sh;
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
    z.best = jobs[0].z.best;
    z.best_score = jobs[0].z.best_score;
    z.second_score = jobs[0].z.second_score;
    z.possible = jobs[0].z.possible;
    stats_add(st, &jobs[0].st);
    for (int t = 1; t < nt; t++) {
        merge_best(&z, &jobs[t].z, nbest);
        stats_add(st, &jobs[t].st);
        for (size_t i = 0; i < jobs[t].z.possible.n; i++) {
            const link_edge *e = &jobs[t].z.possible.e[i];
            edges_add(&z.possible, e->a, e->b, e->method, e->score);
        }
        free(jobs[t].z.possible.e);
        free(jobs[t].z.best);
        free(jobs[t].z.best_score);
        free(jobs[t].z.second_score);
    }
    free(bandpos);
    free(who);
    free(k);
    /* keep each record's best partner in each source (its own included: duplicates) */
    for (size_t i = 0; i < n; i++) {
        for (int s = 0; s < z.nsrc; s++) {
            size_t ki = i * (size_t)z.nsrc + (size_t)s;
            uint32_t j = z.best[ki];
            if (j == UINT32_MAX || z.best_score[ki] < (float)p->threshold)
                continue;
            if (s == recs[i].source && z.best_score[ki] < (float)p->same_source)
                continue;
            /* mutual best partners link; a one-sided best must stand clear of the record's next
             * best in that source (several records of one person there), or it is only the
             * least unlike of strangers (the record's true partner is absent) */
            size_t kj = (size_t)j * (size_t)z.nsrc + recs[i].source;
            int mutual = z.best[kj] == i;
            if (!mutual && z.best_score[ki] - z.second_score[ki] < (float)p->margin)
                continue;
            edges_add(&links, (uint32_t)i, j, LM_CLK, z.best_score[ki]);
            uf_union(uf, (uint32_t)i, j);
        }
    }
    edges_unique(&links);
    st->clk_edges = links.n - st->exact_edges;
    edges_unique(&z.possible);
    /* a possible pair already linked, directly or not, is no longer in doubt */
    size_t kept = 0;
    for (size_t i = 0; i < z.possible.n; i++)
        if (uf_find(uf, z.possible.e[i].a) != uf_find(uf, z.possible.e[i].b))
            z.possible.e[kept++] = z.possible.e[i];
    z.possible.n = kept;
    st->possible = kept;

    /* 3. persons */
    out->person = uf;
    for (size_t i = 0; i < n; i++) {
        uf[i] = uf_find(uf, (uint32_t)i);
        if (uf[i] == i)
            st->persons++;
    }
    out->edges = links.e;
    out->nedges = links.n;
    out->possible = z.possible.e;
    out->npossible = z.possible.n;
    free(z.exact);
    free(z.covered);
    free(z.covered_dup);
    free(z.best_score);
    free(z.second_score);
    free(z.rep);
    free(z.best);
    return 0;
}

void link_result_free(link_result *r)
{
    free(r->edges);
    free(r->possible);
    free(r->person);
    memset(r, 0, sizeof *r);
}
