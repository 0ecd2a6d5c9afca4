package io.minnow.formats.onnx;

import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.FormatsFixtures;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelDefs;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OnnxWriterTest {
    @TempDir
    Path tmp;

    /** ONNX -> ModelDef -> ONNX -> ModelDef gives an equal model, for every readable test model. */
    @Test
    void roundTripsEveryReadableTestModel() {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        var models = FormatsFixtures.readableModels();
        assertTrue(models.size() > 900, "readable models: " + models.size());
        for (var e : models) {
            ModelDef a = OnnxReader.read(e.getValue(), e.getKey());
            ModelDef b = OnnxReader.read(OnnxWriter.toBytes(a), e.getKey() + " (rewritten)");
            String d = ModelDefs.difference(a, b);
            assertEquals(null, d, e.getKey());
            assertEquals(a, b, e.getKey());
        }
    }

    @Test
    void roundTripsEveryAttributeKindThroughAFile() {
        ModelDef a = OnnxReader.read(FormatsFixtures.allKindsModel().toByteArray(), "all-kinds.onnx");
        Path p = tmp.resolve("all-kinds.onnx");
        OnnxWriter.write(a, p);
        ModelDef b = OnnxReader.read(p);
        ModelDefs.assertEquivalent(a, b);
        assertTrue(ModelDefs.sameModel(a, b));
        // Deterministic output: writing the re-read model gives the same bytes.
        assertEquals(java.util.Arrays.toString(OnnxWriter.toBytes(a)), java.util.Arrays.toString(OnnxWriter.toBytes(b)));
    }

    @Test
    void writesModelsBuiltInJava() {
        TensorData w = TensorData.ofFloats("w", new float[] {1, 2, 3, 4}, 2, 2);
        float[] heapFloats = {5, 6};
        TensorData heap = new TensorData("heap", DataType.FLOAT, new long[] {2}, Encoding.F32, MemorySegment.ofArray(heapFloats));
        GraphDef g = new GraphDef("g",
                List.of(new NodeDef("mm", "MatMul", "", List.of("x", "w"), List.of("y"), Map.of()),
                        new NodeDef("add", "Add", "", List.of("y", "heap"), List.of("z"),
                                Map.of("note", Attribute.of("note", "hi"), "shape", Attribute.of("shape", TensorData.ofLongs("s", new long[] {2, 2}, 2))))),
                List.of(new ValueInfo("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(2)))),
                List.of(new ValueInfo("z", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(2)))),
                List.of(w, heap), List.of());
        ModelDef m = new ModelDef(9, Map.of("", 17L), "unit", "0", g, Map.of("k", "v"));
        ModelDef back = OnnxReader.read(OnnxWriter.toBytes(m), "java.onnx");
        ModelDefs.assertEquivalent(m, back);
        assertEquals(17, back.opset());
    }

    @Test
    void refusesCompressedEncodings() {
        TensorData t = io.minnow.formats.quant.Q8Codec.encode("q", new float[] {1, -2, 3, 4}, 2, 2);
        GraphDef g = new GraphDef("g", List.of(), List.of(), List.of(), List.of(t), List.of());
        MinnowException e = assertThrows(MinnowException.class, () -> OnnxWriter.toBytes(new ModelDef(8, Map.of("", 13L), "", "", g, Map.of())));
        assertTrue(e.getMessage().contains("'q'") && e.getMessage().contains("Q8"), e.getMessage());
    }

    @Test
    void tensorRoundTrip() {
        TensorData t = TensorData.ofLongs("shape", new long[] {1, -1, 3}, 3);
        TensorData back = OnnxReader.readTensor(OnnxWriter.tensorToBytes(t), "t.pb");
        assertEquals(t, back);
        Path p = tmp.resolve("t.pb");
        OnnxWriter.writeTensor(t, p);
        assertEquals(t, OnnxReader.readTensor(p));
        assertFalse(p.resolveSibling("t.pb.tmp").toFile().exists());
    }
}
