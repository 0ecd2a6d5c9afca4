package io.minnow.engine.cli;

import io.minnow.engine.ops.OpRegistry;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code minnow inspect} reports about a model, computed from its definition alone (no planning):
 * signature, op histogram, weight storage per encoding, parameter count and unsupported ops.
 */
record ModelSummary(String file, long fileBytes, ModelDef def, Map<String, Integer> opCounts,
                    Map<Encoding, long[]> perEncoding, long params, long weightBytes, List<String> unsupported) {

    static ModelSummary of(String file, long fileBytes, ModelDef def) {
        Map<String, Integer> ops = new TreeMap<>();
        TreeSet<String> unsupported = new TreeSet<>();
        for (NodeDef n : def.graph().nodes()) {
            String key = OpRegistry.isDefaultDomain(n.domain()) ? n.opType() : n.domain() + "." + n.opType();
            ops.merge(key, 1, Integer::sum);
            if (!OpRegistry.isDefaultDomain(n.domain()) || !OpRegistry.supported().contains(n.opType())) unsupported.add(key);
        }
        Map<Encoding, long[]> enc = new TreeMap<>();
        long params = 0, bytes = 0;
        for (TensorData t : def.graph().initializers()) {
            long[] c = enc.computeIfAbsent(t.encoding(), e -> new long[2]);
            c[0]++;
            c[1] += t.bytes().byteSize();
            bytes += t.bytes().byteSize();
            if (t.type().isFloat()) params += t.elementCount();
        }
        return new ModelSummary(file, fileBytes, def, ops, enc, params, bytes, List.copyOf(unsupported));
    }

    int nodeCount() {
        return def.graph().nodes().size();
    }

    int initializerCount() {
        return def.graph().initializers().size();
    }

    /** Run-time inputs: graph inputs that are not initializers. */
    List<ValueInfo> inputs() {
        var inits = new java.util.HashSet<String>();
        for (TensorData t : def.graph().initializers()) inits.add(t.name());
        List<ValueInfo> in = new ArrayList<>();
        for (ValueInfo vi : def.graph().inputs()) if (!inits.contains(vi.name())) in.add(vi);
        return in;
    }

    /** One JSON object (see {@code inspect --json}). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", file);
        m.put("file_bytes", fileBytes);
        m.put("ir_version", def.irVersion());
        m.put("producer", producer());
        m.put("opset", new TreeMap<>(def.opsetImports()));
        m.put("inputs", inputs().stream().map(ModelSummary::valueJson).toList());
        m.put("outputs", def.graph().outputs().stream().map(ModelSummary::valueJson).toList());
        m.put("nodes", nodeCount());
        m.put("ops", opCounts);
        Map<String, Object> inits = new LinkedHashMap<>();
        inits.put("count", initializerCount());
        inits.put("params", params);
        inits.put("bytes", weightBytes);
        Map<String, Object> byEnc = new LinkedHashMap<>();
        perEncoding.forEach((e, c) -> byEnc.put(e.name().toLowerCase(java.util.Locale.ROOT), Map.of("count", c[0], "bytes", c[1])));
        inits.put("encodings", byEnc);
        m.put("initializers", inits);
        m.put("unsupported_ops", unsupported);
        return m;
    }

    String producer() {
        String p = (def.producerName() + " " + def.producerVersion()).strip();
        return p.isEmpty() ? "unknown" : p;
    }

    private static Map<String, Object> valueJson(ValueInfo vi) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", vi.name());
        m.put("type", vi.type() == null ? null : vi.type().name().toLowerCase(java.util.Locale.ROOT));
        if (vi.shape() == null) {
            m.put("shape", null);
        } else {
            List<Object> dims = new ArrayList<>();
            for (Dim d : vi.shape()) dims.add(d.isFixed() ? (Object) d.value() : d.symbol() != null ? d.symbol() : "?");
            m.put("shape", dims);
        }
        return m;
    }

    /** e.g. {@code input: FLOAT[batch, 1, 28, 28]}. */
    static String describe(ValueInfo vi) {
        return vi.name() + ": " + (vi.type() == null ? "?" : vi.type()) + (vi.shape() == null ? "[?]" : vi.shape().toString());
    }
}
