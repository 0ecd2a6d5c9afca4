package io.minnow.engine.kernels.q4;

import io.minnow.formats.TensorData;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Argument checks and the reference "packing" shared by the two int4 families (q4-gemm, q4-gemv). */
final class Q4Args {
    private Q4Args() {}

    /** The checks both families make before touching memory: weight owner, m, column range, lds, bias, clamp. */
    static void common(String kernel, int m, Q4Packed w, int colBegin, int colEnd, int columnAlign, int lda, int ldc,
                       float[] bias, float lo, float hi) {
        if (w == null) throw new IllegalArgumentException("no packed weight");
        if (!w.kernel().equals(kernel)) {
            throw new IllegalArgumentException(kernel + " cannot read a q4 weight packed by " + w.kernel());
        }
        int n = w.n(), k = w.k();
        if (m < 0) throw new IllegalArgumentException("negative m=" + m);
        if (colBegin < 0 || colEnd < colBegin || colEnd > n) {
            throw new IllegalArgumentException("columns [" + colBegin + ", " + colEnd + ") are not inside [0, " + n + ")");
        }
        if (colBegin % columnAlign != 0) {
            throw new IllegalArgumentException("column range starts at " + colBegin + ", not a multiple of " + columnAlign);
        }
        if (lda < k || ldc < n) {
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " (k=" + k + "), ldc=" + ldc + " (n=" + n + ")");
        }
        if (bias != null && bias.length != n) throw new IllegalArgumentException("bias has " + bias.length + " entries; n = " + n);
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp [" + lo + ", " + hi + "] is empty");
    }

    /** rows x cols elements of {@code bytes} each, row stride ld, from element off + col0, lie inside s. */
    static void span(String what, MemorySegment s, long off, long col0, long rows, long cols, long ld, int bytes) {
        if (s == null) throw new IllegalArgumentException(what + " segment is null");
        if (off < 0) throw new IllegalArgumentException(what + " offset " + off + " is negative");
        if (rows == 0 || cols == 0) return;
        long last = Math.addExact(Math.addExact(off, col0), Math.addExact(Math.multiplyExact(rows - 1, ld), cols)); // one past
        if (Math.multiplyExact(last, (long) bytes) > s.byteSize()) {
            throw new IllegalArgumentException(what + " [" + rows + "x" + cols + ", ld " + ld + "] at element " + (off + col0) + " needs "
                    + last * bytes + " bytes; the segment has " + s.byteSize());
        }
    }

    /** Throws IllegalArgumentException when w's segment is shorter than the {@code need} bytes its layout has. */
    static void requireBytes(Q4Packed w, long need) {
        if (w.data().byteSize() < need) {
            throw new IllegalArgumentException("packed q4 weight " + w.n() + "x" + w.k() + " needs " + need + " bytes; the segment has " + w.data().byteSize());
        }
    }

    /** A reference kernel's packing: a checked copy of the .mnw blob, which it reads through Q4Codec. */
    static Q4Packed blobCopy(String kernel, TensorData w) {
        QuantLayout l = Q4Gemm.checkWeight(w);
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(1, l.byteSize()), 64).asSlice(0, l.byteSize());
        copy.copyFrom(w.bytes());
        return new Q4Packed(kernel, (int) l.rows(), (int) l.cols(), l.groupSize(), l.hasZeroPoints(), copy);
    }
}
