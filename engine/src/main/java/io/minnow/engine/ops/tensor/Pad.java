package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * ONNX Pad, modes constant / reflect / edge / wrap (opset 19). Pads come from the {@code pads} attribute
 * before opset 11 and input 1 from 11 ([begin_0.., end_0..]); the fill from the {@code value} attribute
 * before 11, input 2 from 11; opset 18's input 3 {@code axes} limits the pads to those axes. Negative
 * pads crop.
 *
 * <p>Each output coordinate maps, per axis, to an input coordinate (or to "the constant"); the output is
 * written row by row, the part of a row that lies inside the input in one bulk copy.
 */
final class Pad implements Op {
    private static final long CONSTANT = -1; // map entry: this output coordinate takes the fill value
    private static final MemorySegment ZERO = Arena.global().allocate(8);

    private enum Mode { CONSTANT, REFLECT, EDGE, WRAP }

    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        Mode mode = mode(ctx.attrs().getString("mode", "constant"), ctx.opset(), ctx::error);
        long[] pads;
        long[] axes = null;
        if (ctx.opset() < 11) {
            pads = ctx.attrs().getInts("pads", null);
            if (pads == null) throw ctx.error("missing required attribute 'pads'");
        } else {
            if (!ctx.hasInput(1)) throw ctx.error("missing required input 'pads'");
            pads = Shapes.intsInput(ctx, 1, "pads");
            if (ctx.hasInput(2) && ctx.inputType(2) != ctx.inputType(0)) {
                throw ctx.error("constant_value is " + ctx.inputType(2) + ", data is " + ctx.inputType(0));
            }
            if (ctx.hasInput(3)) {
                axes = Shapes.intsInput(ctx, 3, "axes");
                if (axes == null) pads = null;
            }
            if (pads == null) {
                ctx.setOutput(0, ctx.inputType(0), null);
                return;
            }
        }
        long[][] be = fullPads(in.length, pads, axes, ctx::error);
        long[] out = new long[in.length];
        for (int d = 0; d < in.length; d++) {
            out[d] = in[d] + be[0][d] + be[1][d];
            if (out[d] < 0) {
                throw ctx.error("pads " + Shapes.str(pads) + " crop axis " + d + " of " + Shapes.str(in) + " below zero");
            }
            if (mode != Mode.CONSTANT && in[d] == 0 && out[d] > 0) {
                throw ctx.error("cannot pad an empty axis " + d + " in " + mode.name().toLowerCase() + " mode");
            }
        }
        ctx.setOutput(0, ctx.inputType(0), out);
    }

    private static Mode mode(String s, long opset, Function<String, MinnowException> error) {
        return switch (s) {
            case "constant" -> Mode.CONSTANT;
            case "reflect" -> Mode.REFLECT;
            case "edge" -> Mode.EDGE;
            case "wrap" -> {
                if (opset < 19) throw error.apply("mode 'wrap' needs opset 19, the model has opset " + opset);
                yield Mode.WRAP;
            }
            default -> throw error.apply("unknown mode '" + s + "' (constant, reflect, edge or wrap)");
        };
    }

    /** {begin[rank], end[rank]} from pads laid out as [begin per axis..., end per axis...]. */
    private static long[][] fullPads(int rank, long[] pads, long[] axes, Function<String, MinnowException> error) {
        long[][] be = new long[2][rank];
        int n = axes == null ? rank : axes.length;
        if (pads.length != 2 * n) {
            throw error.apply("pads " + Shapes.str(pads) + " has " + pads.length + " values, expected " + 2 * n);
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < n; i++) {
            long a = axes == null ? i : axes[i];
            if (a < -rank || a >= rank) throw error.apply("axis " + a + " is out of range for rank " + rank);
            int d = (int) (a < 0 ? a + rank : a);
            if (seen[d]) throw error.apply("axes " + Shapes.str(axes) + " repeat an axis");
            seen[d] = true;
            be[0][d] = pads[i];
            be[1][d] = pads[i + n];
        }
        return be;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        Mode mode = mode(ctx.attrs().getString("mode", "constant"), ctx.opset(), ctx::error);
        long[] pads, axes = null;
        MemorySegment fill = ZERO;
        int es = x.type().byteSize;
        if (ctx.opset() < 11) {
            pads = ctx.attrs().getInts("pads", null);
            float v = ctx.attrs().getFloat("value", 0f);
            if (v != 0 || Float.floatToRawIntBits(v) != 0) {
                Tensor t = Tensor.allocate(x.type(), 1);
                t.setDouble(0, v);
                fill = t.data();
            }
        } else {
            pads = ctx.input(1).toLongArray();
            Tensor cv = ctx.input(2);
            if (cv != null && cv.size() > 0) fill = cv.data();
            if (ctx.input(3) != null) axes = ctx.input(3).toLongArray();
        }
        long[] in = x.shape(), out = y.shape();
        int r = in.length;
        if (r == 0) {
            MemorySegment.copy(x.data(), 0, y.data(), 0, es);
            return;
        }
        long[] begin = fullPads(r, pads, axes, ctx::error)[0];
        long[][] map = new long[r][];
        for (int d = 0; d < r; d++) map[d] = axisMap(in[d], out[d], begin[d], mode);
        long[] inStrides = Shapes.strides(in);
        long rowLen = out[r - 1], n = in[r - 1], b = begin[r - 1];
        long lo = Math.clamp(b, 0L, rowLen), hi = Math.clamp(b + n, lo, rowLen); // [lo, hi): inside the input
        long rows = Shapes.product(out, 0, r - 1);
        if (rowLen == 0) return;
        MemorySegment src = x.data(), dst = y.data(), pattern = fill;
        long[] last = map[r - 1];
        Copy.forRows(ctx.parallel(), rows, rowLen, (start, end) -> {
            long[] idx = new long[r];
            long rem = start;
            for (int d = r - 2; d >= 0; d--) {
                idx[d] = rem % out[d];
                rem /= out[d];
            }
            for (long row = start; row < end; row++) {
                long dO = row * rowLen * es, so = 0;
                boolean constant = false;
                for (int d = 0; d < r - 1; d++) {
                    long m = map[d][(int) idx[d]];
                    if (m == CONSTANT) { constant = true; break; }
                    so += m * inStrides[d];
                }
                if (constant) {
                    Copy.fill(dst, dO, rowLen, pattern, es);
                } else {
                    for (long j = 0; j < lo; j++) one(src, so, last[(int) j], dst, dO + j * es, pattern, es);
                    if (hi > lo) MemorySegment.copy(src, (so + lo - b) * es, dst, dO + lo * es, (hi - lo) * es);
                    for (long j = hi; j < rowLen; j++) one(src, so, last[(int) j], dst, dO + j * es, pattern, es);
                }
                for (int d = r - 2; d >= 0; d--) { // odometer over the leading output dims
                    if (++idx[d] < out[d]) break;
                    idx[d] = 0;
                }
            }
        });
    }

    private static void one(MemorySegment src, long rowOff, long m, MemorySegment dst, long dstByte, MemorySegment pattern, int es) {
        if (m == CONSTANT) Copy.element(pattern, 0, dst, dstByte, es);
        else Copy.element(src, (rowOff + m) * es, dst, dstByte, es);
    }

    /** For each output coordinate along an axis, the input coordinate it reads, or CONSTANT. */
    static long[] axisMap(long n, long outLen, long begin, Mode mode) {
        long[] m = new long[Math.toIntExact(outLen)];
        for (int j = 0; j < m.length; j++) {
            long i = j - begin;
            if (i >= 0 && i < n) {
                m[j] = i;
                continue;
            }
            m[j] = switch (mode) {
                case CONSTANT -> CONSTANT;
                case EDGE -> i < 0 ? 0 : n - 1;
                case WRAP -> Math.floorMod(i, n);
                case REFLECT -> {
                    if (n == 1) yield 0;
                    long period = 2 * (n - 1), k = Math.floorMod(i, period);
                    yield k < n ? k : period - k;
                }
            };
        }
        return m;
    }
}
