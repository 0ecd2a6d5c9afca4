package io.minnow.engine.ops.nn;

import io.minnow.engine.ops.Attrs;
import io.minnow.formats.MinnowException;

import java.util.Arrays;

/**
 * Sliding-window geometry shared by Conv, ConvTranspose and the pools, for 1 to 3 spatial dims. Every array
 * has 3 entries: a rank-r problem fills the last r and leaves size-1 dims in front (stride 1, no padding),
 * so kernels only ever loop over 3 dims.
 */
final class Window {
    static final int DIMS = 3;

    /** Spatial rank of the op (1..3). */
    final int rank;
    final long[] in = ones(), kernel = ones(), stride = ones(), dilation = ones();
    final long[] padBegin = new long[DIMS], padEnd = new long[DIMS], out = ones();

    private Window(int rank) {
        this.rank = rank;
    }

    private static long[] ones() {
        long[] a = new long[DIMS];
        Arrays.fill(a, 1);
        return a;
    }

    /** Effective (dilated) kernel extent along padded dim i. */
    long extent(int i) {
        return (kernel[i] - 1) * dilation[i] + 1;
    }

    long inSize() {
        return in[0] * in[1] * in[2];
    }

    long outSize() {
        return out[0] * out[1] * out[2];
    }

    long kernelSize() {
        return kernel[0] * kernel[1] * kernel[2];
    }

    boolean unitStrideNoPad() {
        for (int i = 0; i < DIMS; i++) {
            if (stride[i] != 1 || padBegin[i] != 0 || padEnd[i] != 0) return false;
        }
        return true;
    }

    /** The output spatial shape as the op declares it (r dims). */
    long[] outShape() {
        return Arrays.copyOfRange(out, DIMS - rank, DIMS);
    }

