package io.minnow.engine.cli;

import io.minnow.engine.api.ModelFiles;
import io.minnow.engine.data.Dataset;
import io.minnow.engine.kernels.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code minnow compare MODEL --dataset D [--report DIR] [--json]}: the model as f32, q8 and q4 side by side — bytes,
 * ratio, accuracy, batch-1 p50, speed-up over f32. {@code --json}: one object per encoding
 * {@code {"encoding","bytes","ratio","accuracy","p50_us","speedup"}}. {@code --report DIR} keeps the .mnw files and
 * writes {@code compare.json} and {@code compare.md} there.
 */
@Command(name = "compare", description = "Compare the encodings of a model: bytes, ratio, accuracy, p50 latency, speed-up over f32.")
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "MODEL", description = "A float32 .onnx or .mnw model.")
    Path model;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", paramLabel = "D", description = "Evaluation dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N images.")
    Integer limit;

    @Option(names = "--calib", defaultValue = "fashion-mnist", paramLabel = "D", description = "Calibration dataset (fashion-mnist: its training split when installed).")
    String calib;

    @Option(names = "--calib-n", defaultValue = "1000", paramLabel = "N", description = "Calibration samples (default: ${DEFAULT-VALUE}).")
    int calibN;

    @Option(names = "--report", paramLabel = "DIR", description = "Keep the .mnw files and write compare.json / compare.md here.")
    Path report;

    @Option(names = "--json", description = "One JSON object per encoding.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Dataset eval = Dataset.open(dataset, RepoRoot.find());
        if (limit != null) eval = eval.limit(limit);
        Dataset cal = CompressCommand.openCalibration(calib, err);
        main.announce(Kernels.select(main.options().backend()), err);
        Path dir = report != null ? Files.createDirectories(report) : Files.createTempDirectory("minnow-compare");
        String name = DemoCommand.stem(model);
        List<EncodingComparison.Row> rows;
        try {
            rows = EncodingComparison.run(name, ModelFiles.read(model), main.options(), eval, cal, calibN, dir, err);
        } finally {
            if (report == null) deleteTree(dir);
        }
        StringBuilder md = new StringBuilder("| encoding | bytes | ratio | accuracy | p50 us | speed-up |\n|---|---:|---:|---:|---:|---:|\n");
        StringBuilder js = new StringBuilder();
        if (!json) {
            out.printf("%s on %d images of %s; p50 at batch 1, %d thread%s%n", model, eval.size(), eval.name(), main.threads(), main.threads() == 1 ? "" : "s");
            EncodingComparison.printHeader(out);
        }
        for (EncodingComparison.Row r : rows) {
            String line = Json.write(r.json());
            js.append(line).append('\n');
            md.append(String.format("| %s | %d | %.2fx | %.2f%% | %.1f | %.2fx |%n", r.encoding(), r.bytes(), r.ratio(), 100 * r.accuracy(), r.p50Micros(), r.speedup()));
            if (json) out.println(line);
            else EncodingComparison.print(out, name, r);
        }
        if (report != null) {
            Files.writeString(report.resolve("compare.json"), js.toString());
            Files.writeString(report.resolve("compare.md"), md.toString());
        }
        out.flush();
        return 0;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }
}
