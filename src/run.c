/* run: the nightly job, one function a step (see run.h). */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "db.h"
#include "detect.h"
#include "export.h"
#include "feedback.h"
#include "fr.h"
#include "link.h"
#include "linkdb.h"
#include "load.h"
#include "report.h"
#include "log.h"
#include "manifest.h"
#include "retention.h"
#include "select.h"
#include "util.h"

#define RUN_LOCK 7243110010LL

/* Move FILE (a path) into DIR, keeping its name, across file systems too (util_move). Return
 * 0, or -1 with the reason in the summary SUM: what was loaded is committed, so a file that
 * cannot be moved stays in the inbox for the next night (which finds it already loaded, or
 * refuses it again) and the rest of the night goes on. */
static int move_into(const char *file, const char *dir, sbuf *sum)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char *dst = xasprintf("%s/%s", dir, base);
    int rc = 0;
    if (util_mkdirs(dir) != 0) {
        sbuf_addf(sum, "  impossible de créer '%s' : %s ; '%s' reste dans la boîte de dépôt\n", dir, strerror(errno),
                  file);
        rc = -1;
    } else if (util_move(file, dst) != 0) {
        sbuf_addf(sum, "  impossible de déplacer '%s' vers '%s' : %s ; il reste dans la boîte de dépôt\n", file, dst,
                  strerror(errno));
        rc = -1;
    }
    free(dst);
    return rc;
}

/* Move an extract and its manifest into DIR (the extract first: a manifest alone is never
 * read). Return 0, or -1 with the reason in SUM. */
static int move_pair(const char *file, const char *man, const char *dir, sbuf *sum)
{
    if (move_into(file, dir, sum) != 0)
        return -1;
    return move_into(man, dir, sum);
}

/* Write REASON into DIR/<FILE's name>.reason, beside the refused file (the summary has it too:
 * a failure is only reported). */
static void write_reason(const char *dir, const char *file, const char *reason, sbuf *sum)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char *path = xasprintf("%s/%s.reason", dir, base);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", reason) < 0 || fclose(f) != 0)
        sbuf_addf(sum, "  impossible d'écrire '%s' : %s\n", path, strerror(errno));
    free(path);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The regular files of DIR whose names end in .csv, sorted; NULL-terminated (NULL when none). */
static char **list_csv(const char *dir, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **v = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".csv"))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        v = xrealloc(v, (size_t)(*n + 2) * sizeof *v);
        v[(*n)++] = path;
        v[*n] = NULL;
    }
    closedir(d);
    if (v)
        qsort(v, (size_t)*n, sizeof *v, cmp_str);
    return v;
}

static const char *basename_of(const char *path) { return strrchr(path, '/') ? strrchr(path, '/') + 1 : path; }

/* The summary is read by data officers: in French, figures written the French way (fr.h). */

/* Run CMD with /bin/sh, TZNR_INBOX set, at most TIMEOUT seconds (then its process group is
 * killed). Return its exit status, or -1 on timeout, -2 when it could not start. */
