package io.minnow.engine.kernels.f32;

import io.minnow.engine.ops.FusedActivation;

/**
 * The fused epilogue a kernel applies to its accumulators: y = act(acc + bias [+ residual]). Kernels do
 * the activations listed here themselves (native code uses the same codes, common/epilogue.h); any other
 * activation ({@link #code} = -1) is applied by the caller after the kernel ran with {@link #NONE}.
 */
public record F32Epilogue(int code, float lo, float hi) {
    public static final int ACT_NONE = 0;
    public static final int ACT_CLAMP = 1;
    public static final int ACT_HARDSWISH = 2;

    public static final F32Epilogue NONE = new F32Epilogue(ACT_NONE, 0f, 0f);

    /** The kernel-side form of a fused activation, or null when kernels cannot apply it (caller does). */
    public static F32Epilogue of(FusedActivation act) {
        return switch (act.kind()) {
            case NONE -> NONE;
            case RELU -> new F32Epilogue(ACT_CLAMP, 0f, Float.POSITIVE_INFINITY);
            case CLIP -> new F32Epilogue(ACT_CLAMP, act.min(), act.max());
            case HARD_SWISH -> new F32Epilogue(ACT_HARDSWISH, 0f, 0f);
            default -> null;
        };
    }

    /** The activation of one value, as the native kernels compute it (NaN propagates). */
    public float apply(float v) {
        return switch (code) {
            case ACT_CLAMP -> {
                float t = v < lo ? lo : v;
                yield t > hi ? hi : t;
            }
            case ACT_HARDSWISH -> v * Math.max(0f, Math.min(1f, v / 6f + 0.5f));
            default -> v;
        };
    }
}
