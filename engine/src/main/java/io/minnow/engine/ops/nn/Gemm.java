package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.F32Dot;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Gemm: Y = alpha·A'·B' + beta·C (A' = transA ? Aᵀ : A, likewise B'), C optional (opset 11+) and broadcast
 * unidirectionally to [M, N]; then the fused activation. float32 through the f32 GEMM kernel: a constant B
 * is packed once ({@link #prepare}) and then runs with a per-column C as bias and the activation fused into
 * the kernel; otherwise transposed operands are copied to scratch first. double and the integer types
 * through a plain loop.
 */
final class Gemm implements Op {
    /** With transB and at most this many rows, Y is row-by-column dot products: no copy of B. */
    static final int DOT_ROWS = 8;

    record Dims(int m, int n, int k, boolean transA, boolean transB, int cRows, int cCols) {
        boolean dots() {
            return transB && m <= DOT_ROWS;
        }
    }

    static Dims dims(String node, io.minnow.engine.ops.Attrs attrs, long[] a, long[] b, long[] c) {
        if (a.length != 2 || b.length != 2) {
            throw Window.err(node, "A and B must be 2-D, got " + Arrays.toString(a) + " and " + Arrays.toString(b));
        }
        boolean ta = attrs.getInt("transA", 0) != 0, tb = attrs.getInt("transB", 0) != 0;
        long m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
        if (k != kb) {
            throw Window.err(node, "inner dimensions differ: A" + Arrays.toString(a) + (ta ? "ᵀ" : "") + " · B"
                    + Arrays.toString(b) + (tb ? "ᵀ" : ""));
        }
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) throw Window.err(node, "Gemm too large");
        int cr = 0, cc = 0;
        if (c != null) {
            if (c.length > 2) throw Window.err(node, "C must have rank <= 2, got " + Arrays.toString(c));
            long r = c.length == 2 ? c[0] : 1, col = c.length >= 1 ? c[c.length - 1] : 1;
            if ((r != 1 && r != m) || (col != 1 && col != n)) {
                throw Window.err(node, "C " + Arrays.toString(c) + " does not broadcast to [" + m + ", " + n + "]");
            }
            cr = (int) r;
            cc = (int) col;
        }
        return new Dims((int) m, (int) n, (int) k, ta, tb, cr, cc);
    }

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("Gemm needs inputs A and B");
        DataType t = ctx.inputType(0);
        if (ctx.inputType(1) != t || (ctx.hasInput(2) && ctx.inputType(2) != t)) {
            throw ctx.error("A, B and C must have the same type");
        }
        if (!numeric(t)) throw ctx.error("Gemm does not support type " + t);
        if (ctx.opset() < 11 && !ctx.hasInput(2)) throw ctx.error("input C is required before opset 11");
        Dims d = dims(ctx.nodeName(), ctx.attrs(), ctx.inputShape(0), ctx.inputShape(1), ctx.hasInput(2) ? ctx.inputShape(2) : null);
        ctx.setOutput(0, t, new long[]{d.m, d.n});
        if (t == DataType.FLOAT) {
            long s = (d.transA ? (long) d.m * d.k : 0) + (d.transB && !d.dots() ? (long) d.k * d.n : 0);
            if (s > 0) ctx.requestScratch(s * 4);
        }
    }

    /** Packs a constant float B (either layout) once for the model's kernel; null when B is not constant. */
    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        if (!ctx.hasInput(1) || ctx.inputType(1) != DataType.FLOAT) return null;
        Tensor b = ctx.constant(1);
        long[] s = ctx.inputShape(1);
        if (b == null || s == null || s.length != 2 || !b.data().isNative() || s[0] > Integer.MAX_VALUE
                || s[1] > Integer.MAX_VALUE || s[0] * s[1] == 0) {
            return null;
        }
        boolean tb = ctx.attrs().getInt("transB", 0) != 0;
        int k = (int) (tb ? s[1] : s[0]), n = (int) (tb ? s[0] : s[1]);
        return Gemms.PackedB.pack(kernels.f32Gemm(), b.data(), (int) s[1], k, n, tb);
    }

    static boolean numeric(DataType t) {
        return switch (t) {
            case FLOAT, DOUBLE, INT32, INT64, UINT32, UINT64, FLOAT16, BFLOAT16 -> true;
            default -> false;
        };
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1), c = ctx.input(2), y = ctx.output(0);
        Dims d = dims(ctx.nodeName(), ctx.attrs(), a.shape(), b.shape(), c == null ? null : c.shape());
        float alpha = ctx.attrs().getFloat("alpha", 1f), beta = ctx.attrs().getFloat("beta", 1f);
        FusedActivation act = FusedActivation.of(ctx.attrs());
        if (y.type() != DataType.FLOAT) {
            generic(a, b, c, y, d, alpha, beta, act);
            return;
        }
        if (y.size() == 0) return;
        boolean useC = c != null && beta != 0f;
        MemorySegment yd = y.data();
        if (ctx.prepared() instanceof Gemms.PackedB pb && pb.k() == d.k && pb.n() == d.n) {
            MemorySegment ad = a.data();
            if (d.transA) {
                transpose(ctx, ad, d.k, d.m, ctx.scratch(), 0);
                ad = ctx.scratch();
            }
            // C fuses as a bias when it is one value per column and alpha leaves A·B as it is.
            boolean fuse = alpha == 1f && (!useC || (beta == 1f && d.cRows == 1 && d.cCols == d.n));
            F32Epilogue epi = fuse ? F32Epilogue.of(act) : null;
            Gemms.gemmPacked(ctx, d.m, ad, 0, d.k, pb, fuse && useC ? c.data() : null, 0,
                    epi == null ? F32Epilogue.NONE : epi, yd, 0, d.n);
            if (fuse) {
                if (epi == null) { // an activation the kernels do not fuse
                    ctx.parallel().forRange(d.m, Math.max(1, 8192 / Math.max(1, d.n)), (s0, e0) ->
                            Epilogue.apply(yd, (long) s0 * d.n, (long) (e0 - s0) * d.n, false, 0f, act));
                }
                return;
            }
        } else {
            product(ctx, a, b, yd, d);
        }
        if (alpha == 1f && !useC && act.isNone()) return;
        ctx.parallel().forRange(d.m, Math.max(1, 8192 / Math.max(1, d.n)), (s0, e0) -> {
            for (int i = s0; i < e0; i++) {
                long row = (long) i * d.n;
                if (alpha != 1f) for (int j = 0; j < d.n; j++) yd.setAtIndex(F32, row + j, alpha * yd.getAtIndex(F32, row + j));
                if (useC) {
                    long cRow = (long) (d.cRows == 1 ? 0 : i) * d.cCols;
                    MemorySegment cd = c.data();
                    if (d.cCols == 1) {
                        float cv = beta * cd.getAtIndex(F32, cRow);
                        for (int j = 0; j < d.n; j++) yd.setAtIndex(F32, row + j, yd.getAtIndex(F32, row + j) + cv);
                    } else {
                        for (int j = 0; j < d.n; j++) {
                            yd.setAtIndex(F32, row + j, yd.getAtIndex(F32, row + j) + beta * cd.getAtIndex(F32, cRow + j));
                        }
                    }
                }
                Epilogue.apply(yd, row, d.n, false, 0f, act);
            }
        });
    }

    /** Y = A'·B' (before alpha, C and the activation) without prepared weights. */
    private static void product(ExecContext ctx, Tensor a, Tensor b, MemorySegment yd, Dims d) {
        MemorySegment ad = a.data(), bd = b.data(), s = ctx.scratch();
        int lda = d.k, ldb = d.n;
        long bOff = 0;
        if (d.transA) {
            transpose(ctx, ad, d.k, d.m, s, 0);
            ad = s;
        }
        if (d.transB && !d.dots()) {
            long at = d.transA ? (long) d.m * d.k : 0;
            transpose(ctx, bd, d.n, d.k, s, at);
            bd = s;
            bOff = at;
        }
        if (d.k == 0) {
            for (long i = 0; i < (long) d.m * d.n; i++) yd.setAtIndex(F32, i, 0f);
        } else if (d.dots()) {
            MemorySegment as = ad, bs = bd;
            int bits = F32Dot.bitsFor(ctx.kernels().config().vectorWidthCap());
            ctx.parallel().forRange(d.n, Math.max(1, 16384 / Math.max(1, d.k)), (j0, j1) -> {
                for (int i = 0; i < d.m; i++) {
                    for (int j = j0; j < j1; j++) {
                        yd.setAtIndex(F32, (long) i * d.n + j, F32Dot.dot(bits, as, (long) i * d.k, bs, (long) j * d.k, d.k));
                    }
                }
            });
        } else {
            Gemms.gemm(ctx, d.m, d.n, d.k, ad, 0, lda, bd, bOff, ldb, yd, 0, d.n);
        }
    }

    /** dst[cols × rows] = src[rows × cols]ᵀ, in blocks so that both sides stay in cache. */
    static void transpose(ExecContext ctx, MemorySegment src, int rows, int cols, MemorySegment dst, long dstOff) {
        final int blk = 32;
        int blocks = (rows + blk - 1) / blk;
        ctx.parallel().forRange(blocks, Math.max(1, 65536 / Math.max(1, blk * cols)), (s, e) -> {
            for (int r0 = s * blk; r0 < Math.min(rows, e * blk); r0 += blk) {
                int r1 = Math.min(rows, r0 + blk);
                for (int c0 = 0; c0 < cols; c0 += blk) {
                    int c1 = Math.min(cols, c0 + blk);
                    for (int r = r0; r < r1; r++) {
                        for (int cc = c0; cc < c1; cc++) {
                            dst.setAtIndex(F32, dstOff + (long) cc * rows + r, src.getAtIndex(F32, (long) r * cols + cc));
                        }
                    }
                }
            }
        });
    }

    /** double / integer / half types: a plain loop (integers in long arithmetic, the rest in double). */
    private static void generic(Tensor a, Tensor b, Tensor c, Tensor y, Dims d, float alpha, float beta, FusedActivation act) {
        boolean integer = switch (y.type()) {
            case INT32, INT64, UINT32, UINT64 -> true;
            default -> false;
        };
        for (int i = 0; i < d.m; i++) {
            for (int j = 0; j < d.n; j++) {
                double acc = 0;
                long iacc = 0;
                for (int p = 0; p < d.k; p++) {
                    long ai = d.transA ? (long) p * d.m + i : (long) i * d.k + p;
                    long bi = d.transB ? (long) j * d.k + p : (long) p * d.n + j;
                    if (integer) iacc += a.getLongValue(ai) * b.getLongValue(bi);
                    else acc += a.getDouble(ai) * b.getDouble(bi);
                }
                long ci = c == null ? -1 : (long) (d.cRows == 1 ? 0 : i) * d.cCols + (d.cCols == 1 ? 0 : j);
                long at = (long) i * d.n + j;
                if (integer) {
                    long v = (long) alpha * iacc + (ci >= 0 ? (long) beta * c.getLongValue(ci) : 0);
                    y.setLongValue(at, v);
                } else {
                    double v = alpha * acc + (ci >= 0 ? beta * c.getDouble(ci) : 0);
                    y.setDouble(at, act.isNone() ? v : act.apply((float) v));
                }
            }
        }
    }
}
