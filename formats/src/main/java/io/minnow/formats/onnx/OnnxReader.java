package io.minnow.formats.onnx;

import com.google.protobuf.ByteString;
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
import io.minnow.formats.onnx.proto.AttributeProto;
import io.minnow.formats.onnx.proto.GraphProto;
import io.minnow.formats.onnx.proto.ModelProto;
import io.minnow.formats.onnx.proto.NodeProto;
import io.minnow.formats.onnx.proto.OperatorSetIdProto;
import io.minnow.formats.onnx.proto.StringStringEntryProto;
import io.minnow.formats.onnx.proto.TensorProto;
import io.minnow.formats.onnx.proto.TensorShapeProto;
import io.minnow.formats.onnx.proto.TypeProto;
import io.minnow.formats.onnx.proto.ValueInfoProto;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ONNX models (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET} of the default domain) into a
 * {@link ModelDef}, and standalone serialized TensorProtos (the backend test data {@code input_0.pb}).
 *
 * <p>Everything is checked before use; what Minnow cannot represent is refused with a
 * {@link ModelFormatException} naming the file and the node or tensor: external or segmented tensor data,
 * sparse initializers, nodes outside the default domain, string/complex/float8/int4 tensors, non-tensor
 * values (sequences, maps, optionals), raw_data or typed data whose length does not match the dims.
 *
 * <p>Tensor bytes are copied once, with bulk copies where the layout allows, into 64-byte aligned off-heap
 * segments (little-endian): {@link Encoding#F32} for FLOAT, {@link Encoding#RAW} for every other type.
 * Nodes in domain "ai.onnx" are given domain "" (the same domain). Constant nodes stay nodes.
 */
public final class OnnxReader {
    /** Oldest default-domain opset read. */
    public static final long MIN_OPSET = 7;
    /** Newest default-domain opset read. */
    public static final long MAX_OPSET = 21;
    /** Most elements in one tensor (Java arrays and int indices stay usable). */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE;
    /** Highest tensor or value rank accepted. */
    public static final int MAX_RANK = 64;
    /** A protobuf message cannot exceed 2 GiB; larger models need external data, which Minnow refuses. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String file;

    private OnnxReader(String file) {
        this.file = file;
    }

    /** Reads and validates an ONNX model file. */
    public static ModelDef read(Path path) {
        return read(readFile(path), path.toString());
    }

    /** Reads and validates an ONNX model held in memory; {@code displayName} names it in error messages. */
    public static ModelDef read(byte[] bytes, String displayName) {
        OnnxReader r = new OnnxReader(displayName);
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true); // raw_data aliases `bytes`; it is copied once, off-heap, below
            proto = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(displayName, "not a valid ONNX model (truncated or corrupt protobuf: "
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(displayName, "cannot parse ONNX model: " + e.getMessage(), e);
        }
        return r.model(proto);
    }

    /** Reads a standalone serialized TensorProto (e.g. ONNX backend test data {@code test_data_set_0/input_0.pb}). */
    public static TensorData readTensor(Path path) {
        return readTensor(readFile(path), path.toString());
    }

    /** Reads a serialized TensorProto held in memory; {@code displayName} names it in error messages. */
    public static TensorData readTensor(byte[] bytes, String displayName) {
        OnnxReader r = new OnnxReader(displayName);
        TensorProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            proto = TensorProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(displayName, "not a valid ONNX TensorProto (truncated or corrupt protobuf: "
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(displayName, "cannot parse ONNX tensor: " + e.getMessage(), e);
        }
        if (!proto.hasDataType() && proto.getDimsCount() == 0 && !proto.hasRawData()) {
            throw new ModelFormatException(displayName, "not an ONNX TensorProto (no data type, dims or data)");
        }
        return r.tensor(proto, null, "tensor");
    }

    /** Converts an already parsed ModelProto (e.g. one built in memory). */
    public static ModelDef fromProto(ModelProto proto, String displayName) {
        return new OnnxReader(displayName).model(proto);
    }

    private static byte[] readFile(Path path) {
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new ModelFormatException(path.toString(), "file is " + size + " bytes; an ONNX protobuf cannot exceed 2 GiB"
                        + " (models that large use external data, which Minnow does not read)");
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new MinnowException("cannot read " + path + ": " + e, e);
        }
    }

    // ---- model, graph, node ----

    private ModelDef model(ModelProto m) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            String domain = o.getDomain();
            Long old = opsets.put(domain, o.getVersion());
            if (old != null && old != o.getVersion()) {
                throw fail("opset_import lists domain '" + domain + "' twice (versions " + old + " and " + o.getVersion() + ")");
            }
        }
        Long def = opsets.get("");
        Long alias = opsets.get("ai.onnx");
        if (def != null && alias != null && !def.equals(alias)) {
            throw fail("opset_import gives the default domain two versions ('' " + def + ", 'ai.onnx' " + alias + ")");
        }
        if (def == null) def = alias;
        if (!m.hasGraph()) {
            throw fail("no graph (is this an ONNX model file?)");
        }
        if (def == null) {
            throw fail("no opset_import for the default ONNX domain" + (opsets.isEmpty() ? "" : " (imports only " + opsets.keySet() + ")")
                    + "; Minnow runs the default domain, opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        if (def < MIN_OPSET || def > MAX_OPSET) {
            throw fail("opset " + def + " of the default ONNX domain is not supported; Minnow reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + (def < MIN_OPSET ? " (convert the model with onnx.version_converter)" : ""));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) metadata.put(e.getKey(), e.getValue());
        GraphDef graph = graph(m.getGraph());
        return new ModelDef(m.getIrVersion(), opsets, m.getProducerName(), m.getProducerVersion(), graph, metadata);
    }

    private GraphDef graph(GraphProto g) {
        if (g.getSparseInitializerCount() > 0) {
            TensorProto values = g.getSparseInitializer(0).getValues();
            throw new ModelFormatException(file, null, values.getName(), -1, "sparse initializers are not supported ("
                    + g.getSparseInitializerCount() + " in graph '" + g.getName() + "'); store them dense");
        }
        List<TensorData> inits = new ArrayList<>(g.getInitializerCount());
        for (TensorProto t : g.getInitializerList()) inits.add(tensor(t, null, "initializer"));
        List<NodeDef> nodes = new ArrayList<>(g.getNodeCount());
        for (NodeProto n : g.getNodeList()) nodes.add(node(n));
        return new GraphDef(g.getName(), nodes, values(g.getInputList()), values(g.getOutputList()), inits,
                values(g.getValueInfoList()));
    }

    private NodeDef node(NodeProto n) {
        String display = !n.getName().isEmpty() ? n.getName()
                : n.getOpType() + (n.getOutputCount() > 0 ? "->" + n.getOutput(0) : "");
        if (n.getOpType().isEmpty()) {
            throw new ModelFormatException(file, display, null, -1, "node has no op_type");
        }
        String domain = n.getDomain();
        if (domain.equals("ai.onnx")) domain = "";
        if (!domain.isEmpty()) {
            throw new ModelFormatException(file, display, null, -1, "operator " + n.getOpType() + " of domain '" + domain
                    + "' is not supported; Minnow runs operators of the default ONNX domain (ai.onnx) only");
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            Attribute attr = attribute(a, display);
            if (attrs.put(attr.name(), attr) != null) {
                throw new ModelFormatException(file, display, null, -1, "attribute '" + attr.name() + "' appears twice");
            }
        }
        return new NodeDef(n.getName(), n.getOpType(), domain, n.getInputList(), n.getOutputList(), attrs);
    }

    private Attribute attribute(AttributeProto a, String node) {
        String name = a.getName();
        if (name.isEmpty()) throw new ModelFormatException(file, node, null, -1, "attribute without a name");
        if (!a.getRefAttrName().isEmpty()) {
            throw new ModelFormatException(file, node, null, -1, "attribute '" + name + "' refers to function attribute '"
                    + a.getRefAttrName() + "'; references are only valid inside ONNX functions");
        }
        int type = a.getType();
        if (type == AttributeProto.AttributeType.UNDEFINED_VALUE) type = inferType(a, node);
        Attribute.Kind kind = Attribute.Kind.fromOnnx(type);
        if (kind == null) {
            String what = switch (type) {
                case AttributeProto.AttributeType.SPARSE_TENSOR_VALUE, AttributeProto.AttributeType.SPARSE_TENSORS_VALUE -> "sparse tensor";
                case AttributeProto.AttributeType.TYPE_PROTO_VALUE, AttributeProto.AttributeType.TYPE_PROTOS_VALUE -> "type proto";
                default -> "unknown kind " + type;
            };
            throw new ModelFormatException(file, node, null, -1, "attribute '" + name + "' is a " + what + ", which Minnow does not support");
        }
        Object value = switch (kind) {
            case FLOAT -> a.getF();
            case INT -> a.getI();
            case STRING -> a.getS().toStringUtf8();
            case TENSOR -> tensor(a.getT(), node, "attribute '" + name + "'");
            case GRAPH -> graph(a.getG());
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
            case STRINGS -> {
                List<String> v = new ArrayList<>(a.getStringsCount());
                for (ByteString s : a.getStringsList()) v.add(s.toStringUtf8());
                yield v;
            }
            case TENSORS -> {
                List<TensorData> v = new ArrayList<>(a.getTensorsCount());
                for (int i = 0; i < a.getTensorsCount(); i++) v.add(tensor(a.getTensors(i), node, "attribute '" + name + "'[" + i + "]"));
                yield v;
            }
            case GRAPHS -> {
                List<GraphDef> v = new ArrayList<>(a.getGraphsCount());
                for (GraphProto g : a.getGraphsList()) v.add(graph(g));
                yield v;
            }
        };
        return new Attribute(name, kind, value);
    }

    /** IR version 1 files may leave AttributeProto.type unset; the one field that holds a value says the kind. */
    private int inferType(AttributeProto a, String node) {
        List<Integer> kinds = new ArrayList<>(1);
        if (a.hasF()) kinds.add(AttributeProto.AttributeType.FLOAT_VALUE);
        if (a.hasI()) kinds.add(AttributeProto.AttributeType.INT_VALUE);
        if (a.hasS()) kinds.add(AttributeProto.AttributeType.STRING_VALUE);
        if (a.hasT()) kinds.add(AttributeProto.AttributeType.TENSOR_VALUE);
        if (a.hasG()) kinds.add(AttributeProto.AttributeType.GRAPH_VALUE);
        if (a.getFloatsCount() > 0) kinds.add(AttributeProto.AttributeType.FLOATS_VALUE);
        if (a.getIntsCount() > 0) kinds.add(AttributeProto.AttributeType.INTS_VALUE);
        if (a.getStringsCount() > 0) kinds.add(AttributeProto.AttributeType.STRINGS_VALUE);
        if (a.getTensorsCount() > 0) kinds.add(AttributeProto.AttributeType.TENSORS_VALUE);
        if (a.getGraphsCount() > 0) kinds.add(AttributeProto.AttributeType.GRAPHS_VALUE);
        if (a.hasSparseTensor()) kinds.add(AttributeProto.AttributeType.SPARSE_TENSOR_VALUE);
        if (a.getSparseTensorsCount() > 0) kinds.add(AttributeProto.AttributeType.SPARSE_TENSORS_VALUE);
        if (a.hasTp()) kinds.add(AttributeProto.AttributeType.TYPE_PROTO_VALUE);
        if (a.getTypeProtosCount() > 0) kinds.add(AttributeProto.AttributeType.TYPE_PROTOS_VALUE);
        if (kinds.size() != 1) {
            throw new ModelFormatException(file, node, null, -1, "attribute '" + a.getName() + "' has no type and "
                    + (kinds.isEmpty() ? "no value" : "values of several kinds"));
        }
        return kinds.get(0);
    }

    // ---- values ----

    private List<ValueInfo> values(List<ValueInfoProto> protos) {
        List<ValueInfo> out = new ArrayList<>(protos.size());
        for (ValueInfoProto v : protos) out.add(value(v));
        return out;
    }

    private ValueInfo value(ValueInfoProto v) {
        String name = v.getName();
        if (!v.hasType()) return new ValueInfo(name, null, null);
        TypeProto t = v.getType();
        switch (t.getValueCase()) {
            case VALUE_NOT_SET:
                return new ValueInfo(name, null, null);
            case TENSOR_TYPE:
                break;
            default: {
                String kind = switch (t.getValueCase()) {
                    case SEQUENCE_TYPE -> "a sequence";
                    case MAP_TYPE -> "a map";
                    case OPTIONAL_TYPE -> "an optional";
                    case SPARSE_TENSOR_TYPE -> "a sparse tensor";
                    default -> "not a tensor";
                };
                throw new ModelFormatException(file, "value '" + name + "' is " + kind + "; Minnow supports tensor values only");
            }
        }
        TypeProto.Tensor tt = t.getTensorType();
        DataType type = null;
        if (tt.getElemType() != 0) {
            type = DataType.fromOnnx(tt.getElemType());
            if (type == null) {
                throw new ModelFormatException(file, "value '" + name + "' has element type " + typeName(tt.getElemType())
                        + ", which Minnow does not support");
            }
        }
        if (!tt.hasShape()) return new ValueInfo(name, type, null);
        TensorShapeProto shape = tt.getShape();
        if (shape.getDimCount() > MAX_RANK) {
            throw new ModelFormatException(file, "value '" + name + "' has rank " + shape.getDimCount() + " (limit " + MAX_RANK + ")");
        }
        List<Dim> dims = new ArrayList<>(shape.getDimCount());
        for (TensorShapeProto.Dimension d : shape.getDimList()) {
            dims.add(switch (d.getValueCase()) {
                case DIM_VALUE -> {
                    if (d.getDimValue() < 0) {
                        throw new ModelFormatException(file, "value '" + name + "' has negative dimension " + d.getDimValue());
                    }
                    yield Dim.of(d.getDimValue());
                }
                case DIM_PARAM -> d.getDimParam().isEmpty() ? Dim.UNKNOWN : Dim.symbolic(d.getDimParam());
                default -> Dim.UNKNOWN;
            });
        }
        return new ValueInfo(name, type, dims);
    }

    // ---- tensors ----

    /**
     * Converts one TensorProto; {@code node} (nullable) and {@code role} ("initializer", "attribute 'value'")
     * say where it sits, for messages about nameless tensors.
     */
    private TensorData tensor(TensorProto t, String node, String role) {
        String name = t.getName();
        String label = name.isEmpty() ? "(" + role + ")" : name;
        if (t.hasSegment()) throw tensorFail(node, label, "segmented tensors are not supported");
        if (t.getDataLocation() != TensorProto.DataLocation.DEFAULT_VALUE || t.getExternalDataCount() > 0) {
            String location = "";
            for (StringStringEntryProto e : t.getExternalDataList()) {
                if (e.getKey().equals("location")) location = " in '" + e.getValue() + "'";
            }
            throw tensorFail(node, label, "data is stored outside the model file (external data" + location
                    + "); Minnow reads self-contained models only: re-save with onnx.save_model(model, path, save_as_external_data=False)");
        }
        int typeId = t.getDataType();
        DataType type = DataType.fromOnnx(typeId);
        if (type == null || type == DataType.STRING) {
            throw tensorFail(node, label, "data type " + typeName(typeId) + " is not supported");
        }
        if (t.getDimsCount() > MAX_RANK) {
            throw tensorFail(node, label, "rank " + t.getDimsCount() + " exceeds the limit " + MAX_RANK);
        }
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        boolean overflow = false;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) throw tensorFail(node, label, "negative dimension in " + Arrays.toString(t.getDimsList().toArray()));
            long hi = Math.multiplyHigh(count, dims[i]);
            count *= dims[i];
            if (hi != 0 || count < 0) overflow = true;
        }
        if (overflow || count > MAX_TENSOR_ELEMENTS) {
            throw tensorFail(node, label, "dims " + Arrays.toString(dims) + " declare " + (overflow ? "more than 2^63" : count)
                    + " elements; the limit is " + MAX_TENSOR_ELEMENTS);
        }
        long bytes = count * type.byteSize;
        String shape = type + Arrays.toString(dims);
        Encoding encoding = type == DataType.FLOAT ? Encoding.F32 : Encoding.RAW;

        // Which field holds the values: raw_data, or exactly one typed field.
        List<String> present = new ArrayList<>(1);
        if (t.hasRawData()) present.add("raw_data");
        if (t.getFloatDataCount() > 0) present.add("float_data");
        if (t.getInt32DataCount() > 0) present.add("int32_data");
        if (t.getInt64DataCount() > 0) present.add("int64_data");
        if (t.getDoubleDataCount() > 0) present.add("double_data");
        if (t.getUint64DataCount() > 0) present.add("uint64_data");
        if (t.getStringDataCount() > 0) present.add("string_data");
        if (present.size() > 1) throw tensorFail(node, label, "values in several fields " + present);
        if (present.isEmpty()) {
            if (count != 0) throw tensorFail(node, label, shape + " declares " + count + " elements but holds no data");
            return new TensorData(name, type, dims, encoding, allocate(0));
        }
        String field = present.get(0);
        if (field.equals("raw_data")) {
            ByteString raw = t.getRawData();
            if (raw.size() != bytes) {
                throw tensorFail(node, label, "raw_data has " + raw.size() + " bytes, but " + shape + " needs " + bytes);
            }
            MemorySegment seg = allocate(bytes);
            if (bytes > 0) MemorySegment.copy(MemorySegment.ofBuffer(raw.asReadOnlyByteBuffer()), 0, seg, 0, bytes);
            return new TensorData(name, type, dims, encoding, seg);
        }
        String expected = switch (type) {
            case FLOAT -> "float_data";
            case INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 -> "int32_data";
            case INT64 -> "int64_data";
            case DOUBLE -> "double_data";
            case UINT32, UINT64 -> "uint64_data";
            default -> throw tensorFail(node, label, "data type " + type + " is not supported");
        };
        if (!field.equals(expected)) {
            throw tensorFail(node, label, type + " values are in " + field + "; ONNX stores " + type + " in " + expected + " or raw_data");
        }
        long n = switch (field) {
            case "float_data" -> t.getFloatDataCount();
            case "int32_data" -> t.getInt32DataCount();
            case "int64_data" -> t.getInt64DataCount();
            case "double_data" -> t.getDoubleDataCount();
            default -> t.getUint64DataCount();
        };
        if (n != count) {
            throw tensorFail(node, label, field + " has " + n + " values, but " + shape + " needs " + count);
        }
        MemorySegment seg = allocate(bytes);
        int c = (int) count;
        switch (type) {
            case FLOAT -> { for (int i = 0; i < c; i++) seg.setAtIndex(TensorData.F32_LE, i, t.getFloatData(i)); }
            case INT32 -> { for (int i = 0; i < c; i++) seg.setAtIndex(TensorData.I32_LE, i, t.getInt32Data(i)); }
            case INT8, UINT8 -> { for (int i = 0; i < c; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) t.getInt32Data(i)); }
            case BOOL -> { for (int i = 0; i < c; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) (t.getInt32Data(i) != 0 ? 1 : 0)); }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> { for (int i = 0; i < c; i++) seg.setAtIndex(I16_LE, i, (short) t.getInt32Data(i)); }
            case INT64 -> { for (int i = 0; i < c; i++) seg.setAtIndex(TensorData.I64_LE, i, t.getInt64Data(i)); }
            case DOUBLE -> { for (int i = 0; i < c; i++) seg.setAtIndex(F64_LE, i, t.getDoubleData(i)); }
            case UINT32 -> { for (int i = 0; i < c; i++) seg.setAtIndex(TensorData.I32_LE, i, (int) t.getUint64Data(i)); }
            case UINT64 -> { for (int i = 0; i < c; i++) seg.setAtIndex(TensorData.I64_LE, i, t.getUint64Data(i)); }
            default -> throw tensorFail(node, label, "data type " + type + " is not supported");
        }
        return new TensorData(name, type, dims, encoding, seg);
    }

    private static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(bytes, 64);
    }

    /** ONNX TensorProto.DataType name and number, e.g. {@code COMPLEX64 (14)}. */
    static String typeName(int id) {
        String name = switch (id) {
            case 0 -> "UNDEFINED";
            case 8 -> "STRING";
            case 14 -> "COMPLEX64";
            case 15 -> "COMPLEX128";
            case 17 -> "FLOAT8E4M3FN";
            case 18 -> "FLOAT8E4M3FNUZ";
            case 19 -> "FLOAT8E5M2";
            case 20 -> "FLOAT8E5M2FNUZ";
            case 21 -> "UINT4";
            case 22 -> "INT4";
            case 23 -> "FLOAT4E2M1";
            default -> {
                DataType t = DataType.fromOnnx(id);
                yield t == null ? "unknown" : t.name();
            }
        };
        return name + " (" + id + ")";
    }

    private ModelFormatException fail(String what) {
        return new ModelFormatException(file, what);
    }

    private ModelFormatException tensorFail(String node, String tensor, String what) {
        return new ModelFormatException(file, node, tensor, -1, what);
    }
}
