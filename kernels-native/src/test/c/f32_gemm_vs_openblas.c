/*
 * Head-to-head native timing: f32-gemm-avx2 against OpenBLAS cblas_sgemm (1 thread), alternating the two
 * and keeping the best time of each, so load from other processes on a shared machine hits both alike.
 * Usage: f32_gemm_vs_openblas M NK REPS (C[M x NK] = A[M x NK] * B[NK x NK]). Built by vs-openblas.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "f32-gemm/f32_gemm.h"

void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int n);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s M NK REPS\n", argv[0]);
        return 2;
    }
    const size_t m = strtoul(argv[1], NULL, 10), n = strtoul(argv[2], NULL, 10), k = n;
    const int reps = atoi(argv[3]);
    openblas_set_num_threads(1);
    float* a = aligned_alloc(64, (m * k + 16) * sizeof(float));
    float* b = aligned_alloc(64, (k * n + 16) * sizeof(float));
    float* c = aligned_alloc(64, (m * n + 16) * sizeof(float));
    for (size_t i = 0; i < m * k; i++) a[i] = (float) (i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++) b[i] = (float) (i % 5) * 0.1f;
    double tm = 1e30, to = 1e30;
    for (int r = 0; r < reps; r++) {
        double t = now();
        minnow_f32_gemm_blocked(&minnow_f32_gemm_avx2_config, m, n, k, a, k, b, n, c, n, 0);
        t = now() - t;
        tm = t < tm ? t : tm;
        t = now();
        cblas_sgemm(101 /* row major */, 111, 111 /* no transpose */, (int) m, (int) n, (int) k, 1.0f, a, (int) k, b,
                    (int) n, 0.0f, c, (int) n);
        t = now() - t;
        to = t < to ? t : to;
    }
    const double flops = 2.0 * (double) m * (double) n * (double) k;
    printf("m=%zu nk=%zu  f32-gemm-avx2 %.1f GFLOP/s  openblas %.1f GFLOP/s  ratio %.2f\n", m, n, flops / tm * 1e-9,
           flops / to * 1e-9, to / tm);
    return 0;
}
