package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * ConvTranspose (float32, 1-D/2-D/3-D): group, strides, pads, dilations, output_padding, output_shape,
 * auto_pad, optional bias. Per image and group, GEMM computes col = Wᵀ·X ([M/g·k] × input positions, in
 * tiles of positions), then col2im scatters each column into the output, which starts as the bias.
 * Scratch holds Wᵀ (transposed once per run) and one col tile.
 */
final class ConvTranspose implements Op {
    record Plan(Window win, int n, int c, int m, int group, int cg, int mg, long kernelSize, long inPlane, long outPlane,
                int tile) {
        int rows() {
            return (int) (mg * kernelSize);
        }

        long wFloats() {
            return (long) c * rows();
        }
    }

    static Plan plan(String node, Attrs attrs, long[] x, long[] w, long[] b) {
        if (x.length < 3) throw Window.err(node, "X must have rank >= 3 (N, C, spatial...), got " + Arrays.toString(x));
        if (w.length != x.length) throw Window.err(node, "W rank " + w.length + " differs from X rank " + x.length);
        long group = attrs.getInt("group", 1);
        if (group < 1) throw Window.err(node, "group must be >= 1, got " + group);
        long c = x[1];
        if (w[0] != c) throw Window.err(node, "W has " + w[0] + " input channels, X has " + c);
        if (c % group != 0) throw Window.err(node, "input channels " + c + " are not divisible by group " + group);
        long m = w[1] * group;
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] ks = attrs.getInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, kernel)) {
            throw Window.err(node, "kernel_shape " + Arrays.toString(ks) + " does not match W " + Arrays.toString(w));
        }
        if (b != null && (b.length != 1 || b[0] != m)) throw Window.err(node, "B must have shape [" + m + "], got " + Arrays.toString(b));
        Window win = Window.transposed(node, attrs, Arrays.copyOfRange(x, 2, x.length), kernel);
        int mg = (int) w[1];
        long rows = mg * win.kernelSize();
        long inPlane = win.inSize();
        if (rows > Integer.MAX_VALUE || inPlane > Integer.MAX_VALUE) throw Window.err(node, "ConvTranspose too large");
        int tile = (int) Math.max(1, Math.min(inPlane, Math.max(8, Conv.colBudget / Math.max(1, rows))));
        return new Plan(win, Math.toIntExact(x[0]), (int) c, (int) m, (int) group, (int) (c / group), mg, win.kernelSize(),
                inPlane, win.outSize(), tile);
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 3; i++) {
            if (ctx.hasInput(i) && ctx.inputType(i) != DataType.FLOAT) {
                throw ctx.error("ConvTranspose supports float32 only; input " + i + " is " + ctx.inputType(i));
            }
        }
        if (!ctx.hasInput(1)) throw ctx.error("ConvTranspose needs inputs X and W");
        long[] x = ctx.inputShape(0);
        Plan p = plan(ctx.nodeName(), ctx.attrs(), x, ctx.inputShape(1), ctx.hasInput(2) ? ctx.inputShape(2) : null);
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = p.m;
        System.arraycopy(p.win.outShape(), 0, y, 2, x.length - 2);
        ctx.setOutput(0, DataType.FLOAT, y);
        ctx.requestScratch((p.wFloats() + (long) p.rows() * p.tile) * 4);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), b = ctx.input(2), y = ctx.output(0);
        Plan p = plan(ctx.nodeName(), ctx.attrs(), x.shape(), w.shape(), b == null ? null : b.shape());
        FusedActivation act = FusedActivation.of(ctx.attrs());
        if (y.size() == 0) return;
        MemorySegment yd = y.data(), xd = x.data(), scratch = ctx.scratch();
        int rows = p.rows();
        // Wᵀ per group: [rows × cg] at g·rows·cg, from W[g·cg + ci, r].
        for (int g = 0; g < p.group; g++) {
            long dst = (long) g * rows * p.cg;
            for (int ci = 0; ci < p.cg; ci++) {
                long src = (long) (g * p.cg + ci) * rows;
                for (int r = 0; r < rows; r++) scratch.setAtIndex(F32, dst + (long) r * p.cg + ci, w.getFloat(src + r));
            }
        }
        long colOff = p.wFloats();
        for (int n = 0; n < p.n; n++) {
            for (int mo = 0; mo < p.m; mo++) {
                float bias = b == null ? 0f : b.getFloat(mo);
                long base = ((long) n * p.m + mo) * p.outPlane;
                for (long i = 0; i < p.outPlane; i++) yd.setAtIndex(F32, base + i, bias);
            }
            if (p.inPlane == 0) continue;
            for (int g = 0; g < p.group; g++) {
                long xOff = ((long) n * p.c + (long) g * p.cg) * p.inPlane;
                long yOff = ((long) n * p.m + (long) g * p.mg) * p.outPlane;
                for (int q0 = 0; q0 < p.inPlane; q0 += p.tile) {
                    int qt = (int) Math.min(p.tile, p.inPlane - q0);
                    Gemms.gemm(ctx, rows, qt, p.cg, scratch, (long) g * rows * p.cg, p.cg, xd, xOff + q0, (int) p.inPlane,
                            scratch, colOff, qt);
                    int start = q0;
                    ctx.parallel().forRange(p.mg, 1, (s, e) -> {
                        for (int mo = s; mo < e; mo++) col2im(p, scratch, colOff, mo, start, qt, yd, yOff + mo * p.outPlane);
                    });
                }
            }
            if (!act.isNone()) Epilogue.apply(yd, (long) n * p.m * p.outPlane, (long) p.m * p.outPlane, false, 0f, act);
        }
    }

    /** Adds the col rows of output channel mo (taps in k0, k1, k2 order) for input positions [q0, q0+qt). */
    private static void col2im(Plan p, MemorySegment col, long colOff, int mo, long q0, int qt, MemorySegment y, long yBase) {
        Window w = p.win;
        long in12 = w.in[1] * w.in[2];
        for (long t = 0; t < p.kernelSize; t++) {
            long k0 = t / (w.kernel[1] * w.kernel[2]), k1 = t / w.kernel[2] % w.kernel[1], k2 = t % w.kernel[2];
            long src = colOff + (mo * p.kernelSize + t) * qt;
            long off2 = k2 * w.dilation[2] - w.padBegin[2], s2 = w.stride[2];
            // input columns i whose output o = i*s2 + off2 lands in [0, out2)
            long iLo = Math.max(0, Math.ceilDiv(-off2, s2)), iHi = Math.floorDiv(w.out[2] - 1 - off2, s2) + 1;
            long q = q0, end = q0 + qt;
            while (q < end) {
                long i0 = q / in12, i1 = q % in12 / w.in[2], i2 = q % w.in[2];
                long len = Math.min(end - q, w.in[2] - i2);
                long o0 = i0 * w.stride[0] - w.padBegin[0] + k0 * w.dilation[0];
                long o1 = i1 * w.stride[1] - w.padBegin[1] + k1 * w.dilation[1];
                if (o0 >= 0 && o0 < w.out[0] && o1 >= 0 && o1 < w.out[1]) {
                    long yRow = yBase + (o0 * w.out[1] + o1) * w.out[2] + off2;
                    long lo = Math.max(i2, iLo), hi = Math.min(i2 + len, iHi);
                    long s = src + (q - q0) - i2;
                    for (long i = lo; i < hi; i++) {
                        long at = yRow + i * s2;
                        y.setAtIndex(F32, at, y.getAtIndex(F32, at) + col.getAtIndex(F32, s + i));
                    }
                }
                q += len;
            }
        }
    }
}
