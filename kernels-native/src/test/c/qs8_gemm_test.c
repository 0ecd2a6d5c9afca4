/*
 * qs8-gemm variants against a plain C loop: raw int32 and requantized results must be equal, dequantized
 * float32 bitwise equal (same operation order as Qs8GemmReference). Odd shapes, every m from 1 past the
 * micro-kernels' tile heights, extremes of both operands, both activation signednesses and zero points,
 * per-tensor and per-column scales, and row strides / offsets that leave the packed panels' padding in play.
 * Usage: qs8_gemm_test c avx2 avx512vnni (the variants to test; run under AddressSanitizer).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minnow_kernels.h"

static uint32_t rng = 12345;
static uint32_t next(void) {
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static int failures = 0;

/* The reference's formulas, written independently (double rint, explicit clamps). */
static void reference(int m, int n, int k, const uint8_t* a, int lda, int au, int az, const int8_t* w, int ldw,
                      int epi, const float* scale, int ns, const int32_t* ib, const float* fb, int nb, int zero,
                      int qmin, int qmax, float lo, float hi, void* c, int ldc) {
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            uint32_t acc = 0;
            for (int p = 0; p < k; p++) {
                int x = (au ? (int) a[i * lda + p] : (int) (int8_t) a[i * lda + p]) - az;
                acc += (uint32_t) (x * w[j * ldw + p]);
            }
            int32_t s = (int32_t) acc;
            if (epi == MINNOW_QS8_EPI_RAW) {
                ((int32_t*) c)[i * ldc + j] = s;
            } else if (epi == MINNOW_QS8_EPI_REQUANTIZE) {
                int32_t sum = ib ? (int32_t) ((uint32_t) s + (uint32_t) ib[nb == 1 ? 0 : j]) : s;
                float v = (float) sum * scale[ns == 1 ? 0 : j];
                double r = rint((double) v) + zero;
                int out = isnan(r) ? zero : (int) (r < qmin ? qmin : r > qmax ? qmax : r);
                ((int8_t*) c)[i * ldc + j] = (int8_t) out;
            } else {
                volatile float prod = (float) s * scale[ns == 1 ? 0 : j]; /* no contraction into an FMA */
                float v = prod;
                if (fb) v += fb[nb == 1 ? 0 : j];
                v = v > hi ? hi : v;
                v = v < lo ? lo : v;
                ((float*) c)[i * ldc + j] = v;
            }
        }
    }
}

