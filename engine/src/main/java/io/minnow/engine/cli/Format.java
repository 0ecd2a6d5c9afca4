package io.minnow.engine.cli;

import java.nio.charset.Charset;
import java.util.Locale;

/** Number formatting shared by the human-readable outputs. */
final class Format {
    private Format() {}

    /** "1,234,567". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "512 B", "1.7 KiB", "3.2 MiB". */
    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    /** Microseconds, one decimal. */
    static String micros(double us) {
        return String.format(Locale.ROOT, "%.1f", us);
    }

    /** "µs" where stdout can print it, else "us". */
    static String microUnit() {
        String enc = System.getProperty("stdout.encoding");
        try {
            return enc != null && Charset.forName(enc).newEncoder().canEncode('µ') ? "µs" : "us";
        } catch (RuntimeException e) {
            return "us";
        }
    }

    /** "89.12%". */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }
}
