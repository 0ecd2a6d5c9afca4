package io.minnow.engine.ops.quant;

import io.minnow.engine.ops.Op;

import java.util.Map;

/**
 * Registers the ONNX quantization ops (QOperator and QDQ building blocks). These are scalar reference
 * implementations: exact integer accumulation, one element at a time; fast paths come from the
 * qs8-gemm / qs8-conv kernel families.
 */
public final class QuantOps {
    private QuantOps() {}

    public static void register(Map<String, Op> ops) {
        ops.put("QuantizeLinear", new QuantizeLinear());
        ops.put("DequantizeLinear", new DequantizeLinear());
        ops.put("DynamicQuantizeLinear", new DynamicQuantizeLinear());
        ops.put("MatMulInteger", new MatMulInteger());
        ops.put("ConvInteger", new ConvInteger());
        ops.put("QLinearMatMul", new QLinearMatMul());
        ops.put("QLinearConv", new QLinearConv());
    }
}
