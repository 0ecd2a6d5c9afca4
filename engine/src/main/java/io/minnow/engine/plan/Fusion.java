package io.minnow.engine.plan;

import io.minnow.engine.ir.Graph;

/** Graph rewrites done once at load: BatchNorm folding into Conv, activation fusion. */
public final class Fusion {
    private Fusion() {}

    public static void run(Graph g) {
    }
}
