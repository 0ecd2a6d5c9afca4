package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * QuantizeLinear (opsets 10, 13, 19, 21): {@code y = saturate(rint(x / y_scale) + y_zero_point)}, round half
 * to even. Scale per tensor, per axis (13+) or per block (21, {@code block_size}); see {@link QuantAxis}.
 * The output type is the zero point's, else {@code output_dtype} (21), else uint8. {@code x / y_scale} is a
 * float32 division, as in ONNX Runtime. Supports int8/uint8 and (opset 21) int16/uint16 outputs; float8 and
 * int4 outputs are refused. {@code saturate} (19+) only concerns float8 and is ignored.
 * Scalar reference: one element at a time.
 */
final class QuantizeLinear implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("QuantizeLinear needs x and y_scale");
        DataType x = ctx.inputType(0);
        if (!(x.isFloat() || x == DataType.INT32)) throw ctx.error("QuantizeLinear input x must be float or int32, got " + x);
        if (!ctx.inputType(1).isFloat()) throw ctx.error("y_scale must be a float type, got " + ctx.inputType(1));
        DataType out = outputType(ctx);
        if (!QuantTypes.isQuantized(out) || ((out == DataType.INT16 || out == DataType.UINT16) && ctx.opset() < 21)) {
            throw ctx.error("QuantizeLinear to " + out + " is not supported (int8, uint8; int16, uint16 from opset 21)");
        }
        long[] xs = ctx.inputShape(0), ss = ctx.inputShape(1);
        long[] zs = ctx.hasInput(2) ? ctx.inputShape(2) : null;
        if (xs != null && ss != null && (zs != null || !ctx.hasInput(2))) {
            QuantAxis.of(ctx.nodeName(), ctx.opset(), xs, ss, zs, ctx.attrs().getInt("axis", 1), ctx.attrs().getInt("block_size", 0));
        }
        ctx.setOutput(0, out, xs);
    }

    private static DataType outputType(InferContext ctx) {
        if (ctx.hasInput(2)) return ctx.inputType(2);
        long id = ctx.opset() >= 21 ? ctx.attrs().getInt("output_dtype", 0) : 0;
        if (id == 0) return DataType.UINT8;
        DataType t = DataType.fromOnnx((int) id);
        if (t == null) throw ctx.error("output_dtype " + id + " is not supported");
        return t;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1), zp = ctx.input(2), y = ctx.output(0);
        QuantAxis q = QuantAxis.of(ctx.nodeName(), ctx.opset(), x.shape(), scale.shape(), zp == null ? null : zp.shape(),
                ctx.attrs().getInt("axis", 1), ctx.attrs().getInt("block_size", 0));
        DataType t = y.type();
        for (long i = 0, n = x.size(); i < n; i++) {
            long p = q.index(i);
            float s = (float) scale.getDouble(p);
            long z = zp == null ? 0 : zp.getLongValue(p);
            y.setLongValue(i, QuantTypes.quantize((float) x.getDouble(i) / s, z, t));
        }
    }
}
