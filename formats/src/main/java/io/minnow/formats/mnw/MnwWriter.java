package io.minnow.formats.mnw;

import io.minnow.formats.Attribute;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
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
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link ModelDef} as a .mnw file (layout in {@link MnwFormat}). Every tensor, wherever it sits
 * (initializer, attribute, subgraph), goes into the tensor table once per distinct TensorData object; its
 * bytes are copied as they are, encoding included. Before anything is written the header is put through
 * the same checks the reader applies, so a file this class writes is a file {@link MnwReader} reads.
 * The file is written next to its destination and renamed into place.
 */
public final class MnwWriter {
    private MnwWriter() {}

    /** Writes {@code model} to {@code path}, replacing any file there. */
    public static void write(ModelDef model, Path path) {
        Layout layout = layout(model, path.toString());
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(layout.preambleAndHeader));
                long pos = layout.preambleAndHeader.length;
                for (int i = 0; i < layout.tensors.size(); i++) {
                    long at = layout.dataOffset + layout.header.getTensors(i).getOffset();
                    pos = pad(ch, pos, at);
                    MemorySegment bytes = layout.tensors.get(i).bytes();
                    writeSegment(ch, bytes);
                    pos += bytes.byteSize();
                }
                pad(ch, pos, layout.dataOffset + layout.dataLength);
                ch.force(false);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            throw new MinnowException("cannot write " + path + ": " + e, e);
        }
    }

    /** The whole file in memory (small models, tests). */
    public static byte[] toBytes(ModelDef model) {
        Layout layout = layout(model, "(in memory)");
        long total = layout.dataOffset + layout.dataLength;
        if (total > Integer.MAX_VALUE - 8) throw new MinnowException("model too large to serialize into a byte array: " + total + " bytes");
        byte[] out = new byte[(int) total];
        System.arraycopy(layout.preambleAndHeader, 0, out, 0, layout.preambleAndHeader.length);
        MemorySegment dst = MemorySegment.ofArray(out);
        for (int i = 0; i < layout.tensors.size(); i++) {
            MemorySegment bytes = layout.tensors.get(i).bytes();
            MemorySegment.copy(bytes, 0, dst, layout.dataOffset + layout.header.getTensors(i).getOffset(), bytes.byteSize());
        }
        return out;
    }

    /** Everything but the blobs: header message, preamble + header bytes, and where the data region lies. */
    private record Layout(MnwHeader header, byte[] preambleAndHeader, List<TensorData> tensors, long dataOffset, long dataLength) {}

    private static Layout layout(ModelDef model, String file) {
        Collector c = new Collector();
        MnwHeader.Builder h = MnwHeader.newBuilder()
                .setIrVersion(model.irVersion())
                .setProducerName(model.producerName())
                .setProducerVersion(model.producerVersion());
        for (Map.Entry<String, Long> e : new TreeMap<>(model.opsetImports()).entrySet()) {
            h.addOpsets(MnwOpset.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(model.metadata()).entrySet()) {
            h.addMetadata(MnwKeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        if (model.graph() == null) throw new MinnowException("model has no graph");
        h.setGraph(c.graph(model.graph(), 0));

        long cursor = 0;
        for (TensorData t : c.tensors) {
            if (!t.encoding().implemented()) {
                throw new MinnowException("tensor '" + t.name() + "': writing " + t.encoding() + "-encoded tensors is not supported yet");
            }
            MnwTensor.Builder e = MnwTensor.newBuilder()
                    .setName(t.name())
                    .setDataType(t.type().onnxId)
                    .setEncoding(t.encoding().id)
                    .setOffset(cursor)
                    .setLength(t.bytes().byteSize())
                    .setCrc32C(MnwFormat.crc32c(t.bytes()));
            for (long d : t.dims()) e.addDims(d);
            for (Map.Entry<String, Long> p : t.params().entrySet()) e.addParams(MnwParam.newBuilder().setKey(p.getKey()).setI(p.getValue()));
            h.addTensors(e);
            cursor = MnwFormat.align(cursor + t.bytes().byteSize());
        }
        MnwHeader header = h.build();
        byte[] headerBytes = header.toByteArray();
        long dataOffset = MnwFormat.align(MnwFormat.PREAMBLE_BYTES + (long) headerBytes.length);
        long dataLength = cursor;

        byte[] head = new byte[MnwFormat.PREAMBLE_BYTES + headerBytes.length];
        MemorySegment p = MemorySegment.ofArray(head);
        MemorySegment.copy(MemorySegment.ofArray(MnwFormat.MAGIC), 0, p, 0, MnwFormat.MAGIC.length);
        p.set(MnwFormat.U32, MnwFormat.OFF_VERSION, MnwFormat.VERSION);
        p.set(MnwFormat.U32, MnwFormat.OFF_FLAGS, 0);
        p.set(MnwFormat.U64, MnwFormat.OFF_HEADER_LENGTH, headerBytes.length);
        p.set(MnwFormat.U64, MnwFormat.OFF_DATA_OFFSET, dataOffset);
        p.set(MnwFormat.U64, MnwFormat.OFF_DATA_LENGTH, dataLength);
        p.set(MnwFormat.U32, MnwFormat.OFF_HEADER_CRC, MnwFormat.crc32c(headerBytes));
        System.arraycopy(headerBytes, 0, head, MnwFormat.PREAMBLE_BYTES, headerBytes.length);

        // Refuse to write what the reader would refuse (limits, lengths): one set of rules.
        MnwReader.checkLayout(file, headerBytes.length, dataOffset, dataLength, dataOffset + dataLength);
        new MnwReader.HeaderCheck(file, header, dataLength).run();
        return new Layout(header, head, c.tensors, dataOffset, dataLength);
    }

    /** Walks the graph, giving each distinct tensor object one table index. */
    private static final class Collector {
        final List<TensorData> tensors = new ArrayList<>();
        final Map<TensorData, Integer> index = new IdentityHashMap<>();

        int tensor(TensorData t) {
            return index.computeIfAbsent(t, k -> {
                tensors.add(k);
                return tensors.size() - 1;
            });
        }

        MnwGraph graph(GraphDef g, int depth) {
            if (depth > MnwFormat.MAX_GRAPH_DEPTH) {
                throw new MinnowException("graph '" + g.name() + "' is nested deeper than " + MnwFormat.MAX_GRAPH_DEPTH);
            }
            MnwGraph.Builder b = MnwGraph.newBuilder().setName(g.name());
            for (TensorData t : g.initializers()) b.addInitializers(tensor(t));
            for (NodeDef n : g.nodes()) b.addNodes(node(n, depth));
            for (ValueInfo v : g.inputs()) b.addInputs(value(v));
            for (ValueInfo v : g.outputs()) b.addOutputs(value(v));
            for (ValueInfo v : g.valueInfo()) b.addValueInfo(value(v));
            return b.build();
        }

        MnwNode node(NodeDef n, int depth) {
            MnwNode.Builder b = MnwNode.newBuilder().setName(n.name()).setOpType(n.opType()).setDomain(n.domain())
                    .addAllInputs(n.inputs()).addAllOutputs(n.outputs());
            for (Attribute a : n.attributes().values()) b.addAttributes(attribute(a, depth));
            return b.build();
        }

        MnwAttribute attribute(Attribute a, int depth) {
            MnwAttribute.Builder b = MnwAttribute.newBuilder().setKind(a.kind().onnxId).setName(a.name());
            switch (a.kind()) {
                case FLOAT -> b.setF(a.asFloat());
                case INT -> b.setI(a.asInt());
                case STRING -> b.setS(a.asString());
                case TENSOR -> b.setTensor(tensor(a.asTensor()));
                case GRAPH -> b.setGraph(graph(a.asGraph(), depth + 1));
                case FLOATS -> { for (float f : a.floatsView()) b.addFloats(f); }
                case INTS -> { for (long i : a.intsView()) b.addInts(i); }
                case STRINGS -> b.addAllStrings(a.asStrings());
                case TENSORS -> { for (TensorData t : a.asTensors()) b.addTensors(tensor(t)); }
                case GRAPHS -> { for (GraphDef g : a.asGraphs()) b.addGraphs(graph(g, depth + 1)); }
            }
            return b.build();
        }

        static MnwValueInfo value(ValueInfo v) {
            MnwValueInfo.Builder b = MnwValueInfo.newBuilder().setName(v.name())
                    .setDataType(v.type() == null ? 0 : v.type().onnxId)
                    .setHasShape(v.shape() != null);
            if (v.shape() != null) {
                for (Dim d : v.shape()) {
                    MnwDim.Builder db = MnwDim.newBuilder().setValue(d.value());
                    if (d.symbol() != null) db.setSymbol(d.symbol());
                    b.addDims(db);
                }
            }
            return b.build();
        }
    }

    private static long pad(FileChannel ch, long pos, long to) throws IOException {
        if (to > pos) writeFully(ch, ByteBuffer.allocate((int) (to - pos)));
        return to;
    }

    private static void writeSegment(FileChannel ch, MemorySegment seg) throws IOException {
        final long chunk = 1L << 30;
        for (long off = 0; off < seg.byteSize(); off += chunk) {
            writeFully(ch, MnwFormat.byteBuffer(seg.asSlice(off, Math.min(chunk, seg.byteSize() - off))));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }
}
