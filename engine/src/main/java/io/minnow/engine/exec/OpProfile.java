package io.minnow.engine.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time spent per op type across the runs of one session (see {@code Session.profile}). Not thread-safe:
 * a session runs one call at a time. Costs two {@code nanoTime} calls per step, only when attached.
 */
public final class OpProfile {
    /** One op type's totals. */
    public record Entry(String op, long calls, long nanos) {}

    private final Map<String, long[]> byOp = new LinkedHashMap<>();
    private final boolean perNode;
    private long runs;

    /** Totals per op type. */
    public OpProfile() {
        this(false);
    }

    /** Totals per node ({@code "OpType node-name"}) when {@code perNode}, else per op type. */
    public OpProfile(boolean perNode) {
        this.perNode = perNode;
    }

    /** True when entries are per node. */
    public boolean perNode() {
        return perNode;
    }

    /** Records one step of {@code op} that took {@code nanos}. */
    public void record(String op, long nanos) {
        long[] t = byOp.computeIfAbsent(op, k -> new long[2]);
        t[0]++;
        t[1] += nanos;
    }

    /** Marks the end of one run. */
    public void endRun() {
        runs++;
    }

    public long runs() {
        return runs;
    }

    /** Entries, most time first. */
    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        byOp.forEach((op, t) -> list.add(new Entry(op, t[0], t[1])));
        list.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return list;
    }

    public void reset() {
        byOp.clear();
        runs = 0;
    }
}
