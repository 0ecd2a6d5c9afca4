/*
 * Times the NHWC f32-dwconv (minnow_f32_dwconv_nhwc) on MobileNet-like 3x3 layers, whole image per call, with
 * the NCHW kernel (minnow_f32_dwconv_variant) on the same layer for comparison. Prints the best time per call
 * over many batches (the least disturbed one), in microseconds. Built and run by dwconv-bench.sh:
 *   dwconv-bench.sh [variant ...]      (default: every variant this CPU runs)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "f32-dwconv/f32_dwconv_nhwc.h"
#include "minnow_kernels.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

struct layer {
    int ch, in, stride; /* square input, 3x3, pad 1 on every side */
};

static float* floats(size_t n) {
    float* p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) p[i] = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

/* Best microseconds per call of one layer; nhwc selects the entry point. */
static double best_us(int variant, int nhwc, const struct layer* l, const float* x, const float* w, const float* b,
                      float* y) {
    const int out = (l->in + 2 - 3) / l->stride + 1;
    const long long size = (long long) l->ch * l->in * l->in; /* fewer calls per batch for larger layers */
    const int batch = size >= 50 * 12544 ? 1 : (int) (50 * 12544 / size < 50 ? 50 * 12544 / size : 50), batches = 400;
    double best = 1e30;
    for (int r = 0; r < batches; r++) {
        const double t0 = now_us();
        for (int i = 0; i < batch; i++) {
            const int rc = nhwc ? minnow_f32_dwconv_nhwc(variant, l->ch, l->in, l->in, out, out, 3, 3, l->stride,
                                                         l->stride, 1, 1, 1, 1, x, w, b, y, 0, out, 1, 0.0f, 6.0f)
                                : minnow_f32_dwconv_variant(variant, l->in, l->in, out, out, 3, 3, l->stride, l->stride,
                                                            1, 1, 1, 1, x, 0, w, b, y, l->ch, 1, 0.0f, 6.0f);
            if (rc != 0) {
                fprintf(stderr, "variant %d refused the layer\n", variant);
                exit(1);
            }
        }
        const double t = (now_us() - t0) / batch;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char** argv) {
    /* the task's layers, then two of MobileNet v1's wide ones (pixels of 2 and 4 KiB: see the AVX2 kernel's
       notes on L1 sets) */
    static const struct layer layers[] = {{64, 14, 1},  {96, 14, 1},  {96, 14, 2},  {128, 7, 1},
                                          {16, 28, 1},  {512, 14, 1}, {1024, 7, 1}};
    int variants[MINNOW_F32_DWCONV_VARIANTS], n = 0;
    for (int v = 0; v < MINNOW_F32_DWCONV_VARIANTS; v++) {
        int wanted = argc == 1;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], minnow_f32_dwconv_variant_isa(v)) == 0;
        if (wanted && minnow_f32_dwconv_variant_supported(v)) variants[n++] = v;
    }
    printf("%-22s %-8s %12s %12s %8s\n", "layer (3x3, pad 1)", "variant", "nhwc us", "nchw us", "nchw/nhwc");
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const struct layer* l = &layers[i];
        const int out = (l->in + 2 - 3) / l->stride + 1;
        float* x = floats((size_t) l->ch * l->in * l->in);
        float* w = floats((size_t) l->ch * 9);
        float* b = floats((size_t) l->ch);
        float* y = floats((size_t) l->ch * out * out);
        for (int k = 0; k < n; k++) {
            const double tn = best_us(variants[k], 1, l, x, w, b, y), tc = best_us(variants[k], 0, l, x, w, b, y);
            char name[32];
            snprintf(name, sizeof name, "%dch %dx%d s%d", l->ch, l->in, l->in, l->stride);
            printf("%-22s %-8s %12.2f %12.2f %8.2f\n", name, minnow_f32_dwconv_variant_isa(variants[k]), tn, tc,
                   tc / tn);
        }
        free(x);
        free(w);
        free(b);
        free(y);
    }
    return 0;
}
