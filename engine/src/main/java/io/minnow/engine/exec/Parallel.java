package io.minnow.engine.exec;

/** The intra-op thread pool as ops see it. Splitting must not change results (each index computed once). */
public interface Parallel {
    /** Number of threads work is split over (1 = run inline). */
    int threads();

    /** Runs {@code body} over [0, n) in contiguous chunks of at least {@code grain}; returns when all are done. */
    void forRange(int n, int grain, RangeBody body);

    @FunctionalInterface
    interface RangeBody {
        void run(int start, int end);
    }

    /** Runs everything on the calling thread. */
    Parallel INLINE = new Parallel() {
        @Override public int threads() { return 1; }
        @Override public void forRange(int n, int grain, RangeBody body) { if (n > 0) body.run(0, n); }
    };
}
