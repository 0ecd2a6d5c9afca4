package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.BackendConfig;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family f32-dwconv on the Panama Vector API: {@code f32-dwconv-panama128|256|512}.
 *
 * <p>Each plane is first copied into a zero-padded heap buffer split into stride phases: phase (ry, rx)
 * holds padded rows ry, ry+sh, ... and columns rx, rx+sw, ... With that layout every tap of every output
 * (oy, ox) reads phase element (oy + a, ox + b) for a tap-constant (a, b), so the whole plane is one flat
 * loop over p = oy*Wq + ox (Wq the phase width): tap t adds w[t]*buf[p + off[t]]. No masks, no branches
 * per element, one loop per plane however small it is (7x7 planes are a handful of vectors), and a strided
 * conv computes only the outputs it needs. The columns p past outW in each row are computed and dropped
 * (Wq - outW of them: 2 of 9 for a 7x7 3x3 pad-1 plane). Bias and activation are fused into that loop;
 * the rows are then packed and copied out. The segments are only touched by bulk copies (the plane in,
 * the plane out, weights and bias once per call): element-wise segment access cost more than the math.
 *
 * <p>Sums: fused multiply-add over the taps in (ky, kx) order from 0, padding taps adding w*0; so results
 * equal the scalar reference up to the rounding FMA saves, and any channel range gives the same bits.
 *
 * <p>{@link #runNhwc} needs no staging: channels are contiguous, so it loads channel vectors straight from
 * the segments and skips taps in the padding (per-row tap lists, see {@code F32DwConvTiles*.nhwc}). Sums are
 * fused multiply-adds over the valid taps in (ky, kx) order from 0; any row range gives the same bits.
 */
public final class F32DwConvVector implements F32DwConv {
    private final int bits;
    private final int lanes;
    private final String id;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread buffers, grown on demand. */
    private static final class Buffers {
        float[] in = new float[0];
        float[] in2 = new float[0];
        float[] out = new float[0];
        float[] w = new float[0];
        float[] bias = new float[0];
        float[] plane = new float[0];
        int[] off = new int[0];
        int[] scatter = new int[0];
    }

    /** A kernel of exactly {@code bits} (128, 256 or 512) wide vectors. */
    public F32DwConvVector(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
        this.bits = bits;
        this.lanes = bits / 32;
        this.id = "f32-dwconv-panama" + bits;
    }

    /** The kernel a configuration gets: the preferred width capped by {@link BackendConfig#vectorWidthCap()}. */
    public static F32DwConvVector forCap(int cap) {
        int b = F32GemmVector.bitsFor(cap);
        if (b == 0) throw new IllegalStateException("no Vector API width available under cap " + cap);
        return new F32DwConvVector(b);
    }

    /** True when the registry may offer this kernel under {@code cfg}. */
    public static boolean available(BackendConfig cfg) {
        return F32GemmVector.available(cfg);
    }

    /** The id under a cap, e.g. {@code f32-dwconv-panama256} ({@code f32-dwconv-panama} when unavailable). */
    public static String idFor(int cap) {
        int b = F32GemmVector.bitsFor(cap);
        return b == 0 ? "f32-dwconv-panama" : "f32-dwconv-panama" + b;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                    long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        if (c0 >= c1 || s.outH() <= 0 || s.outW() <= 0) return;
        int sh = s.strideH(), sw = s.strideW(), taps = s.kh() * s.kw();
        // Padded extent actually read, and the phase planes it splits into.
        int hp = (s.outH() - 1) * sh + (s.kh() - 1) * s.dilationH() + 1;
        int wp = (s.outW() - 1) * sw + (s.kw() - 1) * s.dilationW() + 1;
        int hq = (hp + sh - 1) / sh, wq = (wp + sw - 1) / sw, phase = hq * wq;
        int flatLen = (s.outH() - 1) * wq + s.outW();
        int chunks = (flatLen + lanes - 1) / lanes;
        Buffers buf = buffers.get();
        // Reads reach p + off < chunks*lanes + (last phase's start + phase): room for one vector past the end.
        int inLen = sh * sw * phase + lanes, planes = c1 - c0;
        int inPlane = s.inPlane(), outPlane = s.outPlane();
        if (buf.in.length < inLen + 1) { // + 1: the scatter's sink for unread inputs
            buf.in = new float[inLen + 1];
            buf.in2 = new float[inLen + 1];
        }
        if (buf.out.length < chunks * lanes) buf.out = new float[chunks * lanes];
        if (buf.plane.length < Math.max(inPlane, outPlane)) buf.plane = new float[Math.max(inPlane, outPlane)];
        if (buf.w.length < (long) planes * taps) buf.w = new float[planes * taps];
        if (buf.bias.length < planes) buf.bias = new float[planes];
        if (buf.off.length < taps) buf.off = new int[taps];
        float[] in = buf.in, next = buf.in2, out = buf.out, wt = buf.w, bs = buf.bias, plane = buf.plane;
        int[] off = buf.off;
        int[] scatter = null;
        if (sw != 1) { // strided columns: one scatter loop per plane beats a short loop per row and phase
            if (buf.scatter.length < inPlane) buf.scatter = new int[inPlane];
            scatter = buf.scatter;
            scatterMap(s, hp, wp, wq, phase, inLen, scatter);
        }
        // Segments are touched only by bulk copies: element-wise segment access costs more than the math here.
        MemorySegment.copy(w, F32, (wOff + (long) c0 * taps) * 4, wt, 0, planes * taps);
        if (bias != null) MemorySegment.copy(bias, F32, (biasOff + c0) * 4, bs, 0, planes);
        else Arrays.fill(bs, 0, planes, 0f);
        // Padding positions are the same for every plane: zero once, then each plane overwrites the rest.
        Arrays.fill(in, 0, inLen, 0f);
        Arrays.fill(next, 0, inLen, 0f);
        for (int ky = 0; ky < s.kh(); ky++) {
            int ry = ky * s.dilationH();
            for (int kx = 0; kx < s.kw(); kx++) {
                int rx = kx * s.dilationW();
                off[ky * s.kw() + kx] = ((ry % sh) * sw + rx % sw) * phase + (ry / sh) * wq + rx / sw;
            }
        }
        // Two padded buffers: plane c+1 is laid out while plane c is computed. Reading a plane right after
        // its element-wise stores would stall every vector load on store forwarding (measured 1.6x on a 14x14 stride-2 layer).
        load(s, x, xOff + (long) c0 * inPlane, plane, in, scatter, hp, wp, wq, phase);
        for (int c = c0; c < c1; c++) {
            if (c + 1 < c1) load(s, x, xOff + (long) (c + 1) * inPlane, plane, next, scatter, hp, wp, wq, phase);
            int i = c - c0;
            switch (bits) {
                case 128 -> F32DwConvTiles128.flat(in, off, wt, i * taps, taps, chunks, bs[i], epi, out);
                case 256 -> F32DwConvTiles256.flat(in, off, wt, i * taps, taps, chunks, bs[i], epi, out);
                default -> F32DwConvTiles512.flat(in, off, wt, i * taps, taps, chunks, bs[i], epi, out);
            }
            for (int oy = 0; oy < s.outH(); oy++) System.arraycopy(out, oy * wq, plane, oy * s.outW(), s.outW());
            MemorySegment.copy(plane, 0, y, F32, (yOff + (long) c * outPlane) * 4, outPlane);
            float[] t = in;
            in = next;
            next = t;
        }
    }

    /** Lays the input plane at float xc out in {@code in}: staged through {@code plane}, then placed. */
    private static void load(ConvShape s, MemorySegment x, long xc, float[] plane, float[] in, int[] scatter, int hp,
                             int wp, int wq, int phase) {
        int inPlane = s.inPlane();
        MemorySegment.copy(x, F32, xc * 4, plane, 0, inPlane);
        if (scatter == null) {
            fill(s, plane, in, hp, wp, wq, phase);
        } else {
            for (int e = 0; e < inPlane; e++) in[scatter[e]] = plane[e];
        }
    }

    /** Copies the rows [0, hp) x columns [0, wp) of the padded plane that hold input (column stride 1). */
    private static void fill(ConvShape s, float[] x, float[] in, int hp, int wp, int wq, int phase) {
        int sh = s.strideH();
        int rLo = Math.max(0, s.padTop()), rHi = Math.min(hp, s.padTop() + s.inH());
        int qLo = Math.max(0, s.padLeft()), qHi = Math.min(wp, s.padLeft() + s.inW());
        if (qLo >= qHi) return;
        for (int r = rLo; r < rHi; r++) {
            int src = (r - s.padTop()) * s.inW() - s.padLeft(); // x[src + q] is padded column q
            System.arraycopy(x, src + qLo, in, (r % sh) * phase + (r / sh) * wq + qLo, qHi - qLo);
        }
    }

    /**
     * For each input element, where it goes among the phases; inputs no output reads (past the padded
     * extent hp x wp) go to the sink {@code in[sink]}, which the flat loops never read.
     */
    private static void scatterMap(ConvShape s, int hp, int wp, int wq, int phase, int sink, int[] map) {
        int sh = s.strideH(), sw = s.strideW();
        for (int iy = 0; iy < s.inH(); iy++) {
            int r = iy + s.padTop();
            for (int ix = 0; ix < s.inW(); ix++) {
                int q = ix + s.padLeft();
                map[iy * s.inW() + ix] = r < 0 || q < 0 || r >= hp || q >= wp ? sink
                        : ((r % sh) * sw + q % sw) * phase + (r / sh) * wq + q / sw;
            }
        }
    }

    @Override
    public void runNhwc(ConvShape s, int channels, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                        long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int oy0, int oy1) {
        if (oy0 >= oy1 || channels <= 0 || s.outW() <= 0) return;
        // Interior columns [oxLo, oxHi): every column tap inside the input, so they share one tap list.
        int span = (s.kw() - 1) * s.dilationW();
        int oxLo = Math.min(s.outW(), Math.max(0, Math.ceilDiv(s.padLeft(), s.strideW())));
        int oxHi = Math.min(s.outW(), Math.max(oxLo, Math.floorDiv(s.inW() - 1 - span + s.padLeft(), s.strideW()) + 1));
        switch (bits) {
            case 128 -> F32DwConvTiles128.nhwc(s, channels, x, xOff, w, wOff, bias, biasOff, epi, y, yOff, oy0, oy1, oxLo, oxHi);
            case 256 -> F32DwConvTiles256.nhwc(s, channels, x, xOff, w, wOff, bias, biasOff, epi, y, yOff, oy0, oy1, oxLo, oxHi);
            default -> F32DwConvTiles512.nhwc(s, channels, x, xOff, w, wOff, bias, biasOff, epi, y, yOff, oy0, oy1, oxLo, oxHi);
        }
    }
}
