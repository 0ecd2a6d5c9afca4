/*
 * q4-gemv variants against a double-precision loop over exact integer group dots, under AddressSanitizer: every
 * buffer is malloc'ed to its exact size, so a read past A's rows, the packed panels or C's window is caught.
 * Shapes: K not a multiple of 32/64/G (and K = 16384), n not a multiple of 4, m = 1..5, every G, signed and
 * zero-point codes, the vpmaddubsw extremes (all codes 15 against all -128 and all 127), column windows.
 * Tolerance: 1e-5 of a_scale * sum |a| * scale * (u + z'), the magnitudes the kernels add (Q4Gemv javadoc).
 * Usage: q4_gemv_test c avx2 ...
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minnow_kernels.h"

static unsigned rng = 4242;
static unsigned next(void) {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static int failures = 0;

/* u[j][p] 0..15, scale[j][g], z[j][g] (8 for signed) -> the layout of q4-gemv/q4_gemv.h */
static unsigned char* pack(int n, int k, int g, int zp, const int* u, const float* scale, const int* z) {
    const int groups = (k + g - 1) / g, chunk = g > 64 ? g : 64, chunks = (k + chunk - 1) / chunk, gpc = chunk / g;
    const long long bytes = minnow_q4_gemv_packed_bytes(n, k, g, zp);
    const size_t pb = (size_t) (bytes / ((n + 3) / 4 > 0 ? (n + 3) / 4 : 1));
    unsigned char* out = calloc(bytes > 0 ? (size_t) bytes : 1, 1);
    for (int j = 0; j < n; j++) {
        unsigned char* panel = out + (size_t) (j / 4) * pb;
        const int r = j % 4;
        float* sc = (float*) (panel + (size_t) chunks * 4 * chunk / 2);
        for (int p = 0; p < k; p++) {
            const int ch = p / chunk, q = p % chunk, blk = q / 64, i = q % 64;
            panel[((size_t) ch * 4 + r) * chunk / 2 + blk * 32 + i % 32] |= (unsigned char) (u[(size_t) j * k + p] << (i < 32 ? 0 : 4));
        }
        for (int gi = 0; gi < groups; gi++) {
            sc[gi * 4 + r] = scale[j * groups + gi];
            if (zp) sc[(size_t) chunks * gpc * 4 + gi * 4 + r] = scale[j * groups + gi] * (float) z[j * groups + gi];
        }
    }
    return out;
}

/* fill: 0 random; 1 codes 15 and activations -128; 2 codes 15 and activations 127; 3 codes 0, activations -128 */
static void run(int variant, const char* name, int m, int n, int k, int g, int zp, int fill, int j0, int j1) {
    const int groups = (k + g - 1) / g, lda = k + (int) (next() % 3), ldc = (j1 - j0) + (int) (next() % 3);
    int* u = malloc(sizeof(int) * ((size_t) n * k + 1));
    float* scale = malloc(sizeof(float) * ((size_t) n * groups + 1));
    int* z = malloc(sizeof(int) * ((size_t) n * groups + 1));
    for (size_t i = 0; i < (size_t) n * k; i++) u[i] = fill == 0 ? (int) (next() % 16) : fill == 3 ? 0 : 15;
    for (int i = 0; i < n * groups; i++) {
        scale[i] = 0.01f + (float) (next() % 1000) / 1000.0f;
        z[i] = zp ? (int) (next() % 16) : 8;
    }
    unsigned char* packed = pack(n, k, g, zp, u, scale, z);
    signed char* a = malloc((size_t) (m - 1) * lda + k + 1);
    for (size_t i = 0; i < (size_t) (m - 1) * lda + k; i++) {
        a[i] = (signed char) (fill == 0 ? (int) (next() % 256) - 128 : fill == 2 ? 127 : -128);
    }
    float* as = malloc(sizeof(float) * m);
    for (int i = 0; i < m; i++) as[i] = 0.001f + (float) (next() % 100) / 1000.0f;
    float* bias = malloc(sizeof(float) * n);
    for (int j = 0; j < n; j++) bias[j] = (float) (next() % 100) / 50.0f - 1.0f;
    float* c = malloc(sizeof(float) * ((size_t) (m - 1) * ldc + (j1 - j0) + 1));
    const int rc = minnow_q4_gemv(variant, m, n, k, g, zp, j0, j1, a, lda, as, packed, bias, -INFINITY, INFINITY, c, ldc);
    if (rc != 0) {
        printf("FAIL %s: rc=%d m=%d n=%d k=%d g=%d zp=%d\n", name, rc, m, n, k, g, zp);
        failures++;
    }
    for (int i = 0; i < m && rc == 0; i++) {
        for (int j = j0; j < j1; j++) {
            double want = 0, mag = 0;
            for (int gi = 0; gi < groups; gi++) {
                long long dot = 0;
                double s = scale[j * groups + gi];
                for (int p = gi * g; p < k && p < gi * g + g; p++) {
                    const int x = a[(size_t) i * lda + p], w = u[(size_t) j * k + p];
                    dot += (long long) (w - z[j * groups + gi]) * x;
                    mag += fabs((double) x) * s * (w + z[j * groups + gi]);
                }
                want += s * (double) dot;
            }
            want = as[i] * want + bias[j];
            const double tol = 1e-5 * (as[i] * mag + fabs(bias[j])) + 1e-30;
            const float got = c[(size_t) i * ldc + j - j0];
            if (!(fabs(got - want) <= tol)) {
                if (failures < 10) {
                    printf("FAIL %s: m=%d n=%d k=%d g=%d zp=%d fill=%d C[%d][%d]=%.9g want %.9g tol %.3g\n", name, m, n, k,
                           g, zp, fill, i, j, got, want, tol);
                }
                failures++;
            }
        }
    }
    free(u), free(scale), free(z), free(packed), free(a), free(as), free(bias), free(c);
}

