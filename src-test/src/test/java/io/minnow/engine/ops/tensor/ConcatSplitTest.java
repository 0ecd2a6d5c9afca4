package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Concat and Split: axes, negative axes, empty parts, opset forms of split sizes. */
class ConcatSplitTest {
    @Test
    void concatAlongEachAxis() {
        Tensor a = iota(2, 3), b = f(new float[]{10, 11, 12}, 1, 3);
        Tensor y = op("Concat").input("a", a).input("b", b).attr("axis", 0L).run();
        assertArrayEquals(new long[]{3, 3}, y.shape());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5, 10, 11, 12}, y.toFloatArray());
        Tensor c = f(new float[]{7, 8}, 2, 1);
        y = op("Concat").input("a", a).input("c", c).attr("axis", -1L).run();
        assertArrayEquals(new long[]{2, 4}, y.shape());
        assertArrayEquals(new float[]{0, 1, 2, 7, 3, 4, 5, 8}, y.toFloatArray());
    }

    @Test
    void concatWithEmptyAndInts() {
        Tensor a = typed(DataType.INT32, new long[]{1, 2}, 2), e = typed(DataType.INT32, new long[]{}, 0);
        Tensor y = op("Concat").input("a", a).input("e", e).input("b", a).attr("axis", 0L).run();
        assertArrayEquals(new long[]{1, 2, 1, 2}, y.toLongArray());
        assertEquals(DataType.INT32, y.type());
    }

    @Test
    void concatRejectsMismatch() {
        var e = assertThrows(MinnowException.class,
                () -> op("Concat").input("a", iota(2, 3)).input("b", iota(2, 4)).attr("axis", 0L).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
        assertThrows(MinnowException.class, () -> op("Concat").input("a", iota(2, 3)).input("b", iota(2, 4)).attr("axis", 2L).run());
    }

    @Test
    void splitEqualAndVariable() {
        Map<String, Tensor> out = op("Split").input("x", iota(2, 6)).attr("axis", 1L).outputs("a", "b", "c").runAll();
        assertArrayEquals(new float[]{0, 1, 6, 7}, out.get("a").toFloatArray());
        assertArrayEquals(new float[]{4, 5, 10, 11}, out.get("c").toFloatArray());
        out = op("Split").opset(13).input("x", iota(6)).constant("s", ints(1, 0, 5)).outputs("a", "b", "c").runAll();
        assertArrayEquals(new long[]{0}, out.get("b").shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5}, out.get("c").toFloatArray());
        out = op("Split").opset(11).input("x", iota(6)).attr("split", 2L, 4L).outputs("a", "b").runAll();
        assertArrayEquals(new float[]{2, 3, 4, 5}, out.get("b").toFloatArray());
        out = op("Split").opset(13).input("x", iota(6)).input("s", ints(3, 3)).outputs("a", "b").runAll(); // run-time sizes
        assertArrayEquals(new float[]{3, 4, 5}, out.get("b").toFloatArray());
    }

    @Test
    void splitNumOutputsUneven() {
        Map<String, Tensor> out = op("Split").opset(18).input("x", iota(7)).attr("num_outputs", 3L).outputs("a", "b", "c").runAll();
        assertArrayEquals(new float[]{0, 1, 2}, out.get("a").toFloatArray());
        assertArrayEquals(new float[]{3, 4, 5}, out.get("b").toFloatArray());
        assertArrayEquals(new float[]{6}, out.get("c").toFloatArray());
    }

    @Test
    void splitErrors() {
        assertThrows(MinnowException.class, () -> op("Split").opset(13).input("x", iota(7)).outputs("a", "b").runAll());
        var e = assertThrows(MinnowException.class,
                () -> op("Split").opset(13).input("x", iota(6)).constant("s", ints(1, 2)).outputs("a", "b").runAll());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
        assertThrows(MinnowException.class,
                () -> op("Split").opset(18).input("x", iota(6)).attr("num_outputs", 3L).outputs("a", "b").runAll());
    }
}
