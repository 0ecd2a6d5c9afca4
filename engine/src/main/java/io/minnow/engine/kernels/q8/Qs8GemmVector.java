package io.minnow.engine.kernels.q8;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.f32.F32GemmVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Family qs8-gemm on the Panama Vector API: {@code qs8-gemm-panama256}.
 *
 * <p>W is packed once as int16 [n×kp] (kp = k rounded up to 8, zero padded); each block of A rows is widened
 * to int16 {@code a - aZero} (|.| <= 255) in a per-call buffer. An 8-lane int16 multiply is then exact
 * ({@code |(a - aZero) * w| <= 255 * 128 = 32640 < 2^15}), and the products are sign-extended to int32 and
 * added to int32 accumulators: a 2 row × 2 column register tile, reduced across lanes at the end. Int32
 * addition wraps and is associative, so the accumulators equal the reference's exactly, and the epilogue is
 * the reference's own {@link Qs8GemmReference#store}.
 *
 * <p>Blocking: {@link #MC} rows of A are widened at once; W is walked in column blocks of about
 * {@link #W_BLOCK_BYTES} so a block stays in L2 while every row pair of the chunk runs over it.
 * The species are constants (C2 only vectorizes constant species): int16 x 128 bits, int32 x 256 bits.
 */
public final class Qs8GemmVector implements Qs8Gemm {
    // 8 int16 lanes multiplied (vpmullw xmm), then widened whole to 8 int32 lanes (vpmovsxwd): the
    // 16-lane form needed a second, "part 1" conversion per product, which C2 compiled ~20x slower.
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int L = 8; // int16 lanes of S
    static final int MC = 64;
    static final long W_BLOCK_BYTES = 256 * 1024;
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    public static final String ID = "qs8-gemm-panama256";

    /** True when the Vector API is present and the cap and CPU allow 256-bit vectors. */
    public static boolean available(BackendConfig cfg) {
        return F32GemmVector.available(cfg) && F32GemmVector.bitsFor(cfg.vectorWidthCap()) >= 256;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                     MemorySegment w, long wOff, int ldw, Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.check(m, n, k, a, aOff, lda, aUnsigned, aZero, w, wOff, ldw, epi, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        gemmPacked(m, pack(n, k, w, wOff, ldw), a, aOff, lda, aUnsigned, aZero, epi, c, cOff, ldc);
    }

    private static int padded(int k) {
        return (k + L - 1) / L * L;
    }

    @Override
    public Qs8PackedW pack(int n, int k, MemorySegment w, long wOff, int ldw) {
        Qs8Gemm.checkPack(n, k, w, wOff, ldw);
        int kp = padded(k);
        MemorySegment codes = Arena.ofAuto().allocate(Math.max(1L, (long) n * kp * 2), 64); // zeroed
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                codes.setAtIndex(ValueLayout.JAVA_SHORT, (long) j * kp + p, w.get(ValueLayout.JAVA_BYTE, wOff + (long) j * ldw + p));
            }
        }
        return new Qs8PackedW(ID, n, k, codes, null);
    }

    @Override
    public void gemmPacked(int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                           Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.checkPacked(ID, m, w, a, aOff, lda, aUnsigned, aZero, epi, c, cOff, ldc);
        int n = w.n(), k = w.k(), kp = padded(k);
        if (m == 0 || n == 0) return;
        MemorySegment codes = w.codes();
        short[] ab = new short[Math.min(m, MC) * kp]; // per call: threads share nothing
        int jBlock = (int) Math.max(2, W_BLOCK_BYTES / Math.max(1, 2L * kp)) & ~1;
        for (int i0 = 0; i0 < m; i0 += MC) {
            int mc = Math.min(MC, m - i0);
            widen(a, aOff + (long) i0 * lda, lda, mc, k, kp, aUnsigned, aZero, ab);
            for (int j0 = 0; j0 < n; j0 += jBlock) {
                int j1 = Math.min(n, j0 + jBlock);
                int r = 0;
                for (; r + 2 <= mc; r += 2) {
                    long c0 = cOff + (long) (i0 + r) * ldc, c1 = c0 + ldc;
                    int j = j0;
                    for (; j + 2 <= j1; j += 2) tile2x2(ab, r * kp, (r + 1) * kp, codes, j, kp, epi, c, c0, c1);
                    if (j < j1) {
                        Qs8GemmReference.store(epi, dot(ab, r * kp, codes, j, kp), j, c, c0 + j);
                        Qs8GemmReference.store(epi, dot(ab, (r + 1) * kp, codes, j, kp), j, c, c1 + j);
                    }
                }
                if (r < mc) {
                    long c0 = cOff + (long) (i0 + r) * ldc;
                    for (int j = j0; j < j1; j++) Qs8GemmReference.store(epi, dot(ab, r * kp, codes, j, kp), j, c, c0 + j);
                }
            }
        }
    }

    /** Rows [0, rows) of A as int16 a - aZero into ab (row stride kp; the padding stays 0). */
    private static void widen(MemorySegment a, long off, int lda, int rows, int k, int kp, boolean unsigned, int zero, short[] ab) {
        for (int r = 0; r < rows; r++) {
            long row = off + (long) r * lda;
            for (int p = 0; p < k; p++) {
                byte v = a.get(ValueLayout.JAVA_BYTE, row + p);
                ab[r * kp + p] = (short) ((unsigned ? Byte.toUnsignedInt(v) : v) - zero);
            }
            java.util.Arrays.fill(ab, r * kp + k, r * kp + kp, (short) 0);
        }
    }

    private static IntVector widenAdd(IntVector acc, ShortVector prod) {
        return acc.add((IntVector) prod.convertShape(VectorOperators.S2I, I, 0));
    }

    /** Rows at a0 / a1 of ab times W columns j and j + 1, through the epilogue into C rows c0 / c1. */
    private static void tile2x2(short[] ab, int a0, int a1, MemorySegment codes, int j, int kp, Qs8Epilogue epi,
                                MemorySegment c, long c0, long c1) {
        IntVector s00 = IntVector.zero(I), s01 = IntVector.zero(I), s10 = IntVector.zero(I), s11 = IntVector.zero(I);
        long w0 = (long) j * kp * 2, w1 = w0 + (long) kp * 2;
        for (int p = 0; p < kp; p += L) {
            ShortVector x0 = ShortVector.fromArray(S, ab, a0 + p), x1 = ShortVector.fromArray(S, ab, a1 + p);
            ShortVector y0 = ShortVector.fromMemorySegment(S, codes, w0 + 2L * p, NO);
            ShortVector y1 = ShortVector.fromMemorySegment(S, codes, w1 + 2L * p, NO);
            s00 = widenAdd(s00, x0.mul(y0));
            s01 = widenAdd(s01, x0.mul(y1));
            s10 = widenAdd(s10, x1.mul(y0));
            s11 = widenAdd(s11, x1.mul(y1));
        }
        Qs8GemmReference.store(epi, s00.reduceLanes(VectorOperators.ADD), j, c, c0 + j);
        Qs8GemmReference.store(epi, s01.reduceLanes(VectorOperators.ADD), j + 1, c, c0 + j + 1);
        Qs8GemmReference.store(epi, s10.reduceLanes(VectorOperators.ADD), j, c, c1 + j);
        Qs8GemmReference.store(epi, s11.reduceLanes(VectorOperators.ADD), j + 1, c, c1 + j + 1);
    }

    /** One row of ab (at a0) times W column j: the int32 accumulator. */
    private static int dot(short[] ab, int a0, MemorySegment codes, int j, int kp) {
        IntVector s = IntVector.zero(I);
        long w0 = (long) j * kp * 2;
        for (int p = 0; p < kp; p += L) {
            s = widenAdd(s, ShortVector.fromArray(S, ab, a0 + p).mul(ShortVector.fromMemorySegment(S, codes, w0 + 2L * p, NO)));
        }
        return s.reduceLanes(VectorOperators.ADD);
    }
}
