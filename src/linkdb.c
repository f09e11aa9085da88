/* linkdb: the linkage pass over the database (see linkdb.h): read the current records in one
 * binary COPY, link them in memory (link.c), assign persons and households (assign.c), write
 * links, possible links and persons by binary COPY in one transaction, with an audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assign.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "link.h"
#include "linkdb.h"
#include "linkmodel.h"
#include "log.h"
#include "sbuf.h"
#include "util.h"

/* The records as read from the database, in (source, token) order. */
struct loaded {
    link_rec *recs;
    uint8_t (*token)[32];
    uint8_t (*household)[16];  /* first 16 bytes of the household key; all zero when none */
    int64_t *prev_person;   /* 0 when none */
    int64_t *prev_foyer;    /* 0 when none */
    size_t n, cap;
    /* tznr.person_record's rows whose record is no longer current: source (an index into
     * stale_sources, kept apart from the linkage's sources) and token */
    uint8_t *stale_source;
    uint8_t (*stale_token)[32];
    size_t nstale, stale_cap;
    char *stale_sources[LINK_MAX_SOURCES];
    int nstale_sources;
    char *sources[LINK_MAX_SOURCES];
    int nsources;
    int header_seen;
    int reads; /* the connections the records were read on (read_current) */
};

static int source_index(struct loaded *L, const char *s, int len)
{
    for (int i = 0; i < L->nsources; i++)
        if ((int)strlen(L->sources[i]) == len && memcmp(L->sources[i], s, (size_t)len) == 0)
            return i;
    if (L->nsources == LINK_MAX_SOURCES)
        die(TZNR_EXIT_FAIL, "more than %d sources: raise LINK_MAX_SOURCES", LINK_MAX_SOURCES);
    L->sources[L->nsources] = xmalloc((size_t)len + 1);
    memcpy(L->sources[L->nsources], s, (size_t)len);
    L->sources[L->nsources][len] = '\0';
    return L->nsources++;
}

/* A person_record row whose record is gone: kept to be deleted. */
static void add_stale(struct loaded *L, const char *src, int32_t srclen, const uint8_t *token)
{
    int s = 0;
    while (s < L->nstale_sources && ((int)strlen(L->stale_sources[s]) != srclen ||
                                     memcmp(L->stale_sources[s], src, (size_t)srclen) != 0))
        s++;
    if (s == L->nstale_sources) {
        if (s == LINK_MAX_SOURCES)
            die(TZNR_EXIT_FAIL, "more than %d sources: raise LINK_MAX_SOURCES", LINK_MAX_SOURCES);
        L->stale_sources[s] = xmalloc((size_t)srclen + 1);
        memcpy(L->stale_sources[s], src, (size_t)srclen);
        L->stale_sources[s][srclen] = '\0';
        L->nstale_sources++;
    }
    if (L->nstale == L->stale_cap) {
        L->stale_cap = L->stale_cap ? L->stale_cap * 2 : 1024;
        L->stale_source = xrealloc(L->stale_source, L->stale_cap);
        L->stale_token = xrealloc(L->stale_token, L->stale_cap * sizeof *L->stale_token);
    }
    L->stale_source[L->nstale] = (uint8_t)s;
    memcpy(L->stale_token[L->nstale], token, 32);
    L->nstale++;
}

/* Where the fields of a binary COPY row of NF fields start: past the stream's header (before
 * the first row) and the row's field count. NULL when the buffer held the header alone or the
 * stream's trailer. */
static const char *copy_row(int *seen, const char *buf, int len, int nf)
{
    const char *p = buf, *end = buf + len;
    if (!*seen) {
        if (len < 19 || memcmp(buf, "PGCOPY\n\377\r\n\0", 11) != 0)
            die(TZNR_EXIT_FAIL, "database: unexpected binary COPY header");
        p += 19 + db_get_int4(buf + 15);
        *seen = 1;
    }
    if (p + 2 > end)
        return NULL;
    int n = db_get_int2(p);
    if (n == -1)
        return NULL;
    if (n != nf)
        die(TZNR_EXIT_FAIL, "database: unexpected row of %d fields", n);
    return p + 2;
}

/* One binary COPY row of a current record: source_id, token, k_nir, k_ident, k_ident_alt,
 * k_dob, clk, clk_alt, birth_year, sex, household, commune. */
static void on_row(void *ctx, const char *buf, int len)
{
    struct loaded *L = ctx;
    const char *p = copy_row(&L->header_seen, buf, len, 12), *end = buf + len;
    if (!p)
        return;
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 65536;
        L->recs = xrealloc(L->recs, L->cap * sizeof *L->recs);
        L->token = xrealloc(L->token, L->cap * sizeof *L->token);
        L->prev_person = xrealloc(L->prev_person, L->cap * sizeof *L->prev_person);
        L->prev_foyer = xrealloc(L->prev_foyer, L->cap * sizeof *L->prev_foyer);
        L->household = xrealloc(L->household, L->cap * sizeof *L->household);
    }
    memset(L->household[L->n], 0, 16);
    link_rec *r = &L->recs[L->n];
    memset(r, 0, sizeof *r);
    L->prev_person[L->n] = 0;
    L->prev_foyer[L->n] = 0;
    for (int f = 0; f < 12; f++) {
        if (p + 4 > end)
            die(TZNR_EXIT_FAIL, "database: truncated COPY row");
        int32_t fl = db_get_int4(p);
        p += 4;
        if (fl < 0)
            continue;
        if (p + fl > end)
            die(TZNR_EXIT_FAIL, "database: truncated COPY row");
        switch (f) {
        case 0: r->source = (uint8_t)source_index(L, p, fl); break;
        case 1: memcpy(L->token[L->n], p, fl >= 32 ? 32 : (size_t)fl); break;
        case 2: memcpy(r->nir, p, 16); r->flags |= LK_NIR; break;
        case 3: memcpy(r->ident, p, 16); r->flags |= LK_IDENT; break;
        case 4: memcpy(r->ident_alt, p, 16); r->flags |= LK_IDENT_ALT; break;
        case 5: memcpy(r->dob, p, 16); r->flags |= LK_DOB; break;
        case 6:
        case 7: {
            /* The filter's 128 bytes as 16 words: Dice only counts bits, and the LSH samples
             * positions of this layout consistently for every record. */
            if (fl != 128)
                die(TZNR_EXIT_FAIL, "database: a CLK is %d bytes, not 128", (int)fl);
            memcpy(f == 6 ? r->clk : r->alt, p, 128);
            break;
        }
        case 8: r->birth_year = (uint16_t)db_get_int2(p); break;
        case 9: r->sex = (uint8_t)db_get_int2(p); break;
        case 10:
            memcpy(L->household[L->n], p, 16);
            memcpy(&r->household, p, 8);
            break;
        case 11:
            if (fl < 6) {
                memcpy(r->commune, p, (size_t)fl);
                r->commune[fl] = '\0';
            }
            break;
        }
        p += fl;
    }
    link_rec_finish(r);
    L->n++;
}

