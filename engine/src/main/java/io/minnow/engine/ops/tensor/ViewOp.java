package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.Op;

/**
 * Base of the ops whose output 0 is input 0's memory seen with another shape (Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity): the executor hands out a view and never calls {@link #execute}.
 */
abstract class ViewOp implements Op {
    @Override
    public final int viewOfInput() {
        return 0;
    }

    @Override
    public final void execute(ExecContext ctx) {
        throw ctx.error("a view op is never executed"); // the executor makes the view itself
    }
}
