/*
 * rng.c - derived random streams.
 *
 * Every consumer (a node, a channel, the topology generator) gets its own
 * xoshiro256** stream seeded through splitmix64 from (seed, stream number),
 * so that adding a consumer or reordering a loop never changes the numbers
 * another consumer draws.
 */
#include "disco_sim.h"
#include "internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    return disco__splitmix_next(x);
}

void disco_rng_init(struct disco_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Mix the stream number through its own splitmix step first so that
     * neighbouring (seed, stream) pairs land far apart. */
    uint64_t mixer = stream;
    uint64_t x = seed ^ splitmix64(&mixer);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t disco_rng_next(struct disco_rng *rng)
{
    uint64_t *s = rng->s;
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

uint64_t disco_rng_below(struct disco_rng *rng, uint64_t bound)
{
    /* Lemire's multiply-and-reject: unbiased, one multiplication usually. */
    uint64_t x = disco_rng_next(rng);
    __uint128_t m = (__uint128_t)x * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = -bound % bound;
        while (low < threshold) {
            x = disco_rng_next(rng);
            m = (__uint128_t)x * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double disco_rng_unit(struct disco_rng *rng)
{
    return (double)(disco_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t disco__stream_seed(uint64_t seed, uint64_t stream)
{
    uint64_t mixer = stream;
    uint64_t x = seed ^ splitmix64(&mixer);
    return splitmix64(&x);
}
