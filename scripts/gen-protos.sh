#!/usr/bin/env bash
# Regenerates every piece of generated code from Protos/: protoc-c C sources, the descriptor set,
# the C registry of descriptors, and (when the generator is built) the Swift messages and stubs.
# Usage: scripts/gen-protos.sh [OUT_ROOT]   (OUT_ROOT defaults to the repository; the staleness
# test generates into a temporary root and compares).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here}
cd "$here"

mapfile -t protos < <(cd Protos && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

cdir="$out/Sources/ContonProtosC"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc-c --c_out="$tmp" -IProtos "${protos[@]}"
rm -rf "$cdir/include/conton" "$cdir/include/google" "$cdir/conton" "$cdir/google"
mkdir -p "$cdir/include"
(cd "$tmp" && find . -name '*.pb-c.h' | while read -r h; do mkdir -p "$cdir/include/$(dirname "$h")"; cp "$h" "$cdir/include/$h"; done)
(cd "$tmp" && find . -name '*.pb-c.c' | while read -r c; do mkdir -p "$cdir/$(dirname "$c")"; cp "$c" "$cdir/$c"; done)

protoc --descriptor_set_out="$tmp/descriptors.pb" --include_imports --include_source_info=false -IProtos "${protos[@]}"
python3 scripts/gen_registry.py "$tmp/descriptors.pb" "$cdir" "${protos[@]}"
mkdir -p "$out/Protos/descriptors"
cp "$tmp/descriptors.pb" "$out/Protos/descriptors/conton.pb"

# The Python reference client's _pb2 modules.
bash "$here/clients/python/gen_pb2.sh" "$out/clients/python/conton_client/gen" >/dev/null

# Swift messages and service stubs, by this repository's generator.
# The generator binary: $CONTON_PROTOGEN, else the newer of .build/debug and .build-proto/debug.
if [ -n "${CONTON_PROTOGEN:-}" ]; then
  gen=$CONTON_PROTOGEN
  [ -x "$gen" ] || { echo "error: CONTON_PROTOGEN=$gen is not an executable" >&2; exit 1; }
else
  gen="$here/.build/debug/conton-protogen"
  alt="$here/.build-proto/debug/conton-protogen"
  if [ -x "$alt" ] && { [ ! -x "$gen" ] || [ "$alt" -nt "$gen" ]; }; then gen=$alt; fi
fi
if [ -x "$gen" ]; then
  # The permission table of docs/SECURITY.md is generated too (into OUT_ROOT's copy).
  if [ "$out" != "$here" ]; then mkdir -p "$out/docs" && cp "$here/docs/SECURITY.md" "$out/docs/SECURITY.md"; fi
  "$gen" --descriptor-set "$tmp/descriptors.pb" --out "$out/Sources/ContonAPI/Generated" --security-doc "$out/docs/SECURITY.md"
else
  echo "note: $gen not built; Swift messages not regenerated (run 'make protos')" >&2
fi
