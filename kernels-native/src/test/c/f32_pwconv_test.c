/*
 * Native-side test of the pointwise NHWC conv (minnow_f32_pwconv, every variant named on the command line)
 * against a double-precision loop, through the public entry points:
 *  - every m in {1,2,3,5,6,7,13,49,196} x k in {1,3,8,9,16,17,96} x n in {1,3,7,8,9,15,16,17,24,25,32,40,
 *    96,130} (every tile, pixel tail, channel-group mix and lane mask of the AVX2 kernel), each with bias
 *    on/off x residual on/off x every activation (none, ReLU, clamp, HardSwish), dense rows (ld = width)
 *    and strided ones (ldx > k, ldy > n, ldr != ldy), with a relative tolerance (k + 3 roundings of the
 *    sum of magnitudes);
 *  - buffers either exactly sized (AddressSanitizer sees one float past either end) or inside guard zones:
 *    NaN canaries around and between the rows of x, residual, bias and the packed weights (a read of one
 *    spoils an output) and sentinel canaries around and between the rows of y (a write is seen bitwise);
 *  - the residual read from y itself (in place, ldr == ldy);
 *  - NaN and infinities in x reach the outputs that use them, as in the double loop;
 *  - the packed layout, element by element, and bad arguments returning -1 while writing nothing.
 * A variant this CPU cannot run is reported as skipped, never passed. Built and run by run-tests.sh:
 *   f32_pwconv_test c avx2 avx512f
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "f32-pwconv/f32_pwconv.h"

#define GUARD 16

static unsigned long long rng = 0x243F6A8885A308D3ull;

static unsigned next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned) (rng >> 32);
}

static float next_float(void) {
    return (float) ((double) (next() >> 8) / (double) (1u << 24) * 2.0 - 1.0);
}

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static const float Y_SENTINEL = -1234.5f;
static int failures = 0;

/* n floats with `guard` canaries either side (guard 0: exactly n, for ASan); returns the first of the n. */
static float* alloc_buf(size_t n, int guard, float canary) {
    float* p = malloc((n + 2 * (size_t) guard) * sizeof(float));
    for (size_t i = 0; i < n + 2 * (size_t) guard; i++) p[i] = canary;
    return p + guard;
}

static int guards_intact(const float* p, size_t n, int guard, float canary) {
    for (int i = 1; i <= guard; i++) {
        if (bits(p[-i]) != bits(canary) || bits(p[n + i - 1]) != bits(canary)) return 0;
    }
    return 1;
}

static void free_buf(float* p, int guard) {
    if (p != NULL) free(p - guard);
}

/* The activation in double (the kernels' float version differs by rounding only). */
static double act_ref(int act, double v, double lo, double hi) {
    if (act == 1) return v < lo ? lo : (v > hi ? hi : v);
    if (act == 2) {
        double t = v / 6.0 + 0.5;
        t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
        return v * t;
    }
    return v;
}

static const struct {
    int act;
    float lo, hi;
} EPILOGUES[] = {{0, 0.0f, 0.0f}, {1, 0.0f, INFINITY}, {1, -0.25f, 0.5f}, {2, 0.0f, 0.0f}};
#define N_EPI 4

/* One problem: x [m][ldx], W [n][k], bias, residual [m][ldr]; y [m][ldy]. */
struct problem {
    int m, n, k, ldx, ldy, ldr, guard;
    float *x, *w, *wp, *bias, *res;
    size_t x_len, res_len, y_len, wp_len;
};

static size_t extent(int rows, int ld, int cols) {
    return (size_t) (rows - 1) * (size_t) ld + (size_t) cols;
}

