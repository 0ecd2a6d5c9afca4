package io.minnow.formats.mnw;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelFormatException;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.quant.QuantCheck;
import io.minnow.formats.mnw.proto.MnwAttribute;
import io.minnow.formats.mnw.proto.MnwDim;
import io.minnow.formats.mnw.proto.MnwGraph;
import io.minnow.formats.mnw.proto.MnwHeader;
import io.minnow.formats.mnw.proto.MnwKeyValue;
import io.minnow.formats.mnw.proto.MnwNode;
import io.minnow.formats.mnw.proto.MnwOpset;
import io.minnow.formats.mnw.proto.MnwParam;
import io.minnow.formats.mnw.proto.MnwTensor;
import io.minnow.formats.mnw.proto.MnwValueInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a .mnw file (layout in {@link MnwFormat}) into a {@link ModelDef}. The file is memory-mapped and
 * every tensor's bytes are a read-only slice of the mapping (zero copy, 64-byte aligned). Everything in the
 * preamble and header is checked before it is used; anything wrong is a {@link ModelFormatException} naming
 * the file and, where it applies, the tensor, node or byte offset. Nothing is allocated in proportion to a
 * size the file claims until that size has been checked against the file's real length.
 *
 * <p>The mapping lives as long as the arena it was made in: {@link #read(Path)} uses an automatic arena (the
 * mapping goes when the last tensor is unreachable); {@link #read(Path, Arena)} lets the caller close it.
 * Truncating the file while it is mapped is undefined behaviour at the OS level (SIGBUS); don't.
 */
public final class MnwReader {
    private MnwReader() {}

    /** Maps and reads {@code path}; the mapping is released when the model is no longer reachable. */
    public static ModelDef read(Path path) {
        return read(path, Arena.ofAuto(), false);
    }

    /** Maps {@code path} in {@code arena}; tensors are valid until the arena closes. */
    public static ModelDef read(Path path, Arena arena) {
        return read(path, arena, false);
    }

    /**
     * Maps {@code path} in {@code arena}; with {@code verifyData} also checks every blob's CRC-32C (one pass
     * over the data, which also pages it in).
     */
    public static ModelDef read(Path path, Arena arena, boolean verifyData) {
        String file = path.toString();
        MemorySegment mapped;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MnwFormat.PREAMBLE_BYTES) {
                throw new ModelFormatException(file, "file is " + size + " bytes, too short to be a .mnw file");
            }
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new MinnowException("cannot read " + file + ": " + e, e);
        }
        return read(mapped, file, verifyData);
    }

    /** Reads a .mnw file held in memory (copied once off-heap, blob checksums verified); {@code displayName} names it in messages. */
    public static ModelDef read(byte[] bytes, String displayName) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, bytes.length), MnwFormat.ALIGNMENT).asSlice(0, bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        return read(seg, displayName, true);
    }

    /**
     * Reads a .mnw file from a segment holding the whole file (for example, a mapping the caller made).
     * Tensors are slices of {@code file}.
     */
    public static ModelDef read(MemorySegment file, String displayName, boolean verifyData) {
        MnwHeader header = header(file, displayName);
        long dataOffset = file.get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        long dataLength = file.get(MnwFormat.U64, MnwFormat.OFF_DATA_LENGTH);
        new HeaderCheck(displayName, header, dataLength).run();
        MemorySegment data = file.asSlice(dataOffset, dataLength);
        return new Builder(displayName, header, data, dataOffset, verifyData).model();
    }

    /** Checks preamble and header of a .mnw file and returns the header (for tools that list the tensor table). */
    public static MnwHeader readHeader(Path path) {
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MnwFormat.PREAMBLE_BYTES) {
                throw new ModelFormatException(path.toString(), "file is " + size + " bytes, too short to be a .mnw file");
            }
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            MnwHeader header = header(file, path.toString());
            new HeaderCheck(path.toString(), header, file.get(MnwFormat.U64, MnwFormat.OFF_DATA_LENGTH)).run();
            return header;
        } catch (IOException e) {
            throw new MinnowException("cannot read " + path + ": " + e, e);
        }
    }

    /** Checks the preamble, the header checksum, and parses the header. */
    private static MnwHeader header(MemorySegment file, String name) {
        long size = file.byteSize();
        if (size < MnwFormat.PREAMBLE_BYTES) {
            throw new ModelFormatException(name, "file is " + size + " bytes, too short to be a .mnw file");
        }
        if (MemorySegment.mismatch(file, 0, MnwFormat.MAGIC.length, MemorySegment.ofArray(MnwFormat.MAGIC), 0, MnwFormat.MAGIC.length) != -1) {
            throw new ModelFormatException(name, null, null, 0, "not a .mnw file (bad magic bytes)");
        }
        long version = Integer.toUnsignedLong(file.get(MnwFormat.U32, MnwFormat.OFF_VERSION));
        if (version > MnwFormat.VERSION) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_VERSION, ".mnw format version " + version
                    + " is newer than this reader, which reads up to version " + MnwFormat.VERSION + "; upgrade Minnow");
        }
        if (version < 1) throw new ModelFormatException(name, null, null, MnwFormat.OFF_VERSION, "invalid .mnw format version " + version);
        int flags = file.get(MnwFormat.U32, MnwFormat.OFF_FLAGS);
        if (flags != 0) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_FLAGS, "unknown flags 0x" + Integer.toHexString(flags)
                    + " (version " + MnwFormat.VERSION + " defines none)");
        }
        for (long off = MnwFormat.OFF_RESERVED; off < MnwFormat.PREAMBLE_BYTES; off++) {
            if (file.get(ValueLayout.JAVA_BYTE, off) != 0) {
                throw new ModelFormatException(name, null, null, off, "reserved preamble byte is not zero");
            }
        }
        long headerLength = file.get(MnwFormat.U64, MnwFormat.OFF_HEADER_LENGTH);
        long dataOffset = file.get(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET);
        long dataLength = file.get(MnwFormat.U64, MnwFormat.OFF_DATA_LENGTH);
        checkLayout(name, headerLength, dataOffset, dataLength, size);

        MemorySegment headerBytes = file.asSlice(MnwFormat.PREAMBLE_BYTES, headerLength);
        int crc = file.get(MnwFormat.U32, MnwFormat.OFF_HEADER_CRC);
        if (MnwFormat.crc32c(headerBytes) != crc) {
            throw new ModelFormatException(name, null, null, MnwFormat.PREAMBLE_BYTES, "header checksum mismatch (the file is corrupt)");
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(headerBytes.toArray(ValueLayout.JAVA_BYTE));
            MnwHeader h = MnwHeader.parseFrom(in);
            in.checkLastTagWas(0);
            return h;
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(name, null, null, MnwFormat.PREAMBLE_BYTES, "corrupt header: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(name, "cannot parse header: " + e.getMessage(), e);
        }
    }

    /** The preamble's lengths against each other and the file size (shared with the writer). */
    static void checkLayout(String name, long headerLength, long dataOffset, long dataLength, long fileSize) {
        if (headerLength < 0 || headerLength > MnwFormat.MAX_HEADER_BYTES) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_HEADER_LENGTH, "header length "
                    + Long.toUnsignedString(headerLength) + " is outside 0.." + MnwFormat.MAX_HEADER_BYTES);
        }
        long expectedData = MnwFormat.align(MnwFormat.PREAMBLE_BYTES + headerLength);
        if (expectedData > fileSize) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_HEADER_LENGTH, "header of " + headerLength
                    + " bytes runs past the end of the file (" + fileSize + " bytes; truncated?)");
        }
        if (dataOffset != expectedData) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_DATA_OFFSET, "data offset "
                    + Long.toUnsignedString(dataOffset) + " should be " + expectedData);
        }
        if (dataLength != fileSize - dataOffset) {
            throw new ModelFormatException(name, null, null, MnwFormat.OFF_DATA_LENGTH, "data region of "
                    + Long.toUnsignedString(dataLength) + " bytes at " + dataOffset + " does not end at the end of the file ("
                    + fileSize + " bytes; truncated or padded?)");
        }
    }

    /**
     * Every structural check on a parsed header: limits, tensor table entries against the data region,
     * tensor indices, attribute kinds, dims. After run() returns, {@link Builder} can convert without checks.
     */
    static final class HeaderCheck {
        private final String file;
        private final MnwHeader h;
        private final long dataLength;
        private int nodes;
        private int values;

        HeaderCheck(String file, MnwHeader h, long dataLength) {
            this.file = file;
            this.h = h;
            this.dataLength = dataLength;
        }

        void run() {
            Set<String> seen = new HashSet<>();
            for (MnwOpset o : h.getOpsetsList()) {
                if (!seen.add(o.getDomain())) throw fail("opset domain '" + o.getDomain() + "' is listed twice");
            }
            seen.clear();
            for (MnwKeyValue kv : h.getMetadataList()) {
                if (!seen.add(kv.getKey())) throw fail("metadata key '" + kv.getKey() + "' is listed twice");
            }
            tensors();
            if (!h.hasGraph()) throw fail("header has no graph");
            graph(h.getGraph(), 0);
        }

        private void tensors() {
            int n = h.getTensorsCount();
            if (n > MnwFormat.MAX_TENSORS) throw fail(n + " tensors in the table; the limit is " + MnwFormat.MAX_TENSORS);
            long[][] spans = new long[n][];
            int spanCount = 0;
            for (int i = 0; i < n; i++) {
                MnwTensor t = h.getTensors(i);
                String label = t.getName().isEmpty() ? "#" + i : t.getName();
                DataType type = DataType.fromOnnx(t.getDataType());
                if (type == null || type == DataType.STRING) {
                    throw tensorFail(label, "unsupported data type id " + t.getDataType());
                }
                Encoding enc = Encoding.fromId(t.getEncoding());
                if (enc == null) throw tensorFail(label, "unknown encoding id " + Integer.toUnsignedString(t.getEncoding()));
                if (!enc.implemented()) throw tensorFail(label, "encoding " + enc + " is not supported by this reader yet");
                if (enc == Encoding.F32 && type != DataType.FLOAT) throw tensorFail(label, "F32 encoding on a " + type + " tensor");
                Map<String, Long> params = params(label, t);
                if (t.getDimsCount() > MnwFormat.MAX_RANK) {
                    throw tensorFail(label, "rank " + t.getDimsCount() + " exceeds the limit " + MnwFormat.MAX_RANK);
                }
                long count = 1;
                for (int d = 0; d < t.getDimsCount(); d++) {
                    long dim = t.getDims(d);
                    if (dim < 0) throw tensorFail(label, "negative dimension " + dim + " in " + t.getDimsList());
                    try {
                        count = Math.multiplyExact(count, dim);
                    } catch (ArithmeticException e) {
                        throw tensorFail(label, "dims " + t.getDimsList() + " overflow a 64-bit element count");
                    }
                }
                // A count over the limit is refused even when a later dim is 0 would not matter: the product is exact.
                if (count > MnwFormat.MAX_TENSOR_ELEMENTS) {
                    throw tensorFail(label, "dims " + t.getDimsList() + " declare " + count + " elements; the limit is "
                            + MnwFormat.MAX_TENSOR_ELEMENTS);
                }
                long need;
                try {
                    need = enc.byteSize(type, t.getDimsList().stream().mapToLong(Long::longValue).toArray(), params);
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw tensorFail(label, e.getMessage());
                }
                long offset = t.getOffset(), length = t.getLength();
                if (length != need) {
                    throw tensorFail(label, "blob length " + Long.toUnsignedString(length) + " but " + type + t.getDimsList()
                            + " in " + enc + " needs " + need);
                }
                if (offset < 0 || offset > dataLength || length > dataLength - offset) {
                    throw tensorFail(label, "blob at data offset " + Long.toUnsignedString(offset) + " (+" + length
                            + " bytes) lies outside the data region of " + dataLength + " bytes");
                }
                if (offset % MnwFormat.ALIGNMENT != 0) {
                    throw tensorFail(label, "blob offset " + offset + " is not a multiple of " + MnwFormat.ALIGNMENT);
                }
                if (length > 0) spans[spanCount++] = new long[] {offset, offset + length, i};
            }
            Arrays.sort(spans, 0, spanCount, (a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < spanCount; i++) {
                if (spans[i][0] < spans[i - 1][1]) {
                    throw tensorFail(h.getTensors((int) spans[i][2]).getName(), "blob overlaps the blob of tensor '"
                            + h.getTensors((int) spans[i - 1][2]).getName() + "'");
                }
            }
        }

        /** The encoding parameters: at most {@link MnwFormat#MAX_PARAMS}, named, each once, integer-valued. */
        private Map<String, Long> params(String label, MnwTensor t) {
            if (t.getParamsCount() > MnwFormat.MAX_PARAMS) {
                throw tensorFail(label, t.getParamsCount() + " encoding parameters; the limit is " + MnwFormat.MAX_PARAMS);
            }
            Map<String, Long> params = new LinkedHashMap<>();
            for (MnwParam p : t.getParamsList()) {
                if (p.getKey().isEmpty()) throw tensorFail(label, "encoding parameter without a key");
                if (p.getValueCase() != MnwParam.ValueCase.I) {
                    throw tensorFail(label, "encoding parameter '" + p.getKey() + "' is " + p.getValueCase() + "; only integers are defined");
                }
                if (params.put(p.getKey(), p.getI()) != null) throw tensorFail(label, "encoding parameter '" + p.getKey() + "' appears twice");
            }
            return params;
        }

        private void graph(MnwGraph g, int depth) {
            if (depth > MnwFormat.MAX_GRAPH_DEPTH) {
                throw fail("graphs nested deeper than " + MnwFormat.MAX_GRAPH_DEPTH);
            }
            for (int idx : g.getInitializersList()) tensorIndex(idx, "initializer of graph '" + g.getName() + "'", null);
            values += g.getInputsCount() + g.getOutputsCount() + g.getValueInfoCount();
            if (values > MnwFormat.MAX_VALUES) throw fail("more than " + MnwFormat.MAX_VALUES + " declared values");
            for (MnwValueInfo v : g.getInputsList()) value(v);
            for (MnwValueInfo v : g.getOutputsList()) value(v);
            for (MnwValueInfo v : g.getValueInfoList()) value(v);
            nodes += g.getNodesCount();
            if (nodes > MnwFormat.MAX_NODES) throw fail("more than " + MnwFormat.MAX_NODES + " nodes");
            for (MnwNode n : g.getNodesList()) node(n, depth);
        }

        private void node(MnwNode n, int depth) {
            String display = n.getName().isEmpty() ? n.getOpType() + (n.getOutputsCount() > 0 ? "->" + n.getOutputs(0) : "") : n.getName();
            if (n.getOpType().isEmpty()) throw new ModelFormatException(file, display, null, -1, "node has no op type");
            if (n.getAttributesCount() > MnwFormat.MAX_ATTRIBUTES_PER_NODE) {
                throw new ModelFormatException(file, display, null, -1, n.getAttributesCount() + " attributes; the limit is "
                        + MnwFormat.MAX_ATTRIBUTES_PER_NODE);
            }
            Set<String> names = new HashSet<>();
            for (MnwAttribute a : n.getAttributesList()) {
                String what = "attribute '" + a.getName() + "'";
                if (a.getName().isEmpty()) throw new ModelFormatException(file, display, null, -1, "attribute without a name");
                if (!names.add(a.getName())) throw new ModelFormatException(file, display, null, -1, what + " appears twice");
                Attribute.Kind kind = Attribute.Kind.fromOnnx(a.getKind());
                if (kind == null) {
                    throw new ModelFormatException(file, display, null, -1, what + " has unknown kind id " + Integer.toUnsignedString(a.getKind()));
                }
                int listLength = switch (kind) {
                    case FLOATS -> a.getFloatsCount();
                    case INTS -> a.getIntsCount();
                    case STRINGS -> a.getStringsCount();
                    case TENSORS -> a.getTensorsCount();
                    case GRAPHS -> a.getGraphsCount();
                    default -> 0;
                };
                if (listLength > MnwFormat.MAX_ATTRIBUTE_VALUES) {
                    throw new ModelFormatException(file, display, null, -1, what + " has " + listLength + " values; the limit is "
                            + MnwFormat.MAX_ATTRIBUTE_VALUES);
                }
                switch (kind) {
                    case TENSOR -> tensorIndex(a.getTensor(), what, display);
                    case TENSORS -> { for (int idx : a.getTensorsList()) tensorIndex(idx, what, display); }
                    case GRAPH -> {
                        if (!a.hasGraph()) throw new ModelFormatException(file, display, null, -1, what + " has no graph");
                        graph(a.getGraph(), depth + 1);
                    }
                    case GRAPHS -> { for (MnwGraph g : a.getGraphsList()) graph(g, depth + 1); }
                    default -> { }
                }
            }
        }

        private void value(MnwValueInfo v) {
            String what = "value '" + v.getName() + "'";
            if (v.getDataType() != 0 && DataType.fromOnnx(v.getDataType()) == null) {
                throw fail(what + " has unknown data type id " + v.getDataType());
            }
            if (!v.getHasShape() && v.getDimsCount() > 0) throw fail(what + " has dims but no shape");
            if (v.getDimsCount() > MnwFormat.MAX_RANK) throw fail(what + " has rank " + v.getDimsCount() + "; the limit is " + MnwFormat.MAX_RANK);
            for (MnwDim d : v.getDimsList()) {
                if (d.getValue() < -1) throw fail(what + " has dimension " + d.getValue());
                if (d.getValue() >= 0 && !d.getSymbol().isEmpty()) throw fail(what + " has a dimension with both a size and a symbol");
            }
        }

        private void tensorIndex(int idx, String what, String node) {
            if (idx < 0 || idx >= h.getTensorsCount()) {
                throw new ModelFormatException(file, node, null, -1, what + " refers to tensor #" + Integer.toUnsignedString(idx)
                        + ", but the table has " + h.getTensorsCount());
            }
        }

        private ModelFormatException fail(String what) {
            return new ModelFormatException(file, what);
        }

        private ModelFormatException tensorFail(String tensor, String what) {
            return new ModelFormatException(file, null, tensor, -1, what);
        }
    }

    /** Converts a checked header into a ModelDef whose tensors are slices of the data region. */
    private static final class Builder {
        private final String file;
        private final MnwHeader h;
        private final TensorData[] tensors;

        Builder(String file, MnwHeader h, MemorySegment data, long dataOffset, boolean verifyData) {
            this.file = file;
            this.h = h;
            this.tensors = new TensorData[h.getTensorsCount()];
            for (int i = 0; i < tensors.length; i++) {
                MnwTensor t = h.getTensors(i);
                MemorySegment bytes = data.asSlice(t.getOffset(), t.getLength());
                if (verifyData && MnwFormat.crc32c(bytes) != t.getCrc32C()) {
                    throw new ModelFormatException(file, null, t.getName(), -1, "data checksum mismatch (the file is corrupt)");
                }
                long[] dims = new long[t.getDimsCount()];
                for (int d = 0; d < dims.length; d++) dims[d] = t.getDims(d);
                Map<String, Long> params = new LinkedHashMap<>();
                for (MnwParam p : t.getParamsList()) params.put(p.getKey(), p.getI());
                tensors[i] = new TensorData(t.getName(), DataType.fromOnnx(t.getDataType()), dims,
                        Encoding.fromId(t.getEncoding()), bytes, params);
                if (verifyData && tensors[i].encoding().quantized()) QuantCheck.check(tensors[i], file, dataOffset + t.getOffset());
            }
        }

        ModelDef model() {
            Map<String, Long> opsets = new LinkedHashMap<>();
            for (MnwOpset o : h.getOpsetsList()) opsets.put(o.getDomain(), o.getVersion());
            Map<String, String> metadata = new LinkedHashMap<>();
            for (MnwKeyValue kv : h.getMetadataList()) metadata.put(kv.getKey(), kv.getValue());
            return new ModelDef(h.getIrVersion(), opsets, h.getProducerName(), h.getProducerVersion(), graph(h.getGraph()), metadata);
        }

        private GraphDef graph(MnwGraph g) {
            List<TensorData> inits = new ArrayList<>(g.getInitializersCount());
            for (int idx : g.getInitializersList()) inits.add(tensors[idx]);
            List<NodeDef> nodes = new ArrayList<>(g.getNodesCount());
            for (MnwNode n : g.getNodesList()) nodes.add(node(n));
            return new GraphDef(g.getName(), nodes, values(g.getInputsList()), values(g.getOutputsList()), inits,
                    values(g.getValueInfoList()));
        }

        private NodeDef node(MnwNode n) {
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            for (MnwAttribute a : n.getAttributesList()) attrs.put(a.getName(), attribute(a));
            return new NodeDef(n.getName(), n.getOpType(), n.getDomain(), n.getInputsList(), n.getOutputsList(), attrs);
        }

        private Attribute attribute(MnwAttribute a) {
            Attribute.Kind kind = Attribute.Kind.fromOnnx(a.getKind());
            Object value = switch (kind) {
                case FLOAT -> a.getF();
                case INT -> a.getI();
                case STRING -> a.getS();
                case TENSOR -> tensors[a.getTensor()];
                case GRAPH -> graph(a.getGraph());
                case FLOATS -> {
                    float[] v = new float[a.getFloatsCount()];
                    for (int i = 0; i < v.length; i++) v[i] = a.getFloats(i);
                    yield v;
                }
                case INTS -> {
                    long[] v = new long[a.getIntsCount()];
                    for (int i = 0; i < v.length; i++) v[i] = a.getInts(i);
                    yield v;
                }
                case STRINGS -> a.getStringsList();
                case TENSORS -> {
                    List<TensorData> v = new ArrayList<>(a.getTensorsCount());
                    for (int idx : a.getTensorsList()) v.add(tensors[idx]);
                    yield v;
                }
                case GRAPHS -> {
                    List<GraphDef> v = new ArrayList<>(a.getGraphsCount());
                    for (MnwGraph g : a.getGraphsList()) v.add(graph(g));
                    yield v;
                }
            };
            return new Attribute(a.getName(), kind, value);
        }

        private static List<ValueInfo> values(List<MnwValueInfo> list) {
            List<ValueInfo> out = new ArrayList<>(list.size());
            for (MnwValueInfo v : list) {
                List<Dim> shape = null;
                if (v.getHasShape()) {
                    shape = new ArrayList<>(v.getDimsCount());
                    for (MnwDim d : v.getDimsList()) shape.add(new Dim(d.getValue(), d.getSymbol()));
                }
                out.add(new ValueInfo(v.getName(), v.getDataType() == 0 ? null : DataType.fromOnnx(v.getDataType()), shape));
            }
            return out;
        }
    }
}
