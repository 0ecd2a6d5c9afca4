package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;

/**
 * Direct, obviously-correct loops the nn ops are checked against. Spatial dims are padded in front to
 * three (size 1), so one loop nest serves 1-D, 2-D and 3-D. Sums in double.
 */
final class Naive {
    private Naive() {}

    /** Spatial geometry padded to 3 dims: pads as [begin0..2, end0..2]. */
    record Geo(long[] in, long[] k, long[] s, long[] d, long[] pads, long[] out) {
        static Geo of(long[] in, long[] k, long[] s, long[] d, long[] pads, long[] out) {
            int r = in.length, o = 3 - r;
            long[] in3 = {1, 1, 1}, k3 = {1, 1, 1}, s3 = {1, 1, 1}, d3 = {1, 1, 1}, p3 = new long[6], out3 = {1, 1, 1};
            for (int i = 0; i < r; i++) {
                in3[o + i] = in[i];
                k3[o + i] = k[i];
                s3[o + i] = s[i];
                d3[o + i] = d[i];
                p3[o + i] = pads[i];
                p3[3 + o + i] = pads[r + i];
                out3[o + i] = out[i];
            }
            return new Geo(in3, k3, s3, d3, p3, out3);
        }

        long inSize() { return in[0] * in[1] * in[2]; }
        long outSize() { return out[0] * out[1] * out[2]; }
        long kSize() { return k[0] * k[1] * k[2]; }
    }

    /** floor((in + pads - dilated kernel) / stride) + 1 per dim. */
    static long[] convOut(long[] in, long[] k, long[] s, long[] d, long[] pads) {
        int r = in.length;
        long[] out = new long[r];
        for (int i = 0; i < r; i++) out[i] = Math.floorDiv(in[i] + pads[i] + pads[r + i] - ((k[i] - 1) * d[i] + 1), s[i]) + 1;
        return out;
    }

    static long[] shape(long n, long c, long[] spatial) {
        long[] s = new long[2 + spatial.length];
        s[0] = n;
        s[1] = c;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }

    static Tensor conv(Tensor x, Tensor w, Tensor b, int group, long[] s, long[] d, long[] pads) {
        int r = x.rank() - 2;
        long[] in = java.util.Arrays.copyOfRange(x.shape(), 2, 2 + r), k = java.util.Arrays.copyOfRange(w.shape(), 2, 2 + r);
        long[] out = convOut(in, k, s, d, pads);
        Geo g = Geo.of(in, k, s, d, pads, out);
        long n = x.dim(0), c = x.dim(1), m = w.dim(0), cg = c / group, mg = m / group;
        Tensor y = Tensor.allocate(DataType.FLOAT, shape(n, m, out));
        for (long b0 = 0; b0 < n; b0++) {
            for (long mo = 0; mo < m; mo++) {
                long grp = mo / mg;
                for (long o0 = 0; o0 < g.out[0]; o0++) for (long o1 = 0; o1 < g.out[1]; o1++) for (long o2 = 0; o2 < g.out[2]; o2++) {
                    double acc = b == null ? 0 : b.getFloat(mo);
                    for (long ci = 0; ci < cg; ci++) {
                        long ch = grp * cg + ci;
                        for (long k0 = 0; k0 < g.k[0]; k0++) for (long k1 = 0; k1 < g.k[1]; k1++) for (long k2 = 0; k2 < g.k[2]; k2++) {
                            long i0 = o0 * g.s[0] - g.pads[0] + k0 * g.d[0];
                            long i1 = o1 * g.s[1] - g.pads[1] + k1 * g.d[1];
                            long i2 = o2 * g.s[2] - g.pads[2] + k2 * g.d[2];
                            if (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= g.in[0] || i1 >= g.in[1] || i2 >= g.in[2]) continue;
                            double xv = x.getFloat(((b0 * c + ch) * g.in[0] + i0) * g.in[1] * g.in[2] + i1 * g.in[2] + i2);
                            double wv = w.getFloat(((mo * cg + ci) * g.k[0] + k0) * g.k[1] * g.k[2] + k1 * g.k[2] + k2);
                            acc += xv * wv;
                        }
                    }
                    y.setFloat(((b0 * m + mo) * g.out[0] + o0) * g.out[1] * g.out[2] + o1 * g.out[2] + o2, (float) acc);
                }
            }
        }
        return y;
    }

