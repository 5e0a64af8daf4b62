#!/usr/bin/env bash
# Run the benchmarks and print each figure with its unit.
#  - host: build/bench/bench_* (mm/ code natively, nanoseconds)
#  - guest, 1 hart, -icount shift=0,sleep=off: instructions, deterministic
#  - guest, 4 harts, no icount: TLB shootdown (median of 3 runs). Without
#    icount QEMU's instret reads the host's cycle counter, so this figure is in
#    host ticks; it is mostly the firmware waiting for the other harts.
# Every QEMU has a timeout and is stopped by its pid (scripts/qemu-test.sh).
set -u
cd "$(dirname "$0")/.."
status=0
for b in build/bench/bench_*; do
	[ -x "$b" ] || continue
	"$b" || status=1
done

guest() { # NAME SMP EXTRA-QEMU-ARGS...
	local name=$1 smp=$2
	shift 2
	QEMU_EXTRA="$*" INITRD=build/initrd-bench.cpio EXPECT=none LOGDIR=build/bench-logs \
		scripts/qemu-test.sh "$name" 300 virt "$smp" 512M build/strata.elf "" >/dev/null
	tr -d '\r' <"build/bench-logs/$name.log" | grep -E '^bench: ' | sed 's/^bench: //'
}

out=$(guest bench-1h 1 -icount shift=0,sleep=off)
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/guest (icount): /'
# Median of three 4-hart runs.
median() { sort -t: -k2 -n | sed -n "$((($1 + 1) / 2))p"; }
runs=()
for i in 1 2 3; do
	runs+=("$(guest "bench-4h-$i" 4)")
done
for what in 'shootdown'; do
	lines=$(printf '%s\n' "${runs[@]}" | grep "$what")
	n=$(printf '%s\n' "$lines" | grep -c .)
	if [ "$n" -gt 0 ]; then
		printf '%s\n' "$lines" | median "$n" | sed 's/^/guest (4 harts, median of 3): /'
	else
		status=1
	fi
done
exit $status
