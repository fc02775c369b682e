#!/usr/bin/env bash
# End-to-end run: setup, the e2e jest project (arguments are passed to jest), teardown whatever
# happens. Exits with jest's exit code, or 1 if the host's binfmt_misc state after the run is not
# what it was before (it is then restored, and the difference printed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BINFMT=/proc/sys/fs/binfmt_misc
cd "$ROOT"

[ "$(id -u)" = 0 ] || {
  echo "[e2e] run as root: the bench starts dockerd and changes binfmt_misc" >&2
  exit 1
}

binfmt_mounted() { awk -v d="$BINFMT" '$2 == d && $3 == "binfmt_misc" {f=1} END {exit !f}' /proc/mounts; }

# snapshot FILE: mounted or not, the sorted listing, and each entry's full text.
snapshot() {
  local out=$1 f
  {
    if binfmt_mounted; then echo "mounted: yes"; else echo "mounted: no"; fi
    if binfmt_mounted; then
      while IFS= read -r f; do
        echo "== $f"
        [ "$f" = register ] || cat "$BINFMT/$f"
      done < <(find "$BINFMT" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort)
    fi
  } >"$out"
}

# entry_names SNAPSHOT: the handler entries in a snapshot (not register/status).
entry_names() { sed -n 's/^== //p' "$1" | grep -vxE 'register|status' || true; }
# entry_text SNAPSHOT NAME
entry_text() { awk -v n="== $2" '$0 == n {on=1; next} /^== / {on=0} on' "$1"; }

# register_line NAME TEXT: the register line that recreates an entry from its /proc text.
register_line() {
  local name=$1 text=$2 interp flags offset magic mask ext
  interp=$(sed -n 's/^interpreter //p' <<<"$text")
  flags=$(sed -n 's/^flags: *//p' <<<"$text")
  ext=$(sed -n 's/^extension \.//p' <<<"$text")
  if [ -n "$ext" ]; then
    printf ':%s:E::%s::%s:%s' "$name" "$ext" "$interp" "$flags"
    return
  fi
  offset=$(sed -n 's/^offset //p' <<<"$text")
  magic=$(sed -n 's/^magic //p' <<<"$text" | sed 's/../\\x&/g')
  mask=$(sed -n 's/^mask //p' <<<"$text" | sed 's/../\\x&/g')
  printf ':%s:M:%s:%s:%s:%s:%s' "$name" "$offset" "$magic" "$mask" "$interp" "$flags"
}

# restore SNAPSHOT: put binfmt_misc back as the snapshot says. Never writes to status.
restore() {
  local snap=$1 now name text
  now=$(mktemp)
  if ! binfmt_mounted; then mount -t binfmt_misc binfmt_misc "$BINFMT"; fi
  snapshot "$now"
  for name in $(entry_names "$now"); do
    if [ "$(entry_text "$now" "$name")" != "$(entry_text "$snap" "$name")" ]; then
      echo -1 >"$BINFMT/$name"
    fi
  done
  for name in $(entry_names "$snap"); do
    [ -e "$BINFMT/$name" ] && continue
    text=$(entry_text "$snap" "$name")
    register_line "$name" "$text" >"$BINFMT/register"
    head -n1 <<<"$text" | grep -qx disabled && echo 0 >"$BINFMT/$name"
  done
  if grep -qx 'mounted: no' "$snap"; then umount "$BINFMT"; fi
  rm -f "$now"
}

# shellcheck source=scripts/e2e/lock.sh
source "$ROOT/scripts/e2e/lock.sh"
acquire_lock

SNAP_DIR=$(mktemp -d)
snapshot "$SNAP_DIR/before"
RC=1

finish() {
  set +e
  bash "$ROOT/scripts/e2e/teardown.sh"
  snapshot "$SNAP_DIR/after"
  if ! cmp -s "$SNAP_DIR/before" "$SNAP_DIR/after"; then
    {
      echo
      echo "[e2e] !!! the host's binfmt_misc state changed during the run (before -> after):"
      diff -u "$SNAP_DIR/before" "$SNAP_DIR/after" | sed 's/^/[e2e]   /'
      echo "[e2e] !!! restoring it"
    } >&2
    restore "$SNAP_DIR/before"
    snapshot "$SNAP_DIR/restored"
    if cmp -s "$SNAP_DIR/before" "$SNAP_DIR/restored"; then
      echo "[e2e] binfmt_misc restored" >&2
    else
      echo "[e2e] !!! could not restore binfmt_misc:" >&2
      diff -u "$SNAP_DIR/before" "$SNAP_DIR/restored" | sed 's/^/[e2e]   /' >&2
    fi
    RC=1
  fi
  rm -rf "$SNAP_DIR"
  release_lock
  exit "$RC"
}
trap finish EXIT
trap 'exit 130' INT TERM

bash "$ROOT/scripts/e2e/setup.sh"
[ -f "$ROOT/dist/index.js" ] || echo "[e2e] warning: dist/index.js is missing; run npm run build" >&2

set +e
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects e2e --runInBand "$@"
RC=$?
set -e
