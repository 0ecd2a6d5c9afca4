package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.f32.F32Rows;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * MaxPool and AveragePool over 1-D/2-D/3-D windows: kernel_shape, strides, pads, auto_pad, ceil_mode,
 * dilations (MaxPool 10+, AveragePool 19+), count_include_pad, storage_order and MaxPool's optional int64
 * Indices output (flat index into X, row- or column-major per storage_order).
 *
 * <p>Values are compared and summed in double, so float32, double, float16 and the 8-bit integer types
 * (MaxPool 12+) share one loop; float32 reads the segment directly. The first maximum wins ties. A window
 * with no input element (only possible with pads as large as the kernel) yields 0 (index -1) for MaxPool
 * and NaN for AveragePool without count_include_pad.
 */
final class Pool implements Op {
    /** Per-thread buffers of the float32 path: [0] column accumulator over an input row, [1] one output row. */
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    private final boolean max;

    Pool(boolean max) {
        this.max = max;
    }

    private String name() {
        return max ? "MaxPool" : "AveragePool";
    }

    Window window(String node, Attrs attrs, long opset, long[] x) {
        if (x.length < 3) throw Window.err(node, name() + " input must have rank >= 3 (N, C, spatial...), got " + Arrays.toString(x));
        long[] kernel = attrs.getInts("kernel_shape", null);
        if (kernel == null) throw Window.err(node, "missing required attribute 'kernel_shape'");
        boolean dil = max ? opset >= 10 || attrs.has("dilations") : opset >= 19 || attrs.has("dilations");
        return Window.forward(node, attrs, Arrays.copyOfRange(x, 2, x.length), kernel, attrs.getInt("ceil_mode", 0) != 0, dil);
    }

