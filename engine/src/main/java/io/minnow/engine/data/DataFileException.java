package io.minnow.engine.data;

import io.minnow.formats.MinnowException;

import java.nio.file.Path;

/** A data file (IDX, .npy) is malformed, truncated or of a kind Minnow does not read. The message names the file. */
public class DataFileException extends MinnowException {
    private final Path file;

    public DataFileException(Path file, String what) {
        super(file + ": " + what);
        this.file = file;
    }

    public DataFileException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
