package io.minnow.formats.onnx;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.minnow.formats.onnx.QdqFixtures.decoded;
import static io.minnow.formats.onnx.QdqFixtures.ort;
import static io.minnow.formats.onnx.QdqFixtures.u8Scalar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QDQ export of Minnow-quantized models: the file's structure, bit-identical codes and scales, and ONNX
 * Runtime running the export computing what Minnow computes on the decoded model.
 */
class QdqExportTest {
    static float[] gaussian(Random r, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * sigma);
        return v;
    }

    /**
     * x[N,2,5,5] -> Q/DQ -> Conv(3x3, 4 out, q8 weight) -> Relu -> Flatten -> Q/DQ -> Gemm(36 -> 5, q8 or
     * q4 weight, transB = 1) -> y, as the compressor writes it.
     */
    static ModelDef convGemm(boolean gemmQ4, long opset) {
        Random r = new Random(3);
        TensorData cw = Q8Codec.encode("conv.w", gaussian(r, 4 * 2 * 3 * 3, 0.5), 4, 2, 3, 3);
        float[] gw = gaussian(r, 5 * 36, 0.3);
        TensorData fw = gemmQ4 ? Q4Codec.encode("fc.w", gw, 32, true, 5, 36) : Q8Codec.encode("fc.w", gw, 5, 36);
        List<TensorData> inits = List.of(cw, TensorData.ofFloats("conv.b", gaussian(r, 4, 0.1), 4), fw,
                TensorData.ofFloats("fc.b", gaussian(r, 5, 0.1), 5),
                TensorData.ofFloats("s0", new float[]{1 / 255f}), u8Scalar("z0", 0),
                TensorData.ofFloats("s1", new float[]{1 / 32f}), u8Scalar("z1", 0));
        List<NodeDef> nodes = List.of(
                new NodeDef("q0", "QuantizeLinear", "", List.of("x", "s0", "z0"), List.of("xq"), Map.of()),
                new NodeDef("dq0", "DequantizeLinear", "", List.of("xq", "s0", "z0"), List.of("xd"), Map.of()),
                new NodeDef("conv", "Conv", "", List.of("xd", "conv.w", "conv.b"), List.of("c"), Map.of()),
                new NodeDef("relu", "Relu", "", List.of("c"), List.of("h"), Map.of()),
                new NodeDef("flat", "Flatten", "", List.of("h"), List.of("f"), Map.of()),
                new NodeDef("q1", "QuantizeLinear", "", List.of("f", "s1", "z1"), List.of("fq"), Map.of()),
                new NodeDef("dq1", "DequantizeLinear", "", List.of("fq", "s1", "z1"), List.of("fd"), Map.of()),
                new NodeDef("fc", "Gemm", "", List.of("fd", "fc.w", "fc.b"), List.of("y"), Map.of("transB", Attribute.of("transB", 1L))));
        GraphDef g = new GraphDef("qdq", nodes,
                List.of(new ValueInfo("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(2), Dim.of(5), Dim.of(5)))),
                List.of(new ValueInfo("y", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(5)))), inits, List.of());
        return new ModelDef(8, Map.of("", opset), "minnow-test", "1", g, Map.of());
    }

    static Tensor images(int n) {
        Random r = new Random(11);
        float[] v = new float[n * 50];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(256) / 255f;
        return Tensor.of(v, n, 2, 5, 5);
    }

    static TensorData init(ModelDef m, String name) {
        return m.graph().initializers().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    static int indexOf(ModelDef m, String nodeName) {
        List<NodeDef> ns = m.graph().nodes();
        for (int i = 0; i < ns.size(); i++) if (ns.get(i).name().equals(nodeName)) return i;
        return -1;
    }

    static void assertQ8Lowered(ModelDef read, TensorData q8, String consumer) {
        String w = q8.name();
        QuantLayout l = Q8Codec.layout(q8);
        int n = (int) l.rows();
        assertNull(init(read, w), w + " is no longer an initializer");
        TensorData codes = init(read, w + "_quantized"), scale = init(read, w + "_scale"), zp = init(read, w + "_zero_point");
        assertEquals(DataType.INT8, codes.type());
        assertArrayEquals(q8.dims(), codes.dims());
        byte[] want = q8.bytes().asSlice(0, n * l.cols()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertArrayEquals(want, codes.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), w + " codes");
        assertEquals(DataType.FLOAT, scale.type());
        assertArrayEquals(new long[]{n}, scale.dims());
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(Q8Codec.scale(q8, l, i)), Float.floatToRawIntBits(scale.toFloatArray()[i]), w + " scale " + i);
        }
        assertEquals(DataType.INT8, zp.type());
        assertArrayEquals(new long[n], zp.toLongArray());
        NodeDef dq = read.graph().nodes().stream().filter(x -> x.outputs().equals(List.of(w))).findFirst().orElseThrow();
        assertEquals("DequantizeLinear", dq.opType());
        assertEquals(List.of(w + "_quantized", w + "_scale", w + "_zero_point"), dq.inputs());
        assertEquals(0L, dq.attr("axis").asInt());
        int at = indexOf(read, dq.name());
        assertTrue(at >= 0 && at < indexOf(read, consumer), "DequantizeLinear of " + w + " comes before " + consumer);
        assertEquals(at + 1, indexOf(read, consumer), "placed just before its first consumer");
    }

    @Test
    void int8WeightsBecomePerChannelDequantizeLinear() {
        ModelDef m = convGemm(false, 13);
        QdqExport.Result r = QdqExport.export(m);
        assertEquals(2, r.int8Tensors());
        assertEquals(0, r.int4Tensors());
        assertEquals(6, r.denseTensors());
        assertEquals(13, r.opsetAfter());
        ModelDef read = OnnxReader.read(OnnxWriter.toBytes(r.model()), "exported");
        assertEquals(13, read.opset());
        assertQ8Lowered(read, init(m, "conv.w"), "conv");
        assertQ8Lowered(read, init(m, "fc.w"), "fc");
        assertEquals(10, read.graph().nodes().size());
        Set<String> names = new HashSet<>();
        for (NodeDef n : read.graph().nodes()) assertTrue(names.add(n.name()) && !n.name().isEmpty(), "unique node name " + n.name());
        // The activation Q/DQ pairs are untouched.
        assertEquals(2, read.graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count());
        assertTrue(init(read, "s0").contentEquals(init(m, "s0")));
    }

    @Test
    void onnxRuntimeOnTheExportEqualsMinnowOnTheDecodedModel() throws Exception {
        for (boolean q4 : new boolean[]{false, true}) {
            ModelDef m = convGemm(q4, 13);
            Tensor x = images(7);
            float[] want = QdqFixtures.minnow(decoded(m), x);
            float[] got = ort(OnnxWriter.toBytes(QdqExport.export(m).model()), x);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5f * Math.max(1, Math.abs(want[i])), (q4 ? "q4" : "q8") + " output " + i);
            }
        }
    }

    @Test
    void int4WeightsAreWrittenAsTheirDecodedFloats() {
        ModelDef m = convGemm(true, 13);
        QdqExport.Result r = QdqExport.export(m);
        assertEquals(1, r.int8Tensors());
        assertEquals(1, r.int4Tensors());
        assertEquals(4L * 5 * 36, r.int4FloatBytes());
        assertEquals("int4 weights of 1 tensors written as float32: ONNX opset 13 has no int4", r.int4Note());
        ModelDef read = OnnxReader.read(OnnxWriter.toBytes(r.model()), "exported");
        TensorData fw = init(read, "fc.w");
        assertEquals(Encoding.F32, fw.encoding());
        assertArrayEquals(new long[]{5, 36}, fw.dims());
        assertArrayEquals(Q4Codec.decode(init(m, "fc.w")), fw.toFloatArray());
    }

    /** lenet5 with every Conv / Gemm weight q8-encoded and a Q/DQ pair on every Conv / Gemm input, on the bundled sample. */
    @Test
    void quantizedLenet5RunsTheSameInOnnxRuntime() throws Exception {
        ModelDef fp = OnnxReader.read(TestPaths.root().resolve("models/lenet5.onnx"));
        String input = fp.graph().inputs().getFirst().name();
        ModelDef q = QdqFixtures.quantizeInt8(fp, x -> x.equals(input) ? 1 / 255f : 1 / 16f);
        QdqExport.Result r = QdqExport.export(q);
        assertEquals(4, r.int8Tensors());
        Dataset data = Dataset.fromIdx("sample", TestPaths.root().resolve(Dataset.SAMPLE_IMAGES), TestPaths.root().resolve(Dataset.SAMPLE_LABELS));
        Tensor x = data.images(0, data.size());
        float[] want = QdqFixtures.minnow(decoded(q), x);
        float[] got = ort(OnnxWriter.toBytes(r.model()), x);
        assertEquals(want.length, got.length);
        int classes = want.length / data.size(), agree = 0, exact = 0;
        double maxDiff = 0;
        for (int i = 0; i < data.size(); i++) {
            assertEquals(argmax(want, i * classes, classes), argmax(got, i * classes, classes), "image " + i);
            double d = 0;
            for (int c = 0; c < classes; c++) {
                float w = want[i * classes + c];
                d = Math.max(d, Math.abs(w - got[i * classes + c]) / Math.max(1, Math.abs(w)));
            }
            maxDiff = Math.max(maxDiff, d);
            if (d <= 1e-5) exact++;
            if (argmax(want, i * classes, classes) == data.label(i)) agree++;
        }
        // Float sums in another order can move a hidden activation across a rounding boundary of the next
        // QuantizeLinear (one step, 1/16): rare and small, but not 1e-5.
        assertTrue(exact >= 0.99 * data.size(), exact + " of " + data.size() + " images within 1e-5");
        assertTrue(maxDiff <= 0.05, "largest logit difference " + maxDiff);
        assertTrue(agree > 800, agree + " of " + data.size() + " correct: the quantized model still classifies");
    }

    static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) if (v[from + c] > v[from + best]) best = c;
        return best;
    }

    @Test
    void olderOpsetIsRaisedTo13WhenEveryNodeAllowsIt() {
        QdqExport.Result r = QdqExport.export(convGemm(false, 11));
        assertEquals(11, r.opsetBefore());
        assertEquals(13, r.opsetAfter());
        assertEquals(13, OnnxReader.read(OnnxWriter.toBytes(r.model()), "exported").opset());
    }

    @Test
    void opsetWithoutUpgradePathIsRefused() {
        ModelDef m = convGemm(false, 9);
        // Opset 9 has no QuantizeLinear at all; drop the pairs so that Softmax is what blocks the upgrade.
        GraphDef g = m.graph();
        List<NodeDef> nodes = new ArrayList<>();
        nodes.add(new NodeDef("conv", "Conv", "", List.of("x", "conv.w", "conv.b"), List.of("c"), Map.of()));
        nodes.add(new NodeDef("sm", "Softmax", "", List.of("c"), List.of("y"), Map.of()));
        ModelDef bad = QdqFixtures.withGraph(m, new GraphDef("g", nodes, g.inputs(), g.outputs(), g.initializers(), List.of()));
        MinnowException e = assertThrows(MinnowException.class, () -> QdqExport.export(bad));
        assertTrue(e.getMessage().contains("opset 9") && e.getMessage().contains("'sm' (Softmax)"), e.getMessage());
        // The Q/DQ pairs themselves cannot be raised from opset 9 either.
        e = assertThrows(MinnowException.class, () -> QdqExport.export(convGemm(false, 9)));
        assertTrue(e.getMessage().contains("QuantizeLinear"), e.getMessage());
    }

    @Test
    void unknownEncodingIsRefusedByName() {
        ModelDef m = convGemm(false, 13);
        List<TensorData> inits = new ArrayList<>(m.graph().initializers());
        MemorySegment junk = Arena.ofAuto().allocate(16);
        inits.set(2, new TensorData("fc.w", DataType.FLOAT, new long[]{5, 36}, Encoding.CSR, junk));
        GraphDef g = m.graph();
        ModelDef bad = QdqFixtures.withGraph(m, new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, List.of()));
        MinnowException e = assertThrows(MinnowException.class, () -> QdqExport.export(bad));
        assertTrue(e.getMessage().contains("'fc.w'") && e.getMessage().contains("CSR"), e.getMessage());
    }

    @Test
    void missingInitializerIsRefusedByName() {
        ModelDef m = convGemm(false, 13);
        GraphDef g = m.graph();
        List<TensorData> inits = g.initializers().stream().filter(t -> !t.name().equals("s1")).toList();
        ModelDef bad = QdqFixtures.withGraph(m, new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, List.of()));
        MinnowException e = assertThrows(MinnowException.class, () -> QdqExport.export(bad));
        assertTrue(e.getMessage().contains("'q1'") && e.getMessage().contains("'s1'"), e.getMessage());
    }

    @Test
    void exportedNamesDoNotCollideWithExistingOnes() {
        ModelDef m = convGemm(false, 13);
        GraphDef g = m.graph();
        List<TensorData> inits = new ArrayList<>(g.initializers());
        inits.add(TensorData.ofFloats("conv.w_scale", new float[]{1}, 1)); // unused, but the name is taken
        ModelDef taken = QdqFixtures.withGraph(m, new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, List.of()));
        ModelDef read = OnnxReader.read(OnnxWriter.toBytes(QdqExport.export(taken).model()), "exported");
        NodeDef dq = read.graph().nodes().stream().filter(n -> n.outputs().equals(List.of("conv.w"))).findFirst().orElseThrow();
        assertEquals("conv.w_scale_1", dq.inputs().get(1));
        assertArrayEquals(new float[]{1}, init(read, "conv.w_scale").toFloatArray());
    }

    /** A q8 weight read only inside an If branch is dequantized in the outer graph, just before the If. */
    @Test
    void weightReadInASubgraphIsDequantizedBeforeItsNode() {
        TensorData w = Q8Codec.encode("W", new float[]{1, -2, 3, 4, 5, -6}, 2, 3);
        GraphDef then = new GraphDef("then", List.of(new NodeDef("mm", "Gemm", "", List.of("x", "W"), List.of("t"),
                Map.of("transB", Attribute.of("transB", 1L)))), List.of(), List.of(new ValueInfo("t", DataType.FLOAT, null)), List.of(), List.of());
        GraphDef other = new GraphDef("else", List.of(new NodeDef("id", "Identity", "", List.of("x"), List.of("e"), Map.of())),
                List.of(), List.of(new ValueInfo("e", DataType.FLOAT, null)), List.of(), List.of());
        NodeDef iff = new NodeDef("if", "If", "", List.of("c"), List.of("y"),
                Map.of("then_branch", Attribute.of("then_branch", then), "else_branch", Attribute.of("else_branch", other)));
        NodeDef pre = new NodeDef("relu", "Relu", "", List.of("x0"), List.of("x"), Map.of());
        GraphDef g = new GraphDef("g", List.of(pre, iff),
                List.of(new ValueInfo("x0", DataType.FLOAT, null), new ValueInfo("c", DataType.BOOL, null),
                        new ValueInfo("W", DataType.FLOAT, null)), // listed as an input too, as before IR 4
                List.of(new ValueInfo("y", DataType.FLOAT, null)), List.of(w), List.of());
        ModelDef m = new ModelDef(8, Map.of("", 13L), "t", "1", g, Map.of());
        ModelDef read = OnnxReader.read(OnnxWriter.toBytes(QdqExport.export(m).model()), "exported");
        List<String> ops = read.graph().nodes().stream().map(NodeDef::opType).toList();
        assertEquals(List.of("Relu", "DequantizeLinear", "If"), ops);
        assertTrue(read.graph().inputs().stream().noneMatch(v -> v.name().equals("W")), "W is a node output now, not a graph input");
    }
}
