package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The oracle for family f32-conv: direct loops over (c, ky, kx) with a double accumulator, then bias,
 * residual and activation as {@link F32Conv} specifies. Never optimise it.
 */
public final class F32ConvReference implements F32Conv {
    /** The packed form: a plain copy of W[cout][k]. */
    record Weights(float[] w, int cout, int k) {}

    @Override
    public String id() {
        return "f32-conv-scalar";
    }

    @Override
    public Object pack(MemorySegment w, long wOff, int cout, int k) {
        float[] copy = new float[Math.multiplyExact(cout, k)];
        for (int i = 0; i < copy.length; i++) copy[i] = w.getAtIndex(F32, wOff + i);
        return new Weights(copy, cout, k);
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, Object packedW, MemorySegment bias, long biasOff,
                    MemorySegment residual, long residualOff, F32Epilogue epi, MemorySegment y, long yOff,
                    int colBegin, int colEnd, MemorySegment scratch) {
        Weights pw = (Weights) packedW;
        if (pw.cout() != s.cout() || pw.k() != s.k()) {
            throw new IllegalArgumentException("weights packed for " + pw.cout() + "x" + pw.k() + ", conv needs "
                    + s.cout() + "x" + s.k());
        }
        int plane = s.outPlane();
        for (int co = 0; co < s.cout(); co++) {
            for (int col = colBegin; col < colEnd; col++) {
                int oy = col / s.outW(), ox = col % s.outW();
                double acc = 0;
                int wi = co * pw.k();
                for (int c = 0; c < s.cin(); c++) {
                    for (int ky = 0; ky < s.kh(); ky++) {
                        for (int kx = 0; kx < s.kw(); kx++, wi++) {
                            int iy = s.inRow(oy, ky), ix = s.inCol(ox, kx);
                            if (iy < 0 || iy >= s.inH() || ix < 0 || ix >= s.inW()) continue;
                            acc += (double) pw.w()[wi] * x.getAtIndex(F32, xOff + (long) c * s.inPlane() + (long) iy * s.inW() + ix);
                        }
                    }
                }
                float v = (float) acc;
                if (bias != null) v += bias.getAtIndex(F32, biasOff + co);
                long at = (long) co * plane + col;
                if (residual != null) v += residual.getAtIndex(F32, residualOff + at);
                y.setAtIndex(F32, yOff + at, epi.apply(v));
            }
        }
    }

    @Override
    public long scratchBytes(ConvShape s) {
        return 0;
    }
}
