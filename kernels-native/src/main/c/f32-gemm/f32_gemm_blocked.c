/*
 * The blocked driver shared by every f32-gemm variant (see f32_gemm.h for the loop nest and layouts): packs
 * A and B, walks the cache blocks, sends edge tiles through a buffer, applies the fused epilogue after the
 * last k block, and takes the m = 1 kernels when the config has them.
 */
#include "f32-gemm/f32_gemm.h"

#include <stdint.h>
#include <string.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "common/scratch.h"

#define EDGE_MR 16
#define EDGE_NR 32
/* m = 1 kernels handle this many panels at once (4 independent streams keep the loads in flight). */
#define ROW_PANELS 4

static size_t min_size(size_t x, size_t y) {
    return x < y ? x : y;
}

static size_t round_up(size_t x, size_t to) {
    return (x + to - 1) / to * to;
}

/* A[mc x kc] (row stride lda) into ceil(mc / MR) k-major panels, rows past mc zero. */
MINNOW_INLINE void pack_a_mr(const size_t MR, size_t mc, size_t kc, const float* a, size_t lda, float* ap) {
    for (size_t i0 = 0; i0 < mc; i0 += MR, ap += MR * kc) {
        const float* src = a + i0 * lda;
        if (mc - i0 >= MR) {
            /* Full panel: MR is a constant here, so this is MR loads and stores per k, no loop overhead. */
            for (size_t p = 0; p < kc; p++) {
                #pragma GCC unroll 16
                for (size_t r = 0; r < MR; r++) {
                    ap[p * MR + r] = src[r * lda + p];
                }
            }
            continue;
        }
        const size_t rows = mc - i0;
        for (size_t p = 0; p < kc; p++) {
            for (size_t r = 0; r < MR; r++) {
                ap[p * MR + r] = r < rows ? src[r * lda + p] : 0.0f;
            }
        }
    }
}

static void pack_a(size_t MR, size_t mc, size_t kc, const float* a, size_t lda, float* ap) {
    switch (MR) {
        case 4: pack_a_mr(4, mc, kc, a, lda, ap); break;
        case 6: pack_a_mr(6, mc, kc, a, lda, ap); break;
        case 8: pack_a_mr(8, mc, kc, a, lda, ap); break;
        default: pack_a_mr(MR, mc, kc, a, lda, ap); break;
    }
}

/* B[kc x nc] (row stride ldb) into ceil(nc / NR) panels of kc x NR, columns past nc zero. */
MINNOW_INLINE void pack_b_nr(const size_t NR, size_t kc, size_t nc, const float* b, size_t ldb, float* bp) {
    const size_t full = nc / NR, w = nc - full * NR;
    /* Row by row: B is read sequentially (the prefetchers stream it) and each panel receives whole lines. */
    for (size_t p = 0; p < kc; p++) {
        const float* src = b + p * ldb;
        float* dst = bp + p * NR;
        for (size_t q = 0; q < full; q++) {
            memcpy(dst + q * kc * NR, src + q * NR, NR * sizeof(float)); /* NR constant: a few vector moves */
        }
        if (w > 0) {
            memcpy(dst + full * kc * NR, src + full * NR, w * sizeof(float));
            memset(dst + full * kc * NR + w, 0, (NR - w) * sizeof(float));
        }
    }
}

static void pack_b(size_t NR, size_t kc, size_t nc, const float* b, size_t ldb, float* bp) {
    switch (NR) {
        case 8: pack_b_nr(8, kc, nc, b, ldb, bp); break;
        case 16: pack_b_nr(16, kc, nc, b, ldb, bp); break;
        case 32: pack_b_nr(32, kc, nc, b, ldb, bp); break;
        default: pack_b_nr(NR, kc, nc, b, ldb, bp); break;
    }
}

/* As pack_b from B^T: element (p, j) of B is bt[j * ld + p]. */
static void pack_bt(size_t NR, size_t kc, size_t nc, const float* bt, size_t ld, float* bp) {
    for (size_t j0 = 0; j0 < nc; j0 += NR, bp += kc * NR) {
        const size_t w = min_size(NR, nc - j0);
        for (size_t j = 0; j < NR; j++) {
            const float* src = bt + (j0 + j) * ld;
            for (size_t p = 0; p < kc; p++) {
                bp[p * NR + j] = j < w ? src[p] : 0.0f;
            }
        }
    }
}

