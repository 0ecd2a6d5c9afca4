/*
 * Times one qs8-gemm variant on packed W (raw int32 epilogue) and prints GOP/s (2 per multiply-add, best of
 * reps, so other load on the machine shows less) and, for m = 1, GB/s of packed W streamed. Built by
 * qs8-bench.sh.  Usage: qs8_gemm_bench avx2 M N K [reps]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "minnow_kernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s c|avx2|avx512vnni M N K [reps]\n", argv[0]);
        return 2;
    }
    int variant = -1;
    for (int v = 0; v < MINNOW_QS8_GEMM_VARIANTS; v++) {
        if (strcmp(argv[1], minnow_qs8_gemm_variant_isa(v)) == 0) variant = v;
    }
    if (variant < 0 || !minnow_qs8_gemm_variant_supported(variant)) {
        fprintf(stderr, "variant %s cannot run here\n", argv[1]);
        return 2;
    }
    int m = atoi(argv[2]), n = atoi(argv[3]), k = atoi(argv[4]), reps = argc > 5 ? atoi(argv[5]) : 10;
    uint8_t* a = malloc((size_t) m * k);
    int8_t* w = malloc((size_t) n * k);
    for (size_t i = 0; i < (size_t) m * k; i++) a[i] = (uint8_t) (i * 7 + 3);
    for (size_t i = 0; i < (size_t) n * k; i++) w[i] = (int8_t) (i * 13 + 5);
    long long bytes = minnow_qs8_gemm_packed_bytes(variant, n, k);
    int8_t* packed = aligned_alloc(64, (size_t) (bytes + 63) / 64 * 64);
    minnow_qs8_gemm_pack(variant, n, k, w, k, packed);
    int32_t* c = malloc((size_t) m * n * 4);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        minnow_qs8_gemm_packed(variant, m, n, k, a, k, 1, 128, packed, MINNOW_QS8_EPI_RAW, NULL, 0, NULL, NULL, 0, 0, 0,
                               0, 0, 0, c, n);
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    printf("qs8-gemm-%s m=%d n=%d k=%d: %.3f ms  %.1f GOP/s  %.1f GB/s of packed W\n", argv[1], m, n, k, best * 1e3,
           2.0 * m * n * k / best * 1e-9, (double) bytes / best * 1e-9);
    return c[0] == 12345 ? 1 : 0; /* keeps the result live */
}
