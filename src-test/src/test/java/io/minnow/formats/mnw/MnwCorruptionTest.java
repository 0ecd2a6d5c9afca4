package io.minnow.formats.mnw;

import io.minnow.formats.FormatsFixtures;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelFormatException;
import io.minnow.formats.mnw.proto.MnwAttribute;
import io.minnow.formats.mnw.proto.MnwGraph;
import io.minnow.formats.mnw.proto.MnwHeader;
import io.minnow.formats.mnw.proto.MnwNode;
import io.minnow.formats.mnw.proto.MnwParam;
import io.minnow.formats.mnw.proto.MnwTensor;
import io.minnow.formats.onnx.OnnxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Damaged .mnw files: every one must give a ModelFormatException (never OOM, never another exception). */
class MnwCorruptionTest {
    @TempDir
    Path tmp;

    private static final ModelDef MODEL = OnnxReader.read(FormatsFixtures.allKindsModel().toByteArray(), "all-kinds.onnx");
    private static final byte[] GOOD = MnwWriter.toBytes(MODEL);

    private static ModelFormatException refused(byte[] file) {
        return assertThrows(ModelFormatException.class, () -> MnwReader.read(file, "bad.mnw"));
    }

    private static void assertRefused(byte[] file, String... fragments) {
        ModelFormatException e = refused(file);
        assertTrue(e.getMessage().startsWith("bad.mnw: "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }

    private static long u64(byte[] file, long off) {
        return MemorySegment.ofArray(file).get(MnwFormat.U64, off);
    }

    private static byte[] setU64(byte[] file, long off, long v) {
        byte[] f = file.clone();
        MemorySegment.ofArray(f).set(MnwFormat.U64, off, v);
        return f;
    }

    private static byte[] setU32(byte[] file, long off, int v) {
        byte[] f = file.clone();
        MemorySegment.ofArray(f).set(MnwFormat.U32, off, v);
        return f;
    }

    private static MnwHeader header(byte[] file) throws Exception {
        int h = (int) u64(file, MnwFormat.OFF_HEADER_LENGTH);
        return MnwHeader.parseFrom(Arrays.copyOfRange(file, MnwFormat.PREAMBLE_BYTES, MnwFormat.PREAMBLE_BYTES + h));
    }

    /** The file with an edited header (preamble lengths and CRC made consistent again, data region kept). */
    private static byte[] withHeader(byte[] file, Consumer<MnwHeader.Builder> edit) throws Exception {
        MnwHeader.Builder b = header(file).toBuilder();
        edit.accept(b);
        byte[] header = b.build().toByteArray();
        long oldData = u64(file, MnwFormat.OFF_DATA_OFFSET);
        long dataLength = u64(file, MnwFormat.OFF_DATA_LENGTH);
        long newData = MnwFormat.align(MnwFormat.PREAMBLE_BYTES + header.length);
        byte[] out = new byte[(int) (newData + dataLength)];
        System.arraycopy(file, 0, out, 0, MnwFormat.PREAMBLE_BYTES);
        System.arraycopy(header, 0, out, MnwFormat.PREAMBLE_BYTES, header.length);
        System.arraycopy(file, (int) oldData, out, (int) newData, (int) dataLength);
        MemorySegment p = MemorySegment.ofArray(out);
        p.set(MnwFormat.U64, MnwFormat.OFF_HEADER_LENGTH, header.length);
        p.set(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET, newData);
        MnwFormat.restampHeaderCrc(out);
        return out;
    }

    /** Index of the first tensor table entry with a non-empty blob. */
    private static int firstNonEmpty() throws Exception {
        MnwHeader h = header(GOOD);
        for (int i = 0; i < h.getTensorsCount(); i++) if (h.getTensors(i).getLength() > 0) return i;
        throw new AssertionError();
    }

    private static byte[] editTensor(Consumer<MnwTensor.Builder> edit) throws Exception {
        int i = firstNonEmpty();
        return withHeader(GOOD, h -> edit.accept(h.getTensorsBuilder(i)));
    }

    @Test
    void goodFileReads() throws Exception {
        assertEquals(null, io.minnow.formats.ModelDefs.difference(MODEL, MnwReader.read(GOOD, "good.mnw")));
        // The test helper itself keeps a file valid when the header is unchanged.
        assertEquals(null, io.minnow.formats.ModelDefs.difference(MODEL, MnwReader.read(withHeader(GOOD, h -> { }), "same.mnw")));
    }

    @Test
    void badMagic() {
        for (int i = 0; i < 8; i++) {
            byte[] f = GOOD.clone();
            f[i] ^= 0x20;
            assertRefused(f, "not a .mnw file");
        }
        byte[] onnx = FormatsFixtures.allKindsModel().toByteArray();
        assertRefused(onnx, "not a .mnw file");
    }

    @Test
    void versionsAndFlags() {
        assertRefused(setU32(GOOD, MnwFormat.OFF_VERSION, 2), "version 2", "newer", "up to version 1");
        assertRefused(setU32(GOOD, MnwFormat.OFF_VERSION, -1), "version 4294967295", "newer");
        assertRefused(setU32(GOOD, MnwFormat.OFF_VERSION, 0), "invalid .mnw format version 0");
        assertRefused(setU32(GOOD, MnwFormat.OFF_FLAGS, 1), "flags");
        byte[] f = GOOD.clone();
        f[60] = 1;
        assertRefused(f, "reserved");
    }

    @Test
    void truncatedAtEveryLength() {
        for (int len = 0; len < GOOD.length; len++) {
            refused(Arrays.copyOf(GOOD, len));
        }
        assertRefused(Arrays.copyOf(GOOD, GOOD.length + 1), "does not end at the end of the file");
    }

    @Test
    void truncatedFileOnDisk() throws Exception {
        Path p = tmp.resolve("cut.mnw");
        MnwWriter.write(MODEL, p);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 10));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> MnwReader.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(p, new byte[10]);
        assertTrue(assertThrows(ModelFormatException.class, () -> MnwReader.read(p)).getMessage().contains("too short"));
    }

