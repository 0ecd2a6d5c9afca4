package io.minnow.formats;

/**
 * Base of every error Minnow reports to users: a one-line message that says what went wrong and where.
 * The command line prints {@link #getMessage()} alone (no stack trace unless --verbose).
 */
public class MinnowException extends RuntimeException {
    public MinnowException(String message) {
        super(message);
    }

    public MinnowException(String message, Throwable cause) {
        super(message, cause);
    }
}
