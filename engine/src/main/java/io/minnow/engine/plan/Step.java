package io.minnow.engine.plan;

import io.minnow.engine.ir.Node;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.Op;

/**
 * One node to execute. {@code in}/{@code out} index the plan's value table (-1 = omitted optional input).
 * {@code prepared} is what {@link Op#prepare} made for the node (or null).
 * A dynamic step's output shapes are only known at run time: it infers them then and allocates.
 */
record Step(Node node, Op op, Attrs attrs, int[] in, int[] out, long scratchOffset, long scratchBytes,
            boolean dynamic, Object prepared) {
}
