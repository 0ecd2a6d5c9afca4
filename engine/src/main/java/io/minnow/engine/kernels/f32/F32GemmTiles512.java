package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/** Micro-kernels of {@link F32GemmVector} for SPECIES_512 (16 lanes); identical to the other widths but for the species. */
final class F32GemmTiles512 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = 16;
    private static final int NR = 2 * L;
    private static final int MR = F32GemmVector.MR;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private F32GemmTiles512() {}

    /**
     * The register tile: acc[MR×NR] (row-major) = A panel · B panel over kc packed steps, each element a
     * fused-multiply-add chain from zero in k order. Kept in its own small method, results going out through
     * an array, so the caller's live values do not compete for registers.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, L);
        c10.intoArray(acc, NR);
        c11.intoArray(acc, NR + L);
        c20.intoArray(acc, 2 * NR);
        c21.intoArray(acc, 2 * NR + L);
        c30.intoArray(acc, 3 * NR);
        c31.intoArray(acc, 3 * NR + L);
    }

    /** One MR×NR tile over kc packed steps; stores (or adds to) C, clipped to mv rows × nv columns. */
    static void tile(int kc, float[] ap, int ai, float[] bp, int bi, MemorySegment c, long cOff, int ldc,
                     int mv, int nv, boolean add, float[] edge) {
        kernel(kc, ap, ai, bp, bi, edge);
        if (nv == NR) {
            long r = cOff * 4, ld = (long) ldc * 4, h = (long) L * 4;
            for (int i = 0; i < mv; i++, r += ld) {
                put(c, r, FloatVector.fromArray(S, edge, i * NR), add);
                put(c, r + h, FloatVector.fromArray(S, edge, i * NR + L), add);
            }
            return;
        }
        for (int i = 0; i < mv; i++) {
            long row = cOff + (long) i * ldc;
            for (int j = 0; j < nv; j++) {
                float v = edge[i * NR + j];
                c.setAtIndex(F32, row + j, add ? c.getAtIndex(F32, row + j) + v : v);
            }
        }
    }

    /**
     * One full row of a register tile to Y with the conv epilogue, as {@link F32Epilogue#apply} computes it:
     * y[0..NR) = act(acc[ai..ai+NR) (+ bias) (+ residual)). Byte offsets; {@code res} may be null.
     */
    static void epilogueRow(float[] acc, int ai, boolean hasBias, float bias, MemorySegment res, long resByte,
                            F32Epilogue epi, MemorySegment y, long yByte) {
        for (int h = 0; h < 2; h++) {
            FloatVector v = FloatVector.fromArray(S, acc, ai + h * L);
            if (hasBias) v = v.add(bias);
            if (res != null) v = v.add(FloatVector.fromMemorySegment(S, res, resByte + h * 4L * L, NATIVE));
            switch (epi.code()) {
                case F32Epilogue.ACT_CLAMP -> v = v.max(epi.lo()).min(epi.hi());
                case F32Epilogue.ACT_HARDSWISH -> v = v.mul(v.div(6f).add(0.5f).min(1f).max(0f));
                default -> { }
            }
            v.intoMemorySegment(y, yByte + h * 4L * L, NATIVE);
        }
    }

    private static void put(MemorySegment c, long byteOff, FloatVector v, boolean add) {
        if (add) v = v.add(FloatVector.fromMemorySegment(S, c, byteOff, NATIVE));
        v.intoMemorySegment(c, byteOff, NATIVE);
    }

    /**
     * Packs kc rows × ncb columns of B (from element bOff, row stride ldb) into panels of NR columns:
     * panel jp holds row p at dst[(jp*kc + p)*NR], zero-padded past ncb.
     */
    static void packB(int kc, int ncb, MemorySegment b, long bOff, int ldb, float[] dst) {
        int full = ncb / NR;
        for (int jp = 0; jp < full; jp++) {
            long src = (bOff + (long) jp * NR) * 4;
            int d = jp * kc * NR;
            for (int p = 0; p < kc; p++, src += (long) ldb * 4, d += NR) {
                FloatVector.fromMemorySegment(S, b, src, NATIVE).intoArray(dst, d);
                FloatVector.fromMemorySegment(S, b, src + 4L * L, NATIVE).intoArray(dst, d + L);
            }
        }
        int rest = ncb - full * NR;
        if (rest > 0) {
            long src = bOff + (long) full * NR;
            int d = full * kc * NR;
            for (int p = 0; p < kc; p++, src += ldb, d += NR) {
                for (int j = 0; j < rest; j++) dst[d + j] = b.getAtIndex(F32, src + j);
                for (int j = rest; j < NR; j++) dst[d + j] = 0f;
            }
        }
    }

    /** One row of C over kc steps, B read in place (no packing): c[0..n) (+)= a[0..kc) · B[kc × n]. */
    static void row(int n, int kc, MemorySegment a, long ai, MemorySegment b, long bi, int ldb, MemorySegment c,
                    long ci, boolean add) {
        long ldbBytes = (long) ldb * 4;
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector z = FloatVector.zero(S);
            FloatVector s0 = z, s1 = z, s2 = z, s3 = z;
            long br = (bi + j) * 4;
            for (int p = 0; p < kc; p++, br += ldbBytes) {
                FloatVector av = FloatVector.broadcast(S, a.getAtIndex(F32, ai + p));
                s0 = av.fma(FloatVector.fromMemorySegment(S, b, br, NATIVE), s0);
                s1 = av.fma(FloatVector.fromMemorySegment(S, b, br + 4L * L, NATIVE), s1);
                s2 = av.fma(FloatVector.fromMemorySegment(S, b, br + 8L * L, NATIVE), s2);
                s3 = av.fma(FloatVector.fromMemorySegment(S, b, br + 12L * L, NATIVE), s3);
            }
            long cr = (ci + j) * 4;
            put(c, cr, s0, add);
            put(c, cr + 4L * L, s1, add);
            put(c, cr + 8L * L, s2, add);
            put(c, cr + 12L * L, s3, add);
        }
        for (; j + L <= n; j += L) {
            FloatVector s = FloatVector.zero(S);
            long br = (bi + j) * 4;
            for (int p = 0; p < kc; p++, br += ldbBytes) {
                s = FloatVector.broadcast(S, a.getAtIndex(F32, ai + p)).fma(FloatVector.fromMemorySegment(S, b, br, NATIVE), s);
            }
            put(c, (ci + j) * 4, s, add);
        }
        if (j < n) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector s = FloatVector.zero(S);
            long br = (bi + j) * 4;
            for (int p = 0; p < kc; p++, br += ldbBytes) {
                s = FloatVector.broadcast(S, a.getAtIndex(F32, ai + p)).fma(FloatVector.fromMemorySegment(S, b, br, NATIVE, mask), s);
            }
            long cr = (ci + j) * 4;
            if (add) s = s.add(FloatVector.fromMemorySegment(S, c, cr, NATIVE, mask));
            s.intoMemorySegment(c, cr, NATIVE, mask);
        }
    }
}
