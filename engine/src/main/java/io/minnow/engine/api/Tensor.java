package io.minnow.engine.api;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A dense tensor at run time: element type, shape and off-heap memory (native byte order, which is
 * little-endian on every platform Minnow targets). Kernels receive {@link #data()} directly; native
 * kernels take its address, so the memory is never on the Java heap.
 *
 * <p>Element accessors take a flat row-major index. The {@code getDouble}/{@code setDouble} pair reads
 * and writes any numeric type (with C-style conversion on write) so that generic ops stay short; float
 * kernels use {@link #getFloat}/{@link #setFloat} or the segment itself.
 */
public final class Tensor {
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final DataType type;
    private final long[] shape;
    private final long size;
    private final MemorySegment data;

    private Tensor(DataType type, long[] shape, MemorySegment data) {
        if (type.byteSize == 0) throw new MinnowException("tensors of type " + type + " are not supported");
        this.type = type;
        this.shape = shape.clone();
        this.size = elementCount(shape);
        this.data = data;
        if (data.byteSize() < size * type.byteSize) {
            throw new MinnowException("tensor " + type + Arrays.toString(shape) + " needs " + size * type.byteSize
                    + " bytes, memory has " + data.byteSize());
        }
    }

    /** Wraps existing memory (no copy). The segment must hold at least the tensor's bytes. */
    public static Tensor wrap(DataType type, long[] shape, MemorySegment data) {
        return new Tensor(type, shape, data);
    }

    /** A zero-filled tensor in GC-managed off-heap memory. */
    public static Tensor allocate(DataType type, long... shape) {
        long bytes = Math.multiplyExact(elementCount(shape), (long) type.byteSize);
        return new Tensor(type, shape, Arena.ofAuto().allocate(Math.max(bytes, 1), 64));
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor of(float[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = allocate(DataType.FLOAT, shape);
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static Tensor ofLongs(long[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = allocate(DataType.INT64, shape);
        MemorySegment.copy(values, 0, t.data, I64, 0, values.length);
        return t;
    }

    /** A scalar (rank 0) float tensor. */
    public static Tensor scalar(float v) {
        return of(new float[]{v});
    }

    /** Copies a stored tensor (dense encodings only) into run-time memory. */
    public static Tensor fromData(TensorData td) {
        if (td.encoding() != Encoding.F32 && td.encoding() != Encoding.RAW) {
            throw new MinnowException("tensor '" + td.name() + "' is " + td.encoding() + "; only dense tensors convert directly");
        }
        Tensor t = allocate(td.type(), td.dims());
        MemorySegment.copy(td.bytes(), 0, t.data, 0, td.bytes().byteSize());
        return t;
    }

    /** A stored (dense) copy of this tensor under {@code name}. */
    public TensorData toData(String name) {
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(byteSize(), 1), 64).asSlice(0, byteSize());
        MemorySegment.copy(data, 0, copy, 0, byteSize());
        return new TensorData(name, type, shape, type == DataType.FLOAT ? Encoding.F32 : Encoding.RAW, copy);
    }

    private static void checkCount(int n, long[] shape) {
        if (elementCount(shape) != n) {
            throw new MinnowException(n + " values do not fill shape " + Arrays.toString(shape));
        }
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new MinnowException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DataType type() { return type; }
    public long[] shape() { return shape.clone(); }
    public long dim(int axis) { return shape[axis]; }
    public int rank() { return shape.length; }
    public long size() { return size; }
    public long byteSize() { return size * type.byteSize; }
    /** The memory; may be larger than {@link #byteSize()} (an arena slot). */
    public MemorySegment data() { return data; }

    /** Same memory seen with another shape of equal element count (Reshape, Flatten, Squeeze ...). */
    public Tensor reshape(long... newShape) {
        if (elementCount(newShape) != size) {
            throw new MinnowException("cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape, data);
    }

    public float getFloat(long i) { return data.getAtIndex(F32, i); }
    public void setFloat(long i, float v) { data.setAtIndex(F32, i, v); }
    public long getLong(long i) { return data.getAtIndex(I64, i); }
    public void setLong(long i, long v) { data.setAtIndex(I64, i, v); }

    /** Reads element i of any numeric type as a double (bool: 0/1). */
    public double getDouble(long i) {
        return switch (type) {
            case FLOAT -> data.getAtIndex(F32, i);
            case DOUBLE -> data.getAtIndex(F64, i);
            case INT64 -> data.getAtIndex(I64, i);
            case UINT64 -> { long v = data.getAtIndex(I64, i); yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1); }
            case INT32 -> data.getAtIndex(I32, i);
            case UINT32 -> Integer.toUnsignedLong(data.getAtIndex(I32, i));
            case INT16 -> data.getAtIndex(I16, i);
            case UINT16 -> Short.toUnsignedInt(data.getAtIndex(I16, i));
            case INT8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case UINT8, BOOL -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
            case FLOAT16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            case BFLOAT16 -> Float.intBitsToFloat(Short.toUnsignedInt(data.getAtIndex(I16, i)) << 16);
            default -> throw new MinnowException("cannot read elements of type " + type);
        };
    }

    /** Reads element i of an integer (or bool) type exactly as a long; floats are truncated. */
    public long getLongValue(long i) {
        return switch (type) {
            case INT64, UINT64 -> data.getAtIndex(I64, i);
            case INT32 -> data.getAtIndex(I32, i);
            case UINT32 -> Integer.toUnsignedLong(data.getAtIndex(I32, i));
            case INT16 -> data.getAtIndex(I16, i);
            case UINT16 -> Short.toUnsignedInt(data.getAtIndex(I16, i));
            case INT8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case UINT8, BOOL -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
            default -> (long) getDouble(i);
        };
    }

    /** Writes element i of any numeric type from a double (integers: truncation toward zero, wrapping like C casts; bool: v != 0). */
    public void setDouble(long i, double v) {
        switch (type) {
            case FLOAT -> data.setAtIndex(F32, i, (float) v);
            case DOUBLE -> data.setAtIndex(F64, i, v);
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            case FLOAT16 -> data.setAtIndex(I16, i, Float.floatToFloat16((float) v));
            case BFLOAT16 -> data.setAtIndex(I16, i, toBfloat16((float) v));
            default -> setLongValue(i, toLongWrapping(v));
        }
    }

    /** Writes element i of an integer (or bool) type from a long, wrapping to the type's width. */
    public void setLongValue(long i, long v) {
        switch (type) {
            case INT64, UINT64 -> data.setAtIndex(I64, i, v);
            case INT32, UINT32 -> data.setAtIndex(I32, i, (int) v);
            case INT16, UINT16 -> data.setAtIndex(I16, i, (short) v);
            case INT8, UINT8 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> setDouble(i, v);
        }
    }

    private static long toLongWrapping(double v) {
        if (Double.isNaN(v)) return 0;
        if (v >= 0x1p63) return (long) (v - 0x1p64); // uint64 range
        return (long) v;
    }

    private static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int rounding = 0x7FFF + ((bits >>> 16) & 1); // round to nearest even
        return (short) ((bits + rounding) >>> 16);
    }

    /** Copies float32 values out. */
    public float[] toFloatArray() {
        if (type != DataType.FLOAT) throw new MinnowException("tensor is " + type + ", not FLOAT");
        float[] out = new float[Math.toIntExact(size)];
        MemorySegment.copy(data, F32, 0, out, 0, out.length);
        return out;
    }

    /** Copies integer values out, widened to long. */
    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) out[i] = getLongValue(i);
        return out;
    }

    /** A new tensor with the same type, shape and contents, in its own memory. */
    public Tensor copy() {
        Tensor t = allocate(type, shape);
        MemorySegment.copy(data, 0, t.data, 0, byteSize());
        return t;
    }

    /**
     * A copy on the Java heap, reclaimed by the GC like any array. What a run returns: an off-heap copy per
     * call ({@link #copy}) is memory the GC does not see and frees late, so a loop of runs faults in fresh
     * pages every call (measured: a 800 KB output made a 0.4 ms conv take 3 ms per run). Tensors larger than
     * one Java array can hold stay off-heap. Kernels that need native memory get such a tensor staged again
     * when it is fed back as an input (see {@link #isNativeAligned}).
     */
    public Tensor heapCopy() {
        Tensor t = allocateHeap(type, shape);
        MemorySegment.copy(data, 0, t.data, 0, byteSize());
        return t;
    }

    /** A zero-filled tensor on the Java heap (see {@link #heapCopy}); off-heap when larger than one array holds. */
    public static Tensor allocateHeap(DataType type, long... shape) {
        long bytes = Math.multiplyExact(elementCount(shape), (long) type.byteSize);
        if (bytes > Integer.MAX_VALUE - 8) return allocate(type, shape);
        // a byte[]: the one heap array MemorySegment.asByteBuffer accepts (callers write outputs to channels);
        // the tensor's accessors use unaligned layouts, and kernels get heap tensors staged (PlanRunner)
        return new Tensor(type, shape.clone(), MemorySegment.ofArray(new byte[(int) bytes]));
    }

    /** Items [first, first + count) along dimension 0, sharing this tensor's memory. */
    public Tensor sliceBatch(long first, long count) {
        if (shape.length == 0 || first < 0 || count < 0 || first + count > shape[0]) {
            throw new IllegalArgumentException("items [" + first + ", " + (first + count) + ") outside dimension 0 of " + this);
        }
        long item = shape[0] == 0 ? 0 : byteSize() / shape[0];
        long[] s = shape.clone();
        s[0] = count;
        return new Tensor(type, s, data.asSlice(first * item, count * item));
    }

    /** Whether native kernels can read this tensor as it is: off-heap and aligned to its element size. */
    public boolean isNativeAligned() {
        return data.isNative() && (data.address() & (Math.max(1, type.byteSize) - 1)) == 0;
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
