#!/usr/bin/env bash
# Builds the native f32-dwconv timing tool as the JNI library is built (-O3, baseline x86-64) and runs it:
#   dwconv-bench.sh [c] [avx2] [avx512f]     (default: every variant this CPU runs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=$here/../../../target/cbench
mkdir -p "$out"
gcc -O3 -march=x86-64 -Wall -Wextra -I"$src" "$src"/cpu/cpu_features.c "$src"/f32-dwconv/f32_dwconv.c \
    "$src"/f32-dwconv/f32_dwconv_c.c "$src"/f32-dwconv/f32_dwconv_avx2.c "$src"/f32-dwconv/f32_dwconv_avx512f.c \
    "$src"/f32-dwconv/f32_dwconv_nhwc_c.c "$src"/f32-dwconv/f32_dwconv_nhwc_avx2.c "$here"/f32_dwconv_nhwc_bench.c \
    -o "$out"/f32_dwconv_nhwc_bench
"$out"/f32_dwconv_nhwc_bench "$@"
