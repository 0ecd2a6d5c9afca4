package io.minnow.engine.plan;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.minnow.engine.plan.PlannerTest.input;
import static io.minnow.engine.plan.PlannerTest.node;
import static io.minnow.engine.plan.PlannerTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Running a batch in chunks (BatchSplit): chosen only for graphs whose images are independent and whose batch
 * is far larger than L2; a chunked run gives what the whole-batch run gives, including a short last chunk.
 */
class BatchSplitTest {
    /** Conv (+ fused residual Add, Relu) → GlobalAveragePool → Flatten → Gemm: separable, chunked at a big batch. */
    private static ModelDef convNet(int c, int hw, boolean addAcrossBatch) {
        List<TensorData> inits = new ArrayList<>(List.of(
                TensorData.ofFloats("w", random(c * 3 * 9), c, 3, 3, 3), TensorData.ofFloats("b", random(c), c),
                TensorData.ofFloats("w2", random(c * c * 9), c, c, 3, 3),
                TensorData.ofFloats("fw", random(10 * c), c, 10), TensorData.ofFloats("fb", random(10), 10)));
        Attribute pads = Attribute.of("pads", new long[]{1, 1, 1, 1});
        List<NodeDef> nodes = new ArrayList<>(List.of(
                node("Conv", List.of("x", "w", "b"), List.of("c1"), pads),
                node("Relu", List.of("c1"), List.of("r1")),
                node("Conv", List.of("r1", "w2"), List.of("c2"), pads),
                node("Add", List.of("c2", "r1"), List.of("a")),
                node("Relu", List.of("a"), List.of("r2")),
                node("GlobalAveragePool", List.of("r2"), List.of("g")),
                node("Flatten", List.of("g"), List.of("f")),
                node("Gemm", List.of("f", "fw", "fb"), List.of("y0"))));
        if (addAcrossBatch) {
            // ReduceSum over axis 0 mixes images: the whole batch must run in one piece
            inits.add(TensorData.ofLongs("ax", new long[]{0}, 1));
            nodes.add(node("ReduceSum", List.of("y0", "ax"), List.of("s"), Attribute.of("keepdims", 1L)));
            nodes.add(node("Add", List.of("y0", "s"), List.of("y")));
        } else {
            nodes.add(node("Relu", List.of("y0"), List.of("y")));
        }
        GraphDef g = new GraphDef("g", nodes, List.of(input("x", "n", 3, hw, hw)),
                List.of(new ValueInfo("y", io.minnow.formats.DataType.FLOAT, null)), inits, List.of());
        return new ModelDef(8, Map.of("", 13L), "test", "", g, Map.of());
    }

    private static int chunkOf(Model m, long... xShape) {
        return BatchSplit.chunk(m.plan(new long[][]{xShape}));
    }

    @Test
    void separableConvNetRunsInChunksWithTheSameResults() {
        int c = 16, hw = 32, batch = 37; // 16 x 32 x 32 floats = 64 KB per image: 2.4 MB for the batch
        ModelDef def = convNet(c, hw, false);
        Tensor x = Tensor.of(random(batch * 3 * hw * hw), batch, 3, hw, hw);
        for (int threads : new int[]{1, 2}) {
            try (Model split = Model.of(def, Options.defaults().withThreads(threads));
                 Model whole = Model.of(def, Options.defaults().withThreads(threads).withBatchSplit(false))) {
                int chunk = chunkOf(split, batch, 3, hw, hw);
                assertTrue(chunk >= 2 && chunk < batch && batch % chunk != 0, "chunk " + chunk + " (a short last chunk is tested too)");
                assertEquals(0, chunkOf(split, 1, 3, hw, hw), "one image is never split");
                assertEquals(0, chunkOf(split, 4, 3, hw, hw), "a batch that fits in cache is not split");
                float[] a = split.run(x).toFloatArray(), b = whole.run(x).toFloatArray();
                assertEquals(batch * 10, a.length);
                for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-5f * (1 + Math.abs(b[i])), "element " + i);
            }
        }
    }

    @Test
    void graphsThatMixImagesAreNotSplit() {
        int hw = 32, batch = 40;
        try (Model m = Model.of(convNet(16, hw, true), Options.defaults())) {
            assertEquals(0, chunkOf(m, batch, 3, hw, hw), "ReduceSum over the batch axis");
        }
        // a constant with a batch dimension of its own added to the activations
        TensorData k = TensorData.ofFloats("k", random(batch * 4 * 64 * 64), batch, 4, 64, 64);
        GraphDef g = new GraphDef("g", List.of(node("Add", List.of("x", "k"), List.of("y"))), List.of(input("x", "n", 4, 64, 64)),
                List.of(new ValueInfo("y", io.minnow.formats.DataType.FLOAT, null)), List.of(k), List.of());
        try (Model m = Model.of(new ModelDef(8, Map.of("", 13L), "t", "", g, Map.of()), Options.defaults())) {
            assertEquals(0, chunkOf(m, batch, 4, 64, 64), "batched constant");
        }
        // Softmax over axis 0 normalises across images
        GraphDef sm = new GraphDef("g", List.of(node("Softmax", List.of("x"), List.of("y"), Attribute.of("axis", 0L))),
                List.of(input("x", "n", 4, 64, 64)), List.of(new ValueInfo("y", io.minnow.formats.DataType.FLOAT, null)),
                List.of(), List.of());
        try (Model m = Model.of(new ModelDef(8, Map.of("", 13L), "t", "", sm, Map.of()), Options.defaults())) {
            assertEquals(0, chunkOf(m, batch, 4, 64, 64), "Softmax axis 0");
        }
    }

    /** The bundled MobileNet at batch 64 is split (its 96-channel maps are 4.8 MB) and agrees with the whole run. */
    @Test
    void bundledMobileNetAtBatch64() {
        Random r = new Random(5);
        float[] v = new float[64 * 784];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        Tensor x = Tensor.of(v, 64, 1, 28, 28);
        java.nio.file.Path path = TestPaths.root().resolve("models/mobilenet.onnx");
        try (Model split = Model.load(path, Options.defaults()); Model whole = Model.load(path, Options.defaults().withBatchSplit(false))) {
            assertTrue(chunkOf(split, 64, 1, 28, 28) > 0);
            float[] a = split.run(x).toFloatArray(), b = whole.run(x).toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4f * (1 + Math.abs(b[i])), "logit " + i);
        }
    }
}
