package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * ONNX ConstantOfShape: a tensor of the shape given by input 0 (1-D int64) filled with the one-element
 * {@code value} tensor attribute (default float 0).
 */
final class ConstantOfShape implements Op {
    @Override
    public void infer(InferContext ctx) {
        DataType type = fill(ctx.attrs().getTensor("value"), ctx).type();
        long[] shape = Shapes.intsInput(ctx, 0, "shape");
        if (shape == null) {
            ctx.setOutput(0, type, null);
            return;
        }
        for (long d : shape) if (d < 0) throw ctx.error("shape " + Shapes.str(shape) + " has a negative dimension");
        ctx.setOutput(0, type, shape);
    }

    private static Tensor fill(Tensor value, InferContext ctx) {
        if (value == null) return Tensor.scalar(0f);
        if (value.size() != 1) throw ctx.error("value must hold exactly one element, got shape " + Shapes.str(value.shape()));
        return value;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor y = ctx.output(0), value = ctx.attrs().getTensor("value");
        if (value == null) value = Tensor.scalar(0f);
        Copy.fill(y.data(), 0, y.size(), value.data(), y.type().byteSize);
    }
}
