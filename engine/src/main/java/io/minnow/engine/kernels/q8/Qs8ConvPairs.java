package io.minnow.engine.kernels.q8;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * Family qs8-conv, kernel {@code qs8-conv-4x16-avx2}: a 2-D int8 conv that writes float32 NCHW directly (C:
 * {@code qs8-conv/qs8_conv_pairs.c}). The input of a group is quantized once per image into "pair planes": one plane
 * per channel pair, the padded image of int32 lanes, each the int16 pair (code - zero) of the two channels; the
 * kernel multiplies 4 output channels x 16 output pixels per tile (vpmaddwd, exact) and its epilogue stores each
 * channel's pixels straight into the output plane — no NHWC gather, no per-call A packing, no scatter.
 *
 * <p>Every native call is checked here first; the scalar methods {@link #quantizeReference} and
 * {@link #convReference} are the definitions the native code is tested against (bit-identical).
 */
public final class Qs8ConvPairs {
    /** Output channels per kernel tile (the weight block height). */
    public static final int MR = 4;
    /** Output pixels per kernel tile; plane lengths are multiples of it. */
    public static final int NR = 16;

    private Qs8ConvPairs() {}

    /** True if the native kernel can run here (library loaded, AVX2). */
    public static boolean available() {
        return NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX2);
    }

    /**
     * One group's geometry: cg input channels of h x w, padded by pt/pl/pb/pr into an hp x wp frame; kernel, strides,
     * dilations; output oh x ow.
     */
    public record Geometry(int cg, int h, int w, int pt, int pl, int hp, int wp, int kh, int kw, int sh, int sw, int dh,
                           int dw, int oh, int ow) {
        public Geometry {
            if (cg < 1 || h < 1 || w < 1 || pt < 0 || pl < 0 || hp < h + pt || wp < w + pl || kh < 1 || kw < 1 || sh < 1
                    || sw < 1 || dh < 1 || dw < 1 || oh < 1 || ow < 1 || (long) (oh - 1) * sh + (long) (kh - 1) * dh >= hp
                    || (long) (ow - 1) * sw + (long) (kw - 1) * dw >= wp) {
                throw new IllegalArgumentException("bad conv geometry " + this);
            }
        }

        /** Channel pairs: ceil(cg / 2). */
        public int pairs() {
            return (cg + 1) / 2;
        }

        /** int32 per pair plane: hp * wp rounded up to a multiple of {@link #NR}. */
        public int plane() {
            return Math.toIntExact(((long) hp * wp + NR - 1) / NR * NR);
        }

        /** int32 of one group's pair planes. */
        public long groupInts() {
            return (long) pairs() * plane();
        }

        /** Weight pairs per output channel: pairs * kh * kw. */
        public int k2() {
            return pairs() * kh * kw;
        }

        /** An unpadded stride-1 1x1 conv reads the pair planes as they are (no im2col scratch). */
        public boolean direct() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && hp == oh && wp == ow;
        }

        /** int32 of im2col scratch a tile of {@code rows} pixels needs (0 when direct). */
        public long scratchInts(int rows) {
            return direct() ? 0 : (long) k2() * ((rows + NR - 1) / NR * NR);
        }
    }

    /**
     * The weights of one group, ready for the kernel: ceil(m / 4) blocks of [k2][4] int32 pairs (kk = (pair, ky, kx),
     * zero for the odd channel past cg and for rows past m), the per-channel weight scales and the bias (or null).
     */
    public record Weights(int m, int k2, MemorySegment pairs, MemorySegment wScale, MemorySegment bias) {}

    /**
     * Packs rows [j0, j0 + m) (one group's output channels) of int8 codes laid out [M][cg][kh][kw] from byte 0 of codes,
     * with their weight scales and float bias (bias may be null; both indexed by absolute channel).
     */
    public static Weights pack(int cg, int kh, int kw, MemorySegment codes, int j0, int m, float[] wScale, float[] bias) {
        if (cg < 1 || kh < 1 || kw < 1) throw new IllegalArgumentException("bad kernel " + cg + "x" + kh + "x" + kw);
        int pairs = (cg + 1) / 2, taps = kh * kw, k2 = pairs * taps;
        long needed = ((long) j0 + m) * cg * taps;
        if (j0 < 0 || m < 0 || needed > codes.byteSize() || j0 + m > wScale.length || (bias != null && j0 + m > bias.length)) {
            throw new IllegalArgumentException("weight rows [" + j0 + ", " + (j0 + m) + ") of " + cg + "x" + taps + " exceed the codes");
        }
        int blocks = (m + MR - 1) / MR;
        MemorySegment p = Arena.ofAuto().allocate(Math.max(4L, (long) blocks * MR * k2 * 4), 64);
        for (int j = 0; j < m; j++) {
            long row = (long) (j0 + j) * cg * taps;
            for (int ip = 0; ip < pairs; ip++) {
                for (int t = 0; t < taps; t++) {
                    int lo = codes.get(ValueLayout.JAVA_BYTE, row + (long) (2 * ip) * taps + t);
                    int hi = 2 * ip + 1 < cg ? codes.get(ValueLayout.JAVA_BYTE, row + (long) (2 * ip + 1) * taps + t) : 0;
                    int kk = ip * taps + t;
                    long at = ((long) (j / MR) * k2 + kk) * MR + j % MR;
                    p.setAtIndex(ValueLayout.JAVA_INT, at, (lo & 0xffff) | (hi << 16));
                }
            }
        }
        MemorySegment s = Arena.ofAuto().allocate(Math.max(4L, 4L * m), 64);
        for (int j = 0; j < m; j++) s.setAtIndex(ValueLayout.JAVA_FLOAT, j, wScale[j0 + j]);
        MemorySegment b = null;
        if (bias != null) {
            b = Arena.ofAuto().allocate(Math.max(4L, 4L * m), 64);
            for (int j = 0; j < m; j++) b.setAtIndex(ValueLayout.JAVA_FLOAT, j, bias[j0 + j]);
        }
        return new Weights(m, k2, p, s, b);
    }

    /**
     * Quantizes the group's cg float planes (NCHW, from float element xOff of x) into its pair planes at int32 element
     * qOff of q: codes as {@link Qs8Im2col#code}, minus the zero point.
     */
    public static void quantize(boolean useNative, Geometry g, MemorySegment x, long xOff, float scale, int zero, int qmin,
                                int qmax, MemorySegment q, long qOff) {
        if (!(scale > 0) || qmin > qmax || zero < qmin || zero > qmax) throw new IllegalArgumentException("bad quantization " + scale + "/" + zero);
        if (useNative && available()) {
            long xa = NativeBounds.floats("x", x, xOff, (long) g.cg() * g.h() * g.w());
            long qa = NativeBounds.elements("q", q, qOff, g.groupInts(), 4);
            int rc = NativeKernels.minnow_qs8_conv_quantize_pairs(xa, g.cg(), g.h(), g.w(), g.pt(), g.pl(), g.hp(), g.wp(), g.plane(),
                    scale, zero, qmin, qmax, qa);
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(q);
            if (rc != 0) throw new IllegalStateException("native pair quantize refused " + g); // unreachable
            return;
        }
        quantizeReference(g, x, xOff, scale, zero, qmin, qmax, q, qOff);
    }

    /** The definition of {@link #quantize}, plain loops. */
    public static void quantizeReference(Geometry g, MemorySegment x, long xOff, float scale, int zero, int qmin, int qmax,
                                         MemorySegment q, long qOff) {
        long plane = g.plane(), hw = (long) g.h() * g.w();
        if (xOff < 0 || (xOff + g.cg() * hw) * 4 > x.byteSize() || qOff < 0 || (qOff + g.groupInts()) * 4 > q.byteSize()) {
            throw new IllegalArgumentException("quantize pairs: operands exceed their segments for " + g);
        }
        for (int ip = 0; ip < g.pairs(); ip++) {
            long base = qOff + ip * plane;
            for (long i = 0; i < plane; i++) q.setAtIndex(ValueLayout.JAVA_INT, base + i, 0);
            for (int y = 0; y < g.h(); y++) {
                for (int xx = 0; xx < g.w(); xx++) {
                    long px = (long) y * g.w() + xx;
                    int lo = Qs8Im2col.code(x.getAtIndex(ValueLayout.JAVA_FLOAT, xOff + 2L * ip * hw + px), scale, zero, qmin, qmax) - zero;
                    int hi = 2 * ip + 1 < g.cg()
                            ? Qs8Im2col.code(x.getAtIndex(ValueLayout.JAVA_FLOAT, xOff + (2L * ip + 1) * hw + px), scale, zero, qmin, qmax) - zero
                            : 0;
                    q.setAtIndex(ValueLayout.JAVA_INT, base + (long) (y + g.pt()) * g.wp() + xx + g.pl(), (lo & 0xffff) | (hi << 16));
                }
            }
        }
    }

    /** What the epilogue does after the dequantize: clamp [lo, hi], add the residual, then clamp [plo, phi] if post. */
    public record Epilogue(float xScale, float lo, float hi, boolean post, float plo, float phi) {}

    /**
     * Output pixels [p0, p0 + rows) of all channels of one group: y (and res, or null) at float element yOff are the
     * group's first output channel, channel j at yOff + j * ystride. scratch: at least {@link Geometry#scratchInts}
     * int32 (unused when direct, which needs p0 a multiple of {@link #NR}).
     */
    public static void conv(Geometry g, MemorySegment q, long qOff, int p0, int rows, Weights w, Epilogue e, MemorySegment res,
                            MemorySegment y, long yOff, int ystride, MemorySegment scratch) {
        int outSize = g.oh() * g.ow();
        if (p0 < 0 || rows < 0 || (long) p0 + rows > outSize) throw new IllegalArgumentException("rows [" + p0 + ", " + (p0 + rows) + ") outside " + outSize);
        if (g.direct() && p0 % NR != 0) throw new IllegalArgumentException("a direct tile must start at a multiple of " + NR + ": " + p0);
        if (ystride < outSize) throw new IllegalArgumentException("ystride " + ystride + " < " + outSize);
        if (w.k2() != g.k2()) throw new IllegalArgumentException("weights have k2 " + w.k2() + ", geometry " + g.k2());
        if (rows == 0 || w.m() == 0) return;
        if (!available()) throw new UnsupportedOperationException("qs8-conv-4x16-avx2 cannot run here: " + NativeBounds.whyNot());
        long qa = NativeBounds.elements("q", q, qOff, g.groupInts(), 4);
        long outSpan = (long) (w.m() - 1) * ystride + p0 + rows;
        long ya = NativeBounds.floats("y", y, yOff, outSpan);
        long ra = res == null ? 0 : NativeBounds.floats("res", res, yOff, outSpan);
        long sa = g.direct() ? 0 : NativeBounds.elements("scratch", scratch, 0, g.scratchInts(rows), 4);
        long blocks = (w.m() + MR - 1) / MR;
        long wa = NativeBounds.elements("weights", w.pairs(), 0, blocks * MR * g.k2(), 4);
        long wsa = NativeBounds.floats("wScale", w.wScale(), 0, w.m());
        long ba = w.bias() == null ? 0 : NativeBounds.floats("bias", w.bias(), 0, w.m());
        int rc = NativeKernels.minnow_qs8_conv_pairs(qa, g.pairs(), g.hp(), g.wp(), g.plane(), g.kh(), g.kw(), g.sh(), g.sw(),
                g.dh(), g.dw(), g.oh(), g.ow(), p0, rows, wa, w.m(), wsa, e.xScale(), ba, e.lo(), e.hi(), ra, e.post() ? 1 : 0,
                e.plo(), e.phi(), ya, ystride, sa);
        Reference.reachabilityFence(q);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(y);
        Reference.reachabilityFence(res);
        Reference.reachabilityFence(scratch);
        if (rc != 0) throw new IllegalStateException("qs8-conv-4x16-avx2 refused a checked call for " + g); // unreachable
    }

    /** The definition of {@link #conv}: plain loops over the pair planes, Java's float arithmetic. */
    public static void convReference(Geometry g, MemorySegment q, long qOff, int p0, int rows, Weights w, Epilogue e,
                                     MemorySegment res, MemorySegment y, long yOff, int ystride) {
        int taps = g.kh() * g.kw(), plane = g.plane();
        for (int j = 0; j < w.m(); j++) {
            float s = e.xScale() * w.wScale().getAtIndex(ValueLayout.JAVA_FLOAT, j);
            for (int p = p0; p < p0 + rows; p++) {
                int oy = p / g.ow(), ox = p % g.ow(), acc = 0;
                for (int ip = 0; ip < g.pairs(); ip++) {
                    for (int t = 0; t < taps; t++) {
                        int ky = t / g.kw(), kx = t % g.kw();
                        int a = q.getAtIndex(ValueLayout.JAVA_INT, qOff + (long) ip * plane
                                + (long) (oy * g.sh() + ky * g.dh()) * g.wp() + ox * g.sw() + kx * g.dw());
                        int wv = w.pairs().getAtIndex(ValueLayout.JAVA_INT, ((long) (j / MR) * g.k2() + ip * taps + t) * MR + j % MR);
                        acc += (short) a * (short) wv + (a >> 16) * (wv >> 16);
                    }
                }
                float v = acc * s;
                if (w.bias() != null) v += w.bias().getAtIndex(ValueLayout.JAVA_FLOAT, j);
                v = Math.max(e.lo(), Math.min(e.hi(), v));
                long at = yOff + (long) j * ystride + p;
                if (res != null) v += res.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                if (e.post()) v = Math.min(Math.max(v, e.plo()), e.phi());
                y.setAtIndex(ValueLayout.JAVA_FLOAT, at, v);
            }
        }
    }
}