size_t minnow_f32_gemm_packed_size(const struct minnow_f32_gemm_config* cfg, size_t k, size_t n) {
    return k * round_up(n, cfg->nr);
}

void minnow_f32_gemm_pack_all(const struct minnow_f32_gemm_config* cfg, size_t k, size_t n, const float* b,
                              size_t ld, int transposed, float* bp) {
    const size_t npad = round_up(n, cfg->nr);
    for (size_t pc = 0; pc < k; pc += cfg->kc) {
        const size_t kc = min_size(cfg->kc, k - pc);
        if (transposed) {
            pack_bt(cfg->nr, kc, n, b + pc, ld, bp + pc * npad);
        } else {
            pack_b(cfg->nr, kc, n, b + pc * ld, ld, bp + pc * npad);
        }
    }
}

void minnow_f32_gemm_epilogue_scalar(size_t rows, size_t cols, float* c, size_t ldc, const float* bias, int act,
                                     float lo, float hi) {
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < cols; j++) {
            const float v = c[r * ldc + j];
            c[r * ldc + j] = minnow_act_scalar(act, bias != NULL ? v + bias[j] : v, lo, hi);
        }
    }
}

/* What the tile loop needs besides the operands: the epilogue, applied after the last k block. */
struct epi {
    const float* bias; /* at the first column written, or NULL */
    int act;
    float lo, hi;
};

static int epi_active(const struct epi* e) {
    return e->bias != NULL || e->act != MINNOW_ACT_NONE;
}

/*
 * One MR x NR tile of which rows [0, rows) and columns [cs, ce) are real; c and bias point at the tile's
 * column cs. Full tiles run in place; partial ones through a buffer so the kernel never sees the edge.
 */
static void tile(const struct minnow_f32_gemm_config* cfg, size_t kc, const float* ap, const float* bp, float* c,
                 size_t ldc, size_t rows, size_t cs, size_t ce, int load_c, int last, const struct epi* e,
                 const float* bias) {
    const size_t MR = cfg->mr, NR = cfg->nr;
    const int do_epi = last && epi_active(e);
    if (rows == MR && cs == 0 && ce == NR) {
        cfg->ukernel(kc, ap, bp, c, ldc, load_c);
        if (do_epi) {
            cfg->epilogue(MR, c, ldc, bias, e->act, e->lo, e->hi);
        }
        return;
    }
    float buf[EDGE_MR * EDGE_NR] __attribute__((aligned(64)));
    float bbuf[EDGE_NR] __attribute__((aligned(64)));
    const size_t w = ce - cs;
    if (load_c) {
        memset(buf, 0, MR * NR * sizeof(float));
        for (size_t r = 0; r < rows; r++) {
            memcpy(buf + r * NR + cs, c + r * ldc, w * sizeof(float));
        }
    }
    cfg->ukernel(kc, ap, bp, buf, NR, load_c);
    if (do_epi) {
        const float* bb = NULL;
        if (bias != NULL) {
            memset(bbuf, 0, NR * sizeof(float));
            memcpy(bbuf + cs, bias, w * sizeof(float));
            bb = bbuf;
        }
        cfg->epilogue(rows, buf, NR, bb, e->act, e->lo, e->hi);
    }
    for (size_t r = 0; r < rows; r++) {
        memcpy(c + r * ldc, buf + r * NR + cs, w * sizeof(float));
    }
}

/* B as the tile loop sees it: a whole prepacked B, or an unpacked source packed block by block into buf. */
struct bsrc {
    const float* packed; /* prepacked (k * npad floats), or NULL */
    const float* b;      /* unpacked source and its row stride */
    size_t ldb;
    float* buf;          /* kc x nc block buffer for the unpacked source */
};

