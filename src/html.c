/* html: see html.h. */
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fr.h"
#include "secret.h"

#define NNBSP "\xE2\x80\xAF" /* U+202F, the French thousands separator */

void html_esc(sbuf *h, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sbuf_adds(h, "&amp;"); break;
        case '<': sbuf_adds(h, "&lt;"); break;
        case '>': sbuf_adds(h, "&gt;"); break;
        case '"': sbuf_adds(h, "&quot;"); break;
        case '\'': sbuf_adds(h, "&#39;"); break;
        default: sbuf_addc(h, *s);
        }
    }
}

void html_int(sbuf *h, long long v)
{
    char buf[FR_BUF];
    sbuf_adds(h, fr_int(buf, v));
}

void html_dec(sbuf *h, double v, int dec)
{
    char buf[FR_BUF];
    sbuf_adds(h, fr_dec(buf, v, dec));
}

void html_measure(sbuf *h, double v, int dec, const char *unit)
{
    sbuf_adds(h, "<span class=\"m\">");
    html_dec(h, v, dec);
    if (unit && *unit) {
        sbuf_adds(h, unit[0] == '%' || unit[0] == 's' || unit[0] == 'j' || (unit[0] & 0x80) ? NNBSP : " ");
        html_esc(h, unit);
    }
    sbuf_adds(h, "</span>");
}

void html_count_text(sbuf *h, long long v, int hidden, int threshold)
{
    if (hidden == SECRET_SMALL)
        sbuf_addf(h, "&lt;%s%d", NNBSP, threshold);
    else if (hidden)
        sbuf_adds(h, "secret");
    else
        html_int(h, v);
}

void html_count_td(sbuf *h, long long v, int hidden, int threshold)
{
    if (hidden)
        sbuf_adds(h, "<td class=\"c s\">");
    else
        sbuf_addf(h, "<td class=\"c\" data-v=\"%lld\">", v);
    html_count_text(h, v, hidden, threshold);
    sbuf_adds(h, "</td>");
}

