package io.minnow.engine.ops;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;

/**
 * What an op sees while the planner (or, for dynamic shapes, the executor) works out its outputs.
 *
 * <p>Input types are always known. An input's shape may be unknown (null) and its value is known only
 * when it is a constant (initializer, folded subgraph) — or always, when called at run time. An op that
 * needs a value it does not have sets its output shape to null ("decided at run time").
 */
public interface InferContext {
    /** Node name for error messages. */
    String nodeName();

    /** Typed attribute access. */
    Attrs attrs();

    /** The default-domain opset the model was written against (semantics differ between versions). */
    long opset();

    /** Number of input slots, including omitted optional ones. */
    int inputCount();

    /** False for an omitted optional input (empty name) or an index past the end. */
    boolean hasInput(int i);

    DataType inputType(int i);

    /** The input's shape, or null when not known yet. */
    long[] inputShape(int i);

    /** The input's value when it is known now (a constant, or any input at run time); else null. */
    Tensor constant(int i);

    int outputCount();

    /** Declares output i: its type and shape (shape null = only known at run time). */
    void setOutput(int i, DataType type, long[] shape);

    /**
     * Declares output i with a value computable now from shapes alone (e.g. Shape). The planner folds it
     * into a constant; at run time it is simply copied out.
     */
    void setOutputConstant(int i, Tensor value);

    /** Asks for {@code bytes} of 64-byte-aligned scratch memory during execute (im2col buffers, ...). */
    void requestScratch(long bytes);

    /** A clear error naming this node. */
    default io.minnow.formats.MinnowException error(String what) {
        return new io.minnow.formats.MinnowException("node '" + nodeName() + "': " + what);
    }
}
