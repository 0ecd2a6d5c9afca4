package io.minnow.kernels.nat;

import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32ConvNative;
import io.minnow.engine.kernels.f32.F32Epilogue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java guard of the native f32-conv: every bad size, offset, segment or packed block is refused with
 * IllegalArgumentException before native code runs. (Numerics: F32ConvKernelTest and the C harness.)
 */
class F32ConvNativeTest {
    private static final ConvShape S = new ConvShape(3, 9, 8, 5, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1);
    private final Arena arena = Arena.ofAuto();
    private MemorySegment x, w, y, bias;

    @BeforeEach
    void setUp() {
        x = arena.allocate(3L * 9 * 8 * 4, 64);
        w = arena.allocate(5L * 27 * 4, 64);
        y = arena.allocate(5L * 9 * 8 * 4, 64);
        bias = arena.allocate(5 * 4, 64);
    }

    private static F32ConvNative kernel(int variant) {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        assumeTrue(F32ConvNative.supports(variant), () -> F32ConvNative.idOf(variant) + " needs CPU features this machine lacks");
        return F32ConvNative.forVariant(variant);
    }

    @ParameterizedTest
    @ValueSource(ints = {NativeLibrary.F32_CONV_C, NativeLibrary.F32_CONV_AVX2})
    void refusesEveryOutOfBoundsCall(int variant) {
        F32ConvNative k = kernel(variant);
        Object packed = k.pack(w, 0, 5, 27);
        assertDoesNotThrow(() -> k.run(S, x, 0, packed, bias, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        // x, y, bias, residual too short for the offsets given
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 1, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, null, 0, null, 0, F32Epilogue.NONE, y, 5, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, bias, 1, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, null, 0, x, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, -1, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        // column range outside the output plane
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 73, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 5, 4, null));
        // a heap segment has no address native code may use
        MemorySegment heap = MemorySegment.ofArray(new float[3 * 9 * 8]);
        assertThrows(IllegalArgumentException.class, () -> k.run(S, heap, 0, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        // weights packed for another shape or not packed by this kernel
        Object other = k.pack(w, 0, 4, 27);
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, other, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, new Object(), null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        // invalid shapes and epilogue codes
        ConvShape zeroStride = new ConvShape(3, 9, 8, 5, 9, 8, 3, 3, 0, 1, 1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> k.run(zeroStride, x, 0, packed, null, 0, null, 0, F32Epilogue.NONE, y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.run(S, x, 0, packed, null, 0, null, 0, new F32Epilogue(7, 0, 0), y, 0, 0, 72, null));
        assertThrows(IllegalArgumentException.class, () -> k.pack(w, 0, 5, 28));
        assertThrows(IllegalArgumentException.class, () -> k.pack(w, 0, 0, 27));
    }

    @ParameterizedTest
    @ValueSource(ints = {NativeLibrary.F32_CONV_C, NativeLibrary.F32_CONV_AVX2})
    void declinesStridesBeyondItsPhaseTable(int variant) {
        F32ConvNative k = kernel(variant);
        assertTrue(k.supports(S));
        assertFalse(k.supports(new ConvShape(1, 40, 40, 1, 4, 4, 3, 3, 9, 9, 0, 0, 1, 1)));
        assertFalse(k.supports(new ConvShape(1, 40, 40, 1, 4, 4, 3, 3, -1, 9, 0, 0, 1, 1)));
    }
}
