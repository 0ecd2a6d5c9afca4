package io.minnow.engine.compress;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.GraphDef;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Activation calibration: runs the float32 model on calibration inputs with the tensors of interest added as graph
 * outputs, and records each one's exact min/max plus a uniform random sample of its values (at most
 * {@value #SAMPLE_CAP} per tensor, seeded, so a run is reproducible), from which {@link ActivationRange} picks a range.
 */
public final class Calibrator {
    private Calibrator() {}

    static final int SAMPLE_CAP = 1 << 20;

    /** A source of calibration batches: {@code batch(start, n)} gives inputs [start, start + n) as one tensor. */
    public interface Batches {
        int size();
        Tensor batch(int start, int n);
    }

    /**
     * Calibrates {@code tensors} over the first {@code n} inputs of {@code data}, {@code batch} at a time;
     * {@code progress} receives the number of inputs done.
     */
    public static Map<String, ActivationRange> run(ModelDef model, List<String> tensors, Batches data, int n, int batch,
                                                   double percentile, IntConsumer progress) {
        if (tensors.isEmpty()) return Map.of();
        n = Math.min(n, data.size());
        if (n < 1) throw new MinnowException("calibration needs at least one input; the dataset has " + data.size());
        GraphDef g = model.graph();
        if (g.inputs().stream().filter(vi -> g.initializers().stream().noneMatch(t -> t.name().equals(vi.name()))).count() != 1) {
            throw new MinnowException("calibration needs a model with one input");
        }
        List<ValueInfo> outs = new ArrayList<>(g.outputs());
        for (String t : tensors) if (outs.stream().noneMatch(o -> o.name().equals(t))) outs.add(new ValueInfo(t, DataType.FLOAT, null));
        ModelDef probe = new ModelDef(model.irVersion(), model.opsetImports(), model.producerName(), model.producerVersion(),
                new GraphDef(g.name(), g.nodes(), g.inputs(), outs, g.initializers(), g.valueInfo()), model.metadata());

        int batches = (n + batch - 1) / batch;
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (String t : tensors) stats.put(t, new Stats(SAMPLE_CAP / batches));
        try (Model m = Model.of(probe, Options.defaults()); Session s = m.newSession()) {
            String input = m.inputs().getFirst().name();
            for (int start = 0; start < n; start += batch) {
                int k = Math.min(batch, n - start);
                Map<String, Tensor> out = s.run(Map.of(input, data.batch(start, k)));
                for (var e : stats.entrySet()) e.getValue().add(out.get(e.getKey()));
                progress.accept(start + k);
            }
        }
        Map<String, ActivationRange> ranges = new LinkedHashMap<>();
        for (var e : stats.entrySet()) ranges.put(e.getKey(), e.getValue().range(e.getKey(), percentile));
        return ranges;
    }

    /** Running min/max and a per-batch random sample of one tensor. */
    private static final class Stats {
        private final int perBatch;
        private final SplittableRandom random = new SplittableRandom(0x5eed);
        private float[] sample = new float[1024];
        private int count;
        private long seen;
        private float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;

        Stats(int perBatch) {
            this.perBatch = Math.max(1, perBatch);
        }

        void add(Tensor t) {
            if (t == null || t.type() != DataType.FLOAT) throw new MinnowException("calibrated tensor is missing or not float32: " + t);
            long size = t.size();
            for (long i = 0; i < size; i++) {
                float v = t.getFloat(i);
                if (!Float.isFinite(v)) throw new MinnowException("calibration met a non-finite activation (" + v + ")");
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            int take = (int) Math.min(size, perBatch);
            if (count + take > sample.length) sample = java.util.Arrays.copyOf(sample, Math.max(count + take, 2 * sample.length));
            for (int i = 0; i < take; i++) {
                long idx = take == size ? i : random.nextLong(size);
                sample[count++] = t.getFloat(idx);
            }
            seen += size;
        }

        ActivationRange range(String name, double percentile) {
            if (seen == 0) return ActivationRange.of(name, 0, 0, "minmax", 0);
            return ActivationRange.choose(name, min, max, sample, count, seen, percentile);
        }
    }
}
