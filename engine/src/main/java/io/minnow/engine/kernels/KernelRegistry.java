package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32GemmNative;
import io.minnow.engine.kernels.f32.F32GemmReference;
import io.minnow.kernels.nat.NativeLibrary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every kernel Minnow has, one line each, per family. Tests and JMH enumerate these lists; selection
 * takes the highest-ranked entry that is available under a {@link BackendConfig}. Adding a kernel is
 * adding a line here.
 */
public final class KernelRegistry {
    private KernelRegistry() {}

    /** Family f32-gemm, all variants (available or not on this machine). */
    public static List<KernelInfo<F32Gemm>> f32Gemm(BackendConfig cfg) {
        List<KernelInfo<F32Gemm>> list = new ArrayList<>();
        list.add(new KernelInfo<>("f32-gemm-scalar", "f32-gemm", "nothing", 0, () -> true, F32GemmReference::new));
        list.add(nativeF32Gemm(cfg, NativeLibrary.F32_GEMM_AVX512F, "native + AVX-512F/BW/VL", 22));
        list.add(nativeF32Gemm(cfg, NativeLibrary.F32_GEMM_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeF32Gemm(cfg, NativeLibrary.F32_GEMM_C, "native", 20));
        list.add(new KernelInfo<>(io.minnow.engine.kernels.f32.F32GemmVector.idFor(cfg.vectorWidthCap()), "f32-gemm", "jdk.incubator.vector", 10, () -> io.minnow.engine.kernels.f32.F32GemmVector.available(cfg), () -> io.minnow.engine.kernels.f32.F32GemmVector.forCap(cfg.vectorWidthCap())));
        return list;
    }

    private static KernelInfo<F32Gemm> nativeF32Gemm(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(F32GemmNative.idOf(variant), "f32-gemm", requires, rank,
                () -> cfg.nativeAllowed() && F32GemmNative.supports(variant), () -> F32GemmNative.forVariant(variant));
    }

    /** Family f32-conv (2-D convolution, NCHW, packed weights), all variants. */
    public static List<KernelInfo<io.minnow.engine.kernels.f32.F32Conv>> f32Conv(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.f32.F32Conv>> list = new ArrayList<>();
        // f32-conv entries (one line each)
        list.add(new KernelInfo<>("f32-conv-scalar", "f32-conv", "nothing", 0, () -> true, io.minnow.engine.kernels.f32.F32ConvReference::new));
        list.add(new KernelInfo<>(io.minnow.engine.kernels.f32.F32ConvVector.idFor(cfg.vectorWidthCap()), "f32-conv", "jdk.incubator.vector", 10, () -> io.minnow.engine.kernels.f32.F32GemmVector.available(cfg), () -> io.minnow.engine.kernels.f32.F32ConvVector.forCap(cfg.vectorWidthCap())));
        list.add(nativeF32Conv(cfg, NativeLibrary.F32_CONV_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeF32Conv(cfg, NativeLibrary.F32_CONV_C, "native", 20));
        return list;
    }

    private static KernelInfo<io.minnow.engine.kernels.f32.F32Conv> nativeF32Conv(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.f32.F32ConvNative.idOf(variant), "f32-conv", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.f32.F32ConvNative.supports(variant),
                () -> io.minnow.engine.kernels.f32.F32ConvNative.forVariant(variant));
    }

    /** Family f32-dwconv (depthwise 2-D convolution, NCHW), all variants. */
    public static List<KernelInfo<io.minnow.engine.kernels.f32.F32DwConv>> f32DwConv(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.f32.F32DwConv>> list = new ArrayList<>();
        // f32-dwconv entries (one line each)
        list.add(new KernelInfo<>("f32-dwconv-scalar", "f32-dwconv", "nothing", 0, () -> true, io.minnow.engine.kernels.f32.F32DwConvReference::new));
        list.add(nativeF32DwConv(cfg, NativeLibrary.F32_DWCONV_AVX512F, "native + AVX-512F/BW/VL", 22));
        list.add(nativeF32DwConv(cfg, NativeLibrary.F32_DWCONV_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeF32DwConv(cfg, NativeLibrary.F32_DWCONV_C, "native", 20));
        list.add(new KernelInfo<>(io.minnow.engine.kernels.f32.F32DwConvVector.idFor(cfg.vectorWidthCap()), "f32-dwconv", "jdk.incubator.vector", 10, () -> io.minnow.engine.kernels.f32.F32DwConvVector.available(cfg), () -> io.minnow.engine.kernels.f32.F32DwConvVector.forCap(cfg.vectorWidthCap())));
        return list;
    }

    private static KernelInfo<io.minnow.engine.kernels.f32.F32DwConv> nativeF32DwConv(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.f32.F32DwConvNative.idOf(variant), "f32-dwconv", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.f32.F32DwConvNative.supports(variant),
                () -> io.minnow.engine.kernels.f32.F32DwConvNative.forVariant(variant));
    }

    /**
     * Family f32-pwconv (pointwise 1x1 conv of NHWC activations, bias + residual + activation fused), all variants.
     * The scalar reference is always available, so selection never fails; the engine runs the family only on a
     * native kernel and otherwise falls back to its packed f32-gemm path (see {@code F32PwConv}).
     */
    public static List<KernelInfo<io.minnow.engine.kernels.f32.F32PwConv>> f32PwConv(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.f32.F32PwConv>> list = new ArrayList<>();
        list.add(new KernelInfo<>("f32-pwconv-scalar", "f32-pwconv", "nothing", 0, () -> true, io.minnow.engine.kernels.f32.F32PwConvReference::new));
        list.add(nativeF32PwConv(cfg, NativeLibrary.F32_PWCONV_AVX512F, "native + AVX-512F/BW/VL (AVX2 code)", 22));
        list.add(nativeF32PwConv(cfg, NativeLibrary.F32_PWCONV_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeF32PwConv(cfg, NativeLibrary.F32_PWCONV_C, "native", 20));
        return list;
    }

    private static KernelInfo<io.minnow.engine.kernels.f32.F32PwConv> nativeF32PwConv(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.f32.F32PwConvNative.idOf(variant), "f32-pwconv", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.f32.F32PwConvNative.supports(variant),
                () -> io.minnow.engine.kernels.f32.F32PwConvNative.forVariant(variant));
    }

    /** Highest-ranked available kernel of a family, or null when the family has none available. */
    public static <K> KernelInfo<K> bestOrNull(List<KernelInfo<K>> family) {
        return family.stream().filter(KernelInfo::isAvailable).max(Comparator.comparingInt(KernelInfo::rank)).orElse(null);
    }

    /** Highest-ranked available kernel of a family. */
    public static <K> KernelInfo<K> best(List<KernelInfo<K>> family) {
        return family.stream().filter(KernelInfo::isAvailable).max(Comparator.comparingInt(KernelInfo::rank))
                .orElseThrow(() -> new IllegalStateException("no kernel available in family"));
    }

    /** Family qs8-gemm (u8/s8 activations x s8 weights -> s32, then raw / requantize / dequantize), all variants. */
    public static List<KernelInfo<io.minnow.engine.kernels.q8.Qs8Gemm>> qs8Gemm(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.q8.Qs8Gemm>> list = new ArrayList<>();
        list.add(new KernelInfo<>("qs8-gemm-scalar", "qs8-gemm", "nothing", 0, () -> true, io.minnow.engine.kernels.q8.Qs8GemmReference::new));
        list.add(new KernelInfo<>(io.minnow.engine.kernels.q8.Qs8GemmVector.ID, "qs8-gemm", "jdk.incubator.vector (256-bit)", 10, () -> io.minnow.engine.kernels.q8.Qs8GemmVector.available(cfg), io.minnow.engine.kernels.q8.Qs8GemmVector::new));
        list.add(nativeQs8Gemm(cfg, NativeLibrary.QS8_GEMM_AVX512VNNI, "native + AVX-512 VNNI", 22));
        list.add(nativeQs8Gemm(cfg, NativeLibrary.QS8_GEMM_AVX2, "native + AVX2", 21));
        list.add(nativeQs8Gemm(cfg, NativeLibrary.QS8_GEMM_C, "native", 20));
        return list;
    }

    /** Family q4-gemm (f32 activations x int4 grouped weights -> f32, bias + clamp fused), all variants. */
    public static List<KernelInfo<io.minnow.engine.kernels.q4.Q4Gemm>> q4Gemm(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.q4.Q4Gemm>> list = new ArrayList<>();
        list.add(new KernelInfo<>("q4-gemm-scalar", "q4-gemm", "nothing", 0, () -> true, io.minnow.engine.kernels.q4.Q4GemmReference::new));
        list.add(new KernelInfo<>("q4-gemm-panama256", "q4-gemm", "jdk.incubator.vector (256-bit)", 10, () -> io.minnow.engine.kernels.q4.Q4GemmVector.available(cfg), io.minnow.engine.kernels.q4.Q4GemmVector::new));
        list.add(nativeQ4Gemm(cfg, NativeLibrary.Q4_GEMM_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeQ4Gemm(cfg, NativeLibrary.Q4_GEMM_C, "native", 20));
        return list;
    }

    /** Family q4-gemv (int8 activations x int4 grouped weights -> f32, activation scale + bias + clamp fused), all variants. */
    public static List<KernelInfo<io.minnow.engine.kernels.q4.Q4Gemv>> q4Gemv(BackendConfig cfg) {
        List<KernelInfo<io.minnow.engine.kernels.q4.Q4Gemv>> list = new ArrayList<>();
        list.add(new KernelInfo<>("q4-gemv-scalar", "q4-gemv", "nothing", 0, () -> true, io.minnow.engine.kernels.q4.Q4GemvReference::new));
        list.add(new KernelInfo<>("q4-gemv-panama256", "q4-gemv", "jdk.incubator.vector (256-bit)", 10, () -> io.minnow.engine.kernels.q4.Q4GemvVector.available(cfg), io.minnow.engine.kernels.q4.Q4GemvVector::new));
        list.add(nativeQ4Gemv(cfg, NativeLibrary.Q4_GEMV_AVX2, "native + AVX2/FMA", 21));
        list.add(nativeQ4Gemv(cfg, NativeLibrary.Q4_GEMV_C, "native", 20));
        return list;
    }

    private static KernelInfo<io.minnow.engine.kernels.q4.Q4Gemv> nativeQ4Gemv(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.q4.Q4GemvNative.idOf(variant), "q4-gemv", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.q4.Q4GemvNative.supports(variant),
                () -> io.minnow.engine.kernels.q4.Q4GemvNative.forVariant(variant));
    }

    private static KernelInfo<io.minnow.engine.kernels.q4.Q4Gemm> nativeQ4Gemm(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.q4.Q4GemmNative.idOf(variant), "q4-gemm", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.q4.Q4GemmNative.supports(variant),
                () -> io.minnow.engine.kernels.q4.Q4GemmNative.forVariant(variant));
    }

    private static KernelInfo<io.minnow.engine.kernels.q8.Qs8Gemm> nativeQs8Gemm(BackendConfig cfg, int variant, String requires, int rank) {
        return new KernelInfo<>(io.minnow.engine.kernels.q8.Qs8GemmNative.idOf(variant), "qs8-gemm", requires, rank,
                () -> cfg.nativeAllowed() && io.minnow.engine.kernels.q8.Qs8GemmNative.supports(variant),
                () -> io.minnow.engine.kernels.q8.Qs8GemmNative.forVariant(variant));
    }
}
