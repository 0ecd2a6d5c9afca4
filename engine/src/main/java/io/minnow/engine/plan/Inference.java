package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.InferContext;
import io.minnow.formats.DataType;

/**
 * An {@link InferContext} over plain arrays, used by the planner (values known only for constants) and
 * by the executor for dynamic steps (every input known). Collects what the op declares.
 */
final class Inference implements InferContext {
    private final String nodeName;
    private final Attrs attrs;
    private final long opset;
    private final DataType[] inTypes;
    private final long[][] inShapes;
    private final Tensor[] inValues;
    final DataType[] outTypes;
    final long[][] outShapes;
    final Tensor[] outConstants;
    final boolean[] declared;
    long scratchBytes;

    Inference(String nodeName, Attrs attrs, long opset, DataType[] inTypes, long[][] inShapes, Tensor[] inValues,
              int outputs) {
        this.nodeName = nodeName;
        this.attrs = attrs;
        this.opset = opset;
        this.inTypes = inTypes;
        this.inShapes = inShapes;
        this.inValues = inValues;
        this.outTypes = new DataType[outputs];
        this.outShapes = new long[outputs][];
        this.outConstants = new Tensor[outputs];
        this.declared = new boolean[outputs];
    }

    @Override public String nodeName() { return nodeName; }
    @Override public Attrs attrs() { return attrs; }
    @Override public long opset() { return opset; }
    @Override public int inputCount() { return inTypes.length; }
    @Override public boolean hasInput(int i) { return i >= 0 && i < inTypes.length && inTypes[i] != null; }

    @Override
    public DataType inputType(int i) {
        requireInput(i);
        return inTypes[i];
    }

    @Override
    public long[] inputShape(int i) {
        requireInput(i);
        return inShapes[i] == null ? null : inShapes[i].clone();
    }

    @Override
    public Tensor constant(int i) {
        return hasInput(i) ? inValues[i] : null;
    }

    @Override public int outputCount() { return outTypes.length; }

    @Override
    public void setOutput(int i, DataType type, long[] shape) {
        if (i < 0 || i >= outTypes.length) return; // optional output the model does not use
        outTypes[i] = type;
        outShapes[i] = shape == null ? null : shape.clone();
        if (shape != null) Tensor.elementCount(shape); // validates: no negative dims, no overflow
        declared[i] = true;
    }

    @Override
    public void setOutputConstant(int i, Tensor value) {
        setOutput(i, value.type(), value.shape());
        if (i >= 0 && i < outConstants.length) outConstants[i] = value;
    }

    @Override
    public void requestScratch(long bytes) {
        scratchBytes = Math.max(scratchBytes, bytes);
    }

    private void requireInput(int i) {
        if (!hasInput(i)) throw error("input " + i + " is missing");
    }
}
