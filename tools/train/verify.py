#!/usr/bin/python3
"""Re-check the committed models without retraining: for every models/<name>.onnx, run the exported graph
(onnx_eval, torch-functional) on all 10,000 Fashion-MNIST test images and compare the number of correct
predictions with models/accuracy.json. Also checks the op set and the data/ sample against the originals.

    /usr/bin/python3 tools/train/verify.py
"""
import json
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_eval  # noqa: E402
from idx import read_idx  # noqa: E402
from train import ALLOWED_OPS  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def main():
    x = (read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz").astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    y = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    acc = json.load(open("models/accuracy.json"))
    ok = True
    for name, e in acc.items():
        m = onnx.load(f"models/{name}.onnx")
        onnx.checker.check_model(m)
        ops = sorted({n.op_type for n in m.graph.node})
        logits = np.concatenate([onnx_eval.run(m, x[i:i + 1000]) for i in range(0, 10000, 1000)])
        correct = int((logits.argmax(1) == y).sum())
        good = abs(correct - e["correct"]) <= 2 and set(ops) <= ALLOWED_OPS and e["accuracy"] == round(e["correct"] / 1e4, 6)
        ok &= good
        print(f"{name:10s} onnx-graph {correct}/10000 vs accuracy.json {e['correct']}  ops {ops}  "
              f"{os.path.getsize(f'models/{name}.onnx')} bytes  {'OK' if good else 'MISMATCH'}")
    si = read_idx("data/fashion-mnist-sample-images-idx3-ubyte.gz")
    sl = read_idx("data/fashion-mnist-sample-labels-idx1-ubyte.gz")
    same = si.shape == (1000, 28, 28) and sl.shape == (1000,) and \
        (si == read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")[:1000]).all() and (sl == y[:1000]).all()
    ok &= bool(same)
    print("data sample", "OK" if same else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
