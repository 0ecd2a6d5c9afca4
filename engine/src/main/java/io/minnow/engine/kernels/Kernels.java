package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32GemmNative;
import io.minnow.kernels.nat.NativeLibrary;

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

    /**
     * One line: backend, ISA and kernel ids chosen, e.g.
     * {@code minnow: backend=native isa=avx512f cpu=[avx2 avx512 avx512vnni] f32-gemm=f32-gemm-avx512f}.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder("minnow: backend=");
        if (f32Gemm instanceof F32GemmNative nat) {
            sb.append("native isa=").append(nat.isa())
                    .append(" cpu=[").append(NativeLibrary.describeFeatures(NativeLibrary.cpuFeatures())).append(']');
        } else {
            sb.append(f32Gemm.id().contains("panama") ? "java-vector" : "java-scalar");
        }
        sb.append(" f32-gemm=").append(f32Gemm.id());
        if (config.nativeAllowed() && !NativeLibrary.available()) {
            sb.append(" (native unavailable: ").append(NativeLibrary.unavailableReason()).append(')');
        }
        return sb.toString();
    }
}
