/*
 * Times the pointwise NHWC conv (minnow_f32_pwconv) on MobileNet's 1x1 layers, one image per call, hot in
 * cache, one thread; and the packed f32-gemm path the engine used before (minnow_f32_gemm_packed_b on W
 * prepacked by minnow_f32_gemm_pack_b, variant avx2) on the same shape, in the same run. Both with bias and
 * a ReLU6 clamp; "pw+res" adds the fused residual (the GEMM path cannot fuse it: the engine adds it in a
 * separate pass, not timed here). Prints the best time per call over many batches (the least disturbed
 * one), in microseconds, GFLOP/s (2 m n k per call) and % of the FMA peak measured by minnow_probe_fma.
 * Built and run by pwconv-bench.sh:
 *   pwconv-bench.sh [c] [avx2] [avx512f]      (default: avx2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "f32-pwconv/f32_pwconv.h"
#include "minnow_kernels.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static float* floats(size_t n) {
    float* p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) p[i] = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

struct shape {
    int m, k, n; /* pixels, input channels, output channels */
};

enum { PW, PW_RES, GEMM };

/* Best microseconds per call. */
static double best_us(int what, int variant, const struct shape* s, const float* x, const float* wp, const float* gp,
                      const float* b, const float* res, float* y) {
    const double flops = 2.0 * s->m * s->n * s->k;
    const int batch = flops > 2e7 ? 1 : (int) (2e7 / flops) + 1, batches = 300;
    double best = 1e30;
    for (int r = 0; r < batches; r++) {
        const double t0 = now_us();
        for (int i = 0; i < batch; i++) {
            int rc;
            if (what == GEMM) {
                rc = minnow_f32_gemm_packed_b(MINNOW_F32_GEMM_AVX2, s->m, s->n, s->k, 0, s->n, x, s->k, gp, b, 1, 0.0f,
                                              6.0f, y, s->n);
            } else {
                rc = minnow_f32_pwconv(variant, s->m, s->n, s->k, x, s->k, wp, b, what == PW_RES ? res : NULL, s->n, 1,
                                       0.0f, 6.0f, y, s->n);
            }
            if (rc != 0) {
                fprintf(stderr, "refused m=%d k=%d n=%d\n", s->m, s->k, s->n);
                exit(1);
            }
        }
        const double t = (now_us() - t0) / batch;
        best = t < best ? t : best;
    }
    return best;
}

/* Single-thread AVX2 FMA peak in GFLOP/s, best of a few runs. */
static double fma_peak(void) {
    const long long iters = 20000000;
    double best = 0;
    for (int r = 0; r < 5; r++) {
        const double t0 = now_us();
        volatile float sink = minnow_probe_fma(MINNOW_PROBE_AVX2, iters, 0.999f, 0.001f);
        (void) sink;
        const double g = minnow_probe_fma_flops(MINNOW_PROBE_AVX2, iters) / ((now_us() - t0) * 1e3);
        best = g > best ? g : best;
    }
    return best;
}

int main(int argc, char** argv) {
    static const struct shape shapes[] = {{196, 96, 24}, {196, 24, 96}, {49, 128, 32}, {196, 16, 64},
                                          {196, 64, 16}, {196, 64, 24}, {49, 96, 32},  {49, 32, 128},
                                          {3136, 64, 64}};
    int variants[MINNOW_F32_PWCONV_VARIANTS], nv = 0;
    for (int v = 0; v < MINNOW_F32_PWCONV_VARIANTS; v++) {
        int wanted = argc == 1 ? v == MINNOW_F32_PWCONV_AVX2 : 0;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], minnow_f32_pwconv_variant_isa(v)) == 0;
        if (wanted && minnow_f32_pwconv_variant_supported(v)) variants[nv++] = v;
    }
    if (!minnow_f32_gemm_variant_supported(MINNOW_F32_GEMM_AVX2)) {
        fprintf(stderr, "this CPU lacks AVX2: no gemm comparison\n");
        return 1;
    }
    const double peak = fma_peak();
    printf("AVX2 FMA peak (minnow_probe_fma, 1 thread): %.1f GFLOP/s\n", peak);
    printf("%-15s %-8s %9s %8s %6s %11s %9s %8s %9s\n", "m x k -> n", "variant", "pw us", "GFLOP/s", "%peak",
           "pw+res us", "gemm us", "GFLOP/s", "gemm/pw");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const struct shape* s = &shapes[i];
        float* x = floats((size_t) s->m * s->k);
        float* w = floats((size_t) s->n * s->k);
        float* b = floats((size_t) s->n);
        float* res = floats((size_t) s->m * s->n);
        float* y = floats((size_t) s->m * s->n);
        float* wp = floats((size_t) minnow_f32_pwconv_packed_floats(MINNOW_F32_PWCONV_C, s->k, s->n));
        float* gp = floats((size_t) minnow_f32_gemm_pack_b_floats(MINNOW_F32_GEMM_AVX2, s->k, s->n));
        if (minnow_f32_pwconv_pack(MINNOW_F32_PWCONV_C, s->k, s->n, w, wp) != 0
            || minnow_f32_gemm_pack_b(MINNOW_F32_GEMM_AVX2, s->k, s->n, w, s->k, 1, gp) != 0) {
            fprintf(stderr, "packing failed\n");
            return 1;
        }
        const double gflop = 2.0 * s->m * s->n * s->k * 1e-3; /* per us */
        const double tg = best_us(GEMM, 0, s, x, wp, gp, b, res, y);
        for (int v = 0; v < nv; v++) {
            const double tp = best_us(PW, variants[v], s, x, wp, gp, b, res, y);
            const double tr = best_us(PW_RES, variants[v], s, x, wp, gp, b, res, y);
            char name[32];
            snprintf(name, sizeof name, "%dx%d->%d", s->m, s->k, s->n);
            printf("%-15s %-8s %9.2f %8.1f %5.0f%% %11.2f %9.2f %8.1f %9.2f\n", name,
                   minnow_f32_pwconv_variant_isa(variants[v]), tp, gflop / tp, 100.0 * gflop / tp / peak, tr, tg,
                   gflop / tg, tg / tp);
        }
        free(x);
        free(w);
        free(b);
        free(res);
        free(y);
        free(wp);
        free(gp);
    }
    return 0;
}
