package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.Op;

import java.util.Map;

/** Registers this family's ops. Shape manipulation: Reshape, Transpose, Concat, Split, Slice, Gather, Pad, .... */
public final class TensorOps {
    private TensorOps() {}

    public static void register(Map<String, Op> ops) {
    }
}
