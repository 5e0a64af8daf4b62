#!/usr/bin/env bash
# Strata's allocator against glibc's, instruction for instruction, on the
# interpreter-like mix of user/c/mallocbench/mix.c. Both are static Linux
# programs built from the same sources with the same glibc (its snprintf,
# memset, ...), so only the allocator differs: one links glibc's malloc,
# the other lib/alloc through lib/libc/malloc.c (tests/bench/allocmix).
# qemu-riscv64 runs each one instruction per block and logs every block it
# executes (-singlestep -d exec,nochain): the log's lines are the user
# instructions (system calls run on the host and are not counted). Two
# runs of different lengths give the instructions per round without the
# program's start-up and end.
set -eu
cd "$(dirname "$0")/.."
cc=riscv64-linux-gnu-gcc
if ! command -v "$cc" >/dev/null || ! command -v qemu-riscv64 >/dev/null ||
	[ ! -e /usr/riscv64-linux-gnu/lib/libc.a ]; then
	echo "glibc comparison: skipped (scripts/deps.sh bench installs its packages)"
	exit 0
fi
out=build/linux
mkdir -p "$out"
flags="-O2 -static -I. -Wall -Wextra -Werror"
src="tests/bench/allocmix/main.c user/c/mallocbench/mix.c"
$cc $flags -o $out/allocmix-glibc $src
$cc $flags -o $out/allocmix-strata $src tests/bench/allocmix/strata_glue.c lib/libc/malloc.c \
	lib/alloc/alloc.c

count() { # PROGRAM ROUNDS
	timeout 600 qemu-riscv64 -singlestep -d exec,nochain -D /dev/stdout "$1" "$2" | grep -c '^Trace'
}
per_round() { # PROGRAM
	local a b
	a=$(count "$1" 1000)
	b=$(count "$1" 2000)
	echo $(((b - a) / 1000))
}
g=$(per_round $out/allocmix-glibc)
s=$(per_round $out/allocmix-strata)
echo "interpreter-like mix on Linux, glibc 2.36's allocator: $g instructions per round"
echo "interpreter-like mix on Linux, Strata's allocator: $s instructions per round"
r=$(awk -v s="$s" -v g="$g" 'BEGIN { printf "%.2f", s / g }')
echo "Strata's allocator / glibc's on that mix: $r"
