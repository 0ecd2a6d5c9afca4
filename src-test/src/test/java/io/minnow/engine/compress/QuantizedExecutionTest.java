package io.minnow.engine.compress;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.ModelFiles;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled models, post-training quantized (calibrated on the bundled sample images), run on the quantized kernels
 * (QConv / QGemm) and agree with the same graph run in float32 on the decoded weights — the QuantizeLinear /
 * DequantizeLinear pairs executed as ordinary ops. The two differ only by float32 summation order (the int8 path
 * sums exact integer products and scales once); where a layer's output lands within rounding of a half step of the
 * next QuantizeLinear, that code may differ by one, so deep models get a few thousandths of the largest logit of
 * slack (a wrong kernel is off by whole units), and the predicted classes agree.
 */
class QuantizedExecutionTest {
    static Dataset sample() throws Exception {
        return Dataset.fromIdx("sample", TestPaths.root().resolve(Dataset.SAMPLE_IMAGES), TestPaths.root().resolve(Dataset.SAMPLE_LABELS));
    }

    static ModelDef quantize(ModelDef fp32, QuantConfig cfg, Dataset data, int n) {
        List<String> inputs = new ArrayList<>();
        for (Quantizer.Target t : Quantizer.targets(fp32)) if (!inputs.contains(t.input())) inputs.add(t.input());
        Map<String, ActivationRange> ranges = Calibrator.run(fp32, inputs, new Calibrator.Batches() {
            @Override public int size() { return data.size(); }
            @Override public Tensor batch(int start, int k) { return data.images(start, k); }
        }, n, 32, cfg.percentile(), done -> { });
        return Quantizer.quantize(fp32, cfg, ranges);
    }

