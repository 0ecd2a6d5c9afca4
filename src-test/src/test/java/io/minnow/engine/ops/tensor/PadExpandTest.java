package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Pad (every mode, cropping, axes, opset forms) against a per-element reference; Expand broadcasting. */
class PadExpandTest {
    /** numpy.pad semantics, one element at a time. */
    static float[] reference(float[] x, long[] shape, long[] begin, long[] end, String mode, float value) {
        int r = shape.length;
        long[] out = new long[r];
        for (int d = 0; d < r; d++) out[d] = shape[d] + begin[d] + end[d];
        float[] y = new float[(int) Tensor.elementCount(out)];
        long[] inStrides = Shapes.strides(shape);
        for (int o = 0; o < y.length; o++) {
            long rem = o, src = 0;
            boolean constant = false;
            for (int d = r - 1; d >= 0; d--) {
                long j = rem % out[d] - begin[d], n = shape[d];
                rem /= out[d];
                if (j < 0 || j >= n) {
                    switch (mode) {
                        case "constant" -> constant = true;
                        case "edge" -> j = j < 0 ? 0 : n - 1;
                        case "wrap" -> j = ((j % n) + n) % n;
                        default -> { // reflect, repeatedly
                            while (j < 0 || j >= n) {
                                if (n == 1) { j = 0; break; }
                                j = j < 0 ? -j : 2 * (n - 1) - j;
                            }
                        }
                    }
                }
                src += j * inStrides[d];
            }
            y[o] = constant ? value : x[(int) src];
        }
        return y;
    }

    @Test
    void everyModeMatchesReference() {
        long[] shape = {3, 4};
        float[] x = iotaValues(12);
        long[][] padSets = {{1, 2, 0, 3}, {0, 0, 0, 0}, {2, 5, 3, 7}, {-1, 1, 0, -2}, {0, -4, 0, 1}};
        for (String mode : new String[]{"constant", "reflect", "edge", "wrap"}) {
            for (long[] pads : padSets) {
                if (mode.equals("reflect") && pads[1] == 5) continue; // numpy reflects repeatedly; covered below
                long[] begin = {pads[0], pads[1]}, end = {pads[2], pads[3]};
                float[] want = reference(x, shape, begin, end, mode, 1.5f);
                Tensor y = op("Pad").opset(19).input("x", f(x, shape)).constant("p", ints(pads))
                        .constant("v", Tensor.scalar(1.5f)).attr("mode", mode).run();
                assertArrayEquals(want, y.toFloatArray(), mode + " " + Arrays.toString(pads));
            }
        }
    }

    @Test
    void reflectLargerThanInputRepeats() {
        float[] x = {1, 2, 3};
        Tensor y = op("Pad").input("x", f(x, 3)).constant("p", ints(5, 6)).attr("mode", "reflect").run();
        assertArrayEquals(reference(x, new long[]{3}, new long[]{5}, new long[]{6}, "reflect", 0), y.toFloatArray());
    }

    @Test
    void oldOpsetAttributesAndIntTypes() {
        Tensor y = op("Pad").opset(2 + 8).input("x", iota(2)).attr("pads", 1L, 1L).attr("value", 9f).run();
        assertArrayEquals(new float[]{9, 0, 1, 9}, y.toFloatArray());
        Tensor xi = typed(DataType.INT32, new long[]{5, 6}, 2);
        Tensor yi = op("Pad").input("x", xi).constant("p", ints(2, 1)).constant("v", typed(DataType.INT32, new long[]{-1}, new long[]{})).run();
        assertArrayEquals(new long[]{-1, -1, 5, 6, -1}, yi.toLongArray());
        yi = op("Pad").input("x", xi).constant("p", ints(1, 0)).run(); // default fill 0
        assertArrayEquals(new long[]{0, 5, 6}, yi.toLongArray());
    }

    @Test
    void axesInputAndRunTimePads() {
        Tensor y = op("Pad").opset(18).input("x", iota(2, 2)).constant("p", ints(1, 0)).none().constant("a", ints(-1)).run();
        assertArrayEquals(new long[]{2, 3}, y.shape());
        assertArrayEquals(new float[]{0, 0, 1, 0, 2, 3}, y.toFloatArray());
        y = op("Pad").input("x", iota(2, 2)).input("p", ints(0, 0, 1, 0)).attr("mode", "edge").run();
        assertArrayEquals(new float[]{0, 1, 2, 3, 2, 3}, y.toFloatArray());
    }

    @Test
    void padErrors() {
        assertThrows(MinnowException.class, () -> op("Pad").opset(18).input("x", iota(2)).constant("p", ints(1, 1)).attr("mode", "wrap").run());
        assertThrows(MinnowException.class, () -> op("Pad").input("x", iota(2)).constant("p", ints(1)).run());
        assertThrows(MinnowException.class, () -> op("Pad").input("x", iota(2)).constant("p", ints(-2, -1)).run());
        var e = assertThrows(MinnowException.class, () -> op("Pad").input("x", iota(0)).constant("p", ints(1, 0)).attr("mode", "edge").run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
    }

    @Test
    void largeParallelPad() {
        long[] shape = {3, 40, 50};
        float[] x = iotaValues(6000);
        long[] begin = {1, 2, 3}, end = {0, 3, 4};
        Tensor y = op("Pad").threads(4).input("x", f(x, shape)).constant("p", ints(1, 2, 3, 0, 3, 4)).attr("mode", "reflect").run();
        assertArrayEquals(reference(x, shape, begin, end, "reflect", 0), y.toFloatArray());
    }

    @Test
    void expandBothWays() {
        Tensor y = op("Expand").input("x", f(new float[]{1, 2, 3}, 3, 1)).constant("s", ints(2, 1, 4)).run();
        assertArrayEquals(new long[]{2, 3, 4}, y.shape());
        float[] want = new float[24];
        for (int i = 0; i < 24; i++) want[i] = 1 + (i / 4) % 3;
        assertArrayEquals(want, y.toFloatArray());
        y = op("Expand").input("x", iota(2, 3)).input("s", ints(1, 1)).run(); // a 1 keeps the input's dim
        assertArrayEquals(new long[]{2, 3}, y.shape());
        assertArrayEquals(iotaValues(6), y.toFloatArray());
        y = op("Expand").input("x", Tensor.scalar(7)).constant("s", ints(40)).run();
        float[] sevens = new float[40];
        Arrays.fill(sevens, 7);
        assertArrayEquals(sevens, y.toFloatArray());
        assertArrayEquals(new long[]{0, 3}, op("Expand").input("x", iota(1, 3)).constant("s", ints(0, 1)).run().shape());
        Tensor b = op("Expand").input("x", typed(DataType.BOOL, new long[]{1, 0}, 2)).constant("s", ints(2, 2)).run();
        assertArrayEquals(new long[]{1, 0, 1, 0}, b.toLongArray());
        assertThrows(MinnowException.class, () -> op("Expand").input("x", iota(3)).constant("s", ints(2)).run());
    }
}
