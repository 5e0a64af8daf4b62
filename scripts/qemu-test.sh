#!/usr/bin/env bash
# Run one QEMU boot as a test, without a person.
#   scripts/qemu-test.sh NAME TIMEOUT_SECONDS BOARD SMP MEM FILE [BOOTARGS]
# The guest prints "ok - ..." / "not ok - ..." lines and summary lines
# "selftest: N passed, M failed" (kernel) and "usertest: ..." (user), then
# powers off with its status. EXPECT lists the summaries that must appear
# (default "selftest"). STDIN (default /dev/null) is fed to the serial
# console, for scripted shell sessions: with PROMPT set, one line at a time,
# each once the log holds one more line starting with PROMPT (so that input
# is typed when the shell asks for it, as a person would); each line of MUST_MATCH is an
# extended regular expression some line of the output must match, each line
# of MUST_NOT_MATCH one no line may match. EXIT_STATUS is QEMU's expected exit
# status (default 0; "any": whatever it is, as long as QEMU stopped by
# itself before the timeout). Prints the
# guest's result lines, then "ok - boot/NAME" or "not ok - boot/NAME (why)".
# QEMU is stopped by its own pid at the timeout.
set -u
name=$1 timeout=$2
shift 2
source "$(dirname "$0")/qemu-args.sh"
qemu_args "$@" || exit 2

logdir=${LOGDIR:-build/test-logs}
mkdir -p "$logdir"
log=$logdir/$name.log

# Lines of the log that start with PROMPT.
# Prompts in the log: lines starting with PROMPT. A bare prompt with lines
# after it is not one: con showed the prompt again below output that came
# while the shell waited (the feeder types no empty lines).
prompts() { # PROMPT
	tr -d '\r' <"$log" | awk -v p="$1" '
		{ bare = 0 }
		index($0, p) == 1 { if ($0 == p) bare = 1; else n++ }
		END { print n + bare }'
}

# Write FILE's lines to stdout, line n once the log has n lines starting with PROMPT.
# A line "@after SECONDS TEXT" waits that long instead and writes TEXT as
# printf %b does, without a newline (e.g. "@after 2 \003" types Ctrl-C
# while a command runs); it does not count as a line.
feed_paced() { # FILE PROMPT
	local n=0 line rest
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line == "@after "* ]]; then
			rest=${line#@after }
			sleep "${rest%% *}"
			printf '%b' "${rest#* }"
			continue
		fi
		n=$((n + 1))
		until [ "$(prompts "$2")" -ge "$n" ]; do
			sleep 0.05
		done
		printf '%s\n' "$line"
	done <"$1"
	sleep "$timeout" # hold the line open: end of input is not the end of the session
}

input=${STDIN:-/dev/null} feeder=""
if [ -n "${STDIN:-}" ] && [ -n "${PROMPT:-}" ]; then
	input=$(mktemp -u)
	mkfifo "$input"
	: >"$log"
	feed_paced "$STDIN" "$PROMPT" >"$input" 2>/dev/null &
	feeder=$!
fi
# shellcheck disable=SC2086
qemu-system-riscv64 "${QEMU_ARGS[@]}" ${QEMU_EXTRA:-} <"$input" >"$log" 2>&1 &
pid=$!
deadline=$((SECONDS + timeout))
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
	sleep 0.2
done
why=""
if kill -0 "$pid" 2>/dev/null; then
	kill -TERM "$pid" 2>/dev/null
	sleep 1
	kill -KILL "$pid" 2>/dev/null
	why="timeout after ${timeout}s"
fi
wait "$pid"
status=$?
if [ -n "$feeder" ]; then
	pkill -P "$feeder" 2>/dev/null # its sleep first: once it is gone, the sleep is no child of it
	kill "$feeder" 2>/dev/null
	{ wait "$feeder"; } 2>/dev/null
	rm -f "$input"
fi

tr -d '\r' <"$log" | grep -E '^(ok|not ok) - ' | sed -E "s#^(ok|not ok) - #\1 - $name/#"
want_status=${EXIT_STATUS:-0}
if [ -z "$why" ] && [ "$want_status" != any ] && [ "$status" -ne "$want_status" ]; then
	why="QEMU exit status $status"
	[ "$want_status" = 0 ] || why="$why, not $want_status"
fi
for kind in ${EXPECT:-selftest}; do
	[ "$kind" = none ] && continue
	summary=$(tr -d '\r' <"$log" | grep -E "^$kind: [0-9]+ passed, [0-9]+ failed" | tail -n 1)
	if [ -z "$why" ] && [ -z "$summary" ]; then
		why="no $kind summary in the log"
	fi
	if [ -z "$why" ] && ! echo "$summary" | grep -q ' 0 failed'; then
		why="$summary"
	fi
done
while IFS= read -r re; do
	[ -z "$re" ] && continue
	if [ -z "$why" ] && ! tr -d '\r' <"$log" | grep -Eq -- "$re"; then
		why="no output line matches /$re/"
	fi
done <<<"${MUST_MATCH:-}"
while IFS= read -r re; do
	[ -z "$re" ] && continue
	if [ -z "$why" ] && tr -d '\r' <"$log" | grep -Eq -- "$re"; then
		why="an output line matches /$re/"
	fi
done <<<"${MUST_NOT_MATCH:-}"
if [ -z "$why" ] && tr -d '\r' <"$log" | grep -q '^not ok - '; then
	why="a guest test failed"
fi
if [ -n "$why" ]; then
	echo "not ok - boot/$name ($why; log: $log)"
	tail -n 25 "$log" | sed 's/^/    | /'
	exit 1
fi
echo "ok - boot/$name"
