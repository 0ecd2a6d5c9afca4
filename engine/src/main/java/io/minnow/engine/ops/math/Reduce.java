package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.minnow.engine.api.Tensor.F32;
import static io.minnow.engine.api.Tensor.F64;

/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2,
 * ReduceLogSum, ReduceLogSumExp.
 *
 * <p>Axes come from the {@code axes} attribute, or from optional input 1 from opset 13 (ReduceSum) / 18
 * (the others). Absent or empty axes reduce every dimension, unless {@code noop_with_empty_axes} = 1
 * (input form only), which makes the op an identity. Negative axes count from the end; repeated axes are
 * an error. {@code keepdims} (default 1) keeps reduced dimensions as 1. Reducing an empty set gives the
 * operation's identity: 0 for sums, 1 for Prod, −∞ / the type's minimum for Max, +∞ / maximum for Min,
 * NaN for a float Mean, −∞ for LogSum and LogSumExp.
 *
 * <p>Dimensions of size 1 are dropped and neighbours with the same role merged. When that leaves
 * [outer, m, inner] (one reduced block), float32 runs contiguous loops: inner = 1 reduces each output's
 * m contiguous values (in double for sums); inner &gt; 1 accumulates whole rows (Sum/Mean into double
 * scratch, Max/Min in place). Everything else walks the reduced dimensions with an odometer, in double
 * for float types and exactly in long for integers (sums wrap like C).
 */
final class Reduce implements Op {
    enum Kind { SUM, MEAN, MAX, MIN, PROD, SUM_SQUARE, L1, L2, LOG_SUM, LOG_SUM_EXP }

    private final Kind kind;
    private final String name;

