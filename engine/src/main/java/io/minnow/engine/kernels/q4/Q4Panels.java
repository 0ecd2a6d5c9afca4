package io.minnow.engine.kernels.q4;

import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The packed layout the fast q4-gemm kernels (Panama and native) read; kernels-native/src/main/c/q4-gemm/q4_gemm.h
 * describes the same bytes. Rows of W go in panels of {@value #NR} (output columns of C become vector lanes, so
 * a GEMV needs no horizontal sums and each group's scales are one vector load). Panel q holds rows [8q, 8q + 8)
 * (rows past n: codes 0, scale 0, zero point 0) and, group after group, streams:
 * <pre>
 *   codes   G/2 pair-steps x 8 rows, one byte each: byte [s][r] = u(r, p) | u(r, p + 1) << 4, p = g*G + 2s
 *           (a code past K is 0; the last group's unused steps are 0)
 *   scales  8 float32, one per row
 *   zeros   8 float32 z' per row (only when the tensor has zero points)
 * </pre>
 * u is the code as an unsigned nibble: the stored code when there are zero points (z' = zero point), else the
 * signed code + 8 (z' = 8, implied). So a kernel computes {@code scale * (sum a*u - z' * sum a)} per group: one
 * zero-extend and a shift/mask turn 8 bytes into the codes of two steps for 8 rows.
 * All group records have the same size ({@link #groupBytes}), panels are {@code groups * groupBytes} bytes.
 */
public final class Q4Panels {
    private Q4Panels() {}

    /** Rows per panel: lanes of one 256-bit float vector. */
    public static final int NR = 8;

    /** Bytes of one group record of one panel. */
    public static long groupBytes(int groupSize, boolean zeroPoints) {
        return (long) groupSize / 2 * NR + 4 * NR + (zeroPoints ? 4 * NR : 0);
    }

    /** Bytes of one panel. */
    public static long panelBytes(int k, int groupSize, boolean zeroPoints) {
        return (long) ((k + groupSize - 1) / groupSize) * groupBytes(groupSize, zeroPoints);
    }

    /** Throws IllegalArgumentException when w's segment is shorter than its panels (a hand-made Q4Packed). */
    static void requireSize(Q4Packed w) {
        Q4Args.requireBytes(w, (long) ((w.n() + NR - 1) / NR) * panelBytes(w.k(), w.groupSize(), w.hasZeroPoints()));
    }

    /** Packs a checked q4 tensor for the kernel {@code kernel}. */
    public static Q4Packed pack(String kernel, TensorData w) {
        QuantLayout l = Q4Gemm.checkWeight(w);
        int n = (int) l.rows(), k = (int) l.cols(), g = l.groupSize(), groups = (int) l.groups();
        boolean zp = l.hasZeroPoints();
        long gb = groupBytes(g, zp), pb = panelBytes(k, g, zp);
        long panels = (n + NR - 1) / NR;
        MemorySegment out = Arena.ofAuto().allocate(Math.max(1, panels * pb), 64);
        MemorySegment src = w.bytes();
        for (int j = 0; j < n; j++) {
            long panel = (long) (j / NR) * pb;
            int r = j % NR;
            for (int gi = 0; gi < groups; gi++) {
                long rec = panel + gi * gb;
                long at = (long) j * groups + gi;
                for (int p = gi * g; p < Math.min(k, gi * g + g); p++) {
                    int code = Q4Codec.code(w, l, j, p);
                    int u = zp ? code : code + 8;
                    long b = rec + (long) (p - gi * g) / 2 * NR + r;
                    int old = out.get(ValueLayout.JAVA_BYTE, b);
                    out.set(ValueLayout.JAVA_BYTE, b, (byte) ((p & 1) == 0 ? old | u : old | u << 4));
                }
                long sc = rec + (long) g / 2 * NR;
                out.set(TensorData.F32_LE, sc + 4L * r, src.get(TensorData.F32_LE, l.scalesOffset() + 4 * at));
                if (zp) {
                    out.set(TensorData.F32_LE, sc + 4L * NR + 4L * r, (float) Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, l.zeroOffset() + at)));
                }
            }
        }
        return new Q4Packed(kernel, n, k, g, zp, out);
    }
}
