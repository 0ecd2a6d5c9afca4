/*
 * Internals of family f32-pwconv: one function per variant, called by minnow_f32_pwconv (f32_pwconv.c) after
 * it checked every argument (sizes >= 1, ld >= widths, act known, pointers set). The packed weights are
 * ceil(n / 8) panels of [k][8] floats (MINNOW_PWCONV_PANEL), zero-padded past n.
 */
#ifndef MINNOW_F32_PWCONV_IMPL_H
#define MINNOW_F32_PWCONV_IMPL_H

#include <stddef.h>

/* Output channels per weight panel: one AVX2 vector. */
#define MINNOW_PWCONV_PANEL 8

/* y rows [0, m) = act(x * W^T + bias + residual), see minnow_f32_pwconv; bias and residual may be NULL. */
typedef void (*minnow_f32_pwconv_fn)(size_t m, size_t n, size_t k, const float* x, size_t ldx, const float* wp,
                                     const float* bias, const float* residual, size_t ldr, int act, float lo,
                                     float hi, float* y, size_t ldy);

void minnow_f32_pwconv_c(size_t m, size_t n, size_t k, const float* x, size_t ldx, const float* wp,
                         const float* bias, const float* residual, size_t ldr, int act, float lo, float hi, float* y,
                         size_t ldy);
void minnow_f32_pwconv_avx2(size_t m, size_t n, size_t k, const float* x, size_t ldx, const float* wp,
                            const float* bias, const float* residual, size_t ldr, int act, float lo, float hi,
                            float* y, size_t ldy);

#endif
