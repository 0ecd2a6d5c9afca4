/*
 * f32-gemm-6x16-avx2: AVX2 + FMA3. The 6x16 tile keeps 12 accumulators + 2 B vectors + 1 broadcast in the
 * 16 YMM registers. Full tiles use plain loads/stores of C; only column tails use vmaskmov (which never
 * touches masked-off memory, and is slow for stores on some AMD cores, hence not used for full tiles).
 */
#include <immintrin.h>

#include "common/isa.h"
#include "f32-gemm/f32_gemm.h"

#define MR 6
#define NR 16

/* Lanes [0, n) all ones, n in [0, 8]. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i lanes_below(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

MINNOW_TARGET_AVX2 static void pack_b_avx2(size_t kc, size_t nc, const float* b, size_t ldb, float* bp) {
    for (size_t j0 = 0; j0 < nc; j0 += NR) {
        const float* src = b + j0;
        const size_t w = nc - j0;
        if (w >= NR) {
            for (size_t p = 0; p < kc; p++, src += ldb, bp += NR) {
                _mm256_store_ps(bp, _mm256_loadu_ps(src));
                _mm256_store_ps(bp + 8, _mm256_loadu_ps(src + 8));
            }
        } else {
            const __m256i m0 = lanes_below(w < 8 ? w : 8);
            const __m256i m1 = lanes_below(w > 8 ? w - 8 : 0);
            for (size_t p = 0; p < kc; p++, src += ldb, bp += NR) {
                _mm256_store_ps(bp, _mm256_maskload_ps(src, m0));
                _mm256_store_ps(bp + 8, _mm256_maskload_ps(src + 8, m1));
            }
        }
    }
}

/* One tile of `rows` (a compile-time constant after inlining) x nr. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_avx2(const size_t rows, size_t nr, size_t kc, const float* a, size_t lda,
                                                const float* bp, float* c, size_t ldc, int load_c) {
    __m256 acc0[MR], acc1[MR];
    #pragma GCC unroll 6
    for (size_t r = 0; r < rows; r++) {
        acc0[r] = _mm256_setzero_ps();
        acc1[r] = _mm256_setzero_ps();
    }
    for (size_t p = 0; p < kc; p++, bp += NR) {
        const __m256 b0 = _mm256_load_ps(bp);
        const __m256 b1 = _mm256_load_ps(bp + 8);
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            const __m256 av = _mm256_broadcast_ss(a + r * lda + p);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
    }
    if (nr == NR) {
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            float* cr = c + r * ldc;
            if (load_c) {
                acc0[r] = _mm256_add_ps(acc0[r], _mm256_loadu_ps(cr));
                acc1[r] = _mm256_add_ps(acc1[r], _mm256_loadu_ps(cr + 8));
            }
            _mm256_storeu_ps(cr, acc0[r]);
            _mm256_storeu_ps(cr + 8, acc1[r]);
        }
    } else {
        const __m256i m0 = lanes_below(nr < 8 ? nr : 8);
        const __m256i m1 = lanes_below(nr > 8 ? nr - 8 : 0);
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            float* cr = c + r * ldc;
            if (load_c) {
                acc0[r] = _mm256_add_ps(acc0[r], _mm256_maskload_ps(cr, m0));
                acc1[r] = _mm256_add_ps(acc1[r], _mm256_maskload_ps(cr + 8, m1));
            }
            _mm256_maskstore_ps(cr, m0, acc0[r]);
            _mm256_maskstore_ps(cr + 8, m1, acc1[r]);
        }
    }
}

MINNOW_TARGET_AVX2 static void ukernel_6x16_avx2(size_t mr, size_t nr, size_t kc, const float* a, size_t lda,
                                                 const float* bp, float* c, size_t ldc, int load_c) {
    switch (mr) {
        case 6: tile_avx2(6, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 5: tile_avx2(5, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 4: tile_avx2(4, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 3: tile_avx2(3, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 2: tile_avx2(2, nr, kc, a, lda, bp, c, ldc, load_c); break;
        default: tile_avx2(1, nr, kc, a, lda, bp, c, ldc, load_c); break;
    }
}

const struct minnow_f32_gemm_config minnow_f32_gemm_avx2_config = {
    .isa = "avx2",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 72,
    .nc = 1024,
    .ukernel = ukernel_6x16_avx2,
    .pack_b = pack_b_avx2,
};
