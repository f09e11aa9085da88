/* hex: bytes <-> lowercase hex digits, the only form the spec writes (extract-v1: tokens,
 * keys, CLKs; manifests' and the audit chain's SHA-256; key files). Upper case is refused on
 * input: a digest written otherwise is not the spec's. */
#ifndef TZNR_HEX_H
#define TZNR_HEX_H

#include <stddef.h>

/* Write the N bytes of IN as 2N lowercase hex digits followed by a NUL into OUT, which holds
 * 2N + 1 bytes. */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Decode S, which must be exactly 2N lowercase hex digits (LEN == 2N), into the N bytes of
 * OUT. Return 0, or -1 for another length or any other character (then OUT may hold part of
 * the digits). A table and one check at the end: fast enough for the loader's hot loop. */
int hex_decode(const char *s, size_t len, unsigned char *out, size_t n);

/* Return 1 when each of the LEN bytes of S is a lowercase hex digit (so 1 for LEN 0). */
int hex_valid(const char *s, size_t len);

#endif
