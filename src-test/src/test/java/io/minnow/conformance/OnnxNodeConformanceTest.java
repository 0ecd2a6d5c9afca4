package io.minnow.conformance;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.onnx.OnnxReader;
import io.minnow.testutil.TensorAssert;
import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every ONNX backend node test (libonnx-testdata) whose model uses only ops Minnow lists as
 * supported, and compares each output with the reference: |a−b| ≤ 1e-5 + 1e-4·|b| for floating types
 * (unless {@code tolerances.txt} widens it for a test, with the reason), exact for integers and bools.
 *
 * <p>A test is skipped only when {@code src-test/src/test/resources/conformance/skips-*.txt} lists it with a
 * written reason. Filter with {@code -Dminnow.conformance.filter=<regex on the test name>}, e.g.
 * {@code mvn -pl src-test -am test -Dtest=OnnxNodeConformanceTest -Dminnow.conformance.filter='test_conv.*'}.
 * A per-op pass/skip/fail summary is written to {@code src-test/target/conformance-summary.md}.
 */
class OnnxNodeConformanceTest {
    /** The ops the foundation and quantization issues list; a node test is in scope when its model uses only these. */
    static final Set<String> LISTED_OPS = Set.of(
            "Conv", "ConvTranspose", "Gemm", "MatMul", "Relu", "Clip", "LeakyRelu", "PRelu", "Sigmoid",
            "HardSigmoid", "HardSwish", "Tanh", "Erf", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Neg",
            "Abs", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape",
            "Transpose", "Concat", "Split", "Slice", "Squeeze", "Unsqueeze", "Gather", "Shape", "Cast", "Constant",
            "ConstantOfShape", "Identity", "Dropout", "Softmax", "LogSoftmax", "ReduceMean", "ReduceSum",
            "ReduceMax", "Resize", "Pad", "Where", "Equal", "Expand",
            // Quantization issue (QOperator and QDQ ops).
            "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger",
            "QLinearMatMul", "QLinearConv");

    /**
     * Ops whose ONNX definition is identical from the old opset their node tests were written against
     * (HardSigmoid 6, GlobalAveragePool 1) through opset 21. Their tests predate opset 7, which Minnow's reader
     * requires, so the runner re-labels those models as opset 7 instead of leaving the ops untested.
     */
    static final Set<String> UNCHANGED_SINCE_OLD_OPSETS = Set.of("HardSigmoid", "GlobalAveragePool");

