package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Cast (target type from the {@code to} attribute) and CastLike (target type = input 1's type) between
 * all numeric types and bool.
 *
 * <p>Conversions follow C / ONNX Runtime: float → integer truncates toward zero (NaN → 0, out-of-range
 * values wrap like a 64-bit conversion followed by narrowing); integer → float rounds to nearest;
 * anything → bool is {@code v != 0} (NaN → true); float16 and bfloat16 round to nearest even, with a
 * single rounding even from double (the double is first rounded to float with round-to-odd, which keeps
 * the second rounding exact). {@code saturate} (opset 19) only concerns float8 types, which Minnow does
 * not have; string, float8, int4 and complex casts are refused with a clear error.
 */
final class Cast implements Op {
    private final boolean like;

    Cast(boolean like) {
        this.like = like;
    }

    @Override
    public void infer(InferContext ctx) {
        DataType from = ctx.inputType(0);
        DataType to;
        if (like) {
            if (!ctx.hasInput(1)) throw ctx.error("CastLike needs a second input (the target type)");
            to = ctx.inputType(1);
        } else {
            if (!ctx.attrs().has("to")) throw ctx.error("Cast needs the 'to' attribute");
            long id = MathTypes.intAttr(ctx, "to", 0);
            to = DataType.fromOnnx((int) id);
            if (to == null) throw ctx.error("Cast to " + onnxTypeName(id) + " is not supported");
        }
        if (from == DataType.STRING || to == DataType.STRING) {
            throw ctx.error("Cast from " + from + " to " + to + ": string tensors are not supported");
        }
        if (!supported(from) || !supported(to)) throw ctx.error("Cast from " + from + " to " + to + " is not supported");
        ctx.setOutput(0, to, ctx.inputShape(0));
    }

    private static boolean supported(DataType t) {
        return MathTypes.isNumeric(t) || t == DataType.BOOL;
    }

    /** The name of an ONNX TensorProto.DataType id, for errors about types Minnow does not know. */
    static String onnxTypeName(long id) {
        return switch ((int) id) {
            case 0 -> "UNDEFINED (0)";
            case 14 -> "COMPLEX64 (14)";
            case 15 -> "COMPLEX128 (15)";
            case 17 -> "FLOAT8E4M3FN (17)";
            case 18 -> "FLOAT8E4M3FNUZ (18)";
            case 19 -> "FLOAT8E5M2 (19)";
            case 20 -> "FLOAT8E5M2FNUZ (20)";
            case 21 -> "UINT4 (21)";
            case 22 -> "INT4 (22)";
            case 23 -> "FLOAT4E2M1 (23)";
            default -> "ONNX type id " + id;
        };
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        DataType from = x.type(), to = y.type();
        long n = x.size();
        MemorySegment in = x.data(), out = y.data();
        if (from == to) {
            MemorySegment.copy(in, 0, out, 0, x.byteSize());
            return;
        }
        // common float32 conversions as plain loops
        if (from == DataType.FLOAT && to == DataType.FLOAT16) {
            for (long i = 0; i < n; i++) out.setAtIndex(Tensor.I16, i, Float.floatToFloat16(in.getAtIndex(F32, i)));
        } else if (from == DataType.FLOAT16 && to == DataType.FLOAT) {
            for (long i = 0; i < n; i++) out.setAtIndex(F32, i, Float.float16ToFloat(in.getAtIndex(Tensor.I16, i)));
        } else if (from == DataType.INT64 && to == DataType.FLOAT) {
            for (long i = 0; i < n; i++) out.setAtIndex(F32, i, (float) in.getAtIndex(Tensor.I64, i));
        } else if (from == DataType.UINT8 && to == DataType.FLOAT) {
            for (long i = 0; i < n; i++) out.setAtIndex(F32, i, Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, i)));
        } else if (from.isFloat()) {
            for (long i = 0; i < n; i++) writeDouble(y, i, x.getDouble(i));
        } else {
            boolean unsigned64 = from == DataType.UINT64;
            for (long i = 0; i < n; i++) writeLong(y, i, x.getLongValue(i), unsigned64);
        }
    }

    /** Writes a value read from a float type (exact in double). */
    static void writeDouble(Tensor y, long i, double v) {
        switch (y.type()) {
            case FLOAT -> y.data().setAtIndex(F32, i, (float) v);
            case DOUBLE -> y.data().setAtIndex(Tensor.F64, i, v);
            case FLOAT16 -> y.data().setAtIndex(Tensor.I16, i, toFloat16(v));
            case BFLOAT16 -> y.data().setAtIndex(Tensor.I16, i, toBfloat16(v));
            case BOOL -> y.data().set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0)); // NaN != 0
            default -> y.setDouble(i, v); // integers: truncation toward zero, wrapping
        }
    }

    /** Writes a value read from an integer or bool type ({@code unsigned64}: v holds uint64 bits). */
    static void writeLong(Tensor y, long i, long v, boolean unsigned64) {
        switch (y.type()) {
            case FLOAT -> y.data().setAtIndex(F32, i, unsigned64 ? unsignedToFloat(v) : (float) v);
            case DOUBLE -> y.data().setAtIndex(Tensor.F64, i, unsigned64 ? unsignedToDouble(v) : (double) v);
            case FLOAT16 -> y.data().setAtIndex(Tensor.I16, i, toFloat16(unsigned64 ? unsignedToDouble(v) : (double) v));
            case BFLOAT16 -> y.data().setAtIndex(Tensor.I16, i, toBfloat16(unsigned64 ? unsignedToDouble(v) : (double) v));
            default -> y.setLongValue(i, v); // wraps to the width; bool: v != 0
        }
    }

    static float unsignedToFloat(long v) {
        if (v >= 0) return (float) v;
        return (float) ((v >>> 1) | (v & 1)) * 2f; // halve keeping a sticky bit: one correct rounding
    }

    static double unsignedToDouble(long v) {
        if (v >= 0) return (double) v;
        return (double) ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** double → float rounded to odd: truncate, then set the last bit when inexact. */
    static float toFloatRoundToOdd(double d) {
        float f = (float) d;
        if (Double.isNaN(d) || Float.isInfinite(f) || (double) f == d) return f;
        if (Math.abs((double) f) > Math.abs(d)) f = d > 0 ? Math.nextDown(f) : Math.nextUp(f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | 1);
    }

    /** double → float16 bits, round to nearest even (single rounding). */
    static short toFloat16(double d) {
        return Float.floatToFloat16(toFloatRoundToOdd(d));
    }

    /** double → bfloat16 bits, round to nearest even (single rounding); NaN → quiet NaN. */
    static short toBfloat16(double d) {
        float f = toFloatRoundToOdd(d);
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
