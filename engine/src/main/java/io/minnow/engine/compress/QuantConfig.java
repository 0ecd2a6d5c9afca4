package io.minnow.engine.compress;

import java.util.Set;

/**
 * What {@code minnow compress --quant} does.
 *
 * @param int4            false: int8 weights (per output channel) with int8 activations; true: int4 weights (per group
 *                        of {@code groupSize} along K) for Gemm and 1x1-conv weights, int8 for the other convs (a 3x3
 *                        conv's weights are few and its int8 kernel is the fast one)
 * @param groupSize       int4 group size G: 32, 64 or 128
 * @param zeroPoint       int4: asymmetric groups (a uint8 zero point per group) instead of symmetric signed codes
 * @param keepFp32        node names left in float32
 * @param percentile      the upper percentile tried for activation ranges (e.g. 99.99), besides min/max
 * @param int8Activations int4 only ({@code --act int8}): the inputs of int4 Gemm layers are calibrated and quantized
 *                        to int8 (symmetric, zero point 0), so they run on the q4-gemv kernel (int4 x int8) instead of
 *                        q4-gemm (int4 x float32); 1x1 convs keep float32 activations. int8 quantization ignores it
 *                        (its activations are int8 already).
 */
public record QuantConfig(boolean int4, int groupSize, boolean zeroPoint, Set<String> keepFp32, double percentile,
                          boolean int8Activations) {
    public QuantConfig {
        if (groupSize != 32 && groupSize != 64 && groupSize != 128) throw new IllegalArgumentException("group size must be 32, 64 or 128, got " + groupSize);
        if (!(percentile > 50 && percentile <= 100)) throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        keepFp32 = Set.copyOf(keepFp32);
    }

    /** Float32 activations for int4 layers (the default). */
    public QuantConfig(boolean int4, int groupSize, boolean zeroPoint, Set<String> keepFp32, double percentile) {
        this(int4, groupSize, zeroPoint, keepFp32, percentile, false);
    }

    public static QuantConfig int8() {
        return new QuantConfig(false, 64, false, Set.of(), 99.99);
    }

    /** int4 weights in groups of {@code groupSize}, symmetric, int8 elsewhere. */
    public static QuantConfig int4(int groupSize) {
        return new QuantConfig(true, groupSize, false, Set.of(), 99.99);
    }

    public QuantConfig keeping(Set<String> nodes) {
        return new QuantConfig(int4, groupSize, zeroPoint, nodes, percentile, int8Activations);
    }

    /** The same with int8 activations for the int4 Gemm layers ({@code --act int8}). */
    public QuantConfig withInt8Activations() {
        return new QuantConfig(int4, groupSize, zeroPoint, keepFp32, percentile, true);
    }

    /** Whether target t's input is quantized to int8 (calibrated): every int8 layer, and int4 Gemms with --act int8. */
    public boolean quantizesInput(Quantizer.Target t) {
        if (keepFp32.contains(t.node())) return false;
        if (!(int4 && t.int4Ok())) return true;
        return int8Activations && t.opType().equals("Gemm");
    }
}
