package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;

class ConvTransposeTest {
    @Test
    void randomShapesMatchScatter() {
        Random rnd = new Random(17);
        for (int it = 0; it < 60; it++) {
            int r = 1 + rnd.nextInt(3);
            int group = 1 + rnd.nextInt(2);
            long cg = 1 + rnd.nextInt(3), mg = 1 + rnd.nextInt(3), n = 1 + rnd.nextInt(2);
            long[] in = new long[r], k = new long[r], s = new long[r], d = new long[r], pads = new long[2 * r], op = new long[r];
            long[] out = new long[r];
            boolean ok = true;
            for (int i = 0; i < r; i++) {
                in[i] = 1 + rnd.nextInt(r == 3 ? 4 : 7);
                k[i] = 1 + rnd.nextInt(3);
                s[i] = 1 + rnd.nextInt(3);
                d[i] = 1 + rnd.nextInt(2);
                pads[i] = rnd.nextInt(2);
                pads[r + i] = rnd.nextInt(2);
                op[i] = rnd.nextInt((int) Math.max(s[i], d[i]));
                out[i] = s[i] * (in[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1 - pads[i] - pads[r + i];
                ok &= out[i] >= 1;
            }
            if (!ok) continue;
            Tensor x = random(rnd, Naive.shape(n, cg * group, in)), w = random(rnd, Naive.shape(cg * group, mg, k));
            Tensor b = rnd.nextBoolean() ? random(rnd, mg * group) : null;
            NodeCase node = new NodeCase("ConvTranspose").input("x", x).constant("w", w);
            if (b != null) node.constant("b", b);
            node.attr("group", (long) group).attr("strides", s).attr("dilations", d).attr("pads", pads).attr("output_padding", op).output("y");
            String what = "x" + Arrays.toString(x.shape()) + " w" + Arrays.toString(w.shape()) + " g" + group + " s" + Arrays.toString(s)
                    + " d" + Arrays.toString(d) + " p" + Arrays.toString(pads) + " op" + Arrays.toString(op);
            Tensor expected = Naive.convTranspose(x, w, b, group, s, d, pads, out);
            Tensor y = node.run(1, Integer.MAX_VALUE).get("y");
            assertClose(expected, y, 1e-4, 1e-5, what);
            assertBitEqual(y, node.run(2, Integer.MAX_VALUE).get("y"), "threads " + what);
        }
    }

    @Test
    void outputShapeAndAutoPad() {
        Random rnd = new Random(3);
        Tensor x = random(rnd, 1, 2, 3, 3), w = random(rnd, 2, 3, 3, 3);
        long[] s = {3, 2}, one = {1, 1};
        // output_shape bigger than the natural size: the extra rows/columns are at the end (pads stay 0)
        Tensor y = new NodeCase("ConvTranspose").input("x", x).constant("w", w).attr("strides", s)
                .attr("output_shape", 10L, 8L).output("y").run();
        assertClose(Naive.convTranspose(x, w, null, 1, s, one, new long[4], new long[]{10, 8}), y, 1e-4, 1e-5, "output_shape");
        Tensor y2 = new NodeCase("ConvTranspose").input("x", x).constant("w", w).attr("strides", s)
                .attr("output_padding", 1L, 1L).output("y").run();
        assertClose(y, y2, 0, 0, "output_padding equals output_shape");
        // SAME_UPPER: out = in * stride; total padding = stride*(in-1) + kernel - out, the odd one at the end
        long[] st = {2, 2};
        Tensor up = new NodeCase("ConvTranspose").input("x", x).constant("w", w).attr("strides", st).attr("auto_pad", "SAME_UPPER")
                .output("y").run();
        assertClose(Naive.convTranspose(x, w, null, 1, st, one, new long[]{0, 0, 1, 1}, new long[]{6, 6}), up, 1e-4, 1e-5, "SAME_UPPER");
        Tensor lo = new NodeCase("ConvTranspose").input("x", x).constant("w", w).attr("strides", st).attr("auto_pad", "SAME_LOWER")
                .output("y").run();
        assertClose(Naive.convTranspose(x, w, null, 1, st, one, new long[]{1, 1, 0, 0}, new long[]{6, 6}), lo, 1e-4, 1e-5, "SAME_LOWER");
    }
}
