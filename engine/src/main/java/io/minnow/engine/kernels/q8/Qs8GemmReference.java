package io.minnow.engine.kernels.q8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.minnow.engine.api.Tensor.F32;
import static io.minnow.engine.api.Tensor.I32;

/**
 * The oracle for family qs8-gemm: a plain triple loop with an int32 accumulator (wrapping, like every other
 * variant must) and the epilogue written out once per element. Never optimise it.
 */
public final class Qs8GemmReference implements Qs8Gemm {
    @Override
    public String id() {
        return "qs8-gemm-scalar";
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                     MemorySegment w, long wOff, int ldw, Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.check(m, n, k, a, aOff, lda, aUnsigned, aZero, w, wOff, ldw, epi, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int acc = 0;
                for (int p = 0; p < k; p++) {
                    byte av = a.get(ValueLayout.JAVA_BYTE, aOff + (long) i * lda + p);
                    int x = (aUnsigned ? Byte.toUnsignedInt(av) : av) - aZero;
                    acc += x * w.get(ValueLayout.JAVA_BYTE, wOff + (long) j * ldw + p);
                }
                store(epi, acc, j, c, cOff + (long) i * ldc + j);
            }
        }
    }

    /** A plain copy of W, rows of k bytes (no padding, no column sums). */
    @Override
    public Qs8PackedW pack(int n, int k, MemorySegment w, long wOff, int ldw) {
        Qs8Gemm.checkPack(n, k, w, wOff, ldw);
        MemorySegment codes = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1L, (long) n * k), 64);
        for (int j = 0; j < n; j++) {
            MemorySegment.copy(w, wOff + (long) j * ldw, codes, (long) j * k, k);
        }
        return new Qs8PackedW(id(), n, k, codes, null);
    }

    @Override
    public void gemmPacked(int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                           Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.checkPacked(id(), m, w, a, aOff, lda, aUnsigned, aZero, epi, c, cOff, ldc);
        gemm(m, w.n(), w.k(), a, aOff, lda, aUnsigned, aZero, w.codes(), 0, w.k(), epi, c, cOff, ldc);
    }

    /** Applies the epilogue to one accumulator and stores it at element {@code at} of C. */
    static void store(Qs8Epilogue epi, int acc, int j, MemorySegment c, long at) {
        switch (epi) {
            case Qs8Epilogue.Raw r -> c.setAtIndex(I32, at, acc);
            case Qs8Epilogue.Requantize q -> {
                int sum = acc + (q.bias() == null ? 0 : q.bias()[q.bias().length == 1 ? 0 : j]);
                float v = (float) sum * q.scale()[q.scale().length == 1 ? 0 : j];
                double r = Math.rint(v) + q.zero();
                int out = Double.isNaN(r) ? q.zero() : (int) Math.max(q.qmin(), Math.min(q.qmax(), r));
                c.set(ValueLayout.JAVA_BYTE, at, (byte) out);
            }
            case Qs8Epilogue.Dequantize d -> {
                float v = (float) acc * d.scale()[d.scale().length == 1 ? 0 : j];
                if (d.bias() != null) v += d.bias()[d.bias().length == 1 ? 0 : j];
                c.setAtIndex(F32, at, Math.max(d.lo(), Math.min(d.hi(), v)));
            }
        }
    }
}
