#!/usr/bin/env bash
# Builds the native f32-gemm timing tool as the JNI library is built (-O3, baseline x86-64) and runs it:
#   bench.sh avx2 1024 1024 1024 [reps] [packed|packedT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=$here/../../../target/cbench
mkdir -p "$out"
gcc -O3 -march=x86-64 -Wall -Wextra -I"$src" "$src"/common/scratch.c "$src"/cpu/cpu_features.c \
    "$src"/f32-gemm/f32_gemm.c "$src"/f32-gemm/f32_gemm_blocked.c "$src"/f32-gemm/f32_gemm_c.c \
    "$src"/f32-gemm/f32_gemm_avx2.c "$src"/f32-gemm/f32_gemm_avx512f.c "$here"/f32_gemm_bench.c \
    -o "$out"/f32_gemm_bench -lpthread
"$out"/f32_gemm_bench "$@"
