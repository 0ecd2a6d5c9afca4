package io.minnow.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the repository and the Debian-packaged test data. */
public final class TestPaths {
    private TestPaths() {}

    /** The repository root (surefire sets minnow.root; else walk up from the working directory). */
    public static Path root() {
        String p = System.getProperty("minnow.root");
        if (p != null) return Path.of(p).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("minnow"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** ONNX backend node tests (Debian package libonnx-testdata). */
    public static final Path ONNX_NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    /** Fashion-MNIST (Debian package dataset-fashion-mnist). */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
}
