/* libFuzzer target: the normaliser. Invariants of extract-v1 section 2: fold gives A-Z words
 * separated by single spaces, compact only A-Z, the address form only A-Z0-9; a valid NIR is
 * 13 characters; a valid date 8 digits; invalid UTF-8 leaves the output empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fold(const char *s, size_t n, enum norm_mode mode, sbuf *b)
{
    int rc = norm_fold(s, n, mode, b);
    if (rc != 0) {
        if (b->len != 0 || norm_utf8_valid(s, n))
            abort();
        return;
    }
    if (!norm_utf8_valid(s, n))
        abort();
    for (size_t i = 0; i < b->len; i++) {
        char c = b->p[i];
        int ok = (c >= 'A' && c <= 'Z') || (mode == NORM_ADDRESS && c >= '0' && c <= '9') ||
                 (mode == NORM_FOLD && c == ' ' && i > 0 && i + 1 < b->len && b->p[i - 1] != ' ');
        if (!ok)
            abort();
    }
    if (strlen(b->p) != b->len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    sbuf b;
    sbuf_init(&b);
    check_fold(s, size, NORM_FOLD, &b);
    check_fold(s, size, NORM_COMPACT, &b);
    check_fold(s, size, NORM_ADDRESS, &b);
    norm_prenom(s, size, &b);
    char nir[14];
    int sex;
    if (norm_nir(s, size, nir, &sex) == 1 && (strlen(nir) != 13 || (sex != 1 && sex != 2)))
        abort();
    char d[9];
    for (int f = DATE_ISO; f <= DATE_DMY_DOT; f++)
        if (norm_date(s, size, (enum norm_date_format)f, d) == 1 && strlen(d) != 8)
            abort();
    char c[6];
    if (norm_commune(s, size, c) == 1 && (strlen(c) < 1 || strlen(c) > 5))
        abort();
    if (norm_amount(s, size, ',', &b) == 1 && strchr(b.p, ',') != NULL)
        abort();
    int v;
    if (norm_count(s, size, &v) == 1 && (v < 0 || v > 999))
        abort();
    sbuf_free(&b);
    return 0;
}
