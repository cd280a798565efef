#!/usr/bin/env bash
# rnnlab and PyTorch side by side on a CUDA GPU, in one call on the GPU machine (no Java, Maven or
# network there: everything comes from the bundle, see bench/gpu/README.md). Unpacks the bundle if
# needed, then:
#   1. rnnlab setup gpu --check: the device report (GPU, compute capability, where each CUDA library
#      was loaded from);
#   2. the GPU tests (the test classes that skip without a GPU, listed in the bundle's gpu-tests.txt);
#   3. training throughput of bench/run's cases, rnnlab (KerasSideBySide, --device gpu) and PyTorch
#      (torch_lstm.py, cuDNN), one process per measurement, and a ratio table;
#   4. rnnlab train --preset shakespeare-lstm256 --device gpu for --train-steps steps, end to end.
#
#   bench/gpu/run.sh [--cases A,B] [--batches 64,256] [--warmup N] [--steps N] [--train-steps N]
#                    [--unrolled A,B] [--xla A,B] [--no-tests] [--no-bench] [--no-train] [--bundle DIR]
#
# --unrolled: cases also measured with rnnlab's unrolled graph on the GPU (default lstm256-all; ""
# for none), to show what the fused cuDNN path gains; --xla: cases also measured unrolled with TF's
# XLA JIT (global_jit_level ON_1), the other way to fewer kernels (default lstm256-all).
#
# Results: the table on stdout; the JSON lines and the table also in $OUT (when set) or /tmp.
# PyTorch brings its own CUDA and cuDNN: the CUDA 12 folder is on rnnlab's LD_LIBRARY_PATH only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

cases="lstm256-all,2x512,simplernn256,lstm256-last" unrolled="lstm256-all" xla="lstm256-all" batches=64 warmup=10 steps=50 train_steps=300
tests=1 bench=1 train=1 bundle=/tmp/rnnlab-gpu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --unrolled) unrolled="$2"; shift 2 ;;
    --xla) xla="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --train-steps) train_steps="$2"; shift 2 ;;
    --no-tests) tests=0; shift ;;
    --no-bench) bench=0; shift ;;
    --no-train) train=0; shift ;;
    --bundle) bundle="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/gpu/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
