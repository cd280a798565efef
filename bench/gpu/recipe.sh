#!/usr/bin/env bash
# The seed recipe on the GPU machine: shakespeare-2x512 (Embedding 256, 2 x LSTM 512, Dropout 0.2,
# seq 100, step 3, 90/10 random split, batch 64, 20 epochs) trained end to end with --device gpu.
# A device call lasts at most 10 minutes and the run takes longer, so `start` launches it in its
# own session (it outlives the call while the machine stays warm) and `status` reports on it; once
# it has finished, `status` copies its log, history and metrics to $OUT.
#
#   bench/gpu/recipe.sh start [--epochs N] [--bundle DIR] [-- TRAIN_FLAGS…]   (e.g. -- --xla)
#   bench/gpu/recipe.sh status [--wait SECONDS]   (waits for the end, at most SECONDS)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
verb="${1:-}"
shift || true
epochs=20 bundle=/tmp/rnnlab-gpu run=/tmp/rnnlab-recipe flags=() wait=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --) shift; flags=("$@"); break ;;
    --epochs) epochs="$2"; shift 2 ;;
    --bundle) bundle="$2"; shift 2 ;;
    --wait) wait="$2"; shift 2 ;;
    *) echo "bench/gpu/recipe.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

case "$verb" in
  start)
    bash bench/gpu/unpack.sh "$root/.gpu-bundle" "$bundle"
    if [[ -d "$bundle/cache/cuda-12.5/lib" ]]; then
      libs="$bundle/cache/cuda-12.5/lib" cache="$bundle/cache"
    else
      libs="$bundle/cuda/lib" cache="$bundle/empty-cache"
    fi
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [[ -d "$d" ]] && libs="$libs:$d"; done
    rm -rf "$run" "$run.log" "$run.rc"
    # setsid: a process group of its own, so the call's end does not take it down.
    RNNLAB_CACHE="$cache" LD_LIBRARY_PATH="$libs" TF_CPP_MIN_LOG_LEVEL=2 setsid nohup bash -c '
      start=$(date +%s)
      "$0" -Xmx16g -jar "$1/rnnlab/rnnlab.jar" train --preset shakespeare-2x512 --epochs "$2" --device gpu \
        --data "$1/data/tinyshakespeare.txt" --out "$3" --sample-length 300 --prompt "ROMEO: " "${@:4}" >"$3.log" 2>&1
      rc=$?
      echo "wall seconds: $(( $(date +%s) - start ))" >>"$3.log"
      echo "$rc" >"$3.rc"' "$bundle/jre/bin/java" "$bundle" "$epochs" "$run" "${flags[@]}" </dev/null >/dev/null 2>&1 &
    sleep 20
    echo "recipe: started ($epochs epochs) into $run"
    tail -n 5 "$run.log"
    ;;
  status)
    for ((i = 0; i < wait; i += 5)); do [[ -f "$run.rc" ]] && break; sleep 5; done # --wait: until the end, at most
    if [[ ! -f "$run.log" ]]; then
      echo "recipe: not started"
      exit 2
    fi
    grep -E '^(Epoch|  [0-9]+s - |estimate|GPU|CUDA)' "$run.log" | tail -n 8 || true
    grep -E '^  step ' "$run.log" | tail -n 1 || true
    # The history so far travels back on every call: the device budget may end before the run does.
    if [[ -n "${OUT:-}" ]]; then
      grep -v -E '^(I0000|  step )' "$run.log" >"$OUT/recipe.log" || true
      cp "$run/history.csv" "$run/metrics.csv" "$run/train.json" "$OUT/" 2>/dev/null || true
    fi
    if [[ -f "$run.rc" ]]; then
      echo "recipe: finished, exit $(<"$run.rc")"
      tail -n 25 "$run.log"
    else
      echo "recipe: running"
    fi
    ;;
  *) echo "usage: bench/gpu/recipe.sh start|status [--epochs N] [--wait SECONDS] [--bundle DIR] [-- TRAIN_FLAGS…]" >&2; exit 2 ;;
esac
