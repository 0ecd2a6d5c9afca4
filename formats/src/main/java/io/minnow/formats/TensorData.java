package io.minnow.formats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A stored tensor (initializer, constant, attribute): name, element type, dims, encoding and its bytes.
 * The bytes are little-endian and read-only by convention; they may be a slice of a memory-mapped file.
 * For {@link Encoding#F32} and {@link Encoding#RAW} the bytes are the dense elements in row-major order;
 * for the quantized encodings (type FLOAT: what the tensor decodes to) they follow the layout in
 * {@link io.minnow.formats.quant}, described by the encoding parameters ({@link #params()}).
 */
public final class TensorData {
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DataType type;
    private final long[] dims;
    private final Encoding encoding;
    private final MemorySegment bytes;
    private final Map<String, Long> params;

    public TensorData(String name, DataType type, long[] dims, Encoding encoding, MemorySegment bytes) {
        this(name, type, dims, encoding, bytes, Map.of());
    }

    /** With encoding parameters (group size, zero-point flag, axis, ...); their meaning is the encoding's. */
    public TensorData(String name, DataType type, long[] dims, Encoding encoding, MemorySegment bytes, Map<String, Long> params) {
        this.name = name == null ? "" : name;
        this.type = Objects.requireNonNull(type, "type");
        this.dims = dims.clone();
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.params = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(params, "params")));
        for (long d : dims) {
            if (d < 0) throw new MinnowException("tensor '" + this.name + "': negative dimension in " + Arrays.toString(dims));
        }
        if (encoding.implemented()) {
            long want;
            try {
                want = encoding.byteSize(type, this.dims, this.params);
            } catch (IllegalArgumentException e) {
                throw new MinnowException("tensor '" + this.name + "': " + e.getMessage(), e);
            }
            if (bytes.byteSize() != want) {
                throw new MinnowException("tensor '" + this.name + "': " + bytes.byteSize() + " bytes, but " + type
                        + Arrays.toString(dims) + " in " + encoding + " needs " + want);
            }
        }
    }

    /** Dense float32 tensor copied from a Java array. */
    public static TensorData ofFloats(String name, float[] values, long... dims) {
        MemorySegment seg = Arena.ofAuto().allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, seg, F32_LE, 0, values.length);
        return new TensorData(name, DataType.FLOAT, dims, Encoding.F32, seg);
    }

    /** Dense int64 tensor copied from a Java array. */
    public static TensorData ofLongs(String name, long[] values, long... dims) {
        MemorySegment seg = Arena.ofAuto().allocate(8L * values.length, 64);
        MemorySegment.copy(values, 0, seg, I64_LE, 0, values.length);
        return new TensorData(name, DataType.INT64, dims, Encoding.RAW, seg);
    }

    public String name() { return name; }
    public DataType type() { return type; }
    public long[] dims() { return dims.clone(); }
    public int rank() { return dims.length; }
    public Encoding encoding() { return encoding; }
    /** The stored bytes (read-only by convention; may be memory-mapped). */
    public MemorySegment bytes() { return bytes; }
    /** Encoding parameters, sorted by key; empty for RAW and F32. */
    public Map<String, Long> params() { return params; }

    public long elementCount() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Same tensor under another name (bytes shared). */
    public TensorData withName(String newName) {
        return new TensorData(newName, type, dims, encoding, bytes, params);
    }

    /** Copies a dense FLOAT tensor's values out. */
    public float[] toFloatArray() {
        if (type != DataType.FLOAT || !(encoding == Encoding.F32 || encoding == Encoding.RAW)) {
            throw new MinnowException("tensor '" + name + "' is " + type + "/" + encoding + ", not dense float");
        }
        float[] out = new float[Math.toIntExact(elementCount())];
        MemorySegment.copy(bytes, F32_LE, 0, out, 0, out.length);
        return out;
    }

    /** Copies a dense integer tensor's values out, widened to long (INT8..INT64, UINT8..UINT32, BOOL). */
    public long[] toLongArray() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case INT64, UINT64 -> bytes.getAtIndex(I64_LE, i);
                case INT32 -> bytes.getAtIndex(I32_LE, i);
                case UINT32 -> Integer.toUnsignedLong(bytes.getAtIndex(I32_LE, i));
                case INT16 -> bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i);
                case UINT16 -> Short.toUnsignedLong(bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i));
                case INT8 -> bytes.get(ValueLayout.JAVA_BYTE, i);
                case UINT8, BOOL -> Byte.toUnsignedLong(bytes.get(ValueLayout.JAVA_BYTE, i));
                default -> throw new MinnowException("tensor '" + name + "' is " + type + ", not an integer type");
            };
        }
        return out;
    }

    /** Same name, type, dims, encoding, parameters and bytes. */
    public boolean contentEquals(TensorData o) {
        return o != null && name.equals(o.name) && type == o.type && Arrays.equals(dims, o.dims)
                && encoding == o.encoding && params.equals(o.params) && bytes.byteSize() == o.bytes.byteSize()
                && MemorySegment.mismatch(bytes, 0, bytes.byteSize(), o.bytes, 0, o.bytes.byteSize()) == -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && contentEquals(t);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), encoding);
    }

    /** e.g. {@code conv1.weight FLOAT[20, 1, 5, 5] F32}. */
    public String describe() {
        return name + " " + type + Arrays.toString(dims) + " " + encoding + (params.isEmpty() ? "" : params.toString());
    }

    @Override
    public String toString() {
        return describe();
    }
}
