package io.minnow.formats.quant;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;

/**
 * Reference encoder and decoder of {@link Encoding#Q4}: 4-bit codes in groups of G along each row
 * (N = dims[0] rows of K = the product of the other dims, see {@link QuantLayout}), one float32 scale per group (and, with zero points, one uint8 zero point 0..15 per group).
 * <ul>
 * <li>Symmetric (no zero point): codes are signed nibbles -8..7; {@code scale = max|w| / 7},
 *     {@code q = clamp(rint(w / scale), -8, 7)}; decode {@code w = q * scale}.</li>
 * <li>Asymmetric (zero point): codes are unsigned nibbles 0..15; with {@code lo = min(min w, 0)},
 *     {@code hi = max(max w, 0)} (0 stays exactly representable, so zero padding and ReLU outputs survive):
 *     {@code scale = (hi - lo) / 15}, {@code z = clamp(rint(-lo / scale), 0, 15)},
 *     {@code q = clamp(rint(w / scale) + z, 0, 15)}; decode {@code w = (q - z) * scale}.</li>
 * </ul>
 * Rounding is half to even (Math.rint); an all-zero group gets scale 0, zero point 0 and codes 0 (or -0).
 * Plain loops: the oracle for kernels and the compressor, not a fast path.
 */
public final class Q4Codec {
    private Q4Codec() {}

    /** Encodes row-major float32 {@code values} of shape {@code dims} (rank >= 1, finite values). */
    public static TensorData encode(String name, float[] values, int groupSize, boolean zeroPoint, long... dims) {
        Map<String, Long> params = Map.of(QuantLayout.GROUP_SIZE, (long) groupSize, QuantLayout.ZERO_POINT, zeroPoint ? 1L : 0L);
        QuantLayout l = QuantLayout.of(Encoding.Q4, DataType.FLOAT, dims, params);
        if (values.length != l.rows() * l.cols()) throw new MinnowException(values.length + " values do not fill " + Arrays.toString(dims));
        MemorySegment b = Arena.ofAuto().allocate(Math.max(1, l.byteSize()), 64).asSlice(0, l.byteSize());
        int k = (int) l.cols();
        for (int r = 0; r < l.rows(); r++) {
            for (int g = 0; g < l.groups(); g++) {
                int from = g * groupSize, to = Math.min(k, from + groupSize);
                float lo = 0, hi = 0;
                for (int c = from; c < to; c++) {
                    float v = values[r * k + c];
                    if (!Float.isFinite(v)) throw new MinnowException("tensor '" + name + "': cannot quantize " + v + " at index " + (r * k + c));
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                long gi = (long) r * l.groups() + g;
                float scale;
                int z = 0;
                if (zeroPoint) {
                    scale = (hi - lo) / 15;
                    if (scale != 0) z = Q8Codec.clamp((int) Math.rint(-lo / scale), 0, 15);
                    b.set(ValueLayout.JAVA_BYTE, l.zeroOffset() + gi, (byte) z);
                } else {
                    scale = Math.max(-lo, hi) / 7;
                }
                b.set(TensorData.F32_LE, l.scalesOffset() + 4 * gi, scale);
                for (int c = from; c < to; c++) {
                    int q;
                    if (scale == 0) q = z;
                    else if (zeroPoint) q = Q8Codec.clamp((int) Math.rint(values[r * k + c] / scale) + z, 0, 15);
                    else q = Q8Codec.clamp((int) Math.rint(values[r * k + c] / scale), -8, 7);
                    setCode(b, l, r, c, q);
                }
            }
        }
        return new TensorData(name, DataType.FLOAT, dims, Encoding.Q4, b, params);
    }

    /** Decodes to row-major float32 after checking scales, zero points and padding ({@link QuantCheck}). */
    public static float[] decode(TensorData t) {
        QuantLayout l = layout(t);
        QuantCheck.check(t, null, -1);
        float[] out = new float[Math.toIntExact(l.rows() * l.cols())];
        for (long r = 0; r < l.rows(); r++) {
            for (long c = 0; c < l.cols(); c++) {
                long gi = r * l.groups() + c / l.groupSize();
                float s = t.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * gi);
                int z = l.hasZeroPoints() ? Byte.toUnsignedInt(t.bytes().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + gi)) : 0;
                out[(int) (r * l.cols() + c)] = (code(t, l, r, c) - z) * s;
            }
        }
        return out;
    }

    /** The layout of a Q4 tensor (throws when {@code t} is not one). */
    public static QuantLayout layout(TensorData t) {
        if (t.encoding() != Encoding.Q4) throw new MinnowException("tensor '" + t.name() + "' is " + t.encoding() + ", not Q4");
        return QuantLayout.of(Encoding.Q4, t.type(), t.dims(), t.params());
    }

    /** Code at (row r, column c): -8..7 without zero points, 0..15 with them. */
    public static int code(TensorData t, QuantLayout l, long r, long c) {
        int b = t.bytes().get(ValueLayout.JAVA_BYTE, r * l.rowBytes() + (c >> 1));
        int nibble = (c & 1) == 0 ? b & 0xF : (b >> 4) & 0xF;
        return l.hasZeroPoints() ? nibble : (nibble << 28) >> 28; // sign-extend the nibble
    }

    private static void setCode(MemorySegment b, QuantLayout l, long r, long c, int q) {
        long at = r * l.rowBytes() + (c >> 1);
        int old = b.get(ValueLayout.JAVA_BYTE, at);
        int v = (c & 1) == 0 ? (old & 0xF0) | (q & 0xF) : (old & 0x0F) | ((q & 0xF) << 4);
        b.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }
}
