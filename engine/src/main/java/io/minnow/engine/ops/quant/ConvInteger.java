package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * ConvInteger (opset 10): int8/uint8 x and w, x_zero_point per tensor, w_zero_point per tensor or per output
 * channel → int32 {@code sum (x - x_zp)(w - w_zp)}, exact ({@link IntConv}). Scalar reference.
 */
final class ConvInteger implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("ConvInteger needs x and w");
        for (int i = 0; i < 2; i++) {
            if (!QuantTypes.isByte(ctx.inputType(i))) throw ctx.error("ConvInteger input " + i + " must be int8 or uint8, got " + ctx.inputType(i));
            if (ctx.hasInput(i + 2) && ctx.inputType(i + 2) != ctx.inputType(i)) throw ctx.error("zero point types must match their inputs");
        }
        long[] x = ctx.inputShape(0), w = ctx.inputShape(1);
        ctx.setOutput(0, DataType.INT32, x == null || w == null ? null : IntConv.of(ctx.nodeName(), ctx.attrs(), x, w).outShape());
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), zx = ctx.input(2), zw = ctx.input(3), y = ctx.output(0);
        IntConv g = IntConv.of(ctx.nodeName(), ctx.attrs(), x.shape(), w.shape());
        IntMatMul.checkPerRowOrTensor(ctx.nodeName(), "x_zero_point", zx, 1);
        IntMatMul.checkPerRowOrTensor(ctx.nodeName(), "w_zero_point", zw, g.m);
        g.forEach(x, IntMatMul.at(zx, 0), w, zw, (idx, oc, acc) -> y.setLongValue(idx, (int) acc));
    }
}
