package io.minnow.engine.ops.math;

import io.minnow.engine.exec.Parallel;

import java.util.Arrays;

/**
 * NumPy multidirectional broadcasting: the output shape of several inputs, and a walk over the output in
 * contiguous runs.
 *
 * <p>Every input's shape is right-aligned to the output rank; a dimension of size 1 gets stride 0.
 * Output dimensions of size 1 are dropped and neighbouring dimensions are merged when every input walks
 * them as one (contiguous, or broadcast in both). What remains is a small odometer over the outer
 * dimensions and one inner run of {@link #inner()} elements, in which input i advances by
 * {@link #innerStride(int)} (0 or 1) per element: same-shape inputs become a single run, a bias over
 * channels a run per channel with a scalar operand.
 */
public final class Broadcast {
    /** Elements per chunk when splitting the output across threads. */
    private static final long CHUNK = 16384;

    private final long total;
    private final long[] dims;      // coalesced output dimensions; the last is the inner run
    private final long[][] strides; // [input][dim], in elements

    private Broadcast(long total, long[] dims, long[][] strides) {
        this.total = total;
        this.dims = dims;
        this.strides = strides;
    }

    /** The broadcast shape of {@code shapes}, or null when they are incompatible. */
    public static long[] shape(long[]... shapes) {
        int rank = 0;
        for (long[] s : shapes) rank = Math.max(rank, s.length);
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                long v = s[i];
                if (v == out[d] || v == 1) continue;
                if (out[d] == 1) out[d] = v;
                else return null;
            }
        }
        return out;
    }

    /** Plans the walk over {@code out} (which must be the broadcast shape of {@code inputs}). */
    public static Broadcast of(long[] out, long[]... inputs) {
        int rank = out.length, n = inputs.length;
        long total = 1;
        for (long d : out) total *= d;
        // full strides, right-aligned
        long[][] full = new long[n][rank];
        for (int k = 0; k < n; k++) {
            long[] s = inputs[k];
            long stride = 1;
            for (int i = s.length - 1; i >= 0; i--) {
                int d = rank - s.length + i;
                full[k][d] = s[i] == 1 ? 0 : stride;
                stride *= s[i];
            }
        }
        // drop size-1 output dims, then merge from the end
        long[] dims = new long[Math.max(rank, 1)];
        long[][] strides = new long[n][Math.max(rank, 1)];
        int m = 0;
        for (int d = 0; d < rank; d++) {
            if (out[d] == 1) continue;
            if (m > 0) {
                boolean merge = true;
                for (int k = 0; k < n && merge; k++) merge = strides[k][m - 1] == full[k][d] * out[d];
                if (merge) {
                    dims[m - 1] *= out[d];
                    for (int k = 0; k < n; k++) strides[k][m - 1] = full[k][d];
                    continue;
                }
            }
            dims[m] = out[d];
            for (int k = 0; k < n; k++) strides[k][m] = full[k][d];
            m++;
        }
        if (m == 0) { // scalar, or all dims 1
            dims[0] = 1;
            m = 1;
        }
        long[][] st = new long[n][];
        for (int k = 0; k < n; k++) st[k] = Arrays.copyOf(strides[k], m);
        return new Broadcast(total, Arrays.copyOf(dims, m), st);
    }

    /** Output element count. */
    public long total() { return total; }

    /** Length of the innermost run. */
    public long inner() { return dims[dims.length - 1]; }

    /** How far input i advances per element inside a run (0 = broadcast, 1 = contiguous). */
    public long innerStride(int i) { return strides[i][dims.length - 1]; }

    /** True when every input has the output's shape (one contiguous run, no broadcasting). */
    public boolean sameShape() {
        if (dims.length != 1) return false;
        for (long[] s : strides) if (s[0] != 1 && total > 1) return false;
        return true;
    }

    /** One contiguous run: {@code n} output elements from {@code out}; input i starts at {@code in[i]}. */
    @FunctionalInterface
    public interface Run {
        void run(long out, long[] in, long n);
    }

    /** Walks output elements [start, end) in runs. */
    public void walk(long start, long end, Run body) {
        if (start >= end) return;
        int r = dims.length, n = strides.length;
        long inner = dims[r - 1];
        long row = start / inner, col = start % inner;
        long[] idx = new long[r];
        long[] base = new long[n];
        for (int d = r - 2; d >= 0; d--) {
            idx[d] = row % dims[d];
            row /= dims[d];
            for (int k = 0; k < n; k++) base[k] += idx[d] * strides[k][d];
        }
        long[] offs = new long[n];
        long pos = start;
        while (pos < end) {
            long len = Math.min(inner - col, end - pos);
            for (int k = 0; k < n; k++) offs[k] = base[k] + col * strides[k][r - 1];
            body.run(pos, offs, len);
            pos += len;
            col = 0;
            for (int d = r - 2; d >= 0; d--) { // odometer
                for (int k = 0; k < n; k++) base[k] += strides[k][d];
                if (++idx[d] < dims[d]) break;
                for (int k = 0; k < n; k++) base[k] -= dims[d] * strides[k][d];
                idx[d] = 0;
            }
        }
    }

    /** Walks the whole output, split across the pool's threads in fixed chunks when it is large. */
    public void walk(Parallel parallel, Run body) {
        walkRange(total, parallel, (s, e) -> walk(s, e, body));
    }

    /** Range body over flat element indices. */
    @FunctionalInterface
    public interface LongRange {
        void run(long start, long end);
    }

    /**
     * Runs {@code body} over [0, total) in chunks of a fixed size (so results never depend on the thread
     * count), in parallel when there is more than one chunk and more than one thread.
     */
    public static void walkRange(long total, Parallel parallel, LongRange body) {
        if (total <= 0) return;
        long chunks = (total + CHUNK - 1) / CHUNK;
        if (chunks <= 1 || parallel == null || parallel.threads() <= 1 || chunks > Integer.MAX_VALUE) {
            body.run(0, total);
            return;
        }
        parallel.forRange((int) chunks, 1, (cs, ce) -> body.run(cs * CHUNK, Math.min((long) ce * CHUNK, total)));
    }
}
