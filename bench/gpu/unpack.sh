#!/usr/bin/env bash
# Reassembles the bundle that bench/gpu/bundle.sh split into parts, on the GPU machine: for each
# archive (runtime, app, and extra when its parts were sent) checks every part against SHA256SUMS,
# naming the missing or damaged ones (exit 2), then unpacks it into DEST through a temporary folder,
# replacing what an earlier version of the same archive put there. An archive already unpacked with
# the same checksums is left alone, so after a code change only the app is unpacked again.
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
xz_decompress() {
  if command -v xz >/dev/null; then
    xz -d -T0 -c
  else # no xz there: Python's lzma reads the same stream
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer, 1 << 20)'
  fi
}

# check NAME: 0 if every part of archive NAME is here and intact; names what is not.
check() {
  local name="$1" sum file missing=() damaged=()
  while read -r sum file; do
    file="${file#\*}"
    if [[ ! -f "$parts/$file" ]]; then
      missing+=("$file")
    elif [[ "$(sha256sum "$parts/$file" | cut -d' ' -f1)" != "$sum" ]]; then
      damaged+=("$file")
    fi
  done < <(grep " \*\?$name\.tar\.xz\.part-" "$sums")
  (( ${#missing[@]} )) && say "missing: ${missing[*]}"
  (( ${#damaged[@]} )) && say "damaged (sha256 differs): ${damaged[*]}"
  (( ${#missing[@]} + ${#damaged[@]} == 0 ))
}

unpack() {
  local name="$1" stamp tmp
  stamp="$(grep " \*\?$name\.tar\.xz\.part-" "$sums" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$dest/.unpacked-$name" && "$(<"$dest/.unpacked-$name")" == "$stamp" ]]; then
    say "$name: already unpacked"
    return
  fi
  tmp="$dest/.new-$name"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # The parts in SHA256SUMS order are the stream in order.
  (cd "$parts" && cat $(grep " \*\?$name\.tar\.xz\.part-" SHA256SUMS | cut -d' ' -f3- | tr -d '*')) \
    | xz_decompress | tar -x -C "$tmp"
  if [[ -f "$dest/.files-$name" ]]; then # what the previous version of this archive put there
    (cd "$dest" && xargs -d '\n' rm -f <".files-$name")
  fi
  (cd "$tmp" && find . ! -type d) >"$dest/.files-$name"
  cp -a "$tmp/." "$dest/"
  rm -rf "$tmp"
  printf '%s\n' "$stamp" >"$dest/.unpacked-$name"
  say "$name: unpacked ($(grep -c " \*\?$name\.tar\.xz\.part-" "$sums") part(s))"
}

status=0
for name in runtime app; do
  check "$name" || status=2
done
# extra (a --slim bundle's real cuFFT/cuSOLVER/cuSPARSE and cuDNN engines) travels only when asked for.
extra=0
if grep -q " \*\?extra\.tar\.xz\.part-" "$sums" && ls "$parts"/extra.tar.xz.part-* >/dev/null 2>&1; then
  check extra && extra=1 || status=2
fi
if (( status )); then
  say "send those parts again, then run this again"
  exit 2
fi
mkdir -p "$dest"
unpack runtime
unpack app
if (( extra )); then unpack extra; fi
say "done: $(du -sh "$dest" | cut -f1) in $dest; $(sed -n 2p "$dest/BUNDLE.txt")"
