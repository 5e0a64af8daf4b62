#!/usr/bin/env bash
# Boot Strata in QEMU interactively (Ctrl-A X quits).
#   scripts/qemu.sh virt|sifive_u SMP MEM build/strata.elf [bootargs]
#   scripts/qemu.sh uboot SMP MEM build/uboot-disk.img
# Extra QEMU options can be given in QEMU_EXTRA.
set -eu
source "$(dirname "$0")/qemu-args.sh"
qemu_args "$1" "$2" "$3" "$4" "${5:-}"
# shellcheck disable=SC2086
exec qemu-system-riscv64 "${QEMU_ARGS[@]}" ${QEMU_EXTRA:-}
