package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 128-bit inner loops of {@link F32DwConvVector}. F32DwConvTiles128/256/512 differ only in the species
 * constant (C2 emits vector instructions only for a constant species): edit the three together.
 */
final class F32DwConvTiles128 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;
    private static final int L = S.length();

    private F32DwConvTiles128() {}

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

    /** The activation of {@link F32Epilogue#apply}, lane by lane. */
    private static FloatVector act(FloatVector v, int act, FloatVector lo, FloatVector hi) {
        return switch (act) {
            case F32Epilogue.ACT_CLAMP -> v.max(lo).min(hi);
            case F32Epilogue.ACT_HARDSWISH -> v.mul(v.div(6f).add(0.5f).max(0f).min(1f));
            default -> v;
        };
    }
}
