package io.minnow.formats.quant;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;

import java.util.Arrays;
import java.util.Map;

/**
 * Where each part of a {@link Encoding#Q8} or {@link Encoding#Q4} blob lies, computed from the logical dims
 * and the encoding parameters, after checking both. One blob holds codes, scales and zero points so that a
 * tensor stays one zero-copy slice of a mapped file; each part starts at a multiple of
 * {@value #PART_ALIGNMENT} bytes of the blob (blobs themselves are 64-byte aligned in a .mnw file), so a
 * kernel can read every part with aligned loads. The byte layout is described in {@code package-info.java}.
 *
 * @param rows          N: dims[0], the output channels (q8 and q4)
 * @param cols          K: the product of all other dims, the elements per row (the reduction axis of an
 *                      [N, K] weight; ci*kh*kw of a conv weight [co, ci, kh, kw]); 1 for a rank-1 tensor
 * @param groupSize     q4: G; q8: K (one scale per row)
 * @param groups        scales per row: 1 (q8) or ceil(K / G) (q4)
 * @param rowBytes      code bytes per row: K (q8) or ceil(K / 2) (q4)
 * @param scalesOffset  byte offset of the float32 scales, {@code rows * groups} of them
 * @param zeroOffset    byte offset of the uint8 zero points ({@code rows * groups}), or -1 when there are none
 * @param byteSize      total blob length
 */
public record QuantLayout(Encoding encoding, long rows, long cols, int groupSize, long groups, long rowBytes,
                          long scalesOffset, long zeroOffset, long byteSize) {

    /** Alignment of each part inside a blob. */
    public static final int PART_ALIGNMENT = 64;
    /** Parameter key: the quantized axis (q8; only 0, the output channel, is defined). */
    public static final String AXIS = "axis";
    /** Parameter key: q4 group size G along K, one of {@link #GROUP_SIZES}. */
    public static final String GROUP_SIZE = "group_size";
    /** Parameter key: q4 zero points present (1) or symmetric signed codes (0, the default). */
    public static final String ZERO_POINT = "zero_point";
    /** Group sizes q4 accepts. */
    public static final int[] GROUP_SIZES = {32, 64, 128};

    /** True when this q4 layout stores zero points. */
    public boolean hasZeroPoints() {
        return zeroOffset >= 0;
    }

    /** Number of scales (and zero points, when present). */
    public long scaleCount() {
        return rows * groups;
    }

    /**
     * Checks type, dims and params for a quantized encoding and returns the layout. Throws
     * IllegalArgumentException saying what is wrong (callers add the tensor name and file).
     */
    public static QuantLayout of(Encoding enc, DataType type, long[] dims, Map<String, Long> params) {
        if (type != DataType.FLOAT) throw new IllegalArgumentException(enc + " encodes FLOAT tensors, not " + type);
        if (dims.length == 0) throw new IllegalArgumentException(enc + " needs a tensor of rank >= 1, not a scalar");
        long count = 1;
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            count = Math.multiplyExact(count, d);
        }
        return switch (enc) {
            case Q8 -> q8(dims, count, params);
            case Q4 -> q4(dims, count, params);
            default -> throw new IllegalArgumentException(enc + " is not a quantized encoding");
        };
    }

    private static QuantLayout q8(long[] dims, long count, Map<String, Long> params) {
        for (String k : params.keySet()) {
            if (!k.equals(AXIS)) throw new IllegalArgumentException("unknown Q8 parameter '" + k + "' (Q8 takes: " + AXIS + ")");
        }
        long axis = params.getOrDefault(AXIS, 0L);
        if (axis != 0) throw new IllegalArgumentException("Q8 " + AXIS + " is " + axis + "; only 0 (per output channel) is defined");
        long n = dims[0];
        long k = product(dims, 1, dims.length);
        long scales = align(count);
        long size = Math.addExact(scales, Math.multiplyExact(n, 4L));
        return new QuantLayout(Encoding.Q8, n, k, (int) Math.min(k, Integer.MAX_VALUE), 1, k, scales, -1, size);
    }

    private static QuantLayout q4(long[] dims, long count, Map<String, Long> params) {
        for (String key : params.keySet()) {
            if (!key.equals(GROUP_SIZE) && !key.equals(ZERO_POINT)) {
                throw new IllegalArgumentException("unknown Q4 parameter '" + key + "' (Q4 takes: " + GROUP_SIZE + ", " + ZERO_POINT + ")");
            }
        }
        Long g = params.get(GROUP_SIZE);
        if (g == null) throw new IllegalArgumentException("Q4 needs parameter " + GROUP_SIZE);
        if (Arrays.stream(GROUP_SIZES).noneMatch(s -> s == g)) {
            throw new IllegalArgumentException("Q4 " + GROUP_SIZE + " is " + g + "; allowed: " + Arrays.toString(GROUP_SIZES));
        }
        long zp = params.getOrDefault(ZERO_POINT, 0L);
        if (zp != 0 && zp != 1) throw new IllegalArgumentException("Q4 " + ZERO_POINT + " is " + zp + "; allowed: 0, 1");
        // Rows are output channels, as in q8: a conv weight [co, ci, 1, 1] is then the [co, ci] GEMM weight it is.
        long n = dims[0];
        long k = product(dims, 1, dims.length);
        long groups = (k + g - 1) / g;
        long rowBytes = (k + 1) / 2;
        long scalesOffset = align(Math.multiplyExact(n, rowBytes));
        long scalesEnd = Math.addExact(scalesOffset, Math.multiplyExact(Math.multiplyExact(n, groups), 4L));
        long zeroOffset = zp == 1 ? align(scalesEnd) : -1;
        long size = zp == 1 ? Math.addExact(zeroOffset, n * groups) : scalesEnd;
        return new QuantLayout(Encoding.Q4, n, k, g.intValue(), groups, rowBytes, scalesOffset, zeroOffset, size);
    }

    /** Product of dims[from..to); exact, so that an empty tensor still has well-defined rows and columns. */
    private static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) n = Math.multiplyExact(n, dims[i]);
        return n;
    }

    private static long align(long n) {
        return Math.addExact(n, PART_ALIGNMENT - 1) & -(long) PART_ALIGNMENT;
    }
}
