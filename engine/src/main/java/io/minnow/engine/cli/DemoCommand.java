package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Session;
import io.minnow.engine.bench.Bench;
import io.minnow.engine.bench.BenchResult;
import io.minnow.engine.data.Dataset;
import io.minnow.engine.kernels.Kernels;
import io.minnow.formats.MinnowException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code minnow demo}: every bundled model on Fashion-MNIST (the full test set when the Debian package is
 * installed, else the bundled sample) — accuracy next to the accuracy it was trained to
 * ({@code models/accuracy.json}), then batch-1 latency — as one aligned table.
 */
@Command(name = "demo", description = "Evaluate and benchmark the bundled models on Fashion-MNIST; print a table.")
final class DemoCommand implements Callable<Integer> {
    /** The bundled models, smallest first; any other .onnx under models/ follows in name order. */
    private static final List<String> ORDER = List.of("lenet300", "lenet5", "resnet", "mobilenet");
    /** Time spent measuring latency per model. */
    private static final long BENCH_BUDGET_NANOS = 1_500_000_000L;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--models", paramLabel = "DIR", description = "Directory of .onnx/.mnw models (default: models/ in the repository).")
    Path modelsDir;

    @Option(names = "--dataset", paramLabel = "D", defaultValue = "fashion-mnist",
            description = "fashion-mnist or idx:IMAGES,LABELS (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N images.")
    Integer limit;

    @Option(names = "--calib-n", paramLabel = "N", defaultValue = "500", description = "Calibration images for q8/q4 (default: ${DEFAULT-VALUE}).")
    int calibN;

    @Option(names = "--no-compress", description = "Only the float32 table (skip compressing into q8/q4).")
    boolean noCompress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Path root = RepoRoot.find();
        Path dir = modelsDir != null ? modelsDir : root.resolve("models");
        List<Path> models = list(dir);
        Dataset data = Dataset.open(dataset, root);
        if (limit != null) data = data.limit(limit);

        main.announce(Kernels.select(main.options().backend()), err); // before the table, not inside it
        String us = Format.microUnit();
        int nameWidth = Math.max(5, models.stream().mapToInt(p -> stem(p).length()).max().orElse(5));
        String fmt = "%-" + nameWidth + "s  %10s  %10s  %8s  %9s  %9s  %9s%n";
        Map<String, Double> reference = referenceAccuracy(dir.resolve("accuracy.json"));
        out.printf("%s: %d images; latency at batch 1, %d thread%s%n", data.name(), data.size(), main.threads(),
                main.threads() == 1 ? "" : "s");
        out.printf(fmt, "model", "params", "bytes", "accuracy", "reference", "p50 " + us, "p99 " + us);
        out.flush();
        for (Path file : models) {
            try (Model m = main.load(file, err)) {
                ModelSummary s = ModelSummary.of(file.toString(), Files.size(file), m.definition());
                var acc = Evaluation.run(m, data, Evaluation.batchFor(m, 100), new Progress(err, stem(file), data.size()));
                long b = Math.max(Shapes.fixedBatch(m.inputs().getFirst()), 1);
                var inputs = BenchCommand.randomInputs(m, b);
                BenchResult r;
                try (Session session = m.newSession()) {
                    r = Bench.measureFor(BENCH_BUDGET_NANOS, 30, 30, 5000, () -> session.run(inputs));
                }
                Double ref = reference.get(stem(file));
                out.printf(fmt, stem(file), Format.count(s.params()), Format.bytes(s.weightBytes()), Format.percent(acc.accuracy()),
                        ref == null ? "-" : Format.percent(ref), Format.micros(r.p50Micros()), Format.micros(r.p99Micros()));
                out.flush();
            }
        }
        if (noCompress) return 0;
        // the main job: each model compressed into every encoding Minnow executes, compared on the same data
        Dataset calib = CompressCommand.openCalibration(dataset, err);
        out.printf("%nencodings (calibrated on %d images of %s; q8 = int8, q4 = int4 Gemm/1x1 + int8 other convs):%n",
                Math.min(calibN, calib.size()), calib.name());
        EncodingComparison.printHeader(out);
        out.flush();
        Path tmp = Files.createTempDirectory("minnow-demo");
        try {
            for (Path file : models) {
                for (EncodingComparison.Row r : EncodingComparison.run(stem(file), io.minnow.engine.api.ModelFiles.read(file),
                        main.options(), data, calib, calibN, tmp, err)) {
                    EncodingComparison.print(out, stem(file), r);
                    out.flush();
                }
            }
        } finally {
            try (Stream<Path> s = Files.list(tmp)) {
                for (Path f : s.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(tmp);
        }
        return 0;
    }

    /**
     * The accuracy each model was trained to (PyTorch, full 10 000-image test set), from
     * {@code models/accuracy.json} ({@code {"lenet5": {"correct": .., "n": .., "accuracy": 0.91}, ...}}); empty if absent.
     */
    static Map<String, Double> referenceAccuracy(Path file) throws IOException {
        Map<String, Double> m = new HashMap<>();
        if (!Files.isRegularFile(file)) return m;
        Matcher e = ENTRY.matcher(Files.readString(file));
        while (e.find()) m.put(e.group(1), Double.parseDouble(e.group(2)));
        return m;
    }

    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\\{[^{}]*?\"accuracy\"\\s*:\\s*([0-9.eE+-]+)");

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new MinnowException(dir + ": no models directory");
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".onnx") || p.toString().endsWith(".mnw"))).forEach(found::add);
        }
        if (found.isEmpty()) throw new MinnowException(dir + ": no .onnx or .mnw models");
        found.sort(Comparator.<Path>comparingInt(p -> {
            int i = ORDER.indexOf(stem(p));
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(Path::toString));
        return found;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
