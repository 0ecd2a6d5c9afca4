package io.minnow.engine.ops;

/**
 * An operator implementation (one per ONNX op type). Stateless and thread-safe: everything per node
 * comes through the contexts. (Per-node prepared state such as packed weights does not exist yet; the
 * dense-fp32 baseline issue adds it.)
 */
public interface Op {
    /**
     * Declares every output's type and shape from the inputs' types, shapes and known values; validates
     * attributes and shapes (throw {@code ctx.error(...)} with a message that says what is wrong).
     */
    void infer(InferContext ctx);

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
