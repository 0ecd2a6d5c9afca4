package io.minnow.engine.ops.math;

import io.minnow.engine.ops.Op;

import java.util.Map;

/** Registers this family's ops. Elementwise arithmetic, activations, comparisons, Where, Cast, reductions, Softmax. */
public final class MathOps {
    private MathOps() {}

    /**
     * What the float32 loops of this family run on, e.g. {@code math ops: Vector API 256-bit} (the
     * width cap {@code -Dminnow.vector.width} can still turn it off per model), for the start-up log.
     */
    public static String describe() {
        return Simd.describe();
    }

    public static void register(Map<String, Op> ops) {
        ops.put("Relu", new Unary(Unary.Kind.RELU));
        ops.put("LeakyRelu", new Unary(Unary.Kind.LEAKY_RELU));
        ops.put("Sigmoid", new Unary(Unary.Kind.SIGMOID));
        ops.put("HardSigmoid", new Unary(Unary.Kind.HARD_SIGMOID));
        ops.put("HardSwish", new Unary(Unary.Kind.HARD_SWISH));
        ops.put("Tanh", new Unary(Unary.Kind.TANH));
        ops.put("Erf", new Unary(Unary.Kind.ERF));
        ops.put("Sqrt", new Unary(Unary.Kind.SQRT));
        ops.put("Exp", new Unary(Unary.Kind.EXP));
        ops.put("Log", new Unary(Unary.Kind.LOG));
        ops.put("Neg", new Unary(Unary.Kind.NEG));
        ops.put("Abs", new Unary(Unary.Kind.ABS));
        ops.put("Clip", new Clip());

        ops.put("Add", new Binary(Binary.Kind.ADD));
        ops.put("Sub", new Binary(Binary.Kind.SUB));
        ops.put("Mul", new Binary(Binary.Kind.MUL));
        ops.put("Div", new Binary(Binary.Kind.DIV));
        ops.put("Pow", new Binary(Binary.Kind.POW));
        ops.put("PRelu", new Binary(Binary.Kind.PRELU));
        ops.put("Equal", new Binary(Binary.Kind.EQUAL));
        ops.put("Where", new Where());

        ops.put("Cast", new Cast(false));
        ops.put("CastLike", new Cast(true));

        ops.put("Softmax", new Softmax(false));
        ops.put("LogSoftmax", new Softmax(true));

        ops.put("ReduceSum", new Reduce(Reduce.Kind.SUM, "ReduceSum"));
        ops.put("ReduceMean", new Reduce(Reduce.Kind.MEAN, "ReduceMean"));
        ops.put("ReduceMax", new Reduce(Reduce.Kind.MAX, "ReduceMax"));
        ops.put("ReduceMin", new Reduce(Reduce.Kind.MIN, "ReduceMin"));
        ops.put("ReduceProd", new Reduce(Reduce.Kind.PROD, "ReduceProd"));
        ops.put("ReduceSumSquare", new Reduce(Reduce.Kind.SUM_SQUARE, "ReduceSumSquare"));
        ops.put("ReduceL1", new Reduce(Reduce.Kind.L1, "ReduceL1"));
        ops.put("ReduceL2", new Reduce(Reduce.Kind.L2, "ReduceL2"));
        ops.put("ReduceLogSum", new Reduce(Reduce.Kind.LOG_SUM, "ReduceLogSum"));
        ops.put("ReduceLogSumExp", new Reduce(Reduce.Kind.LOG_SUM_EXP, "ReduceLogSumExp"));
    }
}
