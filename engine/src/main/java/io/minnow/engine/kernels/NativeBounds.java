package io.minnow.engine.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The one check every native kernel call makes before handing raw addresses to C: the segment is
 * off-heap, aligned for its element type, and holds every element the kernel will touch. Native code
 * trusts its arguments, so a failed check throws {@link IllegalArgumentException} saying which operand,
 * which range and how large the segment is — and nothing native runs.
 */
public final class NativeBounds {
    private NativeBounds() {}

    /** Address of element {@code off} after checking that elements [off, off + count) lie in the segment. */
    public static long elements(String name, MemorySegment s, long off, long count, int elementBytes) {
        if (!s.isNative()) throw new IllegalArgumentException(name + " must be an off-heap (native) segment, got " + s);
        if ((s.address() & (elementBytes - 1)) != 0) {
            // C code may assume element alignment (the compiler's vectorized loops do)
            throw new IllegalArgumentException(name + " segment address is not " + elementBytes + "-byte aligned: " + s);
        }
        if (off < 0) throw new IllegalArgumentException(name + " offset is negative: " + off);
        if (count < 0) throw new IllegalArgumentException(name + " element count is negative: " + count);
        long end;
        try {
            end = Math.multiplyExact(Math.addExact(off, count), (long) elementBytes);
        } catch (ArithmeticException e) {
            end = Long.MAX_VALUE;
        }
        if (end > s.byteSize()) {
            throw new IllegalArgumentException(name + " needs elements [" + off + ", " + (off + count) + ") but the segment holds "
                    + s.byteSize() / elementBytes);
        }
        return s.address() + off * elementBytes;
    }

    /** {@link #elements} for floats. */
    public static long floats(String name, MemorySegment s, long off, long count) {
        return elements(name, s, off, count, Float.BYTES);
    }

    /** A rows x cols float matrix with leading dimension ld at element {@code off} (rows, cols >= 1). */
    public static long matrix(String name, MemorySegment s, long off, int rows, int cols, int ld) {
        return floats(name, s, off, (long) (rows - 1) * ld + cols);
    }

    /** Why a native variant cannot run here: the CPU's features, or why the library did not load. */
    public static String whyNot() {
        return io.minnow.kernels.nat.NativeLibrary.available()
                ? "CPU features are " + io.minnow.kernels.nat.NativeLibrary.describeFeatures(io.minnow.kernels.nat.NativeLibrary.cpuFeatures())
                : io.minnow.kernels.nat.NativeLibrary.unavailableReason();
    }
}
