/*
 * qs8-conv: what feeds a 2-D int8 convolution to the qs8-gemm kernels.
 *
 * minnow_qs8_quantize_nhwc: float32 NCHW planes -> 8-bit codes in NHWC order (pixel-major, channels adjacent),
 * q = clamp(rint(x / scale) + zero) exactly as ONNX QuantizeLinear (round half to even, saturate; NaN -> zero).
 *
 * minnow_qs8_im2col_nhwc: the patch of output position p0 + r in row r of a (lda bytes apart), columns in
 * (ky, kx, ic) order — so that one kernel row of a stride-1 conv is ONE contiguous run of kw * cg input bytes in NHWC
 * (one memcpy instead of cg * kw byte moves). Padding holds the zero point, so it adds nothing to sum (x - zero) * w.
 *
 * Java (QConv / Qs8Im2col) checks every size and offset against its segments before calling; these functions only
 * re-check that the shape is sane, so a bad call returns -1 instead of touching memory.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "common/isa.h"
#include "minnow_kernels.h"

/* 8 values at a time: the same division, clamp and half-to-even rounding as the scalar loop (so identical codes). */
MINNOW_TARGET_AVX2 static int quantize_avx2(const float* src, int hw, float scale, float lo, float hi, int zero, uint8_t* dst,
                                            int c) {
    const __m256 vs = _mm256_set1_ps(scale), vl = _mm256_set1_ps(lo), vh = _mm256_set1_ps(hi);
    const __m256i vz = _mm256_set1_epi32(zero);
    int p = 0;
    int32_t out[8];
    for (; p + 8 <= hw; p += 8) {
        __m256 v = _mm256_div_ps(_mm256_loadu_ps(src + p), vs);
        __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
        v = _mm256_min_ps(_mm256_max_ps(v, vl), vh);
        v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256i code = _mm256_add_epi32(_mm256_cvtps_epi32(v), vz);
        code = _mm256_blendv_epi8(code, vz, _mm256_castps_si256(nan));
        _mm256_storeu_si256((__m256i*) out, code);
        for (int i = 0; i < 8; i++) dst[(long) (p + i) * c] = (uint8_t) out[i];
    }
    return p;
}

int minnow_qs8_quantize_nhwc(const float* x, int c, int hw, float scale, int zero, int qmin, int qmax, uint8_t* q) {
    if (c < 0 || hw < 0 || !(scale > 0) || qmin > qmax || zero < qmin || zero > qmax) return -1;
    const float lo = (float) (qmin - zero), hi = (float) (qmax - zero);
    const int avx2 = (minnow_cpu_features() & MINNOW_CPU_AVX2) != 0;
    for (int ch = 0; ch < c; ch++) {
        const float* src = x + (long) ch * hw;
        uint8_t* dst = q + ch;
        int start = avx2 ? quantize_avx2(src, hw, scale, lo, hi, zero, dst, c) : 0;
        for (int p = start; p < hw; p++) {
            float v = src[p] / scale;
            int code;
            if (v != v) {
                code = zero;
            } else {
                v = v < lo ? lo : v > hi ? hi : v;
                /* |v| <= 255 here, so adding and removing 1.5 * 2^23 rounds to an integer, half to even (the default
                   rounding mode), without a libm call; volatile keeps the compiler from folding the pair away */
                volatile float t = v + 12582912.0f;
                code = (int) (t - 12582912.0f) + zero;
            }
            dst[(long) p * c] = (uint8_t) code;
        }
    }
    return 0;
}

int minnow_qs8_im2col_nhwc(const uint8_t* q, int c, int c0, int cg, int h, int w, int kh, int kw, int sh, int sw,
                           int ph, int pw, int dh, int dw, int oh, int ow, int p0, int rows, uint8_t zero, uint8_t* a,
                           int lda) {
    if (c < 1 || c0 < 0 || cg < 0 || c0 + cg > c || h < 1 || w < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1
        || dw < 1 || ph < 0 || pw < 0 || oh < 0 || ow < 1 || p0 < 0 || rows < 0 || (long) p0 + rows > (long) oh * ow
        || (long) lda < (long) cg * kh * kw) {
        return -1;
    }
    const int whole = c0 == 0 && cg == c && dw == 1; /* a kernel row is one run of kw * c bytes */
    for (int r = 0; r < rows; r++) {
        const int p = p0 + r, oy = p / ow, ox = p - oy * ow;
        const int y0 = oy * sh - ph, x0 = ox * sw - pw;
        const int inside_x = x0 >= 0 && x0 + (kw - 1) * dw < w;
        uint8_t* dst = a + (long) r * lda;
        for (int ky = 0; ky < kh; ky++) {
            const int iy = y0 + ky * dh;
            if (iy < 0 || iy >= h) {
                memset(dst, zero, (size_t) kw * cg);
            } else if (inside_x && whole) {
                memcpy(dst, q + ((long) iy * w + x0) * c, (size_t) kw * cg);
            } else {
                for (int kx = 0; kx < kw; kx++) {
                    const int ix = x0 + kx * dw;
                    if (ix >= 0 && ix < w) memcpy(dst + (long) kx * cg, q + ((long) iy * w + ix) * c + c0, (size_t) cg);
                    else memset(dst + (long) kx * cg, zero, (size_t) cg);
                }
            }
            dst += (long) kw * cg;
        }
    }
    return 0;
}
