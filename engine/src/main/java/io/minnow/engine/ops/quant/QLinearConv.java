package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;

/**
 * QLinearConv (opset 10): {@code y = saturate(rint((acc + B[m]) · (x_scale · w_scale[m] / y_scale)) + y_zp)}
 * with {@code acc = sum (x - x_zp)(w - w_zp[m])} exact ({@link IntConv}) and B the optional int32 bias. The
 * multiplier is formed in float32 and applied to {@code (float) (acc + B)} in float32, like ONNX Runtime.
 * w's scale and zero point are per tensor or per output channel; the others per tensor. Output type: y_zero_point's.
 */
final class QLinearConv implements Op {
    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 8; i++) if (!ctx.hasInput(i)) throw ctx.error("QLinearConv needs inputs 0..7, input " + i + " is missing");
        for (int i : new int[] {0, 3, 7}) {
            if (!QuantTypes.isByte(ctx.inputType(i))) throw ctx.error("QLinearConv input " + i + " must be int8 or uint8, got " + ctx.inputType(i));
        }
        if (ctx.inputType(2) != ctx.inputType(0) || ctx.inputType(5) != ctx.inputType(3)) throw ctx.error("zero point types must match their inputs");
        for (int i : new int[] {1, 4, 6}) if (!ctx.inputType(i).isFloat()) throw ctx.error("scale input " + i + " must be float");
        if (ctx.hasInput(8) && ctx.inputType(8) != io.minnow.formats.DataType.INT32) throw ctx.error("bias B must be int32, got " + ctx.inputType(8));
        long[] x = ctx.inputShape(0), w = ctx.inputShape(3);
        ctx.setOutput(0, ctx.inputType(7), x == null || w == null ? null : IntConv.of(ctx.nodeName(), ctx.attrs(), x, w).outShape());
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), xs = ctx.input(1), zx = ctx.input(2), w = ctx.input(3), ws = ctx.input(4), zw = ctx.input(5);
        Tensor ys = ctx.input(6), zy = ctx.input(7), bias = ctx.inputCount() > 8 ? ctx.input(8) : null, y = ctx.output(0);
        String node = ctx.nodeName();
        IntConv g = IntConv.of(node, ctx.attrs(), x.shape(), w.shape());
        IntMatMul.checkPerRowOrTensor(node, "x_scale", xs, 1);
        IntMatMul.checkPerRowOrTensor(node, "x_zero_point", zx, 1);
        IntMatMul.checkPerRowOrTensor(node, "w_scale", ws, g.m);
        IntMatMul.checkPerRowOrTensor(node, "w_zero_point", zw, g.m);
        IntMatMul.checkPerRowOrTensor(node, "y_scale", ys, 1);
        IntMatMul.checkPerRowOrTensor(node, "y_zero_point", zy, 1);
        if (bias != null && bias.size() != g.m) throw ctx.error("bias B must have " + g.m + " entries, got " + bias.size());
        float xScale = IntMatMul.scaleAt(xs, 0), yScale = IntMatMul.scaleAt(ys, 0);
        long yZero = zy.getLongValue(0);
        g.forEach(x, IntMatMul.at(zx, 0), w, zw, (idx, oc, acc) -> {
            float mult = xScale * IntMatMul.scaleAt(ws, oc) / yScale;
            long sum = (int) (acc + (bias == null ? 0 : bias.getLongValue(oc)));
            y.setLongValue(idx, QuantTypes.quantize((float) sum * mult, yZero, y.type()));
        });
    }
}
