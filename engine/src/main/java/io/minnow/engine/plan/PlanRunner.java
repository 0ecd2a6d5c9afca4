package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.Parallel;
import io.minnow.engine.kernels.Kernels;
import io.minnow.formats.MinnowException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Runs one plan on one arena. Not thread-safe: a session owns one per plan and runs one call at a time.
 * Arena-planned tensors are created once here, so a run of a fully static plan allocates only the views
 * of its inputs and the copies of its outputs.
 */
public final class PlanRunner {
    private final Plan plan;
    private final MemorySegment arena;
    private final Tensor[] values;
    private final Tensor[] fixed; // arena tensors and constants, restored at the start of each run
    private final Execution exec;
    private MemorySegment[] staging; // per input, for inputs that are not off-heap (see staged)
    private io.minnow.engine.exec.OpProfile profile;

    public PlanRunner(Plan plan, Parallel parallel, Kernels kernels) {
        this.plan = plan;
        this.arena = Arena.ofAuto().allocate(Math.max(plan.arenaBytes, 64), 64);
        int n = plan.names.length;
        this.values = new Tensor[n];
        this.fixed = new Tensor[n];
        for (int v = 0; v < n; v++) {
            if (plan.constants[v] != null) fixed[v] = plan.constants[v];
            else if (plan.offsets[v] >= 0) {
                long bytes = Tensor.elementCount(plan.shapes[v]) * plan.types[v].byteSize;
                fixed[v] = Tensor.wrap(plan.types[v], plan.shapes[v], arena.asSlice(plan.offsets[v], Math.max(bytes, 0)));
            }
        }
        this.exec = new Execution(null, null, 0, null, null, null, parallel, kernels);
    }

    public Plan plan() {
        return plan;
    }

    /** Attaches a per-op timer (null detaches). */
    public void profile(io.minnow.engine.exec.OpProfile p) {
        this.profile = p;
    }

    /** Runs the plan. {@code inputs} follow the graph's input order; returns copies of the outputs. */
    public Tensor[] run(Tensor[] inputs) {
        Tensor[] out = runShared(inputs);
        for (int i = 0; i < out.length; i++) out[i] = out[i].heapCopy();
        if (profile != null) profile.endRun();
        return out;
    }

    /**
     * Runs the plan and returns the outputs where they lie (this runner's arena, a constant, an input): valid
     * until the next run, for a caller that copies them itself (a chunked batch). Does not end a profiled run.
     */
    public Tensor[] runShared(Tensor[] inputs) {
        System.arraycopy(fixed, 0, values, 0, values.length);
        for (int i = 0; i < plan.inputs.length; i++) values[plan.inputs[i]] = staged(i, inputs[i]);
        if (profile == null) {
            for (Step s : plan.steps) runStep(s);
        } else {
            for (Step s : plan.steps) {
                long t0 = System.nanoTime();
                runStep(s);
                profile.record(profile.perNode() ? s.node().opType + " " + s.node().displayName() : s.node().opType, System.nanoTime() - t0);
            }
        }
        Tensor[] out = new Tensor[plan.outputs.length];
        for (int i = 0; i < out.length; i++) {
            Tensor t = values[plan.outputs[i]];
            if (t == null) throw new MinnowException("graph output '" + plan.names[plan.outputs[i]] + "' was not computed");
            out[i] = t;
        }
        Arrays.fill(values, null);
        return out;
    }

    /**
     * Input {@code i} as kernels can read it: itself when off-heap and aligned, else a copy in this runner's
     * staging buffer for that input (made once; heap tensors such as a previous run's outputs come here).
     */
    private Tensor staged(int i, Tensor t) {
        if (t == null || t.isNativeAligned()) return t;
        if (staging == null) staging = new MemorySegment[plan.inputs.length];
        long bytes = t.byteSize();
        if (staging[i] == null || staging[i].byteSize() < bytes) staging[i] = Arena.ofAuto().allocate(Math.max(bytes, 1), 64);
        MemorySegment dst = staging[i].asSlice(0, bytes);
        MemorySegment.copy(t.data(), 0, dst, 0, bytes);
        return Tensor.wrap(t.type(), t.shape(), dst);
    }

    private void runStep(Step s) {
        int[] in = s.in(), out = s.out();
        Tensor[] ins = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) ins[i] = in[i] < 0 ? null : values[in[i]];
        Tensor[] outs = new Tensor[out.length];
        int view = s.op().viewOfInput();
        MemorySegment scratch = s.scratchOffset() >= 0 ? arena.asSlice(s.scratchOffset(), s.scratchBytes()) : null;
        if (s.dynamic()) {
            Inference inf = inferAtRunTime(s, ins);
            for (int o = 0; o < out.length; o++) {
                if (inf.outConstants[o] != null) outs[o] = inf.outConstants[o];
                else if (o == 0 && view >= 0) outs[o] = ins[view].reshape(inf.outShapes[0]);
                else outs[o] = Tensor.allocate(inf.outTypes[o], inf.outShapes[o]);
            }
            if (inf.scratchBytes > 0) scratch = Arena.ofAuto().allocate(inf.scratchBytes, 64);
        } else {
            for (int o = 0; o < out.length; o++) {
                int v = out[o];
                if (v < 0) {
                    continue;
                } else if (values[v] != null) {
                    outs[o] = values[v];
                } else if (o == 0 && view >= 0) {
                    outs[o] = ins[view].reshape(plan.shapes[v]);
                } else {
                    outs[o] = Tensor.allocate(plan.types[v], plan.shapes[v]);
                }
            }
        }
        if (view < 0) { // views share their input's memory: nothing to compute
            exec.nodeName = s.node().displayName();
            exec.attrs = s.attrs();
            exec.opset = plan.opset;
            exec.inputs = ins;
            exec.outputs = outs;
            exec.scratch = scratch;
            exec.prepared = s.prepared();
            s.op().execute(exec);
        }
        for (int o = 0; o < out.length; o++) if (out[o] >= 0) values[out[o]] = outs[o];
    }

    private Inference inferAtRunTime(Step s, Tensor[] ins) {
        var types = new io.minnow.formats.DataType[ins.length];
        long[][] shapes = new long[ins.length][];
        for (int i = 0; i < ins.length; i++) {
            if (ins[i] == null) continue;
            types[i] = ins[i].type();
            shapes[i] = ins[i].shape();
        }
        Inference inf = new Inference(s.node().displayName(), s.attrs(), plan.opset, types, shapes, ins, s.out().length);
        s.op().infer(inf);
        for (int o = 0; o < s.out().length; o++) {
            if (s.out()[o] >= 0 && (!inf.declared[o] || inf.outShapes[o] == null)) {
                throw new MinnowException("node '" + s.node().displayName() + "' (" + s.node().opType
                        + ") could not determine the shape of output " + o);
            }
        }
        return inf;
    }
}
