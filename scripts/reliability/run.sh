#!/usr/bin/env bash
# The reliability suite alone (kills, signals, locks, unwritable and full disks, bad input, fuzz):
# what docs/RELIABILITY.md describes. About 3 minutes on 2 cores. The whole suite (CI) runs these too.
#   scripts/reliability/run.sh                  every reliability test
#   scripts/reliability/run.sh BadInputTest     one class (or any -Dtest pattern)
set -euo pipefail
cd "$(dirname "$0")/../.."
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
pattern=${1:-'io.rnnlab.reliability.*Test'}
exec mvn -q -o -Dbuild.dir="${BUILD_DIR:-target-rel}" test -Dtest="$pattern" -Dsurefire.failIfNoSpecifiedTests=false
