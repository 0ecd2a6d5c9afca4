package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ir.Graph;
import io.minnow.engine.ir.Node;
import io.minnow.engine.ops.quant.QOps;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

/**
 * Puts quantized weights on quantized kernels, once at load (after {@link Fusion}, so activations and residual adds
 * are already on the Conv/Gemm nodes):
 * <ul>
 *   <li>A Conv, Gemm or MatMul whose weight is a {@code q8}/{@code q4}-encoded initializer, or an ONNX
 *       {@code DequantizeLinear} of a constant int8 tensor with zero zero-points (the QDQ format), becomes a
 *       {@code io.minnow:QConv} / {@code io.minnow:QGemm} node that keeps the int8/int4 codes and runs them with the
 *       qs8 / q4 kernels: the weight travels as the node's {@value QOps#WEIGHT} attribute, in q8 or q4 layout.</li>
 *   <li>Its input, when it is {@code DequantizeLinear(QuantizeLinear(x, s, z), s, z)} with the same scalar constants
 *       (what {@code minnow compress} writes, and what QDQ models carry), is read as x with the static quantization
 *       (s, z); otherwise an int8 layer quantizes its input per run (dynamic, like DynamicQuantizeLinear). An int4
 *       QGemm with such an input runs int4 x int8 (q4-gemv); without one it keeps float32 activations (q4-gemm).</li>
 *   <li>Encoded weights that no quantized kernel can take (say a q8 depthwise conv) are decoded to float32 with a
 *       warning that names the tensor and the node — the model still runs, and the log says what was inflated.</li>
 * </ul>
 * Quantize/Dequantize nodes left without readers are removed.
 */
public final class QuantFusion {
    private static final System.Logger LOG = System.getLogger("minnow");

    /**
     * @param qdqWeights also fuse ONNX {@code DequantizeLinear}-of-int8 weights (an optimisation: without it they run
     *                   as the ONNX ops they are); encoded weights always go to their quantized kernels
     */
    public static void run(Graph g, boolean qdqWeights) {
        new QuantFusion(qdqWeights).fuse(g);
    }

    private final boolean qdqWeights;

    private QuantFusion(boolean qdqWeights) {
        this.qdqWeights = qdqWeights;
    }

    private void fuse(Graph g) {
        for (int i = 0; i < g.nodes.size(); i++) {
            Node n = g.nodes.get(i);
            if (!(n.domain.isEmpty() || n.domain.equals("ai.onnx"))) continue;
            Node q = switch (n.opType) {
                case "Conv" -> conv(g, n);
                case "Gemm" -> gemm(g, n);
                case "MatMul" -> matmul(g, n);
                default -> null;
            };
            if (q != null) g.nodes.set(i, q);
        }
        removeDeadQdq(g);
        decodeLeftovers(g);
    }

    // ---- per op ---------------------------------------------------------------------------------------------

    private Node conv(Graph g, Node n) {
        if (n.inputs.size() < 2 || n.outputs.size() != 1) return null;
        TensorData w = weight(g, n.inputs.get(1), 0);
        if (w == null || w.rank() < 3 || !executable(w)) return null;
        if (w.encoding() == Encoding.Q4 && !pointwise(n, w)) return null;
        long group = n.attributes.containsKey("group") ? n.attributes.get("group").asInt() : 1;
        if (group > 1 && w.dims()[1] == 1 && group == w.dims()[0]) return null; // depthwise: f32-dwconv serves it
        String bias = n.inputs.size() > 2 ? n.inputs.get(2) : "";
        if (!bias.isEmpty() && floatConst(g, bias) == null) return null;
        Node q = quantNode(g, n, "QConv", w);
        q.inputs.add(bias);
        if (n.inputs.size() > 3) q.inputs.add(n.inputs.get(3)); // fused residual (Fusion.RESIDUAL_ATTR stays on the node)
        return q;
    }

