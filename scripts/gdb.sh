#!/usr/bin/env bash
# Start QEMU halted with its gdb stub and attach gdb-multiarch with the
# kernel's symbols. QEMU is stopped (by its pid) when gdb exits.
#   scripts/gdb.sh BOARD SMP MEM build/strata.elf
set -eu
source "$(dirname "$0")/qemu-args.sh"
qemu_args "$1" "$2" "$3" "$4" "${5:-}"
port=${GDB_PORT:-1234}
log=build/gdb-qemu.log
qemu-system-riscv64 "${QEMU_ARGS[@]}" -S -gdb tcp::"$port" </dev/null >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
sed -e "s|@KERNEL@|$4|" -e "s|@PORT@|$port|" scripts/gdbinit >build/gdbinit
echo "gdb: QEMU output goes to $log"
gdb-multiarch -q -x build/gdbinit
