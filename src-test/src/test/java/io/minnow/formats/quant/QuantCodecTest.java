package io.minnow.formats.quant;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelFormatException;
import io.minnow.formats.TensorData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference q8 / q4 encode-decode: layout sizes, exact codes, error bounds, edge shapes, content checks. */
class QuantCodecTest {
    private static float[] random(Random r, int n, float amp) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (r.nextFloat() * 2 - 1) * amp;
        return v;
    }

    @Test
    void sizeFormulas() {
        assertEquals(64 + 4 * 3, Encoding.Q8.byteSize(DataType.FLOAT, new long[] {3, 5}, Map.of()));
        assertEquals(192 + 4 * 10, Encoding.Q8.byteSize(DataType.FLOAT, new long[] {10, 2, 3, 3}, Map.of("axis", 0L)));
        assertEquals(4 * 7, Encoding.Q8.byteSize(DataType.FLOAT, new long[] {7, 0}, Map.of()));
        // q4 [4, 100], G = 32: rows of 50 bytes, 4 groups per row.
        assertEquals(256 + 4 * 16, Encoding.Q4.byteSize(DataType.FLOAT, new long[] {4, 100}, Map.of("group_size", 32L)));
        assertEquals(256 + 64 + 16, Encoding.Q4.byteSize(DataType.FLOAT, new long[] {4, 100},
                Map.of("group_size", 32L, "zero_point", 1L)));
        assertEquals(0, Encoding.Q4.byteSize(DataType.FLOAT, new long[] {5, 0}, Map.of("group_size", 64L, "zero_point", 1L)));
        // q4 rows are dims[0], K the product of the rest: [2, 3, 129] is 2 rows of K = 387 (194 bytes, 4 groups of 128).
        QuantLayout l = QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {2, 3, 129}, Map.of("group_size", 128L, "zero_point", 1L));
        assertEquals(2, l.rows());
        assertEquals(387, l.cols());
        assertEquals(194, l.rowBytes());
        assertEquals(4, l.groups());
        assertEquals(448, l.scalesOffset());
        assertEquals(512, l.zeroOffset());
        assertEquals(512 + 8, l.byteSize());
        // A 1x1 conv weight [co, ci, 1, 1] is the [co, ci] GEMM weight; a rank-1 tensor is N rows of K = 1.
        QuantLayout conv = QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {8, 64, 1, 1}, Map.of("group_size", 32L));
        assertEquals(8, conv.rows());
        assertEquals(64, conv.cols());
        assertEquals(2, conv.groups());
        assertEquals(QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {8, 64}, Map.of("group_size", 32L)), conv);
        QuantLayout vec = QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {5}, Map.of("group_size", 32L));
        assertEquals(5, vec.rows());
        assertEquals(1, vec.cols());
        assertThrows(UnsupportedOperationException.class, () -> Encoding.Q8.byteSize(DataType.FLOAT, 10));
    }

    @Test
    void layoutRefusesBadParameters() {
        assertBad(Encoding.Q8, DataType.FLOAT, new long[] {}, Map.of(), "rank >= 1");
        assertBad(Encoding.Q8, DataType.INT8, new long[] {2}, Map.of(), "encodes FLOAT tensors");
        assertBad(Encoding.Q8, DataType.FLOAT, new long[] {2, 2}, Map.of("axis", 1L), "only 0");
        assertBad(Encoding.Q8, DataType.FLOAT, new long[] {2, 2}, Map.of("group_size", 32L), "unknown Q8 parameter 'group_size'");
        assertBad(Encoding.Q4, DataType.FLOAT, new long[] {2, 64}, Map.of(), "needs parameter group_size");
        assertBad(Encoding.Q4, DataType.FLOAT, new long[] {2, 64}, Map.of("group_size", 16L), "group_size is 16");
        assertBad(Encoding.Q4, DataType.FLOAT, new long[] {2, 64}, Map.of("group_size", 32L, "zero_point", 2L), "zero_point is 2");
        assertBad(Encoding.Q4, DataType.FLOAT, new long[] {2, 64}, Map.of("group_size", 32L, "axis", 0L), "unknown Q4 parameter 'axis'");
        assertThrows(ArithmeticException.class, () -> QuantLayout.of(Encoding.Q8, DataType.FLOAT,
                new long[] {Long.MAX_VALUE / 2, 4}, Map.of()));
    }

    private static void assertBad(Encoding e, DataType t, long[] dims, Map<String, Long> p, String fragment) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.byteSize(t, dims, p));
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
    }

    @Test
    void q8ExactCodesAndRoundHalfToEven() {
        // Row 0: max 127 -> scale 1; 2.5 -> 2 and 3.5 -> 4 (half to even), -127 stays. Row 1: all zero.
        float[] w = {127f, 2.5f, 3.5f, -127f, 0, 0, 0, 0};
        TensorData t = Q8Codec.encode("w", w, 2, 4);
        assertEquals(Map.of("axis", 0L), t.params());
        assertEquals(1f, Q8Codec.scale(t, Q8Codec.layout(t), 0));
        assertEquals(0f, Q8Codec.scale(t, Q8Codec.layout(t), 1));
        assertArrayEquals(new float[] {127, 2, 4, -127, 0, 0, 0, 0}, Q8Codec.decode(t));
        assertEquals(-127, Q8Codec.code(t, 3));
    }

    @Test
    void q8ErrorWithinHalfAStep() {
        Random r = new Random(1);
        for (long[] dims : new long[][] {{1, 1}, {3, 7}, {17, 3, 3}, {64, 129}, {5}}) {
            int n = (int) (dims.length == 1 ? dims[0] : dims[0] * (dims.length == 2 ? dims[1] : dims[1] * dims[2]));
            float[] w = random(r, n, 3f);
            TensorData t = Q8Codec.encode("w", w, dims);
            float[] d = Q8Codec.decode(t);
            QuantLayout l = Q8Codec.layout(t);
            for (int i = 0; i < n; i++) {
                float s = Q8Codec.scale(t, l, i / l.cols());
                assertTrue(Math.abs(d[i] - w[i]) <= s * 0.5f * 1.0001f + 1e-7f, "element " + i);
                assertTrue(Math.abs(Q8Codec.code(t, i)) <= 127);
            }
        }
    }

    @Test
    void q4SymmetricExactCodes() {
        // One group of 32: max 7 -> scale 1. Codes -7..7; 0.5 -> 0, 1.5 -> 2 (half to even); odd K = 33 -> padding nibble.
        float[] w = new float[33];
        w[0] = 7; w[1] = -7; w[2] = 0.5f; w[3] = 1.5f; w[4] = -3; w[32] = 4; // second group: max 4 -> scale 4/7
        TensorData t = Q4Codec.encode("w", w, 32, false, 1, 33);
        QuantLayout l = Q4Codec.layout(t);
        assertEquals(2, l.groups());
        assertEquals(17, l.rowBytes());
        assertEquals(7, Q4Codec.code(t, l, 0, 0));
        assertEquals(-7, Q4Codec.code(t, l, 0, 1));
        assertEquals(0, Q4Codec.code(t, l, 0, 2));
        assertEquals(2, Q4Codec.code(t, l, 0, 3));
        assertEquals(7, Q4Codec.code(t, l, 0, 32));
        // Low nibble first: byte 0 holds code 0 (7) in bits 0-3 and code 1 (-7 = 0x9) in bits 4-7.
        assertEquals((byte) 0x97, t.bytes().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(0, t.bytes().get(ValueLayout.JAVA_BYTE, 16) & 0xF0);
        float[] d = Q4Codec.decode(t);
        assertEquals(7f, d[0]);
        assertEquals(-3f, d[4]);
        assertEquals(4f, d[32], 1e-6f);
    }

    @Test
    void q4AsymmetricKeepsZeroExact() {
        float[] w = new float[64];
        for (int i = 0; i < 64; i++) w[i] = i % 4 == 0 ? 0 : 1 + i / 8f; // all >= 0: lo = 0, zero point 0
        TensorData t = Q4Codec.encode("w", w, 64, true, 1, 64);
        QuantLayout l = Q4Codec.layout(t);
        assertEquals(0, t.bytes().get(ValueLayout.JAVA_BYTE, l.zeroOffset()));
        float[] d = Q4Codec.decode(t);
        for (int i = 0; i < 64; i += 4) assertEquals(0f, d[i]);
        float[] neg = new float[64];
        for (int i = 0; i < 64; i++) neg[i] = -1 - i / 16f; // all < 0: hi = 0 -> zero point 15
        TensorData tn = Q4Codec.encode("n", neg, 64, true, 1, 64);
        assertEquals(15, tn.bytes().get(ValueLayout.JAVA_BYTE, Q4Codec.layout(tn).zeroOffset()));
    }

    @Test
    void q4ErrorWithinHalfAStepEveryGroupSize() {
        Random r = new Random(2);
        for (int g : QuantLayout.GROUP_SIZES) {
            for (boolean zp : new boolean[] {false, true}) {
                for (long[] dims : new long[][] {{1, 1}, {3, 31}, {2, 2, 129}, {7, 256}, {4, 0}, {6, 5, 3, 3}, {9}}) {
                    int n = (int) java.util.Arrays.stream(dims).reduce(1, (a, b) -> a * b);
                    float[] w = random(r, n, 2f);
                    if (n > 3) w[3] = 2f; // an extreme
                    TensorData t = Q4Codec.encode("w", w, g, zp, dims);
                    QuantLayout l = Q4Codec.layout(t);
                    assertEquals(l.byteSize(), t.bytes().byteSize());
                    float[] d = Q4Codec.decode(t);
                    for (int i = 0; i < n; i++) {
                        long row = i / l.cols(), col = i % l.cols();
                        float s = t.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * (row * l.groups() + col / g));
                        assertTrue(Math.abs(d[i] - w[i]) <= s * 0.5f * 1.0001f + 1e-7f,
                                "G=" + g + " zp=" + zp + " element " + i + ": " + w[i] + " -> " + d[i]);
                    }
                }
            }
        }
    }

    @Test
    void encodersRefuseNonFiniteValuesAndWrongCounts() {
        assertThrows(MinnowException.class, () -> Q8Codec.encode("w", new float[] {Float.NaN}, 1, 1));
        assertThrows(MinnowException.class, () -> Q4Codec.encode("w", new float[] {Float.POSITIVE_INFINITY}, 32, false, 1, 1));
        assertThrows(MinnowException.class, () -> Q8Codec.encode("w", new float[3], 2, 2));
        assertThrows(MinnowException.class, () -> Q4Codec.encode("w", new float[3], 32, true, 2, 2));
    }

    /** A copy of t's blob with one change, as a new tensor. */
    private static TensorData patched(TensorData t, java.util.function.Consumer<MemorySegment> edit) {
        MemorySegment b = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, t.bytes().byteSize())).asSlice(0, t.bytes().byteSize());
        MemorySegment.copy(t.bytes(), 0, b, 0, b.byteSize());
        edit.accept(b);
        return new TensorData(t.name(), t.type(), t.dims(), t.encoding(), b, t.params());
    }

    @Test
    void decodersRefuseBadSideData() {
        TensorData q8 = Q8Codec.encode("w8", random(new Random(3), 6, 1), 2, 3);
        long s8 = Q8Codec.layout(q8).scalesOffset();
        for (float bad : new float[] {Float.NaN, -1f, Float.POSITIVE_INFINITY}) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> Q8Codec.decode(patched(q8, b -> b.set(TensorData.F32_LE, s8 + 4, bad))));
            assertTrue(e.getMessage().contains("tensor 'w8'") && e.getMessage().contains("at byte " + (s8 + 4))
                    && e.getMessage().contains("scale #1"), e.getMessage());
        }
        TensorData q4 = Q4Codec.encode("w4", random(new Random(4), 2 * 33, 1), 32, true, 2, 33);
        QuantLayout l = Q4Codec.layout(q4);
        ModelFormatException z = assertThrows(ModelFormatException.class,
                () -> Q4Codec.decode(patched(q4, b -> b.set(ValueLayout.JAVA_BYTE, l.zeroOffset() + 3, (byte) 16))));
        assertTrue(z.getMessage().contains("zero point #3 is 16"), z.getMessage());
        ModelFormatException p = assertThrows(ModelFormatException.class,
                () -> Q4Codec.decode(patched(q4, b -> b.set(ValueLayout.JAVA_BYTE, l.rowBytes() * 2 - 1, (byte) 0x10))));
        assertTrue(p.getMessage().contains("row 1") && p.getMessage().contains("padding nibble"), p.getMessage());
    }

    @Test
    void tensorDataChecksLengthAgainstTheLayout() {
        TensorData q4 = Q4Codec.encode("w", new float[64], 32, false, 1, 64);
        MinnowException e = assertThrows(MinnowException.class, () -> new TensorData("w", DataType.FLOAT, new long[] {1, 64},
                Encoding.Q4, q4.bytes().asSlice(0, q4.bytes().byteSize() - 1), q4.params()));
        assertTrue(e.getMessage().contains("needs"), e.getMessage());
        MinnowException p = assertThrows(MinnowException.class, () -> new TensorData("w", DataType.FLOAT, new long[] {1, 64},
                Encoding.Q4, q4.bytes(), Map.of("group_size", 48L)));
        assertTrue(p.getMessage().contains("tensor 'w'") && p.getMessage().contains("group_size is 48"), p.getMessage());
        assertEquals(q4, q4.withName("w"));
        assertTrue(q4.describe().contains("group_size=32"), q4.describe());
    }
}
