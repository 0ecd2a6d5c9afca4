#!/usr/bin/env bash
# Runs every dense-fp32 performance suite and prints the README's tables.
#
#   tools/perf/run-all.sh [--quick] [--no-build] [--only SUITES] [--out DIR]
#
#   (default)     the full set, about 35 minutes on 2 cores; JSON into reports/
#   --quick       a subset with shorter iterations, about 8 minutes; JSON into reports/quick/
#                 (so a smoke run never overwrites published numbers)
#   --no-build    reuse jmh/target/benchmarks.jar
#   --only LIST   comma-separated subset of: probes,gemm,conv,models,quant
#   --out DIR     where the JSON, logs and perf.md go
#
# Writes DIR/jmh-probes.json, jmh-gemm.json, jmh-conv.json, jmh-models.json, jmh-quant-{models,gemm,gemv}.json (JMH -rf json), one .log per
# suite, DIR/interleaved-{models,quant-models}.json (the same model comparisons timed in alternating turns by
# InterleavedModelBench, JMH's JSON format), DIR/interleaved-gemm.json (our best native GEMM and OpenBLAS in
# alternating turns, InterleavedGemmBench) and DIR/perf.md (PerfReport's Markdown, also printed).
# Environment: JAVA_HOME (a JDK 25+; else the newest under /usr/lib/jvm), MVN_ARGS (extra Maven flags,
# e.g. -o offline), JMH_ARGS (extra JMH flags for every suite, e.g. "-f 3"), PEAK_GFLOPS (use this FMA
# peak instead of FmaPeakProbe's).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

QUICK=0 BUILD=1 ONLY="probes,gemm,conv,models,quant" OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --only) ONLY="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$OUT" ]] || { if [[ $QUICK == 1 ]]; then OUT=reports/quick; else OUT=reports; fi; }
mkdir -p "$OUT"
want() { [[ ",$ONLY," == *",$1,"* ]]; }

jdk_major() {
  [[ -x "$1/bin/java" ]] || return 0
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)[."].*/\1/p' | head -n1
}
if [[ -z "${JAVA_HOME:-}" || "$(jdk_major "$JAVA_HOME")" -lt 25 ]] 2>/dev/null; then
  best="" best_major=0
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"; m="$(jdk_major "$d")"
    if [[ -n "$m" && "$m" -ge 25 && "$m" -gt "$best_major" ]]; then best="$d"; best_major="$m"; fi
  done
  [[ -n "$best" ]] || { echo "run-all.sh: no JDK 25+ found; set JAVA_HOME" >&2; exit 1; }
  export JAVA_HOME="$best"
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "-Dminnow.root=$ROOT")
JAR=jmh/target/benchmarks.jar

if [[ $BUILD == 1 ]]; then
  echo "== building $JAR" >&2
  # clean: the JMH benchmark list is regenerated only on a full compile
  # shellcheck disable=SC2086
  mvn -q -B ${MVN_ARGS:-} -pl jmh -am clean package -DskipTests
fi
[[ -f "$JAR" ]] || { echo "run-all.sh: $JAR missing (run without --no-build)" >&2; exit 1; }

# JMH flags per suite: warm-up iterations/time, measurement iterations/time, one fork.
if [[ $QUICK == 1 ]]; then
  PROBE_FLAGS="-wi 1 -w 1 -i 2 -r 1 -f 1"
  GEMM_FLAGS="-wi 1 -w 1 -i 2 -r 1 -f 1"
  CONV_FLAGS="-wi 1 -w 1 -i 2 -r 1 -f 1"
  MODEL_FLAGS="-wi 1 -w 1 -i 2 -r 1 -f 1"
else
  PROBE_FLAGS="-wi 2 -w 1 -i 3 -r 1 -f 1"
  GEMM_FLAGS="-wi 1 -w 1 -i 3 -r 1 -f 1"
  CONV_FLAGS="-wi 1 -w 1 -i 3 -r 1 -f 1"
  MODEL_FLAGS="-wi 2 -w 1 -i 3 -r 2 -f 1"
fi

