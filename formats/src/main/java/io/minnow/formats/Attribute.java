package io.minnow.formats;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node attribute, as ONNX defines them. The value's Java type follows the kind:
 * FLOAT Float, INT Long, STRING String, TENSOR TensorData, GRAPH GraphDef, FLOATS float[], INTS long[],
 * STRINGS List&lt;String&gt;, TENSORS List&lt;TensorData&gt;, GRAPHS List&lt;GraphDef&gt;.
 *
 * <p>The constructor checks that the value has the kind's Java type and copies arrays and lists, so an
 * Attribute is immutable. Two attributes are equal when name, kind and value are (arrays by content,
 * floats bit for bit, tensors by {@link TensorData#contentEquals}).
 */
public record Attribute(String name, Kind kind, Object value) {
    /** Attribute kinds; {@link #onnxId} is ONNX's AttributeProto.AttributeType number (also the .mnw id). */
    public enum Kind {
        FLOAT(1), INT(2), STRING(3), TENSOR(4), GRAPH(5), FLOATS(6), INTS(7), STRINGS(8), TENSORS(9), GRAPHS(10);

        /** ONNX AttributeProto.AttributeType number; never renumber. */
        public final int onnxId;

        Kind(int onnxId) {
            this.onnxId = onnxId;
        }

        /** Returns the kind with this ONNX AttributeType number, or null when Minnow does not know it. */
        public static Kind fromOnnx(int id) {
            for (Kind k : values()) if (k.onnxId == id) return k;
            return null;
        }
    }

    public Attribute {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(value, "attribute value");
        value = checkedCopy(name, kind, value);
    }

    public static Attribute of(String name, float v) { return new Attribute(name, Kind.FLOAT, v); }
    public static Attribute of(String name, long v) { return new Attribute(name, Kind.INT, v); }
    public static Attribute of(String name, String v) { return new Attribute(name, Kind.STRING, v); }
    public static Attribute of(String name, TensorData v) { return new Attribute(name, Kind.TENSOR, v); }
    public static Attribute of(String name, GraphDef v) { return new Attribute(name, Kind.GRAPH, v); }
    public static Attribute of(String name, float[] v) { return new Attribute(name, Kind.FLOATS, v); }
    public static Attribute of(String name, long[] v) { return new Attribute(name, Kind.INTS, v); }
    public static Attribute ofStrings(String name, List<String> v) { return new Attribute(name, Kind.STRINGS, v); }
    public static Attribute ofTensors(String name, List<TensorData> v) { return new Attribute(name, Kind.TENSORS, v); }
    public static Attribute ofGraphs(String name, List<GraphDef> v) { return new Attribute(name, Kind.GRAPHS, v); }

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

    /** The FLOATS value without a copy; callers must not modify it. */
    public float[] floatsView() { expect(Kind.FLOATS); return (float[]) value; }
    /** The INTS value without a copy; callers must not modify it. */
    public long[] intsView() { expect(Kind.INTS); return (long[]) value; }

    private void expect(Kind k) {
        if (kind != k) throw new MinnowException("attribute '" + name + "' is " + kind + ", expected " + k);
    }

    private static Object checkedCopy(String name, Kind kind, Object value) {
        Class<?> want = switch (kind) {
            case FLOAT -> Float.class;
            case INT -> Long.class;
            case STRING -> String.class;
            case TENSOR -> TensorData.class;
            case GRAPH -> GraphDef.class;
            case FLOATS -> float[].class;
            case INTS -> long[].class;
            case STRINGS, TENSORS, GRAPHS -> List.class;
        };
        if (!want.isInstance(value)) {
            throw new MinnowException("attribute '" + name + "' of kind " + kind + " needs a " + want.getSimpleName()
                    + " value, got " + value.getClass().getSimpleName());
        }
        return switch (kind) {
            case FLOATS -> ((float[]) value).clone();
            case INTS -> ((long[]) value).clone();
            case STRINGS -> checkedList(name, kind, (List<?>) value, String.class);
            case TENSORS -> checkedList(name, kind, (List<?>) value, TensorData.class);
            case GRAPHS -> checkedList(name, kind, (List<?>) value, GraphDef.class);
            default -> value;
        };
    }

    private static List<?> checkedList(String name, Kind kind, List<?> list, Class<?> element) {
        List<?> copy = List.copyOf(list);
        for (Object o : copy) {
            if (!element.isInstance(o)) {
                throw new MinnowException("attribute '" + name + "' of kind " + kind + " holds a "
                        + o.getClass().getSimpleName() + ", expected " + element.getSimpleName());
            }
        }
        return copy;
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
            case GRAPH -> "graph " + ((GraphDef) value).name();
            case TENSORS -> "tensors " + ((List<?>) value).size();
            case GRAPHS -> "graphs " + ((List<?>) value).size();
            default -> String.valueOf(value);
        };
        return name + "=" + v;
    }
}
