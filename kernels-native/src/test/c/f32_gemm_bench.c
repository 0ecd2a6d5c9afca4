/*
 * Quick native timing of the f32-gemm configs without the JVM (for tuning block sizes; JMH F32GemmBench is
 * the benchmark of record). Usage: f32_gemm_bench CONFIG M N K [reps] [packed]
 * Prints GFLOP/s (best of reps) and, for M = 1, GB/s of B read. Built by bench.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "f32-gemm/f32_gemm.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s c|avx2|avx512f M N K [reps] [packed|packedT]\n", argv[0]);
        return 2;
    }
    const struct minnow_f32_gemm_config* cfg = strcmp(argv[1], "c") == 0      ? &minnow_f32_gemm_c_config
                                               : strcmp(argv[1], "avx2") == 0 ? &minnow_f32_gemm_avx2_config
                                                                              : &minnow_f32_gemm_avx512f_config;
    const size_t m = strtoul(argv[2], NULL, 10), n = strtoul(argv[3], NULL, 10), k = strtoul(argv[4], NULL, 10);
    const int reps = argc > 5 ? atoi(argv[5]) : 5;
    const int packed = argc > 6 ? (strcmp(argv[6], "packedT") == 0 ? 2 : 1) : 0;
    float* a = aligned_alloc(64, (m * k + 16) * sizeof(float));
    float* b = aligned_alloc(64, (k * n + 16) * sizeof(float));
    float* c = aligned_alloc(64, (m * n + 16) * sizeof(float));
    for (size_t i = 0; i < m * k; i++) a[i] = (float) (i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++) b[i] = (float) (i % 5) * 0.1f;
    float* bp = NULL;
    if (packed) {
        bp = aligned_alloc(64, (minnow_f32_gemm_packed_size(cfg, k, n) + 16) * sizeof(float));
        minnow_f32_gemm_pack_all(cfg, k, n, b, packed == 2 ? k : n, packed == 2, bp);
    }
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        const double t = now();
        if (packed) {
            minnow_f32_gemm_blocked_packed(cfg, m, n, k, 0, n, a, k, bp, NULL, 0, 0.0f, 0.0f, c, n);
        } else {
            minnow_f32_gemm_blocked(cfg, m, n, k, a, k, b, n, c, n, 0);
        }
        const double dt = now() - t;
        best = dt < best ? dt : best;
    }
    printf("%s m=%zu n=%zu k=%zu %s: %.3f ms  %.1f GFLOP/s  %.1f GB/s(B)\n", cfg->isa, m, n, k,
           packed ? "packed" : "plain", best * 1e3, 2.0 * m * n * k / best * 1e-9, 4.0 * n * k / best * 1e-9);
    return 0;
}
