package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The Conv/Gemm/MatMul epilogue: bias first, then the fused activation ({@link FusedActivation}), one pass
 * over a run of outputs. The activation switch is taken once per run, not per element.
 */
final class Epilogue {
    private Epilogue() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /**
     * y = act(y + r), same shapes (a fused residual where the kernel has no residual input): vector adds over
     * blocks split across threads, then the activation pass of {@link #apply} (none for a linear bottleneck).
     */
    static void addResidual(ExecContext ctx, Tensor y, Tensor r, FusedActivation act) {
        MemorySegment ys = y.data(), rs = r.data();
        long size = y.size(), block = 4096;
        ByteOrder order = ByteOrder.nativeOrder();
        ctx.parallel().forRange(Math.toIntExact((size + block - 1) / block), 1, (s0, s1) -> {
            long i = s0 * block, end = Math.min(size, s1 * block), from = i;
            for (; i + SPECIES.length() <= end; i += SPECIES.length()) {
                FloatVector.fromMemorySegment(SPECIES, ys, i * 4, order)
                        .add(FloatVector.fromMemorySegment(SPECIES, rs, i * 4, order))
                        .intoMemorySegment(ys, i * 4, order);
            }
            for (; i < end; i++) ys.setAtIndex(F32, i, ys.getAtIndex(F32, i) + rs.getAtIndex(F32, i));
            apply(ys, from, end - from, false, 0f, act);
        });
    }

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
