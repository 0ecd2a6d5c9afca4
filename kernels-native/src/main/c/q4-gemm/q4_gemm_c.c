/* q4-gemm-c: portable C panels, lane by lane; the compiler may vectorize the lane loops for baseline SSE2. */
#include "q4-gemm/q4_gemm.h"

void minnow_q4_panel_c(const struct minnow_q4_shape* s, int mr, const float* const* a, const float* asum,
                       const float* factor, const unsigned char* panel, float* out) {
    (void) factor; /* never asked for denormal codes */
    for (int r = 0; r < mr; r++) {
        float acc[MINNOW_Q4_NR] = {0};
        const unsigned char* rec = panel;
        for (int g = 0; g < s->groups; g++, rec += s->group_bytes) {
            const int p0 = g * s->g;
            const int len = s->k - p0 < s->g ? s->k - p0 : s->g;
            float dot[MINNOW_Q4_NR] = {0};
            for (int p = 0; p < len; p++) {
                const unsigned char* step = rec + (size_t) (p / 2) * MINNOW_Q4_NR;
                const float x = a[r][p0 + p];
                for (int l = 0; l < MINNOW_Q4_NR; l++) {
                    dot[l] += x * (float) ((p & 1) == 0 ? step[l] & 15 : step[l] >> 4);
                }
            }
            const float* scale = (const float*) (rec + (size_t) s->g / 2 * MINNOW_Q4_NR);
            for (int l = 0; l < MINNOW_Q4_NR; l++) {
                const float z = s->zero_points ? scale[MINNOW_Q4_NR + l] : 8.0f;
                acc[l] += scale[l] * (dot[l] - z * asum[r * s->groups + g]);
            }
        }
        for (int l = 0; l < MINNOW_Q4_NR; l++) {
            out[r * MINNOW_Q4_NR + l] = acc[l];
        }
    }
}
