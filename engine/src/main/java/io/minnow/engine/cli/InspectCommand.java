package io.minnow.engine.cli;

import io.minnow.engine.api.ModelFiles;
import io.minnow.formats.Encoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/** {@code minnow inspect MODEL [--json]}: what a model file holds, and whether Minnow can run it. */
@Command(name = "inspect", description = "Show a model's inputs, outputs, ops, weights and any unsupported ops.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnw file.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var def = ModelFiles.read(model);
        ModelSummary s = ModelSummary.of(model.toString(), Files.size(model), def);
        if (json) {
            out.println(Json.write(s.toJson()));
        } else {
            print(s, out);
        }
        out.flush();
        return 0;
    }

    static void print(ModelSummary s, PrintWriter out) {
        row(out, "model", s.file() + " (" + Format.bytes(s.fileBytes()) + ")");
        StringJoiner opsets = new StringJoiner(", ");
        s.def().opsetImports().forEach((domain, v) -> opsets.add((domain.isEmpty() ? "ai.onnx" : domain) + " " + v));
        row(out, "producer", s.producer() + ", IR version " + s.def().irVersion() + ", opset " + opsets);
        var inputs = s.inputs();
        for (int i = 0; i < inputs.size(); i++) row(out, i == 0 ? "inputs" : "", ModelSummary.describe(inputs.get(i)));
        if (inputs.isEmpty()) row(out, "inputs", "none");
        var outputs = s.def().graph().outputs();
        for (int i = 0; i < outputs.size(); i++) row(out, i == 0 ? "outputs" : "", ModelSummary.describe(outputs.get(i)));
        StringJoiner ops = new StringJoiner(", ");
        s.opCounts().entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> ops.add(e.getValue() + " " + e.getKey()));
        row(out, "nodes", s.nodeCount() + (s.nodeCount() > 0 ? ": " + ops : ""));
        row(out, "weights", s.initializerCount() + " initializers, " + Format.count(s.params()) + " parameters, "
                + Format.bytes(s.weightBytes()));
        for (Map.Entry<Encoding, long[]> e : s.perEncoding().entrySet()) {
            long[] c = e.getValue();
            row(out, "", String.format("%-9s %5d tensors %12s  %s", e.getKey().name().toLowerCase(java.util.Locale.ROOT), c[0],
                    Format.bytes(c[1]), e.getKey().description));
        }
        row(out, "unsupported", s.unsupported().isEmpty() ? "none (every op is implemented)" : String.join(", ", s.unsupported()));
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-12s %s%n", key, value);
    }
}
