/*
 * qs8-gemm driver: W packing, cache blocking, the per-variant micro-kernels (int32 tiles), and the three
 * epilogues, which are the Java reference's formulas written out per element. This file is compiled for
 * baseline x86-64 (no FMA), so the compiler cannot contract the dequantize's multiply and add into an FMA:
 * the float results are bitwise those of Qs8GemmReference.
 *
 * Thread safety: the packed W is only read; each call allocates its own A scratch. Several threads may run
 * disjoint row ranges of one GEMM on one packed W at once.
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "minnow_kernels.h"
#include "qs8-gemm/qs8_gemm.h"

/* Rows of A packed at once (a multiple of every variant's mr: 6 and 8). */
#define QS8_MC 96
/* W bytes one column block should take, to stay in L2 while every row block of QS8_MC rows runs over it. */
#define QS8_W_BLOCK_BYTES (384 * 1024)

static const qs8_variant* variant_of(int variant) {
    int f = minnow_cpu_features();
#ifdef MINNOW_QS8_TEST_FORCE_VNNI
    f |= MINNOW_CPU_AVX512VNNI; /* test build only: the VNNI kernel is linked against the scalar emulation */
#endif
    switch (variant) {
        case MINNOW_QS8_GEMM_C: return &qs8_variant_c;
        case MINNOW_QS8_GEMM_AVX2: return (f & MINNOW_CPU_AVX2) ? &qs8_variant_avx2 : NULL;
        case MINNOW_QS8_GEMM_AVX512VNNI: return (f & MINNOW_CPU_AVX512VNNI) ? &qs8_variant_avx512vnni : NULL;
        default: return NULL;
    }
}

int minnow_qs8_gemm_variant_supported(int variant) {
    return variant_of(variant) != NULL;
}

int minnow_qs8_gemm_default_variant(void) {
    if (variant_of(MINNOW_QS8_GEMM_AVX512VNNI)) return MINNOW_QS8_GEMM_AVX512VNNI;
    if (variant_of(MINNOW_QS8_GEMM_AVX2)) return MINNOW_QS8_GEMM_AVX2;
    return MINNOW_QS8_GEMM_C;
}

const char* minnow_qs8_gemm_variant_isa(int variant) {
    switch (variant) {
        case MINNOW_QS8_GEMM_C: return "c";
        case MINNOW_QS8_GEMM_AVX2: return "avx2";
        case MINNOW_QS8_GEMM_AVX512VNNI: return "avx512vnni";
        default: return "unknown";
    }
}

/* The layout is fixed per variant number, not per CPU: so sizes are answered even where it cannot run. */
static int kr_of(int variant) {
    return variant == MINNOW_QS8_GEMM_AVX512VNNI ? 4 : 2;
}

long long minnow_qs8_gemm_packed_bytes(int variant, int n, int k) {
    if (variant < 0 || variant >= MINNOW_QS8_GEMM_VARIANTS || n < 0 || k < 0) return -1;
    long long panels = (n + QS8_NR - 1) / QS8_NR;
    return qs8_codes_bytes(n, k, kr_of(variant)) + panels * QS8_NR * 4;
}

int minnow_qs8_gemm_pack(int variant, int n, int k, const int8_t* w, int ldw, int8_t* packed) {
    if (variant < 0 || variant >= MINNOW_QS8_GEMM_VARIANTS || n < 0 || k < 0 || (k > 0 && ldw < k)) return -1;
    int kr = kr_of(variant);
    int panels = (n + QS8_NR - 1) / QS8_NR, groups = (k + kr - 1) / kr;
    long long codes = qs8_codes_bytes(n, k, kr);
    int32_t* sums = (int32_t*) (packed + codes);
    memset(packed, 0, (size_t) codes);
    for (int pn = 0; pn < panels; pn++) {
        int8_t* dst = packed + (size_t) pn * groups * QS8_NR * kr;
        for (int jj = 0; jj < QS8_NR; jj++) {
            int j = pn * QS8_NR + jj;
            uint32_t s = 0;
            if (j < n) {
                const int8_t* row = w + (size_t) j * ldw;
                for (int p = 0; p < k; p++) {
                    dst[((size_t) (p / kr) * QS8_NR + jj) * kr + p % kr] = row[p];
                    s += (uint32_t) (int32_t) row[p];
                }
            }
            sums[j] = (int32_t) s;
        }
    }
    return 0;
}

