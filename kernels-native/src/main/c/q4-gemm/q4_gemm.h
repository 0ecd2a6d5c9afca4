/*
 * Internals of family q4-gemm (float32 activations x 4-bit grouped weights). The weight arrives packed by the
 * Java side (io.minnow.engine.kernels.q4.Q4Panels) in panels of 8 rows of W (8 output columns of C):
 *
 *   panel q = rows [8q, 8q + 8), at packed + q * panel_bytes, panel_bytes = groups * group_bytes;
 *   group record g (group_bytes = 4*G + 32, + 32 more with zero points):
 *     codes   G/2 steps x 8 bytes: byte [s][r] = u(r, p) | u(r, p + 1) << 4 with p = g*G + 2s (0 past K)
 *     scales  8 float32
 *     zeros   8 float32 z' (only with zero points; otherwise z' = 8: signed codes were stored as code + 8)
 *
 * Per output, per group: acc += scale * (sum_p a[p] * u[p] - z' * sum_p a[p]); then c = clamp(acc + bias, lo, hi).
 * Lanes are rows of W, so a GEMV needs no horizontal sums. A variant computes one panel for up to 4 rows of A.
 */
#ifndef MINNOW_Q4_GEMM_H
#define MINNOW_Q4_GEMM_H

#include <stddef.h>

#define MINNOW_Q4_NR 8 /* rows of W per panel */
#define MINNOW_Q4_MR 4 /* rows of A per panel call */

struct minnow_q4_shape {
    int k;            /* codes per row */
    int g;            /* group size: 32, 64 or 128 */
    int groups;       /* ceil(k / g) */
    int zero_points;  /* 1: zeros part present */
    size_t group_bytes;
};

/*
 * Panel `panel` against rows a[0..mr) of A (mr 1..4; each k floats), asum[r * groups + g] = sum of row r's group g.
 * Writes out[r * 8 + lane], the accumulators before bias and clamp, for r < mr.
 *
 * factor: NULL, or (variants that can) "denormal codes": row r of a was scaled by 2^e_r (exactly) so that its
 * largest |a| is in [2^126, 2^127), and a code u is read as the float whose bits are u, i.e. u * 2^-149 (a
 * denormal, exact), saving the int-to-float conversion; each product a' * u * 2^-149 = a * u * 2^(e_r - 149) is
 * then a normal float rounded exactly like a * u, and the group's dot product times factor[r] = 2^(149 - e_r)
 * is the real one. The driver only asks for it when the CPU does not treat denormal inputs as zero (MXCSR.DAZ).
 */
typedef void (*minnow_q4_panel_fn)(const struct minnow_q4_shape* s, int mr, const float* const* a, const float* asum,
                                   const float* factor, const unsigned char* panel, float* out);

void minnow_q4_panel_c(const struct minnow_q4_shape* s, int mr, const float* const* a, const float* asum,
                       const float* factor, const unsigned char* panel, float* out);
void minnow_q4_panel_avx2(const struct minnow_q4_shape* s, int mr, const float* const* a, const float* asum,
                          const float* factor, const unsigned char* panel, float* out);

#endif
