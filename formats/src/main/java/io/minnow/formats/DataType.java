package io.minnow.formats;

/**
 * Element types of tensors, with the ONNX {@code TensorProto.DataType} number as the on-disk id
 * (the same id is used in the .mnw container).
 */
public enum DataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    BFLOAT16(16, 2);

    /** ONNX TensorProto.DataType number. */
    public final int onnxId;
    /** Bytes per element; 0 for variable-size types (STRING). */
    public final int byteSize;

    DataType(int onnxId, int byteSize) {
        this.onnxId = onnxId;
        this.byteSize = byteSize;
    }

    /** True for the floating-point types. */
    public boolean isFloat() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16 || this == BFLOAT16;
    }

    /** Returns the type with this ONNX id, or null when Minnow does not know it. */
    public static DataType fromOnnx(int id) {
        for (DataType t : values()) if (t.onnxId == id) return t;
        return null;
    }
}
