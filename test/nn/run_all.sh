#!/bin/sh
# run_all.sh BUILD_DIR BINARY...: run each standalone core test, check its TAP output,
# print one line per test program and a final "N passed, N failed" over all assertions.
# A program that crashes, exits non-zero or misses its plan counts as one more failure.

build_dir=$1
shift
passed=0
failed=0
status=0

for bin in "$@"; do
	name=$(basename "$bin")
	log="$build_dir/$name.tap"
	"$bin" > "$log" 2>&1
	rc=$?
	n_ok=$(grep -c '^ok ' "$log")
	n_not=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | tail -n 1)
	passed=$((passed + n_ok))
	failed=$((failed + n_not))
	problem=""
	if [ "$n_not" -gt 0 ]; then
		problem="$n_not failed"
	fi
	if [ "$rc" -ne 0 ] && [ "$n_not" -eq 0 ]; then
		problem="exit status $rc"
		failed=$((failed + 1))
	elif [ -z "$plan" ] || [ "$plan" -ne $((n_ok + n_not)) ]; then
		problem="${problem:+$problem, }plan mismatch (plan ${plan:-none}, ran $((n_ok + n_not)))"
		failed=$((failed + 1))
	fi
	if [ -z "$problem" ]; then
		printf 'PASS %-20s %d tests\n' "$name" "$n_ok"
	else
		status=1
		printf 'FAIL %-20s %s\n' "$name" "$problem"
		grep -A3 '^not ok ' "$log" | sed 's/^/    /'
		tail -n 5 "$log" | sed 's/^/    | /'
	fi
done

echo "$passed passed, $failed failed"
exit $status
