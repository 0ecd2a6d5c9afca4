package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
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

/** A one-node model built by hand (graph inputs, initializers, several outputs) run through the public API. */
final class QNode {
    private final String op;
    private long opset = 13;
    private final Map<String, Attribute> attrs = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<ValueInfo> graphInputs = new ArrayList<>();
    private final List<TensorData> initializers = new ArrayList<>();
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();
    private int outputs = 1;

    private QNode(String op) {
        this.op = op;
    }

    static QNode op(String op) {
        return new QNode(op);
    }

    QNode opset(long v) { opset = v; return this; }
    QNode outputs(int n) { outputs = n; return this; }
    QNode attr(String name, long v) { attrs.put(name, Attribute.of(name, v)); return this; }
    QNode attr(String name, String v) { attrs.put(name, Attribute.of(name, v)); return this; }
    QNode attrInts(String name, long... v) { attrs.put(name, Attribute.of(name, v)); return this; }

    /** A graph input fed at run time. */
    QNode in(Tensor t) {
        String name = "in" + inputs.size();
        inputs.add(name);
        List<Dim> dims = new ArrayList<>();
        for (long d : t.shape()) dims.add(Dim.of(d));
        graphInputs.add(new ValueInfo(name, t.type(), dims));
        feeds.put(name, t);
        return this;
    }

    /** An initializer (known while planning). */
    QNode constant(Tensor t) {
        String name = "c" + inputs.size();
        inputs.add(name);
        initializers.add(t.toData(name));
        return this;
    }

    QNode none() {
        inputs.add("");
        return this;
    }

    List<Tensor> runAll() {
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) outs.add("y" + i);
        NodeDef node = new NodeDef("q0", op, "", inputs, outs, attrs);
        GraphDef g = new GraphDef("g", List.of(node), graphInputs, outs.stream().map(s -> new ValueInfo(s, null, null)).toList(),
                initializers, List.of());
        try (Model m = Model.of(new ModelDef(8, Map.of("", opset), "test", "", g, Map.of()), Options.defaults())) {
            Map<String, Tensor> r = m.run(feeds);
            return outs.stream().map(r::get).toList();
        }
    }

    Tensor run() {
        return runAll().get(0);
    }

    static Tensor typed(DataType t, long[] shape, double... v) {
        Tensor x = Tensor.allocate(t, shape);
        for (int i = 0; i < v.length; i++) x.setDouble(i, v[i]);
        return x;
    }

    /** Uniform random integers in [lo, hi] of type t. */
    static Tensor randomInts(java.util.Random r, DataType t, long lo, long hi, long... shape) {
        Tensor x = Tensor.allocate(t, shape);
        for (long i = 0; i < x.size(); i++) x.setLongValue(i, lo + (long) r.nextInt((int) (hi - lo + 1)));
        return x;
    }

    static Tensor scalar(DataType t, double v) {
        return typed(t, new long[0], v);
    }

    static long[] s(long... d) {
        return d;
    }
}
