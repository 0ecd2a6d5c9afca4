package io.minnow.engine.ir;

import io.minnow.formats.Attribute;
import io.minnow.formats.NodeDef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the engine's IR. Unlike {@link NodeDef} it is mutable, so that planner passes (folding,
 * fusion) can rewrite the graph in place. An empty input name is an omitted optional input.
 */
public final class Node {
    public String name;
    public String opType;
    public String domain;
    public final List<String> inputs;
    public final List<String> outputs;
    public final Map<String, Attribute> attributes;

    public Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes) {
        this.name = name == null ? "" : name;
        this.opType = opType;
        this.domain = domain == null ? "" : domain;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
        this.attributes = new LinkedHashMap<>(attributes);
    }

    public static Node of(NodeDef d) {
        return new Node(d.name(), d.opType(), d.domain(), d.inputs(), d.outputs(), d.attributes());
    }

    public NodeDef toDef() {
        return new NodeDef(name, opType, domain, inputs, outputs, attributes);
    }

    /** The name used in error messages: node name, else op type and first output. */
    public String displayName() {
        if (!name.isEmpty()) return name;
        return opType + (outputs.isEmpty() ? "" : "->" + outputs.get(0));
    }

    @Override
    public String toString() {
        return opType + "(" + String.join(", ", inputs) + ") -> " + String.join(", ", outputs)
                + (name.isEmpty() ? "" : "  [" + name + "]");
    }
}
