package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32DwConv;
import io.minnow.engine.kernels.f32.F32DwConvReference;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32PwConv;
import io.minnow.engine.kernels.f32.F32PwConvNative;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Conv on channels-last activations (internal op {@code io.minnow.ConvNhwc}, made by {@code plan.NhwcLayout}):
 * X is [N, H, W, C], Y is [N, OH, OW, M], the optional residual (input 3) is channels-last like Y; W, B and
 * the attributes are the ONNX Conv's, unchanged. 2-D only, group 1 or depthwise (one input channel per
 * group, multiplier 1); the layout pass converts nothing else.
 *
 * <p>Why channels-last: a depthwise conv vectorised over channels needs no masks, shuffles or padded row
 * tails (the NCHW kernel spends most of a 14x14 plane on those), and a 1x1 conv becomes one GEMM over all
 * pixels, Y[NHW×M] = X[NHW×C]·Wᵀ. Three paths:
 * <ul>
 *   <li>pointwise (1×1, stride 1, no padding): that GEMM on the native f32-pwconv kernel, which reads X in
 *       place and fuses bias, residual and activation (else on the packed f32-gemm kernels);</li>
 *   <li>depthwise: the f32-dwconv family's NHWC kernel, rows of output pixels split over threads;</li>
 *   <li>anything else with group 1 (a 3×3 stem, strided 1×1): im2col of output rows — each row of the column
 *       matrix is one output pixel's taps, (ky, kx, c) in order, contiguous runs of C — then the same GEMM
 *       on weights reordered to that K order.</li>
 * </ul>
 * The epilogue order is {@link Conv}'s: bias, residual, activation; kernels without a residual input run with
 * no activation and the residual and activation follow in one pass.
 */
final class ConvNhwc implements Op {
    /** Upper bound on an im2col tile, in floats (as Conv's). */
    private static final long COL_BUDGET = 1L << 20;

    /** Prepared once per node: weights in the form its path's kernel reads, and the geometry prepare saw. */
    record Prepared(Conv.Plan plan, long[] xShape, FusedActivation act, F32DwConv dw, MemorySegment dwWeights,
                    F32PwConv pw, Object pwWeights, Gemms.PackedB gemmWeights) {}

    /** The NCHW shape of a channels-last one: [N, H, W, C] → [N, C, H, W]. */
    static long[] nchw(long[] x) {
        return new long[]{x[0], x[3], x[1], x[2]};
    }

    static Conv.Plan plan(String node, io.minnow.engine.ops.Attrs attrs, long[] x, long[] w, long[] b) {
        if (x.length != 4 || w.length != 4) {
            throw Window.err(node, "channels-last Conv is 2-D only: X " + Arrays.toString(x) + ", W " + Arrays.toString(w));
        }
        Conv.Plan p = Conv.plan(node, attrs, nchw(x), w, b);
        if (p.group() != 1 && !depthwise(p)) {
            throw Window.err(node, "channels-last Conv takes group 1 or depthwise only, got group " + p.group());
        }
        if (Conv.kernelShape(p) == null) throw Window.err(node, "channels-last Conv is 2-D only");
        return p;
    }

    private static boolean depthwise(Conv.Plan p) {
        return p.cg() == 1 && p.mg() == 1 && p.group() == p.c();
    }

