package io.minnow.engine.ops.nn;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.FusedActivation;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.util.Arrays;


/**
 * MatMul with numpy semantics: a 1-D A is a row vector and a 1-D B a column vector (that dim is dropped
 * from the result), leading dims broadcast. float32 runs on the f32 GEMM kernel — when B has no batch dims
 * and A's batches are contiguous, all of A is one tall GEMM (on B packed once by {@link #prepare} when B is
 * a constant matrix, with the activation fused) — and applies the fused activation; double and integer
 * types use a plain loop.
 */
final class MatMul implements Op {
    /** Shapes resolved: batch dims of the result, A/B batch strides (0 = broadcast), m, n, k. */
    record Dims(long[] out, long[] batch, long[] aStride, long[] bStride, int m, int n, int k) {
        long batches() {
            return Tensor.elementCount(batch);
        }
    }

    static Dims dims(String node, long[] a, long[] b) {
        if (a.length == 0 || b.length == 0) throw Window.err(node, "MatMul inputs must have rank >= 1");
        boolean aVec = a.length == 1, bVec = b.length == 1;
        long[] a2 = aVec ? new long[]{1, a[0]} : a, b2 = bVec ? new long[]{b[0], 1} : b;
        long m = a2[a2.length - 2], k = a2[a2.length - 1], kb = b2[b2.length - 2], n = b2[b2.length - 1];
        if (k != kb) throw Window.err(node, "inner dimensions differ: " + Arrays.toString(a) + " · " + Arrays.toString(b));
        int ra = a2.length - 2, rb = b2.length - 2, r = Math.max(ra, rb);
        long[] batch = new long[r], as = new long[r], bs = new long[r];
        long sa = m * k, sb = k * n;
        for (int i = r - 1; i >= 0; i--) {
            int ia = i - (r - ra), ib = i - (r - rb);
            long da = ia >= 0 ? a2[ia] : 1, db = ib >= 0 ? b2[ib] : 1;
            if (da != db && da != 1 && db != 1) {
                throw Window.err(node, "batch dims do not broadcast: " + Arrays.toString(a) + " · " + Arrays.toString(b));
            }
            batch[i] = da == 1 ? db : da;
            as[i] = da == 1 ? 0 : sa;
            bs[i] = db == 1 ? 0 : sb;
            sa *= da;
            sb *= db;
        }
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) throw Window.err(node, "MatMul too large");
        long[] out = new long[r + (aVec ? 0 : 1) + (bVec ? 0 : 1)];
        System.arraycopy(batch, 0, out, 0, r);
        int at = r;
        if (!aVec) out[at++] = m;
        if (!bVec) out[at] = n;
        return new Dims(out, batch, as, bs, (int) m, (int) n, (int) k);
    }

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.hasInput(0) || !ctx.hasInput(1)) throw ctx.error("MatMul needs inputs A and B");
        DataType t = ctx.inputType(0);
        if (ctx.inputType(1) != t) throw ctx.error("A is " + t + " but B is " + ctx.inputType(1));
        if (!Gemm.numeric(t)) throw ctx.error("MatMul does not support type " + t);
        ctx.setOutput(0, t, dims(ctx.nodeName(), ctx.inputShape(0), ctx.inputShape(1)).out);
    }

    /** Packs a constant 2-D float B once for the model's kernel; null otherwise (batched or not constant). */
    @Override
    public Object prepare(InferContext ctx, Kernels kernels) {
        if (!ctx.hasInput(1) || ctx.inputType(1) != DataType.FLOAT) return null;
        Tensor b = ctx.constant(1);
        long[] s = ctx.inputShape(1);
        if (b == null || s == null || s.length != 2 || !b.data().isNative() || s[0] > Integer.MAX_VALUE
                || s[1] > Integer.MAX_VALUE || s[0] * s[1] == 0) {
            return null;
        }
        return Gemms.PackedB.pack(kernels.f32Gemm(), b.data(), (int) s[1], (int) s[0], (int) s[1], false);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor a = ctx.input(0), b = ctx.input(1), y = ctx.output(0);
        Dims d = dims(ctx.nodeName(), a.shape(), b.shape());
        FusedActivation act = FusedActivation.of(ctx.attrs());
        if (y.size() == 0) return;
        if (d.k == 0) {
            for (long i = 0; i < y.size(); i++) y.setDouble(i, act.isNone() ? 0 : act.apply(0f));
            return;
        }
        if (y.type() != DataType.FLOAT) {
            generic(a, b, y, d, act);
            return;
        }
        long batches = d.batches();
        long mn = (long) d.m * d.n;
        boolean bShared = true, aContiguous = true;
        long expect = (long) d.m * d.k;
        for (int i = d.batch.length - 1; i >= 0; i--) {
            if (d.bStride[i] != 0 && d.batch[i] != 1) bShared = false;
            if (d.batch[i] != 1 && d.aStride[i] != expect) aContiguous = false;
            expect *= d.batch[i];
        }
        if (bShared && aContiguous && batches * d.m <= Integer.MAX_VALUE
                && ctx.prepared() instanceof Gemms.PackedB pb && pb.k() == d.k && pb.n() == d.n) {
            F32Epilogue epi = F32Epilogue.of(act);
            Gemms.gemmPacked(ctx, (int) (batches * d.m), a.data(), 0, d.k, pb, null, 0,
                    epi == null ? F32Epilogue.NONE : epi, y.data(), 0, d.n);
            if (epi != null) return; // the kernel applied the activation
        } else if (bShared && aContiguous && batches * d.m <= Integer.MAX_VALUE) {
            // One tall product: every batch of A against the same B.
            Gemms.gemm(ctx, (int) (batches * d.m), d.n, d.k, a.data(), 0, d.k, b.data(), 0, d.n, y.data(), 0, d.n);
        } else if (batches >= ctx.parallel().threads() && mn * d.k < (1L << 20)) {
            var g = ctx.kernels().f32Gemm();
            ctx.parallel().forRange((int) batches, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    g.gemm(d.m, d.n, d.k, a.data(), offset(d, d.aStride, i), d.k, b.data(), offset(d, d.bStride, i), d.n,
                            y.data(), i * mn, d.n, false);
                }
            });
        } else {
            for (int i = 0; i < batches; i++) {
                Gemms.gemm(ctx, d.m, d.n, d.k, a.data(), offset(d, d.aStride, i), d.k, b.data(), offset(d, d.bStride, i), d.n,
                        y.data(), i * mn, d.n);
            }
        }
        if (!act.isNone()) {
            long total = y.size();
            int chunks = (int) Math.min(Integer.MAX_VALUE, (total + 4095) / 4096);
            ctx.parallel().forRange(chunks, 4, (s, e) -> {
                long from = (long) s * 4096, to = Math.min(total, (long) e * 4096);
                Epilogue.apply(y.data(), from, to - from, false, 0f, act);
            });
        }
    }

    /** Element offset of batch i (row-major over the result's batch dims) in an operand with these strides. */
    private static long offset(Dims d, long[] stride, long i) {
        long off = 0;
        for (int j = d.batch.length - 1; j >= 0; j--) {
            off += (i % d.batch[j]) * stride[j];
            i /= d.batch[j];
        }
        return off;
    }

    private static void generic(Tensor a, Tensor b, Tensor y, Dims d, FusedActivation act) {
        boolean integer = switch (y.type()) {
            case INT32, INT64, UINT32, UINT64 -> true;
            default -> false;
        };
        long mn = (long) d.m * d.n;
        for (long bi = 0; bi < d.batches(); bi++) {
            long ao = offset(d, d.aStride, bi), bo = offset(d, d.bStride, bi);
            for (int i = 0; i < d.m; i++) {
                for (int j = 0; j < d.n; j++) {
                    long at = bi * mn + (long) i * d.n + j;
                    if (integer) {
                        long acc = 0;
                        for (int p = 0; p < d.k; p++) acc += a.getLongValue(ao + (long) i * d.k + p) * b.getLongValue(bo + (long) p * d.n + j);
                        y.setLongValue(at, acc);
                    } else {
                        double acc = 0;
                        for (int p = 0; p < d.k; p++) acc += a.getDouble(ao + (long) i * d.k + p) * b.getDouble(bo + (long) p * d.n + j);
                        y.setDouble(at, act.isNone() ? acc : act.apply((float) acc));
                    }
                }
            }
        }
    }
}
