#!/bin/bash
# Tests the binfmt stand-in directly on this host (no Docker).
#
# Part 1 runs against a fake "mount" directory (plain files: status, register,
# entries), so it checks the exact register line, flag forms, JSON, uninstall
# and the safety check without touching the kernel.
#
# Part 2 needs root and uses the real /proc/sys/fs/binfmt_misc, which is global
# to the machine: it holds the shared lock /tmp/cross-arch-e2e.lock, registers
# only foreign CPUs (aarch64, riscv64; s390x is attempted without an emulator
# and must fail), with copies of /bin/true as "emulators" (with the F flag the
# kernel opens the interpreter at registration only; nothing foreign is run),
# and removes exactly the entries it added, also on failure.  It never writes
# to status and never unmounts a binfmt_misc it found mounted.
#
# Usage: test.sh            (as root; needs gcc, libc6-dev, jq, strace)
# shellcheck disable=SC2016,SC2034 # the checks are eval'd strings: they expand (and use) variables when they run
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BM=/proc/sys/fs/binfmt_misc
LOCK=/tmp/cross-arch-e2e.lock
OURS=(qemu-aarch64 qemu-riscv64 qemu-s390x) # the only kernel entries this test may create

work=$(mktemp -d /tmp/binfmt-standin-test.XXXXXX)
have_lock=0
mounted_bm=0
declare -A before=()
pass=0
fail=0

