package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Elementwise binary ops with NumPy broadcasting: Add, Sub, Mul, Div, Pow, Equal (multidirectional) and
 * PRelu (the slope broadcasts to X's shape, unidirectionally).
 *
 * <p>Types: both inputs share one type, except Pow (any numeric exponent, the output has the base's type).
 * Float32 runs tight loops over the {@link Broadcast} runs; other float types compute in double; integers
 * compute exactly in long and wrap to the type's width (Div truncates toward zero like C; an integer
 * division by zero is an error). Equal outputs bool.
 */
final class Binary implements Op {
    enum Kind { ADD, SUB, MUL, DIV, POW, PRELU, EQUAL }

    private final Kind kind;

    Binary(Kind kind) {
        this.kind = kind;
    }

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error(name() + " needs two inputs");
        DataType a = ctx.inputType(0), b = ctx.inputType(1);
        switch (kind) {
            case POW -> {
                if (!MathTypes.isNumeric(a) || !MathTypes.isNumeric(b)) {
                    throw ctx.error("Pow does not support element types " + a + " ^ " + b);
                }
            }
            case EQUAL -> {
                if (a != b) throw ctx.error("Equal inputs have different types " + a + " and " + b);
                if (!MathTypes.isNumeric(a) && a != DataType.BOOL) throw ctx.error("Equal does not support " + a);
            }
            case PRELU -> {
                if (a != b) throw ctx.error("PRelu inputs have different types " + a + " and " + b);
                if (!MathTypes.isNumeric(a)) throw ctx.error("PRelu does not support " + a);
            }
            default -> {
                if (a != b) throw ctx.error(name() + " inputs have different types " + a + " and " + b);
                if (!MathTypes.isNumeric(a)) throw ctx.error(name() + " does not support " + a);
            }
        }
        long[] sa = ctx.inputShape(0), sb = ctx.inputShape(1);
        DataType out = kind == Kind.EQUAL ? DataType.BOOL : a;
        if (sa == null || sb == null) {
            ctx.setOutput(0, out, null);
            return;
        }
        long[] shape = Broadcast.shape(sa, sb);
        if (shape == null) {
            throw ctx.error("shapes " + Arrays.toString(sa) + " and " + Arrays.toString(sb) + " cannot be broadcast");
        }
        if (kind == Kind.PRELU && !Arrays.equals(shape, sa)) {
            throw ctx.error("slope shape " + Arrays.toString(sb) + " does not broadcast to X shape " + Arrays.toString(sa));
        }
        ctx.setOutput(0, out, shape);
    }

    private String name() {
        return switch (kind) {
            case ADD -> "Add"; case SUB -> "Sub"; case MUL -> "Mul"; case DIV -> "Div"; case POW -> "Pow";
            case PRELU -> "PRelu"; case EQUAL -> "Equal";
        };
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1), y = ctx.output(0);
        Broadcast bc = Broadcast.of(y.shape(), a.shape(), b.shape());
        if (bc.total() == 0) return;
        long as = bc.innerStride(0), bs = bc.innerStride(1);
        DataType ta = a.type(), tb = b.type();
        MemorySegment ma = a.data(), mb = b.data(), my = y.data();
        if (ta == DataType.FLOAT && tb == DataType.FLOAT) {
            boolean simd = Simd.enabled(ctx.kernels())
                    && (kind == Kind.ADD || kind == Kind.SUB || kind == Kind.MUL || kind == Kind.DIV);
            bc.walk(ctx.parallel(), (o, in, n) -> {
                long done = simd ? VectorMath.binary(kind, ma, in[0], as, mb, in[1], bs, my, o, n) : 0;
                if (done < n) f32(kind, ma, in[0] + done * as, as, mb, in[1] + done * bs, bs, my, o + done, n - done);
            });
        } else if (kind == Kind.EQUAL) {
            boolean floats = ta.isFloat();
            bc.walk(ctx.parallel(), (o, in, n) -> {
                for (long i = 0; i < n; i++) {
                    long ia = in[0] + i * as, ib = in[1] + i * bs;
                    boolean eq = floats ? a.getDouble(ia) == b.getDouble(ib) : a.getLongValue(ia) == b.getLongValue(ib);
                    my.set(ValueLayout.JAVA_BYTE, o + i, (byte) (eq ? 1 : 0));
                }
            });
        } else if (ta.isFloat() || (kind == Kind.POW && tb.isFloat())) {
            bc.walk(ctx.parallel(), (o, in, n) -> {
                for (long i = 0; i < n; i++) {
                    y.setDouble(o + i, f64(kind, a.getDouble(in[0] + i * as), b.getDouble(in[1] + i * bs)));
                }
            });
        } else {
            boolean unsigned64 = ta == DataType.UINT64;
            bc.walk(null, (o, in, n) -> {
                for (long i = 0; i < n; i++) {
                    long x = a.getLongValue(in[0] + i * as), z = b.getLongValue(in[1] + i * bs);
                    if (kind == Kind.DIV && z == 0) throw ctx.error("integer division by zero");
                    y.setLongValue(o + i, i64(kind, x, z, unsigned64));
                }
            });
        }
    }

    /** Float32 run: y[yo + i] = a[ao + i*as] op b[bo + i*bs], with as, bs in {0, 1}. */
    static void f32(Kind k, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                    MemorySegment y, long yo, long n) {
        boolean both = as == 1 && bs == 1, aScalar = as == 0;
        float ca = a.getAtIndex(F32, ao), cb = b.getAtIndex(F32, bo);
        switch (k) {
            case ADD -> {
                if (both) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) + b.getAtIndex(F32, bo + i));
                else if (aScalar) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, ca + b.getAtIndex(F32, bo + i * bs));
                else for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) + cb);
            }
            case SUB -> {
                if (both) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) - b.getAtIndex(F32, bo + i));
                else if (aScalar) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, ca - b.getAtIndex(F32, bo + i * bs));
                else for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) - cb);
            }
            case MUL -> {
                if (both) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) * b.getAtIndex(F32, bo + i));
                else if (aScalar) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, ca * b.getAtIndex(F32, bo + i * bs));
                else for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) * cb);
            }
            case DIV -> {
                if (both) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) / b.getAtIndex(F32, bo + i));
                else if (aScalar) for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, ca / b.getAtIndex(F32, bo + i * bs));
                else for (long i = 0; i < n; i++) y.setAtIndex(F32, yo + i, a.getAtIndex(F32, ao + i) / cb);
            }
            case PRELU -> {
                for (long i = 0; i < n; i++) {
                    float x = a.getAtIndex(F32, ao + i * as);
                    y.setAtIndex(F32, yo + i, x < 0 ? b.getAtIndex(F32, bo + i * bs) * x : x);
                }
            }
            case POW -> {
                if (!aScalar && bs == 0 && cb == 2f) { // x², the common case (variance, LayerNorm)
                    for (long i = 0; i < n; i++) { float x = a.getAtIndex(F32, ao + i); y.setAtIndex(F32, yo + i, x * x); }
                } else {
                    for (long i = 0; i < n; i++) {
                        y.setAtIndex(F32, yo + i, (float) Math.pow(a.getAtIndex(F32, ao + i * as), b.getAtIndex(F32, bo + i * bs)));
                    }
                }
            }
            case EQUAL -> {
                for (long i = 0; i < n; i++) {
                    boolean eq = a.getAtIndex(F32, ao + i * as) == b.getAtIndex(F32, bo + i * bs);
                    y.set(ValueLayout.JAVA_BYTE, yo + i, (byte) (eq ? 1 : 0));
                }
            }
        }
    }

    static double f64(Kind k, double x, double z) {
        return switch (k) {
            case ADD -> x + z;
            case SUB -> x - z;
            case MUL -> x * z;
            case DIV -> x / z;
            case POW -> Math.pow(x, z);
            case PRELU -> x < 0 ? z * x : x;
            case EQUAL -> x == z ? 1 : 0;
        };
    }

    /** Integer arithmetic in 64 bits; the caller's setLongValue wraps to the element width. */
    static long i64(Kind k, long x, long z, boolean unsigned64) {
        return switch (k) {
            case ADD -> x + z;
            case SUB -> x - z;
            case MUL -> x * z;
            case DIV -> unsigned64 ? Long.divideUnsigned(x, z) : x / z;
            case POW -> ipow(x, z);
            case PRELU -> !unsigned64 && x < 0 ? z * x : x;
            case EQUAL -> x == z ? 1 : 0;
        };
    }

    /** x^e by squaring, wrapping like C integer multiplication; negative e truncates 1/x^|e| toward zero. */
    static long ipow(long x, long e) {
        if (e < 0) {
            if (x == 1) return 1;
            if (x == -1) return (e & 1) == 0 ? 1 : -1;
            return 0;
        }
        long r = 1, base = x;
        while (e != 0) {
            if ((e & 1) != 0) r *= base;
            base *= base;
            e >>>= 1;
        }
        return r;
    }
}
