package io.minnow.engine.ops;

import io.minnow.engine.ops.math.MathOps;
import io.minnow.engine.ops.nn.NnOps;
import io.minnow.engine.ops.quant.QuantOps;
import io.minnow.engine.ops.tensor.TensorOps;
import io.minnow.formats.MinnowException;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** ONNX op type (default domain) → implementation. Each family file registers its own ops. */
public final class OpRegistry {
    private static final Map<String, Op> OPS;

    static {
        Map<String, Op> m = new TreeMap<>();
        MathOps.register(m);
        TensorOps.register(m);
        NnOps.register(m);
        QuantOps.register(m);
        OPS = Collections.unmodifiableMap(m);
        Map<String, Op> own = new TreeMap<>();
        io.minnow.engine.ops.quant.QOps.register(own);
        NnOps.registerInternal(own);
        MINNOW_OPS = Collections.unmodifiableMap(own);
    }

    /** Minnow's internal ops (domain io.minnow), made by planner passes; never read from a file. */
    private static final Map<String, Op> MINNOW_OPS;

    private OpRegistry() {}

    /** True for the default ONNX domain names. */
    public static boolean isDefaultDomain(String domain) {
        return domain == null || domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** The op for a node, or a clear error naming the op and the node. */
    public static Op lookup(String domain, String opType, String nodeName) {
        Op op = isDefaultDomain(domain) ? OPS.get(opType)
                : io.minnow.engine.ops.quant.QOps.DOMAIN.equals(domain) ? MINNOW_OPS.get(opType) : null;
        if (op == null) {
            String d = isDefaultDomain(domain) ? "" : domain + ".";
            throw new MinnowException("unsupported op " + d + opType + " (node '" + nodeName + "')");
        }
        return op;
    }

    /** Supported op types, sorted. */
    public static java.util.Set<String> supported() {
        return OPS.keySet();
    }
}
