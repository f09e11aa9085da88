/* tznr run: the nightly job (docs/operations.md). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "detect.h"
#include "export.h"
#include "feedback.h"
#include "linkdb.h"
#include "load.h"
#include "log.h"
#include "util.h"
#include "opt.h"
#include "sbuf.h"

#define RUN_LOCK 7243110010LL

static const char synopsis[] = "tznr run [-c FILE] [--db CONNINFO] [--date YYYY-MM-DD] [-q]";
static const char description[] =
    "The nightly job, for cron or a systemd timer (scripts/tznr.cron, scripts/tznr-run.timer):\n"
    "  1. pull: each [source.ID] pull command, with [run] pull_timeout\n"
    "  2. load the extracts in the inbox (moved to archive/DATE, or rejected/DATE with a\n"
    "     .reason file), then the teams' feedback files in inbox/feedback\n"
    "  3. link, 4. detect with the benefit parameters in force on DATE, 5. export the lists\n"
    "     to outbox/<team>/DATE/liste.csv, 6. purge what [retention] allows\n"
    "and print a one-screen summary. --date replays a past night; running it twice gives the\n"
    "same lists.";
static const char exits[] =
    "Exit: 0 done, 1 failure, 2 usage, 4 another run holds the lock, 5 done but some inputs\n"
    "were refused or a pull failed.";

/* Move FILE (a path) into DIR, keeping its name. */
static void move_into(const char *file, const char *dir)
{
    if (util_mkdirs(dir) != 0)
        die(TZNR_EXIT_FAIL, "could not create '%s': %s", dir, strerror(errno));
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char dst[8192];
    snprintf(dst, sizeof dst, "%s/%s", dir, base);
    if (rename(file, dst) != 0)
        die(TZNR_EXIT_FAIL, "could not move '%s' to '%s': %s", file, dst, strerror(errno));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The regular files of DIR whose names end in .csv, sorted; NULL-terminated. */
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
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        v = xrealloc(v, (size_t)(*n + 2) * sizeof *v);
        v[(*n)++] = xstrdup(path);
        v[*n] = NULL;
    }
    closedir(d);
    if (v)
        qsort(v, (size_t)*n, sizeof *v, cmp_str);
    return v;
}

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