void html_measure_td(sbuf *h, double v, int dec, const char *unit, int hidden)
{
    if (hidden) {
        sbuf_adds(h, "<td class=\"c s\">secret</td>");
        return;
    }
    sbuf_addf(h, "<td class=\"c m\" data-v=\"%.6f\">", v);
    html_measure(h, v, dec, unit);
    sbuf_adds(h, "</td>");
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;"
    "max-width:64rem;padding:1rem 1.5rem 4rem;color:#1b1b1b;line-height:1.45}"
    "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.3rem;border-bottom:2px solid #1f4e79;"
    "padding-bottom:.2rem;margin-top:2.5rem}h3{font-size:1.05rem;margin-top:1.6rem}"
    "nav ul{columns:2;padding-left:1.2rem}"
    "table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem;display:block;overflow-x:auto;max-width:100%}"
    "th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;vertical-align:top}"
    "th{background:#eef3f8;text-align:left}td.c{text-align:right;font-variant-numeric:tabular-nums}"
    "td.s{color:#6b6b6b;font-style:italic}tfoot td,tr.total td{font-weight:600;background:#f6f6f6}"
    "th button{background:none;border:0;font:inherit;color:inherit;text-align:left;cursor:pointer;padding:0}th button::after{content:' \\2195';color:#888}"
    "th[aria-sort=ascending] button::after{content:' \\2191'}th[aria-sort=descending] button::after{content:' \\2193'}"
    "figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg{max-width:100%;height:auto}"
    "svg text{font-size:12px;fill:#1b1b1b}svg .axis{stroke:#555}svg .grid{stroke:#e2e2e2}"
    ".note{color:#444;font-size:.9rem}.warn{background:#fff4e5;border-left:4px solid #c55a11;padding:.4rem .8rem}"
    ".ok{color:#1e6b30}.ko{color:#a3281c;font-weight:600}"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dl.kv dt{font-weight:600}"
    "dl.kv dd{margin:0}@media print{th button::after{content:''}}";

/* Tables of class "tri" sort on a click on their head: by data-v where the column has one (a
 * hidden count has none and comes first, as the smallest), by text otherwise; the total rows,
 * in tfoot, stay last. */
static const char script[] =
    "(function(){function num(c){var v=c.getAttribute('data-v');return v===null?-Infinity:parseFloat(v);}"
    "document.querySelectorAll('table.tri').forEach(function(t){"
    "var hs=t.tHead.rows[0].cells;Array.prototype.forEach.call(hs,function(th,i){"
    "var b=document.createElement('button');b.type='button';b.textContent=th.textContent;th.textContent='';"
    "th.appendChild(b);b.addEventListener('click',function(){"
    "var asc=th.getAttribute('aria-sort')!=='ascending';"
    "Array.prototype.forEach.call(hs,function(o){o.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows);"
    "var numeric=rows.some(function(r){return r.cells[i]&&r.cells[i].classList.contains('c');});"
    "rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i],d;"
    "if(numeric){d=num(a)-num(c);if(isNaN(d))d=0;}"
    "else d=a.textContent.localeCompare(c.textContent,'fr');return asc?d:-d;});"
    "rows.forEach(function(r){tb.appendChild(r);});});});});})();";

void html_begin(sbuf *h, const char *title)
{
    sbuf_adds(h, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>");
    html_esc(h, title);
    sbuf_addf(h, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

void html_end(sbuf *h) { sbuf_addf(h, "<script>%s</script>\n</body>\n</html>\n", script); }

/* A step of graduations for SPAN in about TARGET steps: 1, 2 or 5 times a power of ten (at
 * least 1 for counts). */
static double nice_step(double span, int target, int counts)
{
    if (span <= 0)
        span = 1;
    double raw = span / target, p = pow(10, floor(log10(raw))), f = raw / p;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    return counts && step < 1 ? 1 : step;
}

/* A graduation's text: integer steps without decimals. */
static void tick_text(sbuf *h, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step));
    html_dec(h, v, dec);
}

/* The vertical scale of a chart from 0 to at least YMAX counts: its TOP and STEP. */
static void count_scale(double ymax, double *top, double *step)
{
    *step = nice_step(ymax, 5, 1);
    *top = ceil(ymax / *step) * *step;
    if (*top < *step)
        *top = *step;
}

/* Grid lines and graduations of a count scale (TOP, STEP) over the plot at PX, Y0 (PW wide, PH
 * high), and the two axes. */
static void y_axis(sbuf *h, int px, int pw, int y0, int ph, double top, double step)
{
    for (double t = 0; t <= top + step / 2; t += step) {
        double y = y0 + ph - t / top * ph;
        sbuf_addf(h, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", px, y, px + pw, y);
        sbuf_addf(h, "<text class=\"m\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", px - 6, y + 4);
        tick_text(h, t, step);
        sbuf_adds(h, "</text>");
    }
    sbuf_addf(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", px, y0 + ph, px + pw, y0 + ph);
    sbuf_addf(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", px, y0, px, y0 + ph);
}

static void figure_begin(sbuf *h, const char *caption, int w, int hgt)
{
    sbuf_adds(h, "<figure><figcaption>");
    html_esc(h, caption);
    sbuf_addf(h, "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                 "height=\"%d\" role=\"img\" aria-label=\"",
              w, hgt, w, hgt);
    html_esc(h, caption);
    sbuf_adds(h, "\">");
}

static void figure_end(sbuf *h) { sbuf_adds(h, "</svg></figure>\n"); }

static const char *const palette[] = {"#1f4e79", "#c55a11", "#548235", "#7f3f98", "#9dc3e6"};

void html_hbars(sbuf *h, const char *caption, const html_bar *b, size_t n, int counts, int dec, const char *unit,
                int threshold)
{
    const int W = 800, LW = 330, PX = LW + 12, PW = 360, RH = 24, TOP = 8;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].hidden)
            continue;
        lo = b[i].v < lo ? b[i].v : lo;
        hi = b[i].v > hi ? b[i].v : hi;
    }
    int any_hidden = 0;
    for (size_t i = 0; i < n; i++)
        any_hidden |= b[i].hidden != 0;
    if (lo == 0 && hi == 0 && !any_hidden) { /* nothing to draw: say so rather than draw empty axes */
        sbuf_adds(h, "<figure><figcaption>");
        html_esc(h, caption);
        sbuf_adds(h, "</figcaption><p class=\"note\">Rien cette nuit.</p></figure>\n");
        return;
    }
    double step = nice_step(hi - lo, 5, counts);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    if (hi - lo < step)
        hi = lo + step;
    int H = TOP + (int)n * RH + 48;
    figure_begin(h, caption, W, H);
#define XOF(v) (PX + ((v) - lo) / (hi - lo) * PW)
    int axis_y = TOP + (int)n * RH + 4;
    for (double t = lo; t <= hi + step / 2; t += step) {
        sbuf_addf(h, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", XOF(t), TOP, XOF(t),
                  axis_y);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", XOF(t), axis_y + 16);
        tick_text(h, t, step);
        sbuf_adds(h, "</text>");
    }
    sbuf_addf(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", PX, axis_y, PX + PW, axis_y);
    sbuf_addf(h, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", XOF(0.0), TOP, XOF(0.0),
              axis_y);
    sbuf_addf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", PX + PW / 2, axis_y + 36);
    html_esc(h, unit);
    sbuf_adds(h, "</text>");
    for (size_t i = 0; i < n; i++) {
        int y = TOP + (int)i * RH;
        sbuf_addf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LW, y + 16);
        html_esc(h, b[i].label);
        sbuf_adds(h, "</text>");
        double x0 = XOF(0.0);
        if (b[i].hidden) {
            sbuf_addf(h, "<text class=\"s\" x=\"%.1f\" y=\"%d\">", x0 + 4, y + 16);
            html_count_text(h, 0, b[i].hidden, threshold);
            sbuf_adds(h, "</text>");
            continue;
        }
        double x1 = XOF(b[i].v);
        sbuf_addf(h, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", x1 < x0 ? x1 : x0,
                  y + 3, fabs(x1 - x0), RH - 6, b[i].v < 0 ? palette[1] : palette[0]);
        if (b[i].v < 0)
            sbuf_addf(h, "<text%s x=\"%.1f\" y=\"%d\" text-anchor=\"end\">", counts ? "" : " class=\"m\"", x1 - 4,
                      y + 16);
        else
            sbuf_addf(h, "<text%s x=\"%.1f\" y=\"%d\">", counts ? "" : " class=\"m\"", x1 + 4, y + 16);
        if (counts)
            html_int(h, (long long)b[i].v);
        else
            html_dec(h, b[i].v, dec);
        sbuf_adds(h, "</text>");
    }
#undef XOF
    figure_end(h);
}

void html_histogram(sbuf *h, const char *caption, double x0, double width, size_t nbins, const long long *a,
                    const int *ha, const long long *b, const int *hb, const char *label_a, const char *label_b,
                    double mark, const char *mark_label, const char *xlabel, void (*tick_note)(sbuf *, double),
                    int threshold)
{
    (void)threshold;
    const int W = 780, PX = 64, PW = 680, TOP = 30, PH = 200;
    double ymax = 0;
    for (size_t i = 0; i < nbins; i++) {
        double s = (ha[i] ? 0 : (double)a[i]) + (hb[i] ? 0 : (double)b[i]);
        ymax = s > ymax ? s : ymax;
    }
    double top, step;
    count_scale(ymax, &top, &step);
    int H = TOP + PH + 64;
    figure_begin(h, caption, W, H);
    double bw = (double)PW / (double)nbins;
#define YOF(v) (TOP + PH - (v) / top * PH)
    y_axis(h, PX, PW, TOP, PH, top, step);
    sbuf_adds(h, "<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">"
                 "<path d=\"M0,4 L4,0\" stroke=\"#777\"/></pattern></defs>");
    for (size_t i = 0; i < nbins; i++) {
        double x = PX + (double)i * bw, base = 0;
        const long long *v[2] = {a, b};
        const int *hid[2] = {ha, hb};
        for (int s = 0; s < 2; s++) {
            if (hid[s][i]) { /* some, under the threshold: a hatched mark at the base, no height */
                sbuf_addf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" fill=\"url(#hatch)\"/>",
                          x + 1, YOF(base) - 4, bw - 2);
                continue;
            }
            if (v[s][i] == 0)
                continue;
            double y1 = YOF(base + (double)v[s][i]);
            sbuf_addf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x + 1, y1,
                      bw - 2, YOF(base) - y1, palette[s == 0 ? 0 : 4]);
            base += (double)v[s][i];
        }
    }
    size_t every = nbins > 12 ? (nbins + 11) / 12 : 1;
    for (size_t i = 0; i <= nbins; i += every) {
        double x = PX + (double)i * bw, v = x0 + (double)i * width;
        sbuf_addf(h, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, TOP + PH, x,
                  TOP + PH + 4);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, TOP + PH + 16);
        tick_text(h, v, width);
        sbuf_adds(h, "</text>");
        if (tick_note) {
            sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">", x,
                      TOP + PH + 30);
            tick_note(h, v);
            sbuf_adds(h, "</text>");
        }
    }
    sbuf_addf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", PX + PW / 2, TOP + PH + 50);
    html_esc(h, xlabel);
    sbuf_adds(h, "</text>");
    double xm = PX + (mark - x0) / width * bw;
    if (xm >= PX && xm <= PX + PW) {
        sbuf_addf(h, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#a3281c\" stroke-width=\"2\" "
                     "stroke-dasharray=\"6 4\"/>",
                  xm, TOP - 6, xm, TOP + PH);
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" fill=\"#a3281c\">", xm + 4, TOP - 10);
        html_esc(h, mark_label);
        sbuf_adds(h, "</text>");
    }
    /* legend */
    sbuf_addf(h, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"14\">", PX + PW - 420,
              palette[0], PX + PW - 404);
    html_esc(h, label_a);
    sbuf_addf(h, "</text><rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"14\">",
              PX + PW - 230, palette[4], PX + PW - 214);
    html_esc(h, label_b);
    sbuf_adds(h, "</text>");
