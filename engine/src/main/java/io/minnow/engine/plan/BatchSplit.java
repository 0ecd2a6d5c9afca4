package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;

import java.util.Set;

/**
 * Whether a batch may run as consecutive chunks of images, and how many per chunk.
 *
 * <p>Why: a plan runs layer by layer over the whole batch, so at batch 64 every activation of a small CNN is
 * megabytes (MobileNet's 96-channel 14x14 maps: 4.8 MB) and each layer reads its input back from L3 or DRAM.
 * Run in chunks of a few images, the same steps find their inputs in L2, which the conv kernels need to
 * reach their speed (measured, 1 thread, thread CPU time, min of 30 interleaved runs at batch 64, split vs
 * whole: MobileNet 10.3 vs 10.8 ms, ResNet 13.4 vs 13.5 ms; ORT 8.4 and 12.8 ms).
 *
 * <p>When: only if every image's outputs provably depend on that image alone. Every graph input and output
 * has the batch as dimension 0, no step is shape-dynamic, and every step is an op known to be separable along
 * dimension 0 with its other operands constant (weights) or batched alike (a residual Add). Anything else —
 * an unknown op, a Reshape, a reduction or Softmax over axis 0, a constant with a batch dimension — keeps the
 * whole batch in one run. Results per image are those of the same kernels on fewer images; the GEMMs keep one
 * summation order per element whatever M is, except a chunk of one row, which takes the GEMV path (the same
 * values up to float rounding).
 */
public final class BatchSplit {
    /** Largest per-chunk activation aimed for: half of a 1 MiB L2, so a step's input and output fit together. */
    static final long CHUNK_BYTES = 512L << 10;

    /** Per-image ops whose input 0 is the data and whose other inputs must be constants (weights, bias). */
    private static final Set<String> UNARY = Set.of(
            "Conv", "ConvTranspose", "QConv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
            "BatchNormalization", "InstanceNormalization", "LRN", "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid",
            "Tanh", "HardSigmoid", "HardSwish", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Gelu", "Erf", "Exp",
            "Log", "Abs", "Neg", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Identity", "Dropout", "Cast",
            "QuantizeLinear", "DequantizeLinear", "ConvNhwc", "GlobalAveragePoolNhwc");
    /** Ops whose fused residual (the last input, shape of the output) is the one batched extra operand allowed. */
    private static final Set<String> RESIDUAL = Set.of("Conv", "QConv", "ConvNhwc");
    /** Elementwise ops with NumPy broadcasting: each input batched like the output, or a constant without batch. */
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Mean");

    private BatchSplit() {}

    /**
     * Images per chunk for {@code p} (planned for the whole batch), or 0 when the batch must run in one piece
     * (not separable, batch of 1, or the whole batch already fits {@link #CHUNK_BYTES}).
     */
    public static int chunk(Plan p) {
        if (p.inputs.length == 0) return 0;
        long[] s0 = p.shapes[p.inputs[0]];
        if (s0 == null || s0.length == 0 || s0[0] < 2) return 0;
        long batch = s0[0];
        boolean[] batched = new boolean[p.names.length];
        for (int v : p.inputs) {
            if (!hasBatch(p, v, batch)) return 0;
            batched[v] = true;
        }
        for (Step s : p.steps) {
            if (s.dynamic() || !separable(p, s, batched, batch)) return 0;
            for (int o : s.out()) {
                if (o < 0) continue;
                if (!hasBatch(p, o, batch)) return 0;
                batched[o] = true;
            }
        }
        for (int v : p.outputs) if (!batched[v]) return 0;

        long perImage = 1;
        for (int v = 0; v < p.names.length; v++) {
            if (batched[v]) perImage = Math.max(perImage, Tensor.elementCount(p.shapes[v]) * p.types[v].byteSize / batch);
        }
        // Splitting costs per-chunk step overheads and smaller GEMMs; it pays only when the whole batch's largest
        // activation is well past L2 (LeNet-5 at 64: 1.2 MB, measured 5% slower split; MobileNet 4.8 MB, 5% faster).
        if (perImage * batch < 4 * CHUNK_BYTES) return 0;
        // at least 2 images: a chunk of one runs each Gemm as a GEMV. Threads take whole chunks (Session), so the
        // thread count does not enter here
        long c = Math.max(CHUNK_BYTES / perImage, 2L);
        return c >= batch ? 0 : (int) c;
    }

    private static boolean hasBatch(Plan p, int v, long batch) {
        long[] s = p.shapes[v];
        return s != null && s.length >= 1 && s[0] == batch && p.constants[v] == null;
    }

    private static boolean separable(Plan p, Step s, boolean[] batched, long batch) {
        String op = s.node().opType;
        int[] in = s.in();
        Attrs a = s.attrs();
        if ((op.equals("QConv") || op.equals("QGemm")) && !io.minnow.engine.ops.quant.QOps.separableAlongBatch(s.prepared())) {
            return false; // dynamic activation quantization: one scale from the whole batch's range
        }
        if (UNARY.contains(op) || op.equals("Gemm") && a.getInt("transA", 0) == 0 || op.equals("QGemm")
                || op.equals("Flatten") && a.getInt("axis", 1) >= 1 || op.equals("MatMul") && rank(p, in, 0) >= 2
                || (op.equals("Softmax") || op.equals("LogSoftmax")) && a.getInt("axis", -1) != 0
                || op.equals("Transpose") && batchStaysFirst(a)) {
            if (in.length == 0 || in[0] < 0 || !batched[in[0]]) return false;
            for (int i = 1; i < in.length; i++) {
                if (in[i] < 0 || p.constants[in[i]] != null) continue;
                // a fused residual is the only batched operand a unary op may take: last input, the output's shape
                boolean residual = RESIDUAL.contains(op) && a.getInt("minnow.residual", 0) == 1 && i == in.length - 1
                        && batched[in[i]] && java.util.Arrays.equals(p.shapes[in[i]], p.shapes[s.out()[0]]);
                if (!residual) return false;
            }
            return true;
        }
        if (ELEMENTWISE.contains(op)) {
            int out = s.out()[0];
            int rank = p.shapes[out] == null ? -1 : p.shapes[out].length;
            for (int v : in) {
                if (v < 0) return false;
                long[] sh = p.shapes[v];
                if (batched[v]) {
                    if (sh.length != rank) return false; // a batched operand broadcast along a new leading axis
                } else if (p.constants[v] == null || sh == null || sh.length == rank && sh[0] != 1) {
                    return false; // a constant with a batch dimension of its own
                }
            }
            return true;
        }
        return false;
    }

    /** A Transpose that keeps dimension 0 first (the layout pass's NCHW ↔ NHWC conversions) moves data within images. */
    private static boolean batchStaysFirst(Attrs a) {
        long[] perm = a.getInts("perm", null);
        return perm != null && perm.length > 0 && perm[0] == 0;
    }

    private static int rank(Plan p, int[] in, int i) {
        return in.length <= i || in[i] < 0 || p.shapes[in[i]] == null ? -1 : p.shapes[in[i]].length;
    }
}
