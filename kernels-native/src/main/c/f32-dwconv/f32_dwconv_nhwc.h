/*
 * Public entry point of the NHWC depthwise conv of family f32-dwconv. It belongs with the NCHW one in
 * minnow_kernels.h (same variant numbers, MINNOW_F32_DWCONV_*); until it moves there, NativeKernels
 * includes this header too.
 */
#ifndef MINNOW_F32_DWCONV_NHWC_H
#define MINNOW_F32_DWCONV_NHWC_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Depthwise 2-D convolution (channel multiplier 1) of one NHWC image: x [in_h][in_w][channels],
 * w [kh][kw][channels], bias [channels] or NULL, y [out_h][out_w][channels]; writes output rows [oy0, oy1)
 * only. y[oy][ox][c] = act(bias[c] + sum over the taps (ky, kx), in row-major order, of x[iy][ix][c] *
 * w[ky][kx][c]) with iy = oy*sh - pt + ky*dh, ix = ox*sw - pl + kx*dw; taps outside the input are skipped.
 * act: common/epilogue.h codes (lo, hi for clamp). Returns 0, or -1 (touching nothing) if the CPU lacks the
 * variant, the shape is not sane (as for minnow_f32_dwconv_variant), channels < 1, the rows are not
 * 0 <= oy0 <= oy1 <= out_h, or act is unknown. Reads and writes nothing outside those arrays.
 */
int minnow_f32_dwconv_nhwc(int variant, int channels, int in_h, int in_w, int out_h, int out_w, int kh, int kw,
                           int sh, int sw, int pt, int pl, int dh, int dw, const float* x, const float* w,
                           const float* bias, float* y, int oy0, int oy1, int act, float lo, float hi);

#ifdef __cplusplus
}
#endif

#endif
