/*
 * f32-gemm-6x16-avx2: AVX2 + FMA3. The 6x16 tile keeps 12 accumulators + 2 B vectors + 1 broadcast in the
 * 16 YMM registers: 12 independent FMAs per k step cover the 4-cycle latency on two FMA pipes, and per k the
 * kernel loads 2 B vectors and 6 A scalars (broadcasts fold into the FMA's load port on Zen 4 and Intel).
 * A and B arrive packed (f32_gemm.h), so every load is sequential and aligned; edges never reach here.
 * The m = 1 kernels stream B with several independent accumulators; they keep the tile's summation order.
 */
#include <immintrin.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-gemm/f32_gemm.h"

#define MR 6
#define NR 16

#define ROW(r)                                                   \
    do {                                                         \
        const __m256 av = _mm256_broadcast_ss(ap + (r));         \
        c##r##0 = _mm256_fmadd_ps(av, b0, c##r##0);              \
        c##r##1 = _mm256_fmadd_ps(av, b1, c##r##1);              \
    } while (0)

#define STORE(r)                                                                   \
    do {                                                                           \
        float* cr = c + (r) * ldc;                                                 \
        if (load_c) {                                                              \
            c##r##0 = _mm256_add_ps(_mm256_loadu_ps(cr), c##r##0);                 \
            c##r##1 = _mm256_add_ps(_mm256_loadu_ps(cr + 8), c##r##1);             \
        }                                                                          \
        _mm256_storeu_ps(cr, c##r##0);                                             \
        _mm256_storeu_ps(cr + 8, c##r##1);                                         \
    } while (0)

MINNOW_TARGET_AVX2 static void ukernel_6x16(size_t kc, const float* ap, const float* bp, float* c, size_t ldc,
                                            int load_c) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (size_t r = 0; r < MR; r++) {
        _mm_prefetch((const char*) (c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char*) (c + r * ldc + NR - 1), _MM_HINT_T0);
    }
    #pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(bp);
        const __m256 b1 = _mm256_load_ps(bp + 8);
        ROW(0);
        ROW(1);
        ROW(2);
        ROW(3);
        ROW(4);
        ROW(5);
        ap += MR;
        bp += NR;
    }
    STORE(0);
    STORE(1);
    STORE(2);
    STORE(3);
    STORE(4);
    STORE(5);
}

/* m = 1 on packed B: `panels` (compile-time after inlining) streams of NR columns, 2 accumulators each. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void row_panels(const size_t panels, size_t kc, const float* a, const float* bp,
                                                 float* c, int load_c) {
    __m256 acc[8];
    const float* src[4];
    #pragma GCC unroll 4
    for (size_t q = 0; q < panels; q++) {
        acc[2 * q] = _mm256_setzero_ps();
        acc[2 * q + 1] = _mm256_setzero_ps();
        src[q] = bp + q * kc * NR;
    }
    for (size_t p = 0; p < kc; p++) {
        const __m256 av = _mm256_broadcast_ss(a + p);
        #pragma GCC unroll 4
        for (size_t q = 0; q < panels; q++) {
            _mm_prefetch((const char*) (src[q] + (p + 32) * NR), _MM_HINT_T0);
            acc[2 * q] = _mm256_fmadd_ps(av, _mm256_load_ps(src[q] + p * NR), acc[2 * q]);
            acc[2 * q + 1] = _mm256_fmadd_ps(av, _mm256_load_ps(src[q] + p * NR + 8), acc[2 * q + 1]);
        }
    }
    #pragma GCC unroll 8
    for (size_t v = 0; v < 2 * panels; v++) {
        __m256 x = acc[v];
        if (load_c) {
            x = _mm256_add_ps(_mm256_load_ps(c + 8 * v), x);
        }
        _mm256_store_ps(c + 8 * v, x);
    }
}

MINNOW_TARGET_AVX2 static void ukernel_row_avx2(size_t kc, const float* a, const float* bp, size_t panels, float* c,
                                                int load_c) {
    switch (panels) {
        case 4: row_panels(4, kc, a, bp, c, load_c); break;
        case 3: row_panels(3, kc, a, bp, c, load_c); break;
        case 2: row_panels(2, kc, a, bp, c, load_c); break;
        default: row_panels(1, kc, a, bp, c, load_c); break;
    }
}

/* Lanes [0, n) all ones, n in [0, 8]. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i lanes_below(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/*
 * m = 1 on unpacked B, n <= MINNOW_F32_GEMV_STRIP: column sums live in an L1 buffer while the rows of B stream past, four
 * rows per pass (one load and store of the sums per four FMAs). Column tails use vmaskmov, which never
 * touches masked-off memory.
 */
