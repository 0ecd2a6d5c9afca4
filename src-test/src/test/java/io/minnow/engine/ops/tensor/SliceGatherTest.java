package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Slice (clamping, negative steps, INT64 extremes, opset 9 attributes) and Gather (index checks). */
class SliceGatherTest {
    @Test
    void sliceBasicAndNegativeSteps() {
        Tensor x = iota(3, 4);
        Tensor y = op("Slice").input("x", x).constant("s", ints(0, 1)).constant("e", ints(2, 3)).run();
        assertArrayEquals(new long[]{2, 2}, y.shape());
        assertArrayEquals(new float[]{1, 2, 5, 6}, y.toFloatArray());
        y = op("Slice").input("x", x).constant("s", ints(-1)).constant("e", ints(Long.MIN_VALUE))
                .constant("a", ints(1)).constant("st", ints(-1)).run();
        assertArrayEquals(new float[]{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, y.toFloatArray());
        y = op("Slice").input("x", x).constant("s", ints(10)).constant("e", ints(0))
                .constant("a", ints(-1)).constant("st", ints(-2)).run();
        assertArrayEquals(new float[]{3, 1, 7, 5, 11, 9}, y.toFloatArray());
    }

    @Test
    void sliceClampsAndEmpties() {
        Tensor x = iota(5);
        assertArrayEquals(new float[]{1, 2, 3, 4},
                op("Slice").input("x", x).constant("s", ints(1)).constant("e", ints(Long.MAX_VALUE)).run().toFloatArray());
        assertArrayEquals(new long[]{0},
                op("Slice").input("x", x).constant("s", ints(100)).constant("e", ints(1000)).run().shape());
        assertArrayEquals(new long[]{0},
                op("Slice").input("x", x).constant("s", ints(3)).constant("e", ints(1)).run().shape());
        assertArrayEquals(new float[]{0, 3},
                op("Slice").input("x", x).constant("s", ints(0)).constant("e", ints(5)).none()
                        .constant("st", ints(3)).run().toFloatArray());
        assertArrayEquals(new long[]{0, 2},
                op("Slice").input("x", iota(0, 2)).constant("s", ints(-1)).constant("e", ints(-5)).constant("a", ints(0))
                        .constant("st", ints(-1)).run().shape());
    }

    @Test
    void sliceRunTimeValuesAndOldOpset() {
        Tensor y = op("Slice").input("x", iota(4, 2)).input("s", typed(DataType.INT32, new long[]{1}, 1))
                .input("e", typed(DataType.INT32, new long[]{3}, 1)).run();
        assertArrayEquals(new float[]{2, 3, 4, 5}, y.toFloatArray());
        y = op("Slice").opset(9).input("x", iota(4, 2)).attr("starts", new long[]{1}).attr("ends", new long[]{2})
                .attr("axes", new long[]{1}).run();
        assertArrayEquals(new float[]{1, 3, 5, 7}, y.toFloatArray());
    }

    /**
     * Python's slice.indices() as the list of picked indices, except for the one corner where the ONNX
     * spec text (and ONNX Runtime) differ: walking backwards, a start still negative after adding len is
     * clamped to 0, not -1.
     */
    static long[] pythonSlice(long start, long stop, long step, long len) {
        long lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;
        start = start < 0 ? Math.max(start + len, 0) : Math.min(start, upper);
        stop = stop < 0 ? Math.max(stop + len, lower) : Math.min(stop, upper);
        java.util.List<Long> picked = new java.util.ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) picked.add(i);
        return picked.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void randomSlicesMatchPython() {
        java.util.Random rnd = new java.util.Random(7);
        long[] shape = {4, 5, 6};
        Tensor x = iota(shape);
        for (int trial = 0; trial < 300; trial++) {
            long[][] picks = new long[3][];
            long[] s = new long[3], e = new long[3], st = new long[3];
            for (int d = 0; d < 3; d++) {
                s[d] = rnd.nextInt(17) - 8;
                e[d] = rnd.nextInt(10) == 0 ? (rnd.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE) : rnd.nextInt(17) - 8;
                st[d] = (rnd.nextInt(3) + 1) * (rnd.nextBoolean() ? 1 : -1);
                picks[d] = pythonSlice(s[d], e[d], st[d], shape[d]);
            }
            Tensor y = op("Slice").input("x", x).constant("s", ints(s)).constant("e", ints(e)).none().constant("st", ints(st)).run();
            assertArrayEquals(new long[]{picks[0].length, picks[1].length, picks[2].length}, y.shape(), "trial " + trial + java.util.Arrays.toString(s) + java.util.Arrays.toString(e) + java.util.Arrays.toString(st));
            int k = 0;
            for (long a : picks[0]) for (long b : picks[1]) for (long c : picks[2]) {
                assertEquals(a * 30 + b * 6 + c, (long) y.getFloat(k++), "trial " + trial);
            }
        }
    }

    @Test
    void sliceErrors() {
        assertThrows(MinnowException.class, () -> op("Slice").input("x", iota(4)).constant("s", ints(0))
                .constant("e", ints(2)).none().constant("st", ints(0)).run());
        assertThrows(MinnowException.class, () -> op("Slice").input("x", iota(4, 2)).constant("s", ints(0, 0))
                .constant("e", ints(2, 2)).constant("a", ints(0, -2)).run());
    }

    @Test
    void gatherAxesAndNegativeIndices() {
        Tensor x = iota(3, 4);
        Tensor y = op("Gather").input("x", x).constant("i", ints(2, -3)).run();
        assertArrayEquals(new float[]{8, 9, 10, 11, 0, 1, 2, 3}, y.toFloatArray());
        y = op("Gather").input("x", x).input("i", i64(new long[]{-1, 0, 1, 1}, 2, 2)).attr("axis", 1L).run();
        assertArrayEquals(new long[]{3, 2, 2}, y.shape());
        assertArrayEquals(new float[]{3, 0, 1, 1, 7, 4, 5, 5, 11, 8, 9, 9}, y.toFloatArray());
        y = op("Gather").input("x", x).input("i", typed(DataType.INT32, new long[]{1}, new long[]{})).attr("axis", -2L).run();
        assertArrayEquals(new long[]{4}, y.shape());
        assertArrayEquals(new float[]{4, 5, 6, 7}, y.toFloatArray());
    }

    @Test
    void gatherBytesAndEmptyIndices() {
        Tensor x = typed(DataType.UINT8, new long[]{10, 20, 30}, 3);
        Tensor y = op("Gather").input("x", x).input("i", i64(new long[]{2, 2, 0}, 3)).run();
        assertArrayEquals(new long[]{30, 30, 10}, y.toLongArray());
        assertArrayEquals(new long[]{0}, op("Gather").input("x", x).input("i", i64(new long[]{}, 0)).run().shape());
    }

    @Test
    void gatherRejectsOutOfRangeIndex() {
        var e = assertThrows(MinnowException.class, () -> op("Gather").input("x", iota(3)).input("i", ints(0, 3)).run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Gather").input("x", iota(3)).constant("i", ints(-4)).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
    }
}
