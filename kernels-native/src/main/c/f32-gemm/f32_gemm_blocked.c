#include "f32-gemm/f32_gemm.h"

#include <string.h>

#include "common/scratch.h"

static size_t min_size(size_t x, size_t y) {
    return x < y ? x : y;
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
    const size_t MR = cfg->mr, NR = cfg->nr;
    const size_t nc_max = min_size(cfg->nc, (n + NR - 1) / NR * NR);
    const size_t kc_max = min_size(cfg->kc, k);
    float* bp = minnow_scratch(kc_max * nc_max * sizeof(float));
    if (bp == NULL) {
        minnow_f32_gemm_unpacked(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    for (size_t jc = 0; jc < n; jc += cfg->nc) {
        const size_t nc = min_size(cfg->nc, n - jc);
        for (size_t pc = 0; pc < k; pc += cfg->kc) {
            const size_t kc = min_size(cfg->kc, k - pc);
            cfg->pack_b(kc, nc, b + pc * ldb + jc, ldb, bp);
            /* The first k block overwrites C unless the caller accumulates; later blocks add to it. */
            const int load_c = accumulate || pc > 0;
            for (size_t ic = 0; ic < m; ic += cfg->mc) {
                const size_t mc = min_size(cfg->mc, m - ic);
                for (size_t jr = 0; jr < nc; jr += NR) {
                    const size_t nr = min_size(NR, nc - jr);
                    const float* panel = bp + (jr / NR) * kc * NR;
                    for (size_t ir = 0; ir < mc; ir += MR) {
                        const size_t mr = min_size(MR, mc - ir);
                        const size_t row = ic + ir;
                        cfg->ukernel(mr, nr, kc, a + row * lda + pc, lda, panel, c + row * ldc + jc + jr, ldc,
                                     load_c);
                    }
                }
            }
        }
    }
}
