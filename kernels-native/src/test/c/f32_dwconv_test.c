/*
 * Native-side test of the f32-dwconv variants against a plain loop, on random shapes (kernels, strides,
 * pads, dilations, tiny and odd planes), every activation, with and without bias, and with every plane
 * reading one shared input plane (x_stride 0, a conv with one input channel). x, w, bias and y are
 * allocated at exactly the size the planes need, so AddressSanitizer catches any access outside them.
 * Built and run by run-dwconv-tests.sh (called from run-tests.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32-dwconv/f32_dwconv.h"

static unsigned long long rng = 0x243F6A8885A308D3ull;

static unsigned next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned) (rng >> 32);
}

static float next_float(void) {
    return (float) ((double) (next() >> 8) / (double) (1u << 24) * 2.0 - 1.0);
}

static float* alloc_floats(size_t n) {
    float* p = malloc(n * sizeof(float) + (n == 0)); /* exact size: ASan sees one float past the end */
    for (size_t i = 0; i < n; i++) p[i] = next_float();
    return p;
}

static float act_ref(int act, float v, float lo, float hi) {
    if (act == 1) return v < lo ? lo : (v > hi ? hi : v);
    if (act == 2) {
        float t = v / 6.0f + 0.5f;
        t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        return v * t;
    }
    return v;
}

static int check(const char* name, minnow_f32_dwconv_fn fn, const struct minnow_dwconv_shape* s, size_t ch,
                 int with_bias, int act, int shared) {
    const size_t in_plane = (size_t) s->in_h * s->in_w, out_plane = (size_t) s->out_h * s->out_w;
    const size_t taps = (size_t) s->kh * s->kw;
    const size_t x_stride = shared ? 0 : in_plane;
    float* x = alloc_floats(shared ? in_plane : ch * in_plane);
    float* w = alloc_floats(ch * taps);
    float* b = with_bias ? alloc_floats(ch) : NULL;
    float* y = alloc_floats(ch * out_plane);
    const float lo = -0.25f, hi = act == 1 && (next() & 1) ? INFINITY : 0.5f;
    fn(s, x, x_stride, w, b, y, ch, act, lo, hi);
    int bad = 0;
    for (size_t c = 0; c < ch && !bad; c++) {
        for (int oy = 0; oy < s->out_h && !bad; oy++) {
            for (int ox = 0; ox < s->out_w; ox++) {
                double acc = 0, mag = b ? fabs(b[c]) : 0;
                for (int ky = 0; ky < s->kh; ky++) {
                    for (int kx = 0; kx < s->kw; kx++) {
                        int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                        int ix = ox * s->stride_w - s->pad_left + kx * s->dil_w;
                        if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
                        double p = (double) w[c * taps + ky * s->kw + kx] * x[c * x_stride + iy * s->in_w + ix];
                        acc += p;
                        mag += fabs(p);
                    }
                }
                float want = act_ref(act, (float) (acc + (b ? b[c] : 0.0f)), lo, hi);
                float got = y[c * out_plane + (size_t) oy * s->out_w + ox];
                if (!(fabs((double) got - want) <= 1e-6 * (double) (taps + 2) * mag + 1e-30)) {
                    fprintf(stderr,
                            "FAIL %s in %dx%d out %dx%d k %dx%d s %d,%d pad %d,%d dil %d,%d ch %zu bias %d act %d"
                            " shared %d"
                            " at (%zu,%d,%d): got %g want %g\n",
                            name, s->in_h, s->in_w, s->out_h, s->out_w, s->kh, s->kw, s->stride_h, s->stride_w,
                            s->pad_top, s->pad_left, s->dil_h, s->dil_w, ch, with_bias, act, shared, c, oy, ox, got, want);
                    bad = 1;
                    break;
                }
            }
        }
    }
    free(x);
    free(w);
    free(b);
    free(y);
    return bad;
}

/* A shape from input size, kernel, stride, dilation and pads (leading, trailing); 0 if it has no output. */
static int make(struct minnow_dwconv_shape* s, int ih, int iw, int kh, int kw, int sh, int sw, int dh, int dw,
                int pt, int pb, int pl, int pr) {
    int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    if (ih + pt + pb < eh || iw + pl + pr < ew) return 0;
    *s = (struct minnow_dwconv_shape) {ih, iw, (ih + pt + pb - eh) / sh + 1, (iw + pl + pr - ew) / sw + 1,
                                       kh, kw, sh, sw, pt, pl, dh, dw};
    return 1;
}

int main(int argc, char** argv) {
    int failures = 0, passed = 0;
    for (int arg = 1; arg < argc; arg++) {
        minnow_f32_dwconv_fn fn = strcmp(argv[arg], "c") == 0         ? minnow_f32_dwconv_c
                                  : strcmp(argv[arg], "avx2") == 0    ? minnow_f32_dwconv_avx2
                                  : strcmp(argv[arg], "avx512f") == 0 ? minnow_f32_dwconv_avx512f
                                                                      : NULL;
        if (fn == NULL) {
            fprintf(stderr, "unknown variant %s\n", argv[arg]);
            return 2;
        }
        struct minnow_dwconv_shape s;
        /* The MobileNet layers and the fast paths' edges first, then random shapes. */
        static const int fixed[][12] = {
            {14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, {14, 14, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1},
            {1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   {1, 40, 1, 3, 1, 1, 1, 1, 0, 0, 1, 1},
            {17, 33, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, {9, 16, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
            {9, 16, 3, 3, 1, 2, 1, 1, 2, 2, 2, 2},  {5, 24, 3, 3, 1, 2, 1, 1, 0, 0, 0, 0},
            {28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, {15, 13, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0},
        };
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            const int* f = fixed[i];
            if (!make(&s, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11])) continue;
            for (int act = 0; act < 3; act++) {
                for (int bias = 0; bias < 2; bias++) {
                    /* one input plane per output plane (3 planes), then one shared by 3, 6 and 16 planes
                       (the shared path's groups of four, with and without a tail) */
                    static const int runs[][2] = {{3, 0}, {3, 1}, {6, 1}, {16, 1}};
                    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
                        int bad = check(argv[arg], fn, &s, (size_t) runs[r][0], bias, act, runs[r][1]);
                        failures += bad;
                        passed += !bad;
                    }
                }
            }
        }
        for (int i = 0; i < 3000; i++) {
            static const int kernels[][2] = {{3, 3}, {3, 3}, {1, 1}, {5, 5}, {2, 4}, {1, 3}, {3, 1}, {7, 7}};
            const int* k = kernels[next() % 8];
            int ih = 1 + next() % 24, iw = 1 + next() % 40;
            if (next() % 4 == 0) ih = 1;
            int sh = 1 + next() % 3, sw = 1 + next() % 3, dh = 1 + (next() % 4 == 0), dw = 1 + (next() % 4 == 0);
            int pt = next() % 3, pb = next() % 3, pl = next() % 3, pr = next() % 3;
            if (!make(&s, ih, iw, k[0], k[1], sh, sw, dh, dw, pt, pb, pl, pr)) continue;
            const int shared = next() % 3 == 0;
            int bad = check(argv[arg], fn, &s, 1 + next() % (shared ? 9 : 3), next() & 1, next() % 3, shared);
            failures += bad;
            passed += !bad;
        }
    }
    printf("f32-dwconv: %d passed, %d failed\n", passed, failures);
    return failures != 0;
}
