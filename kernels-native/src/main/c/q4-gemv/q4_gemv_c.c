/* q4-gemv-c: portable C panels, group by group with exact int32 dots; the compiler may vectorize for baseline SSE2. */
#include "q4-gemv/q4_gemv.h"

void minnow_q4v_panel_c(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                        const unsigned char* panel, float* out) {
    const int gpc = s->chunk / s->g;
    const float* scales = (const float*) (panel + s->codes_bytes);
    const float* coef = s->zero_points ? scales + (size_t) s->chunks * gpc * MINNOW_Q4V_NR : scales;
    for (int r = 0; r < MINNOW_Q4V_NR; r++) {
        float acc = 0, corr = 0;
        for (int ch = 0; ch < s->chunks; ch++) {
            const unsigned char* codes = panel + ((size_t) ch * MINNOW_Q4V_NR + r) * (size_t) s->chunk / 2;
            const signed char* x = a + (size_t) ch * s->chunk;
            for (int gi = 0; gi < gpc; gi++) {
                int dot = 0; /* |dot| <= 15 * 128 * G */
                for (int p = gi * s->g; p < (gi + 1) * s->g; p++) {
                    const int block = p / 64, i = p % 64;
                    const unsigned char byte = codes[block * 32 + i % 32];
                    dot += (i < 32 ? byte & 15 : byte >> 4) * x[p];
                }
                const size_t at = ((size_t) ch * gpc + gi) * MINNOW_Q4V_NR + r;
                acc += scales[at] * (float) dot;
                corr += coef[at] * asum[ch * gpc + gi];
            }
        }
        out[r] = acc - corr;
    }
}
