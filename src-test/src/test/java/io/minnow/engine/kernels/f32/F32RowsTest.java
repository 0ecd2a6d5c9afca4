package io.minnow.engine.kernels.f32;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Every width gives exactly the scalar loop's bits (separate multiply and add). */
class F32RowsTest {
    @Test
    void everyWidthMatchesScalarBitForBit() {
        Random rnd = new Random(1);
        for (int n : new int[]{0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 100}) {
            float[] x = new float[n + 9];
            float[] y0 = new float[n + 5];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() - 0.5f;
            for (int i = 0; i < y0.length; i++) y0[i] = rnd.nextFloat() - 0.5f;
            float a = rnd.nextFloat() * 3;
            float[] expected = y0.clone();
            F32Rows.axpy(0, a, x, 7, expected, 3, n);
            for (int bits : new int[]{128, 256, 512}) {
                float[] y = y0.clone();
                F32Rows.axpy(bits, a, x, 7, y, 3, n);
                assertArrayEquals(expected, y, "n=" + n + " bits=" + bits);
            }
        }
    }
}
