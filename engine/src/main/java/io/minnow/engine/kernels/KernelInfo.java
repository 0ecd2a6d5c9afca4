package io.minnow.engine.kernels;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One row of the kernel registry: id ({@code <in>-<op>-<tile>-<isa>}), family, what it needs from the
 * CPU/runtime, a preference rank (higher wins when available) and a factory.
 */
public record KernelInfo<K>(String id, String family, String requires, int rank, BooleanSupplier available,
                            Supplier<K> factory) {
    public boolean isAvailable() {
        return available.getAsBoolean();
    }

    public K create() {
        return factory.get();
    }
}
