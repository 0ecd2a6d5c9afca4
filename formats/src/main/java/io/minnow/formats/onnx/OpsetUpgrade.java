package io.minnow.formats.onnx;

import io.minnow.formats.Attribute;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.NodeDef;

import java.util.Map;

/**
 * Whether a model's default-domain opset can be raised to a newer one by only changing the import, i.e.
 * every node means the same under the newer opset. QDQ export needs opset 13 (per-axis DequantizeLinear);
 * rewriting ops whose signature changed (Softmax axis, Squeeze axes as input, ...) is out of scope, so
 * such a model is refused with the node that blocks it.
 *
 * <p>The table gives, per op, the oldest opset from which every later version up to {@link #TARGET} only
 * added types or optional behaviour whose defaults keep the old meaning (read from the ONNX operator
 * changelog). Ops missing from the table are refused: better no file than a file that computes
 * something else.
 */
final class OpsetUpgrade {
    private OpsetUpgrade() {}

    /** The opset QDQ export raises to. */
    static final long TARGET = 13;

    private static final Map<String, Long> SAFE_FROM = Map.ofEntries(
            Map.entry("Conv", 1L), Map.entry("ConvTranspose", 1L), Map.entry("MatMul", 1L),
            Map.entry("Gemm", 7L), // 7 dropped the 'broadcast' attribute
            Map.entry("Add", 7L), Map.entry("Sub", 7L), Map.entry("Mul", 7L), Map.entry("Div", 7L), // 7: numpy broadcasting
            Map.entry("Relu", 6L), Map.entry("Sigmoid", 6L), Map.entry("Tanh", 6L), Map.entry("LeakyRelu", 6L),
            Map.entry("Elu", 6L), Map.entry("Exp", 6L), Map.entry("Log", 6L), Map.entry("Sqrt", 6L), Map.entry("Neg", 6L),
            Map.entry("Abs", 6L), Map.entry("Sum", 8L), Map.entry("Max", 8L), Map.entry("Min", 8L), Map.entry("Mean", 8L),
            Map.entry("MaxPool", 1L), Map.entry("AveragePool", 7L), Map.entry("GlobalAveragePool", 1L),
            Map.entry("GlobalMaxPool", 1L), Map.entry("BatchNormalization", 9L), // 9 dropped 'spatial'
            Map.entry("Flatten", 1L), Map.entry("Reshape", 5L), Map.entry("Transpose", 1L), Map.entry("Concat", 4L),
            Map.entry("Identity", 1L), Map.entry("Shape", 1L), Map.entry("Gather", 1L), Map.entry("Cast", 6L),
            Map.entry("Constant", 1L), Map.entry("Clip", 11L), Map.entry("Pad", 11L), Map.entry("Dropout", 12L),
            Map.entry("QuantizeLinear", 10L), Map.entry("DequantizeLinear", 10L), // 13 only added 'axis' (default 1, scalar scales unaffected)
            Map.entry("Softmax", 13L), Map.entry("LogSoftmax", 13L), Map.entry("Squeeze", 13L),
            Map.entry("Unsqueeze", 13L), Map.entry("Split", 13L), Map.entry("ReduceSum", 13L));

    /**
     * Throws a MinnowException naming the first node (in the graph or its subgraphs) whose meaning would
     * change when {@code graph} is read under {@link #TARGET} instead of {@code from}.
     */
    static void check(GraphDef graph, long from) {
        for (NodeDef n : graph.nodes()) {
            if (n.domain().isEmpty() || n.domain().equals("ai.onnx")) {
                Long safe = SAFE_FROM.get(n.opType());
                if (safe == null || from < safe) {
                    throw new MinnowException("cannot raise the model from opset " + from + " to " + TARGET
                            + " (needed for per-channel DequantizeLinear): node '" + n.displayName() + "' (" + n.opType() + ") "
                            + (safe == null ? "is not known to keep its meaning" : "changed meaning at opset " + safe)
                            + "; re-export the original model at opset >= " + TARGET);
                }
            }
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) check(a.asGraph(), from);
                if (a.kind() == Attribute.Kind.GRAPHS) for (GraphDef g : a.asGraphs()) check(g, from);
            }
        }
    }
}
