package io.minnow.engine.api;

import io.minnow.engine.plan.Plan;
import io.minnow.engine.plan.PlanRunner;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Arenas for one thread at a time: one {@link PlanRunner} per plan, the few most recent kept, so alternating
 * shapes (or a batch run in chunks, see {@link io.minnow.engine.plan.BatchSplit}) reuse warm memory instead of
 * faulting in a new arena each call. {@link Model#run} pools these; hold one yourself to keep it warm in a loop.
 */
public final class Session implements AutoCloseable {
    /** Plans whose runners stay: a whole batch, its chunk, the last chunk's remainder, and one more shape. */
    private static final int MAX_RUNNERS = 4;

    private final Model model;
    private final Map<Plan, PlanRunner> runners = lru();
    /** Per pool slot ({@link io.minnow.engine.exec.ThreadPool#slotOf}), for a batch's chunks run on several threads:
        runners whose ops run inline (see runChunked). */
    private final Map<Integer, Map<Plan, PlanRunner>> workerRunners = new java.util.concurrent.ConcurrentHashMap<>();
    private io.minnow.engine.exec.OpProfile profile;

    Session(Model model) {
        this.model = model;
    }

    /** Runs with named inputs; returns the outputs by name (copies, owned by the caller). */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Tensor[] bound = model.bind(inputs);
        long[][] shapes = new long[bound.length][];
        for (int i = 0; i < bound.length; i++) shapes[i] = bound[i].shape();
        Plan plan = model.plan(shapes);
        int chunk = model.batchChunk(plan);
        return model.name(chunk > 0 ? runChunked(plan, bound, shapes, chunk) : runner(plan).run(bound));
    }

    /**
     * The batch as consecutive chunks of {@code chunk} images (the last one shorter), each through the plan
     * for its own shapes; the outputs are assembled in place. Every input and output has the batch as
     * dimension 0 (BatchSplit checked), so chunks are views of the inputs and slices of the outputs.
     *
     * <p>With more than one intra-op thread the chunks themselves are shared out between the threads, each
     * running whole chunks through its own runner with its ops inline: one hand-off per batch instead of one
     * per op per chunk (MobileNet at batch 64 on 2 threads paid about 220 of them, and ran slower than on one
     * thread). Each chunk computes exactly what it computes on one thread, so the results do not change.
     */
    private Tensor[] runChunked(Plan whole, Tensor[] bound, long[][] shapes, int chunk) {
        long batch = shapes[0][0];
        int chunks = Math.toIntExact((batch + chunk - 1) / chunk);
        Tensor[] out = new Tensor[whole.outputCount()];
        for (int o = 0; o < out.length; o++) out[o] = Tensor.allocateHeap(whole.outputType(o), whole.outputShape(o));
        io.minnow.engine.exec.ThreadPool pool = model.pool();
        if (pool.threads() > 1 && profile == null && chunks > 1) {
            pool.forRange(chunks, 1, (s, e) -> {
                Map<Plan, PlanRunner> mine = workerRunners.computeIfAbsent(pool.slotOf(Thread.currentThread()), t -> lru());
                for (int i = s; i < e; i++) runChunk(mine, io.minnow.engine.exec.Parallel.INLINE, bound, i * (long) chunk, chunk, batch, out);
            });
        } else {
            for (int i = 0; i < chunks; i++) runChunk(runners, pool, bound, i * (long) chunk, chunk, batch, out);
            if (profile != null) profile.endRun();
        }
        return out;
    }

    /** Images [b0, b0 + chunk) (fewer at the end of the batch) through a runner from {@code from}, copied into out. */
    private void runChunk(Map<Plan, PlanRunner> from, io.minnow.engine.exec.Parallel parallel, Tensor[] bound, long b0,
                          int chunk, long batch, Tensor[] out) {
        long c = Math.min(chunk, batch - b0);
        Tensor[] part = new Tensor[bound.length];
        long[][] partShapes = new long[bound.length][];
        for (int i = 0; i < bound.length; i++) {
            part[i] = bound[i].sliceBatch(b0, c);
            partShapes[i] = part[i].shape();
        }
        Tensor[] r = runner(from, model.plan(partShapes), parallel).runShared(part);
        for (int o = 0; o < r.length; o++) {
            java.lang.foreign.MemorySegment.copy(r[o].data(), 0, out[o].sliceBatch(b0, c).data(), 0, r[o].byteSize());
        }
    }

    private PlanRunner runner(Plan plan) {
        return runner(runners, plan, model.pool());
    }

    private PlanRunner runner(Map<Plan, PlanRunner> from, Plan plan, io.minnow.engine.exec.Parallel parallel) {
        PlanRunner r = from.get(plan);
        if (r == null) {
            r = new PlanRunner(plan, parallel, model.kernels());
            r.profile(profile);
            from.put(plan, r);
        }
        return r;
    }

    private static Map<Plan, PlanRunner> lru() {
        return new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Plan, PlanRunner> e) {
                return size() > MAX_RUNNERS;
            }
        };
    }

    /** Times every step by op type from now on (null stops); read the totals from the profile. */
    public void profile(io.minnow.engine.exec.OpProfile p) {
        this.profile = p;
        for (PlanRunner r : runners.values()) r.profile(p);
    }

    @Override
    public void close() {
        runners.clear();
        workerRunners.clear();
    }
}
