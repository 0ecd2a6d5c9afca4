package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Set;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Resize, opsets 10–19, over any number of axes: modes nearest (nearest_mode round_prefer_floor,
 * round_prefer_ceil, floor, ceil), linear and cubic (cubic_coeff_a, exclude_outside); every
 * coordinate_transformation_mode (half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners,
 * asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize with roi and extrapolation_value); scales or sizes;
 * opset 18's axes, antialias and keep_aspect_ratio_policy. Opset 10 takes (X, scales) and behaves as
 * asymmetric, with nearest rounding down when upsampling and up when downsampling.
 *
 * <p>Each axis gets a table of input taps and weights per output index (1 tap for nearest, 2 for linear,
 * 4 for cubic, more with antialias); an output element is the weighted sum over the product of its
 * axes' taps, in double, like the ONNX reference. Input indices outside the tensor clamp to the edge.
 */
final class Resize implements Op {
    private static final Set<String> COORD = Set.of("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
            "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize");
    private static final Set<String> NEAREST = Set.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil");

    /** Output size and scale per axis; {@code length} is the resized length the coordinate formulas use. */
    record Target(long[] out, double[] scale, double[] length) {}

    private static int scalesIndex(long opset) {
        return opset < 11 ? 1 : 2;
    }

    /** An optional input that is present and not an empty placeholder tensor. */
    private static boolean given(InferContext ctx, int i) {
        if (!ctx.hasInput(i)) return false;
        long[] s = ctx.inputShape(i);
        return s == null || Tensor.elementCount(s) > 0;
    }

