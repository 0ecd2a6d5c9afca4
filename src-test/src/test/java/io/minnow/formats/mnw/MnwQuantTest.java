package io.minnow.formats.mnw;

import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelDefs;
import io.minnow.formats.ModelFormatException;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.mnw.proto.MnwHeader;
import io.minnow.formats.mnw.proto.MnwParam;
import io.minnow.formats.mnw.proto.MnwTensor;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** q8 / q4 tensors in the .mnw container: round trips (bytes, params, mapping) and refused corruptions. */
class MnwQuantTest {
    @TempDir
    Path tmp;

    private static final TensorData Q8 = Q8Codec.encode("w8", random(1, 10 * 27), 10, 3, 3, 3);
    private static final TensorData Q4 = Q4Codec.encode("w4", random(2, 6 * 77), 32, true, 6, 77);
    private static final TensorData Q4S = Q4Codec.encode("w4s", random(3, 3 * 128), 128, false, 3, 128);
    private static final ModelDef MODEL = model(Q8, Q4, Q4S);
    private static final byte[] GOOD = MnwWriter.toBytes(MODEL);

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static ModelDef model(TensorData... inits) {
        ValueInfo x = new ValueInfo("x", DataType.FLOAT, List.of(Dim.of(1)));
        GraphDef g = new GraphDef("g", List.of(), List.of(x), List.of(x), List.of(inits), List.of());
        return new ModelDef(10, Map.of("", 21L), "test", "1", g, Map.of());
    }

    @Test
    void roundTripInMemoryAndMapped() throws Exception {
        ModelDef back = MnwReader.read(GOOD, "q.mnw");
        assertNull(ModelDefs.difference(MODEL, back));
        List<TensorData> inits = back.graph().initializers();
        assertEquals(Map.of("axis", 0L), inits.get(0).params());
        assertEquals(Map.of("group_size", 32L, "zero_point", 1L), inits.get(1).params());
        assertArrayEquals(Q8Codec.decode(Q8), Q8Codec.decode(inits.get(0)));
        assertArrayEquals(Q4Codec.decode(Q4), Q4Codec.decode(inits.get(1)));
        assertArrayEquals(Q4Codec.decode(Q4S), Q4Codec.decode(inits.get(2)));

        Path p = tmp.resolve("q.mnw");
        MnwWriter.write(MODEL, p);
        try (Arena arena = Arena.ofConfined()) {
            ModelDef mapped = MnwReader.read(p, arena, true);
            assertNull(ModelDefs.difference(MODEL, mapped));
            assertEquals(0, mapped.graph().initializers().get(1).bytes().address() % 64);
        }
        MnwHeader h = MnwReader.readHeader(p);
        assertEquals(2, h.getTensors(0).getEncoding());
        assertEquals(3, h.getTensors(1).getEncoding());
    }

    private static MnwHeader header(byte[] file) throws Exception {
        int h = (int) MemorySegment.ofArray(file).get(MnwFormat.U64, MnwFormat.OFF_HEADER_LENGTH);
        return MnwHeader.parseFrom(Arrays.copyOfRange(file, MnwFormat.PREAMBLE_BYTES, MnwFormat.PREAMBLE_BYTES + h));
    }

    /** GOOD with tensor i's table entry edited (preamble and header CRC made consistent, data kept). */
    private static byte[] editTensor(int i, Consumer<MnwTensor.Builder> edit) throws Exception {
        MnwHeader.Builder b = header(GOOD).toBuilder();
        edit.accept(b.getTensorsBuilder(i));
        byte[] header = b.build().toByteArray();
        MemorySegment old = MemorySegment.ofArray(GOOD);
        long oldData = old.get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        long dataLength = old.get(MnwFormat.U64, MnwFormat.OFF_DATA_LENGTH);
        long newData = MnwFormat.align(MnwFormat.PREAMBLE_BYTES + header.length);
        byte[] out = new byte[(int) (newData + dataLength)];
        System.arraycopy(GOOD, 0, out, 0, MnwFormat.PREAMBLE_BYTES);
        System.arraycopy(header, 0, out, MnwFormat.PREAMBLE_BYTES, header.length);
        System.arraycopy(GOOD, (int) oldData, out, (int) newData, (int) dataLength);
        MemorySegment p = MemorySegment.ofArray(out);
        p.set(MnwFormat.U64, MnwFormat.OFF_HEADER_LENGTH, header.length);
        p.set(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET, newData);
        MnwFormat.restampHeaderCrc(out);
        return out;
    }

