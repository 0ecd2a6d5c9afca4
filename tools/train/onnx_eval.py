"""Tiny ONNX graph evaluator built on torch.nn.functional, for the few ops our exports use.

Used only as an independent cross-check that the exported graph (after torch's constant folding /
Conv+BN fusion) computes the same predictions as the PyTorch module. Not a general ONNX runtime.
"""
import numpy as np
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    out = {}
    for a in node.attribute:
        if a.type == a.INT:
            out[a.name] = a.i
        elif a.type == a.INTS:
            out[a.name] = list(a.ints)
        elif a.type == a.FLOAT:
            out[a.name] = a.f
        elif a.type == a.TENSOR:
            out[a.name] = numpy_helper.to_array(a.t)
    return out


def _pads(at, nd=2):
    p = at.get("pads", [0] * (2 * nd))
    if p[:nd] != p[nd:]:
        raise NotImplementedError("asymmetric pads")
    return p[:nd]


def run(model, x):
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    env[model.graph.input[0].name] = torch.from_numpy(x)
    for n in model.graph.node:
        a = _attrs(n)
        i = [env[name] if name else None for name in n.input]
        t = n.op_type
        if t == "Conv":
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise NotImplementedError("auto_pad")
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]), _pads(a),
                         a.get("dilations", [1, 1]), a.get("group", 1))
        elif t == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2:
                y = y + a.get("beta", 1.0) * i[2]
        elif t == "MatMul":
            y = i[0] @ i[1]
        elif t == "Relu":
            y = torch.relu(i[0])
        elif t == "Clip":
            lo = i[1] if len(i) > 1 and i[1] is not None else None
            hi = i[2] if len(i) > 2 and i[2] is not None else None
            y = torch.clamp(i[0], lo.item() if lo is not None else None, hi.item() if hi is not None else None)
        elif t == "Add":
            y = i[0] + i[1]
        elif t == "MaxPool":
            y = F.max_pool2d(i[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]), _pads(a),
                             ceil_mode=bool(a.get("ceil_mode", 0)))
        elif t == "GlobalAveragePool":
            y = i[0].mean(dim=(2, 3), keepdim=True)
        elif t == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif t == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        elif t == "Constant":
            y = torch.from_numpy(np.array(a["value"]))
        elif t == "Identity":
            y = i[0]
        else:
            raise NotImplementedError(t)
        env[n.output[0]] = y
    return env[model.graph.output[0].name].numpy()
