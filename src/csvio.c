#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hex.h"
#include "log.h"

/* One record being built or waiting to be handed out. */
struct rec {
    sbuf data;          /* the field bytes, each NUL-terminated */
    size_t *off;        /* field offsets into data */
    size_t *flen;
    size_t nf, capf;
    long line;
    char error[256];
    sbuf raw;
};

struct csvio_reader {
    FILE *f;
    int own;
    char *path;
    csvio_options opt;
    struct csv_parser p;
    iconv_t cd;
    char *line;          /* the physical line as read */
    size_t linecap;
    sbuf conv;           /* the line after decoding */
    long lineno;         /* lines read so far */
    long next_start;     /* the line where the next record starts */
    struct rec cur;      /* being built */
    struct rec *ready;   /* completed, waiting (a line ending in bare CRs can complete several) */
    size_t nready, capready, headready;
    struct rec out;      /* the one handed out last */
    const char **fields; /* views for the caller */
    size_t *lens;
    size_t capviews;
    int eof;
    unsigned long long bytes;
    EVP_MD_CTX *md;       /* the caller's digest of the bytes read, or NULL */
    char errbuf[512];
};

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof *r);
    sbuf_init(&r->data);
    sbuf_init(&r->raw);
}

static void rec_free(struct rec *r)
{
    sbuf_free(&r->data);
    sbuf_free(&r->raw);
    free(r->off);
    free(r->flen);
}

static void rec_clear(struct rec *r)
{
    sbuf_reset(&r->data);
    sbuf_reset(&r->raw);
    r->nf = 0;
    r->error[0] = '\0';
}

/* libcsv grows its field buffer with this; refusing past a limit stops a runaway quoted field
 * from eating the memory. A thread-local limit, since libcsv passes no context. */
static _Thread_local size_t realloc_limit;

static void *limited_realloc(void *p, size_t n)
{
    if (realloc_limit && n > realloc_limit)
        return NULL;
    return realloc(p, n);
}

static void field_cb(void *s, size_t len, void *ctx)
{
    csvio_reader *r = ctx;
    struct rec *c = &r->cur;
    if (c->nf == c->capf) {
        c->capf = c->capf ? 2 * c->capf : 32;
        c->off = xrealloc(c->off, c->capf * sizeof *c->off);
        c->flen = xrealloc(c->flen, c->capf * sizeof *c->flen);
    }
    if (len > r->opt.max_field) {
        if (!c->error[0])
            snprintf(c->error, sizeof c->error, "field %zu is %zu bytes long, more than the limit of %zu",
                     c->nf + 1, len, r->opt.max_field);
        len = 0;
    }
    c->off[c->nf] = c->data.len;
    c->flen[c->nf] = len;
    if (len)
        sbuf_add(&c->data, s, len);
    sbuf_addc(&c->data, '\0');
    c->nf++;
}

/* Move the current record to the ready queue. */
static void finish_record(csvio_reader *r)
{
    if (r->nready + r->headready == r->capready) {
        if (r->headready > 0) {
            memmove(r->ready, r->ready + r->headready, r->nready * sizeof *r->ready);
            r->headready = 0;
        } else {
            size_t old = r->capready;
            r->capready = old ? 2 * old : 4;
            r->ready = xrealloc(r->ready, r->capready * sizeof *r->ready);
            for (size_t i = old; i < r->capready; i++)
                rec_init(&r->ready[i]);
        }
    }
    struct rec *dst = &r->ready[r->headready + r->nready];
    struct rec tmp = *dst;
    *dst = r->cur;
    dst->line = r->next_start;
    r->cur = tmp;
    rec_clear(&r->cur);
    r->nready++;
    r->next_start = r->lineno + 1;
}

static void record_cb(int c, void *ctx)
{
    csvio_reader *r = ctx;
    (void)c;
    finish_record(r);
}

