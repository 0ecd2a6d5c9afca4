package io.minnow.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.onnx.OnnxWriter;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers F32ConvBench times: geometry read from the bundled models, the ResNet-18 shapes, and the
 * one-node model giving the same answer in Minnow and ONNX Runtime (so both time the same work).
 */
class ConvLayersTest {
    /** The repository root: surefire runs in jmh/. */
    private static final Path ROOT = Path.of(System.getProperty("minnow.root", ".."));

    @Test
    void resnetLayersComeFromTheModel() {
        List<ConvLayer> all = ConvLayers.ofModel("resnet", ROOT);
        assertEquals(9, all.size());
        assertEquals("3x3/s1/p1 1->12 @28x28", all.get(0).shape());
        assertEquals("3x3/s2/p1 12->24 @28x28", ConvLayers.resolve("resnet:conv3", ROOT).shape());
        assertEquals("1x1/s2/p0 24->48 @14x14", ConvLayers.resolve("resnet:conv8", ROOT).shape());
        ConvLayer c3 = ConvLayers.resolve("resnet:conv3", ROOT);
        assertEquals(14, c3.outH());
        assertEquals(2L * 24 * 14 * 14 * 12 * 9, c3.flops());
        assertThrows(IllegalArgumentException.class, () -> ConvLayers.resolve("resnet:conv9", ROOT));
    }

    @Test
    void mobilenetDepthwiseAndDistinctShapes() {
        ConvLayer dw = ConvLayers.resolve("mobilenet:conv2", ROOT);
        assertEquals("3x3/s1/p1 dw 64->64 @14x14", dw.shape());
        assertEquals(2L * 64 * 14 * 14 * 9, dw.flops());
        Map<String, Integer> d = ConvLayers.distinct(List.of("mobilenet"), ROOT, false);
        assertEquals(17, d.values().stream().mapToInt(Integer::intValue).sum(), "every conv counted once");
        assertEquals(2, d.get("mobilenet:conv2"));
        assertTrue(!d.containsKey("mobilenet:conv5"), "conv5 repeats conv2's shape");
    }

    @Test
    void resnet18Shapes() {
        ConvLayer a = ConvLayers.resolve("r18:3x3-56x56x64", ROOT);
        assertEquals("3x3/s1/p1 64->64 @56x56", a.shape());
        assertEquals(2L * 64 * 56 * 56 * 64 * 9, a.flops());
        assertEquals("1x1/s1/p0 256->256 @14x14", ConvLayers.resolve("r18:1x1-14x14x256", ROOT).shape());
        assertArrayEquals(a.weights(), ConvLayers.resolve("r18:3x3-56x56x64", ROOT).weights(), "seeded");
        assertThrows(IllegalArgumentException.class, () -> ConvLayers.resolve("r18:3x5-1x1x1", ROOT));
        assertThrows(IllegalArgumentException.class, () -> ConvLayers.resolve("nocolon", ROOT));
    }

    @Test
    void oneNodeModelAgreesBetweenMinnowAndOnnxRuntime() throws Exception {
        for (String name : List.of("resnet:conv3", "mobilenet:conv11")) {
            ConvLayer l = ConvLayers.resolve(name, ROOT);
            float[] x = new float[l.cin() * l.h() * l.w()];
            Random r = new Random(1);
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
            long[] shape = {1, l.cin(), l.h(), l.w()};
            float[] mine;
            try (Model m = Model.of(l.toModel(), Options.defaults())) {
                Tensor y = m.run(Tensor.of(x, shape));
                assertArrayEquals(new long[]{1, l.cout(), l.outH(), l.outW()}, y.shape());
                mine = y.toFloatArray();
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(OnnxWriter.toBytes(l.toModel()), new OrtSession.SessionOptions());
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result res = s.run(Map.of("x", in))) {
                FloatBuffer ref = ((OnnxTensor) res.get(0)).getFloatBuffer();
                assertEquals(ref.remaining(), mine.length);
                for (int i = 0; i < mine.length; i++) {
                    float want = ref.get(i);
                    assertEquals(want, mine[i], 1e-4 + 1e-4 * Math.abs(want), name + " element " + i);
                }
            }
        }
    }
}