MINNOW_TARGET_AVX2 void minnow_f32_gemv_avx2(size_t n, size_t kc, const float* a, const float* b, size_t ldb,
                                             float* c, int load_c) {
    float acc[MINNOW_F32_GEMV_STRIP] __attribute__((aligned(64)));
    const size_t nv = n / 8 * 8;
    const __m256i tail = lanes_below(n - nv);
    for (size_t j = 0; j < n; j += 8) {
        _mm256_store_ps(acc + j, _mm256_setzero_ps());
    }
    size_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        const float* b0 = b + p * ldb;
        const float* b1 = b0 + ldb;
        const float* b2 = b1 + ldb;
        const float* b3 = b2 + ldb;
        const __m256 a0 = _mm256_broadcast_ss(a + p), a1 = _mm256_broadcast_ss(a + p + 1);
        const __m256 a2 = _mm256_broadcast_ss(a + p + 2), a3 = _mm256_broadcast_ss(a + p + 3);
        size_t j = 0;
        for (; j < nv; j += 8) {
            __m256 s = _mm256_load_ps(acc + j);
            s = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b0 + j), s);
            s = _mm256_fmadd_ps(a1, _mm256_loadu_ps(b1 + j), s);
            s = _mm256_fmadd_ps(a2, _mm256_loadu_ps(b2 + j), s);
            s = _mm256_fmadd_ps(a3, _mm256_loadu_ps(b3 + j), s);
            _mm256_store_ps(acc + j, s);
        }
        if (j < n) {
            __m256 s = _mm256_load_ps(acc + j);
            s = _mm256_fmadd_ps(a0, _mm256_maskload_ps(b0 + j, tail), s);
            s = _mm256_fmadd_ps(a1, _mm256_maskload_ps(b1 + j, tail), s);
            s = _mm256_fmadd_ps(a2, _mm256_maskload_ps(b2 + j, tail), s);
            s = _mm256_fmadd_ps(a3, _mm256_maskload_ps(b3 + j, tail), s);
            _mm256_store_ps(acc + j, s);
        }
    }
    for (; p < kc; p++) {
        const float* b0 = b + p * ldb;
        const __m256 a0 = _mm256_broadcast_ss(a + p);
        size_t j = 0;
        for (; j < nv; j += 8) {
            _mm256_store_ps(acc + j, _mm256_fmadd_ps(a0, _mm256_loadu_ps(b0 + j), _mm256_load_ps(acc + j)));
        }
        if (j < n) {
            _mm256_store_ps(acc + j, _mm256_fmadd_ps(a0, _mm256_maskload_ps(b0 + j, tail), _mm256_load_ps(acc + j)));
        }
    }
    size_t j = 0;
    for (; j < nv; j += 8) {
        __m256 s = _mm256_load_ps(acc + j);
        if (load_c) {
            s = _mm256_add_ps(_mm256_loadu_ps(c + j), s);
        }
        _mm256_storeu_ps(c + j, s);
    }
    if (j < n) {
        __m256 s = _mm256_load_ps(acc + j);
        if (load_c) {
            s = _mm256_add_ps(_mm256_maskload_ps(c + j, tail), s);
        }
        _mm256_maskstore_ps(c + j, tail, s);
    }
}

MINNOW_TARGET_AVX2 static void epilogue_avx2(size_t rows, float* c, size_t ldc, const float* bias, int act, float lo,
                                             float hi) {
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    for (size_t r = 0; r < rows; r++) {
        float* cr = c + r * ldc;
        for (size_t j = 0; j < NR; j += 8) {
            __m256 v = _mm256_loadu_ps(cr + j);
            if (bias != NULL) {
                v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
            }
            _mm256_storeu_ps(cr + j, minnow_act_avx2(act, v, vlo, vhi));
        }
    }
}

const struct minnow_f32_gemm_config minnow_f32_gemm_avx2_config = {
    .isa = "avx2",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 144,
    .nc = 4096,
    .ukernel = ukernel_6x16,
    .ukernel_row = ukernel_row_avx2,
    .gemv = minnow_f32_gemv_avx2,
    .epilogue = epilogue_avx2,
};
