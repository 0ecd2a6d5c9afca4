/* minnow_f32_pwconv: public entry points, the argument check, the weight packer and the run-time choice of variant. */
#include "f32-pwconv/f32_pwconv.h"

#include <limits.h>

#include "common/epilogue.h"
#include "f32-pwconv/f32_pwconv_impl.h"
#include "minnow_kernels.h"

/* The AVX-512F slot runs the AVX2 code, which every CPU with the AVX-512 bit can run (cpu_features.c sets it
   only on top of MINNOW_CPU_AVX2, i.e. AVX2 + FMA): a 16-channel kernel could not be timed on the AVX2-only
   development machine. The slot exists so that the numbering matches the other families. */
static const minnow_f32_pwconv_fn variants[MINNOW_F32_PWCONV_VARIANTS] = {
    [MINNOW_F32_PWCONV_C] = minnow_f32_pwconv_c,
    [MINNOW_F32_PWCONV_AVX2] = minnow_f32_pwconv_avx2,
    [MINNOW_F32_PWCONV_AVX512F] = minnow_f32_pwconv_avx2,
};

static const char* const isas[MINNOW_F32_PWCONV_VARIANTS] = {
    [MINNOW_F32_PWCONV_C] = "c",
    [MINNOW_F32_PWCONV_AVX2] = "avx2",
    [MINNOW_F32_PWCONV_AVX512F] = "avx512f",
};

static const int required_features[MINNOW_F32_PWCONV_VARIANTS] = {
    [MINNOW_F32_PWCONV_C] = 0,
    [MINNOW_F32_PWCONV_AVX2] = MINNOW_CPU_AVX2,
    [MINNOW_F32_PWCONV_AVX512F] = MINNOW_CPU_AVX512,
};

int minnow_f32_pwconv_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_PWCONV_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_f32_pwconv_default_variant(void) {
    int v = MINNOW_F32_PWCONV_VARIANTS - 1;
    while (v > 0 && !minnow_f32_pwconv_variant_supported(v)) {
        v--;
    }
    return v;
}

const char* minnow_f32_pwconv_variant_isa(int variant) {
    return variant < 0 || variant >= MINNOW_F32_PWCONV_VARIANTS ? "unknown" : isas[variant];
}

long long minnow_f32_pwconv_packed_floats(int variant, int k, int n) {
    if (variant < 0 || variant >= MINNOW_F32_PWCONV_VARIANTS || k < 1 || n < 1) {
        return -1;
    }
    const long long panels = ((long long) n + MINNOW_PWCONV_PANEL - 1) / MINNOW_PWCONV_PANEL;
    const long long floats = panels * MINNOW_PWCONV_PANEL * k;
    return floats > INT_MAX ? -1 : floats;
}

int minnow_f32_pwconv_pack(int variant, int k, int n, const float* w, float* wp) {
    if (minnow_f32_pwconv_packed_floats(variant, k, n) < 0 || w == NULL || wp == NULL) {
        return -1;
    }
    const size_t panels = ((size_t) n + MINNOW_PWCONV_PANEL - 1) / MINNOW_PWCONV_PANEL;
    for (size_t p = 0; p < panels; p++) {
        float* panel = wp + p * (size_t) k * MINNOW_PWCONV_PANEL;
        for (size_t c = 0; c < (size_t) k; c++) {
            for (size_t l = 0; l < MINNOW_PWCONV_PANEL; l++) {
                const size_t j = p * MINNOW_PWCONV_PANEL + l;
                panel[c * MINNOW_PWCONV_PANEL + l] = j < (size_t) n ? w[j * (size_t) k + c] : 0.0f;
            }
        }
    }
    return 0;
}

/* Floats from the start of a matrix of `rows` rows (ld apart) to the end of the last row's `cols` columns. */
static long long extent(int rows, int ld, int cols) {
    return (long long) (rows - 1) * ld + cols;
}

int minnow_f32_pwconv(int variant, int m, int n, int k, const float* x, int ldx, const float* wp, const float* bias,
                      const float* residual, int ldr, int act, float lo, float hi, float* y, int ldy) {
    if (!minnow_f32_pwconv_variant_supported(variant) || m < 1 || n < 1 || k < 1 || ldx < k || ldy < n
        || (residual != NULL && ldr < n) || act < MINNOW_ACT_NONE || act > MINNOW_ACT_HARDSWISH || x == NULL
        || wp == NULL || y == NULL || minnow_f32_pwconv_packed_floats(variant, k, n) < 0
        || extent(m, ldx, k) > INT_MAX || extent(m, ldy, n) > INT_MAX
        || (residual != NULL && extent(m, ldr, n) > INT_MAX)) {
        return -1;
    }
    variants[variant]((size_t) m, (size_t) n, (size_t) k, x, (size_t) ldx, wp, bias, residual,
                      residual == NULL ? 0 : (size_t) ldr, act, lo, hi, y, (size_t) ldy);
    return 0;
}
