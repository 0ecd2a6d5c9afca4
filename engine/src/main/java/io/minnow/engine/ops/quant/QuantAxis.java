package io.minnow.engine.ops.quant;

import io.minnow.formats.MinnowException;

import java.util.Arrays;

/**
 * Which scale / zero point applies to each element of a QuantizeLinear / DequantizeLinear input:
 * per tensor (scalar or one-element 1-D scale), per axis (1-D scale of {@code shape[axis]} entries, opset 13+)
 * or blocked (opset 21: scale of the input's rank whose {@code axis} dim is {@code ceil(shape[axis] / block_size)}
 * and whose other dims equal the input's).
 */
record QuantAxis(long dimAxis, long inner, long block, long scaleDimAxis, boolean perTensor) {

    /** Index into the scale (and zero-point) tensor for flat element i of the input. */
    long index(long i) {
        if (perTensor) return 0;
        long a = (i / inner) % dimAxis;
        if (block == 0) return a;
        long outer = i / (inner * dimAxis);
        return (outer * scaleDimAxis + a / block) * inner + i % inner;
    }

    /**
     * Resolves the mode from the shapes; {@code zeroShape} is null when there is no zero point.
     * Throws MinnowException (prefixed with the node) when the shapes fit no mode.
     */
    static QuantAxis of(String node, long opset, long[] x, long[] scale, long[] zeroShape, long axisAttr, long blockSize) {
        if (zeroShape != null && !Arrays.equals(scale, zeroShape)) {
            throw err(node, "zero point shape " + Arrays.toString(zeroShape) + " differs from scale shape " + Arrays.toString(scale));
        }
        long scaleCount = 1;
        for (long d : scale) scaleCount *= d;
        if (blockSize < 0) throw err(node, "block_size must not be negative, got " + blockSize);
        if (blockSize == 0 && (scale.length == 0 || (scale.length == 1 && scaleCount == 1 && (x.length == 0 || opset < 13)))) {
            return new QuantAxis(1, 1, 0, 1, true);
        }
        if (opset < 13) throw err(node, "scale must be a scalar before opset 13, got shape " + Arrays.toString(scale));
        if (x.length == 0) throw err(node, "a scalar input takes a scalar scale, got shape " + Arrays.toString(scale));
        long axis = axisAttr < 0 ? axisAttr + x.length : axisAttr;
        if (axis < 0 || axis >= x.length) throw err(node, "axis " + axisAttr + " is out of range for rank " + x.length);
        int ax = (int) axis;
        long inner = 1;
        for (int d = ax + 1; d < x.length; d++) inner *= x[d];
        if (blockSize == 0) {
            if (scale.length != 1 || scale[0] != x[ax]) {
                if (scaleCount == 1 && scale.length == 1) return new QuantAxis(1, 1, 0, 1, true);
                throw err(node, "per-axis scale must be 1-D with " + x[ax] + " entries (axis " + ax + " of "
                        + Arrays.toString(x) + "), got " + Arrays.toString(scale));
            }
            return new QuantAxis(x[ax], Math.max(inner, 1), 0, x[ax], false);
        }
        if (scale.length != x.length) {
            throw err(node, "blocked quantization needs a scale of rank " + x.length + ", got " + Arrays.toString(scale));
        }
        for (int d = 0; d < x.length; d++) {
            long want = d == ax ? Math.ceilDiv(x[d], blockSize) : x[d];
            if (scale[d] != want) {
                throw err(node, "blocked scale shape " + Arrays.toString(scale) + " does not match input " + Arrays.toString(x)
                        + " with block_size " + blockSize + " on axis " + ax);
            }
        }
        return new QuantAxis(x[ax], Math.max(inner, 1), blockSize, scale[ax], false);
    }

    static MinnowException err(String node, String what) {
        return new MinnowException("node '" + node + "': " + what);
    }
}
