package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.api.Options;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvTest {
    /** One random Conv: shapes, group (plain, grouped, depthwise with multiplier), strides, pads, dilations. */
    private record Case(Tensor x, Tensor w, Tensor b, int group, long[] s, long[] d, long[] pads) {
        NodeCase node(boolean withPads) {
            NodeCase n = new NodeCase("Conv").input("x", x).constant("w", w);
            if (b != null) n.constant("b", b);
            n.attr("group", (long) group).attr("strides", s).attr("dilations", d);
            if (withPads) n.attr("pads", pads);
            return n.output("y");
        }

        Tensor expected() {
            return Naive.conv(x, w, b, group, s, d, pads);
        }

        @Override
        public String toString() {
            return "x" + Arrays.toString(x.shape()) + " w" + Arrays.toString(w.shape()) + " group=" + group + " s="
                    + Arrays.toString(s) + " d=" + Arrays.toString(d) + " pads=" + Arrays.toString(pads) + " bias=" + (b != null);
        }
    }

    private static Case randomCase(Random rnd) {
        while (true) {
            int r = 1 + rnd.nextInt(3);
            int kind = rnd.nextInt(3); // 0 plain, 1 grouped, 2 depthwise
            int group = kind == 0 ? 1 : kind == 1 ? 2 : 1 + rnd.nextInt(4);
            int cg = kind == 2 ? 1 : 1 + rnd.nextInt(3);
            int mg = kind == 2 ? 1 + rnd.nextInt(2) : 1 + rnd.nextInt(4);
            long n = 1 + rnd.nextInt(2), c = (long) cg * group, m = (long) mg * group;
            long[] in = new long[r], k = new long[r], s = new long[r], d = new long[r], pads = new long[2 * r];
            for (int i = 0; i < r; i++) {
                in[i] = 1 + rnd.nextInt(r == 3 ? 6 : 11);
                k[i] = 1 + rnd.nextInt(3);
                s[i] = 1 + rnd.nextInt(3);
                d[i] = 1 + rnd.nextInt(2);
                pads[i] = rnd.nextInt(3);
                pads[r + i] = rnd.nextInt(3);
            }
            boolean ok = Arrays.stream(Naive.convOut(in, k, s, d, pads)).allMatch(v -> v >= 1);
            if (!ok) continue;
            Tensor x = random(rnd, Naive.shape(n, c, in)), w = random(rnd, Naive.shape(m, cg, k));
            Tensor b = rnd.nextBoolean() ? random(rnd, m) : null;
            return new Case(x, w, b, group, s, d, pads);
        }
    }

    @Test
    void randomShapesMatchDirectConvolution() {
        Random rnd = new Random(42);
        for (int i = 0; i < 120; i++) {
            Case c = randomCase(rnd);
            NodeCase node = c.node(true);
            Tensor expected = c.expected();
            Tensor one = node.run(1, Integer.MAX_VALUE).get("y");
            assertClose(expected, one, 1e-4, 1e-5, "vector " + c);
            assertClose(expected, node.run(1, 0).get("y"), 1e-4, 1e-5, "scalar " + c);
            assertBitEqual(one, node.run(3, Integer.MAX_VALUE).get("y"), "3 threads vs 1: " + c);
        }
    }

    @Test
    void pointwiseAndTiledIm2colPaths() {
        Random rnd = new Random(5);
        Tensor x = random(rnd, 2, 6, 9, 11), w = random(rnd, 10, 6, 1, 1), b = random(rnd, 10);
        Tensor y = new NodeCase("Conv").input("x", x).constant("w", w).constant("b", b).output("y").run();
        assertClose(Naive.conv(x, w, b, 1, new long[]{1, 1}, new long[]{1, 1}, new long[4]), y, 1e-4, 1e-5, "1x1");

        long saved = Conv.colBudget;
        try {
            Conv.colBudget = 200; // forces many small column tiles
            Tensor w3 = random(rnd, 7, 3, 3, 3);
            Tensor x3 = random(rnd, 2, 6, 13, 10);
            NodeCase n = new NodeCase("Conv").input("x", x3).constant("w", w3).attr("group", 2L)
                    .attr("pads", 1L, 0L, 2L, 1L).attr("strides", 1L, 2L).output("y");
            // group 2 with 7 output channels is invalid: check the error first, then a valid grouped conv
            MinnowException e = assertThrows(MinnowException.class, n::run);
            assertTrue(e.getMessage().contains("n0"), e.getMessage());
            Tensor w4 = random(rnd, 8, 3, 3, 3);
            NodeCase ok = new NodeCase("Conv").input("x", x3).constant("w", w4).attr("group", 2L)
                    .attr("pads", 1L, 0L, 2L, 1L).attr("strides", 1L, 2L).output("y");
            Tensor expected = Naive.conv(x3, w4, null, 2, new long[]{1, 2}, new long[]{1, 1}, new long[]{1, 0, 2, 1});
            assertClose(expected, ok.run(), 1e-4, 1e-5, "tiled");
            assertBitEqual(ok.run(1, Integer.MAX_VALUE).get("y"), ok.run(2, Integer.MAX_VALUE).get("y"), "tiled threads");
        } finally {
            Conv.colBudget = saved;
        }
    }

    @Test
    void autoPadModes() {
        Random rnd = new Random(9);
        Tensor x = random(rnd, 1, 2, 7, 8), w = random(rnd, 3, 2, 3, 2);
        long[] s = {2, 3}, d = {1, 2};
        // SAME: out = ceil(in / s); total = (out-1)*s + dilated kernel - in; UPPER puts the odd one at the end
        long[] out = {4, 3};
        long t0 = (out[0] - 1) * s[0] + 3 - 7, t1 = (out[1] - 1) * s[1] + 3 - 8;
        long[] upper = {t0 / 2, t1 / 2, t0 - t0 / 2, t1 - t1 / 2};
        long[] lower = {t0 - t0 / 2, t1 - t1 / 2, t0 / 2, t1 / 2};
        for (String mode : new String[]{"SAME_UPPER", "SAME_LOWER", "VALID"}) {
            long[] pads = mode.equals("SAME_UPPER") ? upper : mode.equals("SAME_LOWER") ? lower : new long[4];
            Tensor y = new NodeCase("Conv").input("x", x).constant("w", w).attr("auto_pad", mode).attr("strides", s)
                    .attr("dilations", d).output("y").run();
            assertClose(Naive.conv(x, w, null, 1, s, d, pads), y, 1e-4, 1e-5, mode);
        }
    }

    @Test
    void fusedActivationEqualsUnfusedBitForBit() {
        Random rnd = new Random(11);
        Tensor x = random(rnd, 1, 4, 6, 6), w = random(rnd, 4, 1, 3, 3), w2 = random(rnd, 5, 4, 3, 3), b = random(rnd, 5);
        FusedActivation[] acts = {
                new FusedActivation(FusedActivation.Kind.RELU, 0, Float.POSITIVE_INFINITY, 0, 0),
                new FusedActivation(FusedActivation.Kind.CLIP, -0.3f, 0.4f, 0, 0),
                new FusedActivation(FusedActivation.Kind.LEAKY_RELU, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0.1f, 0),
                new FusedActivation(FusedActivation.Kind.SIGMOID, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0, 0),
                new FusedActivation(FusedActivation.Kind.HARD_SWISH, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0, 0)};
        for (FusedActivation act : acts) {
            for (Tensor wt : new Tensor[]{w, w2}) { // depthwise path and im2col path
                long group = wt == w ? 4 : 1;
                Tensor bias = wt == w ? null : b;
                NodeCase plain = new NodeCase("Conv").input("x", x).constant("w", wt).attr("group", group).attr("pads", 1L, 1L, 1L, 1L);
                NodeCase fused = new NodeCase("Conv").input("x", x).constant("w", wt).attr("group", group).attr("pads", 1L, 1L, 1L, 1L);
                if (bias != null) {
                    plain.constant("b", bias);
                    fused.constant("b", bias);
                }
                java.util.Map<String, io.minnow.formats.Attribute> m = new java.util.LinkedHashMap<>();
                act.store(m);
                for (var e : m.entrySet()) {
                    switch (e.getValue().kind()) {
                        case FLOAT -> fused.attr(e.getKey(), e.getValue().asFloat());
                        case STRING -> fused.attr(e.getKey(), e.getValue().asString());
                        default -> throw new AssertionError();
                    }
                }
                Tensor y = plain.output("y").run().copy();
                for (long i = 0; i < y.size(); i++) y.setFloat(i, act.apply(y.getFloat(i)));
                assertBitEqual(y, fused.output("y").run(), act.kind() + " group " + group);
            }
        }
    }

    /**
     * A conv with one input channel (an image network's stem) runs as depthwise planes that all read the same
     * input plane, in one shared-input call per run of output channels: every backend, batches whose images
     * split across tasks (3 threads), channel counts around the native kernel's groups of four, 3x3 with
     * column stride 1 and 2 (the native fast paths) and other small kernels, pads, dilations, a fused Clip.
     */
    @Test
    void oneInputChannelOnEveryBackend() {
        Random rnd = new Random(23);
        long[][] kernels = {{3, 3}, {3, 3}, {1, 3}, {2, 2}, {3, 1}};
        List<BackendConfig> backends = List.of(BackendConfig.fromSystemProperties(), BackendConfig.javaOnly(0),
                BackendConfig.javaOnly(128), BackendConfig.javaOnly(256));
        for (int i = 0; i < 24; i++) {
            long[] k = kernels[i % kernels.length];
            long m = new long[]{16, 1, 5, 8, 3, 9}[i % 6], n = 1 + rnd.nextInt(3);
            long[] in = {1 + rnd.nextInt(30), 1 + rnd.nextInt(30)};
            long[] st = {1 + rnd.nextInt(2), i < 8 ? 2 : 1 + rnd.nextInt(3)};
            long[] d = {i % 5 == 4 ? 2 : 1, 1}, pads = {rnd.nextInt(2), rnd.nextInt(2), rnd.nextInt(2), rnd.nextInt(2)};
            if (!Arrays.stream(Naive.convOut(in, k, st, d, pads)).allMatch(v -> v >= 1)) continue;
            Tensor x = random(rnd, Naive.shape(n, 1, in)), w = random(rnd, Naive.shape(m, 1, k));
            Tensor b = i % 3 == 0 ? null : random(rnd, m);
            boolean clip = i % 2 == 1;
            Tensor want = Naive.conv(x, w, b, 1, st, d, pads);
            if (clip) for (long j = 0; j < want.size(); j++) want.setFloat(j, Math.min(0.5f, Math.max(-0.25f, want.getFloat(j))));
            String what = "x" + Arrays.toString(x.shape()) + " w" + Arrays.toString(w.shape()) + " s" + Arrays.toString(st)
                    + " d" + Arrays.toString(d) + " pads" + Arrays.toString(pads) + " bias " + (b != null) + " clip " + clip;
            for (BackendConfig cfg : backends) {
                for (int threads : new int[]{1, 3}) {
                    NodeCase node = new NodeCase("Conv").input("x", x).constant("w", w);
                    if (b != null) node.constant("b", b);
                    node.attr("strides", st).attr("dilations", d).attr("pads", pads);
                    if (clip) {
                        java.util.Map<String, io.minnow.formats.Attribute> attrs = new java.util.LinkedHashMap<>();
                        new FusedActivation(FusedActivation.Kind.CLIP, -0.25f, 0.5f, 0, 0).store(attrs);
                        for (var e : attrs.entrySet()) {
                            switch (e.getValue().kind()) {
                                case FLOAT -> node.attr(e.getKey(), e.getValue().asFloat());
                                case STRING -> node.attr(e.getKey(), e.getValue().asString());
                                default -> throw new AssertionError();
                            }
                        }
                    }
                    Tensor got = node.output("y").run(Options.defaults().withThreads(threads).withBackend(cfg)).get("y");
                    assertClose(want, got, 1e-4, 1e-5, cfg + " threads " + threads + " " + what);
                }
            }
        }
    }

    @Test
    void badShapesNameTheNode() {
        Random rnd = new Random(1);
        MinnowException e = assertThrows(MinnowException.class, () -> new NodeCase("Conv").input("x", random(rnd, 1, 3, 5, 5))
                .constant("w", random(rnd, 2, 2, 3, 3)).output("y").run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("channels"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("Conv").input("x", random(rnd, 1, 1, 2, 2))
                .constant("w", random(rnd, 1, 1, 3, 3)).output("y").run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("exceeds"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("Conv").input("x", random(rnd, 1, 1, 5, 5))
                .constant("w", random(rnd, 1, 1, 3, 3)).attr("auto_pad", "SAME").output("y").run());
        assertTrue(e.getMessage().contains("auto_pad"), e.getMessage());
    }

    @Test
    void inputSmallerThanPadding() {
        Random rnd = new Random(12);
        for (long size : new long[]{1, 2}) {
            Tensor x = random(rnd, 2, 4, size), w = random(rnd, 3, 4, 3), b = random(rnd, 3);
            Tensor y = new NodeCase("Conv").input("x", x).constant("w", w).constant("b", b).attr("pads", 2L, 2L).output("y").run();
            assertClose(Naive.conv(x, w, b, 1, new long[]{1}, new long[]{1}, new long[]{2, 2}), y, 1e-4, 1e-5, "size " + size);
        }
    }

    @Test
    void emptyBatch() {
        Tensor y = new NodeCase("Conv").input("x", Tensor.allocate(io.minnow.formats.DataType.FLOAT, 0, 2, 4, 4))
                .constant("w", Tensor.allocate(io.minnow.formats.DataType.FLOAT, 3, 2, 3, 3)).output("y").run();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[]{0, 3, 2, 2}, y.shape());
    }
}
