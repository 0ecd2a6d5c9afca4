package io.minnow.engine.kernels.q4;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.formats.TensorData;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family q4-gemv on the Vector API, over {@link Q4GemvBlocks}. The Vector API has no u8 x s8 pair multiply-add, so
 * this variant widens: the activation row once per call to int16 (a short[] padded with zeros to whole chunks), then
 * per 32 codes one 256-bit byte load, a mask (low nibbles) or shift + mask (high nibbles), two byte-to-short
 * conversions, and int16 multiply-adds. No int16 overflow: a product is at most 15 * 128 = 1920 in magnitude and a
 * lane adds at most 8 of them per group (G = 128: 4 halves of 32 codes, 2 products per lane each): 15360 < 32767.
 * Per group the lanes are widened to int and summed exactly, then the float part is {@link Q4Gemv}'s reassociated
 * form: {@code acc += scale * dot}, {@code corr += (scale * z') * sum a}, {@code c = aScale * (acc - corr)}. Correct
 * everywhere the Vector API runs; fast where C2 compiles the conversions to single instructions.
 */
public final class Q4GemvVector implements Q4Gemv {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int NR = Q4GemvBlocks.NR;

    /** True when the Vector API is present and 256-bit vectors are allowed here. */
    public static boolean available(BackendConfig cfg) {
        return Q4GemmVector.available(cfg);
    }

    @Override
    public String id() {
        return "q4-gemv-panama256";
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4GemvBlocks.pack(id(), w);
    }

    @Override
    public void gemv(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, MemorySegment aScale,
                     long sOff, float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemv.check(id(), m, w, colBegin, colEnd, a, aOff, lda, aScale, sOff, bias, lo, hi, c, cOff, ldc);
        Q4GemvBlocks.requireSize(w);
        if (m == 0 || colBegin == colEnd) return;
        int k = w.k(), g = w.groupSize(), chunk = Q4GemvBlocks.chunk(g), chunks = Q4GemvBlocks.chunks(k, g);
        int groups = chunks * (chunk / g);
        short[] x = new short[chunks * chunk];
        float[] asum = new float[groups];
        long pb = Q4GemvBlocks.panelBytes(k, g, w.hasZeroPoints()), sc = Q4GemvBlocks.scalesOffset(k, g);
        long coef = w.hasZeroPoints() ? sc + (long) groups * NR * Float.BYTES : sc; // z' = 8 rides on asum below
        int zmul = w.hasZeroPoints() ? 1 : 8;
        for (int i = 0; i < m; i++) {
            long row = aOff + (long) i * lda;
            for (int p = 0; p < k; p++) x[p] = a.get(ValueLayout.JAVA_BYTE, row + p);
            for (int gi = 0; gi < groups; gi++) {
                int s = 0;
                for (int p = gi * g; p < Math.min(k, gi * g + g); p++) s += x[p];
                asum[gi] = zmul * s; // exact: |.| <= 8 * 128 * 128
            }
            float as = aScale.getAtIndex(F32, sOff + i);
            for (int q = colBegin / NR; q * NR < colEnd; q++) {
                long panel = q * pb;
                for (int r = 0; r < NR && q * NR + r < colEnd; r++) {
                    float v = as * row(w.data(), panel, r, chunk, chunks, g, x, asum, sc, coef) + (bias == null ? 0 : bias[q * NR + r]);
                    c.setAtIndex(F32, cOff + (long) i * ldc + q * NR + r, Math.max(lo, Math.min(hi, v)));
                }
            }
        }
    }

    /** acc - corr of row r of the panel at {@code panel}. */
    private static float row(MemorySegment d, long panel, int r, int chunk, int chunks, int g, short[] x, float[] asum,
                             long sc, long coef) {
        float acc = 0, corr = 0;
        int gi = 0;
        ShortVector sum = ShortVector.zero(S);
        for (int ch = 0; ch < chunks; ch++) {
            long codes = panel + ((long) ch * NR + r) * chunk / 2;
            for (int h = 0; h < chunk / 32; h++) { // 32 codes: block h / 2, low (h even) or high nibbles
                ByteVector v = ByteVector.fromMemorySegment(B, d, codes + (h / 2) * 32L, ByteOrder.LITTLE_ENDIAN);
                ByteVector u = (h & 1) == 0 ? v.and((byte) 15) : v.lanewise(VectorOperators.LSHR, 4).and((byte) 15);
                int p = ch * chunk + 32 * h;
                ShortVector u0 = (ShortVector) u.convertShape(VectorOperators.B2S, S, 0);
                ShortVector u1 = (ShortVector) u.convertShape(VectorOperators.B2S, S, 1);
                sum = sum.add(u0.mul(ShortVector.fromArray(S, x, p))).add(u1.mul(ShortVector.fromArray(S, x, p + 16)));
                if ((32 * (h + 1)) % g == 0) { // the group ends: widen, sum exactly, apply its scale
                    IntVector wide = ((IntVector) sum.convertShape(VectorOperators.S2I, I, 0))
                            .add((IntVector) sum.convertShape(VectorOperators.S2I, I, 1));
                    int dot = wide.reduceLanes(VectorOperators.ADD);
                    acc += d.get(TensorData.F32_LE, panel + sc + 4L * (gi * NR + r)) * dot;
                    corr += d.get(TensorData.F32_LE, panel + coef + 4L * (gi * NR + r)) * asum[gi];
                    sum = ShortVector.zero(S);
                    gi++;
                }
            }
        }
        return acc - corr;
    }
}
