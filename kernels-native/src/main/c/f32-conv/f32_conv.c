/* f32-conv: public entry points, variant choice, weight packing, the im2col block gather and the driver. */
#include "f32-conv/f32_conv.h"

#include "common/epilogue.h"
#include "common/scratch.h"
#include "minnow_kernels.h"

static const struct minnow_f32_conv_config* const configs[MINNOW_F32_CONV_VARIANTS] = {
    [MINNOW_F32_CONV_C] = &minnow_f32_conv_c_config,
    [MINNOW_F32_CONV_AVX2] = &minnow_f32_conv_avx2_config,
};

static const int required_features[MINNOW_F32_CONV_VARIANTS] = {
    [MINNOW_F32_CONV_C] = 0,
    [MINNOW_F32_CONV_AVX2] = MINNOW_CPU_AVX2,
};

int minnow_f32_conv_variant_supported(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_CONV_VARIANTS) {
        return 0;
    }
    const int need = required_features[variant];
    return (minnow_cpu_features() & need) == need;
}

int minnow_f32_conv_default_variant(void) {
    int v = MINNOW_F32_CONV_VARIANTS - 1;
    while (v > 0 && !minnow_f32_conv_variant_supported(v)) {
        v--;
    }
    return v;
}

const char* minnow_f32_conv_variant_isa(int variant) {
    if (variant < 0 || variant >= MINNOW_F32_CONV_VARIANTS) {
        return "unknown";
    }
    return configs[variant]->isa;
}

/* Floats of the position-mode panels; the channel-mode blocks (variants with a tkernel) follow them. */
static size_t panels_size(const struct minnow_f32_conv_config* cfg, size_t cout, size_t k) {
    return (cout + cfg->mr - 1) / cfg->mr * cfg->mr * k;
}

size_t minnow_f32_conv_packed_size(const struct minnow_f32_conv_config* cfg, size_t cout, size_t k) {
    return panels_size(cfg, cout, k) + (cfg->tkernel != NULL ? (cout + 15) / 16 * 16 * k : 0);
}

void minnow_f32_conv_pack_w(const struct minnow_f32_conv_config* cfg, size_t cout, size_t k, const float* w,
                            float* wp) {
    const size_t MR = cfg->mr;
    for (size_t r0 = 0; r0 < cout; r0 += MR) {
        for (size_t p = 0; p < k; p++) {
            for (size_t r = 0; r < MR; r++) {
                *wp++ = r0 + r < cout ? w[(r0 + r) * k + p] : 0.0f;
            }
        }
    }
    if (cfg->tkernel != NULL) { /* channel mode: wt[block][p][16] */
        for (size_t m0 = 0; m0 < cout; m0 += 16) {
            for (size_t p = 0; p < k; p++) {
                for (size_t c = 0; c < 16; c++) {
                    *wp++ = m0 + c < cout ? w[(m0 + c) * k + p] : 0.0f;
                }
            }
        }
    }
}

long long minnow_f32_conv_packed_floats(int variant, int cout, int k) {
    if (!minnow_f32_conv_variant_supported(variant) || cout <= 0 || k <= 0) {
        return -1;
    }
    return (long long) minnow_f32_conv_packed_size(configs[variant], (size_t) cout, (size_t) k);
}

int minnow_f32_conv_pack(int variant, int cout, int k, const float* w, float* wp) {
    if (!minnow_f32_conv_variant_supported(variant) || cout <= 0 || k <= 0) {
        return -1;
    }
    minnow_f32_conv_pack_w(configs[variant], (size_t) cout, (size_t) k, w, wp);
    return 0;
}

/*
 * The phase buffer of one call: output rows [oy0, oy0 + rows), every input row and column they touch,
 * split by stride phase and zero-padded. Slot layout: slot[(py, px) used][ci][Hs][Ws] + NR zero floats.
 */
struct phases {
    size_t hs, ws;         /* rows and row pitch of each phase image */
    size_t slot_floats;    /* cin * hs * ws */
    int slot_of[64];       /* (py * sw + px) -> slot, -1 when no tap uses that phase; sh*sw <= 64 */
    size_t slots;
};

