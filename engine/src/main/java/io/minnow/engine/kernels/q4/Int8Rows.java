package io.minnow.engine.kernels.q4;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Dynamic symmetric int8 quantization of float rows, the input {@link Q4Gemv} takes when no calibrated scale is
 * known: per row, {@code scale = max |x| / 127} (1 for an all-zero row) and {@code q = clamp(rint(x / scale), -127, 127)}
 * (ONNX QuantizeLinear's division and half-to-even rounding). -128 never appears here, so the row's range is
 * symmetric; the kernels take -128 all the same.
 */
public final class Int8Rows {
    private Int8Rows() {}

    /**
     * Rows [0, m) of x (k floats each, ldx apart, from float offset xOff) into codes q (ldq apart, from byte offset
     * qOff) and their scales into scales[sOff..sOff + m) (floats). Non-finite inputs give a scale that is not finite.
     */
    public static void quantize(int m, int k, MemorySegment x, long xOff, int ldx, MemorySegment q, long qOff, int ldq,
                                MemorySegment scales, long sOff) {
        for (int i = 0; i < m; i++) {
            long row = xOff + (long) i * ldx, out = qOff + (long) i * ldq;
            float max = 0;
            for (int p = 0; p < k; p++) max = Math.max(max, Math.abs(x.getAtIndex(F32, row + p)));
            float s = max == 0 ? 1f : max / 127f;
            for (int p = 0; p < k; p++) {
                float v = (float) Math.rint(x.getAtIndex(F32, row + p) / s);
                q.set(ValueLayout.JAVA_BYTE, out + p, (byte) Math.max(-127f, Math.min(127f, v)));
            }
            scales.setAtIndex(F32, sOff + i, s);
        }
    }
}
