/* minnow_q4_gemm: public entry points, argument checks, the row/panel loops and the epilogue; variants do panels. */
#include "q4-gemm/q4_gemm.h"

#include <math.h>
#include <xmmintrin.h>

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

/* Variants whose panels can take denormal codes (q4_gemm.h). */
static const int denormal_codes[MINNOW_Q4_GEMM_VARIANTS] = {
    [MINNOW_Q4_GEMM_C] = 0,
    [MINNOW_Q4_GEMM_AVX2] = 1,
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

/*
 * Scales row a (k floats) by 2^e into out so that its largest |a| lands in [2^126, 2^127) and sets *factor =
 * 2^(149 - e); returns 0 (nothing usable) when the row is 0, not finite, or so small or large that e or the
 * factor would leave the normal range (max |a| outside [2^-59, 2^105]): the caller converts codes instead.
 */
static int scale_row(const float* a, int k, float* out, float* factor) {
    float max = 0;
    for (int p = 0; p < k; p++) {
        const float v = fabsf(a[p]);
        max = v > max || v != v ? v : max; /* NaN wins */
    }
    int e2;
    if (!(max > 0 && max <= 3.4e38f)) {
        return 0;
    }
    frexpf(max, &e2); /* max < 2^e2 */
    if (e2 < -58 || e2 > 105) {
        return 0;
    }
    const int e = 127 - e2; /* 22 .. 185 */
    const float f1 = ldexpf(1.0f, e / 2), f2 = ldexpf(1.0f, e - e / 2);
    for (int p = 0; p < k; p++) {
        out[p] = a[p] * f1 * f2; /* two exact power-of-2 scalings; never past 2^127 */
    }
    *factor = ldexpf(1.0f, 149 - e);
    return 1;
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
    const size_t asum_floats = (size_t) MINNOW_Q4_MR * (size_t) (s.groups > 0 ? s.groups : 1);
    /* denormal codes need the CPU to read denormal inputs as they are (DAZ off, the IEEE default Java keeps) */
    const int denormal = denormal_codes[variant] && (_mm_getcsr() & 0x40) == 0 && k > 0;
    float* asum = minnow_scratch(sizeof(float) * (asum_floats + (denormal ? (size_t) MINNOW_Q4_MR * k : 0)));
    if (asum == NULL) {
        return -2;
    }
    float* scaled = asum + asum_floats;
    float factor[MINNOW_Q4_MR];
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
        const float* const* panel_rows = rows;
        const float* scaled_rows[MINNOW_Q4_MR];
        int use_factor = denormal;
        for (int r = 0; r < MINNOW_Q4_MR && use_factor; r++) {
            if (r < mr) {
                use_factor = scale_row(rows[r], k, scaled + (size_t) r * k, &factor[r]);
                scaled_rows[r] = scaled + (size_t) r * k;
            } else { /* a repeated row */
                factor[r] = factor[0];
                scaled_rows[r] = scaled_rows[0];
            }
        }
        if (use_factor) {
            panel_rows = scaled_rows;
        }
        for (int q = j0 / MINNOW_Q4_NR; q * MINNOW_Q4_NR < j1; q++) {
            panel_fn(&s, mr, panel_rows, asum, use_factor ? factor : NULL, packed + (size_t) q * panel_bytes, out);
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
