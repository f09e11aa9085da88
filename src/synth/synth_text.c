/* synth_text: UTF-8 helpers (see synth_text.h). */
#include <string.h>

#include "synth_text.h"

size_t synth_utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0 && u[1]) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2]) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    if ((u[0] & 0xF8) == 0xF0 && u[1] && u[2] && u[3]) {
        *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
              ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

size_t synth_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Base letters of U+00C0-U+00FF ("" when the code point is not a letter). */
static const char *const latin1_base[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Base letters of U+0100-U+017F; '*' marks the two-letter ligatures IJ and OE. */
static const char ext_a_base[] =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi"
    "**JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo**RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
_Static_assert(sizeof ext_a_base == 129, "one base letter per code point U+0100-U+017F");

/* The accent-free spelling of cp, or NULL when cp is not an accented Latin letter. */
static const char *base_of(uint32_t cp, char tmp[3])
{
    if (cp >= 0xC0 && cp <= 0xFF) {
        const char *b = latin1_base[cp - 0xC0];
        return *b ? b : NULL;
    }
    if (cp >= 0x100 && cp <= 0x17F) {
        char c = ext_a_base[cp - 0x100];
        if (c == '*') {
            if (cp == 0x132)
                return "IJ";
            if (cp == 0x133)
                return "ij";
            if (cp == 0x152)
                return "OE";
            return "oe";
        }
        tmp[0] = c;
        tmp[1] = 0;
        return tmp;
    }
    if (cp == 0x1A0 || cp == 0x1A1 || cp == 0x1AF || cp == 0x1B0) {
        tmp[0] = cp == 0x1A0 ? 'O' : cp == 0x1A1 ? 'o' : cp == 0x1AF ? 'U' : 'u';
        tmp[1] = 0;
        return tmp;
    }
    if (cp >= 0x1EA0 && cp <= 0x1EF9) {
        char c = cp <= 0x1EB7 ? 'A' : cp <= 0x1EC7 ? 'E' : cp <= 0x1ECB ? 'I'
               : cp <= 0x1EE3 ? 'O' : cp <= 0x1EF1 ? 'U' : 'Y';
        tmp[0] = (cp & 1) ? (char)(c - 'A' + 'a') : c;
        tmp[1] = 0;
        return tmp;
    }
    if (cp == 0x2019 || cp == 0x2018) {
        tmp[0] = '\'';
        tmp[1] = 0;
        return tmp;
    }
    return NULL;
}

static uint32_t upper_of(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        return cp - 32;
    if (cp == 0xFF)
        return 0x178;
    if (cp == 0x131)
        return 'I';
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
        return (cp & 1) ? cp - 1 : cp;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return (cp & 1) ? cp : cp - 1;
    if (cp == 0x1A1 || cp == 0x1B0)
        return cp - 1;
    if (cp >= 0x1EA0 && cp <= 0x1EF9)
        return (cp & 1) ? cp - 1 : cp;
    return cp;
}

static int is_letter(uint32_t cp)
{
    char tmp[3];
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || base_of(cp, tmp) != NULL;
}

static int is_upper(uint32_t cp)
{
    return is_letter(cp) && upper_of(cp) == cp;
}

/* Append bytes to out if they fit (keeping room for the terminator). */
static void put(char *out, size_t cap, size_t *n, const char *b, size_t len)
{
    if (*n + len < cap) {
        memcpy(out + *n, b, len);
        *n += len;
    }
}

/* What a code point becomes: its new bytes at *bytes (written at buf, room for 4, or
 * constant) and their length, or 0 when it stays as it is. */
typedef size_t (*cp_map)(uint32_t cp, char buf[4], const char **bytes);

static size_t unaccented(uint32_t cp, char buf[4], const char **bytes)
{
    *bytes = cp >= 0x80 ? base_of(cp, buf) : NULL;
    return *bytes ? strlen(*bytes) : 0;
}

static size_t upper_cased(uint32_t cp, char buf[4], const char **bytes)
{
    *bytes = buf;
    return synth_utf8_encode(upper_of(cp), buf);
}

/* Copy in to out (capacity cap, always terminated), each code point through map; a code
 * point whose bytes do not fit is left out (a shorter one after it may still go in). */
static void map_text(const char *in, char *out, size_t cap, cp_map map)
{
    size_t n = 0;
    char buf[4];
    while (*in) {
        uint32_t cp;
        const char *b;
        size_t l = synth_utf8_decode(in, &cp), bl = map(cp, buf, &b);
        if (bl)
            put(out, cap, &n, b, bl);
        else
            put(out, cap, &n, in, l);
        in += l;
    }
    out[n] = 0;
}

void synth_strip_accents(const char *in, char *out, size_t cap)
{
    map_text(in, out, cap, unaccented);
}

void synth_upper(const char *in, char *out, size_t cap)
{
    map_text(in, out, cap, upper_cased);
}

int synth_has_accent(const char *s)
{
    char tmp[3];
    while (*s) {
        uint32_t cp;
        s += synth_utf8_decode(s, &cp);
        if (cp >= 0x80 && base_of(cp, tmp))
            return 1;
    }
    return 0;
}

static int cp1252_special(uint32_t cp)
{
    static const uint16_t map[][2] = {
        {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85},
        {0x2020, 0x86}, {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A},
        {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92},
        {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
        {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C},
        {0x017E, 0x9E}, {0x0178, 0x9F},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i][0] == cp)
            return map[i][1];
    return -1;
}

/* A code point the target charset lacks, written at OUT as its unaccented base (at most 2
 * bytes, never more than its UTF-8 length) or as '?', counted in *unmapped; returns the bytes
 * written. */
static size_t write_base(uint32_t cp, char *out, uint64_t *unmapped)
{
    char tmp[3];
    const char *b = base_of(cp, tmp);
    if (!b) {
        out[0] = '?';
        (*unmapped)++;
        return 1;
    }
    size_t bl = strlen(b);
    memcpy(out, b, bl);
    return bl;
}

size_t synth_to_cp1252(const char *in, size_t len, char *out, uint64_t *unmapped)
{
    size_t i = 0, n = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = synth_utf8_decode(in + i, &cp);
        int sp;
        if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
            out[n++] = (char)(unsigned char)cp;
        else if ((sp = cp1252_special(cp)) >= 0)
            out[n++] = (char)(unsigned char)sp;
        else
            n += write_base(cp, out + n, unmapped);
        i += l;
    }
    return n;
}

#define MAXCP 96

/* Where ISO-8859-15 differs from ISO-8859-1: the code point it puts at each of those bytes
 * (whose Latin-1 characters it lacks). */
static const uint16_t latin9_map[][2] = {
    {0x20AC, 0xA4}, {0x0160, 0xA6}, {0x0161, 0xA8}, {0x017D, 0xB4},
    {0x017E, 0xB8}, {0x0152, 0xBC}, {0x0153, 0xBD}, {0x0178, 0xBE},
};

/* the Latin-9 byte of the map's row whose column COL (0: code point, 1: byte) is cp, or -1 */
static int latin9_lookup(uint32_t cp, int col)
{
    for (size_t i = 0; i < sizeof latin9_map / sizeof latin9_map[0]; i++)
        if (latin9_map[i][col] == cp)
            return latin9_map[i][1];
    return -1;
}

size_t synth_to_latin(const char *in, size_t len, char *out, uint64_t *unmapped, int latin9)
{
    size_t i = 0, n = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = synth_utf8_decode(in + i, &cp);
        int sp = latin9 ? latin9_lookup(cp, 0) : -1;
        /* a Latin-1 character whose byte Latin-9 gives to another */
        int replaced = latin9 && latin9_lookup(cp, 1) >= 0;
        if (sp >= 0)
            out[n++] = (char)(unsigned char)sp;
        else if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF && !replaced))
            out[n++] = (char)(unsigned char)cp;
        else
            n += write_base(cp, out + n, unmapped);
        i += l;
    }
    return n;
}