/* Java's Math.min / Math.max for floats: NaN wins, and -0.0 is below +0.0. */
static float java_min(float a, float b) {
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && signbit(b)) return b;
    return a <= b ? a : b;
}

static float java_max(float a, float b) {
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && signbit(a)) return b;
    return a >= b ? a : b;
}

typedef struct {
    int kind; /* MINNOW_QS8_EPI_* */
    const float* scale;
    int scale_count;
    const int32_t* ibias;
    const float* fbias;
    int bias_count;
    int zero, qmin, qmax;
    float lo, hi;
} epilogue;

/* Stores one accumulator of column j at element `at` of C, as Qs8GemmReference.store does. */
static void store(const epilogue* e, int32_t acc, int j, void* c, size_t at) {
    switch (e->kind) {
        case MINNOW_QS8_EPI_RAW:
            ((int32_t*) c)[at] = acc;
            break;
        case MINNOW_QS8_EPI_REQUANTIZE: {
            int32_t sum = e->ibias ? (int32_t) ((uint32_t) acc + (uint32_t) e->ibias[e->bias_count == 1 ? 0 : j]) : acc;
            float v = (float) sum * e->scale[e->scale_count == 1 ? 0 : j];
            int out;
            if (v != v) {
                out = e->zero;
            } else {
                /* clamp first (the bounds are integers, so rint commutes with it), then round half to even */
                float lo = (float) (e->qmin - e->zero), hi = (float) (e->qmax - e->zero);
                v = v < lo ? lo : v > hi ? hi : v;
                out = (int) nearbyintf(v) + e->zero;
            }
            ((int8_t*) c)[at] = (int8_t) out;
            break;
        }
        default: {
            float v = (float) acc * e->scale[e->scale_count == 1 ? 0 : j];
            if (e->fbias) v += e->fbias[e->bias_count == 1 ? 0 : j];
            ((float*) c)[at] = java_max(e->lo, java_min(e->hi, v));
            break;
        }
    }
}

/* store() for columns [j0, j0 + nj) of one row; the raw case is a plain copy the compiler vectorizes. */
/*
 * The dequantize epilogue for a whole 16-column row, 8 lanes at a time: (float) acc * scale (+ bias), then the clamp.
 * Separate multiply and add (target avx2 only, no fma: no contraction), so each lane rounds exactly like store().
 * vminps/vmaxps differ from Java's min/max only for NaN (a NaN lane: returns 1, the caller stores the row the scalar
 * way) and for zeros of opposite sign, which can only matter when hi is a zero or lo is -0.0 (dequant_fast_ok).
 */
__attribute__((target("avx2"))) static int store_row_dequant_avx2(const epilogue* e, const int32_t* acc, int j0, int nj,
                                                                  float* c) {
    __m256 out[2];
    __m256i mask[2];
    const __m256 lo = _mm256_set1_ps(e->lo), hi = _mm256_set1_ps(e->hi);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int h = 0; h < 2; h++) {
        /* lanes past column n are neither read (scale, bias: masked loads do not fault) nor stored */
        mask[h] = _mm256_cmpgt_epi32(_mm256_set1_epi32(nj - 8 * h), lane);
        __m256 v = _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*) (acc + 8 * h)));
        __m256 s = e->scale_count == 1 ? _mm256_set1_ps(e->scale[0]) : _mm256_maskload_ps(e->scale + j0 + 8 * h, mask[h]);
        v = _mm256_mul_ps(v, s);
        if (e->fbias) {
            v = _mm256_add_ps(v, e->bias_count == 1 ? _mm256_set1_ps(e->fbias[0]) : _mm256_maskload_ps(e->fbias + j0 + 8 * h, mask[h]));
        }
        if (_mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q), _mm256_castsi256_ps(mask[h])))) return 1;
        out[h] = _mm256_max_ps(_mm256_min_ps(v, hi), lo);
    }
    _mm256_maskstore_ps(c, mask[0], out[0]);
    _mm256_maskstore_ps(c + 8, mask[1], out[1]);
    return 0;
}

/* The clamp bounds for which vminps/vmaxps give Java's results on every non-NaN value (see store_row_dequant_avx2). */
static int dequant_fast_ok(const epilogue* e) {
    return e->kind == MINNOW_QS8_EPI_DEQUANTIZE && (minnow_cpu_features() & MINNOW_CPU_AVX2) && e->hi != 0.0f
           && !(e->lo == 0.0f && signbit(e->lo)) && e->lo == e->lo && e->hi == e->hi;
}

