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

# The whole system (root, con, mem, proc) with user/c/sysbench as init. A
# figure measured several times (exec) is reported as its median.
system_guest() { # NAME SMP BOOTARGS EXTRA-QEMU-ARGS...
	local name=$1 smp=$2 args=$3
	shift 3
	mkdir -p build/bench-logs
	cp build/disk-base.img build/bench-logs/disk.img # the programs are on the disk
	QEMU_EXTRA="$*" INITRD=build/initrd.cpio DISK=build/bench-logs/disk.img EXPECT=none \
		LOGDIR=build/bench-logs \
		scripts/qemu-test.sh "$name" 300 virt "$smp" 512M build/strata.elf "$args" >/dev/null
	tr -d '\r' <"build/bench-logs/$name.log" | grep -E '^bench: ' | sed 's/^bench: //'
}
out=$(system_guest system-1h 1 "init=sysbench" -icount shift=0,sleep=off |
	awk -F': ' '{ n[$1]++; v[$1, n[$1]] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	END { for (i = 1; i <= k; i++) { w = order[i]; m = int((n[w] + 1) / 2);
		# values have the same unit: sort numerically by the leading number
		for (a = 1; a <= n[w]; a++) for (b = a + 1; b <= n[w]; b++)
			if (v[w, b] + 0 < v[w, a] + 0) { t = v[w, a]; v[w, a] = v[w, b]; v[w, b] = t }
		print w ": " v[w, m] } }')
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/system (icount): /'

# Swap (user/c/sysbench swap) on 64 MiB, 1 hart: mem's instructions per
# page moved under icount (its thread's CPU time; the disk's waits are idle
# and not counted), pages moved per second of wall time without icount.
swap_guest() { # NAME EXTRA-QEMU-ARGS...  (ARGS: sysbench's arguments, default swap)
	local name=$1
	shift
	mkdir -p build/bench-logs
	cp build/disk-base.img build/bench-logs/disk-swap.img
	QEMU_EXTRA="$*" INITRD=build/initrd.cpio DISK=build/bench-logs/disk-swap.img EXPECT=none \
		LOGDIR=build/bench-logs \
		scripts/qemu-test.sh "$name" 600 virt 1 64M build/strata.elf \
		"${BOOT:-} init=sysbench -- ${ARGS:-swap}" >/dev/null
	tr -d '\r' <"build/bench-logs/$name.log" | grep -E '^bench: ' | sed 's/^bench: //'
}
out=$(swap_guest swap-icount -icount shift=0,sleep=off | grep -v 'per second')
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/swap (icount, 64 MiB): /'
out=$(swap_guest swap-wall | grep 'per second')
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/swap (wall, 64 MiB): /'

# Load control (user/proc/load.c): 3 and 4 processes each cycling over 40%
# of RAM, the time until the last ends (wall, 64 MiB, 1 hart), with load
# control on (the default) and off.
for n in 3 4; do
	for lc in on off; do
		boot=""
		[ $lc = off ] && boot=loadcontrol=off
		out=$(BOOT=$boot ARGS="thrash $n" swap_guest "thrash-$n-$lc")
		[ -n "$out" ] || status=1
		echo "$out" | sed 's/^/load control (wall, 64 MiB): /'
	done
done

