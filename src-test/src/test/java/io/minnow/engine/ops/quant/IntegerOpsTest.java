package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.minnow.engine.ops.quant.QNode.randomInts;
import static io.minnow.engine.ops.quant.QNode.s;
import static io.minnow.engine.ops.quant.QNode.scalar;
import static io.minnow.engine.ops.quant.QNode.typed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv against independent oracles: a plain triple loop
 * for the products, and Minnow's float32 Conv over the zero-point-shifted values (exact: every sum stays
 * below 2^24) for the convolutions.
 */
class IntegerOpsTest {
    private static final DataType U8 = DataType.UINT8, I8 = DataType.INT8, F = DataType.FLOAT;

    /** Y[i][j] = sum_p (a[i][p] - za[i]) * (b[p][j] - zb[j]) for 2-D a, b. */
    private static long[] naive(Tensor a, long[] za, Tensor b, long[] zb, int m, int k, int n) {
        long[] y = new long[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (a.getLongValue((long) i * k + p) - za[za.length == 1 ? 0 : i]) * (b.getLongValue((long) p * n + j) - zb[zb.length == 1 ? 0 : j]);
                }
                y[i * n + j] = (int) acc;
            }
        }
        return y;
    }

    @Test
    void matMulIntegerOddShapesAndZeroPoints() {
        Random r = new Random(11);
        for (int[] mkn : new int[][] {{1, 1, 1}, {2, 3, 5}, {3, 17, 4}, {7, 64, 9}, {1, 255, 33}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            Tensor a = randomInts(r, U8, 0, 255, m, k), b = randomInts(r, I8, -128, 127, k, n);
            long[] zb = new long[n];
            for (int j = 0; j < n; j++) zb[j] = r.nextInt(256) - 128;
            Tensor zbT = typed(I8, s(n), java.util.Arrays.stream(zb).asDoubleStream().toArray());
            Tensor y = QNode.op("MatMulInteger").in(a).in(b).in(scalar(U8, 37)).in(zbT).run();
            assertEquals(DataType.INT32, y.type());
            assertArrayEquals(naive(a, new long[] {37}, b, zb, m, k, n), y.toLongArray(), m + "x" + k + "x" + n);
            // No zero points; A per row.
            long[] za = new long[m];
            for (int i = 0; i < m; i++) za[i] = r.nextInt(256);
            Tensor zaT = typed(U8, s(m), java.util.Arrays.stream(za).asDoubleStream().toArray());
            assertArrayEquals(naive(a, za, b, new long[] {0}, m, k, n),
                    QNode.op("MatMulInteger").in(a).in(b).in(zaT).run().toLongArray());
            assertArrayEquals(naive(a, new long[] {0}, b, new long[] {0}, m, k, n),
                    QNode.op("MatMulInteger").in(a).constant(b).run().toLongArray());
        }
    }

    @Test
    void matMulIntegerExtremesLongK() {
        // All 255 x all -128 over K = 16384: |sum| = 255 * 128 * 16384 = 534 773 760 < 2^31.
        int k = 16384;
        Tensor a = Tensor.allocate(U8, 2, k), b = Tensor.allocate(I8, k, 3);
        for (long i = 0; i < a.size(); i++) a.setLongValue(i, 255);
        for (long i = 0; i < b.size(); i++) b.setLongValue(i, i % 3 == 2 ? 127 : -128);
        long[] y = QNode.op("MatMulInteger").in(a).in(b).run().toLongArray();
        assertArrayEquals(new long[] {-534_773_760, -534_773_760, 530_595_840, -534_773_760, -534_773_760, 530_595_840}, y);
        // Zero points equal to the values: everything cancels.
        long[] z = QNode.op("MatMulInteger").in(a).in(b).in(scalar(U8, 255)).run().toLongArray();
        assertArrayEquals(new long[6], z);
    }

    @Test
    void matMulIntegerBatchesAndVectors() {
        Random r = new Random(12);
        Tensor a = randomInts(r, I8, -128, 127, 2, 1, 3, 5), b = randomInts(r, I8, -128, 127, 4, 5, 2);
        Tensor y = QNode.op("MatMulInteger").in(a).in(b).run();
        assertArrayEquals(new long[] {2, 4, 3, 2}, y.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                Tensor ai = slice(a, i * 15L, 15, 3, 5), bj = slice(b, j * 10L, 10, 5, 2);
                long[] want = naive(ai, new long[] {0}, bj, new long[] {0}, 3, 5, 2);
                for (int e = 0; e < 6; e++) assertEquals(want[e], y.getLongValue((i * 4L + j) * 6 + e));
            }
        }
        Tensor v = randomInts(r, U8, 0, 255, 5);
        Tensor yv = QNode.op("MatMulInteger").in(v).in(slice(b, 0, 10, 5, 2)).run();
        assertArrayEquals(new long[] {2}, yv.shape());
        assertArrayEquals(naive(v, new long[] {0}, slice(b, 0, 10, 5, 2), new long[] {0}, 1, 5, 2), yv.toLongArray());
        assertThrows(MinnowException.class, () -> QNode.op("MatMulInteger").in(a).in(randomInts(r, I8, 0, 1, 4, 4)).run());
        MinnowException e = assertThrows(MinnowException.class,
                () -> QNode.op("MatMulInteger").in(a).in(b).none().in(typed(I8, s(3), 1, 2, 3)).run());
        assertTrue(e.getMessage().contains("b_zero_point"), e.getMessage());
    }

    private static Tensor slice(Tensor t, long from, int count, long... shape) {
        Tensor out = Tensor.allocate(t.type(), shape);
        for (int i = 0; i < count; i++) out.setLongValue(i, t.getLongValue(from + i));
        return out;
    }

    @Test
    void qLinearMatMulRequantizes() {
        Random r = new Random(13);
        int m = 3, k = 40, n = 5;
        Tensor a = randomInts(r, U8, 0, 255, m, k), b = randomInts(r, I8, -128, 127, k, n);
        float as = 0.02f, bs = 0.005f, ys = 0.3f;
        for (DataType out : new DataType[] {U8, I8}) {
            long yz = out == U8 ? 128 : -3;
            Tensor y = QNode.op("QLinearMatMul").in(a).in(scalar(F, as)).in(scalar(U8, 120)).in(b).in(scalar(F, bs))
                    .in(scalar(I8, 4)).in(scalar(F, ys)).in(scalar(out, yz)).run();
            assertEquals(out, y.type());
            long[] acc = naive(a, new long[] {120}, b, new long[] {4}, m, k, n);
            float mult = as * bs / ys;
            for (int i = 0; i < acc.length; i++) {
                long lo = out == U8 ? 0 : -128, hi = out == U8 ? 255 : 127;
                long want = Math.max(lo, Math.min(hi, (long) Math.rint((float) acc[i] * mult) + yz));
                assertEquals(want, y.getLongValue(i), "element " + i);
            }
        }
        // Per-column b scale: each column is requantized with its own multiplier.
        Tensor bsCol = Tensor.of(new float[] {0.001f, 0.002f, 0.004f, 0.008f, 0.016f}, 5);
        Tensor y = QNode.op("QLinearMatMul").in(a).in(scalar(F, as)).in(scalar(U8, 0)).in(b).in(bsCol)
                .in(scalar(I8, 0)).in(scalar(F, ys)).in(scalar(I8, 0)).run();
        long[] acc = naive(a, new long[] {0}, b, new long[] {0}, m, k, n);
        for (int i = 0; i < acc.length; i++) {
            float mult = as * bsCol.getFloat(i % n) / ys;
            assertEquals(Math.max(-128, Math.min(127, (long) Math.rint((float) acc[i] * mult))), y.getLongValue(i));
        }
    }

    /** Minnow's float Conv over (x - xz) and (w - wz): an independent, exact oracle for small integers. */
    private static Tensor floatConv(Tensor x, long xz, Tensor w, long[] wz, long m, QNode attrsLike) {
        Tensor xf = Tensor.allocate(F, x.shape()), wf = Tensor.allocate(F, w.shape());
        for (long i = 0; i < x.size(); i++) xf.setFloat(i, x.getLongValue(i) - xz);
        long per = w.size() / m;
        for (long i = 0; i < w.size(); i++) wf.setFloat(i, w.getLongValue(i) - wz[wz.length == 1 ? 0 : (int) (i / per)]);
        return attrsLike.in(xf).in(wf).run();
    }

    @Test
    void convIntegerMatchesFloatConv() {
        Random r = new Random(14);
        record Case(long[] x, long[] w, long group, String autoPad, long[] pads, long[] strides, long[] dil) {}
        Case[] cases = {
            new Case(s(1, 1, 3, 3), s(1, 1, 2, 2), 1, null, null, null, null),
            new Case(s(2, 3, 7, 6), s(4, 3, 3, 3), 1, null, s(1, 2, 0, 1), s(2, 1), null),
            new Case(s(1, 4, 9, 9), s(6, 2, 3, 3), 2, null, s(2, 2, 2, 2), null, s(2, 2)),
            new Case(s(1, 4, 8, 5), s(4, 1, 3, 3), 4, "SAME_UPPER", null, s(2, 2), null),
            new Case(s(1, 2, 11), s(3, 2, 4), 1, "SAME_LOWER", null, s(3), null),
            new Case(s(1, 2, 4, 5, 3), s(2, 2, 2, 3, 1), 1, null, s(1, 0, 0, 0, 1, 0), null, null),
        };
        for (Case c : cases) {
            Tensor x = randomInts(r, U8, 0, 255, c.x), w = randomInts(r, I8, -128, 127, c.w);
            long m = c.w[0];
            long[] wz = new long[(int) m];
            for (int i = 0; i < m; i++) wz[i] = r.nextInt(256) - 128;
            Tensor wzT = typed(I8, s(m), java.util.Arrays.stream(wz).asDoubleStream().toArray());
            QNode q = QNode.op("ConvInteger").in(x).in(w).in(scalar(U8, 90)).in(wzT);
            QNode f = QNode.op("Conv").opset(17);
            for (QNode node : new QNode[] {q, f}) {
                node.attr("group", c.group);
                if (c.autoPad != null) node.attr("auto_pad", c.autoPad);
                if (c.pads != null) node.attrInts("pads", c.pads);
                if (c.strides != null) node.attrInts("strides", c.strides);
                if (c.dil != null) node.attrInts("dilations", c.dil);
            }
            Tensor y = q.run(), want = floatConv(x, 90, w, wz, m, f);
            assertEquals(DataType.INT32, y.type());
            assertArrayEquals(want.shape(), y.shape(), java.util.Arrays.toString(c.x));
            for (long i = 0; i < y.size(); i++) assertEquals((long) want.getFloat(i), y.getLongValue(i), "element " + i + " of " + c);
        }
    }

    @Test
    void qLinearConvWithBiasAndPerChannelScales() {
        Random r = new Random(15);
        Tensor x = randomInts(r, I8, -128, 127, 1, 3, 6, 6), w = randomInts(r, I8, -128, 127, 4, 3, 3, 3);
        Tensor bias = typed(DataType.INT32, s(4), -5000, 0, 7, 123456);
        Tensor ws = Tensor.of(new float[] {0.01f, 0.02f, 0.005f, 0.001f}, 4);
        float xs = 0.05f, ys = 0.7f;
        QNode f = QNode.op("Conv").opset(17).attrInts("pads", 1, 1, 1, 1);
        Tensor acc = floatConv(x, -2, w, new long[] {0}, 4, f);
        Tensor y = QNode.op("QLinearConv").attrInts("pads", 1, 1, 1, 1).in(x).in(scalar(F, xs)).in(scalar(I8, -2)).in(w).in(ws)
                .in(scalar(I8, 0)).in(scalar(F, ys)).in(scalar(U8, 100)).in(bias).run();
        assertEquals(U8, y.type());
        assertArrayEquals(s(1, 4, 6, 6), y.shape());
        long saturated = 0;
        for (long i = 0; i < y.size(); i++) {
            int oc = (int) (i / 36);
            float mult = xs * ws.getFloat(oc) / ys;
            long want = Math.max(0, Math.min(255, (long) Math.rint((float) ((long) acc.getFloat(i) + bias.getLongValue(oc)) * mult) + 100));
            if (want == 0 || want == 255) saturated++;
            assertEquals(want, y.getLongValue(i), "element " + i);
        }
        assertTrue(saturated > 0 && saturated < y.size(), "the case should exercise saturation: " + saturated);
        assertThrows(MinnowException.class, () -> QNode.op("QLinearConv").in(x).in(scalar(F, xs)).in(scalar(I8, 0)).in(w)
                .in(Tensor.of(new float[] {1, 2}, 2)).in(scalar(I8, 0)).in(scalar(F, ys)).in(scalar(U8, 0)).run());
    }
}
