#!/bin/sh
# Install the Debian packages Strata needs, if any are missing.
# As root: apt-get installs them. Otherwise: print the exact command and fail.
# `deps.sh bench` adds what make bench needs besides: a Linux cross compiler,
# glibc for riscv64 and qemu-user, to count glibc's allocator's instructions
# on the same workload as Strata's (scripts/glibc-alloc.sh).
set -eu

missing=""
need() { # need PACKAGE TEST...
	pkg=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		missing="$missing $pkg"
	fi
}
have() { command -v "$1"; }
file() { test -e "$1"; }
fuzzer_runtime() { ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a; }

need gcc-riscv64-unknown-elf have riscv64-unknown-elf-gcc
need binutils-riscv64-unknown-elf have riscv64-unknown-elf-objcopy
need picolibc-riscv64-unknown-elf file /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs
need qemu-system-misc have qemu-system-riscv64
need opensbi file /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
need u-boot-qemu file /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
need u-boot-tools have mkimage
need gdb-multiarch have gdb-multiarch
need clang have clang
need libclang-rt-14-dev fuzzer_runtime
need dosfstools have mkfs.vfat
need mtools have mcopy
need fdisk have sfdisk
need cpio have cpio
need e2fsprogs have mke2fs
need make have make
need device-tree-compiler have fdtput
if [ "${1:-}" = bench ]; then
	need gcc-riscv64-linux-gnu have riscv64-linux-gnu-gcc
	need libc6-dev-riscv64-cross file /usr/riscv64-linux-gnu/lib/libc.a
	need qemu-user have qemu-riscv64
fi

[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "deps: missing packages:$missing" >&2
	echo "deps: run:  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
