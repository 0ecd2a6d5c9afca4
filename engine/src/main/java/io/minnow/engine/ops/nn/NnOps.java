package io.minnow.engine.ops.nn;

import io.minnow.engine.ops.Op;

import java.util.Map;

/** Registers this family's ops. Conv, ConvTranspose, Gemm, MatMul, pooling, BatchNormalization, Resize. */
public final class NnOps {
    private NnOps() {}

    public static void register(Map<String, Op> ops) {
        ops.put("Conv", new Conv());
        ops.put("ConvTranspose", new ConvTranspose());
        ops.put("Gemm", new Gemm());
        ops.put("MatMul", new MatMul());
        ops.put("MaxPool", new Pool(true));
        ops.put("AveragePool", new Pool(false));
        ops.put("GlobalAveragePool", new Pool.Global(false));
        ops.put("GlobalMaxPool", new Pool.Global(true));
        ops.put("BatchNormalization", new BatchNormalization());
        ops.put("Resize", new Resize());
    }

    /** Internal ops of this family (domain io.minnow), made by planner passes: the channels-last conv and pool. */
    public static void registerInternal(Map<String, Op> ops) {
        ops.put(CONV_NHWC, new ConvNhwc());
        ops.put(GAP_NHWC, new GlobalAveragePoolNhwc());
    }

    /** Op type of the channels-last Conv (see plan.NhwcLayout). */
    public static final String CONV_NHWC = "ConvNhwc";
    /** Op type of the channels-last GlobalAveragePool. */
    public static final String GAP_NHWC = "GlobalAveragePoolNhwc";
}
