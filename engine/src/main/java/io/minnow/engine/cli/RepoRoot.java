package io.minnow.engine.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository root (where {@code models/} and {@code data/} live): the {@code minnow.root}
 * system property (the launcher sets it), else the first parent of the running jar, else of the working
 * directory, that looks like the root; else the working directory.
 */
final class RepoRoot {
    private RepoRoot() {}

    static Path find() {
        String prop = System.getProperty("minnow.root");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath().normalize();
        Path fromJar = jarLocation();
        if (fromJar != null) {
            Path r = search(fromJar);
            if (r != null) return r;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path r = search(cwd);
        return r != null ? r : cwd;
    }

    private static Path search(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (isRoot(p)) return p;
        }
        return null;
    }

    /** The launcher script plus the engine module, or the parent pom plus the engine module. */
    static boolean isRoot(Path p) {
        return Files.isDirectory(p.resolve("engine"))
                && (Files.isRegularFile(p.resolve("minnow")) || Files.isRegularFile(p.resolve("pom.xml")));
    }

    private static Path jarLocation() {
        try {
            var src = Main.class.getProtectionDomain().getCodeSource();
            return src == null ? null : Path.of(src.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
