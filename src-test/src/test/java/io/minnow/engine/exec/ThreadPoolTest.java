package io.minnow.engine.exec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The intra-op pool: every index exactly once, errors surface, concurrent and nested callers are safe. */
class ThreadPoolTest {
    @Test
    void coversEveryIndexOnceForManySizes() {
        try (ThreadPool pool = new ThreadPool(3)) {
            for (int n : new int[]{1, 2, 3, 5, 17, 1000, 4097}) {
                for (int grain : new int[]{1, 7, 64, 10_000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.forRange(n, grain, (s, e) -> { for (int i = s; i < e; i++) hits.incrementAndGet(i); });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " grain=" + grain + " index " + i);
                }
            }
        }
    }

    @Test
    void workerExceptionReachesTheCaller() {
        try (ThreadPool pool = new ThreadPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forRange(100, 1, (s, end) -> {
                if (s > 0) throw new IllegalStateException("chunk " + s);
            }));
            assertTrue(String.valueOf(e.getMessage()).startsWith("chunk"), String.valueOf(e));
            AtomicIntegerArray hits = new AtomicIntegerArray(10); // still usable afterwards
            pool.forRange(10, 1, (s, end) -> { for (int i = s; i < end; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void nestedAndConcurrentCallsComplete() throws Exception {
        try (ThreadPool pool = new ThreadPool(2)) {
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> results = new ArrayList<>();
                for (int c = 0; c < 16; c++) {
                    results.add(callers.submit(() -> {
                        long[] sums = new long[64];
                        pool.forRange(64, 1, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                int row = i;
                                long[] inner = new long[1];
                                pool.forRange(100, 10, (a, b) -> { // nested: runs inline
                                    long t = 0;
                                    for (int j = a; j < b; j++) t += j;
                                    synchronized (inner) { inner[0] += t; }
                                });
                                sums[row] = inner[0];
                            }
                        });
                        long total = 0;
                        for (long v : sums) total += v;
                        return total;
                    }));
                }
                for (Future<Long> f : results) assertEquals(64L * 4950, f.get());
            } finally {
                callers.shutdown();
            }
        }
    }

    /** Bodies learn a slot per running thread: the caller 0, each worker its own index below threads. */
    @Test
    void slotsAreStablePerThreadAndBelowTheThreadCount() {
        try (ThreadPool pool = new ThreadPool(3)) {
            assertEquals(0, pool.slotOf(Thread.currentThread()));
            java.util.Map<Thread, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
            for (int round = 0; round < 50; round++) {
                pool.forRange(64, 1, (s, e) -> {
                    int slot = pool.slotOf(Thread.currentThread());
                    assertTrue(slot >= 0 && slot < 3, "slot " + slot);
                    Integer before = seen.putIfAbsent(Thread.currentThread(), slot);
                    assertTrue(before == null || before == slot, "a thread changed slot");
                });
            }
            assertEquals(seen.size(), new java.util.HashSet<>(seen.values()).size(), "two threads share a slot: " + seen);
        }
    }
}
