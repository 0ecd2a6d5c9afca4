package io.minnow.engine.exec;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed intra-op pool in the OpenMP style: {@code threads - 1} workers plus the calling thread, which
 * takes chunk 0 itself. Workers spin briefly after each job before parking, because an op issues many
 * short parallel loops in a row and waking a parked thread costs more than most of those loops (a
 * ForkJoinPool here made two threads slower than one). Chunk boundaries depend only on n, grain and the
 * thread count, never on timing.
 *
 * <p>One job at a time: a call that finds the pool busy (another session, or a nested loop) runs its
 * loop on the calling thread, which gives the same results since ops never depend on the split.
 */
public final class ThreadPool implements Parallel, AutoCloseable {
    /** How long an idle worker spins before parking. */
    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    // The current job; published by the volatile write of generation.
    private RangeBody body;
    private int n, chunks;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int chunk = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("minnow-intra-op-" + chunk).start(() -> work(chunk));
        }
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.failure = null;
            pending.set(chunks - 1);
            generation++; // publishes the job
            for (int i = 0; i < chunks - 1; i++) LockSupport.unpark(workers[i]);
            Throwable mine = null;
            try {
                body.run(0, bound(n, chunks, 1));
            } catch (Throwable t) {
                mine = t;
            }
            long waitStart = System.nanoTime();
            while (pending.get() > 0) { // spin a little, then let a descheduled worker have the core
                if (System.nanoTime() - waitStart < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable t = mine != null ? mine : failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error e) throw e;
        } finally {
            this.body = null;
            busy.set(false);
        }
    }

    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private void work(int chunk) {
        long seen = 0;
        while (!closed) {
            long start = System.nanoTime();
            long g;
            while ((g = generation) == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 10_000_000L);
            }
            if (closed) return;
            seen = g;
            if (chunk >= chunks) continue; // this job has fewer chunks than workers
            try {
                body.run(bound(n, chunks, chunk), bound(n, chunks, chunk + 1));
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
