package io.minnow.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.minnow.engine.api.Tensor;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs a float model in ONNX Runtime Java (the reference Minnow is compared with). */
final class OrtReference {
    private OrtReference() {}

    /** First output of the model for one float input, as a flat array. */
    static float[] run(Path model, Tensor input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), so);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toFloatArray()), input.shape());
                 OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                FloatBuffer fb = out.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                return values;
            }
        }
    }
}
