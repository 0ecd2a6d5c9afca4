/*
 * f32-gemm-8x32-avx512f: AVX-512F. The 8x32 tile holds 16 ZMM accumulators (enough independent FMAs to
 * cover latency on two FMA ports) plus 2 B vectors and a broadcast, leaving registers for the compiler.
 * Same structure as the AVX2 variant: packed A and B, full tiles only (the driver handles edges), an
 * m = 1 kernel on packed panels; the unpacked m = 1 kernel is the AVX2 one (memory-bound either way).
 * Only intrinsics that src/test/c/emu emulates, so this file is tested on machines without AVX-512.
 */
#include <immintrin.h>

#include "common/isa.h"
#include "f32-gemm/f32_gemm.h"

#define MR 8
#define NR 32

MINNOW_TARGET_AVX512 static void ukernel_8x32(size_t kc, const float* ap, const float* bp, float* c, size_t ldc,
                                              int load_c) {
    __m512 acc0[MR], acc1[MR];
    #pragma GCC unroll 8
    for (size_t r = 0; r < MR; r++) {
        acc0[r] = _mm512_setzero_ps();
        acc1[r] = _mm512_setzero_ps();
    }
    #pragma GCC unroll 2
    for (size_t p = 0; p < kc; p++, ap += MR, bp += NR) {
        const __m512 b0 = _mm512_load_ps(bp);
        const __m512 b1 = _mm512_load_ps(bp + 16);
        #pragma GCC unroll 8
        for (size_t r = 0; r < MR; r++) {
            const __m512 av = _mm512_set1_ps(ap[r]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
    }
    #pragma GCC unroll 8
    for (size_t r = 0; r < MR; r++) {
        float* cr = c + r * ldc;
        if (load_c) {
            acc0[r] = _mm512_add_ps(_mm512_loadu_ps(cr), acc0[r]);
            acc1[r] = _mm512_add_ps(_mm512_loadu_ps(cr + 16), acc1[r]);
        }
        _mm512_storeu_ps(cr, acc0[r]);
        _mm512_storeu_ps(cr + 16, acc1[r]);
    }
}

/* m = 1 on packed B: `panels` (compile-time after inlining) streams of NR columns, 2 accumulators each. */
MINNOW_INLINE MINNOW_TARGET_AVX512 void row_panels(const size_t panels, size_t kc, const float* a, const float* bp,
                                                   float* c, int load_c) {
    __m512 acc[8];
    #pragma GCC unroll 4
    for (size_t q = 0; q < panels; q++) {
        acc[2 * q] = _mm512_setzero_ps();
        acc[2 * q + 1] = _mm512_setzero_ps();
    }
    for (size_t p = 0; p < kc; p++) {
        const __m512 av = _mm512_set1_ps(a[p]);
        #pragma GCC unroll 4
        for (size_t q = 0; q < panels; q++) {
            const float* src = bp + q * kc * NR + p * NR;
            acc[2 * q] = _mm512_fmadd_ps(av, _mm512_load_ps(src), acc[2 * q]);
            acc[2 * q + 1] = _mm512_fmadd_ps(av, _mm512_load_ps(src + 16), acc[2 * q + 1]);
        }
    }
    #pragma GCC unroll 8
    for (size_t v = 0; v < 2 * panels; v++) {
        __m512 x = acc[v];
        if (load_c) {
            x = _mm512_add_ps(_mm512_load_ps(c + 16 * v), x);
        }
        _mm512_store_ps(c + 16 * v, x);
    }
}

MINNOW_TARGET_AVX512 static void ukernel_row_avx512(size_t kc, const float* a, const float* bp, size_t panels,
                                                    float* c, int load_c) {
    switch (panels) {
        case 4: row_panels(4, kc, a, bp, c, load_c); break;
        case 3: row_panels(3, kc, a, bp, c, load_c); break;
        case 2: row_panels(2, kc, a, bp, c, load_c); break;
        default: row_panels(1, kc, a, bp, c, load_c); break;
    }
}

/* Once per tile per GEMM, so scalar is fast enough and shares the exact float steps of common/epilogue.h. */
static void epilogue_avx512(size_t rows, float* c, size_t ldc, const float* bias, int act, float lo, float hi) {
    minnow_f32_gemm_epilogue_scalar(rows, NR, c, ldc, bias, act, lo, hi);
}

const struct minnow_f32_gemm_config minnow_f32_gemm_avx512f_config = {
    .isa = "avx512f",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 144,
    .nc = 4096,
    .ukernel = ukernel_8x32,
    .ukernel_row = ukernel_row_avx512,
    .gemv = minnow_f32_gemv_avx2,
    .epilogue = epilogue_avx512,
};
