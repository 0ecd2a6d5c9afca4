package io.minnow.engine.cli;

import io.minnow.engine.api.ModelFiles;
import io.minnow.formats.onnx.OnnxWriter;
import io.minnow.formats.onnx.QdqExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code minnow export MODEL.mnw -o OUT.onnx}: a (quantized) model back to ONNX, int8 weights as
 * DequantizeLinear nodes (QDQ), int4 weights widened to float32 ({@link QdqExport}).
 */
@Command(name = "export", description = "Export a model to ONNX: int8 weights as QDQ (DequantizeLinear), int4 weights as float32.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .mnw (or .onnx) file.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "The ONNX file to write.")
    Path output;

    @Option(names = "--quantize-outputs", description = "Also put QuantizeLinear/DequantizeLinear on Conv/Gemm outputs whose scale "
            + "a later QuantizeLinear gives (same values), so that ONNX Runtime fuses them into QLinearConv/QGemm.")
    boolean quantizeOutputs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var def = ModelFiles.read(model);
        OutputFile.checkDirectory(output);
        QdqExport.Result r = QdqExport.export(def, quantizeOutputs);
        OnnxWriter.write(r.model(), output);
        out.printf("%s -> %s (%s -> %s), opset %d%s%n", model, output, Format.bytes(Files.size(model)), Format.bytes(Files.size(output)),
                r.opsetAfter(), r.opsetAfter() != r.opsetBefore() ? " (raised from " + r.opsetBefore() + ")" : "");
        out.printf("  int8 (DequantizeLinear, per channel)  %4d tensors  %s%n", r.int8Tensors(), Format.bytes(r.int8Bytes()));
        out.printf("  int4 -> float32                       %4d tensors  %s%n", r.int4Tensors(), Format.bytes(r.int4FloatBytes()));
        out.printf("  dense (float32 and others)            %4d tensors  %s%n", r.denseTensors(), Format.bytes(r.denseBytes()));
        if (quantizeOutputs) out.printf("  output QuantizeLinear/DequantizeLinear pairs added: %d%n", r.outputPairs());
        if (r.int4Tensors() > 0) out.println(r.int4Note());
        out.flush();
        return 0;
    }
}
