package io.minnow.engine.compress;

import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training quantization of a float32 model's weights, as a rewrite of its {@link ModelDef}:
 * <ul>
 *   <li>each quantizable layer's weight initializer is re-encoded in place (same name) as {@code q8} (int8, one
 *       scale per output channel) or {@code q4} (int4, groups of G along K); a Gemm with transB = 0 gets its weight
 *       transposed and transB = 1, so that rows are output channels;</li>
 *   <li>an int8 layer's input x gets {@code QuantizeLinear(x, s, z) → DequantizeLinear(·, s, z)} with the calibrated
 *       uint8 parameters (one pair per tensor, shared by its int8 readers). The engine fuses the pair and the
 *       weight into one int8 op; any other ONNX runtime reads the same graph as QDQ (see {@code minnow export}).</li>
 * </ul>
 * Quantizable: Conv with a constant float weight (not depthwise: its weights are few and f32-dwconv is
 * memory-bound anyway; nor a conv with one input channel per group, a grayscale stem: K is its 9 or 25 taps, its
 * weights a few hundred bytes, and its int8 GEMM all packing and epilogue), Gemm with a constant 2-D weight (transA = 0, alpha = 1). int4 applies to Gemm and 1x1
 * convs; the other convs stay int8.
 */
public final class Quantizer {
    private Quantizer() {}

    /** One quantizable layer. {@code int4Ok}: a Gemm or a 1x1 conv. */
    public record Target(String node, String opType, String weight, String input, boolean int4Ok) {}

