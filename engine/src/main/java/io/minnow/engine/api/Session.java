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
    private final Map<Plan, PlanRunner> runners = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Plan, PlanRunner> e) {
            return size() > MAX_RUNNERS;
        }
    };
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
        return model.name(chunk > 0 ? runChunked(bound, shapes, chunk) : runner(plan).run(bound));
    }

    /**
     * The batch as consecutive chunks of {@code chunk} images (the last one shorter), each through the plan
     * for its own shapes; the outputs are assembled in place. Every input and output has the batch as
     * dimension 0 (BatchSplit checked), so chunks are views of the inputs and slices of the outputs.
     */
    private Tensor[] runChunked(Tensor[] bound, long[][] shapes, int chunk) {
        long batch = shapes[0][0];
        Tensor[] out = null;
        for (long b0 = 0; b0 < batch; b0 += chunk) {
            long c = Math.min(chunk, batch - b0);
            Tensor[] part = new Tensor[bound.length];
            long[][] partShapes = new long[bound.length][];
            for (int i = 0; i < bound.length; i++) {
                part[i] = bound[i].sliceBatch(b0, c);
                partShapes[i] = part[i].shape();
            }
            Tensor[] r = runner(model.plan(partShapes)).runShared(part);
            if (out == null) {
                out = new Tensor[r.length];
                for (int o = 0; o < r.length; o++) {
                    long[] s = r[o].shape();
                    s[0] = batch;
                    out[o] = Tensor.allocateHeap(r[o].type(), s);
                }
            }
            for (int o = 0; o < r.length; o++) {
                java.lang.foreign.MemorySegment.copy(r[o].data(), 0, out[o].sliceBatch(b0, c).data(), 0, r[o].byteSize());
            }
        }
        if (profile != null) profile.endRun();
        return out;
    }

    private PlanRunner runner(Plan plan) {
        PlanRunner r = runners.get(plan);
        if (r == null) {
            r = new PlanRunner(plan, model.pool(), model.kernels());
            r.profile(profile);
            runners.put(plan, r);
        }
        return r;
    }

    /** Times every step by op type from now on (null stops); read the totals from the profile. */
    public void profile(io.minnow.engine.exec.OpProfile p) {
        this.profile = p;
        for (PlanRunner r : runners.values()) r.profile(p);
    }

    @Override
    public void close() {
        runners.clear();
    }
}
