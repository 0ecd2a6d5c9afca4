package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a one-node model by hand and runs it. Inputs are either run-time graph inputs ({@link #input})
 * or initializers ({@link #constant}), so both the planned (constant) and the run-time (dynamic) paths
 * of an op can be exercised.
 */
final class OpRunner {
    private final String opType;
    private long opset = 18;
    private int threads = 1;
    private final List<String> nodeInputs = new ArrayList<>();
    private final List<String> nodeOutputs = new ArrayList<>();
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private final List<ValueInfo> graphInputs = new ArrayList<>();
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();
    private final List<TensorData> initializers = new ArrayList<>();

    private OpRunner(String opType) {
        this.opType = opType;
    }

    static OpRunner op(String opType) {
        return new OpRunner(opType);
    }

    OpRunner opset(long v) { opset = v; return this; }
    OpRunner threads(int t) { threads = t; return this; }

    /** A run-time input (its value unknown while planning). */
    OpRunner input(String name, Tensor t) {
        nodeInputs.add(name);
        graphInputs.add(new ValueInfo(name, t.type(), null));
        feeds.put(name, t);
        return this;
    }

    /** An initializer input (known while planning). */
    OpRunner constant(String name, Tensor t) {
        nodeInputs.add(name);
        initializers.add(t.toData(name));
        return this;
    }

    /** An omitted optional input. */
    OpRunner none() {
        nodeInputs.add("");
        return this;
    }

    OpRunner attr(Attribute a) { attrs.put(a.name(), a); return this; }
    OpRunner attr(String name, long v) { return attr(Attribute.of(name, v)); }
    OpRunner attr(String name, long... v) { return attr(Attribute.of(name, v)); }
    OpRunner attr(String name, float v) { return attr(Attribute.of(name, v)); }
    OpRunner attr(String name, String v) { return attr(Attribute.of(name, v)); }

    OpRunner outputs(String... names) {
        nodeOutputs.addAll(List.of(names));
        return this;
    }

    ModelDef model() {
        List<String> outs = nodeOutputs.isEmpty() ? List.of("y") : nodeOutputs;
        NodeDef node = new NodeDef("n0", opType, "", nodeInputs, outs, attrs);
        List<ValueInfo> outputs = new ArrayList<>();
        for (String o : outs) if (!o.isEmpty()) outputs.add(new ValueInfo(o, null, null));
        GraphDef g = new GraphDef("g", List.of(node), graphInputs, outputs, initializers, List.of());
        return new ModelDef(8, Map.of("", opset), "test", "", g, Map.of());
    }

    /** Runs and returns the outputs by name. */
    Map<String, Tensor> runAll() {
        try (Model m = Model.of(model(), Options.defaults().withThreads(threads))) {
            return m.run(feeds);
        }
    }

    /** Runs and returns the first output. */
    Tensor run() {
        return runAll().values().iterator().next();
    }

    // ---- tensor helpers ----

    static Tensor f(float[] v, long... shape) { return Tensor.of(v, shape); }

    static Tensor i64(long[] v, long... shape) { return Tensor.ofLongs(v, shape); }

    static Tensor ints(long... v) { return Tensor.ofLongs(v, v.length); }

    /** A tensor of any numeric type holding {@code v} (converted). */
    static Tensor typed(DataType type, long[] v, long... shape) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < v.length; i++) t.setLongValue(i, v[i]);
        return t;
    }

    /** 0, 1, 2, ... as floats. */
    static Tensor iota(long... shape) {
        int n = Math.toIntExact(Tensor.elementCount(shape));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    static float[] iotaValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }
}
