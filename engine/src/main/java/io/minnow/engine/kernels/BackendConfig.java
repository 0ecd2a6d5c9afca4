package io.minnow.engine.kernels;

/**
 * Process-wide backend switches, read once from system properties:
 * <ul>
 *   <li>{@code -Dminnow.native=false}: never load or use the native library (Java kernels serve).</li>
 *   <li>{@code -Dminnow.vector.width=0|128|256|512}: cap the Vector API width (0 = scalar Java only);
 *       default: the CPU's preferred width.</li>
 * </ul>
 * Tests force each combination in turn.
 */
public record BackendConfig(boolean nativeAllowed, int vectorWidthCap) {
    public static BackendConfig fromSystemProperties() {
        boolean nat = !"false".equalsIgnoreCase(System.getProperty("minnow.native", "true"));
        int width = Integer.getInteger("minnow.vector.width", Integer.MAX_VALUE);
        return new BackendConfig(nat, width);
    }

    /** Java-only configuration with the given vector width cap (0 = scalar). */
    public static BackendConfig javaOnly(int vectorWidthCap) {
        return new BackendConfig(false, vectorWidthCap);
    }
}