cleanup() {
	local n
	if [ "$have_lock" = 1 ]; then
		for n in "${OURS[@]}"; do
			if [ -e "$BM/$n" ] && [ -z "${before[$n]:-}" ]; then
				printf '%s' -1 >"$BM/$n" && echo "cleanup: removed $n"
			fi
		done
		if [ "$mounted_bm" = 1 ]; then
			umount "$BM" && echo "cleanup: unmounted $BM again (it was not mounted at start)"
		fi
		rm -rf "$LOCK"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { pass=$((pass + 1)); printf 'ok   - %s\n' "$1"; }
nok() {
	fail=$((fail + 1))
	printf 'FAIL - %s\n' "$1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/       | /'
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d" "$(printf 'stdout:\n%s\nstderr:\n%s' "$(cat "$work/out")" "$(cat "$work/err")")"; fi
}
# run ARGS...: runs the binary with the current environment; sets rc, out and err files.
run() {
	"$work/binfmt" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}
err_has() { grep -qxF -- "$1" "$work/err"; }
out_empty() { [ ! -s "$work/out" ]; }
rc_is() { [ "$rc" = "$1" ]; }
json() { jq -e "$@" "$work/out" >/dev/null 2>&1; }

# \xHH text -> lower-case hex, as the kernel shows magic/mask in an entry file.
to_hex() {
	local s=$1 out='' i=0 c
	while [ "$i" -lt "${#s}" ]; do
		c=${s:$i:1}
		if [ "$c" = "\\" ] && [ "${s:$((i + 1)):1}" = x ]; then
			out+=${s:$((i + 2)):2}
			i=$((i + 4))
		else
			out+=$(printf '%02x' "'$c")
			i=$((i + 1))
		fi
	done
	printf '%s' "${out,,}"
}

for tool in gcc jq strace; do
	command -v "$tool" >/dev/null || { echo "test.sh: needs $tool (apt-get install $tool)" >&2; exit 2; }
done

echo "# build"
if "$here/build.sh" "$work/binfmt" && file "$work/binfmt" | grep -q 'statically linked'; then
	ok "build.sh builds a statically linked binary"
else
	nok "build.sh builds a statically linked binary"
	exit 1
fi

# Magic/mask as QEMU's qemu-binfmt-conf.sh has them (also the project's catalogue).
# Written with printf '%s' only: these must stay backslash text, never bytes.
AARCH64_MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
RISCV64_MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
LE64_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
S390X_MAGIC='\x7fELF\x02\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x16'
S390X_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff'
ARM_MAGIC='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00'
# Only ever in the fake table (part 1): this one matches x86_64 executables.
X86_64_MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00'
X86_64_MASK='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'

# The kernel table: foreign CPUs only.
{
	printf '%s\n' '# platform cpu magic mask (test table: foreign CPUs only)'
	printf '%s %s %s %s\n' arm64 aarch64 "$AARCH64_MAGIC" "$LE64_MASK"
	printf '%s %s %s %s\n' riscv64 riscv64 "$RISCV64_MAGIC" "$LE64_MASK"
	printf '%s %s %s %s\n' s390x s390x "$S390X_MAGIC" "$S390X_MASK"
} >"$work/kernel.table"

# The fake table adds arm, an amd64 line (for the safety check) and two bad lines.
{
	cat "$work/kernel.table"
	printf '%s %s %s %s\n' arm arm "$ARM_MAGIC" "$LE64_MASK"
	printf '%s %s %s %s\n' amd64 x86_64 "$X86_64_MAGIC" "$X86_64_MASK"
	printf '%s\n' 'three-fields-only aarch64 \x7fELF'
	printf '%s\n' 'ppc64le ppc64le \x7fELF \xff\xff'
} >"$work/fake.table"

mkdir "$work/emu" "$work/fake"
for n in qemu-aarch64 qemu-riscv64 qemu-arm qemu-x86_64; do cp /bin/true "$work/emu/$n"; done # no qemu-s390x
export QEMU_BINARY_PATH="$work/emu"
unset QEMU_BINARY_PREFIX QEMU_PRESERVE_ARGV0 QEMU_VERSION BINFMT_STANDIN_ALLOW_NATIVE

echo "# part 1: fake mount directory $work/fake"
export BINFMT_TABLE="$work/fake.table"
F=$work/fake
reset_fake() { rm -rf "$F" && mkdir "$F" && : >"$F/status" && : >"$F/register"; }
register_is() { [ "$(cat "$F/register")" = "$1" ] && [ "$(wc -c <"$F/register")" = "${#1}" ]; }

run --version
check "--version: rc 0, stdout empty" eval 'rc_is 0 && out_empty'
check "--version: 'binfmt/standin qemu/unknown go/none' on stderr" err_has 'binfmt/standin qemu/unknown go/none'
QEMU_VERSION=8.2.2 run -version
check "-version: qemu version from \$QEMU_VERSION" err_has 'binfmt/standin qemu/8.2.2 go/none'

want_arm64=":qemu-aarch64:M:0:$AARCH64_MAGIC:$LE64_MASK:$work/emu/qemu-aarch64:CF"
for form in "--install arm64" "--install=arm64" "-install linux/arm64" "-install=aarch64"; do
	reset_fake
	# shellcheck disable=SC2086 # split the flag form on purpose
	run --mount "$F" $form
	check "'$form': writes exactly the register line, logs OK, rc 0" \
		eval 'rc_is 0 && register_is "$want_arm64" && err_has "installing: arm64 OK"'
done
reset_fake
QEMU_PRESERVE_ARGV0=1 run -mount="$F" --install arm64
check "QEMU_PRESERVE_ARGV0=1: flags CFP" register_is "${want_arm64%:CF}:CFP"
reset_fake
QEMU_BINARY_PREFIX=x- run --mount "$F" --install arm64
check "QEMU_BINARY_PREFIX=x-: entry and binary x-qemu-aarch64" \
	register_is ":x-qemu-aarch64:M:0:$AARCH64_MAGIC:$LE64_MASK:$work/emu/x-qemu-aarch64:CF"
reset_fake
QEMU_BINARY_PREFIX=a/b run --mount "$F" --install arm64
check "QEMU_BINARY_PREFIX with '/': refused, rc 0" eval 'rc_is 0 && [ ! -s "$F/register" ] &&
	err_has "installing: arm64 binary prefix must not contain path separator (Hint: set \$QEMU_BINARY_PATH to specify the directory)"'
reset_fake
run --mount "$F" --install 'sparc64x,linux/mips64le'
check "unknown platforms: 'unsupported architecture', rc 0, nothing written" eval 'rc_is 0 && [ ! -s "$F/register" ] &&
	err_has "installing: sparc64x unsupported architecture: sparc64x" &&
	err_has "installing: mips64le unsupported architecture: mips64le"'
check "malformed table lines are reported and skipped" eval 'grep -q "^error: $work/fake.table:7: want " "$work/err" &&
	grep -q "^error: $work/fake.table:8: magic and mask must be" "$work/err" && ! json ".supported | index(\"linux/ppc64le\")"'
reset_fake
run --mount "$F" --install amd64,linux
check "safety: amd64 (and bare 'linux' = host arch) refused on an x86_64 host, rc 0" eval 'rc_is 0 && [ ! -s "$F/register" ] &&
	[ "$(grep -c "^installing: amd64 refusing to register qemu-x86_64: its magic matches this host" "$work/err")" = 2 ]'
reset_fake
run --mount "$F" --bogus
check "unknown flag: Go flag error and usage, rc 2" eval 'rc_is 2 && err_has "flag provided but not defined: -bogus"'

reset_fake
printf '%s\n' enabled 'interpreter /x' >"$F/qemu-aarch64"
printf '%s\n' disabled >"$F/qemu-arm"
printf '%s\n' enabled >"$F/other-riscv64"
run --mount "$F"
check "no flags: JSON status, rc 0" eval 'rc_is 0 && json .'
check "JSON: emulators = entries starting with 'enabled', sorted" json '.emulators == ["other-riscv64","qemu-aarch64"]'
check "JSON: supported = host first, then table platforms with an emulator file, in buildkit order" \
	json '.supported == ["linux/amd64","linux/arm64","linux/riscv64","linux/arm/v7","linux/arm/v6"]'
check "JSON: two-space indentation like json.MarshalIndent" eval '[ "$(sed -n 2p "$work/out")" = "  \"supported\": [" ] &&
	[ "$(sed -n 3p "$work/out")" = "    \"linux/amd64\"," ]'
run --mount "$F" --uninstall 'linux/arm64,arm,riscv64,nothing'
check "uninstall: platform names map to the cpu and match by '-<name>' suffix" eval 'rc_is 0 &&
	err_has "uninstalling: aarch64 OK" && err_has "uninstalling: arm OK" && err_has "uninstalling: riscv64 OK" &&
	err_has "uninstalling: nothing not found" &&
	[ "$(cat "$F/qemu-aarch64")" = -1 ] && [ "$(cat "$F/qemu-arm")" = -1 ] && [ "$(cat "$F/other-riscv64")" = -1 ]'
check "status file never written" eval '[ ! -s "$F/status" ]'
rm -f "$F/qemu-aarch64" "$F/qemu-arm" "$F/other-riscv64"
printf '%s\n' enabled 'interpreter /elsewhere/qemu-aarch64-static' 'flags: OCF' 'offset 0' \
	"magic $(to_hex "$AARCH64_MAGIC")" "mask $(to_hex "$LE64_MASK")" >"$F/aarch64-by-someone-else"
printf '%s\n' disabled 'interpreter /x' 'flags: OCF' 'offset 0' \
	"magic $(to_hex "$RISCV64_MAGIC")" "mask $(to_hex "$LE64_MASK")" >"$F/riscv64-disabled"
run --mount "$F" --install all
check "--install all: table platforms with an emulator file, minus the host's own and those an enabled handler covers" \
	eval 'rc_is 0 && [ "$(grep "^installing:" "$work/err" | sort | tr "\n" " ")" = "installing: arm OK installing: riscv64 OK " ]'
rm -f "$F/aarch64-by-someone-else" "$F/riscv64-disabled"
run --mount "$F"
check "JSON: no entries -> \"emulators\": null (a nil Go slice)" json '.emulators == null'
run --mount "$work/does-not-exist"
check "mount failure: logged, no JSON, rc 0" eval 'rc_is 0 && out_empty &&
	err_has "error: cannot mount binfmt_misc filesystem at $work/does-not-exist: no such file or directory"'

echo "# part 2: the kernel's binfmt_misc ($BM)"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP part 2: needs root"
	echo "# $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
fi
export BINFMT_TABLE="$work/kernel.table"
# Belt and braces: the kernel table must hold foreign CPUs only.
if [ "$(grep -v '^#' "$BINFMT_TABLE" | cut -d' ' -f1 | tr '\n' ' ')" != "arm64 riscv64 s390x " ]; then
	nok "kernel table holds only arm64 riscv64 s390x"
	exit 1
fi

until mkdir "$LOCK" 2>/dev/null; do
	holder=$(cat "$LOCK/pid" 2>/dev/null || true)
	if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
		echo "removing stale lock of pid $holder"
		rm -rf "$LOCK"
		continue
	fi
	echo "waiting for $LOCK (held by ${holder:-?})"
	sleep 2
done
have_lock=1
echo $$ >"$LOCK/pid"

if grep -q "^[^ ]* $BM binfmt_misc " /proc/mounts; then
	echo "SKIP mount-and-unmount test: $BM is mounted (testing it needs binfmt_misc unmounted at start)"
else
	mkdir "$work/mnt"
	run --mount "$work/mnt"
	check "unmounted at start: mounts binfmt_misc on --mount, prints JSON, unmounts again, rc 0" \
		eval 'rc_is 0 && json .supported && ! grep -q " $work/mnt " /proc/mounts'
	mount -t binfmt_misc binfmt_misc "$BM" && mounted_bm=1 # for the tests below; undone in cleanup
fi

for p in "$BM"/*; do before[${p##*/}]=1; done
# shellcheck disable=SC2012 # for display only
echo "entries before: $(ls "$BM" | tr '\n' ' ')"
for n in "${OURS[@]}"; do
	if [ -n "${before[$n]:-}" ]; then
		nok "$BM/$n already exists (someone else's); not touching binfmt_misc"
		echo "# $pass passed, $fail failed"
		exit 1
	fi