    private static long[] outShape(Conv.Plan p) {
        return new long[]{p.n(), p.win().out[1], p.win().out[2], p.m()};
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 4; i++) {
            if (ctx.hasInput(i) && ctx.inputType(i) != DataType.FLOAT) {
                throw ctx.error("Conv supports float32 only; input " + i + " is " + ctx.inputType(i));
            }
        }
        if (!ctx.hasInput(1)) throw ctx.error("Conv needs inputs X and W");
        Conv.Plan p = plan(ctx.nodeName(), ctx.attrs(), ctx.inputShape(0), ctx.inputShape(1),
                ctx.hasInput(2) ? ctx.inputShape(2) : null);
        ctx.setOutput(0, DataType.FLOAT, Conv.withResidual(ctx, outShape(p))); // both channels-last
        if (!depthwise(p) && !pointwise(p)) ctx.requestScratch(colTile(p) * p.win().out[2] * p.colRows() * 4);
    }

    private static boolean pointwise(Conv.Plan p) {
        return p.path() == Conv.Path.POINTWISE && p.group() == 1;
    }

    /** Output rows (of all images, image-major) per im2col tile. */
    private static long colTile(Conv.Plan p) {
        long rows = (long) p.n() * p.win().out[1], rowFloats = p.win().out[2] * p.colRows();
        return Math.max(1, Math.min(rows, COL_BUDGET / Math.max(1, rowFloats)));
    }

    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        Tensor w = ctx.constant(1);
        long[] xShape = ctx.inputShape(0);
        if (w == null || xShape == null) return null;
        Conv.Plan p = plan(ctx.nodeName(), ctx.attrs(), xShape, w.shape(), ctx.hasInput(2) ? ctx.inputShape(2) : null);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        int taps = (int) p.kernelSize();
        if (depthwise(p)) {
            F32DwConv dw = kernels.f32DwConv() != null ? kernels.f32DwConv() : new F32DwConvReference();
            return new Prepared(p, xShape.clone(), act, dw, F32DwConv.packNhwc(w.data(), 0, p.c(), taps), null, null, null);
        }
        int k = (int) p.colRows();
        MemorySegment wt = w.data();
        if (taps > 1) { // [M][C][kh][kw] → [M][kh][kw][C]: K in the im2col row's order
            wt = Arena.ofAuto().allocate((long) p.m() * k * Float.BYTES, 64);
            for (int m = 0; m < p.m(); m++) {
                for (int c = 0; c < p.c(); c++) {
                    for (int t = 0; t < taps; t++) {
                        wt.setAtIndex(F32, (long) m * k + (long) t * p.c() + c, w.data().getAtIndex(F32, ((long) m * p.c() + c) * taps + t));
                    }
                }
            }
        }
        if (kernels.f32PwConv() instanceof F32PwConvNative pw) { // reads the activations in place, residual fused
            return new Prepared(p, xShape.clone(), act, null, null, pw, pw.pack(wt, 0, k, p.m()), null);
        }
        Gemms.PackedB pb = Gemms.PackedB.pack(kernels.f32Gemm(), wt, k, k, p.m(), true);
        return new Prepared(p, xShape.clone(), act, null, null, null, null, pb);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), b = ctx.input(2), y = ctx.output(0);
        if (!(ctx.prepared() instanceof Prepared prep)) {
            throw ctx.error("channels-last Conv needs constant weights (prepared at load)");
        }
        Conv.Plan p = Conv.Prepared.same(x, prep.xShape()) ? prep.plan()
                : plan(ctx.nodeName(), ctx.attrs(), x.shape(), ctx.input(1).shape(), b == null ? null : b.shape());
        Tensor r = Conv.hasResidual(ctx.attrs(), ctx.inputCount()) ? ctx.input(3) : null;
        if (y.size() == 0) return;
        FusedActivation act = prep.act();
        long[] convShape = outShape(p);
        if (r != null && !Arrays.equals(r.shape(), convShape)) {
            Tensor conv = Tensor.allocate(DataType.FLOAT, convShape);
            run(ctx, p, prep, x, b, null, conv, FusedActivation.NONE);
            Conv.addBroadcast(ctx, conv, r, y, act);
            return;
        }
        run(ctx, p, prep, x, b, r, y, act);
    }

    /** y = act(conv(x) + b [+ r]) on the prepared path: bias, then the residual, then the activation. */
    private static void run(ExecContext ctx, Conv.Plan p, Prepared prep, Tensor x, Tensor b, Tensor r, Tensor y,
                            FusedActivation act) {
        boolean fusesResidual = prep.pw() != null; // the other kernels have no residual input: added after them
        if (r != null && !fusesResidual) {
            run(ctx, p, prep, x, b, null, y, FusedActivation.NONE);
            Epilogue.addResidual(ctx, y, r, act);
            return;
        }
        F32Epilogue kernelEpi = F32Epilogue.of(act);
        F32Epilogue epi = kernelEpi == null ? F32Epilogue.NONE : kernelEpi;
        MemorySegment bs = b == null ? null : b.data(), rs = r == null ? null : r.data();
        if (prep.dw() != null) {
            depthwise(ctx, p, prep, x, bs, y, epi);
        } else if (pointwise(p)) {
            int m = Math.toIntExact((long) p.n() * p.inPlane());
            if (prep.pw() != null) {
                pointwiseKernel(ctx, prep, m, p.c(), p.m(), x.data(), 0, bs, rs, epi, y.data(), 0);
            } else {
                Gemms.gemmPacked(ctx, m, x.data(), 0, p.c(), prep.gemmWeights(), bs, 0, epi, y.data(), 0, p.m());
            }
        } else {
            im2colGemm(ctx, p, prep, x, bs, rs, y, epi);
        }
        if (kernelEpi == null) { // an activation the kernels do not fuse
            long size = y.size(), block = 4096;
            ctx.parallel().forRange(Math.toIntExact((size + block - 1) / block), 1, (s, e) -> {
                long from = s * block;
                act.apply(y.data(), from, Math.min(size, e * block) - from);
            });
        }
    }

    /** Tasks are runs of output rows, (image, row) flattened; a task never crosses an image. */
    private static void depthwise(ExecContext ctx, Conv.Plan p, Prepared prep, Tensor x, MemorySegment bs, Tensor y,
                                  F32Epilogue epi) {
        ConvShape s = Conv.kernelShape(p);
        int outH = s.outH();
        long inImage = (long) p.inPlane() * p.c(), outImage = (long) p.outPlane() * p.m();
        int grain = Math.max(1, (int) (16384 / Math.max(1, (long) s.outW() * p.c() * p.kernelSize())));
        MemorySegment xs = x.data(), ys = y.data();
        ctx.parallel().forRange(p.n() * outH, grain, (t0, t1) -> {
            for (int t = t0; t < t1; ) {
                int n = t / outH, oy0 = t % outH, oy1 = Math.min(outH, oy0 + (t1 - t));
                prep.dw().runNhwc(s, p.c(), xs, n * inImage, prep.dwWeights(), 0, bs, 0, epi, ys, n * outImage, oy0, oy1);
                t += oy1 - oy0;
            }
        });
    }

    /** Tiles of output rows (across images): gather each pixel's taps into a row, then one packed GEMM per tile. */
    private static void im2colGemm(ExecContext ctx, Conv.Plan p, Prepared prep, Tensor x, MemorySegment bs,
                                   MemorySegment rs, Tensor y, F32Epilogue epi) {
        ConvShape s = Conv.kernelShape(p);
        int k = (int) p.colRows(), c = p.c(), outW = s.outW();
        long rows = (long) p.n() * s.outH();
        int tile = (int) colTile(p);
        MemorySegment col = ctx.scratch(), xs = x.data();
        for (long r0 = 0; r0 < rows; r0 += tile) {
            int n = (int) Math.min(tile, rows - r0);
            long first = r0;
            ctx.parallel().forRange(n, Math.max(1, 64 / outW), (a, b) -> {
                for (int r = a; r < b; r++) gatherRow(s, c, xs, first + r, col, (long) r * outW * k);
            });
            if (prep.pw() != null) {
                pointwiseKernel(ctx, prep, n * outW, k, p.m(), col, 0, bs, rs, epi, y.data(), first * outW * p.m());
            } else {
                Gemms.gemmPacked(ctx, n * outW, col, 0, k, prep.gemmWeights(), bs, 0, epi, y.data(), first * outW * p.m(), p.m());
            }
        }
    }

    /**
     * The column-matrix rows of output row {@code row} (image-major: image row / outH, output row row % outH): for
     * each tap (ky, kx), the pixels whose tap lands inside the input copy its C channels, the others get zeros.
     * One tap at a time over the row, so the inner loop is a plain strided copy (a 1-channel stem's taps are single
     * floats: per pixel and tap bookkeeping cost more than the copy).
     */
    static void gatherRow(ConvShape s, int c, MemorySegment x, long row, MemorySegment col, long dst) {
        int outW = s.outW(), oy = (int) (row % s.outH());
        long image = row / s.outH() * s.inPlane() * (long) c;
        long k = (long) s.kh() * s.kw() * c;
        for (int ky = 0; ky < s.kh(); ky++) {
            int iy = s.inRow(oy, ky);
            boolean rowIn = iy >= 0 && iy < s.inH();
            for (int kx = 0; kx < s.kw(); kx++) {
                long tap = dst + (long) (ky * s.kw() + kx) * c;
                // pixels ox whose input column ox*sw + off lies in [0, inW)
                int off = s.inCol(0, kx), sw = s.strideW();
                int lo = rowIn ? Math.min(outW, Math.max(0, Math.ceilDiv(-off, sw))) : outW;
                int hi = rowIn ? Math.max(lo, Math.min(outW, Math.floorDiv(s.inW() - 1 - off, sw) + 1)) : outW;
                for (int ox = 0; ox < lo; ox++) zero(col, tap + ox * k, c);
                long src = image + ((long) iy * s.inW() + off) * c;
                if (c == 1) {
                    for (int ox = lo; ox < hi; ox++) col.setAtIndex(F32, tap + ox * k, x.getAtIndex(F32, src + (long) ox * sw));
                } else if (c < 16) {
                    for (int ox = lo; ox < hi; ox++) {
                        long from = src + (long) ox * sw * c, to = tap + ox * k;
                        for (int i = 0; i < c; i++) col.setAtIndex(F32, to + i, x.getAtIndex(F32, from + i));
                    }
                } else {
                    for (int ox = lo; ox < hi; ox++) MemorySegment.copy(x, (src + (long) ox * sw * c) * 4, col, (tap + ox * k) * 4, (long) c * 4);
                }
                for (int ox = Math.max(lo, hi); ox < outW; ox++) zero(col, tap + ox * k, c);
            }
        }
    }

    private static void zero(MemorySegment col, long at, int c) {
        for (int i = 0; i < c; i++) col.setAtIndex(F32, at + i, 0f);
    }

    /**
     * Y rows [0, m) = act(A·Wᵀ + bias + residual) on the f32-pwconv kernel, A read in place (k floats a row), Y and
     * the residual n floats a row from {@code yOff}; rows split over threads (each row's sums do not depend on the
     * split).
     */
    private static void pointwiseKernel(ExecContext ctx, Prepared prep, int m, int k, int n, MemorySegment a, long aOff,
                                        MemorySegment bs, MemorySegment rs, F32Epilogue epi, MemorySegment y, long yOff) {
        int grain = Math.max(8, (int) (32768 / Math.max(1L, (long) n * k)));
        ctx.parallel().forRange(m, grain, (r0, r1) -> prep.pw().run(r1 - r0, n, k, a, aOff + (long) r0 * k, k,
                prep.pwWeights(), bs, 0, rs, rs == null ? 0 : yOff + (long) r0 * n, n, epi, y, yOff + (long) r0 * n, n));
    }

}
