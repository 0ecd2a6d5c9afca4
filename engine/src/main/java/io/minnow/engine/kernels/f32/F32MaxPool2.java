package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2x2 stride-2 max pool of one output row (LeNet/VGG-style pools), branch-free: a scalar loop's
 * data-dependent compares mispredict on real activations and cost ~10x the arithmetic. Rows are
 * combined with a lanewise max, then even and odd columns are split with two-vector rearranges and
 * combined again: 8 outputs per step. Max follows Math.max (a NaN wins).
 */
public final class F32MaxPool2 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromValues(S, 0, 2, 4, 6, 8, 10, 12, 14);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromValues(S, 1, 3, 5, 7, 9, 11, 13, 15);

    private F32MaxPool2() {}

    /**
     * out[o + i] = max(x[r0 + 2i], x[r0 + 2i + 1], x[r1 + 2i], x[r1 + 2i + 1]) for i in [0, n), with
     * vectors when {@code bits >= 256} (the configured width cap), else scalar.
     */
    public static void row(int bits, float[] x, int r0, int r1, float[] out, int o, int n) {
        int i = 0;
        if (bits >= 256) {
            for (; i + 8 <= n; i += 8) {
                int a = r0 + 2 * i, b = r1 + 2 * i;
                FloatVector lo = FloatVector.fromArray(S, x, a).max(FloatVector.fromArray(S, x, b));
                FloatVector hi = FloatVector.fromArray(S, x, a + 8).max(FloatVector.fromArray(S, x, b + 8));
                lo.rearrange(EVEN, hi).max(lo.rearrange(ODD, hi)).intoArray(out, o + i);
            }
        }
        for (; i < n; i++) {
            int a = r0 + 2 * i, b = r1 + 2 * i;
            out[o + i] = Math.max(Math.max(x[a], x[a + 1]), Math.max(x[b], x[b + 1]));
        }
    }
}
