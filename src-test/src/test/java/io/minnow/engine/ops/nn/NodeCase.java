package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.formats.Attribute;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds a one-node model by hand and runs it: inputs are graph inputs or initializers. */
final class NodeCase {
    private final String op;
    private long opset = 17;
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private final List<String> inputNames = new ArrayList<>();
    private final List<ValueInfo> graphInputs = new ArrayList<>();
    private final List<TensorData> initializers = new ArrayList<>();
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();
    private final List<String> outputs = new ArrayList<>();

    NodeCase(String op) {
        this.op = op;
    }

    NodeCase opset(long v) {
        opset = v;
        return this;
    }

    NodeCase attr(String name, long v) {
        attrs.put(name, Attribute.of(name, v));
        return this;
    }

    NodeCase attr(String name, float v) {
        attrs.put(name, Attribute.of(name, v));
        return this;
    }

    NodeCase attr(String name, String v) {
        attrs.put(name, Attribute.of(name, v));
        return this;
    }

    NodeCase attr(String name, long... v) {
        attrs.put(name, Attribute.of(name, v));
        return this;
    }

    NodeCase attr(String name, float[] v) {
        attrs.put(name, Attribute.of(name, v));
        return this;
    }

    /** A graph input fed at run time. */
    NodeCase input(String name, Tensor t) {
        inputNames.add(name);
        List<Dim> dims = new ArrayList<>();
        for (long d : t.shape()) dims.add(Dim.of(d));
        graphInputs.add(new ValueInfo(name, t.type(), dims));
        feeds.put(name, t);
        return this;
    }

    /** An initializer (constant). */
    NodeCase constant(String name, Tensor t) {
        inputNames.add(name);
        initializers.add(t.toData(name));
        return this;
    }

    /** An omitted optional input. */
    NodeCase none() {
        inputNames.add("");
        return this;
    }

    NodeCase output(String name) {
        outputs.add(name);
        return this;
    }

    ModelDef model() {
        NodeDef node = new NodeDef("n0", op, "", inputNames, outputs, attrs);
        List<ValueInfo> outs = outputs.stream().filter(s -> !s.isEmpty()).map(s -> new ValueInfo(s, null, null)).toList();
        GraphDef g = new GraphDef("g", List.of(node), graphInputs, outs, initializers, List.of());
        return new ModelDef(8, Map.of("", opset), "test", "", g, Map.of());
    }

    Map<String, Tensor> run(Options options) {
        try (Model m = Model.of(model(), options)) {
            return m.run(feeds);
        }
    }

    /** Runs with the given threads and vector width cap (0 = scalar reference GEMM). */
    Map<String, Tensor> run(int threads, int vectorCap) {
        return run(Options.defaults().withThreads(threads).withBackend(BackendConfig.javaOnly(vectorCap)));
    }

    Tensor run() {
        return run(1, Integer.MAX_VALUE).values().iterator().next();
    }

    static Tensor random(Random rnd, long... shape) {
        float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return Tensor.of(v, shape);
    }

    /** |a-b| <= atol + rtol*|b| for every element, with a message naming the first bad index. */
    static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        for (long i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i), a = actual.getDouble(i);
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                org.junit.jupiter.api.Assertions.fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }

    static void assertBitEqual(Tensor expected, Tensor actual, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        org.junit.jupiter.api.Assertions.assertEquals(-1,
                expected.data().asSlice(0, expected.byteSize()).mismatch(actual.data().asSlice(0, actual.byteSize())),
                what + ": results differ in bits");
    }
}
