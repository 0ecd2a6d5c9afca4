package io.minnow.engine.ops.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
    /** Floats that widen to one double vector (half the bits of D). */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, D.vectorBitSize() / 2)));
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    private VectorMath() {}

    static int bits() {
        return F.length() >= 4 && FH.length() == D.length() ? F.vectorBitSize() : 0;
    }

    private static FloatVector load(MemorySegment m, long i) {
        return FloatVector.fromMemorySegment(F, m, i * 4, LE);
    }

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

    /** out[i] = exp(in[i]) for i in [s, e); returns where the scalar tail starts. */
    static long exp(MemorySegment in, MemorySegment out, long s, long e) {
        int step = F.length();
        long i = s;
        for (; i + step <= e; i += step) load(in, i).lanewise(VectorOperators.EXP).intoMemorySegment(out, i * 4, LE);
        return i;
    }

    /** out[i] = erf(in[i]) for i in [s, e), computed in double lanes like {@link Erf#erf(float)}. */
    static long erf(MemorySegment in, MemorySegment out, long s, long e) {
        int step = D.length();
        double[] taylor = Erf.TAYLOR, cheb = Erf.CHEB;
        DoubleVector one = DoubleVector.broadcast(D, 1.0), lo = one, hi = DoubleVector.broadcast(D, Erf.CHEB_HI);
        long i = s;
        for (; i + step <= e; i += step) {
            DoubleVector x = (DoubleVector) FloatVector.fromMemorySegment(FH, in, i * 4, LE).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector ax = x.abs();
            // |x| < 1: Taylor series of erf(x)/x in x²
            DoubleVector x2 = ax.mul(ax);
            DoubleVector p = DoubleVector.broadcast(D, taylor[taylor.length - 1]);
            for (int k = taylor.length - 2; k >= 0; k--) p = p.fma(x2, DoubleVector.broadcast(D, taylor[k]));
            DoubleVector small = ax.mul(p);
            // 1 <= |x| < 4: 1 - exp(g(x) - x²), g by Clenshaw on the clamped argument
            DoubleVector c = ax.max(lo).min(hi);
            DoubleVector t = c.mul(2.0).sub(Erf.CHEB_LO + Erf.CHEB_HI).div(Erf.CHEB_HI - Erf.CHEB_LO), t2 = t.add(t);
            DoubleVector d = DoubleVector.zero(D), dd = DoubleVector.zero(D);
            for (int j = cheb.length - 1; j > 0; j--) {
                DoubleVector tmp = d;
                d = t2.fma(d, DoubleVector.broadcast(D, cheb[j])).sub(dd);
                dd = tmp;
            }
            DoubleVector g = t.fma(d, DoubleVector.broadcast(D, 0.5 * cheb[0])).sub(dd);
            DoubleVector large = one.sub(g.sub(c.mul(c)).lanewise(VectorOperators.EXP));
            VectorMask<Double> isSmall = ax.lt(1.0), isLarge = ax.lt(Erf.CHEB_HI);
            DoubleVector r = one.blend(large, isLarge).blend(small, isSmall);
            // copy the sign of x (r >= 0), and let NaN through
            LongVector sign = x.reinterpretAsLongs().and(Long.MIN_VALUE);
            r = r.reinterpretAsLongs().or(sign).reinterpretAsDoubles().blend(x, x.test(VectorOperators.IS_NAN));
            r.convertShape(VectorOperators.D2F, FH, 0).intoMemorySegment(out, i * 4, LE);
        }
        return i;
    }

    /** Softmax or LogSoftmax of contiguous rows [r0, r1) of length n (see {@link Softmax#rows}). */
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
            FloatVector mv = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
            for (long j = 0; j < vn; j += step) {
                FloatVector v = load(in, base + j).sub(mv).lanewise(VectorOperators.EXP);
                if (!log) v.intoMemorySegment(out, (base + j) * 4, LE);
                acc = acc.add(v);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (long j = vn; j < n; j++) {
                float v = (float) Math.exp(in.getAtIndex(F32, base + j) - max);
                if (!log) out.setAtIndex(F32, base + j, v);
                sum += v;
            }
            if (log) {
                float lse = (float) Math.log(sum);
                FloatVector lv = FloatVector.broadcast(F, lse);
                for (long j = 0; j < vn; j += step) load(in, base + j).sub(mv).sub(lv).intoMemorySegment(out, (base + j) * 4, LE);
                for (long j = vn; j < n; j++) {
                    out.setAtIndex(F32, base + j, (in.getAtIndex(F32, base + j) - max) - lse);
                }
            } else {
                float k = (float) (1.0 / sum);
                for (long j = 0; j < vn; j += step) load(out, base + j).mul(k).intoMemorySegment(out, (base + j) * 4, LE);
                for (long j = vn; j < n; j++) {
                    out.setAtIndex(F32, base + j, out.getAtIndex(F32, base + j) * k);
                }
            }
        }
    }
}