int cmd_run(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *date_opt = NULL;
    int quiet = 0;
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_RUN_DATE(&date_opt, "the night to run, or replay (default: today)"),
        OPT_QUIET(&quiet, "no summary on stdout"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "run", .usage = synopsis, .description = description, .exits = exits,
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    char date[11];
    if (date_opt) {
        snprintf(date, sizeof date, "%s", date_opt);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    char err[1024];
    if (!db_try_lock(conn, RUN_LOCK))
        die(TZNR_EXIT_LOCKED, "another tznr run is in progress (it holds the run lock): nothing done");
    log_set_quiet(1); /* the steps' own chatter; the summary below says what happened */
    double t0 = util_now();
    const char *pd[] = {date};
    long long run = atoll(db_value(conn, "INSERT INTO tznr.run (run_date) VALUES ($1) RETURNING id", 1, pd));
    struct failed_ctx fctx = {conn, run};
    log_on_die(mark_failed, &fctx);
    sbuf sum;
    sbuf_init(&sum);
    sbuf_addf(&sum, "tznr run %s (run %lld)\n", date, run);
    int problems = 0;

    /* 1. pulls */
    double t_pull = util_now();
    if (util_mkdirs(cf.inbox) != 0)
        die(TZNR_EXIT_FAIL, "could not create the inbox '%s': %s", cf.inbox, strerror(errno));
    for (int i = 0; i < cf.nsources; i++) {
        if (!cf.sources[i].pull)
            continue;
        double took = 0;
        int rc = run_with_timeout(cf.sources[i].pull, cf.inbox, cf.pull_timeout, &took);
        if (rc == 0) {
            sbuf_addf(&sum, "  pull %s: ok (%.1f s)\n", cf.sources[i].id, took);
        } else {
            problems++;
            if (rc == -1)
                sbuf_addf(&sum, "  pull %s: FAILED, stopped after %d s ([run] pull_timeout)\n", cf.sources[i].id,
                          cf.pull_timeout);
            else if (rc == -2)
                sbuf_addf(&sum, "  pull %s: FAILED, could not start\n", cf.sources[i].id);
            else
                sbuf_addf(&sum, "  pull %s: FAILED, exit status %d\n", cf.sources[i].id, rc);
        }
    }
    t_pull = util_now() - t_pull;

    /* 2. extracts, then feedback */
    double t_load = util_now();
    int nfiles = 0, loaded = 0, already = 0, refused = 0, waiting = 0;
    char **files = list_csv(cf.inbox, &nfiles);
    char adir[4096], rdir[4096];
    snprintf(adir, sizeof adir, "%s/%s", cf.archive, date);
    snprintf(rdir, sizeof rdir, "%s/%s", cf.rejected, date);
    for (int i = 0; i < nfiles; i++) {
        char man[8192];
        snprintf(man, sizeof man, "%s.manifest", files[i]);
        if (access(man, F_OK) != 0) {
            waiting++; /* its manifest, written last, has not arrived: next night */
            free(files[i]);
            continue;
        }
        load_result res;
        load_extract(conn, &cf, files[i], 0, &res);
        if (res.outcome == LOAD_REFUSED) {
            refused++;
            problems++;
            char reason[8192];
            const char *base = strrchr(files[i], '/') + 1;
            snprintf(reason, sizeof reason, "%s/%s.reason", rdir, base);
            move_into(files[i], rdir);
            move_into(man, rdir);
            FILE *f = fopen(reason, "w");
            if (!f || fprintf(f, "%s\n", res.reason) < 0 || fclose(f) != 0)
                die(TZNR_EXIT_FAIL, "could not write '%s': %s", reason, strerror(errno));
            sbuf_addf(&sum, "  refused %s: %s\n", base, res.reason);
        } else {
            if (res.outcome == LOAD_ALREADY)
                already++;
            else
                loaded++;
            move_into(files[i], adir);
            move_into(man, adir);
        }
        free(files[i]);
    }
    free(files);
    sbuf_addf(&sum, "  extracts: %d loaded, %d already loaded, %d refused%s%s", loaded, already, refused,
              refused ? " (see " : "", refused ? rdir : "");
    if (refused)
        sbuf_addc(&sum, ')');
    if (waiting)
        sbuf_addf(&sum, ", %d waiting for their manifest", waiting);
    sbuf_addc(&sum, '\n');
    char fbdir[4096], fbarch[4096], fbrej[4096];
    snprintf(fbdir, sizeof fbdir, "%s/feedback", cf.inbox);
    snprintf(fbarch, sizeof fbarch, "%s/feedback/%s", cf.archive, date);
    snprintf(fbrej, sizeof fbrej, "%s/feedback/%s", cf.rejected, date);
    files = list_csv(fbdir, &nfiles);
    long long outcomes = 0, fb_rejected = 0, oppositions = 0;
    for (int i = 0; i < nfiles; i++) {
        feedback_result fr;
        char rej[8192];
        snprintf(rej, sizeof rej, "%s.rejects", files[i]);
        if (feedback_load(conn, files[i], &fr) != 0) {
            problems++;
            const char *base = strrchr(files[i], '/') + 1;
            char reason[8192];
            snprintf(reason, sizeof reason, "%s/%s.reason", fbrej, base);
            move_into(files[i], fbrej);
            FILE *f = fopen(reason, "w");
            if (!f || fprintf(f, "%s\n", fr.reason) < 0 || fclose(f) != 0)
                die(TZNR_EXIT_FAIL, "could not write '%s': %s", reason, strerror(errno));
            sbuf_addf(&sum, "  refused feedback %s: %s\n", base, fr.reason);
        } else {
            outcomes += fr.loaded;
            fb_rejected += fr.rejected;
            oppositions += fr.oppositions;
            move_into(files[i], fbarch);
            if (access(rej, F_OK) == 0)
                move_into(rej, fbarch);
        }
        free(files[i]);
    }
    free(files);
    if (nfiles)
        sbuf_addf(&sum, "  feedback: %d files, %lld new outcomes (%lld oppositions), %lld rows rejected\n", nfiles,
                  outcomes, oppositions, fb_rejected);
    t_load = util_now() - t_load;

    /* 3. link */
    double t_link = util_now();
    linkdb_summary ls;
    linkdb_run(conn, &cf, &ls);
    sbuf_addf(&sum, "  link: %zu records of %d sources -> %zu persons, %zu households (%llu exact, %llu fuzzy links)\n",
              ls.records, ls.sources, ls.persons, ls.foyers, ls.links_exact, ls.links_clk);
    t_link = util_now() - t_link;

    /* 4. detect (the parameters first: no rule runs on a missing parameter) */
    double t_detect = util_now();
    if (detect_load_parameters(conn, cf.parameters, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "benefit parameters: %s", err);
    detect_summary ds;
    db_begin(conn);
    /* A replayed night's lists are its own run's entries; the earlier run's stay until this
     * one has finished, so a replay that fails leaves that night's lists exportable. The
     * cooldown looks at earlier nights only, so a replay lists the same households. */
    detect_run(conn, &cf, run, date, &ds);
    /* the registers line holds source ids, digits and punctuation only (no quote, no
     * backslash): it goes into the JSON as it is */
    char details[2048];
    snprintf(details, sizeof details,
             "{\"run\": %lld, \"date\": \"%s\", \"rules\": %d, \"candidates\": %lld, \"listed\": %lld, "
             "\"opposition\": %lld, \"cooldown\": %lld, \"settled\": %lld, \"unreachable\": %lld, "
             "\"unknown_to_payer\": %lld, \"registers\": \"%s\"}",
             run, date, ds.rules, ds.candidates, ds.listed, ds.suppressed_opposition, ds.suppressed_cooldown,
             ds.suppressed_settled, ds.suppressed_unreachable, ds.listed_unknown_to_payer, ds.registers);
    audit_log(conn, "detect", date, details);
    db_commit(conn);
    sbuf_addf(&sum, "  registers: %s\n", ds.registers[0] ? ds.registers : "none declared");
    sbuf_addf(&sum, "  detection: %d rules, %lld candidates, %lld listed (%lld unknown to a payer of the benefit); "
                    "not listed: %lld opposition, %lld cooldown, %lld settled, %lld unreachable\n",
              ds.rules, ds.candidates, ds.listed, ds.listed_unknown_to_payer, ds.suppressed_opposition,
              ds.suppressed_cooldown, ds.suppressed_settled, ds.suppressed_unreachable);
    t_detect = util_now() - t_detect;

    /* 5. export */
    double t_export = util_now();
    long long rows = 0;
    int lists = export_run(conn, &cf, run, date, &rows);
    db_begin(conn);
    snprintf(details, sizeof details, "{\"run\": %lld, \"lists\": %d, \"rows\": %lld}", run, lists, rows);
    audit_log(conn, "export", cf.outbox, details);
    db_commit(conn);
    sbuf_addf(&sum, "  lists: %d teams, %lld households, under %s/<team>/%s/liste.csv\n", lists, rows, cf.outbox, date);
    t_export = util_now() - t_export;

    /* 6. purge */
    double t_purge = util_now();
    db_begin(conn);
    char days[16];
    snprintf(days, sizeof days, "%d", cf.keep_snapshots_days);
    const char *pp[] = {days};
    PGresult *old = db_query(conn,
        "SELECT id FROM tznr.snapshot WHERE superseded_at IS NOT NULL AND dropped_at IS NULL"
        " AND superseded_at < pg_catalog.now() - ($1::integer * interval '1 day') ORDER BY id", 1, pp);
    int dropped = PQntuples(old);
    for (int i = 0; i < dropped; i++) {
        char q[256];
        snprintf(q, sizeof q, "DROP TABLE IF EXISTS tznr.record_%s;"
                              "UPDATE tznr.snapshot SET dropped_at = pg_catalog.now() WHERE id = %s",
                 PQgetvalue(old, i, 0), PQgetvalue(old, i, 0));
        db_exec(conn, q);
    }
    PQclear(old);
    char keep[16];
    snprintf(keep, sizeof keep, "%d", cf.keep_link_runs);
    const char *pk[] = {keep};
    PGresult *del = db_query(conn,
        "DELETE FROM tznr.link_run WHERE id NOT IN (SELECT id FROM tznr.link_run ORDER BY id DESC LIMIT $1::integer)", 1, pk);
    long long link_runs = atoll(PQcmdTuples(del));
    PQclear(del);
    if (dropped || link_runs) {
        snprintf(details, sizeof details, "{\"snapshots_dropped\": %d, \"link_runs_deleted\": %lld}", dropped, link_runs);
        audit_log(conn, "purge", "retention", details);
    }
    db_commit(conn);
    if (dropped || link_runs)
        sbuf_addf(&sum, "  purge: %d superseded snapshots dropped, %lld old link runs deleted\n", dropped, link_runs);
    t_purge = util_now() - t_purge;

    double total = util_now() - t0;
    sbuf_addf(&sum, "  time: %.1f s (pull %.1f, load %.1f, link %.1f, detect %.1f, export %.1f, purge %.1f)\n", total,
              t_pull, t_load, t_link, t_detect, t_export, t_purge);
    const char *status = problems ? "done_with_refusals" : "done";
    sbuf_addf(&sum, "  %s\n", problems ? "done, with refused inputs or failed pulls: see above" : "done");
    char runs[32];
    snprintf(runs, sizeof runs, "%lld", run);
    const char *pu[] = {status, sum.p, runs};
    PQclear(db_query(conn, "UPDATE tznr.run SET status = $1, summary = $2, finished_at = pg_catalog.clock_timestamp()"
                           " WHERE id = $3::bigint", 3, pu));
    log_forget(mark_failed, &fctx);
    if (!quiet)
        fputs(sum.p, stdout);
    sbuf_free(&sum);
    db_close(conn);
    conf_free(&cf);
    return problems ? TZNR_EXIT_PARTIAL : 0;
}
