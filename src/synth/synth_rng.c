/* synth_rng: xoshiro256** (Blackman & Vigna, public domain reference) seeded with splitmix64. */
#include <stddef.h>

#include "synth_rng.h"

uint64_t synth_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t synth_mix3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t x = a;
    uint64_t h = synth_splitmix64(&x);
    x = h ^ b;
    h = synth_splitmix64(&x);
    x = h ^ c;
    return synth_splitmix64(&x);
}

void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t x = synth_mix3(seed, a, b);
    for (int i = 0; i < 4; i++)
        r->s[i] = synth_splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t synth_rng_next(synth_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t synth_rng_below(synth_rng *r, uint32_t n)
{
    uint64_t m = (synth_rng_next(r) >> 32) * (uint64_t)n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (synth_rng_next(r) >> 32) * (uint64_t)n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

int64_t synth_rng_range(synth_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span > UINT32_MAX)
        return lo + (int64_t)(synth_rng_next(r) % span);
    return lo + (int64_t)synth_rng_below(r, (uint32_t)span);
}

int synth_rng_chance(synth_rng *r, uint32_t ppm)
{
    return synth_rng_below(r, 1000000u) < ppm;
}

size_t synth_rng_weighted(synth_rng *r, const int *w, size_t n)
{
    uint32_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (uint32_t)w[i];
    uint32_t x = synth_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < (uint32_t)w[i])
            return i;
        x -= (uint32_t)w[i];
    }
    return n - 1;
}
