#!/usr/bin/env bash
# Quantization accuracy and speed of every bundled model: `minnow compare` (f32, q8, q4 on the full Fashion-MNIST
# test set, calibrated on 1000 training images), then one Markdown table with the accuracy deltas against the
# targets of the quantization issue (int8 <= 0.5 pp below f32, int4 <= 1.5 pp below).
#
#   tools/quant/accuracy.sh [--out DIR] [--models "lenet300 lenet5 resnet mobilenet"] [--limit N]
#
# Writes DIR/<model>/compare.json (one JSON object per encoding), DIR/<model>/*.mnw, and DIR/accuracy.md.
# Default DIR: reports/quant. Takes a few minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT=reports/quant MODELS="lenet300 lenet5 resnet mobilenet" LIMIT=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift ;;
    --models) MODELS="$2"; shift ;;
    --limit) LIMIT=(--limit "$2"); shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "accuracy.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
for m in $MODELS; do
  echo "== $m" >&2
  ./minnow compare "models/$m.onnx" --dataset fashion-mnist "${LIMIT[@]}" --report "$OUT/$m" --json > /dev/null
done
python3 - "$OUT" $MODELS > "$OUT/accuracy.md" <<'PY'
import json, sys
out, models = sys.argv[1], sys.argv[2:]
targets = {"q8": 0.5, "q4": 1.5}
print("| model | f32 acc | q8 acc | q8 Δ pp | q4 acc | q4 Δ pp | q8 bytes ratio | q4 bytes ratio | q8 p50 speed-up | q4 p50 speed-up | result |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for m in models:
    rows = {}
    for line in open(f"{out}/{m}/compare.json"):
        r = json.loads(line); rows[r["encoding"]] = r
    f = rows["f32"]["accuracy"] * 100
    cells, ok = [m, f"{f:.2f}%"], True
    for e in ("q8", "q4"):
        a = rows[e]["accuracy"] * 100
        d = a - f
        ok &= d >= -targets[e]
        cells += [f"{a:.2f}%", f"{d:+.2f}"]
    cells += [f"{rows[e]['ratio']:.2f}x" for e in ("q8", "q4")]
    cells += [f"{rows[e]['speedup']:.2f}x" for e in ("q8", "q4")]
    cells.append("PASS" if ok else "FAIL")
    print("| " + " | ".join(cells) + " |")
print()
print("Targets: int8 (q8) at most 0.5 pp below f32, int4 (q4) at most 1.5 pp below. Speed-ups are batch-1 p50 of")
print("`minnow compare` (1 thread, one run, noisy); the JMH numbers are in the performance section.")
PY
cat "$OUT/accuracy.md"
