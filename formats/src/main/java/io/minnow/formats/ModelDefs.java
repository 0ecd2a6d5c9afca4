package io.minnow.formats;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Structural comparison of models. The records already compare by value (tensors by content, arrays by
 * content, floats bit for bit); this class adds a description of the first difference, which is what a
 * failing round-trip test needs to say.
 */
public final class ModelDefs {
    private ModelDefs() {}

    /** True when the two models are equal: metadata, opsets, graph, nodes, attributes, tensor bytes. */
    public static boolean sameModel(ModelDef a, ModelDef b) {
        return difference(a, b) == null;
    }

    /** Throws an AssertionError naming the first difference, if any. */
    public static void assertEquivalent(ModelDef expected, ModelDef actual) {
        String d = difference(expected, actual);
        if (d != null) throw new AssertionError("models differ: " + d);
    }

    /** A one-line description of the first difference (e.g. {@code graph/node[3 Conv]/attr pads: ...}), or null. */
    public static String difference(ModelDef a, ModelDef b) {
        if (a == b) return null;
        if (a == null || b == null) return "one model is null";
        if (a.irVersion() != b.irVersion()) return "ir_version " + a.irVersion() + " vs " + b.irVersion();
        if (!a.opsetImports().equals(b.opsetImports())) return "opsets " + a.opsetImports() + " vs " + b.opsetImports();
        if (!a.producerName().equals(b.producerName())) return "producer_name '" + a.producerName() + "' vs '" + b.producerName() + "'";
        if (!a.producerVersion().equals(b.producerVersion())) return "producer_version '" + a.producerVersion() + "' vs '" + b.producerVersion() + "'";
        if (!a.metadata().equals(b.metadata())) return "metadata " + a.metadata() + " vs " + b.metadata();
        if (a.graph() == null || b.graph() == null) return a.graph() == b.graph() ? null : "one graph is null";
        return graphDifference("graph", a.graph(), b.graph());
    }

    /** As {@link #difference(ModelDef, ModelDef)}, for two graphs; {@code path} prefixes the description. */
    public static String graphDifference(String path, GraphDef a, GraphDef b) {
        if (!a.name().equals(b.name())) return path + ": name '" + a.name() + "' vs '" + b.name() + "'";
        String d = listDifference(path + "/input", a.inputs(), b.inputs());
        if (d == null) d = listDifference(path + "/output", a.outputs(), b.outputs());
        if (d == null) d = listDifference(path + "/value_info", a.valueInfo(), b.valueInfo());
        if (d != null) return d;
        d = tensorsDifference(path + "/initializer", a.initializers(), b.initializers());
        if (d != null) return d;
        if (a.nodes().size() != b.nodes().size()) return path + ": " + a.nodes().size() + " vs " + b.nodes().size() + " nodes";
        for (int i = 0; i < a.nodes().size(); i++) {
            d = nodeDifference(path + "/node[" + i + " " + a.nodes().get(i).opType() + "]", a.nodes().get(i), b.nodes().get(i));
            if (d != null) return d;
        }
        return null;
    }

    private static String nodeDifference(String path, NodeDef a, NodeDef b) {
        if (!a.name().equals(b.name())) return path + ": name '" + a.name() + "' vs '" + b.name() + "'";
        if (!a.opType().equals(b.opType())) return path + ": op " + a.opType() + " vs " + b.opType();
        if (!a.domain().equals(b.domain())) return path + ": domain '" + a.domain() + "' vs '" + b.domain() + "'";
        if (!a.inputs().equals(b.inputs())) return path + ": inputs " + a.inputs() + " vs " + b.inputs();
        if (!a.outputs().equals(b.outputs())) return path + ": outputs " + a.outputs() + " vs " + b.outputs();
        Map<String, Attribute> x = a.attributes(), y = b.attributes();
        if (!x.keySet().equals(y.keySet())) return path + ": attributes " + x.keySet() + " vs " + y.keySet();
        for (Attribute u : x.values()) {
            Attribute v = y.get(u.name());
            String d = attributeDifference(path + "/attr " + u.name(), u, v);
            if (d != null) return d;
        }
        return null;
    }

    private static String attributeDifference(String path, Attribute a, Attribute b) {
        if (a.kind() != b.kind()) return path + ": kind " + a.kind() + " vs " + b.kind();
        return switch (a.kind()) {
            case TENSOR -> tensorDifference(path, a.asTensor(), b.asTensor());
            case TENSORS -> tensorsDifference(path, a.asTensors(), b.asTensors());
            case GRAPH -> graphDifference(path, a.asGraph(), b.asGraph());
            case GRAPHS -> {
                List<GraphDef> x = a.asGraphs(), y = b.asGraphs();
                if (x.size() != y.size()) yield path + ": " + x.size() + " vs " + y.size() + " graphs";
                for (int i = 0; i < x.size(); i++) {
                    String d = graphDifference(path + "[" + i + "]", x.get(i), y.get(i));
                    if (d != null) yield d;
                }
                yield null;
            }
            default -> a.equals(b) ? null : path + ": " + a + " vs " + b;
        };
    }

    private static String tensorsDifference(String path, List<TensorData> a, List<TensorData> b) {
        if (a.size() != b.size()) return path + ": " + a.size() + " vs " + b.size() + " tensors";
        for (int i = 0; i < a.size(); i++) {
            String d = tensorDifference(path + "[" + i + "]", a.get(i), b.get(i));
            if (d != null) return d;
        }
        return null;
    }

    private static String tensorDifference(String path, TensorData a, TensorData b) {
        if (!a.name().equals(b.name()) || a.type() != b.type() || a.encoding() != b.encoding()
                || !Arrays.equals(a.dims(), b.dims()) || !a.params().equals(b.params())) {
            return path + ": " + a.describe() + " vs " + b.describe();
        }
        long n = Math.min(a.bytes().byteSize(), b.bytes().byteSize());
        long m = java.lang.foreign.MemorySegment.mismatch(a.bytes(), 0, a.bytes().byteSize(), b.bytes(), 0, b.bytes().byteSize());
        if (m >= 0) return path + " (" + a.describe() + "): bytes differ at " + m + (m >= n ? " (length)" : "");
        return null;
    }

    private static <T> String listDifference(String path, List<T> a, List<T> b) {
        if (a.size() != b.size()) return path + ": " + a.size() + " vs " + b.size() + " entries";
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i), b.get(i))) return path + "[" + i + "]: " + a.get(i) + " vs " + b.get(i);
        }
        return null;
    }
}
