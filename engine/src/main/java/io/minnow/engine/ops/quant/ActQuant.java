package io.minnow.engine.ops.quant;

import io.minnow.engine.ops.Attrs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How a quantized op turns its float32 input into 8-bit codes: {@code q = clamp(rint(x / scale) + zero, lo, hi)},
 * exactly ONNX QuantizeLinear (division, round half to even, saturate). Static (calibrated scale and zero point, from
 * the node's attributes) or dynamic (DynamicQuantizeLinear's rule on each run's input range, uint8).
 */
record ActQuant(float scale, int zero, boolean signed) {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bytes of one float vector's lane count: a constant species, so that C2 intrinsifies the narrowing store. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, F.length() * 8)));
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to an integer, half to even. */
    private static final float RINT_MAGIC = 12582912f;

    /** The node's static parameters, or null when it quantizes per run. */
    static ActQuant of(Attrs attrs) {
        if (!attrs.has(QOps.X_SCALE)) return null;
        float s = attrs.getFloat(QOps.X_SCALE, 1f);
        boolean signed = attrs.getInt(QOps.X_SIGNED, 0) != 0;
        long z = attrs.getInt(QOps.X_ZERO, 0);
        if (!(s > 0) || !Float.isFinite(s)) throw new IllegalArgumentException("activation scale " + s + " must be positive and finite");
        if (z < (signed ? -128 : 0) || z > (signed ? 127 : 255)) throw new IllegalArgumentException("activation zero point " + z + " out of range");
        return new ActQuant(s, (int) z, signed);
    }

    /** DynamicQuantizeLinear's parameters for the n floats at x: uint8 over [min(0, lo), max(0, hi)]. */
    static ActQuant dynamic(MemorySegment x, long n) {
        float lo = 0, hi = 0;
        for (long i = 0; i < n; i++) {
            float v = x.getAtIndex(F32, i);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float s = (hi - lo) / 255f;
        if (!(s > 0) || !Float.isFinite(s)) return new ActQuant(1f, 0, false);
        int z = (int) Math.max(0, Math.min(255, Math.rint(-lo / s)));
        return new ActQuant(s, z, false);
    }

    int lo() { return signed ? -128 : 0; }
    int hi() { return signed ? 127 : 255; }

    /** Codes of x[from, to) into q at the same indices (q holds bytes). */
    void quantize(MemorySegment x, MemorySegment q, long from, long to) {
        float fl = lo() - zero, fh = hi() - zero;
        FloatVector vs = FloatVector.broadcast(F, scale), vl = FloatVector.broadcast(F, fl), vh = FloatVector.broadcast(F, fh);
        FloatVector magic = FloatVector.broadcast(F, RINT_MAGIC);
        IntVector vz = IntVector.broadcast(I, zero);
        long i = from;
        int step = F.length();
        if (step >= 8 && F.length() == I.length()) {
            for (; i + step <= to; i += step) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, i * 4, ByteOrder.nativeOrder()).div(vs).max(vl).min(vh);
                v = v.add(magic).sub(magic); // |v| <= 255 after the clamp, so this is rint
                IntVector c = ((IntVector) v.convert(VectorOperators.F2I, 0)).add(vz);
                ((ByteVector) c.convertShape(VectorOperators.I2B, B, 0)).intoMemorySegment(q, i, ByteOrder.nativeOrder());
            }
        }
        for (; i < to; i++) q.set(ValueLayout.JAVA_BYTE, i, (byte) code(x.getAtIndex(F32, i)));
    }

    /** One code (the scalar rule the vector loop reproduces). */
    int code(float x) {
        return io.minnow.engine.kernels.q8.Qs8Im2col.code(x, scale, zero, lo(), hi());
    }
}