    /** The same model with every encoded initializer decoded to float32 (what "inflating" would run). */
    static ModelDef decoded(ModelDef q) {
        GraphDef g = q.graph();
        List<TensorData> inits = new ArrayList<>();
        for (TensorData t : g.initializers()) {
            if (t.encoding() == Encoding.Q8) inits.add(TensorData.ofFloats(t.name(), Q8Codec.decode(t), t.dims()));
            else if (t.encoding() == Encoding.Q4) inits.add(TensorData.ofFloats(t.name(), Q4Codec.decode(t), t.dims()));
            else inits.add(t);
        }
        return new ModelDef(q.irVersion(), q.opsetImports(), q.producerName(), q.producerVersion(),
                new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, g.valueInfo()), q.metadata());
    }

    static long count(Model m, String opType) {
        return m.graph().nodes.stream().filter(n -> n.opType.equals(opType)).count();
    }

    static void assertClose(Tensor expected, Tensor actual, double rel) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()));
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        float max = 0;
        for (float v : e) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= rel * max + 1e-5, "element " + i + ": " + a[i] + " vs reference " + e[i] + " (max " + max + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5", "resnet", "mobilenet"})
    void int8ModelRunsOnInt8KernelsAndMatchesDecodedGraph(String name) throws Exception {
        ModelDef fp32 = ModelFiles.read(TestPaths.root().resolve("models/" + name + ".onnx"));
        Dataset data = sample();
        ModelDef q = quantize(fp32, QuantConfig.int8(), data, 64);
        List<Quantizer.Target> targets = Quantizer.targets(fp32);
        assertTrue(!targets.isEmpty());
        for (Quantizer.Target t : targets) {
            TensorData w = q.graph().initializers().stream().filter(x -> x.name().equals(t.weight())).findFirst().orElseThrow();
            assertEquals(Encoding.Q8, w.encoding(), t.weight());
        }
        Tensor x = data.images(0, 16);
        try (Model fast = Model.of(q, Options.defaults()); Model ref = Model.of(decoded(q), Options.defaults())) {
            long convs = targets.stream().filter(t -> t.opType().equals("Conv")).count();
            assertEquals(convs, count(fast, "QConv"), "every quantized conv runs on qs8 kernels");
            assertEquals(targets.size() - convs, count(fast, "QGemm"));
            assertEquals(0, count(fast, "QuantizeLinear"), "the Q/DQ pairs are fused away");
            assertEquals(0, count(ref, "QConv") + count(ref, "QGemm"));
            Tensor yf = fast.run(x), yr = ref.run(x);
            assertClose(yr, yf, 5e-3);
            for (int i = 0; i < 16; i++) assertEquals(argmax(yr, i), argmax(yf, i), "sample " + i);
        }
    }

    /** int4: Gemm and 1x1-conv weights q4 (float activations, q4-gemm), the other convs q8; zero points on and off. */
    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5", "resnet", "mobilenet"})
    void int4ModelRunsOnQ4KernelsAndMatchesDecodedGraph(String name) throws Exception {
        ModelDef fp32 = ModelFiles.read(TestPaths.root().resolve("models/" + name + ".onnx"));
        Dataset data = sample();
        for (boolean zp : new boolean[]{false, true}) {
            QuantConfig cfg = new QuantConfig(true, 32, zp, Set.of(), 99.99);
            ModelDef q = quantize(fp32, cfg, data, 32);
            long q4 = q.graph().initializers().stream().filter(t -> t.encoding() == Encoding.Q4).count();
            long int4Ok = Quantizer.targets(fp32).stream().filter(Quantizer.Target::int4Ok).count();
            assertEquals(int4Ok, q4, "every Gemm and 1x1 conv weight is q4");
            assertTrue(q4 > 0);
            Tensor x = data.images(0, 16);
            try (Model fast = Model.of(q, Options.defaults()); Model ref = Model.of(decoded(q), Options.defaults())) {
                assertEquals(Quantizer.targets(fp32).size(), count(fast, "QConv") + count(fast, "QGemm"), "nothing decoded");
                Tensor yf = fast.run(x), yr = ref.run(x);
                assertClose(yr, yf, 1e-3);
                for (int i = 0; i < 16; i++) assertEquals(argmax(yr, i), argmax(yf, i), "sample " + i);
            }
            try (Model a = Model.of(q, Options.defaults().withThreads(2)); Model b = Model.of(q, Options.defaults()
                    .withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(0)))) {
                assertClose(a.run(x), b.run(x), 1e-4);
            }
        }
    }

    /**
     * int4 x int8 ({@code --act int8}): each int4 Gemm's input gets a symmetric int8 Q/DQ pair, which the engine fuses
     * into the QGemm (static scale, zero point 0) and runs on q4-gemv; the decoded graph runs the same Q/DQ as ONNX ops
     * and a float Gemm, so the two differ only by float reassociation (the kernels' integer dots are exact).
     */
    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5", "mobilenet"})
    void int4Int8ActivationModelRunsOnQ4GemvAndMatchesDecodedGraph(String name) throws Exception {
        ModelDef fp32 = ModelFiles.read(TestPaths.root().resolve("models/" + name + ".onnx"));
        Dataset data = sample();
        for (boolean zp : new boolean[]{false, true}) {
            QuantConfig cfg = new QuantConfig(true, 64, zp, Set.of(), 99.99).withInt8Activations();
            ModelDef q = quantize(fp32, cfg, data, 32);
            long gemms = Quantizer.targets(fp32).stream().filter(t -> t.opType().equals("Gemm")).count();
            long s8Pairs = q.graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear") && n.name().contains("_s8_")).count();
            assertTrue(gemms > 0 && s8Pairs > 0 && s8Pairs <= gemms, name + ": " + s8Pairs + " int8 Q/DQ pairs for " + gemms + " Gemms");
            Tensor x = data.images(0, 16);
            try (Model fast = Model.of(q, Options.defaults()); Model ref = Model.of(decoded(q), Options.defaults())) {
                long int8Act = fast.graph().nodes.stream().filter(n -> n.opType.equals("QGemm")
                        && n.attributes.containsKey(io.minnow.engine.ops.quant.QOps.X_SCALE)
                        && n.attributes.get(io.minnow.engine.ops.quant.QOps.WEIGHT).asTensor().encoding() == Encoding.Q4).count();
                assertEquals(gemms, int8Act, "every int4 Gemm has a static int8 activation quantization");
                assertEquals(0, count(fast, "QuantizeLinear"), "the Q/DQ pairs are fused away");
                // A layer's float output differs from the reference's by reassociation only, but the next layer's
                // int8 rounding may flip a code on a value that sits on a rounding boundary: one code step times a
                // weight (~1e-3 of the output range per flip); the int8 model test allows 5e-3 for the same reason.
                Tensor yf = fast.run(x), yr = ref.run(x);
                assertClose(yr, yf, 5e-3);
                for (int i = 0; i < 16; i++) assertEquals(argmax(yr, i), argmax(yf, i), "sample " + i);
            }
            try (Model a = Model.of(q, Options.defaults().withThreads(2)); Model b = Model.of(q, Options.defaults()
                    .withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(0)))) {
                assertClose(a.run(x), b.run(x), 5e-3); // native vs scalar reference: the same rounding-flip argument
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "mobilenet"})
    void keepFp32LeavesTheNamedLayer(String name) throws Exception {
        ModelDef fp32 = ModelFiles.read(TestPaths.root().resolve("models/" + name + ".onnx"));
        Quantizer.Target first = Quantizer.targets(fp32).getFirst();
        ModelDef q = quantize(fp32, QuantConfig.int8().keeping(Set.of(first.node())), sample(), 32);
        TensorData w = q.graph().initializers().stream().filter(x -> x.name().equals(first.weight())).findFirst().orElseThrow();
        assertEquals(Encoding.F32, w.encoding());
        try (Model m = Model.of(q, Options.defaults())) {
            assertEquals(Quantizer.targets(fp32).size() - 1, count(m, "QConv") + count(m, "QGemm"));
        }
    }

    /** Every qs8 backend (scalar, Vector API widths, native) and 1 or 2 threads give the same int8 model output. */
    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet"})
    void int8ResultsAgreeAcrossBackendsAndThreads(String name) throws Exception {
        ModelDef fp32 = ModelFiles.read(TestPaths.root().resolve("models/" + name + ".onnx"));
        Dataset data = sample();
        ModelDef q = quantize(fp32, QuantConfig.int8(), data, 32);
        Tensor x = data.images(0, 8);
        Tensor expected;
        try (Model m = Model.of(q, Options.defaults())) {
            expected = m.run(x);
        }
        List<Options> variants = List.of(Options.defaults().withThreads(2),
                Options.defaults().withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(0)),
                Options.defaults().withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(128)),
                Options.defaults().withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(256)),
                Options.defaults().withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(512)).withThreads(2));
        for (Options o : variants) {
            try (Model m = Model.of(q, o)) {
                assertClose(expected, m.run(x), 1e-5);
            }
        }
        try (Model a = Model.of(q, Options.defaults()); Model b = Model.of(q, Options.defaults().withThreads(2))) {
            assertEquals(java.util.Arrays.toString(a.run(x).toFloatArray()), java.util.Arrays.toString(b.run(x).toFloatArray()),
                    "same kernel, 1 or 2 threads: bit-identical");
        }
    }

    static int argmax(Tensor y, int row) {
        int classes = (int) (y.size() / y.dim(0)), best = 0;
        for (int c = 1; c < classes; c++) if (y.getFloat((long) row * classes + c) > y.getFloat((long) row * classes + best)) best = c;
        return best;
    }
}
