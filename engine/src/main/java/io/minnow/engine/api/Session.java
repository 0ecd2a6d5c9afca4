package io.minnow.engine.api;

import io.minnow.engine.plan.Plan;
import io.minnow.engine.plan.PlanRunner;

import java.util.Map;

/**
 * One arena per plan, for one thread at a time. {@link Model#run} pools these; hold one yourself to keep
 * its arena warm in a loop.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private PlanRunner runner;
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
        if (runner == null || runner.plan() != plan) {
            runner = new PlanRunner(plan, model.pool(), model.kernels());
            runner.profile(profile);
        }
        return model.name(runner.run(bound));
    }

    /** Times every step by op type from now on (null stops); read the totals from the profile. */
    public void profile(io.minnow.engine.exec.OpProfile p) {
        this.profile = p;
        if (runner != null) runner.profile(p);
    }

    @Override
    public void close() {
        runner = null;
    }
}
