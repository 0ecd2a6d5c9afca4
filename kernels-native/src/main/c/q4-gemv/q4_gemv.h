/*
 * Internals of family q4-gemv (int8 activations x 4-bit grouped weights -> float32). The weight arrives packed by
 * the Java side (io.minnow.engine.kernels.q4.Q4GemvBlocks) in panels of 4 rows of W (4 output columns of C).
 * With chunk C = max(G, 64) codes along K, chunks = ceil(K / C), gpc = C / G groups per chunk (2 for G = 32, else 1):
 *
 *   panel q = rows [4q, 4q + 4), at packed + q * panel_bytes (panel_bytes a multiple of 64);
 *     codes   chunks x 4 rows x C/2 bytes; a row's C/2 bytes are C/64 blocks of 32 bytes, and byte i of block b
 *             holds u[c0 + 64b + i] in its low nibble and u[c0 + 64b + 32 + i] in its high nibble (0 past K):
 *             one 32-byte load gives 64 codes that line up with 2 x 32 contiguous activation bytes
 *     scales  chunks * gpc groups x 4 float32, [group][row] (0 for padding groups and rows past n)
 *     zs      (only with zero points) the same shape: scale * z' per group and row
 *   then zero bytes up to a multiple of 64.
 *
 * u is the code as an unsigned nibble (signed codes are stored + 8, so z' = 8; else z' is the zero point).
 * Per output: acc = sum_g scale_g * sum_{p in g} u[p] * a[p] - sum_g (scale_g * z'_g) * sum_{p in g} a[p],
 * c = clamp(a_scale * acc + bias, lo, hi). The driver copies each row of A into scratch padded with zeros to
 * chunks * C bytes (so a kernel loads whole blocks and never reads past A), and computes per group
 * asum[g] = z-multiplier * sum a (8 * sum a for signed codes: then the correction coefficient is the scale itself).
 */
#ifndef MINNOW_Q4_GEMV_H
#define MINNOW_Q4_GEMV_H

#include <stddef.h>

#define MINNOW_Q4V_NR 4 /* rows of W per panel */

struct minnow_q4v_shape {
    int g;             /* group size: 32, 64 or 128 */
    int chunk;         /* C = max(g, 64) */
    int chunks;        /* ceil(k / C) */
    int zero_points;   /* 1: the zs part is present (the correction coefficient), else the scales serve */
    size_t codes_bytes; /* chunks * 4 * C / 2: offset of the scales within a panel */
};

/* Bytes of one panel (codes, scales, zs, padding to 64). */
size_t minnow_q4v_panel_bytes(int g, int chunks, int zero_points);

/*
 * Panel against one padded activation row a (chunks * C int8 codes) with per-group asum (chunks * gpc floats,
 * already multiplied by 8 for signed codes). Writes out[r] = acc of row r of the panel (before a_scale, bias, clamp).
 */
typedef void (*minnow_q4v_panel_fn)(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                                    const unsigned char* panel, float* out);

void minnow_q4v_panel_c(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                        const unsigned char* panel, float* out);
void minnow_q4v_panel_avx2(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                           const unsigned char* panel, float* out);

#endif
