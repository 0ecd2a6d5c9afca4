package io.minnow.engine.data;

import io.minnow.engine.api.Tensor;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    // Files written by NumPy 2.4 (np.lib.format.write_array), base64.
    /** np.arange(6, dtype=np.float32).reshape(2, 3) / 4 */
    static final String NUMPY_F32_2X3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8=";
    /** np.array([-3, 0, 7, 2**40], dtype=np.int64) */
    static final String NUMPY_I64_4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr9/////////wAAAAAAAAAABwAAAAAAAAAAAAAAAAEAAA==";
    /** np.array(1.5, dtype=np.float32) (rank 0) */
    static final String NUMPY_SCALAR = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/";
    /** np.asfortranarray(np.ones((2, 2), dtype=np.float32)) */
    static final String NUMPY_FORTRAN = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AACAPwAAgD8AAIA/";
    /** np.ones(2) (float64) */
    static final String NUMPY_F64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAPA/";
    /** np.arange(3, dtype=np.float32), format version 2.0 */
    static final String NUMPY_V2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEA=";
    /** np.ones(2, dtype='>f4') (big-endian) */
    static final String NUMPY_BIG_ENDIAN = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAP4AAAA==";

    @TempDir
    Path dir;

    private Path file(String name, String base64) throws IOException {
        return file(name, Base64.getDecoder().decode(base64));
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsWhatNumpyWrites() throws IOException {
        Tensor f = Npy.read(file("f.npy", NUMPY_F32_2X3));
        assertEquals(DataType.FLOAT, f.type());
        assertArrayEquals(new long[]{2, 3}, f.shape());
        assertArrayEquals(new float[]{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, f.toFloatArray());

        Tensor i = Npy.read(file("i.npy", NUMPY_I64_4));
        assertEquals(DataType.INT64, i.type());
        assertArrayEquals(new long[]{4}, i.shape());
        assertArrayEquals(new long[]{-3, 0, 7, 1L << 40}, i.toLongArray());

        Tensor s = Npy.read(file("s.npy", NUMPY_SCALAR));
        assertEquals(0, s.rank());
        assertEquals(1.5f, s.getFloat(0));

        Tensor v2 = Npy.read(file("v2.npy", NUMPY_V2));
        assertArrayEquals(new float[]{0, 1, 2}, v2.toFloatArray());
    }

    @Test
    void writesExactlyWhatNumpyWrites() throws IOException {
        Path p = dir.resolve("out.npy");
        Npy.write(p, Tensor.of(new float[]{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, 2, 3));
        assertArrayEquals(Base64.getDecoder().decode(NUMPY_F32_2X3), Files.readAllBytes(p));
        Npy.write(p, Tensor.ofLongs(new long[]{-3, 0, 7, 1L << 40}, 4));
        assertArrayEquals(Base64.getDecoder().decode(NUMPY_I64_4), Files.readAllBytes(p));
    }

    @Test
    void roundTripsShapesIncludingEmptyAndScalar() throws IOException {
        long[][] shapes = {{}, {0}, {1}, {7}, {2, 0, 3}, {1, 1, 28, 28}, {3, 5, 2, 1, 4}};
        for (long[] shape : shapes) {
            int n = (int) Tensor.elementCount(shape);
            float[] v = new float[n];
            long[] l = new long[n];
            for (int k = 0; k < n; k++) {
                v[k] = k * 0.5f - 3;
                l[k] = Long.MIN_VALUE + k;
            }
            Path p = dir.resolve("t.npy");
            Npy.write(p, Tensor.of(v, shape));
            Tensor back = Npy.read(p);
            assertArrayEquals(shape, back.shape(), Arrays.toString(shape));
            assertArrayEquals(v, back.toFloatArray());
            assertEquals(0, (Files.size(p) - 4L * n) % 64, "data starts on a 64-byte boundary");

            Npy.write(p, Tensor.ofLongs(l, shape));
            back = Npy.read(p);
            assertEquals(DataType.INT64, back.type());
            assertArrayEquals(l, back.toLongArray());
        }
    }

    @Test
    void refusesFortranOrderAndOtherDtypes() throws IOException {
        var e = assertThrows(DataFileException.class, () -> Npy.read(file("fortran.npy", NUMPY_FORTRAN)));
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("fortran.npy").toString()), "message names the file: " + e.getMessage());

        e = assertThrows(DataFileException.class, () -> Npy.read(file("f64.npy", NUMPY_F64)));
        assertTrue(e.getMessage().contains("'<f8'") && e.getMessage().contains("float32"), e.getMessage());

        e = assertThrows(DataFileException.class, () -> Npy.read(file("be.npy", NUMPY_BIG_ENDIAN)));
        assertTrue(e.getMessage().contains("'>f4'"), e.getMessage());

        assertThrows(MinnowException.class, () -> Npy.write(dir.resolve("x.npy"), Tensor.allocate(DataType.INT32, 2)));
    }

    @Test
    void rejectsMalformedFiles() throws IOException {
        byte[] good = Base64.getDecoder().decode(NUMPY_F32_2X3);

        var e = assertThrows(DataFileException.class, () -> Npy.read(file("truncated.npy", Arrays.copyOf(good, good.length - 3))));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] longer = Arrays.copyOf(good, good.length + 4);
        e = assertThrows(DataFileException.class, () -> Npy.read(file("long.npy", longer)));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());

        e = assertThrows(DataFileException.class, () -> Npy.read(file("text.npy", "hello, world".getBytes())));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());

        e = assertThrows(DataFileException.class, () -> Npy.read(file("short.npy", Arrays.copyOf(good, 40))));
        assertTrue(e.getMessage().contains("header"), e.getMessage());

        byte[] badVersion = good.clone();
        badVersion[6] = 9;
        e = assertThrows(DataFileException.class, () -> Npy.read(file("v9.npy", badVersion)));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());

        byte[] badShape = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1).replace("(2, 3)", "(2, x)")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        e = assertThrows(DataFileException.class, () -> Npy.read(file("shape.npy", badShape)));
        assertTrue(e.getMessage().contains("bad dimension"), e.getMessage());

        assertThrows(java.nio.file.NoSuchFileException.class, () -> Npy.read(dir.resolve("missing.npy")));
    }
}
