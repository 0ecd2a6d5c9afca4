package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class CastTest {
    private static Tensor cast(Tensor x, DataType to) {
        return OneNode.op("Cast").attr("to", (long) to.onnxId).in(x).run();
    }

    @Test
    void floatToIntegersTruncatesTowardZero() {
        Tensor x = f32(s(6), 2.7f, -2.7f, 0.5f, -0.5f, 300f, Float.NaN);
        assertArrayEquals(new long[]{2, -2, 0, 0, 300, 0}, cast(x, DataType.INT64).toLongArray());
        assertArrayEquals(new long[]{2, -2, 0, 0, 300, 0}, cast(x, DataType.INT32).toLongArray());
        assertArrayEquals(new long[]{2, 254, 0, 0, 44, 0}, cast(x, DataType.UINT8).toLongArray()); // wraps like C
        assertArrayEquals(new long[]{1, 1, 1, 1, 1, 1}, cast(x, DataType.BOOL).toLongArray()); // NaN -> true
        assertArrayEquals(new long[]{0, 0}, cast(f32(s(2), 0f, -0f), DataType.BOOL).toLongArray());
    }

    @Test
    void integersToFloatsRoundToNearest() {
        Tensor x = i64(s(3), (1L << 24) + 1, -(1L << 53) - 1, Long.MAX_VALUE);
        assertArrayEquals(new float[]{1 << 24, -(float) (1L << 53), 9.223372e18f}, cast(x, DataType.FLOAT).toFloatArray());
        Tensor u = Tensor.allocate(DataType.UINT64, 1);
        u.setLongValue(0, -1L);
        assertEquals(18446744073709551615.0, cast(u, DataType.DOUBLE).getDouble(0));
        assertEquals(1.8446744e19f, cast(u, DataType.FLOAT).getFloat(0));
        assertArrayEquals(new double[]{1, 0, 1}, values(cast(bools(s(3), true, false, true), DataType.DOUBLE)), 0);
        assertArrayEquals(new long[]{200, 255}, cast(typed(DataType.INT32, s(2), 200, -1), DataType.UINT8).toLongArray());
        assertArrayEquals(new long[]{200, 255}, cast(typed(DataType.UINT8, s(2), 200, 255), DataType.INT32).toLongArray());
    }

    @Test
    void halfAndBfloat16RoundToNearestEven() {
        // 1 + 2^-11 is halfway between two float16 values: ties to even (1.0)
        Tensor h = cast(f32(s(3), 1f + 0x1p-11f, 1f + 0x1.8p-11f, 70000f), DataType.FLOAT16);
        assertArrayEquals(new double[]{1.0, 1.0 + 0x1p-10, Double.POSITIVE_INFINITY}, values(h), 0);
        // double just above a half-way point must round up (a double rounding through float would tie to even)
        double d = 1.0 + 0x1p-11 + 0x1p-40;
        assertEquals(1.0 + 0x1p-10, cast(typed(DataType.DOUBLE, s(1), d), DataType.FLOAT16).getDouble(0));
        Tensor b = cast(f32(s(3), 1f + 0x1p-8f, 1f + 0x1.8p-8f, 0.47892547f), DataType.BFLOAT16);
        assertArrayEquals(new double[]{1.0, 1.0 + 0x1p-7, 0.478515625}, values(b), 0);
        assertEquals(1.0 + 0x1p-7, cast(typed(DataType.DOUBLE, s(1), 1.0 + 0x1p-8 + 0x1p-40), DataType.BFLOAT16).getDouble(0));
        assertTrue(Double.isNaN(cast(f32(s(1), Float.NaN), DataType.BFLOAT16).getDouble(0)));
        Tensor back = cast(typed(DataType.BFLOAT16, s(2), 1.5, -2), DataType.FLOAT);
        assertArrayEquals(new float[]{1.5f, -2f}, back.toFloatArray());
        Tensor h2f = cast(typed(DataType.FLOAT16, s(2), 0.333, 65504), DataType.DOUBLE);
        assertArrayEquals(new double[]{0.333, 65504}, values(h2f), 2e-4);
    }

    @Test
    void castLikeTakesTheSecondInputsType() {
        Tensor y = OneNode.op("CastLike").opset(15).in(f32(s(2), 1.9f, -1.9f)).in(i64(s(1), 0)).run();
        assertEquals(DataType.INT64, y.type());
        assertArrayEquals(new long[]{1, -1}, y.toLongArray());
    }

    @Test
    void sameTypeIsACopyAndEmptyWorks() {
        assertArrayEquals(new float[]{1, 2}, cast(f32(s(2), 1, 2), DataType.FLOAT).toFloatArray());
        assertArrayEquals(s(0, 2), cast(f32(s(0, 2)), DataType.INT32).shape());
    }

    @Test
    void refusesStringsFloat8AndMissingTo() {
        for (long to : new long[]{8, 17, 19, 21, 22, 99}) {
            MinnowException e = assertThrows(MinnowException.class,
                    () -> OneNode.op("Cast").attr("to", to).in(f32(s(1), 1)).run());
            assertTrue(e.getMessage().contains("node0") && e.getMessage().contains("not supported"), e.getMessage());
        }
        MinnowException e = assertThrows(MinnowException.class, () -> OneNode.op("Cast").in(f32(s(1), 1)).run());
        assertTrue(e.getMessage().contains("'to'"), e.getMessage());
    }
}
