package io.minnow.engine.kernels.q8;

import java.lang.foreign.MemorySegment;

/** Int8 weights packed once by one qs8-gemm kernel for its gemmPacked (temporary stub; replaced by the kernel family's). */
public record Qs8PackedW(String kernelId, int n, int k, MemorySegment data) {}
