#!/usr/bin/env bash
# Build the disk image: a GPT made by sfdisk with three partitions,
#   1 "root"  32 MiB, Linux filesystem: ext2 (mke2fs -d) of a root tree
#             holding /bin (every program), /etc, /home and /tmp
#   2 "swap"  160 MiB, Linux swap (mkswap): mem pages out to it
#   3 "test"  32 MiB, Linux filesystem: ext2 of the same tree, for the tests
#             of the disk side of fs (user/fsdisktest, fsdiskbench), which
#             work on it directly while fs has "root" mounted
#   scripts/mkdisk.sh OUT.img ROOTFS_DIR [PROGRAM.elf ...]
# ROOTFS_DIR is made afresh. Labels and ids are fixed, so the tables are
# the same from build to build. Needs sfdisk (fdisk), mke2fs (e2fsprogs)
# and mkswap (util-linux); no root rights, no loop devices.
set -eu
out=$1 rootfs=$2
shift 2
strip=${CROSS:-riscv64-unknown-elf-}strip
root_start=2048 root_sectors=65536       # 1 MiB .. 33 MiB
swap_start=67584 swap_sectors=327680     # 33 MiB .. 193 MiB
test_start=395264 test_sectors=65536     # 193 MiB .. 225 MiB
total_sectors=462720                     # 226 MiB: room for the backup table (sparse)

rm -rf "$rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/home" "$rootfs/tmp"
for p in "$@"; do
	"$strip" --strip-debug -o "$rootfs/bin/$(basename "$p" .elf)" "$p"
done
printf 'strata\n' >"$rootfs/etc/hostname"
printf 'Welcome to Strata.\n' >"$rootfs/etc/motd"
seq 1 60000 >"$rootfs/etc/seq.txt" # read back by user/fsdisktest
chmod 1777 "$rootfs/tmp"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mke2fs -q -F -t ext2 -b 4096 -L root -U 53545241-5441-4000-8000-0000000000e2 \
	-E root_owner=0:0 -d "$rootfs" "$tmp/root.ext2" $((root_sectors / 2))k >/dev/null
mke2fs -q -F -t ext2 -b 4096 -L test -U 53545241-5441-4000-8000-0000000000e3 \
	-E root_owner=0:0 -d "$rootfs" "$tmp/test.ext2" $((test_sectors / 2))k >/dev/null
mkswap -q -L swap -U 53545241-5441-4000-8000-000000000005 "$tmp/swap.img" \
	$((swap_sectors / 2)) >/dev/null 2>&1 || {
	truncate -s $((swap_sectors * 512)) "$tmp/swap.img"
	mkswap -q -L swap -U 53545241-5441-4000-8000-000000000005 "$tmp/swap.img" >/dev/null
}
truncate -s $((total_sectors * 512)) "$tmp/disk.img"
sfdisk -q "$tmp/disk.img" <<EOT
label: gpt
label-id: 53545241-5441-4000-8000-0000000000d1
start=$root_start, size=$root_sectors, type=linux, name="root", uuid=53545241-5441-4000-8000-000000000001
start=$swap_start, size=$swap_sectors, type=swap, name="swap", uuid=53545241-5441-4000-8000-000000000002
start=$test_start, size=$test_sectors, type=linux, name="test", uuid=53545241-5441-4000-8000-000000000003
EOT
dd if="$tmp/root.ext2" of="$tmp/disk.img" bs=512 seek=$root_start conv=notrunc status=none
dd if="$tmp/swap.img" of="$tmp/disk.img" bs=512 seek=$swap_start conv=notrunc,sparse status=none
dd if="$tmp/test.ext2" of="$tmp/disk.img" bs=512 seek=$test_start conv=notrunc status=none
mv "$tmp/disk.img" "$out"
