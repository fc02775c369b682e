#!/bin/sh
# Build the binfmt stand-in: a static binary, so it runs in a FROM scratch image.
#   build.sh OUTPUT [REVISION]
# CC overrides the compiler (default gcc). Needs libc6-dev for the static libc.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTPUT [REVISION]" >&2
	exit 2
fi
out=$1
rev=${2:-standin}
case $rev in
*[!A-Za-z0-9._-]*) echo "$0: REVISION may only hold A-Z a-z 0-9 . _ -" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
${CC:-gcc} -static -O2 -Wall -Wextra -Werror \
	-DSTANDIN_REVISION="\"$rev\"" \
	-o "$out" "$here/binfmt.c"
