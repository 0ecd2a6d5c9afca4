package io.minnow.formats;

import java.util.List;

/** A named value's declared type: element type and shape (null shape = rank unknown). */
public record ValueInfo(String name, DataType type, List<Dim> shape) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    public int rank() { return shape == null ? -1 : shape.size(); }

    @Override
    public String toString() {
        return name + ": " + type + (shape == null ? "[?]" : shape.toString());
    }
}
