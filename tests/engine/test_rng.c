/* Philox 4x32-10 and the random fills: the published known-answer vectors
 * (Random123's kat_vectors), the uniform mapping's range, slicing (offset
 * k gives the tail of a longer draw), distinct streams and seeds, moments
 * within statistical bounds, the backend kernels equal to the host fills,
 * and the initialisers drawing from the same stream. */
#include <math.h>

#include "op_check.h"

static void known_answers(void)
{
    static const uint32_t ctr[3][4] = {
        {0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u},
        {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
    };
    static const uint32_t key[3][2] = {
        {0x00000000u, 0x00000000u},
        {0xffffffffu, 0xffffffffu},
        {0xa4093822u, 0x299f31d0u},
    };
    static const uint32_t want[3][4] = {
        {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
        {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
        {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u},
    };
    static const char *names[3] = {"zero counter and key", "all-ones counter and key",
                                   "pi digits counter and key"};
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        t2v_philox4x32(out, ctr[i], key[i]);
        T2V_CHECK(memcmp(out, want[i], sizeof out) == 0,
                  "philox4x32-10 known answer, %s: %08x %08x %08x %08x", names[i], out[0],
                  out[1], out[2], out[3]);
    }
}

static void uniform_mapping(void)
{
    float lo = t2v_u32_to_uniform(0u), hi = t2v_u32_to_uniform(0xffffffffu);
    float mid = t2v_u32_to_uniform(0x80000000u);
    T2V_CHECK(lo > 0.0f && lo < 1e-6f && hi == 1.0f && fabsf(mid - 0.5f) < 1e-6f,
              "t2v_u32_to_uniform maps into (0, 1]: 0 -> %g, 2^31 -> %g, 2^32-1 -> %g", lo, mid,
              hi);
}

static void slicing(oc_ctx *oc)
{
    const long n = 1031;
    float *full_u = oc_hostf(oc, n), *full_n = oc_hostf(oc, n), *part = oc_hostf(oc, n);
    t2v_rng_uniform_host(full_u, n, 1234, 7, 0);
    t2v_rng_normal_host(full_n, n, 1234, 7, 0);
    const long offsets[] = {1, 2, 3, 5, 17, 1000};
    for (int i = 0; i < 6; i++) {
        long k = offsets[i];
        t2v_rng_uniform_host(part, n - k, 1234, 7, k);
        oc_report(oc_compare_exact(part, full_u + k, n - k),
                  "uniform slice at offset %ld equals the tail of a longer draw", k);
        t2v_rng_normal_host(part, n - k, 1234, 7, k);
        oc_report(oc_compare_exact(part, full_n + k, n - k),
                  "normal slice at offset %ld equals the tail of a longer draw", k);
    }
    /* other streams and seeds give other numbers */
    t2v_rng_uniform_host(part, n, 1234, 8, 0);
    long same = 0;
    for (long i = 0; i < n; i++)
        same += part[i] == full_u[i];
    T2V_CHECK(same < 5, "stream 8 differs from stream 7 (%ld of %ld equal)", same, n);
    t2v_rng_uniform_host(part, n, 1235, 7, 0);
    same = 0;
    for (long i = 0; i < n; i++)
        same += part[i] == full_u[i];
    T2V_CHECK(same < 5, "seed 1235 differs from seed 1234 (%ld of %ld equal)", same, n);
    /* high halves of seed and stream matter */
    t2v_rng_uniform_host(part, n, 1234 + (1ull << 40), 7, 0);
    same = 0;
    for (long i = 0; i < n; i++)
        same += part[i] == full_u[i];
    T2V_CHECK(same < 5, "seed high 32 bits change the stream (%ld of %ld equal)", same, n);
    t2v_rng_uniform_host(part, n, 1234, 7 + (1ull << 40), 0);
    same = 0;
    for (long i = 0; i < n; i++)
        same += part[i] == full_u[i];
    T2V_CHECK(same < 5, "stream high 32 bits change the stream (%ld of %ld equal)", same, n);
    oc_release(oc);
}

static void moments(oc_ctx *oc)
{
    const long n = 200000;
    float *u = oc_hostf(oc, n), *z = oc_hostf(oc, n);
    t2v_rng_uniform_host(u, n, 42, 3, 11);
    t2v_rng_normal_host(z, n, 42, 3, 11);
    double su = 0, suu = 0, sz = 0, szz = 0, umin = 1, umax = 0;
    long within1 = 0;
    for (long i = 0; i < n; i++) {
        su += u[i];
        suu += (double)u[i] * u[i];
        sz += z[i];
        szz += (double)z[i] * z[i];
        within1 += fabsf(z[i]) < 1.0f;
        umin = fmin(umin, u[i]);
        umax = fmax(umax, u[i]);
    }
    double mu = su / n, vu = suu / n - mu * mu, mz = sz / n, vz = szz / n - mz * mz;
    double p1 = (double)within1 / n;
    /* 5 standard errors: a correct generator fails with probability < 1e-6 */
    T2V_CHECK(umin > 0.0 && umax <= 1.0, "uniform draws lie in (0, 1] (min %g, max %g)", umin,
              umax);
    T2V_CHECK(fabs(mu - 0.5) < 5 * sqrt(1.0 / 12.0 / n), "uniform mean %.5f within 5 se of 0.5",
              mu);
    T2V_CHECK(fabs(vu - 1.0 / 12.0) < 5 * sqrt(1.0 / 180.0 / n),
              "uniform variance %.5f within 5 se of 1/12", vu);
    T2V_CHECK(fabs(mz) < 5 * sqrt(1.0 / n), "normal mean %.5f within 5 se of 0", mz);
    T2V_CHECK(fabs(vz - 1.0) < 5 * sqrt(2.0 / n), "normal variance %.5f within 5 se of 1", vz);
    double p = 0.682689492137;
    T2V_CHECK(fabs(p1 - p) < 5 * sqrt(p * (1 - p) / n),
              "normal P(|z| < 1) = %.5f within 5 se of 0.68269", p1);
    oc_release(oc);
}

static void backend_fills(oc_ctx *oc)
{
    const long ns[] = {1, 7, 1001, 10007};
    const uint64_t offsets[] = {0, 3, 5};
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 3; b++) {
            long n = ns[a];
            uint64_t off = offsets[b];
            float *host = oc_hostf(oc, n);
            double *want = oc_hostd(oc, n);
            float *dev = oc_alloc(oc, n);
            t2v_rng_uniform_host(host, n, 99, 5, off);
            oc->k->rng_uniform(oc->be, dev, n, 99, 5, off);
            oc_report(oc_compare_exact(oc_fetch(oc, dev, n), host, n),
                      "rng_uniform kernel equals the host fill n=%ld offset=%llu", n,
                      (unsigned long long)off);
            t2v_rng_normal_host(host, n, 99, 5, off);
            for (long i = 0; i < n; i++)
                want[i] = host[i];
            oc->k->rng_normal(oc->be, dev, n, 99, 5, off);
            /* a device's logf/sinf may differ from the host's by an ulp */
            oc_report(oc_compare(oc_fetch(oc, dev, n), want, n, 2e-6, 2e-6),
                      "rng_normal kernel equals the host fill n=%ld offset=%llu", n,
                      (unsigned long long)off);
            oc_finish_case(oc, "rng kernels");
        }
}

static void initialisers(oc_ctx *oc)
{
    const long n = 517;
    float *host = oc_hostf(oc, n);
    double *want = oc_hostd(oc, n);
    float *dev = oc_alloc(oc, n);
    t2v_rng_normal_host(host, n, 2017, 4, 0);
    for (long i = 0; i < n; i++)
        want[i] = 1.0 + 0.02 * host[i];
    t2v_status st = t2v_init_normal(oc->be, dev, n, 1.0f, 0.02f, 2017, 4);
    T2V_CHECK(st == T2V_OK, "t2v_init_normal returns OK");
    oc_report(oc_compare(oc_fetch(oc, dev, n), want, n, 1e-7, 1e-6),
              "t2v_init_normal(mean 1, std 0.02) = mean + std * normal stream from offset 0");
    st = t2v_init_const(oc->be, dev, n, -0.25f);
    for (long i = 0; i < n; i++)
        want[i] = -0.25;
    T2V_CHECK(st == T2V_OK, "t2v_init_const returns OK");
    oc_report(oc_compare(oc_fetch(oc, dev, n), want, n, 0, 0), "t2v_init_const fills -0.25");
    oc_finish_case(oc, "initialisers");
}

static void run_checks(oc_ctx *oc)
{
    known_answers();
    uniform_mapping();
    slicing(oc);
    moments(oc);
    backend_fills(oc);
    initialisers(oc);
}

OC_TEST_MAIN(run_checks)
