package io.minnow.engine.api;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.plan.NhwcLayout;

/**
 * How a model is loaded and run.
 *
 * @param threads  intra-op threads per run (default 1: latency-critical services run many requests at once)
 * @param backend  which kernels may be used (native library, Vector API width)
 * @param optimize graph optimisations (BatchNorm folding, activation fusion); off only for debugging
 * @param batchSplit run a batch in chunks of images that stay in cache, where the graph allows it
 *                   ({@link io.minnow.engine.plan.BatchSplit}); off runs every batch in one piece
 * @param layout   which conv regions run on channels-last activations ({@link NhwcLayout}; default from
 *                 {@code -Dminnow.layout}, auto); applies with optimisations on
 */
public record Options(int threads, BackendConfig backend, boolean optimize, boolean batchSplit, NhwcLayout.Mode layout) {
    public Options {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        java.util.Objects.requireNonNull(layout, "layout");
    }

    /** 1 thread, backend from system properties, optimisations on. */
    public static Options defaults() {
        return new Options(1, BackendConfig.fromSystemProperties(), true, true, NhwcLayout.Mode.fromSystemProperties());
    }

    public Options withThreads(int t) { return new Options(t, backend, optimize, batchSplit, layout); }
    public Options withBackend(BackendConfig b) { return new Options(threads, b, optimize, batchSplit, layout); }
    public Options withOptimize(boolean o) { return new Options(threads, backend, o, batchSplit, layout); }
    public Options withBatchSplit(boolean on) { return new Options(threads, backend, optimize, on, layout); }
    public Options withLayout(NhwcLayout.Mode l) { return new Options(threads, backend, optimize, batchSplit, l); }
}
