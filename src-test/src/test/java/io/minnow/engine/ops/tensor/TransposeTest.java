package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Transpose against a plain index-mapping reference: every permutation up to rank 4, odd sizes, types. */
class TransposeTest {
    /** out[i] = in[permuted i], by explicit index arithmetic. */
    static long[] reference(long[] values, long[] shape, int[] perm) {
        int r = shape.length;
        long[] out = new long[values.length];
        long[] outShape = new long[r];
        for (int k = 0; k < r; k++) outShape[k] = shape[perm[k]];
        long[] inStrides = Shapes.strides(shape);
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long rem = o, src = 0;
            for (int k = r - 1; k >= 0; k--) {
                idx[k] = rem % outShape[k];
                rem /= outShape[k];
            }
            for (int k = 0; k < r; k++) src += idx[k] * inStrides[perm[k]];
            out[o] = values[(int) src];
        }
        return out;
    }

    static List<int[]> permutations(int r) {
        List<int[]> out = new ArrayList<>();
        permute(new int[r], new boolean[r], 0, out);
        return out;
    }

    private static void permute(int[] cur, boolean[] used, int k, List<int[]> out) {
        if (k == cur.length) { out.add(cur.clone()); return; }
        for (int i = 0; i < cur.length; i++) {
            if (used[i]) continue;
            used[i] = true;
            cur[k] = i;
            permute(cur, used, k + 1, out);
            used[i] = false;
        }
    }

    private static long[] toLongs(int[] p) {
        long[] l = new long[p.length];
        for (int i = 0; i < p.length; i++) l[i] = p[i];
        return l;
    }

    @Test
    void everyPermutationMatchesReference() {
        long[][] shapes = {{7}, {5, 33}, {3, 1, 37}, {2, 3, 5, 7}, {1, 35, 34, 3}};
        for (long[] shape : shapes) {
            int n = (int) Tensor.elementCount(shape);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) values[i] = i * 7 - 50;
            for (DataType type : new DataType[]{DataType.FLOAT, DataType.INT64, DataType.INT8, DataType.FLOAT16}) {
                Tensor x = typed(type, values, shape); // int8 wraps: compare against what it holds
                long[] held = new long[n];
                for (int i = 0; i < n; i++) held[i] = (long) x.getDouble(i);
                for (int[] perm : permutations(shape.length)) {
                    Tensor y = op("Transpose").input("x", x).attr("perm", toLongs(perm)).run();
                    long[] want = reference(held, shape, perm);
                    for (int i = 0; i < n; i++) {
                        assertEquals(want[i], (long) y.getDouble(i), "type " + type + " perm " + java.util.Arrays.toString(perm));
                    }
                }
            }
        }
    }

    @Test
    void defaultReversesAndScalarWorks() {
        Tensor y = op("Transpose").input("x", iota(2, 3, 4)).run();
        assertArrayEquals(new long[]{4, 3, 2}, y.shape());
        assertEquals(1f * 12, y.getFloat(1)); // y[0,0,1] = x[1,0,0]
        assertEquals(5f, op("Transpose").input("x", Tensor.scalar(5)).run().getFloat(0));
        assertArrayEquals(new long[]{3, 0}, op("Transpose").input("x", iota(0, 3)).run().shape());
    }

    @Test
    void largeParallelTranspose() {
        Random rnd = new Random(1);
        long[] shape = {2, 64, 33, 65};
        float[] v = new float[(int) Tensor.elementCount(shape)];
        long[] lv = new long[v.length];
        for (int i = 0; i < v.length; i++) { lv[i] = rnd.nextInt(1000); v[i] = lv[i]; }
        int[] perm = {0, 2, 3, 1};
        Tensor y = op("Transpose").threads(4).input("x", f(v, shape)).attr("perm", toLongs(perm)).run();
        long[] want = reference(lv, shape, perm);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], (long) y.getFloat(i));
    }

    @Test
    void badPermIsRejected() {
        var e = assertThrows(MinnowException.class, () -> op("Transpose").input("x", iota(2, 3)).attr("perm", 0L, 0L).run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("perm"), e.getMessage());
        assertThrows(MinnowException.class, () -> op("Transpose").input("x", iota(2, 3)).attr("perm", 0L, 1L, 2L).run());
    }
}