/* mode: 0 random, 1 max magnitude (a at the far end from its zero point, w = -128), 2 zero rows of W */
static void one(int variant, int m, int n, int k, int au, int az, int mode, int epi, int per_col) {
    int lda = k + 3, ldw = k + 5, ldc = n + 2;
    uint8_t* a = malloc((size_t) m * lda + 1);
    int8_t* w = malloc((size_t) n * ldw + 1);
    for (int i = 0; i < m * lda; i++) {
        a[i] = mode == 1 ? (au ? (az > 127 ? 0 : 255) : (uint8_t) (az > 0 ? -128 : 127)) : (uint8_t) next();
    }
    for (int i = 0; i < n * ldw; i++) w[i] = mode == 1 ? -128 : (int8_t) next();
    if (mode == 2) {
        for (int j = 0; j < n; j += 2) memset(w + (size_t) j * ldw, 0, (size_t) k);
    }
    long long bytes = minnow_qs8_gemm_packed_bytes(variant, n, k);
    int8_t* packed = aligned_alloc(64, (size_t) ((bytes + 63) / 64 * 64 + 64));
    if (minnow_qs8_gemm_pack(variant, n, k, w, ldw, packed) != 0) {
        printf("FAIL pack variant %d n=%d k=%d\n", variant, n, k);
        failures++;
        return;
    }
    float* scale = malloc(sizeof(float) * n);
    int32_t* ib = malloc(sizeof(int32_t) * n);
    float* fb = malloc(sizeof(float) * n);
    for (int j = 0; j < n; j++) {
        scale[j] = ldexpf((float) (next() % 1000 + 1), -(int) (next() % 8) - 12);
        ib[j] = (int32_t) (next() % 20001) - 10000;
        fb[j] = ((float) (next() % 2001) - 1000.0f) / 64.0f;
    }
    int ns = per_col ? n : 1, ou = (next() & 1) != 0;
    int zero = ou ? 128 : 3, qmin = ou ? 0 : -128, qmax = ou ? 255 : 120;
    float lo = -50.0f, hi = 1e30f;
    size_t cb = (size_t) m * ldc * 4;
    void* got = malloc(cb);
    void* want = malloc(cb);
    memset(got, 0x5a, cb);
    memset(want, 0x5a, cb);
    reference(m, n, k, a, lda, au, az, w, ldw, epi, scale, ns, epi == 1 ? ib : NULL, epi == 2 ? fb : NULL, ns,
              zero, qmin, qmax, lo, hi, want, ldc);
    int rc = minnow_qs8_gemm_packed(variant, m, n, k, a, lda, au, az, packed, epi, scale, ns, epi == 1 ? ib : NULL,
                                    epi == 2 ? fb : NULL, ns, zero, qmin, qmax, lo, hi, got, ldc);
    size_t eb = epi == MINNOW_QS8_EPI_REQUANTIZE ? 1 : 4;
    int bad = rc != 0;
    for (int i = 0; i < m && !bad; i++) {
        for (int j = 0; j < ldc && !bad; j++) { /* padding columns too: must be untouched */
            size_t at = ((size_t) i * ldc + j) * eb;
            if (memcmp((char*) got + at, (char*) want + at, eb) != 0) {
                printf("FAIL %s m=%d n=%d k=%d au=%d az=%d mode=%d epi=%d percol=%d at [%d][%d]\n",
                       minnow_qs8_gemm_variant_isa(variant), m, n, k, au, az, mode, epi, per_col, i, j);
                bad = 1;
            }
        }
    }
    failures += bad;
    free(a); free(w); free(packed); free(scale); free(ib); free(fb); free(got); free(want);
}

int main(int argc, char** argv) {
    static const int ks[] = {0, 1, 3, 4, 17, 31, 33, 100, 1000, 16384};
    static const int ns[] = {1, 5, 16, 17, 33};
    static const int ms[] = {1, 2, 3, 5, 6, 7, 8, 9, 13, 64, 97};
    int cases = 0;
    for (int v = 1; v < argc; v++) {
        int variant = -1;
        for (int t = 0; t < MINNOW_QS8_GEMM_VARIANTS; t++) {
            if (strcmp(argv[v], minnow_qs8_gemm_variant_isa(t)) == 0) variant = t;
        }
        if (variant < 0 || !minnow_qs8_gemm_variant_supported(variant)) {
            printf("FAIL variant %s unknown or unsupported here\n", argv[v]);
            return 1;
        }
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
                for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++) {
                    int k = ks[ki], n = ns[ni], m = ms[mi];
                    if ((long long) m * n * k > 3000000) continue; /* keep ASan runs short */
                    int au = (int) (next() & 1), az = au ? (int[]){0, 128, 255}[next() % 3] : (int[]){0, -128, 127}[next() % 3];
                    one(variant, m, n, k, au, az, (int) (next() % 3), (int) (next() % 3), (int) (next() & 1));
                    cases++;
                }
            }
        }
        /* every extreme combination on one odd shape */
        for (int au = 0; au < 2; au++) {
            for (int zi = 0; zi < 3; zi++) {
                int az = au ? (int[]){0, 128, 255}[zi] : (int[]){0, -128, 127}[zi];
                for (int mode = 0; mode < 3; mode++) {
                    for (int epi = 0; epi < 3; epi++) {
                        one(variant, 7, 19, 37, au, az, mode, epi, epi & 1);
                        cases++;
                    }
                }
            }
        }
        /* k past 65793: accumulators wrap like int32 in the reference too */
        one(variant, 2, 3, 70000, 1, 0, 1, MINNOW_QS8_EPI_RAW, 0);
        cases++;
        printf("%s: done\n", argv[v]);
    }
    printf("%d cases, %d failures\n", cases, failures);
    return failures != 0;
}
