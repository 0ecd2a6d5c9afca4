/*
 * Internals of family f32-dwconv (depthwise 2-D convolution, NCHW, channel multiplier 1). A variant is one
 * function that runs whole planes; the entry points in f32_dwconv.c check the shape and pick the variant.
 * The same family also has an NHWC form (one image, channels innermost; declared at the end), with its
 * own function per variant behind the same variant numbers.
 *
 * Every variant sums the taps of an output in (ky, kx) order starting from 0 (taps in the padding add
 * nothing, or w*0), then adds the bias, then applies the activation of common/epilogue.h; the SIMD ones
 * fuse multiply and add, the portable one rounds them separately (like the Java reference).
 */
#ifndef MINNOW_F32_DWCONV_H
#define MINNOW_F32_DWCONV_H

#include <stddef.h>

/* One plane's geometry; checked by minnow_f32_dwconv_variant (all positive, extents fit in int). */
struct minnow_dwconv_shape {
    int in_h, in_w, out_h, out_w;
    int kh, kw;
    int stride_h, stride_w;
    int pad_top, pad_left; /* leading pads; trailing ones follow from out_h / out_w */
    int dil_h, dil_w;
};

/*
 * Planes [0, channels): plane c of x at x + c*x_stride, of y at y + c*out_h*out_w, weights at
 * w + c*kh*kw; bias NULL or channels floats. x_stride is in_h*in_w (depthwise: plane c reads input plane c)
 * or 0 (a conv with one input channel: every output plane reads the one input plane at x). Reads only
 * inside those planes, writes only inside y's.
 */
typedef void (*minnow_f32_dwconv_fn)(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride,
                                     const float* w, const float* bias, float* y, size_t channels, int act, float lo,
                                     float hi);

void minnow_f32_dwconv_c(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride, const float* w,
                         const float* bias, float* y, size_t channels, int act, float lo, float hi);
void minnow_f32_dwconv_avx2(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride, const float* w,
                            const float* bias, float* y, size_t channels, int act, float lo, float hi);
void minnow_f32_dwconv_avx512f(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride,
                               const float* w, const float* bias, float* y, size_t channels, int act, float lo,
                               float hi);

/*
 * The NHWC form (minnow_f32_dwconv_nhwc): one image, x [in_h][in_w][channels], w [kh][kw][channels], bias
 * NULL or [channels], y [out_h][out_w][channels]; computes output rows [oy0, oy1) only (0 <= oy0 < oy1 <=
 * out_h, checked by the caller). Each output sums only the taps inside the input (none for the padding),
 * in (ky, kx) order from 0, then adds the bias, then the activation, as above. Reads and writes nothing
 * outside those arrays, and nothing of y outside rows [oy0, oy1). Indices are size_t: channels times a
 * plane may pass 2^31.
 */
typedef void (*minnow_f32_dwconv_nhwc_fn)(const struct minnow_dwconv_shape* s, size_t channels, const float* x,
                                          const float* w, const float* bias, float* y, int oy0, int oy1, int act,
                                          float lo, float hi);

void minnow_f32_dwconv_nhwc_c(const struct minnow_dwconv_shape* s, size_t channels, const float* x, const float* w,
                              const float* bias, float* y, int oy0, int oy1, int act, float lo, float hi);
void minnow_f32_dwconv_nhwc_avx2(const struct minnow_dwconv_shape* s, size_t channels, const float* x,
                                 const float* w, const float* bias, float* y, int oy0, int oy1, int act, float lo,
                                 float hi);

/*
 * Taps [*k0, *k1) of a kernel of k taps (spacing dil) whose input index o*stride - pad + t*dil lies in [0, n);
 * the index grows with t, so they are one run (empty when *k0 == *k1). Callers keep o*stride, pad and
 * k*dil far below INT_MAX (shape_ok in f32_dwconv.c).
 */
static inline void minnow_dwconv_tap_range(int o, int stride, int pad, int dil, int k, int n, int* k0, int* k1) {
    const int start = o * stride - pad; /* input index of tap 0 */
    int lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
    int hi = n - 1 - start < 0 ? 0 : (n - 1 - start) / dil + 1;
    hi = hi < k ? hi : k;
    *k0 = lo < hi ? lo : hi;
    *k1 = hi;
}

#endif
