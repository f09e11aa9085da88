/* tznr pseudonymise: raw export -> extract, manifest, token map, rejects (extract-v1). */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "csvio.h"
#include "extract.h"
#include "log.h"
#include "util.h"
#include "manifest.h"
#include "mapping.h"
#include "pseudo.h"

#define BATCH_ROWS 2048
#define MAX_JOBS 64

static void usage(void)
{
    printf("usage: tznr pseudonymise --key FILE --source KIND:NAME [--mapping FILE] -o OUT.csv\n"
           "                         [--extract-date YYYY-MM-DD] [-j N] [-q] RAW.csv\n\n"
           "Turn an agency's raw export into a tznr-extract-v1 file (docs/extract-format.md).\n"
           "Writes OUT.csv and OUT.csv.manifest (to deposit on the platform), OUT.csv.tokens\n"
           "(local_ref,token: stays at the agency) and OUT.csv.rejects (rows that could not be\n"
           "used, with their line and reason: stays at the agency). Every file is written under a\n"
           "temporary name and renamed at the end, the manifest last.\n\n"
           "  --key FILE            the territory's key file (mode 0600)\n"
           "  --source KIND:NAME    source id, KIND one of caf, departement, bailleur, cpam,\n"
           "                        msa, carsat, france_travail, ccas, autre\n"
           "  --mapping FILE        how to read the export (docs/mapping.md); without it, the\n"
           "                        canonical raw columns, UTF-8, comma separated\n"
           "  -o, --output OUT.csv  the extract to write\n"
           "  --extract-date DATE   the export's date for the manifest (default: today, UTC)\n"
           "  -j, --jobs N          encode on N threads (1-%d, default 1)\n"
           "  -q, --quiet           no summary on stderr\n\n"
           "Exit: 0 done, 1 failure, 2 usage, 3 input refused (empty, not CSV, wrong header).\n",
           MAX_JOBS);
}

static int date_valid(const char *s)
{
    char out[9];
    return norm_date(s, strlen(s), DATE_ISO, out) > 0 && strlen(s) == 10;
}

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

