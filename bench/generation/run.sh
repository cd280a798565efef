#!/usr/bin/env bash
# Generation benchmark: chars/s window vs stateful, batch 64, per-call cost breakdown, RSS over
# 100,000 characters. Prints Markdown (paste it under "Generation" in docs/BENCHMARKS.md) and keeps
# a copy in bench/generation/last-run.md.
#   bench/generation/run.sh          full run (~3-5 minutes on 2 cores)
#   bench/generation/run.sh 0.05     quick smoke run with 5% of the work
# On a shared machine, BENCH_NICE="nice -n -10" gives the benchmark a larger share of the CPU.
#   bench/generation/run.sh --quality RUN_DIR CORPUS
#                                    stateful vs window cross-entropy by position for a trained model
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-target-bench}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
mvn -q -o -Dbuild.dir="$BUILD_DIR" test-compile
mvn -q -o -Dbuild.dir="$BUILD_DIR" dependency:build-classpath -Dmdep.outputFile="$BUILD_DIR/bench.classpath" >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench.classpath")"
if [ "${1:-}" = "--quality" ]; then
  exec java -Xmx1g -cp "$CP" io.rnnlab.bench.GenerationQuality "$2" "$3"
fi
${BENCH_NICE:-} java -Xmx1g -cp "$CP" io.rnnlab.bench.GenerationBench "${1:-1.0}" | tee bench/generation/last-run.md
