package io.minnow.engine.ops;

/**
 * An operator implementation (one per ONNX op type). Stateless and thread-safe: everything per node
 * comes through the contexts, including the node's prepared state (packed weights), made once by
 * {@link #prepare} and handed back by {@link ExecContext#prepared()}.
 */
public interface Op {
    /**
     * Declares every output's type and shape from the inputs' types, shapes and known values; validates
     * attributes and shapes (throw {@code ctx.error(...)} with a message that says what is wrong).
     */
    void infer(InferContext ctx);

    /**
     * Work done once per node and model rather than per run — typically packing constant weights into the
     * layout the chosen kernel reads. Called by the planner right after {@link #infer} succeeded with every
     * input shape known; {@code ctx.constant(i)} gives the constant inputs. The result must depend only on
     * constant inputs, attributes and the model's kernels (not on the run-time input shapes): it is cached
     * per node for the model's lifetime and shared by all sessions and threads, so it must be immutable.
     * Return null for nothing prepared (the default).
     */
    default Object prepare(InferContext ctx, io.minnow.engine.kernels.Kernels kernels) {
        return null;
    }

    /** Computes the outputs. Shapes and types are exactly those declared by {@link #infer}. */
    void execute(ExecContext ctx);

    /**
     * If this op's output 0 is only a view of input i's memory with a new shape (Reshape, Flatten,
     * Squeeze, Unsqueeze, Identity, Dropout), returns i; the executor then hands out a view instead of
     * copying and {@link #execute} is not called. Otherwise -1.
     */
    default int viewOfInput() {
        return -1;
    }
}