    @Test
    void preambleLengths() {
        assertRefused(setU64(GOOD, MnwFormat.OFF_HEADER_LENGTH, Long.MAX_VALUE), "header length");
        assertRefused(setU64(GOOD, MnwFormat.OFF_HEADER_LENGTH, -1), "header length 18446744073709551615");
        assertRefused(setU64(GOOD, MnwFormat.OFF_HEADER_LENGTH, MnwFormat.MAX_HEADER_BYTES), "past the end");
        assertRefused(setU64(GOOD, MnwFormat.OFF_HEADER_LENGTH, u64(GOOD, MnwFormat.OFF_HEADER_LENGTH) + 1));
        assertRefused(setU64(GOOD, MnwFormat.OFF_DATA_OFFSET, u64(GOOD, MnwFormat.OFF_DATA_OFFSET) + 64), "data offset");
        assertRefused(setU64(GOOD, MnwFormat.OFF_DATA_OFFSET, -64), "data offset");
        assertRefused(setU64(GOOD, MnwFormat.OFF_DATA_LENGTH, 100L << 30), "data region");
        assertRefused(setU64(GOOD, MnwFormat.OFF_DATA_LENGTH, -1), "data region");
    }

    @Test
    void headerBytesChangedWithoutChecksum() {
        long h = u64(GOOD, MnwFormat.OFF_HEADER_LENGTH);
        for (long at = MnwFormat.PREAMBLE_BYTES; at < MnwFormat.PREAMBLE_BYTES + h; at += 7) {
            byte[] f = GOOD.clone();
            f[(int) at] ^= 1;
            assertRefused(f, "checksum");
        }
        assertRefused(setU32(GOOD, MnwFormat.OFF_HEADER_CRC, 0x12345678), "checksum");
    }

