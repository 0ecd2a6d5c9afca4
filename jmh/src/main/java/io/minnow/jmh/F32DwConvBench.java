package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32DwConv;
import io.minnow.engine.kernels.f32.F32Epilogue;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Family f32-dwconv on the depthwise layers of the bundled models/mobilenet.onnx (3x3, pad 1, ReLU6 fused,
 * bias), single thread, average time per call over all planes of {@code batch} images, in either activation
 * layout ({@code layout}: NCHW planes, or channels-last images as the layout pass runs MobileNet). {@code layer} is
 * {@code CxHxW} + {@code s1|s2}. {@code kernel} is a registry id ({@link KernelRegistry#f32DwConv}); ids this
 * CPU cannot run fail at setup. GFLOP/s (2 per multiply-add of the taps inside the input):
 * <pre>java -cp jmh/target/benchmarks.jar io.minnow.jmh.DwConvReport reports/jmh-dwconv.json</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class F32DwConvBench {
    @Param({"f32-dwconv-avx512f", "f32-dwconv-avx2", "f32-dwconv-c", "f32-dwconv-panama512", "f32-dwconv-panama256",
            "f32-dwconv-panama128", "f32-dwconv-scalar"})
    public String kernel;

    @Param({"64x14x14s1", "96x14x14s1", "96x14x14s2", "128x7x7s1"})
    public String layer;

    @Param({"1", "64"})
    public int batch;

    /** nchw: {@link F32DwConv#run} over planes; nhwc: {@link F32DwConv#runNhwc} per image, channels-last. */
    @Param({"nchw", "nhwc"})
    public String layout;

    private Arena arena;
    private MemorySegment x, w, b, y, wNhwc;
    private ConvShape shape;
    private int planes, channels;
    private F32DwConv conv;
    private final F32Epilogue relu6 = new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, 6f);

    /** The shape of a layer name like {@code 96x14x14s2} (3x3, pad 1). */
    static ConvShape shapeOf(String layer) {
        String[] p = layer.split("[xs]");
        int h = Integer.parseInt(p[1]), wd = Integer.parseInt(p[2]), s = Integer.parseInt(p[3]);
        return new ConvShape(1, h, wd, 1, (h - 1) / s + 1, (wd - 1) / s + 1, 3, 3, s, s, 1, 1, 1, 1);
    }

    /** Channels of a layer name. */
    static int channelsOf(String layer) {
        return Integer.parseInt(layer.substring(0, layer.indexOf('x')));
    }

    /** Multiply-adds of one plane: taps whose input is inside the plane (padding taps are not work). */
    static long macsPerPlane(ConvShape s) {
        long n = 0;
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                for (int ky = 0; ky < s.kh(); ky++) {
                    for (int kx = 0; kx < s.kw(); kx++) {
                        int iy = s.inRow(oy, ky), ix = s.inCol(ox, kx);
                        if (iy >= 0 && iy < s.inH() && ix >= 0 && ix < s.inW()) n++;
                    }
                }
            }
        }
        return n;
    }

    /** The kernel with this id under the system-property config, or under a width cap for panamaW ids. */
    static F32DwConv lookup(String id) {
        BackendConfig cfg = BackendConfig.fromSystemProperties();
        List<KernelInfo<F32DwConv>> list = KernelRegistry.f32DwConv(cfg);
        if (id.startsWith("f32-dwconv-panama") && list.stream().noneMatch(k -> k.id().equals(id))) {
            try {
                int bits = Integer.parseInt(id.substring("f32-dwconv-panama".length()));
                list = KernelRegistry.f32DwConv(new BackendConfig(cfg.nativeAllowed(), bits));
            } catch (NumberFormatException ignored) {
                // falls through to "unknown"
            }
        }
        for (KernelInfo<F32DwConv> k : list) {
            if (k.id().equals(id)) {
                if (!k.isAvailable()) throw new IllegalStateException("kernel " + id + " is not available on this CPU/runtime (needs " + k.requires() + ")");
                return k.create();
            }
        }
        throw new IllegalStateException("kernel " + id + " is not available on this CPU/runtime (not in the registry here)");
    }

    @Setup(Level.Trial)
    public void setup() {
        conv = lookup(kernel);
        shape = shapeOf(layer);
        channels = channelsOf(layer);
        planes = channels * batch;
        arena = Arena.ofShared();
        x = fill(arena.allocate((long) planes * shape.inPlane() * 4, 64), 1);
        w = fill(arena.allocate((long) planes * 9 * 4, 64), 2);
        b = fill(arena.allocate((long) planes * 4, 64), 3);
        y = arena.allocate((long) planes * shape.outPlane() * 4, 64);
        wNhwc = F32DwConv.packNhwc(w, 0, channels, 9);
    }

    private static MemorySegment fill(MemorySegment s, long seed) {
        Random r = new Random(seed);
        for (long i = 0; i < s.byteSize() / 4; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void dwconv() {
        if (layout.equals("nhwc")) { // one image at a time, all its rows: how ConvNhwc calls it (rows split over threads)
            long in = (long) channels * shape.inPlane(), out = (long) channels * shape.outPlane();
            for (int n = 0; n < batch; n++) conv.runNhwc(shape, channels, x, n * in, wNhwc, 0, b, 0, relu6, y, n * out, 0, shape.outH());
            return;
        }
        // Weights and bias per plane (batch images each have their own copy: the same work as per channel).
        conv.run(shape, x, 0, w, 0, b, 0, relu6, y, 0, 0, planes);
    }
}
