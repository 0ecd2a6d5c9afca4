package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class SoftmaxTest {
    /** Reference over the view [outer, n, inner]. */
    static double[] reference(float[] x, long outer, long n, long inner, boolean log) {
        double[] r = new double[x.length];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (long j = 0; j < n; j++) max = Math.max(max, x[(int) ((o * n + j) * inner + i)]);
                for (long j = 0; j < n; j++) sum += Math.exp(x[(int) ((o * n + j) * inner + i)] - max);
                for (long j = 0; j < n; j++) {
                    int k = (int) ((o * n + j) * inner + i);
                    r[k] = log ? x[k] - max - Math.log(sum) : Math.exp(x[k] - max) / sum;
                }
            }
        }
        return r;
    }

    private static void check(String op, long opset, Long axis, long[] shape, long outer, long n, long inner) {
        int size = Math.toIntExact(Tensor.elementCount(shape));
        float[] x = random(size, 11, -5, 5);
        OneNode node = OneNode.op(op).opset(opset).in(f32(shape, x));
        if (axis != null) node.attr("axis", axis.longValue());
        float[] got = node.run().toFloatArray();
        double[] ref = reference(x, outer, n, inner, op.equals("LogSoftmax"));
        for (int i = 0; i < size; i++) {
            assertEquals(ref[i], got[i], 1e-6 + 1e-5 * Math.abs(ref[i]), op + " opset " + opset + " axis " + axis + " at " + i);
        }
    }

    @Test
    void opset13NormalisesOneAxis() {
        for (String op : new String[]{"Softmax", "LogSoftmax"}) {
            check(op, 13, null, s(3, 4, 5), 12, 5, 1);
            check(op, 13, -1L, s(3, 4, 5), 12, 5, 1);
            check(op, 13, 0L, s(3, 4, 5), 1, 3, 20);
            check(op, 13, 1L, s(3, 4, 5), 3, 4, 5);
            check(op, 13, -2L, s(3, 4, 5), 3, 4, 5);
            check(op, 13, 0L, s(7), 1, 7, 1);
        }
    }

    @Test
    void beforeOpset13CoercesTo2D() {
        for (String op : new String[]{"Softmax", "LogSoftmax"}) {
            check(op, 11, null, s(3, 4, 5), 3, 20, 1); // default axis 1: rows of 4*5
            check(op, 11, 0L, s(3, 4, 5), 1, 60, 1);
            check(op, 11, 2L, s(3, 4, 5), 12, 5, 1);
            check(op, 11, -1L, s(3, 4, 5), 12, 5, 1);
            check(op, 1, null, s(2, 3), 2, 3, 1);
        }
    }

    @Test
    void largeNumbersAreStable() {
        float[] x = {0, 1, 2, 3, 10000, 10001, 10002, 10003};
        float[] y = OneNode.op("Softmax").opset(13).in(f32(s(2, 4), x)).run().toFloatArray();
        float[] row = {0.0320586f, 0.08714432f, 0.23688284f, 0.64391428f};
        for (int i = 0; i < 8; i++) assertEquals(row[i % 4], y[i], 1e-6);
        y = OneNode.op("LogSoftmax").opset(13).in(f32(s(2, 4), x)).run().toFloatArray();
        for (int i = 0; i < 8; i++) assertEquals(Math.log(row[i % 4]), y[i], 1e-5);
    }

    @Test
    void doubleAndParallel() {
        Tensor d = OneNode.op("Softmax").opset(13).attr("axis", 0L).in(typed(DataType.DOUBLE, s(2, 2), 1, 2, 3, 4)).run();
        double a = 1 / (1 + Math.exp(2));
        assertArrayEquals(new double[]{a, a, 1 - a, 1 - a}, values(d), 1e-15);
        float[] x = random(300 * 257, 5, -3, 3);
        float[] one = OneNode.op("Softmax").in(f32(s(300, 257), x)).run().toFloatArray();
        float[] four = OneNode.op("Softmax").threads(4).in(f32(s(300, 257), x)).run().toFloatArray();
        assertArrayEquals(one, four);
        assertArrayEquals(s(0, 5), OneNode.op("Softmax").in(f32(s(0, 5))).run().shape());
    }

    @Test
    void badAxisNamesTheNode() {
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("Softmax").opset(13).attr("axis", 3L).in(f32(s(2, 2), 1, 2, 3, 4)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> OneNode.op("Softmax").in(i64(s(1), 1)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }
}