static void store_row(const epilogue* e, int fast, const int32_t* acc, int j0, int nj, void* c, size_t at) {
    if (e->kind == MINNOW_QS8_EPI_RAW) {
        memcpy((int32_t*) c + at, acc, (size_t) nj * sizeof(int32_t));
        return;
    }
    if (fast && store_row_dequant_avx2(e, acc, j0, nj, (float*) c + at) == 0) return;
    for (int jj = 0; jj < nj; jj++) store(e, acc[jj], j0 + jj, c, at + jj);
}

static int run(const qs8_variant* v, int m, int n, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero,
               const int8_t* packed, const epilogue* e, void* c, int ldc) {
    int kr = v->kr;
    int panels = (n + QS8_NR - 1) / QS8_NR, groups = (k + kr - 1) / kr;
    size_t panel_bytes = (size_t) groups * QS8_NR * kr;
    const int32_t* sums = (const int32_t*) (packed + qs8_codes_bytes(n, k, kr));
    int mc_max = m < QS8_MC ? m : QS8_MC;
    size_t row_block = (size_t) groups * kr * v->a_elem; /* packed bytes of one row */
    void* abuf = malloc(row_block * (size_t) mc_max + 64);
    if (!abuf) return -2;
    int block_panels = (int) (QS8_W_BLOCK_BYTES / (panel_bytes ? panel_bytes : 1));
    if (block_panels < 1) block_panels = 1;
    int32_t tile[QS8_MR_MAX * QS8_NR];
    int factor[QS8_MC / 6 + 1];
    const int fast = dequant_fast_ok(e);
    for (int i0 = 0; i0 < m; i0 += QS8_MC) {
        int mc = m - i0 < QS8_MC ? m - i0 : QS8_MC;
        for (int ib = 0, b = 0; ib < mc; ib += v->mr, b++) {
            int mr = mc - ib < v->mr ? mc - ib : v->mr;
            factor[b] = v->pack_a(mr, k, k ? a + (size_t) (i0 + ib) * lda : a, lda, a_unsigned, a_zero,
                                  (char*) abuf + row_block * ib);
        }
        for (int p0 = 0; p0 < panels; p0 += block_panels) {
            int p1 = p0 + block_panels < panels ? p0 + block_panels : panels;
            for (int ib = 0, b = 0; ib < mc; ib += v->mr, b++) {
                int mr = mc - ib < v->mr ? mc - ib : v->mr;
                for (int pn = p0; pn < p1; pn++) {
                    v->kernel(mr, groups, (char*) abuf + row_block * ib, packed + pn * panel_bytes, tile);
                    int j0 = pn * QS8_NR, nj = n - j0 < QS8_NR ? n - j0 : QS8_NR;
                    for (int r = 0; r < mr; r++) {
                        int32_t* t = tile + r * QS8_NR;
                        if (factor[b] != 0) {
                            for (int jj = 0; jj < QS8_NR; jj++) {
                                t[jj] = (int32_t) ((uint32_t) t[jj] - (uint32_t) factor[b] * (uint32_t) sums[j0 + jj]);
                            }
                        }
                        store_row(e, fast, t, j0, nj, c, (size_t) (i0 + ib + r) * ldc + j0);
                    }
                }
            }
        }
    }
    free(abuf);
    return 0;
}

int minnow_qs8_gemm_packed(int variant, int m, int n, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero,
                           const int8_t* packed, int epi, const float* scale, int scale_count, const int32_t* ibias,
                           const float* fbias, int bias_count, int zero, int qmin, int qmax, float lo, float hi,
                           void* c, int ldc) {
    const qs8_variant* v = variant_of(variant);
    if (!v || m < 0 || n < 0 || k < 0 || lda < k || ldc < n || epi < MINNOW_QS8_EPI_RAW || epi > MINNOW_QS8_EPI_DEQUANTIZE) {
        return -1;
    }
    if (epi != MINNOW_QS8_EPI_RAW && (!scale || (scale_count != 1 && scale_count != n))) return -1;
    if ((ibias || fbias) && bias_count != 1 && bias_count != n) return -1;
    if (m == 0 || n == 0) return 0;
    epilogue e = {epi, scale, scale_count, epi == MINNOW_QS8_EPI_REQUANTIZE ? ibias : NULL,
                  epi == MINNOW_QS8_EPI_DEQUANTIZE ? fbias : NULL, bias_count, zero, qmin, qmax, lo, hi};
    return run(v, m, n, k, a, lda, a_unsigned, a_zero, packed, &e, c, ldc);
}
