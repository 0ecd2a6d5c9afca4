package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.ThreadScratch;
import io.minnow.engine.kernels.q8.Qs8ConvPairs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;

/**
 * QConv's native route for 2-D q8 convs ({@link Qs8ConvPairs}, kernel qs8-conv-4x16-avx2): per image and group the
 * float input becomes pair planes once, then each tile of output pixels is one native call that multiplies and
 * stores float32 NCHW with bias, residual and Relu/Clip — the results of the gather/GEMM/scatter route bit for bit.
 * Other activations are applied here after the call, as QConv's scatter would.
 */
final class QConvPairs {
    /** im2col int32 per tile: kept in L2 next to the weights. */
    private static final int TILE_INTS = 1 << 15;

    /** QConv's prepared state on this route: the q8 weights (for their scales and activation) and the packed pairs. */
    record Prepared(QWeights q8, Qs8ConvPairs.Weights[] groups) {}

    private QConvPairs() {}

    /** Packs a 2-D q8 conv's weights per group; weight dims [M, C/g, kH, kW]. */
    static Prepared prepare(QWeights q8, int group) {
        TensorData w = q8.weight();
        long[] d = w.dims();
        int m = Math.toIntExact(d[0]), cg = Math.toIntExact(d[1]), kh = Math.toIntExact(d[2]), kw = Math.toIntExact(d[3]);
        int mg = m / group;
        Qs8ConvPairs.Weights[] groups = new Qs8ConvPairs.Weights[group];
        for (int g = 0; g < group; g++) groups[g] = Qs8ConvPairs.pack(cg, kh, kw, w.bytes(), g * mg, mg, q8.wScale(), q8.bias());
        return new Prepared(q8, groups);
    }

    /** One group's geometry; the frame is padded at the end only as far as the last output reads. */
    static Qs8ConvPairs.Geometry geometry(IntConv geo) {
        int h = (int) geo.in[1], w = (int) geo.in[2], pt = (int) geo.padBegin[1], pl = (int) geo.padBegin[2];
        int kh = (int) geo.kernel[1], kw = (int) geo.kernel[2], sh = (int) geo.stride[1], sw = (int) geo.stride[2];
        int dh = (int) geo.dilation[1], dw = (int) geo.dilation[2], oh = (int) geo.out[1], ow = (int) geo.out[2];
        int hp = Math.max(h + pt, (oh - 1) * sh + (kh - 1) * dh + 1), wp = Math.max(w + pl, (ow - 1) * sw + (kw - 1) * dw + 1);
        return new Qs8ConvPairs.Geometry((int) (geo.c / geo.group), h, w, pt, pl, hp, wp, kh, kw, sh, sw, dh, dw, oh, ow);
    }

    /** Bytes of pair planes a run needs in the op's scratch (every image and group), or 0 for an empty output. */
    static long scratchBytes(IntConv geo) {
        if (geo.out[1] * geo.out[2] == 0 || geo.n == 0 || geo.c == 0) return 0;
        return geo.n * geo.group * geometry(geo).groupInts() * 4;
    }

    static void execute(ExecContext ctx, Prepared prep, IntConv geo, Tensor x, Tensor y, Tensor res) {
        QWeights w = prep.q8();
        int group = (int) geo.group, mg = (int) (geo.m / group);
        int outSize = (int) (geo.out[1] * geo.out[2]), images = (int) geo.n;
        if (outSize == 0 || images == 0) return;
        Qs8ConvPairs.Geometry g = geometry(geo);
        ActQuant xq = w.xq() != null ? w.xq() : ActQuant.dynamic(x.data(), x.size());
        MemorySegment q = ctx.scratch(), xs = x.data();
        long inPlane = (long) g.h() * g.w(), groupInts = g.groupInts();
        ctx.parallel().forRange(images * group, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                Qs8ConvPairs.quantize(true, g, xs, (long) t * g.cg() * inPlane, xq.scale(), xq.zero(), xq.lo(), xq.hi(), q, t * groupInts);
            }
        });
        Qs8ConvPairs.Epilogue epi = epilogue(w, xq.scale());
        FusedActivation after = epi.post() || w.clampInEpilogue() ? FusedActivation.NONE : w.act();
        int tile = Math.min((outSize + 15) / 16 * 16, Math.max(16, TILE_INTS / Math.max(1, g.k2()) / 16 * 16));
        int tiles = (outSize + tile - 1) / tile, tileRows = tile;
        MemorySegment yd = y.data(), rd = res == null ? null : res.data();
        ctx.parallel().forRange(images * group * tiles, 1, (t0, t1) -> {
            MemorySegment scratch = g.direct() ? null : ThreadScratch.get(g.scratchInts(tileRows) * 4);
            for (int t = t0; t < t1; t++) {
                int b = t / (group * tiles), gi = (t / tiles) % group, p0 = (t % tiles) * tileRows;
                int rows = Math.min(tileRows, outSize - p0);
                long yOff = ((long) b * geo.m + (long) gi * mg) * outSize;
                Qs8ConvPairs.conv(g, q, ((long) b * group + gi) * groupInts, p0, rows, prep.groups()[gi], epi, rd, yd, yOff, outSize, scratch);
                if (!after.isNone()) {
                    for (int j = 0; j < mg; j++) after.apply(yd, yOff + (long) j * outSize + p0, rows);
                }
            }
        });
    }

    /**
     * QConv's epilogue as the kernel takes it: the dequantize clamp, then — when the activation waits for the
     * residual — a Relu or Clip as a second clamp (other activations: none here, QConv's caller applies them).
     */
    private static Qs8ConvPairs.Epilogue epilogue(QWeights w, float xScale) {
        QWeights.Clamp c = QWeights.Clamp.of(w.act(), !w.clampInEpilogue());
        if (w.clampInEpilogue()) return new Qs8ConvPairs.Epilogue(xScale, c.lo(), c.hi(), false, 0f, 0f);
        FusedActivation a = w.act();
        return switch (a.kind()) {
            case RELU -> new Qs8ConvPairs.Epilogue(xScale, c.lo(), c.hi(), true, 0f, Float.POSITIVE_INFINITY);
            case CLIP -> new Qs8ConvPairs.Epilogue(xScale, c.lo(), c.hi(), true, a.min(), a.max());
            default -> new Qs8ConvPairs.Epilogue(xScale, c.lo(), c.hi(), false, 0f, 0f);
        };
    }
}
