#!/usr/bin/env bash
# Run the benchmarks and print each figure with its unit.
# Host benchmarks (build/bench/bench_*) measure mm/ code natively.
set -u
cd "$(dirname "$0")/.."
status=0
for b in build/bench/bench_*; do
	[ -x "$b" ] || continue
	"$b" || status=1
done
exit $status
