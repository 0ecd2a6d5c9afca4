package io.minnow.formats;

import java.util.List;
import java.util.Map;

/**
 * One operator application. An empty string among {@code inputs} is an omitted optional input (ONNX
 * convention). Attributes keep file order.
 */
public record NodeDef(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                      Map<String, Attribute> attributes) {
    public NodeDef {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
        if (domain == null) domain = "";
        if (name == null) name = "";
    }

    /** A name good enough for an error message: the node name, or op type plus first output. */
    public String displayName() {
        if (!name.isEmpty()) return name;
        return opType + (outputs.isEmpty() ? "" : "->" + outputs.get(0));
    }

    public Attribute attr(String key) { return attributes.get(key); }
}
