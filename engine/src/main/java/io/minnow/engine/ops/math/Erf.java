package io.minnow.engine.ops.math;

/**
 * The error function, written from first principles.
 *
 * <p>{@link #erf(double)} is the reference, accurate to about 1e-15 absolute: for |x| &lt; 2.5 the
 * all-positive series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation); above,
 * erfc(x) = e^(−x²) / (√π · K(x)) with the continued fraction K = x + (1/2)/(x + 1/(x + (3/2)/(x + …))),
 * evaluated backwards from a fixed depth (converges fast for x ≥ 2.5).
 *
 * <p>{@link #erf(float)} is the fast path for float tensors (max abs error ≈ 1.6e-8 before the final
 * rounding to float): a truncated Taylor series in x² for |x| &lt; 1; for 1 ≤ |x| &lt; 4,
 * erf = 1 − exp(g(x) − x²) where g(x) = ln erfc(x) + x² is smooth and interpolated by a degree-11
 * Chebyshev series whose coefficients are computed at class load from the reference (evaluated in
 * powers of t, which keeps the dependency chain short for the vector version); ±1 beyond 4
 * (erfc(4) ≈ 1.5e-8, below float resolution at 1).
 */
public final class Erf {
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2.0 / SQRT_PI;

    /** Taylor coefficients of erf(x)/x in powers of x²: (2/√π)(−1)ⁿ / (n!(2n+1)), n = 0..11. */
    static final double[] TAYLOR = new double[12];

    /** Chebyshev interval and coefficients of g(x) = ln erfc(x) + x² on [1, 4]. */
    static final double CHEB_LO = 1.0, CHEB_HI = 4.0;
    static final double[] CHEB = new double[12];
    /** The Chebyshev series rewritten in powers of t = (2x − 5)/3, for a short Horner chain. */
    static final double[] G_POWER = new double[12];

    static {
        double factorial = 1;
        for (int n = 0; n < TAYLOR.length; n++) {
            if (n > 0) factorial *= n;
            TAYLOR[n] = TWO_OVER_SQRT_PI * ((n & 1) == 0 ? 1 : -1) / (factorial * (2 * n + 1));
        }
        int n = CHEB.length;
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            double t = Math.cos(Math.PI * (k + 0.5) / n);
            double x = 0.5 * (CHEB_HI - CHEB_LO) * t + 0.5 * (CHEB_HI + CHEB_LO);
            values[k] = Math.log(erfc(x)) + x * x;
        }
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += values[k] * Math.cos(Math.PI * j * (k + 0.5) / n);
            CHEB[j] = 2.0 / n * s;
        }
        // the same polynomial in powers of t: T_0 = 1, T_1 = t, T_{k+1} = 2t T_k - T_{k-1}
        double[] prev = new double[n], cur = new double[n];
        prev[0] = 1;
        cur[1] = 1;
        G_POWER[0] = 0.5 * CHEB[0];
        G_POWER[1] += CHEB[1];
        for (int j = 2; j < n; j++) {
            double[] next = new double[n];
            for (int k = 0; k < n; k++) next[k] = (k > 0 ? 2 * cur[k - 1] : 0) - prev[k];
            for (int k = 0; k < n; k++) G_POWER[k] += CHEB[j] * next[k];
            prev = cur;
            cur = next;
        }
    }

    private Erf() {}

    /** erf(x) for float data; see the class comment for the method and its error. */
    public static float erf(float x) {
        double ax = Math.abs((double) x);
        double r;
        if (ax < 1.0) {
            double x2 = ax * ax, s = TAYLOR[TAYLOR.length - 1];
            for (int n = TAYLOR.length - 2; n >= 0; n--) s = s * x2 + TAYLOR[n];
            r = ax * s;
        } else if (ax < CHEB_HI) {
            r = 1.0 - Math.exp(chebyshevG(ax) - ax * ax);
        } else if (ax >= CHEB_HI) {
            r = 1.0;
        } else {
            return x; // NaN
        }
        return (float) Math.copySign(r, x);
    }

    /** g on [1, 4]: Horner in t over the power-basis form of the Chebyshev interpolant. */
    private static double chebyshevG(double x) {
        double t = (2 * x - CHEB_LO - CHEB_HI) / (CHEB_HI - CHEB_LO);
        double g = G_POWER[G_POWER.length - 1];
        for (int k = G_POWER.length - 2; k >= 0; k--) g = g * t + G_POWER[k];
        return g;
    }

    /** erf(x) in double precision (the reference; ~1e-15 absolute error). */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x), r;
        if (ax < 2.5) r = seriesErf(ax);
        else if (ax < 6.0) r = 1.0 - continuedFractionErfc(ax);
        else r = 1.0;
        return Math.copySign(r, x);
    }

    /** erfc(x) for x ≥ 0 in double precision (relative error ~1e-12 for x up to 6). */
    static double erfc(double x) {
        return x < 2.5 ? 1.0 - seriesErf(x) : continuedFractionErfc(x);
    }

    private static double seriesErf(double ax) {
        double x2 = ax * ax, term = ax, sum = ax;
        for (int n = 0; term > 1e-17 * sum; n++) {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    private static double continuedFractionErfc(double x) {
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + (k * 0.5) / f;
        return Math.exp(-x * x) / (SQRT_PI * f);
    }
}
