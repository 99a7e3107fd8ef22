/* Philox 4x32-10 (Salmon et al., SC 2011): a counter-based generator. The
 * counter is (offset / 4 low, offset / 4 high, stream low, stream high), the
 * key is the seed; each block gives four 32-bit words. Normals come from
 * Box-Muller on consecutive word pairs. The same arithmetic runs in the
 * CUDA backend, so one seed gives one stream everywhere. */
#include <math.h>

#include "txt2vid/nn.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

void t2v_philox4x32(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(PHILOX_M0, c0, &hi0, &lo0);
        mulhilo(PHILOX_M1, c2, &hi1, &lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0;
        uint32_t n1 = lo1;
        uint32_t n2 = hi0 ^ c3 ^ k1;
        uint32_t n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

float t2v_u32_to_uniform(uint32_t x)
{
    /* 24 high bits -> (0, 1]: never 0, so log() in Box-Muller is finite */
    return ((float)(x >> 8) + 1.0f) * (1.0f / 16777216.0f);
}

static void block(uint32_t w[4], uint64_t seed, uint64_t stream, uint64_t blk)
{
    uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)stream,
                       (uint32_t)(stream >> 32)};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    t2v_philox4x32(w, ctr, key);
}

void t2v_rng_uniform_host(float *out, size_t n, uint64_t seed, uint64_t stream, uint64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t j = offset + i;
        uint32_t w[4];
        block(w, seed, stream, j >> 2);
        out[i] = t2v_u32_to_uniform(w[j & 3]);
    }
}

/* Normal number j uses words (2*(j/2), 2*(j/2)+1) of the uniform stream: the
 * pair gives cos and sin halves of one Box-Muller draw. */
void t2v_rng_normal_host(float *out, size_t n, uint64_t seed, uint64_t stream, uint64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t j = offset + i;
        uint32_t w[4];
        block(w, seed, stream, j >> 2);
        unsigned pair = (unsigned)(j & 2);
        float u1 = t2v_u32_to_uniform(w[pair]);
        float u2 = t2v_u32_to_uniform(w[pair + 1]);
        float r = sqrtf(-2.0f * logf(u1));
        float th = 6.2831853071795864f * u2;
        out[i] = (j & 1) ? r * sinf(th) : r * cosf(th);
    }
}