    Reduce(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    private boolean axesFromInput(long opset) {
        return kind == Kind.SUM ? opset >= 13 : opset >= 18;
    }

    @Override
    public void infer(InferContext ctx) {
        DataType t = ctx.inputType(0);
        boolean boolOk = (kind == Kind.MAX || kind == Kind.MIN) && t == DataType.BOOL;
        if (!MathTypes.isNumeric(t) && !boolOk) throw ctx.error(name + " does not support " + t);
        long keepdims = MathTypes.intAttr(ctx, "keepdims", 1);
        if (keepdims != 0 && keepdims != 1) throw ctx.error("keepdims must be 0 or 1, got " + keepdims);
        long[] axes;
        boolean noop = false;
        if (axesFromInput(ctx.opset())) {
            if (ctx.attrs().has("axes")) throw ctx.error("axes is an input from opset " + ctx.opset() + ", not an attribute");
            long n = MathTypes.intAttr(ctx, "noop_with_empty_axes", 0);
            if (n != 0 && n != 1) throw ctx.error("noop_with_empty_axes must be 0 or 1, got " + n);
            noop = n == 1;
            if (ctx.hasInput(1)) {
                DataType at = ctx.inputType(1);
                if (!MathTypes.isInteger(at)) throw ctx.error("axes must be int64, got " + at);
                long[] as = ctx.inputShape(1);
                if (as != null && as.length != 1) throw ctx.error("axes must be 1-D, got shape " + Arrays.toString(as));
                Tensor a = ctx.constant(1);
                if (a == null) { // known only at run time
                    ctx.setOutput(0, t, null);
                    return;
                }
                axes = a.toLongArray();
            } else {
                axes = null;
            }
        } else {
            axes = MathTypes.intsAttr(ctx, "axes");
        }
        long[] shape = ctx.inputShape(0);
        if (shape == null) {
            ctx.setOutput(0, t, null);
            return;
        }
        boolean[] reduced = reducedDims(ctx, shape, axes, noop);
        ctx.setOutput(0, t, reduced == null ? shape : outputShape(shape, reduced, keepdims == 1));
        if (t == DataType.FLOAT && reduced != null) {
            long[] v = simpleView(shape, reduced);
            if (v != null && v[2] > 1 && (kind == Kind.SUM || kind == Kind.MEAN)) ctx.requestScratch(8 * v[2]);
        }
    }

    /** Which dims are reduced; null for the noop identity. */
    private static boolean[] reducedDims(InferContext ctx, long[] shape, long[] axes, boolean noop) {
        int r = shape.length;
        boolean[] red = new boolean[r];
        if (axes == null || axes.length == 0) {
            if (noop) return null;
            Arrays.fill(red, true);
            return red;
        }
        for (long a : axes) {
            long n = a < 0 ? a + r : a;
            if (n < 0 || n >= r) throw err(ctx, "axis " + a + " is out of range for rank " + r);
            if (red[(int) n]) throw err(ctx, "axis " + a + " is repeated in axes " + Arrays.toString(axes));
            red[(int) n] = true;
        }
        return red;
    }

    private static RuntimeException err(InferContext ctx, String what) {
        return ctx == null ? new io.minnow.formats.MinnowException(what) : ctx.error(what);
    }

    private static long[] outputShape(long[] shape, boolean[] reduced, boolean keep) {
        long[] out = new long[shape.length];
        int m = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) out[m++] = shape[d];
            else if (keep) out[m++] = 1;
        }
        return Arrays.copyOf(out, m);
    }

    /** Coalesced groups: {size, stride, reduced(0/1)} per group, size-1 dims dropped, same roles merged. */
    private static List<long[]> groups(long[] shape, boolean[] reduced) {
        List<long[]> gs = new ArrayList<>();
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1) {
                long role = reduced[d] ? 1 : 0;
                long[] last = gs.isEmpty() ? null : gs.get(0);
                if (last != null && last[2] == role) { // merge with the (inner) group just after
                    last[0] *= shape[d]; // the stride of the inner group stays
                } else {
                    gs.add(0, new long[]{shape[d], stride, role});
                }
            }
            stride *= shape[d];
        }
        return gs;
    }

    /** {outer, m, inner} when the reduced dims form one block (after coalescing); else null. */
    private static long[] simpleView(long[] shape, boolean[] reduced) {
        List<long[]> gs = groups(shape, reduced);
        long outer = 1, m = 1, inner = 1;
        int reducedGroups = 0, i = 0;
        if (i < gs.size() && gs.get(i)[2] == 0) outer = gs.get(i++)[0];
        if (i < gs.size() && gs.get(i)[2] == 1) { m = gs.get(i++)[0]; reducedGroups++; }
        if (i < gs.size() && gs.get(i)[2] == 0) inner = gs.get(i++)[0];
        if (i != gs.size() || reducedGroups > 1) return null;
        return new long[]{outer, m, inner};
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] axes;
        boolean noop = false;
        if (axesFromInput(ctx.opset())) {
            Tensor a = ctx.input(1);
            axes = a == null ? null : a.toLongArray();
            noop = ctx.attrs().getInt("noop_with_empty_axes", 0) == 1;
        } else {
            axes = ctx.attrs().getInts("axes", null);
        }
        long[] shape = x.shape();
        boolean[] reduced = reducedDims(null, shape, axes, noop);
        if (reduced == null) {
            MemorySegment.copy(x.data(), 0, y.data(), 0, x.byteSize());
            return;
        }
        if (y.size() == 0) return;
        long[] v = simpleView(shape, reduced);
        if (x.type() == DataType.FLOAT && v != null) {
            if (v[2] == 1) {
                long m = v[1];
                MemorySegment in = x.data(), out = y.data();
                Broadcast.walkRange(v[0] * Math.max(1, m), ctx.parallel(), (s, e) -> {
                    // chunk boundaries in elements, mapped to whole outputs
                    long o0 = m == 0 ? s : (s + m - 1) / m, o1 = m == 0 ? e : (e + m - 1) / m;
                    for (long o = o0; o < o1; o++) out.setAtIndex(F32, o, contiguous(kind, in, o * m, m));
                });
                return;
            }
            if (kind == Kind.SUM || kind == Kind.MEAN || kind == Kind.MAX || kind == Kind.MIN) {
                rowsF32(x.data(), y.data(), ctx.scratch(), v[0], v[1], v[2]);
                return;
            }
        }
        general(x, y, groups(shape, reduced));
    }

    /** One output from m contiguous floats. */
    static float contiguous(Kind kind, MemorySegment in, long base, long m) {
        switch (kind) {
            case MAX -> {
                float r = Float.NEGATIVE_INFINITY;
                for (long j = 0; j < m; j++) r = Math.max(r, in.getAtIndex(F32, base + j));
                return r;
            }
            case MIN -> {
                float r = Float.POSITIVE_INFINITY;
                for (long j = 0; j < m; j++) r = Math.min(r, in.getAtIndex(F32, base + j));
                return r;
            }
            case SUM, MEAN, LOG_SUM -> {
                double s = 0;
                for (long j = 0; j < m; j++) s += in.getAtIndex(F32, base + j);
                return (float) (kind == Kind.SUM ? s : kind == Kind.MEAN ? s / m : Math.log(s));
            }
            case SUM_SQUARE, L2 -> {
                double s = 0;
                for (long j = 0; j < m; j++) { double q = in.getAtIndex(F32, base + j); s += q * q; }
                return (float) (kind == Kind.L2 ? Math.sqrt(s) : s);
            }
            case L1 -> {
                double s = 0;
                for (long j = 0; j < m; j++) s += Math.abs(in.getAtIndex(F32, base + j));
                return (float) s;
            }
            case PROD -> {
                double s = 1;
                for (long j = 0; j < m; j++) s *= in.getAtIndex(F32, base + j);
                return (float) s;
            }
            case LOG_SUM_EXP -> {
                float max = Float.NEGATIVE_INFINITY;
                for (long j = 0; j < m; j++) max = Math.max(max, in.getAtIndex(F32, base + j));
                if (Float.isInfinite(max)) return max; // empty, all −∞, or a +∞ element
                double s = 0;
                for (long j = 0; j < m; j++) s += Math.exp(in.getAtIndex(F32, base + j) - max);
                return (float) (max + Math.log(s));
            }
        }
        throw new AssertionError(kind);
    }

    /** [outer, m, inner] with inner &gt; 1: accumulate whole rows (Sum/Mean in double scratch). */
    private void rowsF32(MemorySegment in, MemorySegment out, MemorySegment scratch, long outer, long m, long inner) {
        for (long o = 0; o < outer; o++) {
            long ib = o * m * inner, ob = o * inner;
            if (kind == Kind.MAX || kind == Kind.MIN) {
                boolean max = kind == Kind.MAX;
                float init = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                for (long i = 0; i < inner; i++) out.setAtIndex(F32, ob + i, init);
                for (long j = 0; j < m; j++) {
                    long row = ib + j * inner;
                    if (max) for (long i = 0; i < inner; i++) out.setAtIndex(F32, ob + i, Math.max(out.getAtIndex(F32, ob + i), in.getAtIndex(F32, row + i)));
                    else for (long i = 0; i < inner; i++) out.setAtIndex(F32, ob + i, Math.min(out.getAtIndex(F32, ob + i), in.getAtIndex(F32, row + i)));
                }
            } else {
                for (long i = 0; i < inner; i++) scratch.setAtIndex(F64, i, 0.0);
                for (long j = 0; j < m; j++) {
                    long row = ib + j * inner;
                    for (long i = 0; i < inner; i++) scratch.setAtIndex(F64, i, scratch.getAtIndex(F64, i) + in.getAtIndex(F32, row + i));
                }
                for (long i = 0; i < inner; i++) {
                    double s = scratch.getAtIndex(F64, i);
                    out.setAtIndex(F32, ob + i, (float) (kind == Kind.MEAN ? s / m : s));
                }
            }
        }
    }

    /** Any type, any axes: odometers over kept and reduced groups. */
    private void general(Tensor x, Tensor y, List<long[]> gs) {
        int nk = 0, nr = 0;
        for (long[] g : gs) if (g[2] == 1) nr++; else nk++;
        long[] ksize = new long[nk], kstride = new long[nk], rsize = new long[nr], rstride = new long[nr];
        long count = 1;
        int ki = 0, ri = 0;
        for (long[] g : gs) {
            if (g[2] == 1) { rsize[ri] = g[0]; rstride[ri++] = g[1]; count *= g[0]; }
            else { ksize[ki] = g[0]; kstride[ki++] = g[1]; }
        }
        DataType t = x.type();
        boolean floats = t.isFloat() || kind == Kind.L2 || kind == Kind.LOG_SUM || kind == Kind.LOG_SUM_EXP;
        long[] kidx = new long[nk], ridx = new long[nr];
        long base = 0;
        for (long o = 0, outs = y.size(); o < outs; o++) {
            if (floats) {
                double r = reduceDouble(x, base, count, rsize, rstride, ridx);
                y.setDouble(o, r);
            } else {
                y.setLongValue(o, reduceLong(x, base, count, rsize, rstride, ridx));
            }
            for (int g = nk - 1; g >= 0; g--) {
                base += kstride[g];
                if (++kidx[g] < ksize[g]) break;
                base -= ksize[g] * kstride[g];
                kidx[g] = 0;
            }
        }
    }

    private double reduceDouble(Tensor x, long base, long count, long[] rsize, long[] rstride, long[] ridx) {
        double acc = switch (kind) {
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            case PROD -> 1.0;
            default -> 0.0;
        };
        double max = Double.NEGATIVE_INFINITY;
        if (kind == Kind.LOG_SUM_EXP) {
            Arrays.fill(ridx, 0);
            long off = 0;
            for (long c = 0; c < count; c++) {
                max = Math.max(max, x.getDouble(base + off));
                off = step(off, rsize, rstride, ridx);
            }
            if (Double.isInfinite(max)) return max;
        }
        Arrays.fill(ridx, 0);
        long off = 0;
        for (long c = 0; c < count; c++) {
            double v = x.getDouble(base + off);
            acc = switch (kind) {
                case SUM, MEAN, LOG_SUM -> acc + v;
                case MAX -> Math.max(acc, v);
                case MIN -> Math.min(acc, v);
                case PROD -> acc * v;
                case SUM_SQUARE, L2 -> acc + v * v;
                case L1 -> acc + Math.abs(v);
                case LOG_SUM_EXP -> acc + Math.exp(v - max);
            };
            off = step(off, rsize, rstride, ridx);
        }
        return switch (kind) {
            case MEAN -> acc / count;
            case L2 -> Math.sqrt(acc);
            case LOG_SUM -> Math.log(acc);
            case LOG_SUM_EXP -> max + Math.log(acc);
            default -> acc;
        };
    }

    private long reduceLong(Tensor x, long base, long count, long[] rsize, long[] rstride, long[] ridx) {
        DataType t = x.type();
        boolean u64 = t == DataType.UINT64;
        long acc = switch (kind) {
            case MAX -> typeMin(t);
            case MIN -> typeMax(t);
            case PROD -> 1;
            default -> 0;
        };
        Arrays.fill(ridx, 0);
        long off = 0;
        for (long c = 0; c < count; c++) {
            long v = x.getLongValue(base + off);
            acc = switch (kind) {
                case MAX -> (u64 ? Long.compareUnsigned(v, acc) > 0 : v > acc) ? v : acc;
                case MIN -> (u64 ? Long.compareUnsigned(v, acc) < 0 : v < acc) ? v : acc;
                case PROD -> acc * v;
                case SUM_SQUARE -> acc + v * v;
                case L1 -> acc + (u64 ? v : Math.abs(v));
                default -> acc + v; // SUM, MEAN
            };
            off = step(off, rsize, rstride, ridx);
        }
        if (kind == Kind.MEAN) {
            if (count == 0) return 0;
            return u64 ? Long.divideUnsigned(acc, count) : acc / count;
        }
        return acc;
    }

    /** Advances the reduced-dims odometer; returns the new offset. */
    private static long step(long off, long[] rsize, long[] rstride, long[] ridx) {
        for (int g = rsize.length - 1; g >= 0; g--) {
            off += rstride[g];
            if (++ridx[g] < rsize[g]) return off;
            off -= rsize[g] * rstride[g];
            ridx[g] = 0;
        }
        return off;
    }

    private static long typeMin(DataType t) {
        return switch (t) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            default -> 0; // unsigned, bool
        };
    }

    private static long typeMax(DataType t) {
        return switch (t) {
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            case INT64 -> Long.MAX_VALUE;
            case UINT8 -> 0xFF;
            case UINT16 -> 0xFFFF;
            case UINT32 -> 0xFFFFFFFFL;
            case BOOL -> 1;
            default -> -1L; // UINT64: all bits
        };
    }
}
