package io.minnow.formats.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q8Codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds what {@code minnow compress --quant int8} produces (q8 Conv/Gemm weights, a QuantizeLinear ->
 * DequantizeLinear pair on each quantized node's input 0), the decoded twin Minnow runs, and runs models
 * in ONNX Runtime Java.
 */
final class QdqFixtures {
    private QdqFixtures() {}

    /** A scalar UINT8 tensor (a QuantizeLinear zero point). */
    static TensorData u8Scalar(String name, int v) {
        MemorySegment s = Arena.ofAuto().allocate(1);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) v);
        return new TensorData(name, DataType.UINT8, new long[0], Encoding.RAW, s);
    }

    /**
     * The compressor's int8 rewrite, done by hand: every Conv and Gemm weight (input 1) q8-encoded
     * (Gemm with transB = 0 transposed and given transB = 1), and input 0 of each routed through
     * QuantizeLinear -> DequantizeLinear with scale {@code scaleFor(input)}, zero point 0.
     */
    static ModelDef quantizeInt8(ModelDef m, java.util.function.Function<String, Float> scaleFor) {
        GraphDef g = m.graph();
        Map<String, TensorData> inits = new HashMap<>();
        for (TensorData t : g.initializers()) inits.put(t.name(), t);
        List<NodeDef> nodes = new ArrayList<>();
        int i = 0;
        for (NodeDef n : g.nodes()) {
            if (!n.opType().equals("Conv") && !n.opType().equals("Gemm")) {
                nodes.add(n);
                continue;
            }
            TensorData w = inits.get(n.inputs().get(1));
            float[] v = w.toFloatArray();
            long[] dims = w.dims();
            Map<String, Attribute> attrs = new java.util.LinkedHashMap<>(n.attributes());
            if (n.opType().equals("Gemm") && (n.attr("transB") == null || n.attr("transB").asInt() == 0)) {
                v = transpose(v, (int) dims[0], (int) dims[1]);
                dims = new long[]{dims[1], dims[0]};
                attrs.put("transB", Attribute.of("transB", 1L));
            }
            inits.put(w.name(), Q8Codec.encode(w.name(), v, dims));
            String x = n.inputs().getFirst(), s = "qdq" + i + "_scale", z = "qdq" + i + "_zero_point";
            inits.put(s, TensorData.ofFloats(s, new float[]{scaleFor.apply(x)}));
            inits.put(z, u8Scalar(z, 0));
            nodes.add(new NodeDef("qdq" + i + "_q", "QuantizeLinear", "", List.of(x, s, z), List.of(x + "_q"), Map.of()));
            nodes.add(new NodeDef("qdq" + i + "_dq", "DequantizeLinear", "", List.of(x + "_q", s, z), List.of(x + "_dq"), Map.of()));
            List<String> ins = new ArrayList<>(n.inputs());
            ins.set(0, x + "_dq");
            nodes.add(new NodeDef(n.name(), n.opType(), n.domain(), ins, n.outputs(), attrs));
            i++;
        }
        List<TensorData> out = new ArrayList<>();
        for (TensorData t : g.initializers()) out.add(inits.remove(t.name()));
        out.addAll(inits.values().stream().sorted(java.util.Comparator.comparing(TensorData::name)).toList());
        return withGraph(m, new GraphDef(g.name(), nodes, g.inputs(), g.outputs(), out, g.valueInfo()));
    }

    /** The same model with every q8 / q4 weight decoded to float32 (what Minnow executes). */
    static ModelDef decoded(ModelDef m) {
        List<TensorData> inits = new ArrayList<>();
        for (TensorData t : m.graph().initializers()) {
            inits.add(switch (t.encoding()) {
                case Q8 -> TensorData.ofFloats(t.name(), Q8Codec.decode(t), t.dims());
                case Q4 -> TensorData.ofFloats(t.name(), io.minnow.formats.quant.Q4Codec.decode(t), t.dims());
                default -> t;
            });
        }
        GraphDef g = m.graph();
        return withGraph(m, new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, g.valueInfo()));
    }

    /**
     * The same model with every q8 weight at 7 bits: codes halved (rounded, so |code| <= 64) and scales
     * doubled. ORT's "reduce_range": u8 x s8 pair sums then fit int16 (2 * 255 * 64 < 32768).
     */
    static ModelDef sevenBitWeights(ModelDef m) {
        List<TensorData> inits = new ArrayList<>();
        for (TensorData t : m.graph().initializers()) {
            if (t.encoding() != Encoding.Q8) {
                inits.add(t);
                continue;
            }
            io.minnow.formats.quant.QuantLayout l = Q8Codec.layout(t);
            MemorySegment b = Arena.ofAuto().allocate(t.bytes().byteSize(), 64);
            b.copyFrom(t.bytes());
            for (long i = 0; i < l.rows() * l.cols(); i++) {
                b.set(ValueLayout.JAVA_BYTE, i, (byte) Math.round(b.get(ValueLayout.JAVA_BYTE, i) / 2.0));
            }
            for (long r = 0; r < l.rows(); r++) {
                long at = l.scalesOffset() + 4 * r;
                b.set(TensorData.F32_LE, at, 2 * b.get(TensorData.F32_LE, at));
            }
            inits.add(new TensorData(t.name(), t.type(), t.dims(), t.encoding(), b, t.params()));
        }
        GraphDef g = m.graph();
        return withGraph(m, new GraphDef(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, g.valueInfo()));
    }

    static ModelDef withGraph(ModelDef m, GraphDef g) {
        return new ModelDef(m.irVersion(), m.opsetImports(), m.producerName(), m.producerVersion(), g, m.metadata());
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    /** First output of Minnow running {@code m} on one float input. */
    static float[] minnow(ModelDef m, Tensor x) {
        try (Model model = Model.of(m, Options.defaults())) {
            return model.run(x).toFloatArray();
        }
    }

    /**
     * First output of ONNX Runtime running the serialized model on one float input, graph optimizations
     * off: ORT then executes the nodes as written. With them on, ORT fuses DequantizeLinear -> Conv/Gemm
     * -> QuantizeLinear into int8 kernels that quantize the bias to int32 and, on AVX2 CPUs without VNNI,
     * saturate u8 x s8 pair sums to int16 (vpmaddubsw): a different computation, not the model's.
     */
    static float[] ort(byte[] onnx, Tensor x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(onnx, so);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), x.shape());
                 OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                return values;
            }
        }
    }
}