params() { "${JAVA[@]}" -cp "$JAR" io.minnow.jmh.BenchParams "$@" 2>/dev/null | tail -n1 || true; }

# run SUITE REGEX FLAGS [jmh args...]: one JMH invocation, JSON + log under $OUT; a failed suite is
# reported and the others still run.
FAILED=()
run() {
  local suite="$1" regex="$2" flags="$3"; shift 3
  echo "== $suite: $regex $flags $*  ($(date -u +%H:%M:%S) UTC)" >&2
  # shellcheck disable=SC2086
  if ! "${JAVA[@]}" -jar "$JAR" "$regex" $flags ${JMH_ARGS:-} "$@" -rf json -rff "$OUT/jmh-$suite.json" >"$OUT/jmh-$suite.log" 2>&1; then
    echo "   $suite FAILED (log: $OUT/jmh-$suite.log)" >&2
    FAILED+=("$suite")
  fi
  grep -E '^(Benchmark|[A-Za-z0-9]+\.[a-z]+ )' "$OUT/jmh-$suite.log" | grep -v ':p[0-9]' >&2 || true
}

# interleaved SUITE ARGS...: the whole-model comparisons in alternating turns (InterleavedModelBench), JSON under $OUT
interleaved() {
  local suite="$1"; shift
  echo "== interleaved-$suite: $*  ($(date -u +%H:%M:%S) UTC)" >&2
  if ! "${JAVA[@]}" -cp "$JAR" io.minnow.jmh.InterleavedModelBench --suite "$suite" "$@" --out "$OUT/interleaved-$suite.json" \
      >"$OUT/interleaved-$suite.log" 2>&1; then
    echo "   interleaved-$suite FAILED (log: $OUT/interleaved-$suite.log)" >&2
    FAILED+=("interleaved-$suite")
  fi
  grep '^Interleaved' "$OUT/interleaved-$suite.log" >&2 || true
}
if [[ $QUICK == 1 ]]; then TURNS="--rounds 6 --turn-ms 100 --warmup-ms 1000"; else TURNS="--rounds 20 --turn-ms 100 --warmup-ms 2000"; fi

START=$SECONDS
if want probes; then
  run probes 'FmaPeakProbe|DramBandwidthProbe' "$PROBE_FLAGS"
fi
if want gemm; then
  KERNELS="$(params gemm-kernels)"
  [[ -n "$KERNELS" ]] || { echo "   BenchParams gemm-kernels failed; using native avx2 + openblas" >&2; KERNELS="f32-gemm-avx2,openblas"; }
  if [[ $QUICK == 1 ]]; then
    # the best native kernel, the preferred-width Vector API kernel, and OpenBLAS
    NAT="$(tr ',' '\n' <<<"$KERNELS" | grep -E '^f32-gemm-(avx512f|avx2|c)$' | head -n1 || true)"
    PAN="$(tr ',' '\n' <<<"$KERNELS" | grep -E '^f32-gemm-panama' | head -n1 || true)"
    KERNELS="$(printf '%s\n' "$NAT" "$PAN" openblas | grep -v '^$' | paste -sd,)"
    run gemm F32GemmBench "$GEMM_FLAGS" -p "kernel=$KERNELS" -p m=1,64,256 -p nk=1024
  else
    run gemm F32GemmBench "$GEMM_FLAGS" -p "kernel=$KERNELS" -p m=1,16,64,256,1024 -p nk=256,1024,4096
  fi
  # the ≥ 0.9x OpenBLAS comparison with both in alternating turns per shape (JMH measures them minutes apart)
  NAT_BEST="$(tr ',' '\n' <<<"$KERNELS" | grep -E '^f32-gemm-(avx512f|avx2)$' | head -n1 || true)"
  if [[ -n "$NAT_BEST" ]]; then
    echo "== interleaved-gemm: $NAT_BEST vs openblas  ($(date -u +%H:%M:%S) UTC)" >&2
    if [[ $QUICK == 1 ]]; then IG="--m 64,256 --nk 1024 --rounds 4"; else IG="--m 64,256,1024 --nk 256,1024,4096 --rounds 10"; fi
    # shellcheck disable=SC2086
    if ! "${JAVA[@]}" -cp "$JAR" io.minnow.jmh.InterleavedGemmBench --kernel "$NAT_BEST" $IG --out "$OUT/interleaved-gemm.json" \
        >"$OUT/interleaved-gemm.log" 2>&1; then
      echo "   interleaved-gemm FAILED (log: $OUT/interleaved-gemm.log)" >&2
      FAILED+=("interleaved-gemm")
    fi
    grep '^InterleavedGemmBench' "$OUT/interleaved-gemm.log" >&2 || true
  fi