    @Test
    void dimOfTwoToTheFortyAndOverflow() throws Exception {
        assertRefused(editTensor(t -> t.setDims(0, 1L << 40)), "limit");
        assertRefused(editTensor(t -> t.clearDims().addDims(1L << 40).addDims(1L << 40).addDims(1L << 40)), "overflow");
        assertRefused(editTensor(t -> t.setDims(0, -2)), "negative dimension");
        assertRefused(editTensor(t -> { for (int i = 0; i < 65; i++) t.addDims(1); }), "rank");
    }

    @Test
    void hundredGigabyteTensorFailsFast() throws Exception {
        long bytes = 100L << 30;
        byte[] f = editTensor(t -> t.clearDims().addDims(bytes / 4).setLength(bytes));
        assertRefused(f, "limit");
        // Within the element limit but far larger than the file.
        byte[] g = editTensor(t -> t.clearDims().addDims(Integer.MAX_VALUE).setLength(4L * Integer.MAX_VALUE));
        assertRefused(g, "outside the data region");
    }

    @Test
    void offsetsAndLengths() throws Exception {
        long dataLength = u64(GOOD, MnwFormat.OFF_DATA_LENGTH);
        assertRefused(editTensor(t -> t.setOffset(dataLength + 64)), "outside the data region");
        assertRefused(editTensor(t -> t.setOffset(1L << 62)), "outside the data region");
        assertRefused(editTensor(t -> t.setOffset(-64)), "outside the data region");
        assertRefused(editTensor(t -> t.setOffset(t.getOffset() + 4)), "not a multiple of 64");
        assertRefused(editTensor(t -> t.setLength(t.getLength() + 4)), "needs");
        assertRefused(editTensor(t -> t.setLength(-1)), "18446744073709551615");
        MnwHeader h = header(GOOD);
        int first = firstNonEmpty();
        int second = -1;
        for (int i = first + 1; i < h.getTensorsCount(); i++) {
            if (h.getTensors(i).getLength() > 0 && h.getTensors(i).getLength() <= h.getTensors(first).getLength()) { second = i; break; }
        }
        assertTrue(second > 0);
        int s = second;
        assertRefused(withHeader(GOOD, b -> b.getTensorsBuilder(s).setOffset(h.getTensors(first).getOffset())), "overlaps");
    }

    @Test
    void typesEncodingsAndParams() throws Exception {
        assertRefused(editTensor(t -> t.setEncoding(99)), "unknown encoding id 99");
        assertRefused(editTensor(t -> t.setEncoding(-1)), "unknown encoding id 4294967295");
        assertRefused(editTensor(t -> t.setEncoding(4)), "CSR", "not supported");
        assertRefused(editTensor(t -> t.setEncoding(2)), "Q8", "blob length"); // Q8 is read, but its size formula differs
        assertRefused(editTensor(t -> t.setDataType(99)), "data type id 99");
        assertRefused(editTensor(t -> t.setDataType(8)), "data type id 8");
        assertRefused(editTensor(t -> t.setDataType(7)), "F32 encoding on a INT64");
        assertRefused(editTensor(t -> t.addParams(MnwParam.newBuilder().setKey("group").setI(32))), "takes no parameters");
    }

