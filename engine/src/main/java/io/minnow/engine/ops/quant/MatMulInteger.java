package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * MatMulInteger (opset 10): int8/uint8 A and B, optional zero points (A: per tensor or per row, B: per
 * tensor or per column) → int32, {@code Y = (A - a_zp) · (B - b_zp)} exactly (see {@link IntMatMul}).
 */
final class MatMulInteger implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("MatMulInteger needs A and B");
        for (int i = 0; i < 2; i++) {
            if (!QuantTypes.isByte(ctx.inputType(i))) throw ctx.error("MatMulInteger input " + i + " must be int8 or uint8, got " + ctx.inputType(i));
            if (ctx.hasInput(i + 2) && ctx.inputType(i + 2) != ctx.inputType(i)) {
                throw ctx.error("zero point " + (i + 2) + " is " + ctx.inputType(i + 2) + " but its input is " + ctx.inputType(i));
            }
        }
        long[] a = ctx.inputShape(0), b = ctx.inputShape(1);
        ctx.setOutput(0, DataType.INT32, a == null || b == null ? null : IntMatMul.of(ctx.nodeName(), a, b).out());
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1), za = ctx.input(2), zb = ctx.input(3), y = ctx.output(0);
        IntMatMul mm = IntMatMul.of(ctx.nodeName(), a.shape(), b.shape());
        IntMatMul.checkPerRowOrTensor(ctx.nodeName(), "a_zero_point", za, mm.m());
        IntMatMul.checkPerRowOrTensor(ctx.nodeName(), "b_zero_point", zb, mm.n());
        mm.forEach(a, za, b, zb, (idx, row, col, acc) -> y.setLongValue(idx, (int) acc));
    }
}
