package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

/**
 * DynamicQuantizeLinear (opset 11): float32 → uint8 with a scale and zero point computed from the data.
 * The range always includes 0 ({@code lo = min(0, min x)}, {@code hi = max(0, max x)}) so that 0 is exact;
 * {@code scale = (hi - lo) / 255} (1/255 when hi == lo, e.g. all zeros or an empty input, as the ONNX reference
 * does), {@code zero_point = rint(clamp(-lo / scale, 0, 255))}, {@code y = saturate(rint(x / scale) + zero_point)}.
 * All arithmetic in float32. Outputs: y, y_scale (float32 scalar), y_zero_point (uint8 scalar).
 */
final class DynamicQuantizeLinear implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0)) throw ctx.error("DynamicQuantizeLinear needs x");
        if (ctx.inputType(0) != DataType.FLOAT) throw ctx.error("DynamicQuantizeLinear takes float32, got " + ctx.inputType(0));
        ctx.setOutput(0, DataType.UINT8, ctx.inputShape(0));
        if (ctx.outputCount() > 1) ctx.setOutput(1, DataType.FLOAT, new long[0]);
        if (ctx.outputCount() > 2) ctx.setOutput(2, DataType.UINT8, new long[0]);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        float lo = 0, hi = 0;
        for (long i = 0, n = x.size(); i < n; i++) {
            float v = x.getFloat(i);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float scale = (hi == lo ? 1f : hi - lo) / 255f;
        float zpf = 0f - lo / scale;
        long zp = (long) Math.rint(Math.max(0f, Math.min(255f, zpf)));
        for (long i = 0, n = x.size(); i < n; i++) {
            y.setLongValue(i, QuantTypes.quantize(x.getFloat(i) / scale, zp, DataType.UINT8));
        }
        if (ctx.output(1) != null) ctx.output(1).setFloat(0, scale);
        if (ctx.output(2) != null) ctx.output(2).setLongValue(0, zp);
    }
}
