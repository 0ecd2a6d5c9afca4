package io.minnow.engine.ops.tensor;

import io.minnow.engine.exec.Parallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Type-agnostic element movers for the tensor ops: they move raw elements of 1, 2, 4 or 8 bytes, so
 * one implementation serves every data type. Offsets and strides are in elements unless named bytes.
 */
final class Copy {
    private static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Elements per parallel chunk: below this, splitting costs more than it saves. */
    static final int GRAIN_ELEMENTS = 1 << 15;

    private Copy() {}

    /**
     * Strided n-d copy: for every index i of {@code shape},
     * {@code dst[dstOff + Σ i_k·dstStrides[k]] = src[srcOff + Σ i_k·srcStrides[k]]}. Strides may be
     * zero (broadcast) or negative (reversed slices). Adjacent dimensions that are contiguous in both
     * are merged first, so a plain copy becomes one bulk move.
     */
    static void strided(MemorySegment src, long srcOff, long[] srcStrides, MemorySegment dst, long dstOff,
                        long[] dstStrides, long[] shape, int es, Parallel par) {
        Merged m = merge(shape, srcStrides, dstStrides);
        if (m == null) return;
        if (m.rank == 0) {
            MemorySegment.copy(src, srcOff * es, dst, dstOff * es, es);
            return;
        }
        final int rank = m.rank;
        final long n = m.shape[rank - 1], sIn = m.src[rank - 1], dIn = m.dst[rank - 1];
        forOuter(m, rank - 1, srcOff, dstOff, n, par, (so, dO) -> row(src, so * es, sIn, dst, dO * es, dIn, n, es));
    }

    /** Dimensions after dropping size-1 dims and merging neighbours contiguous in both src and dst. */
    record Merged(int rank, long[] shape, long[] src, long[] dst) {}

    /** Merges dimensions; null when the shape holds no element. */
    static Merged merge(long[] shape, long[] srcStrides, long[] dstStrides) {
        int r = 0;
        long[] sh = new long[shape.length], ss = new long[shape.length], ds = new long[shape.length];
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == 0) return null;
            if (shape[k] == 1) continue;
            if (r > 0 && ss[r - 1] == srcStrides[k] * shape[k] && ds[r - 1] == dstStrides[k] * shape[k]) {
                sh[r - 1] *= shape[k]; // merge into the previous (outer) dimension
                ss[r - 1] = srcStrides[k];
                ds[r - 1] = dstStrides[k];
                continue;
            }
            sh[r] = shape[k];
            ss[r] = srcStrides[k];
            ds[r] = dstStrides[k];
            r++;
        }
        return new Merged(r, Arrays.copyOf(sh, r), Arrays.copyOf(ss, r), Arrays.copyOf(ds, r));
    }

    /** Called once per position of the outer dimensions with the element offsets there. */
    @FunctionalInterface
    interface OuterBody {
        void run(long srcOff, long dstOff);
    }

    /**
     * Walks every index of the first {@code outer} dimensions of {@code m} (odometer order), possibly
     * on several threads, calling {@code body} with the src/dst element offsets of each.
     */
    static void forOuter(Merged m, int outer, long srcOff, long dstOff, long workPerCall, Parallel par, OuterBody body) {
        long rows = 1;
        for (int k = 0; k < outer; k++) rows *= m.shape[k];
        long[] sh = m.shape, ss = m.src, ds = m.dst;
        forRows(par, rows, workPerCall, (start, end) -> {
            long[] idx = new long[Math.max(outer, 1)];
            long so = srcOff, dO = dstOff, rem = start;
            for (int k = outer - 1; k >= 0; k--) {
                idx[k] = rem % sh[k];
                rem /= sh[k];
                so += idx[k] * ss[k];
                dO += idx[k] * ds[k];
            }
            for (long row = start; row < end; row++) {
                body.run(so, dO);
                for (int k = outer - 1; k >= 0; k--) { // odometer step
                    so += ss[k];
                    dO += ds[k];
                    if (++idx[k] < sh[k]) break;
                    so -= ss[k] * sh[k];
                    dO -= ds[k] * sh[k];
                    idx[k] = 0;
                }
            }
        });
    }

    /** Runs {@code body} over [0, rows) on the pool when the work is large enough. */
    static void forRows(Parallel par, long rows, long rowElements, RowRange body) {
        if (par == null || par.threads() <= 1 || rows > Integer.MAX_VALUE || rows * rowElements < 2L * GRAIN_ELEMENTS) {
            body.run(0, rows);
            return;
        }
        int grain = (int) Math.max(1, GRAIN_ELEMENTS / Math.max(1, rowElements));
        par.forRange((int) rows, grain, body::run);
    }

    /** A range of rows [start, end). */
    @FunctionalInterface
    interface RowRange {
        void run(long start, long end);
    }

    /** One strided row of {@code n} elements; offsets in bytes, strides in elements. */
    static void row(MemorySegment src, long so, long ss, MemorySegment dst, long dO, long ds, long n, int es) {
        if (ss == 1 && ds == 1) {
            MemorySegment.copy(src, so, dst, dO, n * es);
            return;
        }
        if (ss == 0 && ds == 1 && n >= 16) { // broadcast along the row: one value repeated
            fill(dst, dO, n, src.asSlice(so, es), es);
            return;
        }
        long sb = ss * es, db = ds * es;
        switch (es) {
            case 4 -> { for (long k = 0; k < n; k++) dst.set(I, dO + k * db, src.get(I, so + k * sb)); }
            case 8 -> { for (long k = 0; k < n; k++) dst.set(L, dO + k * db, src.get(L, so + k * sb)); }
            case 2 -> { for (long k = 0; k < n; k++) dst.set(S, dO + k * db, src.get(S, so + k * sb)); }
            case 1 -> { for (long k = 0; k < n; k++) dst.set(B, dO + k * db, src.get(B, so + k * sb)); }
            default -> throw new IllegalArgumentException("element size " + es);
        }
    }

    /** Copies one element of {@code es} bytes. */
    static void element(MemorySegment src, long srcByte, MemorySegment dst, long dstByte, int es) {
        switch (es) {
            case 4 -> dst.set(I, dstByte, src.get(I, srcByte));
            case 8 -> dst.set(L, dstByte, src.get(L, srcByte));
            case 2 -> dst.set(S, dstByte, src.get(S, srcByte));
            case 1 -> dst.set(B, dstByte, src.get(B, srcByte));
            default -> MemorySegment.copy(src, srcByte, dst, dstByte, es);
        }
    }

    /**
     * Fills {@code count} elements at byte offset {@code dstByte} with the element in {@code pattern}
     * (its first {@code es} bytes), by doubling copies.
     */
    static void fill(MemorySegment dst, long dstByte, long count, MemorySegment pattern, int es) {
        if (count <= 0) return;
        boolean zero = true;
        for (int b = 0; b < es; b++) if (pattern.get(B, b) != 0) { zero = false; break; }
        long bytes = count * es;
        if (zero) {
            dst.asSlice(dstByte, bytes).fill((byte) 0);
            return;
        }
        MemorySegment.copy(pattern, 0, dst, dstByte, es);
        long done = es;
        while (done < bytes) {
            long chunk = Math.min(done, bytes - done);
            MemorySegment.copy(dst, dstByte, dst, dstByte + done, chunk);
            done += chunk;
        }
    }
}
