package io.minnow.formats;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node attribute, as ONNX defines them. The value's Java type follows the kind:
 * FLOAT Float, INT Long, STRING String, TENSOR TensorData, GRAPH GraphDef, FLOATS float[], INTS long[],
 * STRINGS List&lt;String&gt;, TENSORS List&lt;TensorData&gt;, GRAPHS List&lt;GraphDef&gt;.
 */
public record Attribute(String name, Kind kind, Object value) {
    public enum Kind { FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, TENSORS, GRAPHS }

    public Attribute {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(value, "attribute value");
    }

    public static Attribute of(String name, float v) { return new Attribute(name, Kind.FLOAT, v); }
    public static Attribute of(String name, long v) { return new Attribute(name, Kind.INT, v); }
    public static Attribute of(String name, String v) { return new Attribute(name, Kind.STRING, v); }
    public static Attribute of(String name, TensorData v) { return new Attribute(name, Kind.TENSOR, v); }
    public static Attribute of(String name, float[] v) { return new Attribute(name, Kind.FLOATS, v.clone()); }
    public static Attribute of(String name, long[] v) { return new Attribute(name, Kind.INTS, v.clone()); }
    public static Attribute ofStrings(String name, List<String> v) { return new Attribute(name, Kind.STRINGS, List.copyOf(v)); }

    public float asFloat() { expect(Kind.FLOAT); return (Float) value; }
    public long asInt() { expect(Kind.INT); return (Long) value; }
    public String asString() { expect(Kind.STRING); return (String) value; }
    public TensorData asTensor() { expect(Kind.TENSOR); return (TensorData) value; }
    public GraphDef asGraph() { expect(Kind.GRAPH); return (GraphDef) value; }
    public float[] asFloats() { expect(Kind.FLOATS); return ((float[]) value).clone(); }
    public long[] asInts() { expect(Kind.INTS); return ((long[]) value).clone(); }
    @SuppressWarnings("unchecked")
    public List<String> asStrings() { expect(Kind.STRINGS); return (List<String>) value; }
    @SuppressWarnings("unchecked")
    public List<TensorData> asTensors() { expect(Kind.TENSORS); return (List<TensorData>) value; }
    @SuppressWarnings("unchecked")
    public List<GraphDef> asGraphs() { expect(Kind.GRAPHS); return (List<GraphDef>) value; }

    private void expect(Kind k) {
        if (kind != k) throw new MinnowException("attribute '" + name + "' is " + kind + ", expected " + k);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attribute a) || !a.name.equals(name) || a.kind != kind) return false;
        return switch (kind) {
            case FLOATS -> Arrays.equals((float[]) value, (float[]) a.value);
            case INTS -> Arrays.equals((long[]) value, (long[]) a.value);
            default -> value.equals(a.value);
        };
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind);
    }

    @Override
    public String toString() {
        String v = switch (kind) {
            case FLOATS -> Arrays.toString((float[]) value);
            case INTS -> Arrays.toString((long[]) value);
            case TENSOR -> "tensor " + ((TensorData) value).describe();
            case GRAPH -> "graph";
            default -> String.valueOf(value);
        };
        return name + "=" + v;
    }
}
