package io.minnow.engine.api;

import io.minnow.engine.kernels.BackendConfig;

/**
 * How a model is loaded and run.
 *
 * @param threads  intra-op threads per run (default 1: latency-critical services run many requests at once)
 * @param backend  which kernels may be used (native library, Vector API width)
 * @param optimize graph optimisations (BatchNorm folding, activation fusion); off only for debugging
 * @param batchSplit run a batch in chunks of images that stay in cache, where the graph allows it
 *                   ({@link io.minnow.engine.plan.BatchSplit}); off runs every batch in one piece
 */
public record Options(int threads, BackendConfig backend, boolean optimize, boolean batchSplit) {
    public Options {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** 1 thread, backend from system properties, optimisations on. */
    public static Options defaults() {
        return new Options(1, BackendConfig.fromSystemProperties(), true, true);
    }

    public Options withThreads(int t) { return new Options(t, backend, optimize, batchSplit); }
    public Options withBackend(BackendConfig b) { return new Options(threads, b, optimize, batchSplit); }
    public Options withOptimize(boolean o) { return new Options(threads, backend, o, batchSplit); }
    public Options withBatchSplit(boolean on) { return new Options(threads, backend, optimize, on); }
}
