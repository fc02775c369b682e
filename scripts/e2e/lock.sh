# Sourced by run.sh and bench.sh. binfmt_misc and the bench's daemons are global to the machine: one user at a time. The lock is
# the directory /tmp/cross-arch-e2e.lock holding the owner's pid, the convention shared with the
# tests (helpers/env.ts) and scripts/bench/bench.mjs; a lock whose owner is gone is stale. The
# whole run holds it, setup to teardown; the tests see E2E_LOCK_HELD and do not take it again.
LOCK=/tmp/cross-arch-e2e.lock
LOCK_TAG=${LOCK_TAG:-e2e}
LOCK_HELD=0
acquire_lock() {
  local waited=0 holder
  until mkdir "$LOCK" 2>/dev/null; do
    holder=$(cat "$LOCK/pid" 2>/dev/null || true)
    if [[ "$holder" =~ ^[0-9]+$ ]] && ! kill -0 "$holder" 2>/dev/null; then
      echo "[$LOCK_TAG] removing stale $LOCK (pid $holder is gone)" >&2
      rm -rf "$LOCK"
      continue
    fi
    [ "$waited" = 0 ] && echo "[$LOCK_TAG] $LOCK is held by pid ${holder:-?}; waiting (at most 1 h)" >&2
    waited=$((waited + 1))
    if [ "$waited" -gt 3600 ]; then
      echo "[$LOCK_TAG] $LOCK still held after 1 h; giving up" >&2
      exit 1
    fi
    sleep 1 # poll interval
  done
  echo $$ >"$LOCK/pid"
  LOCK_HELD=1
  export E2E_LOCK_HELD=$$
}
release_lock() {
  if [ "$LOCK_HELD" = 1 ] && [ "$(cat "$LOCK/pid" 2>/dev/null)" = "$$" ]; then rm -rf "$LOCK"; fi
}
