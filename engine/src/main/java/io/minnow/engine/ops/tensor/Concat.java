package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;

import java.lang.foreign.MemorySegment;

/** ONNX Concat: joins the inputs along {@code axis} (negative counts from the end); other dims must match. */
final class Concat implements Op {
    @Override
    public void infer(InferContext ctx) {
        int n = ctx.inputCount();
        if (n == 0 || !ctx.hasInput(0)) throw ctx.error("needs at least one input");
        long[] first = ctx.inputShape(0);
        int rank = first.length;
        int axis = Shapes.axis(ctx, ctx.attrs().requireInt("axis"), rank, "axis");
        long[] out = first.clone();
        out[axis] = 0;
        for (int i = 0; i < n; i++) {
            if (!ctx.hasInput(i)) throw ctx.error("input " + i + " is missing");
            if (ctx.inputType(i) != ctx.inputType(0)) {
                throw ctx.error("input " + i + " is " + ctx.inputType(i) + ", input 0 is " + ctx.inputType(0));
            }
            long[] s = ctx.inputShape(i);
            if (s.length != rank) throw ctx.error("input " + i + " has rank " + s.length + ", input 0 has rank " + rank);
            for (int d = 0; d < rank; d++) {
                if (d != axis && s[d] != first[d]) {
                    throw ctx.error("input " + i + " has shape " + Shapes.str(s) + ", incompatible with "
                            + Shapes.str(first) + " for concatenation on axis " + axis);
                }
            }
            out[axis] = Math.addExact(out[axis], s[axis]);
        }
        ctx.setOutput(0, ctx.inputType(0), out);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor y = ctx.output(0);
        long[] out = y.shape();
        int rank = out.length;
        int axis = (int) ctx.attrs().requireInt("axis");
        if (axis < 0) axis += rank;
        int es = y.type().byteSize;
        long outer = Shapes.product(out, 0, axis);
        long outRow = Shapes.product(out, axis, rank) * es;
        int n = ctx.inputCount();
        long[] rowBytes = new long[n], offset = new long[n];
        MemorySegment[] srcs = new MemorySegment[n];
        long off = 0;
        for (int i = 0; i < n; i++) {
            Tensor x = ctx.input(i);
            rowBytes[i] = Shapes.product(x.shape(), axis, rank) * es;
            offset[i] = off;
            off += rowBytes[i];
            srcs[i] = x.data();
        }
        MemorySegment dst = y.data();
        Copy.forRows(ctx.parallel(), outer, outRow / Math.max(es, 1), (start, end) -> {
            for (long o = start; o < end; o++) {
                for (int i = 0; i < n; i++) {
                    if (rowBytes[i] > 0) MemorySegment.copy(srcs[i], o * rowBytes[i], dst, o * outRow + offset[i], rowBytes[i]);
                }
            }
        });
    }
}
