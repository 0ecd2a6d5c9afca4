package io.minnow.models;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Dataset;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.plan.NhwcLayout;
import io.minnow.formats.mnw.MnwWriter;
import io.minnow.kernels.nat.NativeLibrary;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end on the bundled models, with native kernels and with Java kernels: accuracy on the full
 * Fashion-MNIST test set equals the PyTorch accuracy recorded in models/accuracy.json (within 0.05 pp),
 * logits match ONNX Runtime Java on 100 images, and ONNX → .mnw gives the same predictions.
 */
class BundledModelsTest {
    static final String[] MODELS = {"lenet300", "lenet5", "resnet", "mobilenet"};
    private static Dataset testSet;

    @BeforeAll
    static void loadData() throws Exception {
        Path images = TestPaths.FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
        assertTrue(Files.exists(images), images + " is missing: install the Debian package dataset-fashion-mnist");
        testSet = Dataset.fromIdx("fashion-mnist", images, TestPaths.FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
        assertEquals(10_000, testSet.size());
    }

    static Stream<Arguments> modelsAndBackends() {
        List<Arguments> args = new ArrayList<>();
        for (String m : MODELS) {
            args.add(Arguments.of(m, "native"));
            args.add(Arguments.of(m, "java"));
        }
        return args.stream();
    }

    static Options options(String backend) {
        if (backend.equals("native")) {
            assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
            return Options.defaults().withBackend(new BackendConfig(true, Integer.MAX_VALUE));
        }
        return Options.defaults().withBackend(BackendConfig.javaOnly(Integer.MAX_VALUE));
    }

    static Path model(String name) {
        return TestPaths.root().resolve("models").resolve(name + ".onnx");
    }

    /** Correct predictions recorded by the training script (models/accuracy.json). */
    static int recordedCorrect(String name) throws Exception {
        String json = Files.readString(TestPaths.root().resolve("models/accuracy.json"));
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\{[^}]*\"correct\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "models/accuracy.json has no entry for " + name);
        return Integer.parseInt(m.group(1));
    }

    static int correct(Model model, Dataset data) {
        int correct = 0, batch = 500;
        for (int start = 0; start < data.size(); start += batch) {
            int n = Math.min(batch, data.size() - start);
            float[] logits = model.run(data.images(start, n)).toFloatArray();
            int classes = logits.length / n;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
                if (best == data.label(start + i)) correct++;
            }
        }
        return correct;
    }

    @ParameterizedTest(name = "{0} on {1} kernels")
    @MethodSource("modelsAndBackends")
    void fullTestSetAccuracyMatchesPyTorch(String name, String backend) throws Exception {
        int expected = recordedCorrect(name);
        try (Model model = Model.load(model(name), options(backend))) {
            int got = correct(model, testSet);
            // 0.05 pp of 10,000 images is 5 predictions.
            assertTrue(Math.abs(got - expected) <= 5, name + ": " + got + " correct, PyTorch recorded " + expected);
        }
    }

    @ParameterizedTest(name = "{0} on {1} kernels")
    @MethodSource("modelsAndBackends")
    void logitsMatchOnnxRuntime(String name, String backend) throws Exception {
        Tensor x = testSet.images(0, 100);
        float[] ref = OrtReference.run(model(name), x);
        try (Model model = Model.load(model(name), options(backend))) {
            float[] got = model.run(x).toFloatArray();
            assertEquals(ref.length, got.length);
            for (int i = 0; i < ref.length; i++) {
                assertTrue(Math.abs(got[i] - ref[i]) <= 1e-4 + 1e-4 * Math.abs(ref[i]),
                        name + " logit " + i + ": " + got[i] + ", ONNX Runtime " + ref[i]);
            }
        }
    }

    static Stream<Arguments> modelsAndJavaWidths() {
        List<Arguments> args = new ArrayList<>();
        for (String m : MODELS) for (int w : new int[]{0, 128, 256, 512}) args.add(Arguments.of(m, w));
        return args.stream();
    }

