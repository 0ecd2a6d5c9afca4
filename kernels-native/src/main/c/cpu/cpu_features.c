/*
 * CPU feature detection: cpuid says what the CPU implements, xgetbv (XCR0) says which register state the
 * OS saves on context switch. A feature counts only when both agree. AMX additionally needs a per-process
 * permission from Linux (arch_prctl ARCH_REQ_XCOMP_PERM), requested here once.
 */
#define _GNU_SOURCE
#include "minnow_kernels.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <stdint.h>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

/* XCR0 state components. */
#define XCR0_SSE (1u << 1)
#define XCR0_YMM (1u << 2)
#define XCR0_OPMASK (1u << 5)
#define XCR0_ZMM_HI256 (1u << 6)
#define XCR0_HI16_ZMM (1u << 7)
#define XCR0_XTILECFG (1u << 17)
#define XCR0_XTILEDATA (1u << 18)

/* xgetbv through inline asm so this file needs no target attribute. */
static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t) edx << 32) | eax;
}

/* Asks Linux for the AMX tile-data permission; 1 if this process holds it afterwards. */
static int request_amx_permission(void) {
#if defined(__linux__) && defined(SYS_arch_prctl)
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
        return 0;
    }
    unsigned long granted = 0;
    if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &granted) != 0) {
        return 0;
    }
    return (granted & (1ul << XFEATURE_XTILEDATA)) != 0;
#else
    return 0;
#endif
}

static int detect(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
    const unsigned int max_leaf = eax;
    if (max_leaf < 7) {
        return 0;
    }

    __cpuid(1, eax, ebx, ecx, edx);
    const int osxsave = (ecx >> 27) & 1;
    const int avx = (ecx >> 28) & 1;
    const int fma = (ecx >> 12) & 1;
    if (!osxsave || !avx) {
        return 0;
    }
    const uint64_t xcr0 = read_xcr0();
    const int os_ymm = (xcr0 & (XCR0_SSE | XCR0_YMM)) == (XCR0_SSE | XCR0_YMM);
    const uint64_t zmm_state = XCR0_SSE | XCR0_YMM | XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM;
    const int os_zmm = (xcr0 & zmm_state) == zmm_state;
    const int os_tiles = (xcr0 & (XCR0_XTILECFG | XCR0_XTILEDATA)) == (XCR0_XTILECFG | XCR0_XTILEDATA);

    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned int leaf7_ebx = ebx, leaf7_ecx = ecx, leaf7_edx = edx;
    const unsigned int max_subleaf7 = eax;
    const int avx2 = (leaf7_ebx >> 5) & 1;
    const int avx512f = (leaf7_ebx >> 16) & 1;
    const int avx512dq = (leaf7_ebx >> 17) & 1;
    const int avx512bw = (leaf7_ebx >> 30) & 1;
    const int avx512vl = (leaf7_ebx >> 31) & 1;
    const int avx512vnni = (leaf7_ecx >> 11) & 1;
    const int amx_tile = (leaf7_edx >> 24) & 1;
    const int amx_int8 = (leaf7_edx >> 25) & 1;
    int avxvnni = 0;
    if (max_subleaf7 >= 1) {
        __cpuid_count(7, 1, eax, ebx, ecx, edx);
        avxvnni = (eax >> 4) & 1;
    }

    int features = 0;
    if (os_ymm && avx2 && fma) {
        features |= MINNOW_CPU_AVX2;
        if (avxvnni) {
            features |= MINNOW_CPU_AVXVNNI;
        }
        if (os_zmm && avx512f && avx512bw && avx512vl && avx512dq) {
            features |= MINNOW_CPU_AVX512;
            if (avx512vnni) {
                features |= MINNOW_CPU_AVX512VNNI;
            }
        }
    }
    if (os_tiles && amx_tile && amx_int8 && request_amx_permission()) {
        features |= MINNOW_CPU_AMX_INT8;
    }
    return features;
}

int minnow_cpu_features(void) {
    /* -1 = not yet detected. Detection is idempotent, so two threads racing here both store the same value. */
    static int cached = -1;
    int f = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (f < 0) {
        f = detect();
        __atomic_store_n(&cached, f, __ATOMIC_RELEASE);
    }
    return f;
}

#else /* not x86 */

int minnow_cpu_features(void) {
    return 0;
}

#endif
