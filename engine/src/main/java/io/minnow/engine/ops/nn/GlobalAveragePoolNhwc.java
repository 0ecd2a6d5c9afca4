package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * GlobalAveragePool reading channels-last input (internal op {@code io.minnow.GlobalAveragePoolNhwc}, made by
 * {@code plan.NhwcLayout} where a channels-last conv feeds the pool): X [N, H, W, C] → Y [N, C, 1, 1], which is
 * the same memory in either layout, so no conversion is needed at the network's head. Each image's pixels are
 * summed in order, a vector of channels at a time, then divided by H·W.
 */
final class GlobalAveragePoolNhwc implements Op {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != DataType.FLOAT) throw ctx.error("GlobalAveragePool (channels-last) supports float32 only");
        long[] x = ctx.inputShape(0);
        if (x.length != 4) throw ctx.error("channels-last input must be [N, H, W, C], got " + Arrays.toString(x));
        ctx.setOutput(0, DataType.FLOAT, new long[]{x[0], x[3], 1, 1});
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        int n = (int) x.dim(0), c = (int) x.dim(3);
        long pixels = x.dim(1) * x.dim(2);
        if (y.size() == 0) return;
        MemorySegment xs = x.data(), ys = y.data();
        ByteOrder order = ByteOrder.nativeOrder();
        int lanes = SPECIES.length();
        ctx.parallel().forRange(n, 1, (n0, n1) -> {
            for (int img = n0; img < n1; img++) {
                long base = (long) img * pixels * c, out = (long) img * c;
                int ch = 0;
                for (; ch + lanes <= c; ch += lanes) {
                    FloatVector acc = FloatVector.zero(SPECIES);
                    for (long q = 0; q < pixels; q++) {
                        acc = acc.add(FloatVector.fromMemorySegment(SPECIES, xs, (base + q * c + ch) * 4, order));
                    }
                    acc.div((float) pixels).intoMemorySegment(ys, (out + ch) * 4, order);
                }
                for (; ch < c; ch++) {
                    float acc = 0f;
                    for (long q = 0; q < pixels; q++) acc += xs.getAtIndex(F32, base + q * c + ch);
                    ys.setAtIndex(F32, out + ch, acc / pixels);
                }
            }
        });
    }
}