static int parser_init(csvio_reader *r)
{
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    csv_set_delim(&r->p, (unsigned char)r->opt.sep);
    csv_set_realloc_func(&r->p, limited_realloc);
    /* libcsv grows its field buffer by a fixed block (128 bytes by default): a long field would
     * cost a realloc every 128 bytes, quadratic where realloc copies (under ASan, say) */
    csv_set_blk_size(&r->p, 1 << 16);
    return 0;
}

static csvio_reader *open_reader(FILE *f, int own, const char *path, const csvio_options *opt,
                                 char *err, size_t errlen)
{
    csvio_reader *r = xcalloc(1, sizeof *r);
    r->opt = *opt;
    if (!r->opt.sep)
        r->opt.sep = ',';
    if (!r->opt.max_field)
        r->opt.max_field = 64 * 1024;
    if (!r->opt.max_record)
        r->opt.max_record = 64u * 1024 * 1024;
    r->cd = (iconv_t)-1;
    r->path = xstrdup(path);
    r->f = f;
    r->own = own;
    if (r->opt.encoding && strcasecmp(r->opt.encoding, "UTF-8") != 0 &&
        strcasecmp(r->opt.encoding, "UTF8") != 0) {
        r->cd = iconv_open("UTF-8", r->opt.encoding);
        if (r->cd == (iconv_t)-1) {
            snprintf(err, errlen, "unknown encoding '%s'", r->opt.encoding);
            csvio_close(r);
            return NULL;
        }
    }
    if (parser_init(r) != 0) {
        snprintf(err, errlen, "could not initialise the CSV parser");
        csvio_close(r);
        return NULL;
    }
    rec_init(&r->cur);
    rec_init(&r->out);
    sbuf_init(&r->conv);
    r->next_start = 1;
    return r;
}

csvio_reader *csvio_open(const char *path, const csvio_options *opt, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0)
        return open_reader(stdin, 0, path, opt, err, errlen);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "could not open '%s': %s", path, strerror(errno));
        return NULL;
    }
    return open_reader(f, 1, path, opt, err, errlen);
}

csvio_reader *csvio_open_stream(FILE *f, const char *name, const csvio_options *opt, char *err,
                                size_t errlen)
{
    return open_reader(f, 0, name, opt, err, errlen);
}

csvio_reader *csvio_open_header(FILE *f, const char *path, const csvio_options *opt, const char *what,
                                csvio_record *header)
{
    char err[1024];
    csvio_reader *rd = f ? csvio_open_stream(f, path, opt, err, sizeof err) : csvio_open(path, opt, err, sizeof err);
    if (!rd)
        die(TZNR_EXIT_FAIL, "%s", err);
    int rc = csvio_next(rd, header);
    if (rc < 0)
        die(TZNR_EXIT_FAIL, "%s", csvio_error(rd));
    if (rc == 0)
        die(TZNR_EXIT_REFUSED, "refusing %s'%s': the file is empty", what, path);
    return rd;
}

void csvio_close(csvio_reader *r)
{
    if (!r)
        return;
    if (r->own && r->f)
        fclose(r->f);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    if (r->cur.data.p) {
        csv_free(&r->p);
        rec_free(&r->cur);
        rec_free(&r->out);
        sbuf_free(&r->conv);
    }
    for (size_t i = 0; i < r->capready; i++)
        rec_free(&r->ready[i]);
    free(r->ready);
    free(r->line);
    free(r->fields);
    free(r->lens);
    free(r->path);
    free(r);
}

const char *csvio_error(const csvio_reader *r) { return r->errbuf; }
void csvio_set_digest(csvio_reader *r, void *md) { r->md = md; }
unsigned long long csvio_bytes(const csvio_reader *r) { return r->bytes; }

/* Decode LEN bytes of the line into r->conv (UTF-8). Return 0, or -1 with the offset of the
 * first byte the encoding does not define in *BAD. */
