/* html: what the report's page is made of: escaped text, numbers written the French way,
 * counts under statistical secrecy, sortable tables and charts drawn as inline SVG (bars, a
 * stacked histogram, lines), all without any external script, font or image.
 *
 * Every figure that is not a count of people, households, records or links (a duration, a
 * rate, an amount, a probability, a date, an axis graduation) is wrapped in an element of class
 * "m" (measure). The report's test removes those and then finds no number from 1 to the secrecy
 * threshold - 1 anywhere in the page: a count printed outside html_count would be caught. */
#ifndef TZNR_HTML_H
#define TZNR_HTML_H

#include <stddef.h>

#include "sbuf.h"

/* S with & < > " ' escaped. */
void html_esc(sbuf *h, const char *s);
/* An integer with a narrow no-break space between thousands ("12 345"). */
void html_int(sbuf *h, long long v);
/* V with DEC decimals, a decimal comma and thousands grouped ("1 234,56"). */
void html_dec(sbuf *h, double v, int dec);
/* A measure: V with DEC decimals and UNIT ("12,3 s"), in <span class="m">. */
void html_measure(sbuf *h, double v, int dec, const char *unit);

/* How a count is shown: its value, "< THRESHOLD" (hidden as small) or "secret" (hidden so that
 * no hidden count can be worked out), see secret.h. */
void html_count_text(sbuf *h, long long v, int hidden, int threshold);
/* A table cell for a count: <td class="c" data-v="V">V</td>, or without data-v when hidden (a
 * sort key would give it away). */
void html_count_td(sbuf *h, long long v, int hidden, int threshold);
/* A table cell for a measure (sorted by V): <td class="c m" data-v="V">TEXT</td>; HIDDEN prints
 * "secret" instead (a measure derived from a hidden count). */
void html_measure_td(sbuf *h, double v, int dec, const char *unit, int hidden);

/* The page's head (title, style, the sorting script) and its end. */
void html_begin(sbuf *h, const char *title);
void html_end(sbuf *h);

/* A bar of a chart: its label, its value, and whether it is hidden (SECRET_*). */
typedef struct html_bar {
    const char *label;
    double v;
    int hidden;
} html_bar;

/* Horizontal bars (negative values to the left of zero). COUNTS: the values are counts (hidden
 * ones get no bar, only their "< 11"); otherwise measures printed with DEC decimals. UNIT names
 * the axis. */
void html_hbars(sbuf *h, const char *caption, const html_bar *b, size_t n, int counts, int dec, const char *unit,
                int threshold);

/* A histogram of two stacked series over NBINS bins of the axis [X0, X0 + NBINS * WIDTH):
 * A[i] and B[i] their counts (HA, HB hidden), LABEL_A and LABEL_B their names; a dashed line
 * at MARK (labelled MARK_LABEL); XLABEL names the axis, TICK_NOTE(x) gives a second line under
 * each graduation (or NULL). */
void html_histogram(sbuf *h, const char *caption, double x0, double width, size_t nbins, const long long *a,
                    const int *ha, const long long *b, const int *hb, const char *label_a, const char *label_b,
                    double mark, const char *mark_label, const char *xlabel, void (*tick_note)(sbuf *, double),
                    int threshold);

/* Lines: NSERIES series of N points (V[s * N + i], hidden H[s * N + i]) over the labels X; a
 * hidden point breaks its line. */
void html_lines(sbuf *h, const char *caption, const char *const *x, size_t n, const char *const *names,
                size_t nseries, const long long *v, const int *hid, const char *ylabel, int threshold);

#endif
