package io.minnow.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Model;
import io.minnow.engine.api.ModelFiles;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.bench.Bench;
import io.minnow.engine.compress.Calibrator;
import io.minnow.engine.compress.PostTraining;
import io.minnow.engine.compress.QuantConfig;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.ModelDef;
import io.minnow.formats.onnx.OnnxWriter;
import io.minnow.formats.onnx.QdqExport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whole bundled models quantized to int8 ({@code minnow compress --quant int8}'s rewrite, calibrated on the bundled
 * sample images): Minnow q8 against Minnow's own fp32 and against ONNX Runtime Java running the same quantized
 * network exported as ONNX QDQ with output pairs ({@code minnow export --quantize-outputs}, so that ORT fuses its Conv
 * and Gemm nodes into its own int8 kernels — its fastest path), same input, same threads, one JVM run.
 *
 * <pre>java -jar jmh/target/benchmarks.jar QuantModelBench -rf json -rff reports/jmh-quant-models.json</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantModelBench implements ComparedBench {
    @Param({"lenet300", "lenet5", "resnet", "mobilenet"})
    public String model;

    @Param({"1"})
    public int batch;

    @Param({"1"})
    public int threads;

    private Model f32, q8;
    private Session f32Session, q8Session;
    private Map<String, Tensor> input;
    private OrtSession ort;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortFeeds;

    @Setup
    public void setup() throws Exception {
        Path root = Path.of(System.getProperty("minnow.root", "."));
        Path file = root.resolve("models").resolve(model + ".onnx");
        if (!Files.exists(file)) throw new IllegalStateException(file.toAbsolutePath() + " not found; run from the repository root");
        ModelDef fp32 = ModelFiles.read(file);
        Dataset calib = Dataset.fromIdx("sample", root.resolve(Dataset.SAMPLE_IMAGES), root.resolve(Dataset.SAMPLE_LABELS));
        Options options = Options.defaults().withThreads(threads);
        f32 = Model.of(fp32, options);
        var in = f32.inputs().getFirst();
        long[] shape = ModelBench.inputShape(in, batch);
        Calibrator.Batches batches = new Calibrator.Batches() {
            @Override public int size() { return calib.size(); }
            @Override public Tensor batch(int start, int n) {
                long[] s = shape.clone();
                s[0] = n;
                return calib.images(start, n).reshape(s);
            }
        };
        ModelDef quantized = PostTraining.quantize(fp32, QuantConfig.int8(), batches, 500, done -> { }).model();
        q8 = Model.of(quantized, options);
        f32Session = f32.newSession();
        q8Session = q8.newSession();
        float[] x = ModelBench.randomInput(shape);
        input = Map.of(in.name(), Tensor.of(x, shape));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ort = env.createSession(OnnxWriter.toBytes(QdqExport.export(quantized, true).model()), ModelBench.ortOptions(threads));
        ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
        ortFeeds = Map.of(ort.getInputNames().iterator().next(), ortInput);
    }

    @Benchmark
    public Object minnowF32() {
        return f32Session.run(input);
    }

    @Benchmark
    public Object minnowQ8() {
        return q8Session.run(input);
    }

    @Benchmark
    public void onnxruntimeQdq(Blackhole bh) throws OrtException {
        bh.consume(ModelBench.runOrt(ort, ortFeeds));
    }

    /** The benchmark bodies in the order of {@link #ENGINES}, for {@link InterleavedModelBench}. */
    @Override
    public List<Bench.Body> bodies() {
        return List.of(this::minnowQ8, this::minnowF32, () -> ModelBench.runOrt(ort, ortFeeds));
    }

    /** The benchmark methods, named as JMH names them. */
    static final List<String> ENGINES = List.of("minnowQ8", "minnowF32", "onnxruntimeQdq");

    /** This state for one configuration, set up as JMH would (for {@link InterleavedModelBench}). */
    static QuantModelBench open(String model, int batch, int threads) throws Exception {
        QuantModelBench b = new QuantModelBench();
        b.model = model;
        b.batch = batch;
        b.threads = threads;
        b.setup();
        return b;
    }

    @TearDown
    @Override
    public void tearDown() throws OrtException {
        ortInput.close();
        ort.close();
        q8Session.close();
        f32Session.close();
        q8.close();
        f32.close();
    }
}
