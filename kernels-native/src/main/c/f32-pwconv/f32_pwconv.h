/*
 * Family f32-pwconv: the pointwise convolution (1x1, stride 1, no pad, group 1) of channels-last (NHWC)
 * activations, i.e. Y[m x n] = act(X[m x k] * W^T + bias + residual) with one row per pixel, read in place
 * (no copy of X), W packed once. Public entry points; NativeKernels includes this header beside
 * minnow_kernels.h. Variant numbers follow the other families: C = 0, AVX2 = 1, AVX-512F = 2.
 */
#ifndef MINNOW_F32_PWCONV_H
#define MINNOW_F32_PWCONV_H

#ifdef __cplusplus
extern "C" {
#endif

/** Variant numbers of the f32-pwconv functions. */
#define MINNOW_F32_PWCONV_C 0
#define MINNOW_F32_PWCONV_AVX2 1
#define MINNOW_F32_PWCONV_AVX512F 2
#define MINNOW_F32_PWCONV_VARIANTS 3

/**
 * Floats of the weights packed for a variant (k input channels, n output channels): ceil(n / 8) panels of
 * [k][8], zero-padded; or -1 for a bad variant number or sizes (k, n < 1, or more than 2^31 - 1 floats).
 * Every variant uses the same layout.
 */
long long minnow_f32_pwconv_packed_floats(int variant, int k, int n);

/**
 * Packs W [n][k] (ONNX 1x1 conv weights, row = output channel) into wp (minnow_f32_pwconv_packed_floats
 * floats): wp[(j / 8) * k * 8 + c * 8 + j % 8] = W[j][c], 0 for j >= n. Works for every variant number on any
 * CPU. Returns 0, or -1 (touching nothing) for bad arguments.
 */
int minnow_f32_pwconv_pack(int variant, int k, int n, const float* w, float* wp);

/**
 * For pixels p in [0, m) and channels j in [0, n):
 *   y[p*ldy + j] = act(acc + bias[j] + residual[p*ldr + j]),  acc = sum over c = 0 .. k-1, in order, of
 *   x[p*ldx + c] * W[j][c]
 * (a chain of FMAs from 0 in the AVX2 variant; acc += x*w, rounded twice, in the C one). bias NULL adds
 * nothing, residual NULL adds nothing; the bias, then the residual, then the activation (common/epilogue.h:
 * 0 none, 1 clamp [lo, hi], 2 HardSwish), as the conv kernels' epilogue. wp is packed by
 * minnow_f32_pwconv_pack. y may be residual (same rows, ldy == ldr: each element is read before it is
 * written) but must not overlap x or wp otherwise.
 * Returns 0, or -1 (touching nothing) if the CPU lacks the variant, m, n or k < 1, ldx < k, ldy < n,
 * ldr < n with a residual, act is unknown, a pointer that is used is NULL, or an array reaches past
 * 2^31 - 1 floats. Reads nothing outside x[0 .. (m-1)*ldx + k), wp, bias[0 .. n) and the [0, n) columns of
 * residual's m rows; writes nothing outside the [0, n) columns of y's m rows.
 */
int minnow_f32_pwconv(int variant, int m, int n, int k, const float* x, int ldx, const float* wp, const float* bias,
                      const float* residual, int ldr, int act, float lo, float hi, float* y, int ldy);

/** 1 if this CPU can run the f32-pwconv variant, else 0. */
int minnow_f32_pwconv_variant_supported(int variant);

/** The widest f32-pwconv variant this CPU supports. */
int minnow_f32_pwconv_default_variant(void);

/** ISA name of an f32-pwconv variant ("c", "avx2", "avx512f"), or "unknown". */
const char* minnow_f32_pwconv_variant_isa(int variant);

#ifdef __cplusplus
}
#endif

#endif