static int decode(csvio_reader *r, const char *s, size_t len, size_t *bad)
{
    sbuf_reset(&r->conv);
    if (r->cd == (iconv_t)-1) {
        sbuf_add(&r->conv, s, len);
        return 0;
    }
    char *in = (char *)s;
    size_t inleft = len;
    iconv(r->cd, NULL, NULL, NULL, NULL);
    while (inleft > 0) {
        sbuf_reserve(&r->conv, inleft * 3 + 8);
        char *o = r->conv.p + r->conv.len;
        size_t oleft = r->conv.cap - r->conv.len - 1;
        size_t rc = iconv(r->cd, &in, &inleft, &o, &oleft);
        r->conv.len = (size_t)(o - r->conv.p);
        r->conv.p[r->conv.len] = '\0';
        if (rc == (size_t)-1 && errno != E2BIG) {
            *bad = (size_t)(in - s);
            return -1;
        }
    }
    return 0;
}

/* Throw the parser's state away after a parse error and start clean on the next line. */
static void resync(csvio_reader *r)
{
    csv_free(&r->p);
    parser_init(r);
}

static void hand_out(csvio_reader *r, csvio_record *rec)
{
    struct rec *src = &r->ready[r->headready];
    struct rec tmp = r->out;
    r->out = *src;
    *src = tmp;
    rec_clear(src);
    r->headready++;
    r->nready--;
    if (r->nready == 0)
        r->headready = 0;
    struct rec *o = &r->out;
    if (o->nf > r->capviews) {
        r->capviews = o->nf;
        r->fields = xrealloc(r->fields, r->capviews * sizeof *r->fields);
        r->lens = xrealloc(r->lens, r->capviews * sizeof *r->lens);
    }
    for (size_t i = 0; i < o->nf; i++) {
        r->fields[i] = o->data.p + o->off[i];
        r->lens[i] = o->flen[i];
    }
    rec->nfields = o->nf;
    rec->field = r->fields;
    rec->len = r->lens;
    rec->line = o->line;
    rec->error = o->error[0] ? o->error : NULL;
    rec->raw = o->raw.p;
    rec->raw_len = o->raw.len;
}

/* Is the decoded line a whole record that libcsv would split on the separator alone? At a
 * record's start, not empty, no quote, no space or tab (libcsv trims them around unquoted
 * fields), no CR but a final CRLF's, and no longer than a record may be. Most lines of an
 * extract are: splitting them here costs a few memchr where libcsv's byte-at-a-time state
 * machine took half the load's time. */
static int plain_line(const csvio_reader *r)
{
    const char *s = r->conv.p;
    size_t len = r->conv.len;
    if (r->p.pstate != 0 || len > r->opt.max_record)
        return 0;
    if (len && s[len - 1] == '\n')
        len--;
    if (len && s[len - 1] == '\r')
        len--;
    return len > 0 && !memchr(s, '"', len) && !memchr(s, '\r', len) && !memchr(s, ' ', len) &&
           !memchr(s, '\t', len) && !memchr(s, '\n', len);
}

/* The plain line's fields and its record, through the callbacks libcsv would call. */
static void split_plain(csvio_reader *r)
{
    const char *s = r->conv.p, *end = s + r->conv.len;
    if (end > s && end[-1] == '\n')
        end--;
    if (end > s && end[-1] == '\r')
        end--;
    for (;;) {
        const char *e = memchr(s, r->opt.sep, (size_t)(end - s));
        field_cb((void *)s, (size_t)((e ? e : end) - s), r);
        if (!e)
            break;
        s = e + 1;
    }
    finish_record(r);
}