int cmd_pseudonymise(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},      {"source", required_argument, NULL, 's'},
        {"mapping", required_argument, NULL, 'm'},  {"output", required_argument, NULL, 'o'},
        {"extract-date", required_argument, NULL, 'd'}, {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *keyfile = NULL, *source = NULL, *mapfile = NULL, *outpath = NULL, *xdate = NULL;
    long jobs = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:s:m:o:d:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 's': source = optarg; break;
        case 'm': mapfile = optarg; break;
        case 'o': outpath = optarg; break;
        case 'd': xdate = optarg; break;
        case 'j':
            if (cmd_parse_long(optarg, 1, MAX_JOBS, &jobs) != 0)
                die_usage("pseudonymise", "--jobs must be a whole number from 1 to %d, not '%s'", MAX_JOBS, optarg);
            break;
        case 'q': log_set_quiet(1); break;
        case 'h': usage(); return 0;
        default: die_usage("pseudonymise", NULL);
        }
    }
    if (!keyfile || !source || !outpath)
        die_usage("pseudonymise", "--key, --source and -o are required");
    if (argc - optind != 1)
        die_usage("pseudonymise", "expected exactly one raw export file");
    const char *rawpath = argv[optind];
    if (!manifest_source_valid(source))
        die_usage("pseudonymise", "invalid source '%s': expected KIND:NAME, KIND one of " MANIFEST_KINDS
                  ", NAME 1-32 of a-z 0-9 _ -", source);
    char today[11];
    time_t t0 = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&t0));
    if (!xdate)
        xdate = today;
    else if (!date_valid(xdate))
        die_usage("pseudonymise", "invalid --extract-date '%s': expected YYYY-MM-DD", xdate);

    char err[1024];
    char key_id[PSEUDO_KEY_ID_MAX + 1];
    unsigned char master[PSEUDO_MASTER_LEN];
    if (pseudo_key_load(keyfile, key_id, master, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);

    mapping *map;
    csvio_record rec;
    int rc;
    csvio_reader *rd = mapping_open_export(mapfile, rawpath, &map, &rec);
    extract_format fmt;
    mapping_format(map, &fmt);

    /* Workers: each has its own HMAC contexts. */
    struct job job[MAX_JOBS];
    memset(job, 0, sizeof job);
    for (long i = 0; i < jobs; i++) {
        job[i].w = extract_worker_new(master, source, &fmt);
        if (!job[i].w)
            die(TZNR_EXIT_FAIL, "could not initialise OpenSSL HMAC and HKDF");
        sbuf_init(&job[i].out);
    }
    OPENSSL_cleanse(master, sizeof master);

    char *tokpath = xasprintf("%s.tokens", outpath), *rejpath = xasprintf("%s.rejects", outpath),
         *manpath = xasprintf("%s.manifest", outpath);
    struct outputs outs = {0};
    log_on_die(abort_outputs, &outs);
    if (!(outs.extract = csvio_out_open(outpath, 0640, err, sizeof err)) ||
        !(outs.tokens = csvio_out_open(tokpath, 0600, err, sizeof err)) ||
        !(outs.rejects = csvio_out_open(rejpath, 0600, err, sizeof err)))
        die(TZNR_EXIT_FAIL, "%s", err);
    const char *hdr = extract_header();
    out_write(outs.extract, outpath, hdr, strlen(hdr));
    out_write(outs.extract, outpath, "\n", 1);
    out_write(outs.tokens, tokpath, "local_ref,token\n", 16);
    out_write(outs.rejects, rejpath, CSVIO_REJECTS_HEADER, strlen(CSVIO_REJECTS_HEADER));

    sbuf arena, line;
    sbuf_init(&arena);
    sbuf_init(&line);
    extract_row *rows = xmalloc(BATCH_ROWS * sizeof *rows);
    unsigned long long nread = 0, nrejected = 0, nwritten = 0;
    extract_stats total = {0};
    double start = util_now();
    char why[512];
    int done = 0;
    while (!done) {
        size_t n = 0;
        sbuf_reset(&arena);
        while (n < BATCH_ROWS) {
            rc = csvio_next(rd, &rec);
            if (rc < 0)
                die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
            if (rc == 0) {
                done = 1;
                break;
            }
            nread++;
            size_t mark = arena.len;
            if (mapping_apply(map, &rec, &arena, &rows[n], why, sizeof why) != 0) {
                arena.len = mark;
                arena.p[mark] = '\0';
                sbuf_reset(&line);
                csvio_add_reject(&line, rec.line, why, rec.raw, rec.raw_len);
                out_write(outs.rejects, rejpath, line.p, line.len);
                nrejected++;
                continue;
            }
            n++;
        }
        if (n == 0)
            continue;
        /* Split the batch in contiguous slices so the output keeps the input's order. */
        long nj = (long)n < jobs ? (long)n : jobs;
        pthread_t th[MAX_JOBS];
        for (long i = 0; i < nj; i++) {
            job[i].arena = &arena;
            job[i].rows = rows;
            job[i].from = n * (size_t)i / (size_t)nj;
            job[i].to = n * (size_t)(i + 1) / (size_t)nj;
            if (i > 0 && pthread_create(&th[i], NULL, run_job, &job[i]) != 0)
                die(TZNR_EXIT_FAIL, "could not start a thread");
        }
        run_job(&job[0]);
        for (long i = 1; i < nj; i++)
            pthread_join(th[i], NULL);
        for (long i = 0; i < nj; i++) {
            out_write(outs.extract, outpath, job[i].out.p, job[i].out.len);
            /* token map: each line starts with its 64-digit token */
            const char *p = job[i].out.p;
            for (size_t r = job[i].from; r < job[i].to; r++) {
                const char *lr = arena.p + rows[r].off[RF_LOCAL_REF];
                size_t lrn = rows[r].len[RF_LOCAL_REF];
                norm_trim(&lr, &lrn);
                sbuf_reset(&line);
                csvio_add_field(&line, lr, lrn, ',');
                sbuf_addc(&line, ',');
                sbuf_add(&line, p, 64);
                sbuf_addc(&line, '\n');
                out_write(outs.tokens, tokpath, line.p, line.len);
                p = strchr(p, '\n') + 1;
            }
            nwritten += job[i].to - job[i].from;
        }
    }
    double elapsed = util_now() - start;
    for (long i = 0; i < jobs; i++)
        extract_stats_add(&total, &job[i].st);

    char sha[65];
    if (csvio_out_commit(outs.extract, sha, err, sizeof err) != 0) {
        outs.extract = NULL;
        die(TZNR_EXIT_FAIL, "%s", err);
    }
    outs.extract = NULL;
    if (csvio_out_commit(outs.tokens, NULL, err, sizeof err) != 0) {
        outs.tokens = NULL;
        die(TZNR_EXIT_FAIL, "%s", err);
    }
    outs.tokens = NULL;
    if (csvio_out_commit(outs.rejects, NULL, err, sizeof err) != 0) {
        outs.rejects = NULL;
        die(TZNR_EXIT_FAIL, "%s", err);
    }
    outs.rejects = NULL;
    /* The manifest last: its presence says the extract is complete. */
    char created[32];
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
    sbuf_reset(&line);
    sbuf_addf(&line,
              "format = tznr-extract-v1\nsource = %s\nextract_date = %s\nkey_id = %s\nrows = %llu\n"
              "sha256 = %s\ncreated_at = %s\n",
              source, xdate, key_id, nwritten, sha, created);
    if (!(outs.manifest = csvio_out_open(manpath, 0640, err, sizeof err)))
        die(TZNR_EXIT_FAIL, "%s", err);
    out_write(outs.manifest, manpath, line.p, line.len);
    if (csvio_out_commit(outs.manifest, NULL, err, sizeof err) != 0) {
        outs.manifest = NULL;
        die(TZNR_EXIT_FAIL, "%s", err);
    }
    outs.manifest = NULL;
    log_forget(abort_outputs, &outs);

    log_info("'%s' -> '%s' (source %s, key %s)", rawpath, outpath, source, key_id);
    log_info("  rows read %llu, written %llu, rejected %llu%s%s", nread, nwritten, nrejected,
             nrejected ? ": see " : "", nrejected ? rejpath : "");
    log_info("  NIR: %llu invalid, %llu missing; date of birth: %llu invalid, %llu missing",
             total.nir_invalid, total.nir_missing, total.date_invalid, total.date_missing);
    log_info("  invalid fields left out: %llu not UTF-8, %llu sexe, %llu commune, %llu role, %llu attributes",
             total.utf8_invalid, total.sexe_invalid, total.commune_invalid, total.role_invalid, total.attr_invalid);
    log_info("  rows without k_ident: %llu; %.1f HMACs a row (%.1f computed, the rest from the CLK cache); "
             "%.2f s, %.0f rows/s on %ld thread%s",
             total.ident_missing, nwritten ? (double)(total.hmacs + total.hmacs_saved) / (double)nwritten : 0.0,
             nwritten ? (double)total.hmacs / (double)nwritten : 0.0, elapsed,
             elapsed > 0 ? (double)nwritten / elapsed : 0.0, jobs, jobs > 1 ? "s" : "");
    if (total.utf8_invalid)
        log_warn("%llu fields are not valid UTF-8: is the export's encoding set in the mapping?",
                 total.utf8_invalid);

    for (long i = 0; i < jobs; i++) {
        extract_worker_free(job[i].w);
        sbuf_free(&job[i].out);
    }
    free(rows);
    sbuf_free(&arena);
    sbuf_free(&line);
    free(tokpath);
    free(rejpath);
    free(manpath);
    csvio_close(rd);
    mapping_free(map);
    return 0;
}
