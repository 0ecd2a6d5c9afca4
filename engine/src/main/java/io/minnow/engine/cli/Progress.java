package io.minnow.engine.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, redrawn in place with {@code \r}. Drawn only when stderr is a
 * terminal (the launcher passes {@code -Dminnow.tty=true}), only once the work has taken half a second,
 * and at most ten times a second; otherwise silent, so logs and pipes stay clean.
 */
final class Progress {
    private static final int WIDTH = 30;
    private static final long DELAY_NANOS = 500_000_000L, PERIOD_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    Progress(PrintWriter err, String label, long total) {
        this(err, label, total, Boolean.getBoolean("minnow.tty"));
    }

    Progress(PrintWriter err, String label, long total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = Math.max(total, 1);
        this.enabled = enabled;
    }

    void update(long done) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - start < DELAY_NANOS || now - lastDraw < PERIOD_NANOS) return;
        lastDraw = now;
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
        err.flush();
        drawn = true;
    }

    /** Erases the bar, if one was drawn. */
    void done() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }
}