static void plan_phases(const struct minnow_conv2d* s, size_t rows, struct phases* ph) {
    ph->hs = rows + (s->kh - 1) * s->dh / s->sh;
    ph->ws = s->out_w + (s->kw - 1) * s->dw / s->sw;
    ph->slot_floats = s->cin * ph->hs * ph->ws;
    for (size_t i = 0; i < s->sh * s->sw; i++) ph->slot_of[i] = -1;
    ph->slots = 0;
    for (size_t ky = 0; ky < s->kh; ky++) {
        for (size_t kx = 0; kx < s->kw; kx++) {
            const size_t i = (ky * s->dh % s->sh) * s->sw + kx * s->dw % s->sw;
            if (ph->slot_of[i] < 0) ph->slot_of[i] = (int) ph->slots++;
        }
    }
}

/* Fills the used phase images: local row r, column c of phase (py, px) = x[ci][(oy0+r)*sh+py-pt][c*sw+px-pl]. */
static void fill_phases(const struct minnow_conv2d* s, const float* x, size_t oy0, const struct phases* ph,
                        float* buf) {
    const long in_h = (long) s->in_h, in_w = (long) s->in_w, sw = (long) s->sw, ws = (long) ph->ws;
    for (size_t py = 0; py < s->sh; py++) {
        for (size_t px = 0; px < s->sw; px++) {
            const int slot = ph->slot_of[py * s->sw + px];
            if (slot < 0) continue;
            const long offx = (long) px - (long) s->pl;
            /* columns c whose source ix = c*sw + offx lies in [0, in_w) */
            long c_lo = offx >= 0 ? 0 : (-offx + sw - 1) / sw;
            long c_hi = in_w - 1 - offx < 0 ? 0 : (in_w - 1 - offx) / sw + 1;
            if (c_lo > ws) c_lo = ws;
            if (c_hi > ws) c_hi = ws;
            if (c_hi < c_lo) c_hi = c_lo;
            for (size_t ci = 0; ci < s->cin; ci++) {
                float* dst = buf + (size_t) slot * ph->slot_floats + ci * ph->hs * ph->ws;
                const float* xc = x + ci * s->in_h * s->in_w;
                for (size_t r = 0; r < ph->hs; r++, dst += ws) {
                    const long iy = (long) ((oy0 + r) * s->sh + py) - (long) s->pt;
                    if (iy < 0 || iy >= in_h) {
                        for (long c = 0; c < ws; c++) dst[c] = 0.0f;
                        continue;
                    }
                    const float* row = xc + iy * in_w + offx;
                    for (long c = 0; c < c_lo; c++) dst[c] = 0.0f;
                    if (sw == 1) {
                        for (long c = c_lo; c < c_hi; c++) dst[c] = row[c];
                    } else {
                        for (long c = c_lo; c < c_hi; c++) dst[c] = row[c * sw];
                    }
                    for (long c = c_hi; c < ws; c++) dst[c] = 0.0f;
                }
            }
        }
    }
}

/*
 * Channel mode pays where position tiles waste lanes: columns computed (whole tiles, padded rows' garbage
 * columns) at least 1/16 over the outputs, and W small enough to stay in L2 while every position tile streams
 * all of it (K x cout floats <= 128 Ki).
 */
static int use_channels(const struct minnow_conv2d* s, size_t K, size_t ncols, size_t computed_cols) {
    return K * s->cout <= (128u << 10) && computed_cols * 16 >= ncols * 17;
}

/*
 * Channel mode: positions [col0, col1) in tiles of MINNOW_CONV_TP, each against every block of 16 channels (the
 * tile's inputs stay in L1 across blocks). src/off/ws/oy0: where output (oy, ox)'s taps are, as in position mode.
 */
