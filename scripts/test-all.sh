#!/usr/bin/env bash
# Every test rnnlab has, on a fresh machine: Java (Maven: JUnit, also builds target/rnnlab.jar
# that the Python tests drive), then Python (python-compat/run-tests.sh makes its own venv with
# TensorFlow 2.18 from PyPI and runs pytest).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Tests that need Tiny Shakespeare read $RNNLAB_DATA, else ../shared/data/tinyshakespeare.txt.
if [[ -z "${RNNLAB_DATA:-}" && -f "$root/../shared/data/tinyshakespeare.txt" ]]; then
  export RNNLAB_DATA="$root/../shared/data/tinyshakespeare.txt"
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

echo "== Java tests (mvn package) =="
mvn -B -ntp -Dstyle.color=never package

echo "== Python tests (python-compat) =="
bash python-compat/run-tests.sh
