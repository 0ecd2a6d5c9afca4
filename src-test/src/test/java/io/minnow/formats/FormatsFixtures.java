package io.minnow.formats;

import com.google.protobuf.ByteString;
import io.minnow.formats.onnx.proto.AttributeProto;
import io.minnow.formats.onnx.proto.AttributeProto.AttributeType;
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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test data for the formats suites: the Debian ONNX test models, and ONNX models built by hand. */
public final class FormatsFixtures {
    private FormatsFixtures() {}

    public static final Path ONNX_TESTDATA = Path.of("/usr/share/libonnx-testdata/data");
    public static final Path NODE = ONNX_TESTDATA.resolve("node");

    /** True when the Debian package libonnx-testdata is installed. */
    public static boolean haveTestData() {
        return Files.isDirectory(NODE);
    }

    /** Every model.onnx under the ONNX test data (node, pytorch-converted, pytorch-operator, simple), sorted. */
    public static List<Path> allModels() {
        try (Stream<Path> s = Files.walk(ONNX_TESTDATA, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every test_data_set_N/*.pb file under the ONNX test data, sorted. */
    public static List<Path> allTensorFiles() {
        try (Stream<Path> s = Files.walk(ONNX_TESTDATA, 4)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".pb")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses an ONNX file with the generated classes (for tests that edit a real model). */
    public static ModelProto loadProto(Path p) {
        try {
            return ModelProto.parseFrom(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The model with its default-domain opset set to {@code opset}. The pytorch-converted test models are
     * opset 6, which Minnow refuses; container tests use their real initializers under opset 9.
     */
    public static ModelProto withOpset(ModelProto m, long opset) {
        ModelProto.Builder b = m.toBuilder().clearOpsetImport();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (!o.getDomain().isEmpty() && !o.getDomain().equals("ai.onnx")) b.addOpsetImport(o);
        }
        return b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    /**
     * Real test models that read under Minnow's rules, those with initializers first: the pytorch-converted and
     * pytorch-operator models (opset bumped from 6 to 9), then node tests. Each entry is (name, ONNX bytes).
     */
    public static List<java.util.Map.Entry<String, byte[]>> readableModels() {
        List<java.util.Map.Entry<String, byte[]>> out = new java.util.ArrayList<>();
        for (Path p : allModels()) {
            ModelProto m = loadProto(p);
            boolean old = m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().isEmpty() && o.getVersion() < 7);
            if (old) m = withOpset(m, 9);
            byte[] bytes = m.toByteArray();
            try {
                io.minnow.formats.onnx.OnnxReader.read(bytes, p.toString());
            } catch (ModelFormatException e) {
                continue;
            }
            out.add(java.util.Map.entry(ONNX_TESTDATA.relativize(p).toString(), bytes));
        }
        out.sort(java.util.Comparator.comparing((java.util.Map.Entry<String, byte[]> e) -> loadInitCount(e.getValue()) == 0)
                .thenComparing(java.util.Map.Entry::getKey));
        return out;
    }

    private static int loadInitCount(byte[] bytes) {
        try {
            return ModelProto.parseFrom(bytes).getGraph().getInitializerCount();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- hand-built ONNX protos ----

    public static ValueInfoProto tensorValue(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) b.setDimValue(n.longValue());
            else if (d instanceof String s) b.setDimParam(s);
            shape.addDim(b); // null: unknown dim
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) b.addDims(d);
        for (float v : values) b.addFloatData(v);
        return b.build();
    }

    public static TensorProto rawFloatTensor(String name, float[] values, long... dims) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) bb.putFloat(v);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bb.array()));
        for (long d : dims) b.addDims(d);
        return b.build();
    }

    public static ModelProto model(GraphProto graph, long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("minnow-test").setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("purpose").setValue("test"))
                .setGraph(graph).build();
    }

    /** A one-node model Relu(x) -> y with the given extra initializers. */
    public static ModelProto reluModel(long opset, TensorProto... initializers) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("relu")
                .addNode(NodeProto.newBuilder().setName("relu0").setOpType("Relu").addInput("x").addOutput("y"))
                .addInput(tensorValue("x", 1, "N", 4))
                .addOutput(tensorValue("y", 1, "N", 4));
        for (TensorProto t : initializers) g.addInitializer(t);
        return model(g.build(), opset);
    }

