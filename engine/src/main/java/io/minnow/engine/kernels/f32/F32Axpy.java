package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y[yOff + i] += a · x[xOff + i]} over heap float arrays (row accumulators of direct convolutions),
 * with the Vector API at a given width or as a plain loop. Multiply and add round separately in both, so
 * every width gives the same bits as the scalar loop. (C2 does not vectorise the scalar loop itself: it
 * cannot rule out that x and y are the same array.)
 */
public final class F32Axpy {
    private F32Axpy() {}

    /** The width {@link #axpy} should use under a vector width cap (0 = scalar). */
    public static int bitsFor(int cap) {
        return F32GemmVector.bitsFor(cap);
    }

    public static void axpy(int bits, float a, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (bits) {
            case 128 -> v128(a, x, xOff, y, yOff, n);
            case 256 -> v256(a, x, xOff, y, yOff, n);
            case 512 -> v512(a, x, xOff, y, yOff, n);
            default -> scalar(a, x, xOff, y, yOff, n, 0);
        }
    }

    private static void scalar(float a, float[] x, int xOff, float[] y, int yOff, int n, int from) {
        for (int i = from; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    private static void v128(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        scalar(a, x, xOff, y, yOff, n, i);
    }

    private static void v256(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        scalar(a, x, xOff, y, yOff, n, i);
    }

    private static void v512(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_512;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        scalar(a, x, xOff, y, yOff, n, i);
    }
}
