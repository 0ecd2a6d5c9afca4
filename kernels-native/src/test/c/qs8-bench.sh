#!/usr/bin/env bash
# Builds the native qs8-gemm timing tool as the JNI library is built (-O3, baseline x86-64) and runs it:
#   qs8-bench.sh avx2 1024 1024 1024 [reps]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=$here/../../../target/cbench
mkdir -p "$out"
gcc -O3 -march=x86-64 -Wall -Wextra -I"$src" "$src"/cpu/cpu_features.c "$src"/qs8-gemm/qs8_gemm.c \
    "$src"/qs8-gemm/qs8_gemm_c.c "$src"/qs8-gemm/qs8_gemm_avx2.c "$src"/qs8-gemm/qs8_gemm_avx512vnni.c \
    "$here"/qs8_gemm_bench.c -o "$out"/qs8_gemm_bench -lm
"$out"/qs8_gemm_bench "$@"
