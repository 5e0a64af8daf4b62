# Sourced by bash scripts: qemu_args BOARD SMP MEM FILE [BOOTARGS] fills the
# array QEMU_ARGS with QEMU's arguments. INITRD (if set) is passed with
# -initrd (virt, sifive_u; U-Boot loads it from the boot disk instead).
# DISK (if set) is a raw disk image attached as a virtio-blk device (virt)
# or as the SD card in the HiFive's SPI slot (sifive_u: -drive if=sd);
# DISK_OPTS is appended to its -drive options (e.g. ",throttling.iops-total=100").
# QEMU 7.2's SD card model refuses an image whose size is not a power of two
# ("Invalid SD card size ... has to be a power of 2"), so on sifive_u DISK
# is padded with zeros (truncate) up to the next power of two: the 50 MiB
# disk of scripts/mkdisk.sh becomes 64 MiB, its GPT backup header stays at
# 50 MiB (blk reads the primary). The image file itself grows.
#   virt      QEMU virt, OpenSBI (-bios default), FILE = kernel ELF
#   sifive_u  HiFive Unleashed model; SMP counts S-mode harts (the E51 is added)
#   uboot     QEMU virt, OpenSBI -> U-Boot (S-mode) -> FILE = FAT boot disk
UBOOT_SMODE=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin

qemu_args() {
	local board=$1 smp=$2 mem=$3 file=$4 args=${5:-}
	case $board in
	virt)
		QEMU_ARGS=(-M virt -smp "$smp" -m "$mem" -bios default -kernel "$file")
		;;
	sifive_u)
		# hart 0 is the E51 monitor core; Strata runs on harts 1..N.
		QEMU_ARGS=(-M sifive_u -smp $((smp + 1)) -m "$mem" -bios default -kernel "$file"
			-semihosting)
		;;
	uboot)
		QEMU_ARGS=(-M virt -smp "$smp" -m "$mem" -bios default -kernel "$UBOOT_SMODE"
			-drive "file=$file,format=raw,if=none,id=boot"
			-device virtio-blk-device,drive=boot,bus=virtio-mmio-bus.0)
		;;
	*)
		echo "qemu: unknown board '$board' (virt, sifive_u, uboot)" >&2
		return 1
		;;
	esac
	if [ -n "$args" ] && [ "$board" != uboot ]; then
		QEMU_ARGS+=(-append "$args")
	fi
	if [ -n "${INITRD:-}" ] && [ "$board" != uboot ]; then
		QEMU_ARGS+=(-initrd "$INITRD")
	fi
	if [ -n "${DISK:-}" ] && [ "$board" = virt ]; then
		QEMU_ARGS+=(-drive "file=$DISK,if=none,format=raw,id=hd0${DISK_OPTS:-}"
			-device virtio-blk-device,drive=hd0)
	fi
	if [ -n "${DISK:-}" ] && [ "$board" = sifive_u ]; then
		local size pow=1
		size=$(stat -c %s "$DISK") || return 1
		while [ "$pow" -lt "$size" ]; do pow=$((pow * 2)); done
		[ "$size" -eq "$pow" ] || truncate -s "$pow" "$DISK" || return 1
		QEMU_ARGS+=(-drive "file=$DISK,if=sd,format=raw${DISK_OPTS:-}")
	fi
	QEMU_ARGS+=(-nographic -no-reboot)
}
