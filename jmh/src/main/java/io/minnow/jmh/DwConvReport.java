package io.minnow.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JMH JSON result files (-rf json) and prints F32DwConvBench rows with GFLOP/s: 2 flops per
 * multiply-add of a tap inside the input (padding taps are not counted), over all planes, per time.
 * <pre>java -cp jmh/target/benchmarks.jar io.minnow.jmh.DwConvReport reports/jmh-dwconv.json</pre>
 */
public final class DwConvReport {
    private static final Pattern ENTRY = Pattern.compile("\"benchmark\"\\s*:\\s*\"([^\"]+)\"(.*?)\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.Ee+NaN]+)\\s*,.*?\"scoreUnit\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);

    private DwConvReport() {}

    private static String param(String block, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(block);
        return m.find() ? m.group(1) : null;
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("%-22s %-12s %6s %6s %12s %9s%n", "kernel", "layer", "layout", "batch", "us/call", "GFLOP/s");
        for (String file : args) {
            Matcher m = ENTRY.matcher(Files.readString(Path.of(file)));
            while (m.find()) {
                if (!m.group(1).endsWith("F32DwConvBench.dwconv")) continue;
                if (!m.group(4).equals("us/op")) throw new IllegalArgumentException("expected us/op, got " + m.group(4));
                String block = m.group(2), layer = param(block, "layer");
                int batch = Integer.parseInt(param(block, "batch"));
                double us = Double.parseDouble(m.group(3));
                double flops = 2.0 * F32DwConvBench.macsPerPlane(F32DwConvBench.shapeOf(layer))
                        * F32DwConvBench.channelsOf(layer) * batch;
                String layout = param(block, "layout");
                System.out.printf("%-22s %-12s %6s %6d %12.2f %9.2f%n", param(block, "kernel"), layer, layout == null ? "nchw" : layout,
                        batch, us, flops / us / 1e3);
            }
        }
    }
}
