package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmTest {
    private static Tensor expected(Tensor a, Tensor b, Tensor c, boolean ta, boolean tb, float alpha, float beta, int m, int n, int k) {
        Tensor y = Tensor.allocate(DataType.FLOAT, m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (double) a.getFloat(ta ? (long) p * m + i : (long) i * k + p) * b.getFloat(tb ? (long) j * k + p : (long) p * n + j);
                }
                double cv = 0;
                if (c != null) {
                    long[] cs = c.shape();
                    long rows = cs.length == 2 ? cs[0] : 1, cols = cs.length >= 1 ? cs[cs.length - 1] : 1;
                    cv = c.getFloat((rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j));
                }
                y.setFloat((long) i * n + j, (float) (alpha * acc + beta * cv));
            }
        }
        return y;
    }

    @Test
    void everyTransposeAndBiasShape() {
        Random rnd = new Random(2);
        int n = 37, k = 21;
        for (int m : new int[]{13, 3}) // 3 rows with transB take the dot-product path
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (long[] cShape : new long[][]{null, {}, {1}, {n}, {1, n}, {m, 1}, {m, n}, {1, 1}}) {
                    Tensor a = random(rnd, ta ? k : m, ta ? m : k), b = random(rnd, tb ? n : k, tb ? k : n);
                    Tensor c = cShape == null ? null : random(rnd, cShape);
                    float alpha = rnd.nextBoolean() ? 1f : 0.7f, beta = rnd.nextBoolean() ? 1f : -1.3f;
                    NodeCase node = new NodeCase("Gemm").opset(13).input("a", a).constant("b", b);
                    if (c != null) node.input("c", c);
                    node.attr("transA", ta ? 1L : 0L).attr("transB", tb ? 1L : 0L).attr("alpha", alpha).attr("beta", beta).output("y");
                    String what = "m=" + m + " ta=" + ta + " tb=" + tb + " c=" + java.util.Arrays.toString(cShape);
                    Tensor y = node.run(1, Integer.MAX_VALUE).get("y");
                    assertClose(expected(a, b, c, ta, tb, alpha, beta, m, n, k), y, 1e-4, 1e-5, what);
                    assertClose(y, node.run(1, 0).get("y"), 1e-4, 1e-5, "scalar " + what);
                    assertBitEqual(y, node.run(3, Integer.MAX_VALUE).get("y"), "threads " + what);
                }
            }
        }
    }

    @Test
    void bigProductSplitsOverThreadsIdentically() {
        Random rnd = new Random(4);
        Tensor a = random(rnd, 150, 90), b = random(rnd, 200, 90), c = random(rnd, 200);
        NodeCase node = new NodeCase("Gemm").input("a", a).constant("b", b).constant("c", c).attr("transB", 1L).output("y");
        Tensor y1 = node.run(1, Integer.MAX_VALUE).get("y");
        assertClose(expected(a, b, c, false, true, 1, 1, 150, 200, 90), y1, 1e-4, 1e-5, "big");
        assertBitEqual(y1, node.run(2, Integer.MAX_VALUE).get("y"), "2 threads");
        assertBitEqual(y1, node.run(4, Integer.MAX_VALUE).get("y"), "4 threads");
        Tensor a1 = random(rnd, 1, 90);
        NodeCase gemv = new NodeCase("Gemm").input("a", a1).constant("b", b).attr("transB", 1L).output("y");
        Tensor g1 = gemv.run(1, Integer.MAX_VALUE).get("y");
        assertClose(expected(a1, b, null, false, true, 1, 0, 1, 200, 90), g1, 1e-4, 1e-5, "gemv");
        assertBitEqual(g1, gemv.run(3, Integer.MAX_VALUE).get("y"), "gemv threads");
    }

    @Test
    void fusedActivationAndErrors() {
        Random rnd = new Random(6);
        Tensor a = random(rnd, 5, 7), b = random(rnd, 7, 9), c = random(rnd, 9);
        FusedActivation act = new FusedActivation(FusedActivation.Kind.TANH, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0, 0);
        Tensor y = new NodeCase("Gemm").input("a", a).constant("b", b).constant("c", c).attr("alpha", 0.5f).output("y").run().copy();
        for (long i = 0; i < y.size(); i++) y.setFloat(i, act.apply(y.getFloat(i)));
        Tensor fused = new NodeCase("Gemm").input("a", a).constant("b", b).constant("c", c).attr("alpha", 0.5f)
                .attr(FusedActivation.ATTR, "Tanh").output("y").run();
        assertBitEqual(y, fused, "tanh");
        MinnowException e = assertThrows(MinnowException.class, () -> new NodeCase("Gemm").input("a", a).constant("b", random(rnd, 6, 9))
                .output("y").run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("inner"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("Gemm").input("a", a).constant("b", b).constant("c", random(rnd, 2, 9))
                .output("y").run());
        assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("Gemm").opset(9).input("a", a).constant("b", b).output("y").run());
        assertTrue(e.getMessage().contains("required"), e.getMessage());
    }

    @Test
    void doubleAndEmpty() {
        Tensor a = Tensor.allocate(DataType.DOUBLE, 2, 3), b = Tensor.allocate(DataType.DOUBLE, 3, 2);
        for (int i = 0; i < 6; i++) {
            a.setDouble(i, i + 1);
            b.setDouble(i, 0.5 * i);
        }
        Tensor y = new NodeCase("Gemm").input("a", a).input("b", b).output("y").run();
        assertClose(Tensor.of(new float[]{8, 11, 17, 24.5f}, 2, 2), y, 1e-12, 1e-12, "double");
        Tensor z = new NodeCase("Gemm").input("a", Tensor.allocate(DataType.FLOAT, 3, 0)).input("b", Tensor.allocate(DataType.FLOAT, 0, 2))
                .input("c", Tensor.of(new float[]{1, 2}, 2)).output("y").run();
        assertClose(Tensor.of(new float[]{1, 2, 1, 2, 1, 2}, 3, 2), z, 0, 0, "k=0");
    }
}
