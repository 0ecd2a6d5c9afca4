package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;

import java.util.List;

/**
 * A graph specialised to one set of input shapes: every value's type and shape (where static), constants
 * folded, steps to execute in order, and one arena layout: each intermediate has a byte offset assigned
 * by liveness, so a run needs no allocation beyond its arena. Immutable; shared by all sessions.
 */
public final class Plan {
    final String[] names;
    final DataType[] types;
    /** Static shape per value, or null where only the run knows it. */
    final long[][] shapes;
    /** Folded value per value, or null. */
    final Tensor[] constants;
    /** Arena byte offset per value, or -1 (constant, graph input, view, dynamic). */
    final long[] offsets;
    /** For views (Reshape & co.), the value whose memory this one shares; else -1. */
    final int[] viewOf;
    final int[] inputs;
    final int[] outputs;
    final Step[] steps;
    final long arenaBytes;
    final long opset;

    Plan(long opset, String[] names, DataType[] types, long[][] shapes, Tensor[] constants, long[] offsets, int[] viewOf,
         int[] inputs, int[] outputs, Step[] steps, long arenaBytes) {
        this.names = names;
        this.types = types;
        this.shapes = shapes;
        this.constants = constants;
        this.offsets = offsets;
        this.viewOf = viewOf;
        this.inputs = inputs;
        this.outputs = outputs;
        this.steps = steps;
        this.arenaBytes = arenaBytes;
        this.opset = opset;
    }

    /** BatchSplit's answer for this plan, made on first use (-1: not yet). */
    private volatile int batchChunk = -1;

    /** Images per chunk when a batch of this plan's shapes runs in pieces, or 0 ({@link BatchSplit#chunk}). */
    public int batchChunk() {
        int c = batchChunk;
        if (c < 0) batchChunk = c = BatchSplit.chunk(this); // a benign race: every thread computes the same
        return c;
    }

    /** Number of graph outputs. */
    public int outputCount() {
        return outputs.length;
    }

    /** Type of graph output {@code i}. */
    public DataType outputType(int i) {
        return types[outputs[i]];
    }

    /** Shape of graph output {@code i} for this plan's input shapes (a copy), or null where it is only known at run time. */
    public long[] outputShape(int i) {
        long[] s = shapes[outputs[i]];
        return s == null ? null : s.clone();
    }

    /** Bytes of the arena one run uses. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** Number of steps left after folding and fusion. */
    public int stepCount() {
        return steps.length;
    }

    /** The op types of the steps, in order (what actually runs). */
    public List<String> stepOps() {
        return java.util.Arrays.stream(steps).map(s -> s.node().opType).toList();
    }

    /** Sum of the sizes of all arena-planned values: what a plan without reuse would need. */
    public long unsharedBytes() {
        long sum = 0;
        for (int v = 0; v < names.length; v++) {
            if (offsets[v] >= 0) sum += Tensor.elementCount(shapes[v]) * types[v].byteSize;
        }
        for (Step s : steps) sum += s.scratchBytes();
        return sum;
    }
}
