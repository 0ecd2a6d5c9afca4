package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The oracle for family f32-dwconv ({@code f32-dwconv-scalar}): plain loops over every output, the taps
 * summed in (ky, kx) order into a float that starts at 0 (taps in the padding are skipped), then + bias,
 * then the activation. Never optimise it: the other kernels are tested against it.
 */
public final class F32DwConvReference implements F32DwConv {
    @Override
    public String id() {
        return "f32-dwconv-scalar";
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                    long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        long inPlane = s.inPlane(), outPlane = s.outPlane(), taps = (long) s.kh() * s.kw();
        for (int c = c0; c < c1; c++) {
            long xc = xOff + c * inPlane, yc = yOff + c * outPlane, wc = wOff + c * taps;
            float b = bias == null ? 0f : bias.getAtIndex(F32, biasOff + c);
            for (int oy = 0; oy < s.outH(); oy++) {
                for (int ox = 0; ox < s.outW(); ox++) {
                    float acc = 0f;
                    for (int ky = 0; ky < s.kh(); ky++) {
                        int iy = s.inRow(oy, ky);
                        if (iy < 0 || iy >= s.inH()) continue;
                        for (int kx = 0; kx < s.kw(); kx++) {
                            int ix = s.inCol(ox, kx);
                            if (ix < 0 || ix >= s.inW()) continue;
                            acc += w.getAtIndex(F32, wc + (long) ky * s.kw() + kx)
                                    * x.getAtIndex(F32, xc + (long) iy * s.inW() + ix);
                        }
                    }
                    y.setAtIndex(F32, yc + (long) oy * s.outW() + ox, epi.apply(acc + b));
                }
            }
        }
    }

    @Override
    public void runNhwc(ConvShape s, int channels, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                        long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int oy0, int oy1) {
        int kh = s.kh(), kw = s.kw();
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                long yp = yOff + ((long) oy * s.outW() + ox) * channels;
                for (int c = 0; c < channels; c++) {
                    float acc = 0f;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = s.inRow(oy, ky);
                        if (iy < 0 || iy >= s.inH()) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = s.inCol(ox, kx);
                            if (ix < 0 || ix >= s.inW()) continue;
                            float xv = x.getAtIndex(F32, xOff + ((long) iy * s.inW() + ix) * channels + c);
                            float wv = w.getAtIndex(F32, wOff + ((long) ky * kw + kx) * channels + c);
                            acc += xv * wv;
                        }
                    }
                    float b = bias == null ? 0f : bias.getAtIndex(F32, biasOff + c);
                    y.setAtIndex(F32, yp + c, epi.apply(acc + b));
                }
            }
        }
    }
}
