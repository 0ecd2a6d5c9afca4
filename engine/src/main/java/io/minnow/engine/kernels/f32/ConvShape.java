package io.minnow.engine.kernels.f32;

/**
 * One 2-D convolution as a kernel sees it (NCHW, one image, one group): {@code cin} input channels of
 * {@code inH x inW}, {@code cout} output channels of {@code outH x outW}, a {@code kh x kw} window with
 * strides, leading pads (trailing pads follow from the output size) and dilations. A 1-D conv is
 * {@code inH = outH = kh = 1}. Validated by the op before any kernel sees it.
 */
public record ConvShape(int cin, int inH, int inW, int cout, int outH, int outW, int kh, int kw,
                        int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW) {
    /** Rows of the im2col matrix: the K of the GEMM. */
    public int k() {
        return cin * kh * kw;
    }

    public int inPlane() {
        return inH * inW;
    }

    public int outPlane() {
        return outH * outW;
    }

    /** Input row of output row oy at tap ky (may be outside [0, inH): padding). */
    public int inRow(int oy, int ky) {
        return oy * strideH - padTop + ky * dilationH;
    }

    /** Input column of output column ox at tap kx (may be outside [0, inW): padding). */
    public int inCol(int ox, int kx) {
        return ox * strideW - padLeft + kx * dilationW;
    }
}
