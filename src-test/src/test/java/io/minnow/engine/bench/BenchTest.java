package io.minnow.engine.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The statistics and the run counts; never the wall-clock values themselves. */
class BenchTest {
    @Test
    void nearestRankPercentiles() {
        long[] s = new long[100];
        for (int i = 0; i < 100; i++) s[i] = 100 - i; // unsorted on purpose
        BenchResult r = BenchResult.of(s);
        assertEquals(100, r.runs());
        assertEquals(50, r.p50Nanos());
        assertEquals(99, r.p99Nanos());
        assertEquals(1, r.minNanos());
        assertEquals(100, r.maxNanos());
        assertEquals(50.5, r.meanNanos(), 1e-9);
        assertEquals(100, s[0], "input left unsorted");

        BenchResult one = BenchResult.of(new long[]{7});
        assertEquals(7, one.p50Nanos());
        assertEquals(7, one.p99Nanos());

        BenchResult three = BenchResult.of(new long[]{30, 10, 20});
        assertEquals(20, three.p50Nanos());
        assertEquals(30, three.p99Nanos());
        assertEquals(0.02, three.p50Micros(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> BenchResult.of(new long[0]));
    }

    @Test
    void warmsUpThenTimesEachRun() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        BenchResult r = Bench.measure(5, 12, calls::incrementAndGet);
        assertEquals(17, calls.get());
        assertEquals(12, r.runs());
        assertTrue(r.minNanos() >= 0 && r.minNanos() <= r.p50Nanos() && r.p50Nanos() <= r.p99Nanos() && r.p99Nanos() <= r.maxNanos());

        calls.set(0);
        BenchResult bounded = Bench.measureFor(1_000_000L, 2, 3, 10, calls::incrementAndGet);
        assertTrue(bounded.runs() >= 3 && bounded.runs() <= 10, "runs " + bounded.runs());
        assertEquals(2 + bounded.runs(), calls.get());
        assertThrows(IllegalArgumentException.class, () -> Bench.measure(0, 0, () -> null));
    }

    @Test
    void interleavedTurnsAlternateTheOrderAndKeepEverySample() throws Exception {
        StringBuilder order = new StringBuilder();
        // zero warm-up and turn time: exactly one run each to warm, then one run per turn
        long[][] s = Bench.interleaved(0, 4, 0, java.util.List.of(() -> order.append('a'), () -> order.append('b'),
                () -> order.append('c')));
        assertEquals("abc" + "abc" + "cba" + "abc" + "cba", order.toString());
        assertEquals(3, s.length);
        for (long[] body : s) {
            assertEquals(4, body.length);
            for (long v : body) assertTrue(v >= 0);
        }

        AtomicInteger calls = new AtomicInteger();
        long[][] many = Bench.interleaved(0, 3, 2_000_000L, java.util.List.of(calls::incrementAndGet));
        assertEquals(calls.get() - 1, many[0].length, "every timed run is a sample (one warm-up run)");
        assertTrue(many[0].length >= 3);
        assertThrows(IllegalArgumentException.class, () -> Bench.interleaved(0, 0, 0, java.util.List.of(() -> null)));
        assertThrows(IllegalArgumentException.class, () -> Bench.interleaved(0, 1, 0, java.util.List.of()));
    }
}
