package io.minnow.formats.onnx;

import com.google.protobuf.ByteString;
import io.minnow.formats.Attribute;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
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
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link ModelDef} as an ONNX model (or a tensor as a standalone TensorProto). Tensor values go
 * to raw_data (little-endian, as ONNX requires). Only {@link Encoding#F32} and {@link Encoding#RAW}
 * tensors can be written; compressed encodings must be expressed as ONNX ops (QDQ) first.
 * Opsets and metadata are written sorted by key so that the output is deterministic.
 * {@code OnnxReader.read(OnnxWriter.toBytes(m))} equals {@code m} for any model the reader accepts.
 */
public final class OnnxWriter {
    private OnnxWriter() {}

    /** Serialized ONNX ModelProto. */
    public static byte[] toBytes(ModelDef model) {
        ModelProto proto = toProto(model);
        if (proto.getSerializedSize() < 0) throw new MinnowException("model is too large for one ONNX protobuf (2 GiB)");
        return proto.toByteArray();
    }

    /** Writes the model to {@code path} (through a temporary file in the same folder, then a rename). */
    public static void write(ModelDef model, Path path) {
        writeBytes(toBytes(model), path);
    }

    /** A standalone serialized TensorProto, as in the ONNX backend test data. */
    public static byte[] tensorToBytes(TensorData tensor) {
        return tensor(tensor).toByteArray();
    }

    /** Writes a standalone serialized TensorProto. */
    public static void writeTensor(TensorData tensor, Path path) {
        writeBytes(tensorToBytes(tensor), path);
    }

    /** The model as a generated ONNX protobuf message. */
    public static ModelProto toProto(ModelDef model) {
        ModelProto.Builder b = ModelProto.newBuilder()
                .setIrVersion(model.irVersion())
                .setProducerName(model.producerName())
                .setProducerVersion(model.producerVersion());
        for (Map.Entry<String, Long> e : new TreeMap<>(model.opsetImports()).entrySet()) {
            b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(model.metadata()).entrySet()) {
            b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        if (model.graph() != null) b.setGraph(graph(model.graph()));
        return b.build();
    }

    static GraphProto graph(GraphDef g) {
        GraphProto.Builder b = GraphProto.newBuilder().setName(g.name());
        for (NodeDef n : g.nodes()) b.addNode(node(n));
        for (TensorData t : g.initializers()) b.addInitializer(tensor(t));
        for (ValueInfo v : g.inputs()) b.addInput(value(v));
        for (ValueInfo v : g.outputs()) b.addOutput(value(v));
        for (ValueInfo v : g.valueInfo()) b.addValueInfo(value(v));
        return b.build();
    }

    private static NodeProto node(NodeDef n) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(n.opType()).addAllInput(n.inputs()).addAllOutput(n.outputs());
        if (!n.name().isEmpty()) b.setName(n.name());
        if (!n.domain().isEmpty()) b.setDomain(n.domain());
        for (Attribute a : n.attributes().values()) b.addAttribute(attribute(a));
        return b.build();
    }

    private static AttributeProto attribute(Attribute a) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(a.name()).setType(a.kind().onnxId);
        switch (a.kind()) {
            case FLOAT -> b.setF(a.asFloat());
            case INT -> b.setI(a.asInt());
            case STRING -> b.setS(ByteString.copyFromUtf8(a.asString()));
            case TENSOR -> b.setT(tensor(a.asTensor()));
            case GRAPH -> b.setG(graph(a.asGraph()));
            case FLOATS -> { for (float f : a.floatsView()) b.addFloats(f); }
            case INTS -> { for (long i : a.intsView()) b.addInts(i); }
            case STRINGS -> { for (String s : a.asStrings()) b.addStrings(ByteString.copyFromUtf8(s)); }
            case TENSORS -> { for (TensorData t : a.asTensors()) b.addTensors(tensor(t)); }
            case GRAPHS -> { for (GraphDef g : a.asGraphs()) b.addGraphs(graph(g)); }
        }
        return b.build();
    }

    static TensorProto tensor(TensorData t) {
        if (t.encoding() != Encoding.F32 && t.encoding() != Encoding.RAW) {
            throw new MinnowException("tensor '" + t.name() + "' is " + t.encoding()
                    + "-encoded; ONNX holds dense tensors only (export compressed weights as QDQ)");
        }
        MemorySegment bytes = t.bytes();
        if (bytes.byteSize() > Integer.MAX_VALUE) {
            throw new MinnowException("tensor '" + t.name() + "' is larger than 2 GiB, too large for ONNX without external data");
        }
        TensorProto.Builder b = TensorProto.newBuilder().setDataType(t.type().onnxId);
        for (long d : t.dims()) b.addDims(d);
        if (!t.name().isEmpty()) b.setName(t.name());
        ByteString raw;
        try {
            raw = ByteString.copyFrom(bytes.asByteBuffer());
        } catch (UnsupportedOperationException e) { // a heap segment over a float[], long[], ...
            raw = ByteString.copyFrom(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        b.setRawData(raw);
        return b.build();
    }

    private static ValueInfoProto value(ValueInfo v) {
        ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
        if (v.type() == null && v.shape() == null) return b.build();
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder();
        if (v.type() != null) tt.setElemType(v.type().onnxId);
        if (v.shape() != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            for (Dim d : v.shape()) {
                TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
                if (d.isFixed()) db.setDimValue(d.value());
                else if (d.symbol() != null) db.setDimParam(d.symbol());
                s.addDim(db);
            }
            tt.setShape(s);
        }
        return b.setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }

    private static void writeBytes(byte[] bytes, Path path) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            throw new MinnowException("cannot write " + path + ": " + e, e);
        }
    }
}
