#include "norm.h"

#include <string.h>
#include <utf8proc.h>

void norm_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    *s = p;
    *len = n;
}

int norm_utf8_valid(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* The fold state: pending separator and whether digits are kept. */
struct fold {
    sbuf *out;
    enum norm_mode mode;
    int pending_sep;
};

static inline void emit(struct fold *f, utf8proc_int32_t c)
{
    if (c >= 'a' && c <= 'z')
        c -= 32;
    if ((c >= 'A' && c <= 'Z') || (f->mode == NORM_ADDRESS && c >= '0' && c <= '9')) {
        if (f->pending_sep && f->mode == NORM_FOLD && f->out->len > 0)
            sbuf_addc(f->out, ' ');
        f->pending_sep = 0;
        sbuf_addc(f->out, (char)c);
    } else {
        f->pending_sep = 1;
    }
}

static inline void emit_str(struct fold *f, const char *s)
{
    while (*s)
        emit(f, (unsigned char)*s++);
}

/* The spec's own map, applied before NFKD: ligatures and letters NFKD leaves whole. */
static const char *special(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x152: case 0x153: return "OE";  /* Œ œ */
    case 0xC6: case 0xE6: return "AE";    /* Æ æ */
    case 0xDF: return "SS";               /* ß */
    case 0xD8: case 0xF8: return "O";     /* Ø ø */
    case 0x141: case 0x142: return "L";   /* Ł ł */
    case 0x110: case 0x111: case 0xD0: case 0xF0: return "D"; /* Đ đ Ð ð */
    default: return NULL;
    }
}

int norm_fold(const char *s, size_t len, enum norm_mode mode, sbuf *out)
{
    struct fold f = {out, mode, 0};
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    sbuf_reset(out);
    while (i < len) {
        if (p[i] < 0x80) {
            emit(&f, p[i++]);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0) {
            sbuf_reset(out);
            return -1;
        }
        i += (size_t)n;
        const char *sp = special(cp);
        if (sp) {
            emit_str(&f, sp);
            continue;
        }
        /* NFKD of one code point; 32 is enough for every Unicode 15 decomposition (max 18). */
        utf8proc_int32_t d[32];
        int boundclass = UTF8PROC_BOUNDCLASS_START;
        utf8proc_ssize_t nd = utf8proc_decompose_char(cp, d, 32, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT,
                                                      &boundclass);
        if (nd < 0 || nd > 32) {
            f.pending_sep = 1;
            continue;
        }
        for (utf8proc_ssize_t k = 0; k < nd; k++) {
            if (d[k] >= 0x80 && utf8proc_category(d[k]) == UTF8PROC_CATEGORY_MN)
                continue;
            emit(&f, d[k]);
        }
    }
    return 0;
}

int norm_prenom(const char *s, size_t len, sbuf *out)
{
    const char *comma = memchr(s, ',', len);
    if (comma)
        len = (size_t)(comma - s);
    return norm_fold(s, len, NORM_COMPACT, out);
}

int norm_nir(const char *s, size_t len, char out[14], int *sex)
{
    char c[16];
    size_t n = 0;
    if (sex)
        *sex = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '.' || ch == '-') /* the contract's three, and no other */
            continue;
        if (n == 15)
            return -1;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        c[n++] = ch;
    }
    if (n == 0)
        return 0;
    if (n != 13 && n != 15)
        return -1;
    /* (not strchr: it would match the terminating NUL of a NUL byte in the input) */
    if (c[0] != '1' && c[0] != '2' && c[0] != '3' && c[0] != '4' && c[0] != '7' && c[0] != '8')
        return -1;
    for (int i = 1; i < 13; i++) {
        if (i == 5 || i == 6)
            continue;
        if (c[i] < '0' || c[i] > '9')
            return -1;
    }
    int corsica = 0;
    if (c[5] == '2' && (c[6] == 'A' || c[6] == 'B'))
        corsica = c[6];
    else if (c[5] < '0' || c[5] > '9' || c[6] < '0' || c[6] > '9')
        return -1;
    if (n == 15) {
        if (c[13] < '0' || c[13] > '9' || c[14] < '0' || c[14] > '9')
            return -1;
        unsigned long long v = 0;
        for (int i = 0; i < 13; i++) {
            int d;
            if (i == 5 && corsica)
                d = 1;
            else if (i == 6 && corsica)
                d = corsica == 'A' ? 9 : 8;
            else
                d = c[i] - '0';
            v = v * 10 + (unsigned long long)d;
        }
        int key = (c[13] - '0') * 10 + (c[14] - '0');
        if (key != 97 - (int)(v % 97))
            return -1;
    }
    memcpy(out, c, 13);
    out[13] = '\0';
    if (sex)
        *sex = (c[0] == '1' || c[0] == '3' || c[0] == '7') ? 1 : 2;
    return 1;
}

