package io.minnow.formats.quant;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Reference encoder and decoder of {@link Encoding#Q8}: int8 codes, one symmetric float32 scale per output
 * channel (row of axis 0). Encode: {@code scale = max|w| / 127}, {@code q = clamp(rint(w / scale), -127, 127)}
 * (round half to even; -128 is never produced, so negating a code cannot overflow — a kernel may rely on
 * it); an all-zero row gets scale 0 and codes 0. Decode: {@code w = q * scale} in float32.
 * Plain loops: this is the oracle the kernels and the compressor are tested against, not a fast path.
 */
public final class Q8Codec {
    private Q8Codec() {}

    /** Largest code magnitude the encoder produces. */
    public static final int QMAX = 127;

    /** Encodes row-major float32 {@code values} of shape {@code dims} (rank >= 1; finite values). */
    public static TensorData encode(String name, float[] values, long... dims) {
        Map<String, Long> params = Map.of(QuantLayout.AXIS, 0L);
        QuantLayout l = QuantLayout.of(Encoding.Q8, DataType.FLOAT, dims, params);
        if (values.length != l.rows() * l.cols()) {
            throw new MinnowException(values.length + " values do not fill " + java.util.Arrays.toString(dims));
        }
        MemorySegment b = Arena.ofAuto().allocate(Math.max(1, l.byteSize()), 64).asSlice(0, l.byteSize());
        int k = (int) l.cols();
        for (int r = 0; r < l.rows(); r++) {
            float max = 0;
            for (int c = 0; c < k; c++) {
                float v = values[r * k + c];
                if (!Float.isFinite(v)) throw new MinnowException("tensor '" + name + "': cannot quantize " + v + " at index " + (r * k + c));
                max = Math.max(max, Math.abs(v));
            }
            float scale = max / QMAX;
            b.set(TensorData.F32_LE, l.scalesOffset() + 4L * r, scale);
            for (int c = 0; c < k; c++) {
                int q = scale == 0 ? 0 : clamp((int) Math.rint(values[r * k + c] / scale), -QMAX, QMAX);
                b.set(ValueLayout.JAVA_BYTE, (long) r * k + c, (byte) q);
            }
        }
        return new TensorData(name, DataType.FLOAT, dims, Encoding.Q8, b, params);
    }

    /** Decodes to row-major float32 after checking the scales ({@link QuantCheck}). */
    public static float[] decode(TensorData t) {
        QuantLayout l = layout(t);
        QuantCheck.check(t, null, -1);
        float[] out = new float[Math.toIntExact(l.rows() * l.cols())];
        for (long r = 0; r < l.rows(); r++) {
            float s = scale(t, l, r);
            for (long c = 0; c < l.cols(); c++) {
                long i = r * l.cols() + c;
                out[(int) i] = code(t, i) * s;
            }
        }
        return out;
    }

    /** The layout of a Q8 tensor (throws when {@code t} is not one). */
    public static QuantLayout layout(TensorData t) {
        if (t.encoding() != Encoding.Q8) throw new MinnowException("tensor '" + t.name() + "' is " + t.encoding() + ", not Q8");
        return QuantLayout.of(Encoding.Q8, t.type(), t.dims(), t.params());
    }

    /** Code of flat element i (row-major). */
    public static int code(TensorData t, long i) {
        return t.bytes().get(ValueLayout.JAVA_BYTE, i);
    }

    /** Scale of row r. */
    public static float scale(TensorData t, QuantLayout l, long r) {
        return t.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * r);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
