/* pseudonymise: the raw export read in batches, encoded on worker threads, written to the
 * extract, the token map, the rejects and last the manifest (pseudonymise.h). */
#include "pseudonymise.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "csvio.h"
#include "encguess.h"
#include "extract.h"
#include "fr.h"
#include "log.h"
#include "mapping.h"
#include "norm.h"
#include "pseudo.h"
#include "sbuf.h"
#include "strtab.h"
#include "util.h"

#define BATCH_ROWS 2048
#define MAX_JOBS PSEUDONYMISE_MAX_JOBS

/* One slice of a batch for one thread. */
struct job {
    extract_worker *w;
    const sbuf *arena;
    const extract_row *rows;
    size_t from, to;
    sbuf out;
    extract_stats st;
};

static void *run_job(void *arg)
{
    struct job *j = arg;
    sbuf_reset(&j->out);
    for (size_t i = j->from; i < j->to; i++)
        extract_encode(j->w, j->arena->p, &j->rows[i], &j->out, &j->st);
    return NULL;
}

/* The outputs being written, removed on a fatal error. */
struct outputs {
    csvio_out *extract, *tokens, *rejects, *manifest;
};

static void abort_outputs(void *arg)
{
    struct outputs *o = arg;
    csvio_out_abort(o->extract);
    csvio_out_abort(o->tokens);
    csvio_out_abort(o->rejects);
    csvio_out_abort(o->manifest);
    o->extract = o->tokens = o->rejects = o->manifest = NULL;
}

static void out_write(csvio_out *o, const char *path, const void *s, size_t n)
{
    if (csvio_out_write(o, s, n) != 0)
        die(TZNR_EXIT_FAIL, "could not write '%s': %m", path);
}

/* Rename *O into place (its SHA-256 in SHA when not NULL); *O is NULL after, whatever happens:
 * on failure csvio_out_commit has removed the temporary file. */
