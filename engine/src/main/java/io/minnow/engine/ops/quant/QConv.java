package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.ThreadScratch;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.q8.Qs8ConvPairs;
import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.kernels.q8.Qs8Im2col;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * {@code io.minnow:QConv}: a Conv (1 to 3 spatial dims, groups, strides, pads, dilations — ONNX Conv's attributes)
 * whose weight is int8 ({@link QOps#WEIGHT}, q8 rows = output channels). The input is quantized once per run into
 * scratch; then, per image, group and tile of output positions, the 8-bit patches are gathered (padding holds the
 * zero point, so it adds nothing) and multiplied by the qs8-gemm kernel against the packed weight rows, dequantized
 * with bias (and Relu/Clip) in its epilogue, and written back channel-major with any residual and other activation.
 * Inputs: X, optional bias [M], optional residual (same shape as Y; Fusion's {@code minnow.residual}).
 *
 * <p>Where the native qs8-conv kernel runs (library loaded, AVX2), 2-D q8 convs take {@link QConvPairs} instead: the
 * same results bit for bit without the gather, the per-call packing and the scatter. The route above serves the rest.
 */
final class QConv implements Op {
    /** Bytes of 8-bit patches per tile: sized to stay in L2 next to the packed weights. */
    private static final int TILE_BYTES = 1 << 18;

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != DataType.FLOAT) throw ctx.error("QConv input must be float32, got " + ctx.inputType(0));
        TensorData w = QWeights.weightOf(ctx);
        long[] x = ctx.inputShape(0);
        long[] y = IntConv.of(ctx.nodeName(), ctx.attrs(), x, w.dims()).outShape();
        if (hasResidual(ctx)) {
            if (ctx.inputType(2) != DataType.FLOAT) throw ctx.error("fused residual must be float32, got " + ctx.inputType(2));
            long[] r = ctx.inputShape(2);
            if (!Arrays.equals(r, y)) {
                throw ctx.error("fused residual " + Arrays.toString(r) + " must have the conv output's shape " + Arrays.toString(y));
            }
        }
        ctx.setOutput(0, DataType.FLOAT, y);
        long pairs = twoD(w) ? QConvPairs.scratchBytes(IntConv.of(ctx.nodeName(), ctx.attrs(), x, w.dims())) : 0;
        ctx.requestScratch(Math.max(Tensor.elementCount(x), pairs)); // the quantized input (NHWC codes or pair planes)
    }

    /** A 2-D conv (weight [M, C/g, kH, kW]): the NHWC path, weights packed in (ky, kx, ic) column order. */
    private static boolean twoD(TensorData w) {
        return w.rank() == 4;
    }

    private static boolean hasResidual(InferContext ctx) {
        return ctx.inputCount() > 2 && ctx.hasInput(2) && ctx.attrs().getInt("minnow.residual", 0) == 1;
    }

    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        int m = Math.toIntExact(QWeights.weightOf(ctx).dims()[0]);
        int group = Math.toIntExact(ctx.attrs().getInt("group", 1));
        TensorData wt = QWeights.weightOf(ctx);
        if (wt.encoding() == io.minnow.formats.Encoding.Q4) {
            long[] d = wt.dims();
            for (int i = 2; i < d.length; i++) if (d[i] != 1) throw ctx.error("int4 weights run 1x1 convs only, not kernel " + Arrays.toString(d));
            if (group != 1) throw ctx.error("int4 weights run ungrouped convs only (group " + group + ")");
            return Q4Weights.prepare(ctx, kernels, wt, QWeights.bias(ctx, 1, m), hasResidual(ctx));
        }
        boolean twoD = twoD(wt);
        QWeights q8 = QWeights.prepare(ctx, kernels, group, QWeights.bias(ctx, 1, m), hasResidual(ctx), twoD);
        // the native pair-plane kernel where it runs; the gather/GEMM/scatter route below stays for the rest
        return twoD && kernels.config().nativeAllowed() && Qs8ConvPairs.available() ? QConvPairs.prepare(q8, group) : q8;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        Tensor res = ctx.inputCount() > 2 && ctx.attrs().getInt("minnow.residual", 0) == 1 ? ctx.input(2) : null;
        if (ctx.prepared() instanceof Q4Weights q4) {
            pointwiseQ4(ctx, q4, x, y, res);
            return;
        }
        if (ctx.prepared() instanceof QConvPairs.Prepared p) {
            QConvPairs.execute(ctx, p, IntConv.of(ctx.nodeName(), ctx.attrs(), x.shape(), p.q8().weight().dims()), x, y, res);
            return;
        }
        QWeights w = (QWeights) ctx.prepared();
        IntConv geo = IntConv.of(ctx.nodeName(), ctx.attrs(), x.shape(), w.weight().dims());
        int group = (int) geo.group, mg = (int) (geo.m / group), k = w.k();
        int outSize = (int) (geo.out[0] * geo.out[1] * geo.out[2]);
        ActQuant xq = w.xq() != null ? w.xq() : ActQuant.dynamic(x.data(), x.size());
        MemorySegment q = ctx.scratch(), xs = x.data();
        boolean useNative = ctx.kernels().config().nativeAllowed(), hwc = twoD(w.weight());
        int channels = (int) geo.c, inSize = (int) (geo.in[0] * geo.in[1] * geo.in[2]);
        if (hwc) { // per image: NCHW floats -> NHWC codes
            ctx.parallel().forRange((int) geo.n, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    long off = (long) b * channels * inSize;
                    Qs8Im2col.quantizeNhwc(useNative, xs, off, channels, inSize, xq.scale(), xq.zero(), xq.lo(), xq.hi(), q, off);
                }
            });
        } else {
            long total = x.size();
            int chunk = 1 << 16;
            ctx.parallel().forRange(Math.toIntExact((total + chunk - 1) / chunk), 1,
                    (c0, c1) -> xq.quantize(xs, q, (long) c0 * chunk, Math.min(total, (long) c1 * chunk)));
        }
        if (outSize == 0 || geo.n == 0) return;

        int tile = Math.max(16, Math.min(1024, TILE_BYTES / Math.max(1, k)));
        tile = Math.min(tile, outSize);
        int tiles = (outSize + tile - 1) / tile;
        int tasks = Math.toIntExact(geo.n * group * tiles);
        Qs8Epilogue[] epis = w.staticEpilogues(); // made once at load; only a per-run activation range needs new ones
        if (epis == null) {
            epis = new Qs8Epilogue[group];
            for (int g = 0; g < group; g++) epis[g] = w.epilogue(xq, g * mg, mg);
        }
        Qs8Epilogue[] epilogues = epis;
        // the patch geometry of each group, once per run rather than once per tile
        Qs8Im2col.Shape[] shapes = hwc ? new Qs8Im2col.Shape[group] : null;
        for (int g = 0; hwc && g < group; g++) shapes[g] = patchShape(geo, g);
        int tileRows = tile;
        // a 1x1, stride-1, unpadded, ungrouped conv reads its patches straight from the NHWC codes: no gather
        boolean direct = hwc && group == 1 && geo.kernel[1] * geo.kernel[2] == 1 && geo.stride[1] * geo.stride[2] == 1
                && geo.padBegin[1] + geo.padBegin[2] == 0 && geo.out[1] == geo.in[1] && geo.out[2] == geo.in[2];
        ctx.parallel().forRange(tasks, 1, (t0, t1) -> {
            long aBytes = ((long) tileRows * k + 63) & -64L;
            MemorySegment scratch = ThreadScratch.get(aBytes + (long) tileRows * mg * 4);
            MemorySegment a = scratch.asSlice(0, Math.max(1, (long) tileRows * k)), c = scratch.asSlice(aBytes);
            for (int t = t0; t < t1; t++) {
                int b = t / (group * tiles), g = (t / tiles) % group, p0 = (t % tiles) * tileRows;
                int rows = Math.min(tileRows, outSize - p0);
                if (direct) {
                    w.kernel().gemmPacked(rows, w.groups()[g], q, ((long) b * outSize + p0) * k, Math.max(1, k), !xq.signed(), xq.zero(),
                            epilogues[g], c, 0, mg);
                } else {
                    if (hwc) Qs8Im2col.gather(useNative, shapes[g], q, (long) b * channels * inSize, p0, rows, xq.zero(), a, k);
                    else gather3d(geo, q, (byte) xq.zero(), ((long) b * geo.c + (long) g * (geo.c / group)) * inSize, (int) (geo.c / group), p0, rows, k, a);
                    w.kernel().gemmPacked(rows, w.groups()[g], a, 0, Math.max(1, k), !xq.signed(), xq.zero(), epilogues[g], c, 0, mg);
                }
                scatter(w.act(), !w.clampInEpilogue(), c, rows, mg, y.data(), res == null ? null : res.data(),
                        ((long) b * geo.m + (long) g * mg) * outSize + p0, outSize);
            }
        });
    }

    /** Group g's patch geometry of a 2-D conv, for the NHWC gather (columns in (ky, kx, ic) order). */
    private static Qs8Im2col.Shape patchShape(IntConv geo, int g) {
        int cg = (int) (geo.c / geo.group);
        return new Qs8Im2col.Shape((int) geo.c, g * cg, cg, (int) geo.in[1], (int) geo.in[2], (int) geo.kernel[1],
                (int) geo.kernel[2], (int) geo.stride[1], (int) geo.stride[2], (int) geo.padBegin[1], (int) geo.padBegin[2],
                (int) geo.dilation[1], (int) geo.dilation[2], (int) geo.out[1], (int) geo.out[2]);
    }

    /** Any rank (1-D and 3-D convs), padded to three spatial dims. */
    private static void gather3d(IntConv geo, MemorySegment q, byte z, long base, int cg, int p0, int rows, int k, MemorySegment a) {
        long inSize = geo.in[0] * geo.in[1] * geo.in[2];
        long oh = geo.out[1], ow = geo.out[2];
        for (int r = 0; r < rows; r++) {
            long p = p0 + r, row = (long) r * k;
            long od = p / (oh * ow), ohw = p % (oh * ow), oy = ohw / ow, ox = ohw % ow;
            int col = 0;
            for (int ic = 0; ic < cg; ic++) {
                long plane = base + ic * inSize;
                for (long kd = 0; kd < geo.kernel[0]; kd++) {
                    long id = od * geo.stride[0] - geo.padBegin[0] + kd * geo.dilation[0];
                    boolean dIn = id >= 0 && id < geo.in[0];
                    for (long kh = 0; kh < geo.kernel[1]; kh++) {
                        long ih = oy * geo.stride[1] - geo.padBegin[1] + kh * geo.dilation[1];
                        boolean hIn = dIn && ih >= 0 && ih < geo.in[1];
                        long rowBase = plane + (id * geo.in[1] + ih) * geo.in[2];
                        for (long kw = 0; kw < geo.kernel[2]; kw++, col++) {
                            long iw = ox * geo.stride[2] - geo.padBegin[2] + kw * geo.dilation[2];
                            byte v = hIn && iw >= 0 && iw < geo.in[2] ? q.get(ValueLayout.JAVA_BYTE, rowBase + iw) : z;
                            a.set(ValueLayout.JAVA_BYTE, row + col, v);
                        }
                    }
                }
            }
        }
    }

    /**
     * A 1x1 conv with int4 weights: per tile of positions, the float32 input transposed to rows of channels, one q4-gemm
     * (float activations, nibbles unpacked in registers), then written back channel-major.
     */
    private static void pointwiseQ4(ExecContext ctx, Q4Weights q4, Tensor x, Tensor y, Tensor res) {
        long[] xs = x.shape();
        int images = (int) xs[0], c = (int) xs[1], m = q4.n();
        int plane = (int) (x.size() / Math.max(1, (long) images * c));
        if (q4.k() != c) throw ctx.error("int4 weight has K = " + q4.k() + " but the input has " + c + " channels");
        if (plane == 0 || images == 0) return;
        int tile = Math.min(plane, Math.max(16, (1 << 16) / Math.max(1, c)));
        int tiles = (plane + tile - 1) / tile;
        MemorySegment xd = x.data(), yd = y.data(), rd = res == null ? null : res.data();
        ctx.parallel().forRange(images * tiles, 1, (t0, t1) -> {
            long aBytes = ((long) tile * c * 4 + 63) & -64L;
            MemorySegment scratch = ThreadScratch.get(aBytes + (long) tile * m * 4);
            MemorySegment a = scratch.asSlice(0, aBytes), out = scratch.asSlice(aBytes);
            for (int t = t0; t < t1; t++) {
                int b = t / tiles, p0 = (t % tiles) * tile, rows = Math.min(tile, plane - p0);
                long base = (long) b * c * plane;
                for (int ch = 0; ch < c; ch++) {
                    for (int r = 0; r < rows; r++) a.setAtIndex(Tensor.F32, (long) r * c + ch, xd.getAtIndex(Tensor.F32, base + (long) ch * plane + p0 + r));
                }
                q4.kernel().gemm(rows, q4.packed(), 0, m, a, 0, c, q4.bias(), q4.lo(), q4.hi(), out, 0, m);
                scatter(q4.act(), !q4.clampInEpilogue(), out, rows, m, yd, rd, (long) b * m * plane + p0, plane);
            }
        });
    }

    /** c [rows x mg] (position-major) into y's channel planes at yOff, adding the residual and any activation left. */
    private static void scatter(io.minnow.engine.ops.FusedActivation act, boolean post, MemorySegment c, int rows, int mg,
                                MemorySegment y, MemorySegment res, long yOff, int plane) {
        for (int j = 0; j < mg; j++) {
            long dst = yOff + (long) j * plane;
            for (int r = 0; r < rows; r++) {
                float v = c.getAtIndex(Tensor.F32, (long) r * mg + j);
                if (res != null) v += res.getAtIndex(Tensor.F32, dst + r);
                if (post) v = act.apply(v);
                y.setAtIndex(Tensor.F32, dst + r, v);
            }
        }
    }
}
