/* sbuf: a growable byte buffer, always NUL-terminated (redis sds in spirit, but plain struct). */
#ifndef TZNR_SBUF_H
#define TZNR_SBUF_H

#include <stddef.h>

typedef struct sbuf {
    char *p;     /* NUL-terminated contents (never NULL after sbuf_init) */
    size_t len;  /* bytes used, without the NUL */
    size_t cap;  /* bytes allocated */
} sbuf;

/* Initialise an empty buffer. Aborts on allocation failure, like every sbuf call. */
void sbuf_init(sbuf *b);
/* Release the memory; the buffer can be initialised again. */
void sbuf_free(sbuf *b);
/* Overwrite all the memory with zeros (names, NIRs, keys: not left for a later reader of the
 * process's memory) and empty the buffer, keeping its memory. The compiler cannot drop it. */
void sbuf_wipe(sbuf *b);
/* sbuf_wipe, then sbuf_free. */
void sbuf_free_wipe(sbuf *b);
/* Make room for N more bytes (plus the NUL). A buffer that grows leaves its old memory wiped. */
void sbuf_reserve(sbuf *b, size_t n);
/* Empty the buffer, keeping its memory. */
static inline void sbuf_reset(sbuf *b) { b->len = 0; b->p[0] = '\0'; }
/* Append N bytes. */
void sbuf_add(sbuf *b, const void *s, size_t n);
/* Append a NUL-terminated string. */
void sbuf_adds(sbuf *b, const char *s);
/* Append one byte. */
static inline void sbuf_addc(sbuf *b, char c)
{
    if (b->len + 2 > b->cap)
        sbuf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}
/* Append formatted text. */
void sbuf_addf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append N bytes as 2N lowercase hex digits. */
void sbuf_addhex(sbuf *b, const unsigned char *s, size_t n);

/* Append S as a JSON string literal (quotes included, escapes as RFC 8259 asks); a byte that
 * is not part of valid UTF-8 is written as the text \xHH (JSON "\\xHH"). */
void sbuf_add_json(sbuf *b, const char *s);

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0 when S[0] does not start one
 * (a stray continuation byte, an overlong form, a surrogate, a code point above U+10FFFF or a
 * sequence cut short). */
size_t sbuf_utf8_seq(const char *s, size_t n);
/* Append the N bytes of S as valid UTF-8 text for the database, a log or a summary: valid
 * sequences as they are, each other byte (and NUL) as the four characters \xHH. */
void sbuf_add_utf8(sbuf *b, const char *s, size_t n);
/* S made valid UTF-8 as sbuf_add_utf8 does, in a new string. */
char *xutf8dup(const char *s);

/* Allocation helpers that abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* N bytes aligned on ALIGN (a power of two), for arrays read a cache line at a time. */
void *xaligned_alloc(size_t align, size_t n);
/* N bytes for a large array read at random (the linkage's records and facts): aligned on
 * 2 MiB and offered to the kernel for transparent huge pages (madvise), so that an access
 * rarely misses the TLB. Small arrays get plain cache-line alignment. Freed with free(). */
void *xalloc_huge(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A new string of the formatted text, sized to fit (paths built from a user's path). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