model_flags() { # bench/run's cases
  case "$1" in
    lstm256-last) echo "--cell lstm --units 256 --layers 1 --embedding 0 --dropout 0 --loss-on last" ;;
    lstm256-all) echo "--cell lstm --units 256 --layers 1 --embedding 0 --dropout 0 --loss-on all" ;;
    2x512) echo "--cell lstm --units 512 --layers 2 --embedding 256 --dropout 0.2 --loss-on last" ;;
    simplernn256) echo "--cell simple_rnn --units 256 --layers 1 --embedding 0 --dropout 0 --loss-on last" ;;
    *) echo "bench/gpu/run.sh: unknown case $1" >&2; exit 2 ;;
  esac
}
for c in ${cases//,/ }; do model_flags "$c" >/dev/null; done

bash bench/gpu/unpack.sh "$root/.gpu-bundle" "$bundle" # unpacks only what changed
results="${OUT:-/tmp}/gpu-bench.jsonl"
: >"$results"
java="$bundle/jre/bin/java"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
if [[ -d "$bundle/cache/cuda-12.5/lib" ]]; then # an rnnlab cache, as `rnnlab setup gpu` makes it
  export RNNLAB_CACHE="$bundle/cache"
  libs="$RNNLAB_CACHE/cuda-12.5/lib"
else # a --slim bundle's folder: found on the library path, as a system CUDA would be
  export RNNLAB_CACHE="$bundle/empty-cache"
  libs="$bundle/cuda/lib"
  echo "== slim bundle: $(cat "$bundle/cuda/SLIM.txt")"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/wsl/lib; do [[ -d "$d" ]] && libs="$libs:$d"; done
cp_main="$bundle/rnnlab/rnnlab.jar$(printf ':%s' "$bundle"/rnnlab/lib/*.jar)"
cp_test="$bundle/rnnlab/test-classes:$cp_main$(printf ':%s' "$bundle"/rnnlab/test-lib/*.jar)"
# TF's start-up notices in the GPU build (the launcher drops them too; see ../../rnnlab).
noise='^(WARNING: All log messages before absl|I0000 .*mlir_graph_optimization_pass|.*Unable to register cu(FFT|DNN|BLAS) factory|.*failed call to cuInit)'
on_gpu() { LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@" 2> >(grep -v -E "$noise" >&2); }
rnnlab() { on_gpu "$java" -Xmx16g -jar "$bundle/rnnlab/rnnlab.jar" "$@"; }

echo "== $(sed -n 2p "$bundle/BUNDLE.txt"); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
status=0
echo "== rnnlab setup gpu --check"
rnnlab setup gpu --check || status=1 # without a GPU the rest still runs: the tests say why they skip
if (( tests )); then
  echo "== GPU tests: $(grep 'Test$' "$bundle/gpu-tests.txt" | tr '\n' ' ')"
  selectors=()
  while read -r c; do [[ "$c" == *Test ]] && selectors+=(--select-class "$c"); done <"$bundle/gpu-tests.txt"
  on_gpu "$java" -Xmx16g -jar "$bundle"/rnnlab/test-lib/junit-platform-console-standalone-*.jar execute \
    --disable-banner --disable-ansi-colors --details=tree --class-path "$cp_test" "${selectors[@]}" || status=1
fi

measure() { # side (rnnlab | rnnlab-unrolled | rnnlab-xla | pytorch) case batch
  local side="$1" c="$2" b="$3" line
  # shellcheck disable=SC2046
  set -- $(model_flags "$c") --seq 100 --batch "$b" --vocab 65 --warmup "$warmup" --steps "$steps"
  if [[ "$side" == rnnlab* ]]; then
    local extra=(--recurrence auto)
    [[ "$side" == rnnlab-unrolled ]] && extra=(--recurrence unrolled)
    [[ "$side" == rnnlab-xla ]] && extra=(--recurrence unrolled --xla 1)
    line=$(on_gpu "$java" -Xmx16g -cp "$cp_test" io.rnnlab.bench.KerasSideBySide train --case "$c" "$@" \
      --intra 0 --inter 0 --device gpu "${extra[@]}" | tail -1) || true
    line="${line/\"side\": \"rnnlab\"/\"side\": \"$side\"}"
  else
    line=$(python3 bench/gpu/torch_lstm.py --case "$c" "$@" | tail -1) || true
  fi
  if [[ "$line" != "{"* ]]; then
    echo "run.sh: $side $c batch $b failed" >&2
    status=1
    return
  fi
  echo "$line" >>"$results"
  echo "   $side $c batch $b: $(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print("{:,.0f} chars/s, {:.2f} ms/step".format(d["train_chars_per_s"], d["step_ms"]))' "$line")"
}
if (( bench )); then
  echo "== training throughput, rnnlab and PyTorch (warm-up $warmup, $steps timed steps)"
  for b in ${batches//,/ }; do
    for c in ${cases//,/ }; do
      measure rnnlab "$c" "$b"
      [[ ",$unrolled," == *",$c,"* ]] && measure rnnlab-unrolled "$c" "$b"
      [[ ",$xla," == *",$c,"* ]] && measure rnnlab-xla "$c" "$b"
      measure pytorch "$c" "$b"
    done
  done
  python3 - "$results" <<'PY' | tee "${OUT:-/tmp}/gpu-bench.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r["case"], r.get("batch", 64)), {})[r["side"]] = r
num = lambda x, k, f: f.format(x[k]) if x else "-"
print("\n| case | batch | rnnlab chars/s | PyTorch chars/s | rnnlab / PyTorch | rnnlab ms/step | PyTorch ms/step "
      "| rnnlab path | rnnlab unrolled chars/s | unrolled + XLA chars/s |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (case, batch), s in by.items():
    r, t, u, x = s.get("rnnlab"), s.get("pytorch"), s.get("rnnlab-unrolled"), s.get("rnnlab-xla")
    ratio = "{:.2f}x".format(r["train_chars_per_s"] / t["train_chars_per_s"]) if r and t else "-"
    path = "{} on {}".format(r.get("recurrence", "?"), "GPU" if r.get("gpu") == "true" else "CPU") if r else "-"
    print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(case, batch, num(r, "train_chars_per_s", "{:,.0f}"),
          num(t, "train_chars_per_s", "{:,.0f}"), ratio, num(r, "step_ms", "{:.2f}"), num(t, "step_ms", "{:.2f}"),
          path, num(u, "train_chars_per_s", "{:,.0f}"), num(x, "train_chars_per_s", "{:,.0f}")))
t = next((r for r in rows if r["side"] == "pytorch"), None)
r = next((r for r in rows if r["side"] == "rnnlab"), None)
notes = (["PyTorch {} (cuDNN {}) on {}".format(t.get("torch"), t.get("cudnn"), t.get("device"))] if t else []) + (
    ["rnnlab: TF {} (TF Java 1.1.0), Java {}".format(r.get("tf"), r.get("java"))] if r else [])
print("\n" + "; ".join(notes))
PY
fi

if (( train )) && [[ -f "$bundle/data/tinyshakespeare.txt" ]]; then
  echo "== rnnlab train --preset shakespeare-lstm256 --device gpu --max-steps $train_steps"
  rm -rf /tmp/rnnlab-gpu-run
  rnnlab train --preset shakespeare-lstm256 --data "$bundle/data/tinyshakespeare.txt" --device gpu \
    --max-steps "$train_steps" --sample-length 200 --prompt "ROMEO: " --out /tmp/rnnlab-gpu-run \
    | grep -v -E '^  step [0-9]+/' || status=1
fi
exit "$status"
