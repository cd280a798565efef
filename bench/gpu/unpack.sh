#!/usr/bin/env bash
# Reassembles the bundle that bench/gpu/bundle.sh split into parts, on the GPU machine: checks every
# part against SHA256SUMS (naming the missing or damaged ones, exit 2), then unpacks it into DEST
# through a temporary folder, so DEST is whole or absent. A second call with the same parts does
# nothing.
#
#   bench/gpu/unpack.sh [PARTS_DIR (default .gpu-bundle)] [DEST (default /tmp/rnnlab-gpu)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
parts="${1:-$root/.gpu-bundle}"
dest="${2:-/tmp/rnnlab-gpu}"
say() { echo "unpack: $*" >&2; }

sums="$parts/SHA256SUMS"
if [[ ! -f "$sums" ]]; then
  say "no $sums: send it with the first part (see bench/gpu/README.md)"
  exit 2
fi
stamp="$(sha256sum "$sums" | cut -d' ' -f1)"
if [[ -f "$dest/.unpacked" && "$(<"$dest/.unpacked")" == "$stamp" ]]; then
  say "$dest already holds this bundle"
  exit 0
fi
missing=() damaged=()
while read -r sum name; do
  if [[ ! -f "$parts/$name" ]]; then
    missing+=("$name")
  elif [[ "$(sha256sum "$parts/$name" | cut -d' ' -f1)" != "$sum" ]]; then
    damaged+=("$name")
  fi
done <"$sums"
if (( ${#missing[@]} + ${#damaged[@]} > 0 )); then
  (( ${#missing[@]} )) && say "missing: ${missing[*]}"
  (( ${#damaged[@]} )) && say "damaged (sha256 differs): ${damaged[*]}"
  say "send those parts again, then run this again"
  exit 2
fi

say "all $(wc -l <"$sums") parts check out; unpacking into $dest"
tmp="$dest.tmp-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
xz_decompress() {
  if command -v xz >/dev/null; then
    xz -d -T0 -c
  else # no xz there: Python's lzma reads the same stream
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer, 1 << 20)'
  fi
}
# The parts in SHA256SUMS order are the stream in order.
(cd "$parts" && cat $(cut -d' ' -f3- SHA256SUMS | tr -d '*')) | xz_decompress | tar -x -C "$tmp"
printf '%s\n' "$stamp" >"$tmp/.unpacked"
rm -rf "$dest"
mv "$tmp" "$dest"
say "done: $(du -sh "$dest" | cut -f1) in $dest; $(head -2 "$dest/BUNDLE.txt" | tail -1)"
