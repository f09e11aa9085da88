/* secret: statistical secrecy over any table of counts. Cells are counts; relations say which
 * cell is the sum of which others (a total and its parts). Every count from 1 to threshold - 1
 * is hidden as small (primary suppression); then, until nothing changes, every relation whose
 * hidden cells a reader could work out exactly from its visible ones gets one more hidden cell,
 * the smallest visible non-zero part, else the total (secondary suppression). Used by the
 * evaluation and by the report (docs/evaluation.md says why and how). */
#ifndef TZNR_SECRET_H
#define TZNR_SECRET_H

#include <stddef.h>

enum { SECRET_SHOWN = 0, SECRET_SMALL = 1, SECRET_COMPLEMENT = 2 };

typedef struct secret_grid {
    long long *v;        /* the counts */
    unsigned char *hide; /* SECRET_* of each */
    size_t n, cap;
    size_t *rel;         /* the relations, flattened: nparts, total, part... */
    size_t rlen, rcap;
} secret_grid;

void secret_init(secret_grid *g);
/* Add a count; return its cell. */
size_t secret_cell(secret_grid *g, long long v);
/* TOTAL = the sum of the N cells PARTS. */
void secret_relation(secret_grid *g, size_t total, const size_t *parts, size_t n);
/* Hide with THRESHOLD (>= 3), primary then secondary. */
void secret_apply(secret_grid *g, int threshold);
static inline int secret_hidden(const secret_grid *g, size_t cell) { return g->hide[cell]; }
void secret_free(secret_grid *g);

#endif
