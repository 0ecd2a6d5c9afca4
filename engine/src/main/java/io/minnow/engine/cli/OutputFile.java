package io.minnow.engine.cli;

import io.minnow.formats.MinnowException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on a file a command is about to write, before any work is done for it. */
final class OutputFile {
    private OutputFile() {}

    /** Throws a user error when the folder {@code output} goes into does not exist. */
    static void checkDirectory(Path output) {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new MinnowException(output + ": directory " + parent + " does not exist");
        }
    }
}
