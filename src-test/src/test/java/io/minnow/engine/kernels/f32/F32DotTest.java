package io.minnow.engine.kernels.f32;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;

class F32DotTest {
    @Test
    void everyWidthMatchesDoubleSum() {
        Random rnd = new Random(5);
        MemorySegment a = Arena.ofAuto().allocate(4 * 700), b = Arena.ofAuto().allocate(4 * 700);
        for (int i = 0; i < 700; i++) {
            a.setAtIndex(F32, i, rnd.nextFloat() - 0.5f);
            b.setAtIndex(F32, i, rnd.nextFloat() - 0.5f);
        }
        for (int n : new int[]{0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 129, 600}) {
            double exact = 0, mag = 0;
            for (int i = 0; i < n; i++) {
                double p = (double) a.getAtIndex(F32, 3 + i) * b.getAtIndex(F32, 11 + i);
                exact += p;
                mag += Math.abs(p);
            }
            for (int bits : new int[]{0, 128, 256, 512}) {
                assertEquals(exact, F32Dot.dot(bits, a, 3, b, 11, n), 1e-6 * (1 + mag), "n=" + n + " bits=" + bits);
            }
        }
    }
}
