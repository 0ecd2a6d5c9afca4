package io.minnow.kernels.nat;

import io.minnow.testutil.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the C test harness (kernels-native/src/test/c/run-tests.sh): every native kernel config against a
 * double-precision loop, built with AddressSanitizer and UBSan, AVX-512 code also on an emulation of its
 * intrinsics. Out-of-bounds reads or writes in native code fail here, not in a user's JVM.
 */
class NativeSanitizerTest {
    @Test
    void cHarnessPassesUnderSanitizers(@TempDir Path out) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "gcc is not installed: the C harness cannot be built here");
        Path script = TestPaths.root().resolve("kernels-native/src/test/c/run-tests.sh");
        Process p = new ProcessBuilder("bash", script.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("C harness did not finish in 10 minutes:\n" + log);
        }
        assertEquals(0, p.exitValue(), "C harness failed:\n" + log);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