    /**
     * A model that uses every attribute kind (on a node named "kinds"), a subgraph (If branches) with its
     * own initializer, symbolic and unknown dims, a value without type, and initializers of several types.
     */
    public static ModelProto allKindsModel() {
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addInitializer(floatTensor("then_c", new float[] {1.5f, -2f}, 2))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("then_c").addOutput("then_out"))
                .addOutput(ValueInfoProto.newBuilder().setName("then_out")) // no type: common in subgraphs
                .build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("else_out")
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeType.TENSOR_VALUE)
                                .setT(floatTensor("", new float[] {3f, 4f}, 2))))
                .addOutput(tensorValue("else_out", 1, 2))
                .build();
        NodeProto kinds = NodeProto.newBuilder().setName("kinds").setOpType("Custom").addInput("x").addInput("").addOutput("k")
                .addAttribute(AttributeProto.newBuilder().setName("f").setType(AttributeType.FLOAT_VALUE).setF(0.25f))
                .addAttribute(AttributeProto.newBuilder().setName("i").setType(AttributeType.INT_VALUE).setI(-7))
                .addAttribute(AttributeProto.newBuilder().setName("s").setType(AttributeType.STRING_VALUE).setS(ByteString.copyFromUtf8("héllo")))
                .addAttribute(AttributeProto.newBuilder().setName("t").setType(AttributeType.TENSOR_VALUE)
                        .setT(TensorProto.newBuilder().setName("t_val").setDataType(TensorProto.DataType.INT64_VALUE)
                                .addDims(3).addInt64Data(1).addInt64Data(-2).addInt64Data(Long.MAX_VALUE)))
                .addAttribute(AttributeProto.newBuilder().setName("g").setType(AttributeType.GRAPH_VALUE).setG(thenBranch))
                .addAttribute(AttributeProto.newBuilder().setName("floats").setType(AttributeType.FLOATS_VALUE)
                        .addFloats(1f).addFloats(Float.NaN).addFloats(-0f))
                .addAttribute(AttributeProto.newBuilder().setName("ints").setType(AttributeType.INTS_VALUE)
                        .addInts(1).addInts(Long.MIN_VALUE))
                .addAttribute(AttributeProto.newBuilder().setName("strings").setType(AttributeType.STRINGS_VALUE)
                        .addStrings(ByteString.copyFromUtf8("a")).addStrings(ByteString.copyFromUtf8("")))
                .addAttribute(AttributeProto.newBuilder().setName("tensors").setType(AttributeType.TENSORS_VALUE)
                        .addTensors(floatTensor("ta", new float[] {1f}, 1))
                        .addTensors(TensorProto.newBuilder().setName("tb").setDataType(TensorProto.DataType.UINT8_VALUE)
                                .addDims(2).setRawData(ByteString.copyFrom(new byte[] {(byte) 200, 7}))))
                .addAttribute(AttributeProto.newBuilder().setName("graphs").setType(AttributeType.GRAPHS_VALUE)
                        .addGraphs(thenBranch).addGraphs(elseBranch))
                .build();
        NodeProto ifNode = NodeProto.newBuilder().setName("branch").setOpType("If").addInput("cond").addOutput("z")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeType.GRAPH_VALUE).setG(thenBranch))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeType.GRAPH_VALUE).setG(elseBranch))
                .build();
        NodeProto constant = NodeProto.newBuilder().setOpType("Constant").addOutput("c0")
                .addAttribute(AttributeProto.newBuilder().setName("value_ints").setType(AttributeType.INTS_VALUE).addInts(4).addInts(5))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("all_kinds")
                .addNode(constant).addNode(kinds).addNode(ifNode)
                .addInitializer(rawFloatTensor("w", new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                .addInitializer(TensorProto.newBuilder().setName("cond").setDataType(TensorProto.DataType.BOOL_VALUE).addInt32Data(1))
                .addInitializer(TensorProto.newBuilder().setName("empty").setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(0).addDims(3))
                .addInput(tensorValue("x", 1, "batch", 3, null))
                .addOutput(tensorValue("k", 1, "batch", null))
                .addOutput(tensorValue("z", 1, 2))
                .addValueInfo(ValueInfoProto.newBuilder().setName("c0"))
                .addValueInfo(ValueInfoProto.newBuilder().setName("rank_unknown")
                        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(7))))
                .build();
        return model(g, 13);
    }
}
