package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API loops against the scalar loops (vector width capped to 0) on odd sizes: bit for bit
 * where no transcendental function is involved, within a few ulps for exp-based ops.
 */
class VectorScalarTest {
    private static final int[] SIZES = {1, 7, 8, 13, 207, 702, 16384 + 9};

    @Test
    void reportsWhatItUses() {
        assertNotNull(Simd.describe());
    }

    @Test
    void exactUnaryKindsAreBitIdentical() {
        for (String op : new String[]{"Relu", "Neg", "Abs", "LeakyRelu", "HardSigmoid", "HardSwish"}) {
            for (int n : SIZES) {
                float[] x = random(n, n, -8, 8);
                if (n > 3) { x[0] = -0f; x[1] = Float.NaN; x[2] = Float.NEGATIVE_INFINITY; }
                float[] v = OneNode.op(op).in(f32(s(n), x)).run().toFloatArray();
                float[] sc = OneNode.op(op).vectorWidth(0).in(f32(s(n), x)).run().toFloatArray();
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(sc[i]), Float.floatToIntBits(v[i]), op + " n=" + n + " at " + i + " x=" + x[i]);
                }
            }
        }
    }

    @Test
    void expAndErfAgree() {
        for (String op : new String[]{"Exp", "Erf"}) {
            for (int n : SIZES) {
                float[] x = random(n, n + 1, -6, 6);
                if (n > 4) { x[0] = -0f; x[1] = Float.NaN; x[2] = Float.NEGATIVE_INFINITY; x[3] = Float.POSITIVE_INFINITY; }
                float[] v = OneNode.op(op).in(f32(s(n), x)).run().toFloatArray();
                float[] sc = OneNode.op(op).vectorWidth(0).in(f32(s(n), x)).run().toFloatArray();
                for (int i = 0; i < n; i++) {
                    if (Float.isNaN(sc[i])) assertTrue(Float.isNaN(v[i]), op + " NaN at " + i);
                    else assertEquals(sc[i], v[i], 4 * Math.ulp(sc[i]) + 1e-7f, op + " n=" + n + " x=" + x[i]);
                }
                if (op.equals("Erf") && n > 4) assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(v[0]));
            }
        }
    }

    @Test
    void vectorExpIsWithinTwoUlps() {
        int n = 1_000_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -103.9f + (88.72f + 103.9f) * i / (n - 1); // subnormal results too
        float[] y = OneNode.op("Exp").in(f32(s(n), x)).run().toFloatArray();
        for (int i = 0; i < n; i++) {
            float want = (float) Math.exp(x[i]);
            assertEquals(want, y[i], 2 * Math.ulp(want), "exp(" + x[i] + ")");
        }
        float[] special = {-1000f, -104f, 89f, 1000f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f};
        float[] z = OneNode.op("Exp").in(f32(s(8), special)).run().toFloatArray();
        assertArrayEquals(new float[]{0, 0, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0,
                Float.POSITIVE_INFINITY, 1}, z);
    }

    @Test
    void binaryIsBitIdentical() {
        long[][][] shapes = {{s(702), s(702)}, {s(13, 207), s(207)}, {s(207), s(13, 1)}, {s(3, 9, 17), s()}, {s(), s(16393)}};
        for (String op : new String[]{"Add", "Sub", "Mul", "Div"}) {
            for (long[][] sh : shapes) {
                float[] a = random((int) Tensor.elementCount(sh[0]), 5, -4, 4), b = random((int) Tensor.elementCount(sh[1]), 6, 0.5f, 4);
                float[] v = OneNode.op(op).in(f32(sh[0], a)).in(f32(sh[1], b)).run().toFloatArray();
                float[] sc = OneNode.op(op).vectorWidth(0).in(f32(sh[0], a)).in(f32(sh[1], b)).run().toFloatArray();
                assertArrayEquals(sc, v, op);
            }
        }
    }

    @Test
    void softmaxAgrees() {
        for (String op : new String[]{"Softmax", "LogSoftmax"}) {
            for (int n : SIZES) {
                float[] x = random(3 * n, n + 2, -20, 20);
                float[] v = OneNode.op(op).in(f32(s(3, n), x)).run().toFloatArray();
                float[] sc = OneNode.op(op).vectorWidth(0).in(f32(s(3, n), x)).run().toFloatArray();
                for (int i = 0; i < v.length; i++) assertEquals(sc[i], v[i], 1e-6 + 1e-5 * Math.abs(sc[i]), op + " n=" + n);
            }
        }
    }
}
