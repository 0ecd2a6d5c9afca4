/* minnow_f32_dwconv: public entry points (NCHW and NHWC), the shape check and the run-time choice of variant. */
#include "f32-dwconv/f32_dwconv.h"

#include "f32-dwconv/f32_dwconv_nhwc.h"

#include "common/epilogue.h"
#include "minnow_kernels.h"

static const minnow_f32_dwconv_fn variants[MINNOW_F32_DWCONV_VARIANTS] = {
    [MINNOW_F32_DWCONV_C] = minnow_f32_dwconv_c,
    [MINNOW_F32_DWCONV_AVX2] = minnow_f32_dwconv_avx2,
    [MINNOW_F32_DWCONV_AVX512F] = minnow_f32_dwconv_avx512f,
};

/* The NHWC function of each variant. The AVX-512F variant runs the AVX2 one, which every CPU with the
   AVX-512 bit can run (cpu_features.c sets it only on top of MINNOW_CPU_AVX2, i.e. AVX2 + FMA): there is no
   16-channel NHWC kernel yet (it could not be timed on the AVX2-only development machine). */
static const minnow_f32_dwconv_nhwc_fn nhwc_variants[MINNOW_F32_DWCONV_VARIANTS] = {
    [MINNOW_F32_DWCONV_C] = minnow_f32_dwconv_nhwc_c,
    [MINNOW_F32_DWCONV_AVX2] = minnow_f32_dwconv_nhwc_avx2,
    [MINNOW_F32_DWCONV_AVX512F] = minnow_f32_dwconv_nhwc_avx2,
};

static const char* const isas[MINNOW_F32_DWCONV_VARIANTS] = {
    [MINNOW_F32_DWCONV_C] = "c",
    [MINNOW_F32_DWCONV_AVX2] = "avx2",
    [MINNOW_F32_DWCONV_AVX512F] = "avx512f",
};

static const int required_features[MINNOW_F32_DWCONV_VARIANTS] = {
    [MINNOW_F32_DWCONV_C] = 0,
    [MINNOW_F32_DWCONV_AVX2] = MINNOW_CPU_AVX2,
    [MINNOW_F32_DWCONV_AVX512F] = MINNOW_CPU_AVX512,
};

int minnow_f32_dwconv_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_DWCONV_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_f32_dwconv_default_variant(void) {
    int v = MINNOW_F32_DWCONV_VARIANTS - 1;
    while (v > 0 && !minnow_f32_dwconv_variant_supported(v)) {
        v--;
    }
    return v;
}

const char* minnow_f32_dwconv_variant_isa(int variant) {
    return variant < 0 || variant >= MINNOW_F32_DWCONV_VARIANTS ? "unknown" : isas[variant];
}

/*
 * Sizes positive, pads non-negative, and every index the kernels form (in 32-bit int) in range: the padded
 * extent a window reaches and the vector-rounded column positions stay far below INT_MAX.
 */
static int shape_ok(const struct minnow_dwconv_shape* s) {
    const long long lim = 1ll << 28;
    if (s->in_h < 1 || s->in_w < 1 || s->out_h < 1 || s->out_w < 1 || s->kh < 1 || s->kw < 1 || s->stride_h < 1
        || s->stride_w < 1 || s->dil_h < 1 || s->dil_w < 1 || s->pad_top < 0 || s->pad_left < 0) {
        return 0;
    }
    const long long reach_h = (long long) (s->out_h - 1) * s->stride_h + (long long) (s->kh - 1) * s->dil_h;
    const long long reach_w = (long long) (s->out_w + 16) * s->stride_w + (long long) (s->kw - 1) * s->dil_w;
    return reach_h < lim && reach_w < lim && s->in_h < lim && s->in_w < lim && s->pad_top < lim
           && s->pad_left < lim && (long long) s->in_h * s->in_w < lim * 8 && (long long) s->out_h * s->out_w < lim * 8
           && (long long) s->kh * s->kw < lim;
}

int minnow_f32_dwconv_variant(int variant, int in_h, int in_w, int out_h, int out_w, int kh, int kw, int stride_h,
                              int stride_w, int pad_top, int pad_left, int dil_h, int dil_w, const float* x,
                              int shared_x, const float* w, const float* bias, float* y, int channels, int act, float lo,
                              float hi) {
    const struct minnow_dwconv_shape s = {in_h, in_w, out_h, out_w, kh, kw, stride_h, stride_w,
                                          pad_top, pad_left, dil_h, dil_w};
    if (!minnow_f32_dwconv_variant_supported(variant) || !shape_ok(&s) || channels < 0 || shared_x < 0
        || shared_x > 1
        || act < MINNOW_ACT_NONE || act > MINNOW_ACT_HARDSWISH) {
        return -1;
    }
    if (channels > 0) {
        const size_t x_stride = shared_x ? 0 : (size_t) in_h * (size_t) in_w;
        variants[variant](&s, x, x_stride, w, bias, y, (size_t) channels, act, lo, hi);
    }
    return 0;
}

int minnow_f32_dwconv_nhwc(int variant, int channels, int in_h, int in_w, int out_h, int out_w, int kh, int kw,
                           int sh, int sw, int pt, int pl, int dh, int dw, const float* x, const float* w,
                           const float* bias, float* y, int oy0, int oy1, int act, float lo, float hi) {
    const struct minnow_dwconv_shape s = {in_h, in_w, out_h, out_w, kh, kw, sh, sw, pt, pl, dh, dw};
    if (!minnow_f32_dwconv_variant_supported(variant) || !shape_ok(&s) || channels < 1 || oy0 < 0 || oy0 > oy1
        || oy1 > out_h || act < MINNOW_ACT_NONE || act > MINNOW_ACT_HARDSWISH) {
        return -1;
    }
    if (oy0 < oy1) {
        nhwc_variants[variant](&s, (size_t) channels, x, w, bias, y, oy0, oy1, act, lo, hi);
    }
    return 0;
}
