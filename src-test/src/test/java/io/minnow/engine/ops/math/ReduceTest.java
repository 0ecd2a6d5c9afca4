package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleBinaryOperator;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class ReduceTest {
    private static final long[] SHAPE = {3, 2, 2};
    private static final float[] DATA = {5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2};

    /** Reference reduction over one set of axes: sum-like fold plus finaliser, keeping all dims. */
    static double[] reference(float[] x, long[] shape, boolean[] red, double init, DoubleBinaryOperator f) {
        long[] out = shape.clone();
        for (int d = 0; d < shape.length; d++) if (red[d]) out[d] = 1;
        double[] r = new double[Math.toIntExact(Tensor.elementCount(out))];
        java.util.Arrays.fill(r, init);
        for (int i = 0; i < x.length; i++) {
            long flat = i, o = 0, stride = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                long c = flat % shape[d];
                flat /= shape[d];
                if (!red[d]) o += c * stride;
                stride *= out[d];
            }
            r[(int) o] = f.applyAsDouble(r[(int) o], x[i]);
        }
        return r;
    }

    @Test
    void axesAttributeBeforeOpset18() {
        Tensor y = OneNode.op("ReduceMean").opset(13).attrInts("axes", 1).attr("keepdims", 0L).in(f32(SHAPE, DATA)).run();
        assertArrayEquals(s(3, 2), y.shape());
        assertArrayEquals(new float[]{12.5f, 1.5f, 35, 1.5f, 57.5f, 1.5f}, y.toFloatArray());
        y = OneNode.op("ReduceMax").opset(13).attrInts("axes", -2).in(f32(SHAPE, DATA)).run();
        assertArrayEquals(s(3, 1, 2), y.shape());
        assertArrayEquals(new float[]{20, 2, 40, 2, 60, 2}, y.toFloatArray());
        y = OneNode.op("ReduceMax").opset(13).in(f32(SHAPE, DATA)).run(); // all, keepdims
        assertArrayEquals(s(1, 1, 1), y.shape());
        assertArrayEquals(new float[]{60}, y.toFloatArray());
        y = OneNode.op("ReduceSum").opset(11).attrInts("axes", 0, 2).attr("keepdims", 0L).in(f32(SHAPE, DATA)).run();
        assertArrayEquals(new float[]{5 + 1 + 30 + 1 + 55 + 1, 20 + 2 + 40 + 2 + 60 + 2}, y.toFloatArray());
    }

    @Test
    void axesInputFromOpset13Or18() {
        Tensor y = OneNode.op("ReduceSum").opset(13).in(f32(SHAPE, DATA)).constant(i64(s(1), 1)).attr("keepdims", 0L).run();
        assertArrayEquals(new float[]{25, 3, 70, 3, 115, 3}, y.toFloatArray());
        // axes known only at run time: shape decided then
        y = OneNode.op("ReduceSum").opset(13).in(f32(SHAPE, DATA)).in(i64(s(1), -1)).run();
        assertArrayEquals(s(3, 2, 1), y.shape());
        assertArrayEquals(new float[]{6, 22, 31, 42, 56, 62}, y.toFloatArray());
        y = OneNode.op("ReduceMean").opset(18).in(f32(SHAPE, DATA)).constant(i64(s(2), 0, 1)).attr("keepdims", 0L).run();
        assertArrayEquals(new float[]{(5 + 20 + 30 + 40 + 55 + 60) / 6f, 1.5f}, y.toFloatArray(), 1e-5f);
        y = OneNode.op("ReduceMax").opset(18).in(f32(SHAPE, DATA)).run(); // no axes: all
        assertArrayEquals(s(1, 1, 1), y.shape());
    }

    @Test
    void noopWithEmptyAxes() {
        Tensor y = OneNode.op("ReduceSum").opset(13).attr("noop_with_empty_axes", 1L).in(f32(SHAPE, DATA))
                .constant(i64(s(0))).run();
        assertArrayEquals(SHAPE, y.shape());
        assertArrayEquals(DATA, y.toFloatArray());
        y = OneNode.op("ReduceSum").opset(13).attr("noop_with_empty_axes", 1L).in(f32(SHAPE, DATA)).run();
        assertArrayEquals(DATA, y.toFloatArray());
        y = OneNode.op("ReduceSum").opset(13).in(f32(SHAPE, DATA)).constant(i64(s(0))).attr("keepdims", 0L).run();
        assertArrayEquals(s(), y.shape());
        assertArrayEquals(new float[]{219}, y.toFloatArray());
    }

    @Test
    void everyKindEveryAxisSetMatchesReference() {
        long[] shape = {2, 3, 4, 5};
        float[] x = random(120, 17, 0.1f, 2f);
        String[] ops = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare",
                "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"};
        for (int mask = 1; mask < 16; mask++) {
            boolean[] red = new boolean[4];
            long[] axes = new long[Integer.bitCount(mask)];
            for (int d = 0, k = 0; d < 4; d++) {
                if ((mask & (1 << d)) == 0) continue;
                red[d] = true;
                axes[k] = k % 2 == 1 ? d - 4 : d; // mix negative and positive axes
                k++;
            }
            long count = 1;
            for (int d = 0; d < 4; d++) if (red[d]) count *= shape[d];
            for (String op : ops) {
                double[] ref = switch (op) {
                    case "ReduceSum" -> reference(x, shape, red, 0, Double::sum);
                    case "ReduceMean" -> div(reference(x, shape, red, 0, Double::sum), count);
                    case "ReduceMax" -> reference(x, shape, red, Double.NEGATIVE_INFINITY, Math::max);
                    case "ReduceMin" -> reference(x, shape, red, Double.POSITIVE_INFINITY, Math::min);
                    case "ReduceProd" -> reference(x, shape, red, 1, (a, b) -> a * b);
                    case "ReduceSumSquare" -> reference(x, shape, red, 0, (a, b) -> a + b * b);
                    case "ReduceL1" -> reference(x, shape, red, 0, (a, b) -> a + Math.abs(b));
                    case "ReduceL2" -> map(reference(x, shape, red, 0, (a, b) -> a + b * b), Math::sqrt);
                    case "ReduceLogSum" -> map(reference(x, shape, red, 0, Double::sum), Math::log);
                    default -> map(reference(x, shape, red, 0, (a, b) -> a + Math.exp(b)), Math::log);
                };
                for (long opset : new long[]{13, 18}) {
                    OneNode node = OneNode.op(op).opset(opset).in(f32(shape, x));
                    boolean input = opset >= 18 || op.equals("ReduceSum");
                    if (input) node.constant(i64(s(axes.length), axes));
                    else node.attrInts("axes", axes);
                    float[] got = node.run().toFloatArray();
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], got[i], 1e-5 * Math.abs(ref[i]) + 1e-6, op + " mask " + mask + " at " + i);
                    }
                }
            }
        }
    }

    private static double[] div(double[] v, double k) {
        for (int i = 0; i < v.length; i++) v[i] /= k;
        return v;
    }

    private static double[] map(double[] v, java.util.function.DoubleUnaryOperator f) {
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
        return v;
    }

    @Test
    void emptySetsGiveIdentities() {
        Tensor x = f32(s(2, 0));
        assertArrayEquals(new float[]{0, 0}, OneNode.op("ReduceSum").opset(13).in(x).constant(i64(s(1), 1)).run().toFloatArray());
        assertArrayEquals(new float[]{Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                OneNode.op("ReduceMax").opset(13).attrInts("axes", 1).in(x).run().toFloatArray());
        assertTrue(Float.isNaN(OneNode.op("ReduceMean").opset(13).attrInts("axes", 1).in(x).run().toFloatArray()[0]));
        assertArrayEquals(new float[]{1, 1}, OneNode.op("ReduceProd").opset(13).attrInts("axes", 1).in(x).run().toFloatArray());
        assertArrayEquals(new long[]{Integer.MIN_VALUE},
                OneNode.op("ReduceMax").opset(13).in(typed(DataType.INT32, s(0))).run().toLongArray());
        // empty output: nothing to do
        assertArrayEquals(s(0, 1), OneNode.op("ReduceSum").opset(13).in(f32(s(0, 3))).constant(i64(s(1), 1)).run().shape());
    }

    @Test
    void integersAreExact() {
        Tensor x = i64(s(2, 2), Long.MAX_VALUE, -1, 7, 2);
        assertArrayEquals(new long[]{Long.MAX_VALUE - 1, 9},
                OneNode.op("ReduceSum").opset(13).in(x).constant(i64(s(1), 1)).attr("keepdims", 0L).run().toLongArray());
        assertArrayEquals(new long[]{Long.MAX_VALUE, 7},
                OneNode.op("ReduceMax").opset(13).attrInts("axes", 1).in(x).run().toLongArray());
        Tensor y = OneNode.op("ReduceMean").opset(13).attrInts("axes", 0).in(typed(DataType.INT32, s(2, 2), 7, -7, 0, 0)).run();
        assertArrayEquals(new long[]{3, -3}, y.toLongArray()); // truncates
        y = OneNode.op("ReduceMin").opset(20).in(bools(s(3), true, false, true)).run();
        assertArrayEquals(new long[]{0}, y.toLongArray());
    }

    @Test
    void reduceDoubleAndParallelContiguous() {
        Tensor d = OneNode.op("ReduceSum").opset(13).in(typed(DataType.DOUBLE, s(2, 2), 0.1, 0.2, 0.3, 0.4))
                .constant(i64(s(1), 1)).run();
        assertArrayEquals(new double[]{0.1 + 0.2, 0.3 + 0.4}, values(d), 1e-16);
        float[] x = random(257 * 1031, 3, -1, 1);
        float[] one = OneNode.op("ReduceMean").opset(13).attrInts("axes", 1).in(f32(s(257, 1031), x)).run().toFloatArray();
        float[] four = OneNode.op("ReduceMean").opset(13).threads(4).attrInts("axes", 1).in(f32(s(257, 1031), x)).run().toFloatArray();
        assertArrayEquals(one, four);
    }

    @Test
    void badAxesNameTheNode() {
        for (long[] axes : new long[][]{{3}, {-4}, {1, -2}}) {
            MinnowException e = assertThrows(MinnowException.class,
                    () -> OneNode.op("ReduceMean").opset(13).attrInts("axes", axes).in(f32(SHAPE, DATA)).run());
            assertTrue(e.getMessage().contains("node0"), e.getMessage());
        }
        MinnowException e = assertThrows(MinnowException.class,
                () -> OneNode.op("ReduceSum").opset(13).attr("keepdims", 2L).in(f32(SHAPE, DATA)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }
}
