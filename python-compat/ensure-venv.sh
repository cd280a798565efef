#!/usr/bin/env bash
# Makes python-compat/.venv hold exactly requirements.txt, and prints the venv's python path.
# The venv remembers the sha256 of the requirements.txt it was built from; any change to that
# file (or a build that never finished) means a fresh venv, so a stale one is never tested.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
have="$(cat "$venv/requirements.sha256" 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  echo "python-compat: building $venv from requirements.txt (first run downloads ~1 GB)" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
    -r "$here/requirements.txt" >&2
  echo "$want" > "$venv/requirements.sha256"  # written last: only a finished install counts
fi
echo "$venv/bin/python"
