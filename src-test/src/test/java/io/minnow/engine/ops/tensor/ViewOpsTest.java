package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Reshape, Flatten, Squeeze, Unsqueeze, Identity: shapes, opset forms, errors. */
class ViewOpsTest {
    @Test
    void reshapeWithZeroAndMinusOne() {
        Tensor y = op("Reshape").input("x", iota(2, 3, 4)).constant("s", ints(0, -1)).run();
        assertArrayEquals(new long[]{2, 12}, y.shape());
        assertArrayEquals(iotaValues(24), y.toFloatArray());
    }

    @Test
    void reshapeAllowZeroMakesEmptyDim() {
        Tensor y = op("Reshape").opset(14).input("x", iota(0, 3)).constant("s", ints(3, 0)).attr("allowzero", 1L).run();
        assertArrayEquals(new long[]{3, 0}, y.shape());
    }

    @Test
    void reshapeZeroCopiesDimWithoutAllowZero() {
        Tensor y = op("Reshape").input("x", iota(0, 3)).constant("s", ints(0, 3)).run();
        assertArrayEquals(new long[]{0, 3}, y.shape());
    }

    @Test
    void reshapeToScalarAndDynamicShape() {
        Tensor y = op("Reshape").input("x", iota(1, 1)).input("s", ints()).run(); // shape known at run time only
        assertArrayEquals(new long[]{}, y.shape());
        Tensor z = op("Reshape").input("x", iota(6)).input("s", ints(3, -1)).run();
        assertArrayEquals(new long[]{3, 2}, z.shape());
        assertArrayEquals(iotaValues(6), z.toFloatArray());
    }

    @Test
    void reshapeErrorsNameTheNode() {
        var e = assertThrows(MinnowException.class, () -> op("Reshape").input("x", iota(2, 3)).constant("s", ints(4, -1)).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Reshape").input("x", iota(2, 3)).constant("s", ints(-1, -1)).run());
        assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Reshape").input("x", iota(2, 3)).constant("s", ints(5)).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
        e = assertThrows(MinnowException.class, () -> op("Reshape").opset(14).input("x", iota(0, 3))
                .constant("s", ints(0, -1)).attr("allowzero", 1L).run());
        assertTrue(e.getMessage().contains("allowzero"), e.getMessage());
    }

    @Test
    void reshapeKeepsIntTypes() {
        Tensor y = op("Reshape").input("x", typed(DataType.INT8, new long[]{1, -2, 3, -4}, 4)).constant("s", ints(2, 2)).run();
        assertEquals(DataType.INT8, y.type());
        assertArrayEquals(new long[]{1, -2, 3, -4}, y.toLongArray());
    }

    @Test
    void flattenAxes() {
        assertArrayEquals(new long[]{2, 12}, op("Flatten").input("x", iota(2, 3, 4)).run().shape());
        assertArrayEquals(new long[]{1, 24}, op("Flatten").input("x", iota(2, 3, 4)).attr("axis", 0L).run().shape());
        assertArrayEquals(new long[]{24, 1}, op("Flatten").input("x", iota(2, 3, 4)).attr("axis", 3L).run().shape());
        assertArrayEquals(new long[]{6, 4}, op("Flatten").input("x", iota(2, 3, 4)).attr("axis", -1L).run().shape());
        assertArrayEquals(new long[]{1, 24}, op("Flatten").input("x", iota(2, 3, 4)).attr("axis", -3L).run().shape());
        assertArrayEquals(new long[]{1, 1}, op("Flatten").input("x", Tensor.scalar(5)).attr("axis", 0L).run().shape());
        assertThrows(MinnowException.class, () -> op("Flatten").input("x", iota(2, 3)).attr("axis", 3L).run());
    }

    @Test
    void squeezeForms() {
        assertArrayEquals(new long[]{3}, op("Squeeze").input("x", iota(1, 3, 1)).run().shape());
        assertArrayEquals(new long[]{3, 1}, op("Squeeze").input("x", iota(1, 3, 1)).constant("a", ints(0)).run().shape());
        assertArrayEquals(new long[]{1, 3}, op("Squeeze").input("x", iota(1, 3, 1)).constant("a", ints(-1)).run().shape());
        assertArrayEquals(new long[]{1, 3}, op("Squeeze").input("x", iota(1, 3, 1)).input("a", ints(-1)).run().shape());
        assertArrayEquals(new long[]{3}, op("Squeeze").opset(11).input("x", iota(1, 3, 1)).attr("axes", 0L, 2L).run().shape());
        assertArrayEquals(new long[]{}, op("Squeeze").input("x", iota(1, 1)).run().shape());
        var e = assertThrows(MinnowException.class, () -> op("Squeeze").input("x", iota(1, 3)).constant("a", ints(1)).run());
        assertTrue(e.getMessage().contains("n0"), e.getMessage());
    }

    @Test
    void unsqueezeForms() {
        assertArrayEquals(new long[]{1, 3, 1, 4}, op("Unsqueeze").input("x", iota(3, 4)).constant("a", ints(0, 2)).run().shape());
        assertArrayEquals(new long[]{3, 4, 1}, op("Unsqueeze").input("x", iota(3, 4)).constant("a", ints(-1)).run().shape());
        assertArrayEquals(new long[]{1, 3, 1, 4}, op("Unsqueeze").input("x", iota(3, 4)).constant("a", ints(2, 0)).run().shape());
        assertArrayEquals(new long[]{1}, op("Unsqueeze").input("x", Tensor.scalar(2)).constant("a", ints(0)).run().shape());
        assertArrayEquals(new long[]{3, 1, 4}, op("Unsqueeze").opset(12).input("x", iota(3, 4)).attr("axes", new long[]{1}).run().shape());
        assertThrows(MinnowException.class, () -> op("Unsqueeze").input("x", iota(3)).constant("a", ints(0, 0)).run());
        assertThrows(MinnowException.class, () -> op("Unsqueeze").input("x", iota(3)).constant("a", ints(2)).run());
    }

    @Test
    void identityCopiesAnyType() {
        Tensor x = typed(DataType.BOOL, new long[]{1, 0, 1}, 3);
        Tensor y = op("Identity").input("x", x).run();
        assertEquals(DataType.BOOL, y.type());
        assertArrayEquals(new long[]{1, 0, 1}, y.toLongArray());
    }
}
