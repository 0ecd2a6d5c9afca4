package io.minnow.jmh;

import io.minnow.formats.Attribute;
import io.minnow.formats.DataType;
import io.minnow.formats.Dim;
import io.minnow.formats.GraphDef;
import io.minnow.formats.ModelDef;
import io.minnow.formats.NodeDef;
import io.minnow.formats.TensorData;
import io.minnow.formats.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One 2-D convolution layer at batch 1, NCHW: its geometry and its weights (a model's real ones, or
 * seeded random ones for the synthetic shapes). {@link #toModel} turns it into a one-node ONNX model that
 * Minnow and ONNX Runtime both run, so the two time exactly the same operator.
 *
 * @param weights [cout, cin/group, kh, kw] row-major
 * @param bias    [cout], or null when the layer has none
 * @param pads    top, left, bottom, right (ONNX order: begins then ends)
 */
public record ConvLayer(String name, int cin, int h, int w, int cout, int kh, int kw, int strideH, int strideW,
                        int[] pads, int dilationH, int dilationW, int group, float[] weights, float[] bias) {
    public ConvLayer {
        if (cin < 1 || h < 1 || w < 1 || cout < 1 || kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || group < 1
                || dilationH < 1 || dilationW < 1 || pads.length != 4 || cin % group != 0 || cout % group != 0) {
            throw new IllegalArgumentException("layer " + name + ": bad geometry");
        }
        if (weights.length != (long) cout * (cin / group) * kh * kw) {
            throw new IllegalArgumentException("layer " + name + ": " + weights.length + " weights for " + cout + "x" + (cin / group) + "x" + kh + "x" + kw);
        }
        if (bias != null && bias.length != cout) throw new IllegalArgumentException("layer " + name + ": bias length " + bias.length);
        pads = pads.clone();
    }

    /** A layer with seeded random weights and bias, symmetric padding, no dilation. */
    public static ConvLayer random(String name, int cin, int h, int w, int cout, int k, int stride, int pad, int group, long seed) {
        Random r = new Random(seed);
        float[] wt = new float[cout * (cin / group) * k * k];
        float scale = (float) Math.sqrt(2.0 / ((double) (cin / group) * k * k)); // He init: keeps outputs O(1)
        for (int i = 0; i < wt.length; i++) wt[i] = (float) r.nextGaussian() * scale;
        float[] b = new float[cout];
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        return new ConvLayer(name, cin, h, w, cout, k, k, stride, stride, new int[]{pad, pad, pad, pad}, 1, 1, group, wt, b);
    }

    public int outH() {
        return (h + pads[0] + pads[2] - dilationH * (kh - 1) - 1) / strideH + 1;
    }

    public int outW() {
        return (w + pads[1] + pads[3] - dilationW * (kw - 1) - 1) / strideW + 1;
    }

    /** Multiply-adds counted as 2 flops, bias ignored: 2·cout·outH·outW·(cin/group)·kh·kw. */
    public long flops() {
        return 2L * cout * outH() * outW() * (cin / group) * kh * kw;
    }

    /** Same geometry, e.g. {@code 3x3/s2 dw 96->96 @14x14}; equal strings mean equal work. */
    public String shape() {
        String dw = group == 1 ? "" : group == cin && group == cout ? " dw" : " g" + group;
        String pad = pads[0] == pads[1] && pads[1] == pads[2] && pads[2] == pads[3] ? "p" + pads[0] : "p" + java.util.Arrays.toString(pads);
        String s = kh + "x" + kw + "/s" + (strideH == strideW ? strideH : strideH + "," + strideW) + "/" + pad
                + (dilationH == 1 && dilationW == 1 ? "" : "/d" + dilationH + "," + dilationW);
        return s + dw + " " + cin + "->" + cout + " @" + h + "x" + w;
    }

    /** Input x [1, cin, h, w] -> Conv (weights and bias as initializers) -> y [1, cout, outH, outW], opset 13. */
    public ModelDef toModel() {
        List<String> inputs = new ArrayList<>(List.of("x", "W"));
        List<TensorData> init = new ArrayList<>();
        init.add(TensorData.ofFloats("W", weights, cout, cin / group, kh, kw));
        if (bias != null) {
            inputs.add("B");
            init.add(TensorData.ofFloats("B", bias, cout));
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        attrs.put("kernel_shape", Attribute.of("kernel_shape", new long[]{kh, kw}));
        attrs.put("strides", Attribute.of("strides", new long[]{strideH, strideW}));
        attrs.put("pads", Attribute.of("pads", new long[]{pads[0], pads[1], pads[2], pads[3]}));
        attrs.put("dilations", Attribute.of("dilations", new long[]{dilationH, dilationW}));
        attrs.put("group", Attribute.of("group", (long) group));
        NodeDef conv = new NodeDef("conv", "Conv", "", inputs, List.of("y"), attrs);
        GraphDef g = new GraphDef(name, List.of(conv),
                List.of(new ValueInfo("x", DataType.FLOAT, dims(1, cin, h, w))),
                List.of(new ValueInfo("y", DataType.FLOAT, dims(1, cout, outH(), outW()))), init, List.of());
        return new ModelDef(8, Map.of("", 13L), "minnow-jmh", "", g, Map.of());
    }

    private static List<Dim> dims(long... d) {
        List<Dim> out = new ArrayList<>();
        for (long v : d) out.add(Dim.of(v));
        return out;
    }
}
