/* libFuzzer target: a mapping file (mapping_load over ini_parse), then an export read through
 * it (the reader options it sets, mapping_bind on the header, mapping_apply on each row).
 * The input is the mapping file, a line "%%", then the export; without that line, the whole
 * input is the mapping file and the export is empty.
 * Invariants: a mapping read without error binds or refuses any header with a message; an
 * applied row's fields lie inside the arena, NUL-terminated, local_ref non-empty. */
#include <string.h>

#include "fuzz.h"
#include "mapping.h"

static const uint8_t *find(const uint8_t *h, size_t hn, const char *needle, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, needle, nn) == 0)
            return h + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cut = find(data, size, "\n%%\n", 4);
    size_t mlen = cut ? (size_t)(cut - data) + 1 : size;
    const uint8_t *export = cut ? cut + 4 : data + size;
    size_t elen = (size_t)(data + size - export);

    char err[1024];
    memset(err, 0, sizeof err);
    mapping *m = mapping_load(fuzz_file(data, mlen), err, sizeof err);
    if (!m) {
        fuzz_check_message(err, sizeof err);
        return 0;
    }
    csvio_options opt;
    mapping_csv_options(m, &opt);
    opt.max_field = 256;
    opt.max_record = 4096;
    /* fmemopen refuses a size of 0: an empty export is read from a buffer of one byte, a LF */
    FILE *f = elen ? fmemopen((void *)export, elen, "rb") : fmemopen((void *)"\n", 1, "rb");
    if (!f)
        abort();
    memset(err, 0, sizeof err);
    csvio_reader *r = csvio_open_stream(f, "export", &opt, err, sizeof err);
    if (!r) {
        fuzz_check_message(err, sizeof err); /* an encoding iconv does not know */
        fclose(f);
        mapping_free(m);
        return 0;
    }
    csvio_record rec;
    if (csvio_next(r, &rec) == 1) {
        memset(err, 0, sizeof err);
        if (mapping_bind(m, &rec, err, sizeof err) != 0) {
            fuzz_check_message(err, sizeof err);
        } else {
            sbuf arena;
            sbuf_init(&arena);
            extract_row row;
            char why[512];
            while (csvio_next(r, &rec) == 1) {
                sbuf_reset(&arena);
                memset(why, 0, sizeof why);
                if (mapping_apply(m, &rec, &arena, &row, why, sizeof why) != 0) {
                    fuzz_check_message(why, sizeof why);
                    continue;
                }
                for (int fi = 0; fi < RF_COUNT; fi++)
                    if (row.off[fi] + row.len[fi] >= arena.len || arena.p[row.off[fi] + row.len[fi]] != '\0')
                        abort();
                if (row.len[RF_LOCAL_REF] == 0 || row.line != rec.line)
                    abort();
            }
            sbuf_free(&arena);
        }
    }
    csvio_close(r);
    fclose(f);
    mapping_free(m);
    return 0;
}
