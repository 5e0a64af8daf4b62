#!/usr/bin/env bash
# Make a boot disk for U-Boot: a DOS partition table with one FAT
# partition holding the kernel image, the initrd and boot.scr, which
# U-Boot's distro boot finds and runs:
#   fatload virtio 0:1 ${kernel_addr_r} strata.img
#   fatload virtio 0:1 ${ramdisk_addr_r} initrd.cpio
#   booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}
# Usage: scripts/uboot-disk.sh build/strata.img OUT.img [BOOTARGS [INITRD]]
set -eu
image=$1 out=$2 args=${3:-} initrd=${4:-}
# U-Boot's script takes the line in single quotes, literally: any quotes of
# the line's own reach the kernel as typed. A single quote cannot be inside.
case $args in
*\'*)
	echo "uboot-disk: the command line cannot hold a single quote (U-Boot's script quotes it with them): $args" >&2
	exit 1
	;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$initrd" ]; then
	cat >"$tmp/boot.cmd" <<CMD
setenv bootargs '$args'
fatload virtio 0:1 \${kernel_addr_r} strata.img
fatload virtio 0:1 \${ramdisk_addr_r} initrd.cpio
booti \${kernel_addr_r} \${ramdisk_addr_r}:\${filesize} \${fdtcontroladdr}
CMD
else
	cat >"$tmp/boot.cmd" <<CMD
setenv bootargs '$args'
fatload virtio 0:1 \${kernel_addr_r} strata.img
booti \${kernel_addr_r} - \${fdtcontroladdr}
CMD
fi
mkimage -A riscv -O linux -T script -C none -n "Strata boot" -d "$tmp/boot.cmd" "$tmp/boot.scr" >/dev/null

size_mb=32
rm -f "$out"
truncate -s ${size_mb}M "$out"
echo 'start=2048, type=c, bootable' | sfdisk -q "$out"
mkfs.vfat --offset 2048 -n STRATA "$out" $(((size_mb * 1024) - 1024)) >/dev/null
mcopy -i "$out@@1M" "$image" ::strata.img
mcopy -i "$out@@1M" "$tmp/boot.scr" ::boot.scr
if [ -n "$initrd" ]; then
	mcopy -i "$out@@1M" "$initrd" ::initrd.cpio
fi
