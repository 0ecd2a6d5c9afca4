package io.minnow.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JMH JSON result files (-rf json) and prints F32GemmBench rows with GFLOP/s (2·m·n·k / time) and %
 * of the single-thread FMA peak: FmaPeakProbe.fma's score (the native probe) from any of the files, or
 * {@code --peak GFLOPS}. m=1 rows (GEMV) also print GB/s of weights read (4·nk·nk bytes / time) and % of
 * DramBandwidthProbe.sum.
 * <pre>java -cp jmh/target/benchmarks.jar io.minnow.jmh.GemmReport reports/jmh-gemm.json [reports/jmh-probes.json] [--peak 100]</pre>
 */
public final class GemmReport {
    private static final Pattern ENTRY = Pattern.compile("\"benchmark\"\\s*:\\s*\"([^\"]+)\"(.*?)\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.Ee+NaN]+)\\s*,.*?\"scoreUnit\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);

    private static String param(String block, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(block);
        return m.find() ? m.group(1) : null;
    }

    public static void main(String[] args) throws Exception {
        double peak = Double.NaN, bw = Double.NaN;
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--peak")) { peak = Double.parseDouble(args[++i]); continue; }
            Matcher m = ENTRY.matcher(Files.readString(Path.of(args[i])));
            while (m.find()) {
                String bench = m.group(1), block = m.group(2), unit = m.group(4);
                double score = Double.parseDouble(m.group(3));
                if (bench.endsWith("FmaPeakProbe.fma") && Double.isNaN(peak)) peak = score;
                else if (bench.endsWith("DramBandwidthProbe.sum")) bw = score;
                else if (bench.endsWith("F32GemmBench.gemm")) {
                    if (!unit.equals("us/op")) throw new IllegalArgumentException("expected us/op, got " + unit);
                    String path = param(block, "path");
                    rows.add(new String[]{param(block, "kernel"), param(block, "m"), param(block, "nk"), Double.toString(score),
                            path == null ? "plain" : path});
                }
            }
        }
        System.out.printf("FMA peak (1 thread): %s GFLOP/s   DRAM read (1 thread): %s GB/s%n",
                Double.isNaN(peak) ? "?" : String.format("%.1f", peak), Double.isNaN(bw) ? "?" : String.format("%.1f", bw));
        System.out.printf("%-20s %-8s %5s %5s %12s %9s %7s %8s %6s%n", "kernel", "path", "m", "nk", "us/op", "GFLOP/s",
                "%peak", "GB/s(W)", "%dram");
        for (String[] r : rows) {
            double m = Double.parseDouble(r[1]), nk = Double.parseDouble(r[2]), us = Double.parseDouble(r[3]);
            double gf = 2 * m * nk * nk / (us * 1e3);
            double gbs = 4 * nk * nk / (us * 1e3); // weights (B) read once per call
            boolean gemv = m == 1;
            System.out.printf("%-20s %-8s %5s %5s %12.1f %9.1f %7s %8s %6s%n", r[0], r[4], r[1], r[2], us, gf,
                    Double.isNaN(peak) ? "?" : String.format("%.0f%%", 100 * gf / peak),
                    gemv ? String.format("%.1f", gbs) : "", !gemv || Double.isNaN(bw) ? "" : String.format("%.0f%%", 100 * gbs / bw));
        }
    }
}
