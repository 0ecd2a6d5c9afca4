/*
 * Target attributes for ISA-specific functions. The library is compiled for baseline x86-64; a function
 * carrying one of these may only run after minnow_cpu_features() reported the matching bit.
 * They are macros so that a test build can replace them (see src/test/c: the AVX-512 code runs there on an
 * emulation of the intrinsics it uses, on machines without AVX-512).
 */
#ifndef MINNOW_COMMON_ISA_H
#define MINNOW_COMMON_ISA_H

#ifndef MINNOW_TARGET_AVX2
#define MINNOW_TARGET_AVX2 __attribute__((target("avx2,fma")))
#endif

#ifndef MINNOW_TARGET_AVX512
#define MINNOW_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#endif

#define MINNOW_INLINE static inline __attribute__((always_inline))

#endif