#undef YOF
    figure_end(h);
}

void html_lines(sbuf *h, const char *caption, const char *const *x, size_t n, const char *const *names,
                size_t nseries, const long long *v, const int *hid, const char *ylabel, int threshold)
{
    (void)threshold;
    const int W = 780, PX = 70, PW = 660, TOP = 36, PH = 180;
    double ymax = 0;
    for (size_t k = 0; k < n * nseries; k++)
        if (!hid[k] && (double)v[k] > ymax)
            ymax = (double)v[k];
    double top, step;
    count_scale(ymax, &top, &step);
    int H = TOP + PH + 56;
    figure_begin(h, caption, W, H);
#define YOF(val) (TOP + PH - (val) / top * PH)
#define XOF(i) (n > 1 ? PX + 10 + (double)(i) * (PW - 20) / (double)(n - 1) : PX + PW / 2.0)
    y_axis(h, PX, PW, TOP, PH, top, step);
    size_t every = n > 10 ? (n + 9) / 10 : 1;
    for (size_t i = 0; i < n; i++) {
        if (i % every != 0 && i + 1 != n)
            continue;
        sbuf_addf(h, "<text class=\"m\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", XOF(i), TOP + PH + 16);
        html_esc(h, x[i]);
        sbuf_adds(h, "</text>");
    }
    sbuf_addf(h, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">", TOP + PH / 2,
              TOP + PH / 2);
    html_esc(h, ylabel);
    sbuf_adds(h, "</text>");
    for (size_t s = 0; s < nseries; s++) {
        const char *col = palette[s % 4];
        int open = 0;
        for (size_t i = 0; i < n; i++) {
            size_t k = s * n + i;
            if (hid[k]) {
                if (open)
                    sbuf_adds(h, "\"/>");
                open = 0;
                continue;
            }
            if (!open)
                sbuf_addf(h, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
            sbuf_addf(h, "%s%.1f,%.1f", open ? " " : "", XOF(i), YOF((double)v[k]));
            open = 1;
        }
        if (open)
            sbuf_adds(h, "\"/>");
        for (size_t i = 0; i < n; i++) {
            size_t k = s * n + i;
            if (hid[k])
                sbuf_addf(h, "<circle cx=\"%.1f\" cy=\"%d\" r=\"3\" fill=\"none\" stroke=\"%s\"/>", XOF(i), TOP + PH,
                          col);
            else
                sbuf_addf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", XOF(i), YOF((double)v[k]), col);
        }
        sbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
                  PX + 10 + (int)s * 220, 8, col, PX + 26 + (int)s * 220, 18);
        html_esc(h, names[s]);
        sbuf_adds(h, "</text>");
    }
#undef XOF
#undef YOF
    figure_end(h);
}