    /** ConvTranspose by scattering every input element through every kernel tap; output spatial size given. */
    static Tensor convTranspose(Tensor x, Tensor w, Tensor b, int group, long[] s, long[] d, long[] pads, long[] out) {
        int r = x.rank() - 2;
        long[] in = java.util.Arrays.copyOfRange(x.shape(), 2, 2 + r), k = java.util.Arrays.copyOfRange(w.shape(), 2, 2 + r);
        Geo g = Geo.of(in, k, s, d, pads, out);
        long n = x.dim(0), c = x.dim(1), mg = w.dim(1), m = mg * group, cg = c / group;
        double[] acc = new double[Math.toIntExact(n * m * g.outSize())];
        for (long b0 = 0; b0 < n; b0++) {
            for (long ch = 0; ch < c; ch++) {
                long grp = ch / cg;
                for (long i0 = 0; i0 < g.in[0]; i0++) for (long i1 = 0; i1 < g.in[1]; i1++) for (long i2 = 0; i2 < g.in[2]; i2++) {
                    double xv = x.getFloat(((b0 * c + ch) * g.in[0] + i0) * g.in[1] * g.in[2] + i1 * g.in[2] + i2);
                    for (long mi = 0; mi < mg; mi++) {
                        long mo = grp * mg + mi;
                        for (long k0 = 0; k0 < g.k[0]; k0++) for (long k1 = 0; k1 < g.k[1]; k1++) for (long k2 = 0; k2 < g.k[2]; k2++) {
                            long o0 = i0 * g.s[0] - g.pads[0] + k0 * g.d[0];
                            long o1 = i1 * g.s[1] - g.pads[1] + k1 * g.d[1];
                            long o2 = i2 * g.s[2] - g.pads[2] + k2 * g.d[2];
                            if (o0 < 0 || o1 < 0 || o2 < 0 || o0 >= g.out[0] || o1 >= g.out[1] || o2 >= g.out[2]) continue;
                            double wv = w.getFloat(((ch * mg + mi) * g.k[0] + k0) * g.k[1] * g.k[2] + k1 * g.k[2] + k2);
                            acc[(int) (((b0 * m + mo) * g.out[0] + o0) * g.out[1] * g.out[2] + o1 * g.out[2] + o2)] += xv * wv;
                        }
                    }
                }
            }
        }
        Tensor y = Tensor.allocate(DataType.FLOAT, shape(n, m, out));
        for (int i = 0; i < acc.length; i++) {
            long mo = i / g.outSize() % m;
            y.setFloat(i, (float) (acc[i] + (b == null ? 0 : b.getFloat(mo))));
        }
        return y;
    }

    /**
     * Max or average pool with explicit pads and output size. Average divides by the taps inside the input
     * (or, with includePad, inside input + pads). Indices (row-major flat into X) go to {@code indices}.
     */
    static Tensor pool(Tensor x, boolean max, long[] k, long[] s, long[] d, long[] pads, long[] out, boolean includePad,
                       Tensor indices) {
        int r = x.rank() - 2;
        long[] in = java.util.Arrays.copyOfRange(x.shape(), 2, 2 + r);
        Geo g = Geo.of(in, k, s, d, pads, out);
        long planes = x.dim(0) * x.dim(1);
        Tensor y = Tensor.allocate(x.type(), shape(x.dim(0), x.dim(1), out));
        long yi = 0;
        for (long p = 0; p < planes; p++) {
            for (long o0 = 0; o0 < g.out[0]; o0++) for (long o1 = 0; o1 < g.out[1]; o1++) for (long o2 = 0; o2 < g.out[2]; o2++, yi++) {
                double best = Double.NEGATIVE_INFINITY, sum = 0;
                long cnt = 0, cntPad = 0, at = -1;
                for (long k0 = 0; k0 < g.k[0]; k0++) for (long k1 = 0; k1 < g.k[1]; k1++) for (long k2 = 0; k2 < g.k[2]; k2++) {
                    long i0 = o0 * g.s[0] - g.pads[0] + k0 * g.d[0];
                    long i1 = o1 * g.s[1] - g.pads[1] + k1 * g.d[1];
                    long i2 = o2 * g.s[2] - g.pads[2] + k2 * g.d[2];
                    if (i0 < g.in[0] + g.pads[3] && i1 < g.in[1] + g.pads[4] && i2 < g.in[2] + g.pads[5]) cntPad++;
                    if (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= g.in[0] || i1 >= g.in[1] || i2 >= g.in[2]) continue;
                    long idx = (p * g.in[0] + i0) * g.in[1] * g.in[2] + i1 * g.in[2] + i2;
                    double v = x.getDouble(idx);
                    if (v > best) {
                        best = v;
                        at = idx;
                    }
                    sum += v;
                    cnt++;
                }
                y.setDouble(yi, max ? best : sum / (includePad ? cntPad : cnt));
                if (indices != null) indices.setLong(yi, at);
            }
        }
        return y;
    }
}
