/*
 * Family qs8-gemm in C: acc[i][j] = sum_p (A[i][p] - a_zero) * W[j][p] in int32 (wrapping), then an epilogue.
 * A is [m x k] uint8 or int8, W is [n x k] int8 (row j = output channel j), packed once per variant:
 *
 *   codes: ceil(n/16) panels of 16 columns; inside a panel, ceil(k/KR) groups of KR consecutive k, each group
 *          16 columns x KR bytes (column-major inside the group); padding (columns past n, k past k) is 0.
 *          KR = 2 for the c and avx2 variants (int16 pairs for vpmaddwd), 4 for avx512vnni (vpdpbusd quads).
 *   sums:  at byte QS8_SUMS_OFFSET, 16*ceil(n/16) int32 column sums of W (0 for padding columns), used to
 *          undo the +128 shift of int8 activations and the activation zero point where a variant needs it.
 *
 * Every variant produces the same int32 accumulators bit for bit, so the epilogues (qs8_gemm.c) are shared.
 */
#ifndef MINNOW_QS8_GEMM_H
#define MINNOW_QS8_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "common/isa.h"

#ifndef MINNOW_TARGET_AVX512VNNI
#define MINNOW_TARGET_AVX512VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#endif

/* Columns per packed panel, in every variant. */
#define QS8_NR 16
/* Most rows a micro-kernel handles at once (the avx512vnni tile; avx2 and c use 6). */
#define QS8_MR_MAX 8

/* Bytes of the packed codes of an n x k W with k-group kr (a multiple of 64, so the sums stay aligned). */
static inline long long qs8_codes_bytes(int n, int k, int kr) {
    long long panels = (n + QS8_NR - 1) / QS8_NR, groups = (k + kr - 1) / kr;
    long long b = panels * groups * QS8_NR * kr;
    return (b + 63) & ~63LL;
}

/*
 * One micro-kernel call: tile[r][0..15] = sum over the packed groups of a_packed(r) . w_panel (int32,
 * wrapping) for rows r < mr. a_packed is the row block as the variant's pack_a laid it out.
 */
typedef void (*qs8_kernel_fn)(int mr, int groups, const void* a_packed, const int8_t* w_panel, int32_t* tile);

/*
 * Packs rows [0, mr) of A (row stride lda, k columns) for the kernel, group-major: for group g, row r, the KR
 * values of a[r][g*KR ..]. Returns the per-column correction factor f: the kernel's dot products equal the
 * wanted accumulators plus f * colsum(W), so the driver subtracts f * sums[j].
 */
typedef int (*qs8_pack_a_fn)(int mr, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero, void* a_packed);

typedef struct {
    int kr;             /* k per group (2 or 4) */
    int mr;             /* rows per micro-kernel call */
    int a_elem;         /* bytes per packed A element (2: int16, 1: uint8) */
    qs8_pack_a_fn pack_a;
    qs8_kernel_fn kernel;
} qs8_variant;

extern const qs8_variant qs8_variant_c;
extern const qs8_variant qs8_variant_avx2;
extern const qs8_variant qs8_variant_avx512vnni;

/* The A packing of the KR=2 variants (c, avx2): int16 values a - a_zero, so no correction (returns 0). */
int qs8_pack_a_i16x2(int mr, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero, void* a_packed);

#endif
