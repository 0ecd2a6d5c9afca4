package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Where(condition, X, Y): X where condition is true, else Y, with three-way NumPy broadcasting. Works on
 * any element type by moving elements as 1-, 2-, 4- or 8-byte units (no value conversion).
 */
final class Where implements Op {
    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 3; i++) if (!ctx.hasInput(i)) throw ctx.error("Where needs three inputs (condition, X, Y)");
        if (ctx.inputType(0) != DataType.BOOL) throw ctx.error("condition must be bool, not " + ctx.inputType(0));
        DataType t = ctx.inputType(1);
        if (ctx.inputType(2) != t) throw ctx.error("X and Y have different types " + t + " and " + ctx.inputType(2));
        long[] c = ctx.inputShape(0), x = ctx.inputShape(1), y = ctx.inputShape(2);
        if (c == null || x == null || y == null) {
            ctx.setOutput(0, t, null);
            return;
        }
        long[] shape = Broadcast.shape(c, x, y);
        if (shape == null) {
            throw ctx.error("shapes " + Arrays.toString(c) + ", " + Arrays.toString(x) + " and " + Arrays.toString(y)
                    + " cannot be broadcast");
        }
        ctx.setOutput(0, t, shape);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor c = ctx.input(0), x = ctx.input(1), y = ctx.input(2), out = ctx.output(0);
        Broadcast bc = Broadcast.of(out.shape(), c.shape(), x.shape(), y.shape());
        long cs = bc.innerStride(0), xs = bc.innerStride(1), ys = bc.innerStride(2);
        MemorySegment mc = c.data(), mx = x.data(), my = y.data(), mo = out.data();
        int size = out.type().byteSize;
        bc.walk(ctx.parallel(), (o, in, n) -> {
            for (long i = 0; i < n; i++) {
                boolean pick = mc.get(ValueLayout.JAVA_BYTE, in[0] + i * cs) != 0;
                long src = pick ? in[1] + i * xs : in[2] + i * ys;
                MemorySegment from = pick ? mx : my;
                long dst = o + i;
                switch (size) {
                    case 4 -> mo.setAtIndex(Tensor.I32, dst, from.getAtIndex(Tensor.I32, src));
                    case 8 -> mo.setAtIndex(Tensor.I64, dst, from.getAtIndex(Tensor.I64, src));
                    case 2 -> mo.setAtIndex(Tensor.I16, dst, from.getAtIndex(Tensor.I16, src));
                    default -> mo.set(ValueLayout.JAVA_BYTE, dst, from.get(ValueLayout.JAVA_BYTE, src));
                }
            }
        });
    }
}
