/*
 * f32-conv configs vs a double-precision direct convolution, on odd shapes, under the sanitizers, in each tiling
 * (auto, positions, channels); the channel mode must also equal the position mode bit for bit (same fma chains).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/epilogue.h"
#include "f32-conv/f32_conv.h"

static float frand(unsigned* s) {
    *s = *s * 1103515245u + 12345u;
    return (float) ((*s >> 9) & 0xffff) / 32768.0f - 1.0f;
}

static int check(const struct minnow_f32_conv_config* cfg, struct minnow_conv2d s, int with_bias, int with_res, int act,
                 size_t split, int mode, float* keep) {
    unsigned seed = (unsigned) (s.cin * 131 + s.cout * 7 + s.kh * 3 + s.sh + split);
    const size_t K = s.cin * s.kh * s.kw, P = s.out_h * s.out_w;
    float* x = malloc(sizeof(float) * s.cin * s.in_h * s.in_w);
    float* w = malloc(sizeof(float) * s.cout * K);
    float* bias = malloc(sizeof(float) * s.cout);
    float* res = malloc(sizeof(float) * s.cout * P);
    float* y = malloc(sizeof(float) * s.cout * P);
    float* wp = malloc(sizeof(float) * minnow_f32_conv_packed_size(cfg, s.cout, K));
    for (size_t i = 0; i < s.cin * s.in_h * s.in_w; i++) x[i] = frand(&seed);
    for (size_t i = 0; i < s.cout * K; i++) w[i] = frand(&seed);
    for (size_t i = 0; i < s.cout; i++) bias[i] = frand(&seed);
    for (size_t i = 0; i < s.cout * P; i++) res[i] = frand(&seed);
    minnow_f32_conv_pack_w(cfg, s.cout, K, w, wp);
    for (size_t c0 = 0; c0 < P; c0 += split) {
        size_t c1 = c0 + split < P ? c0 + split : P;
        if (minnow_f32_conv_run_mode(cfg, &s, x, wp, with_bias ? bias : NULL, with_res ? res : NULL, act, 0.0f, 6.0f, y,
                                     c0, c1, mode) != 0) {
            printf("run failed\n");
            return 1;
        }
    }
    int bad = 0;
    for (size_t m = 0; m < s.cout && !bad; m++) {
        for (size_t oy = 0; oy < s.out_h; oy++) {
            for (size_t ox = 0; ox < s.out_w; ox++) {
                double acc = 0;
                for (size_t c = 0; c < s.cin; c++)
                    for (size_t ky = 0; ky < s.kh; ky++)
                        for (size_t kx = 0; kx < s.kw; kx++) {
                            long iy = (long) (oy * s.sh + ky * s.dh) - (long) s.pt;
                            long ix = (long) (ox * s.sw + kx * s.dw) - (long) s.pl;
                            if (iy < 0 || ix < 0 || iy >= (long) s.in_h || ix >= (long) s.in_w) continue;
                            acc += (double) w[(m * s.cin + c) * s.kh * s.kw + ky * s.kw + kx]
                                   * x[(c * s.in_h + (size_t) iy) * s.in_w + (size_t) ix];
                        }
                if (with_bias) acc += bias[m];
                if (with_res) acc += res[m * P + oy * s.out_w + ox];
                float want = minnow_act_scalar(act, (float) acc, 0.0f, 6.0f);
                float got = y[m * P + oy * s.out_w + ox];
                if (fabs(got - want) > 1e-4 * (1 + fabs(want) + sqrt((double) K))) {
                    printf("%s mismatch cin=%zu cout=%zu %zux%zu k%zux%zu s%zu m=%zu oy=%zu ox=%zu got %g want %g\n",
                           cfg->isa, s.cin, s.cout, s.in_h, s.in_w, s.kh, s.kw, s.sh, m, oy, ox, got, want);
                    bad = 1;
                    break;
                }
            }
            if (bad) break;
        }
    }
    if (keep != NULL && mode == MINNOW_CONV_MODE_POSITIONS) memcpy(keep, y, sizeof(float) * s.cout * P);
    if (!bad && keep != NULL && mode == MINNOW_CONV_MODE_CHANNELS && memcmp(keep, y, sizeof(float) * s.cout * P) != 0) {
        printf("%s channel mode differs from position mode: cin=%zu cout=%zu %zux%zu k%zux%zu s%zu split %zu\n", cfg->isa,
               s.cin, s.cout, s.in_h, s.in_w, s.kh, s.kw, s.sh, split);
        bad = 1;
    }
    free(x); free(w); free(bias); free(res); free(y); free(wp);
    return bad;
}

int main(int argc, char** argv) {
    int fails = 0, runs = 0;
    for (int a = 1; a < argc; a++) {
        const struct minnow_f32_conv_config* cfg = strcmp(argv[a], "avx2") == 0 ? &minnow_f32_conv_avx2_config
                                                                                 : &minnow_f32_conv_c_config;
        /* cin, in_h, in_w, cout, out_h, out_w, kh, kw, sh, sw, pt, pl, dh, dw */
        struct minnow_conv2d shapes[] = {
            {12, 28, 28, 12, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1},   {12, 28, 28, 24, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1},
            {12, 28, 28, 24, 14, 14, 1, 1, 2, 2, 0, 0, 1, 1},   {1, 28, 28, 20, 24, 24, 5, 5, 1, 1, 0, 0, 1, 1},
            {3, 7, 5, 13, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1},        {5, 9, 11, 7, 5, 4, 3, 3, 2, 3, 1, 2, 1, 1},
            {4, 10, 10, 5, 6, 6, 3, 3, 1, 1, 0, 0, 2, 2},       {64, 7, 7, 17, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1},
            {300, 3, 3, 6, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1},       {1, 1, 9, 3, 1, 7, 1, 3, 1, 1, 0, 0, 1, 1},
            {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},         {3, 4, 4, 2, 4, 4, 3, 3, 1, 1, 2, 2, 1, 1},
            {3, 11, 10, 4, 4, 3, 3, 3, 3, 3, 1, 0, 1, 1},       {2, 9, 9, 3, 3, 3, 3, 3, 2, 2, 1, 1, 2, 2},
            {1, 28, 28, 16, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1},    {7, 6, 30, 9, 6, 30, 1, 1, 1, 1, 0, 0, 1, 1},
            /* small planes (channel mode's home): 16+8 and 16+1 channel blocks, 7x7, partial position tiles */
            {24, 14, 14, 24, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1},   {12, 14, 14, 48, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1},
            {48, 7, 7, 17, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1},       {32, 7, 7, 128, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1},
            {16, 14, 14, 64, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1},   {96, 7, 7, 5, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1},
            {3, 5, 5, 33, 3, 3, 3, 3, 1, 1, 0, 0, 1, 1},
        };
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            for (int v = 0; v < 6; v++) {
                size_t P = shapes[i].out_h * shapes[i].out_w;
                size_t split = v < 3 ? P : (size_t) (v == 3 ? 1 : v == 4 ? 17 : 5);
                float* keep = malloc(sizeof(float) * shapes[i].cout * P);
                for (int mode = MINNOW_CONV_MODE_AUTO; mode <= MINNOW_CONV_MODE_CHANNELS; mode++) {
                    if (mode == MINNOW_CONV_MODE_CHANNELS && cfg->tkernel == NULL) continue;
                    fails += check(cfg, shapes[i], v != 1, v >= 2, v % 3, split, mode, keep);
                    runs++;
                }
                free(keep);
            }
        }
    }
    printf("f32-conv: %d runs, %d failures\n", runs, fails);
    return fails != 0;
}
