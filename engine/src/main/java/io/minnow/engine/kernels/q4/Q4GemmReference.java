package io.minnow.engine.kernels.q4;

import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static io.minnow.engine.api.Tensor.F32;

/**
 * The oracle for family q4-gemm: plain loops over the codes as stored in the .mnw blob (its "packing" is a
 * copy of the blob), in exactly the order {@link Q4Gemm} defines: per group, the float sum of
 * {@code a * (code - z)} in order of p, times the scale, added to the float accumulator group by group.
 * Never optimise it.
 */
public final class Q4GemmReference implements Q4Gemm {
    @Override
    public String id() {
        return "q4-gemm-scalar";
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4Args.blobCopy(id(), w);
    }

    @Override
    public void gemm(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, float[] bias,
                     float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemm.check(id(), m, w, colBegin, colEnd, a, aOff, lda, bias, lo, hi, c, cOff, ldc);
        // The blob viewed as the tensor it was copied from, so Q4Codec reads its codes.
        Map<String, Long> params = Map.of(QuantLayout.GROUP_SIZE, (long) w.groupSize(), QuantLayout.ZERO_POINT, w.hasZeroPoints() ? 1L : 0L);
        QuantLayout l = QuantLayout.of(io.minnow.formats.Encoding.Q4, io.minnow.formats.DataType.FLOAT, new long[] {w.n(), w.k()}, params);
        if (w.data().byteSize() < l.byteSize()) {
            throw new IllegalArgumentException("packed q4 weight " + w.n() + "x" + w.k() + " needs " + l.byteSize() + " bytes; the segment has " + w.data().byteSize());
        }
        TensorData t = new TensorData("w", io.minnow.formats.DataType.FLOAT, new long[] {w.n(), w.k()}, io.minnow.formats.Encoding.Q4,
                w.data().asSlice(0, l.byteSize()), params);
        int g = w.groupSize();
        for (int i = 0; i < m; i++) {
            for (int j = colBegin; j < colEnd; j++) {
                float acc = 0;
                for (int gi = 0; gi < l.groups(); gi++) {
                    long at = (long) j * l.groups() + gi;
                    float scale = w.data().get(TensorData.F32_LE, l.scalesOffset() + 4 * at);
                    int z = w.hasZeroPoints() ? Byte.toUnsignedInt(w.data().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + at)) : 0;
                    float d = 0;
                    for (int p = gi * g; p < Math.min(w.k(), gi * g + g); p++) {
                        d += a.getAtIndex(F32, aOff + (long) i * lda + p) * (Q4Codec.code(t, l, j, p) - z);
                    }
                    acc += scale * d;
                }
                float v = acc + (bias == null ? 0 : bias[j]);
                c.setAtIndex(F32, cOff + (long) i * ldc + j, Math.max(lo, Math.min(hi, v)));
            }
        }
    }
}
