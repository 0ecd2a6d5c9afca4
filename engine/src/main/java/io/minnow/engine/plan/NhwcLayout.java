package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ir.Graph;
import io.minnow.engine.ir.Node;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.F32DwConvNative;
import io.minnow.engine.ops.OpRegistry;
import io.minnow.engine.ops.nn.NnOps;
import io.minnow.engine.ops.quant.QOps;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout pass: picks channels-last (NHWC) activations for regions of 2-D convolutions where that layout
 * is faster, and converts only at the regions' edges.
 *
 * <p>A region is a connected set of float Convs with constant 4-D weights, group 1 or depthwise (multiplier
 * 1), linked by the tensors one produces and another reads as its data (input 0) or fused residual. Every
 * conv of a converted region becomes {@code io.minnow.ConvNhwc} on [N, H, W, C] tensors; a Transpose to NHWC
 * is inserted where a region reads a tensor made outside it, one back to NCHW (under the original name) where
 * a region's tensor is read outside it or is a graph output. A GlobalAveragePool reading a region's tensor
 * reads it channels-last instead ({@code io.minnow.GlobalAveragePoolNhwc}: its [N, C, 1, 1] output is the
 * same memory in both layouts), so a classifier's head needs no conversion.
 *
 * <p>Which regions ({@link Mode}): AUTO converts regions that contain a depthwise conv — MobileNet-style
 * networks, where the native NHWC depthwise kernel is 2-3x faster than the NCHW one and the 1×1 convs
 * around it become plain GEMMs over all pixels — when the native kernels serve; regions of dense 3×3 convs
 * (ResNet) stay NCHW, where the f32-conv kernels are tuned. NHWC converts every region (tests force it, to run every conv path channels-last); NCHW none.
 * Results equal the NCHW plan's up to float summation order.
 */
public final class NhwcLayout {
    /** Which conv regions run channels-last. */
    public enum Mode {
        AUTO, NCHW, NHWC;

