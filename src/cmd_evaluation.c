/* tznr evaluation: the outcomes of the households listed over a period, for the scientific
 * committee, under statistical secrecy (docs/evaluation.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "csvio.h"
#include "db.h"
#include "evaluation.h"
#include "log.h"
#include "opt.h"
#include "report.h"
#include "sbuf.h"

static const char synopsis[] =
    "tznr evaluation [-c FILE] [--db CONNINFO] --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|html]";
static const char description[] =
    "Print on stdout, per rule and team, the households listed from --from to --to (on a list\n"
    "actually written) and what became of them: contacted, rights opened, refused, not\n"
    "eligible, already receiving, objected, unreachable, wrong person, no outcome; the take-up\n"
    "rate among those contacted with its 95 % Wilson interval; the estimated monthly amounts\n"
    "of the rights opened. A total row per rule, and an overall one. Every count from 1 to\n"
    "[statistics] secret_threshold - 1 (default 11) is printed '< 11', and the counts that\n"
    "would let one be recomputed 'secret' (docs/evaluation.md). CSV as the lists: [run]\n"
    "separator, decimal, bom; or --format html: one self-contained page in French, with the\n"
    "take-up rates charted, as in the night's report (tznr report).";

/* A count, hidden or not: its text in BUF. */
static const char *count_text(const ev_row *row, int col, int threshold, char *buf, size_t cap)
{
    if ((row->primary >> col) & 1u)
        snprintf(buf, cap, "< %d", threshold);
    else if ((row->secondary >> col) & 1u)
        snprintf(buf, cap, "secret");
    else
        snprintf(buf, cap, "%lld", row->n[col]);
    return buf;
}

/* V with DECIMALS decimals and the decimal mark DEC. */
static const char *num_text(double v, int decimals, char dec, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*f", decimals, v);
    char *p = strchr(buf, '.');
    if (p)
        *p = dec;
    return buf;
}

static void field(sbuf *line, const char *v, char sep, int last)
{
    csvio_add_field(line, v, strlen(v), sep);
    sbuf_addc(line, last ? '\n' : sep);
}

static void write_csv(const ev_table *t, const conf *cf, FILE *f)
{
    char sep = cf->export_separator[0], dec = cf->export_decimal, buf[64];
    int thr = cf->secret_threshold;
    sbuf line;
    sbuf_init(&line);
    if (cf->export_bom)
        sbuf_add(&line, "\xEF\xBB\xBF", 3);
    field(&line, "regle", sep, 0);
    field(&line, "equipe", sep, 0);
    for (int c = 0; c < EV_NCOLS; c++)
        field(&line, evaluation_col_names[c], sep, 0);
    field(&line, "taux_recours_pct", sep, 0);
    field(&line, "ic95_bas_pct", sep, 0);
    field(&line, "ic95_haut_pct", sep, 0);
    field(&line, "montant_mensuel_droits_ouverts", sep, 1);
    for (size_t i = 0; i < t->n; i++) {
        const ev_row *row = &t->rows[i];
        field(&line, row->rule ? row->rule : "Total", sep, 0);
        field(&line, row->team ? row->team : "Total", sep, 0);
        for (int c = 0; c < EV_NCOLS; c++)
            field(&line, count_text(row, c, thr, buf, sizeof buf), sep, 0);
        if (row->rate_hidden) {
            for (int k = 0; k < 3; k++)
                field(&line, "secret", sep, 0);
        } else if (row->n[EV_CONTACTED] == 0) {
            for (int k = 0; k < 3; k++)
                field(&line, "", sep, 0);
        } else {
            double lo, hi;
            evaluation_wilson(row->n[EV_OPENED], row->n[EV_CONTACTED], &lo, &hi);
            field(&line, num_text(100.0 * (double)row->n[EV_OPENED] / (double)row->n[EV_CONTACTED], 1, dec, buf,
                                  sizeof buf), sep, 0);
            field(&line, num_text(100 * lo, 1, dec, buf, sizeof buf), sep, 0);
            field(&line, num_text(100 * hi, 1, dec, buf, sizeof buf), sep, 0);
        }
        field(&line, row->amount_hidden ? "secret" : num_text(row->amount, 2, dec, buf, sizeof buf), sep, 1);
    }
    if (fwrite(line.p, 1, line.len, f) != line.len)
        die(TZNR_EXIT_FAIL, "could not write the evaluation to stdout");
    sbuf_free(&line);
}

int cmd_evaluation(int argc, char **argv)
{
    const char *cfile = NULL, *dbinfo = NULL, *from = NULL, *to = NULL, *format = "csv";
    const struct opt opts[] = {
        OPT_PLATFORM(&cfile, &dbinfo),
        OPT_DATE(0, "from", &from, "first day of the period (the lists' run date), required"),
        OPT_DATE(0, "to", &to, "last day of the period, included, required"),
        OPT_STRING(0, "format", &format, "FORMAT", "csv (the default) or html"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "evaluation", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure, 2 usage.",
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    if (strcmp(format, "csv") != 0 && strcmp(format, "html") != 0)
        die_usage("evaluation", "--format must be csv or html, not '%s'", format);
    if (!from || !to)
        die_usage("evaluation", "--from and --to are required");
    if (strcmp(from, to) > 0)
        die_usage("evaluation", "--from %s is after --to %s", from, to);
    conf cf;
    PGconn *conn = db_platform(&cf, cfile, dbinfo);
    if (strcmp(format, "html") == 0) {
        sbuf html;
        sbuf_init(&html);
        report_evaluation_html(conn, &cf, from, to, &html);
        db_close(conn);
        if (fwrite(html.p, 1, html.len, stdout) != html.len)
            die(TZNR_EXIT_FAIL, "could not write the evaluation to stdout");
        sbuf_free(&html);
        conf_free(&cf);
        return TZNR_EXIT_OK;
    }
    ev_table t;
    evaluation_compute(conn, from, to, &t);
    db_close(conn);
    evaluation_suppress(&t, cf.secret_threshold);
    write_csv(&t, &cf, stdout);
    evaluation_free(&t);
    conf_free(&cf);
    return TZNR_EXIT_OK;
}
