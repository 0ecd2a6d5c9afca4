package io.minnow.engine.ops.quant;

import io.minnow.engine.exec.Parallel;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.q4.Int8Rows;
import io.minnow.engine.kernels.q4.Q4Gemv;
import io.minnow.engine.kernels.q4.Q4Packed;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * A QGemm's prepared state for int4 weights with int8 activations: the q4 weight packed once by the chosen q4-gemv
 * kernel, the bias, the activation (a clamp goes into the kernel's epilogue), and how x becomes int8 codes.
 * {@code xq}: the node's static quantization when it is symmetric int8 (zero point 0: what {@code minnow compress
 * --quant int4 --act int8} calibrates), one scale for every row; null: each row is quantized per run, symmetric,
 * with its own scale ({@link Int8Rows}) — also what a uint8 / asymmetric static quantization falls back to, since
 * the kernel takes symmetric int8 only.
 */
record Q4Int8Weights(Q4Gemv kernel, Q4Packed packed, int n, int k, float[] bias, FusedActivation act, boolean clampInEpilogue,
                     float lo, float hi, ActQuant xq) {

    /** Whether a node with these static parameters (or none) runs int4 x int8: it has a static quantization. */
    static boolean wanted(ActQuant staticQuant) {
        return staticQuant != null;
    }

    static Q4Int8Weights prepare(InferContext ctx, Kernels kernels, TensorData w, float[] bias, ActQuant staticQuant) {
        Q4Gemv kernel = kernels.q4Gemv();
        Q4Packed packed = Q4Weights.pack(ctx, w, kernel::pack);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        QWeights.Clamp c = QWeights.Clamp.of(act, false);
        ActQuant xq = staticQuant != null && staticQuant.signed() && staticQuant.zero() == 0 ? staticQuant : null;
        return new Q4Int8Weights(kernel, packed, packed.n(), packed.k(), bias, act, c.inEpilogue(), c.lo(), c.hi(), xq);
    }

    /** Scratch bytes for m rows: the codes, then (64-byte aligned) one float scale per row. */
    static long scratchBytes(long m, long k) {
        return scalesOffset(m, k) + 4 * Math.max(1, m);
    }

    private static long scalesOffset(long m, long k) {
        return (m * k + 63) / 64 * 64;
    }

    /** Rows [0, m) of y = act(x · Wᵀ + bias): quantize x into scratch, run the kernel (rows or 16-column blocks split over the pool). */
    void run(Parallel par, int m, MemorySegment x, MemorySegment scratch, MemorySegment y) {
        long so = scalesOffset(m, k);
        MemorySegment codes = scratch, scales = scratch.asSlice(so, 4L * Math.max(1, m));
        int threads = par.threads();
        if (m >= 2 * threads || threads == 1) {
            par.forRange(m, Math.max(1, 64 / Math.max(1, threads)), (r0, r1) -> {
                quantize(r0, r1, x, codes, scales);
                kernel.gemv(r1 - r0, packed, 0, n, codes, (long) r0 * k, Math.max(1, k), scales, r0, bias, lo, hi, y, (long) r0 * n, n);
            });
        } else {
            quantize(0, m, x, codes, scales);
            int blocks = (n + 15) / 16;
            par.forRange(blocks, 1, (b0, b1) -> kernel.gemv(m, packed, b0 * 16, Math.min(n, b1 * 16), codes, 0, Math.max(1, k),
                    scales, 0, bias, lo, hi, y, 0, n));
        }
        if (!clampInEpilogue) act.apply(y, 0, (long) m * n);
    }

    private void quantize(int r0, int r1, MemorySegment x, MemorySegment codes, MemorySegment scales) {
        if (xq == null) {
            Int8Rows.quantize(r1 - r0, k, x, (long) r0 * k, k, codes, (long) r0 * k, k, scales, r0);
            return;
        }
        xq.quantize(x, codes, (long) r0 * k, (long) r1 * k);
        for (int i = r0; i < r1; i++) scales.setAtIndex(F32, i, xq.scale());
    }
}
