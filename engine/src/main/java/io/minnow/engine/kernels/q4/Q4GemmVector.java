package io.minnow.engine.kernels.q4;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.f32.F32GemmVector;
import io.minnow.formats.TensorData;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family q4-gemm on the Vector API, over {@link Q4Panels}: the 8 rows of a panel are the 8 lanes of a 256-bit
 * float vector. Per pair-step, 8 bytes are sign-extended to ints (B2I), masked / shifted to the two steps'
 * codes and converted to float, then FMA'd against a[p] and a[p+1] broadcast; per group the 8 dot products
 * become {@code acc += scale * (dot - z' * sum a)} ({@link Q4Gemm} explains the order). Up to 4 rows of A share
 * each unpacked step (head: blocks of 4 rows; a short last block repeats its last row and stores only real rows).
 */
public final class Q4GemmVector implements Q4Gemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int NR = Q4Panels.NR;

    /** True when the Vector API is present and 256-bit vectors are allowed and preferred-or-wider here. */
    public static boolean available(BackendConfig cfg) {
        return F32GemmVector.available(cfg) && F32GemmVector.bitsFor(cfg.vectorWidthCap()) >= 256;
    }

    @Override
    public String id() {
        return "q4-gemm-panama256";
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4Panels.pack(id(), w);
    }

    @Override
    public void gemm(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, float[] bias,
                     float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemm.check(id(), m, w, colBegin, colEnd, a, aOff, lda, bias, lo, hi, c, cOff, ldc);
        Q4Panels.requireSize(w);
        if (m == 0 || colBegin == colEnd) return;
        int groups = w.groups();
        float[] asum = new float[4 * groups];
        float[] out = new float[4 * NR];
        for (int i0 = 0; i0 < m; i0 += 4) {
            long[] rows = new long[4];
            for (int r = 0; r < 4; r++) rows[r] = aOff + (long) Math.min(i0 + r, m - 1) * lda;
            int mr = Math.min(4, m - i0);
            for (int r = 0; r < 4; r++) groupSums(a, rows[r], w.k(), w.groupSize(), asum, r * groups);
            for (int q = colBegin / NR; q * NR < colEnd; q++) {
                if (mr == 1) panel1(w, q, a, rows[0], asum, out);
                else panel4(w, q, a, rows, asum, out);
                store(mr, q * NR, Math.max(colBegin, q * NR), Math.min(colEnd, q * NR + NR), out, bias, lo, hi, c, cOff + (long) i0 * ldc, ldc);
            }
        }
    }

    /** Sum of a over each group (the z' correction's factor), in order of p. */
    private static void groupSums(MemorySegment a, long row, int k, int g, float[] asum, int at) {
        for (int gi = 0, p0 = 0; p0 < k; gi++, p0 += g) {
            float s = 0;
            for (int p = p0; p < Math.min(k, p0 + g); p++) s += a.getAtIndex(F32, row + p);
            asum[at + gi] = s;
        }
    }

    private static FloatVector bc(float x) {
        return FloatVector.broadcast(F, x);
    }

    private static FloatVector low(IntVector v) {
        return (FloatVector) v.and(15).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector v) {
        return (FloatVector) v.lanewise(VectorOperators.ASHR, 4).and(15).convert(VectorOperators.I2F, 0);
    }

    private static IntVector step(MemorySegment d, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, d, at, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2I, I, 0);
    }

    /** One row of A against panel q: out[0..8) = the panel's 8 accumulators. */
    private static void panel1(Q4Packed w, int q, MemorySegment a, long row, float[] asum, float[] out) {
        MemorySegment d = w.data();
        int k = w.k(), g = w.groupSize(), groups = w.groups();
        long gb = Q4Panels.groupBytes(g, w.hasZeroPoints());
        long rec = q * Q4Panels.panelBytes(k, g, w.hasZeroPoints());
        FloatVector eight = FloatVector.broadcast(F, 8f);
        FloatVector acc = FloatVector.zero(F);
        for (int gi = 0; gi < groups; gi++, rec += gb) {
            int p0 = gi * g, len = Math.min(g, k - p0);
            // 4 independent FMA chains (2 steps per iteration); more made C2 stop inlining the vector helpers
            FloatVector d0 = FloatVector.zero(F), d1 = d0, d2 = d0, d3 = d0;
            int s = 0;
            for (; 2 * s + 4 <= len; s += 2) {
                long st = rec + (long) s * NR, p = row + p0 + 2L * s;
                IntVector v0 = step(d, st), v1 = step(d, st + NR);
                d0 = low(v0).fma(bc(a.getAtIndex(F32, p)), d0);
                d1 = high(v0).fma(bc(a.getAtIndex(F32, p + 1)), d1);
                d2 = low(v1).fma(bc(a.getAtIndex(F32, p + 2)), d2);
                d3 = high(v1).fma(bc(a.getAtIndex(F32, p + 3)), d3);
            }
            for (; 2 * s + 1 < len; s++) { // the last group's tail: whole steps
                IntVector v = step(d, rec + (long) s * NR);
                long p = row + p0 + 2L * s;
                d0 = low(v).fma(bc(a.getAtIndex(F32, p)), d0);
                d1 = high(v).fma(bc(a.getAtIndex(F32, p + 1)), d1);
            }
            if (2 * s < len) d0 = low(step(d, rec + (long) s * NR)).fma(bc(a.getAtIndex(F32, row + p0 + 2L * s)), d0); // odd tail
            FloatVector dot = d0.add(d1).add(d2.add(d3));
            long sc = rec + (long) g / 2 * NR;
            FloatVector scale = FloatVector.fromMemorySegment(F, d, sc, ByteOrder.LITTLE_ENDIAN);
            FloatVector z = w.hasZeroPoints() ? FloatVector.fromMemorySegment(F, d, sc + 4 * NR, ByteOrder.LITTLE_ENDIAN) : eight;
            FloatVector t = z.fma(bc(-asum[gi]), dot);
            acc = scale.fma(t, acc);
        }
        acc.intoArray(out, 0);
    }

    /** Four rows of A (rows[0..4), possibly repeated) against panel q: out[8r..8r+8) for row r. */
    private static void panel4(Q4Packed w, int q, MemorySegment a, long[] rows, float[] asum, float[] out) {
        MemorySegment d = w.data();
        int k = w.k(), g = w.groupSize(), groups = w.groups();
        long gb = Q4Panels.groupBytes(g, w.hasZeroPoints());
        long rec = q * Q4Panels.panelBytes(k, g, w.hasZeroPoints());
        long r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];
        FloatVector eight = FloatVector.broadcast(F, 8f);
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int gi = 0; gi < groups; gi++, rec += gb) {
            int p0 = gi * g, len = Math.min(g, k - p0);
            FloatVector d0 = FloatVector.zero(F), d1 = d0, d2 = d0, d3 = d0;
            int s = 0;
            for (; 2 * s < len; s++) {
                IntVector v = step(d, rec + (long) s * NR);
                FloatVector lo = low(v);
                int p = p0 + 2 * s;
                d0 = lo.fma(bc(a.getAtIndex(F32, r0 + p)), d0);
                d1 = lo.fma(bc(a.getAtIndex(F32, r1 + p)), d1);
                d2 = lo.fma(bc(a.getAtIndex(F32, r2 + p)), d2);
                d3 = lo.fma(bc(a.getAtIndex(F32, r3 + p)), d3);
                if (p + 1 < k) {
                    FloatVector hi = high(v);
                    d0 = hi.fma(bc(a.getAtIndex(F32, r0 + p + 1)), d0);
                    d1 = hi.fma(bc(a.getAtIndex(F32, r1 + p + 1)), d1);
                    d2 = hi.fma(bc(a.getAtIndex(F32, r2 + p + 1)), d2);
                    d3 = hi.fma(bc(a.getAtIndex(F32, r3 + p + 1)), d3);
                }
            }
            long sc = rec + (long) g / 2 * NR;
            FloatVector scale = FloatVector.fromMemorySegment(F, d, sc, ByteOrder.LITTLE_ENDIAN);
            FloatVector z = w.hasZeroPoints() ? FloatVector.fromMemorySegment(F, d, sc + 4 * NR, ByteOrder.LITTLE_ENDIAN) : eight;
            c0 = scale.fma(z.fma(bc(-asum[gi]), d0), c0);
            c1 = scale.fma(z.fma(bc(-asum[groups + gi]), d1), c1);
            c2 = scale.fma(z.fma(bc(-asum[2 * groups + gi]), d2), c2);
            c3 = scale.fma(z.fma(bc(-asum[3 * groups + gi]), d3), c3);
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, NR);
        c2.intoArray(out, 2 * NR);
        c3.intoArray(out, 3 * NR);
    }

    /** Epilogue and store of columns [j0, j1) (panel starts at column base) for mr rows from c at cRow. */
    private static void store(int mr, int base, int j0, int j1, float[] out, float[] bias, float lo, float hi,
                              MemorySegment c, long cRow, int ldc) {
        for (int r = 0; r < mr; r++) {
            for (int j = j0; j < j1; j++) {
                float v = out[r * NR + j - base] + (bias == null ? 0 : bias[j]);
                c.setAtIndex(F32, cRow + (long) r * ldc + j, Math.max(lo, Math.min(hi, v)));
            }
        }
    }
}
