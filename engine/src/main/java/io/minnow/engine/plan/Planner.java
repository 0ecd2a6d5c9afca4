package io.minnow.engine.plan;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.exec.Parallel;
import io.minnow.engine.ir.Graph;
import io.minnow.engine.ir.Node;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.Op;
import io.minnow.engine.ops.OpRegistry;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Specialises a graph to concrete input shapes: shape inference node by node, constant folding (any node
 * whose inputs are all known is computed now — this is what folds shape subgraphs such as
 * Shape→Gather→Concat→Reshape once the batch size is fixed), then the static memory plan.
 */
public final class Planner {
    private Planner() {}

    /**
     * @param graph       the (already fused) graph
     * @param inputShapes one shape per {@code graph.inputs}, in order
     */
    public static Plan plan(Graph graph, long[][] inputShapes, Kernels kernels) {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<Tensor> constants = new ArrayList<>();
        List<Integer> viewOf = new ArrayList<>();
        java.util.function.Function<String, Integer> define = name -> {
            if (index.containsKey(name)) throw new MinnowException("value '" + name + "' is defined twice");
            index.put(name, names.size());
            names.add(name);
            types.add(null);
            shapes.add(null);
            constants.add(null);
            viewOf.add(-1);
            return names.size() - 1;
        };

        int[] inputs = new int[graph.inputs.size()];
        for (int i = 0; i < inputs.length; i++) {
            ValueInfo vi = graph.inputs.get(i);
            int v = define.apply(vi.name());
            types.set(v, Graph.typeOrFloat(vi));
            shapes.set(v, inputShapes[i].clone());
            inputs[i] = v;
        }
        for (var e : graph.constants.entrySet()) {
            if (index.containsKey(e.getKey())) continue; // an input shadowing an initializer keeps the input
            int v = define.apply(e.getKey());
            types.set(v, e.getValue().type());
            shapes.set(v, e.getValue().shape());
            constants.set(v, e.getValue());
        }

        List<Step> steps = new ArrayList<>();
        for (Node node : graph.nodes) {
            Op op = OpRegistry.lookup(node.domain, node.opType, node.displayName());
            Attrs attrs = new Attrs(node.attributes, node.displayName());
            int[] in = new int[node.inputs.size()];
            boolean shapesKnown = true, allConstant = true;
            for (int i = 0; i < in.length; i++) {
                String name = node.inputs.get(i);
                if (name.isEmpty()) { in[i] = -1; continue; }
                Integer v = index.get(name);
                if (v == null) throw new MinnowException("node '" + node.displayName() + "' reads undefined value '" + name + "'");
                in[i] = v;
                if (shapes.get(v) == null) shapesKnown = false;
                if (constants.get(v) == null) allConstant = false;
            }
            int[] out = new int[node.outputs.size()];
            for (int o = 0; o < out.length; o++) {
                out[o] = node.outputs.get(o).isEmpty() ? -1 : define.apply(node.outputs.get(o));
            }

            Inference inf = null;
            if (shapesKnown) {
                inf = infer(node, op, attrs, graph.opset, in, types, shapes, constants);
                for (int o = 0; o < out.length; o++) {
                    if (out[o] < 0) continue;
                    if (!inf.declared[o]) {
                        throw new MinnowException("node '" + node.displayName() + "' (" + node.opType + ") did not declare output " + o);
                    }
                    types.set(out[o], inf.outTypes[o]);
                    shapes.set(out[o], inf.outShapes[o]);
                    constants.set(out[o], inf.outConstants[o]);
                }
            }
            boolean outputsKnown = inf != null && Arrays.stream(inf.outShapes).allMatch(s -> s != null);
            boolean outputsConstant = inf != null && allOutputsConstant(out, constants);
            if (outputsConstant) continue;
            if (allConstant && outputsKnown) {
                Tensor[] folded = fold(node, op, attrs, graph.opset, in, out, constants, inf, kernels);
                for (int o = 0; o < out.length; o++) if (out[o] >= 0) constants.set(out[o], folded[o]);
                continue;
            }
            int view = op.viewOfInput();
            if (view >= 0 && out.length > 0 && out[0] >= 0) {
                int base = in[view];
                viewOf.set(out[0], viewOf.get(base) >= 0 ? viewOf.get(base) : base);
            }
            Inference known = inf;
            Object prepared = known == null ? null : graph.prepared(node, () -> op.prepare(known, kernels));
            steps.add(new Step(node, op, attrs, in, out, -1, inf == null ? 0 : inf.scratchBytes, !outputsKnown, prepared));
        }

        int[] outputs = new int[graph.outputs.size()];
        for (int i = 0; i < outputs.length; i++) {
            Integer v = index.get(graph.outputs.get(i).name());
            if (v == null) throw new MinnowException("graph output '" + graph.outputs.get(i).name() + "' is never produced");
            outputs[i] = v;
        }

        int n = names.size();
        long[][] shapeArr = shapes.toArray(new long[0][]);
        DataType[] typeArr = types.toArray(new DataType[0]);
        int[] viewArr = viewOf.stream().mapToInt(Integer::intValue).toArray();
        Step[] stepArr = steps.toArray(new Step[0]);
        boolean[] inArena = new boolean[n];
        for (Step s : stepArr) {
            if (s.dynamic()) continue;
            for (int o : s.out()) if (o >= 0 && viewArr[o] < 0 && constants.get(o) == null) inArena[o] = true;
        }
        MemoryPlanner.Layout layout = MemoryPlanner.layout(stepArr, inArena, typeArr, shapeArr, viewArr, outputs);
        Step[] placed = new Step[stepArr.length];
        for (int s = 0; s < stepArr.length; s++) {
            Step st = stepArr[s];
            placed[s] = new Step(st.node(), st.op(), st.attrs(), st.in(), st.out(), layout.scratchOffsets()[s],
                    st.scratchBytes(), st.dynamic(), st.prepared());
        }
        return new Plan(graph.opset, names.toArray(new String[0]), typeArr, shapeArr, constants.toArray(new Tensor[0]),
                layout.offsets(), viewArr, inputs, outputs, placed, layout.arenaBytes());
    }

