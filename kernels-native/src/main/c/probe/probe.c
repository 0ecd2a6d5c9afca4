/*
 * Machine probes, so benchmark results can be read as a fraction of what this core can do:
 *   minnow_probe_fma:  single-thread fp32 FMA peak (the caller times it: 2 * lanes * chains * iters flops);
 *   minnow_probe_read: single-thread read bandwidth (the caller times a sum over a buffer >> L3).
 * Written in C rather than Java because the JIT does not keep 16 FMA chains in registers and a probe that
 * reads below the real peak makes every % of peak a lie.
 */
#include <immintrin.h>
#include <stddef.h>

#include "common/isa.h"
#include "minnow_kernels.h"

/*
 * Zen 4: FMA latency 4 cycles, 2 FMA pipes -> at least 8 chains in flight. AVX2 has 16 YMM registers, two
 * hold the operands, so 12 chains (14 would leave no slack for the compiler); AVX-512 has 32, so 16.
 * The chains compute c = c * x + y with x just below 1, so values stay bounded, denormals never appear,
 * and the compiler cannot fold the loop away.
 */
#define CHAINS_AVX2 12
#define CHAINS_AVX512 16

/* Named variables, not an array: GCC keeps an array of vectors in memory once an asm statement touches it. */
#define FMA4(c0, c1, c2, c3, F) c0 = F(c0, m, a); c1 = F(c1, m, a); c2 = F(c2, m, a); c3 = F(c3, m, a)

MINNOW_TARGET_AVX2 static float fma_avx2(long iters, float x, float y) {
    const __m256 m = _mm256_set1_ps(x), a = _mm256_set1_ps(y);
    __m256 c0 = _mm256_set1_ps(0.0f), c1 = _mm256_set1_ps(1.0f), c2 = _mm256_set1_ps(2.0f), c3 = _mm256_set1_ps(3.0f);
    __m256 c4 = _mm256_set1_ps(4.0f), c5 = _mm256_set1_ps(5.0f), c6 = _mm256_set1_ps(6.0f), c7 = _mm256_set1_ps(7.0f);
    __m256 c8 = _mm256_set1_ps(8.0f), c9 = _mm256_set1_ps(9.0f), c10 = _mm256_set1_ps(10.0f), c11 = _mm256_set1_ps(11.0f);
    for (long it = 0; it < iters; it++) {
        FMA4(c0, c1, c2, c3, _mm256_fmadd_ps);
        FMA4(c4, c5, c6, c7, _mm256_fmadd_ps);
        FMA4(c8, c9, c10, c11, _mm256_fmadd_ps);
        /* An empty asm that "changes" the accumulators keeps the compiler from collapsing iterations. */
        __asm__ volatile("" : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3), "+x"(c4), "+x"(c5));
        __asm__ volatile("" : "+x"(c6), "+x"(c7), "+x"(c8), "+x"(c9), "+x"(c10), "+x"(c11));
    }
    c0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                       _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    c0 = _mm256_add_ps(c0, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    float out[8];
    _mm256_storeu_ps(out, c0);
    return out[0] + out[7];
}

MINNOW_TARGET_AVX512 static float fma_avx512(long iters, float x, float y) {
    const __m512 m = _mm512_set1_ps(x), a = _mm512_set1_ps(y);
    __m512 c0 = _mm512_set1_ps(0.0f), c1 = _mm512_set1_ps(1.0f), c2 = _mm512_set1_ps(2.0f), c3 = _mm512_set1_ps(3.0f);
    __m512 c4 = _mm512_set1_ps(4.0f), c5 = _mm512_set1_ps(5.0f), c6 = _mm512_set1_ps(6.0f), c7 = _mm512_set1_ps(7.0f);
    __m512 c8 = _mm512_set1_ps(8.0f), c9 = _mm512_set1_ps(9.0f), c10 = _mm512_set1_ps(10.0f), c11 = _mm512_set1_ps(11.0f);
    __m512 c12 = _mm512_set1_ps(12.0f), c13 = _mm512_set1_ps(13.0f), c14 = _mm512_set1_ps(14.0f);
    __m512 c15 = _mm512_set1_ps(15.0f);
    for (long it = 0; it < iters; it++) {
        FMA4(c0, c1, c2, c3, _mm512_fmadd_ps);
        FMA4(c4, c5, c6, c7, _mm512_fmadd_ps);
        FMA4(c8, c9, c10, c11, _mm512_fmadd_ps);
        FMA4(c12, c13, c14, c15, _mm512_fmadd_ps);
        __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5), "+v"(c6), "+v"(c7));
        __asm__ volatile("" : "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11), "+v"(c12), "+v"(c13), "+v"(c14), "+v"(c15));
    }
    c0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                       _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
    c8 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)),
                       _mm512_add_ps(_mm512_add_ps(c12, c13), _mm512_add_ps(c14, c15)));
    float out[16];
    _mm512_storeu_ps(out, _mm512_add_ps(c0, c8));
    return out[0] + out[15];
}

int minnow_probe_fma_lanes(int isa) {
    if (isa == MINNOW_PROBE_AVX512) return (minnow_cpu_features() & MINNOW_CPU_AVX512) ? 16 : 0;
    if (isa == MINNOW_PROBE_AVX2) return (minnow_cpu_features() & MINNOW_CPU_AVX2) ? 8 : 0;
    return 0;
}

long long minnow_probe_fma_flops(int isa, long long iters) {
    const int chains = isa == MINNOW_PROBE_AVX512 ? CHAINS_AVX512 : CHAINS_AVX2;
    return 2LL * chains * minnow_probe_fma_lanes(isa) * (iters < 0 ? 0 : iters);
}

float minnow_probe_fma(int isa, long long iters, float x, float y) {
    if (iters <= 0 || minnow_probe_fma_lanes(isa) == 0) return -1.0f;
    return isa == MINNOW_PROBE_AVX512 ? fma_avx512((long) iters, x, y) : fma_avx2((long) iters, x, y);
}

/*
 * Eight independent accumulators over 256-byte steps: enough loads in flight that the core's
 * line-fill buffers, not the add latency, limit the rate. The sum is returned so the reads are not dead.
 */
MINNOW_TARGET_AVX2 static float read_avx2(const float* p, size_t n) {
    __m256 s[8];
    for (int i = 0; i < 8; i++) s[i] = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        #pragma GCC unroll 8
        for (int j = 0; j < 8; j++) s[j] = _mm256_add_ps(s[j], _mm256_loadu_ps(p + i + 8 * j));
    }
    float tail = 0.0f;
    for (; i < n; i++) tail += p[i];
    for (int j = 1; j < 8; j++) s[0] = _mm256_add_ps(s[0], s[j]);
    float out[8];
    _mm256_storeu_ps(out, s[0]);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7] + tail;
}

static float read_c(const float* p, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += p[i];
        s1 += p[i + 1];
        s2 += p[i + 2];
        s3 += p[i + 3];
    }
    for (; i < n; i++) s0 += p[i];
    return s0 + s1 + s2 + s3;
}

float minnow_probe_read(const float* p, long long n) {
    if (n <= 0) return 0.0f;
    return (minnow_cpu_features() & MINNOW_CPU_AVX2) ? read_avx2(p, (size_t) n) : read_c(p, (size_t) n);
}