static int run_with_timeout(const char *cmd, const char *inbox, int timeout, double *took)
{
    double t0 = util_now();
    pid_t pid = fork();
    if (pid < 0)
        return -2;
    if (pid == 0) {
        setpgid(0, 0);
        setenv("TZNR_INBOX", inbox, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -2;
        if (util_now() - t0 > timeout) {
            kill(-pid, SIGTERM);
            for (int i = 0; i < 20 && waitpid(pid, &status, WNOHANG) == 0; i++)
                usleep(100000);
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            *took = util_now() - t0;
            return -1;
        }
        usleep(50000);
    }
    *took = util_now() - t0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* A run that dies is recorded as failed (the clean-ups run before the connection closes). */
struct failed_ctx {
    PGconn *conn;
    long long run;
};

static void mark_failed(void *arg)
{
    struct failed_ctx *f = arg;
    if (!f->conn || f->run <= 0)
        return;
    if (PQtransactionStatus(f->conn) != PQTRANS_IDLE)
        PQclear(PQexec(f->conn, "ROLLBACK"));
    char q[256];
    snprintf(q, sizeof q,
             "UPDATE tznr.run SET status = 'failed', finished_at = pg_catalog.clock_timestamp() WHERE id = %lld",
             f->run);
    PQclear(PQexec(f->conn, q));
}

/* 1. The pulls; return how many failed. */
static int step_pull(const conf *cf, sbuf *sum)
{
    int failed = 0;
    if (util_mkdirs(cf->inbox) != 0)
        die(TZNR_EXIT_FAIL, "could not create the inbox '%s': %s", cf->inbox, strerror(errno));
    for (int i = 0; i < cf->nsources; i++) {
        if (!cf->sources[i].pull)
            continue;
        double took = 0;
        char b[FR_BUF];
        int rc = run_with_timeout(cf->sources[i].pull, cf->inbox, cf->pull_timeout, &took);
        if (rc == 0) {
            sbuf_addf(sum, "  collecte %s : réussie (%s s)\n", cf->sources[i].id, fr_dec(b, took, 1));
            continue;
        }
        failed++;
        if (rc == -1)
            sbuf_addf(sum, "  collecte %s : ÉCHEC, arrêtée au bout de %s s ([run] pull_timeout)\n", cf->sources[i].id,
                      fr_int(b, cf->pull_timeout));
        else if (rc == -2)
            sbuf_addf(sum, "  collecte %s : ÉCHEC, la commande n'a pas pu être lancée\n", cf->sources[i].id);
        else
            sbuf_addf(sum, "  collecte %s : ÉCHEC, code de sortie %d\n", cf->sources[i].id, rc);
    }
    return failed;
}

/* The inbox's loads, side by side: LOAD_WORKERS threads, each with a connection of its own,
 * take the sources in turn; one source's extracts stay in one worker, in the inbox's order
 * (the later becomes current, as one after the other). Each extract is its own transaction
 * either way, and what the night reports is read from the results in the inbox's order, so
 * the summary and the files' moves are those of a load one at a time. Two at a time keep a
 * two-core machine busy: the server copies one extract while the other is read and checked
 * (the 1.1M-household night's eight extracts: 15.5-17.7 s one at a time, 11.7-12.1 s two at
 * a time; docs/benchmarks.md). */
#define LOAD_WORKERS 2

struct load_pool {
    const conf *cf;
    char **files;
    const int *order;       /* file indices, grouped by source */
    const int *group_start; /* ngroups + 1 offsets into order */
    int ngroups;
    load_result *res;       /* one per file */
    int next;               /* the next group to take */
    pthread_mutex_t mu;
};

struct load_worker {
    struct load_pool *pool;
    PGconn *conn;
    pthread_t th;
    int helper;  /* a thread of its own (its db_value buffer ends with it) */
    int started; /* the main thread's: pthread_create succeeded */
};

static void *load_worker_main(void *arg)
{
    struct load_worker *w = arg;
    struct load_pool *p = w->pool;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int g = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (g >= p->ngroups)
            break;
        for (int k = p->group_start[g]; k < p->group_start[g + 1]; k++)
            load_extract(w->conn, p->cf, p->files[p->order[k]], 0, &p->res[p->order[k]]);
    }
    if (w->helper)
        db_value_release();
    return NULL;
}

int run_load_groups(const char *const *src, const int *wanted, int nfiles, int *order, int *group_start)
{
    int *group_of = xmalloc((size_t)(nfiles + 1) * sizeof *group_of);
    int ngroups = 0;
    for (int i = 0; i < nfiles; i++) {
        group_of[i] = -1;
        if (!wanted[i])
            continue;
        for (int k = 0; k < i && src[i][0]; k++)
            if (group_of[k] >= 0 && strcmp(src[k], src[i]) == 0) {
                group_of[i] = group_of[k];
                break;
            }
        if (group_of[i] < 0)
            group_of[i] = ngroups++;
    }
    /* a counting sort of the files by group, stable: each group in the inbox's order */
    for (int g = 0; g <= ngroups; g++)
        group_start[g] = 0;
    for (int i = 0; i < nfiles; i++)
        if (group_of[i] >= 0)
            group_start[group_of[i] + 1]++;
    for (int g = 0; g < ngroups; g++)
        group_start[g + 1] += group_start[g];
    int *fill = xmalloc((size_t)(ngroups + 1) * sizeof *fill);
    memcpy(fill, group_start, (size_t)(ngroups + 1) * sizeof *fill);
    for (int i = 0; i < nfiles; i++)
        if (group_of[i] >= 0)
            order[fill[group_of[i]]++] = i;
    free(fill);
    free(group_of);
    return ngroups;
}

/* Load the files whose WANTED flag is set into RES, side by side when they hold two sources
 * or more; when that cannot be (a connection refused, no thread), one at a time, and SUM says
 * why. */
static void load_inbox(PGconn *conn, const conf *cf, char **files, const int *wanted, int nfiles, load_result *res,
                       sbuf *sum)
{
    int *order = xmalloc((size_t)(nfiles + 1) * sizeof *order);
    int *group_start = xmalloc((size_t)(nfiles + 2) * sizeof *group_start);
    char **src = xcalloc((size_t)nfiles + 1, sizeof *src);
    for (int i = 0; i < nfiles; i++) {
        manifest m;
        char err[256], *man = xasprintf("%s.manifest", files[i]);
        src[i] = xstrdup(wanted[i] && manifest_read(man, &m, err, sizeof err) == 0 ? m.source : "");
        free(man);
    }
    int ngroups = run_load_groups((const char *const *)src, wanted, nfiles, order, group_start);

    struct load_pool pool = {.cf = cf, .files = files, .order = order, .group_start = group_start,
                             .ngroups = ngroups, .res = res};
    pthread_mutex_init(&pool.mu, NULL);
    int nw = ngroups < LOAD_WORKERS ? ngroups : LOAD_WORKERS, started = 0;
    struct load_worker w[LOAD_WORKERS] = {{0}};
    if (nw >= 2) {
        /* what the workers share is made before they start: the progress line is not theirs
         * (two would write over each other), the audit's user name is looked up once */
        int progress = log_progress_setting();
        log_progress_end();
        log_set_progress(0);
        (void)audit_os_user();
        int opened = 0;
        char why[1200] = "";
        for (int k = 0; k < nw; k++) {
            w[k] = (struct load_worker){.pool = &pool, .conn = db_try_clone(conn, why, sizeof why)};
            if (!w[k].conn)
                break;
            opened++;
        }
        for (int k = 0; opened == nw && k < nw; k++) {
            w[k].helper = 1;
            w[k].started = pthread_create(&w[k].th, NULL, load_worker_main, &w[k]) == 0;
            started += w[k].started;
        }
        if (opened == nw && !started)
            snprintf(why, sizeof why, "no thread could be started");
        for (int k = 0; k < opened; k++) {
            if (w[k].started)
                pthread_join(w[k].th, NULL);
            PQfinish(w[k].conn);
        }
        if (!started) {
            log_warn("%s: the extracts are loaded one at a time", why);
            sbuf_addf(sum, "  chargement : un extrait à la fois (%s)\n", why);
        }
        log_set_progress(progress);
    }
    if (!started) { /* one source, or no thread could start: one at a time on the night's connection */
        struct load_worker one = {.pool = &pool, .conn = conn};
        load_worker_main(&one);
    }
    pthread_mutex_destroy(&pool.mu);
    free(order);
    free(group_start);
    for (int i = 0; i < nfiles; i++)
        free(src[i]);
    free(src);
}

/* 2a. The extracts of the inbox whose manifest has arrived; return how many were refused or
 * could not be moved. */
static int step_extracts(PGconn *conn, const conf *cf, const char *date, sbuf *sum)
{
    int nfiles = 0, loaded = 0, already = 0, refused = 0, waiting = 0, unmoved = 0;
    char **files = list_csv(cf->inbox, &nfiles);
    char *adir = xasprintf("%s/%s", cf->archive, date), *rdir = xasprintf("%s/%s", cf->rejected, date);
    int *wanted = xcalloc((size_t)nfiles + 1, sizeof *wanted);
    load_result *results = xcalloc((size_t)nfiles + 1, sizeof *results);
    for (int i = 0; i < nfiles; i++) {
        char *man = xasprintf("%s.manifest", files[i]);
        wanted[i] = access(man, F_OK) == 0; /* else its manifest, written last, has not arrived: next night */
        waiting += !wanted[i];
        free(man);
    }
    sbuf fallback;
    sbuf_init(&fallback);
    load_inbox(conn, cf, files, wanted, nfiles, results, &fallback);
    for (int i = 0; i < nfiles; i++) {
        char *man = xasprintf("%s.manifest", files[i]);
        if (wanted[i]) {
            const load_result res = results[i];
            if (res.outcome == LOAD_REFUSED) {
                refused++;
                sbuf_addf(sum, "  refusé %s : %s\n", basename_of(files[i]), res.reason);
                if (move_pair(files[i], man, rdir, sum) == 0)
                    write_reason(rdir, files[i], res.reason, sum);
            } else {
                if (res.outcome == LOAD_ALREADY)
                    already++;
                else
                    loaded++;
                if (res.outcome == LOAD_ALREADY && res.reason[0]) /* an old extract, not made current */
                    sbuf_addf(sum, "  déjà chargé %s : %s\n", basename_of(files[i]), res.reason);
                if (move_pair(files[i], man, adir, sum) != 0)
                    unmoved++;
            }
        }
        free(man);
        free(files[i]);
    }
    free(files);
    free(wanted);
    free(results);
    char b1[FR_BUF], b2[FR_BUF], b3[FR_BUF];
    sbuf_addf(sum, "  extraits : %s chargé%s, %s déjà chargé%s, %s refusé%s%s%s", fr_int(b1, loaded), fr_pl(loaded),
              fr_int(b2, already), fr_pl(already), fr_int(b3, refused), fr_pl(refused), refused ? " (voir " : "",
              refused ? rdir : "");
    if (refused)
        sbuf_addc(sum, ')');
    if (waiting)
        sbuf_addf(sum, ", %s en attente de leur manifeste", fr_int(b1, waiting));
    sbuf_addc(sum, '\n');
    sbuf_add(sum, fallback.p, fallback.len); /* why one at a time, when it was */
    sbuf_free(&fallback);
    free(adir);
    free(rdir);
    return refused + unmoved;
}

/* 2b. The teams' feedback files; return how many were refused or could not be moved. */
static int step_feedback(PGconn *conn, const conf *cf, const char *date, sbuf *sum)
{
    char *fbdir = xasprintf("%s/feedback", cf->inbox);
    char *fbarch = xasprintf("%s/feedback/%s", cf->archive, date);
    char *fbrej = xasprintf("%s/feedback/%s", cf->rejected, date);
    int nfiles = 0, refused = 0;
    char **files = list_csv(fbdir, &nfiles);
    long long outcomes = 0, fb_rejected = 0, oppositions = 0;
    for (int i = 0; i < nfiles; i++) {
        feedback_result fr;
        if (feedback_load(conn, files[i], &fr) != 0) {
            refused++;
            sbuf_addf(sum, "  retours refusés %s : %s\n", basename_of(files[i]), fr.reason);
            if (move_into(files[i], fbrej, sum) == 0)
                write_reason(fbrej, files[i], fr.reason, sum);
        } else {
            outcomes += fr.loaded;
            fb_rejected += fr.rejected;
            oppositions += fr.oppositions;
            /* a list sent back may hold names, contact columns and a commentaire: only its
             * outcomes are kept (a file that cannot be reduced stays in the inbox, unarchived) */
            char why[512];
            if (fr.list && feedback_reduce(files[i], why, sizeof why) != 0) {
                sbuf_addf(sum, "  retours %s : non archivés : %s\n", basename_of(files[i]), why);
                refused++;
                free(files[i]);
                continue;
            }
            /* left in the inbox, it is read again next night: its outcomes are recorded once */
            char *rej = xasprintf("%s.rejects", files[i]);
            if (move_into(files[i], fbarch, sum) != 0 || (access(rej, F_OK) == 0 && move_into(rej, fbarch, sum) != 0))
                refused++;
            free(rej);
        }
        free(files[i]);
    }
    free(files);
    char b1[FR_BUF], b2[FR_BUF], b3[FR_BUF], b4[FR_BUF];
    if (nfiles)
        sbuf_addf(sum, "  retours des équipes : %s fichier%s, %s nouveau%s résultat%s (dont %s opposition%s), "
                       "%s ligne%s écartée%s\n",
                  fr_int(b1, nfiles), fr_pl(nfiles), fr_int(b2, outcomes), outcomes > 1 ? "x" : "", fr_pl(outcomes),
                  fr_int(b3, oppositions), fr_pl(oppositions), fr_int(b4, fb_rejected), fr_pl(fb_rejected),
                  fr_pl(fb_rejected));
    free(fbdir);
    free(fbarch);
    free(fbrej);
    return refused;
}

/* 4. Detection and selection, in one transaction with their audit entry. */
static void step_detect(PGconn *conn, const conf *cf, long long run, const char *date, sbuf *sum)
{
    char err[1024];
    if (detect_load_parameters(conn, cf->parameters, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "benefit parameters: %s", err);
    detect_summary ds;
    select_summary ss;
    db_begin(conn);
    /* For this transaction only (SET LOCAL, docs/operations.md): the household roll-up sorts
     * every current record (about 380 MB for 2.5 million) and the routing hashes them; at the
     * server's work_mem they went to disk. The JIT compiled each statement for 0.2 to 3.6 s
     * (the routing) and saved less: these statements are few and each runs once. */
    db_exec(conn, "SET LOCAL work_mem = '512MB'; SET LOCAL jit = off");
    /* A replayed night's lists are its own run's entries; the earlier run's stay until this
     * one has finished, so a replay that fails leaves that night's lists exportable. The
     * cooldown looks at earlier nights only, so a replay lists the same households. */
    detect_run(conn, cf, run, date, &ds);
    select_run(conn, cf, run, date, &ss);
    /* the registers line holds source ids, digits and punctuation only (no double quote, no
     * backslash): it goes into the JSON as it is */
    sbuf details;
    sbuf_init(&details);
    sbuf_addf(&details,
              "{\"run\": %lld, \"date\": \"%s\", \"rules\": %d, \"candidates\": %lld, \"listed\": %lld, "
              "\"opposition\": %lld, \"cooldown\": %lld, \"settled\": %lld, \"unreachable\": %lld, "
              "\"unknown_to_payer\": %lld, \"registers\": \"%s\"}",
              run, date, ds.rules, ds.candidates, ss.listed, ss.suppressed_opposition, ss.suppressed_cooldown,
              ss.suppressed_settled, ss.suppressed_unreachable, ss.listed_unknown_to_payer, ds.registers);
    audit_log(conn, "detect", date, details.p);
    db_commit(conn);
    sbuf_free(&details);
    sbuf_addf(sum, "  registres : %s\n", ds.registers[0] ? ds.registers : "aucun déclaré");
    free(ds.registers);
    char b[7][FR_BUF];
    sbuf_addf(sum, "  détection : %d règle%s, %s candidat%s, %s listé%s (dont %s inconnu%s d'un payeur de la prestation) ; "
                   "non listés : %s pour opposition, %s pour délai de carence, %s pour dossier réglé, "
                   "%s sans destinataire\n",
              ds.rules, fr_pl(ds.rules), fr_int(b[0], ds.candidates), fr_pl(ds.candidates), fr_int(b[1], ss.listed),
              fr_pl(ss.listed), fr_int(b[2], ss.listed_unknown_to_payer), fr_pl(ss.listed_unknown_to_payer),
              fr_int(b[3], ss.suppressed_opposition), fr_int(b[4], ss.suppressed_cooldown),
              fr_int(b[5], ss.suppressed_settled), fr_int(b[6], ss.suppressed_unreachable));
}

/* 5. The lists, with their audit entry; return how many declared teams were refused (a
 * misspelt source: the team gets no list, the summary says why and where). */
static int step_export(PGconn *conn, const conf *cf, long long run, const char *date, sbuf *sum)
{
    sbuf why;
    sbuf_init(&why);
    int refused = export_unknown_teams(conn, cf, &why);
    for (const char *l = why.p; *l; l += strcspn(l, "\n") + 1)
        sbuf_addf(sum, "  équipe refusée : %.*s\n", (int)strcspn(l, "\n"), l);
    sbuf_free(&why);
    long long rows = 0;
    int lists = export_run(conn, cf, run, date, &rows);
    char details[128];
    snprintf(details, sizeof details, "{\"run\": %lld, \"lists\": %d, \"rows\": %lld}", run, lists, rows);
    db_begin(conn);
    audit_log(conn, "export", cf->outbox, details);
    db_commit(conn);
    char b1[FR_BUF];
    sbuf_addf(sum, "  listes : %d équipe%s, %s foyer%s, dans %s/<équipe>/%s/liste.csv\n", lists, fr_pl(lists),
              fr_int(b1, rows), fr_pl(rows), cf->outbox, date);
    return refused;
}

int run_night(PGconn *conn, const conf *cf, const char *date, sbuf *sum)
{
    if (!db_try_lock(conn, RUN_LOCK))
        die(TZNR_EXIT_LOCKED, "another tznr run is in progress (it holds the run lock): nothing done");
    double t0 = util_now(), t[7];
    const char *pd[] = {date};
    long long run = atoll(db_value(conn, "INSERT INTO tznr.run (run_date) VALUES ($1) RETURNING id", 1, pd));
    struct failed_ctx fctx = {conn, run};
    log_on_die(mark_failed, &fctx);
    sbuf_addf(sum, "tznr run %s (exécution n° %lld)\n", date, run);
    log_phase("pulling the extracts");
    int problems = step_pull(cf, sum);
    t[1] = util_now();
    log_phase("loading the extracts");
    problems += step_extracts(conn, cf, date, sum);
    log_phase("loading the teams' outcomes");
    problems += step_feedback(conn, cf, date, sum);
    t[2] = util_now();
    linkdb_summary ls;
    linkdb_run(conn, cf, &ls);
    char b[6][FR_BUF];
    sbuf_addf(sum, "  rapprochement : %s fiche%s de %d source%s -> %s personne%s, %s foyer%s (%s lien%s exact%s, "
                   "%s lien%s approché%s)\n",
              fr_int(b[0], (long long)ls.records), fr_pl((long long)ls.records), ls.sources, fr_pl(ls.sources),
              fr_int(b[1], (long long)ls.persons), fr_pl((long long)ls.persons), fr_int(b[2], (long long)ls.foyers),
              fr_pl((long long)ls.foyers), fr_int(b[3], (long long)ls.links_exact), fr_pl((long long)ls.links_exact),
              fr_pl((long long)ls.links_exact), fr_int(b[4], (long long)ls.links_clk), fr_pl((long long)ls.links_clk),
              fr_pl((long long)ls.links_clk));
    if (ls.no_model[0]) {
        char why[512];
        link_why_fr(ls.no_model, why, sizeof why);
        sbuf_addf(sum, "  rapprochement : pas de modèle cette nuit (%s), liens exacts seulement\n", why);
    }
    else
        sbuf_addf(sum, "  qualité du rapprochement, estimée par l'exécution elle-même : précision %s, rappel %s\n",
                  fr_dec(b[0], ls.est_precision, 4), fr_dec(b[1], ls.est_recall, 4));
    if (ls.field_precision >= 0)
        sbuf_addf(sum, "  précision du rapprochement mesurée sur le terrain : %s (%s résultat%s)\n",
                  fr_dec(b[0], ls.field_precision, 4), fr_int(b[1], ls.field_outcomes), fr_pl(ls.field_outcomes));
    t[3] = util_now();
    log_phase("detecting");
    step_detect(conn, cf, run, date, sum);
    t[4] = util_now();
    log_phase("writing the lists");
    problems += step_export(conn, cf, run, date, sum);
    t[5] = util_now();
    retention_summary rs;
    log_phase("purging");
    retention_purge(conn, cf, &rs);
    if (rs.snapshots_dropped || rs.link_runs_deleted)
        sbuf_addf(sum, "  purge : %d instantané%s remplacé%s supprimé%s, %s ancien%s rapprochement%s supprimé%s\n",
                  rs.snapshots_dropped, fr_pl(rs.snapshots_dropped), fr_pl(rs.snapshots_dropped), fr_pl(rs.snapshots_dropped),
                  fr_int(b[0], rs.link_runs_deleted), fr_pl(rs.link_runs_deleted), fr_pl(rs.link_runs_deleted),
                  fr_pl(rs.link_runs_deleted));
    t[6] = util_now();
    char tb[7][FR_BUF];
    sbuf_addf(sum, "  durée : %s s (collecte %s, chargement %s, rapprochement %s, détection %s, listes %s, purge %s)\n",
              fr_dec(tb[0], t[6] - t0, 1), fr_dec(tb[1], t[1] - t0, 1), fr_dec(tb[2], t[2] - t[1], 1),
              fr_dec(tb[3], t[3] - t[2], 1), fr_dec(tb[4], t[4] - t[3], 1), fr_dec(tb[5], t[5] - t[4], 1),
              fr_dec(tb[6], t[6] - t[5], 1));
    /* what the report shows of the night: the steps' durations and its linkage run */
    static const char *const steps[] = {"pull", "load", "link", "detect", "export", "purge"};
    char runs[32], lrun[32];
    snprintf(runs, sizeof runs, "%lld", run);
    snprintf(lrun, sizeof lrun, "%lld", ls.run);
    for (int i = 0; i < 6; i++) {
        char pos[8], secs[32];
        snprintf(pos, sizeof pos, "%d", i + 1);
        snprintf(secs, sizeof secs, "%.3f", t[i + 1] - (i == 0 ? t0 : t[i]));
        const char *ps[] = {runs, pos, steps[i], secs};
        PQclear(db_query(conn, "INSERT INTO tznr.run_step (run_id, position, step, seconds)"
                               " VALUES ($1::bigint, $2::integer, $3, $4::float8)", 4, ps));
    }
    const char *pl[] = {runs, lrun};
    PQclear(db_query(conn, "UPDATE tznr.run SET link_run_id = $2::bigint WHERE id = $1::bigint", 2, pl));
    char *report = xasprintf("%s/rapport-%s.html", cf->outbox, date);
    sbuf_addf(sum, "  rapport de la nuit : %s\n", report);
    /* the audit log's head once the night's last entry is written (the purge's), for the
     * auditor to keep outside the database (docs/audit.md); read, not verified: that is
     * `tznr audit verify`'s, which prints the same two figures when the chain is intact */
    PGresult *ah = db_query(conn, "SELECT id, pg_catalog.encode(hash, 'hex') FROM tznr.audit_log"
                                  " ORDER BY id DESC LIMIT 1", 0, NULL);
    if (PQntuples(ah) == 1) {
        long long na = atoll(PQgetvalue(ah, 0, 0));
        sbuf_addf(sum, "  journal d'audit : %s entrée%s, tête %s\n", fr_int(b[0], na), fr_pl(na), PQgetvalue(ah, 0, 1));
    }
    PQclear(ah);
    const char *status = problems ? "done_with_refusals" : "done";
    sbuf_addf(sum, "  %s\n", problems ? "terminé, avec des fichiers refusés ou des collectes en échec : voir ci-dessus"
                                       : "terminé");
    /* the summary quotes file names and reasons: as UTF-8 text (\xHH for other bytes) */
    char *text = xutf8dup(sum->p);
    sbuf_reset(sum);
    sbuf_adds(sum, text);
    free(text);
    const char *pu[] = {status, sum->p, runs};
    PQclear(db_query(conn, "UPDATE tznr.run SET status = $1, summary = $2, finished_at = pg_catalog.clock_timestamp()"
                           " WHERE id = $3::bigint", 3, pu));
    /* the report, once the night is recorded as finished (it shows its end and duration); a
     * report that cannot be written leaves the night's lists as they are and says so */
    sbuf html;
    sbuf_init(&html);
    char err[512];
    int written = 0;
    log_phase("writing the report");
    if (util_mkdirs(cf->outbox) != 0) /* a night that wrote no list may not have made it */
        snprintf(err, sizeof err, "could not create '%s': %s", cf->outbox, strerror(errno));
    else
        written = report_html(conn, cf, date, NULL, &html, err, sizeof err) == 0 &&
                  report_save(&html, report, err, sizeof err) == 0;
    if (!written) {
        char *note = xasprintf("  rapport de la nuit : NON ÉCRIT (%s)\n", err);
        sbuf_adds(sum, note);
        const char *pn[] = {note, runs};
        PQclear(db_query(conn, "UPDATE tznr.run SET status = 'done_with_refusals', summary = summary || $1"
                               " WHERE id = $2::bigint", 2, pn));
        free(note);
        problems++;
    }
    sbuf_free(&html);
    free(report);
    log_progress_end();
    log_forget(mark_failed, &fctx);
    return problems ? TZNR_EXIT_PARTIAL : 0;
}
