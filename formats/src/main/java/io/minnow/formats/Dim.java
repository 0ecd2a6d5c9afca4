package io.minnow.formats;

/** One dimension of a declared shape: a fixed size, or a symbol (e.g. "batch"), or unknown (both empty). */
public record Dim(long value, String symbol) {
    public static Dim of(long value) { return new Dim(value, null); }
    public static Dim symbolic(String symbol) { return new Dim(-1, symbol); }
    public static final Dim UNKNOWN = new Dim(-1, null);

    public boolean isFixed() { return value >= 0; }

    @Override
    public String toString() {
        return value >= 0 ? Long.toString(value) : (symbol != null ? symbol : "?");
    }
}
