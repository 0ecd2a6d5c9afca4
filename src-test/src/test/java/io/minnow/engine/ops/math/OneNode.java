package io.minnow.engine.ops.math;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.BackendConfig;
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
 * A one-node model built by hand, run through the public API. Inputs are run-time graph inputs
 * ({@link #in}) or initializers ({@link #constant}, known while planning, so the node may be folded).
 */
final class OneNode {
    private final String opType;
    private long opset = 17;
    private int threads = 1;
    private int vectorWidth = Integer.MAX_VALUE;
    private boolean optimize = true;
    private final List<String> inputs = new ArrayList<>();
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private final List<ValueInfo> graphInputs = new ArrayList<>();
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();
    private final List<TensorData> initializers = new ArrayList<>();

    private OneNode(String opType) {
        this.opType = opType;
    }

    static OneNode op(String opType) {
        return new OneNode(opType);
    }

    OneNode opset(long v) { opset = v; return this; }
    OneNode threads(int t) { threads = t; return this; }
    /** Caps the Vector API width (0 = the scalar loops only). */
    OneNode vectorWidth(int bits) { vectorWidth = bits; return this; }
    /** Turns the graph passes (fusion) off, so the op itself sees the node. */
    OneNode optimize(boolean on) { optimize = on; return this; }

    OneNode in(Tensor t) {
        String name = "in" + inputs.size();
        inputs.add(name);
        graphInputs.add(new ValueInfo(name, t.type(), null));
        feeds.put(name, t);
        return this;
    }

    OneNode constant(Tensor t) {
        String name = "c" + inputs.size();
        inputs.add(name);
        initializers.add(t.toData(name));
        return this;
    }

    OneNode none() {
        inputs.add("");
        return this;
    }

    OneNode attr(String name, long v) { attrs.put(name, Attribute.of(name, v)); return this; }
    OneNode attr(String name, float v) { attrs.put(name, Attribute.of(name, v)); return this; }
    OneNode attrInts(String name, long... v) { attrs.put(name, Attribute.of(name, v)); return this; }
    OneNode attr(String name, String v) { attrs.put(name, Attribute.of(name, v)); return this; }

    ModelDef model() {
        NodeDef node = new NodeDef("node0", opType, "", inputs, List.of("y"), attrs);
        GraphDef g = new GraphDef("g", List.of(node), graphInputs, List.of(new ValueInfo("y", null, null)),
                initializers, List.of());
        return new ModelDef(8, Map.of("", opset), "test", "", g, Map.of());
    }

    Tensor run() {
        Options options = Options.defaults().withThreads(threads)
                .withBackend(new BackendConfig(false, vectorWidth)).withOptimize(optimize);
        try (Model m = Model.of(model(), options)) {
            return m.run(feeds).get("y");
        }
    }

    // ---- tensor builders ----

    static Tensor f32(long[] shape, float... v) { return Tensor.of(v, shape); }

    static Tensor i64(long[] shape, long... v) { return Tensor.ofLongs(v, shape); }

    /** A tensor of any numeric type from doubles (converted like setDouble). */
    static Tensor typed(DataType t, long[] shape, double... v) {
        Tensor x = Tensor.allocate(t, shape);
        for (int i = 0; i < v.length; i++) x.setDouble(i, v[i]);
        return x;
    }

    static Tensor bools(long[] shape, boolean... v) {
        Tensor x = Tensor.allocate(DataType.BOOL, shape);
        for (int i = 0; i < v.length; i++) x.setLongValue(i, v[i] ? 1 : 0);
        return x;
    }

    static long[] s(long... dims) { return dims; }

    static float[] random(int n, long seed, float lo, float hi) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextFloat();
        return v;
    }

    static double[] values(Tensor t) {
        double[] v = new double[Math.toIntExact(t.size())];
        for (int i = 0; i < v.length; i++) v[i] = t.getDouble(i);
        return v;
    }
}
