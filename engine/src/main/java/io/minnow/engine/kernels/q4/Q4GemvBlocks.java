package io.minnow.engine.kernels.q4;

import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The packed layout the fast q4-gemv kernels (Panama and native) read; kernels-native/src/main/c/q4-gemv/q4_gemv.h
 * describes the same bytes. Rows of W go in panels of {@value #NR} (one activation load serves 4 rows). Along K the
 * codes come in chunks of C = max(G, 64): per chunk and row, C/64 blocks of 32 bytes, byte i of a block holding the
 * code of k = c0 + i in its low nibble and of k = c0 + 32 + i in its high nibble, so one 32-byte load gives 64 codes
 * that line up with 64 contiguous activation bytes. A panel is
 * <pre>
 *   codes   chunks x 4 rows x C/2 bytes (codes past K and rows past n: 0)
 *   scales  chunks * (C/G) groups x 4 float32, [group][row] (padding groups and rows: 0)
 *   zs      only with zero points: scale * z' per group and row, the same shape
 *   padding to a multiple of 64 bytes
 * </pre>
 * u is the code as an unsigned nibble: the stored code with zero points, else the signed code + 8 (z' = 8, implied:
 * the kernels use 8 * sum a with the scales as coefficients). Panels are {@link #panelBytes} apart.
 */
public final class Q4GemvBlocks {
    private Q4GemvBlocks() {}

    /** Rows of W per panel. */
    public static final int NR = 4;

    /** Codes per chunk along K: max(G, 64), a whole number of 64-code blocks and of groups. */
    public static int chunk(int groupSize) {
        return Math.max(groupSize, 64);
    }

    /** Chunks per row: ceil(k / chunk). */
    public static int chunks(int k, int groupSize) {
        return (int) (((long) k + chunk(groupSize) - 1) / chunk(groupSize));
    }

    /** Bytes of one panel, a multiple of 64. */
    public static long panelBytes(int k, int groupSize, boolean zeroPoints) {
        int ch = chunks(k, groupSize), c = chunk(groupSize);
        long groups = (long) ch * (c / groupSize);
        long bytes = (long) ch * NR * c / 2 + groups * NR * Float.BYTES * (zeroPoints ? 2 : 1);
        return (bytes + 63) / 64 * 64;
    }

    /** Offset of the scales within a panel. */
    public static long scalesOffset(int k, int groupSize) {
        return (long) chunks(k, groupSize) * NR * chunk(groupSize) / 2;
    }

    /** Bytes of the whole packed weight. */
    public static long bytes(int n, int k, int groupSize, boolean zeroPoints) {
        return ((long) n + NR - 1) / NR * panelBytes(k, groupSize, zeroPoints);
    }

    /** Throws IllegalArgumentException when w's segment is shorter than its panels (a hand-made Q4Packed). */
    static void requireSize(Q4Packed w) {
        Q4Args.requireBytes(w, bytes(w.n(), w.k(), w.groupSize(), w.hasZeroPoints()));
    }

    /** Packs a checked q4 tensor for the kernel {@code kernel}. */
    public static Q4Packed pack(String kernel, TensorData w) {
        QuantLayout l = Q4Gemm.checkWeight(w);
        int n = (int) l.rows(), k = (int) l.cols(), g = l.groupSize(), groups = (int) l.groups();
        boolean zp = l.hasZeroPoints();
        int c = chunk(g), padGroups = chunks(k, g) * (c / g);
        long pb = panelBytes(k, g, zp), sc = scalesOffset(k, g);
        MemorySegment out = Arena.ofAuto().allocate(Math.max(1, bytes(n, k, g, zp)), 64);
        MemorySegment src = w.bytes();
        for (int j = 0; j < n; j++) {
            long panel = (long) (j / NR) * pb;
            int r = j % NR;
            for (int p = 0; p < k; p++) {
                int code = Q4Codec.code(w, l, j, p), u = zp ? code : code + 8;
                int ch = p / c, q = p % c, i = q % 64;
                long at = panel + ((long) ch * NR + r) * c / 2 + q / 64 * 32 + i % 32;
                byte old = out.get(ValueLayout.JAVA_BYTE, at);
                out.set(ValueLayout.JAVA_BYTE, at, (byte) (i < 32 ? old | u : old | u << 4));
            }
            for (int gi = 0; gi < groups; gi++) {
                long at = (long) j * groups + gi;
                float scale = src.get(TensorData.F32_LE, l.scalesOffset() + 4 * at);
                out.set(TensorData.F32_LE, panel + sc + 4L * (gi * NR + r), scale);
                if (zp) {
                    int z = Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, l.zeroOffset() + at));
                    out.set(TensorData.F32_LE, panel + sc + 4L * ((long) padGroups * NR + gi * NR + r), scale * z);
                }
            }
        }
        return new Q4Packed(kernel, n, k, g, zp, out);
    }
}
