package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.IntFunction;

import static io.minnow.engine.ops.tensor.OpRunner.*;
import static org.junit.jupiter.api.Assertions.*;

/** Large inputs take the multi-threaded paths; results must not depend on the thread count. */
class ParallelTest {
    private static void same(IntFunction<Tensor> run) {
        Tensor one = run.apply(1), four = run.apply(4);
        assertArrayEquals(one.shape(), four.shape());
        assertArrayEquals(one.toFloatArray(), four.toFloatArray());
    }

    @Test
    void copiesAgreeAcrossThreadCounts() {
        Tensor a = iota(64, 37, 29), b = iota(64, 5, 29);
        same(t -> op("Concat").threads(t).input("a", a).input("b", b).attr("axis", 1L).run());
        same(t -> op("Gather").threads(t).input("a", a).constant("i", ints(3, 0, -1, 7, 7)).attr("axis", 1L).run());
        same(t -> op("Gather").threads(t).input("a", a).constant("i", ints(28, 0, 1)).attr("axis", 2L).run());
        same(t -> op("Split").threads(t).input("a", a).constant("s", ints(10, 27)).attr("axis", 1L).outputs("y", "z").run());
        same(t -> op("Expand").threads(t).input("a", iota(1, 37, 1)).constant("s", ints(64, 37, 29)).run());
        same(t -> op("Slice").threads(t).input("a", a).constant("s", ints(-1, 1)).constant("e", ints(Long.MIN_VALUE, 30))
                .constant("ax", ints(0, 1)).constant("st", ints(-1, 2)).run());
        same(t -> op("Pad").threads(t).input("a", a).constant("p", ints(1, 2, 3, 4, 5, 6)).attr("mode", "edge").run());
        same(t -> op("Transpose").threads(t).input("a", a).attr("perm", 2L, 0L, 1L).run());
    }
}
