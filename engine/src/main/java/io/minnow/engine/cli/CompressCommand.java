package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.ModelFiles;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.compress.ActivationRange;
import io.minnow.engine.compress.Calibrator;
import io.minnow.engine.compress.PostTraining;
import io.minnow.engine.compress.QuantConfig;
import io.minnow.engine.compress.Quantizer;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.mnw.MnwWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code minnow compress MODEL -o OUT.mnw --quant int8|int4 --calib DATASET [--calib-n N] [--keep-fp32 NODE...]
 * [--sensitivity]}: post-training quantization. Prints, per layer, what was stored and how its input was calibrated;
 * with {@code --sensitivity}, the accuracy with only that layer quantized, so a user sees which layers hurt.
 */
@Command(name = "compress", description = "Quantize a float32 model's weights (int8 or int4) and calibrate activations; write .mnw.")
final class CompressCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "A float32 .onnx or .mnw model.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.mnw", description = "The file to write.")
    Path output;

    @Option(names = "--quant", required = true, paramLabel = "int8|int4",
            description = "int8: int8 weights per output channel, int8 activations. int4: int4 weights in groups for Gemm and 1x1 convs (float32 activations unless --act int8), int8 for other convs.")
    String quant;

    @Option(names = "--calib", defaultValue = "fashion-mnist", paramLabel = "DATASET",
            description = "Calibration images: fashion-mnist (its training split when installed), or idx:IMAGES,LABELS. Default: ${DEFAULT-VALUE}.")
    String calib;

    @Option(names = "--calib-n", defaultValue = "1000", paramLabel = "N", description = "Calibration samples. Default: ${DEFAULT-VALUE}.")
    int calibN;

    @Option(names = "--group-size", defaultValue = "64", paramLabel = "G", description = "int4 group size along K: 32, 64 or 128. Default: ${DEFAULT-VALUE}.")
    int groupSize;

    @Option(names = "--act", defaultValue = "fp32", paramLabel = "TYPE",
            description = "int4: activations of the int4 Gemm layers, fp32 (q4-gemm) or int8 (calibrated, symmetric; q4-gemv, int4 x int8). Default: ${DEFAULT-VALUE}.")
    String act;

    @Option(names = "--zero-point", description = "int4: asymmetric groups (uint8 zero point per group).")
    boolean zeroPoint;

    @Option(names = "--percentile", defaultValue = "99.99", paramLabel = "P",
            description = "Percentile range tried against min/max for each activation (the lower-error one is used). Default: ${DEFAULT-VALUE}.")
    double percentile;

    @Option(names = "--keep-fp32", arity = "1..*", paramLabel = "NODE", description = "Layers (node names) to leave in float32.")
    List<String> keep = new ArrayList<>();

    @Option(names = "--sensitivity", description = "Report each layer's accuracy with only that layer quantized (on --eval-dataset).")
    boolean sensitivity;

    @Option(names = "--eval-dataset", defaultValue = "fashion-mnist", paramLabel = "DATASET", description = "Dataset for --sensitivity. Default: ${DEFAULT-VALUE}.")
    String evalDataset;

    @Option(names = "--eval-n", defaultValue = "2000", paramLabel = "N", description = "Samples for --sensitivity (0 = all). Default: ${DEFAULT-VALUE}.")
    int evalN;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (!quant.equals("int8") && !quant.equals("int4")) throw new MinnowException("--quant must be int8 or int4, got '" + quant + "'");
        if (!act.equals("fp32") && !act.equals("int8")) throw new MinnowException("--act must be fp32 or int8, got '" + act + "'");
        if (act.equals("int8") && !quant.equals("int4")) throw new MinnowException("--act int8 goes with --quant int4 (int8 quantization has int8 activations already)");
        if (calibN < 1) throw new MinnowException("--calib-n must be >= 1, got " + calibN);
        OutputFile.checkDirectory(output);
        QuantConfig cfg;
        try {
            cfg = new QuantConfig(quant.equals("int4"), groupSize, zeroPoint, new HashSet<>(keep), percentile, act.equals("int8"));
        } catch (IllegalArgumentException e) {
            throw new MinnowException(e.getMessage() + " (--group-size, --percentile)");
        }
        ModelDef fp32 = ModelFiles.read(model);
        List<Quantizer.Target> targets = Quantizer.targets(fp32);
        if (targets.isEmpty()) throw new MinnowException(model + ": no Conv or Gemm layer with constant float32 weights to quantize");

        Dataset calibData = openCalibration(calib, err);
        PostTraining.Result r;
        try (Model probe = Model.of(fp32, Options.defaults())) {
            Progress bar = new Progress(err, "calibrate", Math.min(calibN, calibData.size()));
            r = PostTraining.quantize(fp32, cfg, batches(calibData, probe.inputs().getFirst()), calibN, bar::update);
            bar.done();
        }
        ModelDef q = r.model();
        Map<String, ActivationRange> ranges = r.ranges();
        int n = r.calibrated();
        MnwWriter.write(q, output);

        out.printf("%s -> %s: %s, calibrated on %d samples of %s%n", model, output, q.metadata().get("minnow.quantization"), n, calibData.name());
        printLayers(out, fp32, q, targets, cfg, ranges);
        out.printf("size: %s -> %s (%.1fx smaller)%n", Format.bytes(Files.size(model)), Format.bytes(Files.size(output)),
                (double) Files.size(model) / Files.size(output));
        if (sensitivity) sensitivity(out, err, fp32, cfg, ranges, targets);
        out.flush();
        return 0;
    }

    /** Calibration images: for fashion-mnist its training split when installed (the test set stays unseen). */
    static Dataset openCalibration(String calib, PrintWriter err) throws java.io.IOException {
        if (calib.equals("fashion-mnist") && Files.isDirectory(Dataset.SYSTEM_FASHION_MNIST)) {
            try {
                return Dataset.open("fashion-mnist-train", RepoRoot.find());
            } catch (MinnowException e) {
                err.println("minnow: " + e.getMessage() + "; calibrating on the test split instead");
            }
        }
        return Dataset.open(calib, RepoRoot.find());
    }

    static Calibrator.Batches batches(Dataset data, io.minnow.formats.ValueInfo input) {
        return new Calibrator.Batches() {
            @Override public int size() { return data.size(); }
            @Override public Tensor batch(int start, int n) { return Shapes.fitImages(data.images(start, n), input); }
        };
    }

    private static void printLayers(PrintWriter out, ModelDef fp32, ModelDef q, List<Quantizer.Target> targets, QuantConfig cfg,
                                    Map<String, ActivationRange> ranges) {
        Map<String, TensorData> before = new LinkedHashMap<>(), after = new LinkedHashMap<>();
        for (TensorData t : fp32.graph().initializers()) before.put(t.name(), t);
        for (TensorData t : q.graph().initializers()) after.put(t.name(), t);
        out.printf("%-28s %-5s %-16s %-4s %10s %10s  %s%n", "layer", "op", "weight", "enc", "f32 bytes", "bytes", "input activation");
        for (Quantizer.Target t : targets) {
            TensorData w = after.get(t.weight());
            String act;
            if (cfg.keepFp32().contains(t.node())) act = "float32 (--keep-fp32)";
            else if (w.encoding() == io.minnow.formats.Encoding.Q4 && cfg.quantizesInput(t)) {
                ActivationRange r = ranges.get(t.input());
                act = String.format("int8 symmetric scale %.4g (int4 x int8), %s", r.symmetricScale(), r.method());
            } else if (w.encoding() == io.minnow.formats.Encoding.Q4) act = "float32 (int4 weights)";
            else {
                ActivationRange r = ranges.get(t.input());
                act = String.format("uint8 [%.4g, %.4g] scale %.4g zp %d, %s", r.lo(), r.hi(), r.scale(), r.zeroPoint(), r.method());
            }
            out.printf("%-28s %-5s %-16s %-4s %10d %10d  %s%n", shorten(t.node(), 28), t.opType(), java.util.Arrays.toString(w.dims()),
                    w.encoding().name().toLowerCase(java.util.Locale.ROOT), before.get(t.weight()).bytes().byteSize(), w.bytes().byteSize(), act);
        }
    }

    /** Accuracy of the float32 model, the fully quantized one, and each layer quantized alone. */
    private void sensitivity(PrintWriter out, PrintWriter err, ModelDef fp32, QuantConfig cfg, Map<String, ActivationRange> ranges,
                             List<Quantizer.Target> targets) throws java.io.IOException {
        Dataset data = Dataset.open(evalDataset, RepoRoot.find());
        if (evalN > 0 && evalN < data.size()) data = data.limit(evalN);
        Set<String> all = new HashSet<>();
        for (Quantizer.Target t : targets) all.add(t.node());
        double base = accuracy(fp32, data, err, "eval float32");
        double full = accuracy(Quantizer.quantize(fp32, cfg, ranges), data, err, "eval quantized");
        out.printf("%nsensitivity on %d samples of %s (accuracy with only that layer quantized):%n", data.size(), data.name());
        out.printf("%-28s %9s %9s%n", "layer", "accuracy", "delta pp");
        out.printf("%-28s %8.2f%% %9s%n", "(float32)", 100 * base, "");
        for (Quantizer.Target t : targets) {
            if (cfg.keepFp32().contains(t.node())) continue;
            Set<String> others = new HashSet<>(all);
            others.remove(t.node());
            double a = accuracy(Quantizer.quantize(fp32, cfg.keeping(others), ranges), data, err, "eval " + t.node());
            out.printf("%-28s %8.2f%% %+9.2f%n", shorten(t.node(), 28), 100 * a, 100 * (a - base));
        }
        out.printf("%-28s %8.2f%% %+9.2f%n", "(all quantized)", 100 * full, 100 * (full - base));
    }

    private static double accuracy(ModelDef def, Dataset data, PrintWriter err, String label) {
        try (Model m = Model.of(def, Options.defaults())) {
            return Evaluation.run(m, data, Evaluation.batchFor(m, 100), new Progress(err, label, data.size())).accuracy();
        }
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }
}
