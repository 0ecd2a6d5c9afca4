package io.minnow.engine.plan;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.ir.Node;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.kernels.nat.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.minnow.engine.plan.PlannerTest.input;
import static io.minnow.engine.plan.PlannerTest.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout pass (NhwcLayout): which convs run channels-last, where conversions go, and that every mode gives
 * the NCHW plan's outputs (every ConvNhwc path: im2col with few and many channels, pointwise, depthwise s1/s2, a
 * fused residual, an activation the kernels do not fuse; a channels-last tensor read outside its region and as a
 * graph output; the pool at the head), on native and Java kernels, 1 and 2 threads, several batch sizes.
 */
class NhwcLayoutTest {
    private static final Random RNG = new Random(11);

    private static float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (RNG.nextGaussian() * 0.5);
        return v;
    }

    private static Attribute ints(String name, long... v) {
        return Attribute.of(name, v);
    }

    private static ModelDef model(List<NodeDef> nodes, List<TensorData> inits, ValueInfo in, String... outs) {
        List<ValueInfo> o = new ArrayList<>();
        for (String s : outs) o.add(new ValueInfo(s, DataType.FLOAT, null));
        return new ModelDef(8, Map.of("", 13L), "test", "", new GraphDef("g", nodes, List.of(in), o, inits, List.of()), Map.of());
    }

    /**
     * A MobileNet-like net: 3x3/s2 stem (im2col, 3 channels) → 1x1 expand → depthwise → 1x1 project + residual
     * (from the stem) → dense 3x3 (im2col, 16 channels) → depthwise s2, whose output is also read by a Relu outside
     * the region (graph output "side") → 1x1 with a Sigmoid → GlobalAveragePool → Flatten → "y". The expand's
     * output is a graph output too ("mid"), so its Clip stays a node of its own: the depthwise conv reads a
     * tensor made outside the region, mid-graph. A strided dense 3x3 on the 16-channel e2 (im2col, channel runs
     * copied whole) is a graph output too ("dense16").
     */
    static ModelDef mobileLike() {
        List<TensorData> w = List.of(
                TensorData.ofFloats("w0", random(8 * 3 * 9), 8, 3, 3, 3), TensorData.ofFloats("b0", random(8), 8),
                TensorData.ofFloats("w1", random(16 * 8), 16, 8, 1, 1), TensorData.ofFloats("b1", random(16), 16),
                TensorData.ofFloats("w2", random(16 * 9), 16, 1, 3, 3), TensorData.ofFloats("b2", random(16), 16),
                TensorData.ofFloats("w3", random(8 * 16), 8, 16, 1, 1), TensorData.ofFloats("b3", random(8), 8),
                TensorData.ofFloats("w4", random(16 * 8 * 9), 16, 8, 3, 3),
                TensorData.ofFloats("w5", random(16 * 9), 16, 1, 3, 3), TensorData.ofFloats("b5", random(16), 16),
                TensorData.ofFloats("w6", random(5 * 16), 5, 16, 1, 1), TensorData.ofFloats("b6", random(5), 5),
                TensorData.ofFloats("w7", random(4 * 16 * 9), 4, 16, 3, 3),
                TensorData.ofFloats("lo", new float[]{0f}), TensorData.ofFloats("hi", new float[]{6f}));
        Attribute p1 = ints("pads", 1, 1, 1, 1), s2 = ints("strides", 2, 2);
        List<NodeDef> nodes = List.of(
                node("Conv", List.of("x", "w0", "b0"), List.of("c0"), p1, s2),
                node("Relu", List.of("c0"), List.of("r0")),
                node("Conv", List.of("r0", "w1", "b1"), List.of("mid")),
                node("Clip", List.of("mid", "lo", "hi"), List.of("e1")),
                node("Conv", List.of("e1", "w2", "b2"), List.of("c2"), p1, Attribute.of("group", 16L)),
                node("Clip", List.of("c2", "lo", "hi"), List.of("e2")),
                node("Conv", List.of("e2", "w3", "b3"), List.of("c3")),
                node("Conv", List.of("e2", "w7"), List.of("dense16"), p1, s2),
                node("Add", List.of("c3", "r0"), List.of("a3")),
                node("Conv", List.of("a3", "w4"), List.of("c4"), p1),
                node("Conv", List.of("c4", "w5", "b5"), List.of("d5"), p1, s2, Attribute.of("group", 16L)),
                node("Relu", List.of("d5"), List.of("side")),
                node("Conv", List.of("d5", "w6", "b6"), List.of("c6")),
                node("Sigmoid", List.of("c6"), List.of("s6")),
                node("GlobalAveragePool", List.of("s6"), List.of("g")),
                node("Flatten", List.of("g"), List.of("y")));
        return model(nodes, w, input("x", "n", 3, 13, 13), "y", "side", "mid", "dense16");
    }

    private static long count(Model m, String opType) {
        return m.graph().nodes.stream().filter(n -> n.opType.equals(opType)).count();
    }

    private static Options options(boolean nat, NhwcLayout.Mode mode, int threads) {
        BackendConfig b = nat ? new BackendConfig(true, Integer.MAX_VALUE) : BackendConfig.javaOnly(Integer.MAX_VALUE);
        return Options.defaults().withBackend(b).withLayout(mode).withThreads(threads);
    }

    @Test
    void depthwiseRegionRunsChannelsLastWithConversionsOnlyAtItsEdges() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeLibrary.available(), "auto picks channels-last for the native kernels only");
        try (Model m = Model.of(mobileLike(), options(true, NhwcLayout.Mode.AUTO, 1))) {
            assertEquals(8, count(m, "ConvNhwc"), m.graph().nodes.toString());
            assertEquals(0, count(m, "Conv"));
            assertEquals(1, count(m, "GlobalAveragePoolNhwc"));
            // in: x, and e1 (made by the Clip that "mid", a graph output, keeps unfused); out: "mid", "dense16", d5 (the Relu's)
            List<Node> t = m.graph().nodes.stream().filter(n -> n.opType.equals("Transpose")).toList();
            assertEquals(5, t.size(), t.toString());
            assertEquals("x", t.get(0).inputs.get(0));
            assertTrue(t.stream().anyMatch(n -> n.inputs.get(0).equals("e1")));
            assertTrue(t.stream().anyMatch(n -> n.outputs.get(0).equals("mid")));
            assertTrue(t.stream().anyMatch(n -> n.outputs.get(0).equals("d5")));
            m.graph().checkTopologicalOrder();
        }
        try (Model m = Model.of(mobileLike(), Options.defaults().withLayout(NhwcLayout.Mode.NCHW))) {
            assertEquals(0, count(m, "ConvNhwc"));
            assertEquals(0, count(m, "Transpose"));
        }
    }

    /**
     * A depthwise conv alone between ops that stay NCHW (an int8 model's float depthwise convs between QConvs) would
     * need a transpose on each side: auto leaves it, nhwc converts it.
     */
    @Test
    void autoLeavesALoneDepthwiseConv() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeLibrary.available(), "auto picks channels-last for the native kernels only");
        ModelDef def = model(List.of(node("Conv", List.of("x", "w0"), List.of("y"), ints("pads", 1, 1, 1, 1), Attribute.of("group", 8L))),
                List.of(TensorData.ofFloats("w0", random(8 * 9), 8, 1, 3, 3)), input("x", 1, 8, 6, 6), "y");
        try (Model m = Model.of(def, options(true, NhwcLayout.Mode.AUTO, 1))) {
            assertEquals(0, count(m, "ConvNhwc"));
        }
        try (Model m = Model.of(def, options(true, NhwcLayout.Mode.NHWC, 1))) {
            assertEquals(1, count(m, "ConvNhwc"));
            assertEquals(2, count(m, "Transpose"));
        }
    }

    /** With the Java kernels alone, auto keeps NCHW (their NCHW convs are the faster ones); nhwc still converts. */
    @Test
    void autoKeepsNchwOnJavaKernels() {
        try (Model m = Model.of(mobileLike(), options(false, NhwcLayout.Mode.AUTO, 1))) {
            assertEquals(0, count(m, "ConvNhwc"));
        }
        try (Model m = Model.of(mobileLike(), options(false, NhwcLayout.Mode.NHWC, 1))) {
            assertEquals(8, count(m, "ConvNhwc"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "java"})
    void everyModeGivesTheNchwOutputs(String backend) {
        boolean nat = backend.equals("native");
        org.junit.jupiter.api.Assumptions.assumeTrue(!nat || NativeLibrary.available(), "native library unavailable");
        ModelDef def = mobileLike();
        for (int batch : new int[]{1, 3}) {
            Tensor x = Tensor.of(random(batch * 3 * 13 * 13), batch, 3, 13, 13);
            Map<String, Tensor> in = Map.of("x", x);
            Map<String, Tensor> ref;
            try (Model m = Model.of(def, options(nat, NhwcLayout.Mode.NCHW, 1))) {
                ref = m.run(in);
            }
            for (NhwcLayout.Mode mode : new NhwcLayout.Mode[]{NhwcLayout.Mode.AUTO, NhwcLayout.Mode.NHWC}) {
                for (int threads : new int[]{1, 2}) {
                    try (Model m = Model.of(def, options(nat, mode, threads))) {
                        Map<String, Tensor> got = m.run(in);
                        for (String name : List.of("y", "side", "mid", "dense16")) {
                            assertClose(ref.get(name), got.get(name), backend + " " + mode + " batch " + batch + " threads " + threads + " " + name);
                        }
                    }
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        ModelDef def = mobileLike();
        Tensor x = Tensor.of(random(2 * 3 * 13 * 13), 2, 3, 13, 13);
        try (Model one = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NHWC));
             Model two = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NHWC).withThreads(2))) {
            Map<String, Tensor> a = one.run(Map.of("x", x)), b = two.run(Map.of("x", x));
            for (String name : List.of("y", "side", "mid", "dense16")) {
                assertTrue(java.util.Arrays.equals(a.get(name).toFloatArray(), b.get(name).toFloatArray()), name);
            }
        }
    }

    /**
     * The bundled MobileNet channels-last on 2 threads (its 14x14 layers are big enough for the pointwise rows and the
     * depthwise output rows to be split between them) gives the 1-thread bits, and the NCHW plan's values.
     */
    @Test
    void mobileNetChannelsLastSplitOverThreadsGivesTheOneThreadBits() {
        java.nio.file.Path file = io.minnow.testutil.TestPaths.root().resolve("models/mobilenet.onnx");
        Tensor x = Tensor.of(random(2 * 28 * 28), 2, 1, 28, 28);
        try (Model one = Model.load(file, Options.defaults().withLayout(NhwcLayout.Mode.NHWC));
             Model two = Model.load(file, Options.defaults().withLayout(NhwcLayout.Mode.NHWC).withThreads(2));
             Model nchw = Model.load(file, Options.defaults().withLayout(NhwcLayout.Mode.NCHW))) {
            float[] a = one.run(x).toFloatArray(), b = two.run(x).toFloatArray();
            assertTrue(java.util.Arrays.equals(a, b), "1 vs 2 threads");
            assertClose(nchw.run(x), one.run(x), "mobilenet channels-last vs NCHW");
        }
    }

    /** Dense convs only: auto leaves them NCHW (their kernels are tuned there); nhwc converts them. */
    @Test
    void autoLeavesRegionsWithoutDepthwiseConvsAlone() {
        List<TensorData> w = List.of(TensorData.ofFloats("w0", random(4 * 2 * 9), 4, 2, 3, 3),
                TensorData.ofFloats("w1", random(4 * 4 * 9), 4, 4, 3, 3));
        Attribute p1 = ints("pads", 1, 1, 1, 1);
        ModelDef def = model(List.of(node("Conv", List.of("x", "w0"), List.of("c0"), p1),
                node("Conv", List.of("c0", "w1"), List.of("y"), p1)), w, input("x", 1, 2, 6, 7), "y");
        try (Model m = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.AUTO))) {
            assertEquals(2, count(m, "Conv"));
            assertEquals(0, count(m, "Transpose"));
        }
        Tensor x = Tensor.of(random(2 * 6 * 7), 1, 2, 6, 7);
        try (Model a = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NCHW));
             Model b = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NHWC))) {
            assertEquals(2, count(b, "ConvNhwc"));
            assertEquals(2, count(b, "Transpose"));
            assertClose(a.run(Map.of("x", x)).get("y"), b.run(Map.of("x", x)).get("y"), "dense convs channels-last");
        }
    }

    /** A conv whose residual comes from outside any region stays NCHW (its producer is not channels-last). */
    @Test
    void residualFromOutsideKeepsTheConvNchw() {
        List<TensorData> w = List.of(TensorData.ofFloats("w0", random(4 * 9), 4, 1, 3, 3),
                TensorData.ofFloats("w1", random(4 * 4), 4, 4, 1, 1));
        Attribute p1 = ints("pads", 1, 1, 1, 1);
        ModelDef def = model(List.of(node("Conv", List.of("x", "w0"), List.of("c0"), p1, Attribute.of("group", 4L)),
                node("Conv", List.of("c0", "w1"), List.of("c1")),
                node("Add", List.of("c1", "x"), List.of("y"))), w, input("x", 1, 4, 5, 5), "y");
        try (Model m = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NHWC))) {
            assertEquals(1, count(m, "ConvNhwc"), m.graph().nodes.toString());
            assertEquals(1, count(m, "Conv"));
            Tensor x = Tensor.of(random(4 * 25), 1, 4, 5, 5);
            try (Model ref = Model.of(def, Options.defaults().withLayout(NhwcLayout.Mode.NCHW))) {
                assertClose(ref.run(Map.of("x", x)).get("y"), m.run(Map.of("x", x)).get("y"), "outside residual");
            }
        }
    }

    @Test
    void unknownModeIsAClearError() {
        String old = System.getProperty("minnow.layout");
        System.setProperty("minnow.layout", "nchwc");
        try {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    NhwcLayout.Mode::fromSystemProperties);
            assertTrue(e.getMessage().contains("nchwc"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("minnow.layout");
            else System.setProperty("minnow.layout", old);
        }
        assertFalse(NhwcLayout.Mode.fromSystemProperties() == null);
    }

    static void assertClose(Tensor want, Tensor got, String what) {
        assertTrue(java.util.Arrays.equals(want.shape(), got.shape()), what + ": shape " + java.util.Arrays.toString(got.shape()));
        float[] a = want.toFloatArray(), b = got.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= 1e-4f + 1e-4f * Math.abs(a[i]), what + " [" + i + "]: " + b[i] + ", NCHW " + a[i]);
        }
    }
}
