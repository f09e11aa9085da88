/* synth_rng: the generator's own PRNG, xoshiro256** seeded through splitmix64.
 * Integer-only, so a seed gives the same numbers on every machine. */
#ifndef SYNTH_RNG_H
#define SYNTH_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} synth_rng;

/* One step of splitmix64 on *x; returns the next output. */
uint64_t synth_splitmix64(uint64_t *x);

/* Mix three 64-bit words into one (for deriving independent stream seeds). */
uint64_t synth_mix3(uint64_t a, uint64_t b, uint64_t c);

/* Seed a stream from (seed, a, b): distinct triples give independent streams. */
void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t a, uint64_t b);

/* Next 64 random bits. */
uint64_t synth_rng_next(synth_rng *r);

/* Uniform integer in [0, n), n >= 1, unbiased (Lemire's method). */
uint32_t synth_rng_below(synth_rng *r, uint32_t n);

/* Uniform integer in [lo, hi], hi - lo < 2^32. */
int64_t synth_rng_range(synth_rng *r, int64_t lo, int64_t hi);

/* True with probability ppm / 1,000,000. */
int synth_rng_chance(synth_rng *r, uint32_t ppm);

/* Index drawn from integer weights w[0..n-1] (total > 0). */
size_t synth_rng_weighted(synth_rng *r, const int *w, size_t n);

#endif
