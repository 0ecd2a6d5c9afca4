package io.minnow.engine.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    @TempDir
    Path dir;

    private static Idx.Data sample() {
        byte[] px = new byte[3 * 4 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
        return new Idx.Data(new int[]{3, 4, 5}, px);
    }

    @Test
    void roundTripsPlainAndGzip() throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            Path p = dir.resolve(gz ? "a.idx.gz" : "a.idx");
            Idx.write(p, sample(), gz);
            Idx.Data back = Idx.read(p);
            assertArrayEquals(new int[]{3, 4, 5}, back.dims());
            assertArrayEquals(sample().bytes(), back.bytes());
        }
        // Detection is by content, not by name.
        Path plainNamedGz = dir.resolve("plain.gz");
        Idx.write(plainNamedGz, sample(), false);
        assertArrayEquals(sample().bytes(), Idx.read(plainNamedGz).bytes());
    }

    @Test
    void plainFileLayoutIsTheMnistOne() throws IOException {
        Path p = dir.resolve("labels.idx");
        Idx.write(p, new Idx.Data(new int[]{3}, new byte[]{1, 2, 9}), false);
        assertArrayEquals(new byte[]{0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 9}, Files.readAllBytes(p));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private void assertRejected(Path p, String fragment) {
        var e = assertThrows(DataFileException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void rejectsMalformedFiles() throws IOException {
        assertRejected(write("magic", new byte[]{1, 2, 8, 1, 0, 0, 0, 1, 5}), "not an IDX file");
        assertRejected(write("type", new byte[]{0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}), "type 0x0d");
        assertRejected(write("rank0", new byte[]{0, 0, 8, 0}), "rank 0");
        assertRejected(write("header", new byte[]{0, 0, 8, 3, 0, 0, 0, 2}), "truncated");
        assertRejected(write("short", new byte[]{0, 0, 8, 1, 0, 0, 0, 4, 1, 2}), "truncated");
        assertRejected(write("long", new byte[]{0, 0, 8, 1, 0, 0, 0, 1, 1, 2}), "trailing bytes");
        assertRejected(write("neg", new byte[]{0, 0, 8, 1, (byte) 0xFF, 0, 0, 0}), "negative");
        assertRejected(write("huge", new byte[]{0, 0, 8, 2, 0x7F, 0, 0, 0, 0x7F, 0, 0, 0}), "2 GiB");
        assertRejected(write("empty", new byte[0]), "truncated");

        // A gzip stream cut short.
        Path full = dir.resolve("full.gz");
        Idx.write(full, sample(), true);
        byte[] gz = Files.readAllBytes(full);
        assertRejected(write("cut.gz", Arrays.copyOf(gz, gz.length / 2)), "truncated");

        // A gzip stream whose content is not IDX.
        Path notIdx = dir.resolve("text.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(notIdx))) {
            out.write("hello".getBytes());
        }
        assertRejected(notIdx, "not an IDX file");
    }
}
