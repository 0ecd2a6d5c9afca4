package io.minnow.engine.kernels.q8;

import java.util.Objects;

/**
 * What a {@link Qs8Gemm} does with each int32 accumulator {@code acc[i][j]} before storing it. Scales and biases
 * are per output column: arrays of length 1 (per tensor) or n (per channel).
 */
public sealed interface Qs8Epilogue {
    /** Store the int32 accumulators (MatMulInteger, ConvInteger). C is int32. */
    record Raw() implements Qs8Epilogue {}

    /**
     * Requantize to 8 bits (QLinearMatMul, QLinearConv, fused QDQ):
     * {@code c = clamp(rint((float) (acc + bias[j]) * scale[j]) + zero, qmin, qmax)}, the product in float32 (as
     * ONNX Runtime does), round half to even. {@code scale = a_scale * w_scale[j] / y_scale}. A fused ReLU or
     * clip is a narrower [qmin, qmax]. C is uint8 when {@code unsigned}, else int8.
     *
     * @param bias int32 bias in accumulator units, or null
     */
    record Requantize(float[] scale, int[] bias, int zero, int qmin, int qmax, boolean unsigned) implements Qs8Epilogue {
        public Requantize {
            Objects.requireNonNull(scale, "scale");
            int lo = unsigned ? 0 : -128, hi = unsigned ? 255 : 127;
            if (qmin < lo || qmax > hi || qmin > qmax) {
                throw new IllegalArgumentException("clamp [" + qmin + ", " + qmax + "] is not inside [" + lo + ", " + hi + "]");
            }
            if (zero < lo || zero > hi) throw new IllegalArgumentException("output zero point " + zero + " is outside [" + lo + ", " + hi + "]");
        }
    }

    /**
     * Dequantize to float32 (int8 weights with fp32 outputs): {@code c = clamp((float) acc * scale[j] + bias[j], lo, hi)}
     * with {@code scale = a_scale * w_scale[j]}. C is float32.
     *
     * @param bias float32 bias, or null
     */
    record Dequantize(float[] scale, float[] bias, float lo, float hi) implements Qs8Epilogue {
        public Dequantize {
            Objects.requireNonNull(scale, "scale");
            if (!(lo <= hi)) throw new IllegalArgumentException("clamp [" + lo + ", " + hi + "] is empty");
        }
    }

    /** Bytes per element of C. */
    default int outBytes() {
        return this instanceof Requantize ? 1 : 4;
    }

    /** Checks that per-column arrays have 1 or n entries. */
    default void check(int n) {
        switch (this) {
            case Raw r -> { }
            case Requantize q -> {
                perColumn("scale", q.scale().length, n);
                if (q.bias() != null) perColumn("bias", q.bias().length, n);
            }
            case Dequantize d -> {
                perColumn("scale", d.scale().length, n);
                if (d.bias() != null) perColumn("bias", d.bias().length, n);
            }
        }
    }

    private static void perColumn(String what, int length, int n) {
        if (length != 1 && length != n) throw new IllegalArgumentException(what + " has " + length + " entries; expected 1 or n = " + n);
    }
}