static void commit(csvio_out **o, char *sha)
{
    char err[1024];
    csvio_out *f = *o;
    *o = NULL;
    if (csvio_out_commit(f, sha, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
}

/* Why a row was rejected, for the summary; the reasons' own text is in the rejects file. */
enum reject_kind { RJ_CSV, RJ_ENCODING, RJ_LONG, RJ_FIELDS, RJ_EMPTY_REF, RJ_UTF8_REF, RJ_DUPLICATE, RJ_OTHER, RJ_COUNT };

/* The reasons given by csvio and mapping_apply, by their first words, and what the summary
 * says of each kind (French: the agency's IT reads it). */
static const struct {
    const char *prefix;
    enum reject_kind kind;
} reject_prefix[] = {
    {"malformed CSV", RJ_CSV},
    {"unterminated quoted field", RJ_CSV},
    {"byte 0x", RJ_ENCODING},
    {"field ", RJ_LONG},
    {"wrong number of fields", RJ_FIELDS},
    {"local_ref is empty", RJ_EMPTY_REF},
    {"local_ref or household_ref is not valid UTF-8", RJ_UTF8_REF},
    {"duplicate local_ref", RJ_DUPLICATE},
};
static const char *const reject_label[RJ_COUNT] = {
    [RJ_CSV] = "CSV mal formé (guillemet)",
    [RJ_ENCODING] = "octet hors de l'encodage déclaré",
    [RJ_LONG] = "champ de plus de 64 Kio",
    [RJ_FIELDS] = "mauvais nombre de champs",
    [RJ_EMPTY_REF] = "local_ref vide",
    [RJ_UTF8_REF] = "local_ref ou household_ref hors UTF-8",
    [RJ_DUPLICATE] = "local_ref en double",
    [RJ_OTHER] = "autre raison",
};

static enum reject_kind reject_kind_of(const char *why)
{
    for (size_t i = 0; i < sizeof reject_prefix / sizeof reject_prefix[0]; i++)
        if (strncmp(why, reject_prefix[i].prefix, strlen(reject_prefix[i].prefix)) == 0)
            return reject_prefix[i].kind;
    return RJ_OTHER;
}

/* The duplicates whose lines the summary gives (all are in the rejects file). */
#define DUP_SHOWN 5

/* Where the local_refs seen are kept for the duplicate check: blocks that never move, so that
 * the table can point into them; wiped when freed. */
struct keyblock {
    struct keyblock *next;
    size_t used, cap;
    char data[];
};

static const char *keep_key(struct keyblock **head, const char *s, size_t n)
{
    struct keyblock *b = *head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        b = xmalloc(sizeof *b + cap);
        b->next = *head;
        b->used = 0;
        b->cap = cap;
        *head = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    b->used += n;
    return p;
}

static void free_keys(struct keyblock *b)
{
    while (b) {
        struct keyblock *next = b->next;
        explicit_bzero(b->data, b->used);
        free(b);
        b = next;
    }
}

/* One run: its inputs, its outputs and where the batches are. */
struct run {
    const pseudonymise_opts *o;
    char key_id[PSEUDO_KEY_ID_MAX + 1];
    mapping *map;
    csvio_reader *rd;
    csvio_record rec;
    struct job job[MAX_JOBS];
    char *tokpath, *rejpath, *manpath;
    struct outputs outs;
    sbuf arena, line;  /* the batch's fields; a line being built */
    extract_row *rows; /* the batch's rows */
    unsigned long long nread, nrejected, nwritten;
    unsigned long long why[RJ_COUNT]; /* the rejected rows by kind */
    encguess eg;       /* the export's bytes against its declared encoding */
    strtab seen;       /* local_ref (trimmed) -> the line of its first usable row */
    struct keyblock *keys; /* the local_refs the table points to */
    long dup_at[DUP_SHOWN][2]; /* the first duplicates: their line, the line kept */
};

/* Load the key, open the export and start a worker a job, each with its own HMAC contexts. */
static void open_inputs(struct run *r)
{
    char err[1024];
    unsigned char master[PSEUDO_MASTER_LEN];
    if (pseudo_key_load(r->o->key, r->key_id, master, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    r->rd = mapping_open_export(r->o->mapping, r->o->raw, &r->map, &r->rec);
    extract_format fmt;
    mapping_format(r->map, &fmt);
    csvio_options copt;
    mapping_csv_options(r->map, &copt);
    encguess_init(&r->eg, copt.encoding);
    for (long i = 0; i < r->o->jobs; i++) {
        r->job[i].w = extract_worker_new(master, r->o->source, &fmt);
        if (!r->job[i].w)
            die(TZNR_EXIT_FAIL, "could not initialise OpenSSL HMAC and HKDF");
        sbuf_init(&r->job[i].out);
    }
    OPENSSL_cleanse(master, sizeof master);
}

/* Create the extract, the token map and the rejects under temporary names, with their headers. */
static void open_outputs(struct run *r)
{
    char err[1024];
    const char *out = r->o->output;
    r->tokpath = xasprintf("%s.tokens", out);
    r->rejpath = xasprintf("%s.rejects", out);
    r->manpath = xasprintf("%s.manifest", out);
    log_on_die(abort_outputs, &r->outs);
    if (!(r->outs.extract = csvio_out_open(out, 0640, err, sizeof err)) ||
        !(r->outs.tokens = csvio_out_open(r->tokpath, 0600, err, sizeof err)) ||
        !(r->outs.rejects = csvio_out_open(r->rejpath, 0600, err, sizeof err)))
        die(TZNR_EXIT_FAIL, "%s", err);
    const char *hdr = extract_header();
    out_write(r->outs.extract, out, hdr, strlen(hdr));
    out_write(r->outs.extract, out, "\n", 1);
    out_write(r->outs.tokens, r->tokpath, "local_ref,token\n", 16);
    out_write(r->outs.rejects, r->rejpath, CSVIO_REJECTS_HEADER, strlen(CSVIO_REJECTS_HEADER));
}

/* Read up to BATCH_ROWS usable rows into the arena, writing the others to the rejects; return
 * how many, and set *DONE at the end of the export. */
static size_t read_batch(struct run *r, int *done)
{
    char why[512];
    size_t n = 0;
    sbuf_reset(&r->arena);
    while (n < BATCH_ROWS) {
        int rc = csvio_next(r->rd, &r->rec);
        if (rc < 0)
            die(TZNR_EXIT_FAIL, "%s", csvio_error(r->rd));
        if (rc == 0) {
            *done = 1;
            break;
        }
        r->nread++;
        encguess_record(&r->eg, r->rec.raw, r->rec.raw_len, r->rec.line);
        size_t mark = r->arena.len;
        int bad = mapping_apply(r->map, &r->rec, &r->arena, &r->rows[n], why, sizeof why) != 0;
        if (!bad) {
            /* The same local_ref twice gives the same token twice, which the platform refuses:
             * the first usable row is kept, the others rejected here (docs/extract-format.md). */
            const char *lr = r->arena.p + r->rows[n].off[RF_LOCAL_REF];
            size_t lrn = r->rows[n].len[RF_LOCAL_REF];
            norm_trim(&lr, &lrn);
            size_t first = strtab_get(&r->seen, lr, lrn);
            if (first != STRTAB_NONE) {
                snprintf(why, sizeof why, "duplicate local_ref: the same as line %zu, which was kept", first);
                unsigned long long d = r->why[RJ_DUPLICATE];
                if (d < DUP_SHOWN) {
                    r->dup_at[d][0] = r->rec.line;
                    r->dup_at[d][1] = (long)first;
                }
                bad = 1;
            } else {
                strtab_put(&r->seen, keep_key(&r->keys, lr, lrn), lrn, (size_t)r->rec.line);
            }
        }
        if (bad) {
            r->arena.len = mark;
            r->arena.p[mark] = '\0';
            sbuf_reset(&r->line);
            csvio_add_reject(&r->line, r->rec.line, why, r->rec.raw, r->rec.raw_len);
            out_write(r->outs.rejects, r->rejpath, r->line.p, r->line.len);
            r->nrejected++;
            r->why[reject_kind_of(why)]++;
            continue;
        }
        n++;
    }
    return n;
}

/* Encode the N rows of the batch: split in contiguous slices, one a thread, so that writing the
 * slices in turn keeps the input's order. Return the number of slices. */
static long encode_batch(struct run *r, size_t n)
{
    long nj = (long)n < r->o->jobs ? (long)n : r->o->jobs;
    pthread_t th[MAX_JOBS];
    for (long i = 0; i < nj; i++) {
        struct job *j = &r->job[i];
        j->arena = &r->arena;
        j->rows = r->rows;
        j->from = n * (size_t)i / (size_t)nj;
        j->to = n * (size_t)(i + 1) / (size_t)nj;
        if (i > 0 && pthread_create(&th[i], NULL, run_job, j) != 0)
            die(TZNR_EXIT_FAIL, "could not start a thread");
    }
    run_job(&r->job[0]);
    for (long i = 1; i < nj; i++)
        pthread_join(th[i], NULL);
    return nj;
}

/* Write the NJ slices' lines to the extract and each row's local_ref and token to the map. */
static void write_batch(struct run *r, long nj)
{
    for (long i = 0; i < nj; i++) {
        const struct job *j = &r->job[i];
        out_write(r->outs.extract, r->o->output, j->out.p, j->out.len);
        /* token map: each line starts with its token */
        const char *p = j->out.p;
        for (size_t k = j->from; k < j->to; k++) {
            const char *lr = r->arena.p + r->rows[k].off[RF_LOCAL_REF];
            size_t lrn = r->rows[k].len[RF_LOCAL_REF];
            norm_trim(&lr, &lrn);
            sbuf_reset(&r->line);
            csvio_add_field(&r->line, lr, lrn, ',');
            sbuf_addc(&r->line, ',');
            sbuf_add(&r->line, p, EXTRACT_TOKEN_HEX);
            sbuf_addc(&r->line, '\n');
            out_write(r->outs.tokens, r->tokpath, r->line.p, r->line.len);
            p = strchr(p, '\n') + 1;
        }
        r->nwritten += j->to - j->from;
    }
}

/* Rename the extract, the token map and the rejects into place, then write the manifest. */
static void commit_outputs(struct run *r, const char *xdate, time_t t0)
{
    char err[1024], sha[65], created[32];
    commit(&r->outs.extract, sha);
    commit(&r->outs.tokens, NULL);
    commit(&r->outs.rejects, NULL);
    /* The manifest last: its presence says the extract is complete. */
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
    sbuf_reset(&r->line);
    sbuf_addf(&r->line,
              "format = tznr-extract-v1\nsource = %s\nextract_date = %s\nkey_id = %s\nrows = %llu\n"
              "sha256 = %s\ncreated_at = %s\n",
              r->o->source, xdate, r->key_id, r->nwritten, sha, created);
    if (!(r->outs.manifest = csvio_out_open(r->manpath, 0640, err, sizeof err)))
        die(TZNR_EXIT_FAIL, "%s", err);
    out_write(r->outs.manifest, r->manpath, r->line.p, r->line.len);
    commit(&r->outs.manifest, NULL);
    log_forget(abort_outputs, &r->outs);
}

/* " (line 6)", " (lines 6, 9 and 3 more)": where the COUNT faults of kind K are, or "" for none. */
static const char *where(const extract_stats *t, enum extract_fault k, unsigned long long count, char *buf,
                         size_t cap)
{
    int n = t->nat[k];
    if (count == 0 || n == 0)
        return "";
    size_t o = (size_t)snprintf(buf, cap, " (line%s ", n > 1 ? "s" : "");
    for (int i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%ld", i == 0 ? "" : i == n - 1 && count == (unsigned long long)n
                              ? " and " : ", ", t->at[k][i]);
    if (o < cap && count > (unsigned long long)n)
        o += (size_t)snprintf(buf + o, cap - o, " and %llu more", count - (unsigned long long)n);
    if (o < cap)
        snprintf(buf + o, cap - o, ")");
    return buf;
}

static void log_summary(const struct run *r, const extract_stats *total, double elapsed)
{
    unsigned long long nw = r->nwritten;
    long jobs = r->o->jobs;
    char w[XF_COUNT][160];
    log_info("'%s' -> '%s' (source %s, key %s)", r->o->raw, r->o->output, r->o->source, r->key_id);
    log_info("  rows read %llu, written %llu, rejected %llu%s%s", r->nread, nw, r->nrejected,
             r->nrejected ? ": see " : "", r->nrejected ? r->rejpath : "");
    /* the lines of the export where each kind of invalid value is, so the agency can fix them */
    log_info("  NIR: %llu invalid%s, %llu missing; date of birth: %llu invalid%s, %llu missing",
             total->nir_invalid, where(total, XF_NIR, total->nir_invalid, w[XF_NIR], sizeof w[0]), total->nir_missing,
             total->date_invalid, where(total, XF_DATE, total->date_invalid, w[XF_DATE], sizeof w[0]),
             total->date_missing);
    log_info("  invalid fields left out: %llu not UTF-8%s, %llu sexe%s, %llu commune%s, %llu role%s, %llu attributes%s",
             total->utf8_invalid, where(total, XF_UTF8, total->utf8_invalid, w[XF_UTF8], sizeof w[0]),
             total->sexe_invalid, where(total, XF_SEXE, total->sexe_invalid, w[XF_SEXE], sizeof w[0]),
             total->commune_invalid, where(total, XF_COMMUNE, total->commune_invalid, w[XF_COMMUNE], sizeof w[0]),
             total->role_invalid, where(total, XF_ROLE, total->role_invalid, w[XF_ROLE], sizeof w[0]),
             total->attr_invalid, where(total, XF_ATTR, total->attr_invalid, w[XF_ATTR], sizeof w[0]));
    log_info("  rows without k_ident: %llu; %.1f HMACs a row (%.1f computed, the rest from the CLK cache); "
             "%.2f s, %.0f rows/s on %ld thread%s",
             total->ident_missing, nw ? (double)(total->hmacs + total->hmacs_saved) / (double)nw : 0.0,
             nw ? (double)total->hmacs / (double)nw : 0.0, elapsed, elapsed > 0 ? (double)nw / elapsed : 0.0,
             jobs, jobs > 1 ? "s" : "");
    if (total->utf8_invalid)
        log_warn("%llu fields are not valid UTF-8%s: is the export's encoding set in the mapping?",
                 total->utf8_invalid, w[XF_UTF8]);
}

/* The summary for the agency's IT, in French, last: what was read, written and rejected (by
 * kind), the duplicates, and which files go to the platform and which stay at home. */
static void log_bilan(const struct run *r)
{
    char a[FR_BUF], b[FR_BUF], c[FR_BUF];
    unsigned long long rj = r->nrejected;
    log_info("bilan : %s ligne%s lue%s, %s écrite%s dans l'extrait, %s écartée%s", fr_int(a, (long long)r->nread),
             fr_pl((long long)r->nread), fr_pl((long long)r->nread), fr_int(b, (long long)r->nwritten),
             fr_pl((long long)r->nwritten), fr_int(c, (long long)rj), fr_pl((long long)rj));
    if (rj > 0) {
        sbuf l;
        sbuf_init(&l);
        for (int k = 0; k < RJ_COUNT; k++)
            if (r->why[k])
                sbuf_addf(&l, "%s%s %s", l.len ? ", " : "", fr_int(a, (long long)r->why[k]), reject_label[k]);
        log_info("  lignes écartées : %s ; chacune avec sa ligne et sa raison dans %s", l.p, r->rejpath);
        sbuf_free(&l);
    }
    unsigned long long nd = r->why[RJ_DUPLICATE];
    if (nd > 0) {
        sbuf l;
        sbuf_init(&l);
        for (unsigned long long i = 0; i < nd && i < DUP_SHOWN; i++)
            sbuf_addf(&l, "%sligne %ld (même local_ref que la ligne %ld)",
                      i == 0 ? "" : i == nd - 1 ? " et " : ", ", r->dup_at[i][0], r->dup_at[i][1]);
        if (nd > DUP_SHOWN)
            sbuf_addf(&l, " et %s autre%s", fr_int(a, (long long)(nd - DUP_SHOWN)), fr_pl((long long)(nd - DUP_SHOWN)));
        log_info("  local_ref en double : %s : %s ; l'extrait garde la première ligne de chacun, "
                 "corrigez l'export à la source", fr_int(b, (long long)nd), l.p);
        sbuf_free(&l);
    }
    log_info("  à déposer sur la plateforme : %s, puis %s en dernier", r->o->output, r->manpath);
    log_info("  à garder à l'agence, jamais déposés : %s (la table de correspondance), %s (les lignes écartées, "
             "avec leurs données)", r->tokpath, r->rejpath);
}

static void run_free(struct run *r)
{
    for (long i = 0; i < r->o->jobs; i++) {
        extract_worker_free(r->job[i].w);
        sbuf_free(&r->job[i].out);
    }
    free(r->rows);
    strtab_free(&r->seen);
    free_keys(r->keys);
    sbuf_free_wipe(&r->arena);
    sbuf_free_wipe(&r->line); /* last held a local_ref and its token */
    free(r->tokpath);
    free(r->rejpath);
    free(r->manpath);
    csvio_close(r->rd);
    mapping_free(r->map);
}

void pseudonymise(const pseudonymise_opts *o)
{
    char today[11];
    time_t t0 = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&t0));
    struct run *r = xcalloc(1, sizeof *r);
    r->o = o;
    open_inputs(r);
    open_outputs(r);
    sbuf_init(&r->arena);
    sbuf_init(&r->line);
    strtab_init(&r->seen);
    r->rows = xmalloc(BATCH_ROWS * sizeof *r->rows);

    double start = util_now();
    for (int done = 0; !done;) {
        size_t n = read_batch(r, &done);
        if (n > 0)
            write_batch(r, encode_batch(r, n));
        /* the batch's raw fields (names, NIRs, dates) are no longer needed: wiped, not left
         * until the next batch happens to overwrite them */
        explicit_bzero(r->arena.p, r->arena.len);
        log_progress(o->raw, r->nread, util_now() - start);
    }
    log_progress_end();
    double elapsed = util_now() - start;
    extract_stats total = {0};
    for (long i = 0; i < o->jobs; i++)
        extract_stats_add(&total, &r->job[i].st);

    /* An export in another encoding than declared gives names that match nobody else's: refused
     * when the mapping can say the right one (nothing is written), a warning when not. */
    char why[1024];
    int verdict = encguess_verdict(&r->eg, why, sizeof why);
    if (verdict == 1)
        die(TZNR_EXIT_REFUSED, "refusing '%s': %s", o->raw, why);
    commit_outputs(r, o->extract_date ? o->extract_date : today, t0);
    log_summary(r, &total, elapsed);
    if (verdict == 2)
        log_warn("'%s': %s", o->raw, why);
    log_bilan(r);
    run_free(r);
    free(r);
}

/* The identity of PATH (lstat when NOFOLLOW), or 0 when it does not exist or cannot be read. */
static int file_id(const char *path, int nofollow, struct stat *st)
{
    return (nofollow ? lstat(path, st) : stat(path, st)) == 0;
}

int pseudonymise_output_clash(const char *raw, const char *output, char *why, size_t whylen)
{
    struct stat in;
    int have_in = strcmp(raw, "-") == 0 ? fstat(STDIN_FILENO, &in) == 0 && S_ISREG(in.st_mode)
                                         : stat(raw, &in) == 0;
    static const char *const ext[] = {"", ".tokens", ".rejects", ".manifest"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        for (int tmp = 0; tmp < 2; tmp++) {
            char *p = xasprintf("%s%s%s", output, ext[i], tmp ? ".tmp" : "");
            struct stat st;
            /* the same name; or the same file under another name (a path through another folder
             * or a link): the final names are renamed over, the temporary ones removed first */
            int clash = strcmp(p, raw) == 0 ||
                        (have_in && file_id(p, tmp, &st) && st.st_dev == in.st_dev && st.st_ino == in.st_ino);
            if (clash) {
                snprintf(why, whylen, "the output '%s' is the raw export '%s': it would be %s", p, raw,
                         tmp ? "removed" : "overwritten");
                free(p);
                return 1;
            }
            free(p);
        }
    }
    return 0;
}
