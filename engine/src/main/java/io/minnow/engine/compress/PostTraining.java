package io.minnow.engine.compress;

import io.minnow.formats.ModelDef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Post-training quantization in one call: find the quantizable layers, calibrate the inputs of the int8 ones on
 * {@code n} calibration inputs, rewrite the model ({@link Quantizer}). What {@code minnow compress}, {@code compare}
 * and {@code demo} share.
 */
public final class PostTraining {
    private PostTraining() {}

    /** The quantized model and the calibrated activation ranges it used. */
    public record Result(ModelDef model, List<Quantizer.Target> targets, Map<String, ActivationRange> ranges, int calibrated) {}

    public static Result quantize(ModelDef fp32, QuantConfig cfg, Calibrator.Batches calib, int n, IntConsumer progress) {
        List<Quantizer.Target> targets = Quantizer.targets(fp32);
        List<String> tensors = new ArrayList<>();
        for (Quantizer.Target t : targets) {
            if (cfg.quantizesInput(t) && !tensors.contains(t.input())) tensors.add(t.input());
        }
        int used = Math.min(n, calib.size());
        Map<String, ActivationRange> ranges = Calibrator.run(fp32, tensors, calib, used, 64, cfg.percentile(), progress);
        return new Result(Quantizer.quantize(fp32, cfg, ranges), targets, ranges, used);
    }
}
