package io.minnow.engine.compress;

import java.util.Arrays;

/**
 * The calibrated range of one activation tensor and the uint8 quantization it gives. Two candidates are measured on
 * the calibration sample: min/max (no value clipped) and a percentile range (outliers clipped, finer steps for the
 * rest); the one with the lower mean squared quantization error on the sample is kept, and {@link #method} says which.
 */
public record ActivationRange(String tensor, float lo, float hi, String method, float scale, int zeroPoint, long samples) {

    /**
     * Picks the range from the exact min/max over all {@code seen} values and a random sample of them (sorted in
     * place here).
     */
    public static ActivationRange choose(String tensor, float min, float max, float[] sample, int count, long seen, double percentile) {
        if (count == 0) return of(tensor, min, max, "minmax", seen);
        Arrays.sort(sample, 0, count);
        int loIdx = (int) Math.floor((100 - percentile) / 100 * (count - 1));
        int hiIdx = (int) Math.ceil(percentile / 100 * (count - 1));
        ActivationRange mm = of(tensor, min, max, "minmax", seen);
        ActivationRange pc = of(tensor, sample[loIdx], sample[hiIdx], "percentile " + percentile, seen);
        return pc.mse(sample, count) < mm.mse(sample, count) ? pc : mm;
    }

    /** uint8 parameters for [lo, hi] widened to contain 0 (so that zero — padding, ReLU's floor — is exact). */
    static ActivationRange of(String tensor, float lo, float hi, String method, long seen) {
        lo = Math.min(lo, 0f);
        hi = Math.max(hi, 0f);
        float scale = (hi - lo) / 255f;
        if (!(scale > 0) || !Float.isFinite(scale)) scale = 1f;
        int zp = (int) Math.max(0, Math.min(255, Math.rint(-lo / scale)));
        return new ActivationRange(tensor, lo, hi, method, scale, zp, seen);
    }

    /**
     * The int8 symmetric scale (zero point 0) for this range, what an int4 x int8 layer's input uses:
     * {@code max(|lo|, |hi|) / 127}, so that the range fits [-127, 127] and zero is exact.
     */
    public float symmetricScale() {
        float s = Math.max(Math.abs(lo), Math.abs(hi)) / 127f;
        return s > 0 && Float.isFinite(s) ? s : 1f;
    }

    /** Mean squared error of quantize-dequantize over the sample. */
    double mse(float[] sample, int count) {
        double e = 0;
        for (int i = 0; i < count; i++) {
            float v = sample[i];
            double q = Math.max(0, Math.min(255, Math.rint(v / scale) + zeroPoint));
            double d = (q - zeroPoint) * scale - v;
            e += d * d;
        }
        return e / count;
    }
}
