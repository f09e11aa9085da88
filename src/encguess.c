/* encguess: an export's bytes against its declared 8-bit encoding (encguess.h). */
#include "encguess.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { CS_NONE, CS_LATIN1, CS_CP1252 };

void encguess_init(encguess *g, const char *encoding)
{
    memset(g, 0, sizeof *g);
    if (!encoding)
        return;
    static const char *const latin1[] = {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1"};
    static const char *const cp1252[] = {"WINDOWS-1252", "CP1252", "WINDOWS1252"};
    for (size_t i = 0; i < sizeof latin1 / sizeof latin1[0]; i++)
        if (strcasecmp(encoding, latin1[i]) == 0)
            g->charset = CS_LATIN1;
    for (size_t i = 0; i < sizeof cp1252 / sizeof cp1252[0]; i++)
        if (strcasecmp(encoding, cp1252[i]) == 0)
            g->charset = CS_CP1252;
}

/* Windows-1252's characters for the bytes 0x80-0x9F (0 where it has none). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

/* The byte of the export that the decoded character CP came from, or -1. */
static int original_byte(int charset, unsigned cp)
{
    if (cp < 0x80 || (cp <= 0xFF && (charset == CS_LATIN1 || cp >= 0xA0)))
        return (int)cp;
    if (charset == CS_CP1252)
        for (int i = 0; i < 32; i++)
            if (cp1252_high[i] == cp)
                return 0x80 + i;
    return -1;
}

/* One UTF-8 character of S (valid: iconv wrote it) at *I: its code point; *I moves past it. */
static unsigned next_char(const unsigned char *s, size_t len, size_t *i)
{
    unsigned c = s[(*i)++];
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
    for (; more > 0 && *i < len; more--)
        c = c << 6 | (s[(*i)++] & 0x3F);
    return c;
}

/* How many continuation bytes a UTF-8 lead byte B announces (0 when B is no lead byte). */
static int lead_needs(int b) { return b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xF0 && b <= 0xF4 ? 3 : 0; }

/* A byte B that is not part of a UTF-8 sequence. */
static void stray(const encguess *g, int b, int *seen)
{
    if (b >= 0x80 && b <= 0x9F && g->charset == CS_LATIN1)
        seen[EG_C1] = 1;
    else if (b >= 0x80)
        seen[EG_EIGHTBIT] = 1;
}

void encguess_record(encguess *g, const char *text, size_t len, long line)
{
    if (g->charset == CS_NONE)
        return;
    const unsigned char *s = (const unsigned char *)text;
    /* the common case: plain ASCII, tested eight bytes at a time */
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < len && s[i] < 0x80)
        i++;
    if (i == len)
        return;
    int seen[EG_COUNT] = {0};
    int seq[4], nseq = 0, need = 0; /* the UTF-8 sequence being read in the original bytes */
    size_t seq_from = 0;            /* where it starts in TEXT */
    while (i < len) {
        size_t at = i;
        int b = s[i] < 0x80 ? s[i++] : original_byte(g->charset, next_char(s, len, &i));
        if (need > 0 && b >= 0x80 && b <= 0xBF) {
            seq[nseq++] = b;
            if (nseq == need + 1) {
                seen[EG_UTF8] = 1;
                if (!g->sample[0] && i - seq_from < sizeof g->sample)
                    memcpy(g->sample, s + seq_from, i - seq_from);
                nseq = need = 0;
            }
            continue;
        }
        for (int k = 0; k < nseq; k++) /* an unfinished sequence: its bytes were stray */
            stray(g, seq[k], seen);
        nseq = need = 0;
        if (b < 0)
            continue;
        if ((need = lead_needs(b)) > 0) {
            seq[nseq++] = b;
            seq_from = at;
        } else {
            stray(g, b, seen);
        }
    }
    for (int k = 0; k < nseq; k++)
        stray(g, seq[k], seen);
    for (int k = 0; k < EG_COUNT; k++) {
        if (!seen[k])
            continue;
        if (g->lines[k] < ENCGUESS_LINES)
            g->at[k][g->lines[k]] = line;
        g->lines[k]++;
    }
}

/* "line 4" or "lines 4, 9, 12 and 30 more" */
static void where(const encguess *g, int k, char *buf, size_t cap)
{
    unsigned long long n = g->lines[k], shown = n < ENCGUESS_LINES ? n : ENCGUESS_LINES;
    size_t o = (size_t)snprintf(buf, cap, "line%s ", n > 1 ? "s" : "");
    for (unsigned long long i = 0; i < shown && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%ld", i == 0 ? "" : i == shown - 1 && n == shown ? " and " : ", ",
                              g->at[k][i]);
    if (o < cap && n > shown)
        snprintf(buf + o, cap - o, " and %llu more", n - shown);
}

int encguess_verdict(const encguess *g, char *msg, size_t cap)
{
    char w[160];
    const char *declared = g->charset == CS_LATIN1 ? "latin1 (ISO-8859-1)" : "cp1252 (Windows-1252)";
    if (g->charset == CS_NONE)
        return 0;
    if (g->lines[EG_UTF8] && !g->lines[EG_EIGHTBIT] && !g->lines[EG_C1]) {
        where(g, EG_UTF8, w, sizeof w);
        snprintf(msg, cap,
                 "the mapping declares encoding = %s, but the export is UTF-8: %s hold%s UTF-8 sequences "
                 "('%s' read as declared) and no other byte over 0x7F; set encoding = UTF-8 in [input]",
                 declared, w, g->lines[EG_UTF8] > 1 ? "" : "s", g->sample);
        return 1;
    }
    if (g->lines[EG_C1]) {
        where(g, EG_C1, w, sizeof w);
        snprintf(msg, cap,
                 "the mapping declares encoding = %s, but %s hold%s bytes 0x80-0x9F, control codes in ISO-8859-1 "
                 "that in practice are Windows-1252's characters (such as the 'oe' of 'C%sur', a typographic "
                 "apostrophe, the euro sign); set encoding = cp1252 in [input]",
                 declared, w, g->lines[EG_C1] > 1 ? "" : "s", "\xc5\x93");
        return 1;
    }
    if (g->lines[EG_UTF8]) {
        where(g, EG_UTF8, w, sizeof w);
        snprintf(msg, cap,
                 "%s of this %s export hold%s UTF-8 sequences ('%s' read as declared) among lines that are not "
                 "UTF-8: their names will not match other agencies'; correct them in the source system",
                 w, declared, g->lines[EG_UTF8] > 1 ? "" : "s", g->sample);
        return 2;
    }
    return 0;
}
