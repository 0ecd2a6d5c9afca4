package io.minnow.engine.ops;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.Parallel;
import io.minnow.engine.kernels.Kernels;

import java.lang.foreign.MemorySegment;

/** What an op sees while it runs: its inputs, its pre-allocated outputs, scratch memory, threads, kernels. */
public interface ExecContext {
    String nodeName();

    Attrs attrs();

    long opset();

    int inputCount();

    /** Input i, or null for an omitted optional input. */
    Tensor input(int i);

    /** Output i, already allocated with the shape and type declared by infer. */
    Tensor output(int i);

    /** Scratch memory of at least the bytes requested during infer (contents undefined). */
    MemorySegment scratch();

    /** The intra-op thread pool. */
    Parallel parallel();

    /** What {@link Op#prepare} returned for this node (packed weights, ...), or null. */
    Object prepared();

    /** Kernels chosen for this process (f32 GEMM, ...). */
    Kernels kernels();

    default io.minnow.formats.MinnowException error(String what) {
        return new io.minnow.formats.MinnowException("node '" + nodeName() + "': " + what);
    }
}
