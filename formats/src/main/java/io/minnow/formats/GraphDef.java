package io.minnow.formats;

import java.util.List;

/** A computation graph: nodes in topological order, declared inputs/outputs, initializers, value infos. */
public record GraphDef(String name, List<NodeDef> nodes, List<ValueInfo> inputs, List<ValueInfo> outputs,
                       List<TensorData> initializers, List<ValueInfo> valueInfo) {
    public GraphDef {
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        initializers = List.copyOf(initializers);
        valueInfo = valueInfo == null ? List.of() : List.copyOf(valueInfo);
        if (name == null) name = "";
    }
}
