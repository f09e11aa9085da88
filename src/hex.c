#include "hex.h"

static const char digits[] = "0123456789abcdef";

/* 1 + the value of each lowercase hex digit, 0 for any other byte. */
static const unsigned char value[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16};

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        *out++ = digits[in[i] >> 4];
        *out++ = digits[in[i] & 15];
    }
    *out = '\0';
}

int hex_decode(const char *s, size_t len, unsigned char *out, size_t n)
{
    if (len != 2 * n)
        return -1;
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = 0; /* an invalid digit is 0 - 1u: every bit set */
    for (size_t i = 0; i < n; i++) {
        unsigned hi = value[u[2 * i]] - 1u, lo = value[u[2 * i + 1]] - 1u;
        bad |= hi | lo;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return bad > 15 ? -1 : 0;
}

int hex_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++)
        if (!value[u[i]])
            return 0;
    return 1;
}
