#!/usr/bin/env bash
# Runs the native f32-dwconv variants against a plain loop under AddressSanitizer; the AVX-512 one also
# on the scalar emulation (emu-dwconv/ over emu/), so its masks and tails get tested on AVX2-only machines.
# Then the NHWC form (minnow_f32_dwconv_nhwc) through its public entry point, every variant this CPU runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=${1:-$here/../../../target/ctest}
mkdir -p "$out"
cflags=(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wall -Wextra -I"$src")
common=("$src"/cpu/cpu_features.c "$src"/f32-dwconv/f32_dwconv_c.c "$src"/f32-dwconv/f32_dwconv_avx2.c
        "$here"/f32_dwconv_test.c)

gcc "${cflags[@]}" "${common[@]}" "$src"/f32-dwconv/f32_dwconv_avx512f.c -o "$out"/f32_dwconv_test -lm
gcc "${cflags[@]}" -c -I"$here"/emu-dwconv -DMINNOW_TARGET_AVX512= "$src"/f32-dwconv/f32_dwconv_avx512f.c \
    -o "$out"/dwconv_avx512_emu.o
gcc "${cflags[@]}" "${common[@]}" "$out"/dwconv_avx512_emu.o -o "$out"/f32_dwconv_test_emu -lm

variants=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && variants+=(avx2)
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo && variants+=(avx512f)
echo "f32-dwconv native: ${variants[*]}"
"$out"/f32_dwconv_test "${variants[@]}"
echo "f32-dwconv emulated: avx512f"
"$out"/f32_dwconv_test_emu avx512f

gcc "${cflags[@]}" "$src"/cpu/cpu_features.c "$src"/f32-dwconv/f32_dwconv.c "$src"/f32-dwconv/f32_dwconv_c.c \
    "$src"/f32-dwconv/f32_dwconv_avx2.c "$src"/f32-dwconv/f32_dwconv_avx512f.c "$src"/f32-dwconv/f32_dwconv_nhwc_c.c \
    "$src"/f32-dwconv/f32_dwconv_nhwc_avx2.c "$here"/f32_dwconv_nhwc_test.c -o "$out"/f32_dwconv_nhwc_test -lm
"$out"/f32_dwconv_nhwc_test "${variants[@]}"
