/*
 * Native-side test of the NHWC f32-dwconv (minnow_f32_dwconv_nhwc, every variant named on the command line
 * that this CPU runs) against a plain loop with double sums, through the public entry point:
 *  - MobileNet-like layers and edge cases (1024 and 2048 channels too), then a grid of planes x kernels x
 *    strides x dilations with random pads over odd channel counts, then random shapes (strides and
 *    dilations differing per axis); every activation, bias or none;
 *  - a random row range [oy0, oy1) per case: rows outside it must keep their sentinel;
 *  - buffers either exactly sized (AddressSanitizer sees one float past the end) or inside guard zones:
 *    NaN canaries around x, w and bias (a read of one spoils an output) and sentinel canaries around y
 *    (a write to one is seen bitwise);
 *  - the same image computed in two row ranges equals one full call bitwise (threads split by rows);
 *  - a NaN in x reaches the outputs that use it, through every activation;
 *  - bad arguments return -1 and write nothing.
 * A variant this CPU cannot run is reported as skipped, never passed. Built and run by run-dwconv-tests.sh.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32-dwconv/f32_dwconv_nhwc.h"
#include "minnow_kernels.h"

#define GUARD 16

static unsigned long long rng = 0x13198A2E03707344ull;

static unsigned next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned) (rng >> 32);
}

static float next_float(void) {
    return (float) ((double) (next() >> 8) / (double) (1u << 24) * 2.0 - 1.0);
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static const float Y_SENTINEL = -1234.5f;

/* n floats with `guard` canaries either side (guard 0: exactly n, for ASan); returns the first of the n. */
static float* alloc_buf(size_t n, int guard, float canary, int random) {
    float* p = malloc((n + 2 * (size_t) guard) * sizeof(float) + (n + guard == 0));
    for (int i = 0; i < guard; i++) {
        p[i] = canary;
        p[guard + n + i] = canary;
    }
    for (size_t i = 0; i < n; i++) p[guard + i] = random ? next_float() : canary;
    return p + guard;
}

static int guards_intact(const float* p, size_t n, int guard, float canary) {
    for (int i = 1; i <= guard; i++) {
        if (bits(p[-i]) != bits(canary) || bits(p[n + i - 1]) != bits(canary)) return 0;
    }
    return 1;
}

