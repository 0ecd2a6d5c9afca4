package io.minnow.engine.ops.quant;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.Encoding;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * plan.QuantFusion on hand-built graphs: ONNX QDQ patterns (DequantizeLinear of int8 constants, per channel or per
 * tensor, in Conv, Gemm with transB 0/1, MatMul) fuse into QConv/QGemm and equal the unfused float graph; an int8 layer
 * without a Q/DQ pair quantizes per run; an encoded weight no kernel takes is decoded; bad weights are refused by name.
 */
class QuantFusionTest {
    private final Random rng = new Random(7);

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    private static NodeDef node(String op, List<String> in, List<String> out, Attribute... attrs) {
        Map<String, Attribute> m = new LinkedHashMap<>();
        for (Attribute a : attrs) m.put(a.name(), a);
        return new NodeDef("", op, "", in, out, m);
    }

    private static ModelDef model(List<NodeDef> nodes, List<TensorData> inits, long... inDims) {
        List<Dim> d = new ArrayList<>();
        for (long x : inDims) d.add(Dim.of(x));
        GraphDef g = new GraphDef("g", nodes, List.of(new ValueInfo("x", DataType.FLOAT, d)),
                List.of(new ValueInfo("y", DataType.FLOAT, null)), inits, List.of());
        return new ModelDef(8, Map.of("", 13L), "test", "", g, Map.of());
    }

