#!/usr/bin/env bash
# Run every test and print one closing line "N passed, N failed".
# Expects `make all host-tests fuzzers` to have run (make check does that).
#   STRESS=1      longer fuzzing and the slow variants
#   FUZZ_SECONDS  seconds per fuzz target (default 10; 120 with STRESS)
#   ONLY=host|fuzz|qemu  run one group
#   FUZZ_SEEDS    seeds per group of the in-guest system-call fuzzer's own boots
#                 with STRESS (default 40; every test boot runs 3 per group)
#   FUZZ_AVOID    passed as fuzzavoid= to the test boots: steer the system-call
#                 fuzzer around known kernel bugs (lib/user/sysfuzz_ctl.h)
set -u
cd "$(dirname "$0")/.."
mkdir -p build
out=build/check.out
: >"$out"
stress=${STRESS:-0}
if [ "$stress" = 1 ]; then fuzz_seconds=${FUZZ_SECONDS:-120}; else fuzz_seconds=${FUZZ_SECONDS:-10}; fi
only=${ONLY:-}
kernel=build/strata.elf
testargs="selftest panic=shutdown"
fuzz_seeds=${FUZZ_SEEDS:-40}
fuzzargs=${FUZZ_AVOID:+ fuzzavoid=$FUZZ_AVOID}

report() { tee -a "$out"; }

host_tests() {
	for t in build/host/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=build/test-logs/host-$name.log
		mkdir -p build/test-logs
		"$t" >"$log" 2>&1
		st=$?
		grep -E '^(ok|not ok) - |^    ' "$log" | report
		if [ "$st" -ne 0 ] && ! grep -q '^not ok - ' "$log"; then
			echo "not ok - host/$name (exit status $st; log: $log)" | report
			tail -n 20 "$log"
		fi
	done
}

fuzz_smoke() {
	mkdir -p build/fuzz-artifacts
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		corpus=tests/fuzz/corpus/$name
		work=$(mktemp -d)
		log=build/test-logs/fuzz-$name.log
		mkdir -p build/test-logs
		"$f" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="build/fuzz-artifacts/$name-" "$work" "$corpus" >"$log" 2>&1
		st=$?
		rm -rf "$work"
		runs=$(grep -oE '#[0-9]+' "$log" | tail -n 1)
		if [ "$st" -eq 0 ]; then
			echo "ok - fuzz/$name (${fuzz_seconds}s, ${runs:-?} runs)" | report
		else
			echo "not ok - fuzz/$name (exit status $st; log: $log)" | report
			grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5
		fi
	done
}

# Each boot runs the kernel's self-tests and then the in-guest user tests
# (the test initrd's root is user/utest).
qemu_boots() {
	local t=120 testargs="$testargs$fuzzargs"
	export INITRD=build/initrd-test.cpio EXPECT="selftest usertest"
	scripts/qemu-test.sh virt-1h-128m $t virt 1 128M "$kernel" "$testargs" | report
	# Three ASID bits: seven ASIDs for more spaces than that, so roll-over is exercised.
	scripts/qemu-test.sh virt-4h-2g $t virt 4 2G "$kernel" "$testargs asid_bits=3" | report
	scripts/qemu-test.sh sifive_u-5h $t sifive_u 4 256M "$kernel" "$testargs" | report
	if scripts/uboot-disk.sh build/strata.img build/uboot-test.img "$testargs" "$INITRD"; then
		scripts/qemu-test.sh uboot-virt $t uboot 1 256M build/uboot-test.img | report
	else
		echo "not ok - boot/uboot-virt (could not build the boot disk)" | report
	fi
	if [ "$stress" = 1 ]; then
		scripts/qemu-test.sh virt-8h-4g $t virt 8 4G "$kernel" "$testargs" | report
		scripts/qemu-test.sh virt-2h-64m $t virt 2 64M "$kernel" "$testargs asid_bits=1" | report
		scripts/qemu-test.sh sifive_u-2h $t sifive_u 1 128M "$kernel" "$testargs" | report
		# The system-call fuzzer alone, many seeds (utest's fuzzseeds= per group).
		local many="$testargs fuzzonly=1 fuzzseeds=$fuzz_seeds"
		scripts/qemu-test.sh sysfuzz-virt-4h 900 virt 4 1G "$kernel" "$many" | report
		scripts/qemu-test.sh sysfuzz-virt-1h 900 virt 1 256M "$kernel" "$many" | report
		scripts/qemu-test.sh sysfuzz-sifive_u-3h 900 sifive_u 3 256M "$kernel" "$many" | report
	fi
	unset INITRD EXPECT
	system_boots
}

# The whole system: root starts con, mem and proc from the ordinary initrd,
# then the init program: user/c/systest (every system test, each in its own
# process, checking that free memory returns to where it was), or the shell
# fed a scripted session through the serial console (tests/shell/).
system_boots() {
	local t=180 segv='segmentation fault at 0x8 \(pc 0x[0-9a-f]+, store\)$'
	local srv='^srvcheck: start-up page and handles as expected$
^root: server srvcheck died \(exit status 3\); it is not restarted$'
	export INITRD=build/initrd.cpio EXPECT="selftest systest" MUST_MATCH="$segv"
	# A server of the user's (server=NAME) that dies on purpose: root must say so.
	MUST_MATCH="$segv
$srv" scripts/qemu-test.sh system-virt-1h $t virt 1 128M "$kernel" \
		"$testargs init=systest server=srvcheck" | report
	scripts/qemu-test.sh system-virt-4h $t virt 4 1G "$kernel" "$testargs init=systest" | report
	scripts/qemu-test.sh system-sifive_u $t sifive_u 2 256M "$kernel" "$testargs init=systest" |
		report
	if [ "$stress" = 1 ]; then
		scripts/qemu-test.sh system-virt-2h-64m $t virt 2 64M "$kernel" \
			"$testargs init=systest" | report
	fi
	EXPECT=none PROMPT="$ " STDIN=tests/shell/session.txt MUST_MATCH="$(cat tests/shell/session.expect)" \
		scripts/qemu-test.sh shell-virt $t virt 2 128M "$kernel" "panic=shutdown init=sh" | report
	EXPECT=none PROMPT="$ " STDIN=tests/shell/session.txt MUST_MATCH="$(cat tests/shell/session.expect)" \
		scripts/qemu-test.sh shell-sifive_u $t sifive_u 1 128M "$kernel" "panic=shutdown init=sh" |
		report
	unset INITRD EXPECT MUST_MATCH
}

[ -z "$only" ] || [ "$only" = host ] && host_tests
[ -z "$only" ] || [ "$only" = fuzz ] && fuzz_smoke
[ -z "$only" ] || [ "$only" = qemu ] && qemu_boots

passed=$(grep -c '^ok - ' "$out")
failed=$(grep -c '^not ok - ' "$out")
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
