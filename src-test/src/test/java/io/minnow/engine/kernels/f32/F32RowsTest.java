package io.minnow.engine.kernels.f32;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Every width gives exactly the scalar loop's bits (separate multiply and add; Math.max lane by lane). */
class F32RowsTest {
    private static final int[] SIZES = {0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 100};

    @Test
    void axpyMatchesScalarBitForBit() {
        Random rnd = new Random(1);
        for (int n : SIZES) {
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

    @Test
    void maxAndAddFromSegmentMatchScalar() {
        Random rnd = new Random(2);
        MemorySegment x = Arena.ofAuto().allocate(4 * 120);
        for (int i = 0; i < 120; i++) x.setAtIndex(F32, i, i % 13 == 0 ? Float.NaN : rnd.nextFloat() - 0.5f);
        for (int n : SIZES) {
            float[] y0 = new float[n];
            for (int i = 0; i < n; i++) y0[i] = rnd.nextFloat() - 0.5f;
            float[] max0 = y0.clone(), add0 = y0.clone();
            F32Rows.maxInto(0, x, 5, max0, n);
            F32Rows.addInto(0, x, 5, add0, n);
            for (int bits : new int[]{128, 256, 512}) {
                float[] m = y0.clone(), a = y0.clone();
                F32Rows.maxInto(bits, x, 5, m, n);
                F32Rows.addInto(bits, x, 5, a, n);
                assertArrayEquals(max0, m, "max n=" + n + " bits=" + bits);
                assertArrayEquals(add0, a, "add n=" + n + " bits=" + bits);
            }
        }
    }
}
