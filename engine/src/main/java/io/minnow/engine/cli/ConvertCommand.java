package io.minnow.engine.cli;

import io.minnow.engine.api.ModelFiles;
import io.minnow.formats.mnw.MnwWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code minnow convert MODEL -o OUT.mnw}: ONNX (or .mnw) to the .mnw container, weights as they are. */
@Command(name = "convert", description = "Convert a model to the .mnw container (weights keep their encodings).")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnw file.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.mnw", description = "The file to write.")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var def = ModelFiles.read(model);
        OutputFile.checkDirectory(output);
        MnwWriter.write(def, output);
        out.printf("%s -> %s (%s -> %s)%n", model, output, Format.bytes(Files.size(model)), Format.bytes(Files.size(output)));
        out.flush();
        return 0;
    }
}
