package io.minnow.formats;

/**
 * The encodings table: how a weight tensor is stored, in memory and in a .mnw file. The ordinal-free
 * {@link #id} is the on-disk id; never renumber. Each encoding states what it stores and how many
 * bytes a tensor of a given element count takes (the size formula the container validates against).
 *
 * <p>Only {@link #F32} (and raw typed tensors via {@link #RAW}) is implemented in the foundation; the
 * others are reserved here so the container and kernel registry are laid out for them from the start.
 */
public enum Encoding {
    /** Plain little-endian elements of the tensor's {@link DataType} (int64 shapes, bool masks, ...). */
    RAW(0, "dense elements of the tensor's own data type"),
    /** Dense float32, little-endian. The baseline. */
    F32(1, "dense float32"),
    /** int8 weights, per-output-channel symmetric float32 scale. */
    Q8(2, "int8 weights + per-output-channel f32 scale"),
    /** 4-bit weights in groups of G along K, f32 scale (and optional zero point) per group, two per byte. */
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
        return this == RAW || this == F32;
    }

    /**
     * Bytes needed to store {@code elements} values of {@code type} in this encoding.
     * Throws for encodings whose size depends on parameters not known here (sparse, codebook).
     */
    public long byteSize(DataType type, long elements) {
        return switch (this) {
            case RAW -> Math.multiplyExact(elements, (long) type.byteSize);
            case F32 -> Math.multiplyExact(elements, 4L);
            default -> throw new UnsupportedOperationException("Encoding " + this + " is not implemented yet");
        };
    }

    /** Returns the encoding with this on-disk id, or null when unknown. */
    public static Encoding fromId(int id) {
        for (Encoding e : values()) if (e.id == id) return e;
        return null;
    }
}
