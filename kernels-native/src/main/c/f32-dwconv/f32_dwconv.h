/*
 * Internals of family f32-dwconv (depthwise 2-D convolution, NCHW, channel multiplier 1). A variant is one
 * function that runs whole planes; the entry points in f32_dwconv.c check the shape and pick the variant.
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

#endif
