/* tznr link: one linkage pass over the current snapshots of all sources; tznr links: print
 * the current links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "link.h"
#include "linkdb.h"
#include "log.h"
#include "opt.h"
#include "util.h"
#include "sbuf.h"

static const char synopsis[] = "tznr link [-c FILE] [--db CONNINFO] [-q]";
static const char description[] =
    "Link the records of every source's current snapshot into persons (docs/linking.md):\n"
    "exact links on k_nir and k_ident/k_ident_alt, then fuzzy links on the CLK (Dice at or\n"
    "above [link] threshold, blocking on k_dob and on LSH bands). Pairs between [link]\n"
    "grey_low and the threshold are kept as possible links, not used. Every link is recorded\n"
    "with its run, both records, method and score; a person keeps its id from one run to the\n"
    "next while its records do not change.";

/* The records as read from the database, in (source, token) order. */
struct loaded {
    link_rec *recs;
    uint8_t (*token)[32];
    uint8_t (*household)[16];  /* first 16 bytes of the household key; all zero when none */
    int64_t *prev_person;   /* 0 when none */
    size_t n, cap;
    char *sources[LINK_MAX_SOURCES];
    int nsources;
    int header_seen;
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

/* One binary COPY row: source_id, token, k_nir, k_ident, k_ident_alt, k_dob, clk, clk_alt,
 * person_id, birth_year, sex, household, commune. */
static void on_row(void *ctx, const char *buf, int len)
{
    struct loaded *L = ctx;
    const char *p = buf, *end = buf + len;
    if (!L->header_seen) {
        if (len < 19 || memcmp(buf, "PGCOPY\n\377\r\n\0", 11) != 0)
            die(TZNR_EXIT_FAIL, "database: unexpected binary COPY header");
        p += 19 + db_get_int4(buf + 15);
        L->header_seen = 1;
        if (p >= end)
            return;
    }
    int nf = db_get_int2(p);
    p += 2;
    if (nf == -1)
        return;
    if (nf != 13)
        die(TZNR_EXIT_FAIL, "database: unexpected row of %d fields", nf);
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 65536;
        L->recs = xrealloc(L->recs, L->cap * sizeof *L->recs);
        L->token = xrealloc(L->token, L->cap * sizeof *L->token);
        L->prev_person = xrealloc(L->prev_person, L->cap * sizeof *L->prev_person);
        L->household = xrealloc(L->household, L->cap * sizeof *L->household);
    }
    memset(L->household[L->n], 0, 16);
    link_rec *r = &L->recs[L->n];
    memset(r, 0, sizeof *r);
    L->prev_person[L->n] = 0;
    for (int f = 0; f < 13; f++) {
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
        case 8: L->prev_person[L->n] = db_get_int8(p); break;
        case 9: r->birth_year = (uint16_t)db_get_int2(p); break;
        case 10: r->sex = (uint8_t)db_get_int2(p); break;
        case 11: memcpy(L->household[L->n], p, 16); break;
        case 12:
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

/* Assign person ids: a component whose records all had the same person id, and which holds
 * every record that id had, keeps it; otherwise the previous id shared by most of its records
 * (smallest on a tie) if no other component kept it; otherwise a new id. */
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

static int64_t *assign_persons(const struct loaded *L, const uint32_t *root, int64_t *next_id,
                               size_t *kept)
{
    size_t n = L->n;
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
        if (L->prev_person[i])
            prev_sorted[np++] = L->prev_person[i];
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
                members[m++] = L->prev_person[order[x]];
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

/* Households: records of one person, and records sharing a household key at one source, are one
 * foyer; its id is the smallest person id among its members. */
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

static int64_t *assign_foyers(const struct loaded *L, const int64_t *pid, size_t *nfoyers)
{
    size_t n = L->n;
    uint32_t *uf = xmalloc((n ? n : 1) * sizeof *uf);
    for (size_t i = 0; i < n; i++)
        uf[i] = (uint32_t)i;
    /* the records of one person: sorted by person id */
    struct hhkey *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    static const uint8_t zero[16];
    for (size_t i = 0; i < n; i++) {
        if (memcmp(L->household[i], zero, 16) == 0)
            continue;
        memcpy(k[m].key, L->household[i], 16);
        k[m].source = L->recs[i].source;
        k[m++].rec = (uint32_t)i;
    }
    qsort(k, m, sizeof *k, hhkey_cmp);
    for (size_t g = 1; g < m; g++)
        if (k[g].source == k[g - 1].source && memcmp(k[g].key, k[g - 1].key, 16) == 0) {
            uint32_t a = uf_root(uf, k[g - 1].rec), b = uf_root(uf, k[g].rec);
            if (a != b)
                uf[a > b ? a : b] = a < b ? a : b;
        }
    for (size_t i = 0; i < n; i++) {
        memset(k[i].key, 0, 16);
        memcpy(k[i].key, &pid[i], sizeof pid[i]);
        k[i].source = 0;
        k[i].rec = (uint32_t)i;
    }
    qsort(k, n, sizeof *k, hhkey_cmp);
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

void linkdb_run(PGconn *conn, const conf *cf, linkdb_summary *sum)
{
    double t0 = util_now();
    /* One linker at a time (a session lock, held to the end). The records are read by one
     * COPY statement, so from one consistent snapshot; the results are written in one
     * transaction after. */
    db_exec(conn, "SELECT pg_catalog.pg_advisory_lock(7243110003)");
    const char *keyids = db_value(conn,
        "SELECT pg_catalog.string_agg(DISTINCT n.key_id, ', ') FROM tznr.source s"
        " JOIN tznr.snapshot n ON n.id = s.current_snapshot", 0, NULL);
    if (strchr(keyids, ','))
        die(TZNR_EXIT_FAIL, "the current snapshots were made with different keys (%s): records made with "
            "different keys never match; load every source's extract made with the new key first", keyids);
    struct loaded L = {0};
    db_copy_out(conn,
        "COPY (SELECT r.source_id, r.token, pg_catalog.substr(r.k_nir, 1, 16),"
        " pg_catalog.substr(r.k_ident, 1, 16), pg_catalog.substr(r.k_ident_alt, 1, 16),"
        " pg_catalog.substr(r.k_dob, 1, 16), r.clk, r.clk_alt, p.person_id, r.birth_year, r.sex,"
        " pg_catalog.substr(r.household, 1, 16), r.commune"
        " FROM tznr.current_record r LEFT JOIN tznr.person_record p"
        "   ON p.source_id = r.source_id AND p.token = r.token"
        " ORDER BY r.source_id, r.token) TO STDOUT (FORMAT binary)", on_row, &L);
    double t_read = util_now();

    /* forbidden pairs, as record indexes */
    PGresult *fr = db_query(conn,
        "SELECT f.source_a, f.token_a, f.source_b, f.token_b FROM tznr.forbidden_link f", 0, NULL);
    size_t nfb = 0;
    uint64_t *fb = xmalloc(((size_t)PQntuples(fr) + 1) * sizeof *fb);
    /* records are sorted by (source, token): find by binary search on that order */
    for (int i = 0; i < PQntuples(fr); i++) {
        uint32_t idx[2];
        int found = 0;
        for (int side = 0; side < 2; side++) {
            const char *src = PQgetvalue(fr, i, side * 2);
            size_t tl = 0;
            unsigned char *tok = PQunescapeBytea((const unsigned char *)PQgetvalue(fr, i, side * 2 + 1), &tl);
            size_t lo = 0, hi = L.n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int cmp = strcmp(L.sources[L.recs[mid].source], src);
                if (cmp == 0)
                    cmp = memcmp(L.token[mid], tok, 32);
                if (cmp < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (tok && tl == 32 && lo < L.n && strcmp(L.sources[L.recs[lo].source], src) == 0 &&
                memcmp(L.token[lo], tok, 32) == 0) {
                idx[side] = (uint32_t)lo;
                found++;
            }
            PQfreemem(tok);
        }
        if (found == 2 && idx[0] != idx[1])
            fb[nfb++] = idx[0] < idx[1] ? ((uint64_t)idx[0] << 32 | idx[1]) : ((uint64_t)idx[1] << 32 | idx[0]);
    }
    PQclear(fr);
    qsort(fb, nfb, sizeof *fb, cmp_i64);

    link_params lp = {.threshold = cf->link_threshold, .grey_low = cf->link_grey, .margin = cf->link_margin,
                      .same_source = cf->link_same_source, .dob_bonus = cf->link_dob_bonus,
                      .year_penalty = cf->link_year_penalty, .sex_penalty = cf->link_sex_penalty, .commune_bonus = cf->link_commune_bonus,
                      .bands = cf->lsh_bands, .bits = cf->lsh_bits, .block_max = cf->block_max,
                      .threads = (int)sysconf(_SC_NPROCESSORS_ONLN)};
    link_result res;
    if (link_run(L.recs, L.n, &lp, fb, nfb, NULL, NULL, &res) != 0)
        die(TZNR_EXIT_FAIL, "invalid [link] parameters");
    double t_link = util_now();

    /* person ids */
    int64_t next_id = 1;
    {
        PGresult *r = db_query(conn, "SELECT last_value, is_called FROM tznr.person_id_seq", 0, NULL);
        next_id = atoll(PQgetvalue(r, 0, 0)) + (strcmp(PQgetvalue(r, 0, 1), "t") == 0 ? 1 : 0);
        PQclear(r);
    }
    size_t kept = 0;
    int64_t *pid = assign_persons(&L, res.person, &next_id, &kept);
    size_t nfoyers = 0;
    int64_t *foyer = assign_foyers(&L, pid, &nfoyers);

    char params[512];
    snprintf(params, sizeof params,
             "{\"threshold\": %g, \"grey_low\": %g, \"margin\": %g, \"same_source\": %g, \"dob_bonus\": %g, "
             "\"year_penalty\": %g, \"sex_penalty\": %g, \"commune_bonus\": %g, \"lsh_bands\": %d, \"lsh_bits\": %d, "
             "\"block_max\": %d}",
             lp.threshold, lp.grey_low, lp.margin, lp.same_source, lp.dob_bonus, lp.year_penalty, lp.sex_penalty,
             lp.commune_bonus,
             lp.bands, res.stats.lsh_bits, lp.block_max);
    db_begin(conn);
    const char *pp[] = {params};
    int64_t run = atoll(db_value(conn, "INSERT INTO tznr.link_run (params) VALUES ($1) RETURNING id", 1, pp));

    db_bincopy b = {0};
    db_copy_start(conn, "COPY tznr.link (run_id, source_a, token_a, source_b, token_b, method, score)"
                        " FROM STDIN (FORMAT binary)");
    db_bin_header(&b);
    for (size_t i = 0; i < res.nedges; i++) {
        add_token_row(&b, run, &L, res.edges[i].a, res.edges[i].b,
                      link_method_name((enum link_method)res.edges[i].method), res.edges[i].score);
        flush_copy(conn, &b);
    }
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_copy_end(conn);
    b.len = 0;
    db_copy_start(conn, "COPY tznr.possible_link (run_id, source_a, token_a, source_b, token_b, score)"
                        " FROM STDIN (FORMAT binary)");
    db_bin_header(&b);
    for (size_t i = 0; i < res.npossible; i++) {
        add_token_row(&b, run, &L, res.possible[i].a, res.possible[i].b, NULL, res.possible[i].score);
        flush_copy(conn, &b);
    }
    db_bin_trailer(&b);
    db_copy_put(conn, b.buf, b.len);
    db_copy_end(conn);
    b.len = 0;
    /* Replace the persons wholesale: emptied, loaded without indexes, indexed after (much
     * faster than maintaining two indexes row by row), all in this transaction. */
    db_exec(conn, "TRUNCATE tznr.person_record;"
                  "ALTER TABLE tznr.person_record DROP CONSTRAINT person_record_pkey;"
                  "DROP INDEX tznr.person_record_person_id_idx;"
                  "DROP INDEX IF EXISTS tznr.person_record_foyer_id_idx");
    db_copy_start(conn, "COPY tznr.person_record (source_id, token, person_id, run_id, foyer_id) FROM STDIN (FORMAT binary)");
    db_bin_header(&b);
    for (size_t i = 0; i < L.n; i++) {
        db_bin_row(&b, 5);
        db_bin_bytes(&b, L.sources[L.recs[i].source], strlen(L.sources[L.recs[i].source]));
        db_bin_bytes(&b, L.token[i], 32);
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
                  "ANALYZE tznr.person_record; ANALYZE tznr.link");
    if (next_id > 1) {
        char nid[32];
        snprintf(nid, sizeof nid, "%lld", (long long)(next_id - 1));
        const char *np[] = {nid};
        PQclear(db_query(conn, "SELECT pg_catalog.setval('tznr.person_id_seq', $1::bigint)", 1, np));
    }
    link_stats *st = &res.stats;
    char runs[32], recs[32], persons[32], links[32], poss[32];
    snprintf(runs, sizeof runs, "%lld", (long long)run);
    snprintf(recs, sizeof recs, "%zu", L.n);
    snprintf(persons, sizeof persons, "%zu", st->persons);
    snprintf(links, sizeof links, "%zu", res.nedges);
    snprintf(poss, sizeof poss, "%zu", res.npossible);
    const char *up[] = {runs, recs, persons, links, poss};
    PQclear(db_query(conn, "UPDATE tznr.link_run SET finished_at = pg_catalog.clock_timestamp(), records = $2,"
                           " persons = $3, links = $4, possible = $5 WHERE id = $1", 5, up));
    sbuf d;
    sbuf_init(&d);
    sbuf_addf(&d, "{\"run\": %lld, \"records\": %zu, \"persons\": %zu, \"persons_kept\": %zu, "
                  "\"links_exact\": %llu, \"links_clk\": %llu, \"possible\": %zu, \"forbidden\": %zu, "
                  "\"comparisons\": %llu, \"blocks_skipped\": %llu, \"params\": %s}",
              (long long)run, L.n, st->persons, kept, st->exact_edges, st->clk_edges, res.npossible, nfb,
              st->comparisons, st->blocks_skipped, params);
    audit_log(conn, "link", "persons", d.p);
    db_commit(conn);
    double t_end = util_now();
    log_info("run %lld: %zu records of %d sources -> %zu persons (%zu kept their id) in %zu households",
             (long long)run, L.n, L.nsources, st->persons, kept, nfoyers);
    log_info("  links: %llu exact, %llu clk; %zu possible (grey zone); %llu comparisons, %llu blocks skipped",
             st->exact_edges, st->clk_edges, res.npossible, st->comparisons, st->blocks_skipped);
    log_info("  %.2f s: read %.2f, link %.2f, write %.2f", t_end - t0, t_read - t0, t_link - t_read,
             t_end - t_link);
    sbuf_free(&d);
    size_t st_persons = st->persons, n_possible = res.npossible;
    unsigned long long st_exact = st->exact_edges, st_clk = st->clk_edges;
    free(pid);
    free(foyer);
    free(fb);
    link_result_free(&res);
    for (int i = 0; i < L.nsources; i++)
        free(L.sources[i]);
    free(L.recs);
    free(L.token);
    free(L.prev_person);
    free(L.household);
    db_exec(conn, "SELECT pg_catalog.pg_advisory_unlock(7243110003)");
    memset(sum, 0, sizeof *sum);
    sum->run = run;
    sum->records = L.n;
    sum->sources = L.nsources;
    sum->persons = st_persons;
    sum->persons_kept = kept;
    sum->foyers = nfoyers;
    sum->links_exact = st_exact;
    sum->links_clk = st_clk;
    sum->possible = n_possible;
    sum->seconds = t_end - t0;
}

int cmd_link(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    int quiet = 0;
    const struct opt opts[] = {OPT_PLATFORM(&cfile, &dbinfo), OPT_QUIET(&quiet, "no summary on stderr"), OPT_END};
    const struct opt_cmd cmd = {.name = "link", .usage = synopsis, .description = description, .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    if (quiet)
        log_set_quiet(1);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    linkdb_summary sum;
    linkdb_run(conn, &cf, &sum);
    db_close(conn);
    conf_free(&cf);
    return 0;
}

static void write_stdout(void *ctx, const char *buf, int len)
{
    (void)ctx;
    if (fwrite(buf, 1, (size_t)len, stdout) != (size_t)len)
        die(TZNR_EXIT_FAIL, "could not write to standard output");
}

int cmd_links(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL;
    int possible = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_FLAG(0, "possible", &possible, "the grey-zone pairs instead of the links"),
        OPT_END};
    const struct opt_cmd cmd = {
        .name = "links",
        .usage = "tznr links [-c FILE] [--db CONNINFO] [--possible]",
        .description = "Print the links of the latest linkage run as CSV:\n"
                       "source_a,token_a,source_b,token_b,method,score (tokens in hex). With --possible,\n"
                       "the grey-zone pairs instead (method 'possible'), for review.",
        .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    fflush(stdout);
    const char *sql = possible
        ? "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
          " pg_catalog.encode(token_b, 'hex') AS token_b, 'possible' AS method,"
          " pg_catalog.round(score::numeric, 4) AS score FROM tznr.possible_link"
          " WHERE run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
          " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)"
        : "COPY (SELECT source_a, pg_catalog.encode(token_a, 'hex') AS token_a, source_b,"
          " pg_catalog.encode(token_b, 'hex') AS token_b, method,"
          " pg_catalog.round(score::numeric, 4) AS score FROM tznr.link"
          " WHERE run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
          " ORDER BY 1, 2, 3, 4) TO STDOUT (FORMAT csv, HEADER)";
    db_copy_out(conn, sql, write_stdout, NULL);
    db_close(conn);
    conf_free(&cf);
    return 0;
}
