package io.minnow.formats.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.onnx.proto.ModelProto;
import io.minnow.formats.onnx.proto.NodeProto;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ONNX Runtime makes of the export (the graph it writes with setOptimizedModelFilePath): it fuses
 * {@code DQ -> Conv|Gemm [-> Relu] -> Q} into QLinearConv / QGemm and needs that output Q; a Conv or Gemm
 * whose output is not quantized stays DequantizeLinear + float32. {@code --quantize-outputs} adds the
 * output pairs (same values) so that every Conv with a quantized successor fuses. Op counts are printed.
 */
class QdqFusionTest {
    static ModelDef quantized;
    static Dataset data;

    @BeforeAll
    static void setUp() throws Exception {
        ModelDef fp = OnnxReader.read(TestPaths.root().resolve("models/lenet5.onnx"));
        String input = fp.graph().inputs().getFirst().name();
        quantized = QdqFixtures.quantizeInt8(fp, x -> x.equals(input) ? 1 / 255f : 1 / 16f);
        data = Dataset.fromIdx("sample", TestPaths.root().resolve(Dataset.SAMPLE_IMAGES), TestPaths.root().resolve(Dataset.SAMPLE_LABELS));
    }

    /** Op types (domain-qualified when not ai.onnx) of the graph ORT runs at {@code level}. */
    static Map<String, Integer> optimizedOps(byte[] onnx, OptLevel level, Path dir) throws Exception {
        Path out = dir.resolve("optimized-" + level + ".onnx");
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(level);
            so.setOptimizedModelFilePath(out.toString());
            try (OrtSession ignored = OrtEnvironment.getEnvironment().createSession(onnx, so)) {
                // creating the session writes the optimized graph
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getNodeList()) {
            counts.merge((n.getDomain().isEmpty() ? "" : n.getDomain() + ":") + n.getOpType(), 1, Integer::sum);
        }
        return counts;
    }

