/* synth_out: buffered CSV writer (see synth_out.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synth_out.h"
#include "synth_text.h"

#define VBUF_SIZE (1 << 20)

int synth_out_open(synth_out *o, const char *dir, const char *name, int charset, char sep,
                   const char *eol, int bom)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(dir) + strlen(name) + 2;
    o->path = malloc(n);
    o->vbuf = malloc(VBUF_SIZE);
    if (!o->path || !o->vbuf) {
        synth_out_abort(o);
        errno = ENOMEM;
        return -1;
    }
    snprintf(o->path, n, "%s/%s", dir, name);
    o->f = fopen(o->path, "wb");
    if (!o->f) {
        int e = errno;
        free(o->vbuf);
        o->vbuf = NULL;
        errno = e;
        return -1;
    }
    setvbuf(o->f, o->vbuf, _IOFBF, VBUF_SIZE);
    o->charset = charset;
    o->sep = sep;
    o->eol = eol;
    if (bom)
        fwrite("\xEF\xBB\xBF", 1, 3, o->f);
    return 0;
}

static void put(synth_out *o, const char *s, size_t n)
{
    if (o->len + n >= SYNTH_OUT_LINE) {
        o->overflow = 1;
        return;
    }
    memcpy(o->line + o->len, s, n);
    o->len += n;
}

void synth_out_field(synth_out *o, const char *s)
{
    if (o->fields++)
        put(o, &o->sep, 1);
    int quote = 0;
    for (const char *p = s; *p; p++)
        if (*p == o->sep || *p == '"' || *p == '\n' || *p == '\r')
            quote = 1;
    if (!quote) {
        put(o, s, strlen(s));
        return;
    }
    put(o, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(o, "\"", 1);
        put(o, p, 1);
    }
    put(o, "\"", 1);
}

void synth_out_raw(synth_out *o, const char *s)
{
    if (o->fields++)
        put(o, &o->sep, 1);
    put(o, s, strlen(s));
}

void synth_out_end(synth_out *o)
{
    put(o, o->eol, strlen(o->eol));
    if (o->charset != SYNTH_UTF8) {
        size_t n = o->charset == SYNTH_CP1252
                       ? synth_to_cp1252(o->line, o->len, o->conv, &o->unmapped)
                       : synth_to_latin(o->line, o->len, o->conv, &o->unmapped,
                                        o->charset == SYNTH_LATIN9);
        fwrite(o->conv, 1, n, o->f);
    } else {
        fwrite(o->line, 1, o->len, o->f);
    }
    o->len = 0;
    o->fields = 0;
    o->rows++;
}

int synth_out_close(synth_out *o)
{
    int rc = 0, e = 0;
    if (o->f) {
        if (ferror(o->f)) {
            rc = -1;
            e = EIO;
        }
        if (fclose(o->f) != 0 && rc == 0) {
            rc = -1;
            e = errno;
        }
        o->f = NULL;
    }
    free(o->vbuf);
    o->vbuf = NULL;
    if (rc)
        errno = e;
    return rc;
}

void synth_out_abort(synth_out *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    free(o->vbuf);
    free(o->path);
    o->vbuf = NULL;
    o->path = NULL;
}
