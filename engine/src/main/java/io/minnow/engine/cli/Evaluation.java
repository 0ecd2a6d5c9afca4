package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Session;
import io.minnow.engine.api.Tensor;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ValueInfo;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/** Top-1 (argmax) accuracy of a classifier over a dataset, batch by batch. */
final class Evaluation {
    private Evaluation() {}

    /** Result of one evaluation: samples seen, correct predictions, wall time. */
    record Result(int n, int correct, long nanos) {
        double accuracy() {
            return n == 0 ? Double.NaN : (double) correct / n;
        }
    }

    /** The batch size to use: the model's fixed batch if it declares one, else {@code requested}. */
    static int batchFor(Model model, int requested) {
        long fixed = Shapes.fixedBatch(model.inputs().getFirst());
        return fixed > 0 ? (int) fixed : requested;
    }

    static Result run(Model model, Dataset data, int batch, Progress progress) {
        if (model.inputs().size() != 1) {
            throw new MinnowException("eval needs a model with one input; this one has " + model.inputs().size());
        }
        if (batch < 1) throw new MinnowException("--batch must be >= 1, got " + batch);
        ValueInfo input = model.inputs().getFirst();
        boolean fixed = Shapes.fixedBatch(input) > 0;
        int correct = 0;
        long t0 = System.nanoTime();
        try (Session session = model.newSession()) {
            for (int start = 0; start < data.size(); start += batch) {
                int m = Math.min(batch, data.size() - start);
                Tensor images = data.images(start, m);
                if (fixed && m < batch) images = pad(images, batch); // a fixed-batch model still needs full batches
                Tensor x = Shapes.fitImages(images, input);
                Tensor y = session.run(Map.of(input.name(), x)).values().iterator().next();
                correct += countCorrect(y, data, start, m, images.dim(0));
                progress.update(start + m);
            }
        } finally {
            progress.done();
        }
        return new Result(data.size(), correct, System.nanoTime() - t0);
    }

    /** Counts rows of {@code y} (rows = batch) whose argmax equals the label, over the first {@code m} rows. */
    private static int countCorrect(Tensor y, Dataset data, int start, int m, long rows) {
        if (y.rank() < 1 || y.dim(0) != rows || y.size() % rows != 0 || y.size() == 0) {
            throw new MinnowException("model output " + y + " is not one row of class scores per image (batch " + rows + ")");
        }
        long classes = y.size() / rows;
        int correct = 0;
        for (int i = 0; i < m; i++) {
            long best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (long k = 0; k < classes; k++) {
                double v = y.getDouble(i * classes + k);
                if (v > bestV) {
                    bestV = v;
                    best = k;
                }
            }
            if (best == data.label(start + i)) correct++;
        }
        return correct;
    }

    private static Tensor pad(Tensor images, int batch) {
        long[] s = images.shape();
        s[0] = batch;
        Tensor t = Tensor.allocate(images.type(), s);
        MemorySegment.copy(images.data(), 0, t.data(), 0, images.byteSize());
        return t;
    }
}
