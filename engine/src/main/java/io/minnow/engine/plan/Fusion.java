package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ir.Graph;
import io.minnow.engine.ir.Node;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.ValueInfo;

import java.util.Iterator;

/**
 * Graph rewrites done once at load, before any plan:
 * <ol>
 *   <li>BatchNormalization after a Conv with constant weights is folded into the Conv's weights and bias
 *       (W' = W·γ/√(σ²+ε) per output channel, b' = (b−μ)·γ/√(σ²+ε) + β).</li>
 *   <li>An Add of a Conv's output and another computed value becomes the Conv's residual epilogue.</li>
 *   <li>An activation after Conv or Gemm (or MatMul with constant weights) becomes the op's epilogue
 *       ({@link FusedActivation}), so the intermediate never round-trips through memory.</li>
 * </ol>
 * A rewrite only happens when the intermediate value has exactly one reader and is not a graph output.
 */
public final class Fusion {
    private Fusion() {}

    public static void run(Graph g) {
        foldBatchNorm(g);
        fuseResidualAdds(g);
        fuseActivations(g);
    }

    /** Internal Conv attribute: input 3 is a residual added in the epilogue (read by ops/nn/Conv). */
    static final String RESIDUAL_ATTR = "minnow.residual";

    /**
     * {@code Add(Conv(x), r)} → {@code Conv(x, +r)}: the residual add of ResNet/MobileNet blocks goes into the
     * conv's epilogue (bias, then r, then any activation fused afterwards — so {@code Add → Relu} follows).
     * Only when the conv has no activation yet (the add must come first), its output has no other reader,
     * and r is computed by a node (a constant operand is a bias-like broadcast, left to Add). The fused conv
     * takes the Add's place in the node order, where r is already computed.
     */
    static void fuseResidualAdds(Graph g) {
        for (int i = 0; i < g.nodes.size(); i++) {
            Node add = g.nodes.get(i);
            if (!add.opType.equals("Add") || !isDefault(add) || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
            for (int side = 0; side < 2; side++) {
                String convOut = add.inputs.get(side), other = add.inputs.get(1 - side);
                Node conv = g.producer(convOut);
                if (conv == null || !conv.opType.equals("Conv") || !isDefault(conv) || conv.outputs.size() != 1
                        || conv.inputs.size() > 3 || conv.attributes.containsKey(FusedActivation.ATTR)
                        || conv.attributes.containsKey(RESIDUAL_ATTR) || !singleUse(g, convOut)) continue;
                if (other.isEmpty() || other.equals(convOut)) continue;
                Node otherProducer = g.producer(other);
                boolean computed = otherProducer != null ? !otherProducer.opType.equals("Constant") : g.input(other) != null;
                if (!computed) continue;
                while (conv.inputs.size() < 3) conv.inputs.add("");
                conv.inputs.add(other);
                conv.attributes.put(RESIDUAL_ATTR, Attribute.of(RESIDUAL_ATTR, 1L));
                conv.outputs.set(0, add.outputs.get(0));
                g.nodes.remove(conv);
                g.nodes.set(g.nodes.indexOf(add), conv);
                i = g.nodes.indexOf(conv);
                break;
            }
        }
    }

    static void foldBatchNorm(Graph g) {
        for (Iterator<Node> it = g.nodes.iterator(); it.hasNext(); ) {
            Node bn = it.next();
            if (!bn.opType.equals("BatchNormalization") || !isDefault(bn) || bn.outputs.size() != 1 || bn.inputs.size() != 5) continue;
            if (bn.attributes.containsKey("training_mode") && bn.attributes.get("training_mode").asInt() != 0) continue;
            Node conv = g.producer(bn.inputs.get(0));
            if (conv == null || !conv.opType.equals("Conv") || !isDefault(conv) || !singleUse(g, bn.inputs.get(0))) continue;
            Tensor w = floatConst(g, conv.inputs.get(1));
            Tensor b = conv.inputs.size() > 2 && !conv.inputs.get(2).isEmpty() ? floatConst(g, conv.inputs.get(2)) : null;
            Tensor scale = floatConst(g, bn.inputs.get(1)), beta = floatConst(g, bn.inputs.get(2));
            Tensor mean = floatConst(g, bn.inputs.get(3)), var = floatConst(g, bn.inputs.get(4));
            if (w == null || scale == null || beta == null || mean == null || var == null) continue;
            if (conv.inputs.size() > 2 && !conv.inputs.get(2).isEmpty() && b == null) continue;
            int cout = (int) w.dim(0);
            if (scale.size() != cout || beta.size() != cout || mean.size() != cout || var.size() != cout
                    || (b != null && b.size() != cout)) continue;
            float eps = bn.attributes.containsKey("epsilon") ? bn.attributes.get("epsilon").asFloat() : 1e-5f;

            Tensor w2 = w.copy();
            Tensor b2 = Tensor.allocate(DataType.FLOAT, cout);
            long per = w.size() / Math.max(cout, 1);
            for (int c = 0; c < cout; c++) {
                // Same float arithmetic order as BatchNormalization itself: (x - mean) / sqrt(var + eps) * scale + B.
                float s = (float) (scale.getFloat(c) / Math.sqrt(var.getFloat(c) + eps));
                for (long i = c * per, end = i + per; i < end; i++) w2.setFloat(i, w.getFloat(i) * s);
                float bias = b == null ? 0f : b.getFloat(c);
                b2.setFloat(c, (bias - mean.getFloat(c)) * s + beta.getFloat(c));
            }
            String wName = fresh(g, conv.inputs.get(1) + ".bn_folded");
            String bName = fresh(g, bn.outputs.get(0) + ".bias_folded");
            g.constants.put(wName, w2);
            g.constants.put(bName, b2);
            conv.inputs.set(1, wName);
            if (conv.inputs.size() > 2) conv.inputs.set(2, bName);
            else conv.inputs.add(bName);
            conv.outputs.set(0, bn.outputs.get(0));
            it.remove();
        }
    }

    static void fuseActivations(Graph g) {
        for (Iterator<Node> it = g.nodes.iterator(); it.hasNext(); ) {
            Node act = it.next();
            if (!isDefault(act) || act.inputs.isEmpty() || act.outputs.size() != 1) continue;
            FusedActivation fa = activationOf(g, act);
            if (fa == null || Float.isNaN(fa.alpha()) || Float.isNaN(fa.beta()) || Float.isNaN(fa.min()) || Float.isNaN(fa.max())) continue;
            Node prod = g.producer(act.inputs.get(0));
            if (prod == null || !isDefault(prod) || prod.outputs.size() != 1 || !singleUse(g, act.inputs.get(0))) continue;
            boolean fusable = switch (prod.opType) {
                case "Conv" -> true;
                case "Gemm", "MatMul" -> floatConst(g, prod.inputs.get(1)) != null || g.encoded.containsKey(prod.inputs.get(1));
                default -> false;
            };
            if (!fusable || prod.attributes.containsKey(FusedActivation.ATTR)) continue;
            fa.store(prod.attributes);
            prod.outputs.set(0, act.outputs.get(0));
            it.remove();
        }
    }

    /** The activation a node computes, if it is one we fuse (Clip only with constant bounds). */
    private static FusedActivation activationOf(Graph g, Node n) {
        float ninf = Float.NEGATIVE_INFINITY, pinf = Float.POSITIVE_INFINITY;
        return switch (n.opType) {
            case "Relu" -> new FusedActivation(FusedActivation.Kind.RELU, 0, pinf, 0, 0);
            case "Sigmoid" -> new FusedActivation(FusedActivation.Kind.SIGMOID, ninf, pinf, 0, 0);
            case "Tanh" -> new FusedActivation(FusedActivation.Kind.TANH, ninf, pinf, 0, 0);
            case "HardSwish" -> new FusedActivation(FusedActivation.Kind.HARD_SWISH, ninf, pinf, 0, 0);
            case "LeakyRelu" -> new FusedActivation(FusedActivation.Kind.LEAKY_RELU, ninf, pinf, floatAttr(n, "alpha", 0.01f), 0);
            case "HardSigmoid" -> new FusedActivation(FusedActivation.Kind.HARD_SIGMOID, ninf, pinf,
                    floatAttr(n, "alpha", 0.2f), floatAttr(n, "beta", 0.5f));
            case "Clip" -> clipOf(g, n);
            default -> null;
        };
    }

    private static FusedActivation clipOf(Graph g, Node n) {
        float lo = Float.NEGATIVE_INFINITY, hi = Float.POSITIVE_INFINITY;
        if (g.opset < 11) { // attribute defaults per the spec: the float range, not infinities
            lo = floatAttr(n, "min", -Float.MAX_VALUE);
            hi = floatAttr(n, "max", Float.MAX_VALUE);
        } else {
            if (n.inputs.size() > 1 && !n.inputs.get(1).isEmpty()) {
                Tensor t = floatConst(g, n.inputs.get(1));
                if (t == null || t.size() != 1) return null;
                lo = t.getFloat(0);
            }
            if (n.inputs.size() > 2 && !n.inputs.get(2).isEmpty()) {
                Tensor t = floatConst(g, n.inputs.get(2));
                if (t == null || t.size() != 1) return null;
                hi = t.getFloat(0);
            }
        }
        if (lo == 0f && hi == Float.POSITIVE_INFINITY) return new FusedActivation(FusedActivation.Kind.RELU, 0, hi, 0, 0);
        return new FusedActivation(FusedActivation.Kind.CLIP, lo, hi, 0, 0);
    }

    /** A FLOAT attribute; NaN when it has another kind, which then blocks fusion (the op reports the error). */
    private static float floatAttr(Node n, String name, float dflt) {
        Attribute a = n.attributes.get(name);
        if (a == null) return dflt;
        return a.kind() == Attribute.Kind.FLOAT ? a.asFloat() : Float.NaN;
    }

    private static boolean isDefault(Node n) {
        return n.domain.isEmpty() || n.domain.equals("ai.onnx");
    }

    private static boolean singleUse(Graph g, String value) {
        for (ValueInfo o : g.outputs) if (o.name().equals(value)) return false;
        return g.readers(value) == 1;
    }

    /** A float constant (initializer or Constant node output), or null. */
    private static Tensor floatConst(Graph g, String name) {
        Tensor t = g.constants.get(name);
        if (t == null) {
            Node c = g.producer(name);
            if (c != null && c.opType.equals("Constant") && c.attributes.containsKey("value")) {
                t = Tensor.fromData(c.attributes.get("value").asTensor());
            }
        }
        return t != null && t.type() == DataType.FLOAT ? t : null;
    }

    private static String fresh(Graph g, String base) {
        String name = base;
        for (int i = 1; g.constants.containsKey(name) || g.producer(name) != null || g.input(name) != null; i++) {
            name = base + "." + i;
        }
        return name;
    }
}
