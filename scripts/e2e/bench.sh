#!/usr/bin/env bash
# npm run bench: sets up the end-to-end bench (scripts/e2e/setup.sh), runs the benchmark
# (scripts/bench/bench.mjs, which writes docs/benchmarks.md and puts binfmt_misc back as it found
# it), then stops what setup started (scripts/e2e/teardown.sh), whatever happens. As root.
# Arguments go to bench.mjs: --runs=N --seed-runs=N --warmup=N --out=FILE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

[ "$(id -u)" = 0 ] || {
  echo "[bench] run as root (sudo npm run bench): it starts dockerd and changes binfmt_misc" >&2
  exit 1
}
[ -f "$ROOT/dist/index.js" ] || {
  echo "[bench] dist/index.js is missing: run npm run build first" >&2
  exit 1
}

LOCK_TAG=bench
# shellcheck source=scripts/e2e/lock.sh
source "$ROOT/scripts/e2e/lock.sh"
acquire_lock # held from setup to teardown, so an e2e run cannot stop this bench's dockerd

RC=1
finish() {
  set +e
  bash "$ROOT/scripts/e2e/teardown.sh"
  release_lock
  exit "$RC"
}
trap finish EXIT
trap 'exit 130' INT TERM

bash "$ROOT/scripts/e2e/setup.sh"

set +e
node "$ROOT/scripts/bench/bench.mjs" "$@"
RC=$?
set -e