    private static void assertRefused(byte[] file, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> MnwReader.read(file, "bad.mnw"));
        assertTrue(e.getMessage().startsWith("bad.mnw: "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }

    private static MnwParam.Builder param(String key, long v) {
        return MnwParam.newBuilder().setKey(key).setI(v);
    }

    @Test
    void headerCorruptionsAreRefused() throws Exception {
        assertRefused(editTensor(1, t -> t.clearParams().addParams(param("group_size", 48)).addParams(param("zero_point", 1))),
                "tensor 'w4'", "group_size is 48");
        assertRefused(editTensor(1, t -> t.clearParams().addParams(param("zero_point", 1))), "tensor 'w4'", "needs parameter group_size");
        assertRefused(editTensor(1, t -> t.addParams(param("bits", 4))), "unknown Q4 parameter 'bits'");
        assertRefused(editTensor(1, t -> t.addParams(param("group_size", 32))), "'group_size' appears twice");
        assertRefused(editTensor(1, t -> t.addParams(MnwParam.newBuilder().setKey("scale").setD(1.0))), "'scale' is D");
        assertRefused(editTensor(1, t -> t.addParams(MnwParam.newBuilder().setI(1))), "parameter without a key");
        assertRefused(editTensor(1, t -> {
            for (int i = 0; i <= MnwFormat.MAX_PARAMS; i++) t.addParams(param("k" + i, 0));
        }), "the limit is " + MnwFormat.MAX_PARAMS);
        // Group size 64 is valid but changes the number of scales: the length no longer matches.
        assertRefused(editTensor(1, t -> t.clearParams().addParams(param("group_size", 64)).addParams(param("zero_point", 1))),
                "tensor 'w4'", "blob length", "needs");
        assertRefused(editTensor(1, t -> t.clearParams().addParams(param("group_size", 32))), "blob length"); // zero points dropped
        assertRefused(editTensor(0, t -> t.setDims(1, 4)), "tensor 'w8'", "blob length");
        assertRefused(editTensor(0, t -> t.setLength(t.getLength() - 1)), "blob length");
        assertRefused(editTensor(0, t -> t.clearParams().addParams(param("axis", 1))), "only 0");
        assertRefused(editTensor(0, t -> t.setDataType(DataType.INT8.onnxId)), "Q8 encodes FLOAT tensors, not INT8");
        assertRefused(editTensor(0, t -> t.clearDims()), "rank >= 1");
        assertRefused(editTensor(0, t -> t.setDims(0, Long.MAX_VALUE / 4)), "overflow");
    }

    /** GOOD with data bytes changed at offset {@code at} of tensor i's blob (blob CRC fixed so content checks run). */
    private static byte[] editBlob(int i, long at, Consumer<MemorySegment> edit) throws Exception {
        byte[] f = GOOD.clone();
        MemorySegment s = MemorySegment.ofArray(f);
        long data = s.get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        MnwTensor t = header(GOOD).getTensors(i);
        MemorySegment blob = s.asSlice(data + t.getOffset(), t.getLength());
        edit.accept(blob.asSlice(at));
        int crc = MnwFormat.crc32c(blob);
        return editTensorOf(f, i, crc);
    }

    private static byte[] editTensorOf(byte[] file, int i, int crc) throws Exception {
        MnwHeader.Builder b = header(file).toBuilder();
        b.getTensorsBuilder(i).setCrc32C(crc);
        byte[] header = b.build().toByteArray();
        assertEquals(header(file).getSerializedSize(), header.length); // fixed32: same size, layout unchanged
        System.arraycopy(header, 0, file, MnwFormat.PREAMBLE_BYTES, header.length);
        MnwFormat.restampHeaderCrc(file);
        return file;
    }

    @Test
    void contentCorruptionsAreRefusedWithFileOffsets() throws Exception {
        long data = MemorySegment.ofArray(GOOD).get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        MnwHeader h = header(GOOD);
        QuantLayout l8 = Q8Codec.layout(Q8);
        byte[] nan = editBlob(0, l8.scalesOffset() + 8, b -> b.set(TensorData.F32_LE, 0, Float.NaN));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> MnwReader.read(nan, "bad.mnw"));
        assertEquals("w8", e.tensor());
        assertEquals(data + h.getTensors(0).getOffset() + l8.scalesOffset() + 8, e.offset());
        assertTrue(e.getMessage().contains("scale #2 is NaN"), e.getMessage());

        QuantLayout l4 = Q4Codec.layout(Q4);
        assertRefused(editBlob(1, l4.zeroOffset() + 5, b -> b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0xF0)),
                "tensor 'w4'", "zero point #5 is 240");
        assertRefused(editBlob(1, l4.rowBytes() - 1, b -> b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0xFF)),
                "tensor 'w4'", "row 0", "padding nibble");
        assertRefused(editBlob(2, Q4Codec.layout(Q4S).scalesOffset(), b -> b.set(TensorData.F32_LE, 0, -2f)), "tensor 'w4s'", "scale #0 is -2.0");
        // Codes are never invalid: any byte there reads.
        MnwReader.read(editBlob(0, 0, b -> b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) -128)), "ok.mnw");
    }

    @Test
    void fuzzedQuantHeadersNeverThrowAnythingElse() throws Exception {
        Random r = new Random(7);
        for (int n = 0; n < 300; n++) {
            int i = r.nextInt(3);
            long v = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(300) - 10;
                case 1 -> Long.MAX_VALUE - r.nextInt(3);
                case 2 -> Long.MIN_VALUE;
                default -> 1L << r.nextInt(63);
            };
            int what = r.nextInt(4);
            byte[] f = editTensor(i, t -> {
                switch (what) {
                    case 0 -> t.setDims(r.nextInt(t.getDimsCount()), v);
                    case 1 -> t.setParams(0, t.getParams(0).toBuilder().setI(v));
                    case 2 -> t.setLength(v);
                    default -> t.addDims(v);
                }
            });
            try {
                MnwReader.read(f, "fuzz.mnw");
            } catch (ModelFormatException expected) {
                // the only acceptable failure
            }
        }
    }
}
