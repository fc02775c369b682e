#!/usr/bin/env bash
# Stops the dockerd and registry that scripts/e2e/setup.sh started (recorded in the state dir),
# and nothing else: an engine or registry that was already running is left alone. Caches (the
# busybox .debs, the engine's data-root, the registry's storage) stay for the next run.
set -euo pipefail

STATE_DIR=${E2E_STATE_DIR:-/var/lib/cross-arch-e2e}

log() { printf '[teardown] %s\n' "$*"; }

# stop NAME EXECUTABLE: stop the process recorded in $STATE_DIR/NAME.started if it is still that
# executable (a recycled pid is not ours), SIGTERM first, SIGKILL after 30 s.
stop() {
  local name=$1 exe=$2 marker="$STATE_DIR/$1.started" pid
  if [ ! -f "$marker" ]; then
    log "$name: not started by setup; left alone"
    return 0
  fi
  pid=$(cat "$marker")
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "$name: recorded pid '$pid' is gone already"
    rm -f "$marker"
    return 0
  fi
  if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "$exe" ]; then
    log "$name: pid $pid is no longer $exe; left alone"
    rm -f "$marker"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25 # poll interval
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: pid $pid ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$marker"
  log "$name: stopped (pid $pid)"
}

stop dockerd "$(readlink -f "$(command -v dockerd || echo /usr/sbin/dockerd)")"
stop registry "$(readlink -f "$(command -v docker-registry || echo /usr/bin/docker-registry)")"
