#include "sbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <utf8proc.h>

#include "hex.h"
#include "log.h"

static _Noreturn void oom(size_t n)
{
    fprintf(stderr, "%s: error: out of memory (asked for %zu bytes)\n", log_prog(), n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xaligned_alloc(size_t align, size_t n)
{
    size_t m = (n ? n + align - 1 : align) / align * align; /* a multiple of ALIGN, as C11 asks */
    void *p = aligned_alloc(align, m);
    if (!p)
        oom(m);
    return p;
}

void *xalloc_huge(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    if (n < huge)
        return xaligned_alloc(64, n);
    void *p = xaligned_alloc(huge, n);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, (n + huge - 1) / huge * huge, MADV_HUGEPAGE); /* advice: ignored where unsupported */
#endif
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { /* a length over INT_MAX */
        fprintf(stderr, "%s: error: could not format '%s': %s\n", log_prog(), fmt, strerror(errno));
        abort();
    }
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void sbuf_init(sbuf *b)
{
    b->cap = 64;
    b->len = 0;
    b->p = xmalloc(b->cap);
    b->p[0] = '\0';
}

void sbuf_free(sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void sbuf_wipe(sbuf *b)
{
    if (!b->p)
        return;
    explicit_bzero(b->p, b->cap);
    b->len = 0;
}

void sbuf_free_wipe(sbuf *b)
{
    sbuf_wipe(b);
    sbuf_free(b);
}

void sbuf_reserve(sbuf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    /* not realloc: the old block would go back to the heap with the names, NIRs or keys it
     * held; it is wiped first (the cost, a copy and a clear, is that of the growth anyway) */
    char *p = xmalloc(cap);
    if (b->p) {
        memcpy(p, b->p, b->len + 1 <= b->cap ? b->len + 1 : b->cap);
        explicit_bzero(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
}

void sbuf_add(sbuf *b, const void *s, size_t n)
{
    sbuf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sbuf_adds(sbuf *b, const char *s) { sbuf_add(b, s, strlen(s)); }

void sbuf_addf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        sbuf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void sbuf_addhex(sbuf *b, const unsigned char *s, size_t n)
{
    sbuf_reserve(b, 2 * n);
    hex_encode(s, n, b->p + b->len);
    b->len += 2 * n;
}

size_t sbuf_utf8_seq(const char *s, size_t n)
{
    /* utf8proc refuses overlong forms, surrogates and code points past U+10FFFF */
    if (n == 0)
        return 0;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
    return k > 0 ? (size_t)k : 0;
}

void sbuf_add_utf8(sbuf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = s[i] ? sbuf_utf8_seq(s + i, n - i) : 0;
        if (k == 0) {
            sbuf_addf(b, "\\x%02X", (unsigned char)s[i]);
            i++;
        } else {
            sbuf_add(b, s + i, k);
            i += k;
        }
    }
}

char *xutf8dup(const char *s)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add_utf8(&b, s, strlen(s));
    return b.p;
}

void sbuf_add_json(sbuf *b, const char *s)
{
    sbuf_addc(b, '"');
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = sbuf_utf8_seq(s + i, n - i);
        if (k == 0) {
            sbuf_addf(b, "\\\\x%02X", c);
            i++;
        } else if (c == '"' || c == '\\') {
            sbuf_addc(b, '\\');
            sbuf_addc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            sbuf_addf(b, "\\u%04x", c);
            i++;
        } else {
            sbuf_add(b, s + i, k);
            i += k;
        }
    }
    sbuf_addc(b, '"');
}
