package io.minnow.engine.ops;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.Attribute;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * An activation folded into a Conv/Gemm/MatMul epilogue by the planner, stored on the node as internal
 * attributes: {@code minnow.activation} (Relu | Clip | LeakyRelu | Sigmoid | HardSigmoid | HardSwish | Tanh)
 * and its parameters {@code minnow.activation.min}, {@code .max}, {@code .alpha}, {@code .beta}.
 * Fused results equal the unfused op followed by the activation op, bit for bit.
 */
public record FusedActivation(Kind kind, float min, float max, float alpha, float beta) {
    public enum Kind { NONE, RELU, CLIP, LEAKY_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, TANH }

    public static final String ATTR = "minnow.activation";
    public static final FusedActivation NONE = new FusedActivation(Kind.NONE, 0, 0, 0, 0);

    /** Reads the fused activation of a node (NONE when it has none). */
    public static FusedActivation of(Attrs attrs) {
        if (!attrs.has(ATTR)) return NONE;
        Kind k = switch (attrs.getString(ATTR, "")) {
            case "Relu" -> Kind.RELU;
            case "Clip" -> Kind.CLIP;
            case "LeakyRelu" -> Kind.LEAKY_RELU;
            case "Sigmoid" -> Kind.SIGMOID;
            case "HardSigmoid" -> Kind.HARD_SIGMOID;
            case "HardSwish" -> Kind.HARD_SWISH;
            case "Tanh" -> Kind.TANH;
            default -> throw new IllegalArgumentException("unknown fused activation " + attrs.getString(ATTR, ""));
        };
        return new FusedActivation(k, attrs.getFloat(ATTR + ".min", Float.NEGATIVE_INFINITY),
                attrs.getFloat(ATTR + ".max", Float.POSITIVE_INFINITY), attrs.getFloat(ATTR + ".alpha", 0f),
                attrs.getFloat(ATTR + ".beta", 0f));
    }

    /** Writes this activation onto a node's attributes. */
    public void store(Map<String, Attribute> attributes) {
        if (kind == Kind.NONE) return;
        String name = switch (kind) {
            case RELU -> "Relu"; case CLIP -> "Clip"; case LEAKY_RELU -> "LeakyRelu"; case SIGMOID -> "Sigmoid";
            case HARD_SIGMOID -> "HardSigmoid"; case HARD_SWISH -> "HardSwish"; case TANH -> "Tanh"; default -> "";
        };
        attributes.put(ATTR, Attribute.of(ATTR, name));
        attributes.put(ATTR + ".min", Attribute.of(ATTR + ".min", min));
        attributes.put(ATTR + ".max", Attribute.of(ATTR + ".max", max));
        attributes.put(ATTR + ".alpha", Attribute.of(ATTR + ".alpha", alpha));
        attributes.put(ATTR + ".beta", Attribute.of(ATTR + ".beta", beta));
    }

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /** The activation of one value (same formulas as the standalone ops). */
    public float apply(float x) {
        return switch (kind) {
            case NONE -> x;
            case RELU -> Math.max(x, 0f);
            case CLIP -> Math.min(Math.max(x, min), max);
            case LEAKY_RELU -> x < 0 ? alpha * x : x;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case HARD_SIGMOID -> Math.max(0f, Math.min(1f, alpha * x + beta));
            case HARD_SWISH -> x * Math.max(0f, Math.min(1f, x / 6f + 0.5f));
            case TANH -> (float) Math.tanh(x);
        };
    }

    /** Applies in place to {@code count} floats starting at element {@code offset}. */
    public void apply(MemorySegment data, long offset, long count) {
        if (kind == Kind.NONE) return;
        for (long i = offset, end = offset + count; i < end; i++) {
            data.setAtIndex(Tensor.F32, i, apply(data.getAtIndex(Tensor.F32, i)));
        }
    }
}