static void make(struct problem* p, int m, int n, int k, int strided, int guard, int specials) {
    p->m = m;
    p->n = n;
    p->k = k;
    p->ldx = strided ? k + 1 + (int) (next() % 5) : k;
    p->ldy = strided ? n + 1 + (int) (next() % 7) : n;
    p->ldr = strided ? n + 2 + (int) (next() % 3) : n;
    p->guard = guard;
    p->x_len = extent(m, p->ldx, k);
    p->res_len = extent(m, p->ldr, n);
    p->y_len = extent(m, p->ldy, n);
    p->wp_len = (size_t) minnow_f32_pwconv_packed_floats(MINNOW_F32_PWCONV_C, k, n);
    /* Gaps between rows stay NaN (a read of one spoils an output); guards too. */
    p->x = alloc_buf(p->x_len, guard, NAN);
    for (int i = 0; i < m; i++) {
        for (int c = 0; c < k; c++) p->x[(size_t) i * p->ldx + c] = next_float();
    }
    if (specials) {
        /* a few NaN / +-inf in x: they reach every output of their pixel, as in the double loop */
        for (int s = 0; s < 3; s++) {
            const float v = s == 0 ? NAN : (s == 1 ? INFINITY : -INFINITY);
            p->x[(size_t) (next() % (unsigned) m) * p->ldx + next() % (unsigned) k] = v;
        }
    }
    p->w = malloc((size_t) n * k * sizeof(float));
    for (size_t i = 0; i < (size_t) n * k; i++) p->w[i] = next_float();
    p->wp = alloc_buf(p->wp_len, guard, NAN);
    if (minnow_f32_pwconv_pack(MINNOW_F32_PWCONV_C, k, n, p->w, p->wp) != 0) {
        printf("FAIL pack refused k=%d n=%d\n", k, n);
        failures++;
    }
    p->bias = alloc_buf((size_t) n, guard, NAN);
    for (int j = 0; j < n; j++) p->bias[j] = next_float();
    p->res = alloc_buf(p->res_len, guard, NAN);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) p->res[(size_t) i * p->ldr + j] = next_float();
    }
}

static void release(struct problem* p) {
    free_buf(p->x, p->guard);
    free(p->w);
    free_buf(p->wp, p->guard);
    free_buf(p->bias, p->guard);
    free_buf(p->res, p->guard);
}

/* y from the variant vs the double loop; canaries; returns 0 or 1 (a failure, reported). */
static int check_one(int variant, const struct problem* p, int use_bias, int use_res, int in_place, int e) {
    const int act = EPILOGUES[e].act;
    const float lo = EPILOGUES[e].lo, hi = EPILOGUES[e].hi;
    const int m = p->m, n = p->n, k = p->k;
    const int ldr = in_place ? p->ldy : p->ldr;
    float* y = alloc_buf(p->y_len, p->guard, Y_SENTINEL);
    if (in_place) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) y[(size_t) i * p->ldy + j] = p->res[(size_t) i * p->ldr + j];
        }
    }
    const float* res = !use_res ? NULL : (in_place ? y : p->res);
    const int rc = minnow_f32_pwconv(variant, m, n, k, p->x, p->ldx, p->wp, use_bias ? p->bias : NULL, res, ldr, act,
                                     lo, hi, y, p->ldy);
    char what[200];
    snprintf(what, sizeof what, "%s m=%d n=%d k=%d ldx=%d ldy=%d ldr=%d bias=%d res=%d%s act=%d [%g, %g] guard=%d",
             minnow_f32_pwconv_variant_isa(variant), m, n, k, p->ldx, p->ldy, ldr, use_bias, use_res,
             in_place ? " (in place)" : "", act, lo, hi, p->guard);
    int bad = 0;
    if (rc != 0) {
        printf("FAIL %s: returned %d\n", what, rc);
        bad = 1;
    }
    for (int i = 0; i < m && !bad; i++) {
        for (int j = 0; j < p->ldy && !bad; j++) {
            const size_t at = (size_t) i * p->ldy + j;
            if (at >= p->y_len) break;
            const float got = y[at];
            if (j >= n) {
                if (bits(got) != bits(Y_SENTINEL)) {
                    printf("FAIL %s: wrote gap column y[%d][%d] = %g\n", what, i, j, got);
                    bad = 1;
                }
                continue;
            }
            double acc = 0.0, mag = 0.0;
            for (int c = 0; c < k; c++) {
                const double t = (double) p->x[(size_t) i * p->ldx + c] * (double) p->w[(size_t) j * k + c];
                acc += t;
                mag += fabs(t);
            }
            double v = acc;
            if (use_bias) {
                v += p->bias[j];
                mag += fabs(p->bias[j]);
            }
            if (use_res) {
                const double r = p->res[(size_t) i * p->ldr + j];
                v += r;
                mag += fabs(r);
            }
            const double want = act_ref(act, v, lo, hi);
            /* k + 3 roundings of the sum (products, additions, bias, residual), doubled through HardSwish
               (slope up to 1.5), plus its own roundings of |want|. */
            const double tol = 2.0 * (k + 3) * 0x1p-24 * mag + 4 * 0x1p-24 * fabs(want) + 1e-30;
            const int ok = (isnan(want) && isnan(got)) || (isinf(want) && got == want) || fabs(got - want) <= tol;
            if (!ok) {
                printf("FAIL %s: y[%d][%d] = %.9g, want %.9g (tol %.3g)\n", what, i, j, got, want, tol);
                bad = 1;
            }
        }
    }
    if (!bad && p->guard > 0 && !guards_intact(y, p->y_len, p->guard, Y_SENTINEL)) {
        printf("FAIL %s: wrote outside y\n", what);
        bad = 1;
    }
    free_buf(y, p->guard);
    return bad;
}

