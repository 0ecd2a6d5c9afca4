package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.InferContext;

/**
 * ONNX Reshape (a view). The target shape is input 1 (opset 5+; the {@code shape} attribute before).
 * A 0 copies the input's dim at that position unless {@code allowzero=1} (opset 14), where it means an
 * empty dim; one -1 is inferred from the element count.
 */
final class Reshape extends ViewOp {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        long[] target;
        if (ctx.opset() < 5 && !ctx.hasInput(1)) {
            target = ctx.attrs().getInts("shape", null);
            if (target == null) throw ctx.error("missing required attribute 'shape'");
        } else {
            if (!ctx.hasInput(1)) throw ctx.error("missing required input 'shape'");
            target = Shapes.intsInput(ctx, 1, "shape");
            if (target == null) { // decided at run time
                ctx.setOutput(0, ctx.inputType(0), null);
                return;
            }
        }
        boolean allowZero = ctx.attrs().getInt("allowzero", 0) != 0;
        ctx.setOutput(0, ctx.inputType(0), resolve(ctx, in, target, allowZero));
    }

    /** The output shape for {@code target} (may hold 0 and -1) applied to a tensor of shape {@code in}. */
    static long[] resolve(InferContext ctx, long[] in, long[] target, boolean allowZero) {
        long total = Shapes.product(in, 0, in.length);
        long[] out = new long[target.length];
        int inferred = -1;
        boolean hasZero = false;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (inferred >= 0) throw ctx.error("shape " + Shapes.str(target) + " has more than one -1");
                inferred = i;
                continue;
            }
            if (t < -1) throw ctx.error("shape " + Shapes.str(target) + " has invalid dimension " + t);
            if (t == 0) {
                hasZero = true;
                if (!allowZero) {
                    if (i >= in.length) {
                        throw ctx.error("shape " + Shapes.str(target) + ": 0 at position " + i
                                + " copies a dimension the input " + Shapes.str(in) + " does not have");
                    }
                    t = in[i];
                }
            }
            out[i] = t;
            known = Math.multiplyExact(known, t);
        }
        if (allowZero && hasZero && inferred >= 0) {
            throw ctx.error("shape " + Shapes.str(target) + " has both 0 and -1 with allowzero=1");
        }
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw ctx.error("cannot reshape " + Shapes.str(in) + " to " + Shapes.str(target)
                        + ": the -1 dimension cannot be inferred");
            }
            out[inferred] = total / known;
        } else if (known != total) {
            throw ctx.error("cannot reshape " + Shapes.str(in) + " (" + total + " elements) to " + Shapes.str(out));
        }
        return out;
    }
}
