#!/bin/sh
# /register: registrar for the e2e bench, same command line as multiarch/qemu-user-static:
#   /register [--reset] [-p|--persistent yes|no] [-c|--credential yes|no]
#             [-g|--preserve-argv0 yes|no] [--qemu-path DIR] [--qemu-suffix SUFFIX]
# scripts/e2e/setup.sh fills in @MODE@ ("register", or "noop": prints the usual lines, registers
# nothing) and the @TABLE@ line: `<cpu> <family> <magic> <mask>` lines from src/catalogue.ts
# (test-support/catalogue-table.ts).
MODE=@MODE@
QEMU_BIN_DIR=${QEMU_BIN_DIR:-/usr/bin}
QEMU_SUFFIX=-static

if [ ! -d /proc/sys/fs/binfmt_misc ]; then
  echo "No binfmt support in the kernel."
  echo "  Try: '/sbin/modprobe binfmt_misc' from the host"
  exit 1
fi
if [ "$MODE" = register ] && [ ! -f /proc/sys/fs/binfmt_misc/register ]; then
  mount binfmt_misc -t binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ "$1" = "--reset" ]; then
  shift
  if [ "$MODE" = register ]; then
    for f in /proc/sys/fs/binfmt_misc/qemu-*; do
      [ -f "$f" ] && echo -1 >"$f"
    done
  fi
fi

usage() {
  echo "Usage: /register [--reset] [-p|--persistent yes|no] [-c|--credential yes|no]" >&2
  echo "                 [-g|--preserve-argv0 yes|no] [--qemu-path DIR] [--qemu-suffix SUFFIX]" >&2
}
yesno() {
  case "$2" in
    yes | no) ;;
    *)
      echo "$1 expects yes or no, got '$2'" >&2
      usage
      exit 1
      ;;
  esac
}
PERSISTENT=no
CREDENTIAL=no
PRESERVE_ARG0=no
while [ $# -gt 0 ]; do
  opt=$1
  case "$opt" in
    -p | --persistent | -c | --credential | -g | --preserve-argv0 | -Q | --qemu-path | -S | --qemu-suffix)
      if [ $# -lt 2 ]; then
        echo "option $opt needs a value" >&2
        usage
        exit 1
      fi
      ;;
  esac
  case "$opt" in
    -p | --persistent) yesno "$opt" "$2" && PERSISTENT=$2 ;;
    -c | --credential) yesno "$opt" "$2" && CREDENTIAL=$2 ;;
    -g | --preserve-argv0) yesno "$opt" "$2" && PRESERVE_ARG0=$2 ;;
    -Q | --qemu-path) QEMU_BIN_DIR=$2 ;;
    -S | --qemu-suffix) QEMU_SUFFIX=$2 ;;
    -h | --help)
      usage
      exit 1
      ;;
    *)
      echo "unknown option: $opt" >&2
      usage
      exit 1
      ;;
  esac
  shift 2
done

case "$(uname -m)" in
  x86_64 | i386 | i486 | i586 | i686) host_family=i386 ;;
  aarch64 | armv*) host_family=arm ;;
  ppc64le) host_family=ppcle ;;
  s390x) host_family=s390x ;;
  riscv64) host_family=riscv64 ;;
  mips*) host_family=mips ;;
  loongarch64) host_family=loongarch ;;
  *) host_family=unknown ;;
esac

flags=
[ "$CREDENTIAL" = yes ] && flags=OC
[ "$PERSISTENT" = yes ] && flags="${flags}F"
[ "$PRESERVE_ARG0" = yes ] && flags="${flags}P"

status=0
while read -r cpu family magic mask; do
  [ -n "$cpu" ] || continue
  [ "$family" = "$host_family" ] && continue
  qemu="$QEMU_BIN_DIR/qemu-$cpu$QEMU_SUFFIX"
  if [ "$MODE" = register ]; then
    [ -x "$qemu" ] || continue
    echo "Setting $qemu as binfmt interpreter for $cpu"
    # busybox echo leaves the \xHH text alone; a failed write prints "sh: write error: ..."
    echo ":qemu-$cpu:M::$magic:$mask:$qemu:$flags" >/proc/sys/fs/binfmt_misc/register
    status=$?
  else
    echo "Setting $qemu as binfmt interpreter for $cpu"
  fi
done <<'TABLE'
@TABLE@
TABLE
exit $status
