/*
 * f32-gemm-8x32-avx512f: AVX-512F. The 8x32 tile holds 16 ZMM accumulators (enough independent FMAs to
 * cover latency on two FMA ports) plus 2 B vectors and a broadcast. Column tails use opmasks: masked
 * loads/stores never touch (or fault on) masked-off memory, so one code path serves every width.
 */
#include <immintrin.h>
#include <stdint.h>

#include "common/isa.h"
#include "f32-gemm/f32_gemm.h"

#define MR 8
#define NR 32

/* Lanes [0, n) of a 16-lane mask, n clamped to [0, 16]. */
MINNOW_INLINE MINNOW_TARGET_AVX512 __mmask16 lanes_below(size_t n) {
    return n >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << n) - 1u);
}

MINNOW_TARGET_AVX512 static void pack_b_avx512f(size_t kc, size_t nc, const float* b, size_t ldb, float* bp) {
    for (size_t j0 = 0; j0 < nc; j0 += NR) {
        const float* src = b + j0;
        const size_t w = nc - j0;
        const __mmask16 m0 = lanes_below(w);
        const __mmask16 m1 = lanes_below(w > 16 ? w - 16 : 0);
        for (size_t p = 0; p < kc; p++, src += ldb, bp += NR) {
            _mm512_store_ps(bp, _mm512_maskz_loadu_ps(m0, src));
            _mm512_store_ps(bp + 16, _mm512_maskz_loadu_ps(m1, src + 16));
        }
    }
}

/* One tile of `rows` (a compile-time constant after inlining) x nr. */
MINNOW_INLINE MINNOW_TARGET_AVX512 void tile_avx512f(const size_t rows, size_t nr, size_t kc, const float* a,
                                                     size_t lda, const float* bp, float* c, size_t ldc,
                                                     int load_c) {
    __m512 acc0[MR], acc1[MR];
    #pragma GCC unroll 8
    for (size_t r = 0; r < rows; r++) {
        acc0[r] = _mm512_setzero_ps();
        acc1[r] = _mm512_setzero_ps();
    }
    for (size_t p = 0; p < kc; p++, bp += NR) {
        const __m512 b0 = _mm512_load_ps(bp);
        const __m512 b1 = _mm512_load_ps(bp + 16);
        #pragma GCC unroll 8
        for (size_t r = 0; r < rows; r++) {
            const __m512 av = _mm512_set1_ps(a[r * lda + p]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
    }
    const __mmask16 m0 = lanes_below(nr);
    const __mmask16 m1 = lanes_below(nr > 16 ? nr - 16 : 0);
    #pragma GCC unroll 8
    for (size_t r = 0; r < rows; r++) {
        float* cr = c + r * ldc;
        if (load_c) {
            acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(m0, cr));
            acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(m1, cr + 16));
        }
        _mm512_mask_storeu_ps(cr, m0, acc0[r]);
        _mm512_mask_storeu_ps(cr + 16, m1, acc1[r]);
    }
}

MINNOW_TARGET_AVX512 static void ukernel_8x32_avx512f(size_t mr, size_t nr, size_t kc, const float* a, size_t lda,
                                                      const float* bp, float* c, size_t ldc, int load_c) {
    switch (mr) {
        case 8: tile_avx512f(8, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 7: tile_avx512f(7, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 6: tile_avx512f(6, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 5: tile_avx512f(5, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 4: tile_avx512f(4, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 3: tile_avx512f(3, nr, kc, a, lda, bp, c, ldc, load_c); break;
        case 2: tile_avx512f(2, nr, kc, a, lda, bp, c, ldc, load_c); break;
        default: tile_avx512f(1, nr, kc, a, lda, bp, c, ldc, load_c); break;
    }
}

const struct minnow_f32_gemm_config minnow_f32_gemm_avx512f_config = {
    .isa = "avx512f",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 144,
    .nc = 1024,
    .ukernel = ukernel_8x32_avx512f,
    .pack_b = pack_b_avx512f,
};