int main(int argc, char** argv) {
    static const int ks[] = {1, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 257, 4099};
    static const int ns[] = {1, 3, 4, 5, 17};
    for (int v = 1; v < argc; v++) {
        int variant = -1;
        for (int i = 0; i < MINNOW_Q4_GEMV_VARIANTS; i++) {
            if (strcmp(argv[v], minnow_q4_gemv_variant_isa(i)) == 0) variant = i;
        }
        if (variant < 0 || !minnow_q4_gemv_variant_supported(variant)) {
            printf("skip %s: not supported here\n", argv[v]);
            continue;
        }
        const char* name = argv[v];
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
                for (int g = 32; g <= 128; g *= 2) {
                    for (int zp = 0; zp < 2; zp++) {
                        const int m = 1 + (int) ((ki + ni + zp) % 5);
                        run(variant, name, m, ns[ni], ks[ki], g, zp, 0, 0, ns[ni]);
                    }
                }
            }
        }
        for (int fill = 1; fill <= 3; fill++) {
            for (int g = 32; g <= 128; g *= 2) {
                run(variant, name, 2, 5, 16384, g, 0, fill, 0, 5);
                run(variant, name, 1, 4, 16384 - 7, g, 1, fill, 0, 4);
            }
        }
        run(variant, name, 3, 21, 200, 64, 1, 0, 4, 12);   /* a column window */
        run(variant, name, 2, 21, 200, 32, 0, 0, 20, 21);  /* the last, partial panel alone */
        /* bad arguments: -1, nothing touched */
        if (minnow_q4_gemv(variant, 1, 8, 8, 32, 0, 2, 8, NULL, 8, NULL, NULL, NULL, 0, 1, NULL, 8) != -1
            || minnow_q4_gemv(variant, 1, 8, 8, 48, 0, 0, 8, NULL, 8, NULL, NULL, NULL, 0, 1, NULL, 8) != -1
            || minnow_q4_gemv(variant, 1, 8, 8, 32, 0, 0, 9, NULL, 8, NULL, NULL, NULL, 0, 1, NULL, 8) != -1
            || minnow_q4_gemv(variant, 1, 8, 8, 32, 0, 0, 8, NULL, 7, NULL, NULL, NULL, 0, 1, NULL, 8) != -1) {
            printf("FAIL %s: a bad argument was accepted\n", name);
            failures++;
        }
        printf("%s: done\n", name);
    }
    printf(failures ? "q4_gemv_test: %d FAILURES\n" : "q4_gemv_test: all passed\n", failures);
    return failures != 0;
}