done
status_before=$(cat "$BM/status")

strace -f -qq -s 2000 -e trace=openat,open,write -o "$work/trace" \
	"$work/binfmt" --install arm64,riscv64 >"$work/out" 2>"$work/err"
rc=$?
check "--install arm64,riscv64: OK for both, rc 0" eval 'rc_is 0 && err_has "installing: arm64 OK" && err_has "installing: riscv64 OK"'
check "registers exactly qemu-aarch64 and qemu-riscv64" eval '[ "$(comm -13 <(printf "%s\n" "${!before[@]}" | sort) <(ls "$BM" | sort) | tr "\n" " ")" = "qemu-aarch64 qemu-riscv64 " ]'
for pair in "aarch64:$AARCH64_MAGIC" "riscv64:$RISCV64_MAGIC"; do
	cpu=${pair%%:*} magic=${pair#*:}
	want=$(printf '%s\n' enabled "interpreter $work/emu/qemu-$cpu" 'flags: OCF' 'offset 0' \
		"magic $(to_hex "$magic")" "mask $(to_hex "$LE64_MASK")")
	check "$BM/qemu-$cpu: interpreter, flags: OCF, magic and mask as in the table" \
		eval '[ "$(cat "$BM/qemu-$cpu")" = "$want" ]'
done
line=":qemu-aarch64:M:0:$AARCH64_MAGIC:$LE64_MASK:$work/emu/qemu-aarch64:CF"
check "each register line goes in ONE write(2), whole" eval '[ "$(grep -c "write([0-9]*, \":qemu-aarch64:" "$work/trace")" = 1 ] &&
	grep -qF "$(printf "%s" "$line" | sed "s/\\\\/\\\\\\\\/g")\", ${#line}) = ${#line}" "$work/trace"'
check "status is never opened for writing" eval '! grep -E "open(at)?\(.*/status\".*O_(WRONLY|RDWR)" "$work/trace"'
check "JSON lists the new entries and the platforms" eval 'json ".emulators | index(\"qemu-aarch64\") and index(\"qemu-riscv64\")" &&
	json ".supported[0] == \"linux/amd64\" and (.supported | index(\"linux/arm64\") and index(\"linux/riscv64\") and (index(\"linux/s390x\") | not))"'

run --install arm64
check "second --install arm64: 'already registered', rc 0" eval 'rc_is 0 && err_has "installing: arm64 qemu-aarch64 already registered"'
run --install all
check "--install all with both registered: nothing to do (s390x has no emulator file), rc 0" \
	eval 'rc_is 0 && ! grep -q "^installing:" "$work/err" && json .emulators'
run --install nosucharch
check "unsupported name: logged, rc 0" eval 'rc_is 0 && err_has "installing: nosucharch unsupported architecture: nosucharch"'
run --install s390x
check "missing emulator file: kernel says ENOENT, logged, no entry, rc 0" eval 'rc_is 0 && [ ! -e "$BM/qemu-s390x" ] &&
	err_has "installing: s390x cannot register \"$work/emu/qemu-s390x\" to $BM/register: write $BM/register: no such file or directory"'

run --uninstall qemu-aarch64
check "--uninstall qemu-aarch64: OK, entry gone" eval 'rc_is 0 && err_has "uninstalling: qemu-aarch64 OK" && [ ! -e "$BM/qemu-aarch64" ]'
run --uninstall riscv64
check "--uninstall riscv64: OK, entry gone" eval 'rc_is 0 && err_has "uninstalling: riscv64 OK" && [ ! -e "$BM/qemu-riscv64" ]'
run --uninstall riscv64
check "--uninstall riscv64 again: 'not found', rc 0" eval 'rc_is 0 && err_has "uninstalling: riscv64 not found"'

QEMU_PRESERVE_ARGV0=1 run --install linux/arm64
check "QEMU_PRESERVE_ARGV0=1: flags: POCF" eval 'rc_is 0 && grep -qx "flags: POCF" "$BM/qemu-aarch64"'
run --uninstall linux/arm64
check "--uninstall linux/arm64: OK, entry gone" eval 'rc_is 0 && err_has "uninstalling: aarch64 OK" && [ ! -e "$BM/qemu-aarch64" ]'

check "entries after = entries before" eval '[ "$(ls "$BM" | sort)" = "$(printf "%s\n" "${!before[@]}" | sort)" ]'
check "status unchanged ($status_before)" eval '[ "$(cat "$BM/status")" = "$status_before" ]'

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
