package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.formats.MinnowException;

import java.util.Arrays;

/**
 * Geometry and the exact integer convolution shared by ConvInteger and QLinearConv: x {@code [N, C, D?, H?, W]},
 * w {@code [M, C/group, kD?, kH?, kW]}, 1 to 3 spatial dims (padded to 3 in front, size 1), attributes
 * auto_pad, dilations, group, kernel_shape, pads, strides as in Conv. Padding positions hold the input's zero
 * point, so they add nothing to {@code sum (x - x_zp) * (w - w_zp[m])}; they are simply skipped.
 */
final class IntConv {
    static final int DIMS = 3;
    final int rank;
    final long n, c, m, group;
    final long[] in = {1, 1, 1}, kernel = {1, 1, 1}, stride = {1, 1, 1}, dilation = {1, 1, 1};
    final long[] padBegin = new long[DIMS], out = {1, 1, 1};

    private IntConv(int rank, long n, long c, long m, long group) {
        this.rank = rank;
        this.n = n;
        this.c = c;
        this.m = m;
        this.group = group;
    }

    /** The output shape {@code [N, M, out...]}. */
    long[] outShape() {
        long[] s = new long[2 + rank];
        s[0] = n;
        s[1] = m;
        System.arraycopy(out, DIMS - rank, s, 2, rank);
        return s;
    }

    static IntConv of(String node, Attrs attrs, long[] x, long[] w) {
        if (x.length < 3 || x.length > 5) throw err(node, "input must be [N, C, spatial...] with 1 to 3 spatial dims, got " + Arrays.toString(x));
        if (w.length != x.length) throw err(node, "weight rank " + w.length + " differs from input rank " + x.length);
        int r = x.length - 2, o = DIMS - r;
        long group = attrs.getInt("group", 1);
        if (group < 1 || x[1] % group != 0 || w[0] % group != 0) {
            throw err(node, "group " + group + " must divide input channels " + x[1] + " and output channels " + w[0]);
        }
        if (w[1] * group != x[1]) throw err(node, "weight " + Arrays.toString(w) + " expects " + w[1] * group + " input channels, x has " + x[1]);
        IntConv g = new IntConv(r, x[0], x[1], w[0], group);
        long[] ks = attrs.getInts("kernel_shape", null);
        if (ks != null && !Arrays.equals(ks, Arrays.copyOfRange(w, 2, w.length))) {
            throw err(node, "kernel_shape " + Arrays.toString(ks) + " does not match weight " + Arrays.toString(w));
        }
        long[] strides = ints(node, attrs, "strides", r), dil = ints(node, attrs, "dilations", r);
        long[] pads = attrs.getInts("pads", null);
        if (pads != null && pads.length != 2 * r) throw err(node, "pads has " + pads.length + " values, expected " + 2 * r);
        String autoPad = attrs.getString("auto_pad", "NOTSET");
        for (int i = 0; i < r; i++) {
            int d = o + i;
            g.in[d] = x[2 + i];
            g.kernel[d] = w[2 + i];
            g.stride[d] = strides[i];
            g.dilation[d] = dil[i];
            if (strides[i] < 1 || dil[i] < 1) throw err(node, "strides and dilations must be positive");
            long extent = (g.kernel[d] - 1) * g.dilation[d] + 1;
            switch (autoPad) {
                case "NOTSET", "VALID" -> {
                    long pb = autoPad.equals("VALID") || pads == null ? 0 : pads[i];
                    long pe = autoPad.equals("VALID") || pads == null ? 0 : pads[i + r];
                    if (pb < 0 || pe < 0) throw err(node, "pads must not be negative, got " + Arrays.toString(pads));
                    long span = g.in[d] + pb + pe - extent;
                    if (span < 0) throw err(node, "kernel extent " + extent + " exceeds padded input " + (g.in[d] + pb + pe));
                    g.padBegin[d] = pb;
                    g.out[d] = span / g.stride[d] + 1;
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    long outN = Math.ceilDiv(g.in[d], g.stride[d]);
                    long total = Math.max(0, (outN - 1) * g.stride[d] + extent - g.in[d]);
                    g.padBegin[d] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    g.out[d] = outN;
                }
                default -> throw err(node, "unknown auto_pad '" + autoPad + "'");
            }
        }
        return g;
    }

    private static long[] ints(String node, Attrs attrs, String name, int r) {
        long[] v = attrs.getInts(name, null);
        if (v == null) {
            v = new long[r];
            Arrays.fill(v, 1);
        }
        if (v.length != r) throw err(node, name + " has " + v.length + " values, expected " + r);
        return v;
    }

    /** Calls {@code sink} with (flat output index, output channel, exact accumulator). */
    void forEach(Tensor x, long xZero, Tensor w, Tensor wZero, Sink sink) {
        long cg = c / group, mg = m / group, kSize = kernel[0] * kernel[1] * kernel[2];
        long inSize = in[0] * in[1] * in[2], outSize = out[0] * out[1] * out[2];
        long idx = 0;
        for (long b = 0; b < n; b++) {
            for (long oc = 0; oc < m; oc++) {
                long gr = oc / mg;
                long wz = IntMatMul.at(wZero, oc);
                for (long od = 0; od < out[0]; od++) {
                    for (long oh = 0; oh < out[1]; oh++) {
                        for (long ow = 0; ow < out[2]; ow++) {
                            long acc = 0;
                            for (long ic = 0; ic < cg; ic++) {
                                long xBase = (b * c + gr * cg + ic) * inSize, wBase = (oc * cg + ic) * kSize;
                                for (long kd = 0; kd < kernel[0]; kd++) {
                                    long id = od * stride[0] - padBegin[0] + kd * dilation[0];
                                    if (id < 0 || id >= in[0]) continue;
                                    for (long kh = 0; kh < kernel[1]; kh++) {
                                        long ih = oh * stride[1] - padBegin[1] + kh * dilation[1];
                                        if (ih < 0 || ih >= in[1]) continue;
                                        for (long kw = 0; kw < kernel[2]; kw++) {
                                            long iw = ow * stride[2] - padBegin[2] + kw * dilation[2];
                                            if (iw < 0 || iw >= in[2]) continue;
                                            long xv = x.getLongValue(xBase + (id * in[1] + ih) * in[2] + iw) - xZero;
                                            long wv = w.getLongValue(wBase + (kd * kernel[1] + kh) * kernel[2] + kw) - wz;
                                            acc += xv * wv;
                                        }
                                    }
                                }
                            }
                            sink.accept(idx++, oc, acc);
                        }
                    }
                }
            }
        }
        assert idx == n * m * outSize;
    }

    interface Sink {
        void accept(long index, long channel, long acc);
    }

    static MinnowException err(String node, String what) {
        return new MinnowException("node '" + node + "': " + what);
    }
}
