package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static io.minnow.engine.ops.nn.NodeCase.assertBitEqual;
import static io.minnow.engine.ops.nn.NodeCase.assertClose;
import static io.minnow.engine.ops.nn.NodeCase.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolTest {
    /** Output size per ONNX with ceil_mode, dropping a last window that starts in the end padding. */
    private static long[] outSize(long[] in, long[] k, long[] s, long[] d, long[] pads, boolean ceil) {
        int r = in.length;
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long span = in[i] + pads[i] + pads[r + i] - ((k[i] - 1) * d[i] + 1);
            if (span < 0) return new long[]{0};
            out[i] = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            if (ceil && (out[i] - 1) * s[i] >= in[i] + pads[i]) out[i]--;
        }
        return out;
    }

    @Test
    void randomWindowsMatchDirectLoops() {
        Random rnd = new Random(21);
        int done = 0;
        while (done < 150) {
            int r = 1 + rnd.nextInt(3);
            long[] in = new long[r], k = new long[r], s = new long[r], d = new long[r], pads = new long[2 * r];
            for (int i = 0; i < r; i++) {
                in[i] = 1 + rnd.nextInt(r == 3 ? 6 : 10);
                k[i] = 1 + rnd.nextInt(3);
                s[i] = 1 + rnd.nextInt(3);
                d[i] = 1 + rnd.nextInt(2);
                pads[i] = rnd.nextInt((int) k[i]);
                pads[r + i] = rnd.nextInt((int) k[i]);
            }
            boolean ceil = rnd.nextBoolean(), max = rnd.nextBoolean(), includePad = rnd.nextBoolean();
            if (!max && rnd.nextBoolean()) Arrays.fill(d, 1); // AveragePool before opset 19 has no dilations
            long[] out = outSize(in, k, s, d, pads, ceil);
            if (Arrays.stream(out).anyMatch(v -> v < 1)) continue;
            done++;
            Tensor x = random(rnd, Naive.shape(2, 3, in));
            NodeCase node = new NodeCase(max ? "MaxPool" : "AveragePool").opset(19).input("x", x).attr("kernel_shape", k)
                    .attr("strides", s).attr("pads", pads).attr("dilations", d).attr("ceil_mode", ceil ? 1L : 0L)
                    .attr("count_include_pad", includePad ? 1L : 0L).output("y");
            if (max) node.output("i");
            Tensor ind = max ? Tensor.allocate(DataType.INT64, Naive.shape(2, 3, out)) : null;
            Tensor expected = Naive.pool(x, max, k, s, d, pads, out, includePad, ind);
            Map<String, Tensor> got = node.run(1, Integer.MAX_VALUE);
            String what = (max ? "max" : "avg") + " in" + Arrays.toString(in) + " k" + Arrays.toString(k) + " s" + Arrays.toString(s)
                    + " d" + Arrays.toString(d) + " p" + Arrays.toString(pads) + " ceil=" + ceil + " incl=" + includePad;
            assertClose(expected, got.get("y"), 1e-5, 1e-6, what);
            if (max) assertArrayEquals(ind.toLongArray(), got.get("i").toLongArray(), "indices " + what);
            assertBitEqual(got.get("y"), node.run(3, Integer.MAX_VALUE).get("y"), "threads " + what);
        }
    }

    @Test
    void sameModesAndColumnMajorIndices() {
        Tensor x = Tensor.of(new float[]{
                1, 2, 3, 4, 5,
                6, 7, 8, 9, 10,
                11, 12, 13, 14, 15,
                16, 17, 18, 19, 20,
                21, 22, 23, 24, 25}, 1, 1, 5, 5);
        // SAME_UPPER, kernel 2, stride 2: out 3x3, total pad 1 at the end
        Map<String, Tensor> up = new NodeCase("MaxPool").input("x", x).attr("kernel_shape", 2L, 2L).attr("strides", 2L, 2L)
                .attr("auto_pad", "SAME_UPPER").attr("storage_order", 1L).output("y").output("i").run(1, 256);
        assertClose(Tensor.of(new float[]{7, 9, 10, 17, 19, 20, 22, 24, 25}, 1, 1, 3, 3), up.get("y"), 0, 0, "upper");
        // column-major index of (h, w) is h + w * H
        assertArrayEquals(new long[]{1 + 5, 1 + 15, 1 + 20, 3 + 5, 3 + 15, 3 + 20, 4 + 5, 4 + 15, 4 + 20}, up.get("i").toLongArray());
        Tensor lo = new NodeCase("AveragePool").input("x", x).attr("kernel_shape", 2L, 2L).attr("strides", 2L, 2L)
                .attr("auto_pad", "SAME_LOWER").output("y").run();
        assertClose(Tensor.of(new float[]{1, 2.5f, 4.5f, 8.5f, 10, 12, 18.5f, 20, 22}, 1, 1, 3, 3), lo, 1e-6, 0, "lower");
    }

    @Test
    void uint8MaxPoolGlobalPoolsAndErrors() {
        Tensor x = Tensor.allocate(DataType.UINT8, 1, 1, 2, 3);
        int[] v = {5, 250, 7, 1, 2, 255};
        for (int i = 0; i < v.length; i++) x.setLongValue(i, v[i]);
        Tensor y = new NodeCase("MaxPool").opset(12).input("x", x).attr("kernel_shape", 2L, 2L).output("y").run();
        assertEquals(DataType.UINT8, y.type());
        assertArrayEquals(new long[]{250, 255}, y.toLongArray());

        Random rnd = new Random(2);
        Tensor g = random(rnd, 2, 3, 4, 5);
        Tensor avg = new NodeCase("GlobalAveragePool").input("x", g).output("y").run();
        Tensor mx = new NodeCase("GlobalMaxPool").input("x", g).output("y").run();
        assertArrayEquals(new long[]{2, 3, 1, 1}, avg.shape());
        for (int p = 0; p < 6; p++) {
            double sum = 0, best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < 20; i++) {
                sum += g.getFloat(p * 20 + i);
                best = Math.max(best, g.getFloat(p * 20 + i));
            }
            assertEquals(sum / 20, avg.getFloat(p), 1e-6);
            assertEquals(best, mx.getFloat(p), 0);
        }
        MinnowException e = assertThrows(MinnowException.class, () -> new NodeCase("MaxPool").input("x", g).output("y").run());
        assertTrue(e.getMessage().contains("kernel_shape") && e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> new NodeCase("AveragePool").input("x", g).attr("kernel_shape", 2L, 2L)
                .attr("pads", 1L, 1L).output("y").run());
        assertTrue(e.getMessage().contains("pads"), e.getMessage());
    }

    /**
     * GlobalAveragePool's vector path takes four planes at a time: plane counts that are not multiples of four and
     * plane sizes below, at and around the vector width give each plane's mean as the one-plane sum does, bit for bit.
     */
    @Test
    void globalAveragePoolFourPlanesAtATimeMatchesOnePlaneSums() {
        Random rnd = new Random(5);
        for (long[] shape : new long[][]{{1, 7, 7, 7}, {2, 5, 1, 1}, {3, 6, 4, 4}, {1, 9, 3, 5}, {2, 4, 14, 14}, {1, 3, 17, 1}}) {
            int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() * 8 - 4;
            Tensor x = Tensor.of(v, shape);
            float[] got = new NodeCase("GlobalAveragePool").input("x", x).output("y").run().toFloatArray();
            int planes = (int) (shape[0] * shape[1]), plane = n / planes;
            float[] lanes = new float[64];
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(v);
            for (int p = 0; p < planes; p++) {
                float one = (float) (Pool.sumF32(seg, (long) p * plane, plane, lanes) / plane);
                assertEquals(Float.floatToRawIntBits(one), Float.floatToRawIntBits(got[p]), Arrays.toString(shape) + " plane " + p);
                double ref = 0;
                for (int i = 0; i < plane; i++) ref += v[p * plane + i];
                assertEquals(ref / plane, got[p], 1e-5, Arrays.toString(shape) + " plane " + p);
            }
        }
    }
}
