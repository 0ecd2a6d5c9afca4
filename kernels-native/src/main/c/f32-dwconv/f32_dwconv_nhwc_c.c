/*
 * f32-dwconv-nhwc-c: the portable NHWC variant. Per output pixel, the taps inside the input are one range
 * of rows times one range of columns (computed, so no per-tap test), and each tap is one axpy over the
 * channels into the y pixel itself, which the compiler vectorizes (channels are contiguous in x, w and y).
 * Taps run in (ky, kx) order and multiply and add round separately, like the NCHW portable variant.
 */
#include "common/epilogue.h"
#include "f32-dwconv/f32_dwconv.h"

void minnow_f32_dwconv_nhwc_c(const struct minnow_dwconv_shape* s, size_t channels, const float* x, const float* w,
                              const float* bias, float* y, int oy0, int oy1, int act, float lo, float hi) {
    const size_t in_row = (size_t) s->in_w * channels;
    for (int oy = oy0; oy < oy1; oy++) {
        int ky0, ky1;
        minnow_dwconv_tap_range(oy, s->stride_h, s->pad_top, s->dil_h, s->kh, s->in_h, &ky0, &ky1);
        for (int ox = 0; ox < s->out_w; ox++) {
            int kx0, kx1;
            minnow_dwconv_tap_range(ox, s->stride_w, s->pad_left, s->dil_w, s->kw, s->in_w, &kx0, &kx1);
            float* restrict yp = y + ((size_t) oy * s->out_w + ox) * channels;
            for (size_t c = 0; c < channels; c++) {
                yp[c] = 0.0f;
            }
            for (int ky = ky0; ky < ky1; ky++) {
                const float* xr = x + (size_t) (oy * s->stride_h - s->pad_top + ky * s->dil_h) * in_row;
                for (int kx = kx0; kx < kx1; kx++) {
                    const int ix = ox * s->stride_w - s->pad_left + kx * s->dil_w;
                    const float* restrict xp = xr + (size_t) ix * channels;
                    const float* restrict wp = w + ((size_t) ky * s->kw + kx) * channels;
                    for (size_t c = 0; c < channels; c++) {
                        yp[c] += xp[c] * wp[c];
                    }
                }
            }
            for (size_t c = 0; c < channels; c++) {
                yp[c] = minnow_act_scalar(act, yp[c] + (bias == NULL ? 0.0f : bias[c]), lo, hi);
            }
        }
    }
}