fi
if want conv; then
  if [[ $QUICK == 1 ]]; then
    # a 3x3 and a strided 3x3 of resnet, a depthwise and a pointwise of mobilenet, two ResNet-18 shapes
    LAYERS="resnet:conv1,resnet:conv3,mobilenet:conv2,mobilenet:conv7,r18:3x3-56x56x64,r18:1x1-14x14x256"
  else
    LAYERS="$(params conv-layers)"   # one per distinct shape of resnet + mobilenet, read from the models, + ResNet-18
  fi
  if [[ -n "$LAYERS" ]]; then
    run conv F32ConvBench "$CONV_FLAGS" -p "layer=$LAYERS" -p backend=minnow,minnow-java,ort
  else
    echo "   BenchParams conv-layers failed; using F32ConvBench's default layer list" >&2
    run conv F32ConvBench "$CONV_FLAGS" -p backend=minnow,minnow-java,ort
  fi
fi
if want models; then
  if [[ $QUICK == 1 ]]; then
    run models ModelBench "$MODEL_FLAGS" -p batch=1,64 -p threads=1
    # shellcheck disable=SC2086
    interleaved models --batch 1,64 --threads 1 $TURNS
  else
    run models ModelBench "$MODEL_FLAGS" -p batch=1,64 -p threads=1,2
    # shellcheck disable=SC2086
    interleaved models --batch 1,64 --threads 1,2 $TURNS
  fi
fi
if want quant; then
  # int8 / int4 beside f32: the int8 models against ORT's QDQ run and Minnow's fp32; int8 GEMM on F32GemmBench's
  # shapes (the gemm suite has the f32 rows of the same run); batch-1 GEMV in f32 / q8 / q4 (f32 and int8 activations)
  run quant-models QuantModelBench "$MODEL_FLAGS"
  # shellcheck disable=SC2086
  interleaved quant-models --quant-batch 1 --quant-threads 1 $TURNS
  run quant-gemm Qs8GemmBench "$GEMM_FLAGS" -p kernel=qs8-gemm-avx2,qs8-gemm-panama256 -p m=1,64,1024 -p nk=1024,4096 \
      -p epilogue=requantize
  run quant-gemv Q4GemvBench "$GEMM_FLAGS" -p kernel=f32-best,q8-best,q4-gemm-avx2,q4-gemm-panama256,q4-gemv-avx2,q4-gemv-panama256
fi
echo "== suites done in $(( (SECONDS - START) / 60 )) min $(( (SECONDS - START) % 60 )) s" >&2

REPORT_ARGS=("$OUT/jmh-probes.json" "$OUT/jmh-gemm.json" "$OUT/interleaved-gemm.json" "$OUT/jmh-conv.json" "$OUT/jmh-models.json" "$OUT/interleaved-models.json"
             "$OUT/jmh-quant-models.json" "$OUT/interleaved-quant-models.json" "$OUT/jmh-quant-gemm.json" "$OUT/jmh-quant-gemv.json"
             --out "$OUT/perf.md")
[[ -n "${PEAK_GFLOPS:-}" ]] && REPORT_ARGS+=(--peak "$PEAK_GFLOPS")
"${JAVA[@]}" -cp "$JAR" io.minnow.jmh.PerfReport "${REPORT_ARGS[@]}" 2> >(grep -v 'incubator' >&2)
echo "== report: $OUT/perf.md" >&2
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "run-all.sh: failed suites: ${FAILED[*]}" >&2
  exit 1
fi
