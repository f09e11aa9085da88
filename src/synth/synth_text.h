/* synth_text: UTF-8 helpers for names and addresses: accent stripping, upper-casing,
 * Windows-1252 encoding, typing errors. Only the Latin letters the tables use are known
 * (Latin-1, Latin Extended-A, Vietnamese); other code points are left alone. */
#ifndef SYNTH_TEXT_H
#define SYNTH_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "synth_rng.h"

/* Decode one code point at s (valid UTF-8 assumed); returns its length in bytes. */
size_t synth_utf8_decode(const char *s, uint32_t *cp);

/* Encode cp at out (room for 4 bytes); returns the number of bytes written. */
size_t synth_utf8_encode(uint32_t cp, char *out);

/* Copy in to out (capacity cap, always terminated) with accents dropped and ligatures
 * spelt out: "Lœuillet" -> "Loeuillet", "Nguyễn" -> "Nguyen". */
void synth_strip_accents(const char *in, char *out, size_t cap);

/* Copy in to out (capacity cap) upper-cased, accents kept: "Hélène" -> "HÉLÈNE". */
void synth_upper(const char *in, char *out, size_t cap);

/* Whether the string holds a letter that synth_strip_accents would change. */
int synth_has_accent(const char *s);

/* Convert len bytes of UTF-8 at in to Windows-1252 at out (room for len bytes: never
 * longer than the input, except for ligature fall-backs which stay within it).
 * Code points cp1252 lacks are written without their accent ("ễ" -> "e"); one with no
 * such form becomes '?' and is counted in *unmapped. Returns the output length. */
size_t synth_to_cp1252(const char *in, size_t len, char *out, uint64_t *unmapped);

/* Same for ISO-8859-1 (latin9 = 0) or ISO-8859-15 (latin9 = 1): the eight code points where
 * the two differ go to their Latin-9 byte, or lose their accent in Latin-1 (Œ -> OE). */
size_t synth_to_latin(const char *in, size_t len, char *out, uint64_t *unmapped, int latin9);

enum {
    SYNTH_TYPO_SUBST,
    SYNTH_TYPO_DELETE,
    SYNTH_TYPO_TRANSPOSE,
    SYNTH_TYPO_ACCENT,
    SYNTH_TYPO_COUNT
};

/* Apply one typing error of kind *op in place to the UTF-8 string s (capacity cap).
 * When the kind cannot apply (no accent to drop, too short), a substitution is made
 * instead and *op says so. Returns 0 when nothing could be changed. */
int synth_typo(synth_rng *r, char *s, size_t cap, int *op);

#endif
