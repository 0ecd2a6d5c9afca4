package io.minnow.engine.api;

import io.minnow.formats.MinnowException;
import io.minnow.formats.ModelDef;
import io.minnow.formats.ModelFormatException;
import io.minnow.formats.mnw.MnwFormat;
import io.minnow.formats.mnw.MnwReader;
import io.minnow.formats.onnx.OnnxReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads a model file, choosing the reader by content: the .mnw magic, else ONNX. */
public final class ModelFiles {
    private ModelFiles() {}

    public static ModelDef read(Path path) {
        if (!Files.isRegularFile(path)) throw new MinnowException(path + ": no such file");
        return isMnw(path) ? MnwReader.read(path) : OnnxReader.read(path);
    }

    /** True when the file starts with the .mnw magic bytes. */
    public static boolean isMnw(Path path) {
        byte[] magic = MnwFormat.magic();
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(magic.length), magic);
        } catch (IOException e) {
            throw new ModelFormatException(path.toString(), "cannot read: " + e.getMessage(), e);
        }
    }
}
