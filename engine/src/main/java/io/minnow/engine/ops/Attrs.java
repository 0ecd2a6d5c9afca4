package io.minnow.engine.ops;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.MinnowException;

import java.util.Map;

/** Typed, defaulted access to a node's attributes, with errors that name the node. */
public final class Attrs {
    private final Map<String, Attribute> map;
    private final String node;

    public Attrs(Map<String, Attribute> map, String node) {
        this.map = map;
        this.node = node;
    }

    public boolean has(String name) { return map.containsKey(name); }

    public long getInt(String name, long dflt) {
        Attribute a = map.get(name);
        return a == null ? dflt : named(() -> a.asInt());
    }

    public float getFloat(String name, float dflt) {
        Attribute a = map.get(name);
        return a == null ? dflt : named(() -> a.asFloat());
    }

    public String getString(String name, String dflt) {
        Attribute a = map.get(name);
        return a == null ? dflt : named(() -> a.asString());
    }

    /** INTS attribute, or {@code dflt} (may be null) when absent. */
    public long[] getInts(String name, long[] dflt) {
        Attribute a = map.get(name);
        return a == null ? dflt : named(() -> a.asInts());
    }

    public float[] getFloats(String name, float[] dflt) {
        Attribute a = map.get(name);
        return a == null ? dflt : named(() -> a.asFloats());
    }

    /** TENSOR attribute as a run-time tensor, or null when absent. */
    public Tensor getTensor(String name) {
        Attribute a = map.get(name);
        return a == null ? null : Tensor.fromData(a.asTensor());
    }

    public Attribute get(String name) { return map.get(name); }

    /** Runs a typed accessor; an attribute of the wrong kind becomes an error naming the node. */
    private <T> T named(java.util.function.Supplier<T> access) {
        try {
            return access.get();
        } catch (MinnowException e) {
            throw new MinnowException("node '" + node + "': " + e.getMessage());
        }
    }

    public long requireInt(String name) {
        Attribute a = map.get(name);
        if (a == null) throw new MinnowException("node '" + node + "': missing required attribute '" + name + "'");
        return named(a::asInt);
    }
}