    private static TensorData int8(String name, byte[] v, long... dims) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, v.length), 64).asSlice(0, v.length);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_BYTE, 0, v.length);
        return new TensorData(name, DataType.INT8, dims, Encoding.RAW, s);
    }

    private static TensorData scalar(String name, float v) {
        return TensorData.ofFloats(name, new float[]{v});
    }

    private static TensorData uint8(String name, int v) {
        MemorySegment s = Arena.ofAuto().allocate(1, 64);
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) v);
        return new TensorData(name, DataType.UINT8, new long[0], Encoding.RAW, s);
    }

    private byte[] codes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (rng.nextInt(255) - 127);
        return b;
    }

    /** x -> Q -> DQ (scale 0.02, zero point 100) named "xd". */
    private static List<NodeDef> qdqInput() {
        return List.of(node("QuantizeLinear", List.of("x", "xs", "xz"), List.of("xq")),
                node("DequantizeLinear", List.of("xq", "xs", "xz"), List.of("xd")));
    }

    private static List<TensorData> qdqInits() {
        return List.of(scalar("xs", 0.02f), uint8("xz", 100));
    }

    private static long count(Model m, String op) {
        return m.graph().nodes.stream().filter(n -> n.opType.equals(op)).count();
    }

    /** Fused (optimize on) against the plain ONNX ops (optimize off: QuantizeLinear, DequantizeLinear, float op). */
    private void assertFusesAndMatches(ModelDef def, String fusedOp, Tensor x, double rel) {
        try (Model fused = Model.of(def, Options.defaults()); Model plain = Model.of(def, Options.defaults().withOptimize(false))) {
            assertEquals(1, count(fused, fusedOp), fused.graph().nodes.toString());
            assertEquals(0, count(plain, fusedOp), "without optimisation QDQ patterns run as ONNX ops");
            Tensor a = fused.run(x), e = plain.run(x);
            float[] av = a.toFloatArray(), ev = e.toFloatArray();
            float max = 0;
            for (float v : ev) max = Math.max(max, Math.abs(v));
            for (int i = 0; i < ev.length; i++) assertTrue(Math.abs(av[i] - ev[i]) <= rel * max + 1e-5, i + ": " + av[i] + " vs " + ev[i]);
        }
    }

    @Test
    void qdqConvWithPerChannelWeightsFuses() {
        int co = 6, ci = 4;
        List<NodeDef> nodes = new ArrayList<>(qdqInput());
        nodes.add(node("DequantizeLinear", List.of("wq", "ws", "wz"), List.of("w"), Attribute.of("axis", 0L)));
        nodes.add(node("Conv", List.of("xd", "w", "b"), List.of("y"), Attribute.of("pads", new long[]{1, 0, 1, 2}),
                Attribute.of("strides", new long[]{2, 1})));
        List<TensorData> inits = new ArrayList<>(qdqInits());
        float[] ws = new float[co];
        for (int i = 0; i < co; i++) ws[i] = 0.01f * (i + 1);
        inits.add(int8("wq", codes(co * ci * 9), co, ci, 3, 3));
        inits.add(TensorData.ofFloats("ws", ws, co));
        inits.add(int8("wz", new byte[co], co));
        inits.add(TensorData.ofFloats("b", gaussian(co), co));
        assertFusesAndMatches(model(nodes, inits, 2, ci, 9, 7), "QConv", Tensor.of(gaussian(2 * ci * 63), 2, ci, 9, 7), 1e-5);
        assertRoutesAgree(model(nodes, inits, 2, ci, 9, 7), Tensor.of(gaussian(2 * ci * 63), 2, ci, 9, 7));
        List<NodeDef> relu = new ArrayList<>(nodes);
        relu.set(relu.size() - 1, node("Conv", List.of("xd", "w", "b"), List.of("c"), Attribute.of("pads", new long[]{1, 1, 1, 1})));
        relu.add(node("Relu", List.of("c"), List.of("y")));
        assertRoutesAgree(model(relu, inits, 3, ci, 8, 11), Tensor.of(gaussian(3 * ci * 88), 3, ci, 8, 11));
    }

    /** The native qs8-conv route (where it runs) and the Java gather/GEMM/scatter route give the same bits. */
    private static void assertRoutesAgree(ModelDef def, Tensor x) {
        try (Model nat = Model.of(def, Options.defaults());
             Model ref = Model.of(def, Options.defaults().withBackend(io.minnow.engine.kernels.BackendConfig.javaOnly(0)))) {
            assertEquals(1, count(nat, "QConv"), nat.graph().nodes.toString());
            assertEquals(java.util.Arrays.toString(ref.run(x).toFloatArray()), java.util.Arrays.toString(nat.run(x).toFloatArray()));
        }
    }

    @Test
    void qdqGemmWithTransposedAndPerTensorWeightsFuses() {
        int k = 37, n = 11;
        for (long transB : new long[]{0, 1}) {
            List<NodeDef> nodes = new ArrayList<>(qdqInput());
            nodes.add(node("DequantizeLinear", List.of("wq", "ws"), List.of("w")));
            nodes.add(node("Gemm", List.of("xd", "w", "c"), List.of("y"), Attribute.of("transB", transB)));
            List<TensorData> inits = new ArrayList<>(qdqInits());
            inits.add(transB == 1 ? int8("wq", codes(n * k), n, k) : int8("wq", codes(n * k), k, n));
            inits.add(scalar("ws", 0.03f));
            inits.add(TensorData.ofFloats("c", gaussian(n), 1, n));
            assertFusesAndMatches(model(nodes, inits, 3, k), "QGemm", Tensor.of(gaussian(3 * k), 3, k), 1e-5);
        }
    }

    @Test
    void qdqMatMulWithPerColumnScalesFuses() {
        int k = 20, n = 9;
        List<NodeDef> nodes = new ArrayList<>(qdqInput());
        nodes.add(node("DequantizeLinear", List.of("wq", "ws"), List.of("w"), Attribute.of("axis", 1L)));
        nodes.add(node("MatMul", List.of("xd", "w"), List.of("y")));
        List<TensorData> inits = new ArrayList<>(qdqInits());
        inits.add(int8("wq", codes(n * k), k, n));
        float[] ws = new float[n];
        for (int i = 0; i < n; i++) ws[i] = 0.005f * (i + 1);
        inits.add(TensorData.ofFloats("ws", ws, n));
        assertFusesAndMatches(model(nodes, inits, 2, 3, k), "QGemm", Tensor.of(gaussian(6 * k), 2, 3, k), 1e-5);
    }

    @Test
    void int8LayerWithoutQdqQuantizesPerRun() {
        int k = 64, n = 10;
        float[] w = gaussian(n * k);
        List<NodeDef> nodes = List.of(node("Gemm", List.of("x", "w"), List.of("y"), Attribute.of("transB", 1L)));
        ModelDef q = model(nodes, List.of(Q8Codec.encode("w", w, n, k)), 4, k);
        ModelDef f = model(nodes, List.of(TensorData.ofFloats("w", Q8Codec.decode(Q8Codec.encode("w", w, n, k)), n, k)), 4, k);
        Tensor x = Tensor.of(gaussian(4 * k), 4, k);
        try (Model mq = Model.of(q, Options.defaults()); Model mf = Model.of(f, Options.defaults())) {
            assertEquals(1, count(mq, "QGemm"));
            float[] a = mq.run(x).toFloatArray(), e = mf.run(x).toFloatArray();
            // dynamic uint8 over the input's range: each input is off by at most half a step
            float lo = 0, hi = 0;
            for (float v : x.toFloatArray()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            double step = (hi - lo) / 255.0, wmax = 0;
            for (float v : w) wmax = Math.max(wmax, Math.abs(v));
            for (int i = 0; i < e.length; i++) assertTrue(Math.abs(a[i] - e[i]) <= k * step / 2 * wmax * 1.01 + 1e-4, i + ": " + a[i] + " vs " + e[i]);
        }
    }

    @Test
    void depthwiseQ8WeightIsDecodedForTheFloatKernel() {
        int c = 5;
        float[] w = gaussian(c * 9);
        List<NodeDef> nodes = List.of(node("Conv", List.of("x", "w"), List.of("y"), Attribute.of("group", (long) c),
                Attribute.of("pads", new long[]{1, 1, 1, 1})));
        TensorData q = Q8Codec.encode("w", w, c, 1, 3, 3);
        Tensor x = Tensor.of(gaussian(c * 36), 1, c, 6, 6);
        try (Model mq = Model.of(model(nodes, List.of(q), 1, c, 6, 6), Options.defaults());
             Model mf = Model.of(model(nodes, List.of(TensorData.ofFloats("w", Q8Codec.decode(q), c, 1, 3, 3)), 1, c, 6, 6), Options.defaults())) {
            assertEquals(0, count(mq, "QConv"));
            assertEquals(java.util.Arrays.toString(mf.run(x).toFloatArray()), java.util.Arrays.toString(mq.run(x).toFloatArray()));
        }
    }

    @Test
    void nonFiniteWeightScaleIsRefusedByName() {
        int n = 4, k = 8;
        TensorData good = Q8Codec.encode("fc.weight", gaussian(n * k), n, k);
        QuantLayout l = Q8Codec.layout(good);
        MemorySegment bad = Arena.ofAuto().allocate(good.bytes().byteSize(), 64);
        MemorySegment.copy(good.bytes(), 0, bad, 0, bad.byteSize());
        bad.set(TensorData.F32_LE, l.scalesOffset() + 4, Float.NaN);
        TensorData w = new TensorData("fc.weight", DataType.FLOAT, new long[]{n, k}, Encoding.Q8, bad, good.params());
        List<NodeDef> nodes = List.of(node("Gemm", List.of("x", "fc.weight"), List.of("y"), Attribute.of("transB", 1L)));
        MinnowException e = assertThrows(MinnowException.class, () -> {
            try (Model m = Model.of(model(nodes, List.of(w), 1, k), Options.defaults())) {
                m.run(Tensor.of(new float[k], 1, k));
            }
        });
        assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
    }

    @Test
    void activationQuantizerVectorLoopEqualsScalarRule() {
        for (boolean signed : new boolean[]{false, true}) {
            ActQuant q = new ActQuant(0.05f, signed ? -3 : 128, signed);
            int n = 1000 + 13;
            MemorySegment x = Arena.ofAuto().allocate(4L * n, 64), out = Arena.ofAuto().allocate(n, 64);
            for (int i = 0; i < n; i++) {
                float v = switch (i % 5) {
                    case 0 -> (i - 500) * 0.025f;         // exact ties at half steps
                    case 1 -> (float) rng.nextGaussian() * 20; // saturating
                    case 2 -> Float.MAX_VALUE * (i % 2 == 0 ? 1 : -1);
                    default -> (float) rng.nextGaussian();
                };
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
            q.quantize(x, out, 3, n);
            for (int i = 3; i < n; i++) {
                int got = signed ? out.get(ValueLayout.JAVA_BYTE, i) : Byte.toUnsignedInt(out.get(ValueLayout.JAVA_BYTE, i));
                float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                assertEquals(q.code(v), got, "x = " + v);
                double ref = Math.max(q.lo(), Math.min(q.hi(), Math.rint(v / 0.05f) + q.zero()));
                assertEquals((int) ref, got, "ONNX QuantizeLinear of " + v);
            }
        }
    }
}
