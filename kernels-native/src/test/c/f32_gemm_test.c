/*
 * Native-side test of the f32-gemm configs against a double-precision loop, with every operand in a buffer
 * of exactly the size the shape needs, so AddressSanitizer catches any read or write out of range.
 * Built and run by run-tests.sh; the JUnit suites test the same kernels through Java.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32-gemm/f32_gemm.h"
#include "minnow_kernels.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static float next_float(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float) ((double) (rng >> 40) / (double) (1ull << 24) * 2.0 - 1.0);
}

/* Exactly-sized buffer for rows x cols with leading dimension ld (last row only cols long). */
static float* alloc_matrix(size_t rows, size_t cols, size_t ld) {
    size_t n = rows == 0 ? 0 : (rows - 1) * ld + cols;
    float* p = malloc(n * sizeof(float) + 1); /* +1: malloc(0) may return NULL */
    for (size_t i = 0; i < n; i++) p[i] = next_float();
    return p;
}

static int check(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k, size_t pad, int accumulate) {
    const size_t lda = k + pad, ldb = n + pad, ldc = n + pad;
    float* a = alloc_matrix(m, k, lda);
    float* b = alloc_matrix(k, n, ldb);
    float* c = alloc_matrix(m, n, ldc);
    size_t cn = m == 0 ? 0 : (m - 1) * ldc + n;
    float* expect = malloc(cn * sizeof(float) + 1);
    memcpy(expect, c, cn * sizeof(float));
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            double acc = accumulate ? expect[i * ldc + j] : 0.0;
            for (size_t p = 0; p < k; p++) acc += (double) a[i * lda + p] * b[p * ldb + j];
            expect[i * ldc + j] = (float) acc;
        }
    }
    minnow_f32_gemm_blocked(cfg, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    int bad = 0;
    for (size_t i = 0; i < m && !bad; i++) {
        for (size_t j = 0; j < ldc && i * ldc + j < cn; j++) {
            float got = c[i * ldc + j], want = expect[i * ldc + j];
            double tol = j < n ? 1e-5 * (double) (k + 1) * (1.0 + fabs(want)) : 0.0; /* padding: untouched */
            if (!(fabs((double) got - want) <= tol)) {
                fprintf(stderr, "FAIL %s m=%zu n=%zu k=%zu pad=%zu acc=%d at (%zu,%zu): got %g want %g\n", cfg->isa,
                        m, n, k, pad, accumulate, i, j, got, want);
                bad = 1;
                break;
            }
        }
    }
    free(a);
    free(b);
    free(c);
    free(expect);
    return bad;
}

int main(int argc, char** argv) {
    /* argv: config names to test (c, avx2, avx512f). */
    static const size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 129};
    const size_t ns = sizeof sizes / sizeof sizes[0];
    int failures = 0, passed = 0;
    for (int arg = 1; arg < argc; arg++) {
        const struct minnow_f32_gemm_config* cfg = strcmp(argv[arg], "c") == 0      ? &minnow_f32_gemm_c_config
                                                   : strcmp(argv[arg], "avx2") == 0 ? &minnow_f32_gemm_avx2_config
                                                   : strcmp(argv[arg], "avx512f") == 0
                                                       ? &minnow_f32_gemm_avx512f_config
                                                       : NULL;
        if (cfg == NULL) {
            fprintf(stderr, "unknown config %s\n", argv[arg]);
            return 2;
        }
        for (size_t im = 0; im < ns; im++)
            for (size_t in = 0; in < ns; in++)
                for (size_t ik = 0; ik < ns; ik += 2)
                    for (int acc = 0; acc < 2; acc++) {
                        int f = check(cfg, sizes[im], sizes[in], sizes[(ik + im) % ns], (im + in) % 3, acc);
                        failures += f;
                        passed += !f;
                    }
        /* Shapes crossing the cache blocks (k > kc, n > nc, m > mc). */
        const size_t big[][3] = {{cfg->mc + 3, cfg->nc + 5, cfg->kc + 7}, {2 * cfg->mc + 1, 33, 2 * cfg->kc + 1},
                                 {1, cfg->nc * 2 + 1, 3}};
        for (size_t t = 0; t < 3; t++)
            for (int acc = 0; acc < 2; acc++) {
                int f = check(cfg, big[t][0], big[t][1], big[t][2], 1, acc);
                failures += f;
                passed += !f;
            }
    }
    printf("%d passed, %d failed\n", passed, failures);
    return failures != 0;
}
