#!/usr/bin/env bash
# Soak: 100,000 training steps (rnnlab train, hello corpus, LSTM(32)), then 3,000,000 characters
# generated statefully and 1,000,000 in window mode through the Generator API, each phase in its own
# JVM, with the JVM's VmRSS read from /proc/<pid>/status every second. The Java heap is fixed and
# pre-touched (-Xms = -Xmx, AlwaysPreTouch), so after warm-up (JIT, metaspace) RSS moves with native
# memory: TensorFlow's tensors, results and sessions. Reports, per phase, whether RSS stays within
# +-5 % of its post-warm-up level, and its trend over the second half (least squares, MB per minute).
# Writes bench/soak/last-run.csv (every sample) and bench/soak/last-run.md (the summary; paste it
# into docs/RELIABILITY.md).
#   bench/soak/run.sh            full run (~3 minutes on 2 cores, plus the build)
#   bench/soak/run.sh 0.1        quick smoke run with 10 % of the work
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${1:-1.0}
BUILD_DIR=${BUILD_DIR:-target-soak}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
WARMUP_FRACTION=0.2 # first 20 % of a phase's samples: graph build, first checkpoints, JIT
TOLERANCE=0.05

mvn -q -o -Dbuild.dir="$BUILD_DIR" test-compile
mvn -q -o -Dbuild.dir="$BUILD_DIR" dependency:build-classpath -Dmdep.outputFile="$BUILD_DIR/soak.classpath" >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/soak.classpath")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv=bench/soak/last-run.csv
echo "phase,second,vmrss_kb,mark" > "$csv"

steps=$(python3 -c "print(max(100, int(100000 * $SCALE)))")
stateful=$(python3 -c "print(max(1000, int(3000000 * $SCALE)))")
window=$(python3 -c "print(max(1000, int(1000000 * $SCALE)))")

# Runs one SoakMain phase in the background and samples its RSS once a second until it exits.
phase() {
  local name=$1
  shift
  java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp "$CP" io.rnnlab.reliability.SoakMain "$@" > "$work/$name.log" 2> "$work/$name.err" &
  local pid=$! second=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    if [[ -n "$rss" ]]; then
      mark=$(grep -E '^(mark |Epoch )' "$work/$name.log" 2>/dev/null | tail -1 | sed 's/^mark [0-9.]* //' || true)
      echo "$name,$second,$rss,${mark//,/;}" >> "$csv"
    fi
    sleep 1
    second=$((second + 1))
  done
  if ! wait "$pid"; then
    echo "soak phase $name failed:" >&2
    tail -5 "$work/$name.err" >&2
    exit 1
  fi
}

phase train train "$work/run" "$steps"
phase generate-stateful generate "$work/run" "$stateful" stateful
phase generate-window generate "$work/run" "$window" window
rate() { grep '^mark ' "$work/$1.log" | tail -1; }

python3 - "$csv" "$WARMUP_FRACTION" "$TOLERANCE" "$steps" "$stateful" "$window" <<'EOF' | tee bench/soak/last-run.md
import csv, sys, datetime, platform, os
path, warm, tol = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
steps, stateful, window = sys.argv[4:7]
rows = list(csv.DictReader(open(path)))
phases = {}
for r in rows:
    phases.setdefault(r["phase"], []).append((int(r["second"]), int(r["vmrss_kb"]), r["mark"]))
work = {"train": f"{int(steps):,} training steps", "generate-stateful": f"{int(stateful):,} chars, stateful",
        "generate-window": f"{int(window):,} chars, window"}
print("## Soak\n")
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/soak/run.sh` "
      f"({os.cpu_count()} cores, {platform.machine()}); VmRSS of the phase's JVM, sampled every second. "
      f"Warm-up = first {warm:.0%} of a phase's samples; flat = every later sample within ±{tol:.0%} "
      f"of the first one after warm-up.\n")
print("| phase | work | seconds | warm-up ends at | RSS after warm-up | min / max after | last | change after warm-up | trend, second half | flat (±5 %) |")
print("|---|---|---|---|---|---|---|---|---|---|")
verdicts = []
for name, s in phases.items():
    k = max(1, int(len(s) * warm))
    ref = s[k][1] if k < len(s) else s[-1][1]
    after = [v for _, v, _ in s[k:]] or [s[-1][1]]
    flat = all(abs(v - ref) <= tol * ref for v in after)
    verdicts.append(flat)
    mb = lambda kb: f"{kb / 1024:.1f} MB"
    # Trend over the second half: by then only a leak still moves RSS.
    pts = [(t, v) for t, v, _ in s[len(s) // 2:]]
    if len(pts) > 1:
        mt = sum(t for t, _ in pts) / len(pts); mv = sum(v for _, v in pts) / len(pts)
        slope = sum((t - mt) * (v - mv) for t, v in pts) / max(1e-9, sum((t - mt) ** 2 for t, _ in pts))
        trend = f"{slope * 60 / 1024:+.2f} MB/min"
    else:
        trend = "n/a"
    print(f"| {name} | {work.get(name, '')} | {s[-1][0]} | {s[k][0] if k < len(s) else s[-1][0]} s | {mb(ref)} | "
          f"{mb(min(after))} / {mb(max(after))} | {mb(after[-1])} | {(after[-1] - ref) / ref:+.1%} | {trend} | "
          f"{'yes' if flat else '**no**'} |")
print()
print("RSS over time (every 10th second of each phase):\n")
print("| phase | second | VmRSS | milestone |")
print("|---|---|---|---|")
for name, s in phases.items():
    for sec, kb, mark in s:
        if sec % 10 == 0 or sec == s[-1][0]:
            print(f"| {name} | {sec} | {kb / 1024:.1f} MB | {mark.replace(';', ',')} |")
print()
print("Result: " + ("RSS flat in every phase." if all(verdicts) else "**RSS grew past ±5 % in a phase: look for a leak.**"))
EOF
echo
echo "train:             $(rate train)"
echo "generate-stateful: $(rate generate-stateful)"
echo "generate-window:   $(rate generate-window)"
