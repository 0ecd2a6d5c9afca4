package io.minnow.formats.onnx;

import io.minnow.formats.GraphDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Optional part of QDQ export: a QuantizeLinear -> DequantizeLinear pair on the OUTPUT of a Conv / Gemm
 * (after its Relu, when it has one), for ONNX Runtime. ORT fuses {@code DQ(x), DQ(w) -> Conv|Gemm [-> Relu]
 * -> Q} into QLinearConv / QGemm, but leaves a Conv or Gemm whose output is not quantized as
 * DequantizeLinear + float32 Conv/Gemm. The compressor only quantizes inputs, so the scale comes from the
 * next quantized node: the pair is added when the output reaches a per-tensor QuantizeLinear through
 * ops that commute with per-tensor quantization (Relu, MaxPool, Flatten, Reshape, Identity), with that
 * QuantizeLinear's scale and zero point. Quantization is monotone and idempotent, so
 * {@code Q(MaxPool(DQ(Q(y)))) == Q(MaxPool(y))}: the model computes the same values, only earlier in
 * int8. Outputs with no such QuantizeLinear downstream (the last layer) are left alone.
 */
final class OutputQdq {
    private OutputQdq() {}

    private static final Set<String> PASS_THROUGH = Set.of("Relu", "MaxPool", "Flatten", "Reshape", "Identity");

    /** The graph with output pairs added; {@code fresh} gives unused names. Returns how many via {@code added[0]}. */
    static GraphDef apply(GraphDef g, UnaryOperator<String> fresh, int[] added) {
        Map<String, List<NodeDef>> readers = new HashMap<>();
        for (NodeDef n : g.nodes()) for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Set<String> outputs = new java.util.HashSet<>();
        for (ValueInfo v : g.outputs()) outputs.add(v.name());
        Map<String, TensorData> inits = new HashMap<>();
        for (TensorData t : g.initializers()) inits.put(t.name(), t);

        Map<NodeDef, NodeDef[]> insertAfter = new HashMap<>(); // anchor -> Q, DQ
        Map<String, String> renamed = new HashMap<>();          // anchor output -> its DQ output
        for (NodeDef n : g.nodes()) {
            if (!n.opType().equals("Conv") && !n.opType().equals("Gemm") || !n.domain().isEmpty()) continue;
            NodeDef anchor = n;
            NodeDef relu = only(readers, outputs, n.outputs().getFirst());
            if (relu != null && relu.opType().equals("Relu")) anchor = relu;
            String v = anchor.outputs().getFirst();
            NodeDef q = null;
            for (String w = v; ; ) { // follow the value to the next QuantizeLinear
                NodeDef c = only(readers, outputs, w);
                if (c == null || !c.domain().isEmpty() || !c.inputs().getFirst().equals(w)) break;
                if (c.opType().equals("QuantizeLinear")) {
                    if (!w.equals(v) && perTensor(c, inits)) q = c; // w == v: the output is quantized already
                    break;
                }
                if (!PASS_THROUGH.contains(c.opType()) || c.outputs().size() != 1) break; // MaxPool indices: no
                w = c.outputs().getFirst();
            }
            if (q == null) continue;
            String s = q.inputs().get(1), z = q.inputs().get(2), vq = fresh.apply(v + "_q"), vdq = fresh.apply(v + "_dq");
            insertAfter.put(anchor, new NodeDef[]{
                    new NodeDef(fresh.apply(v + "_QuantizeLinear"), "QuantizeLinear", "", List.of(v, s, z), List.of(vq), Map.of()),
                    new NodeDef(fresh.apply(v + "_DequantizeLinear"), "DequantizeLinear", "", List.of(vq, s, z), List.of(vdq), Map.of())});
            renamed.put(v, vdq);
        }
        if (insertAfter.isEmpty()) return g;
        List<NodeDef> nodes = new ArrayList<>();
        for (NodeDef n : g.nodes()) {
            boolean reads = n.inputs().stream().anyMatch(renamed::containsKey);
            nodes.add(!reads ? n : new NodeDef(n.name(), n.opType(), n.domain(),
                    n.inputs().stream().map(i -> renamed.getOrDefault(i, i)).toList(), n.outputs(), n.attributes()));
            NodeDef[] pair = insertAfter.get(n);
            if (pair != null) nodes.addAll(List.of(pair));
        }
        added[0] += insertAfter.size();
        return new GraphDef(g.name(), nodes, g.inputs(), g.outputs(), g.initializers(), g.valueInfo());
    }

    /** The one node reading {@code v}, or null when v is a graph output or has no or several readers. */
    private static NodeDef only(Map<String, List<NodeDef>> readers, Set<String> outputs, String v) {
        List<NodeDef> r = readers.get(v);
        return outputs.contains(v) || r == null || r.size() != 1 ? null : r.getFirst();
    }

    /** A QuantizeLinear with an explicit zero point and one scale (a scalar or one-element initializer). */
    private static boolean perTensor(NodeDef q, Map<String, TensorData> inits) {
        if (q.inputs().size() < 3 || q.inputs().get(2).isEmpty()) return false;
        TensorData s = inits.get(q.inputs().get(1)), z = inits.get(q.inputs().get(2));
        return s != null && z != null && s.elementCount() == 1 && z.elementCount() == 1;
    }
}
