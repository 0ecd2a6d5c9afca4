package io.minnow.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.BackendConfig;
import io.minnow.formats.ModelDef;
import io.minnow.formats.onnx.OnnxWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One conv layer as a one-node ONNX model (same weights, same input), batch 1, one thread, timed in
 * three engines: {@code minnow} (default backend: native kernels where they load), {@code minnow-java}
 * (native off, Vector API at the CPU's preferred width) and {@code ort} (ONNX Runtime Java fp32, all
 * graph optimisations on). Average time per run; GFLOP/s and the Minnow/ORT ratio come from
 * {@link PerfReport}, which reads each layer's flops back through {@link ConvLayers}.
 *
 * <p>{@code layer}: see {@link ConvLayers} ({@code resnet:conv3}, {@code r18:3x3-56x56x64}, ...). The default
 * list is the distinct shapes of the bundled models today; {@code tools/perf/run-all.sh} asks
 * {@link BenchParams} for the current list instead, so a retrained model needs no edit here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class F32ConvBench {
    @Param({"resnet:conv0", "resnet:conv1", "resnet:conv3", "resnet:conv4", "resnet:conv5", "resnet:conv6",
            "resnet:conv7", "resnet:conv8",
            "mobilenet:conv0", "mobilenet:conv1", "mobilenet:conv2", "mobilenet:conv3", "mobilenet:conv6",
            "mobilenet:conv7", "mobilenet:conv8", "mobilenet:conv9", "mobilenet:conv11", "mobilenet:conv12",
            "mobilenet:conv13", "mobilenet:conv14", "mobilenet:conv15",
            "r18:3x3-56x56x64", "r18:1x1-56x56x64", "r18:3x3-14x14x256", "r18:1x1-14x14x256"})
    public String layer;

    @Param({"minnow", "minnow-java", "ort"})
    public String backend;

    private Model model;
    private Session session;
    private Map<String, Tensor> minnowInput;
    private OrtSession ort;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortFeeds;

    /** The Minnow backend for a {@code backend} value. */
    static BackendConfig minnowBackend(String backend) {
        return switch (backend) {
            case "minnow" -> BackendConfig.fromSystemProperties();
            case "minnow-java" -> BackendConfig.javaOnly(Integer.MAX_VALUE);
            default -> throw new IllegalArgumentException("not a Minnow backend: " + backend);
        };
    }

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        ConvLayer l = ConvLayers.resolve(layer, Path.of(System.getProperty("minnow.root", ".")));
        ModelDef def = l.toModel();
        float[] x = new float[l.cin() * l.h() * l.w()];
        Random r = new Random(7);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        long[] shape = {1, l.cin(), l.h(), l.w()};
        System.out.println("# layer " + layer + ": " + l.shape() + ", " + l.flops() / 1e6 + " MFLOP, backend " + backend);
        if (backend.equals("ort")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(1);
                so.setInterOpNumThreads(1);
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                ort = env.createSession(OnnxWriter.toBytes(def), so);
            }
            ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
            ortFeeds = Map.of("x", ortInput);
        } else {
            model = Model.of(def, Options.defaults().withThreads(1).withBackend(minnowBackend(backend)));
            System.out.println("# " + model.kernels().describe());
            session = model.newSession();
            minnowInput = Map.of("x", Tensor.of(x, shape));
        }
    }

    @Benchmark
    public void conv(Blackhole bh) throws OrtException {
        if (ort == null) {
            bh.consume(session.run(minnowInput));
        } else {
            try (OrtSession.Result res = ort.run(ortFeeds)) {
                bh.consume(res.get(0));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        if (ort != null) {
            ortInput.close();
            ort.close();
        } else {
            session.close();
            model.close();
        }
    }
}
