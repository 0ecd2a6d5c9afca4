package io.minnow.engine.exec;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed intra-op pool in the OpenMP style: {@code threads - 1} workers plus the calling thread. A loop is
 * cut into up to {@value #CHUNKS_PER_THREAD} chunks per thread, and every participant — the caller first —
 * claims chunks from a shared counter until none are left, so a worker the OS has descheduled (a busy
 * machine) delays nothing: the others simply take its chunks. Workers spin briefly after each job before
 * parking, because an op issues many short parallel loops in a row and waking a parked thread costs more
 * than most of those loops (a ForkJoinPool here made two threads slower than one). Chunk boundaries
 * depend only on n, grain and the thread count, never on timing; which thread runs a chunk does, and
 * ops never depend on that.
 *
 * <p>One job at a time: a call that finds the pool busy (another session, or a nested loop) runs its
 * loop on the calling thread, which gives the same results since ops never depend on the split.
 */
public final class ThreadPool implements Parallel, AutoCloseable {
    /** How long an idle worker spins before parking. */
    private static final long SPIN_NANOS = 200_000;
    /** Chunks per thread: enough slack for dynamic balancing, few enough that claiming stays cheap. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job; // the current (or last) loop; workers compare identities to see a new one
    private volatile boolean closed;

    /** One parallel loop: immutable but for its counters, so a late worker can only see an exhausted job. */
    private static final class Job {
        final RangeBody body;
        final int n, chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none are left. */
        void help() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run(bound(n, chunks, c), bound(n, chunks, c + 1));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("minnow-intra-op-" + (i + 1)).start(this::work);
        }
    }

    @Override
    public int threads() {
        return threads;
    }

    /**
     * A stable index in [0, threads) for the thread running a {@link #forRange} body: i + 1 for this pool's
     * worker i, 0 for any other thread (the caller, which runs chunks too).
     */
    public int slotOf(Thread t) {
        for (int i = 0; i < workers.length; i++) if (workers[i] == t) return i + 1;
        return 0;
    }

    @Override
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = (int) Math.min((long) threads * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Job j = new Job(body, n, chunks);
            job = j; // publishes the job
            for (int i = 0; i < Math.min(workers.length, chunks - 1); i++) LockSupport.unpark(workers[i]);
            j.help();
            long waitStart = System.nanoTime();
            while (j.done.get() < chunks) { // chunks still running elsewhere: spin a little, then yield the core
                if (System.nanoTime() - waitStart < SPIN_NANOS) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable t = j.failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            busy.set(false);
        }
    }

    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private void work() {
        Job seen = null;
        while (!closed) {
            long start = System.nanoTime();
            Job j;
            while ((j = job) == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 10_000_000L);
            }
            if (closed) return;
            seen = j;
            j.help();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
