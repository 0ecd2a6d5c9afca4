package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@code io.minnow:QGemm}: {@code Y[..., N] = act(X[..., K] · Wᵀ + bias)} with W int8 [N, K] ({@link QOps#WEIGHT}),
 * made from a Gemm (transA = 0, alpha = 1, beta = 1; input 2-D) or a MatMul with a constant quantized weight.
 * int8 (q8) weights: X is quantized to 8 bits (static parameters from the node or per run), multiplied by the qs8-gemm
 * kernel in int32 and dequantized in its epilogue. int4 (q4) weights: X stays float32 and the q4-gemm kernel unpacks
 * the nibbles in registers — unless the node has a static activation quantization (a Q/DQ pair on X, what
 * {@code minnow compress --quant int4 --act int8} writes): then X is quantized to int8 and the q4-gemv kernel runs
 * int4 x int8 ({@link Q4Int8Weights}). Inputs: X, optional bias (N values or one).
 */
final class QGemm implements Op {
    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != DataType.FLOAT) throw ctx.error("QGemm input must be float32, got " + ctx.inputType(0));
        TensorData w = QWeights.weightOf(ctx);
        long[] wd = w.dims(), x = ctx.inputShape(0);
        if (wd.length != 2) throw ctx.error("weight must be [N, K], got " + Arrays.toString(wd));
        long n = wd[0], k = wd[1];
        boolean rank2 = ctx.attrs().getInt(QOps.RANK2, 0) != 0;
        if (rank2 ? x.length != 2 : x.length < 1) throw ctx.error("input " + Arrays.toString(x) + " must be " + (rank2 ? "2-D" : "at least 1-D"));
        if (x[x.length - 1] != k) throw ctx.error("input " + Arrays.toString(x) + " does not end in K = " + k + " (weight " + Arrays.toString(wd) + ")");
        long[] y = x.clone();
        y[y.length - 1] = n;
        ctx.setOutput(0, DataType.FLOAT, y);
        long elems = Tensor.elementCount(x);
        // the quantized input, one byte per element (and, for int4 x int8, one float scale per row after it)
        ctx.requestScratch(w.encoding() == io.minnow.formats.Encoding.Q4 ? Q4Int8Weights.scratchBytes(k == 0 ? 0 : elems / k, k) : elems);
    }

    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        TensorData w = QWeights.weightOf(ctx);
        int n = Math.toIntExact(w.dims()[0]);
        if (w.encoding() == io.minnow.formats.Encoding.Q4) {
            ActQuant xq = ActQuant.of(ctx.attrs());
            if (Q4Int8Weights.wanted(xq) && w.dims()[1] > 0) return Q4Int8Weights.prepare(ctx, kernels, w, QWeights.bias(ctx, 1, n), xq);
            return Q4Weights.prepare(ctx, kernels, w, QWeights.bias(ctx, 1, n), false);
        }
        return QWeights.prepare(ctx, kernels, 1, QWeights.bias(ctx, 1, n), false, false);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        if (ctx.prepared() instanceof Q4Int8Weights q4) { // int4 weights, int8 activations (k > 0)
            q4.run(ctx.parallel(), Math.toIntExact(x.size() / q4.k()), x.data(), ctx.scratch(), y.data());
            return;
        }
        if (ctx.prepared() instanceof Q4Weights q4) { // int4 weights, float32 activations
            int m = q4.k() == 0 ? 0 : Math.toIntExact(x.size() / q4.k());
            if (m == 0 && q4.k() == 0) m = Math.toIntExact(y.size() / Math.max(1, q4.n()));
            q4.gemm(ctx.parallel(), m, x.data(), 0, Math.max(1, q4.k()), y.data(), 0, Math.max(1, q4.n()));
            if (!q4.clampInEpilogue()) q4.act().apply(y.data(), 0, y.size());
            return;
        }
        QWeights w = (QWeights) ctx.prepared();
        int k = w.k(), n = w.n();
        int m = k == 0 ? 0 : Math.toIntExact(x.size() / k);
        if (k == 0) { // an empty reduction: bias and activation only
            MemorySegment ys = y.data();
            for (long i = 0; i < y.size(); i++) ys.setAtIndex(Tensor.F32, i, w.act().apply(w.bias() == null ? 0f : w.bias()[(int) (i % n)]));
            return;
        }
        ActQuant xq = w.xq() != null ? w.xq() : ActQuant.dynamic(x.data(), x.size());
        Qs8Epilogue epi = w.staticEpilogues() != null ? w.staticEpilogues()[0] : w.epilogue(xq, 0, n);
        MemorySegment q = ctx.scratch(), xs = x.data(), ys = y.data();
        int grain = Math.max(1, 16384 / Math.max(1, k));
        ctx.parallel().forRange(m, grain, (r0, r1) -> {
            xq.quantize(xs, q, (long) r0 * k, (long) r1 * k);
            w.kernel().gemmPacked(r1 - r0, w.groups()[0], q, (long) r0 * k, k, !xq.signed(), xq.zero(), epi, ys, (long) r0 * n, n);
            if (!w.clampInEpilogue()) w.act().apply(ys, (long) r0 * n, (long) (r1 - r0) * n);
        });
    }
}
