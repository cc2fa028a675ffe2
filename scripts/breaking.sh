#!/usr/bin/env bash
# buf breaking against main (WIRE_JSON): compare with main's API files, with protovalidate's
# .proto linked in as for the working tree (git-ignored, so absent from main's own files).
set -euo pipefail
cd "$(dirname "$0")/.."
git rev-parse -q --verify main:proto/relance >/dev/null || { echo "breaking: main has no API yet"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git archive main proto buf.yaml | tar -x -C "$tmp"
mkdir -p "$tmp/third_party"
ln -s "$(readlink -f third_party/protovalidate)" "$tmp/third_party/protovalidate"
node_modules/.bin/buf breaking --against "$tmp"
echo "breaking: no wire or JSON change against main"
