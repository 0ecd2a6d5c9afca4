package io.minnow.engine.kernels.q8;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Family qs8-conv, what feeds a 2-D int8 convolution to {@link Qs8Gemm}: the input quantized once into NHWC codes
 * ({@link #quantizeNhwc}), then, per tile of output positions, the patches gathered one row per position
 * ({@link #gather}) with columns in (ky, kx, ic) order — the weight rows are packed in the same order. NHWC makes one
 * kernel row of a stride-1 conv one contiguous run of {@code kw * cg} bytes, so the gather moves runs, not bytes.
 * Padding holds the activation zero point, so it adds nothing to {@code sum (x - zero) * w}.
 *
 * <p>Two variants with identical results: native C ({@code qs8-conv/qs8_im2col.c}) and the Java loops here (the
 * reference, and what serves without the library). Every bound is checked here before native code sees an address.
 */
public final class Qs8Im2col {
    private Qs8Im2col() {}

    /**
     * One 2-D conv's geometry: c channels per pixel, the group's channels [c0, c0 + cg), input h x w, kernel, strides,
     * top/left pads, dilations, output oh x ow.
     */
    public record Shape(int c, int c0, int cg, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                        int oh, int ow) {
        public Shape {
            if (c < 1 || c0 < 0 || cg < 0 || c0 + cg > c || h < 1 || w < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1
                    || dw < 1 || ph < 0 || pw < 0 || oh < 0 || ow < 1) {
                throw new IllegalArgumentException("bad conv geometry " + this);
            }
        }

        /** Bytes per patch row: kh * kw * cg. */
        public int k() {
            return kh * kw * cg;
        }
    }

    /** The ONNX QuantizeLinear code of x: clamp(rint(x / scale) + zero, qmin, qmax), half to even; NaN gives zero. */
    public static int code(float x, float scale, int zero, int qmin, int qmax) {
        float v = x / scale;
        if (v != v) return zero;
        v = Math.max(qmin - zero, Math.min(qmax - zero, v));
        return (int) Math.rint(v) + zero;
    }

    /**
     * Quantizes c planes of hw floats (NCHW, from float element {@code xOff} of x) into NHWC codes at byte {@code qOff}
     * of q. qmin/qmax: 0/255 or -128/127.
     */
    public static void quantizeNhwc(boolean useNative, MemorySegment x, long xOff, int c, int hw, float scale, int zero,
                                    int qmin, int qmax, MemorySegment q, long qOff) {
        if (c < 0 || hw < 0) throw new IllegalArgumentException("negative size c=" + c + " hw=" + hw);
        if (!(scale > 0) || qmin > qmax || zero < qmin || zero > qmax) throw new IllegalArgumentException("bad quantization " + scale + "/" + zero);
        long n = (long) c * hw;
        if (n == 0) return;
        if (useNative && NativeLibrary.available()) {
            long xa = NativeBounds.floats("x", x, xOff, n), qa = NativeBounds.elements("q", q, qOff, n, 1);
            if (NativeKernels.minnow_qs8_quantize_nhwc(xa, c, hw, scale, zero, qmin, qmax, qa) != 0) {
                throw new IllegalArgumentException("native quantize refused c=" + c + " hw=" + hw);
            }
            return;
        }
        if (xOff < 0 || (xOff + n) * 4 > x.byteSize() || qOff < 0 || qOff + n > q.byteSize()) {
            throw new IllegalArgumentException("quantize: " + n + " values at x[" + xOff + "], q[" + qOff + "] exceed the segments");
        }
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < hw; p++) {
                float v = x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, xOff + (long) ch * hw + p);
                q.set(ValueLayout.JAVA_BYTE, qOff + (long) p * c + ch, (byte) code(v, scale, zero, qmin, qmax));
            }
        }
    }

    /**
     * Gathers rows [p0, p0 + rows) of one image whose NHWC codes start at byte {@code qOff} of q into a (from byte 0,
     * lda bytes apart). Checks every bound first (IllegalArgumentException); native when {@code useNative}.
     */
    public static void gather(boolean useNative, Shape s, MemorySegment q, long qOff, int p0, int rows, int zero,
                              MemorySegment a, int lda) {
        if (p0 < 0 || rows < 0 || (long) p0 + rows > (long) s.oh() * s.ow()) {
            throw new IllegalArgumentException("rows [" + p0 + ", " + (p0 + rows) + ") outside the " + s.oh() + "x" + s.ow() + " output");
        }
        if (lda < s.k()) throw new IllegalArgumentException("lda " + lda + " < patch bytes " + s.k());
        if (rows == 0) return;
        long inBytes = (long) s.c() * s.h() * s.w();
        if (useNative && NativeLibrary.available()) {
            long qa = NativeBounds.elements("q", q, qOff, inBytes, 1);
            long aa = NativeBounds.elements("a", a, 0, (long) (rows - 1) * lda + s.k(), 1);
            int rc = NativeKernels.minnow_qs8_im2col_nhwc(qa, s.c(), s.c0(), s.cg(), s.h(), s.w(), s.kh(), s.kw(), s.sh(), s.sw(),
                    s.ph(), s.pw(), s.dh(), s.dw(), s.oh(), s.ow(), p0, rows, (byte) zero, aa, lda);
            if (rc != 0) throw new IllegalArgumentException("native im2col refused " + s);
            return;
        }
        if (qOff < 0 || qOff + inBytes > q.byteSize()) throw new IllegalArgumentException("q: " + inBytes + " bytes at " + qOff + " exceed " + q.byteSize());
        if ((long) (rows - 1) * lda + s.k() > a.byteSize()) throw new IllegalArgumentException("a: too small for " + rows + " rows of " + lda);
        byte z = (byte) zero;
        int c = s.c(), cg = s.cg(), w = s.w(), h = s.h(), kw = s.kw(), ow = s.ow();
        for (int r = 0; r < rows; r++) {
            int p = p0 + r, oy = p / ow, ox = p - oy * ow;
            long dst = (long) r * lda;
            int y0 = oy * s.sh() - s.ph(), x0 = ox * s.sw() - s.pw();
            for (int ky = 0; ky < s.kh(); ky++) {
                int iy = y0 + ky * s.dh();
                for (int kx = 0; kx < kw; kx++) {
                    int ix = x0 + kx * s.dw();
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                        a.asSlice(dst, cg).fill(z);
                    } else {
                        MemorySegment.copy(q, qOff + ((long) iy * w + ix) * c + s.c0(), a, dst, cg);
                    }
                    dst += cg;
                }
            }
        }
    }
}