/*
 * Columns [j0, j1) of C (c and e->bias point at column j0). j0 is a multiple of NR for unpacked sources.
 * ap_buf holds round_up(min(mc, m), MR) * min(kc, k) floats.
 */
static void run_tiles(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k, size_t j0, size_t j1,
                      const float* a, size_t lda, const struct bsrc* src, float* ap_buf, float* c, size_t ldc,
                      int accumulate, const struct epi* e) {
    const size_t MR = cfg->mr, NR = cfg->nr;
    const size_t npad = round_up(n, NR);
    const size_t first = j0 / NR * NR; /* panel grid start */
    for (size_t jc = first; jc < j1; jc += cfg->nc) {
        const size_t jce = min_size(jc + cfg->nc, j1);
        for (size_t pc = 0; pc < k; pc += cfg->kc) {
            const size_t kc = min_size(cfg->kc, k - pc);
            const int load_c = accumulate || pc > 0, last = pc + kc == k;
            const float* block;
            if (src->packed != NULL) {
                block = src->packed + pc * npad + (jc / NR) * kc * NR;
            } else {
                pack_b(NR, kc, jce - jc, src->b + pc * src->ldb + jc, src->ldb, src->buf);
                block = src->buf;
            }
            for (size_t ic = 0; ic < m; ic += cfg->mc) {
                const size_t mc = min_size(cfg->mc, m - ic);
                pack_a(MR, mc, kc, a + ic * lda + pc, lda, ap_buf);
                for (size_t jr = jc; jr < jce; jr += NR) {
                    const float* panel = block + ((jr - jc) / NR) * kc * NR;
                    const size_t cs = jr < j0 ? j0 - jr : 0, ce = min_size(NR, j1 - jr);
                    const size_t col = jr + cs - j0; /* column of C (relative to j0) where the tile's data starts */
                    const float* bias = e->bias != NULL ? e->bias + col : NULL;
                    for (size_t ir = 0; ir < mc; ir += MR) {
                        tile(cfg, kc, ap_buf + ir * kc, panel, c + (ic + ir) * ldc + col, ldc,
                             min_size(MR, mc - ir), cs, ce, load_c, last, e, bias);
                    }
                }
            }
        }
    }
}

