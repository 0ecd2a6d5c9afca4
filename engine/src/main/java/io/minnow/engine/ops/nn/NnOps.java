package io.minnow.engine.ops.nn;

import io.minnow.engine.ops.Op;

import java.util.Map;

/** Registers this family's ops. Conv, ConvTranspose, Gemm, MatMul, pooling, BatchNormalization, Resize. */
public final class NnOps {
    private NnOps() {}

    public static void register(Map<String, Op> ops) {
    }
}
