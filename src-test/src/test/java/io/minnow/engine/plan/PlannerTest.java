package io.minnow.engine.plan;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Planner passes: BatchNorm folding, activation fusion, shape-subgraph folding, memory reuse, input checks. */
class PlannerTest {
    private static final Random RNG = new Random(11);

    static float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) RNG.nextGaussian();
        return v;
    }

    static NodeDef node(String op, List<String> in, List<String> out, Attribute... attrs) {
        Map<String, Attribute> m = new java.util.LinkedHashMap<>();
        for (Attribute a : attrs) m.put(a.name(), a);
        return new NodeDef("", op, "", in, out, m);
    }

    static ValueInfo input(String name, Object... dims) {
        List<Dim> d = new ArrayList<>();
        for (Object o : dims) d.add(o instanceof String s ? Dim.symbolic(s) : Dim.of(((Number) o).longValue()));
        return new ValueInfo(name, DataType.FLOAT, d);
    }

    static ModelDef model(List<NodeDef> nodes, List<TensorData> inits, ValueInfo in, String out) {
        GraphDef g = new GraphDef("g", nodes, List.of(in), List.of(new ValueInfo(out, DataType.FLOAT, null)), inits, List.of());
        return new ModelDef(8, Map.of("", 13L), "test", "", g, Map.of());
    }

    /**
     * A ResNet block: Conv → Relu → Conv → Add(block input) → Relu, plus a strided 1x1 shortcut Conv on the
     * other side of a second Add. Both Adds and the Relus fold into Conv epilogues; results equal unfused.
     */
    @Test
    void residualAddsFoldIntoConv() {
        List<TensorData> inits = List.of(
                TensorData.ofFloats("w1", random(3 * 3 * 9), 3, 3, 3, 3), TensorData.ofFloats("b1", random(3), 3),
                TensorData.ofFloats("w2", random(3 * 3 * 9), 3, 3, 3, 3),
                TensorData.ofFloats("w3", random(5 * 3 * 9), 5, 3, 3, 3), TensorData.ofFloats("b3", random(5), 5),
                TensorData.ofFloats("ws", random(5 * 3), 5, 3, 1, 1));
        Attribute pads = Attribute.of("pads", new long[]{1, 1, 1, 1});
        Attribute s2 = Attribute.of("strides", new long[]{2, 2});
        List<NodeDef> nodes = List.of(
                node("Conv", List.of("x", "w1", "b1"), List.of("c1"), pads),
                node("Relu", List.of("c1"), List.of("r1")),
                node("Conv", List.of("r1", "w2"), List.of("c2"), pads),
                node("Add", List.of("c2", "x"), List.of("a1")),
                node("Relu", List.of("a1"), List.of("r2")),
                node("Conv", List.of("r2", "w3", "b3"), List.of("c3"), pads, s2),
                node("Conv", List.of("r2", "ws"), List.of("sc"), s2),
                node("Add", List.of("sc", "c3"), List.of("y")));
        ModelDef def = model(nodes, inits, input("x", "n", 3, 9, 8), "y");
        Tensor x = Tensor.of(random(2 * 3 * 9 * 8), 2, 3, 9, 8);
        for (int threads : new int[]{1, 2}) {
            try (Model fused = Model.of(def, Options.defaults().withThreads(threads));
                 Model plain = Model.of(def, Options.defaults().withOptimize(false))) {
                assertEquals(List.of("Conv", "Conv", "Conv", "Conv"), fused.plan(new long[][]{{2, 3, 9, 8}}).stepOps());
                float[] a = fused.run(x).toFloatArray(), b = plain.run(x).toFloatArray();
                assertEquals(2 * 5 * 5 * 4, a.length);
                for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4f * (1 + Math.abs(b[i])), "element " + i);
            }
        }
    }

    /** Add(Conv, r) where r broadcasts ([1, C, 1, 1] from a node): fused, still NumPy-broadcast like Add. */
    @Test
    void broadcastingResidualStillMatchesAdd() {
        List<TensorData> inits = List.of(TensorData.ofFloats("w", random(4 * 2 * 9), 4, 2, 3, 3),
                TensorData.ofFloats("v", random(4), 1, 4, 1, 1));
        List<NodeDef> nodes = List.of(
                node("Conv", List.of("x", "w"), List.of("c")),
                node("Identity", List.of("v"), List.of("vi")),
                node("Relu", List.of("vi"), List.of("r")),
                node("Add", List.of("c", "r"), List.of("a")),
                node("Relu", List.of("a"), List.of("y")));
        ModelDef def = model(nodes, inits, input("x", 1, 2, 6, 5), "y");
        Tensor x = Tensor.of(random(2 * 6 * 5), 1, 2, 6, 5);
        try (Model fused = Model.of(def, Options.defaults()); Model plain = Model.of(def, Options.defaults().withOptimize(false))) {
            float[] a = fused.run(x).toFloatArray(), b = plain.run(x).toFloatArray();
            assertArrayEquals(new long[]{1, 4, 4, 3}, fused.run(x).shape());
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-5f * (1 + Math.abs(b[i])), "element " + i);
        }
    }

    /** Conv → BatchNormalization → Relu → Conv → Clip(0,6): two Conv steps remain, same results as unfused. */
    @Test
    void batchNormAndActivationsFoldIntoConv() {
        float[] var = random(4);
        for (int i = 0; i < var.length; i++) var[i] = Math.abs(var[i]) + 0.1f;
        List<TensorData> inits = List.of(
                TensorData.ofFloats("w1", random(4 * 3 * 9), 4, 3, 3, 3),
                TensorData.ofFloats("b1", random(4), 4),
                TensorData.ofFloats("scale", random(4), 4), TensorData.ofFloats("bias", random(4), 4),
                TensorData.ofFloats("mean", random(4), 4), TensorData.ofFloats("var", var, 4),
                TensorData.ofFloats("w2", random(2 * 4 * 9), 2, 4, 3, 3),
                TensorData.ofFloats("lo", new float[]{0f}), TensorData.ofFloats("hi", new float[]{6f}));
        Attribute pads = Attribute.of("pads", new long[]{1, 1, 1, 1});
        List<NodeDef> nodes = List.of(
                node("Conv", List.of("x", "w1", "b1"), List.of("c1"), pads),
                node("BatchNormalization", List.of("c1", "scale", "bias", "mean", "var"), List.of("bn"), Attribute.of("epsilon", 1e-3f)),
                node("Relu", List.of("bn"), List.of("r")),
                node("Conv", List.of("r", "w2"), List.of("c2"), pads),
                node("Clip", List.of("c2", "lo", "hi"), List.of("y")));
        ModelDef def = model(nodes, inits, input("x", "n", 3, 7, 9), "y");
        Tensor x = Tensor.of(random(2 * 3 * 7 * 9), 2, 3, 7, 9);
        try (Model fused = Model.of(def, Options.defaults()); Model plain = Model.of(def, Options.defaults().withOptimize(false))) {
            assertEquals(List.of("Conv", "Conv"), fused.plan(new long[][]{{2, 3, 7, 9}}).stepOps());
            assertEquals(5, plain.plan(new long[][]{{2, 3, 7, 9}}).stepCount());
            float[] a = fused.run(x).toFloatArray(), b = plain.run(x).toFloatArray();
            assertEquals(2 * 2 * 7 * 9, a.length);
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4f * (1 + Math.abs(b[i])), "element " + i);
        }
    }

    /** Shape → Gather → Unsqueeze → Concat → Reshape folds away once the batch size is known. */
    @Test
    void shapeSubgraphFoldsToConstants() {
        List<TensorData> inits = List.of(TensorData.ofLongs("zero", new long[]{0}), TensorData.ofLongs("minus1", new long[]{-1}, 1));
        List<NodeDef> nodes = List.of(
                node("Shape", List.of("x"), List.of("s")),
                node("Gather", List.of("s", "zero"), List.of("n"), Attribute.of("axis", 0L)),
                node("Unsqueeze", List.of("n", "axes"), List.of("n1")),
                node("Concat", List.of("n1", "minus1"), List.of("shape"), Attribute.of("axis", 0L)),
                node("Reshape", List.of("x", "shape"), List.of("flat")),
                node("Relu", List.of("flat"), List.of("y")));
        List<TensorData> all = new ArrayList<>(inits);
        all.add(TensorData.ofLongs("axes", new long[]{0}, 1));
        // "zero" must be a scalar index for Gather to produce a scalar.
        all.set(0, TensorData.ofLongs("zero", new long[]{0}));
        ModelDef def = model(nodes, all, input("x", "batch", 2, 3), "y");
        try (Model m = Model.of(def, Options.defaults())) {
            var plan = m.plan(new long[][]{{4, 2, 3}});
            assertEquals(List.of("Reshape", "Relu"), plan.stepOps());
            Tensor out = m.run(Tensor.of(random(24), 4, 2, 3));
            assertArrayEquals(new long[]{4, 6}, out.shape());
            Tensor out2 = m.run(Tensor.of(random(6), 1, 2, 3));
            assertArrayEquals(new long[]{1, 6}, out2.shape());
        }
    }

    /** A chain of elementwise ops reuses arena slots: the arena is smaller than the sum of intermediates. */
    @Test
    void memoryPlanReusesSlots() {
        List<NodeDef> nodes = new ArrayList<>();
        String prev = "x";
        for (int i = 0; i < 8; i++) {
            String out = i == 7 ? "y" : "t" + i;
            nodes.add(node(i % 2 == 0 ? "Sigmoid" : "Neg", List.of(prev), List.of(out)));
            prev = out;
        }
        ModelDef def = model(nodes, List.of(), input("x", 1000), "y");
        try (Model m = Model.of(def, Options.defaults())) {
            var plan = m.plan(new long[][]{{1000}});
            assertTrue(plan.arenaBytes() <= plan.unsharedBytes() / 3, plan.arenaBytes() + " vs " + plan.unsharedBytes());
            float[] x = random(1000);
            float[] y = m.run(Tensor.of(x, 1000)).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                for (int k = 0; k < 8; k++) v = k % 2 == 0 ? 1 / (1 + Math.exp(-v)) : -v;
                assertEquals(v, y[i], 1e-5);
            }
        }
    }

    @Test
    void wrongInputShapeAndNameAreClearErrors() {
        ModelDef def = model(List.of(node("Relu", List.of("x"), List.of("y"))), List.of(), input("x", "n", 3), "y");
        try (Model m = Model.of(def, Options.defaults())) {
            MinnowException e = assertThrows(MinnowException.class, () -> m.run(Tensor.of(random(8), 2, 4)));
            assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("[n, 3]"), e.getMessage());
            e = assertThrows(MinnowException.class, () -> m.run(Map.of("z", Tensor.of(random(3), 1, 3))));
            assertTrue(e.getMessage().contains("missing input 'x'"), e.getMessage());
        }
    }

    @Test
    void unsupportedOpNamesOpAndNode() {
        NodeDef n = new NodeDef("mystery", "NonMaxSuppression", "", List.of("x"), List.of("y"), Map.of());
        ModelDef def = model(List.of(n), List.of(), input("x", 3), "y");
        try (Model m = Model.of(def, Options.defaults())) {
            MinnowException e = assertThrows(MinnowException.class, () -> m.run(Tensor.of(random(3), 3)));
            assertTrue(e.getMessage().contains("NonMaxSuppression") && e.getMessage().contains("mystery"), e.getMessage());
        }
    }

    /**
     * Outputs come back as heap copies that later runs do not overwrite; a heap-backed or misaligned input (a
     * previous output fed back, a user's MemorySegment.ofArray) is staged for the native kernels and gives
     * the same result as an off-heap one.
     */
    @Test
    void outputsAreOwnedHeapCopiesAndHeapInputsAreStaged() {
        List<TensorData> inits = List.of(TensorData.ofFloats("w", random(3 * 3 * 9), 3, 3, 3, 3));
        ModelDef def = model(List.of(node("Conv", List.of("x", "w"), List.of("y"), Attribute.of("pads", new long[]{1, 1, 1, 1}))),
                inits, input("x", 1, 3, 7, 9), "y");
        float[] v1 = random(3 * 7 * 9), v2 = random(3 * 7 * 9);
        try (Model m = Model.of(def, Options.defaults())) {
            var s = m.newSession();
            Tensor y1 = s.run(Map.of("x", Tensor.of(v1, 1, 3, 7, 9))).get("y");
            float[] first = y1.toFloatArray();
            assertTrue(!y1.data().isNative(), "outputs are heap copies");
            assertEquals(y1.byteSize(), y1.data().asByteBuffer().remaining(), "and can be written out as a ByteBuffer");
            Tensor y2 = s.run(Map.of("x", Tensor.of(v2, 1, 3, 7, 9))).get("y");
            assertArrayEquals(first, y1.toFloatArray(), "a later run must not change an earlier output");

            // heap input: the same values as v2, in a float[]-backed segment
            Tensor heap = Tensor.wrap(DataType.FLOAT, new long[]{1, 3, 7, 9}, java.lang.foreign.MemorySegment.ofArray(v2.clone()));
            assertArrayEquals(y2.toFloatArray(), s.run(Map.of("x", heap)).get("y").toFloatArray());
            // misaligned off-heap input: one byte into a native buffer
            var buf = java.lang.foreign.Arena.ofAuto().allocate(v2.length * 4L + 1, 64).asSlice(1, v2.length * 4L);
            java.lang.foreign.MemorySegment.copy(v2, 0, buf, Tensor.F32, 0, v2.length);
            Tensor odd = Tensor.wrap(DataType.FLOAT, new long[]{1, 3, 7, 9}, buf);
            assertArrayEquals(y2.toFloatArray(), s.run(Map.of("x", odd)).get("y").toFloatArray());
            // an output fed back in as the next input (shape [1, 3, 7, 9] too)
            Tensor again = s.run(Map.of("x", y2)).get("y");
            Tensor viaNative = s.run(Map.of("x", Tensor.of(y2.toFloatArray(), 1, 3, 7, 9))).get("y");
            assertArrayEquals(viaNative.toFloatArray(), again.toFloatArray());
        }
    }

    /** Many threads share one Model; each gets the same answer as a serial run. */
    @Test
    void concurrentRunsAgree() throws Exception {
        ModelDef def = model(List.of(node("Sigmoid", List.of("x"), List.of("y"))), List.of(), input("x", "n", 64), "y");
        try (Model m = Model.of(def, Options.defaults())) {
            List<Tensor> inputs = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Tensor t = Tensor.of(random(64 * (1 + i % 3)), 1 + i % 3, 64);
                inputs.add(t);
                expected.add(m.run(t).toFloatArray());
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Boolean>> fs = new ArrayList<>();
                for (int rep = 0; rep < 50; rep++) {
                    int i = rep % 16;
                    fs.add(pool.submit(() -> java.util.Arrays.equals(expected.get(i), m.run(inputs.get(i)).toFloatArray())));
                }
                for (var f : fs) assertTrue(f.get());
            } finally {
                pool.shutdown();
            }
        }
    }
}
