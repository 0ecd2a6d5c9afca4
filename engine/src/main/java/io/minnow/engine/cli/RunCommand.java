package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Npy;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ValueInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code minnow run MODEL --input IN.npy --output OUT.npy}: one inference on .npy tensors. Several inputs
 * or outputs are named: {@code --input x=a.npy --input y=b.npy}, {@code --output logits=out.npy}.
 */
@Command(name = "run", description = "Run a model once on .npy inputs and write its outputs as .npy.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnw file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "[NAME=]FILE",
            description = "Input tensor (.npy, float32 or int64); NAME=FILE for each input of a multi-input model.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", paramLabel = "[NAME=]FILE",
            description = "Where to write an output (.npy); FILE alone is the first output. Without it, outputs are summarised on stdout.")
    List<String> outputs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (Model m = main.load(model, err)) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            for (var e : bind(inputs, m.inputs().stream().map(ValueInfo::name).toList(), "input").entrySet()) {
                feed.put(e.getKey(), Npy.read(e.getValue()));
            }
            Map<String, Tensor> result = m.run(feed);
            if (outputs.isEmpty()) {
                result.forEach((name, t) -> out.println(name + ": " + t + " " + preview(t)));
            } else {
                for (var e : bind(outputs, List.copyOf(result.keySet()), "output").entrySet()) {
                    Npy.write(e.getValue(), result.get(e.getKey()));
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Matches {@code [NAME=]FILE} arguments to the model's names. A bare FILE is allowed once, for the
     * first name; NAME must be one of the model's names (so a path containing '=' still works bare).
     */
    static Map<String, Path> bind(List<String> args, List<String> names, String what) {
        Map<String, Path> bound = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            String name;
            String file;
            if (eq > 0 && names.contains(a.substring(0, eq))) {
                name = a.substring(0, eq);
                file = a.substring(eq + 1);
            } else if (eq > 0 && args.size() > 1) {
                throw new MinnowException("unknown " + what + " '" + a.substring(0, eq) + "'; the model's " + what + "s are " + names);
            } else {
                if (args.size() > 1 || names.isEmpty()) {
                    throw new MinnowException("the model has " + what + "s " + names + "; name each one: --" + what + " NAME=FILE");
                }
                if (what.equals("input") && names.size() > 1) {
                    throw new MinnowException("the model has " + names.size() + " inputs " + names + "; pass --input NAME=FILE for each");
                }
                name = names.getFirst();
                file = a;
            }
            if (bound.put(name, Path.of(file)) != null) throw new MinnowException(what + " '" + name + "' is given twice");
        }
        return bound;
    }

    private static String preview(Tensor t) {
        int n = (int) Math.min(t.size(), 10);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(t.type().isFloat() ? String.format(java.util.Locale.ROOT, "%.6g", t.getDouble(i)) : Long.toString(t.getLongValue(i)));
        }
        return sb.append(t.size() > n ? ", ...]" : "]").toString();
    }
}
