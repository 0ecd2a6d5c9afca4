package io.minnow.engine.ops.quant;

import io.minnow.formats.DataType;

/** Integer ranges, saturation and rounding shared by the quantization ops. */
final class QuantTypes {
    private QuantTypes() {}

    /** Quantized element types these ops read and write: 8-bit always, 16-bit (opset 21). */
    static boolean isQuantized(DataType t) {
        return t == DataType.UINT8 || t == DataType.INT8 || t == DataType.UINT16 || t == DataType.INT16;
    }

    /** 8-bit types only (MatMulInteger, ConvInteger, QLinear*). */
    static boolean isByte(DataType t) {
        return t == DataType.UINT8 || t == DataType.INT8;
    }

    static long min(DataType t) {
        return switch (t) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> 0;
        };
    }

    static long max(DataType t) {
        return switch (t) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 255;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65535;
            case INT32 -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException("not a quantized type: " + t);
        };
    }

    /**
     * {@code saturate(rint(v) + zeroPoint)}: round half to even (ONNX and numpy's rint), then clamp to the
     * type's range. NaN becomes the zero point (as ONNX Runtime's saturating conversion gives for NaN · 0 scale).
     */
    static long quantize(double v, long zeroPoint, DataType t) {
        if (Double.isNaN(v)) return Math.clamp(zeroPoint, min(t), max(t));
        double r = Math.rint(v) + zeroPoint;
        return (long) Math.max(min(t), Math.min(max(t), r));
    }
}
