/*
 * q4-gemm variants against a double-precision loop on the unpacked codes, under AddressSanitizer: every
 * buffer is malloc'ed to its exact size, so a read past A's rows, the packed panels or C's window is caught.
 * Shapes: odd K (padding nibble), K not a multiple of G, n not a multiple of 8, m = 1..5 (the GEMV path and the
 * 4-row blocks with a short last block), every G, signed and zero-point codes, extreme codes, zero scales,
 * column windows. Tolerance: 1e-5 of sum |a| * scale * (u + z'), the terms the kernels add (q4_gemm.h).
 * Usage: q4_gemm_test c avx2 ...
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minnow_kernels.h"

static unsigned rng = 12345;
static unsigned next(void) {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}
static float unit(void) { return (float) (next() % 20001) / 10000.0f - 1.0f; }

static int failures = 0;

/* u[j][p] in 0..15, scale[j][g], z[j][g] (z' : 8 for signed codes) -> packed bytes, 8-row panels. */
static unsigned char* pack(int n, int k, int g, int zp, const int* u, const float* scale, const float* z, long long* bytes) {
    const int groups = (k + g - 1) / g;
    const size_t gb = 4 * (size_t) g + 32 + 32 * (size_t) zp, pb = groups * gb;
    *bytes = minnow_q4_gemm_packed_bytes(n, k, g, zp);
    unsigned char* out = calloc(*bytes > 0 ? (size_t) *bytes : 1, 1);
    for (int j = 0; j < n; j++) {
        for (int gi = 0; gi < groups; gi++) {
            unsigned char* rec = out + (size_t) (j / 8) * pb + gi * gb;
            for (int p = gi * g; p < k && p < gi * g + g; p++) {
                int q = p - gi * g;
                rec[q / 2 * 8 + j % 8] |= (unsigned char) (u[(size_t) j * k + p] << ((q & 1) * 4));
            }
            float* sc = (float*) (rec + (size_t) g / 2 * 8);
            sc[j % 8] = scale[j * groups + gi];
            if (zp) sc[8 + j % 8] = z[j * groups + gi];
        }
    }
    return out;
}

/* Scale of A's values: the AVX2 driver pre-scales rows whose max |a| is in [2^-59, 2^105] and converts otherwise. */
static float a_scale = 1.0f;

static void run(int variant, const char* name, int m, int n, int k, int g, int zp, int fill, int j0, int j1) {
    const int groups = (k + g - 1) / g, lda = k + (int) (next() % 3), ldc = (j1 - j0) + (int) (next() % 3);
    int* u = malloc(sizeof(int) * ((size_t) n * k + 1));
    float* scale = malloc(sizeof(float) * ((size_t) n * groups + 1));
    float* z = malloc(sizeof(float) * ((size_t) n * groups + 1));
    for (size_t i = 0; i < (size_t) n * k; i++) u[i] = fill == 1 ? 0 : fill == 2 ? 15 : (int) (next() % 16);
    for (int i = 0; i < n * groups; i++) {
        scale[i] = fill == 3 && i % 2 ? 0.0f : 0.01f + (unit() + 1) / 2;
        z[i] = zp ? (float) (fill == 1 ? 15 : fill == 2 ? 0 : (int) (next() % 16)) : 8.0f;
    }
    long long bytes;
    unsigned char* packed = pack(n, k, g, zp, u, scale, z, &bytes);
    float* a = malloc(sizeof(float) * ((size_t) (m - 1) * lda + k + 1));
    for (size_t i = 0; i < (size_t) (m - 1) * lda + k; i++) a[i] = unit() * a_scale;
    if (fill == 3 && k > 2) a[1] = a[2] = 0; /* a mix of magnitudes: zeros and a tiny value in the row */
    if (fill == 3 && k > 3) a[3] = 1e-38f * a_scale;
    float* bias = malloc(sizeof(float) * (size_t) (j1 - j0 + 1));
    for (int j = 0; j < j1 - j0; j++) bias[j] = unit();
    const size_t csize = j1 > j0 ? (size_t) (m - 1) * ldc + (j1 - j0) : 1;
    float* c = malloc(sizeof(float) * csize);
    for (size_t i = 0; i < csize; i++) c[i] = NAN;
    const float lo = fill == 2 ? -1.0f : -INFINITY, hi = fill == 2 ? 2.0f : INFINITY;
    int rc = minnow_q4_gemm(variant, m, n, k, g, zp, j0, j1, a, lda, packed, bias, lo, hi, c, ldc);
    if (rc != 0) {
        printf("FAIL %s m=%d n=%d k=%d G=%d zp=%d: returned %d\n", name, m, n, k, g, zp, rc);
        failures++;
    }
    for (int i = 0; i < m && rc == 0; i++) {
        for (int j = j0; j < j1; j++) {
            double acc = 0, mag = fabs(bias[j - j0]);
            for (int p = 0; p < k; p++) {
                double s = scale[j * groups + p / g], zz = z[j * groups + p / g], x = a[(size_t) i * lda + p];
                acc += x * (u[(size_t) j * k + p] - zz) * s;
                mag += fabs(x) * s * (u[(size_t) j * k + p] + zz);
            }
            acc += bias[j - j0];
            acc = acc < lo ? lo : acc > hi ? hi : acc;
            const float got = c[(size_t) i * ldc + (j - j0)];
            if (!(fabs(got - acc) <= 1e-5 * mag + 1e-30)) {
                if (failures++ < 10) {
                    printf("FAIL %s m=%d n=%d k=%d G=%d zp=%d fill=%d cols [%d,%d): C[%d][%d] = %g, want %g\n", name, m, n, k,
                           g, zp, fill, j0, j1, i, j, got, acc);
                }
            }
        }
    }
    free(u);
    free(scale);
    free(z);
    free(packed);
    free(a);
    free(bias);
    free(c);
}

