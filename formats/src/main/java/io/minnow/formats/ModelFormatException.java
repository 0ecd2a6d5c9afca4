package io.minnow.formats;

/**
 * A model file is malformed, truncated, or claims something Minnow refuses (an unsupported type,
 * external data, a header that asks for too much). The message names the file and, where known, the
 * node, tensor and byte offset.
 */
public class ModelFormatException extends MinnowException {
    private final String file;
    private final String node;
    private final String tensor;
    private final long offset;

    public ModelFormatException(String file, String node, String tensor, long offset, String what) {
        super(compose(file, node, tensor, offset, what));
        this.file = file;
        this.node = node;
        this.tensor = tensor;
        this.offset = offset;
    }

    public ModelFormatException(String file, String node, String tensor, long offset, String what, Throwable cause) {
        super(compose(file, node, tensor, offset, what), cause);
        this.file = file;
        this.node = node;
        this.tensor = tensor;
        this.offset = offset;
    }

    public ModelFormatException(String file, String what) {
        this(file, null, null, -1, what);
    }

    public ModelFormatException(String file, String what, Throwable cause) {
        super(compose(file, null, null, -1, what), cause);
        this.file = file;
        this.node = null;
        this.tensor = null;
        this.offset = -1;
    }

    private static String compose(String file, String node, String tensor, long offset, String what) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file).append(": ");
        if (node != null) sb.append("node '").append(node).append("': ");
        if (tensor != null) sb.append("tensor '").append(tensor).append("': ");
        if (offset >= 0) sb.append("at byte ").append(offset).append(": ");
        return sb.append(what).toString();
    }

    public String file() { return file; }
    public String node() { return node; }
    public String tensor() { return tensor; }
    /** Byte offset in the file, or -1 when not applicable. */
    public long offset() { return offset; }
}
