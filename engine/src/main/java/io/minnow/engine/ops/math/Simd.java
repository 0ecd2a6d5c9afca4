package io.minnow.engine.ops.math;

import io.minnow.engine.kernels.Kernels;

/**
 * Whether this family's Vector API loops ({@link VectorMath}) may run: the incubator module must be
 * resolved (else {@link VectorMath} is never loaded), the preferred float vector must have at least 4
 * lanes, and the process's vector width cap ({@code -Dminnow.vector.width}) must allow that width.
 * Otherwise the scalar loops serve; they give the same answers within the documented tolerance
 * (add/sub/mul/div bit for bit; exp-based ops within a few ulps).
 */
final class Simd {
    /** Preferred vector width in bits, 0 when the Vector API cannot be used. */
    static final int BITS = probe();

    private Simd() {}

    private static int probe() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return 0;
        try {
            return VectorMath.bits();
        } catch (LinkageError | RuntimeException e) {
            return 0;
        }
    }

    /** True when the vector loops should be used under these kernels' configuration. */
    static boolean enabled(Kernels kernels) {
        return BITS >= 128 && (kernels == null || kernels.config().vectorWidthCap() >= BITS);
    }

    /** One-line description for start-up logs and tests. */
    static String describe() {
        return BITS == 0 ? "math ops: scalar Java" : "math ops: Vector API " + BITS + "-bit";
    }
}