    static float[] ortRun(byte[] onnx, Tensor x, OptLevel level) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(level);
            try (OrtSession session = env.createSession(onnx, so);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), x.shape());
                 OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                return v;
            }
        }
    }

    static int count(Map<String, Integer> ops, String op) {
        return ops.entrySet().stream().filter(e -> e.getKey().equals(op) || e.getKey().endsWith(":" + op)).mapToInt(Map.Entry::getValue).sum();
    }

    @Test
    void onnxRuntimeFusesOnlyConvAndGemmWhoseOutputIsQuantized(@TempDir Path dir) throws Exception {
        Tensor x = data.images(0, data.size());
        float[] reference = QdqFixtures.minnow(QdqFixtures.decoded(quantized), x);
        for (boolean outputs : new boolean[]{false, true}) {
            QdqExport.Result r = QdqExport.export(quantized, outputs);
            byte[] onnx = OnnxWriter.toBytes(r.model());
            Map<String, Integer> ext = optimizedOps(onnx, OptLevel.EXTENDED_OPT, dir), all = optimizedOps(onnx, OptLevel.ALL_OPT, dir);
            float[] fused = ortRun(onnx, x, OptLevel.ALL_OPT);
            int differ = 0;
            for (int i = 0; i < data.size(); i++) {
                if (QdqExportTest.argmax(fused, i * 10, 10) != QdqExportTest.argmax(reference, i * 10, 10)) differ++;
            }
            System.out.println("lenet5 int8 QDQ" + (outputs ? " + " + r.outputPairs() + " output pairs" : "") + ": ORT extended " + ext
                    + "; ORT all " + all + "; ORT all-optimized argmax differs from Minnow on " + differ + " of " + data.size());
            if (outputs) {
                assertEquals(2, r.outputPairs(), "conv1 (via Relu, MaxPool) and conv2 (via Relu, MaxPool, Flatten); fc2 feeds the logits");
                assertEquals(2, count(ext, "QLinearConv"), "both Convs fused: " + ext);
                assertEquals(0, count(ext, "Conv") + count(ext, "FusedConv"), "no float Conv left: " + ext);
            } else {
                assertEquals(1, count(ext, "QLinearConv"), ext.toString());
                assertEquals(1, count(ext, "Conv") + count(ext, "FusedConv"), "conv2, whose Q lies behind Flatten, stays float: " + ext);
            }
            assertEquals(1, count(ext, "QGemm"), "fc1 (Relu, then Q) fuses: " + ext);
            assertEquals(1, count(ext, "Gemm"), "fc2 feeds the logits, no Q: stays DequantizeLinear + float Gemm: " + ext);
        }
    }

    /** The output pairs change no value: Minnow gives bit-identical logits with and without them. */
    @Test
    void outputPairsKeepTheModelsValues() throws Exception {
        Tensor x = data.images(0, 200);
        float[] plain = QdqFixtures.minnow(QdqFixtures.decoded(quantized), x);
        float[] withPairs = QdqFixtures.minnow(QdqExport.export(quantized, true).model(), x);
        // Minnow fuses the exported QDQ graph onto its int8 kernels: exact integer sums, float32 rounding of the
        // epilogue differs from the decoded float graph's in the last bits only
        float max = 0;
        for (float v : plain) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i], withPairs[i], 1e-4 * max, "logit " + i);
        }
        float[] ort = QdqFixtures.ort(OnnxWriter.toBytes(QdqExport.export(quantized, true).model()), x);
        for (int i = 0; i < 200; i++) {
            assertEquals(QdqExportTest.argmax(plain, i * 10, 10), QdqExportTest.argmax(ort, i * 10, 10), "image " + i);
        }
    }

    /**
     * ORT's fused int8 kernels on this CPU against Minnow on the same model. Printed for 8-bit weights (on
     * AVX2 without VNNI ORT's u8 x s8 kernels use vpmaddubsw, whose int16 pair sums saturate past 32767:
     * logits move by whole units); asserted for 7-bit weights, where no pair sum can saturate and only the
     * int32 bias ORT derives and rounding flips of later QuantizeLinears remain.
     */
    @Test
    void fusedKernelsAgreeWithMinnowWhenWeightsLeaveInt16Headroom() throws Exception {
        Tensor x = data.images(0, data.size());
        for (boolean seven : new boolean[]{false, true}) {
            ModelDef q = seven ? QdqFixtures.sevenBitWeights(quantized) : quantized;
            float[] want = QdqFixtures.minnow(QdqFixtures.decoded(q), x);
            float[] got = ortRun(OnnxWriter.toBytes(QdqExport.export(q, true).model()), x, OptLevel.ALL_OPT);
            int differ = 0, minnowRight = 0, ortRight = 0;
            double maxDiff = 0;
            for (int i = 0; i < data.size(); i++) {
                int a = QdqExportTest.argmax(want, i * 10, 10), b = QdqExportTest.argmax(got, i * 10, 10);
                if (a != b) differ++;
                if (a == data.label(i)) minnowRight++;
                if (b == data.label(i)) ortRight++;
                for (int c = 0; c < 10; c++) maxDiff = Math.max(maxDiff, Math.abs(want[i * 10 + c] - got[i * 10 + c]));
            }
            System.out.printf("lenet5 %d-bit weights, ORT all-optimized vs Minnow: argmax differs on %d of %d, largest logit "
                    + "difference %.4f, correct %d (Minnow) vs %d (ORT)%n", seven ? 7 : 8, differ, data.size(), maxDiff, minnowRight, ortRight);
            if (seven) {
                assertEquals(0, differ, "7-bit weights: same argmax everywhere");
                assertTrue(maxDiff < 0.5, "7-bit weights: largest logit difference " + maxDiff);
            }
        }
    }

    /**
     * Why the last Gemm (no QuantizeLinear after it) cannot be fused by rewriting it as MatMul: ORT turns
     * {@code DQ -> MatMul} with a float output into MatMulIntegerToFloat, but first merges MatMul + Add
     * (the bias) into a Gemm, which then stays DequantizeLinear + float32.
     */
    @Test
    void dequantizedMatMulFusesOnlyWithoutABiasAdd(@TempDir Path dir) throws Exception {
        for (boolean bias : new boolean[]{false, true}) {
            int k = 64, n = 10;
            TensorData w = Q8Codec.encode("w", QdqExportTest.gaussian(new java.util.Random(5), k * n, 0.2), k, n);
            List<NodeDef> nodes = new ArrayList<>(List.of(
                    new NodeDef("q", "QuantizeLinear", "", List.of("x", "s", "z"), List.of("xq"), Map.of()),
                    new NodeDef("dq", "DequantizeLinear", "", List.of("xq", "s", "z"), List.of("xd"), Map.of()),
                    new NodeDef("mm", "MatMul", "", List.of("xd", "w"), List.of(bias ? "m" : "y"), Map.of())));
            if (bias) nodes.add(new NodeDef("add", "Add", "", List.of("m", "b"), List.of("y"), Map.of()));
            GraphDef g = new GraphDef("mm", nodes, List.of(new ValueInfo("x", DataType.FLOAT, List.of(Dim.of(1), Dim.of(k)))),
                    List.of(new ValueInfo("y", DataType.FLOAT, List.of(Dim.of(1), Dim.of(n)))),
                    List.of(w, TensorData.ofFloats("b", new float[n], n), TensorData.ofFloats("s", new float[]{1 / 255f}),
                            QdqFixtures.u8Scalar("z", 0)), List.of());
            ModelDef m = new ModelDef(8, Map.of("", 13L), "minnow-test", "1", g, Map.of());
            Map<String, Integer> ext = optimizedOps(OnnxWriter.toBytes(QdqExport.export(m).model()), OptLevel.EXTENDED_OPT, dir);
            System.out.println("DQ -> MatMul" + (bias ? " -> Add" : "") + ": ORT extended " + ext);
            if (bias) {
                assertEquals(1, count(ext, "Gemm"), ext.toString());
                assertEquals(0, count(ext, "MatMulIntegerToFloat"), ext.toString());
            } else {
                assertEquals(1, count(ext, "MatMulIntegerToFloat"), ext.toString());
            }
        }
    }
}
