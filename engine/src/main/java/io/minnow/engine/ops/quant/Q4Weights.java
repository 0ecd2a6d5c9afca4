package io.minnow.engine.ops.quant;

import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.q4.Q4Gemm;
import io.minnow.engine.kernels.q4.Q4Packed;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.formats.TensorData;

/**
 * A quantized op's prepared state for int4 weights: the q4 weight packed once by the chosen q4-gemm kernel (float32
 * activations: nothing to quantize per run), the float bias, and the activation — a clamp (Relu, Clip) goes into the
 * kernel's epilogue unless a residual must be added first.
 */
record Q4Weights(Q4Gemm kernel, Q4Packed packed, int n, int k, float[] bias, FusedActivation act, boolean clampInEpilogue,
                 float lo, float hi) {

    static Q4Weights prepare(InferContext ctx, Kernels kernels, TensorData w, float[] bias, boolean residual) {
        Q4Gemm kernel = kernels.q4Gemm();
        Q4Packed packed = pack(ctx, w, kernel::pack);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        QWeights.Clamp c = QWeights.Clamp.of(act, residual);
        return new Q4Weights(kernel, packed, packed.n(), packed.k(), bias, act, c.inEpilogue(), c.lo(), c.hi());
    }

    /** A q4 weight packed by {@code packer}, a refusal reported as the node's error naming the tensor. */
    static Q4Packed pack(InferContext ctx, TensorData w, java.util.function.Function<TensorData, Q4Packed> packer) {
        try {
            return packer.apply(w);
        } catch (RuntimeException e) {
            throw ctx.error("weight '" + w.name() + "': " + e.getMessage());
        }
    }

    /** Rows [0, m) of C = A · Wᵀ (+ bias, clamp), split over the pool by rows, or by 16-column blocks when m is small. */
    void gemm(io.minnow.engine.exec.Parallel par, int m, java.lang.foreign.MemorySegment a, long aOff, int lda,
              java.lang.foreign.MemorySegment c, long cOff, int ldc) {
        int threads = par.threads();
        if (m >= 2 * threads || threads == 1) {
            par.forRange(m, Math.max(1, 64 / Math.max(1, threads)), (r0, r1) ->
                    kernel.gemm(r1 - r0, packed, 0, n, a, aOff + (long) r0 * lda, lda, bias, lo, hi, c, cOff + (long) r0 * ldc, ldc));
        } else {
            int blocks = (n + 15) / 16;
            par.forRange(blocks, 1, (b0, b1) -> kernel.gemm(m, packed, b0 * 16, Math.min(n, b1 * 16), a, aOff, lda, bias, lo, hi,
                    c, cOff, ldc));
        }
    }
}
