package io.minnow.engine.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed, detected by content): a 4-byte
 * magic {@code 0x00 0x00 <type> <rank>}, {@code rank} big-endian int32 dimensions, then the elements in
 * row-major order. Minnow reads and writes unsigned-byte IDX (type 0x08), which is what image and label
 * files use; every header field and the exact payload length are checked before anything is returned.
 */
public final class Idx {
    /** Element type code of unsigned bytes. */
    public static final int UBYTE = 0x08;
    /** Largest rank accepted; MNIST-style files use 1 (labels) and 3 (images). */
    public static final int MAX_RANK = 8;

    private Idx() {}

    /** A decoded unsigned-byte IDX file: its dimensions and its elements (row-major, values 0..255 as bytes). */
    public record Data(int[] dims, byte[] bytes) {
        public Data {
            dims = dims.clone();
            long n = 1;
            for (int d : dims) n *= d;
            if (n != bytes.length) {
                throw new IllegalArgumentException(bytes.length + " bytes do not fill dims " + Arrays.toString(dims));
            }
        }

        @Override
        public int[] dims() {
            return dims.clone();
        }

        public int rank() {
            return dims.length;
        }

        public int dim(int axis) {
            return dims[axis];
        }
    }

    /** Reads an unsigned-byte IDX file, gzip-compressed or plain. */
    public static Data read(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return read(file, in);
        } catch (EOFException | ZipException e) {
            throw new DataFileException(file, "truncated or corrupt gzip stream (" + e.getMessage() + ")", e);
        }
    }

    private static Data read(Path file, InputStream in) throws IOException {
        byte[] magic = readFully(file, in, 4, "the 4-byte magic");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFileException(file, String.format("not an IDX file (magic %02x %02x %02x %02x; expected 00 00 <type> <rank>)",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        int type = magic[2] & 0xFF;
        int rank = magic[3] & 0xFF;
        if (type != UBYTE) {
            throw new DataFileException(file, String.format("IDX element type 0x%02x is not supported (Minnow reads unsigned bytes, 0x08)", type));
        }
        if (rank < 1 || rank > MAX_RANK) {
            throw new DataFileException(file, "IDX rank " + rank + " is out of range 1.." + MAX_RANK);
        }
        byte[] header = readFully(file, in, 4 * rank, rank + " dimension sizes");
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            int d = ((header[4 * i] & 0xFF) << 24) | ((header[4 * i + 1] & 0xFF) << 16)
                    | ((header[4 * i + 2] & 0xFF) << 8) | (header[4 * i + 3] & 0xFF);
            if (d < 0) throw new DataFileException(file, "IDX dimension " + i + " is negative (" + d + ")");
            dims[i] = d;
            count *= d;
            if (count > Integer.MAX_VALUE - 16) {
                throw new DataFileException(file, "IDX dims " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " describe more than 2 GiB");
            }
        }
        byte[] data = readFully(file, in, (int) count, count + " bytes of data for dims " + Arrays.toString(dims));
        if (in.read() != -1) {
            throw new DataFileException(file, "trailing bytes after the " + count + " data bytes that dims "
                    + Arrays.toString(dims) + " describe");
        }
        return new Data(dims, data);
    }

    /** Writes an unsigned-byte IDX file; gzip-compressed when {@code gzip}. */
    public static void write(Path file, Data data, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            int[] dims = data.dims();
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.write(new byte[]{0, 0, (byte) UBYTE, (byte) dims.length});
            for (int d : dims) {
                header.write(new byte[]{(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
            }
            out.write(header.toByteArray());
            out.write(data.bytes());
        }
    }

    /** Opens a file, transparently decompressing gzip (recognised by its 1f 8b magic, not the name). */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (ZipException e) {
                in.close();
                throw new DataFileException(file, "corrupt gzip header: " + e.getMessage(), e);
            }
        }
        return in;
    }

    private static byte[] readFully(Path file, InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new DataFileException(file, "truncated: expected " + what + ", but the file ends after " + b.length + " of those " + n + " bytes");
        }
        return b;
    }
}
