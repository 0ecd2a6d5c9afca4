package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MatMulTest {
    /** numpy matmul by broadcasting index arithmetic, in double. */
    private static Tensor expected(Tensor a, Tensor b, long[] outShape) {
        long[] as = a.shape(), bs = b.shape();
        boolean av = as.length == 1, bv = bs.length == 1;
        long[] a2 = av ? new long[]{1, as[0]} : as, b2 = bv ? new long[]{bs[0], 1} : bs;
        long m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int r = Math.max(a2.length, b2.length) - 2;
        long[] batch = new long[r];
        for (int i = 0; i < r; i++) {
            int ia = i - (r - (a2.length - 2)), ib = i - (r - (b2.length - 2));
            batch[i] = Math.max(ia >= 0 ? a2[ia] : 1, ib >= 0 ? b2[ib] : 1);
        }
        Tensor y = Tensor.allocate(DataType.FLOAT, outShape);
        long batches = Tensor.elementCount(batch);
        for (long bi = 0; bi < batches; bi++) {
            long rem = bi, ao = 0, bo = 0, sa = m * k, sb = k * n;
            for (int i = r - 1; i >= 0; i--) {
                long idx = rem % batch[i];
                rem /= batch[i];
                int ia = i - (r - (a2.length - 2)), ib = i - (r - (b2.length - 2));
                long da = ia >= 0 ? a2[ia] : 1, db = ib >= 0 ? b2[ib] : 1;
                ao += (da == 1 ? 0 : idx) * sa;
                bo += (db == 1 ? 0 : idx) * sb;
                sa *= da;
                sb *= db;
            }
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double acc = 0;
                    for (long p = 0; p < k; p++) acc += (double) a.getFloat(ao + i * k + p) * b.getFloat(bo + p * n + j);
                    y.setFloat(bi * m * n + i * n + j, (float) acc);
                }
            }
        }
        return y;
    }

    @Test
    void broadcastCases() {
        Random rnd = new Random(8);
        long[][][] cases = {
                {{5}, {5}, {}}, {{5}, {5, 3}, {3}}, {{4, 5}, {5}, {4}}, {{3, 4}, {4, 6}, {3, 6}},
                {{2, 3, 4}, {4, 6}, {2, 3, 6}}, {{3, 4}, {2, 4, 5}, {2, 3, 5}}, {{2, 1, 3, 4}, {5, 4, 6}, {2, 5, 3, 6}},
                {{7}, {2, 7, 3}, {2, 3}}, {{2, 3, 7}, {7}, {2, 3}}, {{1, 2, 3}, {4, 1, 3, 2}, {4, 1, 2, 2}},
                {{40, 70}, {70, 90}, {40, 90}}, {{3, 0}, {0, 4}, {3, 4}}, {{0, 3}, {3, 4}, {0, 4}}};
        for (long[][] c : cases) {
            Tensor a = random(rnd, c[0]), b = random(rnd, c[1]);
            NodeCase node = new NodeCase("MatMul").input("a", a).input("b", b).output("y");
            Tensor y = node.run(1, Integer.MAX_VALUE).get("y");
            String what = java.util.Arrays.toString(c[0]) + " x " + java.util.Arrays.toString(c[1]);
            assertArrayEquals(c[2], y.shape(), what);
            assertClose(expected(a, b, c[2]), y, 1e-4, 1e-5, what);
            assertBitEqual(y, node.run(3, Integer.MAX_VALUE).get("y"), "threads " + what);
            assertClose(y, node.run(1, 0).get("y"), 1e-4, 1e-5, "scalar " + what);
        }
    }

    @Test
    void fusedActivationEqualsUnfused() {
        Random rnd = new Random(9);
        Tensor a = random(rnd, 2, 5, 7), b = random(rnd, 7, 9);
        var act = new io.minnow.engine.ops.FusedActivation(io.minnow.engine.ops.FusedActivation.Kind.CLIP, -0.2f, 0.3f, 0, 0);
        Tensor y = new NodeCase("MatMul").input("a", a).constant("b", b).output("y").run().copy();
        for (long i = 0; i < y.size(); i++) y.setFloat(i, act.apply(y.getFloat(i)));
        Tensor fused = new NodeCase("MatMul").input("a", a).constant("b", b).attr(io.minnow.engine.ops.FusedActivation.ATTR, "Clip")
                .attr(io.minnow.engine.ops.FusedActivation.ATTR + ".min", -0.2f).attr(io.minnow.engine.ops.FusedActivation.ATTR + ".max", 0.3f)
                .output("y").run();
        assertBitEqual(y, fused, "clip");
    }

    @Test
    void integersAndErrors() {
        Tensor a = Tensor.ofLongs(new long[]{1, 2, 3, 4, 5, 6}, 2, 3), b = Tensor.ofLongs(new long[]{1, 0, 0, 1, 2, 2}, 3, 2);
        Tensor y = new NodeCase("MatMul").input("a", a).input("b", b).output("y").run();
        assertArrayEquals(new long[]{7, 8, 16, 17}, y.toLongArray());
        Random rnd = new Random(1);
        assertThrows(MinnowException.class, () -> new NodeCase("MatMul").input("a", random(rnd, 2, 3)).input("b", random(rnd, 4, 2))
                .output("y").run());
        assertThrows(MinnowException.class, () -> new NodeCase("MatMul").input("a", random(rnd, 2, 2, 3)).input("b", random(rnd, 3, 3, 2))
                .output("y").run());
    }
}
