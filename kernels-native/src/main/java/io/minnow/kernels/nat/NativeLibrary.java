package io.minnow.kernels.nat;

/**
 * Loads the native kernel library once and says whether it can be used. Never throws: if loading fails
 * (another OS or architecture, a missing or broken library, {@code -Dminnow.native=false}) it records why,
 * {@link #available()} answers false, and the Java kernels serve.
 */
public final class NativeLibrary {
    /** AVX2 and FMA3, with YMM state enabled by the OS. */
    public static final int CPU_AVX2 = 0x1;
    /** AVX-512 F + BW + VL + DQ, with opmask/ZMM state enabled by the OS. */
    public static final int CPU_AVX512 = 0x2;
    /** AVX-512 VNNI. */
    public static final int CPU_AVX512VNNI = 0x4;
    /** AMX-TILE + AMX-INT8, enabled by the OS and permitted for this process. */
    public static final int CPU_AMX_INT8 = 0x8;
    /** AVX-VNNI (VEX-encoded, 256-bit). */
    public static final int CPU_AVXVNNI = 0x10;

    /** f32-gemm variant numbers, as in {@code minnow_kernels.h}. */
    public static final int F32_GEMM_C = 0, F32_GEMM_AVX2 = 1, F32_GEMM_AVX512F = 2, F32_GEMM_VARIANTS = 3;
    /** f32-conv variant numbers (minnow_kernels.h MINNOW_F32_CONV_*). */
    public static final int F32_CONV_C = 0, F32_CONV_AVX2 = 1, F32_CONV_VARIANTS = 2;

    /** f32-dwconv variant numbers, as in {@code minnow_kernels.h}. */
    public static final int F32_DWCONV_C = 0, F32_DWCONV_AVX2 = 1, F32_DWCONV_AVX512F = 2, F32_DWCONV_VARIANTS = 3;
    /** f32-pwconv variant numbers, as in {@code f32-pwconv/f32_pwconv.h} (the avx512f one runs the AVX2 code). */
    public static final int F32_PWCONV_C = 0, F32_PWCONV_AVX2 = 1, F32_PWCONV_AVX512F = 2, F32_PWCONV_VARIANTS = 3;

    /** q4-gemm variant numbers, as in {@code minnow_kernels.h}. */
    public static final int Q4_GEMM_C = 0, Q4_GEMM_AVX2 = 1, Q4_GEMM_VARIANTS = 2;
    /** q4-gemv variant numbers, as in {@code minnow_kernels.h}. */
    public static final int Q4_GEMV_C = 0, Q4_GEMV_AVX2 = 1, Q4_GEMV_VARIANTS = 2;
    /** qs8-gemm variant numbers, as in {@code minnow_kernels.h}. */
    public static final int QS8_GEMM_C = 0, QS8_GEMM_AVX2 = 1, QS8_GEMM_AVX512VNNI = 2, QS8_GEMM_VARIANTS = 3;

    /** The system property that, set to {@code false}, keeps the library from even being loaded. */
    public static final String DISABLE_PROPERTY = "minnow.native";

    private static final String reason;

    static {
        reason = load();
    }

    private NativeLibrary() {}

    private static String load() {
        if ("false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY, "true"))) {
            return "disabled by -D" + DISABLE_PROPERTY + "=false";
        }
        try {
            Class.forName(NativeKernels.class.getName(), true, NativeLibrary.class.getClassLoader());
            NativeKernels.minnow_cpu_features(); // proves the symbols resolve
            return null;
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "cannot load native kernels on " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": " + root;
        }
    }

    /** True if the native library is loaded and callable. */
    public static boolean available() {
        return reason == null;
    }

    /** Why {@link #available()} is false, or null when it is true. */
    public static String unavailableReason() {
        return reason;
    }

    /** CPU feature bits ({@link #CPU_AVX2} ...), or 0 when the library is unavailable. */
    public static int cpuFeatures() {
        return available() ? NativeKernels.minnow_cpu_features() : 0;
    }

    /** True if the library is available and the CPU has all of {@code features}. */
    public static boolean hasFeatures(int features) {
        return (cpuFeatures() & features) == features;
    }

    /** ISA of the f32-gemm variant the library uses by default ({@code avx512f}, {@code avx2}, {@code c}), or {@code none}. */
    public static String isa() {
        return available() ? NativeKernels.minnow_f32_gemm_isa() : "none";
    }

    /** Feature bits as text, e.g. {@code avx2 avx512 avx512vnni}. */
    public static String describeFeatures(int features) {
        StringBuilder sb = new StringBuilder();
        if ((features & CPU_AVX2) != 0) sb.append("avx2 ");
        if ((features & CPU_AVXVNNI) != 0) sb.append("avxvnni ");
        if ((features & CPU_AVX512) != 0) sb.append("avx512 ");
        if ((features & CPU_AVX512VNNI) != 0) sb.append("avx512vnni ");
        if ((features & CPU_AMX_INT8) != 0) sb.append("amx-int8 ");
        return sb.isEmpty() ? "baseline" : sb.toString().trim();
    }

    /** ISA numbers of the native FMA probe ({@code minnow_probe_fma}), as in {@code minnow_kernels.h}. */
    public static final int PROBE_AVX2 = 1, PROBE_AVX512 = 2;
}
