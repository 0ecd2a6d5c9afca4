package io.minnow.kernels.nat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Loading the native library and what it says about the CPU, checked against /proc/cpuinfo. */
class NativeLibraryTest {
    static boolean expectNative() {
        return System.getProperty("os.name").toLowerCase().contains("linux")
                && "amd64".equals(System.getProperty("os.arch"))
                && !"false".equalsIgnoreCase(System.getProperty(NativeLibrary.DISABLE_PROPERTY));
    }

    /** The build compiles the library on linux-x86_64, so a failed load there is a defect, not a fallback. */
    @Test
    void loadsOnLinuxX86_64() {
        assumeTrue(expectNative(), "native kernels are only built for linux-x86_64 (and not disabled)");
        assertTrue(NativeLibrary.available(), () -> "native library failed to load: " + NativeLibrary.unavailableReason());
        System.out.println("native isa=" + NativeLibrary.isa() + " cpu=[" + NativeLibrary.describeFeatures(NativeLibrary.cpuFeatures()) + "]");
    }

    private static Set<String> cpuinfoFlags() throws IOException {
        Path p = Path.of("/proc/cpuinfo");
        assumeTrue(Files.isReadable(p), "no /proc/cpuinfo to compare with");
        return Files.readAllLines(p).stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                .orElseGet(Set::of);
    }

    @Test
    void featuresAgreeWithProcCpuinfo() throws IOException {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        Set<String> flags = cpuinfoFlags();
        int f = NativeLibrary.cpuFeatures();
        // /proc/cpuinfo lists what the kernel enabled, so it must agree with cpuid + xgetbv both ways.
        assertEquals(flags.containsAll(List.of("avx2", "fma")), (f & NativeLibrary.CPU_AVX2) != 0, "AVX2+FMA");
        assertEquals(flags.containsAll(List.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq")),
                (f & NativeLibrary.CPU_AVX512) != 0, "AVX-512 F/BW/VL/DQ");
        assertEquals((f & NativeLibrary.CPU_AVX512) != 0 && flags.contains("avx512_vnni"),
                (f & NativeLibrary.CPU_AVX512VNNI) != 0, "AVX-512 VNNI");
        assertEquals(flags.contains("avx2") && flags.contains("fma") && flags.contains("avx_vnni"),
                (f & NativeLibrary.CPU_AVXVNNI) != 0, "AVX-VNNI");
        if ((f & NativeLibrary.CPU_AMX_INT8) != 0) {
            assertTrue(flags.containsAll(List.of("amx_tile", "amx_int8")), "AMX reported without amx_tile/amx_int8");
        }
        assertEquals(f, NativeLibrary.cpuFeatures(), "detection is cached and stable");
    }

    @Test
    void isaIsTheWidestSupported() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        int f = NativeLibrary.cpuFeatures();
        String expected = (f & NativeLibrary.CPU_AVX512) != 0 ? "avx512f" : (f & NativeLibrary.CPU_AVX2) != 0 ? "avx2" : "c";
        assertEquals(expected, NativeLibrary.isa());
    }

    /** -Dminnow.native=false must keep the library from loading at all: checked in a fresh JVM. */
    @Test
    void disabledByPropertyInAFreshJvm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(java != null, "cannot locate the running java executable");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-D" + NativeLibrary.DISABLE_PROPERTY + "=false", Probe.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes()).lines().collect(Collectors.joining("\n"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("disabled by -Dminnow.native=false"), out);
        assertFalse(out.contains("loaded=true"), out);
    }

    /** Run in a child JVM by {@link #disabledByPropertyInAFreshJvm}. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("available=" + NativeLibrary.available() + " reason=" + NativeLibrary.unavailableReason());
            // JavaCPP's loader records every library it loaded; nothing of ours may be among them.
            boolean loaded = org.bytedeco.javacpp.Loader.getLoadedLibraries().keySet().stream()
                    .anyMatch(k -> k.contains("NativeKernels"));
            System.out.println("loaded=" + loaded);
        }
    }
}
