package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.BackendConfig;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family f32-gemm on the Panama Vector API: {@code f32-gemm-panama128|256|512}.
 *
 * <p>GotoBLAS-style blocking: B is packed per (NC columns × KC rows) block into panels of {@code NR = 2}
 * vectors, A per (MC rows × KC) block into panels of {@code MR = 4} rows, and a 4×2-vector register tile
 * (8 accumulators, FMA) runs over each pair of panels. Partial panels are zero-padded when packed, so the
 * micro-kernel always computes a full tile; edge tiles go through a small buffer. A product with at most
 * {@link #SMALL_M} rows (GEMV-like) skips packing and reads B in place, block by block.
 *
 * <p>Every C element is computed the same way whichever path, tile or row/column split produced it: per
 * KC block a fused-multiply-add chain starting from zero in k order, then {@code c = block} for the first
 * block (without {@code accumulate}) or {@code c = c + block}. So an op that splits one product over
 * threads (by rows or by columns) gets bit-identical results for any thread count.
 *
 * <p>The micro-kernels and the B packer live in one class per width ({@code F32GemmTiles128/256/512})
 * because C2 only compiles Vector API code to vector instructions when the species is a constant; the
 * three files differ only in that constant and must be edited together.
 */
public final class F32GemmVector implements F32Gemm {
    /**
     * Rows of the register tile. 4 rows × 2 vectors = 8 accumulators: C2 schedules every broadcast of A at the
     * top of the loop body, so the tile needs accumulators + 2 B vectors + MR broadcasts registers; with 6 or
     * 5 rows that is more than the 16 ymm registers and C2 spilled an accumulator to the stack every step
     * (seen in the generated code), at under half the speed.
     */
    static final int MR = 4;
    /** K block: one packed A panel (MR×KC) plus one B panel (KC×NR) stays in L1. */
    static final int KC = 256;
    /** Rows of A packed at once (a multiple of MR): MC×KC floats stay in L2. */
    static final int MC = 80;
    /** About this many columns of B are packed at once (KC×NC floats in L2), rounded to whole panels. */
    static final int NC = 1024;
    /** Products with at most this many rows are computed without packing. */
    static final int SMALL_M = 8;

    private final int bits;
    private final int lanes;
    private final int nr;
    private final int nc;
    private final String id;
    private final ThreadLocal<Buffers> buffers;

    /** Per-thread packing buffers, allocated once per thread and kernel. */
    private static final class Buffers {
        final float[] a;
        final float[] b;
        final float[] tile;
        private MemorySegment chunk;

        Buffers(int nr, int nc) {
            a = new float[MC * KC];
            b = new float[KC * nc];
            tile = new float[MR * nr];
        }

        /** Off-heap room for KC rows × width columns of B (the few-rows path). */
        MemorySegment chunk(int width) {
            if (chunk == null) chunk = java.lang.foreign.Arena.ofAuto().allocate((long) KC * width * 4, 64);
            return chunk;
        }
    }

    /** A kernel of exactly {@code bits} (128, 256 or 512) wide vectors, even if the CPU prefers narrower ones. */
    public F32GemmVector(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        this.bits = bits;
        this.lanes = bits / 32;
        this.nr = 2 * lanes;
        this.nc = Math.max(nr, NC / nr * nr);
        this.id = "f32-gemm-panama" + bits;
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(nr, nc));
    }

    /** The kernel a configuration gets: the preferred width capped by {@link BackendConfig#vectorWidthCap()}. */
    public static F32GemmVector forCap(int cap) {
        int b = bitsFor(cap);
        if (b == 0) throw new IllegalStateException("no Vector API width available under cap " + cap);
        return new F32GemmVector(b);
    }

    /** True when the incubating Vector API module is in the boot layer ({@code --add-modules jdk.incubator.vector}). */
    public static boolean modulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** True when the registry may offer this kernel under {@code cfg}. */
    public static boolean available(BackendConfig cfg) {
        return cfg.vectorWidthCap() >= 128 && modulePresent() && bitsFor(cfg.vectorWidthCap()) >= 128;
    }

    /** Width in bits used under a cap: min(cap rounded down to 128/256/512, preferred); 0 when none. */
    public static int bitsFor(int cap) {
        if (cap < 128 || !modulePresent()) return 0;
        int preferred = Widths.preferredBits();
        int b = cap >= 512 ? 512 : cap >= 256 ? 256 : 128;
        while (b > preferred && b > 128) b /= 2;
        return b <= preferred ? b : 0;
    }

    /** The id under a cap, e.g. {@code f32-gemm-panama256} ({@code f32-gemm-panama} when unavailable). */
    public static String idFor(int cap) {
        int b = bitsFor(cap);
        return b == 0 ? "f32-gemm-panama" : "f32-gemm-panama" + b;
    }

    @Override
    public String id() {
        return id;
    }

    /** Vector width in bits. */
    public int bits() {
        return bits;
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative size " + m + "x" + n + "x" + k);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) c.asSlice((cOff + (long) i * ldc) * 4, (long) n * 4).fill((byte) 0);
            }
            return;
        }
        if (m <= SMALL_M) {
            smallM(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        Buffers buf = buffers.get();
        for (int jc = 0; jc < n; jc += nc) {
            int ncb = Math.min(nc, n - jc);
            int panels = (ncb + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                packB(kc, ncb, b, bOff + (long) pc * ldb + jc, ldb, buf.b);
                for (int ic = 0; ic < m; ic += MC) {
                    int mcb = Math.min(MC, m - ic);
                    packA(mcb, kc, a, aOff + (long) ic * lda + pc, lda, buf.a);
                    for (int jp = 0; jp < panels; jp++) {
                        int nv = Math.min(nr, ncb - jp * nr);
                        for (int ip = 0; ip * MR < mcb; ip++) {
                            int mv = Math.min(MR, mcb - ip * MR);
                            long cTile = cOff + (long) (ic + ip * MR) * ldc + jc + (long) jp * nr;
                            tile(kc, buf.a, ip * MR * kc, buf.b, jp * nr * kc, c, cTile, ldc, mv, nv, add, buf.tile);
                        }
                    }
                }
            }
        }
    }

    private void packB(int kc, int ncb, MemorySegment b, long bOff, int ldb, float[] dst) {
        switch (bits) {
            case 128 -> F32GemmTiles128.packB(kc, ncb, b, bOff, ldb, dst);
            case 256 -> F32GemmTiles256.packB(kc, ncb, b, bOff, ldb, dst);
            default -> F32GemmTiles512.packB(kc, ncb, b, bOff, ldb, dst);
        }
    }

    /** B packed once for {@link #gemmPackedB}: panel jp (NR columns, zero-padded) holds row p at [(jp*k + p)*NR]. */
    record PanelB(float[] data, int k, int n, int nr) {}

    @Override
    public Object packB(MemorySegment b, long off, int ld, int k, int n, boolean transposed) {
        if (k < 0 || n < 0) throw new IllegalArgumentException("negative B shape " + k + "x" + n);
        int panels = (n + nr - 1) / nr;
        float[] dst = new float[Math.multiplyExact(Math.multiplyExact(panels, nr), Math.max(k, 0))];
        for (int j = 0; j < n; j++) {
            int base = (j / nr) * k * nr + j % nr;
            for (int p = 0; p < k; p++) {
                long src = transposed ? off + (long) j * ld + p : off + (long) p * ld + j;
                dst[base + p * nr] = b.getAtIndex(F32, src);
            }
        }
        return new PanelB(dst, k, n, nr);
    }

    /**
     * Same blocking as {@link #gemm} (KC steps of A packed per MC rows) over the B panels that cover
     * [j0, j1); each output is the same per-block FMA chains whatever the range, so splits keep the bits.
     * Bias and activation are applied when the last K block is stored.
     */
    @Override
    public void gemmPackedB(int m, int j0, int j1, MemorySegment a, long aOff, int lda, Object packedB,
                            MemorySegment bias, long biasOff, F32Epilogue epi, MemorySegment c, long cOff, int ldc) {
        if (!(packedB instanceof PanelB pb) || pb.nr() != nr) {
            throw new IllegalArgumentException("B was not packed by " + id);
        }
        int k = pb.k();
        if (m < 0 || j0 < 0 || j1 > pb.n() || j0 > j1) {
            throw new IllegalArgumentException("m=" + m + ", columns [" + j0 + ", " + j1 + ") outside B of " + pb.n() + " columns");
        }
        if (m == 0 || j0 == j1) return;
        Buffers buf = buffers.get();
        float[] acc = buf.tile;
        int jpFirst = j0 / nr, jpEnd = (j1 + nr - 1) / nr;
        if (k == 0) {
            java.util.Arrays.fill(acc, 0f);
            for (int i = 0; i < m; i += MR) {
                for (int jp = jpFirst; jp < jpEnd; jp++) store(acc, Math.min(MR, m - i), jp, j0, j1, c, cOff + (long) i * ldc, ldc, false, true, bias, biasOff, epi);
            }
            return;
        }
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean add = pc > 0, last = pc + kc == k;
            for (int ic = 0; ic < m; ic += MC) {
                int mcb = Math.min(MC, m - ic);
                packA(mcb, kc, a, aOff + (long) ic * lda + pc, lda, buf.a);
                for (int jp = jpFirst; jp < jpEnd; jp++) {
                    int bi = (jp * k + pc) * nr;
                    for (int ip = 0; ip * MR < mcb; ip++) {
                        kernel(kc, buf.a, ip * MR * kc, pb.data(), bi, acc);
                        store(acc, Math.min(MR, mcb - ip * MR), jp, j0, j1, c, cOff + (long) (ic + ip * MR) * ldc, ldc,
                                add, last, bias, biasOff, epi);
                    }
                }
            }
        }
    }

    /** Stores rows [0, mv) of a register tile for panel jp, columns clipped to [j0, j1); the epilogue on the last K block. */
    private void store(float[] acc, int mv, int jp, int j0, int j1, MemorySegment c, long cRow, int ldc, boolean add,
                       boolean last, MemorySegment bias, long biasOff, F32Epilogue epi) {
        int from = Math.max(j0, jp * nr), to = Math.min(j1, jp * nr + nr);
        for (int i = 0; i < mv; i++) {
            long row = cRow + (long) i * ldc;
            for (int j = from; j < to; j++) {
                float v = acc[i * nr + j - jp * nr];
                if (add) v = c.getAtIndex(F32, row + j) + v;
                if (last) {
                    if (bias != null) v += bias.getAtIndex(F32, biasOff + j);
                    v = epi.apply(v);
                }
                c.setAtIndex(F32, row + j, v);
            }
        }
    }

    private void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] acc) {
        switch (bits) {
            case 128 -> F32GemmTiles128.kernel(kc, ap, ai, bp, bi, acc);
            case 256 -> F32GemmTiles256.kernel(kc, ap, ai, bp, bi, acc);
            default -> F32GemmTiles512.kernel(kc, ap, ai, bp, bi, acc);
        }
    }

    /** Packs mcb rows × kc columns of A into panels of MR rows: panel ip holds column p at [(ip*kc + p)*MR]. */
    private static void packA(int mcb, int kc, MemorySegment a, long aOff, int lda, float[] dst) {
        for (int ip = 0; ip * MR < mcb; ip++) {
            int rows = Math.min(MR, mcb - ip * MR);
            int base = ip * MR * kc;
            for (int r = 0; r < rows; r++) {
                long src = aOff + (long) (ip * MR + r) * lda;
                for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a.getAtIndex(F32, src + p);
            }
            for (int r = rows; r < MR; r++) {
                for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
            }
        }
    }

    private void tile(int kc, float[] ap, int ai, float[] bp, int bi, MemorySegment c, long cOff, int ldc,
                      int mv, int nv, boolean add, float[] edge) {
        switch (bits) {
            case 128 -> F32GemmTiles128.tile(kc, ap, ai, bp, bi, c, cOff, ldc, mv, nv, add, edge);
            case 256 -> F32GemmTiles256.tile(kc, ap, ai, bp, bi, c, cOff, ldc, mv, nv, add, edge);
            default -> F32GemmTiles512.tile(kc, ap, ai, bp, bi, c, cOff, ldc, mv, nv, add, edge);
        }
    }

    /**
     * Few rows: no panel packing. B is walked in blocks of KC rows × {@code 16·lanes} columns; with two or
     * more rows each block is first copied to a contiguous buffer (64 KiB at 256 bits: it stays in L2 and,
     * unlike rows of a power-of-two stride, does not thrash cache sets), then every row of A runs over it.
     */
    private void smallM(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                        MemorySegment c, long cOff, int ldc, boolean accumulate) {
        int width = 16 * lanes;
        MemorySegment chunk = m > 1 ? buffers.get().chunk(width) : null;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean add = accumulate || pc > 0;
            for (int j = 0; j < n; j += width) {
                int w = Math.min(width, n - j);
                MemorySegment src = b;
                long bi = bOff + (long) pc * ldb + j;
                int ld = ldb;
                if (chunk != null) {
                    for (int p = 0; p < kc; p++) {
                        MemorySegment.copy(b, (bi + (long) p * ldb) * 4, chunk, (long) p * w * 4, (long) w * 4);
                    }
                    src = chunk;
                    bi = 0;
                    ld = w;
                }
                for (int i = 0; i < m; i++) {
                    long ai = aOff + (long) i * lda + pc, ci = cOff + (long) i * ldc + j;
                    switch (bits) {
                        case 128 -> F32GemmTiles128.row(w, kc, a, ai, src, bi, ld, c, ci, add);
                        case 256 -> F32GemmTiles256.row(w, kc, a, ai, src, bi, ld, c, ci, add);
                        default -> F32GemmTiles512.row(w, kc, a, ai, src, bi, ld, c, ci, add);
                    }
                }
            }
        }
    }

    /** Isolates the Vector API so that the checks above run without loading it. */
    private static final class Widths {
        static int preferredBits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
