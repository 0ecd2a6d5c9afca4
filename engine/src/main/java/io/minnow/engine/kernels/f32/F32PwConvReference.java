package io.minnow.engine.kernels.f32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The oracle for family f32-pwconv ({@code f32-pwconv-scalar}): per pixel and output channel, {@code acc += x*w}
 * over the input channels in order from 0, then + bias, + residual, then the activation. Never optimise it: the
 * other kernels are tested against it. Its "packed" weights are a plain copy of W [n][k].
 */
public final class F32PwConvReference implements F32PwConv {
    /** W [n][k] as given. */
    record Packed(MemorySegment w, int k, int n) {}

    @Override
    public String id() {
        return "f32-pwconv-scalar";
    }

    @Override
    public Object pack(MemorySegment w, long off, int k, int n) {
        if (k < 1 || n < 1) throw new IllegalArgumentException(id() + " pack: k=" + k + " n=" + n + " must be >= 1");
        MemorySegment copy = Arena.ofAuto().allocate((long) n * k * Float.BYTES, 64);
        MemorySegment.copy(w, off * Float.BYTES, copy, 0, (long) n * k * Float.BYTES);
        return new Packed(copy, k, n);
    }

    @Override
    public void run(int m, int n, int k, MemorySegment x, long xOff, int ldx, Object packed, MemorySegment bias,
                    long biasOff, MemorySegment residual, long rOff, int ldr, F32Epilogue epi, MemorySegment y, long yOff,
                    int ldy) {
        if (!(packed instanceof Packed pw) || pw.k != k || pw.n != n) {
            throw new IllegalArgumentException(id() + ": weights were not packed by this kernel for k=" + k + " n=" + n);
        }
        for (int p = 0; p < m; p++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int c = 0; c < k; c++) {
                    acc += x.getAtIndex(F32, xOff + (long) p * ldx + c) * pw.w.getAtIndex(F32, (long) j * k + c);
                }
                float v = acc;
                if (bias != null) v += bias.getAtIndex(F32, biasOff + j);
                if (residual != null) v += residual.getAtIndex(F32, rOff + (long) p * ldr + j);
                y.setAtIndex(F32, yOff + (long) p * ldy + j, epi.apply(v));
            }
        }
    }
}
