package io.minnow.engine.kernels.q4;

import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The oracle for family q4-gemv: plain loops over the codes as stored in the .mnw blob (its "packing" is a copy of
 * the blob), in exactly the order {@link Q4Gemv} defines: per group the exact int32 dot of (u - z') and a, times the
 * scale, added to a float accumulator group by group; then the activation scale, bias and clamp. Never optimise it.
 */
public final class Q4GemvReference implements Q4Gemv {
    @Override
    public String id() {
        return "q4-gemv-scalar";
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4Args.blobCopy(id(), w);
    }

    @Override
    public void gemv(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, MemorySegment aScale,
                     long sOff, float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemv.check(id(), m, w, colBegin, colEnd, a, aOff, lda, aScale, sOff, bias, lo, hi, c, cOff, ldc);
        Map<String, Long> params = Map.of(QuantLayout.GROUP_SIZE, (long) w.groupSize(), QuantLayout.ZERO_POINT, w.hasZeroPoints() ? 1L : 0L);
        QuantLayout l = QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {w.n(), w.k()}, params);
        if (w.data().byteSize() < l.byteSize()) {
            throw new IllegalArgumentException("packed q4 weight " + w.n() + "x" + w.k() + " needs " + l.byteSize() + " bytes; the segment has " + w.data().byteSize());
        }
        TensorData t = new TensorData("w", DataType.FLOAT, new long[] {w.n(), w.k()}, Encoding.Q4, w.data().asSlice(0, l.byteSize()), params);
        int g = w.groupSize();
        for (int i = 0; i < m; i++) {
            long row = aOff + (long) i * lda;
            for (int j = colBegin; j < colEnd; j++) {
                float acc = 0;
                for (int gi = 0; gi < l.groups(); gi++) {
                    long at = (long) j * l.groups() + gi;
                    float scale = w.data().get(TensorData.F32_LE, l.scalesOffset() + 4 * at);
                    int z = w.hasZeroPoints() ? Byte.toUnsignedInt(w.data().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + at)) : 8;
                    int d = 0; // |d| <= 2 * 15 * 128 * G < 2^19: exact
                    for (int p = gi * g; p < Math.min(w.k(), gi * g + g); p++) {
                        int u = Q4Codec.code(t, l, j, p) + (w.hasZeroPoints() ? 0 : 8);
                        d += (u - z) * a.get(ValueLayout.JAVA_BYTE, row + p);
                    }
                    acc += scale * d;
                }
                float v = aScale.getAtIndex(F32, sOff + i) * acc + (bias == null ? 0 : bias[j]);
                c.setAtIndex(F32, cOff + (long) i * ldc + j, Math.max(lo, Math.min(hi, v)));
            }
        }
    }
}
