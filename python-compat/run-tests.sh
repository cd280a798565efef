#!/usr/bin/env bash
# Runs the Python compatibility tests (Keras artifacts in saved_models/, rnnlab Java SavedModels
# read from Python) in python-compat/.venv, building that venv first when needed. Works from any
# directory (the tests find the repo from their own location); extra arguments go to pytest
# (e.g. -k keras3, -x).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$("$here/ensure-venv.sh")"
exec "$python" -m pytest -q "$here/tests" "$@"
