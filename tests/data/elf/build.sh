#!/bin/sh
# Rebuild the committed ELF fixtures (needs riscv64-unknown-elf-gcc). The
# binaries are committed so host tests do not need a cross compiler.
set -eu
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
for f in two_seg bss_only; do
	$CC -march=rv64imac_zicsr -mabi=lp64 -nostdlib -static -Wl,--build-id=none -s \
		$f.S -o $f.elf
done