void minnow_f32_gemm_blocked(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k,
                             const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc,
                             int accumulate) {
    if (m == 0 || n == 0) {
        return;
    }
    if (k == 0) {
        if (!accumulate) {
            for (size_t i = 0; i < m; i++) {
                memset(c + i * ldc, 0, n * sizeof(float));
            }
        }
        return;
    }
    if (m == 1 && cfg->gemv != NULL) {
        /* One row: stream B once, no packing (packing would copy all of B to use it once). */
        for (size_t j = 0; j < n; j += MINNOW_F32_GEMV_STRIP) {
            const size_t w = min_size(MINNOW_F32_GEMV_STRIP, n - j);
            for (size_t pc = 0; pc < k; pc += cfg->kc) {
                const size_t kc = min_size(cfg->kc, k - pc);
                cfg->gemv(w, kc, a + pc, b + pc * ldb + j, ldb, c + j, accumulate || pc > 0);
            }
        }
        return;
    }
    const size_t kc_max = min_size(cfg->kc, k);
    const size_t nc_max = min_size(cfg->nc, round_up(n, cfg->nr));
    const size_t ap_floats = round_up(min_size(cfg->mc, m), cfg->mr) * kc_max;
    float* scratch = minnow_scratch((kc_max * nc_max + ap_floats) * sizeof(float));
    if (scratch == NULL) {
        minnow_f32_gemm_unpacked(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    const struct bsrc src = {.packed = NULL, .b = b, .ldb = ldb, .buf = scratch};
    const struct epi none = {.bias = NULL, .act = MINNOW_ACT_NONE, .lo = 0.0f, .hi = 0.0f};
    run_tiles(cfg, m, n, k, 0, n, a, lda, &src, scratch + kc_max * nc_max, c, ldc, accumulate, &none);
}

/* Epilogue and store of one group's sums (buf: `width` floats of which [cs, ce) are columns of C at col). */
static void row_out(const struct minnow_f32_gemm_config* cfg, float* buf, size_t width, size_t cs, size_t ce,
                    size_t col, float* c, const struct epi* e) {
    const size_t NR = cfg->nr;
    if (epi_active(e)) {
        float bbuf[ROW_PANELS * EDGE_NR] __attribute__((aligned(64)));
        const float* bb = NULL;
        if (e->bias != NULL) {
            memset(bbuf, 0, width * sizeof(float));
            memcpy(bbuf + cs, e->bias + col, (ce - cs) * sizeof(float));
            bb = bbuf;
        }
        for (size_t q = 0; q < width / NR; q++) {
            cfg->epilogue(1, buf + q * NR, NR, bb != NULL ? bb + q * NR : NULL, e->act, e->lo, e->hi);
        }
    }
    memcpy(c + col, buf + cs, (ce - cs) * sizeof(float));
}

/*
 * m = 1 on prepacked B, ROW_PANELS panels per kernel call. With scratch for the sums of every column, k
 * blocks go outermost so B is read in one sequential sweep (a kc block of all panels is contiguous);
 * without, group by group through a stack buffer. Both keep the tile's summation order.
 */
static void run_row(const struct minnow_f32_gemm_config* cfg, size_t n, size_t k, size_t j0, size_t j1,
                    const float* a, const float* bp, float* c, const struct epi* e) {
    const size_t NR = cfg->nr, npad = round_up(n, NR), G = ROW_PANELS * NR;
    const size_t first = j0 / NR * NR, end = round_up(j1, NR);
    float* sums = minnow_scratch(round_up(end - first, G) * sizeof(float));
    if (sums != NULL) {
        for (size_t pc = 0; pc < k; pc += cfg->kc) {
            const size_t kc = min_size(cfg->kc, k - pc);
            for (size_t jg = first; jg < end; jg += G) {
                const size_t panels = min_size(G, end - jg) / NR;
                cfg->ukernel_row(kc, a + pc, bp + pc * npad + (jg / NR) * kc * NR, panels, sums + (jg - first), pc > 0);
            }
        }
    }
    float buf[ROW_PANELS * EDGE_NR] __attribute__((aligned(64)));
    for (size_t jg = first; jg < end; jg += G) {
        const size_t width = min_size(G, end - jg);
        float* s = sums != NULL ? sums + (jg - first) : buf;
        if (sums == NULL) {
            for (size_t pc = 0; pc < k; pc += cfg->kc) {
                const size_t kc = min_size(cfg->kc, k - pc);
                cfg->ukernel_row(kc, a + pc, bp + pc * npad + (jg / NR) * kc * NR, width / NR, buf, pc > 0);
            }
        }
        const size_t cs = jg < j0 ? j0 - jg : 0, ce = min_size(width, j1 - jg);
        row_out(cfg, s, width, cs, ce, jg + cs - j0, c, e);
    }
}

int minnow_f32_gemm_blocked_packed(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k,
                                   size_t j0, size_t j1, const float* a, size_t lda, const float* bp,
                                   const float* bias, int act, float lo, float hi, float* c, size_t ldc) {
    if (m == 0 || j1 <= j0) {
        return 0;
    }
    const struct epi e = {.bias = bias, .act = act, .lo = lo, .hi = hi};
    if (k == 0) {
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < j1 - j0; j++) {
                c[i * ldc + j] = minnow_act_scalar(act, 0.0f + (bias != NULL ? bias[j] : 0.0f), lo, hi);
            }
        }
        return 0;
    }
    if (m == 1 && cfg->ukernel_row != NULL) {
        run_row(cfg, n, k, j0, j1, a, bp, c, &e);
        return 0;
    }
    const size_t kc_max = min_size(cfg->kc, k);
    float* ap = minnow_scratch(round_up(min_size(cfg->mc, m), cfg->mr) * kc_max * sizeof(float));
    if (ap == NULL) {
        return -1;
    }
    const struct bsrc src = {.packed = bp, .b = NULL, .ldb = 0, .buf = NULL};
    run_tiles(cfg, m, n, k, j0, j1, a, lda, &src, ap, c, ldc, 0, &e);
    return 0;
}
