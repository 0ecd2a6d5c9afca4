package io.minnow.engine.kernels.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Dot product of two float rows in off-heap memory, {@code Σ a[aOff+i]·b[bOff+i]}: the Vector API at a given
 * width (four FMA accumulators, then a lane reduction and a scalar tail) or a plain loop (bits 0). Used for
 * products against a transposed operand with few rows (Gemm transB=1 at batch 1), where packing the
 * operand would cost more than the product. The result depends on the width (summation order), never on
 * how callers split their work.
 */
public final class F32Dot {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private F32Dot() {}

    /** The width {@link #dot} should use under a vector width cap (0 = scalar). */
    public static int bitsFor(int cap) {
        return F32GemmVector.bitsFor(cap);
    }

    public static float dot(int bits, MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        return switch (bits) {
            case 128 -> v128(a, aOff, b, bOff, n);
            case 256 -> v256(a, aOff, b, bOff, n);
            case 512 -> v512(a, aOff, b, bOff, n);
            default -> scalar(a, aOff, b, bOff, n, 0, 0f);
        };
    }

    private static float scalar(MemorySegment a, long aOff, MemorySegment b, long bOff, int n, int from, float acc) {
        for (int i = from; i < n; i++) acc = Math.fma(a.getAtIndex(F32, aOff + i), b.getAtIndex(F32, bOff + i), acc);
        return acc;
    }

    private static float v128(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        int l = s.length(), i = 0;
        FloatVector s0 = FloatVector.zero(s), s1 = s0, s2 = s0, s3 = s0;
        long ab = aOff * 4, bb = bOff * 4, step = 4L * l;
        for (; i + 4 * l <= n; i += 4 * l, ab += 4 * step, bb += 4 * step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
            s1 = FloatVector.fromMemorySegment(s, a, ab + step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + step, NATIVE), s1);
            s2 = FloatVector.fromMemorySegment(s, a, ab + 2 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 2 * step, NATIVE), s2);
            s3 = FloatVector.fromMemorySegment(s, a, ab + 3 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 3 * step, NATIVE), s3);
        }
        for (; i + l <= n; i += l, ab += step, bb += step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
        }
        float acc = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        return scalar(a, aOff, b, bOff, n, i, acc);
    }

    private static float v256(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        int l = s.length(), i = 0;
        FloatVector s0 = FloatVector.zero(s), s1 = s0, s2 = s0, s3 = s0;
        long ab = aOff * 4, bb = bOff * 4, step = 4L * l;
        for (; i + 4 * l <= n; i += 4 * l, ab += 4 * step, bb += 4 * step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
            s1 = FloatVector.fromMemorySegment(s, a, ab + step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + step, NATIVE), s1);
            s2 = FloatVector.fromMemorySegment(s, a, ab + 2 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 2 * step, NATIVE), s2);
            s3 = FloatVector.fromMemorySegment(s, a, ab + 3 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 3 * step, NATIVE), s3);
        }
        for (; i + l <= n; i += l, ab += step, bb += step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
        }
        float acc = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        return scalar(a, aOff, b, bOff, n, i, acc);
    }

    private static float v512(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_512;
        int l = s.length(), i = 0;
        FloatVector s0 = FloatVector.zero(s), s1 = s0, s2 = s0, s3 = s0;
        long ab = aOff * 4, bb = bOff * 4, step = 4L * l;
        for (; i + 4 * l <= n; i += 4 * l, ab += 4 * step, bb += 4 * step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
            s1 = FloatVector.fromMemorySegment(s, a, ab + step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + step, NATIVE), s1);
            s2 = FloatVector.fromMemorySegment(s, a, ab + 2 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 2 * step, NATIVE), s2);
            s3 = FloatVector.fromMemorySegment(s, a, ab + 3 * step, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb + 3 * step, NATIVE), s3);
        }
        for (; i + l <= n; i += l, ab += step, bb += step) {
            s0 = FloatVector.fromMemorySegment(s, a, ab, NATIVE).fma(FloatVector.fromMemorySegment(s, b, bb, NATIVE), s0);
        }
        float acc = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        return scalar(a, aOff, b, bOff, n, i, acc);
    }
}
