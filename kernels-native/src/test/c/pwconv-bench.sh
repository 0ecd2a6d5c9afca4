#!/usr/bin/env bash
# Builds the native f32-pwconv timing tool as the JNI library is built (-O3, baseline x86-64) and runs it, with
# the packed f32-gemm path on the same shapes for comparison:
#   pwconv-bench.sh [c] [avx2] [avx512f]     (default: avx2)
# Extra compiler flags (e.g. -DPREFER_24=0 -DCHUNK_BYTES=8192 to try the AVX2 kernel's tuning knobs) via $CFLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=$here/../../../target/cbench
mkdir -p "$out"
# shellcheck disable=SC2086
gcc -O3 -march=x86-64 -Wall -Wextra ${CFLAGS:-} -I"$src" "$src"/common/scratch.c "$src"/cpu/cpu_features.c \
    "$src"/probe/probe.c "$src"/f32-gemm/f32_gemm.c "$src"/f32-gemm/f32_gemm_blocked.c "$src"/f32-gemm/f32_gemm_c.c \
    "$src"/f32-gemm/f32_gemm_avx2.c "$src"/f32-gemm/f32_gemm_avx512f.c "$src"/f32-pwconv/f32_pwconv.c \
    "$src"/f32-pwconv/f32_pwconv_c.c "$src"/f32-pwconv/f32_pwconv_avx2.c "$here"/f32_pwconv_bench.c \
    -o "$out"/f32_pwconv_bench -lpthread
"$out"/f32_pwconv_bench "$@"
