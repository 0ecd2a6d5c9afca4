package io.minnow.engine.data;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @TempDir
    Path dir;

    /** Writes n images of h×w (pixel (i,k) = i*10+k) and labels i%10 as gzip IDX; returns the dataset spec. */
    static String writeIdx(Path dir, int n, int h, int w) throws IOException {
        byte[] px = new byte[n * h * w];
        for (int i = 0; i < n; i++) for (int k = 0; k < h * w; k++) px[i * h * w + k] = (byte) (i * 10 + k);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        Path images = dir.resolve("images-idx3-ubyte.gz"), lab = dir.resolve("labels-idx1-ubyte.gz");
        Idx.write(images, new Idx.Data(new int[]{n, h, w}, px), true);
        Idx.write(lab, new Idx.Data(new int[]{n}, labels), true);
        return "idx:" + images + "," + lab;
    }

    @Test
    void imagesAreNchwFloatScaledBy255() throws IOException {
        Dataset d = Dataset.open(writeIdx(dir, 5, 2, 3), dir);
        assertEquals(5, d.size());
        assertEquals(6, d.sampleSize());
        Tensor b = d.images(1, 2);
        assertArrayEquals(new long[]{2, 1, 2, 3}, b.shape());
        float[] v = b.toFloatArray();
        assertEquals(10 / 255f, v[0]);
        assertEquals(25 / 255f, v[11]);
        assertEquals(1, d.label(1));
        assertEquals(4, d.label(4));
        assertArrayEquals(new long[]{5, 1, 2, 3}, d.images().shape());

        Dataset first = d.limit(3);
        assertEquals(3, first.size());
        assertArrayEquals(d.images(0, 3).toFloatArray(), first.images().toFloatArray());
        assertEquals(d, d.limit(99));
    }

    @Test
    void fullRangePixelsMapToZeroAndOne() {
        Dataset d = Dataset.of("t", 1, 1, 2, new byte[]{0, (byte) 255}, new byte[]{7});
        assertArrayEquals(new float[]{0f, 1f}, d.images().toFloatArray());
        assertEquals(7, d.label(0));
    }

    @Test
    void fashionMnistResolvesToTheSystemSetOrTheBundledSample() throws IOException {
        Path root = Path.of(System.getProperty("minnow.root", ".."));
        boolean system = Files.isRegularFile(Dataset.SYSTEM_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"));
        boolean sample = Files.isRegularFile(root.resolve(Dataset.SAMPLE_IMAGES));
        if (!system && !sample) {
            assertThrows(MinnowException.class, () -> Dataset.open("fashion-mnist", root));
            return;
        }
        Dataset d = Dataset.open("fashion-mnist", root);
        assertEquals(system ? 10_000 : 1_000, d.size());
        assertEquals(28, d.height());
        assertEquals(28, d.width());
        for (int i = 0; i < 100; i++) assertTrue(d.label(i) < 10);
    }

    @Test
    void rejectsMismatchedFilesAndBadSpecs() throws IOException {
        String spec = writeIdx(dir, 4, 2, 2);
        Path images = dir.resolve("images-idx3-ubyte.gz");
        Path fewer = dir.resolve("three-labels.gz");
        Idx.write(fewer, new Idx.Data(new int[]{3}, new byte[3]), true);
        var e = assertThrows(DataFileException.class, () -> Dataset.fromIdx("x", images, fewer));
        assertTrue(e.getMessage().contains("3 labels for 4 images"), e.getMessage());

        var swapped = assertThrows(DataFileException.class, () -> Dataset.fromIdx("x", fewer, images));
        assertTrue(swapped.getMessage().contains("rank"), swapped.getMessage());

        assertThrows(MinnowException.class, () -> Dataset.open("idx:only-one.gz", dir));
        assertThrows(MinnowException.class, () -> Dataset.open("cifar-10", dir));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Dataset.open("idx:/nope/a.gz,/nope/b.gz", dir));
        assertEquals(4, Dataset.open(spec, dir).size());
    }
}