    private static boolean allOutputsConstant(int[] out, List<Tensor> constants) {
        for (int o : out) if (o >= 0 && constants.get(o) == null) return false;
        return true;
    }

    private static Inference infer(Node node, Op op, Attrs attrs, long opset, int[] in, List<DataType> types,
                                   List<long[]> shapes, List<Tensor> constants) {
        DataType[] t = new DataType[in.length];
        long[][] s = new long[in.length][];
        Tensor[] c = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 0) continue;
            t[i] = types.get(in[i]);
            s[i] = shapes.get(in[i]);
            c[i] = constants.get(in[i]);
        }
        Inference inf = new Inference(node.displayName(), attrs, opset, t, s, c, node.outputs.size());
        op.infer(inf);
        return inf;
    }

    private static Tensor[] fold(Node node, Op op, Attrs attrs, long opset, int[] in, int[] out,
                                 List<Tensor> constants, Inference inf, Kernels kernels) {
        Tensor[] inputs = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) inputs[i] = in[i] < 0 ? null : constants.get(in[i]);
        Tensor[] outputs = new Tensor[out.length];
        int view = op.viewOfInput();
        for (int o = 0; o < out.length; o++) {
            if (inf.outConstants[o] != null) outputs[o] = inf.outConstants[o];
            else if (o == 0 && view >= 0) outputs[o] = inputs[view].reshape(inf.outShapes[0]);
            else outputs[o] = Tensor.allocate(inf.outTypes[o], inf.outShapes[o]);
        }
        if (view < 0) {
            var scratch = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, inf.scratchBytes), 64);
            op.execute(new Execution(node.displayName(), attrs, opset, inputs, outputs, scratch, Parallel.INLINE, kernels));
        }
        return outputs;
    }
}
