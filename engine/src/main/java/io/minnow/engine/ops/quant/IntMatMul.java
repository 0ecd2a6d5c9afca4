package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.MinnowException;

import java.util.Arrays;

/**
 * Shape resolution and the exact integer product shared by MatMulInteger and QLinearMatMul: numpy matmul
 * semantics (1-D operands promoted and their unit dim dropped, batch dims broadcast), with zero points
 * subtracted before multiplying. A's zero point (and scale) is per tensor or per row (M entries), B's per
 * tensor or per column (N entries). Accumulates in long; the int32 result cannot overflow for K below
 * 2^31 / 255^2 ≈ 33 000, and beyond that ONNX leaves overflow undefined (we wrap like int32 arithmetic).
 */
record IntMatMul(long[] out, long[] batch, long[] aStride, long[] bStride, int m, int n, int k) {

    static IntMatMul of(String node, long[] a, long[] b) {
        if (a.length == 0 || b.length == 0) throw err(node, "inputs must have rank >= 1");
        boolean aVec = a.length == 1, bVec = b.length == 1;
        long[] a2 = aVec ? new long[] {1, a[0]} : a, b2 = bVec ? new long[] {b[0], 1} : b;
        long m = a2[a2.length - 2], k = a2[a2.length - 1], kb = b2[b2.length - 2], n = b2[b2.length - 1];
        if (k != kb) throw err(node, "inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        int ra = a2.length - 2, rb = b2.length - 2, r = Math.max(ra, rb);
        long[] batch = new long[r], as = new long[r], bs = new long[r];
        long sa = m * k, sb = k * n;
        for (int i = r - 1; i >= 0; i--) {
            int ia = i - (r - ra), ib = i - (r - rb);
            long da = ia >= 0 ? a2[ia] : 1, db = ib >= 0 ? b2[ib] : 1;
            if (da != db && da != 1 && db != 1) {
                throw err(node, "batch dims do not broadcast: " + Arrays.toString(a) + " x " + Arrays.toString(b));
            }
            batch[i] = da == 1 ? db : da;
            as[i] = da == 1 ? 0 : sa;
            bs[i] = db == 1 ? 0 : sb;
            sa *= da;
            sb *= db;
        }
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) throw err(node, "matrix too large");
        long[] out = new long[r + (aVec ? 0 : 1) + (bVec ? 0 : 1)];
        System.arraycopy(batch, 0, out, 0, r);
        int at = r;
        if (!aVec) out[at++] = m;
        if (!bVec) out[at] = n;
        return new IntMatMul(out, batch, as, bs, (int) m, (int) n, (int) k);
    }

    /** Checks that a zero point or scale of A (rows) or B (columns) has 1 or {@code count} entries. */
    static void checkPerRowOrTensor(String node, String what, Tensor t, long count) {
        if (t != null && t.size() != 1 && t.size() != count) {
            throw err(node, what + " must have 1 or " + count + " entries, got shape " + Arrays.toString(t.shape()));
        }
    }

    /** Entry i of a per-tensor (1 entry) or per-row/column parameter, as a long; 0 when absent. */
    static long at(Tensor t, long i) {
        return t == null ? 0 : t.getLongValue(t.size() == 1 ? 0 : i);
    }

    /** Float entry i of a per-tensor or per-row/column scale. */
    static float scaleAt(Tensor t, long i) {
        return (float) t.getDouble(t.size() == 1 ? 0 : i);
    }

    /**
     * Calls {@code sink} with (flat output index, row, column, exact sum over k of (a - za[row]) * (b - zb[col])).
     */
    void forEach(Tensor a, Tensor za, Tensor b, Tensor zb, Sink sink) {
        long batches = 1;
        for (long d : batch) batches *= d;
        long mn = (long) m * n;
        for (long bi = 0; bi < batches; bi++) {
            long aOff = offset(aStride, bi), bOff = offset(bStride, bi);
            for (int i = 0; i < m; i++) {
                long zA = at(za, i);
                for (int j = 0; j < n; j++) {
                    long zB = at(zb, j), acc = 0;
                    for (int p = 0; p < k; p++) {
                        acc += (a.getLongValue(aOff + (long) i * k + p) - zA) * (b.getLongValue(bOff + (long) p * n + j) - zB);
                    }
                    sink.accept(bi * mn + (long) i * n + j, i, j, acc);
                }
            }
        }
    }

    interface Sink {
        void accept(long index, int row, int col, long acc);
    }

    private long offset(long[] stride, long i) {
        long off = 0;
        for (int j = batch.length - 1; j >= 0; j--) {
            off += (i % batch[j]) * stride[j];
            i /= batch[j];
        }
        return off;
    }

    static MinnowException err(String node, String what) {
        return new MinnowException("node '" + node + "': " + what);
    }
}
