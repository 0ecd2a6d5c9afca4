package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.bench.Bench;
import io.minnow.engine.bench.BenchResult;
import io.minnow.formats.ValueInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code minnow bench MODEL [--batch N] [--threads T] [--iters N] [--warmup N] [--json]}: latency of one
 * run on random input of the model's input shape, timed run by run (p50/p99). For reported numbers use
 * the JMH suites; this is the quick look.
 */
@Command(name = "bench", description = "Latency of one run on random input: p50/p99 in microseconds.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnw file.")
    Path model;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the model's fixed batch, else 1).")
    Integer batch;

    @Option(names = "--iters", paramLabel = "N", defaultValue = "200", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "50", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--profile", description = "Also print the time per op type (from a second, profiled pass of the same runs).")
    boolean profile;

    @Option(names = "--profile-nodes", description = "With --profile: time per node (op type and node name) instead of per op type.")
    boolean profileNodes;

    @Option(names = "--json", description = "Print one line {\"model\",\"batch\",\"threads\",\"p50_us\",\"p99_us\"}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (iters < 1) throw new io.minnow.formats.MinnowException("--iters must be >= 1, got " + iters);
        if (warmup < 0) throw new io.minnow.formats.MinnowException("--warmup must be >= 0, got " + warmup);
        if (batch != null && batch < 1) throw new io.minnow.formats.MinnowException("--batch must be >= 1, got " + batch);
        try (Model m = main.load(model, err)) {
            long b = batch != null ? batch : Math.max(Shapes.fixedBatch(m.inputs().getFirst()), 1);
            BenchResult r = time(m, b, warmup, iters);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", model.toString());
                o.put("batch", b);
                o.put("threads", main.threads());
                o.put("p50_us", r.p50Micros());
                o.put("p99_us", r.p99Micros());
                out.println(Json.write(o));
            } else {
                String us = Format.microUnit();
                out.printf("%s: batch %d, %d thread%s: p50 %s %s, p99 %s %s (mean %s %s, %d runs after %d warm-up)%n",
                        model, b, main.threads(), main.threads() == 1 ? "" : "s", Format.micros(r.p50Micros()), us,
                        Format.micros(r.p99Micros()), us, Format.micros(r.meanMicros()), us, r.runs(), warmup);
            }
            if (profile || profileNodes) printProfile(m, b, warmup, iters, profileNodes, json ? err : out);
        }
        out.flush();
        return 0;
    }

    /** Runs again with per-step timing (kept apart from the latency numbers above, which it would perturb). */
    static void printProfile(Model m, long b, int warmup, int iters, boolean perNode, PrintWriter w) throws Exception {
        Map<String, Tensor> inputs = randomInputs(m, b);
        var prof = new io.minnow.engine.exec.OpProfile(perNode);
        try (Session s = m.newSession()) {
            for (int i = 0; i < warmup; i++) s.run(inputs);
            s.profile(prof);
            for (int i = 0; i < iters; i++) s.run(inputs);
        }
        long total = 0;
        for (var e : prof.entries()) total += e.nanos();
        int width = Math.max(20, prof.entries().stream().mapToInt(e -> e.op().length()).max().orElse(20));
        w.printf("%-" + width + "s %8s %12s %7s%n", perNode ? "node" : "op", "steps/run", "µs/run", "share");
        for (var e : prof.entries()) {
            w.printf("%-" + width + "s %8.1f %12.1f %6.1f%%%n", e.op(), (double) e.calls() / prof.runs(),
                    e.nanos() / 1e3 / prof.runs(), 100.0 * e.nanos() / Math.max(total, 1));
        }
        w.flush();
    }

    /** Random inputs of every declared input at batch {@code b}; one session, so the arena stays warm. */
    static Map<String, Tensor> randomInputs(Model m, long b) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        long seed = 42;
        for (ValueInfo vi : m.inputs()) {
            inputs.put(vi.name(), Shapes.random(io.minnow.engine.ir.Graph.typeOrFloat(vi), Shapes.withBatch(vi, b), seed++));
        }
        return inputs;
    }

    static BenchResult time(Model m, long b, int warmup, int iters) throws Exception {
        Map<String, Tensor> inputs = randomInputs(m, b);
        try (Session s = m.newSession()) {
            return Bench.measure(warmup, iters, () -> s.run(inputs));
        }
    }
}
