package io.minnow.engine.data;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding C-ordered float32 ({@code '<f4'}) or
 * int64 ({@code '<i8'}) arrays — what {@code np.save} writes for {@code np.float32} / {@code np.int64}
 * arrays. Other dtypes and Fortran order are refused with a message that says how to convert.
 *
 * <p>Layout: magic {@code \x93NUMPY}, major and minor version bytes, header length (uint16 LE in 1.0,
 * uint32 LE in 2.0/3.0), an ASCII Python dict literal padded with spaces and ending in a newline, then
 * the raw little-endian elements. Minnow runs on little-endian machines, so the elements are copied as is.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers are padded so the data starts on a 64-byte boundary (as NumPy does). */
    private static final int ALIGN = 64;
    /** Largest header accepted; NumPy itself refuses headers above 10 000 bytes by default. */
    private static final int MAX_HEADER = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads a .npy file into a new tensor (FLOAT for {@code '<f4'}, INT64 for {@code '<i8'}). */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, 0);
            pre.flip();
            if (pre.remaining() < 10 || !startsWithMagic(pre)) {
                throw new DataFileException(file, "not a .npy file (missing the \\x93NUMPY magic)");
            }
            int major = pre.get(6) & 0xFF, minor = pre.get(7) & 0xFF;
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(pre.getShort(8));
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 12) throw new DataFileException(file, "truncated .npy header");
                headerLen = Integer.toUnsignedLong(pre.getInt(8));
                prefix = 12;
            } else {
                throw new DataFileException(file, ".npy format version " + major + "." + minor + " is not supported (1.0, 2.0, 3.0 are)");
            }
            if (headerLen > MAX_HEADER || prefix + headerLen > fileSize) {
                throw new DataFileException(file, "truncated or corrupt .npy header (header length " + headerLen
                        + ", file size " + fileSize + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, prefix);
            String header = new String(hb.array(), 0, hb.position(),
                    major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(file, header);

            long count;
            try {
                count = Tensor.elementCount(h.shape);
            } catch (ArithmeticException e) {
                throw new DataFileException(file, "shape " + Arrays.toString(h.shape) + " is too large");
            }
            long dataStart = prefix + headerLen;
            long want = Math.multiplyExact(count, (long) h.type.byteSize);
            long have = fileSize - dataStart;
            if (have < want) {
                throw new DataFileException(file, "truncated: shape " + Arrays.toString(h.shape) + " of " + h.descr + " needs "
                        + want + " data bytes, the file has " + have);
            }
            if (have > want) {
                throw new DataFileException(file, have - want + " unexpected bytes after the " + want + " data bytes that shape "
                        + Arrays.toString(h.shape) + " of " + h.descr + " needs");
            }
            Tensor t = Tensor.allocate(h.type, h.shape);
            if (want > 0) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, want, arena);
                    MemorySegment.copy(mapped, 0, t.data(), 0, want);
                }
            }
            return t;
        }
    }

    /** Writes a FLOAT or INT64 tensor as a version 1.0 .npy file (C order), the way {@code np.save} does. */
    public static void write(Path file, Tensor t) throws IOException {
        String descr = switch (t.type()) {
            case FLOAT -> "<f4";
            case INT64 -> "<i8";
            default -> throw new MinnowException("cannot write a " + t.type() + " tensor as .npy (Minnow writes float32 and int64)");
        };
        byte[] header = header(descr, t.shape());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(header));
            if (t.byteSize() > 0) writeFully(ch, t.data().asSlice(0, t.byteSize()).asByteBuffer());
        }
    }

    /** The complete preamble (magic, version, length, padded dict) for a C-ordered array. */
    static byte[] header(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) dims.append(", ");
            dims.append(shape[i]);
        }
        if (shape.length == 1) dims.append(',');
        dims.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        boolean v2 = dict.length() + 11 + ALIGN > 0xFFFF;
        int prefix = v2 ? 12 : 10;
        int total = prefix + dict.length() + 1;
        int padded = (total + ALIGN - 1) / ALIGN * ALIGN;
        int headerLen = padded - prefix;
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) b.putInt(headerLen); else b.putShort((short) headerLen);
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (b.position() < padded - 1) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    private record Header(String descr, DataType type, long[] shape) {}

    private static Header parseHeader(Path file, String header) {
        String h = header.strip();
        if (!h.startsWith("{") || !h.endsWith("}")) {
            throw new DataFileException(file, "corrupt .npy header (not a dict literal): " + abbreviate(h));
        }
        Matcher m = DESCR.matcher(h);
        if (!m.find()) {
            throw new DataFileException(file, ".npy header has no simple 'descr' (structured dtypes are not supported): " + abbreviate(h));
        }
        String descr = m.group(1);
        DataType type = switch (descr) {
            case "<f4" -> DataType.FLOAT;
            case "<i8" -> DataType.INT64;
            default -> throw new DataFileException(file, "dtype '" + descr + "' is not supported; Minnow reads float32 ('<f4') "
                    + "and int64 ('<i8') — convert with arr.astype(np.float32)");
        };
        Matcher f = FORTRAN.matcher(h);
        if (!f.find()) throw new DataFileException(file, ".npy header has no 'fortran_order': " + abbreviate(h));
        if (f.group(1).equals("True")) {
            throw new DataFileException(file, "Fortran-ordered arrays are not supported; save np.ascontiguousarray(arr) instead");
        }
        Matcher s = SHAPE.matcher(h);
        if (!s.find()) throw new DataFileException(file, ".npy header has no 'shape' tuple: " + abbreviate(h));
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String p = part.strip();
            if (p.endsWith("L")) p = p.substring(0, p.length() - 1); // Python 2 longs
            if (p.isEmpty()) continue;
            long d;
            try {
                d = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new DataFileException(file, "bad dimension '" + p + "' in .npy shape (" + s.group(1) + ")");
            }
            if (d < 0) throw new DataFileException(file, "negative dimension " + d + " in .npy shape (" + s.group(1) + ")");
            dims.add(d);
        }
        return new Header(descr, type, dims.stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean startsWithMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) if (b.get(i) != MAGIC[i]) return false;
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) break;
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
