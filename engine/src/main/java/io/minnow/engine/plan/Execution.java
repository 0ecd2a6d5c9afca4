package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.Parallel;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;

import java.lang.foreign.MemorySegment;

/** An {@link ExecContext} over arrays; the executor reuses one per session, refilled per step. */
final class Execution implements ExecContext {
    String nodeName;
    Attrs attrs;
    long opset;
    Tensor[] inputs;
    Tensor[] outputs;
    MemorySegment scratch;
    Object prepared;
    final Parallel parallel;
    final Kernels kernels;

    Execution(String nodeName, Attrs attrs, long opset, Tensor[] inputs, Tensor[] outputs, MemorySegment scratch,
              Parallel parallel, Kernels kernels) {
        this.nodeName = nodeName;
        this.attrs = attrs;
        this.opset = opset;
        this.inputs = inputs;
        this.outputs = outputs;
        this.scratch = scratch;
        this.parallel = parallel;
        this.kernels = kernels;
    }

    @Override public String nodeName() { return nodeName; }
    @Override public Attrs attrs() { return attrs; }
    @Override public long opset() { return opset; }
    @Override public int inputCount() { return inputs.length; }
    @Override public Tensor input(int i) { return i < inputs.length ? inputs[i] : null; }
    @Override public Tensor output(int i) { return i < outputs.length ? outputs[i] : null; }
    @Override public MemorySegment scratch() { return scratch; }
    @Override public Parallel parallel() { return parallel; }
    @Override public Kernels kernels() { return kernels; }
    @Override public Object prepared() { return prepared; }
}
