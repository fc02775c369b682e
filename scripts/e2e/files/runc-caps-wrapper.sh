#!/bin/bash
# runc wrapper for the e2e bench's dockerd (--add-runtime e2e-runc=... --default-runtime e2e-runc).
# These VMs' capability bounding set lacks CAP_SYS_RESOURCE, so runc fails `--privileged` with
# "unable to apply caps". This removes capabilities outside the bounding set from the OCI bundle's
# config.json, then execs runc with the same arguments. Installed by scripts/e2e/setup.sh.
set -euo pipefail
names=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID
  CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN
  CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT
  CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE
  CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL
  CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND
  CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE)
bundle=
prev=
for a in "$@"; do
  case "$prev" in --bundle | -b) bundle=$a ;; esac
  case "$a" in --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  drop=()
  for i in "${!names[@]}"; do
    if (((16#$bnd >> i) & 1)); then :; else drop+=("${names[$i]}"); fi
  done
  if [ ${#drop[@]} -gt 0 ]; then
    dropjson=$(printf '%s\n' "${drop[@]}" | /usr/bin/jq -R . | /usr/bin/jq -cs .)
    /usr/bin/jq --argjson drop "$dropjson" '
      if (.process.capabilities | type) == "object" then
        .process.capabilities |= with_entries(
          .value |= (if type == "array" then map(select(. as $c | $drop | index($c) | not)) else . end))
      else . end' "$bundle/config.json" >"$bundle/config.json.caps"
    mv "$bundle/config.json.caps" "$bundle/config.json"
  fi
fi
exec /usr/sbin/runc "$@"