    @Override
    public void infer(InferContext ctx) {
        DataType t = ctx.inputType(0);
        boolean ok = switch (t) {
            case FLOAT, DOUBLE, FLOAT16 -> true;
            case INT8, UINT8 -> max;
            default -> false;
        };
        if (!ok) throw ctx.error(name() + " does not support type " + t);
        long[] x = ctx.inputShape(0);
        Window w = window(ctx.nodeName(), ctx.attrs(), ctx.opset(), x);
        long so = ctx.attrs().getInt("storage_order", 0);
        if (so != 0 && so != 1) throw ctx.error("storage_order must be 0 or 1, got " + so);
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = x[1];
        System.arraycopy(w.outShape(), 0, y, 2, x.length - 2);
        ctx.setOutput(0, t, y);
        if (ctx.outputCount() > 1) {
            if (!max) throw ctx.error("AveragePool has one output");
            ctx.setOutput(1, DataType.INT64, y);
        }
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0), ind = ctx.output(1);
        Window w = window(ctx.nodeName(), ctx.attrs(), ctx.opset(), x.shape());
        boolean includePad = ctx.attrs().getInt("count_include_pad", 0) != 0;
        boolean colMajor = ctx.attrs().getInt("storage_order", 0) == 1;
        long planes = x.dim(0) * x.dim(1);
        long in = w.inSize(), out = w.outSize();
        if (planes == 0 || out == 0) return;
        boolean f32 = x.type() == DataType.FLOAT;
        int grain = (int) Math.max(1, 4096 / Math.max(1, out * w.kernelSize()));
        if (f32 && ind == null && max && unpaddedPlanar(w)) {
            maxPlanar(ctx, w, x.data(), y.data(), Math.toIntExact(planes), grain);
            return;
        }
        if (f32 && ind == null) {
            fastF32(ctx, w, x.data(), y.data(), Math.toIntExact(planes), grain, includePad);
            return;
        }
        ctx.parallel().forRange(Math.toIntExact(planes), grain, (s, e) -> {
            long[] lo = new long[3], hi = new long[3], padded = new long[3];
            for (long plane = s; plane < e; plane++) {
                long xb = plane * in, yb = plane * out;
                long yi = yb;
                for (long o0 = 0; o0 < w.out[0]; o0++) {
                    taps(w, 0, o0, lo, hi, padded);
                    for (long o1 = 0; o1 < w.out[1]; o1++) {
                        taps(w, 1, o1, lo, hi, padded);
                        for (long o2 = 0; o2 < w.out[2]; o2++, yi++) {
                            taps(w, 2, o2, lo, hi, padded);
                            long cntPadded = padded[0] * padded[1] * padded[2];
                            double best = 0, sum = 0;
                            long bestAt = -1, count = 0;
                            for (long t0 = lo[0]; t0 < hi[0]; t0++) {
                                long i0 = o0 * w.stride[0] - w.padBegin[0] + t0 * w.dilation[0];
                                for (long t1 = lo[1]; t1 < hi[1]; t1++) {
                                    long i1 = o1 * w.stride[1] - w.padBegin[1] + t1 * w.dilation[1];
                                    long row = xb + (i0 * w.in[1] + i1) * w.in[2];
                                    for (long t2 = lo[2]; t2 < hi[2]; t2++) {
                                        long i2 = o2 * w.stride[2] - w.padBegin[2] + t2 * w.dilation[2];
                                        double v = f32 ? x.data().getAtIndex(F32, row + i2) : x.getDouble(row + i2);
                                        if (max) {
                                            if (bestAt < 0 || v > best) {
                                                best = v;
                                                bestAt = colMajor ? i0 + w.in[0] * (i1 + w.in[1] * i2) : (i0 * w.in[1] + i1) * w.in[2] + i2;
                                            }
                                        } else {
                                            sum += v;
                                            count++;
                                        }
                                    }
                                }
                            }
                            double r;
                            if (max) {
                                r = best;
                                if (ind != null) ind.setLong(yi, bestAt < 0 ? -1 : xb + bestAt);
                            } else {
                                r = sum / (includePad ? cntPadded : count);
                            }
                            if (f32) y.data().setAtIndex(F32, yi, (float) r);
                            else y.setDouble(yi, r);
                        }
                    }
                }
            }
        });
    }

    /** 1-D/2-D, no padding, no dilation: every window lies inside the input (LeNet/VGG/ResNet-stem pools). */
    private static boolean unpaddedPlanar(Window w) {
        if (w.in[0] != 1 || w.kernel[0] != 1 || w.out[0] != 1) return false;
        for (int d = 1; d < 3; d++) {
            if (w.padBegin[d] != 0 || w.padEnd[d] != 0 || w.dilation[d] != 1) return false;
            if ((w.out[d] - 1) * w.stride[d] + w.kernel[d] > w.in[d]) return false; // ceil_mode overhang
        }
        return true;
    }

    /**
     * MaxPool float32 when every window is inside the input: a direct loop per output, no row buffers —
     * on the small planes of CNN classifiers the per-row set-up of {@link #fastF32} costs more than the math.
     * A NaN anywhere in the window gives NaN, as with Math.max in {@link #fastF32}. 2x2 stride-2 windows
     * (the common case) go through the branch-free {@link io.minnow.engine.kernels.f32.F32MaxPool2}.
     */
    private static void maxPlanar(ExecContext ctx, Window w, MemorySegment x, MemorySegment y, int planes, int grain) {
        int inH = (int) w.in[1], inW = (int) w.in[2], outH = (int) w.out[1], outW = (int) w.out[2];
        int kh = (int) w.kernel[1], kw = (int) w.kernel[2], sh = (int) w.stride[1], sw = (int) w.stride[2];
        int in = inH * inW, out = outH * outW;
        int bits = F32Rows.bitsFor(ctx.kernels().config().vectorWidthCap());
        int[] taps = new int[kh * kw]; // offset of each window tap from the window's first element
        for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++) taps[ky * kw + kx] = ky * inW + kx;
        ctx.parallel().forRange(planes, grain, (s, e) -> {
            // whole planes through heap arrays: bulk copies in and out, bounds-check-free loops C2 compiles well
            float[][] buf = ROW.get();
            if (buf[0].length < in) buf[0] = new float[in];
            if (buf[1].length < out) buf[1] = new float[out];
            float[] xp = buf[0], yp = buf[1];
            for (long plane = s; plane < e; plane++) {
                MemorySegment.copy(x, F32, plane * in * 4, xp, 0, in);
                int yi = 0;
                for (int oy = 0; oy < outH; oy++) {
                    int rowBase = oy * sh * inW;
                    if (kh == 2 && kw == 2 && sw == 2) { // the LeNet/VGG pool: branch-free, 8 outputs per step
                        io.minnow.engine.kernels.f32.F32MaxPool2.row(bits, xp, rowBase, rowBase + inW, yp, yi, outW);
                        yi += outW;
                        continue;
                    }
                    for (int ox = 0; ox < outW; ox++, yi++) {
                        int at = rowBase + ox * sw;
                        float best = xp[at];
                        for (int t = 1; t < taps.length; t++) best = Math.max(best, xp[at + taps[t]]);
                        yp[yi] = best;
                    }
                }
                MemorySegment.copy(yp, 0, y, F32, plane * out * 4, out);
            }
        });
    }

    /**
     * float32 without indices, separably: per dim, each window's first input index and its number of taps
     * inside the input (and inside input + pads) are tabulated once; then for each output row the
     * window's input rows are combined column by column (long contiguous loops), and the result is
     * combined along the last dim per output. Averages sum in float.
     */
    private void fastF32(ExecContext ctx, Window w, MemorySegment x, MemorySegment y, int planes, int grain, boolean includePad) {
        int[][] first = new int[3][], count = new int[3][], padded = new int[3][];
        long[] lo = new long[3], hi = new long[3], pc = new long[3];
        for (int d = 0; d < 3; d++) {
            int n = (int) w.out[d];
            first[d] = new int[n];
            count[d] = new int[n];
            padded[d] = new int[n];
            for (int o = 0; o < n; o++) {
                taps(w, d, o, lo, hi, pc);
                first[d][o] = (int) (o * w.stride[d] - w.padBegin[d] + lo[d] * w.dilation[d]);
                count[d][o] = (int) (hi[d] - lo[d]);
                padded[d][o] = (int) pc[d];
            }
        }
        int in1 = (int) w.in[1], in2 = (int) w.in[2];
        int dl0 = (int) w.dilation[0], dl1 = (int) w.dilation[1], dl2 = (int) w.dilation[2];
        long in = w.inSize(), out = w.outSize();
        int out2 = (int) w.out[2];
        int k2 = (int) w.kernel[2], s2 = (int) w.stride[2], pb2 = (int) w.padBegin[2];
        // interior outputs along the last dim: every tap inside the input (a contiguous range)
        int lo2 = 0;
        while (lo2 < out2 && count[2][lo2] != k2) lo2++;
        int hi2 = lo2;
        while (hi2 < out2 && count[2][hi2] == k2) hi2++;
        int iLo = lo2, iHi = hi2;
        int bits = F32Rows.bitsFor(ctx.kernels().config().vectorWidthCap());
        ctx.parallel().forRange(planes, grain, (s, e) -> {
            float[][] buf = ROW.get();
            if (buf[0].length < in2) buf[0] = new float[in2];
            if (buf[1].length < out2) buf[1] = new float[out2];
            float[] acc = buf[0], res = buf[1];
            for (long plane = s; plane < e; plane++) {
                long xb = plane * in, yi = plane * out;
                for (int o0 = 0; o0 < w.out[0]; o0++) {
                    int f0 = first[0][o0], n0 = count[0][o0];
                    for (int o1 = 0; o1 < w.out[1]; o1++, yi += out2) {
                        int f1 = first[1][o1], n1 = count[1][o1];
                        if (n0 == 0 || n1 == 0) {
                            for (int o2 = 0; o2 < out2; o2++) y.setAtIndex(F32, yi + o2, max || includePad ? 0f : Float.NaN);
                            continue;
                        }
                        // stage 1: combine the window's input rows, column by column
                        MemorySegment.copy(x, F32, (xb + ((long) f0 * in1 + f1) * in2) * 4, acc, 0, in2);
                        for (int t0 = 0; t0 < n0; t0++) {
                            for (int t1 = t0 == 0 ? 1 : 0; t1 < n1; t1++) {
                                long row = xb + ((long) (f0 + t0 * dl0) * in1 + f1 + t1 * dl1) * in2;
                                if (max) F32Rows.maxInto(bits, x, row, acc, in2);
                                else F32Rows.addInto(bits, x, row, acc, in2);
                            }
                        }
                        // stage 2: combine along the last dim; interior windows tap by tap over all outputs
                        for (int o2 = 0; o2 < out2; o2++) {
                            if (o2 == iLo) o2 = iHi;
                            if (o2 >= out2) break;
                            int f2 = first[2][o2], n2 = count[2][o2];
                            float r;
                            if (n2 == 0) {
                                r = max || includePad ? 0f : Float.NaN;
                            } else if (max) {
                                r = acc[f2];
                                for (int t2 = 1; t2 < n2; t2++) r = Math.max(r, acc[f2 + t2 * dl2]);
                            } else {
                                r = 0;
                                for (int t2 = 0; t2 < n2; t2++) r += acc[f2 + t2 * dl2];
                            }
                            res[o2] = r;
                        }
                        for (int t2 = 0; t2 < k2; t2++) {
                            int off = t2 * dl2 - pb2;
                            if (t2 == 0) {
                                for (int o2 = iLo; o2 < iHi; o2++) res[o2] = acc[o2 * s2 + off];
                            } else if (max) {
                                for (int o2 = iLo; o2 < iHi; o2++) res[o2] = Math.max(res[o2], acc[o2 * s2 + off]);
                            } else {
                                for (int o2 = iLo; o2 < iHi; o2++) res[o2] += acc[o2 * s2 + off];
                            }
                        }
                        if (!max) {
                            for (int o2 = 0; o2 < out2; o2++) {
                                long div = includePad ? (long) padded[0][o0] * padded[1][o1] * padded[2][o2]
                                        : (long) n0 * n1 * count[2][o2];
                                res[o2] /= div;
                            }
                        }
                        MemorySegment.copy(res, 0, y, F32, yi * 4, out2);
                    }
                }
            }
        });
    }

    /**
     * Kernel taps [lo, hi) of window o along padded dim d that land inside the input, and how many land
     * inside input + pads (count_include_pad: the ceil_mode overhang past the end padding does not count).
     */
    private static void taps(Window w, int d, long o, long[] lo, long[] hi, long[] padded) {
        long start = o * w.stride[d] - w.padBegin[d], dl = w.dilation[d];
        lo[d] = start < 0 ? Math.ceilDiv(-start, dl) : 0;
        hi[d] = Math.max(lo[d], Math.min(w.kernel[d], Math.ceilDiv(w.in[d] - start, dl)));
        padded[d] = Math.max(0, Math.min(w.kernel[d], Math.ceilDiv(w.in[d] + w.padEnd[d] - start, dl)));
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> SUM_SPECIES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

    /**
     * Sum of n floats from element {@code from}: lane-wise float partial sums, then the lanes and the tail in double.
     * {@code lanes} is the caller's scratch of SUM_SPECIES.length() floats: the partial sums are stored once and
     * read back, where eight {@code lane(l)} calls cost more than a 7x7 plane's whole sum (GAP at batch 64: 8192 planes).
     */
    static double sumF32(MemorySegment x, long from, long n, float[] lanes) {
        var acc = jdk.incubator.vector.FloatVector.zero(SUM_SPECIES);
        long i = 0, step = SUM_SPECIES.length();
        for (; i + step <= n; i += step) {
            acc = acc.add(jdk.incubator.vector.FloatVector.fromMemorySegment(SUM_SPECIES, x, (from + i) * 4, java.nio.ByteOrder.nativeOrder()));
        }
        acc.intoArray(lanes, 0);
        return finishSum(lanes, 0, (int) step, x, from, i, n);
    }

    /**
     * A plane's sum from its vector partial sums at lanes[l .. l + step) (a tree for 8 lanes, not a chain of 8
     * dependent adds: their latency is most of a small plane's time), then its tail floats [i, n) in order.
     */
    private static double finishSum(float[] lanes, int l, int step, MemorySegment x, long from, long i, long n) {
        double sum = 0;
        if (step == 8) {
            sum = ((double) lanes[l] + lanes[l + 1] + ((double) lanes[l + 2] + lanes[l + 3]))
                    + ((double) lanes[l + 4] + lanes[l + 5] + ((double) lanes[l + 6] + lanes[l + 7]));
        } else {
            for (int k = 0; k < step; k++) sum += lanes[l + k];
        }
        for (; i < n; i++) sum += x.getAtIndex(F32, from + i);
        return sum;
    }

    /**
     * The means of planes p .. p+3 (each {@code n} floats, consecutive from float {@code from}) into y[p .. p+3]:
     * the same vector partial sums, lane tree and tail as {@link #sumF32}, four planes interleaved.
     */
    static void sum4F32(MemorySegment x, long from, long n, float[] lanes, MemorySegment y, long p) {
        var species = SUM_SPECIES;
        var a0 = jdk.incubator.vector.FloatVector.zero(species);
        var a1 = a0;
        var a2 = a0;
        var a3 = a0;
        long i = 0, step = species.length();
        java.nio.ByteOrder order = java.nio.ByteOrder.nativeOrder();
        for (; i + step <= n; i += step) {
            a0 = a0.add(jdk.incubator.vector.FloatVector.fromMemorySegment(species, x, (from + i) * 4, order));
            a1 = a1.add(jdk.incubator.vector.FloatVector.fromMemorySegment(species, x, (from + n + i) * 4, order));
            a2 = a2.add(jdk.incubator.vector.FloatVector.fromMemorySegment(species, x, (from + 2 * n + i) * 4, order));
            a3 = a3.add(jdk.incubator.vector.FloatVector.fromMemorySegment(species, x, (from + 3 * n + i) * 4, order));
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, (int) step);
        a2.intoArray(lanes, (int) (2 * step));
        a3.intoArray(lanes, (int) (3 * step));
        for (int q = 0; q < 4; q++) {
            y.setAtIndex(F32, p + q, (float) (finishSum(lanes, (int) (q * step), (int) step, x, from + q * n, i, n) / n));
        }
    }

    /** GlobalAveragePool / GlobalMaxPool: one value per (n, c) over all spatial positions. */
    static final class Global implements Op {
        private final boolean max;

        Global(boolean max) {
            this.max = max;
        }

        @Override
        public void infer(InferContext ctx) {
            DataType t = ctx.inputType(0);
            if (t != DataType.FLOAT && t != DataType.DOUBLE && t != DataType.FLOAT16) {
                throw ctx.error((max ? "GlobalMaxPool" : "GlobalAveragePool") + " does not support type " + t);
            }
            long[] x = ctx.inputShape(0);
            if (x.length < 2) throw ctx.error("input must have rank >= 2, got " + Arrays.toString(x));
            long[] y = x.clone();
            for (int i = 2; i < y.length; i++) y[i] = 1;
            ctx.setOutput(0, t, y);
        }

        @Override
        public void execute(ExecContext ctx) {
            Tensor x = ctx.input(0), y = ctx.output(0);
            long planes = y.size();
            long plane = planes == 0 ? 0 : x.size() / planes;
            boolean f32 = x.type() == DataType.FLOAT;
            MemorySegment xd = x.data();
            if (planes == 0) return;
            if (f32 && !max) { // the common case (the head of every CNN): vector partial sums per plane
                ctx.parallel().forRange(Math.toIntExact(planes), (int) Math.max(1, 8192 / Math.max(1, plane)), (s, e) -> {
                    float[] lanes = new float[4 * SUM_SPECIES.length()];
                    long p = s;
                    // four planes at a time: four independent add chains (one plane alone is latency-bound: 7x7
                    // planes went from 62 to 9 ns each); each plane's mean is computed exactly as sumF32 computes it
                    for (; p + 4 <= e; p += 4) sum4F32(xd, p * plane, plane, lanes, y.data(), p);
                    for (; p < e; p++) y.data().setAtIndex(F32, p, (float) (sumF32(xd, p * plane, plane, lanes) / plane));
                });
                return;
            }
            ctx.parallel().forRange(Math.toIntExact(planes), (int) Math.max(1, 8192 / Math.max(1, plane)), (s, e) -> {
                for (long p = s; p < e; p++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (long i = p * plane, end = i + plane; i < end; i++) {
                        double v = f32 ? xd.getAtIndex(F32, i) : x.getDouble(i);
                        if (max) acc = v > acc || Double.isNaN(v) ? v : acc;
                        else acc += v;
                    }
                    double r = max ? acc : acc / plane;
                    if (f32) y.data().setAtIndex(F32, p, (float) r);
                    else y.setDouble(p, r);
                }
            });
        }
    }
}
