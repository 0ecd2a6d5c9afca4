package io.minnow.formats.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.FormatsFixtures;
import io.minnow.formats.GraphDef;
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
import io.minnow.formats.onnx.proto.SparseTensorProto;
import io.minnow.formats.onnx.proto.StringStringEntryProto;
import io.minnow.formats.onnx.proto.TensorProto;
import io.minnow.formats.onnx.proto.TypeProto;
import io.minnow.formats.onnx.proto.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.minnow.formats.FormatsFixtures.NODE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OnnxReaderTest {
    @TempDir
    Path tmp;

    // ---- real files ----

    @Test
    void readsConvWithStridesPadding() {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        Path dir = NODE.resolve("test_conv_with_strides_padding");
        ModelDef m = OnnxReader.read(dir.resolve("model.onnx"));
        assertTrue(m.opset() >= 7 && m.opset() <= 21);
        GraphDef g = m.graph();
        assertEquals(1, g.nodes().size());
        NodeDef conv = g.nodes().get(0);
        assertEquals("Conv", conv.opType());
        assertEquals("", conv.domain());
        assertEquals(List.of("x", "W"), conv.inputs());
        assertArrayEquals(new long[] {3, 3}, conv.attr("kernel_shape").asInts());
        assertArrayEquals(new long[] {1, 1, 1, 1}, conv.attr("pads").asInts());
        assertArrayEquals(new long[] {2, 2}, conv.attr("strides").asInts());
        assertEquals(new ValueInfo("x", DataType.FLOAT, List.of(Dim.of(1), Dim.of(1), Dim.of(7), Dim.of(5))), g.inputs().get(0));

        TensorData x = OnnxReader.readTensor(dir.resolve("test_data_set_0/input_0.pb"));
        assertEquals(DataType.FLOAT, x.type());
        assertEquals(Encoding.F32, x.encoding());
        assertArrayEquals(new long[] {1, 1, 7, 5}, x.dims());
        float[] xs = x.toFloatArray();
        for (int i = 0; i < xs.length; i++) assertEquals(i, xs[i]); // the test feeds 0..34
        TensorData y = OnnxReader.readTensor(dir.resolve("test_data_set_0/output_0.pb"));
        assertArrayEquals(new long[] {1, 1, 4, 3}, y.dims());
        assertEquals(12f, y.toFloatArray()[0]); // W is all ones: x[0][0] + x[0][1] + x[1][0] + x[1][1] with pad 1

        assertEquals(0, x.bytes().address() % 64, "tensor bytes are 64-byte aligned");
    }

    /** Every model in the test data either reads or is refused with a ModelFormatException; most read. */
    @Test
    void readsOrCleanlyRefusesEveryTestModel() {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        List<Path> models = FormatsFixtures.allModels();
        int ok = 0;
        List<String> refused = new ArrayList<>();
        for (Path p : models) {
            try {
                OnnxReader.read(p);
                ok++;
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
                refused.add(e.getMessage());
            }
        }
        assertTrue(models.size() > 900, "found " + models.size());
        // Refusals are sequences/optionals/maps, string tensors, opsets < 7 (old pytorch exports), ai.onnx.ml etc.
        System.out.println("[OnnxReaderTest] read " + ok + " of " + models.size() + " test models");
        java.util.Map<String, Long> why = new java.util.TreeMap<>();
        for (String r : refused) why.merge(r.replaceAll("^[^:]*: ", "").replaceAll("'[^']*'", "'…'").replaceAll("\\d+", "N"), 1L, Long::sum);
        why.forEach((k, v) -> System.out.println("  refused " + v + "x: " + k));
        assertTrue(ok > 0.80 * models.size(), ok + " of " + models.size() + " read; refused e.g. " + refused.subList(0, Math.min(20, refused.size())));
    }

    @Test
    void readsOrCleanlyRefusesEveryTestTensor() {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        int ok = 0, n = 0;
        for (Path p : FormatsFixtures.allTensorFiles()) {
            n++;
            try {
                TensorData t = OnnxReader.readTensor(p);
                assertEquals(t.bytes().byteSize(), t.encoding().byteSize(t.type(), t.elementCount()));
                ok++;
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            }
        }
        assertTrue(ok > 0.85 * n, ok + " of " + n);
    }

    @Test
    void readsInitializersOfPytorchConvertedModels() {
        assumeTrue(FormatsFixtures.haveTestData(), "libonnx-testdata not installed");
        Path p = FormatsFixtures.ONNX_TESTDATA.resolve("pytorch-converted/test_Conv2d/model.onnx");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(p));
        assertTrue(e.getMessage().contains("opset 6 "), e.getMessage());
        ModelDef m = OnnxReader.read(FormatsFixtures.withOpset(FormatsFixtures.loadProto(p), 9).toByteArray(), p.toString());
        TensorData w = m.graph().initializers().get(0);
        assertEquals(DataType.FLOAT, w.type());
        assertArrayEquals(new long[] {4, 3, 3, 2}, w.dims());
        assertEquals(72, w.toFloatArray().length);
    }

    // ---- hand-built models ----

    @Test
    void readsEveryAttributeKindSubgraphsAndSymbolicDims() {
        ModelDef m = OnnxReader.read(FormatsFixtures.allKindsModel().toByteArray(), "all-kinds.onnx");
        assertEquals(13, m.opset());
        assertEquals("minnow-test", m.producerName());
        assertEquals(Map.of("purpose", "test"), m.metadata());
        GraphDef g = m.graph();
        assertEquals(List.of(Dim.symbolic("batch"), Dim.of(3), Dim.UNKNOWN), g.inputs().get(0).shape());
        assertEquals(new ValueInfo("c0", null, null), g.valueInfo().get(0));
        assertEquals(new ValueInfo("rank_unknown", DataType.INT64, null), g.valueInfo().get(1));

        NodeDef constant = g.nodes().get(0);
        assertEquals("Constant", constant.opType());
        assertArrayEquals(new long[] {4, 5}, constant.attr("value_ints").asInts());

        NodeDef k = g.nodes().get(1);
        assertEquals(List.of("x", ""), k.inputs());
        assertEquals(List.of("f", "i", "s", "t", "g", "floats", "ints", "strings", "tensors", "graphs"),
                List.copyOf(k.attributes().keySet()), "attributes keep file order");
        assertEquals(0.25f, k.attr("f").asFloat());
        assertEquals(-7, k.attr("i").asInt());
        assertEquals("héllo", k.attr("s").asString());
        TensorData t = k.attr("t").asTensor();
        assertEquals(DataType.INT64, t.type());
        assertArrayEquals(new long[] {1, -2, Long.MAX_VALUE}, t.toLongArray());
        GraphDef sub = k.attr("g").asGraph();
        assertEquals("then", sub.name());
        assertArrayEquals(new float[] {1.5f, -2f}, sub.initializers().get(0).toFloatArray());
        assertEquals(new ValueInfo("then_out", null, null), sub.outputs().get(0));
        float[] fs = k.attr("floats").asFloats();
        assertEquals(3, fs.length);
        assertTrue(Float.isNaN(fs[1]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(fs[2]));
        assertArrayEquals(new long[] {1, Long.MIN_VALUE}, k.attr("ints").asInts());
        assertEquals(List.of("a", ""), k.attr("strings").asStrings());
        List<TensorData> ts = k.attr("tensors").asTensors();
        assertEquals(DataType.UINT8, ts.get(1).type());
        assertArrayEquals(new long[] {200, 7}, ts.get(1).toLongArray());
        List<GraphDef> gs = k.attr("graphs").asGraphs();
        assertEquals(List.of("then", "else"), gs.stream().map(GraphDef::name).toList());
        assertEquals("Constant", gs.get(1).nodes().get(0).opType());

        TensorData empty = g.initializers().get(2);
        assertArrayEquals(new long[] {0, 3}, empty.dims());
        assertEquals(0, empty.bytes().byteSize());
        assertArrayEquals(new long[] {1}, g.initializers().get(1).toLongArray());
        assertEquals(Encoding.RAW, g.initializers().get(1).encoding());
    }

    /** Each typed data field gives the same bytes as raw_data would. */
    @Test
    void readsTypedFieldInitializersOfEveryType() {
        List<TensorProto> typed = new ArrayList<>();
        List<TensorProto> raw = new ArrayList<>();
        int[] i32s = {0, 1, -1, 127, -128, 255, 32767, -32768, 65535, 0x3C00};
        long[] i64s = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        double[] f64s = {0, -1.5, Double.MAX_VALUE, Double.MIN_VALUE};
        long[] u64s = {0, 1, 0xFFFF_FFFFL, Long.MIN_VALUE, -1};
        float[] f32s = {0, -1.25f, Float.MAX_VALUE, Float.MIN_VALUE};

        addPair(typed, raw, "f32", DataType.FLOAT, f32s.length, b -> { for (float v : f32s) b.addFloatData(v); },
                bb -> { for (float v : f32s) bb.putFloat(v); });
        addPair(typed, raw, "i32", DataType.INT32, i32s.length, b -> { for (int v : i32s) b.addInt32Data(v); },
                bb -> { for (int v : i32s) bb.putInt(v); });
        for (DataType t : List.of(DataType.INT8, DataType.UINT8)) {
            int[] vals = t == DataType.INT8 ? new int[] {0, 1, -1, 127, -128} : new int[] {0, 1, 128, 255};
            addPair(typed, raw, t.name(), t, vals.length, b -> { for (int v : vals) b.addInt32Data(v); },
                    bb -> { for (int v : vals) bb.put((byte) v); });
        }
        addPair(typed, raw, "bool", DataType.BOOL, 3, b -> b.addInt32Data(1).addInt32Data(0).addInt32Data(1),
                bb -> bb.put((byte) 1).put((byte) 0).put((byte) 1));
        for (DataType t : List.of(DataType.INT16, DataType.UINT16, DataType.FLOAT16, DataType.BFLOAT16)) {
            int[] vals = t == DataType.INT16 ? new int[] {0, -1, 32767, -32768} : new int[] {0, 1, 0x3C00, 0xFFFF};
            addPair(typed, raw, t.name(), t, vals.length, b -> { for (int v : vals) b.addInt32Data(v); },
                    bb -> { for (int v : vals) bb.putShort((short) v); });
        }
        addPair(typed, raw, "i64", DataType.INT64, i64s.length, b -> { for (long v : i64s) b.addInt64Data(v); },
                bb -> { for (long v : i64s) bb.putLong(v); });
        addPair(typed, raw, "f64", DataType.DOUBLE, f64s.length, b -> { for (double v : f64s) b.addDoubleData(v); },
                bb -> { for (double v : f64s) bb.putDouble(v); });
        addPair(typed, raw, "u32", DataType.UINT32, 3, b -> b.addUint64Data(0).addUint64Data(1).addUint64Data(0xFFFF_FFFFL),
                bb -> bb.putInt(0).putInt(1).putInt(-1));
        addPair(typed, raw, "u64", DataType.UINT64, u64s.length, b -> { for (long v : u64s) b.addUint64Data(v); },
                bb -> { for (long v : u64s) bb.putLong(v); });

        ModelDef a = OnnxReader.read(FormatsFixtures.reluModel(13, typed.toArray(TensorProto[]::new)).toByteArray(), "typed.onnx");
        ModelDef b = OnnxReader.read(FormatsFixtures.reluModel(13, raw.toArray(TensorProto[]::new)).toByteArray(), "raw.onnx");
        assertEquals(typed.size(), a.graph().initializers().size());
        for (int i = 0; i < typed.size(); i++) {
            TensorData x = a.graph().initializers().get(i), y = b.graph().initializers().get(i);
            assertTrue(x.contentEquals(y), x + " vs " + y);
            assertEquals(x.type() == DataType.FLOAT ? Encoding.F32 : Encoding.RAW, x.encoding());
        }
        TensorData u32 = a.graph().initializers().stream().filter(t -> t.name().equals("u32")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {0, 1, 0xFFFF_FFFFL}, u32.toLongArray());
        TensorData i8 = a.graph().initializers().stream().filter(t -> t.name().equals("INT8")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {0, 1, -1, 127, -128}, i8.toLongArray());
    }

    private interface ProtoFill { void fill(TensorProto.Builder b); }
    private interface RawFill { void fill(java.nio.ByteBuffer bb); }

    private static void addPair(List<TensorProto> typed, List<TensorProto> raw, String name, DataType type, int n,
                                ProtoFill f, RawFill r) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.onnxId).addDims(n);
        f.fill(b);
        typed.add(b.build());
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(n * type.byteSize).order(ByteOrder.LITTLE_ENDIAN);
        r.fill(bb);
        raw.add(TensorProto.newBuilder().setName(name).setDataType(type.onnxId).addDims(n)
                .setRawData(ByteString.copyFrom(bb.array())).build());
    }

    /** ONNX declares the typed fields packed, but writers may emit them unpacked; both parse. */
    @Test
    void readsUnpackedTypedFields() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        out.writeInt64(1, 2);                                       // dims
        out.writeInt32(2, TensorProto.DataType.INT64_VALUE);        // data_type
        out.writeInt64(7, 123456789012L);                           // int64_data, unpacked
        out.writeInt64(7, -5);
        out.writeString(8, "unpacked");
        out.flush();
        TensorData t = OnnxReader.readTensor(buf.toByteArray(), "unpacked.pb");
        assertArrayEquals(new long[] {123456789012L, -5}, t.toLongArray());

        buf.reset();
        out = CodedOutputStream.newInstance(buf);
        out.writeInt64(1, 3);
        out.writeInt32(2, TensorProto.DataType.FLOAT_VALUE);
        for (float f : new float[] {1, 2, 3}) out.writeFloat(4, f);  // float_data, unpacked
        out.flush();
        assertArrayEquals(new float[] {1, 2, 3}, OnnxReader.readTensor(buf.toByteArray(), "f.pb").toFloatArray());
    }

    @Test
    void readsOpsetBoundsAndAiOnnxDomain() {
        assertEquals(7, OnnxReader.read(FormatsFixtures.reluModel(7).toByteArray(), "m7.onnx").opset());
        assertEquals(21, OnnxReader.read(FormatsFixtures.reluModel(21).toByteArray(), "m21.onnx").opset());
        ModelProto m = FormatsFixtures.reluModel(13).toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(14))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(3)).build();
        GraphProto g = m.getGraph().toBuilder().setNode(0, m.getGraph().getNode(0).toBuilder().setDomain("ai.onnx")).build();
        ModelDef d = OnnxReader.read(m.toBuilder().setGraph(g).build().toByteArray(), "alias.onnx");
        assertEquals(14, d.opset());
        assertEquals("", d.graph().nodes().get(0).domain(), "ai.onnx is the default domain");
    }

    @Test
    void attributeWithoutTypeIsInferredFromItsValue() {
        ModelProto m = FormatsFixtures.reluModel(13);
        NodeProto n = m.getGraph().getNode(0).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("alpha").setF(0.5f))
                .addAttribute(AttributeProto.newBuilder().setName("axes").addInts(1).addInts(2)).build();
        ModelDef d = OnnxReader.read(m.toBuilder().setGraph(m.getGraph().toBuilder().setNode(0, n)).build().toByteArray(), "old.onnx");
        assertEquals(0.5f, d.graph().nodes().get(0).attr("alpha").asFloat());
        assertArrayEquals(new long[] {1, 2}, d.graph().nodes().get(0).attr("axes").asInts());
    }

    // ---- malformed and refused inputs: a ModelFormatException that names the file and the culprit ----

    private ModelFormatException refuse(ModelProto m, String fileName) throws IOException {
        Path p = tmp.resolve(fileName);
        Files.write(p, m.toByteArray());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertEquals(p.toString(), e.file());
        return e;
    }

    private static ModelProto withInitializer(TensorProto t) {
        return FormatsFixtures.reluModel(13, t);
    }

    @Test
    void refusesTruncatedFile() throws IOException {
        byte[] full = FormatsFixtures.allKindsModel().toByteArray();
        Path p = tmp.resolve("truncated.onnx");
        for (int cut : new int[] {full.length / 2, full.length - 1, 3}) {
            Files.write(p, Arrays.copyOf(full, cut));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(p));
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
    }

    @Test
    void refusesGarbageAndEmptyFiles() throws IOException {
        Random rnd = new Random(42);
        Path p = tmp.resolve("garbage.onnx");
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(2000)];
            rnd.nextBytes(junk);
            Files.write(p, junk);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(p));
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
        Files.write(p, new byte[0]);
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxReader.read(p)).getMessage().contains("no graph"));
        Files.writeString(p, "this is not a model\n");
        assertThrows(ModelFormatException.class, () -> OnnxReader.read(p));
    }

    @Test
    void refusesExternalData() throws IOException {
        TensorProto t = TensorProto.newBuilder().setName("big_weight").setDataType(1).addDims(1024)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL_VALUE)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .build();
        ModelFormatException e = refuse(withInitializer(t), "external.onnx");
        assertEquals("big_weight", e.tensor());
        assertTrue(e.getMessage().contains("tensor 'big_weight'") && e.getMessage().contains("external data")
                && e.getMessage().contains("weights.bin"), e.getMessage());
    }

    @Test
    void refusesUnknownDomains() throws IOException {
        for (String domain : List.of("com.microsoft", "ai.onnx.ml", "ai.onnx.preview.training")) {
            ModelProto m = FormatsFixtures.reluModel(13);
            NodeProto n = m.getGraph().getNode(0).toBuilder().setDomain(domain).setOpType("FusedThing").build();
            ModelFormatException e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().setNode(0, n)).build(), "domain.onnx");
            assertEquals("relu0", e.node());
            assertTrue(e.getMessage().contains("node 'relu0'") && e.getMessage().contains("'" + domain + "'")
                    && e.getMessage().contains("FusedThing"), e.getMessage());
        }
    }

    @Test
    void refusesUnknownDomainInsideSubgraphs() throws IOException {
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addNode(NodeProto.newBuilder().setName("inner").setOpType("Gelu").setDomain("com.microsoft")).build();
        ModelProto m = FormatsFixtures.reluModel(13);
        NodeProto n = m.getGraph().getNode(0).toBuilder().addAttribute(AttributeProto.newBuilder().setName("g")
                .setType(AttributeProto.AttributeType.GRAPH_VALUE).setG(body)).build();
        ModelFormatException e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().setNode(0, n)).build(), "sub.onnx");
        assertEquals("inner", e.node());
    }

    @Test
    void refusesRawDataLengthMismatch() throws IOException {
        TensorProto t = TensorProto.newBuilder().setName("conv.weight").setDataType(1).addDims(2).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[23])).build();
        ModelFormatException e = refuse(withInitializer(t), "mismatch.onnx");
        assertEquals("conv.weight", e.tensor());
        assertTrue(e.getMessage().contains("raw_data has 23 bytes") && e.getMessage().contains("needs 24"), e.getMessage());
    }

    @Test
    void refusesTypedDataCountMismatchAndWrongField() throws IOException {
        ModelFormatException e = refuse(withInitializer(FormatsFixtures.floatTensor("w", new float[] {1, 2, 3}, 2, 2)), "count.onnx");
        assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("float_data has 3 values"), e.getMessage());
        TensorProto wrong = TensorProto.newBuilder().setName("q").setDataType(DataType.INT8.onnxId).addDims(1).addInt64Data(1).build();
        e = refuse(withInitializer(wrong), "field.onnx");
        assertTrue(e.getMessage().contains("tensor 'q'") && e.getMessage().contains("int64_data"), e.getMessage());
        TensorProto none = TensorProto.newBuilder().setName("nodata").setDataType(1).addDims(5).build();
        e = refuse(withInitializer(none), "nodata.onnx");
        assertTrue(e.getMessage().contains("no data"), e.getMessage());
        TensorProto both = FormatsFixtures.floatTensor("both", new float[] {1}, 1).toBuilder().setRawData(ByteString.copyFrom(new byte[4])).build();
        e = refuse(withInitializer(both), "both.onnx");
        assertTrue(e.getMessage().contains("several fields"), e.getMessage());
    }

    @Test
    void refusesOpsetsOutsideSevenToTwentyOne() throws IOException {
        for (long opset : new long[] {1, 5, 6, 22, 100}) {
            ModelFormatException e = refuse(FormatsFixtures.reluModel(opset), "opset" + opset + ".onnx");
            assertTrue(e.getMessage().contains("opset " + opset + " ") && e.getMessage().contains("7 to 21"), e.getMessage());
        }
        ModelFormatException e = refuse(FormatsFixtures.reluModel(13).toBuilder().clearOpsetImport().build(), "noopset.onnx");
        assertTrue(e.getMessage().contains("no opset_import"), e.getMessage());
    }

    @Test
    void refusesUnsupportedDataTypes() throws IOException {
        for (int type : new int[] {0, 8, 14, 15, 17, 19, 21, 22, 99}) {
            TensorProto t = TensorProto.newBuilder().setName("odd").setDataType(type).addDims(1)
                    .setRawData(ByteString.copyFrom(new byte[8])).build();
            ModelFormatException e = refuse(withInitializer(t), "type" + type + ".onnx");
            assertTrue(e.getMessage().contains("tensor 'odd'") && e.getMessage().contains("(" + type + ")"), e.getMessage());
        }
        TensorProto s = TensorProto.newBuilder().setName("words").setDataType(8).addDims(1).addStringData(ByteString.copyFromUtf8("x")).build();
        assertTrue(refuse(withInitializer(s), "strings.onnx").getMessage().contains("STRING"));
        ModelProto m = FormatsFixtures.reluModel(13);
        ModelProto complexInput = m.toBuilder().setGraph(m.getGraph().toBuilder().setInput(0, FormatsFixtures.tensorValue("x", 14, 4))).build();
        assertTrue(refuse(complexInput, "complex.onnx").getMessage().contains("value 'x'"));
    }

    @Test
    void refusesNegativeAndHugeDims() throws IOException {
        TensorProto neg = TensorProto.newBuilder().setName("neg").setDataType(1).addDims(2).addDims(-3).build();
        assertTrue(refuse(withInitializer(neg), "neg.onnx").getMessage().contains("negative dimension"));
        TensorProto huge = TensorProto.newBuilder().setName("huge").setDataType(1).addDims(1L << 20).addDims(1L << 20)
                .setRawData(ByteString.copyFrom(new byte[16])).build();
        ModelFormatException e = refuse(withInitializer(huge), "huge.onnx");
        assertTrue(e.getMessage().contains("tensor 'huge'") && e.getMessage().contains("limit"), e.getMessage());
        TensorProto overflow = TensorProto.newBuilder().setName("ovf").setDataType(1).addDims(1L << 40).addDims(1L << 40).addDims(1L << 40).build();
        assertTrue(refuse(withInitializer(overflow), "ovf.onnx").getMessage().contains("tensor 'ovf'"));
        ModelProto m = FormatsFixtures.reluModel(13);
        ModelProto negValue = m.toBuilder().setGraph(m.getGraph().toBuilder().setInput(0, FormatsFixtures.tensorValue("x", 1, -4))).build();
        assertTrue(refuse(negValue, "negvalue.onnx").getMessage().contains("value 'x'"));
    }

    @Test
    void refusesSparseInitializersSegmentsAndNonTensorValues() throws IOException {
        ModelProto m = FormatsFixtures.reluModel(13);
        SparseTensorProto sp = SparseTensorProto.newBuilder().setValues(FormatsFixtures.floatTensor("sparse_w", new float[] {1}, 1))
                .setIndices(TensorProto.newBuilder().setDataType(7).addDims(1).addInt64Data(0)).addDims(10).build();
        ModelFormatException e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().addSparseInitializer(sp)).build(), "sparse.onnx");
        assertTrue(e.getMessage().contains("sparse") && e.getMessage().contains("sparse_w"), e.getMessage());

        TensorProto seg = FormatsFixtures.floatTensor("seg", new float[] {1}, 1).toBuilder()
                .setSegment(TensorProto.Segment.newBuilder().setBegin(0).setEnd(1)).build();
        assertTrue(refuse(withInitializer(seg), "segment.onnx").getMessage().contains("segment"));

        ValueInfoProto seqInput = ValueInfoProto.newBuilder().setName("seq").setType(TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))))).build();
        e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().addInput(seqInput)).build(), "seq.onnx");
        assertTrue(e.getMessage().contains("value 'seq' is a sequence"), e.getMessage());

        NodeProto n = m.getGraph().getNode(0).toBuilder().addAttribute(AttributeProto.newBuilder().setName("sp")
                .setType(AttributeProto.AttributeType.SPARSE_TENSOR_VALUE).setSparseTensor(sp)).build();
        e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().setNode(0, n)).build(), "sparseattr.onnx");
        assertTrue(e.getMessage().contains("node 'relu0'") && e.getMessage().contains("'sp'"), e.getMessage());
    }

    @Test
    void refusesExternalDataInConstantNodeTensor() throws IOException {
        ModelProto m = FormatsFixtures.reluModel(13);
        NodeProto c = NodeProto.newBuilder().setName("const0").setOpType("Constant").addOutput("c")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR_VALUE)
                        .setT(TensorProto.newBuilder().setDataType(1).addDims(4).setDataLocation(1))).build();
        ModelFormatException e = refuse(m.toBuilder().setGraph(m.getGraph().toBuilder().addNode(c)).build(), "const.onnx");
        assertEquals("const0", e.node());
        assertTrue(e.getMessage().contains("attribute 'value'"), e.getMessage());
    }

    /** Random single-byte corruptions of a valid model: a clean read or a ModelFormatException, nothing else. */
    @Test
    void fuzzSingleByteCorruptions() {
        byte[] good = FormatsFixtures.allKindsModel().toByteArray();
        Random rnd = new Random(7);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] bad = good.clone();
            int at = rnd.nextInt(bad.length);
            bad[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : bad[at] ^ (1 << rnd.nextInt(8)));
            try {
                OnnxReader.read(bad, "fuzz.onnx");
            } catch (ModelFormatException e) {
                refused++;
            } catch (Throwable t) {
                fail("byte " + at + " = " + bad[at] + ": " + t, t);
            }
        }
        assertTrue(refused > 0);
    }

    @Test
    void readTensorRefusesGarbage() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.readTensor(new byte[0], "empty.pb"));
        assertTrue(e.getMessage().startsWith("empty.pb"));
        assertThrows(ModelFormatException.class, () -> OnnxReader.readTensor(new byte[] {(byte) 0xFF, (byte) 0xFF, 1}, "junk.pb"));
    }

    @Test
    void missingFileIsAMinnowExceptionNamingIt() {
        Path p = tmp.resolve("nope.onnx");
        var e = assertThrows(io.minnow.formats.MinnowException.class, () -> OnnxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()));
    }

    static void unused() { assertNull(null); ValueLayout.JAVA_BYTE.byteSize(); Attribute.of("a", 1L); }
}