    /** Every Java backend forced in turn (native off; Vector API width 0 = scalar, 128, 256, 512) agrees with ONNX Runtime. */
    @ParameterizedTest(name = "{0}, Java kernels, vector width {1}")
    @MethodSource("modelsAndJavaWidths")
    void logitsMatchOnnxRuntimeAtEveryVectorWidth(String name, int width) throws Exception {
        Tensor x = testSet.images(100, 10);
        float[] ref = OrtReference.run(model(name), x);
        try (Model model = Model.load(model(name), Options.defaults().withBackend(BackendConfig.javaOnly(width)))) {
            if (width == 0) assertEquals("f32-gemm-scalar", model.kernels().f32Gemm().id());
            float[] got = model.run(x).toFloatArray();
            assertEquals(ref.length, got.length);
            for (int i = 0; i < ref.length; i++) {
                assertTrue(Math.abs(got[i] - ref[i]) <= 1e-4 + 1e-4 * Math.abs(ref[i]),
                        name + " width " + width + " logit " + i + ": " + got[i] + ", ONNX Runtime " + ref[i]);
            }
        }
    }

    static Stream<Arguments> modelsLayoutsAndBackends() {
        List<Arguments> args = new ArrayList<>();
        for (String m : MODELS) {
            for (NhwcLayout.Mode layout : new NhwcLayout.Mode[]{NhwcLayout.Mode.NCHW, NhwcLayout.Mode.NHWC}) {
                args.add(Arguments.of(m, layout, "native"));
                args.add(Arguments.of(m, layout, "java"));
            }
        }
        return args.stream();
    }

    /**
     * Every conv layout forced in turn (the default, auto, is what the tests above run): all convs NCHW, and every
     * conv region channels-last (ResNet's dense convs included, which auto leaves NCHW) agree with ONNX Runtime.
     */
    @ParameterizedTest(name = "{0}, layout {1}, {2} kernels")
    @MethodSource("modelsLayoutsAndBackends")
    void logitsMatchOnnxRuntimeInEveryLayout(String name, NhwcLayout.Mode layout, String backend) throws Exception {
        Tensor x = testSet.images(200, 20);
        float[] ref = OrtReference.run(model(name), x);
        try (Model model = Model.load(model(name), options(backend).withLayout(layout))) {
            boolean convs = !name.equals("lenet300"); // the others have 2-D convs
            long channelsLast = model.graph().nodes.stream().filter(n -> n.opType.equals("ConvNhwc")).count();
            assertEquals(layout == NhwcLayout.Mode.NHWC && convs, channelsLast > 0, name + " " + layout + ": " + channelsLast + " ConvNhwc");
            float[] got = model.run(x).toFloatArray();
            assertEquals(ref.length, got.length);
            for (int i = 0; i < ref.length; i++) {
                assertTrue(Math.abs(got[i] - ref[i]) <= 1e-4 + 1e-4 * Math.abs(ref[i]),
                        name + " " + layout + " logit " + i + ": " + got[i] + ", ONNX Runtime " + ref[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5", "resnet", "mobilenet"})
    void convertedMnwGivesIdenticalLogits(String name, @TempDir Path tmp) throws Exception {
        Path mnw = tmp.resolve(name + ".mnw");
        Options opts = Options.defaults();
        try (Model onnx = Model.load(model(name), opts)) {
            MnwWriter.write(onnx.definition(), mnw);
            try (Model converted = Model.load(mnw, opts)) {
                Tensor x = testSet.images(0, 1000);
                float[] a = onnx.run(x).toFloatArray(), b = converted.run(x).toFloatArray();
                assertEquals(a.length, b.length);
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0f, name + " logit " + i);
            }
        }
    }

    /** A model trained by someone else (openWakeWord's "hello deepa" head, Apache-2.0), against ONNX Runtime. */
    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void externalModelMatchesOnnxRuntime(String backend) throws Exception {
        Path file = TestPaths.root().resolve("models/external/hello_deepa.onnx");
        java.util.Random r = new java.util.Random(7);
        for (int trial = 0; trial < 5; trial++) {
            float[] v = new float[25 * 96];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 3);
            Tensor x = Tensor.of(v, 1, 25, 96);
            float[] ref = OrtReference.run(file, x);
            try (Model model = Model.load(file, options(backend))) {
                float[] got = model.run(x).toFloatArray();
                assertEquals(ref.length, got.length);
                for (int i = 0; i < ref.length; i++) {
                    assertTrue(Math.abs(got[i] - ref[i]) <= 1e-4 + 1e-4 * Math.abs(ref[i]), "output " + i + ": " + got[i] + " vs " + ref[i]);
                }
            }
        }
    }
}
