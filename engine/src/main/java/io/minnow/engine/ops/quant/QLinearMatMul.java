package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * QLinearMatMul (opsets 10, 21): {@code y = saturate(rint(acc · (a_scale · b_scale / y_scale)) + y_zp)} where
 * {@code acc = (a - a_zp) · (b - b_zp)} exactly. The multiplier is formed in float32 and applied to
 * {@code (float) acc} in float32, as ONNX Runtime's requantization does. a's scale and zero point are per
 * tensor or per row, b's per tensor or per column; y's per tensor. Output type: y_zero_point's.
 */
final class QLinearMatMul implements Op {
    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 8; i++) if (!ctx.hasInput(i)) throw ctx.error("QLinearMatMul needs all 8 inputs, input " + i + " is missing");
        for (int i : new int[] {0, 3, 7}) {
            if (!QuantTypes.isByte(ctx.inputType(i))) throw ctx.error("QLinearMatMul input " + i + " must be int8 or uint8, got " + ctx.inputType(i));
        }
        if (ctx.inputType(2) != ctx.inputType(0) || ctx.inputType(5) != ctx.inputType(3)) throw ctx.error("zero point types must match their inputs");
        for (int i : new int[] {1, 4, 6}) if (!ctx.inputType(i).isFloat()) throw ctx.error("scale input " + i + " must be float");
        long[] a = ctx.inputShape(0), b = ctx.inputShape(3);
        ctx.setOutput(0, ctx.inputType(7), a == null || b == null ? null : IntMatMul.of(ctx.nodeName(), a, b).out());
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor a = ctx.input(0), as = ctx.input(1), za = ctx.input(2), b = ctx.input(3), bs = ctx.input(4), zb = ctx.input(5);
        Tensor ys = ctx.input(6), zy = ctx.input(7), y = ctx.output(0);
        IntMatMul mm = IntMatMul.of(ctx.nodeName(), a.shape(), b.shape());
        String node = ctx.nodeName();
        IntMatMul.checkPerRowOrTensor(node, "a_scale", as, mm.m());
        IntMatMul.checkPerRowOrTensor(node, "a_zero_point", za, mm.m());
        IntMatMul.checkPerRowOrTensor(node, "b_scale", bs, mm.n());
        IntMatMul.checkPerRowOrTensor(node, "b_zero_point", zb, mm.n());
        IntMatMul.checkPerRowOrTensor(node, "y_scale", ys, 1);
        IntMatMul.checkPerRowOrTensor(node, "y_zero_point", zy, 1);
        float yScale = IntMatMul.scaleAt(ys, 0);
        long yZero = zy.getLongValue(0);
        DataType t = y.type();
        mm.forEach(a, za, b, zb, (idx, row, col, acc) -> {
            float mult = IntMatMul.scaleAt(as, row) * IntMatMul.scaleAt(bs, col) / yScale;
            y.setLongValue(idx, QuantTypes.quantize((float) acc * mult, yZero, t));
        });
    }
}
