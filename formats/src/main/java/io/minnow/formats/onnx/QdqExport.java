package io.minnow.formats.onnx;

import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantCheck;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a Minnow-quantized model to plain ONNX that {@link OnnxWriter} can write and any ONNX runtime
 * can run ("QDQ" form):
 * <ul>
 * <li>a {@link Encoding#Q8} initializer {@code W} becomes an INT8 initializer {@code W_quantized} (the codes,
 *     same dims), a FLOAT {@code W_scale} [N], an INT8 {@code W_zero_point} [N] of zeros and a node
 *     {@code DequantizeLinear(W_quantized, W_scale, W_zero_point, axis=0)} that produces {@code W} again,
 *     placed just before the first node that reads {@code W}. Dequantizing gives exactly
 *     {@code code * scale} in float32, i.e. {@link Q8Codec#decode}, so the exported model computes what
 *     Minnow computes;</li>
 * <li>a {@link Encoding#Q4} initializer is decoded to float32 ({@link Q4Codec#decode}): ONNX opset 13 has
 *     no 4-bit type, so int4 weights export as float32 (the quantization error stays, the size saving
 *     does not); the activation QuantizeLinear/DequantizeLinear pairs are ordinary nodes and stay;</li>
 * <li>F32 and RAW tensors pass through; any other encoding is refused, naming the tensor.</li>
 * </ul>
 * Per-axis DequantizeLinear needs opset 13: an older model is raised to 13 when every node keeps its
 * meaning ({@link OpsetUpgrade}), otherwise refused. Every name read by a node must be a graph input, an
 * initializer or an earlier node's output (ONNX Runtime would refuse the file otherwise).
 * Pure: the input model is not changed; new tensors share the quantized blobs' bytes.
 */
public final class QdqExport {
    private QdqExport() {}

    /** The lowered model and what happened to its weights (for the command line's report). */
    public record Result(ModelDef model, int int8Tensors, long int8Bytes, int int4Tensors, long int4FloatBytes,
                         int denseTensors, long denseBytes, long opsetBefore, long opsetAfter, int outputPairs) {
        /** The sentence the command line prints when int4 weights were widened. */
        public String int4Note() {
            return "int4 weights of " + int4Tensors + " tensors written as float32: ONNX opset 13 has no int4";
        }
    }

    /** Lowers {@code model} as described in the class comment. */
    public static Result export(ModelDef model) {
        return export(model, false);
    }

    /**
     * Lowers {@code model}; with {@code outputQdq}, also quantizes Conv / Gemm outputs where a later
     * QuantizeLinear gives their scale ({@link OutputQdq}), so that ONNX Runtime fuses them into int8 kernels.
     */
    public static Result export(ModelDef model, boolean outputQdq) {
        if (model.graph() == null) throw new MinnowException("the model has no graph to export");
        Lowering l = new Lowering(allNames(model.graph(), new HashSet<>()));
        int[] pairs = {0};
        GraphDef g = outputQdq ? OutputQdq.apply(model.graph(), l::fresh, pairs) : model.graph();
        g = l.graph(g, Set.of());
        long before = model.opset(), after = before;
        Map<String, Long> opsets = model.opsetImports();
        long ir = model.irVersion();
        if (l.int8 > 0 && before < OpsetUpgrade.TARGET) {
            OpsetUpgrade.check(model.graph(), before);
            Map<String, Long> raised = new HashMap<>(opsets);
            raised.put(opsets.containsKey("") || !opsets.containsKey("ai.onnx") ? "" : "ai.onnx", OpsetUpgrade.TARGET);
            opsets = raised;
            after = OpsetUpgrade.TARGET;
            ir = Math.max(ir, 7); // opset 13 needs IR version 7
        }
        ModelDef out = new ModelDef(ir, opsets, model.producerName(), model.producerVersion(), g, model.metadata());
        return new Result(out, l.int8, l.int8Bytes, l.int4, l.int4Bytes, l.dense, l.denseBytes, before, after, pairs[0]);
    }

    /** One pass over the model; holds the names in use (one namespace for the whole model) and the counts. */
    private static final class Lowering {
        final Set<String> names;
        int int8, int4, dense;
        long int8Bytes, int4Bytes, denseBytes;

        Lowering(Set<String> names) {
            this.names = names;
        }

        GraphDef graph(GraphDef g, Set<String> outer) {
            List<TensorData> inits = new ArrayList<>();
            Map<String, NodeDef> dequant = new LinkedHashMap<>(); // W -> its DequantizeLinear, not yet placed
            for (TensorData t : g.initializers()) {
                switch (t.encoding()) {
                    case F32, RAW -> {
                        inits.add(t);
                        dense++;
                        denseBytes += t.bytes().byteSize();
                    }
                    case Q8 -> dequant.put(t.name(), q8(t, inits));
                    case Q4 -> {
                        float[] v = Q4Codec.decode(t);
                        inits.add(TensorData.ofFloats(t.name(), v, t.dims()));
                        int4++;
                        int4Bytes += 4L * v.length;
                    }
                    default -> throw new MinnowException("tensor '" + t.name() + "' is " + t.encoding()
                            + "-encoded; export handles F32, RAW, Q8 and Q4 tensors only");
                }
            }
            Set<String> visible = new HashSet<>(outer);
            for (ValueInfo v : g.inputs()) visible.add(v.name());
            for (TensorData t : inits) visible.add(t.name());
            List<NodeDef> nodes = new ArrayList<>();
            for (NodeDef n : g.nodes()) {
                Set<String> reads = new HashSet<>();
                reads(n, reads);
                for (String w : reads) {
                    NodeDef dq = dequant.remove(w);
                    if (dq != null) {
                        nodes.add(dq);
                        visible.add(w);
                    }
                }
                for (String in : n.inputs()) {
                    if (!in.isEmpty() && !visible.contains(in)) {
                        throw new MinnowException("node '" + n.displayName() + "' (" + n.opType() + ") reads '" + in
                                + "', which no initializer, graph input or earlier node provides");
                    }
                }
                nodes.add(withLoweredSubgraphs(n, visible));
                visible.addAll(n.outputs());
            }
            for (NodeDef dq : dequant.values()) { // read by no node (a graph output, or unused): keep W defined
                nodes.add(dq);
                visible.add(dq.outputs().getFirst());
            }
            for (ValueInfo v : g.outputs()) {
                if (!visible.contains(v.name())) throw new MinnowException("graph output '" + v.name() + "' is produced by no node or initializer");
            }
            Set<String> lowered = new HashSet<>();
            for (TensorData t : g.initializers()) if (t.encoding() == Encoding.Q8) lowered.add(t.name());
            // Before IR 4 initializers were also listed as graph inputs; a node output cannot be one.
            List<ValueInfo> inputs = g.inputs().stream().filter(v -> !lowered.contains(v.name())).toList();
            return new GraphDef(g.name(), nodes, inputs, g.outputs(), inits, g.valueInfo());
        }

        /** Adds codes, scales and zero points of a q8 weight to {@code inits}; returns its DequantizeLinear. */
        NodeDef q8(TensorData t, List<TensorData> inits) {
            QuantLayout l = Q8Codec.layout(t);
            QuantCheck.check(t, null, -1); // a NaN or negative scale would make a file that silently computes garbage
            long n = l.rows(), codes = n * l.cols();
            String q = fresh(t.name() + "_quantized"), s = fresh(t.name() + "_scale"), z = fresh(t.name() + "_zero_point");
            inits.add(new TensorData(q, DataType.INT8, t.dims(), Encoding.RAW, t.bytes().asSlice(0, codes)));
            inits.add(new TensorData(s, DataType.FLOAT, new long[]{n}, Encoding.F32, t.bytes().asSlice(l.scalesOffset(), 4 * n)));
            MemorySegment zeros = Arena.ofAuto().allocate(Math.max(1, n)).asSlice(0, n);
            inits.add(new TensorData(z, DataType.INT8, new long[]{n}, Encoding.RAW, zeros));
            int8++;
            int8Bytes += codes + 5 * n;
            return new NodeDef(fresh(t.name() + "_DequantizeLinear"), "DequantizeLinear", "", List.of(q, s, z),
                    List.of(t.name()), Map.of("axis", Attribute.of("axis", 0L)));
        }

        NodeDef withLoweredSubgraphs(NodeDef n, Set<String> visible) {
            boolean any = n.attributes().values().stream()
                    .anyMatch(a -> a.kind() == Attribute.Kind.GRAPH || a.kind() == Attribute.Kind.GRAPHS);
            if (!any) return n;
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) a = Attribute.of(a.name(), graph(a.asGraph(), visible));
                else if (a.kind() == Attribute.Kind.GRAPHS) a = Attribute.ofGraphs(a.name(), a.asGraphs().stream().map(x -> graph(x, visible)).toList());
                attrs.put(a.name(), a);
            }
            return new NodeDef(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attrs);
        }

        /** {@code base} if unused in the model, else base_1, base_2, ...; reserved from then on. */
        String fresh(String base) {
            String name = base;
            for (int i = 1; names.contains(name); i++) name = base + "_" + i;
            names.add(name);
            return name;
        }
    }

    /** Names a node reads, including those its subgraphs read from outer scopes. */
    private static void reads(NodeDef n, Set<String> out) {
        out.addAll(n.inputs());
        for (Attribute a : n.attributes().values()) {
            if (a.kind() == Attribute.Kind.GRAPH) for (NodeDef m : a.asGraph().nodes()) reads(m, out);
            if (a.kind() == Attribute.Kind.GRAPHS) for (GraphDef g : a.asGraphs()) for (NodeDef m : g.nodes()) reads(m, out);
        }
    }

    private static Set<String> allNames(GraphDef g, Set<String> out) {
        for (ValueInfo v : g.inputs()) out.add(v.name());
        for (ValueInfo v : g.outputs()) out.add(v.name());
        for (ValueInfo v : g.valueInfo()) out.add(v.name());
        for (TensorData t : g.initializers()) out.add(t.name());
        for (NodeDef n : g.nodes()) {
            out.add(n.name());
            out.addAll(n.inputs());
            out.addAll(n.outputs());
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) allNames(a.asGraph(), out);
                if (a.kind() == Attribute.Kind.GRAPHS) for (GraphDef s : a.asGraphs()) allNames(s, out);
            }
        }
        return out;
    }
}
