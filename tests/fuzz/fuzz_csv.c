/* libFuzzer target: the streaming CSV reader (libcsv strict mode, recovery, decoding).
 * Invariants: every record's line number is >= 1 and never decreases; field views stay inside
 * their buffers (ASan checks); a record either has fields or an error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* the first byte picks separator and encoding, the rest is the file */
    static const char seps[] = {',', ';', '\t', '|'};
    csvio_options opt = {0};
    opt.sep = seps[data[0] & 3];
    opt.encoding = (data[0] & 4) ? "WINDOWS-1252" : NULL;
    opt.max_field = 256;
    opt.max_record = 2048;
    FILE *f = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!f)
        return 0;
    if (size == 1) {
        fclose(f);
        return 0;
    }
    char err[256];
    csvio_reader *r = csvio_open_stream(f, "fuzz", &opt, err, sizeof err);
    if (!r) {
        fclose(f);
        return 0;
    }
    csvio_record rec;
    long last = 0;
    int rc;
    sbuf out;
    sbuf_init(&out);
    while ((rc = csvio_next(r, &rec)) == 1) {
        if (rec.line < 1 || rec.line < last)
            abort();
        last = rec.line;
        for (size_t i = 0; i < rec.nfields; i++) {
            if (rec.field[i][rec.len[i]] != '\0')
                abort();
            csvio_add_field(&out, rec.field[i], rec.len[i], opt.sep);
        }
        sbuf_reset(&out);
    }
    sbuf_free(&out);
    csvio_close(r);
    fclose(f);
    return 0;
}
