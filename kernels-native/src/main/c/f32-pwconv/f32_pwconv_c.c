/*
 * f32-pwconv-c: the portable variant, C with GNU vector extensions (SSE2 on baseline x86-64), no intrinsics.
 * Tiles of 4 pixels x one panel of 8 output channels: 8 accumulators of 4 floats, each pair of weight vectors
 * (input channel c of the panel) serving 4 pixels. Written with explicit 4-wide vectors like f32-gemm-4x8-c:
 * left to itself the compiler vectorized nothing here (6 GFLOP/s; this way 16-27 on the MobileNet shapes,
 * k = 16 and 24 the slowest: less work per tile for its fixed costs; f32-gemm-4x8-c on packed A reaches 26
 * GFLOP/s on those shapes, pwconv-bench.sh c / bench.sh c). Inputs run in order
 * c = 0 .. k-1, multiply and add rounded separately (baseline x86-64 has no FMA, so the compiler cannot
 * contract them), like the Java reference. Pixel tails run the same code with fewer rows.
 */
#include <string.h>

#include "common/epilogue.h"
#include "f32-pwconv/f32_pwconv_impl.h"

#define P MINNOW_PWCONV_PANEL
#define MR 4

/* GNU C vector extension: 4 floats, lowered to SSE2 on baseline x86-64. */
typedef float f32x4 __attribute__((vector_size(16)));

/* Rows [0, R) of one panel (its first `width` columns inside n) at x / y / residual, bias at the panel's column. */
MINNOW_INLINE void tile(const int R, size_t k, const float* x, size_t ldx, const float* panel, size_t width,
                        const float* bias, const float* residual, size_t ldr, int act, float lo, float hi, float* y,
                        size_t ldy) {
    f32x4 acc[MR][2] = {{{0}}};
    for (size_t c = 0; c < k; c++) {
        f32x4 b0, b1;
        memcpy(&b0, panel + c * P, sizeof b0);
        memcpy(&b1, panel + c * P + 4, sizeof b1);
        #pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const float xv = x[r * ldx + c];
            acc[r][0] += xv * b0;
            acc[r][1] += xv * b1;
        }
    }
    for (int r = 0; r < R; r++) {
        float sums[P];
        memcpy(sums, &acc[r][0], sizeof acc[r][0]);
        memcpy(sums + 4, &acc[r][1], sizeof acc[r][1]);
        for (size_t l = 0; l < width; l++) {
            float v = sums[l];
            if (bias != NULL) {
                v += bias[l];
            }
            if (residual != NULL) {
                v += residual[r * ldr + l];
            }
            y[r * ldy + l] = minnow_act_scalar(act, v, lo, hi);
        }
    }
}

void minnow_f32_pwconv_c(size_t m, size_t n, size_t k, const float* x, size_t ldx, const float* wp,
                         const float* bias, const float* residual, size_t ldr, int act, float lo, float hi, float* y,
                         size_t ldy) {
    for (size_t p = 0; p < m; p += MR) {
        const size_t rows = m - p < MR ? m - p : MR;
        for (size_t j0 = 0; j0 < n; j0 += P) {
            const float* panel = wp + (j0 / P) * k * P;
            const size_t width = n - j0 < P ? n - j0 : P;
            const float* b = bias == NULL ? NULL : bias + j0;
            const float* res = residual == NULL ? NULL : residual + p * ldr + j0;
            float* yp = y + p * ldy + j0;
            switch (rows) {
                case 4: tile(4, k, x + p * ldx, ldx, panel, width, b, res, ldr, act, lo, hi, yp, ldy); break;
                case 3: tile(3, k, x + p * ldx, ldx, panel, width, b, res, ldr, act, lo, hi, yp, ldy); break;
                case 2: tile(2, k, x + p * ldx, ldx, panel, width, b, res, ldr, act, lo, hi, yp, ldy); break;
                default: tile(1, k, x + p * ldx, ldx, panel, width, b, res, ldr, act, lo, hi, yp, ldy); break;
            }
        }
    }
}
