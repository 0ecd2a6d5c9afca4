package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.F32Gemm;

/** The kernels chosen for one configuration: one per family. Immutable, shared by all sessions. */
public final class Kernels {
    private static volatile Kernels defaults;

    private final BackendConfig config;
    private final F32Gemm f32Gemm;

    private Kernels(BackendConfig config) {
        this.config = config;
        this.f32Gemm = KernelRegistry.best(KernelRegistry.f32Gemm(config)).create();
    }

    /** Kernels for an explicit configuration. */
    public static Kernels select(BackendConfig config) {
        return new Kernels(config);
    }

    /** Kernels for the process configuration (system properties); logs the choice once. */
    public static Kernels defaults() {
        Kernels k = defaults;
        if (k == null) {
            synchronized (Kernels.class) {
                if (defaults == null) {
                    defaults = new Kernels(BackendConfig.fromSystemProperties());
                    System.getLogger("minnow").log(System.Logger.Level.INFO, defaults.describe());
                }
                k = defaults;
            }
        }
        return k;
    }

    public BackendConfig config() { return config; }

    public F32Gemm f32Gemm() { return f32Gemm; }

    /** One line: backend and kernel ids chosen, e.g. {@code minnow: backend=native isa=avx512f f32-gemm=...}. */
    public String describe() {
        String backend = f32Gemm.id().contains("panama") ? "java-vector"
                : f32Gemm.id().endsWith("scalar") ? "java-scalar" : "native";
        return "minnow: backend=" + backend + " f32-gemm=" + f32Gemm.id();
    }
}
