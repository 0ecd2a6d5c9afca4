package io.minnow.engine.cli;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Idx;
import io.minnow.engine.data.Npy;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;
import io.minnow.formats.onnx.OnnxWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line, run in-process on a tiny hand-built classifier: Gemm over 4 inputs (a flattened 2×2
 * image) into 3 classes, with weights that make class k the score of pixel k.
 */
class CliTest {
    /** W[4,3]: pixel k (k < 3) feeds class k with weight 1; pixel 3 feeds nothing. */
    static final float[] W = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    static final float[] B = {0.01f, -0.01f, 0};

    @TempDir
    static Path dir;
    static Path model;
    static String dataset;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        /** The exit code was 2 and stderr has exactly one error line, and no stack trace. */
        void assertUserError(String fragment) {
            assertEquals(2, code, "exit code; stderr: " + err);
            List<String> errors = errLines().stream().filter(l -> l.startsWith("minnow: error: ")).toList();
            assertEquals(1, errors.size(), "one error line: " + err);
            assertTrue(errors.getFirst().contains(fragment), "'" + fragment + "' in " + errors.getFirst());
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            assertFalse(err.contains("Exception"), "no exception class names: " + err);
        }
    }

    static Result minnow(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static ModelDef gemmModel(String opType) {
        List<Dim> in = List.of(Dim.symbolic("N"), Dim.of(4));
        List<Dim> out = List.of(Dim.symbolic("N"), Dim.of(3));
        NodeDef gemm = new NodeDef("fc", opType, "", List.of("x", "W", "B"), List.of("y"), Map.of());
        GraphDef g = new GraphDef("tiny", List.of(gemm), List.of(new ValueInfo("x", DataType.FLOAT, in)),
                List.of(new ValueInfo("y", DataType.FLOAT, out)),
                List.of(TensorData.ofFloats("W", W, 4, 3), TensorData.ofFloats("B", B, 3)), List.of());
        return new ModelDef(8, Map.of("", 13L), "minnow-test", "1", g, Map.of());
    }

    @BeforeAll
    static void setUp() throws IOException {
        model = dir.resolve("tiny.onnx");
        OnnxWriter.write(gemmModel("Gemm"), model);
        // 8 images of 2x2; label i%3 is the brightest pixel, except images 6 and 7, whose labels are wrong.
        int n = 8;
        byte[] px = new byte[n * 4], labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            for (int k = 0; k < 4; k++) px[i * 4 + k] = (byte) (k == label ? 200 : 10 + i);
            labels[i] = (byte) (i >= 6 ? (label + 1) % 3 : label);
        }
        Path images = dir.resolve("img-idx3-ubyte.gz"), lab = dir.resolve("lab-idx1-ubyte.gz");
        Idx.write(images, new Idx.Data(new int[]{n, 2, 2}, px), true);
        Idx.write(lab, new Idx.Data(new int[]{n}, labels), true);
        dataset = "idx:" + images + "," + lab;
    }

    static float[] expected(float[] x, int rows) {
        float[] y = new float[rows * 3];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 3; c++) {
                float s = B[c];
                for (int k = 0; k < 4; k++) s += x[r * 4 + k] * W[k * 3 + c];
                y[r * 3 + c] = s;
            }
        }
        return y;
    }

    @Test
    void inspectPrintsSignatureOpsAndWeights() {
        Result r = minnow("inspect", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("x: FLOAT[N, 4]"), r.out());
        assertTrue(r.out().contains("y: FLOAT[N, 3]"), r.out());
        assertTrue(r.out().contains("1 Gemm"), r.out());
        assertTrue(r.out().contains("15 parameters"), r.out());
        assertTrue(r.out().contains("minnow-test"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("unsupported") && l.contains("none")), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectJsonIsOneObject() {
        Result r = minnow("inspect", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        Map<String, Object> o = MiniJson.object(r.out());
        assertEquals(model.toString(), o.get("model"));
        assertEquals(1.0, o.get("nodes"));
        assertEquals(Map.of("Gemm", 1.0), o.get("ops"));
        assertEquals(Map.of("", 13.0), o.get("opset"));
        Map<String, Object> inits = (Map<String, Object>) o.get("initializers");
        assertEquals(2.0, inits.get("count"));
        assertEquals(15.0, inits.get("params"));
        assertEquals(60.0, inits.get("bytes"));
        assertEquals(Map.of("f32", Map.of("count", 2.0, "bytes", 60.0)), inits.get("encodings"));
        Map<String, Object> x = ((List<Map<String, Object>>) o.get("inputs")).getFirst();
        assertEquals("x", x.get("name"));
        assertEquals(List.of("N", 4.0), x.get("shape"));
        assertEquals(List.of(), o.get("unsupported_ops"));
    }

    @Test
    void unsupportedOpsAreListedByInspectAndRefusedByRun() throws IOException {
        Path odd = dir.resolve("odd.onnx");
        OnnxWriter.write(gemmModel("Frobnicate"), odd);
        Result r = minnow("inspect", odd.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("Frobnicate"), MiniJson.object(r.out()).get("unsupported_ops"));

        Path x = dir.resolve("odd-x.npy");
        Npy.write(x, Tensor.of(new float[4], 1, 4));
        minnow("run", odd.toString(), "--input", x.toString(), "--output", dir.resolve("odd-y.npy").toString())
                .assertUserError("Frobnicate");
    }

    @Test
    void runReadsAndWritesNpy() throws IOException {
        float[] xs = {1, 2, 3, 4, -1, 0.5f, 0, 9};
        Path in = dir.resolve("x.npy"), out = dir.resolve("y.npy");
        Npy.write(in, Tensor.of(xs, 2, 4));
        Result r = minnow("run", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor y = Npy.read(out);
        assertArrayEquals(new long[]{2, 3}, y.shape());
        assertArrayEquals(expected(xs, 2), y.toFloatArray(), 1e-6f);

        // Named, and without --output: a summary on stdout.
        r = minnow("run", model.toString(), "--input", "x=" + in);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("y: FLOAT[2, 3] [1.01000"), r.out());
    }

    @Test
    void convertWritesAnMnwThatRunsTheSame() throws IOException {
        Path mnw = dir.resolve("tiny.mnw");
        Result r = minnow("convert", model.toString(), "-o", mnw.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(mnw) > 60);

        Result a = minnow("inspect", model.toString(), "--json"), b = minnow("inspect", mnw.toString(), "--json");
        Map<String, Object> ja = MiniJson.object(a.out()), jb = MiniJson.object(b.out());
        for (String k : List.of("inputs", "outputs", "ops", "initializers", "unsupported_ops")) assertEquals(ja.get(k), jb.get(k), k);

        float[] xs = {0.1f, 0.2f, 0.3f, 0.4f};
        Path in = dir.resolve("cx.npy"), out = dir.resolve("cy.npy");
        Npy.write(in, Tensor.of(xs, 1, 4));
        assertEquals(0, minnow("run", mnw.toString(), "--input", in.toString(), "--output", out.toString()).code());
        assertArrayEquals(expected(xs, 1), Npy.read(out).toFloatArray(), 1e-6f);
    }

    @Test
    void evalReportsArgmaxAccuracy() {
        Result r = minnow("eval", model.toString(), "--dataset", dataset, "--batch", "3", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        Map<String, Object> o = MiniJson.object(r.out());
        assertEquals(model.toString(), o.get("model"));
        assertEquals(8.0, o.get("n"));
        assertEquals(0.75, o.get("accuracy"));
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("minnow: backend=")), "start-up line on stderr: " + r.err());

        r = minnow("eval", model.toString(), "--dataset", dataset, "--limit", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("100.00% (5/5)"), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void benchJsonParses() {
        Result r = minnow("bench", model.toString(), "--iters", "3", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        Map<String, Object> o = MiniJson.object(r.out());
        assertEquals(List.of("model", "batch", "threads", "p50_us", "p99_us"), List.copyOf(o.keySet()));
        assertEquals(1.0, o.get("batch"));
        assertEquals(1.0, o.get("threads"));
        assertTrue((double) o.get("p50_us") >= 0 && (double) o.get("p99_us") >= (double) o.get("p50_us"), r.out());

        r = minnow("--threads", "2", "--no-native", "bench", model.toString(), "--batch", "4", "--iters", "3", "--json");
        assertEquals(0, r.code(), r.err());
        o = MiniJson.object(r.out());
        assertEquals(4.0, o.get("batch"));
        assertEquals(2.0, o.get("threads"));
        assertTrue(r.err().contains("backend=java"), "--no-native: " + r.err());

        r = minnow("bench", model.toString(), "--threads", "3", "--iters", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(3.0, MiniJson.object(r.out()).get("threads"));

        r = minnow("bench", model.toString(), "--iters", "2", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("p50") && r.out().contains("p99"), r.out());

        // --profile: a per-op table; with --json it goes to stderr so stdout stays one JSON line.
        r = minnow("bench", model.toString(), "--iters", "3", "--warmup", "1", "--profile");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("steps/run") && r.out().contains("share"), r.out());
        r = minnow("bench", model.toString(), "--iters", "3", "--warmup", "1", "--profile-nodes");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("node ")) && r.out().lines().anyMatch(l -> l.startsWith("Gemm fc ")), r.out());
        r = minnow("bench", model.toString(), "--iters", "3", "--warmup", "1", "--profile", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.err().contains("steps/run"), r.err());
    }

    @Test
    void demoTabulatesAModelsDirectory() throws IOException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        Files.copy(model, models.resolve("tiny.onnx"));
        Files.writeString(models.resolve("accuracy.json"), """
                {
                  "tiny": {"correct": 9, "n": 10, "accuracy": 0.9}
                }
                """);
        Result r = minnow("demo", "--models", models.toString(), "--dataset", dataset);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("model ") && l.contains("accuracy") && l.contains("p99")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tiny ") && l.contains(" 15 ") && l.contains("75.00%")
                && l.contains("90.00%")), r.out());
        for (String enc : List.of("f32", "q8", "q4")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("tiny\\s+" + enc + "\\s.*%.*x")), enc + " row in " + r.out());
        }
    }

    @Test
    void compressWritesAQuantizedModelThatEvalAndInspectRead() {
        Path out = dir.resolve("tiny-int8.mnw");
        Result r = minnow("compress", model.toString(), "-o", out.toString(), "--quant", "int8", "--calib", dataset, "--calib-n", "5",
                "--sensitivity", "--eval-dataset", dataset);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("calibrated on 5 samples"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fc ") && l.contains("q8") && l.contains("uint8 [")), r.out());
        assertTrue(r.out().contains("sensitivity") && r.out().contains("(all quantized)"), r.out());
        Result e = minnow("eval", out.toString(), "--dataset", dataset, "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"accuracy\""), e.out());
        Result i = minnow("inspect", out.toString());
        assertTrue(i.out().contains("q8"), i.out());

        Result q4 = minnow("compress", model.toString(), "-o", dir.resolve("tiny-int4.mnw").toString(), "--quant", "int4",
                "--calib", dataset, "--group-size", "32");
        assertEquals(0, q4.code(), q4.err());
        assertTrue(q4.out().lines().anyMatch(l -> l.startsWith("fc ") && l.contains("q4") && l.contains("float32 (int4 weights)")), q4.out());
    }

    @Test
    void compressRefusesBadOptionsInOneLine() {
        String o = dir.resolve("bad.mnw").toString();
        minnow("compress", model.toString(), "-o", o, "--quant", "int5", "--calib", dataset).assertUserError("--quant");
        minnow("compress", model.toString(), "-o", o, "--quant", "int8", "--calib", dataset, "--keep-fp32", "nope").assertUserError("nope");
        minnow("compress", model.toString(), "-o", o, "--quant", "int4", "--calib", dataset, "--group-size", "48").assertUserError("group size");
        minnow("compress", model.toString(), "-o", o, "--quant", "int8", "--calib", "idx:/nope/i.gz,/nope/l.gz").assertUserError("/nope/i.gz");
    }

    @Test
    void compareReportsEveryEncodingAsJson() throws IOException {
        Path report = dir.resolve("cmp");
        Result r = minnow("compare", model.toString(), "--dataset", dataset, "--calib", dataset, "--json", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        for (int k = 0; k < 3; k++) {
            String l = lines.get(k);
            assertTrue(l.startsWith("{\"encoding\":\"" + List.of("f32", "q8", "q4").get(k) + "\""), l);
            for (String key : List.of("bytes", "ratio", "accuracy", "p50_us", "speedup")) assertTrue(l.contains("\"" + key + "\":"), l);
        }
        assertTrue(Files.isRegularFile(report.resolve("compare.md")) && Files.isRegularFile(report.resolve("tiny-q8.mnw")));
    }

    @Test
    void missingFilesAreOneLineErrors() {
        String nope = dir.resolve("nope.onnx").toString();
        minnow("inspect", nope).assertUserError("nope.onnx");
        minnow("run", nope, "--input", "x.npy").assertUserError("nope.onnx");
        minnow("eval", nope, "--dataset", dataset).assertUserError("nope.onnx");
        minnow("bench", nope).assertUserError("nope.onnx");
        minnow("convert", nope, "-o", dir.resolve("out.mnw").toString()).assertUserError("nope.onnx");
        minnow("run", model.toString(), "--input", dir.resolve("nope.npy").toString()).assertUserError("nope.npy: no such file");
        minnow("eval", model.toString(), "--dataset", "idx:/nope/i.gz,/nope/l.gz").assertUserError("/nope/i.gz");
    }

    @Test
    void malformedModelsAndInputsAreOneLineErrors() throws IOException {
        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        minnow("inspect", junk.toString()).assertUserError("junk.onnx");
        minnow("bench", junk.toString()).assertUserError("junk.onnx");

        Path wrong = dir.resolve("wrong.npy");
        Npy.write(wrong, Tensor.of(new float[10], 2, 5));
        minnow("run", model.toString(), "--input", wrong.toString(), "--output", dir.resolve("w.npy").toString())
                .assertUserError("input 'x'");
        minnow("run", model.toString(), "--input", "z=" + wrong, "--input", "x=" + wrong).assertUserError("unknown input 'z'");
        minnow("bench", model.toString(), "--batch", "0").assertUserError("--batch");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Result r = minnow("inspect", dir.resolve("nope.onnx").toString(), "--verbose");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
        r = minnow("--verbose", "inspect", dir.resolve("nope.onnx").toString());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, minnow("compress", model.toString()).code());
        assertEquals(2, minnow("bench").code());
        assertEquals(2, minnow("inspect", model.toString(), "--frob").code());
        assertEquals(2, minnow().code());
        Result help = minnow("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("inspect") && help.out().contains("demo"), help.out());
    }
}
