package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32Conv;
import io.minnow.engine.kernels.f32.F32DwConv;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Rows;
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
 * Conv (float32, 1-D/2-D/3-D): group (incl. depthwise), strides, pads, dilations, auto_pad, kernel_shape
 * from the weights, optional bias, and the fused activation epilogue.
 *
 * <p>1-D and 2-D convolutions run on the f32-conv kernel family with weights packed once per model
 * ({@link #prepare}), and depthwise ones on the f32-dwconv family; the epilogue (bias, the residual of a
 * fused Add, the activation) is fused into the kernel's store. The residual is an internal input 3, set by
 * the planner's fusion when {@code Conv → Add} can be folded ({@value #RESIDUAL_ATTR} = 1).
 *
 * <p>The generic path (3-D, or no kernel prepared): 1×1 with unit stride and no padding is one GEMM per
 * image and group straight on the input; depthwise (one input channel per group) is a direct loop per
 * output channel; everything else is im2col into scratch, in tiles of output positions, followed by GEMM.
 * Weights [M, C/g, k...] are already the row-major A operand of that GEMM.
 */
final class Conv implements Op {
    /** Internal attribute: input 3 is a residual added before the activation (see Fusion). */
    static final String RESIDUAL_ATTR = "minnow.residual";

    /** Below this many output columns per task, a conv is not split further across threads. */
    private static final int MIN_COLUMNS_PER_TASK = 64;

    /**
     * What prepare made for the step's static shapes: the geometry and fused activation (so a run does not
     * re-derive them from the attributes: ~0.5 µs per conv, a few % of a small network's batch-1 run), and,
     * where the f32-conv kernel takes the conv, that kernel and one packed weight block per group (else null).
     */
    record Prepared(F32Conv kernel, Object[] packed, Plan plan, long[] xShape, long[] wShape, FusedActivation act) {
        /** Whether this run has the shapes prepare saw (the plan prepare ran for; checked without allocating). */
        boolean matches(Tensor x, Tensor w) {
            return same(x, xShape) && same(w, wShape);
        }

        static boolean same(Tensor t, long[] shape) {
            if (t.rank() != shape.length) return false;
            for (int i = 0; i < shape.length; i++) if (t.dim(i) != shape[i]) return false;
            return true;
        }
    }
    /** Upper bound on the im2col tile, in floats (16 MiB); tests lower it to exercise tiling. */
    static volatile long colBudget = 4L << 20;

    enum Path { POINTWISE, DEPTHWISE, IM2COL }

    /** Everything execute needs, derived from shapes and attributes (validated once in infer). */
    record Plan(Window win, int n, int c, int m, int group, int cg, int mg, long kernelSize, long outPlane,
                long inPlane, Path path, int colTile) {
        long colRows() {
            return (long) cg * kernelSize;
        }
    }

    static Plan plan(String node, Attrs attrs, long[] x, long[] w, long[] b) {
        if (x.length < 3) throw Window.err(node, "X must have rank >= 3 (N, C, spatial...), got " + Arrays.toString(x));
        if (w.length != x.length) {
            throw Window.err(node, "W rank " + w.length + " differs from X rank " + x.length + " (" + Arrays.toString(w) + ")");
        }
        long group = attrs.getInt("group", 1);
        long c = x[1], m = w[0];
        if (group < 1) throw Window.err(node, "group must be >= 1, got " + group);
        if (c % group != 0 || w[1] * group != c) {
            throw Window.err(node, "input channels " + c + " != W channels " + w[1] + " x group " + group);
        }
        if (m % group != 0) throw Window.err(node, "output channels " + m + " are not divisible by group " + group);
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] ks = attrs.getInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, kernel)) {
            throw Window.err(node, "kernel_shape " + Arrays.toString(ks) + " does not match W " + Arrays.toString(w));
        }
        if (b != null && (b.length != 1 || b[0] != m)) {
            throw Window.err(node, "B must have shape [" + m + "], got " + Arrays.toString(b));
        }
        Window win = Window.forward(node, attrs, Arrays.copyOfRange(x, 2, x.length), kernel, false, true);
        int cg = (int) (c / group), mg = (int) (m / group);
        long k = win.kernelSize(), outPlane = win.outSize();
        Path path = k == 1 && win.unitStrideNoPad() ? Path.POINTWISE
                : cg == 1 && group > 1 ? Path.DEPTHWISE : Path.IM2COL;
        long rows = (long) cg * k;
        if (rows * Math.max(1, mg) > Integer.MAX_VALUE || outPlane > Integer.MAX_VALUE) {
            throw Window.err(node, "convolution too large for 32-bit GEMM dimensions");
        }
        int tile = (int) Math.max(1, Math.min(outPlane, Math.max(8, colBudget / Math.max(rows, 1))));
        return new Plan(win, Math.toIntExact(x[0]), (int) c, (int) m, (int) group, cg, mg, k, outPlane, win.inSize(),
                path, tile);
    }

    @Override
    public void infer(InferContext ctx) {
        for (int i = 0; i < 3; i++) {
            if (ctx.hasInput(i) && ctx.inputType(i) != DataType.FLOAT) {
                throw ctx.error("Conv supports float32 only; input " + i + " is " + ctx.inputType(i));
            }
        }
        if (!ctx.hasInput(1)) throw ctx.error("Conv needs inputs X and W");
        long[] x = ctx.inputShape(0), w = ctx.inputShape(1);
        Plan p = plan(ctx.nodeName(), ctx.attrs(), x, w, ctx.hasInput(2) ? ctx.inputShape(2) : null);
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = p.m;
        System.arraycopy(p.win.outShape(), 0, y, 2, x.length - 2);
        ctx.setOutput(0, DataType.FLOAT, withResidual(ctx, y));
        if (p.path == Path.IM2COL) ctx.requestScratch(p.colRows() * p.colTile * 4);
    }

    /**
     * The output shape given the conv's own {@code y}: with a fused residual that broadcasts (the Add's output shape,
     * computed on the slow path, see execute), null while the residual's shape is unknown. Any layout, as long as y
     * and the residual list their dims in the same order (broadcasting permuted dims is the permuted broadcast).
     */
    static long[] withResidual(InferContext ctx, long[] y) {
        if (!hasResidual(ctx.attrs(), ctx.inputCount())) return y;
        if (ctx.inputType(3) != DataType.FLOAT) throw ctx.error("fused residual must be float32, got " + ctx.inputType(3));
        long[] r = ctx.inputShape(3);
        if (r == null) return null; // decided at run time
        if (Arrays.equals(r, y)) return y;
        long[] out = io.minnow.engine.ops.math.Broadcast.shape(y, r);
        if (out == null) {
            throw ctx.error("conv output " + Arrays.toString(y) + " and the added " + Arrays.toString(r) + " cannot be broadcast");
        }
        return out;
    }

    static boolean hasResidual(Attrs attrs, int inputCount) {
        return inputCount > 3 && attrs.getInt(RESIDUAL_ATTR, 0) == 1;
    }

    /** The kernel-side shape of one image and group, or null for a 3-D conv (generic path). */
    static ConvShape kernelShape(Plan p) {
        Window w = p.win;
        // a 3-D conv is 2-D only when its depth is one tap at input depth 0 (a front pad would make it padding)
        if (w.in[0] != 1 || w.kernel[0] != 1 || w.out[0] != 1 || w.padBegin[0] != 0) return null;
        return new ConvShape(p.cg, (int) w.in[1], (int) w.in[2], p.mg, (int) w.out[1], (int) w.out[2],
                (int) w.kernel[1], (int) w.kernel[2], (int) w.stride[1], (int) w.stride[2], (int) w.padBegin[1],
                (int) w.padBegin[2], (int) w.dilation[1], (int) w.dilation[2]);
    }

    /**
     * The geometry for the step's shapes, and constant weights packed once for the f32-conv kernel (not for
     * depthwise convs, which use them as they are).
     */
    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        F32Conv kernel = kernels.f32Conv();
        Tensor w = ctx.constant(1);
        long[] xShape = ctx.inputShape(0);
        if (w == null || xShape == null) return null;
        Plan p = plan(ctx.nodeName(), ctx.attrs(), xShape, w.shape(), ctx.hasInput(2) ? ctx.inputShape(2) : null);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        ConvShape s = kernelShape(p);
        if (kernel == null || s == null || p.path == Path.DEPTHWISE || !kernel.supports(s)) {
            return new Prepared(null, null, p, xShape.clone(), w.shape(), act);
        }
        Object[] packed = new Object[p.group];
        long perGroup = (long) p.mg * s.k();
        for (int g = 0; g < p.group; g++) packed[g] = kernel.pack(w.data(), g * perGroup, p.mg, s.k());
        return new Prepared(kernel, packed, p, xShape.clone(), w.shape(), act);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1), b = ctx.input(2), y = ctx.output(0);
        // prepare's result is kept per node and shared by every plan of the model (other batch sizes, a batch's
        // chunks): the packed weights and the activation hold for all of them, the geometry only for its shapes
        Prepared prep = ctx.prepared() instanceof Prepared q ? q : null;
        Plan p = prep != null && prep.matches(x, w) ? prep.plan()
                : plan(ctx.nodeName(), ctx.attrs(), x.shape(), w.shape(), b == null ? null : b.shape());
        FusedActivation act = prep != null ? prep.act() : FusedActivation.of(ctx.attrs());
        Tensor r = hasResidual(ctx.attrs(), ctx.inputCount()) ? ctx.input(3) : null;
        if (y.size() == 0) return;
        if (r != null && !Arrays.equals(r.shape(), convShape(p, x.shape()))) {
            broadcastResidual(ctx, p, prep, x, w, b, r, y, act);
            return;
        }
        ConvShape one = p.c == 1 && p.group == 1 && r == null && p.kernelSize <= 9 && ctx.kernels().f32DwConv() != null ? kernelShape(p) : null;
        if (one != null) {
            singleInputChannel(ctx, p, one, ctx.kernels().f32DwConv(), x, w, b, y, act);
            return;
        }
        if (prep != null && prep.kernel() != null) {
            packed(ctx, p, prep, x, b, r, y, act);
            return;
        }
        ConvShape dwShape = p.path == Path.DEPTHWISE && p.mg == 1 ? kernelShape(p) : null;
        if (dwShape != null && ctx.kernels().f32DwConv() != null) {
            depthwiseKernel(ctx, p, dwShape, ctx.kernels().f32DwConv(), x, w, b, y, act);
            if (r != null) Epilogue.addResidual(ctx, y, r, FusedActivation.NONE);
            return;
        }
        if (r != null) {
            // generic path: the activation must follow the residual, so it is applied after the add
            executeGeneric(ctx, p, x, w, b, y, FusedActivation.NONE);
            Epilogue.addResidual(ctx, y, r, act);
            return;
        }
        executeGeneric(ctx, p, x, w, b, y, act);
    }

    private void executeGeneric(ExecContext ctx, Plan p, Tensor x, Tensor w, Tensor b, Tensor y, FusedActivation act) {
        switch (p.path) {
            case DEPTHWISE -> depthwise(ctx, p, x.data(), w.data(), b, y.data(), act);
            case POINTWISE, IM2COL -> {
                for (int n = 0; n < p.n; n++) {
                    for (int g = 0; g < p.group; g++) gemmGroup(ctx, p, x.data(), w.data(), y.data(), n, g);
                    epilogue(ctx, p, b, y.data(), n, act);
                }
            }
        }
    }

    /**
     * The f32-conv kernel path. Work is (image, group) units, each split into column ranges when there are
     * fewer units than threads; every output is computed by one task in a fixed order, so results do not
     * depend on the thread count.
     */
    private static void packed(ExecContext ctx, Plan p, Prepared prep, Tensor x, Tensor b, Tensor r, Tensor y,
                               FusedActivation act) {
        ConvShape s = kernelShape(p);
        F32Epilogue kernelEpi = F32Epilogue.of(act);
        boolean javaAct = kernelEpi == null; // an activation the kernels do not fuse: applied after
        F32Epilogue epi = javaAct ? F32Epilogue.NONE : kernelEpi;
        int units = p.n * p.group, cols = s.outPlane();
        int threads = ctx.parallel().threads();
        int chunks = threads <= 1 || units >= threads ? 1
                : Math.max(1, Math.min((threads + units - 1) / units * 2, cols / MIN_COLUMNS_PER_TASK));
        int chunkCols = (cols + chunks - 1) / chunks;
        long scratchBytes = prep.kernel().scratchBytes(s);
        MemorySegment xs = x.data(), ys = y.data();
        MemorySegment bs = b == null ? null : b.data(), rs = r == null ? null : r.data();
        ctx.parallel().forRange(units * chunks, 1, (t0, t1) -> {
            MemorySegment scratch = scratchBytes > 0 ? io.minnow.engine.exec.ThreadScratch.get(scratchBytes) : null;
            for (int t = t0; t < t1; t++) {
                int unit = t / chunks, chunk = t % chunks;
                int n = unit / p.group, g = unit % p.group;
                int c0 = chunk * chunkCols, c1 = Math.min(cols, c0 + chunkCols);
                if (c0 >= c1) continue;
                long xOff = ((long) n * p.c + (long) g * p.cg) * p.inPlane;
                long yOff = ((long) n * p.m + (long) g * p.mg) * p.outPlane;
                prep.kernel().run(s, xs, xOff, prep.packed()[g], bs, (long) g * p.mg, rs, yOff, epi, ys, yOff, c0, c1,
                        scratch);
                if (javaAct) {
                    for (int m = 0; m < p.mg; m++) act.apply(ys, yOff + (long) m * p.outPlane + c0, c1 - c0);
                }
            }
        });
    }

    /**
     * A conv with one input channel (the stem of an image network: K = kh*kw only, too short for a GEMM) as M
     * depthwise planes that all read the same input plane: one shared-input f32-dwconv call per run of
     * output channels of one image (the native kernel loads each input vector once for all of them; per
     * channel, the calls and their checks cost about as much as the few-µs plane itself).
     */
    private static void singleInputChannel(ExecContext ctx, Plan p, ConvShape s, F32DwConv kernel, Tensor x, Tensor w,
                                           Tensor b, Tensor y, FusedActivation act) {
        ConvShape plane = new ConvShape(1, s.inH(), s.inW(), 1, s.outH(), s.outW(), s.kh(), s.kw(), s.strideH(), s.strideW(),
                s.padTop(), s.padLeft(), s.dilationH(), s.dilationW());
        F32Epilogue kernelEpi = F32Epilogue.of(act);
        boolean javaAct = kernelEpi == null;
        F32Epilogue epi = javaAct ? F32Epilogue.NONE : kernelEpi;
        MemorySegment xs = x.data(), ws = w.data(), ys = y.data(), bs = b == null ? null : b.data();
        int taps = s.kh() * s.kw();
        ctx.parallel().forRange(p.n * p.m, Math.max(1, (int) (4096 / Math.max(1, p.outPlane * taps))), (q0, q1) -> {
            // split at image boundaries: a call runs output channels [c0, c1) of one image
            for (int q = q0; q < q1; ) {
                int n = q / p.m, c0 = q % p.m, c1 = Math.min(p.m, c0 + (q1 - q));
                long yBase = (long) n * p.m * p.outPlane;
                kernel.runSharedInput(plane, xs, (long) n * p.inPlane, ws, 0, bs, 0, epi, ys, yBase, c0, c1);
                if (javaAct) act.apply(ys, yBase + c0 * p.outPlane, (long) (c1 - c0) * p.outPlane);
                q += c1 - c0;
            }
        });
    }

    /** Depthwise (multiplier 1) on the f32-dwconv kernel: tasks are runs of (image, channel) planes. */
    private static void depthwiseKernel(ExecContext ctx, Plan p, ConvShape s, F32DwConv kernel, Tensor x, Tensor w,
                                        Tensor b, Tensor y, FusedActivation act) {
        F32Epilogue kernelEpi = F32Epilogue.of(act);
        boolean javaAct = kernelEpi == null;
        F32Epilogue epi = javaAct ? F32Epilogue.NONE : kernelEpi;
        int planes = p.n * p.m;
        int grain = Math.max(1, (int) (4096 / Math.max(1, p.outPlane * p.kernelSize)));
        MemorySegment xs = x.data(), ws = w.data(), ys = y.data(), bs = b == null ? null : b.data();
        ctx.parallel().forRange(planes, grain, (s0, s1) -> {
            // split at image boundaries: the kernel runs channel ranges of one image
            for (int q = s0; q < s1; ) {
                int n = q / p.m, c0 = q % p.m, c1 = Math.min(p.m, c0 + (s1 - q));
                long base = (long) n * p.m;
                kernel.run(s, xs, base * p.inPlane, ws, 0, bs, 0, epi, ys, base * p.outPlane, c0, c1);
                if (javaAct) act.apply(ys, (base + c0) * p.outPlane, (long) (c1 - c0) * p.outPlane);
                q += c1 - c0;
            }
        });
    }

    private static long[] convShape(Plan p, long[] x) {
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = p.m;
        System.arraycopy(p.win.outShape(), 0, y, 2, x.length - 2);
        return y;
    }

    /**
     * A fused Add whose other operand broadcasts (rare: fusion targets residual blocks): the conv goes to a
     * temporary, then y = act(conv + r) with NumPy broadcasting, exactly as the unfused Add would do.
     */
    private void broadcastResidual(ExecContext ctx, Plan p, Prepared prep, Tensor x, Tensor w, Tensor b, Tensor r, Tensor y,
                                   FusedActivation act) {
        Tensor conv = Tensor.allocate(DataType.FLOAT, convShape(p, x.shape()));
        if (prep != null && prep.kernel() != null) {
            packed(ctx, p, prep, x, b, null, conv, FusedActivation.NONE);
        } else {
            executeGeneric(ctx, p, x, w, b, conv, FusedActivation.NONE);
        }
        addBroadcast(ctx, conv, r, y, act);
    }

    /** y = act(conv + r) with NumPy broadcasting (any layout: both operands' dims are in the same order). */
    static void addBroadcast(ExecContext ctx, Tensor conv, Tensor r, Tensor y, FusedActivation act) {
        var bc = io.minnow.engine.ops.math.Broadcast.of(y.shape(), conv.shape(), r.shape());
        long cs = bc.innerStride(0), rs = bc.innerStride(1);
        MemorySegment cm = conv.data(), rm = r.data(), ym = y.data();
        bc.walk(ctx.parallel(), (o, in, n) -> {
            for (long i = 0; i < n; i++) {
                float v = cm.getAtIndex(F32, in[0] + i * cs) + rm.getAtIndex(F32, in[1] + i * rs);
                ym.setAtIndex(F32, o + i, act.apply(v));
            }
        });
    }

    /** Output channels [g·mg, (g+1)·mg) of image n. */
    private static void gemmGroup(ExecContext ctx, Plan p, MemorySegment x, MemorySegment w, MemorySegment y, int n, int g) {
        int rows = (int) p.colRows();
        long xOff = ((long) n * p.c + (long) g * p.cg) * p.inPlane;
        long wOff = (long) g * p.mg * rows;
        long yOff = ((long) n * p.m + (long) g * p.mg) * p.outPlane;
        int outPlane = (int) p.outPlane;
        if (p.path == Path.POINTWISE) {
            Gemms.gemm(ctx, p.mg, outPlane, rows, w, wOff, rows, x, xOff, outPlane, y, yOff, outPlane);
            return;
        }
        MemorySegment col = ctx.scratch();
        for (int p0 = 0; p0 < outPlane; p0 += p.colTile) {
            int pt = Math.min(p.colTile, outPlane - p0);
            int start = p0;
            ctx.parallel().forRange(rows, 16, (s, e) -> {
                for (int r = s; r < e; r++) im2colRow(x, xOff, p, r, start, pt, col, (long) r * pt);
            });
            Gemms.gemm(ctx, p.mg, pt, rows, w, wOff, rows, col, 0, pt, y, yOff + p0, outPlane);
        }
    }

    /**
     * Row r = (c, k0, k1, k2) of the im2col matrix for output positions [p0, p0+pt): the input value each
     * position's window sees at that kernel tap, 0 in the padding.
     */
    static void im2colRow(MemorySegment x, long xOff, Plan p, int r, long p0, int pt, MemorySegment col, long dst) {
        Window w = p.win;
        long kk = w.kernel[1] * w.kernel[2];
        long c = r / p.kernelSize, t = r % p.kernelSize;
        long k0 = t / kk, k1 = t % kk / w.kernel[2], k2 = t % w.kernel[2];
        long xc = xOff + c * p.inPlane;
        long o12 = w.out[1] * w.out[2];
        long off2 = k2 * w.dilation[2] - w.padBegin[2];
        long s2 = w.stride[2], in2 = w.in[2];
        // output columns o whose tap lands inside the row: 0 <= o*s2 + off2 < in2
        long oLo = Math.max(0, Math.ceilDiv(-off2, s2)), oHi = Math.floorDiv(in2 - 1 - off2, s2) + 1;
        long pos = p0, end = p0 + pt;
        while (pos < end) {
            long o0 = pos / o12, o1 = pos % o12 / w.out[2], o2 = pos % w.out[2];
            long len = Math.min(end - pos, w.out[2] - o2);
            long i0 = o0 * w.stride[0] - w.padBegin[0] + k0 * w.dilation[0];
            long i1 = o1 * w.stride[1] - w.padBegin[1] + k1 * w.dilation[1];
            if (i0 < 0 || i0 >= w.in[0] || i1 < 0 || i1 >= w.in[1]) {
                zero(col, dst, len);
            } else {
                long lo = Math.min(Math.max(o2, oLo), o2 + len), hi = Math.max(lo, Math.min(o2 + len, oHi));
                zero(col, dst, lo - o2);
                long src = xc + (i0 * w.in[1] + i1) * in2 + off2;
                long d = dst + (lo - o2);
                if (s2 == 1) {
                    if (hi > lo) MemorySegment.copy(x, (src + lo) * 4, col, d * 4, (hi - lo) * 4);
                } else {
                    for (long o = lo; o < hi; o++, d++) col.setAtIndex(F32, d, x.getAtIndex(F32, src + o * s2));
                }
                zero(col, dst + (hi - o2), o2 + len - hi);
            }
            dst += len;
            pos += len;
        }
    }

    private static void zero(MemorySegment s, long at, long count) {
        for (long i = at, e = at + count; i < e; i++) s.setAtIndex(F32, i, 0f);
    }

    private static void epilogue(ExecContext ctx, Plan p, Tensor b, MemorySegment y, int n, FusedActivation act) {
        if (b == null && act.isNone()) return;
        ctx.parallel().forRange(p.m, Math.max(1, (int) (4096 / Math.max(1, p.outPlane))), (s, e) -> {
            for (int m = s; m < e; m++) {
                Epilogue.apply(y, ((long) n * p.m + m) * p.outPlane, p.outPlane, b != null, b == null ? 0f : b.getFloat(m), act);
            }
        });
    }

    /** Per-thread buffers of the depthwise path: [0] the zero-padded input plane, [1] one output row, [2] the flat whole-plane result. */
    private static final ThreadLocal<float[][]> DW = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0], new float[0]});

    /**
     * Depthwise: output channel m reads only input channel m / mg. The input plane is copied once into a
     * zero-padded array, so the tap loops run without bounds tests over heap arrays (which C2 vectorises);
     * each output row accumulates its taps in (k0, k1, k2) order, then gets bias and activation.
     */
    private static void depthwise(ExecContext ctx, Plan p, MemorySegment x, MemorySegment w, Tensor b, MemorySegment y,
                                  FusedActivation act) {
        Window win = p.win;
        int planes = p.n * p.m;
        int out2 = (int) win.out[2];
        int s2 = (int) win.stride[2];
        int d0 = (int) (win.in[0] + win.padBegin[0] + win.padEnd[0]);
        int d1 = (int) (win.in[1] + win.padBegin[1] + win.padEnd[1]);
        int d2 = (int) (win.in[2] + win.padBegin[2] + win.padEnd[2]);
        int padded = d0 * d1 * d2;
        int bits = F32Rows.bitsFor(ctx.kernels().config().vectorWidthCap());
        // Length of the flat stride-1 result for the whole-plane form (2-D/1-D only; 0 = use the row form).
        int flatLen = d0 != 1 || win.kernel[0] != 1 ? 0
                : (int) ((d1 - win.extent(1)) * d2 + (d2 - win.extent(2)) + 1);
        ctx.parallel().forRange(planes, Math.max(1, (int) (2048 / Math.max(1, p.outPlane * p.kernelSize))), (s, e) -> {
            float[][] buf = DW.get();
            if (buf[0].length < padded) buf[0] = new float[padded];
            if (buf[1].length < out2) buf[1] = new float[out2];
            float[] xp = buf[0], acc = buf[1];
            int lastChannel = -1, lastImage = -1;
            for (int plane = s; plane < e; plane++) {
                int n = plane / p.m, m = plane % p.m, ch = m / p.mg;
                if (ch != lastChannel || n != lastImage) { // channel multipliers share one padded plane
                    fillPadded(x, ((long) n * p.c + ch) * p.inPlane, win, xp, d1, d2);
                    lastChannel = ch;
                    lastImage = n;
                }
                long yBase = (long) plane * p.outPlane;
                long wBase = (long) m * p.kernelSize;
                float bias = b == null ? 0f : b.getFloat(m);
                if (flatLen > 0) {
                    // Whole-plane form: each tap is one long axpy over the padded plane read as a flat row
                    // (row pitch d2), giving the stride-1 result at every padded position; the strided
                    // outputs are then picked out. Same tap order as below, so the same sums; it wins
                    // on the small planes of MobileNet-style nets, where per-row calls cost more than math.
                    if (buf[2].length < flatLen) buf[2] = new float[flatLen];
                    float[] flat = buf[2];
                    java.util.Arrays.fill(flat, 0, flatLen, 0f);
                    for (int k1 = 0; k1 < win.kernel[1]; k1++) {
                        for (int k2 = 0; k2 < win.kernel[2]; k2++) {
                            float wv = w.getAtIndex(F32, wBase + (long) k1 * win.kernel[2] + k2);
                            int off = (int) (k1 * win.dilation[1] * d2 + k2 * win.dilation[2]);
                            F32Rows.axpy(bits, wv, xp, off, flat, 0, flatLen);
                        }
                    }
                    int s1 = (int) win.stride[1];
                    for (int o1 = 0; o1 < win.out[1]; o1++) {
                        int src = o1 * s1 * d2;
                        long yRow = yBase + (long) o1 * out2;
                        if (s2 == 1) {
                            MemorySegment.copy(flat, src, y, F32, yRow * 4, out2);
                        } else {
                            for (int o2 = 0; o2 < out2; o2++) acc[o2] = flat[src + o2 * s2];
                            MemorySegment.copy(acc, 0, y, F32, yRow * 4, out2);
                        }
                    }
                    Epilogue.apply(y, yBase, p.outPlane, b != null, bias, act);
                    continue;
                }
                for (int o0 = 0; o0 < win.out[0]; o0++) {
                    for (int o1 = 0; o1 < win.out[1]; o1++) {
                        java.util.Arrays.fill(acc, 0, out2, 0f);
                        for (int k0 = 0; k0 < win.kernel[0]; k0++) {
                            int i0 = (int) (o0 * win.stride[0] + k0 * win.dilation[0]);
                            for (int k1 = 0; k1 < win.kernel[1]; k1++) {
                                int i1 = (int) (o1 * win.stride[1] + k1 * win.dilation[1]);
                                int row = (i0 * d1 + i1) * d2;
                                long wRow = wBase + (k0 * win.kernel[1] + k1) * win.kernel[2];
                                for (int k2 = 0; k2 < win.kernel[2]; k2++) {
                                    float wv = w.getAtIndex(F32, wRow + k2);
                                    int base = row + (int) (k2 * win.dilation[2]);
                                    if (s2 == 1) {
                                        F32Rows.axpy(bits, wv, xp, base, acc, 0, out2);
                                    } else {
                                        for (int o2 = 0; o2 < out2; o2++) acc[o2] += wv * xp[base + o2 * s2];
                                    }
                                }
                            }
                        }
                        long yRow = yBase + ((long) o0 * win.out[1] + o1) * out2;
                        MemorySegment.copy(acc, 0, y, F32, yRow * 4, out2);
                        Epilogue.apply(y, yRow, out2, b != null, bias, act);
                    }
                }
            }
        });
    }

    /** Copies one input plane into xp with the window's padding as zeros around it. */
    private static void fillPadded(MemorySegment x, long base, Window w, float[] xp, int d1, int d2) {
        java.util.Arrays.fill(xp, 0f);
        for (int i0 = 0; i0 < w.in[0]; i0++) {
            for (int i1 = 0; i1 < w.in[1]; i1++) {
                long src = base + (i0 * w.in[1] + i1) * w.in[2];
                int dst = (int) (((i0 + w.padBegin[0]) * d1 + i1 + w.padBegin[1]) * d2 + w.padBegin[2]);
                MemorySegment.copy(x, F32, src * 4, xp, dst, (int) w.in[2]);
            }
        }
    }
}
