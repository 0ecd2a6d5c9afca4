package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Clip: y = min(max(x, min), max). Before opset 11 the bounds are float attributes {@code min}/{@code max};
 * from 11 they are optional scalar inputs 1 and 2 of the input's type (an omitted bound is unbounded).
 * When min &gt; max every element becomes max (the ONNX rule, and what min(max(x, lo), hi) gives).
 * NaN passes through. Integers compare exactly (uint64 unsigned).
 */
final class Clip implements Op {
    @Override
    public void infer(InferContext ctx) {
        DataType t = ctx.inputType(0);
        if (!MathTypes.isNumeric(t)) throw ctx.error("Clip does not support " + t);
        if (ctx.opset() < 11) {
            if (!t.isFloat()) throw ctx.error("Clip before opset 11 takes float types, not " + t);
            MathTypes.floatAttr(ctx, "min", 0f);
            MathTypes.floatAttr(ctx, "max", 0f);
        } else {
            for (int i = 1; i <= 2; i++) {
                if (!ctx.hasInput(i)) continue;
                String what = i == 1 ? "min" : "max";
                if (ctx.inputType(i) != t) throw ctx.error(what + " is " + ctx.inputType(i) + " but the input is " + t);
                long[] s = ctx.inputShape(i);
                if (s != null && Tensor.elementCount(s) != 1) {
                    throw ctx.error(what + " must be a scalar, got shape " + Arrays.toString(s));
                }
            }
        }
        ctx.setOutput(0, t, ctx.inputShape(0));
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        DataType t = x.type();
        Tensor minT = ctx.opset() >= 11 ? ctx.input(1) : null, maxT = ctx.opset() >= 11 ? ctx.input(2) : null;
        if (t.isFloat()) {
            double lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
            if (ctx.opset() < 11) {
                // Clip-6 defaults: numeric_limits<float>::lowest() and max()
                lo = ctx.attrs().getFloat("min", -Float.MAX_VALUE);
                hi = ctx.attrs().getFloat("max", Float.MAX_VALUE);
            } else {
                if (minT != null) lo = minT.getDouble(0);
                if (maxT != null) hi = maxT.getDouble(0);
            }
            if (t == DataType.FLOAT) {
                float flo = (float) lo, fhi = (float) hi;
                MemorySegment in = x.data(), out = y.data();
                Broadcast.walkRange(x.size(), ctx.parallel(), (s, e) -> {
                    for (long i = s; i < e; i++) out.setAtIndex(F32, i, Math.min(Math.max(in.getAtIndex(F32, i), flo), fhi));
                });
            } else {
                for (long i = 0, n = x.size(); i < n; i++) y.setDouble(i, Math.min(Math.max(x.getDouble(i), lo), hi));
            }
        } else if (t == DataType.UINT64) {
            long lo = minT != null ? minT.getLongValue(0) : 0, hi = maxT != null ? maxT.getLongValue(0) : -1L;
            for (long i = 0, n = x.size(); i < n; i++) {
                long v = x.getLongValue(i);
                if (Long.compareUnsigned(v, lo) < 0) v = lo;
                if (Long.compareUnsigned(v, hi) > 0) v = hi;
                y.setLongValue(i, v);
            }
        } else {
            long lo = minT != null ? minT.getLongValue(0) : Long.MIN_VALUE;
            long hi = maxT != null ? maxT.getLongValue(0) : Long.MAX_VALUE;
            for (long i = 0, n = x.size(); i < n; i++) y.setLongValue(i, Math.min(Math.max(x.getLongValue(i), lo), hi));
        }
    }
}
