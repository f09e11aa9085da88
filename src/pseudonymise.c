/* pseudonymise: the raw export read in batches, encoded on worker threads, written to the
 * extract, the token map, the rejects and last the manifest (pseudonymise.h). */
#include "pseudonymise.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "csvio.h"
#include "encguess.h"
#include "extract.h"
#include "log.h"
#include "mapping.h"
#include "pseudo.h"
#include "sbuf.h"
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
    encguess eg;       /* the export's bytes against its declared encoding */
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
        if (mapping_apply(r->map, &r->rec, &r->arena, &r->rows[n], why, sizeof why) != 0) {
            r->arena.len = mark;
            r->arena.p[mark] = '\0';
            sbuf_reset(&r->line);
            csvio_add_reject(&r->line, r->rec.line, why, r->rec.raw, r->rec.raw_len);
            out_write(r->outs.rejects, r->rejpath, r->line.p, r->line.len);
            r->nrejected++;
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

static void run_free(struct run *r)
{
    for (long i = 0; i < r->o->jobs; i++) {
        extract_worker_free(r->job[i].w);
        sbuf_free(&r->job[i].out);
    }
    free(r->rows);
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
    r->rows = xmalloc(BATCH_ROWS * sizeof *r->rows);

    double start = util_now();
    for (int done = 0; !done;) {
        size_t n = read_batch(r, &done);
        if (n > 0)
            write_batch(r, encode_batch(r, n));
        /* the batch's raw fields (names, NIRs, dates) are no longer needed: wiped, not left
         * until the next batch happens to overwrite them */
        explicit_bzero(r->arena.p, r->arena.len);
    }
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
    run_free(r);
    free(r);
}
