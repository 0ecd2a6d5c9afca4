package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;

import java.util.List;

/**
 * ONNX Constant: exactly one of {@code value} (tensor), {@code value_float(s)}, {@code value_int(s)}.
 * String and sparse constants are refused with a clear error (Minnow has no string or sparse tensors).
 */
final class Constant implements Op {
    private static final List<String> KINDS = List.of("value", "value_float", "value_floats", "value_int", "value_ints",
            "value_string", "value_strings", "sparse_value");

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutputConstant(0, value(ctx.attrs(), ctx::error));
    }

    static Tensor value(Attrs attrs, java.util.function.Function<String, MinnowException> error) {
        String kind = null;
        for (String k : KINDS) {
            if (!attrs.has(k)) continue;
            if (kind != null) throw error.apply("has both '" + kind + "' and '" + k + "'; exactly one value attribute is allowed");
            kind = k;
        }
        if (kind == null) throw error.apply("has no value attribute (one of " + KINDS + ")");
        return switch (kind) {
            case "value" -> {
                TensorData td = attrs.get("value").asTensor();
                if (td.type() == DataType.STRING) throw error.apply("string tensors are not supported");
                try {
                    yield Tensor.fromData(td);
                } catch (MinnowException e) {
                    throw error.apply("cannot use the value tensor: " + e.getMessage());
                }
            }
            case "value_float" -> Tensor.scalar(attrs.getFloat(kind, 0));
            case "value_floats" -> {
                float[] v = attrs.getFloats(kind, new float[0]);
                yield Tensor.of(v, v.length);
            }
            case "value_int" -> Tensor.ofLongs(new long[]{attrs.getInt(kind, 0)});
            case "value_ints" -> {
                long[] v = attrs.getInts(kind, new long[0]);
                yield Tensor.ofLongs(v, v.length);
            }
            case "sparse_value" -> throw error.apply("sparse_value constants are not supported");
            default -> throw error.apply(kind + " constants are not supported (Minnow has no string tensors)");
        };
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor v = value(ctx.attrs(), ctx::error), y = ctx.output(0);
        java.lang.foreign.MemorySegment.copy(v.data(), 0, y.data(), 0, v.byteSize());
    }
}
