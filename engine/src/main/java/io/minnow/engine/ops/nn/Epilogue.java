package io.minnow.engine.ops.nn;

import io.minnow.engine.ops.FusedActivation;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The Conv/Gemm/MatMul epilogue: bias first, then the fused activation ({@link FusedActivation}), one pass
 * over a run of outputs. The activation switch is taken once per run, not per element.
 */
final class Epilogue {
    private Epilogue() {}

    /** y[off, off+count) = act(y + bias); {@code bias} is ignored when {@code hasBias} is false. */
    static void apply(MemorySegment y, long off, long count, boolean hasBias, float bias, FusedActivation act) {
        long end = off + count;
        switch (act.kind()) {
            case NONE -> {
                if (!hasBias) return;
                for (long i = off; i < end; i++) y.setAtIndex(F32, i, y.getAtIndex(F32, i) + bias);
            }
            case RELU -> {
                if (hasBias) {
                    for (long i = off; i < end; i++) y.setAtIndex(F32, i, Math.max(y.getAtIndex(F32, i) + bias, 0f));
                } else {
                    for (long i = off; i < end; i++) y.setAtIndex(F32, i, Math.max(y.getAtIndex(F32, i), 0f));
                }
            }
            case CLIP -> {
                float lo = act.min(), hi = act.max();
                if (hasBias) {
                    for (long i = off; i < end; i++) y.setAtIndex(F32, i, Math.min(Math.max(y.getAtIndex(F32, i) + bias, lo), hi));
                } else {
                    for (long i = off; i < end; i++) y.setAtIndex(F32, i, Math.min(Math.max(y.getAtIndex(F32, i), lo), hi));
                }
            }
            default -> {
                for (long i = off; i < end; i++) {
                    float v = y.getAtIndex(F32, i);
                    y.setAtIndex(F32, i, act.apply(hasBias ? v + bias : v));
                }
            }
        }
    }
}