    private static void validate(InferContext ctx) {
        Attrs a = ctx.attrs();
        String mode = a.getString("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic")) {
            throw ctx.error("unknown mode '" + mode + "' (nearest, linear or cubic)");
        }
        if (ctx.opset() < 11 && mode.equals("cubic")) throw ctx.error("mode cubic needs opset 11");
        String coord = a.getString("coordinate_transformation_mode", "half_pixel");
        if (!COORD.contains(coord)) throw ctx.error("unknown coordinate_transformation_mode '" + coord + "'");
        String nm = a.getString("nearest_mode", "round_prefer_floor");
        if (!NEAREST.contains(nm)) throw ctx.error("unknown nearest_mode '" + nm + "'");
        String keep = a.getString("keep_aspect_ratio_policy", "stretch");
        if (!Set.of("stretch", "not_larger", "not_smaller").contains(keep)) {
            throw ctx.error("unknown keep_aspect_ratio_policy '" + keep + "'");
        }
        if (a.getInt("antialias", 0) != 0 && mode.equals("nearest")) throw ctx.error("antialias is not defined for mode nearest");
    }

    @Override
    public void infer(InferContext ctx) {
        validate(ctx);
        DataType t = ctx.inputType(0);
        long[] x = ctx.inputShape(0);
        int si = scalesIndex(ctx.opset());
        boolean hasScales = given(ctx, si), hasSizes = ctx.opset() >= 11 && given(ctx, 3);
        if (hasScales == hasSizes) throw ctx.error("exactly one of scales and sizes must be given");
        if (hasScales && ctx.inputType(si) != DataType.FLOAT) throw ctx.error("scales must be float32, got " + ctx.inputType(si));
        if (hasSizes && ctx.inputType(3) != DataType.INT64) throw ctx.error("sizes must be int64, got " + ctx.inputType(3));
        Tensor v = ctx.constant(hasScales ? si : 3);
        if (v == null) {
            ctx.setOutput(0, t, null);
            return;
        }
        Target tg = target(ctx.nodeName(), ctx.attrs(), x, hasScales ? v : null, hasSizes ? v : null);
        ctx.setOutput(0, t, tg.out);
    }

    /** Output sizes and scales from the scales or sizes tensor (mapped through axes when given). */
    static Target target(String node, Attrs attrs, long[] x, Tensor scales, Tensor sizes) {
        int r = x.length;
        int[] axes = axes(node, attrs, r);
        Tensor given = scales != null ? scales : sizes;
        if (given.size() != axes.length) {
            throw Window.err(node, (scales != null ? "scales" : "sizes") + " has " + given.size() + " values, expected " + axes.length);
        }
        long[] out = x.clone();
        double[] scale = new double[r], length = new double[r];
        Arrays.fill(scale, 1.0);
        for (int i = 0; i < r; i++) length[i] = x[i];
        if (scales != null) {
            for (int i = 0; i < axes.length; i++) {
                int ax = axes[i];
                double s = scales.getDouble(i);
                if (!(s > 0)) throw Window.err(node, "scales must be positive, got " + s);
                scale[ax] = s;
                length[ax] = s * x[ax];
                out[ax] = (long) Math.floor(s * x[ax]);
            }
            return new Target(out, scale, length);
        }
        String keep = attrs.getString("keep_aspect_ratio_policy", "stretch");
        double common = keep.equals("not_larger") ? Double.POSITIVE_INFINITY : 0;
        for (int i = 0; i < axes.length; i++) {
            int ax = axes[i];
            long sz = sizes.getLongValue(i);
            if (sz < 0) throw Window.err(node, "sizes must not be negative, got " + sz);
            out[ax] = sz;
            scale[ax] = x[ax] == 0 ? 1.0 : (double) sz / x[ax];
            length[ax] = sz;
            if (keep.equals("not_larger")) common = Math.min(common, scale[ax]);
            if (keep.equals("not_smaller")) common = Math.max(common, scale[ax]);
        }
        if (!keep.equals("stretch")) {
            for (int ax : axes) {
                scale[ax] = common;
                out[ax] = (long) (common * x[ax] + 0.5);
                length[ax] = out[ax];
            }
        }
        return new Target(out, scale, length);
    }

    private static int[] axes(String node, Attrs attrs, int r) {
        long[] a = attrs.getInts("axes", null);
        if (a == null) {
            int[] all = new int[r];
            for (int i = 0; i < r; i++) all[i] = i;
            return all;
        }
        int[] out = new int[a.length];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < a.length; i++) {
            long ax = a[i] < 0 ? a[i] + r : a[i];
            if (ax < 0 || ax >= r || seen[(int) ax]) throw Window.err(node, "bad axes " + Arrays.toString(a) + " for rank " + r);
            seen[(int) ax] = true;
            out[i] = (int) ax;
        }
        return out;
    }

    /** Per-axis taps: for output o, input indices idx[o·taps + t] with weights w[o·taps + t]; outside[o] = extrapolate. */
    record Taps(int taps, int[] idx, double[] w, boolean[] outside) {}

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        Attrs attrs = ctx.attrs();
        long opset = ctx.opset();
        int si = scalesIndex(opset);
        Tensor scales = ctx.input(si), sizes = opset >= 11 ? ctx.input(3) : null;
        if (scales != null && scales.size() == 0) scales = null;
        if (sizes != null && sizes.size() == 0) sizes = null;
        long[] xs = x.shape();
        int r = xs.length;
        Target tg = target(ctx.nodeName(), attrs, xs, scales, sizes);
        if (y.size() == 0) return;
        if (x.size() == 0) throw ctx.error("cannot resize an empty input to a non-empty output");
        String mode = attrs.getString("mode", "nearest");
        String coord = opset < 11 ? "asymmetric" : attrs.getString("coordinate_transformation_mode", "half_pixel");
        double[] roi = roi(ctx, r, coord);
        Taps[] taps = new Taps[r];
        for (int a = 0; a < r; a++) {
            taps[a] = taps(attrs, opset, mode, coord, xs[a], tg.out[a], tg.scale[a], tg.length[a], roi[a], roi[a + r]);
        }
        interpolate(ctx, x, y, taps, xs, tg.out, attrs.getFloat("extrapolation_value", 0f));
    }

    /** roi as [start_0..start_r-1, end_0..end_r-1]; only tf_crop_and_resize reads it. */
    private static double[] roi(ExecContext ctx, int r, String coord) {
        double[] roi = new double[2 * r];
        for (int i = 0; i < r; i++) roi[r + i] = 1.0;
        Tensor t = ctx.opset() >= 11 ? ctx.input(1) : null;
        if (!coord.equals("tf_crop_and_resize")) return roi;
        if (t == null || t.size() == 0) throw ctx.error("coordinate_transformation_mode tf_crop_and_resize needs roi");
        int[] axes = axes(ctx.nodeName(), ctx.attrs(), r);
        if (t.size() != 2L * axes.length) throw ctx.error("roi has " + t.size() + " values, expected " + 2 * axes.length);
        for (int i = 0; i < axes.length; i++) {
            roi[axes[i]] = t.getDouble(i);
            roi[r + axes[i]] = t.getDouble(axes.length + i);
        }
        return roi;
    }

    static Taps taps(Attrs attrs, long opset, String mode, String coord, long in, long out, double scale, double length,
                     double roiStart, double roiEnd) {
        boolean antialias = opset >= 18 && attrs.getInt("antialias", 0) != 0 && scale < 1;
        boolean exclude = attrs.getInt("exclude_outside", 0) != 0;
        double cubicA = attrs.getFloat("cubic_coeff_a", -0.75f);
        String nearest = attrs.getString("nearest_mode", "round_prefer_floor");
        double s = Math.min(scale, 1.0);
        int start, n;
        switch (mode) {
            case "nearest" -> { start = 0; n = 1; }
            case "linear" -> {
                start = antialias ? (int) Math.floor(-1 / s) + 1 : 0;
                n = 2 - 2 * start;
            }
            default -> {
                start = antialias ? (int) Math.floor(-2 / s) + 1 : -1;
                n = 2 - 2 * start;
            }
        }
        int o = (int) out;
        int[] idx = new int[o * n];
        double[] w = new double[o * n];
        boolean[] outside = new boolean[o];
        for (int i = 0; i < o; i++) {
            double xo = original(coord, i, in, out, scale, length, roiStart, roiEnd);
            if (coord.equals("tf_crop_and_resize") && (xo < 0 || xo > in - 1)) {
                outside[i] = true;
                continue;
            }
            int base = i * n;
            // The left neighbour and the ratio in (0, 1]: an integral coordinate counts as ratio 1 of the one before.
            double fl = Math.floor(xo);
            long i0 = xo == fl ? (long) fl - 1 : (long) fl;
            double ratio = xo - i0;
            if (mode.equals("nearest")) {
                long pick;
                if (opset < 11) {
                    pick = scale < 1 ? (long) Math.ceil(xo) : (long) fl;
                } else if (xo == fl) {
                    pick = (long) xo;
                } else {
                    boolean up = switch (nearest) {
                        case "round_prefer_ceil" -> ratio >= 0.5;
                        case "floor" -> false;
                        case "ceil" -> true;
                        default -> ratio > 0.5;
                    };
                    pick = up ? i0 + 1 : i0;
                }
                idx[base] = (int) clamp(pick, in);
                w[base] = 1.0;
                continue;
            }
            double sum = 0;
            for (int t = 0; t < n; t++) {
                long at = i0 + start + t;
                double c = coefficient(mode, antialias, start + t - ratio, s, cubicA, t, ratio);
                if (exclude && (at < 0 || at >= in)) c = 0;
                idx[base + t] = (int) clamp(at, in);
                w[base + t] = c;
                sum += c;
            }
            if (antialias || exclude) for (int t = 0; t < n; t++) w[base + t] /= sum;
        }
        return compact(n, idx, w, outside);
    }

    private static long clamp(long i, long in) {
        return Math.max(0, Math.min(in - 1, i));
    }

    /** Weight of the tap at signed distance {@code d} = tap − x (in input pixels). */
    private static double coefficient(String mode, boolean antialias, double d, double s, double a, int t, double ratio) {
        if (mode.equals("linear")) {
            if (!antialias) return t == 0 ? 1 - ratio : ratio;
            return Math.max(0, Math.min(1, 1 - Math.abs(d * s)));
        }
        if (!antialias) {
            // Keys' cubic convolution at distances 1+r, r, 1-r, 2-r, written as the ONNX reference does.
            return switch (t) {
                case 0 -> ((a * (ratio + 1) - 5 * a) * (ratio + 1) + 8 * a) * (ratio + 1) - 4 * a;
                case 1 -> ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
                case 2 -> ((a + 2) * (1 - ratio) - (a + 3)) * (1 - ratio) * (1 - ratio) + 1;
                default -> ((a * ((1 - ratio) + 1) - 5 * a) * ((1 - ratio) + 1) + 8 * a) * ((1 - ratio) + 1) - 4 * a;
            };
        }
        double x = Math.abs(d * s);
        if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    /** Input coordinate of output index i under a coordinate transformation mode. */
    static double original(String coord, long i, long in, long out, double scale, double length, double roiStart, double roiEnd) {
        return switch (coord) {
            case "asymmetric" -> i / scale;
            case "align_corners" -> length == 1 ? 0 : i * (double) (in - 1) / (length - 1);
            case "pytorch_half_pixel" -> out == 1 ? -0.5 : (i + 0.5) / scale - 0.5;
            case "tf_half_pixel_for_nn" -> (i + 0.5) / scale;
            case "tf_crop_and_resize" -> (length == 1 ? (roiEnd - roiStart) * (in - 1) / 2 : i * (roiEnd - roiStart) * (in - 1) / (length - 1))
                    + roiStart * (in - 1);
            case "half_pixel_symmetric" -> {
                double adjustment = out / length;
                double center = in / 2.0;
                yield center * (1 - adjustment) + (i + 0.5) / scale - 0.5;
            }
            default -> (i + 0.5) / scale - 0.5;
        };
    }

    /** Drops zero-weight taps (e.g. every axis that is not resized ends up with one tap of weight 1). */
    private static Taps compact(int n, int[] idx, double[] w, boolean[] outside) {
        int o = outside.length, keep = 0;
        for (int i = 0; i < o; i++) {
            int nz = 0;
            for (int t = 0; t < n; t++) if (w[i * n + t] != 0) nz++;
            keep = Math.max(keep, nz);
        }
        keep = Math.max(keep, 1);
        if (keep == n) return new Taps(n, idx, w, outside);
        int[] idx2 = new int[o * keep];
        double[] w2 = new double[o * keep];
        for (int i = 0; i < o; i++) {
            int at = 0;
            for (int t = 0; t < n; t++) {
                if (w[i * n + t] == 0) continue;
                idx2[i * keep + at] = idx[i * n + t];
                w2[i * keep + at++] = w[i * n + t];
            }
        }
        return new Taps(keep, idx2, w2, outside);
    }

    /** Every output element: the weighted sum over the product of its axes' taps (or the extrapolation value). */
    private static void interpolate(ExecContext ctx, Tensor x, Tensor y, Taps[] taps, long[] xs, long[] ys, float extrapolation) {
        int r = xs.length;
        long[] stride = new long[r];
        long st = 1;
        for (int a = r - 1; a >= 0; a--) {
            stride[a] = st;
            st *= xs[a];
        }
        long last = ys[r - 1];
        long outer = y.size() / last;
        Taps lt = taps[r - 1];
        int combos = 1;
        for (int a = 0; a < r - 1; a++) combos *= taps[a].taps;
        int nCombos = combos;
        boolean f32 = x.type() == DataType.FLOAT;
        // nearest (and untouched axes): one tap of weight 1 everywhere, so each output is a plain copy
        boolean gather = f32 && nCombos == 1 && lt.taps == 1;
        for (Taps tp : taps) for (double wt : tp.w) gather &= wt == 1.0;
        boolean copyOnly = gather;
        MemorySegment xd = x.data(), yd = y.data();
        ctx.parallel().forRange(Math.toIntExact(outer), Math.max(1, (int) (4096 / Math.max(1, last))), (s, e) -> {
            long[] comboOff = new long[nCombos];
            double[] comboW = new double[nCombos];
            int[] o = new int[r];
            int[] t = new int[r];
            for (long q = s; q < e; q++) {
                long rem = q;
                boolean out = false;
                for (int a = r - 2; a >= 0; a--) {
                    o[a] = (int) (rem % ys[a]);
                    rem /= ys[a];
                    out |= taps[a].outside[o[a]];
                }
                long yBase = q * last;
                if (out) {
                    for (long i = 0; i < last; i++) write(y, f32, yBase + i, extrapolation);
                    continue;
                }
                // all tap combinations over the leading axes: offset and product of weights
                Arrays.fill(t, 0);
                for (int c = 0; c < nCombos; c++) {
                    long off = 0;
                    double wt = 1;
                    for (int a = 0; a < r - 1; a++) {
                        int k = o[a] * taps[a].taps + t[a];
                        off += taps[a].idx[k] * stride[a];
                        wt *= taps[a].w[k];
                    }
                    comboOff[c] = off;
                    comboW[c] = wt;
                    for (int a = r - 2; a >= 0; a--) {
                        if (++t[a] < taps[a].taps) break;
                        t[a] = 0;
                    }
                }
                if (copyOnly) {
                    long off = comboOff[0];
                    for (int i = 0; i < last; i++) {
                        yd.setAtIndex(F32, yBase + i, lt.outside[i] ? extrapolation : xd.getAtIndex(F32, off + lt.idx[i]));
                    }
                    continue;
                }
                if (f32 && lt.taps == 2) { // linear along the last axis: the common bilinear case, unrolled
                    int[] li = lt.idx;
                    double[] lw = lt.w;
                    for (int i = 0; i < last; i++) {
                        double acc = 0;
                        int k0 = 2 * i;
                        long i0 = li[k0], i1 = li[k0 + 1];
                        double w0 = lw[k0], w1 = lw[k0 + 1];
                        for (int c = 0; c < nCombos; c++) {
                            long off = comboOff[c];
                            acc += comboW[c] * (w0 * xd.getAtIndex(F32, off + i0) + w1 * xd.getAtIndex(F32, off + i1));
                        }
                        yd.setAtIndex(F32, yBase + i, lt.outside[i] ? extrapolation : (float) acc);
                    }
                    continue;
                }
                for (int i = 0; i < last; i++) {
                    if (lt.outside[i]) {
                        write(y, f32, yBase + i, extrapolation);
                        continue;
                    }
                    double acc = 0;
                    int kb = i * lt.taps;
                    for (int c = 0; c < nCombos; c++) {
                        double inner = 0;
                        for (int k = 0; k < lt.taps; k++) {
                            long at = comboOff[c] + lt.idx[kb + k];
                            inner += lt.w[kb + k] * (f32 ? x.data().getAtIndex(F32, at) : x.getDouble(at));
                        }
                        acc += comboW[c] * inner;
                    }
                    write(y, f32, yBase + i, acc);
                }
            }
        });
    }

    private static void write(Tensor y, boolean f32, long i, double v) {
        if (f32) y.data().setAtIndex(F32, i, (float) v);
        else y.setDouble(i, v);
    }
}
