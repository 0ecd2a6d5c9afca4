package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.ops.FusedActivation;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;

/**
 * Gemm and MatMul with a constant B run on weights packed once by Op.prepare, with a per-column C as bias
 * and the activation fused into the kernel, under the default backend (native when it loads). Checked
 * against the unprepared path (B as a graph input), across thread counts (same bits), and for each
 * activation the kernels fuse plus one they do not.
 */
class GemmPackedWeightsTest {
    private static Map<String, Tensor> run(NodeCase node, int threads) {
        return node.run(Options.defaults().withThreads(threads).withBackend(BackendConfig.fromSystemProperties()));
    }

    private static NodeCase withAct(NodeCase node, String act) {
        if (act == null) return node;
        node.attr(FusedActivation.ATTR, act);
        if (act.equals("Clip")) node.attr(FusedActivation.ATTR + ".min", -0.2f).attr(FusedActivation.ATTR + ".max", 0.3f);
        return node;
    }

    @Test
    void gemmConstantWeightsMatchInputWeights() {
        Random rnd = new Random(11);
        int k = 70;
        for (int m : new int[]{1, 2, 5, 40}) {
            for (int n : new int[]{1, 17, 100}) {
                for (boolean tb : new boolean[]{false, true}) {
                    for (long[] cShape : new long[][]{null, {n}, {1, n}, {m, n}, {1}}) {
                        for (String act : new String[]{null, "Relu", "Clip", "HardSwish", "Sigmoid"}) {
                            for (float beta : new float[]{1f, 0.5f}) {
                                Tensor a = random(rnd, m, k), b = random(rnd, tb ? n : k, tb ? k : n);
                                Tensor c = cShape == null ? null : random(rnd, cShape);
                                NodeCase packed = new NodeCase("Gemm").input("a", a).constant("b", b);
                                NodeCase plain = new NodeCase("Gemm").input("a", a).input("b", b);
                                if (c != null) {
                                    packed.constant("c", c);
                                    plain.input("c", c);
                                }
                                for (NodeCase node : new NodeCase[]{packed, plain}) {
                                    node.attr("transB", tb ? 1L : 0L).attr("beta", beta).output("y");
                                    withAct(node, act);
                                }
                                String what = "m=" + m + " n=" + n + " tb=" + tb + " c=" + java.util.Arrays.toString(cShape)
                                        + " act=" + act + " beta=" + beta;
                                Tensor y = run(packed, 1).get("y").copy();
                                assertClose(run(plain, 1).get("y"), y, 1e-4, 1e-5, what);
                                assertBitEqual(y, run(packed, 3).get("y"), "threads " + what);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void bigGemvAndTallProductSplitIdentically() {
        Random rnd = new Random(12);
        int k = 300, n = 530;
        Tensor b = random(rnd, n, k), c = random(rnd, n);
        for (int m : new int[]{1, 3, 200}) {
            Tensor a = random(rnd, m, k);
            NodeCase node = withAct(new NodeCase("Gemm").input("a", a).constant("b", b).constant("c", c).attr("transB", 1L)
                    .output("y"), "Relu");
            NodeCase plain = withAct(new NodeCase("Gemm").input("a", a).input("b", b).input("c", c).attr("transB", 1L)
                    .output("y"), "Relu");
            Tensor y = run(node, 1).get("y").copy();
            assertClose(run(plain, 1).get("y"), y, 1e-4, 1e-5, "m=" + m);
            assertBitEqual(y, run(node, 2).get("y"), "2 threads m=" + m);
            assertBitEqual(y, run(node, 4).get("y"), "4 threads m=" + m);
        }
    }

    @Test
    void matMulConstantWeights() {
        Random rnd = new Random(13);
        for (long[] aShape : new long[][]{{33}, {1, 33}, {3, 5, 33}, {64, 33}}) {
            for (String act : new String[]{null, "Relu", "Clip", "HardSwish", "Tanh"}) {
                Tensor a = random(rnd, aShape), b = random(rnd, 33, 45);
                NodeCase packed = withAct(new NodeCase("MatMul").input("a", a).constant("b", b).output("y"), act);
                NodeCase plain = withAct(new NodeCase("MatMul").input("a", a).input("b", b).output("y"), act);
                String what = java.util.Arrays.toString(aShape) + " act=" + act;
                Tensor y = run(packed, 1).get("y").copy();
                assertClose(run(plain, 1).get("y"), y, 1e-4, 1e-5, what);
                assertBitEqual(y, run(packed, 3).get("y"), "threads " + what);
            }
        }
    }

    /** Both inputs constant: the planner folds the node, running it without prepared state. */
    @Test
    void constantFoldingRunsWithoutPreparedState() {
        Random rnd = new Random(14);
        Tensor a = random(rnd, 4, 9), b = random(rnd, 9, 6);
        Tensor folded = run(new NodeCase("MatMul").constant("a", a).constant("b", b).output("y"), 1).get("y");
        assertClose(run(new NodeCase("MatMul").input("a", a).input("b", b).output("y"), 1).get("y"), folded, 1e-5, 1e-6, "fold");
        Tensor gf = run(new NodeCase("Gemm").constant("a", a).constant("b", b).output("y"), 1).get("y");
        assertClose(run(new NodeCase("Gemm").input("a", a).input("b", b).output("y"), 1).get("y"), gf, 1e-5, 1e-6, "gemm fold");
    }
}