# Boot to the shell prompt in wall seconds (no icount; 1 hart): the time from
# starting QEMU until the shell's prompt appears on the console.
prompt_seconds() {
	local log=build/bench-logs/prompt.log t0 pid
	mkdir -p build/bench-logs
	: >"$log"
	t0=$(date +%s.%N)
	cp build/disk-base.img build/bench-logs/disk.img
	qemu-system-riscv64 -M virt -smp 1 -m 512M -bios default -kernel build/strata.elf \
		-initrd build/initrd.cpio -append "init=sh" -nographic -no-reboot \
		-drive file=build/bench-logs/disk.img,if=none,format=raw,id=hd0 \
		-device virtio-blk-device,drive=hd0 \
		</dev/null >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		if tr -d '\r' <"$log" | grep -q '^\$ '; then
			awk -v a="$t0" -v b="$(date +%s.%N)" \
				'BEGIN { printf "boot to shell prompt: %.2f seconds\n", b - a }'
			break
		fi
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
out=$(prompt_seconds)
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/system (wall): /'
# The longest kernel-lock hold during the system-call fuzzer (4 harts, no
# -icount, so in cycles of QEMU's host-time counter): 3 seeds per group.
fuzz_hold() {
	QEMU_EXTRA="" INITRD=build/initrd-test.cpio EXPECT=none LOGDIR=build/bench-logs \
		scripts/qemu-test.sh bench-fuzz-4h 300 virt 4 1G build/strata.elf \
		"fuzzonly=1 fuzzseeds=3" >/dev/null
	tr -d '\r' <build/bench-logs/bench-fuzz-4h.log | grep -E '^bench: ' | sed 's/^bench: //'
}
out=$(fuzz_hold)
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/guest (4 harts, no icount): /'
# The disk side of the file server (user/fsdiskbench on a fresh disk copy, 1
# hart): instructions under icount for the figures that never wait for the
# disk (cached), MiB/s of wall time without icount for those that do.
fsdisk_guest() { # NAME FILTER EXTRA-QEMU-ARGS...
	local name=$1 filter=$2 disk=build/bench-logs/$1.img
	shift 2
	mkdir -p build/bench-logs
	cp build/disk-base.img "$disk"
	QEMU_EXTRA="$*" INITRD=build/initrd.cpio EXPECT=none LOGDIR=build/bench-logs DISK=$disk \
		scripts/qemu-test.sh "$name" 300 virt 1 512M build/strata.elf \
		"test=fsdiskbench init=hello" >/dev/null
	rm -f "$disk"
	tr -d '\r' <"build/bench-logs/$name.log" | grep -E '^bench: fsdisk' | grep -E -- "$filter" |
		sed 's/^bench: //'
}
out=$(fsdisk_guest fsdisk-icount 'instructions' -icount shift=0,sleep=off)
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/fsdisk (icount): /'
out=$(fsdisk_guest fsdisk-wall '\(wall\)')
[ -n "$out" ] || status=1
echo "$out" | sed 's/^/fsdisk (wall, no icount): /'
# Strata's allocator against glibc's on the same workload (user instructions, qemu-riscv64).
scripts/glibc-alloc.sh | sed 's/^/allocator vs glibc (linux-user): /' || status=1

# The replacement policies on the traces recorded on Strata (tests/data/traces),
# at three memory sizes (an eighth, a quarter and half of the trace's
# distinct pages): each policy's faults as a ratio to OPT, and the
# geometric mean of the ratios over traces and sizes.
policies=opt,fifo,second,clock,nru,lru,nfu,aging,ws,wsclock
for t in tests/data/traces/*.trace; do
	pages=$(grep -v '^#' "$t" | awk 'NF { print $1 }' | sort -u | wc -l)
	[ "$pages" -ge 64 ] || continue # too few pages to tell policies apart
	for f in $((pages / 8)) $((pages / 4)) $((pages / 2)); do
		build/host/pagesim --frames "$f" --policy "$policies" "$t" | tail -1 |
			sed "s|^|policies ($(basename "$t" .trace), $f frames): |" || status=1
	done
done | tee build/bench-logs/policies.txt
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $(i - 1) ~ /^[a-z]+$/) {
		s[$(i - 1)] += log($i); n[$(i - 1)]++ } }
	END { line = "policies (geometric mean of the ratios to opt):";
		split("opt fifo second clock nru lru nfu aging ws wsclock", o, " ");
		for (k = 1; k <= 10; k++) line = line sprintf(" %s %.3f", o[k], exp(s[o[k]] / n[o[k]]));
		print line }' build/bench-logs/policies.txt

# Median of three 4-hart runs.
median() { sort -t: -k2 -n | sed -n "$((($1 + 1) / 2))p"; }
runs=()
for i in 1 2 3; do
	runs+=("$(guest "bench-4h-$i" 4)")
done
for what in 'shootdown' 'unmap of 1 GiB' 'longest kernel-lock hold during that unmap'; do
	lines=$(printf '%s\n' "${runs[@]}" | grep "$what")
	n=$(printf '%s\n' "$lines" | grep -c .)
	if [ "$n" -gt 0 ]; then
		printf '%s\n' "$lines" | median "$n" | sed 's/^/guest (4 harts, median of 3): /'
	else
		status=1
	fi
done
exit $status
