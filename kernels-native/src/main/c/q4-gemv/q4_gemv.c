/* minnow_q4_gemv: public entry points, argument checks, padded activation rows + group sums, the epilogue. */
#include "q4-gemv/q4_gemv.h"

#include <string.h>

#include "common/scratch.h"
#include "minnow_kernels.h"

static const minnow_q4v_panel_fn variants[MINNOW_Q4_GEMV_VARIANTS] = {
    [MINNOW_Q4_GEMV_C] = minnow_q4v_panel_c,
    [MINNOW_Q4_GEMV_AVX2] = minnow_q4v_panel_avx2,
};

static const char* const isas[MINNOW_Q4_GEMV_VARIANTS] = {
    [MINNOW_Q4_GEMV_C] = "c",
    [MINNOW_Q4_GEMV_AVX2] = "avx2",
};

static const int required_features[MINNOW_Q4_GEMV_VARIANTS] = {
    [MINNOW_Q4_GEMV_C] = 0,
    [MINNOW_Q4_GEMV_AVX2] = MINNOW_CPU_AVX2,
};

int minnow_q4_gemv_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_Q4_GEMV_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_q4_gemv_default_variant(void) {
    int v = MINNOW_Q4_GEMV_VARIANTS - 1;
    while (v > 0 && !minnow_q4_gemv_variant_supported(v)) {
        v--;
    }
    return v;
}

const char* minnow_q4_gemv_variant_isa(int variant) {
    return variant < 0 || variant >= MINNOW_Q4_GEMV_VARIANTS ? "unknown" : isas[variant];
}

size_t minnow_q4v_panel_bytes(int g, int chunks, int zero_points) {
    const int chunk = g > 64 ? g : 64;
    const size_t groups = (size_t) chunks * (size_t) (chunk / g);
    const size_t bytes = (size_t) chunks * MINNOW_Q4V_NR * (size_t) chunk / 2
                         + groups * MINNOW_Q4V_NR * sizeof(float) * (size_t) (1 + zero_points);
    return (bytes + 63) / 64 * 64;
}

long long minnow_q4_gemv_packed_bytes(int n, int k, int group_size, int zero_points) {
    if (n < 0 || k < 0 || (group_size != 32 && group_size != 64 && group_size != 128) || (zero_points & ~1) != 0) {
        return -1;
    }
    const int chunk = group_size > 64 ? group_size : 64;
    const int chunks = (int) (((long long) k + chunk - 1) / chunk);
    return ((long long) n + MINNOW_Q4V_NR - 1) / MINNOW_Q4V_NR * (long long) minnow_q4v_panel_bytes(group_size, chunks, zero_points);
}

int minnow_q4_gemv(int variant, int m, int n, int k, int group_size, int zero_points, int j0, int j1,
                   const signed char* a, int lda, const float* a_scale, const unsigned char* packed,
                   const float* bias, float lo, float hi, float* c, int ldc) {
    if (!minnow_q4_gemv_variant_supported(variant) || minnow_q4_gemv_packed_bytes(n, k, group_size, zero_points) < 0
        || m < 0 || j0 < 0 || j1 < j0 || j1 > n || j0 % MINNOW_Q4V_NR != 0 || lda < k || ldc < j1 - j0 || !(lo <= hi)) {
        return -1;
    }
    if (m == 0 || j0 == j1) {
        return 0;
    }
    const int chunk = group_size > 64 ? group_size : 64;
    const int chunks = (k + chunk - 1) / chunk;
    const int groups = chunks * (chunk / group_size); /* padded: may exceed ceil(k / G) by one (G = 32) */
    const size_t kp = (size_t) chunks * chunk;
    struct minnow_q4v_shape s = {group_size, chunk, chunks, zero_points, (size_t) chunks * MINNOW_Q4V_NR * chunk / 2};
    const size_t panel_bytes = minnow_q4v_panel_bytes(group_size, chunks, zero_points);
    const size_t asum_bytes = ((size_t) m * (groups > 0 ? groups : 1) * sizeof(float) + 63) / 64 * 64;
    unsigned char* scratch = minnow_scratch(asum_bytes + (size_t) m * (kp > 0 ? kp : 1));
    if (scratch == NULL) {
        return -2;
    }
    float* asum = (float*) scratch;
    signed char* rows = (signed char*) (scratch + asum_bytes);
    /* the z' multiplier of sum a: 8 for signed codes (then the correction coefficient is the scale itself) */
    const int zmul = zero_points ? 1 : 8;
    for (int i = 0; i < m; i++) {
        signed char* row = rows + (size_t) i * kp;
        if (k > 0) {
            memcpy(row, a + (size_t) i * lda, (size_t) k);
        }
        memset(row + k, 0, kp - (size_t) k);
        for (int g = 0; g < groups; g++) {
            int sum = 0; /* |sum| <= 128 * 128 */
            for (int p = g * group_size; p < (g + 1) * group_size; p++) {
                sum += row[p];
            }
            asum[(size_t) i * groups + g] = (float) (zmul * sum); /* exact: |.| <= 2^17 */
        }
    }
    const minnow_q4v_panel_fn panel_fn = variants[variant];
    float out[MINNOW_Q4V_NR];
    /* panels outer, rows of A inner: a panel (4 rows x k/2 bytes) stays in L1/L2 while the rows of A reuse it */
    for (int q = j0 / MINNOW_Q4V_NR; q * MINNOW_Q4V_NR < j1; q++) {
        const int base = q * MINNOW_Q4V_NR;
        const int end = base + MINNOW_Q4V_NR < j1 ? base + MINNOW_Q4V_NR : j1;
        for (int i = 0; i < m; i++) {
            panel_fn(&s, rows + (size_t) i * kp, asum + (size_t) i * groups, packed + (size_t) q * panel_bytes, out);
            float* crow = c + (size_t) i * ldc - j0;
            for (int j = base; j < end; j++) {
                float v = a_scale[i] * out[j - base] + (bias == NULL ? 0.0f : bias[j]);
                v = v < lo ? lo : v;
                crow[j] = v > hi ? hi : v;
            }
        }
    }
    return 0;
}
