package io.minnow.engine.ops.quant;

import io.minnow.engine.ops.Op;

import java.util.Map;

/**
 * Minnow's own quantized ops (domain {@value #DOMAIN}), made by {@code plan.QuantFusion} from Conv/Gemm/MatMul nodes
 * with int8/int4 weights; never written to a file. They read float32 activations, quantize them (int8 weights) or
 * not (int4 weights), run the qs8 / q4 kernels on the weights as stored, and write float32 with bias, activation
 * and residual fused in the epilogue.
 */
public final class QOps {
    private QOps() {}

    public static final String DOMAIN = "io.minnow";
    /** TENSOR attribute: the weight, {@code q8} or {@code q4} encoded, rows = output channels. */
    public static final String WEIGHT = "minnow.weight";
    /** FLOAT attribute: the static activation scale (absent: quantized per run from the input's range). */
    public static final String X_SCALE = "minnow.x.scale";
    /** INT attribute: the static activation zero point. */
    public static final String X_ZERO = "minnow.x.zero";
    /** INT attribute: 1 when activations are int8, 0 (default) for uint8. */
    public static final String X_SIGNED = "minnow.x.signed";
    /** INT attribute on QGemm made from a Gemm: the input must be 2-D (a MatMul's may have leading batch dims). */
    public static final String RANK2 = "minnow.rank2";

    public static void register(Map<String, Op> ops) {
        ops.put("QConv", new QConv());
        ops.put("QGemm", new QGemm());
    }

    /**
     * Whether a prepared QConv/QGemm computes each image from that image alone, so the planner may run a batch
     * in chunks (plan/BatchSplit): false only for a dynamic per-tensor int8 activation scale, one range taken
     * over the whole batch. Static scales, int4 weights on float activations and q4-gemv's per-row scales are.
     */
    public static boolean separableAlongBatch(Object prepared) {
        return !(prepared instanceof QWeights w) || w.xq() != null;
    }
}
