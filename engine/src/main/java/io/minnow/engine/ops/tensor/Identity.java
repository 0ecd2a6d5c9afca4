package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.InferContext;

/** ONNX Identity: output = input (a view; tensor inputs only). */
final class Identity extends ViewOp {
    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
    }
}
