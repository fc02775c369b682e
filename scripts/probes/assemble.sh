#!/usr/bin/env bash
# Rebuild the machine code of the emulation probes from src/verifier/probe/asm/<cpu>.S with
# Debian's cross binutils and print one line per cpu: "<cpu> <hex of .text>".
# __tests__/e2e/probe.test.ts compares these bytes with src/verifier/probe/code.ts.
#
# Usage: scripts/probes/assemble.sh [--disassemble] [cpu...]
#   --disassemble  also print objdump -d of each object (to audit the comments in code.ts)
# Needs: binutils-{aarch64-linux-gnu,arm-linux-gnueabihf,powerpc64le-linux-gnu,s390x-linux-gnu,
#        riscv64-linux-gnu,i686-linux-gnu,x86-64-linux-gnu,mips64el-linux-gnuabi64}
#        (mips64 is assembled big-endian by the mips64el assembler; loongarch64 has no probe:
#        Debian bookworm has no LoongArch binutils)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
asm_dir=$(cd "$here/../../src/verifier/probe/asm" && pwd)

disassemble=false
if [[ ${1:-} == --disassemble ]]; then
  disassemble=true
  shift
fi

all_cpus=(aarch64 arm ppc64le s390x riscv64 i386 x86_64 mips64el mips64)
cpus=("$@")
[[ ${#cpus[@]} -gt 0 ]] || cpus=("${all_cpus[@]}")

# cpu -> "<binutils prefix> <as flags>"
toolchain() {
  case $1 in
    aarch64) echo 'aarch64-linux-gnu' ;;
    arm) echo 'arm-linux-gnueabihf -march=armv7-a' ;;
    ppc64le) echo 'powerpc64le-linux-gnu -a64 -mlittle' ;;
    s390x) echo 's390x-linux-gnu -m64' ;;
    riscv64) echo 'riscv64-linux-gnu -march=rv64gc -mabi=lp64d' ;;
    i386) echo 'i686-linux-gnu --32' ;;
    x86_64) echo 'x86_64-linux-gnu --64' ;;
    mips64el) echo 'mips64el-linux-gnuabi64 -EL -mabi=64 -march=mips64r2' ;;
    mips64) echo 'mips64el-linux-gnuabi64 -EB -mabi=64 -march=mips64r2' ;;
    *) return 1 ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for cpu in "${cpus[@]}"; do
  if ! tc=$(toolchain "$cpu"); then
    echo "assemble.sh: no probe source for cpu '$cpu' (known: ${all_cpus[*]})" >&2
    exit 2
  fi
  read -r prefix flags <<<"$tc"
  for tool in as objcopy; do
    if ! command -v "$prefix-$tool" >/dev/null; then
      echo "assemble.sh: $prefix-$tool not found (install Debian's binutils-${prefix//_/-})" >&2
      exit 3
    fi
  done
  # shellcheck disable=SC2086 # $flags is a word list
  "$prefix-as" --no-pad-sections $flags -I "$asm_dir" -o "$work/$cpu.o" "$asm_dir/$cpu.S"
  "$prefix-objcopy" -O binary -j .text "$work/$cpu.o" "$work/$cpu.bin"
  printf '%s %s\n' "$cpu" "$(od -An -v -tx1 "$work/$cpu.bin" | tr -d ' \n')"
  if $disassemble; then
    "$prefix-objdump" -d "$work/$cpu.o" | sed -n '/<_start>:/,$p'
  fi
done
