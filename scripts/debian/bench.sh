#!/usr/bin/env bash
# Times src/installer/deb.ts against dpkg-deb | tar on a real qemu-user .deb: see
# scripts/debian/bench-extract.ts for what is compared. Usage: scripts/debian/bench.sh [DEB] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=${1:-/var/cache/cross-arch-e2e/debian/qemu-user_1%3a10.0.13+ds-0+deb13u1_amd64.deb}
rounds=${2:-5}
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# Compiled with the project's TypeScript, so that no timed run pays for a TypeScript loader.
npx tsc --outDir "$build" --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node scripts/debian/bench-extract.ts
node "$build/scripts/debian/bench-extract.js" bench "$deb" --rounds "$rounds"