    private static final Map<String, int[]> SUMMARY = new TreeMap<>(); // op -> {passed, skipped, failed}
    private static final List<String> FAILURES = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> nodeTests() throws IOException {
        Path root = TestPaths.ONNX_NODE_TESTS;
        assertTrue(Files.isDirectory(root), root + " is missing: install the Debian package libonnx-testdata");
        Map<String, String> skips = readReasons("skips-");
        Map<String, String> tolerances = readReasons("tolerances");
        String filter = System.getProperty("minnow.conformance.filter", "");
        Pattern pattern = filter.isEmpty() ? null : Pattern.compile(filter);
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (pattern != null && !pattern.matcher(name).matches()) continue;
                Path modelFile = dir.resolve("model.onnx");
                if (!Files.exists(modelFile)) continue;
                Set<String> ops = opsOf(modelFile);
                if (ops == null || !LISTED_OPS.containsAll(ops)) continue;
                String op = primaryOp(name, ops);
                tests.add(DynamicTest.dynamicTest(name, () -> runOne(dir, name, op, skips.get(name), tolerances.get(name))));
            }
        }
        return tests.stream();
    }

    private static void runOne(Path dir, String name, String op, String skipReason, String tolerance) throws IOException {
        if (skipReason != null) {
            count(op, 1);
            assumeTrue(skipReason == null, "skipped: " + skipReason);
        }
        double rtol = 1e-4, atol = 1e-5;
        if (tolerance != null) { // "<rtol> <atol> reason"
            String[] parts = tolerance.split("\\s+", 3);
            rtol = Double.parseDouble(parts[0]);
            atol = Double.parseDouble(parts[1]);
        }
        try {
            ModelDef def = readModel(dir.resolve("model.onnx"));
            Set<String> inits = new HashSet<>();
            for (TensorData t : def.graph().initializers()) inits.add(t.name());
            List<ValueInfo> inputs = def.graph().inputs().stream().filter(v -> !inits.contains(v.name())).toList();
            try (Stream<Path> sets = Files.list(dir).filter(p -> p.getFileName().toString().startsWith("test_data_set_"))) {
                for (Path set : sets.sorted().toList()) {
                    Map<String, Tensor> feed = new LinkedHashMap<>();
                    for (int i = 0; i < inputs.size(); i++) {
                        Path f = set.resolve("input_" + i + ".pb");
                        if (!Files.exists(f)) continue; // an omitted optional input
                        feed.put(inputs.get(i).name(), Tensor.fromData(OnnxReader.readTensor(f)));
                    }
                    Map<String, Tensor> got;
                    try (Model model = Model.of(def, Options.defaults())) {
                        got = model.run(feed);
                    }
                    List<ValueInfo> outs = def.graph().outputs();
                    for (int i = 0; i < outs.size(); i++) {
                        Path f = set.resolve("output_" + i + ".pb");
                        if (!Files.exists(f)) continue;
                        Tensor expected = Tensor.fromData(OnnxReader.readTensor(f));
                        String why = TensorAssert.mismatch(expected, got.get(outs.get(i).name()), rtol, atol);
                        if (why != null) fail(name + " " + set.getFileName() + " output '" + outs.get(i).name() + "': " + why);
                    }
                }
            }
            count(op, 0);
        } catch (Throwable t) {
            count(op, 2);
            synchronized (FAILURES) {
                FAILURES.add(name + ": " + String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
            }
            throw t;
        }
    }

    private static synchronized void count(String op, int which) {
        SUMMARY.computeIfAbsent(op, k -> new int[3])[which]++;
    }

    /** The op a test is about: the listed op whose name best matches the test name, else the first node's. */
    static String primaryOp(String testName, Set<String> ops) {
        String t = testName.substring("test_".length()).replace("_", "").toLowerCase();
        String best = null;
        for (String op : ops) {
            String o = op.toLowerCase();
            if (t.startsWith(o) && (best == null || o.length() > best.length())) best = op;
        }
        if (best != null) return best;
        for (String op : ops) if (!op.equals("Constant")) return op;
        return ops.iterator().next();
    }

    /** Reads a test model; one older than opset 7 only when every op in it is in UNCHANGED_SINCE_OLD_OPSETS. */
    static ModelDef readModel(Path file) throws IOException {
        var proto = io.minnow.formats.onnx.proto.ModelProto.parseFrom(Files.readAllBytes(file));
        long opset = proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(o -> o.getVersion()).findFirst().orElse(1);
        boolean upgradable = opset < OnnxReader.MIN_OPSET && proto.getGraph().getNodeList().stream()
                .allMatch(n -> UNCHANGED_SINCE_OLD_OPSETS.contains(n.getOpType()) && n.getDomain().isEmpty());
        if (!upgradable) return OnnxReader.read(file);
        var b = proto.toBuilder().clearOpsetImport();
        b.addOpsetImport(io.minnow.formats.onnx.proto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxReader.MIN_OPSET));
        return OnnxReader.fromProto(b.build(), file.toString());
    }

    /** Op types of a model's nodes, or null when the file cannot be read at all. */
    private static Set<String> opsOf(Path modelFile) {
        try {
            ModelDef def = readModel(modelFile);
            Set<String> ops = new HashSet<>();
            for (NodeDef n : def.graph().nodes()) {
                ops.add(n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.opType() : n.domain() + "." + n.opType());
            }
            return ops;
        } catch (RuntimeException | IOException e) {
            return null; // unreadable (e.g. an unknown domain): not in scope of the listed ops
        }
    }

    /** Reads "test_name reason..." lines from every resources/conformance/<prefix>*.txt file. */
    static Map<String, String> readReasons(String prefix) throws IOException {
        Map<String, String> m = new TreeMap<>();
        Path folder = TestPaths.root().resolve("src-test/src/test/resources/conformance");
        if (!Files.isDirectory(folder)) return m;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                for (String line : Files.readAllLines(f)) {
                    line = line.strip();
                    if (line.isEmpty() || line.startsWith("#")) continue;
                    String[] parts = line.split("\\s+", 2);
                    if (parts.length < 2 || parts[1].isBlank()) {
                        throw new IllegalStateException(f + ": entry without a reason: " + line);
                    }
                    m.put(parts[0], parts[1]);
                }
            }
        }
        return m;
    }

    @AfterAll
    static void writeSummary() throws IOException {
        StringBuilder sb = new StringBuilder("| op | passed | total | skipped | failed |\n|---|---:|---:|---:|---:|\n");
        int p = 0, s = 0, f = 0;
        for (var e : SUMMARY.entrySet()) {
            int[] c = e.getValue();
            sb.append("| ").append(e.getKey()).append(" | ").append(c[0]).append(" | ").append(c[0] + c[1] + c[2])
                    .append(" | ").append(c[1]).append(" | ").append(c[2]).append(" |\n");
            p += c[0]; s += c[1]; f += c[2];
        }
        sb.append("| **all** | ").append(p).append(" | ").append(p + s + f).append(" | ").append(s).append(" | ").append(f).append(" |\n");
        if (!FAILURES.isEmpty()) sb.append("\nFailures:\n").append(String.join("\n", FAILURES)).append('\n');
        Path out = TestPaths.root().resolve("src-test/target/conformance-summary.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString());
    }
}
