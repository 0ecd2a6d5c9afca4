package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.InferContext;
import io.minnow.formats.DataType;

import java.util.Arrays;

/** Small shape helpers shared by the tensor ops: axes, strides, integer-list inputs. */
final class Shapes {
    private Shapes() {}

    /** Row-major element strides of {@code shape}. */
    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Product of {@code shape[from..to)}. */
    static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p = Math.multiplyExact(p, shape[i]);
        return p;
    }

    /** Maps an axis in [-rank, rank) to [0, rank); anything else is an error naming the node. */
    static int axis(InferContext ctx, long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw ctx.error(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Normalises a list of axes against {@code rank}; duplicates are an error. */
    static int[] axes(InferContext ctx, long[] axes, int rank, String what) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(ctx, axes[i], rank, what);
            if (seen[out[i]]) throw ctx.error(what + " " + Arrays.toString(axes) + " repeat an axis");
            seen[out[i]] = true;
        }
        return out;
    }

    /** True for the integer types index/shape inputs may have. */
    static boolean isIndexType(DataType t) {
        return t == DataType.INT64 || t == DataType.INT32;
    }

    /**
     * The values of integer input {@code i} (a 0-D or 1-D int32/int64 tensor), or null when its value
     * is not known now.
     */
    static long[] intsInput(InferContext ctx, int i, String what) {
        if (!isIndexType(ctx.inputType(i))) {
            throw ctx.error(what + " must be int64 (or int32), got " + ctx.inputType(i));
        }
        long[] shape = ctx.inputShape(i);
        if (shape != null && shape.length > 1) {
            throw ctx.error(what + " must be 1-D, got shape " + Arrays.toString(shape));
        }
        Tensor t = ctx.constant(i);
        return t == null ? null : t.toLongArray();
    }

    /** Shape like {@code [2, 3]} for messages. */
    static String str(long[] shape) {
        return Arrays.toString(shape);
    }
}
