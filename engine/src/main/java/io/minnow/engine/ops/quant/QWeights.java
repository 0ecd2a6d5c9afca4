package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.kernels.q8.Qs8Gemm;
import io.minnow.engine.kernels.q8.Qs8PackedW;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.formats.Attribute;
import io.minnow.formats.Encoding;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.QuantCheck;
import io.minnow.formats.quant.QuantLayout;

/**
 * A quantized op's prepared state: the int8 weight rows packed once per group by the chosen qs8-gemm kernel, the
 * per-channel weight scales, the float bias, and — for a static activation quantization — the whole epilogue
 * per group (scale = x_scale * w_scale[j]), so that a run allocates nothing.
 */
record QWeights(TensorData weight, Qs8Gemm kernel, Qs8PackedW[] groups, int n, int k, float[] wScale, float[] bias,
                FusedActivation act, boolean clampInEpilogue, ActQuant xq, Qs8Epilogue[] staticEpilogues) {

    /** The weight attribute, checked against its layout (sizes and content: scales finite and non-negative). */
    static TensorData weightOf(InferContext ctx) {
        Attribute a = ctx.attrs().get(QOps.WEIGHT);
        if (a == null || a.kind() != Attribute.Kind.TENSOR) throw ctx.error("quantized op without its " + QOps.WEIGHT + " attribute");
        TensorData w = a.asTensor();
        if (w.encoding() != Encoding.Q8 && w.encoding() != Encoding.Q4) throw ctx.error("weight '" + w.name() + "' is " + w.encoding() + ", not q8 or q4");
        return w;
    }

    /**
     * Packs {@code groups} row blocks of a q8 weight; {@code bias} has n entries or is null. {@code hwc}: a 2-D conv
     * weight [M, C/g, kH, kW] whose rows are re-ordered to (ky, kx, ic), the column order of the NHWC patch gather.
     */
    static QWeights prepare(InferContext ctx, Kernels kernels, int groups, float[] bias, boolean residual, boolean hwc) {
        TensorData w = weightOf(ctx);
        if (w.encoding() != Encoding.Q8) throw ctx.error("weight '" + w.name() + "' is " + w.encoding() + "; this op runs q8 weights");
        QuantLayout l;
        try {
            l = QuantLayout.of(w.encoding(), w.type(), w.dims(), w.params());
            QuantCheck.check(w, null, -1);
        } catch (RuntimeException e) {
            throw ctx.error("weight '" + w.name() + "': " + e.getMessage());
        }
        int n = Math.toIntExact(l.rows()), k = Math.toIntExact(l.cols());
        if (n % groups != 0) throw ctx.error("weight rows " + n + " are not a multiple of group " + groups);
        Qs8Gemm kernel = kernels.qs8Gemm();
        int ng = n / groups;
        java.lang.foreign.MemorySegment codes = hwc ? toHwc(w.bytes(), n, w.dims()) : w.bytes();
        Qs8PackedW[] packed = new Qs8PackedW[groups];
        for (int g = 0; g < groups; g++) packed[g] = kernel.pack(ng, k, codes, (long) g * ng * k, Math.max(1, k));
        float[] ws = new float[n];
        for (int j = 0; j < n; j++) ws[j] = w.bytes().get(io.minnow.formats.TensorData.F32_LE, l.scalesOffset() + 4L * j);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        boolean clamp = Clamp.of(act, residual).inEpilogue();
        ActQuant xq = ActQuant.of(ctx.attrs());
        QWeights q = new QWeights(w, kernel, packed, n, k, ws, bias, act, clamp, xq, null);
        if (xq == null) return q;
        Qs8Epilogue[] epis = new Qs8Epilogue[groups];
        for (int g = 0; g < groups; g++) epis[g] = q.epilogue(xq, g * ng, ng);
        return new QWeights(w, kernel, packed, n, k, ws, bias, act, clamp, xq, epis);
    }

    /** Rows of [n, c, kh, kw] codes re-ordered to (kh, kw, c). */
    private static java.lang.foreign.MemorySegment toHwc(java.lang.foreign.MemorySegment src, int n, long[] dims) {
        int c = (int) dims[1], kh = (int) dims[2], kw = (int) dims[3], k = c * kh * kw;
        java.lang.foreign.MemorySegment out = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1L, (long) n * k), 64);
        for (int r = 0; r < n; r++) {
            for (int ic = 0; ic < c; ic++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        byte v = src.get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) r * k + ((long) ic * kh + y) * kw + x);
                        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) r * k + ((long) y * kw + x) * c + ic, v);
                    }
                }
            }
        }
        return out;
    }

    /** The dequantizing epilogue for output channels [j0, j0 + count) under activation parameters xq. */
    Qs8Epilogue epilogue(ActQuant xq, int j0, int count) {
        float[] s = new float[count];
        for (int j = 0; j < count; j++) s[j] = xq.scale() * wScale[j0 + j];
        float[] b = bias == null ? null : java.util.Arrays.copyOfRange(bias, j0, j0 + count);
        Clamp c = Clamp.of(act, !clampInEpilogue);
        return new Qs8Epilogue.Dequantize(s, b, c.lo(), c.hi());
    }

    /**
     * What a quantized kernel's epilogue does with the fused activation: Relu and Clip are a clamp it applies (the
     * bounds of {@link F32Epilogue#of}), no activation is an open clamp — unless a residual must be added first, or
     * the activation is another kind; then {@code inEpilogue} is false and the op applies the activation itself.
     */
    record Clamp(boolean inEpilogue, float lo, float hi) {
        static Clamp of(FusedActivation act, boolean residualFirst) {
            F32Epilogue e = F32Epilogue.of(act);
            if (residualFirst || e == null || e.code() == F32Epilogue.ACT_HARDSWISH) {
                return new Clamp(false, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            }
            return e.code() == F32Epilogue.ACT_CLAMP ? new Clamp(true, e.lo(), e.hi())
                    : new Clamp(true, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        }
    }

    /** A float bias of n values (or one, repeated) from a constant input, or null. */
    static float[] bias(InferContext ctx, int input, int n) {
        if (!ctx.hasInput(input)) return null;
        Tensor t = ctx.constant(input);
        if (t == null) throw ctx.error("bias must be a constant");
        if (t.size() != n && t.size() != 1) throw ctx.error("bias has " + t.size() + " values, expected " + n);
        float[] b = new float[n];
        for (int j = 0; j < n; j++) b[j] = t.getFloat(t.size() == 1 ? 0 : j);
        return b;
    }
}