/* The records by (source, token), for the persons' rows to find theirs: open addressing over
 * a power of two of slots, each a record index + 1 (0: empty). Tokens are keyed hashes, so
 * their first bytes are as good a hash as any. */
struct rec_index {
    const struct loaded *L;
    uint32_t *slot;
    size_t mask;
    int seen; /* the person_record COPY's header */
};

static size_t rec_hash(int source, const uint8_t *tok)
{
    uint64_t h;
    memcpy(&h, tok, 8);
    return (size_t)((h ^ (uint64_t)source * 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL >> 16);
}

static void rec_index_build(struct rec_index *x, const struct loaded *L)
{
    size_t cap = 1024;
    while (cap < L->n * 2)
        cap *= 2;
    x->L = L;
    x->mask = cap - 1;
    x->slot = xcalloc(cap, sizeof *x->slot);
    for (size_t i = 0; i < L->n; i++) {
        size_t h = rec_hash(L->recs[i].source, L->token[i]) & x->mask;
        while (x->slot[h])
            h = (h + 1) & x->mask;
        x->slot[h] = (uint32_t)i + 1;
    }
}

/* The index of the record of SOURCE (an index into L->sources) and TOKEN, or -1. */
static long rec_index_find(const struct rec_index *x, int source, const uint8_t *tok)
{
    for (size_t h = rec_hash(source, tok) & x->mask; x->slot[h]; h = (h + 1) & x->mask) {
        uint32_t i = x->slot[h] - 1;
        if (x->L->recs[i].source == source && memcmp(x->L->token[i], tok, 32) == 0)
            return (long)i;
    }
    return -1;
}

/* One binary COPY row of tznr.person_record: source_id, token, person_id, foyer_id. Its
 * record's previous person and household when the record is current; else the row is kept
 * to be deleted. */
static void on_person_row(void *ctx, const char *buf, int len)
{
    struct rec_index *x = ctx;
    struct loaded *L = (struct loaded *)x->L;
    const char *p = copy_row(&x->seen, buf, len, 4), *end = buf + len;
    if (!p)
        return;
    const char *f[4];
    int32_t fl[4];
    for (int k = 0; k < 4; k++) {
        if (p + 4 > end)
            die(TZNR_EXIT_FAIL, "database: truncated COPY row");
        fl[k] = db_get_int4(p);
        p += 4;
        if (fl[k] < -1 || (k < 3 && fl[k] < 0) || p + (fl[k] > 0 ? fl[k] : 0) > end)
            die(TZNR_EXIT_FAIL, "database: bad COPY row");
        f[k] = p;
        p += fl[k] > 0 ? fl[k] : 0;
    }
    if (fl[1] != 32)
        die(TZNR_EXIT_FAIL, "database: a token of tznr.person_record is %d bytes, not 32", (int)fl[1]);
    if (fl[2] != 8 || (fl[3] != 8 && fl[3] != -1))
        die(TZNR_EXIT_FAIL, "database: bad COPY row");
    int s = 0;
    while (s < L->nsources && ((int)strlen(L->sources[s]) != fl[0] || memcmp(L->sources[s], f[0], (size_t)fl[0]) != 0))
        s++;
    long i = s < L->nsources ? rec_index_find(x, s, (const uint8_t *)f[1]) : -1;
    if (i < 0) {
        add_stale(L, f[0], fl[0], (const uint8_t *)f[1]);
        return;
    }
    L->prev_person[i] = db_get_int8(f[2]);
    L->prev_foyer[i] = fl[3] == 8 ? db_get_int8(f[3]) : 0; /* none before migration 002 */
}

static void add_token_row(db_bincopy *b, int64_t run, const struct loaded *L, uint32_t a, uint32_t c,
                          const char *method, float score)
{
    db_bin_row(b, method ? 7 : 6);
    db_bin_int8(b, run);
    db_bin_bytes(b, L->sources[L->recs[a].source], strlen(L->sources[L->recs[a].source]));
    db_bin_bytes(b, L->token[a], 32);
    db_bin_bytes(b, L->sources[L->recs[c].source], strlen(L->sources[L->recs[c].source]));
    db_bin_bytes(b, L->token[c], 32);
    if (method)
        db_bin_bytes(b, method, strlen(method));
    uint32_t u;
    memcpy(&u, &score, 4);
    db_bin_int4(b, (int32_t)u); /* float4 binary: IEEE 754 in network order */
}

static void flush_copy(PGconn *conn, db_bincopy *b)
{
    if (b->len > (1 << 20)) {
        db_copy_put(conn, b->buf, b->len);
        b->len = 0;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The index of (SRC, TOKEN) among the records (sorted by source, token), or -1. */
static long find_record(const struct loaded *L, const char *src, const unsigned char *tok, size_t tl)
{
    if (!tok || tl != 32)
        return -1;
    size_t lo = 0, hi = L->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(L->sources[L->recs[mid].source], src);
        if (cmp == 0)
            cmp = memcmp(L->token[mid], tok, 32);
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < L->n && strcmp(L->sources[L->recs[lo].source], src) == 0 && memcmp(L->token[lo], tok, 32) == 0)
        return (long)lo;
    return -1;
}

/* The forbidden pairs (tznr feedback's erreur_rapprochement) as sorted record index pairs
 * (a << 32 | b, a < b); pairs whose records are gone are left out. */
static uint64_t *read_forbidden(PGconn *conn, const struct loaded *L, size_t *nfb)
{
    PGresult *fr = db_query(conn,
        "SELECT f.source_a, f.token_a, f.source_b, f.token_b FROM tznr.forbidden_link f", 0, NULL);
    *nfb = 0;
    uint64_t *fb = xmalloc(((size_t)PQntuples(fr) + 1) * sizeof *fb);
    for (int i = 0; i < PQntuples(fr); i++) {
        long idx[2];
        for (int side = 0; side < 2; side++) {
            size_t tl = 0;
            unsigned char *tok = PQunescapeBytea((const unsigned char *)PQgetvalue(fr, i, side * 2 + 1), &tl);
            idx[side] = find_record(L, PQgetvalue(fr, i, side * 2), tok, tl);
            PQfreemem(tok);
        }
        if (idx[0] >= 0 && idx[1] >= 0 && idx[0] != idx[1]) {
            uint64_t lo = (uint64_t)(idx[0] < idx[1] ? idx[0] : idx[1]), hi = (uint64_t)(idx[0] < idx[1] ? idx[1] : idx[0]);
            fb[(*nfb)++] = lo << 32 | hi;
        }
    }
    PQclear(fr);
    qsort(fb, *nfb, sizeof *fb, cmp_u64);
    return fb;
}

/* Order the records by (source name, token), as an ORDER BY in the read would, but on the
 * client: the server sorted the whole rows (two 128-byte filters each) on disk, which cost
 * more than the rest of the read. Sources are renumbered in the order of their names, then the
 * arrays are permuted in place along the permutation's cycles (no second copy: memory stays
 * flat). The result is the one an ORDER BY gave, so the linkage sees the same input. */
struct sortkey {
    uint64_t key;   /* source rank << 56 | the token's first 7 bytes, big-endian */
    uint32_t idx;
};
static const struct loaded *sort_L;

static int cmp_sortkey(const void *a, const void *b)
{
    const struct sortkey *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int c = memcmp(sort_L->token[x->idx] + 7, sort_L->token[y->idx] + 7, 25);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sort K (N entries) as cmp_sortkey orders them: two stable radix passes on the key's top 32
 * bits (the source and the token's first three bytes, which nearly always tell two records
 * apart), then insertion in the runs that share them. qsort took about a second at 1.1M
 * households, on one thread, in the middle of the read. */
static void sortkey_sort(struct sortkey *k, size_t n)
{
    struct sortkey *t = xmalloc((n ? n : 1) * sizeof *t), *src = k, *dst = t;
    uint32_t *count = xmalloc(65536 * sizeof *count);
    for (int shift = 32; shift <= 48; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[src[i].key >> shift & 0xffff]++;
        uint32_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[src[i].key >> shift & 0xffff]++] = src[i];
        struct sortkey *x = src;
        src = dst;
        dst = x;
    }
    free(count);
    free(t); /* two passes: the result is back in K */
    for (size_t g = 0; g < n;) {
        size_t h = g + 1;
        while (h < n && k[h].key >> 32 == k[g].key >> 32)
            h++;
        for (size_t i = g + 1; i < h; i++) {
            struct sortkey v = k[i];
            size_t j = i;
            for (; j > g && cmp_sortkey(&k[j - 1], &v) > 0; j--)
                k[j] = k[j - 1];
            k[j] = v;
        }
        g = h;
    }
}

static int cmp_source_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_records(struct loaded *L)
{
    uint8_t rank[LINK_MAX_SOURCES] = {0};
    char *names[LINK_MAX_SOURCES];
    memcpy(names, L->sources, sizeof names);
    qsort(names, (size_t)L->nsources, sizeof *names, cmp_source_name);
    for (int i = 0; i < L->nsources; i++)
        for (int j = 0; j < L->nsources; j++)
            if (L->sources[i] == names[j])
                rank[i] = (uint8_t)j;
    memcpy(L->sources, names, sizeof names);
    struct sortkey *k = xmalloc((L->n ? L->n : 1) * sizeof *k);
    int sorted = 1;
    for (size_t i = 0; i < L->n; i++) {
        L->recs[i].source = rank[L->recs[i].source];
        uint64_t key = (uint64_t)L->recs[i].source << 56;
        for (int b = 0; b < 7; b++)
            key |= (uint64_t)L->token[i][b] << (48 - 8 * b);
        k[i] = (struct sortkey){key, (uint32_t)i};
        if (i && sorted &&
            (k[i - 1].key > key || (k[i - 1].key == key && memcmp(L->token[i - 1], L->token[i], 32) > 0)))
            sorted = 0;
    }
    if (!sorted) {
        sort_L = L;
        sortkey_sort(k, L->n);
        sort_L = NULL;
        /* k[j].idx: the record that goes to position j. Follow each cycle once. */
        for (size_t i = 0; i < L->n; i++) {
            if (k[i].idx == i)
                continue;
            link_rec r = L->recs[i];
            uint8_t tok[32], hh[16];
            memcpy(tok, L->token[i], 32);
            memcpy(hh, L->household[i], 16);
            int64_t prev = L->prev_person[i], prevf = L->prev_foyer[i];
            size_t j = i;
            while (k[j].idx != i) {
                size_t from = k[j].idx;
                L->recs[j] = L->recs[from];
                memcpy(L->token[j], L->token[from], 32);
                memcpy(L->household[j], L->household[from], 16);
                L->prev_person[j] = L->prev_person[from];
                L->prev_foyer[j] = L->prev_foyer[from];
                k[j].idx = (uint32_t)j;
                j = from;
            }
            L->recs[j] = r;
            memcpy(L->token[j], tok, 32);
            memcpy(L->household[j], hh, 16);
            L->prev_person[j] = prev;
            L->prev_foyer[j] = prevf;
            k[j].idx = (uint32_t)j;
        }
    }
    free(k);
}

/* Take the linker's lock, refuse snapshots made with different keys, read every current
 * record, ordered by source and token, with its previous person and household ids, and the
 * persons' rows whose record is gone. */
#define RECORDS_COPY                                                                                          \
    "COPY (SELECT r.source_id, r.token, pg_catalog.substr(r.k_nir, 1, 16),"                                   \
    " pg_catalog.substr(r.k_ident, 1, 16), pg_catalog.substr(r.k_ident_alt, 1, 16),"                          \
    " pg_catalog.substr(r.k_dob, 1, 16), r.clk, r.clk_alt, r.birth_year, r.sex,"                              \
    " pg_catalog.substr(r.household, 1, 16), r.commune"                                                       \
    " FROM tznr.current_record r%s) TO STDOUT (FORMAT binary)"

/* The second stream's rows: on_row with the stream's own header flag. */
struct second_stream {
    struct loaded *L;
    int header_seen;
};

static void on_row_second(void *ctx, const char *buf, int len)
{
    struct second_stream *ss = ctx;
    int mine = ss->header_seen;
    ss->header_seen = ss->L->header_seen;
    ss->L->header_seen = mine;
    on_row(ss->L, buf, len);
    mine = ss->L->header_seen;
    ss->L->header_seen = ss->header_seen;
    ss->header_seen = mine;
}

/* The current records into L, in the read's transaction on CONN. Where the current snapshots
 * can be split into two halves of about as many rows, the halves are read at once on CONN and
 * on a second connection in the same snapshot of the database (exported by CONN, as pg_dump
 * -j does): the server's scan and its output run on two backends while this process reads
 * both streams (the 1.1M-household territory's read: 6.66-7.41 s on one, 5.42-7.34 s on two,
 * alternately on a noisy machine; docs/benchmarks.md). The order the rows arrive in does not
 * matter: the records are sorted by source and token after (sort_records). */
static int read_current(PGconn *conn, struct loaded *L)
{
    PGresult *r = db_query(conn, "SELECT n.id, n.rows_loaded FROM tznr.source s"
                                 " JOIN tznr.snapshot n ON n.id = s.current_snapshot ORDER BY n.rows_loaded DESC, n.id",
                           0, NULL);
    /* greedy halves: each snapshot, largest first, to the lighter side */
    sbuf a, b;
    sbuf_init(&a);
    sbuf_init(&b);
    long long wa = 0, wb = 0, total = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long rows = atoll(PQgetvalue(r, i, 1));
        sbuf *side = wa <= wb ? &a : &b;
        sbuf_addf(side, "%s%s", side->len ? ", " : "", PQgetvalue(r, i, 0));
        *(wa <= wb ? &wa : &wb) += rows;
        total += rows;
    }
    PQclear(r);
    PGconn *second = NULL;
    /* worth a second connection from 100,000 rows (TZNR_TWO_READS_FROM, for the tests), and
     * when the lighter half holds a quarter of them or more */
    const char *e = getenv("TZNR_TWO_READS_FROM");
    long long from = e && *e ? atoll(e) : 100000;
    if (b.len && total >= from && 4 * (wa < wb ? wa : wb) >= total) {
        char err[1200];
        second = db_try_clone(conn, err, sizeof err);
        if (!second)
            log_warn("%s: the records are read on one connection", err);
    }
    if (!second) {
        char sql[1024];
        snprintf(sql, sizeof sql, RECORDS_COPY, "");
        db_copy_out(conn, sql, on_row, L);
    } else {
        const char *snap = db_value(conn, "SELECT pg_catalog.pg_export_snapshot()", 0, NULL);
        char *set = xasprintf("SET TRANSACTION SNAPSHOT '%s'", snap);
        db_exec(second, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        db_exec(second, set);
        db_exec(second, "SET LOCAL jit = off");
        free(set);
        char *where_a = xasprintf(" WHERE r.snapshot_id IN (%s)", a.p);
        char *where_b = xasprintf(" WHERE r.snapshot_id IN (%s)", b.p);
        char *sa = xasprintf(RECORDS_COPY, where_a), *sb = xasprintf(RECORDS_COPY, where_b);
        struct second_stream ss = {.L = L, .header_seen = 0};
        db_copy_out2(conn, sa, on_row, L, second, sb, on_row_second, &ss);
        free(where_a);
        free(where_b);
        free(sa);
        free(sb);
        db_exec(second, "COMMIT");
        PQfinish(second);
    }
    sbuf_free(&a);
    sbuf_free(&b);
    return second ? 2 : 1;
}

static void read_records(PGconn *conn, struct loaded *L)
{
    db_exec(conn, "SELECT pg_catalog.pg_advisory_lock(7243110003)");
    const char *keyids = db_value(conn,
        "SELECT pg_catalog.string_agg(DISTINCT n.key_id, ', ') FROM tznr.source s"
        " JOIN tznr.snapshot n ON n.id = s.current_snapshot", 0, NULL);
    if (strchr(keyids, ','))
        die(TZNR_EXIT_FAIL, "the current snapshots were made with different keys (%s): records made with "
            "different keys never match; load every source's extract made with the new key first", keyids);
    /* Two plain scans, the records then the persons' rows, matched here by (source, token):
     * the server's join of the two cost three times both scans. One transaction at
     * REPEATABLE READ, so both see one snapshot (a load may switch a source meanwhile). */
    db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    /* the scans' cost is enough for the JIT to compile them, which takes longer than they run */
    db_exec(conn, "SET LOCAL jit = off");
    /* the records' array at its size from the start, in huge pages (sbuf.h: the fuzzy stage
     * reads it at random); the snapshots' counts are a hint, the array still grows past it */
    long long expect = atoll(db_value(conn,
        "SELECT COALESCE(pg_catalog.sum(n.rows_loaded), 0) FROM tznr.source s"
        " JOIN tznr.snapshot n ON n.id = s.current_snapshot", 0, NULL));
    if (expect > 0 && expect < UINT32_MAX) {
        L->cap = (size_t)expect;
        L->recs = xalloc_huge(L->cap * sizeof *L->recs);
        L->token = xmalloc(L->cap * sizeof *L->token);
        L->prev_person = xmalloc(L->cap * sizeof *L->prev_person);
        L->prev_foyer = xmalloc(L->cap * sizeof *L->prev_foyer);
        L->household = xmalloc(L->cap * sizeof *L->household);
    }
    L->reads = read_current(conn, L);
    if (L->n > UINT32_MAX - 1)
        die(TZNR_EXIT_FAIL, "more than %u records", UINT32_MAX - 1);
    sort_records(L);
    struct rec_index x = {0};
    rec_index_build(&x, L);
    db_copy_out(conn, "COPY (SELECT source_id, token, person_id, foyer_id FROM tznr.person_record)"
                      " TO STDOUT (FORMAT binary)", on_person_row, &x);
    db_exec(conn, "COMMIT");
    free(x.slot);
}

static void loaded_free(struct loaded *L)
{
    for (int i = 0; i < L->nsources; i++)
        free(L->sources[i]);
    free(L->recs);
    free(L->token);
    free(L->prev_person);
    free(L->prev_foyer);
    for (int i = 0; i < L->nstale_sources; i++)
        free(L->stale_sources[i]);
    free(L->stale_source);
    free(L->stale_token);
    free(L->household);
}

/* The next value tznr.person_id_seq would give. */
static int64_t next_person_id(PGconn *conn)
{
    PGresult *r = db_query(conn, "SELECT last_value, is_called FROM tznr.person_id_seq", 0, NULL);
    int64_t next = atoll(PQgetvalue(r, 0, 0)) + (strcmp(PQgetvalue(r, 0, 1), "t") == 0 ? 1 : 0);
    PQclear(r);
    return next;
}

/* COPY the pairs by COPY_SQL: links with their method when WITH_METHOD, possible links otherwise. */
static void write_pairs(PGconn *conn, const char *copy_sql, int64_t run, const struct loaded *L,
                        const link_edge *e, size_t n, int with_method)
{
    db_bincopy b = {0};
    db_copy_start(conn, copy_sql);
    db_bin_header(&b);
    for (size_t i = 0; i < n; i++) {
        add_token_row(&b, run, L, e[i].a, e[i].b, with_method ? link_method_name((enum link_method)e[i].method) : NULL,
                      e[i].score);
        flush_copy(conn, &b);
    }
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_copy_end(conn);
    db_bin_free(&b);
}

/* Replace the persons wholesale: emptied, loaded without indexes, indexed after (much faster
 * than maintaining three indexes row by row), in the caller's transaction. */
static void write_persons_whole(PGconn *conn, int64_t run, const struct loaded *L, const int64_t *pid,
                                const int64_t *foyer)
{
    db_exec(conn, "TRUNCATE tznr.person_record;"
                  "ALTER TABLE tznr.person_record DROP CONSTRAINT person_record_pkey;"
                  "DROP INDEX tznr.person_record_person_id_idx;"
                  "DROP INDEX IF EXISTS tznr.person_record_foyer_id_idx");
    db_bincopy b = {0};
    db_copy_start(conn, "COPY tznr.person_record (source_id, token, person_id, run_id, foyer_id) FROM STDIN (FORMAT binary)");
    db_bin_header(&b);
    for (size_t i = 0; i < L->n; i++) {
        db_bin_row(&b, 5);
        db_bin_bytes(&b, L->sources[L->recs[i].source], strlen(L->sources[L->recs[i].source]));
        db_bin_bytes(&b, L->token[i], 32);
        db_bin_int8(&b, pid[i]);
        db_bin_int8(&b, run);
        db_bin_int8(&b, foyer[i]);
        flush_copy(conn, &b);
    }
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_copy_end(conn);
    db_bin_free(&b);
    db_exec(conn, "ALTER TABLE tznr.person_record ADD CONSTRAINT person_record_pkey PRIMARY KEY (source_id, token);"
                  "CREATE INDEX person_record_person_id_idx ON tznr.person_record (person_id);"
                  "CREATE INDEX person_record_foyer_id_idx ON tznr.person_record (foyer_id);"
                  "ANALYZE tznr.person_record");
}

/* Is record I's row in tznr.person_record new or different this run? */
static int person_changed(const struct loaded *L, const int64_t *pid, const int64_t *foyer, size_t i)
{
    return L->prev_person[i] == 0 || L->prev_person[i] != pid[i] || L->prev_foyer[i] != foyer[i];
}

/* Above this share of rows to change, the persons are rewritten whole (faster than row by row). */
#define PERSONS_REWRITE_SHARE 8

/* Write the persons: only the rows that changed since the last run (new records, another
 * person or household, records gone), through a temporary table, when they are few; else
 * wholesale. Either way the table ends holding exactly the records' persons and households.
 * Returns the number of rows written or deleted. */
static size_t write_persons(PGconn *conn, int64_t run, const struct loaded *L, const int64_t *pid,
                            const int64_t *foyer, int64_t next_id, int *whole)
{
    size_t changed = 0, had = 0;
    for (size_t i = 0; i < L->n; i++) {
        changed += person_changed(L, pid, foyer, i) ? 1 : 0;
        had += L->prev_person[i] != 0;
    }
    *whole = had == 0 || (changed + L->nstale) * PERSONS_REWRITE_SHARE > L->n;
    if (*whole) {
        write_persons_whole(conn, run, L, pid, foyer);
    } else if (changed + L->nstale > 0) {
        db_exec(conn, "CREATE TEMPORARY TABLE person_change (source_id text NOT NULL, token bytea NOT NULL,"
                      " person_id bigint, foyer_id bigint) ON COMMIT DROP");
        db_bincopy b = {0};
        db_copy_start(conn, "COPY pg_temp.person_change FROM STDIN (FORMAT binary)");
        db_bin_header(&b);
        for (size_t i = 0; i < L->n; i++) {
            if (!person_changed(L, pid, foyer, i))
                continue;
            db_bin_row(&b, 4);
            db_bin_bytes(&b, L->sources[L->recs[i].source], strlen(L->sources[L->recs[i].source]));
            db_bin_bytes(&b, L->token[i], 32);
            db_bin_int8(&b, pid[i]);
            db_bin_int8(&b, foyer[i]);
            flush_copy(conn, &b);
        }
        for (size_t i = 0; i < L->nstale; i++) {
            db_bin_row(&b, 4);
            db_bin_bytes(&b, L->stale_sources[L->stale_source[i]], strlen(L->stale_sources[L->stale_source[i]]));
            db_bin_bytes(&b, L->stale_token[i], 32);
            db_bin_null(&b);
            db_bin_null(&b);
            flush_copy(conn, &b);
        }
        db_bin_trailer(&b);
        db_copy_put(conn, b.buf, b.len);
        db_copy_end(conn);
        db_bin_free(&b);
        char runs[32];
        snprintf(runs, sizeof runs, "%lld", (long long)run);
        const char *rp[] = {runs};
        db_exec(conn, "DELETE FROM tznr.person_record p USING pg_temp.person_change c"
                      " WHERE p.source_id = c.source_id AND p.token = c.token");
        PQclear(db_query(conn, "INSERT INTO tznr.person_record (source_id, token, person_id, run_id, foyer_id)"
                               " SELECT source_id, token, person_id, $1::bigint, foyer_id FROM pg_temp.person_change"
                               "  WHERE person_id IS NOT NULL", 1, rp));
        db_exec(conn, "DROP TABLE pg_temp.person_change");
    }
    db_exec(conn, "SELECT tznr.analyze('tznr.link')");
    if (next_id > 1) {
        char nid[32];
        snprintf(nid, sizeof nid, "%lld", (long long)(next_id - 1));
        const char *np[] = {nid};
        PQclear(db_query(conn, "SELECT pg_catalog.setval('tznr.person_id_seq', $1::bigint)", 1, np));
    }
    return *whole ? L->n : changed + L->nstale;
}

static link_params params_of(const conf *cf)
{
    link_params lp = {.match = cf->link_match, .same_source = cf->link_same_source, .possible = cf->link_possible,
                      .sample = (size_t)cf->link_sample, .bands = cf->lsh_bands, .bits = cf->lsh_bits,
                      .block_max = cf->block_max, .threads = (int)sysconf(_SC_NPROCESSORS_ONLN)};
    return lp;
}

static void params_json(sbuf *s, const link_params *lp, int lsh_bits, const char *model_file)
{
    sbuf_addf(s,
              "{\"match_probability\": %g, \"same_source_probability\": %g, \"possible_probability\": %g, "
              "\"sample\": %zu, \"lsh_bands\": %d, \"lsh_bits\": %d, \"block_max\": %d, \"model_file\": ",
              lp->match, lp->same_source, lp->possible, lp->sample, lp->bands, lsh_bits, lp->block_max);
    if (model_file)
        sbuf_add_json(s, model_file);
    else
        sbuf_adds(s, "null");
    sbuf_adds(s, "}");
}

/* The run's model, level by level, in tznr.link_model (text COPY: a few dozen rows). */
static void write_model(PGconn *conn, int64_t run, const link_model *lm)
{
    db_copy_start(conn, "COPY tznr.link_model (run_id, position, comparison, level, label, m, u, weight) FROM STDIN");
    sbuf b;
    sbuf_init(&b);
    for (int k = 0; k < lm->fs.ncomp; k++)
        for (int l = 0; l < lm->fs.nlevels[k]; l++)
            sbuf_addf(&b, "%lld\t%d\t%s\t%d\t%s\t%.17g\t%.17g\t%.17g\n", (long long)run, k, link_fs_names[k], l,
                      link_fs_level_label(k, l), lm->fs.m[k][l], lm->fs.u[k][l], fs_level_weight(&lm->fs, k, l));
    db_copy_put(conn, b.p, b.len);
    db_copy_end(conn);
    sbuf_free(&b);
}

/* The model as JSON for the audit log: how it was estimated, its convergence, and each
 * comparison's m, u and weights by level. */
static void model_json(sbuf *s, const link_model *lm)
{
    sbuf_addf(s, "{\"training\": \"%s\", \"status\": \"%s\", \"iterations\": %d, \"change\": %.3g, "
                 "\"lambda\": %.6g, \"sample_records\": %zu, \"sample_pairs\": %zu, \"random_pairs\": %zu, "
                 "\"training_pairs\": %zu, \"comparisons\": {",
              link_training_name(lm->training), lm->training == LT_NONE ? lm->why : fs_em_status_text(lm->status),
              lm->fs.iterations, lm->fs.change, lm->fs.lambda, lm->sample_records, lm->sample_pairs,
              lm->random_pairs, lm->training_pairs);
    for (int k = 0; k < lm->fs.ncomp; k++) {
        sbuf_addf(s, "%s\"%s\": [", k ? ", " : "", link_fs_names[k]);
        for (int l = 0; l < lm->fs.nlevels[k]; l++)
            sbuf_addf(s, "%s{\"m\": %.6g, \"u\": %.6g, \"weight\": %.3f}", l ? ", " : "", lm->fs.m[k][l],
                      lm->fs.u[k][l], fs_level_weight(&lm->fs, k, l));
        sbuf_adds(s, "]");
    }
    sbuf_adds(s, "}}");
}

/* The precision the field measures: of the outcomes where a team reached the person listed
 * (or found it was not them: erreur_rapprochement), the share that were the right person.
 * Sets *N to the outcomes counted; returns -1 below LINK_FIELD_MIN of them. */
#define LINK_FIELD_MIN 30
static double field_precision(PGconn *conn, long *n)
{
    PGresult *r = db_query(conn,
        "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE statut = 'erreur_rapprochement')"
        "  FROM tznr.outcome WHERE statut IN ('contacte', 'droit_ouvert', 'non_eligible', 'refus',"
        "                                    'deja_beneficiaire', 'erreur_rapprochement')", 0, NULL);
    long all = atol(PQgetvalue(r, 0, 0)), wrong = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    *n = all;
    return all >= LINK_FIELD_MIN ? 1.0 - (double)wrong / (double)all : -1;
}

/* How many persons one, two, three or more sources know (BY[0..2]), from each record's
 * person (PERSON: the record standing for it) and source. */
static void persons_by_sources(const struct loaded *L, const uint32_t *person, size_t by[3])
{
    uint64_t *k = xmalloc((L->n ? L->n : 1) * sizeof *k);
    for (size_t i = 0; i < L->n; i++)
        k[i] = (uint64_t)person[i] << 8 | L->recs[i].source;
    qsort(k, L->n, sizeof *k, cmp_u64);
    by[0] = by[1] = by[2] = 0;
    for (size_t i = 0; i < L->n;) {
        size_t j = i + 1, nsrc = 1;
        for (; j < L->n && k[j] >> 8 == k[i] >> 8; j++)
            nsrc += k[j] != k[j - 1];
        by[nsrc < 3 ? nsrc - 1 : 2]++;
        i = j;
    }
    free(k);
}

void linkdb_run(PGconn *conn, const conf *cf, linkdb_summary *sum)
{
    double t0 = util_now();
    /* One linker at a time (a session lock, held to the end); the results are written in one
     * transaction after the read. */
    struct loaded L = {0};
    log_phase("reading the current records");
    read_records(conn, &L);
    double t_read = util_now();
    size_t nfb = 0;
    uint64_t *fb = read_forbidden(conn, &L, &nfb);
    link_params lp = params_of(cf);
    fs_model given;
    if (cf->link_model) {
        char err[512];
        if (linkmodel_read(cf->link_model, &given, err, sizeof err) != 0)
            die(TZNR_EXIT_FAIL, "[link] model: %s", err);
        lp.model = &given;
    }
    link_result res;
    log_phase("linking %zu records", L.n);
    if (link_run(L.recs, L.n, &lp, fb, nfb, NULL, NULL, &res) != 0)
        die(TZNR_EXIT_FAIL, "invalid [link] parameters");
    double t_link = util_now();
    log_phase("writing the links and the persons");

    int64_t next_id = next_person_id(conn);
    size_t kept = 0, nfoyers = 0;
    int64_t *pid = assign_persons(L.n, res.person, L.prev_person, &next_id, &kept);
    uint8_t *source = xmalloc(L.n ? L.n : 1);
    for (size_t i = 0; i < L.n; i++)
        source[i] = L.recs[i].source;
    int64_t *foyer = assign_foyers(L.n, source, (const uint8_t (*)[16])L.household, pid, &nfoyers);
    free(source);

    sbuf params;
    sbuf_init(&params);
    params_json(&params, &lp, res.stats.lsh_bits, cf->link_model);
    const link_model *lm = &res.model;
    const link_stats *st = &res.stats;
    long nfield = 0;
    double fprec = field_precision(conn, &nfield);
    db_begin(conn);
    char lam[32], iters[32], ep[32], er[32], fp[32], fn[32];
    snprintf(lam, sizeof lam, "%.17g", lm->fs.lambda);
    snprintf(iters, sizeof iters, "%d", lm->fs.iterations);
    snprintf(ep, sizeof ep, "%.6f", st->est_precision);
    snprintf(er, sizeof er, "%.6f", st->est_recall);
    snprintf(fp, sizeof fp, "%.6f", fprec);
    snprintf(fn, sizeof fn, "%ld", nfield);
    const int none = lm->training == LT_NONE;
    /* the identity keys' figures, where the run weighed them */
    const int keys = !none && lm->ident_m > 0;
    char ip[32], ins[32], im[32], iu[32], ika[32];
    snprintf(ip, sizeof ip, "%.0f", lm->ident_pairs);
    snprintf(ika, sizeof ika, "%llu", st->ident_vetoed);
    snprintf(ins, sizeof ins, "%.17g", lm->ident_namesakes);
    snprintf(im, sizeof im, "%.17g", lm->ident_m);
    snprintf(iu, sizeof iu, "%.17g", lm->ident_u);
    const char *pp[] = {params.p, link_training_name(lm->training), none ? lm->why : fs_em_status_text(lm->status),
                        iters, none ? NULL : lam, none ? NULL : ep, none ? NULL : er, fprec < 0 ? NULL : fp, fn,
                        keys ? ip : NULL, keys ? ins : NULL, keys ? im : NULL, keys ? iu : NULL, keys ? ika : NULL};
    int64_t run = atoll(db_value(conn,
        "INSERT INTO tznr.link_run (params, model_training, model_status, model_iterations, model_lambda,"
        " est_precision, est_recall, field_precision, field_outcomes, ident_pairs, ident_namesakes, ident_m, ident_u,"
        " ident_kept_apart)"
        " VALUES ($1, $2, $3, $4::integer, $5::float8, $6::float8, $7::float8, $8::float8, $9::integer,"
        " $10::bigint, $11::float8, $12::float8, $13::float8, $14::bigint) RETURNING id",
        14, pp));
    if (!none)
        write_model(conn, run, lm);
    write_pairs(conn, "COPY tznr.link (run_id, source_a, token_a, source_b, token_b, method, score)"
                      " FROM STDIN (FORMAT binary)", run, &L, res.edges, res.nedges, 1);
    write_pairs(conn, "COPY tznr.possible_link (run_id, source_a, token_a, source_b, token_b, score)"
                      " FROM STDIN (FORMAT binary)", run, &L, res.possible, res.npossible, 0);
    int whole = 0;
    size_t pwritten = write_persons(conn, run, &L, pid, foyer, next_id, &whole);
    size_t by[3];
    persons_by_sources(&L, res.person, by);
    char runs[32], recs[32], persons[32], links[32], poss[32], by1[32], by2[32], by3[32];
    snprintf(runs, sizeof runs, "%lld", (long long)run);
    snprintf(recs, sizeof recs, "%zu", L.n);
    snprintf(persons, sizeof persons, "%zu", st->persons);
    snprintf(links, sizeof links, "%zu", res.nedges);
    snprintf(poss, sizeof poss, "%zu", res.npossible);
    snprintf(by1, sizeof by1, "%zu", by[0]);
    snprintf(by2, sizeof by2, "%zu", by[1]);
    snprintf(by3, sizeof by3, "%zu", by[2]);
    const char *up[] = {runs, recs, persons, links, poss, by1, by2, by3};
    PQclear(db_query(conn, "UPDATE tznr.link_run SET finished_at = pg_catalog.clock_timestamp(), records = $2,"
                           " persons = $3, links = $4, possible = $5, persons_one_source = $6,"
                           " persons_two_sources = $7, persons_more_sources = $8 WHERE id = $1", 8, up));
    sbuf d;
    sbuf_init(&d);
    sbuf_addf(&d, "{\"run\": %lld, \"records\": %zu, \"persons\": %zu, \"persons_kept\": %zu, "
                  "\"links_exact\": %llu, \"links_clk\": %llu, \"links_last_search\": %llu, \"ident_kept_apart\": %llu, "
                  "\"possible\": %zu, \"forbidden\": %zu, \"comparisons\": %llu, \"blocks_skipped\": %llu, \"params\": %s, ",
              (long long)run, L.n, st->persons, kept, st->exact_edges, st->clk_edges, st->last_edges, st->ident_vetoed,
              res.npossible, nfb, st->comparisons, st->blocks_skipped, params.p);
    if (!none)
        sbuf_addf(&d, "\"estimated_precision\": %.4f, \"estimated_recall\": %.4f, \"estimated_fuzzy_recall\": %.4f, ",
                  st->est_precision, st->est_recall, st->est_fuzzy_recall);
    else if (lm->refused)
        sbuf_addf(&d, "\"refused_model_fuzzy_recall\": %.6f, \"refused_model_missed\": %.1f, ", st->est_fuzzy_recall,
                  st->est_missed);
    if (fprec >= 0)
        sbuf_addf(&d, "\"field_precision\": %.4f, ", fprec);
    sbuf_addf(&d, "\"field_outcomes\": %ld, ", nfield);
    if (keys)
        sbuf_addf(&d, "\"identity_keys\": {\"pairs\": %.0f, \"namesakes\": %.6g, \"m\": %.6g, \"u\": %.6g, "
                      "\"prior_weight\": %.3f}, ", lm->ident_pairs, lm->ident_namesakes, lm->ident_m, lm->ident_u,
                  link_ident_weight(lm));
    sbuf_adds(&d, "\"model\": ");
    model_json(&d, lm);
    sbuf_adds(&d, "}");
    audit_log(conn, "link", "persons", d.p);
    db_commit(conn);
    sbuf_free(&d);
    sbuf_free(&params);
    double t_end = util_now();
    log_info("run %lld: %zu records of %d sources -> %zu persons (%zu kept their id) in %zu households",
             (long long)run, L.n, L.nsources, st->persons, kept, nfoyers);
    log_info("  links: %llu exact, %llu clk (%llu by the last records' search); %zu possible (for review); %llu "
             "comparisons, %llu blocks skipped; %llu pairs an identity key joined kept apart (namesakes)",
             st->exact_edges, st->clk_edges, st->last_edges, res.npossible, st->comparisons, st->blocks_skipped,
             st->ident_vetoed);
    if (keys)
        log_info("  identity keys: %.0f pairs share one, about %.0f of them namesakes born the same day (prior "
                 "weight %+.2f)", lm->ident_pairs, lm->ident_namesakes, link_ident_weight(lm));
    else if (lm->training == LT_KEYS && lm->ident_two_nirs < LINK_MIN_NAMESAKE_PAIRS)
        log_info("  identity keys: link as they are (%.0f pairs of two NIRs born the same day to count namesakes "
                 "by, %d needed)", lm->ident_two_nirs, LINK_MIN_NAMESAKE_PAIRS);
    else if (lm->training == LT_KEYS)
        log_info("  identity keys: link as they are (no pair of one NIR born the same day with identity keys)");
    else if (lm->training == LT_GIVEN)
        log_info("  identity keys: link as they are (a model is given: [link] model)");
    else if (none)
        log_info("  identity keys: link as they are (no model this run)");
    else
        log_info("  identity keys: link as they are (the model was not learned from the NIR)");
    if (none)
        log_warn("  no model this run (%s): exact links only", lm->why);
    else
        log_info("  model: m from %s, %s after %d iterations, %.3g%% of candidate pairs match; estimated precision "
                 "%.4f, recall %.4f (%.4f of the matches it expects among the pairs the exact keys left)",
                 lm->training == LT_KEYS ? "the pairs k_nir joins" : lm->training == LT_EM ? "EM" : "the caller",
                 fs_em_status_text(lm->status), lm->fs.iterations, 100 * lm->fs.lambda, st->est_precision,
                 st->est_recall, st->est_fuzzy_recall);
    if (!none && link_share_under_bar(st))
        log_warn("  the model links %.1f %% of the matches it expects among the pairs the exact keys left (an EM "
                 "model is refused under %.0f %%): its matches may not be one person's records; see docs/linking.md, "
                 "\"A model refused\"", link_share_percent(st), 100 * LINK_MIN_FUZZY_RECALL);
    if (fprec >= 0)
        log_info("  precision measured in the field: %.4f (%ld outcomes)", fprec, nfield);
    else
        log_info("  precision measured in the field: not yet (%ld outcomes of %d needed)", nfield, LINK_FIELD_MIN);
    if (whole)
        log_info("  persons: %zu rows rewritten whole", pwritten);
    else
        log_info("  persons: %zu rows written or deleted (changed since the last run), the other %zu kept",
                 pwritten, L.n - (pwritten - L.nstale));
    log_info("  %.2f s: read %.2f (%s), link %.2f, write %.2f", t_end - t0, t_read - t0,
             L.reads == 2 ? "two connections" : "one connection", t_link - t_read, t_end - t_link);
    *sum = (linkdb_summary){.est_precision = none ? -1 : st->est_precision, .est_recall = none ? -1 : st->est_recall,
                            .field_precision = fprec, .field_outcomes = nfield, .run = run, .records = L.n, .sources = L.nsources, .persons = st->persons,
                            .persons_kept = kept, .foyers = nfoyers, .links_exact = st->exact_edges,
                            .links_clk = st->clk_edges, .possible = res.npossible, .seconds = t_end - t0};
    snprintf(sum->no_model, sizeof sum->no_model, "%s", none ? lm->why : "");
    free(pid);
    free(foyer);
    free(fb);
    link_result_free(&res);
    loaded_free(&L);
    db_exec(conn, "SELECT pg_catalog.pg_advisory_unlock(7243110003)");
}

const char *linkdb_print_sql(enum linkdb_print what)
{
    /* the latest run that finished */
#define LATEST "(SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
    switch (what) {
    case LINKDB_MODEL:
        return "COPY (WITH r AS (SELECT " LATEST " AS id),"
               " t AS (SELECT -2 AS position, 'prior' AS comparison, NULL::integer AS level,"
               "              'share of matches among candidate pairs' AS label, model_lambda AS m, 1 - model_lambda AS u,"
               "              pg_catalog.log(2, (model_lambda / (1 - model_lambda))::numeric)::float8 AS weight"
               "         FROM tznr.link_run WHERE id = (SELECT id FROM r) AND model_lambda > 0 AND model_lambda < 1"
               "       UNION ALL"
               "       SELECT -1, 'identity_key', NULL,"
               "              pg_catalog.format('pairs sharing k_ident or k_ident_alt: %s, about %s of them namesakes"
               " born the same day', ident_pairs, pg_catalog.round(ident_namesakes::numeric)), ident_m, ident_u,"
               "              pg_catalog.log(2, (GREATEST(ident_pairs - ident_namesakes, 1)"
               "                                 / ident_namesakes)::numeric)::float8"
               "         FROM tznr.link_run WHERE id = (SELECT id FROM r) AND ident_namesakes > 0"
               "       UNION ALL"
               "       SELECT position, comparison, level, label, m, u, weight"
               "         FROM tznr.link_model WHERE run_id = (SELECT id FROM r))"
               " SELECT comparison, level, label, m, u, pg_catalog.round(weight::numeric, 2) AS match_weight"
               "   FROM t ORDER BY position, level) TO STDOUT (FORMAT csv, HEADER)";
    case LINKDB_POSSIBLE:
        return "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
               " pg_catalog.encode(token_b, 'hex') AS token_b, 'possible' AS method,"
               " pg_catalog.round(score::numeric, 4) AS score FROM tznr.possible_link"
               " WHERE run_id = " LATEST " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)";
    case LINKDB_LINKS:
        break;
    }
    return "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
           " pg_catalog.encode(token_b, 'hex') AS token_b, method,"
           " pg_catalog.round(score::numeric, 4) AS score FROM tznr.link"
           " WHERE run_id = " LATEST " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)";
#undef LATEST
}
