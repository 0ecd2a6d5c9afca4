package io.minnow.formats.mnw;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.FormatsFixtures;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelDefs;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.Attribute;
import io.minnow.formats.mnw.proto.MnwHeader;
import io.minnow.formats.mnw.proto.MnwTensor;
import io.minnow.formats.onnx.OnnxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MnwRoundTripTest {
    @TempDir
    Path tmp;

    /** ONNX test models (those with initializers first, then node tests with attributes) -> .mnw -> equal ModelDef. */
    @Test
    void roundTripsTestModels() throws Exception {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        int withInitializers = 0, withTensorAttributes = 0, n = 0;
        for (var e : FormatsFixtures.readableModels()) {
            ModelDef a = OnnxReader.read(e.getValue(), e.getKey());
            if (n < 60) { // through a file and a memory mapping (the first 60 are the models with initializers)
                Path p = tmp.resolve("m" + n + ".mnw");
                MnwWriter.write(a, p);
                ModelDef b = MnwReader.read(p);
                ModelDefs.assertEquivalent(a, b);
                assertEquals(a, b, e.getKey());
                assertAligned(p);
            }
            ModelDef c = MnwReader.read(MnwWriter.toBytes(a), e.getKey()); // in memory, data CRCs checked
            ModelDefs.assertEquivalent(a, c);
            if (!a.graph().initializers().isEmpty()) withInitializers++;
            if (a.graph().nodes().stream().anyMatch(nd -> nd.attributes().values().stream()
                    .anyMatch(at -> at.kind() == Attribute.Kind.TENSOR))) withTensorAttributes++;
            n++;
        }
        assertTrue(n > 900, "models: " + n);
        assertTrue(withInitializers >= 30, "models with initializers: " + withInitializers);
        assertTrue(withTensorAttributes >= 5, "models with tensor attributes: " + withTensorAttributes);
    }

    @Test
    void roundTripsEveryAttributeKindAndSubgraph() {
        ModelDef a = OnnxReader.read(FormatsFixtures.allKindsModel().toByteArray(), "all-kinds.onnx");
        Path p = tmp.resolve("all.mnw");
        MnwWriter.write(a, p);
        ModelDef b = MnwReader.read(p);
        ModelDefs.assertEquivalent(a, b);
        GraphDef sub = b.graph().nodes().get(1).attr("g").asGraph();
        assertArrayEquals(new float[] {1.5f, -2f}, sub.initializers().get(0).toFloatArray());
        ModelDefs.assertEquivalent(a, MnwReader.read(MnwWriter.toBytes(a), "in-memory"));
        try (Arena arena = Arena.ofConfined()) {
            ModelDef c = MnwReader.read(p, arena, true);
            ModelDefs.assertEquivalent(a, c);
        }
    }

    @Test
    void blobsAreAlignedAndTensorsAreSlicesOfTheMapping() throws Exception {
        ModelDef a = OnnxReader.read(FormatsFixtures.allKindsModel().toByteArray(), "all-kinds.onnx");
        Path p = tmp.resolve("aligned.mnw");
        MnwWriter.write(a, p);
        assertAligned(p);
        ModelDef b = MnwReader.read(p);
        for (TensorData t : b.graph().initializers()) {
            assertTrue(t.bytes().isMapped() || t.bytes().byteSize() == 0, t + " is mapped");
            assertTrue(t.bytes().isReadOnly(), t + " is read-only");
            assertEquals(0, t.bytes().address() % MnwFormat.ALIGNMENT, t + " address aligned");
        }
    }

    @Test
    void sharedTensorIsStoredOnce() {
        TensorData w = TensorData.ofFloats("w", new float[] {1, 2, 3}, 3);
        NodeDef c = new NodeDef("c", "Constant", "", List.of(), List.of("k"), Map.of("value", Attribute.of("value", w)));
        GraphDef g = new GraphDef("g", List.of(c), List.of(), List.of(), List.of(w), List.of());
        ModelDef m = new ModelDef(8, Map.of("", 13L), "", "", g, Map.of());
        byte[] file = MnwWriter.toBytes(m);
        ModelDef back = MnwReader.read(file, "shared");
        ModelDefs.assertEquivalent(m, back);
        assertSame(back.graph().initializers().get(0), back.graph().nodes().get(0).attr("value").asTensor());
    }

    @Test
    void heapAndLargeTensorsRoundTrip() throws Exception {
        float[] big = new float[3_000_001];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f;
        TensorData t1 = TensorData.ofFloats("big", big, 3_000_001);
        TensorData t2 = new TensorData("heap", DataType.FLOAT, new long[] {2, 2}, Encoding.F32, MemorySegment.ofArray(new float[] {1, 2, 3, 4}));
        TensorData t3 = new TensorData("bytes", DataType.INT8, new long[] {3}, Encoding.RAW, MemorySegment.ofArray(new byte[] {-1, 0, 1}));
        GraphDef g = new GraphDef("g", List.of(), List.of(), List.of(), List.of(t1, t2, t3), List.of());
        ModelDef m = new ModelDef(8, Map.of("", 13L), "", "", g, Map.of());
        Path p = tmp.resolve("big.mnw");
        MnwWriter.write(m, p);
        ModelDef back = MnwReader.read(p);
        ModelDefs.assertEquivalent(m, back);
        assertEquals(1_500_000f, back.graph().initializers().get(0).toFloatArray()[3_000_000]);
        assertAligned(p);
    }

    @Test
    void writerRefusesEncodingsItCannotStoreYet() {
        TensorData q = new TensorData("q", DataType.INT8, new long[] {4}, Encoding.CSR, Arena.ofAuto().allocate(4));
        GraphDef g = new GraphDef("g", List.of(), List.of(), List.of(), List.of(q), List.of());
        MinnowException e = assertThrows(MinnowException.class,
                () -> MnwWriter.toBytes(new ModelDef(8, Map.of("", 13L), "", "", g, Map.of())));
        assertTrue(e.getMessage().contains("'q'") && e.getMessage().contains("CSR"), e.getMessage());
    }

    /** Every blob offset (file-relative) is a multiple of 64, the data region too, and the table matches the file. */
    static void assertAligned(Path p) throws Exception {
        MnwHeader h = MnwReader.readHeader(p);
        long size = Files.size(p);
        byte[] pre = new byte[MnwFormat.PREAMBLE_BYTES];
        try (var in = Files.newInputStream(p)) {
            assertEquals(pre.length, in.readNBytes(pre, 0, pre.length));
        }
        long dataOffset = MemorySegment.ofArray(pre).get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        assertEquals(0, dataOffset % 64);
        List<Long> offsets = new ArrayList<>();
        for (MnwTensor t : h.getTensorsList()) {
            long at = dataOffset + t.getOffset();
            assertEquals(0, at % 64, t.getName() + " at " + at);
            assertTrue(at + t.getLength() <= size);
            offsets.add(at);
        }
    }
}
