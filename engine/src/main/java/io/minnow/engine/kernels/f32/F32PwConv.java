package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code f32-pwconv}: the pointwise convolution (1x1, stride 1, no pad, group 1) of channels-last
 * (NHWC) activations, as a GEMM read in place: pixel p is row p of X (k input channels, {@code ldx} floats
 * apart), and Y[p][j] = act(Σ_c X[p][c]·W[j][c] + bias[j] + residual[p][j]) for the n output channels, the
 * bias, the residual and the activation fused into the kernel.
 *
 * <p>The engine uses this family only through a native kernel ({@code f32-pwconv-avx2} and the like); where
 * none is available (no library, {@code --no-native}, a CPU without the variant), the conv falls back to
 * the packed f32-gemm path, and {@link io.minnow.engine.kernels.Kernels#f32PwConv()} answers the scalar
 * reference, which exists as the tests' oracle, not for speed.
 */
public interface F32PwConv {
    String id();

    /**
     * Packs ONNX 1x1 conv weights W [n][k] (row = output channel; row-major from {@code off}, in floats) for this
     * kernel; the result is only valid for {@link #run} of the same kernel, with the same k and n.
     */
    Object pack(MemorySegment w, long off, int k, int n);

    /**
     * Pixels p in [0, m), channels j in [0, n): {@code y[yOff + p*ldy + j] = act(acc + bias[biasOff + j] +
     * residual[rOff + p*ldr + j])} with acc the sum over c = 0 .. k-1, in order, of {@code x[xOff + p*ldx + c]}
     * times W[j][c] (float products and sums; a native kernel may fuse each multiply-add). {@code bias} and
     * {@code residual} may be null (add nothing); the bias, then the residual, then {@code epi}. Offsets and
     * leading dimensions in floats. Nothing outside the m rows' first k (x) or n (y, residual) columns is read
     * or written. {@code y} may be {@code residual} itself (same offset and ld); otherwise y must not overlap
     * the inputs.
     */
    void run(int m, int n, int k, MemorySegment x, long xOff, int ldx, Object packed, MemorySegment bias, long biasOff,
             MemorySegment residual, long rOff, int ldr, F32Epilogue epi, MemorySegment y, long yOff, int ldy);
}
