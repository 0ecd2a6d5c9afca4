package io.minnow.formats;

/**
 * One dimension of a declared shape: a fixed size, or a symbol (e.g. "batch"), or unknown (both empty).
 * Normalised on construction: any negative value becomes -1, an empty symbol becomes null, and a fixed
 * size carries no symbol, so equal dimensions compare equal.
 */
public record Dim(long value, String symbol) {
    public static final Dim UNKNOWN = new Dim(-1, null);

    public Dim {
        if (value < 0) value = -1;
        if (symbol != null && (symbol.isEmpty() || value >= 0)) symbol = null;
    }

    public static Dim of(long value) { return new Dim(value, null); }
    public static Dim symbolic(String symbol) { return new Dim(-1, symbol); }

    public boolean isFixed() { return value >= 0; }
    public boolean isSymbolic() { return value < 0 && symbol != null; }

    @Override
    public String toString() {
        return value >= 0 ? Long.toString(value) : (symbol != null ? symbol : "?");
    }
}
