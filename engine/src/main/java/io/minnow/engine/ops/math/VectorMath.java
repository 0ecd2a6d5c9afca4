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

    /**
     * e^x per lane, from basic arithmetic only, so compiled and interpreted code agree bit for bit
     * (the Vector API's EXP maps to a native library when compiled and to Math.exp otherwise, which
     * would make results depend on JIT timing). Within 2 ulps of Math.exp, subnormal results included;
     * 0 below {@link #EXP_LO}, +∞ above {@link #EXP_HI}, NaN passes through.
     */
    static FloatVector exp(FloatVector x) {
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
        FloatVector y = p.mul(s1).mul(s2);
        return y.blend(0f, x.lt(EXP_LO)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI))
                .blend(x, x.test(VectorOperators.IS_NAN));
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
        for (; i + step <= e; i += step) exp(load(in, i)).intoMemorySegment(out, i * 4, LE);
        return i;
    }

    /**
     * out[i] = erf(in[i]) for i in [s, e): the method of {@link Erf#erf(float)} in double lanes, two
     * double vectors per float vector. The one transcendental step, exp(g(x) − x²) for 1 ≤ |x| &lt; 4,
     * runs as a single float {@link #exp} over both halves: its argument lies in [−17, −1.8], where a float
     * argument and a float exp keep the absolute error of 1 − exp(...) below 3e-8.
     */
    static long erf(MemorySegment in, MemorySegment out, long s, long e) {
        // one flat loop body: helper methods here would not be inlined reliably, and every vector
        // crossing a call boundary gets boxed
        double[] gp = Erf.G_POWER, taylor = Erf.TAYLOR;
        double lo = Erf.CHEB_LO, hi = Erf.CHEB_HI, mid = lo + hi, width = hi - lo;
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int step = F.length();
        long i = s;
        for (; i + step <= e; i += step) {
            FloatVector xf = load(in, i);
            DoubleVector x0 = (DoubleVector) xf.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector x1 = (DoubleVector) xf.convertShape(VectorOperators.F2D, D, 1);
            DoubleVector a0 = x0.abs(), a1 = x1.abs();
            // exponent g(c) - c² of erfc on the middle range, c = |x| clamped to [1, 4]
            DoubleVector c0 = a0.max(lo).min(hi), c1 = a1.max(lo).min(hi);
            DoubleVector t0 = c0.mul(2.0).sub(mid).div(width), t1 = c1.mul(2.0).sub(mid).div(width);
            DoubleVector g0 = DoubleVector.broadcast(D, gp[gp.length - 1]), g1 = g0;
            for (int k = gp.length - 2; k >= 0; k--) {
                DoubleVector ck = DoubleVector.broadcast(D, gp[k]);
                g0 = g0.fma(t0, ck);
                g1 = g1.fma(t1, ck);
            }
            FloatVector arg = ((FloatVector) g0.sub(c0.mul(c0)).convertShape(VectorOperators.D2F, F, 0))
                    .add((FloatVector) g1.sub(c1.mul(c1)).convertShape(VectorOperators.D2F, F, -1));
            FloatVector ex = exp(arg);
            DoubleVector e0 = (DoubleVector) ex.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e1 = (DoubleVector) ex.convertShape(VectorOperators.F2D, D, 1);
            // Taylor series of erf(x)/x in x² for |x| < 1
            DoubleVector q0 = a0.mul(a0), q1 = a1.mul(a1);
            DoubleVector p0 = DoubleVector.broadcast(D, taylor[taylor.length - 1]), p1 = p0;
            for (int k = taylor.length - 2; k >= 0; k--) {
                DoubleVector ck = DoubleVector.broadcast(D, taylor[k]);
                p0 = p0.fma(q0, ck);
                p1 = p1.fma(q1, ck);
            }
            DoubleVector r0 = one.blend(one.sub(e0), a0.lt(hi)).blend(a0.mul(p0), a0.lt(1.0));
            DoubleVector r1 = one.blend(one.sub(e1), a1.lt(hi)).blend(a1.mul(p1), a1.lt(1.0));
            // sign of x (r >= 0), NaN passes through
            r0 = r0.reinterpretAsLongs().or(x0.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles()
                    .blend(x0, x0.test(VectorOperators.IS_NAN));
            r1 = r1.reinterpretAsLongs().or(x1.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles()
                    .blend(x1, x1.test(VectorOperators.IS_NAN));
            // the unused half of each contraction is +0.0 (all bits zero): OR merges without touching signs
            ((FloatVector) r0.convertShape(VectorOperators.D2F, F, 0)).reinterpretAsInts()
                    .or(((FloatVector) r1.convertShape(VectorOperators.D2F, F, -1)).reinterpretAsInts())
                    .reinterpretAsFloats().intoMemorySegment(out, i * 4, LE);
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
                FloatVector v = exp(load(in, base + j).sub(mv));
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
