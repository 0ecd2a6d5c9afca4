package io.minnow.engine.kernels.f32;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector 2x2/2 pool row equals the scalar one bit for bit, NaN included, on every length. */
class F32MaxPool2Test {
    @Test
    void vectorRowEqualsScalarRow() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 0; n <= 37; n++) {
            int w = 2 * n + 3; // input row longer than 2n, as with an odd width
            float[] x = new float[2 * w + 5];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            if (n > 3) x[1 + w + 6] = Float.NaN; // in row 1, window 3
            float[] vec = new float[n + 2], ref = new float[n + 2];
            F32MaxPool2.row(256, x, 1, 1 + w, vec, 1, n);
            F32MaxPool2.row(0, x, 1, 1 + w, ref, 1, n);
            for (int i = 0; i < vec.length; i++) {
                assertEquals(Float.floatToRawIntBits(ref[i]), Float.floatToRawIntBits(vec[i]), "n=" + n + " i=" + i);
            }
            if (n > 3) assertEquals(Float.NaN, ref[1 + 3]);
            for (int i = 0; i < n; i++) {
                float want = Math.max(Math.max(x[1 + 2 * i], x[2 + 2 * i]), Math.max(x[1 + w + 2 * i], x[2 + w + 2 * i]));
                assertEquals(want, ref[1 + i]);
            }
        }
    }
}
