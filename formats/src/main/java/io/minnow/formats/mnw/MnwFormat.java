package io.minnow.formats.mnw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The .mnw container: constants, limits and byte layout. A .mnw file holds one model: a small fixed
 * preamble, a header (everything but the tensor bytes) and a data region of 64-byte aligned blobs, so that
 * a reader can memory-map the file and hand out tensors as zero-copy slices.
 *
 * <h2>Byte layout (format version 1; all integers little-endian)</h2>
 * <pre>
 * offset  size  field
 *      0     8  magic 4D 4E 57 31 0D 0A 1A 0A  ("MNW1\r\n\x1A\n": catches text-mode and truncating copies)
 *      8     4  u32 format version, {@value #VERSION}; a reader refuses versions newer than its own
 *     12     4  u32 flags, 0 (no flags are defined in version 1; a non-zero value is refused)
 *     16     8  u64 header length H, 1 .. {@value #MAX_HEADER_BYTES}
 *     24     8  u64 data offset D = H + 64 rounded up to a multiple of 64
 *     32     8  u64 data length L; D + L is the file length exactly
 *     40     4  u32 CRC-32C of the H header bytes
 *     44    20  reserved, zero
 *     64     H  header: a serialized {@code minnow.mnw.MnwHeader} protobuf (src/main/proto/mnw_header.proto)
 *   64+H        zero padding up to D
 *      D     L  data region: tensor blobs
 * </pre>
 *
 * <p>The header carries the model metadata (IR version, opsets, producer, metadata), the graph (nodes,
 * attributes, inputs, outputs, value infos, subgraphs) and the <b>tensor table</b>: per tensor its name,
 * data type (ONNX TensorProto.DataType number), encoding ({@link io.minnow.formats.Encoding#id}), dims,
 * blob offset (relative to D, a multiple of {@value #ALIGNMENT}, so every blob starts at a 64-byte aligned
 * file offset), blob length, CRC-32C of the blob, and encoding parameters (key/value, for encodings that need
 * them). Graphs refer to tensors by index into the table (initializers, TENSOR and TENSORS attributes).
 * Attribute kinds are stored as ONNX AttributeProto.AttributeType numbers.
 *
 * <h2>What a reader checks</h2>
 * Magic, version, flags, reserved bytes; H, D and L against each other and the file length; the header
 * CRC; every count against the limits below; every tensor: known data type and encoding, dims non-negative,
 * element count without overflow and at most {@value #MAX_TENSOR_ELEMENTS}, byte length equal to what the
 * encoding needs, blob inside the data region, aligned, and not overlapping another blob; every tensor index
 * in the graph inside the table; graph nesting at most {@value #MAX_GRAPH_DEPTH}. Blob CRCs are checked on
 * request (they cost a pass over the data; the default load maps and touches nothing).
 */
public final class MnwFormat {
    private MnwFormat() {}

    /** The 8 magic bytes at offset 0. */
    static final byte[] MAGIC = {'M', 'N', 'W', '1', 0x0D, 0x0A, 0x1A, 0x0A};
    /** The format version this code writes, and the newest it reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed preamble; the header starts here. */
    public static final int PREAMBLE_BYTES = 64;
    /** Alignment of the data region and of every blob, in bytes (a cache line; enough for any SIMD load). */
    public static final int ALIGNMENT = 64;

    /** Largest header accepted (64 MiB): bounds what parsing the header can allocate. */
    public static final long MAX_HEADER_BYTES = 64L << 20;
    /** Most entries in the tensor table. */
    public static final int MAX_TENSORS = 1 << 20;
    /** Most nodes, counted over the main graph and all subgraphs. */
    public static final int MAX_NODES = 1 << 20;
    /** Most graph inputs + outputs + value infos, counted over all graphs. */
    public static final int MAX_VALUES = 1 << 22;
    /** Most attributes on one node. */
    public static final int MAX_ATTRIBUTES_PER_NODE = 1024;
    /** Most elements in one list attribute (FLOATS, INTS, STRINGS, TENSORS, GRAPHS). */
    public static final int MAX_ATTRIBUTE_VALUES = 1 << 24;
    /** Deepest nesting of subgraphs (the main graph is depth 0). */
    public static final int MAX_GRAPH_DEPTH = 16;
    /** Highest rank of a tensor or declared shape. */
    public static final int MAX_RANK = 64;
    /** Most elements in one tensor. */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE;
    /** Most encoding parameters on one tensor. */
    public static final int MAX_PARAMS = 64;

    // Preamble field offsets.
    static final int OFF_VERSION = 8;
    static final int OFF_FLAGS = 12;
    static final int OFF_HEADER_LENGTH = 16;
    static final int OFF_DATA_OFFSET = 24;
    static final int OFF_DATA_LENGTH = 32;
    static final int OFF_HEADER_CRC = 40;
    static final int OFF_RESERVED = 44;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The 8 magic bytes. */
    public static byte[] magic() {
        return MAGIC.clone();
    }

    /** {@code n} rounded up to a multiple of {@link #ALIGNMENT} (n must be non-negative). */
    public static long align(long n) {
        return Math.addExact(n, ALIGNMENT - 1) & -(long) ALIGNMENT;
    }

    /** CRC-32C of a segment's bytes, without copying them to the heap. */
    static int crc32c(MemorySegment seg) {
        CRC32C crc = new CRC32C();
        final long chunk = 1L << 30;
        for (long off = 0; off < seg.byteSize(); off += chunk) {
            crc.update(byteBuffer(seg.asSlice(off, Math.min(chunk, seg.byteSize() - off))));
        }
        return (int) crc.getValue();
    }

    /**
     * A ByteBuffer view of a segment of at most 2 GiB; a copy where no view is possible (heap segments over
     * arrays other than byte[]).
     */
    static ByteBuffer byteBuffer(MemorySegment seg) {
        try {
            return seg.asByteBuffer();
        } catch (UnsupportedOperationException e) {
            return ByteBuffer.wrap(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    /** CRC-32C of a byte array. */
    static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.wrap(bytes));
        return (int) crc.getValue();
    }

    /**
     * Recomputes the header CRC of a whole .mnw file held in {@code file}, in place, so that tests (and repair
     * tools) can change header bytes and still reach the structural checks behind the checksum.
     */
    static void restampHeaderCrc(byte[] file) {
        MemorySegment seg = MemorySegment.ofArray(file);
        long h = seg.get(U64, OFF_HEADER_LENGTH);
        seg.set(U32, OFF_HEADER_CRC, crc32c(seg.asSlice(PREAMBLE_BYTES, h)));
    }
}
