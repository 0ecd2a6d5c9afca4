package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.data.Dataset;
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

/** {@code minnow eval MODEL --dataset D [--limit N] [--batch N] [--json]}: top-1 accuracy. */
@Command(name = "eval", description = "Top-1 accuracy of a classifier on an image dataset.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnw file.")
    Path model;

    @Option(names = "--dataset", required = true, paramLabel = "D",
            description = "fashion-mnist (the system test set if installed, else the bundled sample) or idx:IMAGES.gz,LABELS.gz")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N images.")
    Integer limit;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100",
            description = "Images per run (default: ${DEFAULT-VALUE}; a model with a fixed batch size uses its own).")
    int batch;

    @Option(names = "--json", description = "Print one line {\"model\",\"n\",\"accuracy\"}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Dataset data = Dataset.open(dataset, RepoRoot.find());
        if (limit != null) data = data.limit(limit);
        try (Model m = main.load(model, err)) {
            int b = Evaluation.batchFor(m, batch);
            var r = Evaluation.run(m, data, b, new Progress(err, "eval", data.size()));
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", model.toString());
                o.put("n", r.n());
                o.put("accuracy", r.accuracy());
                out.println(Json.write(o));
            } else {
                out.printf("%s: accuracy %s (%d/%d) on %s, batch %d, %.1f s%n", model, Format.percent(r.accuracy()),
                        r.correct(), r.n(), data.name(), b, r.nanos() / 1e9);
            }
        }
        out.flush();
        return 0;
    }
}
