#!/usr/bin/env bash
# Runs the native qs8-gemm variants against a plain C loop under AddressSanitizer; the AVX-512 VNNI one also
# on the scalar emulation (emu-qs8/ over emu/), so its packing, tails and corrections get tested without VNNI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=${1:-$here/../../../target/ctest}
mkdir -p "$out"
cflags=(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wall -Wextra -I"$src")
common=("$src"/cpu/cpu_features.c "$src"/qs8-gemm/qs8_gemm.c "$src"/qs8-gemm/qs8_gemm_c.c
        "$src"/qs8-gemm/qs8_gemm_avx2.c "$here"/qs8_gemm_test.c)

gcc "${cflags[@]}" "${common[@]}" "$src"/qs8-gemm/qs8_gemm_avx512vnni.c -o "$out"/qs8_gemm_test -lm
gcc "${cflags[@]}" -c -I"$here"/emu-qs8 -DMINNOW_TARGET_AVX512VNNI= "$src"/qs8-gemm/qs8_gemm_avx512vnni.c \
    -o "$out"/qs8_vnni_emu.o
# The emulated build reports VNNI as present so the driver dispatches to it.
gcc "${cflags[@]}" -DMINNOW_QS8_TEST_FORCE_VNNI "${common[@]}" "$out"/qs8_vnni_emu.o -o "$out"/qs8_gemm_test_emu -lm

variants=(c)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && variants+=(avx2)
grep -qw avx512_vnni /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && variants+=(avx512vnni)
echo "qs8-gemm native: ${variants[*]}"
"$out"/qs8_gemm_test "${variants[@]}"
echo "qs8-gemm emulated: avx512vnni"
"$out"/qs8_gemm_test_emu avx512vnni
