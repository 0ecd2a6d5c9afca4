package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class BinaryTest {
    /** Naive broadcasting reference: maps every output index back to each input. */
    static double[] reference(long[] sa, double[] a, long[] sb, double[] b, long[] out, DoubleBinaryOperator f) {
        int n = Math.toIntExact(Tensor.elementCount(out));
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = f.applyAsDouble(a[index(i, out, sa)], b[index(i, out, sb)]);
        return r;
    }

    static int index(long flat, long[] out, long[] in) {
        long idx = 0, stride = 1;
        for (int d = out.length - 1; d >= 0; d--) {
            long coord = flat % out[d];
            flat /= out[d];
            int id = d - (out.length - in.length);
            if (id >= 0) {
                if (in[id] != 1) idx += coord * stride;
                stride *= in[id];
            }
        }
        return (int) idx;
    }

    private static void checkFloat(String op, long[] sa, long[] sb, long[] expectShape, DoubleBinaryOperator f) {
        int na = Math.toIntExact(Tensor.elementCount(sa)), nb = Math.toIntExact(Tensor.elementCount(sb));
        float[] a = random(na, 1, op.equals("Pow") ? 0.1f : -3, 3), b = random(nb, 2, 0.5f, 3);
        for (boolean constB : new boolean[]{false, true}) {
            OneNode node = OneNode.op(op).in(f32(sa, a));
            node = constB ? node.constant(f32(sb, b)) : node.in(f32(sb, b));
            Tensor y = node.run();
            assertArrayEquals(expectShape, y.shape(), op + " shape");
            double[] ref = reference(sa, toD(a), sb, toD(b), expectShape, f);
            double[] got = values(y);
            for (int i = 0; i < ref.length; i++) {
                assertEquals((float) ref[i], got[i], 1e-5 + 1e-5 * Math.abs(ref[i]), op + " at " + i);
            }
        }
    }

    static double[] toD(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void broadcastShapes() {
        long[][][] cases = {
                {s(3, 4, 5), s(3, 4, 5), s(3, 4, 5)},
                {s(3, 4, 5), s(5), s(3, 4, 5)},
                {s(3, 1, 5), s(4, 1), s(3, 4, 5)},
                {s(1, 4, 1), s(3, 1, 5), s(3, 4, 5)},
                {s(), s(2, 3), s(2, 3)},
                {s(2, 3), s(), s(2, 3)},
                {s(), s(), s()},
                {s(2, 1, 3, 1), s(1, 7, 1, 5), s(2, 7, 3, 5)},
                {s(6, 1), s(6, 1), s(6, 1)},
                {s(1, 13), s(7, 1), s(7, 13)},
                {s(0, 3), s(3), s(0, 3)},
                {s(2, 0, 3), s(1, 1), s(2, 0, 3)},
        };
        for (long[][] c : cases) {
            checkFloat("Add", c[0], c[1], c[2], Double::sum);
            checkFloat("Sub", c[0], c[1], c[2], (x, z) -> x - z);
            checkFloat("Mul", c[0], c[1], c[2], (x, z) -> x * z);
            checkFloat("Div", c[0], c[1], c[2], (x, z) -> (float) x / (float) z);
            checkFloat("Pow", c[0], c[1], c[2], (x, z) -> Math.pow(x, z));
        }
    }

    @Test
    void largeParallelEqualsSequential() {
        long[] sa = s(64, 33, 17), sb = s(33, 1);
        float[] a = random(64 * 33 * 17, 3, -1, 1), b = random(33, 4, -1, 1);
        Tensor one = OneNode.op("Mul").in(f32(sa, a)).in(f32(sb, b)).run();
        Tensor four = OneNode.op("Mul").threads(4).in(f32(sa, a)).in(f32(sb, b)).run();
        assertArrayEquals(one.toFloatArray(), four.toFloatArray());
        double[] ref = reference(sa, toD(a), sb, toD(b), sa, (x, z) -> (float) x * (float) z);
        float[] got = four.toFloatArray();
        for (int i = 0; i < ref.length; i++) assertEquals((float) ref[i], got[i]);
    }

    @Test
    void integerArithmeticWrapsAndTruncates() {
        Tensor a = typed(DataType.INT32, s(4), 7, -7, 7, -7), b = typed(DataType.INT32, s(4), 2, 2, -2, -2);
        assertArrayEquals(new long[]{3, -3, -3, 3}, OneNode.op("Div").in(a).in(b).run().toLongArray());
        Tensor u = typed(DataType.UINT8, s(3), 250, 3, 200), v = typed(DataType.UINT8, s(3), 10, 5, 100);
        assertArrayEquals(new long[]{4, 8, 44}, OneNode.op("Add").in(u).in(v).run().toLongArray());
        assertArrayEquals(new long[]{240, 254, 100}, OneNode.op("Sub").in(u).in(v).run().toLongArray());
        assertArrayEquals(new long[]{196, 15, 32}, OneNode.op("Mul").in(u).in(v).run().toLongArray());
        assertArrayEquals(new long[]{25, 0, 2}, OneNode.op("Div").in(u).in(v).run().toLongArray());
        Tensor big = i64(s(2), Long.MAX_VALUE, 5), one = i64(s(), 1);
        assertArrayEquals(new long[]{Long.MIN_VALUE, 6}, OneNode.op("Add").in(big).in(one).run().toLongArray());
    }

    @Test
    void integerDivisionByZeroIsAnError() {
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("Div").in(i64(s(2), 1, 2)).in(i64(s(2), 1, 0)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }

    @Test
    void powTypes() {
        // float base, int exponent
        Tensor y = OneNode.op("Pow").in(f32(s(3), 1, 2, 3)).in(i64(s(3), 4, 5, 6)).run();
        assertEquals(DataType.FLOAT, y.type());
        assertArrayEquals(new float[]{1, 32, 729}, y.toFloatArray());
        // int base, float exponent: truncated
        y = OneNode.op("Pow").in(typed(DataType.INT32, s(3), 1, 2, 3)).in(f32(s(3), 4, 5, 0.5f)).run();
        assertEquals(DataType.INT32, y.type());
        assertArrayEquals(new long[]{1, 32, 1}, y.toLongArray());
        // int base, int exponent, exact in 64 bits
        y = OneNode.op("Pow").in(i64(s(4), 3, -2, 2, 5)).in(i64(s(4), 39, 3, 62, 0)).run();
        assertArrayEquals(new long[]{4052555153018976267L, -8, 1L << 62, 1}, y.toLongArray());
        // negative exponents on integers truncate 1/x^n
        y = OneNode.op("Pow").in(i64(s(4), 1, -1, -1, 2)).in(i64(s(4), -3, -3, -2, -1)).run();
        assertArrayEquals(new long[]{1, -1, 1, 0}, y.toLongArray());
        // double
        y = OneNode.op("Pow").in(typed(DataType.DOUBLE, s(2), 2, 9)).in(typed(DataType.DOUBLE, s(), 0.5)).run();
        assertArrayEquals(new double[]{Math.sqrt(2), 3}, values(y), 1e-15);
    }

    @Test
    void equalAllTypes() {
        Tensor y = OneNode.op("Equal").in(f32(s(2, 3), 1, 2, 3, 4, Float.NaN, 6)).in(f32(s(3), 1, Float.NaN, 6)).run();
        assertEquals(DataType.BOOL, y.type());
        assertArrayEquals(new long[]{1, 0, 0, 0, 0, 1}, y.toLongArray());
        y = OneNode.op("Equal").in(i64(s(2), Long.MAX_VALUE, Long.MAX_VALUE - 1)).in(i64(s(), Long.MAX_VALUE)).run();
        assertArrayEquals(new long[]{1, 0}, y.toLongArray()); // exact, not via double
        y = OneNode.op("Equal").in(bools(s(4), true, true, false, false)).in(bools(s(4), true, false, true, false)).run();
        assertArrayEquals(new long[]{1, 0, 0, 1}, y.toLongArray());
        y = OneNode.op("Equal").in(typed(DataType.FLOAT16, s(2), 0.5, 2)).in(typed(DataType.FLOAT16, s(1), 2)).run();
        assertArrayEquals(new long[]{0, 1}, y.toLongArray());
    }

    @Test
    void preluBroadcastsSlopeToX() {
        Tensor y = OneNode.op("PRelu").in(f32(s(2, 3), -1, 2, -3, -4, 5, -6)).in(f32(s(3), 0.1f, 0.2f, 0.3f)).run();
        assertArrayEquals(new float[]{-0.1f, 2, -0.90000004f, -0.4f, 5, -1.8f}, y.toFloatArray(), 1e-6f);
        // per-channel slope [C,1,1] on NCHW
        y = OneNode.op("PRelu").in(f32(s(1, 2, 1, 2), -1, -1, -1, 1)).constant(f32(s(2, 1, 1), 0.5f, 2f)).run();
        assertArrayEquals(new float[]{-0.5f, -0.5f, -2f, 1f}, y.toFloatArray());
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("PRelu").in(f32(s(3), 1, 2, 3)).in(f32(s(2, 3), 1, 2, 3, 4, 5, 6)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }

    @Test
    void badInputsNameTheNode() {
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("Add").in(f32(s(2, 3), new float[6])).in(f32(s(4), new float[4])).run());
        assertTrue(e.getMessage().contains("node0") && e.getMessage().contains("broadcast"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("Mul").in(f32(s(2), 1, 2)).in(i64(s(2), 1, 2)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("Add").in(bools(s(1), true)).in(bools(s(1), true)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }

    @Test
    void doubleAndHalfCompute() {
        Tensor y = OneNode.op("Div").in(typed(DataType.DOUBLE, s(2), 1, 2)).in(typed(DataType.DOUBLE, s(1), 3)).run();
        assertArrayEquals(new double[]{1.0 / 3, 2.0 / 3}, values(y), 0);
        y = OneNode.op("Add").in(typed(DataType.FLOAT16, s(2), 1, 2)).in(typed(DataType.FLOAT16, s(2), 0.5, 0.25)).run();
        assertEquals(DataType.FLOAT16, y.type());
        assertArrayEquals(new double[]{1.5, 2.25}, values(y), 0);
    }

    @Test
    void foldedWhenAllInputsAreConstant() {
        Tensor y = OneNode.op("Add").constant(f32(s(2), 1, 2)).constant(f32(s(2, 1), 10, 20)).run();
        assertArrayEquals(s(2, 2), y.shape());
        assertArrayEquals(new float[]{11, 12, 21, 22}, y.toFloatArray());
        assertEquals("[2, 2]", Arrays.toString(y.shape()));
    }
}
