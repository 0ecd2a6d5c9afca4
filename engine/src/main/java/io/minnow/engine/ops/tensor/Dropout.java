package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;

/**
 * ONNX Dropout at inference: output = input, optional mask all true (bool from opset 10; of the data
 * type before). Training mode (opset 12 input {@code training_mode}) is refused unless the ratio is 0.
 *
 * <p>Not a view: the executor's view trick covers output 0 only, and a node may ask for the mask too.
 */
final class Dropout implements Op {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        if (ctx.opset() >= 12 && ctx.hasInput(2)) {
            if (ctx.inputType(2) != DataType.BOOL) throw ctx.error("training_mode must be bool, got " + ctx.inputType(2));
            Tensor training = ctx.constant(2);
            if (training != null) checkTraining(ctx.hasInput(1) ? ctx.constant(1) : null, ctx.hasInput(1), training, ctx);
        }
        if (ctx.opset() < 12 && ctx.attrs().has("is_test") && ctx.attrs().getInt("is_test", 1) == 0) {
            throw ctx.error("training mode not supported (is_test=0)");
        }
        ctx.setOutput(0, ctx.inputType(0), in);
        if (ctx.outputCount() > 1) ctx.setOutput(1, maskType(ctx.opset(), ctx.inputType(0)), in);
    }

    private static DataType maskType(long opset, DataType data) {
        return opset >= 10 ? DataType.BOOL : data;
    }

    /** Training with a non-zero (or unknown) ratio would drop elements at random: refused. */
    private static void checkTraining(Tensor ratio, boolean hasRatio, Tensor training, InferContext ctx) {
        if (training.size() != 1) throw ctx.error("training_mode must be a scalar");
        if (training.getLongValue(0) == 0) return;
        double r = hasRatio ? (ratio == null ? Double.NaN : ratio.getDouble(0)) : 0.5;
        if (r != 0) throw ctx.error("training mode not supported (training_mode=true with ratio " + (Double.isNaN(r) ? "unknown" : r) + ")");
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0), mask = ctx.output(1);
        Tensor training = ctx.opset() >= 12 ? ctx.input(2) : null;
        if (training != null && training.getLongValue(0) != 0) {
            Tensor ratio = ctx.input(1);
            double r = ratio == null ? 0.5 : ratio.getDouble(0);
            if (r != 0) throw ctx.error("training mode not supported (training_mode=true with ratio " + r + ")");
        }
        if (y != null) MemorySegment.copy(x.data(), 0, y.data(), 0, x.byteSize());
        if (mask != null) {
            if (mask.type() == DataType.BOOL) mask.data().asSlice(0, mask.byteSize()).fill((byte) 1);
            else for (long i = 0; i < mask.size(); i++) mask.setDouble(i, 1);
        }
    }
}
