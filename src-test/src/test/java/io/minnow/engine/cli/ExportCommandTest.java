package io.minnow.engine.cli;

import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.mnw.MnwWriter;
import io.minnow.formats.onnx.OnnxReader;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.minnow.engine.cli.CliTest.minnow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code minnow export}: a quantized .mnw to ONNX, with a report of what was written. */
class ExportCommandTest {
    @TempDir
    Path dir;

    /** x[N,4] -> Gemm(W1: 6x4, transB=1) -> Relu -> Gemm(W2: 3x6 as {@code second}) -> y. */
    static ModelDef twoLayers(TensorData second) {
        float[] w1 = new float[24];
        for (int i = 0; i < w1.length; i++) w1[i] = (i % 7 - 3) * 0.25f;
        List<NodeDef> nodes = List.of(
                new NodeDef("fc1", "Gemm", "", List.of("x", "W1"), List.of("h"), Map.of("transB", Attribute.of("transB", 1L))),
                new NodeDef("relu", "Relu", "", List.of("h"), List.of("r"), Map.of()),
                new NodeDef("fc2", "Gemm", "", List.of("r", "W2"), List.of("y"), Map.of("transB", Attribute.of("transB", 1L))));
        GraphDef g = new GraphDef("two", nodes, List.of(new ValueInfo("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(4)))),
                List.of(new ValueInfo("y", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(3)))),
                List.of(Q8Codec.encode("W1", w1, 6, 4), second), List.of());
        return new ModelDef(8, Map.of("", 13L), "minnow-test", "1", g, Map.of());
    }

    static float[] w2() {
        float[] w = new float[18];
        for (int i = 0; i < w.length; i++) w[i] = (i % 5 - 2) * 0.5f;
        return w;
    }

    @Test
    void exportsInt8AsDequantizeLinearAndSaysSo() {
        Path mnw = dir.resolve("q8.mnw"), onnx = dir.resolve("q8.onnx");
        MnwWriter.write(twoLayers(Q8Codec.encode("W2", w2(), 3, 6)), mnw);
        CliTest.Result r = minnow("export", mnw.toString(), "-o", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("int8") && l.contains("2 tensors")), r.out());
        assertFalse(r.out().contains("no int4"), r.out());
        ModelDef m = OnnxReader.read(onnx);
        assertEquals(2, m.graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).count());
        assertTrue(m.graph().initializers().stream().allMatch(t -> t.encoding() == Encoding.F32 || t.encoding() == Encoding.RAW));
        // No QuantizeLinear downstream of either Gemm: nothing gives an output scale.
        r = minnow("export", mnw.toString(), "-o", onnx.toString(), "--quantize-outputs");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("output QuantizeLinear/DequantizeLinear pairs added: 0"), r.out());
    }

    @Test
    void int4IsWidenedToFloat32WithANote() {
        Path mnw = dir.resolve("q4.mnw"), onnx = dir.resolve("q4.onnx");
        MnwWriter.write(twoLayers(Q4Codec.encode("W2", w2(), 32, false, 3, 6)), mnw);
        CliTest.Result r = minnow("export", mnw.toString(), "-o", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("int4 weights of 1 tensors written as float32: ONNX opset 13 has no int4"), r.out());
        TensorData w2 = OnnxReader.read(onnx).graph().initializers().stream().filter(t -> t.name().equals("W2")).findFirst().orElseThrow();
        assertEquals(Encoding.F32, w2.encoding());
    }

    @Test
    void errorsAreOneLine() {
        minnow("export", dir.resolve("nope.mnw").toString(), "-o", dir.resolve("o.onnx").toString()).assertUserError("nope.mnw");
        Path mnw = dir.resolve("m.mnw");
        MnwWriter.write(twoLayers(Q8Codec.encode("W2", w2(), 3, 6)), mnw);
        minnow("export", mnw.toString(), "-o", dir.resolve("no/such/dir/o.onnx").toString()).assertUserError("does not exist");
    }
}