int main(int argc, char** argv) {
    static const int ks[] = {1, 7, 31, 32, 33, 100, 129, 4099};
    static const int ns[] = {1, 3, 17, 33};
    int cases = 0;
    for (int ai = 1; ai < argc; ai++) {
        const int variant = strcmp(argv[ai], "avx2") == 0 ? MINNOW_Q4_GEMM_AVX2 : MINNOW_Q4_GEMM_C;
        if (!minnow_q4_gemm_variant_supported(variant)) {
            printf("skip %s: not supported here\n", argv[ai]);
            continue;
        }
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
                for (int m = 1; m <= 5; m++) {
                    for (int g = 32; g <= 128; g *= 2) {
                        for (int zp = 0; zp <= 1; zp++) {
                            if (ks[ki] > 129 && (m > 2 || ns[ni] > 17)) continue;
                            const int n = ns[ni];
                            run(variant, argv[ai], m, n, ks[ki], g, zp, (int) ((ki + ni + m) % 4), 0, n);
                            cases++;
                        }
                    }
                }
                /* a window of columns */
                if (ns[ni] > 8) {
                    run(variant, argv[ai], 3, ns[ni], ks[ki], 64, 1, 0, 8, ns[ni] - 1);
                    run(variant, argv[ai], 1, ns[ni], ks[ki], 32, 0, 0, 16, ns[ni]);
                    cases += 2;
                }
            }
        }
        /* activations far from 1: pre-scaled by large / small powers of 2, or (outside the range) converted */
        static const float scales[] = {1e-17f, 1e-30f, 1e30f, 1e34f}; /* 1e-30, 1e34: outside, converted */
        for (size_t si = 0; si < sizeof scales / sizeof *scales; si++) {
            a_scale = scales[si];
            for (int m = 1; m <= 5; m += 2) {
                run(variant, argv[ai], m, 17, 129, 32, (int) (si & 1), (int) si % 4, 0, 17);
                run(variant, argv[ai], m, 9, 33, 64, 1 - (int) (si & 1), 3, 0, 9);
                cases += 2;
            }
        }
        a_scale = 1.0f;
        /* refused arguments touch nothing (NULL pointers would crash if touched) */
        const int bad[][8] = {{1, 8, 8, 48, 0, 0, 8, 8}, {1, 8, 8, 32, 2, 0, 8, 8}, {1, 8, 8, 32, 0, 4, 8, 8},
                              {1, 8, 8, 32, 0, 0, 9, 8}, {-1, 8, 8, 32, 0, 0, 8, 8}, {1, 8, 8, 32, 0, 0, 8, 7}};
        for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
            const int* v = bad[b];
            if (minnow_q4_gemm(variant, v[0], v[1], v[2], v[3], v[4], v[5], v[6], NULL, v[7], NULL, NULL, 0, 1, NULL, 8) != -1) {
                printf("FAIL %s: bad argument set %zu was not refused\n", argv[ai], b);
                failures++;
            }
        }
    }
    printf("q4_gemm_test: %d cases, %d failures\n", cases, failures);
    return failures != 0;
}
