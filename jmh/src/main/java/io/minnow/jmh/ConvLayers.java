package io.minnow.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.onnx.OnnxReader;
import io.minnow.formats.onnx.OnnxWriter;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conv layers F32ConvBench times, by name:
 * <ul>
 *   <li>{@code MODEL:convI} — the I-th Conv node (0-based, file order) of {@code models/MODEL.onnx}, with its
 *       real weights and bias. The layer's input shape is read from the model at run time: ONNX Runtime runs
 *       the model once at batch 1 with every Conv input exposed as an extra graph output.</li>
 *   <li>{@code r18:KxK-HxWxC} — ResNet-18-sized layers, stride 1, "same" padding, C->C, random weights:
 *       {@link #R18}.</li>
 * </ul>
 */
public final class ConvLayers {
    /** ResNet-18 stage shapes (conv2_x at 56x56x64, conv4_x at 14x14x256), batch 1. */
    public static final List<String> R18 = List.of("r18:3x3-56x56x64", "r18:1x1-56x56x64", "r18:3x3-14x14x256", "r18:1x1-14x14x256");

    /** The bundled CNNs whose layers the conv suite covers. */
    public static final List<String> MODELS = List.of("resnet", "mobilenet");

    private static final Map<Path, List<ConvLayer>> CACHE = new ConcurrentHashMap<>();

    private ConvLayers() {}

    /** The layer with this name; {@code root} holds {@code models/}. */
    public static ConvLayer resolve(String name, Path root) {
        int colon = name.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("layer '" + name + "': expected MODEL:convI or r18:KxK-HxWxC");
        String source = name.substring(0, colon), layer = name.substring(colon + 1);
        if (source.equals("r18")) return r18(name, layer);
        if (!layer.startsWith("conv")) throw new IllegalArgumentException("layer '" + name + "': expected " + source + ":convI");
        int index = Integer.parseInt(layer.substring(4));
        List<ConvLayer> all = ofModel(source, root);
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("layer '" + name + "': " + source + " has " + all.size() + " Conv nodes (conv0..conv" + (all.size() - 1) + ")");
        }
        return all.get(index);
    }

    private static ConvLayer r18(String name, String layer) {
        // KxK-HxWxC
        String[] kk = layer.split("-", 2);
        if (kk.length != 2) throw new IllegalArgumentException("layer '" + name + "': expected r18:KxK-HxWxC");
        String[] k = kk[0].split("x"), hwc = kk[1].split("x");
        if (k.length != 2 || hwc.length != 3 || !k[0].equals(k[1])) throw new IllegalArgumentException("layer '" + name + "': expected r18:KxK-HxWxC");
        int ks = Integer.parseInt(k[0]), h = Integer.parseInt(hwc[0]), w = Integer.parseInt(hwc[1]), c = Integer.parseInt(hwc[2]);
        return ConvLayer.random(name, c, h, w, c, ks, 1, ks / 2, 1, name.hashCode());
    }

    /** Every Conv node of {@code models/MODEL.onnx}, in file order, named {@code MODEL:convI}. */
    public static List<ConvLayer> ofModel(String model, Path root) {
        Path file = root.resolve("models").resolve(model + ".onnx").toAbsolutePath().normalize();
        return CACHE.computeIfAbsent(file, f -> {
            if (!Files.exists(f)) throw new IllegalStateException(f + " not found; run from the repository root or set -Dminnow.root");
            try {
                return read(model, OnnxReader.read(f));
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime could not run " + f + " to find the conv input shapes", e);
            }
        });
    }

    private static List<ConvLayer> read(String model, ModelDef def) throws OrtException {
        GraphDef g = def.graph();
        Map<String, TensorData> init = new HashMap<>();
        for (TensorData t : g.initializers()) init.put(t.name(), t);
        List<NodeDef> convs = g.nodes().stream()
                .filter(n -> n.opType().equals("Conv") && (n.domain().isEmpty() || n.domain().equals("ai.onnx"))).toList();
        Map<String, long[]> shapes = inputShapes(def, convs, init.keySet());
        List<ConvLayer> out = new ArrayList<>();
        for (int i = 0; i < convs.size(); i++) {
            NodeDef n = convs.get(i);
            String name = model + ":conv" + i;
            long[] x = shapes.get(n.inputs().get(0));
            TensorData wt = init.get(n.inputs().get(1));
            if (wt == null) throw new IllegalStateException(name + " (" + n.displayName() + "): weights are not an initializer");
            TensorData b = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? init.get(n.inputs().get(2)) : null;
            if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() && b == null) {
                throw new IllegalStateException(name + " (" + n.displayName() + "): bias is not an initializer");
            }
            long[] wd = wt.dims();
            if (x.length != 4 || wd.length != 4) throw new IllegalStateException(name + ": only 2-D convolutions, got input " + java.util.Arrays.toString(x));
            Attribute autoPad = n.attr("auto_pad");
            if (autoPad != null && !autoPad.asString().equals("NOTSET")) throw new IllegalStateException(name + ": auto_pad " + autoPad.asString() + " not handled");
            long[] strides = ints(n, "strides", 1, 1), dil = ints(n, "dilations", 1, 1), pads = ints(n, "pads", 0, 0, 0, 0);
            long group = n.attr("group") == null ? 1 : n.attr("group").asInt();
            out.add(new ConvLayer(name, (int) x[1], (int) x[2], (int) x[3], (int) wd[0], (int) wd[2], (int) wd[3],
                    (int) strides[0], (int) strides[1], new int[]{(int) pads[0], (int) pads[1], (int) pads[2], (int) pads[3]},
                    (int) dil[0], (int) dil[1], (int) group, wt.toFloatArray(), b == null ? null : b.toFloatArray()));
        }
        return List.copyOf(out);
    }

    private static long[] ints(NodeDef n, String key, long... dflt) {
        Attribute a = n.attr(key);
        return a == null ? dflt : a.asInts();
    }

    /** Shape of each conv's data input, from one ONNX Runtime run at batch 1 with those values made graph outputs. */
    private static Map<String, long[]> inputShapes(ModelDef def, List<NodeDef> convs, Set<String> initNames) throws OrtException {
        GraphDef g = def.graph();
        List<ValueInfo> outs = new ArrayList<>(g.outputs());
        Set<String> exposed = new HashSet<>();
        for (ValueInfo v : outs) exposed.add(v.name());
        Set<String> wanted = new HashSet<>();
        for (NodeDef n : convs) {
            String x = n.inputs().get(0);
            wanted.add(x);
            if (exposed.add(x) && !initNames.contains(x)) outs.add(new ValueInfo(x, DataType.FLOAT, null));
        }
        GraphDef probe = new GraphDef(g.name(), g.nodes(), g.inputs(), outs, g.initializers(), g.valueInfo());
        byte[] bytes = OnnxWriter.toBytes(new ModelDef(def.irVersion(), def.opsetImports(), def.producerName(),
                def.producerVersion(), probe, def.metadata()));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, long[]> shapes = new HashMap<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT); // keep every intermediate as written
            try (OrtSession s = env.createSession(bytes, so)) {
                Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                try {
                    for (ValueInfo in : g.inputs()) {
                        if (initNames.contains(in.name())) continue;
                        if (in.type() != null && in.type() != DataType.FLOAT) throw new IllegalStateException("input " + in + ": only float inputs");
                        if (in.shape() == null) throw new IllegalStateException("input " + in + ": rank unknown");
                        long[] shape = new long[in.shape().size()];
                        long count = 1;
                        for (int d = 0; d < shape.length; d++) {
                            Dim dim = in.shape().get(d);
                            shape[d] = dim.isFixed() ? dim.value() : 1; // symbolic batch -> 1
                            count *= shape[d];
                        }
                        feeds.put(in.name(), OnnxTensor.createTensor(env, FloatBuffer.allocate(Math.toIntExact(count)), shape));
                    }
                    try (OrtSession.Result r = s.run(feeds, wanted)) {
                        for (String name : wanted) {
                            shapes.put(name, ((OnnxTensor) r.get(name).orElseThrow()).getInfo().getShape());
                        }
                    }
                } finally {
                    for (OnnxTensor t : feeds.values()) t.close();
                }
            }
        }
        return shapes;
    }

    /**
     * The layers the conv suite runs by default: every conv of {@code models}, one per distinct
     * {@link ConvLayer#shape()} (first occurrence; the value is how many of the model's convs share it),
     * then {@link #R18}.
     */
    public static Map<String, Integer> distinct(List<String> models, Path root, boolean withR18) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String m : models) {
            Map<String, String> firstOfShape = new HashMap<>();
            for (ConvLayer l : ofModel(m, root)) {
                String first = firstOfShape.putIfAbsent(l.shape(), l.name());
                out.merge(first == null ? l.name() : first, 1, Integer::sum);
            }
        }
        if (withR18) for (String r : R18) out.put(r, 1);
        return out;
    }
}
