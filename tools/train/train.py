#!/usr/bin/python3
"""Train Minnow's four bundled Fashion-MNIST models and export them to ONNX.

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/train/train.py                      # all four models
    /usr/bin/python3 tools/train/train.py --models lenet5      # just one

Writes models/<name>.onnx, models/accuracy.json, models/manifest.json and models/README.md.
Input contract of every model: x = uint8 pixels / 255 as float32, NCHW [n,1,28,28]; output `logits` [n,10].
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import read_idx  # noqa: E402
from nets import BUILDERS  # noqa: E402
import onnx_eval  # noqa: E402

ALLOWED_OPS = set("""Conv ConvTranspose Gemm MatMul Relu Clip LeakyRelu PRelu Sigmoid HardSigmoid HardSwish Tanh
Erf Add Sub Mul Div Pow Sqrt Exp Neg Abs MaxPool AveragePool GlobalAveragePool BatchNormalization Flatten Reshape
Transpose Concat Split Slice Squeeze Unsqueeze Gather Shape Cast Constant ConstantOfShape Identity Dropout Softmax
LogSoftmax ReduceMean ReduceSum ReduceMax Resize Pad Where Equal Expand""".split())

# Per-model training recipe: epochs, batch size, peak LR (AdamW + one-cycle schedule), weight decay,
# random horizontal-flip augmentation.
RECIPES = {
    "lenet300": dict(epochs=6, batch=128, lr=2e-3, wd=1e-4, flip=False),
    "lenet5": dict(epochs=5, batch=128, lr=2e-3, wd=1e-4, flip=False),
    "resnet": dict(epochs=3, batch=128, lr=5e-3, wd=1e-4, flip=True),
    "mobilenet": dict(epochs=3, batch=128, lr=5e-3, wd=1e-4, flip=True),
}

ARCH = {
    "lenet300": "LeNet-300-100: Flatten 784 → FC 300 → ReLU → FC 100 → ReLU → FC 10",
    "lenet5": "LeNet-5 (Caffe variant): Conv 20@5×5 → ReLU → MaxPool 2 → Conv 50@5×5 → ReLU → MaxPool 2 → "
              "Flatten 800 → FC 500 → ReLU → FC 10",
    "resnet": "ResNet-8: stem Conv 12@3×3+BN+ReLU (28×28) → BasicBlock 12 (identity) → BasicBlock 24 stride 2 "
              "(1×1 conv+BN projection, 14×14) → BasicBlock 48 stride 2 (projection, 7×7) → GlobalAveragePool → FC 10 "
              "(9 convs: 7 3×3 + 2 1×1)",
    "mobilenet": "MobileNetV2-style: stem Conv 16@3×3 stride 2+BN+ReLU6 (14×14) → 5 inverted residual blocks "
                 "(expand ×4: 1×1 conv+BN+ReLU6 → 3×3 depthwise+BN+ReLU6 → 1×1 project+BN; outputs 16, 24, 24, "
                 "32 (stride 2, 7×7), 32; residual Add where shapes match: 3 blocks) → 1×1 conv 128+BN+ReLU6 → "
                 "GlobalAveragePool → FC 10",
}


def load(data_dir, split):
    x = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    x = (x.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)  # the input contract: pixels / 255
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            assert logits.dtype == torch.float32
            correct += int((logits.argmax(1) == y[i:i + batch]).sum())
    return correct


def train(name, model, xtr, ytr, xte, yte, r, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=r["lr"], weight_decay=r["wd"])
    steps = (len(xtr) + r["batch"] - 1) // r["batch"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=r["lr"], epochs=r["epochs"], steps_per_epoch=steps)
    for ep in range(r["epochs"]):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(xtr), generator=gen)
        tot = 0.0
        for s in range(steps):
            idx = perm[s * r["batch"]:(s + 1) * r["batch"]]
            xb, yb = xtr[idx], ytr[idx]
            if r["flip"]:  # cheap augmentation: random horizontal flip
                flip = torch.rand(len(xb), generator=gen) < 0.5
                xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
        print(f"[{name}] epoch {ep + 1}/{r['epochs']} train loss {tot / steps:.4f} ({time.time() - t0:.0f}s)",
              flush=True)


def export(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=13,
                      input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL, export_params=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    bad = [o for o in ops if o not in ALLOWED_OPS]
    if bad:
        raise SystemExit(f"{path}: ops outside the allowed set: {bad}")
    assert [i.name for i in m.graph.input] == ["x"], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == ["logits"]
    dims = m.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert {o.version for o in m.opset_import if o.domain in ("", "ai.onnx")} == {13}
    return m, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=list(BUILDERS), choices=list(BUILDERS))
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out-dir", default="models")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=None, help="override every recipe's epoch count")
    ap.add_argument("--readme-only", action="store_true", help="only regenerate README.md from manifest.json")
    args = ap.parse_args()
    if args.readme_only:
        write_readme(args.out_dir, json.load(open(os.path.join(args.out_dir, "manifest.json"))))
        return

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out_dir, exist_ok=True)
    xtr, ytr = load(args.data_dir, "train")
    xte, yte = load(args.data_dir, "t10k")
    assert len(xtr) == 60000 and len(xte) == 10000

    acc_path = os.path.join(args.out_dir, "accuracy.json")
    man_path = os.path.join(args.out_dir, "manifest.json")
    accuracy = json.load(open(acc_path)) if os.path.exists(acc_path) else {}
    manifest = json.load(open(man_path)) if os.path.exists(man_path) else {}

    for i, name in enumerate(args.models):
        r = dict(RECIPES[name])
        if args.epochs is not None:
            r["epochs"] = args.epochs
        seed = args.seed + list(BUILDERS).index(name)
        torch.manual_seed(seed)
        np.random.seed(seed)
        model = BUILDERS[name]()
        t0 = time.time()
        train(name, model, xtr, ytr, xte, yte, r, seed)
        train_s = time.time() - t0
        path = os.path.join(args.out_dir, f"{name}.onnx")
        m, ops = export(model, path)
        correct = evaluate(model, xte, yte)  # PyTorch, eval mode, float32, 10000 images in file order
        # Independent cross-check of the exported graph (which torch may have Conv+BN-folded).
        onnx_logits = np.concatenate([onnx_eval.run(m, xte[j:j + 1000].numpy()) for j in range(0, 10000, 1000)])
        with torch.no_grad():
            pt_logits = model(xte).numpy()
        onnx_correct = int((onnx_logits.argmax(1) == yte.numpy()).sum())
        maxdiff = float(np.abs(onnx_logits - pt_logits).max())
        if abs(onnx_correct - correct) > 2 or maxdiff > 1e-3:
            raise SystemExit(f"{name}: exported graph disagrees: {onnx_correct} vs {correct}, max |Δ| {maxdiff}")
        params = sum(p.numel() for p in model.parameters())
        data = open(path, "rb").read()
        accuracy[name] = {"correct": correct, "n": 10000, "accuracy": round(correct / 10000, 6)}
        manifest[name] = {
            "file": f"{name}.onnx", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "architecture": ARCH[name], "parameters": params, "ops": ops, "opset": 13,
            "nodes": len(m.graph.node), "correct": correct, "n": 10000,
            "onnx_graph_correct_check": onnx_correct, "onnx_vs_torch_max_abs_logit_diff": maxdiff,
            "recipe": r, "seed": seed, "train_seconds": round(train_s),
            "torch": torch.__version__, "onnx": onnx.__version__,
        }
        print(f"[{name}] {correct}/10000 = {correct / 100:.2f}%  params {params}  {len(data)} bytes  ops {ops}  "
              f"(onnx-graph check {onnx_correct}, max |Δlogit| {maxdiff:.2e})", flush=True)
        order = [k for k in BUILDERS if k in accuracy]
        with open(acc_path, "w") as f:
            json.dump({k: accuracy[k] for k in order}, f, indent=2)
            f.write("\n")
        with open(man_path, "w") as f:
            json.dump({k: manifest[k] for k in order if k in manifest}, f, indent=2, ensure_ascii=False)
            f.write("\n")
    write_readme(args.out_dir, manifest)


def write_readme(out_dir, manifest):
    lines = [
        "# Bundled models",
        "",
        "Four small Fashion-MNIST classifiers trained and exported by `tools/train/train.py` (generated file — "
        "rerun the script rather than editing it). Command (from the repository root):",
        "",
        "```",
        "/usr/bin/python3 tools/train/train.py",
        "```",
        "",
        "(run with OpenBLAS in front of Debian's reference BLAS via `LD_LIBRARY_PATH`, 2 threads — see "
        "`tools/train/README.md`; `tools/train/verify.py` re-checks the committed files without retraining.)",
        "",
        "Input contract for every model: input `x`, float32 NCHW `[batch,1,28,28]` = uint8 pixels / 255 "
        "(no mean/std normalisation); output `logits`, float32 `[batch,10]` (argmax = class). "
        "Exported with `torch.onnx.export`, opset 13, dynamic axis 0 `batch`, `do_constant_folding=True`, "
        "`training=TrainingMode.EVAL` (torch folds eval-mode BatchNormalization into the preceding Conv, so no "
        "BatchNormalization nodes remain).",
        "",
        "Accuracy = PyTorch model in eval mode, float32, argmax of the logits over the full 10,000-image "
        "Fashion-MNIST test set (`t10k`, file order). The same numbers are in `accuracy.json` (read by the "
        "end-to-end tests); `manifest.json` adds sizes, SHA-256, recipes and versions.",
        "",
    ]
    for name in BUILDERS:
        if name not in manifest:
            continue
        e = manifest[name]
        r = e["recipe"]
        lines += [
            f"## {name}",
            "",
            "| | |",
            "|---|---|",
            f"| file | `models/{e['file']}` ({e['bytes']:,} bytes) |",
            f"| architecture | {e['architecture']} |",
            f"| parameters | {e['parameters']:,} (PyTorch, before BN folding) |",
            f"| ONNX ops | {', '.join(e['ops'])} ({e['nodes']} nodes) |",
            f"| opset | {e['opset']} |",
            f"| test accuracy (PyTorch) | **{e['correct'] / 100:.2f}%** ({e['correct']}/10000 correct) |",
            f"| training | {r['epochs']} epochs, batch {r['batch']}, AdamW one-cycle peak lr {r['lr']}, "
            f"wd {r['wd']}, seed {e['seed']}{', random h-flip' if r.get('flip') else ''}; "
            f"`/usr/bin/python3 tools/train/train.py --models {name}` |",
            "",
        ]
    lines += [
        "## external/",
        "",
        "`external/hello_deepa.onnx`: a small third-party pretrained model (npm `openwakeword-js` 0.1.27, Apache-2.0) "
        "built only from allowed ops, for engine-vs-ONNX-Runtime conformance; see `external/README.md`.",
        "",
    ]
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