int norm_date_format_parse(const char *name, enum norm_date_format *fmt)
{
    static const struct {
        const char *name;
        enum norm_date_format fmt;
    } t[] = {{"YYYY-MM-DD", DATE_ISO},     {"DD/MM/YYYY", DATE_DMY},
             {"YYYYMMDD", DATE_COMPACT},   {"DD-MM-YYYY", DATE_DMY_DASH},
             {"DD.MM.YYYY", DATE_DMY_DOT}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (strcmp(name, t[i].name) == 0) {
            *fmt = t[i].fmt;
            return 0;
        }
    }
    return -1;
}

/* Read 1..MAXD digits; return the number of digits consumed, 0 if none. */
static size_t digits(const char *s, size_t len, size_t maxd, int *v)
{
    size_t i = 0;
    *v = 0;
    while (i < len && i < maxd && s[i] >= '0' && s[i] <= '9')
        *v = *v * 10 + (s[i++] - '0');
    return i;
}

static int valid_ymd(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1880 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

int norm_date(const char *s, size_t len, enum norm_date_format fmt, char out[9])
{
    int y, m, d;
    size_t k;
    out[0] = '\0';
    norm_trim(&s, &len);
    if (len == 0)
        return 0;
    switch (fmt) {
    case DATE_ISO:
        if (len != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, 4, &y) != 4 ||
            digits(s + 5, 2, 2, &m) != 2 || digits(s + 8, 2, 2, &d) != 2)
            return -1;
        break;
    case DATE_COMPACT:
        if (len != 8 || digits(s, 4, 4, &y) != 4 || digits(s + 4, 2, 2, &m) != 2 ||
            digits(s + 6, 2, 2, &d) != 2)
            return -1;
        break;
    default: {
        char sep = fmt == DATE_DMY ? '/' : fmt == DATE_DMY_DASH ? '-' : '.';
        size_t i = 0;
        k = digits(s, len, 2, &d);
        if (k == 0 || k >= len || s[k] != sep)
            return -1;
        i = k + 1;
        k = digits(s + i, len - i, 2, &m);
        if (k == 0 || i + k >= len || s[i + k] != sep)
            return -1;
        i += k + 1;
        k = digits(s + i, len - i, 4, &y);
        if (k != 4 || i + k != len)
            return -1;
        break;
    }
    }
    if (!valid_ymd(y, m, d))
        return -1;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = (char)('0' + m / 10);
    out[5] = (char)('0' + m % 10);
    out[6] = (char)('0' + d / 10);
    out[7] = (char)('0' + d % 10);
    out[8] = '\0';
    return 1;
}

int norm_commune(const char *s, size_t len, char out[6])
{
    out[0] = '\0';
    norm_trim(&s, &len);
    if (len == 0)
        return 0;
    if (len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            out[0] = '\0';
            return -1;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return 1;
}

int norm_amount(const char *s, size_t len, char decimal, sbuf *out)
{
    sbuf_reset(out);
    norm_trim(&s, &len);
    if (len == 0)
        return 0;
    int seen_point = 0, ndigits = 0, frac = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            sbuf_addc(out, (char)c);
            ndigits++;
            if (seen_point && ++frac > 6)
                goto bad;
        } else if (c == (unsigned char)decimal && !seen_point) {
            if (ndigits == 0)
                sbuf_addc(out, '0');
            sbuf_addc(out, '.');
            seen_point = 1;
        } else if ((c == ' ' || c == '\'') && !seen_point && ndigits > 0) {
            continue; /* thousands separator */
        } else if (c == 0xC2 && i + 1 < len && ((unsigned char)s[i + 1] == 0xA0) && !seen_point) {
            i++; /* no-break space */
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   (unsigned char)s[i + 2] == 0xAF && !seen_point) {
            i += 2; /* narrow no-break space, as French locales write */
        } else {
            goto bad;
        }
    }
    if (ndigits == 0 || (seen_point && frac == 0) || ndigits - frac > 12)
        goto bad;
    return 1;
bad:
    sbuf_reset(out);
    return -1;
}

int norm_count(const char *s, size_t len, int *v)
{
    norm_trim(&s, &len);
    *v = 0;
    if (len == 0)
        return 0;
    if (len > 3)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}
