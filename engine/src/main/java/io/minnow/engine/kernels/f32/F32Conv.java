package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code f32-conv}: 2-D convolution of one image and one group in NCHW, as a GEMM
 * Y[cout x outPlane] = W[cout x k] · im2col(X)[k x outPlane] whose A operand (the weights) is packed once
 * by {@link #pack} and whose B operand is gathered from the image tile by tile (never a whole im2col).
 * The epilogue adds bias[c], then residual (same layout as Y) if given, then the activation.
 *
 * <p>Work splits over output positions: {@link #run} computes columns [colBegin, colEnd) of Y for all
 * output channels; any split gives bit-identical results (each output sums its taps in one fixed order).
 */
public interface F32Conv {
    String id();

    /** Packs weights W[cout][k] (ONNX layout, row-major from {@code wOff}, in floats) for this kernel. */
    Object pack(MemorySegment w, long wOff, int cout, int k);

    /**
     * Computes Y columns [colBegin, colEnd). Offsets are in floats. {@code bias} and {@code residual} may be
     * null. {@code scratch} is this caller's private memory of at least {@link #scratchBytes} bytes.
     */
    void run(ConvShape s, MemorySegment x, long xOff, Object packedW, MemorySegment bias, long biasOff,
             MemorySegment residual, long residualOff, F32Epilogue epi, MemorySegment y, long yOff,
             int colBegin, int colEnd, MemorySegment scratch);

    /** Whether this kernel handles the shape (e.g. a native kernel caps stride products); true by default. */
    default boolean supports(ConvShape s) {
        return true;
    }

    /** Scratch one {@link #run} call needs (bytes). */
    long scratchBytes(ConvShape s);
}
