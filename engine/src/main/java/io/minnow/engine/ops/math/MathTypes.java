package io.minnow.engine.ops.math;

import io.minnow.engine.ops.InferContext;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;

/** Element-type predicates and attribute checks shared by this family. */
final class MathTypes {
    private MathTypes() {}

    /** Integer types (not bool). */
    static boolean isInteger(DataType t) {
        return switch (t) {
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 -> true;
            default -> false;
        };
    }

    static boolean isUnsigned(DataType t) {
        return t == DataType.UINT8 || t == DataType.UINT16 || t == DataType.UINT32 || t == DataType.UINT64;
    }

    /** Integer or float types (not bool, not string). */
    static boolean isNumeric(DataType t) {
        return t.isFloat() || isInteger(t);
    }

    /** Reads a FLOAT attribute during infer, turning a wrongly typed attribute into an error naming the node. */
    static float floatAttr(InferContext ctx, String name, float dflt) {
        try {
            return ctx.attrs().getFloat(name, dflt);
        } catch (MinnowException | ClassCastException e) {
            throw ctx.error("attribute '" + name + "' must be a float: " + e.getMessage());
        }
    }

    /** Reads an INT attribute during infer, turning a wrongly typed attribute into an error naming the node. */
    static long intAttr(InferContext ctx, String name, long dflt) {
        try {
            return ctx.attrs().getInt(name, dflt);
        } catch (MinnowException | ClassCastException e) {
            throw ctx.error("attribute '" + name + "' must be an int: " + e.getMessage());
        }
    }

    /** Reads an INTS attribute during infer (null when absent). */
    static long[] intsAttr(InferContext ctx, String name) {
        try {
            return ctx.attrs().getInts(name, null);
        } catch (MinnowException | ClassCastException e) {
            throw ctx.error("attribute '" + name + "' must be a list of ints: " + e.getMessage());
        }
    }

    /** Normalises axis {@code a} of a rank-{@code rank} tensor (negative counts from the end) or throws. */
    static int axis(InferContext ctx, long a, int rank, String what) {
        long n = a < 0 ? a + rank : a;
        if (n < 0 || n >= rank) throw ctx.error(what + " " + a + " is out of range for rank " + rank);
        return (int) n;
    }
}
