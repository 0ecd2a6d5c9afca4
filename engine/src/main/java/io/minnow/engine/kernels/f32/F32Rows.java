package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Element-wise row operations into a heap float accumulator, for direct convolution and pooling:
 * {@code y += a·x}, {@code y = max(y, x)}, {@code y += x}. Each runs with the Vector API at a given width or
 * as a plain loop (bits 0), and every width gives exactly the plain loop's bits: multiply and add round
 * separately, max is {@link Math#max(float, float)} lane by lane. (C2 does not vectorise these loops
 * itself: it cannot rule out that source and accumulator overlap.)
 */
public final class F32Rows {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private F32Rows() {}

    /** The width these methods should use under a vector width cap (0 = scalar). */
    public static int bitsFor(int cap) {
        return F32GemmVector.bitsFor(cap);
    }

    /** {@code y[yOff+i] += a · x[xOff+i]} for i in [0, n). */
    public static void axpy(int bits, float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = switch (bits) {
            case 128 -> axpy128(a, x, xOff, y, yOff, n);
            case 256 -> axpy256(a, x, xOff, y, yOff, n);
            case 512 -> axpy512(a, x, xOff, y, yOff, n);
            default -> 0;
        };
        for (; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    /** {@code y[i] = max(y[i], x[xOff+i])} for i in [0, n), x read from a segment (element offset). */
    public static void maxInto(int bits, MemorySegment x, long xOff, float[] y, int n) {
        int i = switch (bits) {
            case 128 -> max128(x, xOff, y, n);
            case 256 -> max256(x, xOff, y, n);
            case 512 -> max512(x, xOff, y, n);
            default -> 0;
        };
        for (; i < n; i++) y[i] = Math.max(y[i], x.getAtIndex(F32, xOff + i));
    }

    /** {@code y[i] += x[xOff+i]} for i in [0, n), x read from a segment (element offset). */
    public static void addInto(int bits, MemorySegment x, long xOff, float[] y, int n) {
        int i = switch (bits) {
            case 128 -> add128(x, xOff, y, n);
            case 256 -> add256(x, xOff, y, n);
            case 512 -> add512(x, xOff, y, n);
            default -> 0;
        };
        for (; i < n; i++) y[i] += x.getAtIndex(F32, xOff + i);
    }

    // One method per width: C2 compiles Vector API code to vector instructions only for a constant species.

    private static int axpy128(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        return i;
    }

    private static int max128(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).max(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }

    private static int add128(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).add(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }

    private static int axpy256(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        return i;
    }

    private static int max256(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).max(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }

    private static int add256(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).add(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }

    private static int axpy512(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_512;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, x, xOff + i).mul(a).add(FloatVector.fromArray(s, y, yOff + i)).intoArray(y, yOff + i);
        }
        return i;
    }

    private static int max512(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_512;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).max(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }

    private static int add512(MemorySegment x, long xOff, float[] y, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_512;
        int i = 0;
        for (int end = s.loopBound(n); i < end; i += s.length()) {
            FloatVector.fromArray(s, y, i).add(FloatVector.fromMemorySegment(s, x, (xOff + i) * 4, NATIVE)).intoArray(y, i);
        }
        return i;
    }
}