static void run_channels(const struct minnow_f32_conv_config* cfg, const struct minnow_conv2d* s, size_t K,
                         const float* wt, const float* src, const int32_t* off, size_t ws, size_t oy0,
                         const struct minnow_conv_epi* epi, float* y, size_t col0, size_t col1) {
    const size_t P = s->out_h * s->out_w;
    int32_t q[MINNOW_CONV_TP];
    size_t oy = col0 / s->out_w, ox = col0 % s->out_w; /* of the next position to place */
    for (size_t p0 = col0; p0 < col1; p0 += MINNOW_CONV_TP) {
        const size_t n = col1 - p0 < MINNOW_CONV_TP ? col1 - p0 : MINNOW_CONV_TP;
        for (size_t j = 0; j < MINNOW_CONV_TP; j++) {
            if (j < n) {
                q[j] = (int32_t) ((oy - oy0) * ws + ox);
                if (++ox == s->out_w) {
                    ox = 0;
                    oy++;
                }
            } else {
                q[j] = q[n - 1]; /* a partial tile repeats its last position (computed, never stored) */
            }
        }
        /* outputs past this tile are rewritten by the next one only while it is inside our range */
        const int spill = p0 + 8 <= col1;
        for (size_t m0 = 0; m0 < s->cout; m0 += 16) {
            const size_t mc = s->cout - m0 < 16 ? s->cout - m0 : 16;
            cfg->tkernel(K, wt + m0 * K, src, off, q, n, mc, spill, y, P, m0, p0, epi);
        }
    }
}

int minnow_f32_conv_run(const struct minnow_f32_conv_config* cfg, const struct minnow_conv2d* s, const float* x,
                        const float* wp, const float* bias, const float* residual, int act, float lo, float hi,
                        float* y, size_t col0, size_t col1) {
    return minnow_f32_conv_run_mode(cfg, s, x, wp, bias, residual, act, lo, hi, y, col0, col1, MINNOW_CONV_MODE_AUTO);
}

