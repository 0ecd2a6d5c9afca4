/* minnow_q4_gemm: public entry points, argument checks, the row/panel loops and the epilogue; variants do panels. */
#include "q4-gemm/q4_gemm.h"

#include "common/scratch.h"
#include "minnow_kernels.h"

static const minnow_q4_panel_fn variants[MINNOW_Q4_GEMM_VARIANTS] = {
    [MINNOW_Q4_GEMM_C] = minnow_q4_panel_c,
    [MINNOW_Q4_GEMM_AVX2] = minnow_q4_panel_avx2,
};

static const char* const isas[MINNOW_Q4_GEMM_VARIANTS] = {
    [MINNOW_Q4_GEMM_C] = "c",
    [MINNOW_Q4_GEMM_AVX2] = "avx2",
};

static const int required_features[MINNOW_Q4_GEMM_VARIANTS] = {
    [MINNOW_Q4_GEMM_C] = 0,
    [MINNOW_Q4_GEMM_AVX2] = MINNOW_CPU_AVX2,
};

int minnow_q4_gemm_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_Q4_GEMM_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_q4_gemm_default_variant(void) {
    int v = MINNOW_Q4_GEMM_VARIANTS - 1;
    while (v > 0 && !minnow_q4_gemm_variant_supported(v)) {
        v--;
    }
    return v;
}

const char* minnow_q4_gemm_variant_isa(int variant) {
    return variant < 0 || variant >= MINNOW_Q4_GEMM_VARIANTS ? "unknown" : isas[variant];
}

long long minnow_q4_gemm_packed_bytes(int n, int k, int group_size, int zero_points) {
    if (n < 0 || k < 0 || (group_size != 32 && group_size != 64 && group_size != 128) || (zero_points & ~1) != 0) {
        return -1;
    }
    const long long groups = ((long long) k + group_size - 1) / group_size;
    const long long group_bytes = 4ll * group_size + 32 + 32ll * zero_points;
    return ((long long) n + MINNOW_Q4_NR - 1) / MINNOW_Q4_NR * groups * group_bytes;
}

int minnow_q4_gemm(int variant, int m, int n, int k, int group_size, int zero_points, int j0, int j1, const float* a,
                   int lda, const unsigned char* packed, const float* bias, float lo, float hi, float* c, int ldc) {
    if (!minnow_q4_gemm_variant_supported(variant) || minnow_q4_gemm_packed_bytes(n, k, group_size, zero_points) < 0
        || m < 0 || j0 < 0 || j1 < j0 || j1 > n || j0 % MINNOW_Q4_NR != 0 || lda < k || ldc < j1 - j0 || !(lo <= hi)) {
        return -1;
    }
    if (m == 0 || j0 == j1) {
        return 0;
    }
    struct minnow_q4_shape s = {k, group_size, (int) (((long long) k + group_size - 1) / group_size), zero_points,
                                (size_t) (4 * group_size + 32 + 32 * zero_points)};
    const size_t panel_bytes = (size_t) s.groups * s.group_bytes;
    float* asum = minnow_scratch(sizeof(float) * MINNOW_Q4_MR * (size_t) (s.groups > 0 ? s.groups : 1));
    if (asum == NULL) {
        return -2;
    }
    const minnow_q4_panel_fn panel_fn = variants[variant];
    float out[MINNOW_Q4_MR * MINNOW_Q4_NR];
    for (int i0 = 0; i0 < m; i0 += MINNOW_Q4_MR) {
        const int mr = m - i0 < MINNOW_Q4_MR ? m - i0 : MINNOW_Q4_MR;
        const float* rows[MINNOW_Q4_MR];
        for (int r = 0; r < MINNOW_Q4_MR; r++) {
            rows[r] = a + (size_t) (r < mr ? i0 + r : i0) * lda; /* rows past m repeat row i0; never stored */
        }
        for (int r = 0; r < MINNOW_Q4_MR; r++) { /* all 4: a variant may compute the repeated rows */
            for (int g = 0; g < s.groups; g++) {
                const int p1 = (long long) (g + 1) * group_size < k ? (g + 1) * group_size : k;
                float sum = 0;
                for (int p = g * group_size; p < p1; p++) {
                    sum += rows[r][p];
                }
                asum[r * s.groups + g] = sum;
            }
        }
        for (int q = j0 / MINNOW_Q4_NR; q * MINNOW_Q4_NR < j1; q++) {
            panel_fn(&s, mr, rows, asum, packed + (size_t) q * panel_bytes, out);
            const int base = q * MINNOW_Q4_NR;
            const int end = base + MINNOW_Q4_NR < j1 ? base + MINNOW_Q4_NR : j1;
            for (int r = 0; r < mr; r++) {
                float* crow = c + (size_t) (i0 + r) * ldc - j0;
                for (int j = base; j < end; j++) {
                    float v = out[r * MINNOW_Q4_NR + j - base] + (bias == NULL ? 0.0f : bias[j - j0]);
                    v = v < lo ? lo : v;
                    crow[j] = v > hi ? hi : v;
                }
            }
        }
    }
    return 0;
}
