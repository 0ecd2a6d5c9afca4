package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.minnow.engine.ops.quant.QNode.s;
import static io.minnow.engine.ops.quant.QNode.scalar;
import static io.minnow.engine.ops.quant.QNode.typed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear: rounding, saturation, axes, blocks, types. */
class QuantizeOpsTest {
    private static final DataType F = DataType.FLOAT, U8 = DataType.UINT8, I8 = DataType.INT8;

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        Tensor x = Tensor.of(new float[] {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 1000f, -1000f, 0.49999997f}, 8);
        Tensor y = QNode.op("QuantizeLinear").in(x).in(scalar(F, 1)).in(scalar(I8, 0)).run();
        assertEquals(I8, y.type());
        assertArrayEquals(new long[] {0, 2, 2, 0, -2, 127, -128, 0}, y.toLongArray());
        Tensor u = QNode.op("QuantizeLinear").in(x).in(scalar(F, 0.5f)).in(scalar(U8, 10)).run();
        assertArrayEquals(new long[] {11, 13, 15, 9, 7, 255, 0, 11}, u.toLongArray());
        Tensor noZero = QNode.op("QuantizeLinear").in(x).in(scalar(F, 1)).run();
        assertEquals(U8, noZero.type());
        assertArrayEquals(new long[] {0, 2, 2, 0, 0, 255, 0, 0}, noZero.toLongArray());
    }

    @Test
    void perAxisWithNegativeAxisAndConstants() {
        // x [2, 3, 2], scales per dim 1.
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i - 6;
        Tensor x = Tensor.of(v, 2, 3, 2);
        Tensor scale = Tensor.of(new float[] {1, 2, 4}, 3);
        Tensor zp = typed(U8, s(3), 100, 50, 0);
        long[] want = new long[12];
        for (int i = 0; i < 12; i++) {
            int c = (i / 2) % 3;
            want[i] = Math.max(0, Math.min(255, (long) Math.rint(v[i] / new float[] {1, 2, 4}[c]) + new long[] {100, 50, 0}[c]));
        }
        assertArrayEquals(want, QNode.op("QuantizeLinear").in(x).in(scale).in(zp).run().toLongArray());
        assertArrayEquals(want, QNode.op("QuantizeLinear").attr("axis", -2).in(x).constant(scale).constant(zp).run().toLongArray());
        Tensor back = QNode.op("DequantizeLinear").attr("axis", 1).in(QNode.op("QuantizeLinear").in(x).in(scale).in(zp).run())
                .in(scale).in(zp).run();
        for (int i = 0; i < 12; i++) {
            int c = (i / 2) % 3;
            if (want[i] > 0) assertEquals(v[i], back.getFloat(i), new float[] {1, 2, 4}[c] / 2, "element " + i);
        }
        MinnowException e = assertThrows(MinnowException.class,
                () -> QNode.op("QuantizeLinear").attr("axis", 2).in(x).in(scale).in(zp).run());
        assertTrue(e.getMessage().contains("node 'q0'") && e.getMessage().contains("per-axis scale"), e.getMessage());
        assertThrows(MinnowException.class, () -> QNode.op("QuantizeLinear").in(x).in(scale).in(typed(U8, s(2), 1, 2)).run());
        assertThrows(MinnowException.class, () -> QNode.op("QuantizeLinear").opset(10).in(x).in(scale).in(zp).run());
    }

    @Test
    void blockedOpset21() {
        // x [2, 5], blocks of 2 along axis 1 -> scale [2, 3] (last block has one element).
        float[] v = {1, 2, 3, 4, 5, -1, -2, -3, -4, -5};
        Tensor x = Tensor.of(v, 2, 5);
        Tensor scale = Tensor.of(new float[] {1, 2, 4, 0.5f, 0.25f, 1}, 2, 3);
        Tensor zp = typed(I8, s(2, 3), 0, 1, -1, 0, 2, 3);
        Tensor y = QNode.op("QuantizeLinear").opset(21).attr("axis", 1).attr("block_size", 2).in(x).in(scale).in(zp).run();
        assertArrayEquals(new long[] {1, 2, 3, 3, 0, -2, -4, -10, -14, -2}, y.toLongArray());
        Tensor d = QNode.op("DequantizeLinear").opset(21).attr("axis", 1).attr("block_size", 2).in(y).in(scale).in(zp).run();
        assertArrayEquals(new float[] {1, 2, 4, 4, 4, -1, -2, -3, -4, -5}, d.toFloatArray());
        assertThrows(MinnowException.class, () -> QNode.op("QuantizeLinear").opset(21).attr("axis", 1).attr("block_size", 3)
                .in(x).in(scale).in(zp).run());
    }

    @Test
    void opset21OutputTypes() {
        Tensor x = Tensor.of(new float[] {-40000, 0, 70000}, 3);
        Tensor y = QNode.op("QuantizeLinear").opset(21).attr("output_dtype", (long) DataType.INT16.onnxId).in(x).in(scalar(F, 1)).run();
        assertEquals(DataType.INT16, y.type());
        assertArrayEquals(new long[] {-32768, 0, 32767}, y.toLongArray());
        Tensor u = QNode.op("QuantizeLinear").opset(21).in(x).in(scalar(F, 1)).in(scalar(DataType.UINT16, 7)).run();
        assertArrayEquals(new long[] {0, 7, 65535}, u.toLongArray());
        assertThrows(MinnowException.class, () -> QNode.op("QuantizeLinear").opset(19).in(x).in(scalar(F, 1))
                .in(scalar(DataType.UINT16, 7)).run());
        assertThrows(MinnowException.class, () -> QNode.op("QuantizeLinear").opset(21).attr("output_dtype", 22L).in(x).in(scalar(F, 1)).run());
    }

    @Test
    void dequantizeTypes() {
        Tensor i32 = typed(DataType.INT32, s(3), -1_000_000, 0, 123);
        assertArrayEquals(new float[] {-500_000, 0, 61.5f},
                QNode.op("DequantizeLinear").in(i32).in(scalar(F, 0.5f)).run().toFloatArray());
        assertArrayEquals(new float[] {-128 * 2f - 4, 127 * 2f - 4},
                QNode.op("DequantizeLinear").in(typed(I8, s(2), -128, 127)).in(scalar(F, 2)).in(scalar(I8, 2)).run().toFloatArray());
        assertArrayEquals(new float[] {-510, 0},
                QNode.op("DequantizeLinear").in(typed(U8, s(2), 0, 255)).in(scalar(F, 2)).in(scalar(U8, 255)).run().toFloatArray());
        assertThrows(MinnowException.class, () -> QNode.op("DequantizeLinear").in(i32).in(scalar(F, 1))
                .in(scalar(DataType.INT32, 3)).run());
        assertThrows(MinnowException.class, () -> QNode.op("DequantizeLinear").in(typed(U8, s(1), 1)).in(scalar(F, 1))
                .in(scalar(I8, 0)).run());
    }

    @Test
    void dynamicQuantizeMatchesTheOnnxExample() {
        // The example in the ONNX operator documentation.
        Tensor x = Tensor.of(new float[] {0, 2, -3, -2.5f, 1.34f, 0.5f}, 6);
        List<Tensor> out = QNode.op("DynamicQuantizeLinear").outputs(3).in(x).runAll();
        assertArrayEquals(new long[] {153, 255, 0, 26, 221, 179}, out.get(0).toLongArray());
        assertEquals(5f / 255f, out.get(1).getFloat(0), 1e-9f);
        assertEquals(153, out.get(2).getLongValue(0));
        assertEquals(0, out.get(1).rank());

        List<Tensor> zeros = QNode.op("DynamicQuantizeLinear").outputs(3).in(Tensor.of(new float[4], 4)).runAll();
        assertArrayEquals(new long[4], zeros.get(0).toLongArray());
        assertEquals(1f / 255f, zeros.get(1).getFloat(0));
        assertEquals(0, zeros.get(2).getLongValue(0));

        // Random data: dequantizing gives back x within half a step, and 0 is exact.
        Random r = new Random(5);
        float[] v = new float[257];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 7 - 2;
        v[0] = 0;
        List<Tensor> q = QNode.op("DynamicQuantizeLinear").outputs(3).in(Tensor.of(v, v.length)).runAll();
        float sc = q.get(1).getFloat(0);
        long z = q.get(2).getLongValue(0);
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], (q.get(0).getLongValue(i) - z) * sc, sc * 0.5001f, "element " + i);
        }
        assertEquals(z, q.get(0).getLongValue(0));
    }
}
