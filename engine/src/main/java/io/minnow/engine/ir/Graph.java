package io.minnow.engine.ir;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's mutable graph: nodes in topological order, the run-time inputs (graph inputs that are
 * not initializers), output names, and constant values (initializers and whatever passes fold).
 */
public final class Graph {
    public final String name;
    public final long opset;
    public final List<Node> nodes;
    public final List<ValueInfo> inputs;
    public final List<ValueInfo> outputs;
    public final Map<String, Tensor> constants;
    /**
     * Initializers stored in a compressed encoding (q8, q4), kept as they are: the quantization pass hands them to
     * the ops that execute them directly; any left over is decoded to float32 with a warning
     * ({@code plan.QuantFusion}). Never both here and in {@link #constants}.
     */
    public final Map<String, TensorData> encoded = new LinkedHashMap<>();
    /** Per-node prepared state ({@code Op.prepare}: packed weights), made once and shared by every plan. */
    private final Map<Node, Object> prepared = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Object NOTHING = new Object();

    public Graph(String name, long opset, List<Node> nodes, List<ValueInfo> inputs, List<ValueInfo> outputs,
                 Map<String, Tensor> constants) {
        this.name = name;
        this.opset = opset;
        this.nodes = new ArrayList<>(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.constants = new LinkedHashMap<>(constants);
    }

    /** Builds the IR from a model; checks that every value is defined before use (topological order). */
    public static Graph from(ModelDef model) {
        GraphDef g = model.graph();
        Map<String, Tensor> constants = new LinkedHashMap<>();
        Map<String, TensorData> encoded = new LinkedHashMap<>();
        for (TensorData t : g.initializers()) {
            if (t.encoding().quantized()) encoded.put(t.name(), t);
            else constants.put(t.name(), Tensor.fromData(t));
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo vi : g.inputs()) {
            if (!constants.containsKey(vi.name()) && !encoded.containsKey(vi.name())) inputs.add(vi);
        }
        List<Node> nodes = new ArrayList<>(g.nodes().size());
        for (var nd : g.nodes()) nodes.add(Node.of(nd));
        Graph graph = new Graph(g.name(), model.opset(), nodes, inputs, g.outputs(), constants);
        graph.encoded.putAll(encoded);
        graph.checkTopologicalOrder();
        return graph;
    }

    /** Throws when a node reads a value that no earlier node, input or constant defines. */
    public void checkTopologicalOrder() {
        Set<String> defined = new HashSet<>(constants.keySet());
        defined.addAll(encoded.keySet());
        for (ValueInfo vi : inputs) defined.add(vi.name());
        for (Node n : nodes) {
            for (String in : n.inputs) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new MinnowException("node '" + n.displayName() + "' (" + n.opType + ") reads '" + in
                            + "', which no input, initializer or earlier node defines");
                }
            }
            defined.addAll(n.outputs);
        }
        for (ValueInfo out : outputs) {
            if (!defined.contains(out.name())) {
                throw new MinnowException("graph output '" + out.name() + "' is never produced");
            }
        }
    }

    /** The node's prepared state, made by {@code make} the first time it is asked for (null = nothing). */
    public Object prepared(Node node, java.util.function.Supplier<Object> make) {
        Object v = prepared.computeIfAbsent(node, n -> {
            Object made = make.get();
            return made == null ? NOTHING : made;
        });
        return v == NOTHING ? null : v;
    }

    /** The declared type of a run-time input, or null. */
    public ValueInfo input(String name) {
        for (ValueInfo vi : inputs) if (vi.name().equals(name)) return vi;
        return null;
    }

    /** Number of nodes that read {@code value} (graph outputs count as one reader each). */
    public int readers(String value) {
        int n = 0;
        for (Node node : nodes) for (String in : node.inputs) if (in.equals(value)) n++;
        for (ValueInfo o : outputs) if (o.name().equals(value)) n++;
        return n;
    }

    /** The node producing {@code value}, or null. */
    public Node producer(String value) {
        for (Node node : nodes) if (node.outputs.contains(value)) return node;
        return null;
    }

    public static DataType typeOrFloat(ValueInfo vi) {
        return vi.type() == null ? DataType.FLOAT : vi.type();
    }
}