        /** {@code -Dminnow.layout=auto|nchw|nhwc} (default auto). */
        public static Mode fromSystemProperties() {
            String v = System.getProperty("minnow.layout", "auto");
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "nchw" -> NCHW;
                case "nhwc" -> NHWC;
                case "auto", "" -> AUTO;
                default -> throw new IllegalArgumentException("minnow.layout must be auto, nchw or nhwc, got '" + v + "'");
            };
        }
    }

    private static final long[] TO_NHWC = {0, 2, 3, 1};
    private static final long[] TO_NCHW = {0, 3, 1, 2};

    private NhwcLayout() {}

    /**
     * @param kernels the model's kernels: AUTO converts only when the native f32-dwconv kernels serve (with the
     *                Java kernels alone, the NCHW conv kernels are the faster ones: measured, MobileNet batch 1,
     *                Java NHWC ~3x slower)
     */
    public static void run(Graph g, Mode mode, Kernels kernels) {
        if (mode == Mode.NCHW) return;
        if (mode == Mode.AUTO && !(kernels.f32DwConv() instanceof F32DwConvNative)) return;
        Map<String, Node> producer = new HashMap<>();
        Map<String, List<Node>> readers = new HashMap<>(); // of each value, in the graph before the rewrite
        for (Node n : g.nodes) {
            for (String o : n.outputs) if (!o.isEmpty()) producer.put(o, n);
            for (String in : n.inputs) if (!in.isEmpty()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
        Set<Node> candidates = candidates(g, producer);
        List<Set<Node>> regions = regions(candidates, producer);
        Set<Node> convert = new HashSet<>();
        for (Set<Node> r : regions) {
            // auto: only where the convs outnumber the conversions a region needs at its edges (an int8 model's float
            // depthwise convs sit alone between QConvs: two transposes each would cost more than the NHWC kernel saves)
            if (mode == Mode.NHWC || r.stream().anyMatch(NhwcLayout::isDepthwise) && conversions(g, r, producer, readers) < r.size()) {
                convert.addAll(r);
            }
        }
        if (!convert.isEmpty()) rewrite(g, convert, producer, readers);
    }

    /** Convs this pass can run channels-last; one whose residual comes from outside the set is dropped (repeat). */
    private static Set<Node> candidates(Graph g, Map<String, Node> producer) {
        Set<Node> set = new HashSet<>();
        for (Node n : g.nodes) {
            if (!n.opType.equals("Conv") || !OpRegistry.isDefaultDomain(n.domain) || n.outputs.size() != 1 || n.inputs.size() < 2) continue;
            Tensor w = g.constants.get(n.inputs.get(1));
            if (w == null || w.type() != DataType.FLOAT || w.rank() != 4 || n.inputs.get(0).isEmpty()) continue;
            long group = n.attributes.containsKey("group") ? n.attributes.get("group").asInt() : 1;
            boolean dw = w.dim(1) == 1 && group == w.dim(0) && group > 1;
            if (group != 1 && !dw) continue;
            set.add(n);
        }
        for (boolean changed = true; changed; ) {
            changed = false;
            for (var it = set.iterator(); it.hasNext(); ) {
                String r = residual(it.next());
                if (r != null && !set.contains(producer.get(r))) {
                    it.remove();
                    changed = true;
                }
            }
        }
        return set;
    }

    /** The fused residual a conv reads (input 3 with the internal attribute), or null. */
    private static String residual(Node conv) {
        Attribute a = conv.attributes.get(Fusion.RESIDUAL_ATTR);
        return a != null && a.asInt() == 1 && conv.inputs.size() > 3 && !conv.inputs.get(3).isEmpty() ? conv.inputs.get(3) : null;
    }

    private static boolean isDepthwise(Node conv) {
        long group = conv.attributes.containsKey("group") ? conv.attributes.get("group").asInt() : 1;
        return group > 1;
    }

    /** Connected components of the candidates over data and residual edges. */
    private static List<Set<Node>> regions(Set<Node> candidates, Map<String, Node> producer) {
        Map<Node, Node> parent = new HashMap<>();
        for (Node n : candidates) parent.put(n, n);
        for (Node n : candidates) {
            for (String in : dataInputs(n)) {
                Node p = producer.get(in);
                if (p != null && candidates.contains(p)) parent.put(find(parent, n), find(parent, p));
            }
        }
        Map<Node, Set<Node>> byRoot = new java.util.LinkedHashMap<>();
        for (Node n : candidates) byRoot.computeIfAbsent(find(parent, n), k -> new HashSet<>()).add(n);
        return new ArrayList<>(byRoot.values());
    }

    private static Node find(Map<Node, Node> parent, Node n) {
        while (parent.get(n) != n) {
            parent.put(n, parent.get(parent.get(n)));
            n = parent.get(n);
        }
        return n;
    }

    /** Transposes a region would need: values it reads from outside, and values of its read outside it (or graph outputs). */
    private static int conversions(Graph g, Set<Node> region, Map<String, Node> producer, Map<String, List<Node>> readers) {
        Set<String> in = new HashSet<>();
        int out = 0;
        for (Node n : region) {
            for (String v : dataInputs(n)) if (!region.contains(producer.get(v))) in.add(v);
            String y = n.outputs.get(0);
            if (readOutside(g, y, region, readers)) out++;
        }
        return in.size() + out;
    }

    /** The inputs of a conv that are activations: X, and the residual if fused. */
    private static List<String> dataInputs(Node conv) {
        String r = residual(conv);
        return r == null ? List.of(conv.inputs.get(0)) : List.of(conv.inputs.get(0), r);
    }

    /** Whether value y of a region must also exist NCHW: a graph output, or read by a node that does not take it channels-last. */
    private static boolean readOutside(Graph g, String y, Set<Node> region, Map<String, List<Node>> readers) {
        if (g.outputs.stream().anyMatch(vi -> vi.name().equals(y))) return true;
        for (Node r : readers.getOrDefault(y, List.of())) if (!readsChannelsLast(r, y, region)) return true;
        return false;
    }

    private static void rewrite(Graph g, Set<Node> convert, Map<String, Node> producer, Map<String, List<Node>> readers) {
        Set<String> taken = new HashSet<>(g.constants.keySet());
        for (ValueInfo vi : g.inputs) taken.add(vi.name());
        for (Node n : g.nodes) {
            taken.addAll(n.inputs);
            taken.addAll(n.outputs);
        }

        Map<String, String> nhwc = new HashMap<>(); // NCHW value → its channels-last twin
        List<Node> out = new ArrayList<>(g.nodes.size() + 8);
        for (Node n : g.nodes) {
            if (convert.contains(n)) {
                for (int idx : residual(n) == null ? new int[]{0} : new int[]{0, 3}) {
                    String v = n.inputs.get(idx);
                    String t = nhwc.get(v);
                    if (t == null) { // made outside the region: convert on the way in
                        t = fresh(taken, v + ".nhwc");
                        out.add(transpose(n.name.isEmpty() ? "" : n.name + "/to_nhwc." + idx, v, t, TO_NHWC));
                        nhwc.put(v, t);
                    }
                    n.inputs.set(idx, t);
                }
                String y = n.outputs.get(0), yt = fresh(taken, y + ".nhwc");
                n.outputs.set(0, yt);
                n.opType = NnOps.CONV_NHWC;
                n.domain = QOps.DOMAIN;
                out.add(n);
                nhwc.put(y, yt);
                if (readOutside(g, y, convert, readers)) out.add(transpose(n.name.isEmpty() ? "" : n.name + "/to_nchw", yt, y, TO_NCHW));
            } else if (isPool(n) && nhwc.containsKey(n.inputs.get(0)) && convert.contains(producer.get(n.inputs.get(0)))) {
                n.inputs.set(0, nhwc.get(n.inputs.get(0)));
                n.opType = NnOps.GAP_NHWC;
                n.domain = QOps.DOMAIN;
                out.add(n);
            } else {
                out.add(n);
            }
        }
        g.nodes.clear();
        g.nodes.addAll(out);
    }

    /** Whether reader r takes value v channels-last after the rewrite: a converted conv's data input, or a pool. */
    private static boolean readsChannelsLast(Node r, String v, Set<Node> convert) {
        if (convert.contains(r)) {
            // as data or residual only (weights and bias are constants, never a conv's output)
            for (int i = 0; i < r.inputs.size(); i++) {
                if (r.inputs.get(i).equals(v) && i != 0 && !(i == 3 && v.equals(residual(r)))) return false;
            }
            return true;
        }
        return isPool(r) && r.inputs.get(0).equals(v);
    }

    private static boolean isPool(Node n) {
        return n.opType.equals("GlobalAveragePool") && OpRegistry.isDefaultDomain(n.domain) && n.inputs.size() == 1 && n.outputs.size() == 1;
    }

    private static Node transpose(String name, String from, String to, long[] perm) {
        return new Node(name, "Transpose", "", List.of(from), List.of(to), Map.of("perm", Attribute.of("perm", perm)));
    }

    private static String fresh(Set<String> taken, String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) name = base + "." + i;
        taken.add(name);
        return name;
    }

}
