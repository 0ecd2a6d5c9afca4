/*
 * The fused epilogue shared by conv, dwconv and gemm kernels: y = act(acc + bias [+ residual]).
 * Activation codes (same numbers on the Java side, io.minnow.engine.kernels.f32.F32Epilogue):
 *   0 none;  1 clamp to [lo, hi] (ReLU is lo = 0, hi = +inf; ReLU6 / Clip as given);
 *   2 HardSwish, x * clamp(x / 6 + 1/2, 0, 1) (a division, like the Java reference, not x * (1/6)).
 * Any other activation is applied by the Java caller after the kernel (the kernel is called with 0).
 * The order of float operations matches the Java reference (bias, then residual, then activation), so
 * native and Java results agree on the epilogue. NaN propagates (max(lo, v) keeps a NaN v); the one
 * difference from Java's Math.max is that -0.0 may stay -0.0 where Java gives +0.0 (equal as numbers).
 */
#ifndef MINNOW_COMMON_EPILOGUE_H
#define MINNOW_COMMON_EPILOGUE_H

#include <immintrin.h>

#include "common/isa.h"

#define MINNOW_ACT_NONE 0
#define MINNOW_ACT_CLAMP 1
#define MINNOW_ACT_HARDSWISH 2

MINNOW_INLINE float minnow_act_scalar(int act, float v, float lo, float hi) {
    if (act == MINNOW_ACT_CLAMP) {
        v = v < lo ? lo : v; /* max then min, like Math.min(Math.max(v, lo), hi) */
        return v > hi ? hi : v;
    }
    if (act == MINNOW_ACT_HARDSWISH) {
        float t = v / 6.0f + 0.5f;
        t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        return v * t;
    }
    return v;
}

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 minnow_act_avx2(int act, __m256 v, __m256 lo, __m256 hi) {
    if (act == MINNOW_ACT_CLAMP) {
        return _mm256_min_ps(hi, _mm256_max_ps(lo, v)); /* operand order: a NaN v comes through */
    }
    if (act == MINNOW_ACT_HARDSWISH) {
        __m256 t = _mm256_add_ps(_mm256_div_ps(v, _mm256_set1_ps(6.0f)), _mm256_set1_ps(0.5f));
        t = _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_setzero_ps(), t));
        return _mm256_mul_ps(v, t);
    }
    return v;
}

#endif