int csvio_next(csvio_reader *r, csvio_record *rec)
{
    realloc_limit = r->opt.max_record;
    while (r->nready == 0) {
        if (r->eof)
            return 0;
        ssize_t n = getline(&r->line, &r->linecap, r->f);
        if (n < 0) {
            if (ferror(r->f)) {
                snprintf(r->errbuf, sizeof r->errbuf, "could not read '%s': %s", r->path, strerror(errno));
                return -1;
            }
            r->eof = 1;
            if (csv_fini(&r->p, field_cb, record_cb, r) != 0) {
                /* An unterminated quoted field ran to the end of the file. */
                if (!r->cur.error[0])
                    snprintf(r->cur.error, sizeof r->cur.error,
                             "unterminated quoted field (a quote opened here is never closed)");
                finish_record(r);
            } else if (r->cur.nf > 0 || r->cur.error[0]) {
                finish_record(r);
            }
            continue;
        }
        r->lineno++;
        r->bytes += (unsigned long long)n;
        if (r->md)
            EVP_DigestUpdate(r->md, r->line, (size_t)n);
        const char *s = r->line;
        size_t len = (size_t)n;
        if (r->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        size_t bad = 0;
        if (decode(r, s, len, &bad) != 0) {
            /* Keep what decoded for the reject file; the record is unusable. */
            if (!r->cur.error[0])
                snprintf(r->cur.error, sizeof r->cur.error,
                         "byte 0x%02X at column %zu is not valid %s", (unsigned char)s[bad], bad + 1,
                         r->opt.encoding);
            sbuf_add(&r->cur.raw, r->conv.p, r->conv.len);
            resync(r);
            finish_record(r);
            continue;
        }
        if (r->cur.raw.len < r->opt.max_field * 4)
            sbuf_add(&r->cur.raw, r->conv.p, r->conv.len);
        if (plain_line(r)) {
            split_plain(r);
            continue;
        }
        size_t used = csv_parse(&r->p, r->conv.p, r->conv.len, field_cb, record_cb, r);
        if (used != r->conv.len) {
            int e = csv_error(&r->p);
            if (e == CSV_ENOMEM || e == CSV_ETOOBIG) {
                snprintf(r->errbuf, sizeof r->errbuf,
                         "%s:%ld: a record starting here is longer than %zu bytes (an unclosed quote?)",
                         r->path, r->next_start, r->opt.max_record);
                return -1;
            }
            if (!r->cur.error[0])
                snprintf(r->cur.error, sizeof r->cur.error,
                         "malformed CSV at line %ld, column %zu: a quote inside an unquoted field, "
                         "or text after a closing quote",
                         r->lineno, used + 1 + (r->lineno == 1 && s != r->line ? 3 : 0));
            resync(r);
            /* The rest of the line is dropped with the bad record (its raw text keeps it). */
            finish_record(r);
        } else if (r->p.pstate == 0) {
            /* libcsv skips empty lines: whatever comes next starts on the next line, and an
             * empty line is no part of the next record's raw text */
            r->next_start = r->lineno + 1;
            if (r->cur.nf == 0)
                sbuf_reset(&r->cur.raw);
        }
    }
    hand_out(r, rec);
    return 1;
}

void csvio_add_field(sbuf *out, const char *field, size_t len, char sep)
{
    int quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = field[i];
        if (c == sep || c == '"' || c == '\n' || c == '\r') {
            quote = 1;
            break;
        }
    }
    if (quote)
        csvio_add_quoted(out, field, len);
    else
        sbuf_add(out, field, len);
}

void csvio_add_quoted(sbuf *out, const char *field, size_t len)
{
    sbuf_addc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (field[i] == '"')
            sbuf_addc(out, '"');
        sbuf_addc(out, field[i]);
    }
    sbuf_addc(out, '"');
}

