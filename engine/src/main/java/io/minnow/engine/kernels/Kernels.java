package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32GemmNative;
import io.minnow.kernels.nat.NativeLibrary;

/** The kernels chosen for one configuration: one per family. Immutable, shared by all sessions. */
public final class Kernels {
    private static volatile Kernels defaults;

    private final BackendConfig config;
    private final F32Gemm f32Gemm;
    private final io.minnow.engine.kernels.f32.F32Conv f32Conv;     // null: the op's own im2col + f32-gemm path
    private final io.minnow.engine.kernels.f32.F32DwConv f32DwConv; // null: the op's own loop
    private final io.minnow.engine.kernels.f32.F32PwConv f32PwConv; // the scalar reference at worst
    private final io.minnow.engine.kernels.q4.Q4Gemm q4Gemm;
    private final io.minnow.engine.kernels.q4.Q4Gemv q4Gemv;
    private final io.minnow.engine.kernels.q8.Qs8Gemm qs8Gemm;

    private Kernels(BackendConfig config) {
        this.config = config;
        this.f32Gemm = KernelRegistry.best(KernelRegistry.f32Gemm(config)).create();
        var conv = KernelRegistry.bestOrNull(KernelRegistry.f32Conv(config));
        this.f32Conv = conv == null ? null : conv.create();
        var dw = KernelRegistry.bestOrNull(KernelRegistry.f32DwConv(config));
        this.f32DwConv = dw == null ? null : dw.create();
        this.f32PwConv = KernelRegistry.best(KernelRegistry.f32PwConv(config)).create();
        this.q4Gemm = KernelRegistry.best(KernelRegistry.q4Gemm(config)).create();
        this.q4Gemv = KernelRegistry.best(KernelRegistry.q4Gemv(config)).create();
        this.qs8Gemm = KernelRegistry.best(KernelRegistry.qs8Gemm(config)).create();
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

    /** The chosen f32-conv kernel, or null when the family has none available. */
    public io.minnow.engine.kernels.f32.F32Conv f32Conv() { return f32Conv; }

    /** The chosen f32-dwconv kernel, or null when the family has none available. */
    public io.minnow.engine.kernels.f32.F32DwConv f32DwConv() { return f32DwConv; }

    /**
     * The chosen f32-pwconv kernel: a native one where available, else the scalar reference (the engine then
     * runs pointwise convs on its packed f32-gemm path instead, see {@code F32PwConv}).
     */
    public io.minnow.engine.kernels.f32.F32PwConv f32PwConv() { return f32PwConv; }

    /** The chosen q4-gemm kernel (the scalar reference at worst). */
    public io.minnow.engine.kernels.q4.Q4Gemm q4Gemm() { return q4Gemm; }
    /** The chosen q4-gemv kernel (int8 activations; the scalar reference at worst). */
    public io.minnow.engine.kernels.q4.Q4Gemv q4Gemv() { return q4Gemv; }
    /** The chosen qs8-gemm kernel (the scalar reference is always available). */
    public io.minnow.engine.kernels.q8.Qs8Gemm qs8Gemm() { return qs8Gemm; }

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
        if (f32Conv != null) sb.append(" f32-conv=").append(f32Conv.id());
        if (f32DwConv != null) sb.append(" f32-dwconv=").append(f32DwConv.id());
        sb.append(" f32-pwconv=").append(f32PwConv.id());
        sb.append(" q4-gemm=").append(q4Gemm.id());
        sb.append(" q4-gemv=").append(q4Gemv.id());
        sb.append(" qs8-gemm=").append(qs8Gemm.id());
        if (config.nativeAllowed() && !NativeLibrary.available()) {
            sb.append(" (native unavailable: ").append(NativeLibrary.unavailableReason()).append(')');
        }
        return sb.toString();
    }
}
