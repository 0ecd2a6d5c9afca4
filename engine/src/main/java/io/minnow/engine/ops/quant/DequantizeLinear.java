package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * DequantizeLinear (opsets 10, 13, 19, 21): {@code y = (x - x_zero_point) * x_scale}, computed in float32
 * (exact for 8/16-bit codes; int32 codes beyond 2^24 round like ONNX Runtime's float conversion). The output
 * type is the scale's. Per tensor, per axis or per block as in {@link QuantAxis}. Inputs int8, uint8, int32
 * (its zero point must be 0) and, from opset 21, int16 / uint16. Scalar reference.
 */
final class DequantizeLinear implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("DequantizeLinear needs x and x_scale");
        DataType x = ctx.inputType(0);
        if (!(QuantTypes.isQuantized(x) || x == DataType.INT32)
                || ((x == DataType.INT16 || x == DataType.UINT16) && ctx.opset() < 21)) {
            throw ctx.error("DequantizeLinear of " + x + " is not supported (int8, uint8, int32; int16, uint16 from opset 21)");
        }
        DataType s = ctx.inputType(1);
        if (!s.isFloat()) throw ctx.error("x_scale must be a float type, got " + s);
        if (ctx.hasInput(2) && ctx.inputType(2) != x) throw ctx.error("x_zero_point is " + ctx.inputType(2) + " but x is " + x);
        long[] xs = ctx.inputShape(0), ss = ctx.inputShape(1);
        long[] zs = ctx.hasInput(2) ? ctx.inputShape(2) : null;
        if (xs != null && ss != null && (zs != null || !ctx.hasInput(2))) {
            QuantAxis.of(ctx.nodeName(), ctx.opset(), xs, ss, zs, ctx.attrs().getInt("axis", 1), ctx.attrs().getInt("block_size", 0));
        }
        ctx.setOutput(0, s, xs);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1), zp = ctx.input(2), y = ctx.output(0);
        QuantAxis q = QuantAxis.of(ctx.nodeName(), ctx.opset(), x.shape(), scale.shape(), zp == null ? null : zp.shape(),
                ctx.attrs().getInt("axis", 1), ctx.attrs().getInt("block_size", 0));
        if (x.type() == DataType.INT32 && zp != null) {
            for (long i = 0; i < zp.size(); i++) {
                if (zp.getLongValue(i) != 0) throw ctx.error("an int32 input takes zero point 0, got " + zp.getLongValue(i));
            }
        }
        for (long i = 0, n = x.size(); i < n; i++) {
            long p = q.index(i);
            long z = zp == null ? 0 : zp.getLongValue(p);
            y.setDouble(i, (float) (x.getLongValue(i) - z) * (float) scale.getDouble(p));
        }
    }
}
