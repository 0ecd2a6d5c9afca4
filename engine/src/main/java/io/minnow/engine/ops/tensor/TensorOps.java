package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.Op;

import java.util.Map;

/**
 * Registers this family's ops: shape manipulation and data movement. Every op here moves raw elements
 * (1, 2, 4 or 8 bytes), so each works for any fixed-size data type.
 */
public final class TensorOps {
    private TensorOps() {}

    public static void register(Map<String, Op> ops) {
        ops.put("Concat", new Concat());
        ops.put("Constant", new Constant());
        ops.put("ConstantOfShape", new ConstantOfShape());
        ops.put("Dropout", new Dropout());
        ops.put("Expand", new Expand());
        ops.put("Flatten", new Flatten());
        ops.put("Gather", new Gather());
        ops.put("Identity", new Identity());
        ops.put("Pad", new Pad());
        ops.put("Reshape", new Reshape());
        ops.put("Shape", new ShapeOp());
        ops.put("Slice", new Slice());
        ops.put("Split", new Split());
        ops.put("Squeeze", new Squeeze());
        ops.put("Transpose", new Transpose());
        ops.put("Unsqueeze", new Unsqueeze());
    }
}
