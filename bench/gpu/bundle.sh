#!/usr/bin/env bash
# Builds the bundle that travels to a GPU machine with no Java, no Maven and no network, as two
# tar.xz archives split into parts small enough for one transfer each, with a SHA256SUMS manifest:
#   runtime  a jlinked JRE, TensorFlow's GPU natives and the CUDA 12.5 / cuDNN 9.3 libraries: large
#            (most of the transfers) and the same for every commit, so it is sent once per machine;
#   app      rnnlab built with the GPU natives (its jars, test classes, the JUnit console) and Tiny
#            Shakespeare: one small part, sent again after every code change.
# Runs here (a machine with Java 17, Maven and the network); bench/gpu/unpack.sh and run.sh run
# there. bench/gpu/README.md says how the parts travel.
#
#   bench/gpu/bundle.sh                       into .gpu-bundle/ (git-ignored), 56 MiB parts
#   bench/gpu/bundle.sh --wheels DIR          take the CUDA wheels from DIR instead of PyPI
#   bench/gpu/bundle.sh --app-only            rebuild the app archive only (after a code change)
#
# --slim (a benchmark's bundle, not an install): the runtime carries only the CUDA libraries that
# rnnlab's graphs call (cudart, cuBLAS/cuBLASLt, cuDNN's shim, graph, ops, adv, cnn and heuristic
# sub-libraries) and empty stand-ins with the sonames of cuFFT, cuSOLVER and cuSPARSE, which TF only
# dlopens at start-up to register the GPU and resolves function by function when an op calls them
# (none of rnnlab's does); the real ones and cuDNN's engine libraries go into a third archive,
# `extra`, sent only if a run asks for them. About 40 % fewer transfers.
#
# Options:
#   --out DIR        where the parts go (default .gpu-bundle); emptied first
#   --part-mib N     part size in MiB (default 56: a transfer carries 64 MiB with the working tree,
#                    which is about 6 MiB here)
#   --wheels DIR     passed to `rnnlab setup gpu` (wheels already downloaded, checked by sha256)
#   --build-dir DIR  Maven output for the GPU build (default target-gpu; target/ is not touched)
#   --xz-threads N   xz -T (default 0 = one per core)
#   --xz-level N     xz preset (default 9; 3 packs the runtime ~3x faster into ~20 % more parts)
#   --slim           see above
#   --no-extra       with --slim: do not pack the extra archive (a benchmark that never needs it)
#   --app-only       keep the runtime (and extra) parts in --out, rebuild the app archive
# Environment: RNNLAB_CACHE (where the CUDA libraries are fetched, as for rnnlab itself),
#   RNNLAB_DATA (Tiny Shakespeare; default ../shared/data/tinyshakespeare.txt, else the cache).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

out=.gpu-bundle part_mib=56 wheels="" build=target-gpu xz_threads=0 xz_level=9 slim=0 no_extra=0 app_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --part-mib) part_mib="$2"; shift 2 ;;
    --wheels) wheels="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --xz-threads) xz_threads="$2"; shift 2 ;;
    --xz-level) xz_level="$2"; shift 2 ;;
    --slim) slim=1; shift ;;
    --no-extra) no_extra=1; shift ;;
    --app-only) app_only=1; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
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
mkdir -p "$stage"/{runtime,app,extra}/rnnlab/lib "$stage/app/data"
runtime="$stage/runtime" app="$stage/app" extra="$stage/extra"

