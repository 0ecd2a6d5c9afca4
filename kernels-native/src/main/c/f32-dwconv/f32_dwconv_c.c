/*
 * f32-dwconv-c: the portable variant. Per output row, every tap is one axpy over the output columns whose
 * input column is inside the row (the range is computed, so no per-element branch) into the y row itself;
 * taps run in (ky, kx) order and multiply and add round separately, so each output gets exactly the Java
 * reference's sum. Baseline x86-64 has no FMA, so the compiler cannot contract them.
 */
#include "common/epilogue.h"
#include "f32-dwconv/f32_dwconv.h"

/* Output columns [lo, hi) whose input column ox*stride + off lies in [0, in_w). */
static void col_range(int out_w, int in_w, int stride, int off, int* lo, int* hi) {
    int l = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int h = in_w - 1 - off < 0 ? 0 : (in_w - 1 - off) / stride + 1;
    *lo = l < out_w ? l : out_w;
    *hi = h < *lo ? *lo : (h < out_w ? h : out_w);
}

void minnow_f32_dwconv_c(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride, const float* w,
                         const float* bias, float* y, size_t channels, int act, float lo, float hi) {
    const size_t out_plane = (size_t) s->out_h * s->out_w;
    const size_t taps = (size_t) s->kh * s->kw;
    for (size_t c = 0; c < channels; c++) {
        const float* xc = x + c * x_stride;
        const float* wc = w + c * taps;
        const float b = bias == NULL ? 0.0f : bias[c];
        for (int oy = 0; oy < s->out_h; oy++) {
            float* yr = y + c * out_plane + (size_t) oy * s->out_w;
            for (int ox = 0; ox < s->out_w; ox++) {
                yr[ox] = 0.0f;
            }
            for (int ky = 0; ky < s->kh; ky++) {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                if (iy < 0 || iy >= s->in_h) {
                    continue;
                }
                const float* xr = xc + (size_t) iy * s->in_w;
                for (int kx = 0; kx < s->kw; kx++) {
                    const int off = kx * s->dil_w - s->pad_left;
                    const float wv = wc[ky * s->kw + kx];
                    int o0, o1;
                    col_range(s->out_w, s->in_w, s->stride_w, off, &o0, &o1);
                    if (s->stride_w == 1) {
                        for (int ox = o0; ox < o1; ox++) { /* ox + off is in the row */
                            yr[ox] += wv * xr[ox + off];
                        }
                    } else {
                        for (int ox = o0; ox < o1; ox++) {
                            yr[ox] += wv * xr[ox * s->stride_w + off];
                        }
                    }
                }
            }
            for (int ox = 0; ox < s->out_w; ox++) {
                yr[ox] = minnow_act_scalar(act, yr[ox] + b, lo, hi);
            }
        }
    }
}
