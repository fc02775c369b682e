# Probe for qemu-mips64: the mips64el program, assembled big-endian (-EB) by assemble.sh.
	.include "mips64el.S"