void csvio_add_reject(sbuf *out, long line, const char *why, const char *raw, size_t raw_len)
{
    sbuf_addf(out, "%ld,", line);
    csvio_add_field(out, why, strlen(why), ',');
    sbuf_addc(out, ',');
    while (raw_len > 0 && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
        raw_len--;
    csvio_add_field(out, raw, raw_len, ',');
    sbuf_addc(out, '\n');
}

struct csvio_out {
    int fd;
    char *path, *tmp;
    unsigned char *buf;
    size_t len, cap;
    EVP_MD_CTX *sha;
    unsigned long long bytes;
};

csvio_out *csvio_out_open(const char *path, int mode, char *err, size_t errlen)
{
    csvio_out *o = xcalloc(1, sizeof *o);
    o->path = xstrdup(path);
    size_t n = strlen(path) + 5;
    o->tmp = xmalloc(n);
    snprintf(o->tmp, n, "%s.tmp", path);
    /* Whatever is at the temporary name (a file left by a run that was killed, a file another
     * user made 0666, a symlink to elsewhere) must decide neither the mode nor the target: remove
     * it (a symlink itself, never what it points to), then create a new file, never following a
     * link and failing if something appeared there meanwhile. */
    if (unlink(o->tmp) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "could not remove '%s', left there before this run: %s", o->tmp, strerror(errno));
        free(o->tmp);
        free(o->path);
        free(o);
        return NULL;
    }
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (o->fd < 0) {
        snprintf(err, errlen, "could not create '%s': %s", o->tmp, strerror(errno));
        free(o->tmp);
        free(o->path);
        free(o);
        return NULL;
    }
    o->cap = 1 << 20;
    o->buf = xmalloc(o->cap);
    o->sha = EVP_MD_CTX_new();
    if (!o->sha || EVP_DigestInit_ex(o->sha, EVP_sha256(), NULL) != 1) {
        snprintf(err, errlen, "could not initialise SHA-256");
        csvio_out_abort(o);
        return NULL;
    }
    return o;
}

static int flush_out(csvio_out *o)
{
    size_t off = 0;
    if (o->len && EVP_DigestUpdate(o->sha, o->buf, o->len) != 1) {
        errno = EIO;
        return -1;
    }
    while (off < o->len) {
        ssize_t w = write(o->fd, o->buf + off, o->len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    o->len = 0;
    return 0;
}

int csvio_out_write(csvio_out *o, const void *s, size_t n)
{
    o->bytes += n;
    if (o->len + n > o->cap && flush_out(o) != 0)
        return -1;
    if (n > o->cap) {
        o->len = n; /* large write: hash and write it straight through */
        unsigned char *keep = o->buf;
        o->buf = (unsigned char *)s;
        int rc = flush_out(o);
        o->buf = keep;
        return rc;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    return 0;
}

unsigned long long csvio_out_bytes(const csvio_out *o) { return o->bytes; }

int csvio_out_commit(csvio_out *o, char *hex, char *err, size_t errlen)
{
    unsigned char md[32];
    unsigned int mdlen;
    if (flush_out(o) != 0 || fsync(o->fd) != 0) {
        snprintf(err, errlen, "could not write '%s': %s", o->tmp, strerror(errno));
        csvio_out_abort(o);
        return -1;
    }
    if (close(o->fd) != 0) {
        o->fd = -1;
        snprintf(err, errlen, "could not write '%s': %s", o->tmp, strerror(errno));
        csvio_out_abort(o);
        return -1;
    }
    o->fd = -1;
    if (rename(o->tmp, o->path) != 0) {
        snprintf(err, errlen, "could not rename '%s' to '%s': %s", o->tmp, o->path, strerror(errno));
        csvio_out_abort(o);
        return -1;
    }
    EVP_DigestFinal_ex(o->sha, md, &mdlen);
    if (hex)
        hex_encode(md, sizeof md, hex);
    EVP_MD_CTX_free(o->sha);
    free(o->buf);
    free(o->tmp);
    free(o->path);
    free(o);
    return 0;
}

void csvio_out_abort(csvio_out *o)
{
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    unlink(o->tmp);
    EVP_MD_CTX_free(o->sha);
    free(o->buf);
    free(o->tmp);
    free(o->path);
    free(o);
}
