package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family f32-conv on the Panama Vector API: {@code f32-conv-panama128|256|512}, the implicit-im2col GEMM of
 * {@link F32Conv} on the register tile of {@link F32GemmVector}.
 *
 * <p>{@link #pack} lays W out in panels of {@code MR} output channels (k-major, zero rows past cout). {@link #run}
 * walks its output columns {@code NR} (two vectors) at a time: it gathers that k×NR slice of im2col(X) straight
 * from the image into a panel (zeros for padding and for columns past the range), runs the micro-kernel once
 * per channel panel over the whole k, and stores with bias, residual and activation fused. The whole k is one
 * fused-multiply-add chain per output, in (c, ky, kx) order, so any column split gives the same bits.
 *
 * <p>Panels live in per-thread heap arrays (the Vector API's array loads are what C2 compiles best), so
 * {@link #scratchBytes} is 0.
 */
public final class F32ConvVector implements F32Conv {
    private static final int MR = F32GemmVector.MR;
    /** Column offset that puts a column beyond the range far outside any image: its taps read as zeros. */
    private static final int OUTSIDE = -(1 << 29);

    private final int bits;
    private final int nr;
    private final String id;
    private final ThreadLocal<Buffers> buffers;

    /** W packed in panels of MR channels: panel ip holds tap p of row r at [ip*MR*k + p*MR + r]. */
    record Weights(float[] panels, int cout, int k) {}

    private static final class Buffers {
        float[] b = new float[0];
        final float[] acc;
        final int[] rowBase;
        final int[] colBase;

        Buffers(int nr) {
            acc = new float[MR * nr];
            rowBase = new int[nr];
            colBase = new int[nr];
        }
    }

    /** A kernel of exactly {@code bits} (128, 256 or 512) wide vectors. */
    public F32ConvVector(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        this.bits = bits;
        this.nr = 2 * (bits / 32);
        this.id = "f32-conv-panama" + bits;
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(nr));
    }

    /** The kernel a configuration gets: the preferred width capped by the configuration's cap. */
    public static F32ConvVector forCap(int cap) {
        int b = F32GemmVector.bitsFor(cap);
        if (b == 0) throw new IllegalStateException("no Vector API width available under cap " + cap);
        return new F32ConvVector(b);
    }

    /** The id under a cap, e.g. {@code f32-conv-panama256} ({@code f32-conv-panama} when unavailable). */
    public static String idFor(int cap) {
        int b = F32GemmVector.bitsFor(cap);
        return b == 0 ? "f32-conv-panama" : "f32-conv-panama" + b;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Object pack(MemorySegment w, long wOff, int cout, int k) {
        if (cout < 0 || k < 0) throw new IllegalArgumentException("negative weight shape " + cout + "x" + k);
        int panels = (cout + MR - 1) / MR;
        float[] dst = new float[Math.multiplyExact(Math.multiplyExact(panels, MR), k)];
        for (int co = 0; co < cout; co++) {
            int base = (co / MR) * MR * k + co % MR;
            long src = wOff + (long) co * k;
            for (int p = 0; p < k; p++) dst[base + p * MR] = w.getAtIndex(F32, src + p);
        }
        return new Weights(dst, cout, k);
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, Object packedW, MemorySegment bias, long biasOff,
                    MemorySegment residual, long residualOff, F32Epilogue epi, MemorySegment y, long yOff,
                    int colBegin, int colEnd, MemorySegment scratch) {
        Weights pw = (Weights) packedW;
        int k = s.k(), cout = s.cout(), plane = s.outPlane();
        if (pw.cout() != cout || pw.k() != k) {
            throw new IllegalArgumentException("weights packed for " + pw.cout() + "x" + pw.k() + ", conv needs " + cout + "x" + k);
        }
        if (colBegin < 0 || colEnd > plane || colBegin > colEnd) {
            throw new IllegalArgumentException("column range [" + colBegin + ", " + colEnd + ") outside [0, " + plane + ")");
        }
        Buffers buf = buffers.get();
        if (buf.b.length < k * nr) buf.b = new float[k * nr];
        float[] acc = buf.acc;
        for (int j0 = colBegin; j0 < colEnd; j0 += nr) {
            int nv = Math.min(nr, colEnd - j0);
            gather(s, x, xOff, j0, nv, buf);
            for (int ip = 0; ip * MR < cout; ip++) {
                kernel(k, pw.panels(), ip * MR * k, buf.b, acc);
                int rows = Math.min(MR, cout - ip * MR);
                for (int r = 0; r < rows; r++) {
                    int co = ip * MR + r;
                    float bv = bias == null ? 0f : bias.getAtIndex(F32, biasOff + co);
                    long at = (long) co * plane + j0;
                    if (nv == nr) {
                        long resByte = residual == null ? 0 : (residualOff + at) * Float.BYTES;
                        epilogueRow(acc, r * nr, bias != null, bv, residual, resByte, epi, y, (yOff + at) * Float.BYTES);
                        continue;
                    }
                    for (int j = 0; j < nv; j++) {
                        float v = acc[r * nr + j];
                        if (bias != null) v += bv;
                        if (residual != null) v += residual.getAtIndex(F32, residualOff + at + j);
                        y.setAtIndex(F32, yOff + at + j, epi.apply(v));
                    }
                }
            }
        }
    }

    /**
     * Fills the panel b[p*NR + j] with im2col(X) rows p = (c, ky, kx) for output columns j0 + j (zeros for
     * padding and for j ≥ nv). When the NR columns lie in one output row at stride 1, each tap row that is
     * wholly inside the image is one contiguous copy; a pointwise conv copies whole column runs.
     */
    private void gather(ConvShape s, MemorySegment x, long xOff, int j0, int nv, Buffers buf) {
        int outW = s.outW(), inW = s.inW(), inH = s.inH();
        int[] rb = buf.rowBase, cb = buf.colBase;
        for (int j = 0; j < nr; j++) {
            if (j < nv) {
                int col = j0 + j, oy = col / outW, ox = col % outW;
                rb[j] = s.inRow(oy, 0);
                cb[j] = s.inCol(ox, 0);
            } else {
                rb[j] = OUTSIDE;
                cb[j] = OUTSIDE;
            }
        }
        float[] b = buf.b;
        if (s.kh() == 1 && s.kw() == 1 && s.strideH() == 1 && s.strideW() == 1 && s.padTop() == 0 && s.padLeft() == 0
                && s.outW() == inW && s.outH() == inH) {
            // Pointwise conv: im2col(X) is X itself, so each channel's columns are one contiguous run.
            for (int c = 0, d = 0; c < s.cin(); c++, d += nr) {
                MemorySegment.copy(x, F32, (xOff + (long) c * s.inPlane() + j0) * Float.BYTES, b, d, nv);
                if (nv < nr) java.util.Arrays.fill(b, d + nv, d + nr, 0f);
            }
            return;
        }
        boolean oneRow = nv == nr && s.strideW() == 1 && j0 / outW == (j0 + nr - 1) / outW;
        int d = 0;
        for (int c = 0; c < s.cin(); c++) {
            long chan = xOff + (long) c * s.inPlane();
            for (int ky = 0; ky < s.kh(); ky++) {
                int dy = ky * s.dilationH();
                for (int kx = 0; kx < s.kw(); kx++, d += nr) {
                    int dx = kx * s.dilationW();
                    if (oneRow) {
                        int iy = rb[0] + dy, ix0 = cb[0] + dx;
                        if (iy < 0 || iy >= inH) {
                            java.util.Arrays.fill(b, d, d + nr, 0f);
                            continue;
                        }
                        if (ix0 >= 0 && ix0 + nr <= inW) {
                            MemorySegment.copy(x, F32, (chan + (long) iy * inW + ix0) * Float.BYTES, b, d, nr);
                            continue;
                        }
                    }
                    for (int j = 0; j < nr; j++) {
                        int iy = rb[j] + dy, ix = cb[j] + dx;
                        b[d + j] = iy >= 0 && iy < inH && ix >= 0 && ix < inW
                                ? x.getAtIndex(F32, chan + (long) iy * inW + ix) : 0f;
                    }
                }
            }
        }
    }

    private void epilogueRow(float[] acc, int ai, boolean hasBias, float bias, MemorySegment res, long resByte,
                             F32Epilogue epi, MemorySegment y, long yByte) {
        switch (bits) {
            case 128 -> F32GemmTiles128.epilogueRow(acc, ai, hasBias, bias, res, resByte, epi, y, yByte);
            case 256 -> F32GemmTiles256.epilogueRow(acc, ai, hasBias, bias, res, resByte, epi, y, yByte);
            default -> F32GemmTiles512.epilogueRow(acc, ai, hasBias, bias, res, resByte, epi, y, yByte);
        }
    }

    private void kernel(int k, float[] ap, int ai, float[] bp, float[] acc) {
        switch (bits) {
            case 128 -> F32GemmTiles128.kernel(k, ap, ai, bp, 0, acc);
            case 256 -> F32GemmTiles256.kernel(k, ap, ai, bp, 0, acc);
            default -> F32GemmTiles512.kernel(k, ap, ai, bp, 0, acc);
        }
    }

    @Override
    public long scratchBytes(ConvShape s) {
        return 0;
    }
}
