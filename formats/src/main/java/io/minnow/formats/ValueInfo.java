package io.minnow.formats;

import java.util.List;

/**
 * A named value's declared type: element type and shape. A null type means the file does not declare one
 * (common for subgraph outputs); a null shape means the rank is unknown.
 */
public record ValueInfo(String name, DataType type, List<Dim> shape) {
    public ValueInfo {
        if (name == null) name = "";
        shape = shape == null ? null : List.copyOf(shape);
    }

    public int rank() { return shape == null ? -1 : shape.size(); }

    @Override
    public String toString() {
        return name + ": " + (type == null ? "?" : type) + (shape == null ? "[?]" : shape.toString());
    }
}
