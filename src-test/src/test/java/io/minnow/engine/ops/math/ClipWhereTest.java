package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class ClipWhereTest {
    private static final float[] X = {-3, -1, 0, 0.5f, 2, 7, Float.NaN};

    @Test
    void clipInputsFromOpset11() {
        Tensor x = f32(s(X.length), X);
        float[] y = OneNode.op("Clip").opset(13).in(x).constant(f32(s(), -1)).constant(f32(s(), 2)).run().toFloatArray();
        assertArrayEquals(new float[]{-1, -1, 0, 0.5f, 2, 2, Float.NaN}, y);
        y = OneNode.op("Clip").opset(13).in(x).none().in(f32(s(), 1)).run().toFloatArray(); // max only, run-time
        assertArrayEquals(new float[]{-3, -1, 0, 0.5f, 1, 1, Float.NaN}, y);
        y = OneNode.op("Clip").opset(11).in(x).run().toFloatArray(); // no bounds
        assertArrayEquals(X, y);
        y = OneNode.op("Clip").opset(13).in(x).constant(f32(s(), 3)).constant(f32(s(), 1)).run().toFloatArray();
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 1, Float.NaN}, y); // min > max: all max
    }

    @Test
    void clipAttributesBeforeOpset11() {
        float[] y = OneNode.op("Clip").opset(6).attr("min", -0.5f).attr("max", 0.75f).in(f32(s(X.length), X)).run().toFloatArray();
        assertArrayEquals(new float[]{-0.5f, -0.5f, 0, 0.5f, 0.75f, 0.75f, Float.NaN}, y);
        y = OneNode.op("Clip").opset(6).in(f32(s(2), Float.NEGATIVE_INFINITY, 1)).run().toFloatArray();
        assertArrayEquals(new float[]{-Float.MAX_VALUE, 1}, y); // Clip-6 default bounds are the float limits
    }

    @Test
    void clipIntegers() {
        Tensor x = typed(DataType.INT8, s(5), -128, -5, 0, 5, 127);
        Tensor y = OneNode.op("Clip").opset(13).in(x).in(typed(DataType.INT8, s(), -2)).none().run();
        assertEquals(DataType.INT8, y.type());
        assertArrayEquals(new long[]{-2, -2, 0, 5, 127}, y.toLongArray());
        Tensor u = Tensor.allocate(DataType.UINT64, 2);
        u.setLongValue(0, -1L); // 2^64 - 1
        u.setLongValue(1, 5);
        Tensor hi = Tensor.allocate(DataType.UINT64);
        hi.setLongValue(0, 1L << 63);
        y = OneNode.op("Clip").opset(13).in(u).none().in(hi).run();
        assertArrayEquals(new long[]{1L << 63, 5}, y.toLongArray()); // unsigned compare
    }

    @Test
    void clipBoundsMustBeScalarsOfTheInputType() {
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("Clip").opset(13).in(f32(s(2), 1, 2)).in(f32(s(2), 0, 0)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("Clip").opset(13).in(f32(s(2), 1, 2)).in(i64(s(), 0)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }

    @Test
    void whereBroadcastsThreeWays() {
        Tensor c = bools(s(2, 1), true, false);
        Tensor x = f32(s(3), 1, 2, 3);
        Tensor y = f32(s(2, 1, 1), 10, 20);
        Tensor out = OneNode.op("Where").in(c).in(x).in(y).run();
        assertArrayEquals(s(2, 2, 3), out.shape());
        assertArrayEquals(new float[]{1, 2, 3, 10, 10, 10, 1, 2, 3, 20, 20, 20}, out.toFloatArray());
    }

    @Test
    void whereAnyType() {
        Tensor c = bools(s(3), true, false, true);
        assertArrayEquals(new long[]{Long.MAX_VALUE, -2, 3},
                OneNode.op("Where").in(c).in(i64(s(3), Long.MAX_VALUE, 2, 3)).in(i64(s(), -2)).run().toLongArray());
        Tensor h = OneNode.op("Where").in(c).in(typed(DataType.FLOAT16, s(1), 0.5)).in(typed(DataType.FLOAT16, s(3), 1, 2, 3)).run();
        assertEquals(DataType.FLOAT16, h.type());
        assertArrayEquals(new double[]{0.5, 2, 0.5}, values(h), 0);
        Tensor b = OneNode.op("Where").in(c).in(bools(s(3), false, false, false)).in(bools(s(3), true, true, true)).run();
        assertArrayEquals(new long[]{0, 1, 0}, b.toLongArray());
        Tensor u8 = OneNode.op("Where").in(c).in(typed(DataType.UINT8, s(), 255)).in(typed(DataType.UINT8, s(), 1)).run();
        assertArrayEquals(new long[]{255, 1, 255}, u8.toLongArray());
        Tensor e = OneNode.op("Where").in(bools(s(0))).in(f32(s(1), 1)).in(f32(s(1), 2)).run();
        assertArrayEquals(s(0), e.shape());
    }

    @Test
    void whereChecksTypes() {
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("Where").in(f32(s(1), 1)).in(f32(s(1), 1)).in(f32(s(1), 2)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("Where").in(bools(s(1), true)).in(f32(s(1), 1)).in(i64(s(1), 2)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("Where").in(bools(s(2), true, true)).in(f32(s(3), 1, 2, 3)).in(f32(s(1), 2)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }
}