static int isa_variant(const char* name) {
    for (int v = 0; v < MINNOW_F32_PWCONV_VARIANTS; v++) {
        if (strcmp(name, minnow_f32_pwconv_variant_isa(v)) == 0) return v;
    }
    return -1;
}

/* The full grid for one variant; returns the number of checked calls. */
static long grid(int variant) {
    static const int ms[] = {1, 2, 3, 5, 6, 7, 13, 49, 196};
    static const int ks[] = {1, 3, 8, 9, 16, 17, 96};
    static const int ns[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 25, 32, 40, 96, 130};
    long calls = 0;
    int shape = 0;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++) {
        for (size_t b = 0; b < sizeof ks / sizeof ks[0]; b++) {
            for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++, shape++) {
                for (int strided = 0; strided < 2; strided++) {
                    struct problem p;
                    /* guard zones on every other problem, exact buffers (ASan) on the others */
                    make(&p, ms[a], ns[c], ks[b], strided, (shape + strided) % 2 ? GUARD : 0, 0);
                    for (int use_bias = 0; use_bias < 2; use_bias++) {
                        for (int use_res = 0; use_res < 2; use_res++) {
                            for (int e = 0; e < N_EPI; e++) {
                                failures += check_one(variant, &p, use_bias, use_res, 0, e);
                                calls++;
                            }
                        }
                    }
                    failures += check_one(variant, &p, 1, 1, 1, (shape + strided) % N_EPI); /* in place */
                    calls++;
                    release(&p);
                    if (failures > 20) return calls;
                }
            }
        }
    }
    return calls;
}

/* NaN and infinities in x, every activation, a few shapes with tails. */
static long specials(int variant) {
    static const int shapes[][3] = {{7, 17, 9}, {13, 40, 16}, {49, 130, 96}, {5, 3, 1}, {196, 24, 24}};
    long calls = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        struct problem p;
        make(&p, shapes[s][0], shapes[s][1], shapes[s][2], (int) (s % 2), GUARD, 1);
        for (int e = 0; e < N_EPI; e++) {
            failures += check_one(variant, &p, 1, (int) (s % 2), 0, e);
            calls++;
        }
        release(&p);
    }
    return calls;
}

static void expect_refused(int variant, const char* what, int rc, const float* y, size_t y_len) {
    int touched = 0;
    for (size_t i = 0; i < y_len; i++) touched |= bits(y[i]) != bits(Y_SENTINEL);
    if (rc != -1 || touched) {
        printf("FAIL %s bad arguments (%s): returned %d%s\n", minnow_f32_pwconv_variant_isa(variant), what, rc,
               touched ? ", wrote y" : "");
        failures++;
    }
}