    /**
     * Reads strides, dilations, pads and auto_pad for a forward window (Conv, MaxPool, AveragePool) over
     * {@code inSpatial} with {@code kernelShape}, and computes pads and the output size.
     *
     * @param ceil     ceil_mode (pools); a last window that would start inside the end padding is dropped
     * @param dilation whether the op has a dilations attribute at all (AveragePool before opset 19 does not)
     */
    static Window forward(String node, Attrs attrs, long[] inSpatial, long[] kernelShape, boolean ceil, boolean dilation) {
        int r = inSpatial.length;
        if (r < 1 || r > DIMS) throw err(node, "only 1-D, 2-D and 3-D windows are supported, input has " + r + " spatial dims");
        if (kernelShape.length != r) {
            throw err(node, "kernel_shape " + Arrays.toString(kernelShape) + " does not match " + r + " spatial dims");
        }
        Window w = new Window(r);
        int o = DIMS - r;
        long[] strides = ints(node, attrs, "strides", r, 1);
        long[] dil = dilation ? ints(node, attrs, "dilations", r, 1) : filled(r, 1);
        long[] pads = attrs.getInts("pads", null);
        String autoPad = attrs.getString("auto_pad", "NOTSET");
        if (pads != null && pads.length != 2 * r) {
            throw err(node, "pads has " + pads.length + " values, expected " + 2 * r);
        }
        for (int i = 0; i < r; i++) {
            w.in[o + i] = inSpatial[i];
            w.kernel[o + i] = kernelShape[i];
            w.stride[o + i] = strides[i];
            w.dilation[o + i] = dil[i];
            if (kernelShape[i] < 1) throw err(node, "kernel_shape must be positive, got " + Arrays.toString(kernelShape));
            if (strides[i] < 1) throw err(node, "strides must be positive, got " + Arrays.toString(strides));
            if (dil[i] < 1) throw err(node, "dilations must be positive, got " + Arrays.toString(dil));
        }
        switch (autoPad) {
            case "NOTSET", "VALID" -> {
                for (int i = 0; i < r; i++) {
                    long pb = autoPad.equals("VALID") || pads == null ? 0 : pads[i];
                    long pe = autoPad.equals("VALID") || pads == null ? 0 : pads[i + r];
                    if (pb < 0 || pe < 0) throw err(node, "pads must not be negative, got " + Arrays.toString(pads));
                    int d = o + i;
                    w.padBegin[d] = pb;
                    w.padEnd[d] = pe;
                    long span = w.in[d] + pb + pe - w.extent(d);
                    if (span < 0) {
                        throw err(node, "kernel extent " + w.extent(d) + " exceeds padded input " + (w.in[d] + pb + pe)
                                + " in spatial dim " + i);
                    }
                    long n = ceil ? Math.ceilDiv(span, w.stride[d]) + 1 : span / w.stride[d] + 1;
                    // ceil_mode: the last window must start inside the input or the begin padding
                    if (ceil && (n - 1) * w.stride[d] >= w.in[d] + pb) n--;
                    w.out[d] = n;
                }
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < r; i++) {
                    int d = o + i;
                    long n = Math.ceilDiv(w.in[d], w.stride[d]);
                    long total = Math.max(0, (n - 1) * w.stride[d] + w.extent(d) - w.in[d]);
                    long small = total / 2;
                    w.padBegin[d] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    w.padEnd[d] = total - w.padBegin[d];
                    w.out[d] = n;
                }
            }
            default -> throw err(node, "unknown auto_pad '" + autoPad + "'");
        }
        return w;
    }

    /**
     * Geometry of ConvTranspose: output size from strides, pads, dilations, output_padding, or output_shape;
     * auto_pad SAME_UPPER puts the extra padding at the end, SAME_LOWER at the beginning (ONNX spec).
     */
    static Window transposed(String node, Attrs attrs, long[] inSpatial, long[] kernelShape) {
        int r = inSpatial.length;
        if (r < 1 || r > DIMS) throw err(node, "only 1-D, 2-D and 3-D ConvTranspose is supported, input has " + r + " spatial dims");
        Window w = new Window(r);
        int o = DIMS - r;
        long[] strides = ints(node, attrs, "strides", r, 1);
        long[] dil = ints(node, attrs, "dilations", r, 1);
        long[] outPad = ints(node, attrs, "output_padding", r, 0);
        long[] pads = attrs.getInts("pads", null);
        long[] outShape = attrs.getInts("output_shape", null);
        String autoPad = attrs.getString("auto_pad", "NOTSET");
        if (pads != null && pads.length != 2 * r) throw err(node, "pads has " + pads.length + " values, expected " + 2 * r);
        if (outShape != null) {
            if (outShape.length == r + 2) outShape = Arrays.copyOfRange(outShape, 2, r + 2);
            if (outShape.length != r) throw err(node, "output_shape " + Arrays.toString(outShape) + " does not match " + r + " spatial dims");
        }
        boolean same = autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER");
        if (!same && !autoPad.equals("NOTSET") && !autoPad.equals("VALID")) throw err(node, "unknown auto_pad '" + autoPad + "'");
        for (int i = 0; i < r; i++) {
            int d = o + i;
            w.in[d] = inSpatial[i];
            w.kernel[d] = kernelShape[i];
            w.stride[d] = strides[i];
            w.dilation[d] = dil[i];
            if (kernelShape[i] < 1 || strides[i] < 1 || dil[i] < 1) {
                throw err(node, "kernel_shape, strides and dilations must be positive");
            }
            if (outPad[i] < 0) throw err(node, "output_padding must not be negative");
            long full = strides[i] * (inSpatial[i] - 1) + outPad[i] + w.extent(d);
            if (same && pads == null) {
                long target = outShape != null ? outShape[i] : inSpatial[i] * strides[i];
                long total = full - target;
                long half = Math.floorDiv(total, 2);
                w.padBegin[d] = autoPad.equals("SAME_UPPER") ? half : total - half;
                w.padEnd[d] = total - w.padBegin[d];
                w.out[d] = target;
            } else {
                long pb = pads == null || autoPad.equals("VALID") ? 0 : pads[i];
                long pe = pads == null || autoPad.equals("VALID") ? 0 : pads[i + r];
                if (pb < 0 || pe < 0) throw err(node, "pads must not be negative, got " + Arrays.toString(pads));
                w.padBegin[d] = pb;
                w.padEnd[d] = pe;
                // With output_shape and explicit (or no) pads, the output is cut or extended at the end.
                w.out[d] = outShape != null ? outShape[i] : full - pb - pe;
            }
            if (w.out[d] < 0) throw err(node, "output size " + w.out[d] + " in spatial dim " + i + " is negative");
        }
        return w;
    }

    /** An INTS attribute of exactly r values, or r copies of dflt when absent. */
    static long[] ints(String node, Attrs attrs, String name, int r, long dflt) {
        long[] v = attrs.getInts(name, null);
        if (v == null || v.length == 0) return filled(r, dflt);
        if (v.length != r) throw err(node, name + " has " + v.length + " values, expected " + r);
        return v;
    }

    private static long[] filled(int r, long v) {
        long[] a = new long[r];
        Arrays.fill(a, v);
        return a;
    }

    static MinnowException err(String node, String what) {
        return new MinnowException("node '" + node + "': " + what);
    }
}
