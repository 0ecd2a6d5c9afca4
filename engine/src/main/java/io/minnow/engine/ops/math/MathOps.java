package io.minnow.engine.ops.math;

import io.minnow.engine.ops.Op;

import java.util.Map;

/** Registers this family's ops. Elementwise arithmetic, activations, comparisons, Where, Cast, reductions, Softmax. */
public final class MathOps {
    private MathOps() {}

    public static void register(Map<String, Op> ops) {
    }
}
