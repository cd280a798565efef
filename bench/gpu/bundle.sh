#!/usr/bin/env bash
# Builds the bundle that travels to a GPU machine with no Java, no Maven and no network: a jlinked
# JRE, rnnlab built with TensorFlow's GPU natives (its jars, test classes and the JUnit console),
# the CUDA 12.5 / cuDNN 9.3 libraries from the rnnlab cache, and Tiny Shakespeare — one tar.xz
# split into parts small enough for one transfer each, with a SHA256SUMS manifest. Runs here (a
# machine with Java 17, Maven and the network); bench/gpu/unpack.sh and run.sh run there.
# bench/gpu/README.md says how the parts travel.
#
#   bench/gpu/bundle.sh                       into .gpu-bundle/ (git-ignored), 56 MiB parts
#   bench/gpu/bundle.sh --wheels DIR          take the CUDA wheels from DIR instead of PyPI
#
# Options:
#   --out DIR        where the parts go (default .gpu-bundle); emptied first
#   --part-mib N     part size in MiB (default 56: a transfer carries 64 MiB with the working tree,
#                    which is about 6 MiB here)
#   --wheels DIR     passed to `rnnlab setup gpu` (wheels already downloaded, checked by sha256)
#   --build-dir DIR  Maven output for the GPU build (default target-gpu; target/ is not touched)
#   --xz-threads N   xz -T (default 0 = one per core)
# Environment: RNNLAB_CACHE (where the CUDA libraries are fetched, as for rnnlab itself),
#   RNNLAB_DATA (Tiny Shakespeare; default ../shared/data/tinyshakespeare.txt, else the cache).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

out=.gpu-bundle part_mib=56 wheels="" build=target-gpu xz_threads=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --part-mib) part_mib="$2"; shift 2 ;;
    --wheels) wheels="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --xz-threads) xz_threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench/gpu/bundle.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
junit_console=org.junit.platform:junit-platform-console-standalone:1.10.2
cache="${RNNLAB_CACHE:-$HOME/.cache/rnnlab}"
say() { echo "bundle: $*" >&2; }

say "building rnnlab with the GPU natives into $build (mvn -Pgpu package, test classes too)"
mvn -q -B -Dstyle.color=never -Pgpu -DskipTests -Dbuild.dir="$build" package
mkdir -p "$build/test-lib"
rm -f "$build"/test-lib/*.jar
mvn -q -B -Dstyle.color=never -Pgpu -Dbuild.dir="$build" dependency:copy -Dartifact="$junit_console" \
  -DoutputDirectory="$build/test-lib"
mvn -q -B -Dstyle.color=never -Pgpu -Dbuild.dir="$build" dependency:copy-dependencies -DincludeScope=test \
  -DincludeGroupIds=org.assertj,net.bytebuddy -DoutputDirectory="$build/test-lib"
ls "$build"/lib/tensorflow-core-native-*-linux-x86_64-gpu.jar >/dev/null

say "CUDA libraries into $cache (rnnlab setup gpu --download)"
java -cp "$build/rnnlab.jar:$build/lib/*" io.rnnlab.cli.Main setup gpu --download ${wheels:+--wheels "$wheels"} >&2
[[ -f "$cache/cuda-12.5/manifest.json" ]]

stage="$build/bundle-stage"
rm -rf "$stage"
mkdir -p "$stage/rnnlab/lib" "$stage/cache" "$stage/data"

say "a JRE (jlink)"
jlink --add-modules java.base,java.desktop,java.management,java.net.http,java.sql,jdk.unsupported,java.logging,java.naming,java.scripting \
  --strip-debug --compress=2 --no-header-files --no-man-pages --output "$stage/jre"

say "rnnlab's jars, test classes and the JUnit console"
cp "$build/rnnlab.jar" "$stage/rnnlab/"
for j in "$build"/lib/*.jar; do
  case "$j" in
    *-linux-x86_64-gpu.jar)
      # Stored, not deflated, so that xz compresses the 1.25 GB of natives rather than deflate's output.
      python3 - "$j" "$stage/rnnlab/lib/$(basename "$j")" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        with src.open(info) as f:
            info.compress_type = zipfile.ZIP_STORED
            dst.writestr(info, f.read())
PY
      ;;
    *) cp "$j" "$stage/rnnlab/lib/" ;;
  esac
done
cp -r "$build/test-classes" "$stage/rnnlab/test-classes"
cp -r "$build/test-lib" "$stage/rnnlab/test-lib"
# The test classes that need a GPU (they skip without one): run.sh runs these there.
grep -rl 'gpuAvailable()' src/test/java | grep 'Test\.java$' \
  | sed -e 's|^src/test/java/||' -e 's|\.java$||' -e 's|/|.|g' | sort >"$stage/gpu-tests.txt"
say "GPU tests: $(tr '\n' ' ' <"$stage/gpu-tests.txt")"

say "CUDA libraries and Tiny Shakespeare"
cp -r "$cache/cuda-12.5" "$stage/cache/cuda-12.5"
data="${RNNLAB_DATA:-}"
[[ -z "$data" && -f ../shared/data/tinyshakespeare.txt ]] && data=../shared/data/tinyshakespeare.txt
[[ -z "$data" && -f "$cache/tiny-shakespeare.txt" ]] && data="$cache/tiny-shakespeare.txt"
if [[ -n "$data" ]]; then cp "$data" "$stage/data/tinyshakespeare.txt"; else say "no Tiny Shakespeare here: run.sh skips the end-to-end training"; fi

{
  echo "rnnlab GPU bundle"
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (with uncommitted changes)')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
  echo "contents (MB): $(du -sm "$stage"/* | awk '{printf "%s %s, ", $2, $1}' | sed "s|$stage/||g")"
} >"$stage/BUNDLE.txt"
cat "$stage/BUNDLE.txt" >&2

say "packing (tar | xz -9 -T$xz_threads | split -b ${part_mib}M): the slow part, 20-30 minutes on 2 cores"
rm -rf "$out"
mkdir -p "$out"
# Large, similar files next to each other: xz's 64 MiB window sees them together.
tar -C "$stage" -cf - BUNDLE.txt gpu-tests.txt jre rnnlab data cache \
  | xz -9 -T"$xz_threads" -c \
  | split -b "${part_mib}M" -d -a 2 - "$out/rnnlab-gpu.tar.xz.part-"
cp "$stage/BUNDLE.txt" "$out/"
(cd "$out" && sha256sum rnnlab-gpu.tar.xz.part-* >SHA256SUMS)

parts=$(ls "$out"/rnnlab-gpu.tar.xz.part-* | wc -l)
total=$(du -cb "$out"/rnnlab-gpu.tar.xz.part-* | tail -1 | cut -f1)
tree=$(git ls-files -z | xargs -0 stat -c %s | awk '{s += $1} END {printf "%.1f", s / 1048576}')
say "$parts parts, $(awk -v t="$total" 'BEGIN {printf "%.0f MiB", t / 1048576}') in all, in $out/ (+ SHA256SUMS, BUNDLE.txt)"
say "the tracked working tree is $tree MiB: each transfer carries one part ($part_mib MiB at most) beside it"
echo "$out"
