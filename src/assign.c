/* assign: persons and households from the linkage's components (see assign.h). */
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "log.h"
#include "sbuf.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* An open-addressing set of person ids. */
struct idset {
    int64_t *slot;
    size_t mask;
};

static void idset_init(struct idset *s, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    s->slot = xcalloc(cap, sizeof *s->slot);
    s->mask = cap - 1;
}

static size_t idset_pos(const struct idset *s, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    size_t i = (size_t)(h >> 20) & s->mask;
    while (s->slot[i] != 0 && s->slot[i] != id)
        i = (i + 1) & s->mask;
    return i;
}

static int idset_has(const struct idset *s, int64_t id) { return s->slot[idset_pos(s, id)] == id; }
static void idset_add(struct idset *s, int64_t id) { s->slot[idset_pos(s, id)] = id; }

int64_t *assign_persons(size_t n, const uint32_t *root, const int64_t *prev, int64_t *next_id, size_t *kept)
{
    int64_t *id = xcalloc(n ? n : 1, sizeof *id);
    /* records grouped by component: order indexes by root */
    uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);
    uint32_t *start = xcalloc(n + 1, sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[root[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    uint32_t *fill = xmalloc((n + 1) * sizeof *fill);
    memcpy(fill, start, (n + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        order[fill[root[i]]++] = (uint32_t)i;
    free(fill);
    /* how many records each previous id had in total */
    int64_t *prev_sorted = xmalloc((n ? n : 1) * sizeof *prev_sorted);
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (prev[i])
            prev_sorted[np++] = prev[i];
    qsort(prev_sorted, np, sizeof *prev_sorted, cmp_i64);
    /* ids taken in this run */
    struct idset taken;
    idset_init(&taken, n);
    int64_t *members = xmalloc((n ? n : 1) * sizeof *members);
    *kept = 0;
    /* first pass: unchanged persons keep their ids; second: the rest */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < n; c++) {
            size_t a = start[c], b = start[c + 1];
            if (a == b || id[order[a]] != 0)
                continue;
            size_t m = 0;
            for (size_t x = a; x < b; x++)
                members[m++] = prev[order[x]];
            qsort(members, m, sizeof *members, cmp_i64);
            int64_t chosen = 0;
            if (pass == 0) {
                if (members[0] != 0 && members[0] == members[m - 1]) {
                    /* all the same id: does that id have records elsewhere? */
                    int64_t pid = members[0];
                    size_t lo = 0, hi = np;
                    while (lo < hi) {
                        size_t mid = (lo + hi) / 2;
                        if (prev_sorted[mid] < pid)
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    size_t cnt = 0;
                    while (lo + cnt < np && prev_sorted[lo + cnt] == pid)
                        cnt++;
                    if (cnt == m)
                        chosen = pid;
                }
                if (!chosen)
                    continue;
                (*kept)++;
            } else {
                int64_t best = 0;
                size_t bestn = 0;
                for (size_t x = 0; x < m;) {
                    size_t y = x;
                    while (y < m && members[y] == members[x])
                        y++;
                    if (members[x] != 0 && y - x > bestn) {
                        if (!idset_has(&taken, members[x])) {
                            best = members[x];
                            bestn = y - x;
                        }
                    }
                    x = y;
                }
                chosen = best ? best : (*next_id)++;
            }
            idset_add(&taken, chosen);
            for (size_t x = a; x < b; x++)
                id[order[x]] = chosen;
        }
    }
    free(order);
    free(start);
    free(prev_sorted);
    free(taken.slot);
    free(members);
    return id;
}

static uint32_t uf_root(uint32_t *uf, uint32_t x)
{
    while (uf[x] != x) {
        uf[x] = uf[uf[x]];
        x = uf[x];
    }
    return x;
}

/* A household key at a source, or a person id, and the record that has it. */
struct hhkey {
    uint8_t key[16];
    uint8_t source;
    uint32_t rec;
};

static int hhkey_cmp(const void *a, const void *b)
{
    const struct hhkey *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    int c = memcmp(x->key, y->key, 16);
    if (c)
        return c;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* One stable counting pass of K (M entries) into T on the digit DIGIT gives (NB values). */
static void hhkey_pass(const struct hhkey *k, struct hhkey *t, size_t m, uint32_t *count, size_t nb,
                       unsigned (*digit)(const struct hhkey *))
{
    memset(count, 0, nb * sizeof *count);
    for (size_t i = 0; i < m; i++)
        count[digit(&k[i])]++;
    uint32_t sum = 0;
    for (size_t d = 0; d < nb; d++) {
        uint32_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < m; i++)
        t[count[digit(&k[i])]++] = k[i];
}

static unsigned digit_key23(const struct hhkey *x) { return (unsigned)x->key[2] << 8 | x->key[3]; }
static unsigned digit_key01(const struct hhkey *x) { return (unsigned)x->key[0] << 8 | x->key[1]; }
static unsigned digit_source(const struct hhkey *x) { return x->source; }

/* Sort K as hhkey_cmp orders it. The keys are keyed hashes (or person ids), so the source and
 * the key's first four bytes nearly always tell two apart: three stable radix passes on them,
 * then the runs that share them are finished by insertion (in record order already where K
 * was built in it). qsort took about a second for each of the two sorts at 1.1M households. */
static void hhkey_sort(struct hhkey *k, size_t m)
{
    if (m < 2)
        return;
    struct hhkey *t = xmalloc(m * sizeof *t);
    uint32_t *count = xmalloc(65536 * sizeof *count);
    hhkey_pass(k, t, m, count, 65536, digit_key23);
    hhkey_pass(t, k, m, count, 65536, digit_key01);
    memcpy(t, k, m * sizeof *t);
    hhkey_pass(t, k, m, count, 256, digit_source);
    free(count);
    free(t);
    for (size_t g = 0; g < m;) {
        size_t h = g + 1;
        while (h < m && k[h].source == k[g].source && memcmp(k[h].key, k[g].key, 4) == 0)
            h++;
        for (size_t i = g + 1; i < h; i++) {
            struct hhkey v = k[i];
            size_t j = i;
            for (; j > g && hhkey_cmp(&k[j - 1], &v) > 0; j--)
                k[j] = k[j - 1];
            k[j] = v;
        }
        g = h;
    }
}

int64_t *assign_foyers(size_t n, const uint8_t *source, const uint8_t (*household)[16], const int64_t *pid,
                       size_t *nfoyers)
{
    uint32_t *uf = xmalloc((n ? n : 1) * sizeof *uf);
    for (size_t i = 0; i < n; i++)
        uf[i] = (uint32_t)i;
    /* the records sharing a household key at one source: sorted by (source, key) */
    struct hhkey *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    static const uint8_t zero[16];
    for (size_t i = 0; i < n; i++) {
        if (memcmp(household[i], zero, 16) == 0)
            continue;
        memcpy(k[m].key, household[i], 16);
        k[m].source = source[i];
        k[m++].rec = (uint32_t)i;
    }
    hhkey_sort(k, m);
    for (size_t g = 1; g < m; g++)
        if (k[g].source == k[g - 1].source && memcmp(k[g].key, k[g - 1].key, 16) == 0) {
            uint32_t a = uf_root(uf, k[g - 1].rec), b = uf_root(uf, k[g].rec);
            if (a != b)
                uf[a > b ? a : b] = a < b ? a : b;
        }
    /* the records of one person: sorted by person id */
    for (size_t i = 0; i < n; i++) {
        memset(k[i].key, 0, 16);
        memcpy(k[i].key, &pid[i], sizeof pid[i]);
        k[i].source = 0;
        k[i].rec = (uint32_t)i;
    }
    hhkey_sort(k, n);
    for (size_t g = 1; g < n; g++)
        if (memcmp(k[g].key, k[g - 1].key, 16) == 0) {
            uint32_t a = uf_root(uf, k[g - 1].rec), b = uf_root(uf, k[g].rec);
            if (a != b)
                uf[a > b ? a : b] = a < b ? a : b;
        }
    free(k);
    /* the smallest person id of each component */
    int64_t *minp = xmalloc((n ? n : 1) * sizeof *minp);
    for (size_t i = 0; i < n; i++)
        minp[i] = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = uf_root(uf, (uint32_t)i);
        if (pid[i] < minp[r])
            minp[r] = pid[i];
    }
    int64_t *foyer = xmalloc((n ? n : 1) * sizeof *foyer);
    *nfoyers = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = uf_root(uf, (uint32_t)i);
        foyer[i] = minp[r];
        if (r == i)
            (*nfoyers)++;
    }
    free(minp);
    free(uf);
    return foyer;
}

