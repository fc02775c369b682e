#!/usr/bin/env bash
# dist/ is what runners execute: it must be exactly what src/ builds to. Rebuilds into a temp dir
# and compares byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx ncc build src/index.ts -o "$tmp" --source-map --no-source-map-register --license licenses.txt >/dev/null
if ! diff -r dist "$tmp" >/dev/null; then
  echo "dist/ does not match src/: run 'npm run build' and commit dist/." >&2
  diff -rq dist "$tmp" >&2 || true
  exit 1
fi
echo "dist/ matches src/."