int minnow_f32_conv_run_mode(const struct minnow_f32_conv_config* cfg, const struct minnow_conv2d* s, const float* x,
                             const float* wp, const float* bias, const float* residual, int act, float lo, float hi,
                             float* y, size_t col0, size_t col1, int mode) {
    if (col1 <= col0) {
        return 0;
    }
    const size_t MR = cfg->mr, NR = cfg->nr;
    const size_t taps = s->kh * s->kw, K = s->cin * taps, P = s->out_h * s->out_w;
    const size_t oy0 = col0 / s->out_w, oy1 = (col1 - 1) / s->out_w;
    /*
     * Direct mode (1x1, unit stride, no padding): the input planes already are the phase image, so B is
     * read from x itself; only the last partial tile, whose loads would run past the rows in range, is
     * copied into a zero-padded K x NR panel first.
     */
    const int direct = s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->pt == 0 && s->pl == 0
                       && s->out_w == s->in_w && s->out_h <= s->in_h;
    struct phases ph;
    plan_phases(s, oy1 - oy0 + 1, &ph);
    /* scratch: offsets table(s), one tile, then the phase buffer (+ NR zero floats a last tile may read)
       or, in direct mode, the tail panel */
    const size_t off_floats = (K + 15) / 16 * 16, tile_floats = (MR * NR + 15) / 16 * 16;
    /*
     * Compact mode: when the flat walk would waste many tiles on garbage columns (small planes, wide
     * kernels: LeNet's 5x5 convs), the phase buffer is further copied into a dense K x ldb matrix of just
     * the outputs in range. It costs ~K*P/8 vector copies and saves (flat tiles - dense tiles) * K * cout
     * multiply-adds, so it is chosen when 2 * P < wasted columns * cout.
     */
    const size_t ncols = col1 - col0;
    const size_t q_span = (oy1 - oy0) * ph.ws + (col1 - 1) % s->out_w + 1 - col0 % s->out_w;
    const size_t flat_cols = (q_span + NR - 1) / NR * NR, dense_cols = (ncols + NR - 1) / NR * NR;
    int channels = cfg->tkernel != NULL && mode == MINNOW_CONV_MODE_CHANNELS;
    if (cfg->tkernel != NULL && mode == MINNOW_CONV_MODE_AUTO) {
        channels = use_channels(s, K, ncols, direct ? (ncols + NR - 1) / NR * NR : flat_cols);
    }
    const int compact = !channels && !direct && 2 * ncols < (flat_cols - dense_cols) * s->cout;
    const size_t ldb = dense_cols;
    const size_t buf_floats = direct ? K * NR : ph.slots * ph.slot_floats + NR + (compact ? K * ldb : 0);
    if (buf_floats > INT32_MAX) {
        return -1; /* offsets are int32; the Java side keeps convolutions far below this */
    }
    float* scratch = minnow_scratch((2 * off_floats + tile_floats + buf_floats) * sizeof(float));
    if (scratch == NULL) {
        return -2;
    }
    int32_t* off = (int32_t*) scratch;
    int32_t* off_tail = off + off_floats;
    float* tile = scratch + 2 * off_floats;
    float* buf = tile + tile_floats;
    const float* src = buf; /* where B is read: the phase buffer, or x in direct mode */
    if (direct) {
        src = x + oy0 * s->in_w;
        for (size_t k = 0; k < K; k++) {
            off[k] = (int32_t) (k * s->in_h * s->in_w);
            off_tail[k] = (int32_t) (k * NR);
        }
    } else {
        /* k = (ci, ky, kx) in nested loops: no divisions per k (they cost microseconds at K in the hundreds) */
        const size_t chan = ph.hs * ph.ws;
        for (size_t ky = 0, t = 0; ky < s->kh; ky++) {
            for (size_t kx = 0; kx < s->kw; kx++, t++) {
                const size_t slot = (size_t) ph.slot_of[(ky * s->dh % s->sh) * s->sw + kx * s->dw % s->sw];
                off[t] = (int32_t) (slot * ph.slot_floats + ky * s->dh / s->sh * ph.ws + kx * s->dw / s->sw);
            }
        }
        for (size_t ci = 1; ci < s->cin; ci++) {
            for (size_t t = 0; t < taps; t++) off[ci * taps + t] = off[t] + (int32_t) (ci * chan);
        }
        fill_phases(s, x, oy0, &ph, buf);
        for (size_t i = 0; i < NR; i++) buf[ph.slots * ph.slot_floats + i] = 0.0f;
        if (compact) {
            float* dense = buf + ph.slots * ph.slot_floats + NR;
            for (size_t k = 0; k < K; k++) {
                const float* from = buf + off[k];
                float* to = dense + k * ldb;
                size_t j = 0;
                for (size_t oy = oy0; oy <= oy1; oy++) {
                    const size_t ox0 = oy == oy0 ? col0 % s->out_w : 0;
                    const size_t ox1 = oy == oy1 ? (col1 - 1) % s->out_w + 1 : s->out_w;
                    const float* row = from + (oy - oy0) * ph.ws;
                    for (size_t ox = ox0; ox < ox1; ox++) to[j++] = row[ox];
                }
                for (; j < ldb; j++) to[j] = 0.0f;
                off_tail[k] = (int32_t) (k * ldb);
            }
            src = dense;
        }
    }

    const struct minnow_conv_epi epi = {bias, residual, act, lo, hi};
    if (channels) {
        run_channels(cfg, s, K, wp + panels_size(cfg, s->cout, K), src, off, direct ? s->in_w : ph.ws, oy0, &epi, y,
                     col0, col1);
        return 0;
    }
    if (compact) { /* dense columns: output j is col0 + j */
        for (size_t j0 = 0; j0 < ncols; j0 += NR) {
            for (size_t r0 = 0; r0 < s->cout; r0 += MR) {
                const size_t mr = s->cout - r0 < MR ? s->cout - r0 : MR;
                if (j0 + NR <= ncols) {
                    cfg->ukernel(K, wp + r0 * K, src + j0, off_tail, NULL, mr, y, P, r0, col0 + j0, &epi);
                } else {
                    cfg->ukernel(K, wp + r0 * K, src + j0, off_tail, tile, mr, NULL, 0, 0, 0, NULL);
                    cfg->store(mr, ncols - j0, tile, 0, y, P, r0, col0 + j0, &epi);
                }
            }
        }
        return 0;
    }
    /* local flat positions q = (oy - oy0) * ws + ox of the first and one past the last output */
    const size_t q_begin = col0 % s->out_w;
    const size_t q_end = (oy1 - oy0) * ph.ws + (col1 - 1) % s->out_w + 1;
    for (size_t q0 = q_begin; q0 < q_end; q0 += NR) {
        const float* base = src + q0;
        const int32_t* offs = off;
        if (direct && q0 + NR > q_end) { /* the tail panel: this tile's columns, zero-padded to NR */
            const size_t n = q_end - q0;
            for (size_t k = 0; k < K; k++) {
                for (size_t j = 0; j < NR; j++) buf[k * NR + j] = j < n ? src[off[k] + q0 + j] : 0.0f;
            }
            base = buf;
            offs = off_tail;
        }
        const size_t oyq = q0 / ph.ws, oxq = q0 % ph.ws;
        for (size_t r0 = 0; r0 < s->cout; r0 += MR) {
            const size_t mr = s->cout - r0 < MR ? s->cout - r0 : MR;
            /* a tile of NR outputs in one row run (no garbage column, not past the end) is stored directly */
            if (oxq + NR <= s->out_w && q0 + NR <= q_end) {
                cfg->ukernel(K, wp + r0 * K, base, offs, NULL, mr, y, P, r0, (oy0 + oyq) * s->out_w + oxq, &epi);
                continue;
            }
            if (ph.ws == s->out_w && q0 + NR <= q_end) { /* no garbage columns: outputs are consecutive */
                cfg->ukernel(K, wp + r0 * K, base, offs, NULL, mr, y, P, r0, oy0 * s->out_w + q0, &epi);
                continue;
            }
            cfg->ukernel(K, wp + r0 * K, base, offs, tile, mr, NULL, 0, 0, 0, NULL);
            /* scatter the tile's valid outputs, one run per output row it touches */
            for (size_t j = 0; j < NR && q0 + j < q_end;) {
                const size_t q = q0 + j, oy = q / ph.ws, ox = q % ph.ws;
                if (ox >= s->out_w) { /* garbage column: skip to the next row */
                    j += ph.ws - ox;
                    continue;
                }
                size_t len = s->out_w - ox;
                if (len > NR - j) len = NR - j;
                if (len > q_end - q) len = q_end - q;
                cfg->store(mr, len, tile, j, y, P, r0, (oy0 + oy) * s->out_w + ox, &epi);
                j += len;
            }
        }
    }
    return 0;
}

