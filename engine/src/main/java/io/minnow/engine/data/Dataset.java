package io.minnow.engine.data;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A labelled image set held as uint8 pixels; {@link #images} hands out float32 NCHW batches scaled by
 * 1/255, the convention of the bundled models. Immutable.
 */
public final class Dataset {
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path SYSTEM_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    /** The bundled 1000-image sample, relative to the repository root. */
    public static final String SAMPLE_IMAGES = "data/fashion-mnist-sample-images-idx3-ubyte.gz";
    public static final String SAMPLE_LABELS = "data/fashion-mnist-sample-labels-idx1-ubyte.gz";

    private final String name;
    private final int count, channels, height, width;
    private final byte[] pixels;
    private final byte[] labels;

    private Dataset(String name, int count, int channels, int height, int width, byte[] pixels, byte[] labels) {
        this.name = name;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Opens a dataset by spec: {@code fashion-mnist} (the system-wide test set if the Debian package is
     * installed, else the sample bundled under {@code root/data}), {@code fashion-mnist-train} (the system-wide
     * training set: what calibration should see, so that the test set stays unseen) or {@code idx:IMAGES,LABELS}.
     */
    public static Dataset open(String spec, Path root) throws IOException {
        if (spec.equals("fashion-mnist-train")) {
            Path images = SYSTEM_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz");
            Path labels = SYSTEM_FASHION_MNIST.resolve("train-labels-idx1-ubyte.gz");
            if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
                throw new MinnowException("dataset fashion-mnist-train: " + SYSTEM_FASHION_MNIST + " has no training split (apt-get install dataset-fashion-mnist)");
            }
            return fromIdx("fashion-mnist-train", images, labels);
        }
        if (spec.equals("fashion-mnist")) {
            Path sysImages = SYSTEM_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
            Path sysLabels = SYSTEM_FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz");
            if (Files.isRegularFile(sysImages) && Files.isRegularFile(sysLabels)) {
                return fromIdx("fashion-mnist", sysImages, sysLabels);
            }
            Path images = root.resolve(SAMPLE_IMAGES), labels = root.resolve(SAMPLE_LABELS);
            if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
                throw new MinnowException("dataset fashion-mnist: neither " + SYSTEM_FASHION_MNIST + " (apt-get install "
                        + "dataset-fashion-mnist) nor the bundled sample " + images + " is present");
            }
            return fromIdx("fashion-mnist-sample", images, labels);
        }
        if (spec.startsWith("idx:")) {
            String[] parts = spec.substring(4).split(",", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new MinnowException("dataset '" + spec + "': expected idx:IMAGES,LABELS");
            }
            return fromIdx(spec, Path.of(parts[0].strip()), Path.of(parts[1].strip()));
        }
        throw new MinnowException("unknown dataset '" + spec + "'; use fashion-mnist or idx:IMAGES,LABELS");
    }

    /** Reads an IDX image file ([n,h,w] or [n,c,h,w]) and an IDX label file ([n]). */
    public static Dataset fromIdx(String name, Path imagesFile, Path labelsFile) throws IOException {
        Idx.Data images = Idx.read(imagesFile);
        Idx.Data labels = Idx.read(labelsFile);
        if (images.rank() != 3 && images.rank() != 4) {
            throw new DataFileException(imagesFile, "expected images of rank 3 [n,h,w] or 4 [n,c,h,w], got dims "
                    + Arrays.toString(images.dims()));
        }
        if (labels.rank() != 1) {
            throw new DataFileException(labelsFile, "expected labels of rank 1 [n], got dims " + Arrays.toString(labels.dims()));
        }
        if (labels.dim(0) != images.dim(0)) {
            throw new DataFileException(labelsFile, labels.dim(0) + " labels for " + images.dim(0) + " images in " + imagesFile);
        }
        int c = images.rank() == 4 ? images.dim(1) : 1;
        int h = images.dim(images.rank() - 2), w = images.dim(images.rank() - 1);
        return new Dataset(name, images.dim(0), c, h, w, images.bytes(), labels.bytes());
    }

    /** An in-memory dataset (tests, synthetic data); pixels are uint8 in NCHW order. */
    public static Dataset of(String name, int channels, int height, int width, byte[] pixels, byte[] labels) {
        long per = (long) channels * height * width;
        if (per == 0 || pixels.length != per * labels.length) {
            throw new MinnowException(pixels.length + " pixels do not make " + labels.length + " images of " + channels + "x" + height + "x" + width);
        }
        return new Dataset(name, labels.length, channels, height, width, pixels.clone(), labels.clone());
    }

    /** The first {@code n} samples (all when {@code n >= size()}). */
    public Dataset limit(int n) {
        if (n < 0) throw new MinnowException("limit must be >= 0, got " + n);
        if (n >= count) return this;
        int per = sampleSize();
        return new Dataset(name, n, channels, height, width, Arrays.copyOf(pixels, n * per), Arrays.copyOf(labels, n));
    }

    public String name() { return name; }
    public int size() { return count; }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    /** Elements per sample: channels × height × width. */
    public int sampleSize() { return channels * height * width; }

    /** The label of sample i (0..255). */
    public int label(int i) {
        return Byte.toUnsignedInt(labels[Math.toIntExact(checkIndex(i, 1))]);
    }

    /** Samples {@code [start, start+n)} as a float32 tensor {@code [n,c,h,w]}, pixels scaled by 1/255 (x / 255f, as torchvision ToTensor). */
    public Tensor images(int start, int n) {
        checkIndex(start, n);
        int per = sampleSize();
        Tensor t = Tensor.allocate(DataType.FLOAT, n, channels, height, width);
        MemorySegment seg = t.data();
        int base = start * per;
        for (int i = 0, e = n * per; i < e; i++) {
            seg.setAtIndex(Tensor.F32, i, Byte.toUnsignedInt(pixels[base + i]) / 255f);
        }
        return t;
    }

    /** All samples as {@code [n,c,h,w]} float32. */
    public Tensor images() {
        return images(0, count);
    }

    private long checkIndex(int start, int n) {
        if (start < 0 || n < 0 || start + n > count) {
            throw new IndexOutOfBoundsException("samples [" + start + ", " + (start + n) + ") of " + count);
        }
        return start;
    }

    @Override
    public String toString() {
        return name + " (" + count + " images " + channels + "x" + height + "x" + width + ")";
    }
}
