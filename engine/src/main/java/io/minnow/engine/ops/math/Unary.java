package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Elementwise unary ops: Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf, Sqrt, Exp, Log, Neg,
 * Abs. One instance per op kind. Float32 runs a tight loop per kind (with a {@link VectorMath} body for
 * Relu, Neg, Abs, LeakyRelu, HardSigmoid, HardSwish, Exp and Erf when {@link Simd} allows); double,
 * float16 and bfloat16 are computed in double; integers (Relu, Neg, Abs, Erf) exactly in long.
 *
 * <p>The activation formulas are those of {@link io.minnow.engine.ops.FusedActivation#apply(float)}, so a
 * fused epilogue and the standalone op agree bit for bit.
 */
final class Unary implements Op {
    enum Kind {
        RELU, LEAKY_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, TANH, ERF, SQRT, EXP, LOG, NEG, ABS;

        /** Which element types the op accepts besides the float types. */
        boolean acceptsIntegers() {
            return this == RELU || this == NEG || this == ABS || this == ERF;
        }
    }

    private final Kind kind;

    Unary(Kind kind) {
        this.kind = kind;
    }

    @Override
    public void infer(InferContext ctx) {
        DataType t = ctx.inputType(0);
        boolean ok = t.isFloat() || (kind.acceptsIntegers() && MathTypes.isInteger(t));
        if (kind == Kind.NEG && MathTypes.isUnsigned(t)) ok = false;
        if (kind == Kind.RELU && MathTypes.isUnsigned(t)) ok = false;
        if (!ok) throw ctx.error(kind + " does not support element type " + t);
        if (kind == Kind.LEAKY_RELU || kind == Kind.HARD_SIGMOID) MathTypes.floatAttr(ctx, "alpha", 0f);
        if (kind == Kind.HARD_SIGMOID) MathTypes.floatAttr(ctx, "beta", 0f);
        ctx.setOutput(0, t, ctx.inputShape(0));
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        float alpha = switch (kind) {
            case LEAKY_RELU -> ctx.attrs().getFloat("alpha", 0.01f);
            case HARD_SIGMOID -> ctx.attrs().getFloat("alpha", 0.2f);
            default -> 0f;
        };
        float beta = kind == Kind.HARD_SIGMOID ? ctx.attrs().getFloat("beta", 0.5f) : 0f;
        DataType t = x.type();
        if (t == DataType.FLOAT) {
            MemorySegment in = x.data(), out = y.data();
            boolean simd = Simd.enabled(ctx.kernels());
            Broadcast.walkRange(x.size(), ctx.parallel(), (s, e) -> {
                long from = simd ? VectorMath.unary(kind, alpha, beta, in, out, s, e) : s;
                f32(kind, alpha, beta, in, out, from, e);
            });
        } else if (t.isFloat()) {
            Broadcast.walkRange(x.size(), ctx.parallel(), (s, e) -> {
                for (long i = s; i < e; i++) y.setDouble(i, f64(kind, alpha, beta, x.getDouble(i)));
            });
        } else {
            boolean unsigned = MathTypes.isUnsigned(t);
            for (long i = 0, n = x.size(); i < n; i++) {
                long v = x.getLongValue(i);
                long r = switch (kind) {
                    case RELU -> Math.max(v, 0);
                    case NEG -> -v;
                    case ABS -> unsigned ? v : Math.abs(v);
                    case ERF -> (long) Erf.erf((double) v);
                    default -> throw ctx.error(kind + " on " + t);
                };
                y.setLongValue(i, r);
            }
        }
    }

    /** The float32 loop of one kind over elements [s, e). */
    static void f32(Kind kind, float alpha, float beta, MemorySegment in, MemorySegment out, long s, long e) {
        switch (kind) {
            case RELU -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, Math.max(in.getAtIndex(F32, i), 0f)); }
            case LEAKY_RELU -> {
                for (long i = s; i < e; i++) {
                    float v = in.getAtIndex(F32, i);
                    out.setAtIndex(F32, i, v < 0 ? alpha * v : v);
                }
            }
            case SIGMOID -> {
                for (long i = s; i < e; i++) out.setAtIndex(F32, i, (float) (1.0 / (1.0 + Math.exp(-in.getAtIndex(F32, i)))));
            }
            case HARD_SIGMOID -> {
                for (long i = s; i < e; i++) {
                    out.setAtIndex(F32, i, Math.max(0f, Math.min(1f, alpha * in.getAtIndex(F32, i) + beta)));
                }
            }
            case HARD_SWISH -> {
                for (long i = s; i < e; i++) {
                    float v = in.getAtIndex(F32, i);
                    out.setAtIndex(F32, i, v * Math.max(0f, Math.min(1f, v / 6f + 0.5f)));
                }
            }
            case TANH -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, (float) Math.tanh(in.getAtIndex(F32, i))); }
            case ERF -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, Erf.erf(in.getAtIndex(F32, i))); }
            case SQRT -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, (float) Math.sqrt(in.getAtIndex(F32, i))); }
            case EXP -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, (float) Math.exp(in.getAtIndex(F32, i))); }
            case LOG -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, (float) Math.log(in.getAtIndex(F32, i))); }
            case NEG -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, -in.getAtIndex(F32, i)); }
            case ABS -> { for (long i = s; i < e; i++) out.setAtIndex(F32, i, Math.abs(in.getAtIndex(F32, i))); }
        }
    }

    /** One element of a wider or narrower float type, computed in double. */
    static double f64(Kind kind, double alpha, double beta, double v) {
        return switch (kind) {
            case RELU -> Math.max(v, 0.0);
            case LEAKY_RELU -> v < 0 ? alpha * v : v;
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-v));
            case HARD_SIGMOID -> Math.max(0.0, Math.min(1.0, alpha * v + beta));
            case HARD_SWISH -> v * Math.max(0.0, Math.min(1.0, v / 6.0 + 0.5));
            case TANH -> Math.tanh(v);
            case ERF -> Erf.erf(v);
            case SQRT -> Math.sqrt(v);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case NEG -> -v;
            case ABS -> Math.abs(v);
        };
    }
}
