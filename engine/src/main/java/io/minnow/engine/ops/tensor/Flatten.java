package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.InferContext;

/** ONNX Flatten: {@code [d0..dn)} → {@code [d0·…·d(axis-1), d(axis)·…·d(n-1)]} (a view); axis in [-r, r], default 1. */
final class Flatten extends ViewOp {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        int r = in.length;
        long axis = ctx.attrs().getInt("axis", 1);
        if (axis < -r || axis > r) throw ctx.error("axis " + axis + " is out of range [-" + r + ", " + r + "]");
        int a = (int) (axis < 0 ? axis + r : axis);
        ctx.setOutput(0, ctx.inputType(0), new long[]{Shapes.product(in, 0, a), Shapes.product(in, a, r)});
    }
}
