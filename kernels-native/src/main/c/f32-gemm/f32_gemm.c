/* minnow_f32_gemm: public entry points and the run-time choice of variant (widest the CPU supports). */
#include "f32-gemm/f32_gemm.h"

#include "common/epilogue.h"
#include "minnow_kernels.h"

static const struct minnow_f32_gemm_config* const configs[MINNOW_F32_GEMM_VARIANTS] = {
    [MINNOW_F32_GEMM_C] = &minnow_f32_gemm_c_config,
    [MINNOW_F32_GEMM_AVX2] = &minnow_f32_gemm_avx2_config,
    [MINNOW_F32_GEMM_AVX512F] = &minnow_f32_gemm_avx512f_config,
};

static const int required_features[MINNOW_F32_GEMM_VARIANTS] = {
    [MINNOW_F32_GEMM_C] = 0,
    [MINNOW_F32_GEMM_AVX2] = MINNOW_CPU_AVX2,
    [MINNOW_F32_GEMM_AVX512F] = MINNOW_CPU_AVX512,
};

int minnow_f32_gemm_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_GEMM_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_f32_gemm_default_variant(void) {
    static int cached = -1; /* idempotent: a race stores the same value twice */
    int v = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (v < 0) {
        v = MINNOW_F32_GEMM_VARIANTS - 1;
        while (v > 0 && !minnow_f32_gemm_variant_supported(v)) {
            v--;
        }
        __atomic_store_n(&cached, v, __ATOMIC_RELEASE);
    }
    return v;
}

const char* minnow_f32_gemm_variant_isa(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_GEMM_VARIANTS) {
        return "unknown";
    }
    return configs[variant]->isa;
}

const char* minnow_f32_gemm_isa(void) {
    return minnow_f32_gemm_variant_isa(minnow_f32_gemm_default_variant());
}

static int shape_ok(int m, int n, int k, int lda, int ldb, int ldc) {
    return m >= 0 && n >= 0 && k >= 0 && lda >= k && ldb >= n && ldc >= n;
}

void minnow_f32_gemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                     int accumulate) {
    minnow_f32_gemm_variant(minnow_f32_gemm_default_variant(), m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

int minnow_f32_gemm_variant(int variant, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                            float* c, int ldc, int accumulate) {
    if (!minnow_f32_gemm_variant_supported(variant) || !shape_ok(m, n, k, lda, ldb, ldc)) {
        return -1;
    }
    minnow_f32_gemm_blocked(configs[variant], (size_t) m, (size_t) n, (size_t) k, a, (size_t) lda, b,
                            (size_t) ldb, c, (size_t) ldc, accumulate != 0);
    return 0;
}

/* ---- prepacked B (constant weights) ---- */

long long minnow_f32_gemm_pack_b_floats(int variant, int k, int n) {
    if (variant < 0 || variant >= MINNOW_F32_GEMM_VARIANTS || k < 0 || n < 0) {
        return -1;
    }
    return (long long) minnow_f32_gemm_packed_size(configs[variant], (size_t) k, (size_t) n);
}

int minnow_f32_gemm_pack_b(int variant, int k, int n, const float* b, int ld, int transposed, float* packed) {
    if (!minnow_f32_gemm_variant_supported(variant) || k < 0 || n < 0 || ld < (transposed ? k : n)) {
        return -1;
    }
    minnow_f32_gemm_pack_all(configs[variant], (size_t) k, (size_t) n, b, (size_t) ld, transposed != 0, packed);
    return 0;
}

int minnow_f32_gemm_packed_b(int variant, int m, int n, int k, int j0, int j1, const float* a, int lda,
                             const float* packed, const float* bias, int act, float lo, float hi, float* c, int ldc) {
    if (!minnow_f32_gemm_variant_supported(variant) || m < 0 || n < 0 || k < 0 || j0 < 0 || j1 < j0 || j1 > n
        || lda < k || ldc < j1 - j0 || act < MINNOW_ACT_NONE || act > MINNOW_ACT_HARDSWISH) {
        return -1;
    }
    return minnow_f32_gemm_blocked_packed(configs[variant], (size_t) m, (size_t) n, (size_t) k, (size_t) j0,
                                          (size_t) j1, a, (size_t) lda, packed, bias, act, lo, hi, c, (size_t) ldc);
}
