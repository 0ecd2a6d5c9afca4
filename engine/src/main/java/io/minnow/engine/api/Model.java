package io.minnow.engine.api;

import io.minnow.engine.exec.ThreadPool;
import io.minnow.engine.ir.Graph;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.plan.Fusion;
import io.minnow.engine.plan.Plan;
import io.minnow.engine.plan.Planner;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ValueInfo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loaded model: immutable and thread-safe. Any number of threads may call {@link #run} at once; each
 * call borrows a {@link Session} (its own arena) from a pool. Plans are made per distinct set of input
 * shapes and cached.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("models/lenet5.onnx"))) {
 *     Tensor logits = model.run(Tensor.of(pixels, 1, 1, 28, 28));
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private static final int MAX_CACHED_PLANS = 32;

    private final ModelDef def;
    private final Graph graph;
    private final Options options;
    private final Kernels kernels;
    private final ThreadPool pool;
    private final Map<ShapesKey, Plan> plans = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();

    private Model(ModelDef def, Options options) {
        this.def = def;
        this.options = options;
        this.kernels = Kernels.select(options.backend());
        Graph g = Graph.from(def);
        if (options.optimize()) Fusion.run(g);
        io.minnow.engine.plan.QuantFusion.run(g, options.optimize()); // always: it decides how encoded weights execute
        if (options.optimize()) io.minnow.engine.plan.NhwcLayout.run(g, options.layout(), kernels);
        this.graph = g;
        this.pool = new ThreadPool(options.threads());
    }

    /** Loads an .onnx or .mnw file with default options. */
    public static Model load(java.nio.file.Path path) {
        return load(path, Options.defaults());
    }

    /** Loads an .onnx or .mnw file. */
    public static Model load(java.nio.file.Path path, Options options) {
        return of(ModelFiles.read(path), options);
    }

    /** Wraps an in-memory model. */
    public static Model of(ModelDef def, Options options) {
        return new Model(def, options);
    }

    public ModelDef definition() { return def; }
    public Options options() { return options; }
    public Kernels kernels() { return kernels; }
    /** Declared run-time inputs (initializers excluded). */
    public List<ValueInfo> inputs() { return graph.inputs; }
    public List<ValueInfo> outputs() { return graph.outputs; }
    /** The optimised graph the plans are made from (read-only use). */
    public Graph graph() { return graph; }

    /** Runs with named inputs; returns outputs by name, in graph order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Session s = idle.poll();
        if (s == null) s = new Session(this);
        try {
            return s.run(inputs);
        } finally {
            idle.offer(s);
        }
    }

    /** Single-input, first-output convenience. */
    public Tensor run(Tensor input) {
        if (graph.inputs.size() != 1) {
            throw new MinnowException("model has " + graph.inputs.size() + " inputs; pass them by name");
        }
        return run(Map.of(graph.inputs.get(0).name(), input)).values().iterator().next();
    }

    /** A session of one's own (one arena; use from one thread at a time). */
    public Session newSession() {
        return new Session(this);
    }

    /** The plan for these input shapes (validated against the declared inputs), made once and cached. */
    public Plan plan(long[][] shapes) {
        ShapesKey key = new ShapesKey(shapes);
        Plan p = plans.get(key);
        if (p != null) return p;
        p = Planner.plan(graph, shapes, kernels);
        if (plans.size() >= MAX_CACHED_PLANS) plans.clear();
        long[][] own = new long[shapes.length][];
        for (int i = 0; i < own.length; i++) own[i] = shapes[i] == null ? null : shapes[i].clone(); // the caller may reuse theirs
        plans.put(new ShapesKey(own), p);
        return p;
    }

    /** Images per chunk when a batch of this plan's shapes runs in pieces, or 0 (see BatchSplit; kept in the plan). */
    int batchChunk(Plan p) {
        return options.batchSplit() ? p.batchChunk() : 0;
    }

    ThreadPool pool() { return pool; }

    /** Orders and checks user inputs against the declared inputs: names, types, ranks, fixed dims. */
    Tensor[] bind(Map<String, Tensor> inputs) {
        Tensor[] bound = new Tensor[graph.inputs.size()];
        for (int i = 0; i < bound.length; i++) {
            ValueInfo vi = graph.inputs.get(i);
            Tensor t = inputs.get(vi.name());
            if (t == null) throw new MinnowException("missing input '" + vi.name() + "' (expected " + describe(vi) + ")");
            DataType want = Graph.typeOrFloat(vi);
            boolean ok = t.type() == want;
            if (ok && vi.shape() != null) {
                ok = t.rank() == vi.shape().size();
                for (int d = 0; ok && d < t.rank(); d++) {
                    Dim dim = vi.shape().get(d);
                    if (dim.isFixed() && dim.value() != t.dim(d)) ok = false;
                }
            }
            if (!ok) {
                throw new MinnowException("input '" + vi.name() + "': expected " + describe(vi) + ", got " + t);
            }
            bound[i] = t;
        }
        for (String name : inputs.keySet()) {
            if (graph.input(name) == null) throw new MinnowException("unknown input '" + name + "'; the model's inputs are "
                    + graph.inputs.stream().map(ValueInfo::name).toList());
        }
        return bound;
    }

    static String describe(ValueInfo vi) {
        return Graph.typeOrFloat(vi) + (vi.shape() == null ? "[any shape]" : vi.shape().toString());
    }

    /** Input shapes as a map key, without formatting them into a string on every run. */
    private record ShapesKey(long[][] shapes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ShapesKey k && Arrays.deepEquals(shapes, k.shapes);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(shapes);
        }
    }

    Map<String, Tensor> name(Tensor[] outs) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < outs.length; i++) m.put(graph.outputs.get(i).name(), outs[i]);
        return m;
    }

    @Override
    public void close() {
        pool.close();
    }
}
