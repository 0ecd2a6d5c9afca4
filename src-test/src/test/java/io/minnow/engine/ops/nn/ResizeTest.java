package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected values are the ONNX operator documentation's examples. */
class ResizeTest {
    private static final Tensor X22 = Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 2, 2);
    private static final Tensor X24 = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 4);

    private static Tensor resize(Tensor x, float[] scales, String mode, String coord) {
        NodeCase n = new NodeCase("Resize").opset(13).input("x", x).none().constant("scales", Tensor.of(scales, scales.length))
                .attr("mode", mode);
        if (coord != null) n.attr("coordinate_transformation_mode", coord);
        return n.output("y").run();
    }

    @Test
    void nearestAndLinear() {
        assertClose(Tensor.of(new float[]{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}, 1, 1, 4, 6),
                resize(X22, new float[]{1, 1, 2, 3}, "nearest", null), 0, 0, "upsample nearest");
        assertClose(Tensor.of(new float[]{1, 3}, 1, 1, 1, 2), resize(X24, new float[]{1, 1, 0.6f, 0.6f}, "nearest", null), 0, 0,
                "downsample nearest");
        assertClose(Tensor.of(new float[]{1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
                1, 1, 4, 4), resize(X22, new float[]{1, 1, 2, 2}, "linear", null), 1e-6, 1e-6, "upsample linear");
        assertClose(Tensor.of(new float[]{2.6666665f, 4.3333331f}, 1, 1, 1, 2), resize(X24, new float[]{1, 1, 0.6f, 0.6f}, "linear", null),
                1e-6, 1e-6, "downsample linear");
        assertClose(Tensor.of(new float[]{1, 3.142857f}, 1, 1, 1, 2),
                resize(X24, new float[]{1, 1, 0.6f, 0.6f}, "linear", "align_corners"), 1e-6, 1e-6, "downsample align_corners");
        assertClose(Tensor.of(new float[]{1, 1.3333333f, 1.6666667f, 2, 1.6666666f, 2, 2.3333333f, 2.6666665f, 2.3333333f, 2.6666665f,
                        3, 3.3333333f, 3, 3.3333333f, 3.6666665f, 4}, 1, 1, 4, 4),
                resize(X22, new float[]{1, 1, 2, 2}, "linear", "align_corners"), 1e-6, 1e-6, "upsample align_corners");
    }

    private static final Tensor X44 = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4);

    @Test
    void opset18AntialiasAxesAndAspectRatio() {
        Tensor lin = new NodeCase("Resize").opset(18).input("x", X44).none().constant("scales", Tensor.of(new float[]{1, 1, 0.6f, 0.6f}, 4))
                .attr("mode", "linear").attr("antialias", 1L).output("y").run();
        assertClose(Tensor.of(new float[]{2.875f, 4.5f, 9.375f, 11f}, 1, 1, 2, 2), lin, 1e-5, 1e-5, "linear antialias");
        Tensor cub = new NodeCase("Resize").opset(18).input("x", X44).none().constant("scales", Tensor.of(new float[]{1, 1, 0.6f, 0.6f}, 4))
                .attr("mode", "cubic").attr("antialias", 1L).output("y").run();
        assertClose(Tensor.of(new float[]{2.5180721f, 4.2858863f, 9.589329f, 11.357142f}, 1, 1, 2, 2), cub, 1e-5, 1e-5, "cubic antialias");
        Tensor keep = new NodeCase("Resize").opset(18).input("x", X22).none().none().constant("sizes", Tensor.ofLongs(new long[]{7, 8}, 2))
                .attr("axes", 2L, 3L).attr("keep_aspect_ratio_policy", "not_larger").output("y").run();
        float[] row1 = {1, 1, 1, 1, 2, 2, 2}, row3 = {3, 3, 3, 3, 4, 4, 4};
        float[] e = new float[49];
        for (int r = 0; r < 7; r++) System.arraycopy(r < 4 ? row1 : row3, 0, e, r * 7, 7);
        assertClose(Tensor.of(e, 1, 1, 7, 7), keep, 0, 0, "not_larger");
    }

    @Test
    void sizesOpset10AndErrors() {
        Tensor y = new NodeCase("Resize").opset(13).input("x", X22).none().none().constant("sizes", Tensor.ofLongs(new long[]{1, 1, 3, 3}, 4))
                .attr("mode", "nearest").attr("coordinate_transformation_mode", "asymmetric").attr("nearest_mode", "floor")
                .output("y").run();
        assertClose(Tensor.of(new float[]{1, 1, 2, 1, 1, 2, 3, 3, 4}, 1, 1, 3, 3), y, 0, 0, "sizes");
        Tensor y10 = new NodeCase("Resize").opset(10).input("x", X22).constant("scales", Tensor.of(new float[]{1, 1, 2, 2}, 4))
                .output("y").run();
        assertClose(Tensor.of(new float[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 1, 1, 4, 4), y10, 0, 0, "opset 10");
        MinnowException e = assertThrows(MinnowException.class, () -> new NodeCase("Resize").opset(13).input("x", X22).none()
                .constant("scales", Tensor.of(new float[]{1, 2}, 2)).output("y").run());
        assertTrue(e.getMessage().contains("scales") && e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("Resize").opset(13).input("x", X22).none()
                .constant("scales", Tensor.of(new float[]{1, 1, 2, 2}, 4)).attr("mode", "bicubic").output("y").run());
        assertTrue(e.getMessage().contains("mode"), e.getMessage());
    }
}
