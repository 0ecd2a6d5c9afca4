package io.minnow.formats.quant;

import io.minnow.formats.ModelFormatException;
import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Checks the side data inside a quantized blob that the header cannot vouch for: every scale finite and
 * non-negative, every q4 zero point within 0..15, and the padding nibble of odd-length q4 rows zero (so a
 * blob has exactly one valid form). Codes need no check: every int8 / nibble value is valid.
 * Costs one pass over the scales; run by the decoders and by {@code MnwReader} when asked to verify data.
 */
public final class QuantCheck {
    private QuantCheck() {}

    /**
     * Throws a {@link ModelFormatException} naming the tensor and the offending byte: the file offset when
     * {@code blobFileOffset >= 0} (the blob's position in {@code file}), otherwise the offset inside the blob.
     */
    public static void check(TensorData t, String file, long blobFileOffset) {
        QuantLayout l = QuantLayout.of(t.encoding(), t.type(), t.dims(), t.params());
        MemorySegment b = t.bytes();
        for (long i = 0; i < l.scaleCount(); i++) {
            long at = l.scalesOffset() + 4 * i;
            float s = b.get(TensorData.F32_LE, at);
            if (!(s >= 0) || Float.isInfinite(s)) {
                throw fail(t, file, blobFileOffset, at, "scale #" + i + " is " + s + "; scales must be finite and >= 0");
            }
        }
        if (l.hasZeroPoints()) {
            for (long i = 0; i < l.scaleCount(); i++) {
                long at = l.zeroOffset() + i;
                int z = Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, at));
                if (z > 15) throw fail(t, file, blobFileOffset, at, "zero point #" + i + " is " + z + "; 4-bit zero points are 0..15");
            }
        }
        if (l.encoding() == io.minnow.formats.Encoding.Q4 && (l.cols() & 1) == 1) {
            for (long r = 0; r < l.rows(); r++) {
                long at = r * l.rowBytes() + l.rowBytes() - 1;
                if ((b.get(ValueLayout.JAVA_BYTE, at) & 0xF0) != 0) {
                    throw fail(t, file, blobFileOffset, at, "row " + r + " has " + l.cols() + " codes but its padding nibble is not zero");
                }
            }
        }
    }

    private static ModelFormatException fail(TensorData t, String file, long blobFileOffset, long at, String what) {
        if (blobFileOffset >= 0) return new ModelFormatException(file, null, t.name(), blobFileOffset + at, what);
        return new ModelFormatException(file, null, t.name(), -1, "at byte " + at + " of the " + t.encoding() + " blob: " + what);
    }
}
