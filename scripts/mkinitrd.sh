#!/usr/bin/env bash
# Build an initrd: a cpio "newc" archive of user programs.
#   scripts/mkinitrd.sh OUT.cpio ROOT.elf [PROGRAM.elf ...]
# ROOT.elf becomes "root" (the program the kernel starts); every other
# program is stored under its base name without ".elf" (a program that is
# itself named root is left out: the name belongs to ROOT.elf). Debug
# information is stripped from the copies; build/user/*.elf keep it for gdb.
set -eu
out=$1 root=$2
shift 2
strip=${CROSS:-riscv64-unknown-elf-}strip
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$strip" --strip-debug -o "$dir/root" "$root"
for p in "$@"; do
	name=$(basename "$p" .elf)
	[ "$name" = root ] && continue
	"$strip" --strip-debug -o "$dir/$name" "$p"
done
(cd "$dir" && find . -type f | sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
