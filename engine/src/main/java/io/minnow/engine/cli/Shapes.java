package io.minnow.engine.cli;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ValueInfo;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Concrete input shapes from declared ones: the batch dimension, random bench inputs, dataset batches. */
final class Shapes {
    private Shapes() {}

    /** The declared first dimension when it is fixed, else -1. */
    static long fixedBatch(ValueInfo vi) {
        if (vi.shape() == null || vi.shape().isEmpty()) return -1;
        Dim d = vi.shape().get(0);
        return d.isFixed() ? d.value() : -1;
    }

    /**
     * The declared shape with the first dimension set to {@code batch}; every other dimension must be
     * fixed (a benchmark needs a concrete shape).
     */
    static long[] withBatch(ValueInfo vi, long batch) {
        List<Dim> dims = vi.shape();
        if (dims == null) throw new MinnowException("input '" + vi.name() + "' has no declared shape; cannot make an input for it");
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            Dim d = dims.get(i);
            if (i == 0 && dims.size() > 1) {
                if (d.isFixed() && d.value() != batch) {
                    throw new MinnowException("input '" + vi.name() + "' has a fixed batch size of " + d.value() + "; --batch " + batch + " does not fit");
                }
                s[i] = batch;
            } else if (d.isFixed()) {
                s[i] = d.value();
            } else {
                throw new MinnowException("input '" + vi.name() + "' has an unknown dimension " + i + " (" + d + ") in "
                        + dims + "; only the batch dimension may be symbolic");
            }
        }
        return s;
    }

    /** A tensor of this type and shape filled from a seeded generator: floats uniform in [0,1), integers 0. */
    static Tensor random(DataType type, long[] shape, long seed) {
        Tensor t = Tensor.allocate(type, shape);
        if (type.isFloat()) {
            Random r = new Random(seed);
            for (long i = 0, n = t.size(); i < n; i++) t.setDouble(i, r.nextFloat());
        }
        return t;
    }

    /**
     * Reshapes a dataset batch {@code [n,c,h,w]} to what the model declares: NCHW as is, {@code [n,c*h*w]}
     * for flat inputs, {@code [n,h,w]} for single-channel rank-3 inputs. Fixed dims must agree.
     */
    static Tensor fitImages(Tensor images, ValueInfo vi) {
        long[] s = images.shape();
        long n = s[0], c = s[1], h = s[2], w = s[3];
        if (vi.shape() == null) return images;
        long[] want = switch (vi.shape().size()) {
            case 4 -> new long[]{n, c, h, w};
            case 3 -> c == 1 ? new long[]{n, h, w} : null;
            case 2 -> new long[]{n, c * h * w};
            default -> null;
        };
        boolean ok = want != null;
        for (int i = 1; ok && i < want.length; i++) {
            Dim d = vi.shape().get(i);
            if (d.isFixed() && d.value() != want[i]) ok = false;
        }
        if (!ok) {
            throw new MinnowException("model input '" + vi.name() + "' is " + vi.shape() + ", which does not fit dataset images of "
                    + c + "x" + h + "x" + w);
        }
        return Arrays.equals(want, s) ? images : images.reshape(want);
    }
}
