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

static float act_ref(int act, float v, float lo, float hi) {
    if (act == 1) {
        v = v < lo ? lo : v;
        return v > hi ? hi : v;
    }
    if (act == 2) {
        float t = v / 6.0f + 0.5f;
        t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        return v * t;
    }
    return v;
}

/*
 * Prepacked B (plain or transposed source), bias or none, activation `act`, columns [j0, j1) of C: against
 * the double loop, then bit-for-bit against the same product computed in two column pieces (the split
 * threads use) and row by row (the m = 1 path must keep the tile's summation order).
 */
static int check_packed(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k, int transposed,
                        int with_bias, int act) {
    const size_t pad = 1 + (m + n) % 3, lda = k + pad, ldc = n + pad, ldb = (transposed ? k : n) + pad;
    const float lo = -0.25f, hi = 0.5f;
    float* a = alloc_matrix(m, k, lda);
    float* b = transposed ? alloc_matrix(n, k, ldb) : alloc_matrix(k, n, ldb);
    float* bias = with_bias ? alloc_matrix(1, n, n) : NULL;
    const size_t psize = minnow_f32_gemm_packed_size(cfg, k, n);
    float* bp = NULL;
    if (posix_memalign((void**) &bp, 64, psize * sizeof(float) + 64) != 0) return 1;
    minnow_f32_gemm_pack_all(cfg, k, n, b, ldb, transposed, bp);
    const size_t cn = m == 0 ? 0 : (m - 1) * ldc + n;
    float* c = alloc_matrix(m, n, ldc);
    float* c2 = malloc(cn * sizeof(float) + 1);
    float* row = alloc_matrix(1, n, n);
    memcpy(c2, c, cn * sizeof(float));
    const size_t j0 = n / 3, j1 = n - n / 5; /* the written window */
    int bad = minnow_f32_gemm_blocked_packed(cfg, m, n, k, j0, j1, a, lda, bp, bias ? bias + j0 : NULL, act, lo, hi,
                                             c + j0, ldc) != 0;
    for (size_t i = 0; i < m && !bad; i++) {
        for (size_t j = 0; j < ldc && i * ldc + j < cn; j++) {
            const float got = c[i * ldc + j];
            if (j < j0 || j >= j1) {
                if (memcmp(&got, &c2[i * ldc + j], sizeof got) != 0) bad = 1; /* outside the window: untouched */
            } else {
                double acc = 0.0;
                for (size_t p = 0; p < k; p++) {
                    acc += (double) a[i * lda + p] * (transposed ? b[j * ldb + p] : b[p * ldb + j]);
                }
                const float want = act_ref(act, (float) acc + (bias ? bias[j] : 0.0f), lo, hi);
                if (!(fabs((double) got - want) <= 1e-5 * (double) (k + 1) * (1.0 + fabs(want)))) bad = 1;
            }
            if (bad) {
                fprintf(stderr, "FAIL packed %s m=%zu n=%zu k=%zu T=%d bias=%d act=%d at (%zu,%zu): got %g\n", cfg->isa,
                        m, n, k, transposed, with_bias, act, i, j, got);
                break;
            }
        }
    }
    /* Same bits from two column pieces [j0, js) + [js, j1) and from each row alone. */
    const size_t js = j0 + (j1 - j0) / 2;
    if (!bad && m > 0 && j1 > j0) {
        minnow_f32_gemm_blocked_packed(cfg, m, n, k, j0, js, a, lda, bp, bias ? bias + j0 : NULL, act, lo, hi, c2 + j0,
                                       ldc);
        minnow_f32_gemm_blocked_packed(cfg, m, n, k, js, j1, a, lda, bp, bias ? bias + js : NULL, act, lo, hi, c2 + js,
                                       ldc);
        for (size_t i = 0; i < m && !bad; i++) {
            if (memcmp(c + i * ldc + j0, c2 + i * ldc + j0, (j1 - j0) * sizeof(float)) != 0) {
                fprintf(stderr, "FAIL packed split %s m=%zu n=%zu k=%zu row %zu differs\n", cfg->isa, m, n, k, i);
                bad = 1;
            }
            minnow_f32_gemm_blocked_packed(cfg, 1, n, k, j0, j1, a + i * lda, lda, bp, bias ? bias + j0 : NULL, act, lo,
                                           hi, row + j0, n);
            if (!bad && memcmp(c + i * ldc + j0, row + j0, (j1 - j0) * sizeof(float)) != 0) {
                fprintf(stderr, "FAIL packed row %s m=%zu n=%zu k=%zu row %zu differs alone\n", cfg->isa, m, n, k, i);
                bad = 1;
            }
        }
    }
    free(a);
    free(b);
    free(bias);
    free(bp);
    free(c);
    free(c2);
    free(row);
    return bad;
}

/* The unpacked m = 1 path must give the bits of the same row inside a tiled product. */
static int check_row_bits(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k) {
    float* a = alloc_matrix(m, k, k);
    float* b = alloc_matrix(k, n, n);
    float* c = alloc_matrix(m, n, n);
    float* row = alloc_matrix(1, n, n);
    int bad = 0;
    minnow_f32_gemm_blocked(cfg, m, n, k, a, k, b, n, c, n, 0);
    for (size_t i = 0; i < m && !bad; i++) {
        minnow_f32_gemm_blocked(cfg, 1, n, k, a + i * k, k, b, n, row, n, 0);
        if (memcmp(c + i * n, row, n * sizeof(float)) != 0) {
            fprintf(stderr, "FAIL row bits %s m=%zu n=%zu k=%zu row %zu\n", cfg->isa, m, n, k, i);
            bad = 1;
        }
    }
    free(a);
    free(b);
    free(c);
    free(row);
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
        /* Prepacked B: odd shapes x both layouts x bias or not x each activation, and blocks crossed. */
        static const size_t psizes[] = {0, 1, 2, 3, 5, 7, 16, 17, 33, 70};
        const size_t np = sizeof psizes / sizeof psizes[0];
        for (size_t im = 0; im < np; im++)
            for (size_t in = 1; in < np; in++)
                for (size_t ik = 0; ik < np; ik += 3)
                    for (int t = 0; t < 2; t++)
                        for (int bias = 0; bias < 2; bias++)
                            for (int act = 0; act < 3; act++) {
                                int f = check_packed(cfg, psizes[im], psizes[in], psizes[(ik + in) % np], t, bias, act);
                                failures += f;
                                passed += !f;
                            }
        const size_t pbig[][3] = {{cfg->mc + 3, cfg->nr * 5 + 3, cfg->kc + 7}, {1, cfg->nr * 9 + 1, 2 * cfg->kc + 3},
                                  {2 * cfg->mr + 1, 200, 2 * cfg->kc + 1}};
        for (size_t t = 0; t < 3; t++) {
            int f = check_packed(cfg, pbig[t][0], pbig[t][1], pbig[t][2], t & 1, 1, 1);
            f |= check_packed(cfg, pbig[t][0], pbig[t][1], pbig[t][2], !(t & 1), 0, 2);
            failures += f;
            passed += !f;
        }
        const size_t rbits[][3] = {{7, 37, 5}, {6, 1100, 300}, {3, 2100, 2 * cfg->kc + 5}, {13, 17, 1}};
        for (size_t t = 0; t < 4; t++) {
            int f = check_row_bits(cfg, rbits[t][0], rbits[t][1], rbits[t][2]);
            failures += f;
            passed += !f;
        }
    }
    printf("%d passed, %d failed\n", passed, failures);
    return failures != 0;
}