    /** The layers {@link #quantize} would touch, in node order. */
    public static List<Target> targets(ModelDef model) {
        GraphDef g = model.graph();
        Map<String, TensorData> inits = new HashMap<>();
        for (TensorData t : g.initializers()) inits.put(t.name(), t);
        Map<String, Integer> readers = new HashMap<>();
        for (NodeDef n : g.nodes()) for (String in : n.inputs()) readers.merge(in, 1, Integer::sum);
        List<Target> out = new ArrayList<>();
        for (NodeDef n : g.nodes()) {
            if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || n.inputs().size() < 2) continue;
            String x = n.inputs().get(0), wName = n.inputs().get(1);
            TensorData w = inits.get(wName);
            if (w == null || w.type() != DataType.FLOAT || inits.containsKey(x) || readers.getOrDefault(wName, 0) != 1) continue;
            long[] d = w.dims();
            switch (n.opType()) {
                case "Conv" -> {
                    if (d.length < 3) continue;
                    long group = intAttr(n, "group", 1);
                    if (group > 1 && group == d[0] && d[1] == 1) continue; // depthwise
                    if (d[1] == 1) continue; // one input channel per group: a grayscale stem, K = taps only, too short for int8 to pay
                    boolean pointwise = group == 1 && allOnes(d, 2) && allEqual(n, "strides", 1) && allEqual(n, "pads", 0)
                            && allEqual(n, "dilations", 1) && "NOTSET".equals(stringAttr(n, "auto_pad", "NOTSET"));
                    out.add(new Target(name(n), "Conv", wName, x, pointwise));
                }
                case "Gemm" -> {
                    if (d.length != 2 || intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1f) != 1f) continue;
                    out.add(new Target(name(n), "Gemm", wName, x, true));
                }
                default -> { }
            }
        }
        return out;
    }

    /**
     * The quantized model. {@code ranges} holds the calibrated range of every int8 layer's input (missing one is an
     * error); layers named in {@code cfg.keepFp32()} are left alone.
     */
    public static ModelDef quantize(ModelDef model, QuantConfig cfg, Map<String, ActivationRange> ranges) {
        GraphDef g = model.graph();
        List<Target> targets = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (Target t : targets(model)) {
            known.add(t.node());
            if (!cfg.keepFp32().contains(t.node())) targets.add(t);
        }
        for (String k : cfg.keepFp32()) {
            if (!known.contains(k)) throw new MinnowException("--keep-fp32 " + k + ": no quantizable layer has that name (have: " + known + ")");
        }
        Map<String, Target> byNode = new HashMap<>();
        for (Target t : targets) byNode.put(t.node(), t);

        Map<String, TensorData> newInits = new LinkedHashMap<>();
        for (TensorData t : g.initializers()) newInits.put(t.name(), t);
        Set<String> names = new HashSet<>(newInits.keySet());
        for (NodeDef n : g.nodes()) names.addAll(n.outputs());

        List<NodeDef> nodes = new ArrayList<>();
        Map<String, String> dequantized = new HashMap<>(); // x -> the DQ output that int8 readers use instead
        Map<String, String> dequantizedS8 = new HashMap<>(); // x -> the symmetric int8 DQ output int4 x int8 readers use
        for (NodeDef n : g.nodes()) {
            Target t = byNode.get(name(n));
            if (t == null) {
                nodes.add(n);
                continue;
            }
            TensorData w = newInits.get(t.weight());
            Map<String, Attribute> attrs = new LinkedHashMap<>(n.attributes());
            float[] values = w.toFloatArray();
            long[] dims = w.dims();
            if (t.opType().equals("Gemm") && intAttr(n, "transB", 0) == 0) {
                values = transpose(values, (int) dims[0], (int) dims[1]);
                dims = new long[]{dims[1], dims[0]};
                attrs.put("transB", Attribute.of("transB", 1L));
            }
            boolean int4 = cfg.int4() && t.int4Ok();
            newInits.put(t.weight(), int4 ? Q4Codec.encode(t.weight(), values, cfg.groupSize(), cfg.zeroPoint(), dims)
                    : Q8Codec.encode(t.weight(), values, dims));
            List<String> inputs = new ArrayList<>(n.inputs());
            if (int4 && cfg.quantizesInput(t)) { // --act int8: symmetric int8 QDQ, the q4-gemv kernel's input
                inputs.set(0, qdq(t, true, ranges, names, newInits, nodes, dequantizedS8));
            } else if (!int4) { // int8: the calibrated uint8 range
                inputs.set(0, qdq(t, false, ranges, names, newInits, nodes, dequantized));
            }
            nodes.add(new NodeDef(n.name(), n.opType(), n.domain(), inputs, n.outputs(), attrs));
        }
        Map<String, Long> opsets = new LinkedHashMap<>(model.opsetImports());
        if (model.opset() < 13) opsets.put("", 13L); // per-axis DequantizeLinear (export) and QuantizeLinear need 13
        GraphDef ng = new GraphDef(g.name(), nodes, g.inputs(), g.outputs(), new ArrayList<>(newInits.values()), g.valueInfo());
        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("minnow.quantization", cfg.int4() ? "int4 weights (G=" + cfg.groupSize() + (cfg.zeroPoint() ? ", zero points" : "") + ")"
                + (cfg.int8Activations() ? " x int8 activations" : "") + ", int8 elsewhere" : "int8");
        return new ModelDef(model.irVersion(), opsets, model.producerName(), model.producerVersion(), ng, meta);
    }

    /**
     * {@code DequantizeLinear(QuantizeLinear(x, s, z), s, z)} for target t's input from its calibrated range: uint8 with
     * the range's scale and zero point, or (symmetric) int8 with zero point 0 for the int4 x int8 kernel. One pair per
     * tensor and kind, shared by its readers ({@code done}); returns the DequantizeLinear output.
     */
    private static String qdq(Target t, boolean symmetric, Map<String, ActivationRange> ranges, Set<String> names,
                              Map<String, TensorData> inits, List<NodeDef> nodes, Map<String, String> done) {
        String x = t.input();
        String dq = done.get(x);
        if (dq != null) return dq;
        ActivationRange r = ranges.get(x);
        if (r == null) throw new MinnowException("no calibrated range for '" + x + "', the input of layer " + t.node());
        String base = x.replaceAll("[^A-Za-z0-9_.]", "_") + (symmetric ? "_s8" : "");
        String scale = fresh(names, base + "_scale"), zero = fresh(names, base + "_zero_point");
        String q = fresh(names, base + "_quantized"), out = fresh(names, base + "_dequantized");
        if (symmetric) {
            inits.put(scale, scalarFloat(scale, r.symmetricScale()));
            inits.put(zero, new TensorData(zero, DataType.INT8, new long[0], io.minnow.formats.Encoding.RAW,
                    Arena.ofAuto().allocate(1, 64))); // int8 0
        } else {
            inits.put(scale, scalarFloat(scale, r.scale()));
            inits.put(zero, scalarUint8(zero, r.zeroPoint()));
        }
        nodes.add(new NodeDef(fresh(names, base + "_QuantizeLinear"), "QuantizeLinear", "", List.of(x, scale, zero), List.of(q), Map.of()));
        nodes.add(new NodeDef(fresh(names, base + "_DequantizeLinear"), "DequantizeLinear", "", List.of(q, scale, zero), List.of(out), Map.of()));
        done.put(x, out);
        return out;
    }

    /** A node's name for reports and --keep-fp32: its own name, else op type and first output. */
    public static String name(NodeDef n) {
        return !n.name().isEmpty() ? n.name() : n.opType() + "->" + (n.outputs().isEmpty() ? "" : n.outputs().getFirst());
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = v[r * cols + c];
        return t;
    }

    private static TensorData scalarFloat(String name, float v) {
        MemorySegment s = Arena.ofAuto().allocate(4, 64);
        s.set(TensorData.F32_LE, 0, v);
        return new TensorData(name, DataType.FLOAT, new long[0], io.minnow.formats.Encoding.F32, s);
    }

    private static TensorData scalarUint8(String name, int v) {
        MemorySegment s = Arena.ofAuto().allocate(1, 64);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) v);
        return new TensorData(name, DataType.UINT8, new long[0], io.minnow.formats.Encoding.RAW, s);
    }

    private static String fresh(Set<String> names, String base) {
        String n = base;
        for (int i = 1; names.contains(n); i++) n = base + "_" + i;
        names.add(n);
        return n;
    }

    private static boolean allOnes(long[] d, int from) {
        for (int i = from; i < d.length; i++) if (d[i] != 1) return false;
        return true;
    }

    private static boolean allEqual(NodeDef n, String attr, long v) {
        Attribute a = n.attributes().get(attr);
        if (a == null) return true;
        for (long x : a.asInts()) if (x != v) return false;
        return true;
    }

    private static long intAttr(NodeDef n, String name, long dflt) {
        Attribute a = n.attributes().get(name);
        return a == null || a.kind() != Attribute.Kind.INT ? dflt : a.asInt();
    }

    private static float floatAttr(NodeDef n, String name, float dflt) {
        Attribute a = n.attributes().get(name);
        return a == null ? dflt : a.kind() == Attribute.Kind.FLOAT ? a.asFloat() : Float.NaN;
    }

    private static String stringAttr(NodeDef n, String name, String dflt) {
        Attribute a = n.attributes().get(name);
        return a == null || a.kind() != Attribute.Kind.STRING ? dflt : a.asString();
    }
}