say "rnnlab's jars, test classes and the JUnit console"
cp "$build/rnnlab.jar" "$app/rnnlab/"
for j in "$build"/lib/*.jar; do
  case "$j" in
    *-linux-x86_64-gpu.jar)
      # Stored, not deflated, so that xz compresses the 1.25 GB of natives rather than deflate's output.
      python3 - "$j" "$runtime/rnnlab/lib/$(basename "$j")" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        with src.open(info) as f:
            info.compress_type = zipfile.ZIP_STORED
            dst.writestr(info, f.read())
PY
      ;;
    *) cp "$j" "$app/rnnlab/lib/" ;;
  esac
done
cp -r "$build/test-classes" "$app/rnnlab/test-classes"
cp -r "$build/test-lib" "$app/rnnlab/test-lib"
# The test classes that need a GPU (they skip without one): run.sh runs these there.
grep -rl 'gpuAvailable()' src/test/java | grep 'Test\.java$' \
  | sed -e 's|^src/test/java/||' -e 's|\.java$||' -e 's|/|.|g' | sort >"$app/gpu-tests.txt"
say "GPU tests: $(tr '\n' ' ' <"$app/gpu-tests.txt")"
data="${RNNLAB_DATA:-}"
[[ -z "$data" && -f ../shared/data/tinyshakespeare.txt ]] && data=../shared/data/tinyshakespeare.txt
[[ -z "$data" && -f "$cache/tiny-shakespeare.txt" ]] && data="$cache/tiny-shakespeare.txt"
if [[ -n "$data" ]]; then cp "$data" "$app/data/tinyshakespeare.txt"; else say "no Tiny Shakespeare here: run.sh skips the end-to-end training"; fi
{
  echo "rnnlab GPU bundle (app)"
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (with uncommitted changes)')"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
} >"$app/BUNDLE.txt"

if (( ! app_only )); then
  say "a JRE (jlink)"
  jlink --add-modules java.base,java.desktop,java.management,java.net.http,java.sql,jdk.unsupported,java.logging,java.naming,java.scripting \
    --strip-debug --compress=2 --no-header-files --no-man-pages --output "$runtime/jre"
  say "CUDA libraries$( ((slim)) && echo ' (slim: stand-ins for cuFFT, cuSOLVER, cuSPARSE)')"
  if (( slim )); then
    mkdir -p "$runtime/cuda/lib" "$extra/cuda/lib"
    for f in "$cache"/cuda-12.5/lib/*; do
      case "$(basename "$f")" in
        libcudart.so.*|libcublas.so.*|libcublasLt.so.*|libcudnn.so.*|libcudnn_graph.so.*|libcudnn_ops.so.*|libcudnn_adv.so.*|libcudnn_cnn.so.*|libcudnn_heuristic.so.*)
          cp "$f" "$runtime/cuda/lib/" ;;
        *) cp "$f" "$extra/cuda/lib/" ;;
      esac
    done
    for soname in libcufft.so.11 libcusolver.so.11 libcusparse.so.12; do
      echo "/* an empty stand-in: TF dlopens $soname at start-up and resolves its functions when called */" >"$stage/stub.c"
      gcc -shared -fPIC -Wl,-soname,"$soname" -o "$runtime/cuda/lib/$soname" "$stage/stub.c"
    done
    echo "slim: $(ls "$runtime/cuda/lib" | tr '\n' ' ')" >"$runtime/cuda/SLIM.txt"
  else
    mkdir -p "$runtime/cache"
    cp -r "$cache/cuda-12.5" "$runtime/cache/cuda-12.5"
  fi
  echo "rnnlab GPU bundle (runtime): $(du -sm "$runtime"/* | awk '{printf "%s %s MB, ", $2, $1}' | sed "s|$runtime/||g")" >"$runtime/RUNTIME.txt"
  cat "$runtime/RUNTIME.txt" >&2
fi

# pack NAME DIR: tar | xz -LEVEL | split into NAME.tar.xz.part-NN in $out, checksums into SHA256SUMS.
pack() {
  local name="$1" dir="$2"
  rm -f "$out/$name".tar.xz.part-*
  # Large, similar files next to each other: xz's 64 MiB window sees them together.
  tar -C "$dir" -cf - . | xz -"$xz_level" -T"$xz_threads" -c | split -b "${part_mib}M" -d -a 2 - "$out/$name.tar.xz.part-"
}
mkdir -p "$out"
if (( app_only )); then
  ls "$out"/runtime.tar.xz.part-* >/dev/null 2>&1 || { say "--app-only: no runtime parts in $out; build them first"; exit 2; }
else
  rm -f "$out"/*
  say "packing the runtime (tar | xz -$xz_level -T$xz_threads | split -b ${part_mib}M): the slow part, 15-30 minutes on 2 cores"
  pack runtime "$runtime"
  if (( slim && ! no_extra )); then say "packing the extra libraries"; pack extra "$extra"; fi
fi
say "packing the app"
pack app "$app"
cp "$app/BUNDLE.txt" "$out/"
(cd "$out" && sha256sum *.tar.xz.part-* >SHA256SUMS)

for name in runtime extra app; do
  ls "$out/$name".tar.xz.part-* >/dev/null 2>&1 || continue
  parts=$(ls "$out/$name".tar.xz.part-* | wc -l)
  total=$(du -cb "$out/$name".tar.xz.part-* | tail -1 | cut -f1)
  say "$name: $parts part(s), $(awk -v t="$total" 'BEGIN {printf "%.0f MiB", t / 1048576}')"
done
tree=$(git ls-files -z | xargs -0 stat -c %s | awk '{s += $1} END {printf "%.1f", s / 1048576}')
say "the tracked working tree is $tree MiB: each transfer carries one part ($part_mib MiB at most) beside it"
echo "$out"
