#!/usr/bin/env bash
# Builds f32_gemm_vs_openblas against the OpenBLAS that jmh/ uses (org.bytedeco openblas jar in ~/.m2) and
# runs it:  vs-openblas.sh 1024 1024 8
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../main/c
out=$here/../../../target/cbench
jar=$(find ~/.m2/repository/org/bytedeco/openblas -name 'openblas-*-linux-x86_64.jar' | sort | tail -1)
mkdir -p "$out/openblas"
(cd "$out/openblas" && unzip -o -q "$jar" 'org/bytedeco/openblas/linux-x86_64/*')
lib=$out/openblas/org/bytedeco/openblas/linux-x86_64
gcc -O3 -march=x86-64 -Wall -Wextra -I"$src" "$src"/common/scratch.c "$src"/cpu/cpu_features.c \
    "$src"/f32-gemm/f32_gemm.c "$src"/f32-gemm/f32_gemm_blocked.c "$src"/f32-gemm/f32_gemm_c.c \
    "$src"/f32-gemm/f32_gemm_avx2.c "$src"/f32-gemm/f32_gemm_avx512f.c "$here"/f32_gemm_vs_openblas.c \
    -o "$out"/f32_gemm_vs_openblas -lpthread "$lib"/libopenblas.so.0 -Wl,-rpath,"$lib"
"$out"/f32_gemm_vs_openblas "$@"
