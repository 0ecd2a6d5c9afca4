package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.f32.F32Gemm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints {@code @Param} lists for this machine and these models, comma-separated, for {@code -p name=...}
 * (used by {@code tools/perf/run-all.sh}):
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.minnow.jmh.BenchParams gemm-kernels   # f32-gemm ids this CPU runs, + openblas
 * java -cp jmh/target/benchmarks.jar io.minnow.jmh.BenchParams conv-layers [--no-r18] [--describe] [MODEL...]
 * </pre>
 * {@code conv-layers}: one layer per distinct shape of the models (default resnet, mobilenet), then the
 * ResNet-18 shapes; {@code --describe} prints one line per layer with its shape, MFLOP and how many of the
 * model's convs share it.
 */
public final class BenchParams {
    private BenchParams() {}

    /** Every non-scalar f32-gemm id this machine can run (each Vector API width up to the preferred one), then openblas. */
    static List<String> gemmKernels() {
        BackendConfig cfg = BackendConfig.fromSystemProperties();
        Set<String> ids = new LinkedHashSet<>();
        List<KernelInfo<F32Gemm>> all = new ArrayList<>(KernelRegistry.f32Gemm(cfg));
        for (int w : new int[]{512, 256, 128}) all.addAll(KernelRegistry.f32Gemm(new BackendConfig(false, w)));
        for (KernelInfo<F32Gemm> k : all) {
            if (!k.id().equals("f32-gemm-scalar") && k.isAvailable()) ids.add(k.id());
        }
        ids.add("openblas");
        return List.copyOf(ids);
    }

    public static void main(String[] args) {
        if (args.length == 0) usage();
        switch (args[0]) {
            case "gemm-kernels" -> System.out.println(String.join(",", gemmKernels()));
            case "conv-layers" -> {
                boolean r18 = true, describe = false;
                List<String> models = new ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    switch (args[i]) {
                        case "--no-r18" -> r18 = false;
                        case "--describe" -> describe = true;
                        default -> models.add(args[i]);
                    }
                }
                if (models.isEmpty()) models = ConvLayers.MODELS;
                Path root = Path.of(System.getProperty("minnow.root", "."));
                Map<String, Integer> layers = ConvLayers.distinct(models, root, r18);
                if (!describe) {
                    System.out.println(String.join(",", layers.keySet()));
                } else {
                    for (var e : layers.entrySet()) {
                        ConvLayer l = ConvLayers.resolve(e.getKey(), root);
                        System.out.printf("%-22s %-34s %9.2f MFLOP  x%d%n", e.getKey(), l.shape(), l.flops() / 1e6, e.getValue());
                    }
                }
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: BenchParams gemm-kernels | conv-layers [--no-r18] [--describe] [MODEL...]");
        System.exit(2);
    }
}
