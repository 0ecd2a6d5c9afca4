package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The 256-bit inner loops of {@link F32DwConvVector}. F32DwConvTiles128/256/512 differ only in the species
 * constant (C2 emits vector instructions only for a constant species): edit the three together.
 */
final class F32DwConvTiles256 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();
    /** The byte order of {@code Tensor.F32}, which every other access to these segments uses. */
    private static final ByteOrder ORDER = F32.order();

    private F32DwConvTiles256() {}

    /**
     * out[p] = act(sum_t w[wi+t] * buf[p + off[t]] + bias) for p in [0, chunks*L): every chunk a full vector,
     * the taps in order (fused multiply-add from 0). The caller sized buf so that no read leaves it.
     */
    static void flat(float[] buf, int[] off, float[] w, int wi, int taps, int chunks, float bias, F32Epilogue epi,
                     float[] out) {
        FloatVector b = FloatVector.broadcast(S, bias);
        int act = epi.code();
        FloatVector lo = FloatVector.broadcast(S, epi.lo()), hi = FloatVector.broadcast(S, epi.hi());
        int end = chunks * L;
        if (taps == 9) { // 3x3: the nine weights stay in registers across the plane
            FloatVector w0 = FloatVector.broadcast(S, w[wi + 0]), w1 = FloatVector.broadcast(S, w[wi + 1]);
            FloatVector w2 = FloatVector.broadcast(S, w[wi + 2]), w3 = FloatVector.broadcast(S, w[wi + 3]);
            FloatVector w4 = FloatVector.broadcast(S, w[wi + 4]), w5 = FloatVector.broadcast(S, w[wi + 5]);
            FloatVector w6 = FloatVector.broadcast(S, w[wi + 6]), w7 = FloatVector.broadcast(S, w[wi + 7]);
            FloatVector w8 = FloatVector.broadcast(S, w[wi + 8]);
            int o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6];
            int o7 = off[7], o8 = off[8];
            for (int p = 0; p < end; p += L) {
                FloatVector acc = FloatVector.fromArray(S, buf, p + o0).mul(w0);
                acc = FloatVector.fromArray(S, buf, p + o1).fma(w1, acc);
                acc = FloatVector.fromArray(S, buf, p + o2).fma(w2, acc);
                acc = FloatVector.fromArray(S, buf, p + o3).fma(w3, acc);
                acc = FloatVector.fromArray(S, buf, p + o4).fma(w4, acc);
                acc = FloatVector.fromArray(S, buf, p + o5).fma(w5, acc);
                acc = FloatVector.fromArray(S, buf, p + o6).fma(w6, acc);
                acc = FloatVector.fromArray(S, buf, p + o7).fma(w7, acc);
                acc = FloatVector.fromArray(S, buf, p + o8).fma(w8, acc);
                act(acc.add(b), act, lo, hi).intoArray(out, p);
            }
            return;
        }
        for (int p = 0; p < end; p += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < taps; t++) {
                acc = FloatVector.fromArray(S, buf, p + off[t]).fma(FloatVector.broadcast(S, w[wi + t]), acc);
            }
            act(acc.add(b), act, lo, hi).intoArray(out, p);
        }
    }

    /**
     * Output rows [oy0, oy1) of {@link F32DwConvVector#runNhwc}, vectorised over channels. Per output row the
     * valid taps are listed once, in (ky, kx) order, as byte offsets (into x from a pixel's tap (0, 0), into w
     * from tap 0): one list serves the interior columns [oxLo, oxHi) (oxLo <= oxHi), whose column taps all lie
     * inside the input; each border column gets its own. Interior pixels go four at a time, sharing each
     * weight load; a row whose interior pixels have exactly 9 valid taps (a 3x3 row away from the top and
     * bottom edges, typically) keeps the 9 weight vectors in registers across the row instead. Channels go in
     * whole vectors: when L does not divide them, the last vector is channels [ch - L, ch), overlapping the one
     * before (those channels are computed twice, to the same bits: lanes do not interact). Fewer than L
     * channels: see {@link #pixelMasked}.
     */
    static void nhwc(ConvShape s, int ch, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                     long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int oy0, int oy1, int oxLo, int oxHi) {
        int kh = s.kh(), kw = s.kw(), taps = kh * kw;
        int act = epi.code();
        FloatVector lo = FloatVector.broadcast(S, epi.lo()), hi = FloatVector.broadcast(S, epi.hi());
        long[] xo = new long[taps], wo = new long[taps], bxo = new long[taps], bwo = new long[taps];
        long pix = (long) ch * 4, w0 = wOff * 4, b0 = biasOff * 4;
        float[] wPad = null, bPad = null;
        if (ch < L) { // weights and bias as full vectors can read them: copies with a vector of slack
            wPad = new float[taps * ch + L];
            bPad = new float[L];
            MemorySegment.copy(w, F32, w0, wPad, 0, taps * ch);
            if (bias != null) MemorySegment.copy(bias, F32, b0, bPad, 0, ch);
        }
        for (int oy = oy0; oy < oy1; oy++) {
            int ky0 = 0, ky1 = kh; // the row taps inside the input
            while (ky0 < kh && s.inRow(oy, ky0) < 0) ky0++;
            while (ky1 > ky0 && s.inRow(oy, ky1 - 1) >= s.inH()) ky1--;
            // Byte offsets of pixel (oy, 0)'s tap (0, 0) (may lie outside x: only valid taps are added to it)
            // and of y's row.
            long xRow = (xOff + ((long) s.inRow(oy, 0) * s.inW() + s.inCol(0, 0)) * ch) * 4;
            long yRow = (yOff + (long) oy * s.outW() * ch) * 4, xStep = s.strideW() * pix;
            for (int ox = 0; ox < s.outW(); ox++) {
                if (ox == oxLo && oxLo < oxHi) { // the interior columns, then on to the right border
                    int n = tapList(s, ch, ky0, ky1, 0, kw, xo, wo);
                    if (ch < L) {
                        for (; ox < oxHi; ox++) {
                            pixelMasked(ch, x, xRow + ox * xStep, wPad, xo, wo, n, bPad, act, lo, hi, y, yRow + ox * pix);
                        }
                    } else if (n == 9) {
                        interior9(ch, x, xRow, xStep, w, w0, xo, wo, bias, b0, act, lo, hi, y, yRow, oxLo, oxHi);
                    } else {
                        interior(ch, x, xRow, xStep, w, w0, xo, wo, n, bias, b0, act, lo, hi, y, yRow, oxLo, oxHi);
                    }
                    ox = oxHi - 1;
                    continue;
                }
                int kx0 = 0, kx1 = kw;
                while (kx0 < kw && s.inCol(ox, kx0) < 0) kx0++;
                while (kx1 > kx0 && s.inCol(ox, kx1 - 1) >= s.inW()) kx1--;
                int n = tapList(s, ch, ky0, ky1, kx0, kx1, bxo, bwo);
                if (ch >= L) pixel(ch, x, xRow + ox * xStep, w, w0, bxo, bwo, n, bias, b0, act, lo, hi, y, yRow + ox * pix);
                else pixelMasked(ch, x, xRow + ox * xStep, wPad, bxo, bwo, n, bPad, act, lo, hi, y, yRow + ox * pix);
            }
        }
    }

    /** Lists taps [ky0, ky1) x [kx0, kx1) in (ky, kx) order as byte offsets into x and w; returns how many. */
    private static int tapList(ConvShape s, int ch, int ky0, int ky1, int kx0, int kx1, long[] xo, long[] wo) {
        int n = 0;
        for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++, n++) {
                xo[n] = ((long) ky * s.dilationH() * s.inW() + (long) kx * s.dilationW()) * ch * 4;
                wo[n] = ((long) ky * s.kw() + kx) * ch * 4;
            }
        }
        return n;
    }

    /**
     * One pixel's channels (ch >= L) over the n listed taps: x from byte {@code xp} (its tap (0, 0)), w from byte
     * {@code w0}, y at byte {@code yp}.
     */
    private static void pixel(int ch, MemorySegment x, long xp, MemorySegment w, long w0, long[] xo, long[] wo, int n,
                              MemorySegment bias, long b0, int act, FloatVector lo, FloatVector hi, MemorySegment y, long yp) {
        for (int c0 = 0; c0 < ch; c0 += L) {
            long cb = Math.min(c0, ch - L) * 4L; // the last vector overlaps the one before
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < n; t++) {
                acc = FloatVector.fromMemorySegment(S, x, xp + xo[t] + cb, ORDER)
                        .fma(FloatVector.fromMemorySegment(S, w, w0 + wo[t] + cb, ORDER), acc);
            }
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, bias, b0 + cb, ORDER);
            act(acc.add(b), act, lo, hi).intoMemorySegment(y, yp + cb, ORDER);
        }
    }

    /**
     * {@link #pixel} for fewer than L channels: one vector, x loaded and y stored under the mask of the channels.
     * Weights and bias come unmasked from copies with slack ({@code wPad} [taps][ch], {@code bPad}): a masked
     * load from a segment takes a slow lane-by-lane path whenever the full vector would pass the segment's end,
     * which for small weight and bias segments is nearly every load. Their extra lanes hold other taps' weights
     * or zeros; those lanes are never stored.
     */
    private static void pixelMasked(int ch, MemorySegment x, long xp, float[] wPad, long[] xo, long[] wo, int n,
                                    float[] bPad, int act, FloatVector lo, FloatVector hi, MemorySegment y, long yp) {
        VectorMask<Float> m = S.indexInRange(0, ch);
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0; t < n; t++) {
            acc = FloatVector.fromMemorySegment(S, x, xp + xo[t], ORDER, m)
                    .fma(FloatVector.fromArray(S, wPad, (int) (wo[t] >> 2)), acc);
        }
        act(acc.add(FloatVector.fromArray(S, bPad, 0)), act, lo, hi).intoMemorySegment(y, yp, ORDER, m);
    }

    /**
     * Interior pixels [ox0, ox1) of a row (pixel ox's tap (0, 0) at byte xRow + ox*xStep of x), n listed taps,
     * ch >= L: per channel vector, four pixels at a time, each weight load shared by the four; then the rest.
     */
    private static void interior(int ch, MemorySegment x, long xRow, long xStep, MemorySegment w, long w0, long[] xo,
                                 long[] wo, int n, MemorySegment bias, long b0, int act, FloatVector lo, FloatVector hi,
                                 MemorySegment y, long yRow, int ox0, int ox1) {
        long pix = ch * 4L;
        for (int c0 = 0; c0 < ch; c0 += L) {
            long cb = Math.min(c0, ch - L) * 4L; // the last vector overlaps the one before
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, bias, b0 + cb, ORDER);
            int ox = ox0;
            for (; ox <= ox1 - 4; ox += 4) {
                long xp = xRow + ox * xStep + cb;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int t = 0; t < n; t++) {
                    FloatVector wv = FloatVector.fromMemorySegment(S, w, w0 + wo[t] + cb, ORDER);
                    long xt = xp + xo[t];
                    a0 = FloatVector.fromMemorySegment(S, x, xt, ORDER).fma(wv, a0);
                    a1 = FloatVector.fromMemorySegment(S, x, xt + xStep, ORDER).fma(wv, a1);
                    a2 = FloatVector.fromMemorySegment(S, x, xt + 2 * xStep, ORDER).fma(wv, a2);
                    a3 = FloatVector.fromMemorySegment(S, x, xt + 3 * xStep, ORDER).fma(wv, a3);
                }
                long yp = yRow + ox * pix + cb;
                act(a0.add(b), act, lo, hi).intoMemorySegment(y, yp, ORDER);
                act(a1.add(b), act, lo, hi).intoMemorySegment(y, yp + pix, ORDER);
                act(a2.add(b), act, lo, hi).intoMemorySegment(y, yp + 2 * pix, ORDER);
                act(a3.add(b), act, lo, hi).intoMemorySegment(y, yp + 3 * pix, ORDER);
            }
            for (; ox < ox1; ox++) {
                long xp = xRow + ox * xStep + cb;
                FloatVector acc = FloatVector.zero(S);
                for (int t = 0; t < n; t++) {
                    acc = FloatVector.fromMemorySegment(S, x, xp + xo[t], ORDER)
                            .fma(FloatVector.fromMemorySegment(S, w, w0 + wo[t] + cb, ORDER), acc);
                }
                act(acc.add(b), act, lo, hi).intoMemorySegment(y, yRow + ox * pix + cb, ORDER);
            }
        }
    }

    /**
     * {@link #interior} for exactly 9 listed taps: per channel vector the nine weight vectors stay in registers
     * across the row's interior pixels. (One pixel per iteration: a two-pixel body outgrows C2's inlining
     * budget, and the vectors it can no longer keep unboxed cost 3x.)
     */
    private static void interior9(int ch, MemorySegment x, long xRow, long xStep, MemorySegment w, long w0, long[] xo,
                                  long[] wo, MemorySegment bias, long b0, int act, FloatVector lo, FloatVector hi,
                                  MemorySegment y, long yRow, int ox0, int ox1) {
        long pix = ch * 4L;
        long o0 = xo[0], o1 = xo[1], o2 = xo[2], o3 = xo[3], o4 = xo[4], o5 = xo[5], o6 = xo[6], o7 = xo[7], o8 = xo[8];
        for (int c0 = 0; c0 < ch; c0 += L) {
            long cb = Math.min(c0, ch - L) * 4L, wc = w0 + cb; // the last vector overlaps the one before
            FloatVector w0v = FloatVector.fromMemorySegment(S, w, wc + wo[0], ORDER);
            FloatVector w1v = FloatVector.fromMemorySegment(S, w, wc + wo[1], ORDER);
            FloatVector w2v = FloatVector.fromMemorySegment(S, w, wc + wo[2], ORDER);
            FloatVector w3v = FloatVector.fromMemorySegment(S, w, wc + wo[3], ORDER);
            FloatVector w4v = FloatVector.fromMemorySegment(S, w, wc + wo[4], ORDER);
            FloatVector w5v = FloatVector.fromMemorySegment(S, w, wc + wo[5], ORDER);
            FloatVector w6v = FloatVector.fromMemorySegment(S, w, wc + wo[6], ORDER);
            FloatVector w7v = FloatVector.fromMemorySegment(S, w, wc + wo[7], ORDER);
            FloatVector w8v = FloatVector.fromMemorySegment(S, w, wc + wo[8], ORDER);
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, bias, b0 + cb, ORDER);
            for (int ox = ox0; ox < ox1; ox++) {
                long xp = xRow + ox * xStep + cb;
                FloatVector acc = FloatVector.fromMemorySegment(S, x, xp + o0, ORDER).fma(w0v, FloatVector.zero(S));
                acc = FloatVector.fromMemorySegment(S, x, xp + o1, ORDER).fma(w1v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o2, ORDER).fma(w2v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o3, ORDER).fma(w3v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o4, ORDER).fma(w4v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o5, ORDER).fma(w5v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o6, ORDER).fma(w6v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o7, ORDER).fma(w7v, acc);
                acc = FloatVector.fromMemorySegment(S, x, xp + o8, ORDER).fma(w8v, acc);
                act(acc.add(b), act, lo, hi).intoMemorySegment(y, yRow + ox * pix + cb, ORDER);
            }
        }
    }

    /** The activation of {@link F32Epilogue#apply}, lane by lane. */
    private static FloatVector act(FloatVector v, int act, FloatVector lo, FloatVector hi) {
        return switch (act) {
            case F32Epilogue.ACT_CLAMP -> v.max(lo).min(hi);
            case F32Epilogue.ACT_HARDSWISH -> v.mul(v.div(6f).add(0.5f).max(0f).min(1f));
            default -> v;
        };
    }
}