int synth_typo(synth_rng *r, char *s, size_t cap, int *op)
{
    uint32_t cps[MAXCP];
    size_t n = 0, letters[MAXCP], nl = 0;
    const char *p = s;
    while (*p && n < MAXCP) {
        p += synth_utf8_decode(p, &cps[n]);
        if (is_letter(cps[n]))
            letters[nl++] = n;
        n++;
    }
    if (*p || nl == 0)
        return 0;
    if (*op == SYNTH_TYPO_ACCENT) {
        size_t acc[MAXCP], na = 0;
        char tmp[3];
        for (size_t i = 0; i < nl; i++)
            if (cps[letters[i]] >= 0x80 && base_of(cps[letters[i]], tmp))
                acc[na++] = letters[i];
        if (na == 0) {
            *op = SYNTH_TYPO_SUBST;
        } else {
            size_t k = acc[synth_rng_below(r, (uint32_t)na)];
            const char *b = base_of(cps[k], tmp);
            /* a ligature becomes its first letter plus the second inserted after it */
            if (b[1] && n < MAXCP) {
                memmove(cps + k + 2, cps + k + 1, (n - k - 1) * sizeof cps[0]);
                cps[k + 1] = (unsigned char)b[1];
                n++;
            }
            cps[k] = (unsigned char)b[0];
        }
    }
    if ((*op == SYNTH_TYPO_DELETE && nl < 4) || (*op == SYNTH_TYPO_TRANSPOSE && nl < 2))
        *op = SYNTH_TYPO_SUBST;
    if (*op == SYNTH_TYPO_SUBST) {
        size_t k = letters[synth_rng_below(r, (uint32_t)nl)];
        uint32_t c;
        do
            c = 'a' + synth_rng_below(r, 26);
        while (c == cps[k] || c + 'A' - 'a' == cps[k]);
        cps[k] = is_upper(cps[k]) ? c - 'a' + 'A' : c;
    } else if (*op == SYNTH_TYPO_DELETE) {
        size_t k = letters[synth_rng_below(r, (uint32_t)nl)];
        memmove(cps + k, cps + k + 1, (n - k - 1) * sizeof cps[0]);
        n--;
    } else if (*op == SYNTH_TYPO_TRANSPOSE) {
        /* swap two adjacent letters that differ */
        size_t cand[MAXCP], nc = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (is_letter(cps[i]) && is_letter(cps[i + 1]) && cps[i] != cps[i + 1])
                cand[nc++] = i;
        if (nc == 0)
            return 0;
        size_t k = cand[synth_rng_below(r, (uint32_t)nc)];
        uint32_t t = cps[k];
        cps[k] = cps[k + 1];
        cps[k + 1] = t;
    }
    size_t m = 0;
    char enc[4];
    for (size_t i = 0; i < n; i++) {
        size_t l = synth_utf8_encode(cps[i], enc);
        if (m + l >= cap)
            break;
        memcpy(s + m, enc, l);
        m += l;
    }
    s[m] = 0;
    return 1;
}
