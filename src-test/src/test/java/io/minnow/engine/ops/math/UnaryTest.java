package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static io.minnow.engine.ops.math.OneNode.*;
import static org.junit.jupiter.api.Assertions.*;

class UnaryTest {
    private static final float[] X = {-7.5f, -3f, -1f, -0.5f, -0f, 0f, 1e-3f, 0.5f, 1f, 2.5f, 3f, 9f, 13.25f};

    private static void check(String op, DoubleUnaryOperator ref, OneNode node, float[] x) {
        Tensor y = node.in(f32(s(x.length), x)).run();
        float[] got = y.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double r = ref.applyAsDouble(x[i]);
            if (Double.isNaN(r)) assertTrue(Float.isNaN(got[i]), op + "(" + x[i] + ")");
            else assertEquals(r, got[i], 1e-6 + 1e-6 * Math.abs(r), op + "(" + x[i] + ")");
        }
    }

    @Test
    void floatKinds() {
        check("Relu", v -> Math.max(v, 0), OneNode.op("Relu"), X);
        check("LeakyRelu", v -> v < 0 ? 0.01 * v : v, OneNode.op("LeakyRelu"), X);
        check("LeakyRelu", v -> v < 0 ? 0.25 * v : v, OneNode.op("LeakyRelu").attr("alpha", 0.25f), X);
        check("Sigmoid", v -> 1 / (1 + Math.exp(-v)), OneNode.op("Sigmoid"), X);
        check("HardSigmoid", v -> Math.max(0, Math.min(1, 0.2 * v + 0.5)), OneNode.op("HardSigmoid"), X);
        check("HardSigmoid", v -> Math.max(0, Math.min(1, 0.5 * v + 0.6)),
                OneNode.op("HardSigmoid").attr("alpha", 0.5f).attr("beta", 0.6f), X);
        check("HardSwish", v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)), OneNode.op("HardSwish"), X);
        check("Tanh", Math::tanh, OneNode.op("Tanh"), X);
        check("Erf", Erf::erf, OneNode.op("Erf"), X);
        check("Sqrt", Math::sqrt, OneNode.op("Sqrt"), X);
        check("Exp", Math::exp, OneNode.op("Exp"), X);
        check("Log", Math::log, OneNode.op("Log"), X);
        check("Neg", v -> -v, OneNode.op("Neg"), X);
        check("Abs", Math::abs, OneNode.op("Abs"), X);
    }

    /** The standalone activations give exactly what a fused Conv/Gemm epilogue gives. */
    @Test
    void bitIdenticalToFusedActivation() {
        float[] x = random(1000, 7, -8, 8);
        Object[][] cases = {
                {"Relu", Map.of()},
                {"LeakyRelu", Map.of("alpha", 0.1f)},
                {"Sigmoid", Map.of()},
                {"HardSigmoid", Map.of("alpha", 0.3f, "beta", 0.4f)},
                {"HardSwish", Map.of()},
                {"Tanh", Map.of()},
        };
        for (Object[] c : cases) {
            String op = (String) c[0];
            @SuppressWarnings("unchecked") Map<String, Float> params = (Map<String, Float>) c[1];
            OneNode node = OneNode.op(op);
            Map<String, Attribute> attrs = new HashMap<>();
            attrs.put(FusedActivation.ATTR, Attribute.of(FusedActivation.ATTR, op));
            for (var e : params.entrySet()) {
                node.attr(e.getKey(), e.getValue());
                attrs.put(FusedActivation.ATTR + "." + e.getKey(), Attribute.of(FusedActivation.ATTR + "." + e.getKey(), e.getValue()));
            }
            FusedActivation fused = FusedActivation.of(new Attrs(attrs, "n"));
            float[] got = node.in(f32(s(x.length), x)).run().toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(fused.apply(x[i])), Float.floatToIntBits(got[i]), op + "(" + x[i] + ")");
            }
        }
    }

    @Test
    void otherTypes() {
        Tensor y = OneNode.op("Sigmoid").in(typed(DataType.DOUBLE, s(2), 0, 1)).run();
        assertArrayEquals(new double[]{0.5, 1 / (1 + Math.exp(-1))}, values(y), 1e-15);
        y = OneNode.op("Exp").in(typed(DataType.FLOAT16, s(2), 0, 1)).run();
        assertEquals(DataType.FLOAT16, y.type());
        assertArrayEquals(new double[]{1, 2.71875}, values(y), 0);
        y = OneNode.op("Relu").in(typed(DataType.INT8, s(3), -5, 0, 7)).run();
        assertArrayEquals(new long[]{0, 0, 7}, y.toLongArray());
        y = OneNode.op("Neg").in(typed(DataType.INT32, s(2), -5, Integer.MIN_VALUE)).run();
        assertArrayEquals(new long[]{5, Integer.MIN_VALUE}, y.toLongArray());
        y = OneNode.op("Abs").in(typed(DataType.UINT8, s(2), 200, 3)).run();
        assertArrayEquals(new long[]{200, 3}, y.toLongArray());
        y = OneNode.op("Abs").in(i64(s(2), -9, 9)).run();
        assertArrayEquals(new long[]{9, 9}, y.toLongArray());
    }

    @Test
    void scalarsEmptyAndLarge() {
        assertArrayEquals(new float[]{2f}, OneNode.op("Abs").in(f32(s(), -2f)).run().toFloatArray());
        Tensor empty = OneNode.op("Tanh").in(f32(s(0, 3))).run();
        assertArrayEquals(s(0, 3), empty.shape());
        float[] x = random(100_003, 9, -4, 4);
        float[] one = OneNode.op("Erf").in(f32(s(x.length), x)).run().toFloatArray();
        float[] four = OneNode.op("Erf").threads(4).in(f32(s(x.length), x)).run().toFloatArray();
        assertArrayEquals(one, four);
    }

    @Test
    void refusedTypesNameTheNode() {
        MinnowException e = assertThrows(MinnowException.class, () -> OneNode.op("Sigmoid").in(i64(s(1), 1)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> OneNode.op("Neg").in(typed(DataType.UINT8, s(1), 1)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
        e = assertThrows(MinnowException.class,
                () -> OneNode.op("LeakyRelu").optimize(false).attr("alpha", "big").in(f32(s(1), 1)).run());
        assertTrue(e.getMessage().contains("node0"), e.getMessage());
    }
}
