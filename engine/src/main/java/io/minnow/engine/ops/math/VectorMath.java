package io.minnow.engine.ops.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Vector API bodies of this family's float32 hot loops. Each method handles whole vectors from its
 * start and returns the index where it stopped; the caller finishes the tail with its scalar loop.
 * Only loaded after {@link Simd} has checked that the incubator module is present.
 */
final class VectorMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    private VectorMath() {}

    static int bits() {
        return F.length() >= 4 && D.length() * 2 == F.length() ? F.vectorBitSize() : 0;
    }

    private static FloatVector load(MemorySegment m, long i) {
        return FloatVector.fromMemorySegment(F, m, i * 4, LE);
    }

    // exp(x) = 2^k · e^r with k = round(x / ln 2), r = x − k·ln 2 (|r| ≤ ln2/2, Cody–Waite split of ln 2
    // so k·LN2_HI is exact), e^r by its Taylor series to r⁷/7! (truncation < 1e-8 relative).
    private static final float LOG2E = (float) (1.0 / Math.log(2.0));
    private static final float LN2_HI = 0.693359375f; // 355/512: 9 significant bits
    private static final float LN2_LO = (float) (Math.log(2.0) - 0.693359375);
    private static final float ROUNDER = 0x1.8p23f; // adding it rounds to an integer held in the low bits
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Below this, e^x rounds to 0 even as a subnormal; above the upper bound, to +∞. */
    static final float EXP_LO = -103.972084f, EXP_HI = 88.72283f;

    /** y = a op b over n elements with a, b strides in {0, 1}: Add, Sub, Mul, Div only. */
    static long binary(Binary.Kind k, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                       MemorySegment y, long yo, long n) {
        int step = F.length();
        long i = 0, bound = n - step;
        if (as == 1 && bs == 1) {
            switch (k) {
                case ADD -> { for (; i <= bound; i += step) load(a, ao + i).add(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case SUB -> { for (; i <= bound; i += step) load(a, ao + i).sub(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case MUL -> { for (; i <= bound; i += step) load(a, ao + i).mul(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case DIV -> { for (; i <= bound; i += step) load(a, ao + i).div(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                default -> { }
            }
        } else if (as == 1) { // b is one value for the run
            FloatVector c = FloatVector.broadcast(F, b.getAtIndex(F32, bo));
            switch (k) {
                case ADD -> { for (; i <= bound; i += step) load(a, ao + i).add(c).intoMemorySegment(y, (yo + i) * 4, LE); }
                case SUB -> { for (; i <= bound; i += step) load(a, ao + i).sub(c).intoMemorySegment(y, (yo + i) * 4, LE); }
                case MUL -> { for (; i <= bound; i += step) load(a, ao + i).mul(c).intoMemorySegment(y, (yo + i) * 4, LE); }
                case DIV -> { for (; i <= bound; i += step) load(a, ao + i).div(c).intoMemorySegment(y, (yo + i) * 4, LE); }
                default -> { }
            }
        } else if (bs == 1) { // a is one value for the run
            FloatVector c = FloatVector.broadcast(F, a.getAtIndex(F32, ao));
            switch (k) {
                case ADD -> { for (; i <= bound; i += step) c.add(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case SUB -> { for (; i <= bound; i += step) c.sub(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case MUL -> { for (; i <= bound; i += step) c.mul(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                case DIV -> { for (; i <= bound; i += step) c.div(load(b, bo + i)).intoMemorySegment(y, (yo + i) * 4, LE); }
                default -> { }
            }
        }
        return i;
    }

    /**
     * The exact unary kinds (same bits as {@link Unary#f32}: no transcendental functions) over [s, e);
     * returns where the scalar tail starts (s itself for kinds without a vector body).
     */
    static long unary(Unary.Kind kind, float alpha, float beta, MemorySegment in, MemorySegment out, long s, long e) {
        int step = F.length();
        long i = s;
        switch (kind) {
            case RELU -> { for (; i + step <= e; i += step) load(in, i).max(0f).intoMemorySegment(out, i * 4, LE); }
            case NEG -> { for (; i + step <= e; i += step) load(in, i).neg().intoMemorySegment(out, i * 4, LE); }
            case ABS -> { for (; i + step <= e; i += step) load(in, i).abs().intoMemorySegment(out, i * 4, LE); }
            case LEAKY_RELU -> {
                for (; i + step <= e; i += step) {
                    FloatVector v = load(in, i);
                    v.blend(v.mul(alpha), v.lt(0f)).intoMemorySegment(out, i * 4, LE);
                }
            }
            case HARD_SIGMOID -> {
                for (; i + step <= e; i += step) load(in, i).mul(alpha).add(beta).min(1f).max(0f).intoMemorySegment(out, i * 4, LE);
            }
            case HARD_SWISH -> {
                for (; i + step <= e; i += step) {
                    FloatVector v = load(in, i);
                    v.mul(v.div(6f).add(0.5f).min(1f).max(0f)).intoMemorySegment(out, i * 4, LE);
                }
            }
            case EXP -> { return exp(in, out, s, e); }
            case ERF -> { return erf(in, out, s, e); }
            default -> { }
        }
        return i;
    }

    /**
     * out[i] = e^in[i] for i in [s, e) (in and out may be the same memory); returns where the scalar
     * tail starts. Basic arithmetic only, so compiled and interpreted code agree bit for bit (the
     * Vector API's EXP maps to a native library when compiled and to Math.exp otherwise, which would
     * make results depend on JIT timing). Within 2 ulps of Math.exp, subnormal results included; 0
     * below {@link #EXP_LO}, +∞ above {@link #EXP_HI}, NaN passes through. The body is written out in
     * the loop on purpose: a vector-valued helper is not reliably inlined, and a vector crossing a
     * call gets boxed. Other ops needing exp make a pass through this loop instead.
     */
    static long exp(MemorySegment in, MemorySegment out, long s, long e) {
        int step = F.length();
        long i = s;
        for (; i + step <= e; i += step) {
            FloatVector x = load(in, i);
            FloatVector xc = x.max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUNDER);
            FloatVector k = t.sub(ROUNDER);
            FloatVector r = xc.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
            FloatVector p = FloatVector.broadcast(F, 1f / 5040f);
            p = p.fma(r, FloatVector.broadcast(F, 1f / 720f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 120f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 24f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 6f));
            p = p.fma(r, FloatVector.broadcast(F, 0.5f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            // 2^k as 2^k1 · 2^k2 with k1 = k >> 1, k2 = k − k1, both normal for k in [−150, 128]
            IntVector ki = t.reinterpretAsInts().sub(ROUNDER_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(s1).mul(s2)
                    .blend(0f, x.lt(EXP_LO))
                    .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI))
                    .blend(x, x.test(VectorOperators.IS_NAN))
                    .intoMemorySegment(out, i * 4, LE);
        }
        return i;
    }

    /**
     * out[i] = erf(in[i]) for i in [s, e): the method of {@link Erf#erf(float)} in double lanes (two
     * double vectors per float vector), in three passes over the chunk: the exponent g(c) − c² of erfc
     * (c = |x| clamped to [1, 4]) is written to {@code out} as float, {@link #exp} runs in place, then
     * the result is picked per lane. The exponent lies in [−17, −1.8], where a float argument and the
     * float exp keep the absolute error of 1 − exp(...) below 3e-8. {@code in} and {@code out} must not
     * overlap.
     */
    static long erf(MemorySegment in, MemorySegment out, long s, long e) {
        double[] gp = Erf.G_POWER, taylor = Erf.TAYLOR;
        double lo = Erf.CHEB_LO, hi = Erf.CHEB_HI, mid = lo + hi, width = hi - lo;
        int step = F.length();
        long end = s + (e - s) / step * step;
        for (long i = s; i < end; i += step) {
            FloatVector xf = load(in, i);
            DoubleVector c0 = ((DoubleVector) xf.convertShape(VectorOperators.F2D, D, 0)).abs().max(lo).min(hi);
            DoubleVector c1 = ((DoubleVector) xf.convertShape(VectorOperators.F2D, D, 1)).abs().max(lo).min(hi);
            DoubleVector t0 = c0.mul(2.0).sub(mid).div(width), t1 = c1.mul(2.0).sub(mid).div(width);
            DoubleVector g0 = DoubleVector.broadcast(D, gp[gp.length - 1]), g1 = g0;
            for (int k = gp.length - 2; k >= 0; k--) {
                DoubleVector ck = DoubleVector.broadcast(D, gp[k]);
                g0 = g0.fma(t0, ck);
                g1 = g1.fma(t1, ck);
            }
            // the unused half of each contraction is +0.0 (all bits zero): OR merges the halves
            ((FloatVector) g0.sub(c0.mul(c0)).convertShape(VectorOperators.D2F, F, 0)).reinterpretAsInts()
                    .or(((FloatVector) g1.sub(c1.mul(c1)).convertShape(VectorOperators.D2F, F, -1)).reinterpretAsInts())
                    .reinterpretAsFloats().intoMemorySegment(out, i * 4, LE);
        }
        exp(out, out, s, end);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        for (long i = s; i < end; i += step) {
            FloatVector xf = load(in, i), ef = load(out, i);
            DoubleVector x0 = (DoubleVector) xf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector x1 = (DoubleVector) xf.convertShape(VectorOperators.F2D, D, 1);
            DoubleVector e0 = (DoubleVector) ef.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e1 = (DoubleVector) ef.convertShape(VectorOperators.F2D, D, 1);
            DoubleVector a0 = x0.abs(), a1 = x1.abs(), q0 = a0.mul(a0), q1 = a1.mul(a1);
            DoubleVector p0 = DoubleVector.broadcast(D, taylor[taylor.length - 1]), p1 = p0;
            for (int k = taylor.length - 2; k >= 0; k--) {
                DoubleVector ck = DoubleVector.broadcast(D, taylor[k]);
                p0 = p0.fma(q0, ck);
                p1 = p1.fma(q1, ck);
            }
            DoubleVector r0 = one.blend(one.sub(e0), a0.lt(hi)).blend(a0.mul(p0), a0.lt(1.0));
            DoubleVector r1 = one.blend(one.sub(e1), a1.lt(hi)).blend(a1.mul(p1), a1.lt(1.0));
            // sign of x (r >= 0); NaN passes through
            r0 = r0.reinterpretAsLongs().or(x0.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles()
                    .blend(x0, x0.test(VectorOperators.IS_NAN));
            r1 = r1.reinterpretAsLongs().or(x1.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles()
                    .blend(x1, x1.test(VectorOperators.IS_NAN));
            ((FloatVector) r0.convertShape(VectorOperators.D2F, F, 0)).reinterpretAsInts()
                    .or(((FloatVector) r1.convertShape(VectorOperators.D2F, F, -1)).reinterpretAsInts())
                    .reinterpretAsFloats().intoMemorySegment(out, i * 4, LE);
        }
        return end;
    }

    /**
     * Softmax or LogSoftmax of contiguous rows [r0, r1) of length n (see {@link Softmax#rows}), in
     * passes: max; out = x − max; {@link #exp} in place (scalar tail with Math.exp); sum; then scale
     * (Softmax) or out = (x − max) − log(sum) (LogSoftmax).
     */
    static void softmaxRows(MemorySegment in, MemorySegment out, long r0, long r1, long n, boolean log) {
        int step = F.length();
        long vn = n - n % step;
        for (long r = r0; r < r1; r++) {
            long base = r * n;
            float max = Float.NEGATIVE_INFINITY;
            if (vn > 0) {
                FloatVector m = load(in, base);
                for (long j = step; j < vn; j += step) m = m.max(load(in, base + j));
                max = m.reduceLanes(VectorOperators.MAX);
            }
            for (long j = vn; j < n; j++) max = Math.max(max, in.getAtIndex(F32, base + j));
            for (long j = 0; j < vn; j += step) load(in, base + j).sub(max).intoMemorySegment(out, (base + j) * 4, LE);
            long done = exp(out, out, base, base + vn) - base;
            for (long j = done; j < n; j++) out.setAtIndex(F32, base + j, (float) Math.exp(in.getAtIndex(F32, base + j) - max));
            FloatVector acc = FloatVector.zero(F);
            for (long j = 0; j < vn; j += step) acc = acc.add(load(out, base + j));
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (long j = vn; j < n; j++) sum += out.getAtIndex(F32, base + j);
            if (log) {
                float lse = (float) Math.log(sum);
                for (long j = 0; j < vn; j += step) load(in, base + j).sub(max).sub(lse).intoMemorySegment(out, (base + j) * 4, LE);
                for (long j = vn; j < n; j++) out.setAtIndex(F32, base + j, (in.getAtIndex(F32, base + j) - max) - lse);
            } else {
                float k = (float) (1.0 / sum);
                for (long j = 0; j < vn; j += step) load(out, base + j).mul(k).intoMemorySegment(out, (base + j) * 4, LE);
                for (long j = vn; j < n; j++) out.setAtIndex(F32, base + j, out.getAtIndex(F32, base + j) * k);
            }
        }
    }
}
