package io.minnow.formats;

import java.util.Map;

/**
 * A model, independent of the file it came from (ONNX or .mnw): the graph plus the opset versions it
 * was written against. The default-domain opset is under key "" (ONNX convention).
 */
public record ModelDef(long irVersion, Map<String, Long> opsetImports, String producerName, String producerVersion,
                       GraphDef graph, Map<String, String> metadata) {
    public ModelDef {
        opsetImports = Map.copyOf(opsetImports);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        if (producerName == null) producerName = "";
        if (producerVersion == null) producerVersion = "";
    }

    /** The default ONNX domain's opset version (ai.onnx), or 1 when absent. */
    public long opset() {
        Long v = opsetImports.get("");
        if (v == null) v = opsetImports.get("ai.onnx");
        return v == null ? 1 : v;
    }
}
