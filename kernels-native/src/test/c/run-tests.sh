#!/usr/bin/env bash
# Runs the native f32-gemm configs (plain and prepacked B, fused epilogue) against a double-precision loop
# under AddressSanitizer.
# The AVX-512 code runs twice where possible: on the real CPU (if it has AVX-512) and on the scalar
# emulation in emu/ (always), so its tails and masks get tested on AVX2-only machines too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=${1:-$here/../../../target/ctest}
mkdir -p "$out"
cflags=(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wall -Wextra -I"$src")
common=("$src"/common/scratch.c "$src"/cpu/cpu_features.c "$src"/f32-gemm/f32_gemm.c
        "$src"/f32-gemm/f32_gemm_blocked.c "$src"/f32-gemm/f32_gemm_c.c "$src"/f32-gemm/f32_gemm_avx2.c
        "$src"/probe/probe.c
        "$here"/f32_gemm_test.c)

gcc "${cflags[@]}" "${common[@]}" "$src"/f32-gemm/f32_gemm_avx512f.c -o "$out"/f32_gemm_test -lm -lpthread
gcc "${cflags[@]}" -c -I"$here"/emu -DMINNOW_TARGET_AVX512= "$src"/f32-gemm/f32_gemm_avx512f.c -o "$out"/avx512_emu.o
gcc "${cflags[@]}" "${common[@]}" "$out"/avx512_emu.o -o "$out"/f32_gemm_test_emu -lm -lpthread

configs=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && configs+=(avx2)
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo && configs+=(avx512f)
echo "native: ${configs[*]}"
"$out"/f32_gemm_test "${configs[@]}"
echo "emulated: avx512f"
"$out"/f32_gemm_test_emu avx512f

# f32-conv: every config this CPU runs, against a double-precision direct convolution.
gcc "${cflags[@]}" "$src"/common/scratch.c "$src"/cpu/cpu_features.c "$src"/f32-conv/f32_conv.c \
    "$src"/f32-conv/f32_conv_c.c "$src"/f32-conv/f32_conv_avx2.c "$here"/f32_conv_test.c -o "$out"/f32_conv_test -lm -lpthread
conv_configs=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && conv_configs+=(avx2)
"$out"/f32_conv_test "${conv_configs[@]}"
# f32-dwconv (its own script: own test binary and AVX-512 emulation additions)
"$here"/run-dwconv-tests.sh "$out"
# f32-pwconv: every variant this CPU runs (the avx512f slot runs the AVX2 code), against a double-precision loop.
gcc "${cflags[@]}" "$src"/cpu/cpu_features.c "$src"/f32-pwconv/f32_pwconv.c "$src"/f32-pwconv/f32_pwconv_c.c \
    "$src"/f32-pwconv/f32_pwconv_avx2.c "$here"/f32_pwconv_test.c -o "$out"/f32_pwconv_test -lm
pw_configs=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && pw_configs+=(avx2)
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo && pw_configs+=(avx512f)
"$out"/f32_pwconv_test "${pw_configs[@]}"
# q4-gemm: every config this CPU runs, against a double-precision loop on the unpacked codes.
gcc "${cflags[@]}" "$src"/common/scratch.c "$src"/cpu/cpu_features.c "$src"/q4-gemm/q4_gemm.c \
    "$src"/q4-gemm/q4_gemm_c.c "$src"/q4-gemm/q4_gemm_avx2.c "$here"/q4_gemm_test.c -o "$out"/q4_gemm_test -lm -lpthread
q4_configs=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && q4_configs+=(avx2)
"$out"/q4_gemm_test "${q4_configs[@]}"
# q4-gemv: every config this CPU runs, against exact integer group dots (and the vpmaddubsw extremes).
gcc "${cflags[@]}" "$src"/common/scratch.c "$src"/cpu/cpu_features.c "$src"/q4-gemv/q4_gemv.c \
    "$src"/q4-gemv/q4_gemv_c.c "$src"/q4-gemv/q4_gemv_avx2.c "$here"/q4_gemv_test.c -o "$out"/q4_gemv_test -lm -lpthread
"$out"/q4_gemv_test "${q4_configs[@]}"
# qs8-gemm (its own script: own test binary and VNNI emulation in emu-qs8/)
"$here"/run-qs8-tests.sh "$out"
