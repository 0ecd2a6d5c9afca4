package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * BatchNormalization: Y = (X − mean) / √(var + ε) · scale + B per channel (axis 1), X of rank ≥ 2.
 * Opsets 7–8 with {@code spatial=0} take per-element statistics of shape [C, D1, ...].
 *
 * <p>{@code training_mode=1} (opset 14+) normalises with the batch statistics (biased variance) and, when
 * the node asks for them, outputs running_mean = mean·momentum + batch_mean·(1 − momentum) and likewise
 * running_var. The training-only outputs of opsets before 14 (mean, var, saved_mean, saved_var) are
 * refused: an inference engine has no batch statistics to report there.
 */
final class BatchNormalization implements Op {
    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 5; i++) if (!ctx.hasInput(i)) throw ctx.error("BatchNormalization needs 5 inputs (X, scale, B, mean, var)");
        DataType t = ctx.inputType(0);
        if (t != DataType.FLOAT && t != DataType.DOUBLE && t != DataType.FLOAT16 && t != DataType.BFLOAT16) {
            throw ctx.error("BatchNormalization does not support type " + t);
        }
        long[] x = ctx.inputShape(0);
        if (x.length < 2) throw ctx.error("X must have rank >= 2 (N, C, ...), got " + Arrays.toString(x));
        boolean training = training(ctx.attrs(), ctx.opset());
        long per = perChannel(ctx.attrs(), ctx.opset(), x);
        for (int i = 1; i < 5; i++) {
            long n = Tensor.elementCount(ctx.inputShape(i));
            if (n != x[1] * per) {
                throw ctx.error("input " + i + " has " + n + " values, expected " + x[1] * per + " (one per channel"
                        + (per > 1 ? " and position" : "") + ")");
            }
        }
        ctx.setOutput(0, t, x);
        if (ctx.outputCount() > 1) {
            if (!training) {
                throw ctx.error("outputs beyond Y (mean/var statistics) exist only in training mode; this node asks for "
                        + ctx.outputCount() + " outputs");
            }
            if (ctx.outputCount() > 3) throw ctx.error("training mode has at most 3 outputs (Y, running_mean, running_var)");
            for (int i = 1; i < ctx.outputCount(); i++) ctx.setOutput(i, ctx.inputType(i + 2), ctx.inputShape(i + 2));
        }
    }

    private static boolean training(io.minnow.engine.ops.Attrs attrs, long opset) {
        return opset >= 14 && attrs.getInt("training_mode", 0) != 0;
    }

    /** Statistics per channel (1) or per channel and spatial position (spatial=0, opsets 7–8). */
    private static long perChannel(io.minnow.engine.ops.Attrs attrs, long opset, long[] x) {
        if (opset >= 9 || attrs.getInt("spatial", 1) != 0) return 1;
        long s = 1;
        for (int i = 2; i < x.length; i++) s *= x[i];
        return s;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        Tensor scale = ctx.input(1), bias = ctx.input(2), mean = ctx.input(3), var = ctx.input(4);
        float eps = ctx.attrs().getFloat("epsilon", 1e-5f);
        long n = x.dim(0), c = x.dim(1);
        long plane = x.rank() == 2 ? 1 : Tensor.elementCount(Arrays.copyOfRange(x.shape(), 2, x.rank()));
        long per = perChannel(ctx.attrs(), ctx.opset(), x.shape());
        if (training(ctx.attrs(), ctx.opset())) {
            train(ctx, x, y, scale, bias, mean, var, eps, n, c, plane);
            return;
        }
        boolean f32 = x.type() == DataType.FLOAT && scale.type() == DataType.FLOAT && mean.type() == DataType.FLOAT;
        MemorySegment xd = x.data(), yd = y.data();
        long planes = n * c;
        if (planes == 0 || plane == 0) return;
        ctx.parallel().forRange(Math.toIntExact(planes), (int) Math.max(1, 8192 / plane), (s, e) -> {
            for (long p = s; p < e; p++) {
                long ch = p % c, base = p * plane;
                if (per == 1) {
                    float a = (float) (scale.getDouble(ch) / Math.sqrt(var.getDouble(ch) + eps));
                    float mu = (float) mean.getDouble(ch), b = (float) bias.getDouble(ch);
                    if (f32) {
                        for (long i = base; i < base + plane; i++) yd.setAtIndex(F32, i, (xd.getAtIndex(F32, i) - mu) * a + b);
                    } else {
                        for (long i = base; i < base + plane; i++) y.setDouble(i, (x.getDouble(i) - mu) * (double) a + b);
                    }
                } else {
                    for (long i = 0; i < plane; i++) {
                        long k = ch * plane + i;
                        double a = scale.getDouble(k) / Math.sqrt(var.getDouble(k) + eps);
                        y.setDouble(base + i, (x.getDouble(base + i) - mean.getDouble(k)) * a + bias.getDouble(k));
                    }
                }
            }
        });
    }

    /** Training mode: batch statistics over N and the spatial dims, then the running averages. */
    private static void train(ExecContext ctx, Tensor x, Tensor y, Tensor scale, Tensor bias, Tensor mean, Tensor var,
                              float eps, long n, long c, long plane) {
        float momentum = ctx.attrs().getFloat("momentum", 0.9f);
        Tensor runMean = ctx.output(1), runVar = ctx.output(2);
        long count = n * plane;
        for (long ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (long b = 0; b < n; b++) {
                long base = (b * c + ch) * plane;
                for (long i = 0; i < plane; i++) sum += x.getDouble(base + i);
            }
            double mu = count == 0 ? 0 : sum / count;
            for (long b = 0; b < n; b++) {
                long base = (b * c + ch) * plane;
                for (long i = 0; i < plane; i++) {
                    double d = x.getDouble(base + i) - mu;
                    sq += d * d;
                }
            }
            double v = count == 0 ? 0 : sq / count;
            double a = scale.getDouble(ch) / Math.sqrt(v + eps);
            for (long b = 0; b < n; b++) {
                long base = (b * c + ch) * plane;
                for (long i = 0; i < plane; i++) y.setDouble(base + i, (x.getDouble(base + i) - mu) * a + bias.getDouble(ch));
            }
            if (runMean != null) runMean.setDouble(ch, mean.getDouble(ch) * momentum + mu * (1 - momentum));
            if (runVar != null) runVar.setDouble(ch, var.getDouble(ch) * momentum + v * (1 - momentum));
        }
    }
}
