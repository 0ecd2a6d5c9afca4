package io.minnow.formats;

/**
 * The encodings table: how a weight tensor is stored, in memory and in a .mnw file. The ordinal-free
 * {@link #id} is the on-disk id; never renumber. Each encoding states what it stores and how many
 * bytes a tensor of a given element count takes (the size formula the container validates against).
 *
 * <p>{@link #RAW}, {@link #F32}, {@link #Q8} and {@link #Q4} are implemented; the others are reserved here so
 * the container and kernel registry are laid out for them from the start. The quantized encodings' byte
 * layouts, parameters and size formulas are in {@link io.minnow.formats.quant} (package javadoc).
 */
public enum Encoding {
    /** Plain little-endian elements of the tensor's {@link DataType} (int64 shapes, bool masks, ...). */
    RAW(0, "dense elements of the tensor's own data type"),
    /** Dense float32, little-endian. The baseline. */
    F32(1, "dense float32"),
    /**
     * int8 weights, per-output-channel (axis 0) symmetric float32 scale. Size: align64(count) + 4·N for
     * dims [N, ...]. Parameter {@code axis} (0).
     */
    Q8(2, "int8 weights + per-output-channel f32 scale"),
    /**
     * 4-bit weights in groups of G along K, f32 scale (and optional uint8 zero point) per group,
     * two codes per byte, low nibble first. Size: align64(N·⌈K/2⌉) + 4·N·⌈K/G⌉ [+ pad64 + N·⌈K/G⌉ with zero
     * points] for dims [N, ...] with K = the product of the other dims (as Q8). Parameters {@code group_size}
     * (32, 64, 128) and {@code zero_point} (0, 1).
     */
    Q4(3, "int4 weights in groups, f32 scale per group"),
    /** Compressed sparse rows: row pointers, column indices, values. */
    CSR(4, "compressed sparse rows"),
    /** b-bit indices into 2^b float centroids. */
    CODEBOOK(5, "k-means codebook indices + centroids"),
    /** Entropy-coded wrapper over another encoding's byte streams, decoded at load. */
    HUFFMAN(6, "Huffman-coded streams of another encoding");

    /** On-disk id in the .mnw tensor table. */
    public final int id;
    /** One-line description, shown by {@code minnow inspect}. */
    public final String description;

    Encoding(int id, String description) {
        this.id = id;
        this.description = description;
    }

    /** True where Minnow can read, write and execute this encoding today. */
    public boolean implemented() {
        return this == RAW || this == F32 || this == Q8 || this == Q4;
    }

    /** True for encodings whose size and layout depend on the dims and parameters (see {@link #byteSize(DataType, long[], java.util.Map)}). */
    public boolean quantized() {
        return this == Q8 || this == Q4;
    }

    /**
     * Bytes needed to store a {@code type} tensor of these dims with these encoding parameters; checks the
     * parameters (RAW and F32 take none). Throws IllegalArgumentException saying what is wrong.
     */
    public long byteSize(DataType type, long[] dims, java.util.Map<String, Long> params) {
        if (quantized()) return io.minnow.formats.quant.QuantLayout.of(this, type, dims, params).byteSize();
        if (!params.isEmpty()) throw new IllegalArgumentException("encoding " + this + " takes no parameters, got " + params.keySet());
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return byteSize(type, n);
    }

    /**
     * Bytes needed to store {@code elements} values of {@code type} in this encoding.
     * Throws for encodings whose size depends on parameters not known here (sparse, codebook).
     */
    public long byteSize(DataType type, long elements) {
        return switch (this) {
            case RAW -> Math.multiplyExact(elements, (long) type.byteSize);
            case F32 -> Math.multiplyExact(elements, 4L);
            case Q8, Q4 -> throw new UnsupportedOperationException("the size of a " + this
                    + " tensor depends on its dims and parameters: use byteSize(type, dims, params)");
            default -> throw new UnsupportedOperationException("Encoding " + this + " is not implemented yet");
        };
    }

    /** Returns the encoding with this on-disk id, or null when unknown. */
    public static Encoding fromId(int id) {
        for (Encoding e : values()) if (e.id == id) return e;
        return null;
    }
}
