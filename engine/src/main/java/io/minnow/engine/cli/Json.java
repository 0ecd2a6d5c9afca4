package io.minnow.engine.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The small JSON writer behind {@code --json}: objects keep insertion order and print on one line.
 * Values: null, Boolean, Number, CharSequence, Map (string keys), Collection, long[]/int[]/double[].
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d);
            case Float f -> number(sb, f);
            case Number n -> sb.append(n.longValue());
            case CharSequence s -> string(sb, s.toString());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case Collection<?> c -> {
                sb.append('[');
                boolean first = true;
                for (Object o : c) {
                    if (!first) sb.append(',');
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            }
            case long[] a -> write(sb, java.util.Arrays.stream(a).boxed().toList());
            case int[] a -> write(sb, java.util.Arrays.stream(a).boxed().toList());
            case double[] a -> write(sb, java.util.Arrays.stream(a).boxed().toList());
            default -> string(sb, v.toString());
        }
    }

    /** Finite numbers in plain decimal (integral values without a fraction); NaN and infinities as null. */
    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            sb.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            String s = String.format(Locale.ROOT, "%.6f", d);
            s = s.replaceAll("0+$", "");
            sb.append(s.endsWith(".") ? s + "0" : s);
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
