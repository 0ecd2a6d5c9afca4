package io.minnow.testutil;

import io.minnow.engine.api.Tensor;

import java.util.Arrays;

/** Tensor comparison with the conformance tolerance: |a-b| <= atol + rtol·|b|; integers and bools exact. */
public final class TensorAssert {
    private TensorAssert() {}

    /** Returns null when equal within tolerance, else a message naming the first mismatch. */
    public static String mismatch(Tensor expected, Tensor actual, double rtol, double atol) {
        if (expected.type() != actual.type()) return "type " + actual.type() + ", expected " + expected.type();
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return "shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape());
        }
        boolean fp = expected.type().isFloat();
        int bad = 0;
        String first = null;
        double worst = 0;
        for (long i = 0; i < expected.size(); i++) {
            if (fp) {
                double e = expected.getDouble(i), a = actual.getDouble(i);
                if (Double.isNaN(e) && Double.isNaN(a)) continue;
                if (e == a) continue; // also equal infinities
                double err = Math.abs(a - e);
                if (!(err <= atol + rtol * Math.abs(e))) {
                    bad++;
                    if (first == null) first = "element " + i + ": " + a + ", expected " + e;
                    worst = Math.max(worst, err);
                }
            } else if (expected.getLongValue(i) != actual.getLongValue(i)) {
                bad++;
                if (first == null) first = "element " + i + ": " + actual.getLongValue(i) + ", expected " + expected.getLongValue(i);
            }
        }
        return bad == 0 ? null : bad + " of " + expected.size() + " elements differ (max abs error " + worst + "); first: " + first;
    }
}