static void free_buf(float* p, int guard) {
    if (p != NULL) free(p - guard);
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

struct geo {
    int ch, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw;
};

static const char* name_of(int variant) {
    return minnow_f32_dwconv_variant_isa(variant);
}

static void describe(const char* what, int variant, const struct geo* g, int bias, int act, int oy0, int oy1) {
    fprintf(stderr,
            "FAIL %s nhwc-%s ch %d in %dx%d out %dx%d k %dx%d s %d,%d pad %d,%d dil %d,%d bias %d act %d rows [%d,%d)",
            what, name_of(variant), g->ch, g->ih, g->iw, g->oh, g->ow, g->kh, g->kw, g->sh, g->sw, g->pt, g->pl, g->dh,
            g->dw, bias, act, oy0, oy1);
}

static int call(int variant, const struct geo* g, const float* x, const float* w, const float* b, float* y, int oy0,
                int oy1, int act, float lo, float hi) {
    return minnow_f32_dwconv_nhwc(variant, g->ch, g->ih, g->iw, g->oh, g->ow, g->kh, g->kw, g->sh, g->sw, g->pt, g->pl,
                                  g->dh, g->dw, x, w, b, y, oy0, oy1, act, lo, hi);
}

/* One case: a random row range, checked against the loop; then the two-range split, bitwise. 1 if it failed. */
static int check(int variant, const struct geo* g, int with_bias, int act, float lo, float hi, int guard, int nan_x) {
    const size_t ch = (size_t) g->ch, nx = (size_t) g->ih * g->iw * ch, ny = (size_t) g->oh * g->ow * ch;
    const size_t nw = (size_t) g->kh * g->kw * ch;
    float* x = alloc_buf(nx, guard, NAN, 1);
    float* w = alloc_buf(nw, guard, NAN, 1);
    float* b = with_bias ? alloc_buf(ch, guard, NAN, 1) : NULL;
    float* y = alloc_buf(ny, guard, Y_SENTINEL, 0);
    if (nan_x) x[next() % nx] = NAN;
    int oy0 = (int) (next() % (unsigned) (g->oh + 1)), oy1 = (int) (next() % (unsigned) (g->oh + 1));
    if (next() % 2) oy0 = 0, oy1 = g->oh; /* half the cases: the whole image */
    if (oy0 > oy1) {
        int t = oy0;
        oy0 = oy1;
        oy1 = t;
    }
    int bad = 0;
    if (call(variant, g, x, w, b, y, oy0, oy1, act, lo, hi) != 0) {
        describe("returned -1", variant, g, with_bias, act, oy0, oy1);
        fprintf(stderr, "\n");
        bad = 1;
    }
    const size_t taps = (size_t) g->kh * g->kw;
    for (int oy = 0; oy < g->oh && !bad; oy++) {
        for (int ox = 0; ox < g->ow && !bad; ox++) {
            for (size_t c = 0; c < ch; c++) {
                const float got = y[((size_t) oy * g->ow + ox) * ch + c];
                if (oy < oy0 || oy >= oy1) {
                    if (bits(got) != bits(Y_SENTINEL)) {
                        describe("wrote outside its rows", variant, g, with_bias, act, oy0, oy1);
                        fprintf(stderr, " at (%d,%d,%zu)\n", oy, ox, c);
                        bad = 1;
                        break;
                    }
                    continue;
                }
                double acc = 0, mag = b ? fabs(b[c]) : 0;
                for (int ky = 0; ky < g->kh; ky++) {
                    for (int kx = 0; kx < g->kw; kx++) {
                        const int iy = oy * g->sh - g->pt + ky * g->dh, ix = ox * g->sw - g->pl + kx * g->dw;
                        if (iy < 0 || iy >= g->ih || ix < 0 || ix >= g->iw) continue;
                        const double p = (double) x[((size_t) iy * g->iw + ix) * ch + c]
                                         * w[((size_t) ky * g->kw + kx) * ch + c];
                        acc += p;
                        mag += fabs(p);
                    }
                }
                const float want = act_ref(act, (float) (acc + (b ? b[c] : 0.0f)), lo, hi);
                const int ok = isnan(want) ? isnan(got)
                                           : fabs((double) got - want) <= 1e-6 * (double) (taps + 2) * mag + 1e-30;
                if (!ok) {
                    describe("wrong value", variant, g, with_bias, act, oy0, oy1);
                    fprintf(stderr, " at (%d,%d,%zu): got %g want %g\n", oy, ox, c, got, want);
                    bad = 1;
                    break;
                }
            }
        }
    }
    if (!bad && guard
        && !(guards_intact(x, nx, guard, NAN) && guards_intact(w, nw, guard, NAN)
             && (b == NULL || guards_intact(b, ch, guard, NAN)) && guards_intact(y, ny, guard, Y_SENTINEL))) {
        describe("touched a guard zone", variant, g, with_bias, act, oy0, oy1);
        fprintf(stderr, "\n");
        bad = 1;
    }
    if (!bad && g->oh >= 2) {
        /* whole image in one call, then in two row ranges: the same bits */
        float* y2 = alloc_buf(ny, guard, Y_SENTINEL, 0);
        const int split = 1 + (int) (next() % (unsigned) (g->oh - 1));
        call(variant, g, x, w, b, y, 0, g->oh, act, lo, hi);
        call(variant, g, x, w, b, y2, 0, split, act, lo, hi);
        call(variant, g, x, w, b, y2, split, g->oh, act, lo, hi);
        for (size_t i = 0; i < ny; i++) {
            if (bits(y[i]) != bits(y2[i])) {
                describe("depends on the row split", variant, g, with_bias, act, 0, split);
                fprintf(stderr, " at element %zu: %g vs %g\n", i, y[i], y2[i]);
                bad = 1;
                break;
            }
        }
        free_buf(y2, guard);
    }
    free_buf(x, guard);
    free_buf(w, guard);
    free_buf(b, guard);
    free_buf(y, guard);
    return bad;
}

/* A geometry from input size, kernel, strides, dilations and pads (leading, trailing); 0 if it has no output. */
static int make(struct geo* g, int ch, int ih, int iw, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pb,
                int pl, int pr) {
    const int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    if (ih + pt + pb < eh || iw + pl + pr < ew) return 0;
    *g = (struct geo) {ch, ih, iw, (ih + pt + pb - eh) / sh + 1, (iw + pl + pr - ew) / sw + 1,
                       kh, kw, sh, sw, pt, pl, dh, dw};
    return 1;
}

/* Activation and its bounds: none, clamp to [0, 6] (ReLU6), clamp to [-0.25, 0.5], ReLU, HardSwish. */
static void pick_act(unsigned r, int* act, float* lo, float* hi) {
    static const float bounds[][2] = {{0.0f, 6.0f}, {-0.25f, 0.5f}, {0.0f, INFINITY}};
    *act = (int) (r % 3);
    *lo = bounds[(r / 3) % 3][0];
    *hi = bounds[(r / 3) % 3][1];
}

/* Bad arguments: -1 and y untouched. */
static int check_refusals(int variant) {
    const struct geo ok = {3, 5, 5, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1};
    float x[75], w[27], y[75];
    for (int i = 0; i < 75; i++) x[i] = 1.0f, y[i] = Y_SENTINEL;
    for (int i = 0; i < 27; i++) w[i] = 1.0f;
    struct geo g;
    int bad = 0;
    struct {
        const char* what;
        int ch, oy0, oy1, act, pt;
    } cases[] = {{"channels 0", 0, 0, 5, 0, 1},  {"oy1 past out_h", 3, 0, 6, 0, 1}, {"oy0 > oy1", 3, 3, 2, 0, 1},
                 {"oy0 < 0", 3, -1, 2, 0, 1},   {"act 3", 3, 0, 5, 3, 1},          {"pad -1", 3, 0, 5, 0, -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g = ok;
        g.ch = cases[i].ch;
        g.pt = cases[i].pt;
        if (call(variant, &g, x, w, NULL, y, cases[i].oy0, cases[i].oy1, cases[i].act, 0.0f, 6.0f) != -1) {
            fprintf(stderr, "FAIL nhwc-%s accepted %s\n", name_of(variant), cases[i].what);
            bad = 1;
        }
    }
    for (int i = 0; i < 75; i++) bad |= bits(y[i]) != bits(Y_SENTINEL);
    g = ok;
    if (call(variant, &g, x, w, NULL, y, 2, 2, 0, 0.0f, 6.0f) != 0) { /* an empty row range is fine */
        fprintf(stderr, "FAIL nhwc-%s refused rows [2, 2)\n", name_of(variant));
        bad = 1;
    }
    for (int i = 0; i < 75; i++) bad |= bits(y[i]) != bits(Y_SENTINEL);
    return bad;
}

int main(int argc, char** argv) {
    int failures = 0, passed = 0, guard = 0;
    for (int arg = 1; arg < argc; arg++) {
        int variant = -1;
        for (int v = 0; v < MINNOW_F32_DWCONV_VARIANTS; v++) {
            if (strcmp(argv[arg], minnow_f32_dwconv_variant_isa(v)) == 0) variant = v;
        }
        if (variant < 0) {
            fprintf(stderr, "unknown variant %s\n", argv[arg]);
            return 2;
        }
        if (!minnow_f32_dwconv_variant_supported(variant)) {
            printf("f32-dwconv nhwc-%s: skipped (this CPU cannot run it)\n", argv[arg]);
            continue;
        }
        const int before = failures;
        failures += check_refusals(variant);
        struct geo g;
        /* MobileNet's layers and the 3x3 paths' edges, every activation, bias or none, both buffer modes */
        static const int fixed[][13] = {
            /* ch, ih, iw, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr */
            {64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {96, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {96, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, {96, 14, 14, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1},
            {128, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  {16, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {17, 9, 16, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},  {9, 9, 16, 3, 3, 1, 2, 1, 1, 2, 2, 2, 2},
            {3, 5, 24, 3, 3, 2, 1, 2, 1, 0, 0, 0, 0},   {7, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {8, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},    {33, 15, 13, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0},
            /* 1024 and 2048 channels: the AVX2 kernel's two-vector tiles (pixels 4 KiB apart) */
            {1024, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {1024, 6, 9, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0},
            {1024, 4, 5, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2}, {2048, 3, 7, 3, 3, 1, 2, 1, 1, 0, 1, 1, 1},
        };
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            const int* f = fixed[i];
            if (!make(&g, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12])) continue;
            for (unsigned a = 0; a < 9; a++) {
                for (int bias = 0; bias < 2; bias++) {
                    int act;
                    float lo, hi;
                    pick_act(a, &act, &lo, &hi);
                    guard ^= GUARD;
                    const int bad = check(variant, &g, bias, act, lo, hi, guard, 0);
                    failures += bad;
                    passed += !bad;
                }
            }
        }
        /* the grid: planes x kernels x strides x dilations, random pads, every channel count */
        static const int planes[][2] = {{1, 1}, {2, 3}, {5, 7}, {7, 7}, {14, 14}};
        static const int kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {3, 1}};
        static const int channels[] = {1, 3, 7, 8, 9, 17, 64, 96};
        for (int p = 0; p < 5; p++) {
            for (int k = 0; k < 4; k++) {
                for (int st = 1; st <= 3; st++) {
                    for (int d = 1; d <= 2; d++) {
                        for (int c = 0; c < 8; c++) {
                            const int pt = next() % 3, pb = next() % 3, pl = next() % 3, pr = next() % 3;
                            if (!make(&g, channels[c], planes[p][0], planes[p][1], kernels[k][0], kernels[k][1], st, st,
                                      d, d, pt, pb, pl, pr)) {
                                continue;
                            }
                            int act;
                            float lo, hi;
                            pick_act(next(), &act, &lo, &hi);
                            guard ^= GUARD;
                            const int bad = check(variant, &g, next() & 1, act, lo, hi, guard, 0);
                            failures += bad;
                            passed += !bad;
                        }
                    }
                }
            }
        }
        /* random shapes, axes differing; a tenth of them with a NaN in x */
        for (int i = 0; i < 2000; i++) {
            static const int kernels_r[][2] = {{3, 3}, {3, 3}, {3, 3}, {1, 1}, {5, 5}, {2, 4}, {1, 3}, {3, 1}, {7, 7}};
            const int* k = kernels_r[next() % 9];
            int ih = 1 + next() % 20, iw = 1 + next() % 30;
            if (next() % 5 == 0) ih = 1;
            const int sh = 1 + next() % 3, sw = 1 + next() % 3, dh = 1 + (next() % 4 == 0), dw = 1 + (next() % 4 == 0);
            const int pt = next() % 3, pb = next() % 3, pl = next() % 3, pr = next() % 3;
            const int ch = 1 + (int) (next() % 40);
            if (!make(&g, ch, ih, iw, k[0], k[1], sh, sw, dh, dw, pt, pb, pl, pr)) continue;
            int act;
            float lo, hi;
            pick_act(next(), &act, &lo, &hi);
            guard ^= GUARD;
            const int bad = check(variant, &g, next() & 1, act, lo, hi, guard, next() % 10 == 0);
            failures += bad;
            passed += !bad;
        }
        printf("f32-dwconv nhwc-%s: %s\n", argv[arg], failures == before ? "ok" : "FAILED");
    }
    printf("f32-dwconv nhwc: %d passed, %d failed\n", passed, failures);
    return failures != 0;
}