int minnow_f32_conv2d(int variant, int cin, int in_h, int in_w, int cout, int out_h, int out_w, int kh, int kw,
                      int sh, int sw, int pt, int pl, int dh, int dw, const float* x, const float* wp,
                      const float* bias, const float* residual, int act, float lo, float hi, float* y, int col0,
                      int col1) {
    if (!minnow_f32_conv_variant_supported(variant) || cin <= 0 || in_h <= 0 || in_w <= 0 || cout <= 0
        || out_h <= 0 || out_w <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || pt < 0 || pl < 0 || dh <= 0
        || dw <= 0 || (long long) sh * sw > 64 || col0 < 0 || col1 < col0 || (long long) col1 > (long long) out_h * out_w
        || (act != MINNOW_ACT_NONE && act != MINNOW_ACT_CLAMP && act != MINNOW_ACT_HARDSWISH)) {
        return -1;
    }
    const struct minnow_conv2d s = {
        (size_t) cin, (size_t) in_h, (size_t) in_w, (size_t) cout, (size_t) out_h, (size_t) out_w,
        (size_t) kh, (size_t) kw, (size_t) sh, (size_t) sw, (size_t) pt, (size_t) pl, (size_t) dh, (size_t) dw,
    };
    return minnow_f32_conv_run(configs[variant], &s, x, wp, bias, residual, act, lo, hi, y, (size_t) col0,
                               (size_t) col1);
}