static void bad_arguments(int variant) {
    float x[64], wp[64], b[8], r[64], y[64];
    for (int i = 0; i < 64; i++) {
        x[i] = 1.0f;
        wp[i] = 1.0f;
        r[i] = 1.0f;
        y[i] = Y_SENTINEL;
    }
    for (int i = 0; i < 8; i++) b[i] = 1.0f;
    /* a valid call first, so that the refusals below are about their one bad argument */
    if (minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 4, 0, 0.0f, 0.0f, y, 4) != 0 || y[0] != 6.0f) {
        printf("FAIL %s: a valid small call did not run (y[0] = %g)\n", minnow_f32_pwconv_variant_isa(variant), y[0]);
        failures++;
    }
    for (int i = 0; i < 64; i++) y[i] = Y_SENTINEL;
#define REFUSE(what, call) expect_refused(variant, what, call, y, 64)
    REFUSE("m = 0", minnow_f32_pwconv(variant, 0, 4, 4, x, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("m < 0", minnow_f32_pwconv(variant, -1, 4, 4, x, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("n = 0", minnow_f32_pwconv(variant, 2, 0, 4, x, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("k = 0", minnow_f32_pwconv(variant, 2, 4, 0, x, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("ldx < k", minnow_f32_pwconv(variant, 2, 4, 4, x, 3, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("ldy < n", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 4, 0, 0, 0, y, 3));
    REFUSE("ldr < n", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 3, 0, 0, 0, y, 4));
    REFUSE("act 3", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 4, 3, 0, 0, y, 4));
    REFUSE("act -1", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 4, -1, 0, 0, y, 4));
    REFUSE("x NULL", minnow_f32_pwconv(variant, 2, 4, 4, NULL, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("wp NULL", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, NULL, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("y NULL", minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, r, 4, 0, 0, 0, NULL, 4));
    REFUSE("x past 2^31 floats", minnow_f32_pwconv(variant, 1 << 20, 4, 4, x, 1 << 12, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("y past 2^31 floats", minnow_f32_pwconv(variant, 1 << 20, 4, 4, x, 4, wp, b, NULL, 4, 0, 0, 0, y, 1 << 12));
    REFUSE("residual past 2^31 floats",
           minnow_f32_pwconv(variant, 1 << 20, 4, 4, x, 4, wp, b, r, 1 << 12, 0, 0, 0, y, 4));
    REFUSE("packed weights past 2^31 floats",
           minnow_f32_pwconv(variant, 1, 1 << 16, 1 << 16, x, 1 << 16, wp, b, NULL, 0, 0, 0, 0, y, 1 << 16));
    REFUSE("variant -1", minnow_f32_pwconv(-1, 2, 4, 4, x, 4, wp, b, r, 4, 0, 0, 0, y, 4));
    REFUSE("variant past the last", minnow_f32_pwconv(MINNOW_F32_PWCONV_VARIANTS, 2, 4, 4, x, 4, wp, b, r, 4, 0, 0,
                                                      0, y, 4));
#undef REFUSE
    /* ldr is not looked at without a residual */
    if (minnow_f32_pwconv(variant, 2, 4, 4, x, 4, wp, b, NULL, 0, 0, 0, 0, y, 4) != 0) {
        printf("FAIL %s: refused ldr 0 without a residual\n", minnow_f32_pwconv_variant_isa(variant));
        failures++;
    }
}

/* Packed layout, sizes and the packer's refusals (variant-independent code, run once). */
static void packing(void) {
    static const int sizes[][2] = {{1, 1}, {3, 7}, {5, 8}, {9, 17}, {17, 40}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int k = sizes[s][0], n = sizes[s][1];
        const long long floats = minnow_f32_pwconv_packed_floats(MINNOW_F32_PWCONV_AVX2, k, n);
        if (floats != (long long) ((n + 7) / 8) * 8 * k) {
            printf("FAIL packed_floats(k=%d, n=%d) = %lld\n", k, n, floats);
            failures++;
            continue;
        }
        float* w = malloc((size_t) n * k * sizeof(float));
        for (int i = 0; i < n * k; i++) w[i] = (float) (i + 1);
        float* wp = alloc_buf((size_t) floats, GUARD, Y_SENTINEL);
        if (minnow_f32_pwconv_pack(MINNOW_F32_PWCONV_AVX2, k, n, w, wp) != 0) {
            printf("FAIL pack(k=%d, n=%d) refused\n", k, n);
            failures++;
        }
        for (long long i = 0; i < floats; i++) {
            const int panel = (int) (i / (8LL * k)), c = (int) (i / 8 % k), j = panel * 8 + (int) (i % 8);
            const float want = j < n ? w[(size_t) j * k + c] : 0.0f;
            if (bits(wp[i]) != bits(want)) {
                printf("FAIL pack(k=%d, n=%d): wp[%lld] = %g, want %g\n", k, n, i, wp[i], want);
                failures++;
                break;
            }
        }
        if (!guards_intact(wp, (size_t) floats, GUARD, Y_SENTINEL)) {
            printf("FAIL pack(k=%d, n=%d) wrote outside wp\n", k, n);
            failures++;
        }
        free(w);
        free_buf(wp, GUARD);
    }
    float w[8] = {0}, wp[8];
    const struct {
        const char* what;
        long long got;
    } refusals[] = {
        {"packed_floats k = 0", minnow_f32_pwconv_packed_floats(0, 0, 8)},
        {"packed_floats n = 0", minnow_f32_pwconv_packed_floats(0, 8, 0)},
        {"packed_floats variant -1", minnow_f32_pwconv_packed_floats(-1, 8, 8)},
        {"packed_floats variant past the last", minnow_f32_pwconv_packed_floats(MINNOW_F32_PWCONV_VARIANTS, 8, 8)},
        {"packed_floats past 2^31", minnow_f32_pwconv_packed_floats(0, 1 << 16, 1 << 15)},
        {"pack k = 0", minnow_f32_pwconv_pack(0, 0, 1, w, wp)},
        {"pack n < 0", minnow_f32_pwconv_pack(0, 1, -1, w, wp)},
        {"pack w NULL", minnow_f32_pwconv_pack(0, 1, 1, NULL, wp)},
        {"pack wp NULL", minnow_f32_pwconv_pack(0, 1, 1, w, NULL)},
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        if (refusals[i].got != -1) {
            printf("FAIL %s: returned %lld, want -1\n", refusals[i].what, refusals[i].got);
            failures++;
        }
    }
    if (strcmp(minnow_f32_pwconv_variant_isa(7), "unknown") != 0 || minnow_f32_pwconv_variant_supported(-1)
        || !minnow_f32_pwconv_variant_supported(MINNOW_F32_PWCONV_C)
        || !minnow_f32_pwconv_variant_supported(minnow_f32_pwconv_default_variant())) {
        printf("FAIL variant table answers\n");
        failures++;
    }
}

int main(int argc, char** argv) {
    packing();
    for (int a = 1; a < argc; a++) {
        const int v = isa_variant(argv[a]);
        if (v < 0) {
            printf("FAIL unknown variant %s\n", argv[a]);
            failures++;
            continue;
        }
        if (!minnow_f32_pwconv_variant_supported(v)) {
            printf("SKIPPED f32-pwconv-%s: this CPU cannot run it\n", argv[a]);
            continue;
        }
        const long calls = grid(v) + specials(v);
        bad_arguments(v);
        printf("f32-pwconv-%s: %ld calls checked\n", argv[a], calls);
    }
    if (failures > 0) {
        printf("f32-pwconv: %d FAILED\n", failures);
        return 1;
    }
    printf("f32-pwconv: all passed\n");
    return 0;
}
