package io.minnow.engine.ops.math;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ErfTest {
    /** Values from Python's math.erf (correctly rounded double to within an ulp). */
    @Test
    void referenceMatchesKnownValues() {
        double[][] known = {
                {0.0, 0.0}, {1e-10, 1.1283791670955126e-10}, {0.1, 0.1124629160182849},
                {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149}, {1.5, 0.9661051464753108},
                {2.0, 0.9953222650189527}, {2.4999, 0.9995928300996666}, {2.5, 0.9995930479825550},
                {3.0, 0.9999779095030014}, {4.0, 0.9999999845827421}, {5.5, 0.9999999999999927}, {7.0, 1.0},
        };
        for (double[] k : known) {
            assertEquals(k[1], Erf.erf(k[0]), 2e-15, "erf(" + k[0] + ")");
            assertEquals(-k[1], Erf.erf(-k[0]), 2e-15, "erf(-" + k[0] + ")");
        }
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
    }

    /** The Erf op on float data (vector loops where enabled, scalar tails) against the double reference. */
    @Test
    void erfOpWithinToleranceOfReference() {
        int n = 1_200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i - 600_000) * 1e-5f;
        for (int width : new int[]{Integer.MAX_VALUE, 0}) {
            float[] y = OneNode.op("Erf").vectorWidth(width).in(OneNode.f32(OneNode.s(n), x)).run().toFloatArray();
            double worst = 0;
            for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - Erf.erf((double) x[i])));
            // 1e-7 for the approximation plus half a float ulp at 1 for the final rounding
            assertTrue(worst < 1e-7 + 3e-8, "vector width " + width + ": max abs error " + worst);
        }
    }

    @Test
    void floatPathWithin1e7OfReference() {
        double worst = 0;
        for (int i = -600_000; i <= 600_000; i++) {
            float x = i * 1e-5f;
            worst = Math.max(worst, Math.abs(Erf.erf(x) - Erf.erf((double) x)));
        }
        assertTrue(worst < 1e-7, "max abs error " + worst);
        assertTrue(Float.isNaN(Erf.erf(Float.NaN)));
        assertEquals(1f, Erf.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, Erf.erf(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Erf.erf(0f));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(Erf.erf(-0f)));
        assertEquals(1.1283791670955126e-20, Erf.erf(1e-20f), 1e-27);
    }
}