    /** Encodings the quantized ops run: q8 everywhere, q4 in Gemm/MatMul and 1x1 convs (checked by the callers). */
    private static boolean executable(TensorData w) {
        return w.encoding() == Encoding.Q8 || w.encoding() == Encoding.Q4;
    }

    /** A 1x1, stride 1, unpadded, ungrouped conv: the only conv shape q4 (a GEMM over channels) takes. */
    private static boolean pointwise(Node n, TensorData w) {
        long[] d = w.dims();
        for (int i = 2; i < d.length; i++) if (d[i] != 1) return false;
        for (String a : List.of("strides", "pads", "dilations")) {
            Attribute at = n.attributes.get(a);
            if (at != null) for (long v : at.asInts()) if (v != (a.equals("pads") ? 0 : 1)) return false;
        }
        Attribute ap = n.attributes.get("auto_pad");
        if (ap != null && !ap.asString().equals("NOTSET") && !ap.asString().equals("VALID")) return false;
        Attribute gr = n.attributes.get("group");
        return gr == null || gr.asInt() == 1;
    }

    private Node gemm(Graph g, Node n) {
        if (n.inputs.size() < 2 || n.outputs.size() != 1) return null;
        if (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1f) != 1f) return null;
        boolean transB = intAttr(n, "transB", 0) != 0;
        // the weight as [N, K] (output channel first): transB = 1 stores it so; transB = 0 only from a DQ we transpose
        TensorData w = transB ? weight(g, n.inputs.get(1), 0) : dqWeight(g, n.inputs.get(1), 1, true);
        if (w == null || w.rank() != 2 || !executable(w)) return null;
        String c = n.inputs.size() > 2 ? n.inputs.get(2) : "";
        String bias = "";
        if (!c.isEmpty()) {
            if (floatAttr(n, "beta", 1f) != 1f) return null;
            Tensor t = floatConst(g, c);
            long nOut = w.dims()[0];
            if (t == null || !(t.size() == nOut && t.shape()[t.rank() - 1] == nOut || t.size() == 1) || t.rank() > 2) return null;
            bias = c;
        }
        Node q = quantNode(g, n, "QGemm", w);
        q.attributes.put(QOps.RANK2, Attribute.of(QOps.RANK2, 1L));
        q.inputs.add(bias);
        return q;
    }

    private Node matmul(Graph g, Node n) {
        if (n.inputs.size() != 2 || n.outputs.size() != 1) return null;
        TensorData w = dqWeight(g, n.inputs.get(1), 1, true); // B is [K, N]: per-column scales, transposed to [N, K]
        if (w == null || w.rank() != 2) return null;
        Node q = quantNode(g, n, "QGemm", w);
        q.inputs.add("");
        return q;
    }

    /** The replacement node: same name and output, input 0 (maybe through its Q/DQ pair), the weight as attribute. */
    private static Node quantNode(Graph g, Node n, String opType, TensorData w) {
        Node q = new Node(n.name, opType, QOps.DOMAIN, List.of(), n.outputs, Map.of());
        for (var e : n.attributes.entrySet()) {
            String k = e.getKey();
            if (!List.of("alpha", "beta", "transA", "transB").contains(k)) q.attributes.put(k, e.getValue());
        }
        q.attributes.put(QOps.WEIGHT, Attribute.of(QOps.WEIGHT, w));
        String x = n.inputs.get(0);
        // q8 weights run on int8 activations; q4 ones in a QGemm may (q4-gemv) when the input comes through a Q/DQ pair
        if (w.encoding() == Encoding.Q8 || opType.equals("QGemm")) {
            Node dq = g.producer(x);
            Node qn = dq == null ? null : g.producer(dq.inputs.get(0));
            float[] sz = dq != null && qn != null ? qdqPair(g, dq, qn) : null;
            if (sz != null) {
                x = qn.inputs.get(0);
                q.attributes.put(QOps.X_SCALE, Attribute.of(QOps.X_SCALE, sz[0]));
                q.attributes.put(QOps.X_ZERO, Attribute.of(QOps.X_ZERO, (long) sz[1]));
                q.attributes.put(QOps.X_SIGNED, Attribute.of(QOps.X_SIGNED, (long) sz[2]));
            }
        }
        q.inputs.add(x);
        return q;
    }

    /**
     * {scale, zero, signed} when dq = DequantizeLinear(qn, s, z) and qn = QuantizeLinear(x, s, z) with equal scalar
     * constants and an 8-bit zero point; else null.
     */
    private static float[] qdqPair(Graph g, Node dq, Node qn) {
        if (!dq.opType.equals("DequantizeLinear") || !qn.opType.equals("QuantizeLinear")) return null;
        if (dq.inputs.size() < 2 || qn.inputs.size() < 2 || qn.outputs.size() != 1) return null;
        Tensor s1 = g.constants.get(dq.inputs.get(1)), s2 = g.constants.get(qn.inputs.get(1));
        if (s1 == null || s2 == null || s1.size() != 1 || s2.size() != 1 || s1.type() != DataType.FLOAT || s2.type() != DataType.FLOAT) return null;
        float s = s1.getFloat(0);
        if (s != s2.getFloat(0) || !(s > 0) || !Float.isFinite(s)) return null;
        String z1 = dq.inputs.size() > 2 ? dq.inputs.get(2) : "", z2 = qn.inputs.size() > 2 ? qn.inputs.get(2) : "";
        Tensor t1 = z1.isEmpty() ? null : g.constants.get(z1), t2 = z2.isEmpty() ? null : g.constants.get(z2);
        if (!z1.isEmpty() && t1 == null || !z2.isEmpty() && t2 == null) return null;
        DataType type = t1 != null ? t1.type() : t2 != null ? t2.type() : DataType.UINT8; // no zero point: uint8, 0
        if ((t1 != null && t1.type() != type) || (t2 != null && t2.type() != type)) return null;
        if (type != DataType.UINT8 && type != DataType.INT8) return null;
        long za = t1 == null ? 0 : t1.getLongValue(0), zb = t2 == null ? 0 : t2.getLongValue(0);
        if ((t1 != null && t1.size() != 1) || (t2 != null && t2.size() != 1) || za != zb) return null;
        if (dq.attributes.containsKey("axis") && s1.rank() != 0 && s1.size() != 1) return null;
        return new float[]{s, za, type == DataType.INT8 ? 1 : 0};
    }

    // ---- weights --------------------------------------------------------------------------------------------

    /** An encoded initializer whose rows are output channels, or a symmetric int8 DQ of a constant (axis given). */
    private TensorData weight(Graph g, String name, int dqAxis) {
        TensorData enc = g.encoded.get(name);
        if (enc != null) return enc;
        return dqWeight(g, name, dqAxis, false);
    }

    /**
     * {@code DequantizeLinear(W int8 const, scale const, zero const = 0)} as a q8 tensor with output channels along
     * dims[0]: the channel axis of W is {@code channelAxis} (0 for Conv and transB=1 Gemm weights; 1 for MatMul's
     * and transB=0 Gemm's [K, N], which are transposed). A per-tensor scale is repeated per channel. Null when the
     * pattern does not hold (the DQ then runs as an ordinary op).
     */
    private TensorData dqWeight(Graph g, String name, int channelAxis, boolean transpose) {
        if (!qdqWeights) return null;
        Node dq = g.producer(name);
        if (dq == null || !dq.opType.equals("DequantizeLinear") || dq.inputs.size() < 2) return null;
        Tensor w = g.constants.get(dq.inputs.get(0)), s = g.constants.get(dq.inputs.get(1));
        if (w == null || s == null || w.type() != DataType.INT8 || s.type() != DataType.FLOAT || w.rank() < 2) return null;
        if (transpose && w.rank() != 2) return null;
        if (dq.inputs.size() > 2 && !dq.inputs.get(2).isEmpty()) {
            Tensor z = g.constants.get(dq.inputs.get(2));
            if (z == null) return null;
            for (long i = 0; i < z.size(); i++) if (z.getLongValue(i) != 0) return null;
        }
        long[] d = w.shape();
        long axis = intAttr(dq, "axis", 1);
        if (axis < 0) axis += d.length;
        long n = d[channelAxis];
        if (!(s.size() == 1 || (s.size() == n && axis == channelAxis))) return null;
        int rows = Math.toIntExact(n), cols = Math.toIntExact(w.size() / n);
        long[] dims = transpose ? new long[]{d[1], d[0]} : d;
        QuantLayout l = QuantLayout.of(Encoding.Q8, DataType.FLOAT, dims, Map.of(QuantLayout.AXIS, 0L));
        MemorySegment blob = Arena.ofAuto().allocate(l.byteSize(), 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long src = transpose ? (long) c * rows + r : (long) r * cols + c;
                blob.set(ValueLayout.JAVA_BYTE, (long) r * cols + c, w.data().get(ValueLayout.JAVA_BYTE, src));
            }
            float sc = s.getFloat(s.size() == 1 ? 0 : r);
            if (!(sc >= 0) || !Float.isFinite(sc)) return null;
            blob.set(TensorData.F32_LE, l.scalesOffset() + 4L * r, sc);
        }
        return new TensorData(name, DataType.FLOAT, dims, Encoding.Q8, blob, Map.of(QuantLayout.AXIS, 0L));
    }

    // ---- clean-up -------------------------------------------------------------------------------------------

    private static void removeDeadQdq(Graph g) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = g.nodes.size() - 1; i >= 0; i--) {
                Node n = g.nodes.get(i);
                if (!n.opType.equals("QuantizeLinear") && !n.opType.equals("DequantizeLinear")) continue;
                if (n.outputs.stream().allMatch(o -> o.isEmpty() || g.readers(o) == 0)) {
                    g.nodes.remove(i);
                    changed = true;
                }
            }
        }
    }

    private static void decodeLeftovers(Graph g) {
        for (Node n : g.nodes) {
            for (String in : n.inputs) {
                TensorData t = g.encoded.remove(in);
                if (t == null) continue;
                LOG.log(System.Logger.Level.WARNING, "minnow: " + t.encoding() + " tensor '" + t.name() + "' is read by node '"
                        + n.displayName() + "' (" + n.opType + "), which has no " + t.encoding()
                        + " kernel: decoded to float32 for it");
                g.constants.put(t.name(), decoded(t));
            }
        }
        for (ValueInfo o : g.outputs) {
            TensorData t = g.encoded.remove(o.name());
            if (t != null) g.constants.put(t.name(), decoded(t));
        }
        g.encoded.clear(); // unread initializers: nothing needs them
    }

    private static Tensor decoded(TensorData t) {
        float[] v = switch (t.encoding()) {
            case Q8 -> Q8Codec.decode(t);
            case Q4 -> Q4Codec.decode(t);
            default -> throw new MinnowException("tensor '" + t.name() + "': encoding " + t.encoding() + " cannot be executed");
        };
        return Tensor.of(v, t.dims());
    }

    // ---- small helpers --------------------------------------------------------------------------------------

    private static Tensor floatConst(Graph g, String name) {
        Tensor t = g.constants.get(name);
        return t != null && t.type() == DataType.FLOAT ? t : null;
    }

    private static long intAttr(Node n, String name, long dflt) {
        Attribute a = n.attributes.get(name);
        return a == null || a.kind() != Attribute.Kind.INT ? dflt : a.asInt();
    }

    private static float floatAttr(Node n, String name, float dflt) {
        Attribute a = n.attributes.get(name);
        return a == null ? dflt : a.kind() == Attribute.Kind.FLOAT ? a.asFloat() : Float.NaN;
    }
}
