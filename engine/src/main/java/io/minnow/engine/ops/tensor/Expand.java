package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;

/**
 * ONNX Expand: broadcasts the input against the shape in input 1, both ways (numpy rules: dims aligned
 * from the right, equal or one of them 1), so a 1 in the shape keeps the input's dim.
 */
final class Expand implements Op {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        long[] shape = Shapes.intsInput(ctx, 1, "shape");
        if (shape == null) {
            ctx.setOutput(0, ctx.inputType(0), null);
            return;
        }
        int r = Math.max(in.length, shape.length);
        long[] out = new long[r];
        for (int k = 0; k < r; k++) {
            int ki = k - (r - in.length), ks = k - (r - shape.length);
            long a = ki >= 0 ? in[ki] : 1, b = ks >= 0 ? shape[ks] : 1;
            if (b < 0) throw ctx.error("shape " + Shapes.str(shape) + " has a negative dimension");
            if (a != b && a != 1 && b != 1) {
                throw ctx.error("cannot broadcast input " + Shapes.str(in) + " to shape " + Shapes.str(shape));
            }
            out[k] = a == 1 ? b : a;
        }
        ctx.setOutput(0, ctx.inputType(0), out);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] in = x.shape(), out = y.shape();
        long[] inStrides = Shapes.strides(in), src = new long[out.length];
        int lead = out.length - in.length;
        for (int k = lead; k < out.length; k++) {
            src[k] = in[k - lead] == 1 && out[k] != 1 ? 0 : inStrides[k - lead];
        }
        Copy.strided(x.data(), 0, src, y.data(), 0, Shapes.strides(out), out, x.type().byteSize, ctx.parallel());
    }
}
