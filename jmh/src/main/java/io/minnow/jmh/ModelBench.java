package io.minnow.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.bench.Bench;
import io.minnow.formats.Dim;
import io.minnow.formats.ValueInfo;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Whole bundled models, Minnow fp32 against ONNX Runtime Java fp32 on the same input, same thread count,
 * in the same JVM run (ORT with all graph optimisations on, inter-op 1). Sample mode times single runs;
 * {@link PerfReport} takes p50/p99 of those samples with the statistics of {@code minnow bench}
 * ({@link io.minnow.engine.bench.BenchResult}) and the Minnow / ORT ratio against the targets.
 *
 * <pre>java -jar jmh/target/benchmarks.jar ModelBench -rf json -rff reports/jmh-models.json</pre>
 * (batch 1 and 64, 1 and 2 threads; narrow with {@code -p batch=1 -p threads=1}).
 * Models are read from {@code models/} under {@code -Dminnow.root} (default: the working directory); the
 * input shape is the model's declared one with the batch dimension set to {@code batch}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ModelBench implements ComparedBench {
    @Param({"lenet300", "lenet5", "resnet", "mobilenet"})
    public String model;

    @Param({"1", "64"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private Model minnow;
    private Session session;
    private Map<String, Tensor> minnowInput;
    private OrtEnvironment env;
    private OrtSession ort;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortFeeds;

    @Setup
    public void setup() throws Exception {
        Path file = Path.of(System.getProperty("minnow.root", ".")).resolve("models").resolve(model + ".onnx");
        if (!Files.exists(file)) throw new IllegalStateException(file.toAbsolutePath() + " not found; run from the repository root");
        minnow = Model.load(file, Options.defaults().withThreads(threads));
        session = minnow.newSession();
        long[] shape = inputShape(minnow.inputs().get(0), batch);
        float[] x = randomInput(shape);
        minnowInput = Map.of(minnow.inputs().get(0).name(), Tensor.of(x, shape));

        env = OrtEnvironment.getEnvironment();
        ort = env.createSession(file.toString(), ortOptions(threads));
        ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
        ortFeeds = Map.of(ort.getInputNames().iterator().next(), ortInput); // made once, like minnowInput
    }

    /** The input every model bench feeds both engines: uniform [0, 1), seeded. */
    static float[] randomInput(long[] shape) {
        float[] x = new float[Math.toIntExact(Tensor.elementCount(shape))];
        Random r = new Random(42);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        return x;
    }

    /** ONNX Runtime as the benches run it: {@code threads} intra-op threads, inter-op 1, all graph optimisations. */
    static OrtSession.SessionOptions ortOptions(int threads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return so;
    }

    /** The model's declared input shape with the batch (first) dimension set to {@code batch}. */
    static long[] inputShape(ValueInfo in, int batch) {
        if (in.shape() == null || in.shape().isEmpty()) throw new IllegalStateException("input " + in + ": shape not declared");
        long[] shape = new long[in.shape().size()];
        shape[0] = batch;
        for (int d = 1; d < shape.length; d++) {
            Dim dim = in.shape().get(d);
            if (!dim.isFixed()) throw new IllegalStateException("input " + in + ": dimension " + d + " is not fixed");
            shape[d] = dim.value();
        }
        return shape;
    }

    @Benchmark
    public Object minnow() {
        return session.run(minnowInput);
    }

    @Benchmark
    public void onnxruntime(Blackhole bh) throws OrtException {
        bh.consume(runOrt(ort, ortFeeds));
    }

    /** One ORT run, its result closed; returns the (closed) first output so that the run cannot be elided. */
    static Object runOrt(OrtSession session, Map<String, OnnxTensor> feeds) throws OrtException {
        try (OrtSession.Result r = session.run(feeds)) {
            return r.get(0);
        }
    }

    /** The benchmark bodies in the order of {@link #ENGINES}, for {@link InterleavedModelBench}. */
    @Override
    public List<Bench.Body> bodies() {
        return List.of(this::minnow, () -> runOrt(ort, ortFeeds));
    }

    /** The benchmark methods, named as JMH names them. */
    static final List<String> ENGINES = List.of("minnow", "onnxruntime");

    /** This state for one configuration, set up as JMH would (for {@link InterleavedModelBench}). */
    static ModelBench open(String model, int batch, int threads) throws Exception {
        ModelBench b = new ModelBench();
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
        session.close();
        minnow.close();
    }
}
