package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code f32-dwconv}: depthwise 2-D convolution in NCHW — output channel c reads only input
 * channel c (channel multiplier 1; the op maps multipliers > 1 onto it per channel). {@code s.cin()} and
 * {@code s.cout()} are 1: the shape describes one plane; {@link #run} does planes [c0, c1).
 * Weights are [channels][kh][kw] (ONNX layout), used as they are. Epilogue: bias[c], then activation.
 */
public interface F32DwConv {
    String id();

    /**
     * Planes c in [c0, c1): y plane c = act(dwconv(x plane c, w[c]) + bias[c]). Plane c of x starts at
     * {@code xOff + c * inPlane}, of y at {@code yOff + c * outPlane}, weights at {@code wOff + c * kh*kw};
     * bias may be null. Offsets in floats.
     */
    void run(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias, long biasOff,
             F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1);

    /**
     * Like {@link #run}, but every plane c in [c0, c1) reads the one input plane at {@code xOff} (a conv with
     * one input channel, e.g. a network's stem: each output channel is a depthwise plane over the same input).
     * The default runs one plane at a time; a kernel that shares the input loads across planes overrides it.
     */
    default void runSharedInput(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                                long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        int taps = s.kh() * s.kw();
        for (int c = c0; c < c1; c++) {
            run(s, x, xOff, w, wOff + (long) c * taps, bias, biasOff + c, epi, y, yOff + (long) c * s.outPlane(), 0, 1);
        }
    }

    /**
     * The same convolution on one NHWC image: x is [inH][inW][channels] from {@code xOff}, y is
     * [outH][outW][channels] from {@code yOff}, w is [kh][kw][channels] from {@code wOff} (see
     * {@link #packNhwc}), bias[channels] from {@code biasOff} or null. Computes output rows [oy0, oy1) only (the
     * split for threads), every output pixel's channels as one vector run: y[oy][ox][c] = act(bias[c] + Σ over
     * taps (ky, kx) in row-major order of x[iy][ix][c]·w[ky][kx][c]), taps in the padding skipped (they add 0).
     * {@code s} describes the plane geometry (cin = cout = 1), as in {@link #run}.
     */
    void runNhwc(ConvShape s, int channels, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                 long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int oy0, int oy1);

    /** ONNX depthwise weights [channels][1][kh][kw] (from {@code off}) as the NHWC kernels take them: [kh][kw][channels]. */
    static MemorySegment packNhwc(MemorySegment w, long off, int channels, int taps) {
        MemorySegment out = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1L, (long) channels * taps) * Float.BYTES, 64);
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                out.setAtIndex(io.minnow.engine.api.Tensor.F32, (long) t * channels + c,
                        w.getAtIndex(io.minnow.engine.api.Tensor.F32, off + (long) c * taps + t));
            }
        }
        return out;
    }
}
