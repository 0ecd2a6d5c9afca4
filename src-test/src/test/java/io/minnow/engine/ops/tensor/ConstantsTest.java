package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Shape, Constant, ConstantOfShape, Dropout. */
class ConstantsTest {
    @Test
    void shapeWithStartEnd() {
        assertArrayEquals(new long[]{2, 3, 4}, op("Shape").input("x", iota(2, 3, 4)).run().toLongArray());
        assertArrayEquals(new long[]{3}, op("Shape").opset(15).input("x", iota(2, 3, 4)).attr("start", 1L).attr("end", -1L).run().toLongArray());
        assertArrayEquals(new long[]{2, 3, 4}, op("Shape").opset(15).input("x", iota(2, 3, 4)).attr("start", -10L).attr("end", 10L).run().toLongArray());
        assertArrayEquals(new long[]{}, op("Shape").opset(15).input("x", iota(2, 3, 4)).attr("start", 2L).attr("end", 1L).run().toLongArray());
        assertArrayEquals(new long[]{}, op("Shape").input("x", Tensor.scalar(1)).run().toLongArray());
        assertEquals(DataType.INT64, op("Shape").input("x", iota(2)).run().type());
    }

    @Test
    void constantKinds() {
        Tensor y = op("Constant").attr(Attribute.of("value", TensorData.ofFloats("c", new float[]{1, 2}, 2))).run();
        assertArrayEquals(new float[]{1, 2}, y.toFloatArray());
        assertArrayEquals(new long[]{}, op("Constant").attr("value_float", 2.5f).run().shape());
        assertArrayEquals(new float[]{1, 2, 3}, op("Constant").attr(Attribute.of("value_floats", new float[]{1, 2, 3})).run().toFloatArray());
        y = op("Constant").attr("value_int", 7L).run();
        assertEquals(DataType.INT64, y.type());
        assertEquals(7, y.getLong(0));
        assertArrayEquals(new long[]{4, 5}, op("Constant").attr("value_ints", 4L, 5L).run().toLongArray());
    }

    @Test
    void constantRefusesStrings() {
        var e = assertThrows(MinnowException.class, () -> op("Constant").attr("value_string", "hi").run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("string"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Constant").attr(Attribute.ofStrings("value_strings", List.of("a"))).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
        assertThrows(MinnowException.class, () -> op("Constant").run());
        assertThrows(MinnowException.class, () -> op("Constant").attr("value_int", 1L).attr("value_float", 1f).run());
    }

    @Test
    void constantOfShape() {
        Tensor y = op("ConstantOfShape").input("s", ints(2, 3)).run();
        assertEquals(DataType.FLOAT, y.type());
        assertArrayEquals(new float[6], y.toFloatArray());
        TensorData v = TensorData.ofLongs("v", new long[]{-3}, 1);
        y = op("ConstantOfShape").constant("s", ints(4)).attr(Attribute.of("value", v)).run();
        assertEquals(DataType.INT64, y.type());
        assertArrayEquals(new long[]{-3, -3, -3, -3}, y.toLongArray());
        TensorData b = new TensorData("b", DataType.INT32, new long[]{1}, io.minnow.formats.Encoding.RAW,
                Tensor.ofLongs(new long[]{0}).toData("x").bytes().asSlice(0, 4));
        y = op("ConstantOfShape").input("s", ints(0)).attr(Attribute.of("value", b)).run();
        assertArrayEquals(new long[]{0}, y.shape());
        assertArrayEquals(new long[]{}, op("ConstantOfShape").input("s", ints()).run().shape());
        assertThrows(MinnowException.class, () -> op("ConstantOfShape").input("s", ints(-1)).run());
    }

    @Test
    void dropoutIsIdentityWithMask() {
        Map<String, Tensor> out = op("Dropout").opset(13).input("x", iota(2, 3)).constant("r", Tensor.scalar(0.3f))
                .outputs("y", "m").runAll();
        assertArrayEquals(iotaValues(6), out.get("y").toFloatArray());
        assertEquals(DataType.BOOL, out.get("m").type());
        assertArrayEquals(new long[]{1, 1, 1, 1, 1, 1}, out.get("m").toLongArray());
        assertArrayEquals(iotaValues(4), op("Dropout").opset(7).input("x", iota(4)).attr("ratio", 0.2f).run().toFloatArray());
        Tensor off = typed(DataType.BOOL, new long[]{0}, new long[]{});
        assertArrayEquals(iotaValues(3), op("Dropout").input("x", iota(3)).none().constant("t", off).run().toFloatArray());
    }

    @Test
    void dropoutRefusesTraining() {
        Tensor on = typed(DataType.BOOL, new long[]{1}, new long[]{});
        var e = assertThrows(MinnowException.class, () -> op("Dropout").input("x", iota(3)).none().constant("t", on).run());
        assertTrue(e.getMessage().contains("training mode not supported") && e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Dropout").input("x", iota(3)).none().input("t", on).run());
        assertTrue(e.getMessage().contains("training mode not supported"), e.getMessage());
        Tensor zero = Tensor.scalar(0f); // ratio 0 in training mode is still the identity
        assertArrayEquals(iotaValues(3), op("Dropout").input("x", iota(3)).constant("r", zero).constant("t", on).run().toFloatArray());
    }
}