    @Test
    void graphReferences() throws Exception {
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().addInitializers(1000)), "refers to tensor #1000");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().addInitializers(-1)), "refers to tensor #4294967295");
        assertRefused(withHeader(GOOD, h -> h.clearGraph()), "no graph");
        assertRefused(withHeader(GOOD, h -> h.clearTensors()), "refers to tensor");
        MnwAttribute.Builder tensorAttr = MnwAttribute.newBuilder().setKind(4).setName("value").setTensor(77);
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getNodesBuilder(0).addAttributes(tensorAttr)), "node '", "attribute 'value'", "#77");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getNodesBuilder(0).addAttributes(
                MnwAttribute.newBuilder().setKind(11).setName("sparse"))), "unknown kind id 11");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getNodesBuilder(1).addAttributes(
                MnwAttribute.newBuilder().setKind(1).setName("f"))), "appears twice");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getNodesBuilder(0).setOpType("")), "no op type");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getInputsBuilder(0).setDataType(99)), "value 'x'");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getInputsBuilder(0).getDimsBuilder(0).setValue(-5)), "value 'x'");
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getInputsBuilder(0).setHasShape(false)), "dims but no shape");
        assertRefused(withHeader(GOOD, h -> h.addOpsets(h.getOpsets(0))), "listed twice");
    }

    @Test
    void graphNestingLimit() throws Exception {
        MnwGraph g = MnwGraph.newBuilder().setName("leaf").build();
        for (int i = 0; i < MnwFormat.MAX_GRAPH_DEPTH + 2; i++) {
            g = MnwGraph.newBuilder().setName("level" + i).addNodes(MnwNode.newBuilder().setOpType("If")
                    .addAttributes(MnwAttribute.newBuilder().setKind(5).setName("then_branch").setGraph(g))).build();
        }
        MnwGraph deep = g;
        assertRefused(withHeader(GOOD, h -> h.getGraphBuilder().getNodesBuilder(0).addAttributes(
                MnwAttribute.newBuilder().setKind(5).setName("deep").setGraph(deep))), "nested deeper");
    }

    @Test
    void dataCorruptionIsCaughtWhenVerifying() throws Exception {
        byte[] f = GOOD.clone();
        int at = (int) (u64(GOOD, MnwFormat.OFF_DATA_OFFSET) + header(GOOD).getTensors(firstNonEmpty()).getOffset());
        f[at] ^= 0x40;
        assertRefused(f, "data checksum");
        Path p = tmp.resolve("flip.mnw");
        Files.write(p, f);
        MnwReader.read(p); // the default load does not touch the data
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            assertThrows(ModelFormatException.class, () -> MnwReader.read(p, arena, true));
        }
    }

    /**
     * 2000 random single-byte corruptions of a valid file: a clean read or a ModelFormatException, nothing
     * else. Every other corruption of a header byte is followed by re-stamping the header CRC, so that the
     * structural checks behind the checksum are exercised too.
     */
    @Test
    void fuzzSingleByteCorruptions() {
        Random rnd = new Random(20240601);
        long headerEnd = MnwFormat.PREAMBLE_BYTES + u64(GOOD, MnwFormat.OFF_HEADER_LENGTH);
        int refused = 0, read = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] f = GOOD.clone();
            int at = rnd.nextInt(f.length);
            f[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : f[at] ^ (1 << rnd.nextInt(8)));
            if (at >= MnwFormat.PREAMBLE_BYTES && at < headerEnd && (i & 1) == 0) MnwFormat.restampHeaderCrc(f);
            try {
                MnwReader.read(f, "fuzz.mnw");
                read++;
            } catch (ModelFormatException e) {
                refused++;
            } catch (Throwable t) {
                fail("byte " + at + " -> " + f[at] + ": " + t, t);
            }
        }
        System.out.println("[MnwCorruptionTest] single-byte fuzz: " + refused + " refused, " + read + " read");
        assertTrue(refused > 1000, refused + " refused, " + read + " read");
    }

    /** Multi-byte corruptions confined to the header, always re-stamped: the structural checks alone. */
    @Test
    void fuzzHeaderBehindTheChecksum() {
        Random rnd = new Random(99);
        int h = (int) u64(GOOD, MnwFormat.OFF_HEADER_LENGTH);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] f = GOOD.clone();
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) f[MnwFormat.PREAMBLE_BYTES + rnd.nextInt(h)] = (byte) rnd.nextInt(256);
            MnwFormat.restampHeaderCrc(f);
            try {
                MnwReader.read(f, "fuzz.mnw");
            } catch (ModelFormatException e) {
                refused++;
            } catch (Throwable t) {
                fail("iteration " + i + ": " + t, t);
            }
        }
        System.out.println("[MnwCorruptionTest] header fuzz behind the checksum: " + refused + " of 2000 refused");
        assertTrue(refused > 500, "refused " + refused);
    }
}
