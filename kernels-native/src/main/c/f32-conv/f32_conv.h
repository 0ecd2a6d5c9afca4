/*
 * Internals of family f32-conv: 2-D convolution of one image (NCHW) as the GEMM
 *   Y[cout x P] = W[cout x K] * im2col(X)[K x P],  K = cin*kh*kw, P = out_h*out_w,
 * without ever building im2col. The input rows a call needs are copied once into a zero-padded,
 * stride-phase-split buffer ("phase images": for stride s, s_h x s_w sub-images holding every s-th row
 * and column), in which every tap (ci, ky, kx) reads a CONTIGUOUS run: output position q = oy*Ws + ox
 * (a flat index with row pitch Ws, so Ws - out_w "garbage" columns per row are computed and dropped)
 * reads buf[off[k] + q]. So the micro-kernel loads its B vectors straight from that buffer through a
 * per-k offset table; the only copy is the padded input itself (about one input's size, versus K x P for
 * im2col). Works for any stride, dilation and padding.
 *
 * W is packed once (MR-row panels, k-major: panel[k][MR], rows past cout zero). A micro-kernel computes
 * an MR x NR tile over all K and writes raw sums to a small tile buffer; the store step then adds bias,
 * residual and applies the activation while scattering the tile's valid outputs into Y (a tile may span
 * output rows). A variant is a config (micro-kernel, store, tile sizes); f32_conv.c runs any of them.
 */
#ifndef MINNOW_F32_CONV_H
#define MINNOW_F32_CONV_H

#include <stddef.h>
#include <stdint.h>

/* All sizes already validated by the caller: positive (pads and col range non-negative). */
struct minnow_conv2d {
    size_t cin, in_h, in_w, cout, out_h, out_w, kh, kw, sh, sw, pt, pl, dh, dw;
};

/* The fused epilogue: y = act(acc + bias[r] + residual[r][j]); bias/residual may be NULL. */
struct minnow_conv_epi {
    const float* bias;     /* indexed by output channel */
    const float* residual; /* same layout as Y, row stride ldy */
    int act;
    float lo, hi;
};

/*
 * acc[r][j] = sum over p < k of ap[p*MR + r] * base[off[p] + j], r < MR, j < NR. Every base[off[p] + j]
 * read is inside the phase buffer (the driver sizes it so). Then either
 *   epi == NULL: tile[r * NR + j] = acc[r][j] for all MR x NR (raw sums; the store step finishes them), or
 *   epi != NULL: y[(r0 + r) * ldy + dst + j] = epi(acc[r][j]) for r < mr, all j < NR — the tile's outputs
 *                are NR consecutive outputs of one run, stored directly (the common case).
 */
typedef void (*minnow_f32_conv_ukernel_fn)(size_t k, const float* ap, const float* base, const int32_t* off,
                                           float* tile, size_t mr, float* y, size_t ldy, size_t r0, size_t dst,
                                           const struct minnow_conv_epi* epi);

/*
 * y[(r0 + r) * ldy + dst + j] = epi(tile[r * NR + src + j]) for r < mr, j < len: one run of a tile's
 * valid outputs (src + len <= NR).
 */
typedef void (*minnow_f32_conv_store_fn)(size_t mr, size_t len, const float* tile, size_t src, float* y, size_t ldy,
                                         size_t r0, size_t dst, const struct minnow_conv_epi* epi);

/*
 * Channel-vector mode (optional per variant). Small planes waste the position-vector tile: a 7x7 output is 49
 * columns in 64 (4 tiles of 16), a padded 14x14 walk 224 columns for 196, and the scatter of tiles that straddle
 * rows costs too. This mode turns the tile around: a tile is MINNOW_CONV_TP output positions (consecutive in Y,
 * any rows; broadcast operands) x up to 16 output channels (vector lanes), against a second packing of W,
 * channel-major in blocks of 16 (wt[block][k][16], zero-padded), so no lane is wasted on positions and partial
 * position tiles cost what they compute. The tile is transposed in registers and stored through the epilogue.
 *
 * acc[j][c] = sum over p < k of wt[p * 16 + c] * base[q[j] + off[p]], in p order (the same fma chain per output
 * as the position-vector kernel: results are bitwise equal); then
 * y[(m0 + c) * ldy + p0 + j] = epi(acc[j][c]) for j < npos, c < mc (mc <= 16, npos <= MINNOW_CONV_TP).
 * spill: the caller's next tile starts at p0 + npos and will rewrite y[.. + p0 + j] for npos <= j < 8, so the
 * kernel may store whole 8-wide rows there.
 */
#define MINNOW_CONV_TP 6
typedef void (*minnow_f32_conv_tkernel_fn)(size_t k, const float* wt, const float* base, const int32_t* off,
                                           const int32_t* q, size_t npos, size_t mc, int spill, float* y, size_t ldy,
                                           size_t m0, size_t p0, const struct minnow_conv_epi* epi);

struct minnow_f32_conv_config {
    const char* isa;
    size_t mr, nr; /* register tile */
    minnow_f32_conv_ukernel_fn ukernel;
    minnow_f32_conv_store_fn store;
    minnow_f32_conv_tkernel_fn tkernel; /* channel-vector mode, or NULL */
};

/* Which tiling minnow_f32_conv_run_mode uses: chosen per shape, or forced (tests compare them). */
enum { MINNOW_CONV_MODE_AUTO = -1, MINNOW_CONV_MODE_POSITIONS = 0, MINNOW_CONV_MODE_CHANNELS = 1 };

extern const struct minnow_f32_conv_config minnow_f32_conv_c_config;
extern const struct minnow_f32_conv_config minnow_f32_conv_avx2_config;

/* Floats of packed weights for cout x k. */
size_t minnow_f32_conv_packed_size(const struct minnow_f32_conv_config* cfg, size_t cout, size_t k);

void minnow_f32_conv_pack_w(const struct minnow_f32_conv_config* cfg, size_t cout, size_t k, const float* w,
                            float* wp);

/* Columns [col0, col1) of Y; returns 0, or -2 when per-thread scratch could not be allocated. */
int minnow_f32_conv_run(const struct minnow_f32_conv_config* cfg, const struct minnow_conv2d* s, const float* x,
                        const float* wp, const float* bias, const float* residual, int act, float lo, float hi,
                        float* y, size_t col0, size_t col1);

/* The same with the tiling forced (MINNOW_CONV_MODE_CHANNELS falls back to positions without a tkernel). */
int minnow_f32_conv_run_mode(const struct minnow_f32_conv_config* cfg, const struct minnow_conv2d* s, const float* x,
                             const float* wp, const float* bias, const float* residual, int act, float lo, float hi,
                             float* y, size_t col0, size_t col1, int mode);

#endif
