/* evaluation: the outcomes of the households listed over a period, per rule and team, with the
 * take-up rate among those reached, its Wilson interval, and statistical secrecy (primary and
 * secondary suppression). The computation only: `tznr evaluation` writes it as CSV, and the
 * HTML report is to reuse it. docs/evaluation.md (French) defines every figure. */
#ifndef TZNR_EVALUATION_H
#define TZNR_EVALUATION_H

#include <libpq-fe.h>
#include <stddef.h>

/* The counts of a row. Each listed household falls in exactly one of the outcome columns
 * EV_OPENED..EV_NO_OUTCOME (its most conclusive outcome), so the table is additive:
 *   listed    = contacted + unreachable + wrong_person + no_outcome
 *   contacted = opened + refused + not_eligible + already + opposed + pending */
enum ev_col {
    EV_LISTED,
    EV_CONTACTED,
    EV_OPENED,       /* droit_ouvert */
    EV_REFUSED,      /* refus */
    EV_NOT_ELIGIBLE, /* non_eligible */
    EV_ALREADY,      /* deja_beneficiaire */
    EV_OPPOSED,      /* opposition */
    EV_PENDING,      /* contacte, nothing more conclusive yet */
    EV_UNREACHABLE,  /* injoignable */
    EV_WRONG_PERSON, /* erreur_rapprochement */
    EV_NO_OUTCOME,   /* no outcome sent back */
    EV_NCOLS
};
/* The CSV's French column names of the counts, in enum order. */
extern const char *const evaluation_col_names[EV_NCOLS];

typedef struct ev_row {
    char *rule;           /* the rule id, or NULL on the overall total row */
    char *team;           /* the team, or NULL on a total row */
    long long n[EV_NCOLS];
    double amount;        /* estimated monthly amounts of the rights opened (euros) */
    unsigned primary;     /* bit c: n[c] is in 1..threshold-1 (shown "< threshold") */
    unsigned secondary;   /* bit c: n[c] hidden so that no hidden count can be recomputed */
    int rate_hidden;      /* the rate and its interval are hidden (opened or contacted is) */
    int amount_hidden;    /* the amount is hidden (opened is) */
} ev_row;

typedef struct ev_table {
    ev_row *rows; /* per rule: its teams (sorted), then the rule's total; the overall total last */
    size_t n;
} ev_table;

/* The Wilson score interval of K successes in N trials at 95 % (z = 1.959964); N > 0. */
void evaluation_wilson(long long k, long long n, double *lo, double *hi);

/* Read the households listed from FROM to TO (YYYY-MM-DD, inclusive) and their outcomes into T
 * (totals computed here); die on a database error. */
void evaluation_compute(PGconn *conn, const char *from, const char *to, ev_table *t);

/* Build T from raw per-(rule, team) rows already in T->rows (no totals): sort them and add the
 * totals. Used by evaluation_compute and by the tests. */
void evaluation_add_totals(ev_table *t);

/* Whether count COL of ROW is hidden, as small (primary) or as a complement (secondary). */
#define EV_HIDDEN(row, col) ((((row)->primary | (row)->secondary) >> (col)) & 1u)

/* Statistical secrecy with THRESHOLD (>= 3): every count in 1..THRESHOLD-1 is hidden (primary);
 * then, until nothing changes, every additive relation of the table (the two per row, and each
 * column's per-rule and overall totals) whose hidden cells could be worked out exactly from its
 * visible cells gets one more hidden cell (secondary): the smallest visible non-zero part, else
 * its total. Rates, intervals and amounts are hidden with the counts they derive from. */
void evaluation_suppress(ev_table *t, int threshold);

/* The additive relations of T: call FN with the total cell and the part cells (row, column)
 * of each; used by evaluation_suppress and by the tests to audit a table. */
typedef struct ev_cell {
    size_t row;
    int col;
} ev_cell;
void evaluation_relations(const ev_table *t, void (*fn)(void *ctx, ev_cell total, const ev_cell *parts, size_t n),
                          void *ctx);

void evaluation_free(ev_table *t);

#endif
