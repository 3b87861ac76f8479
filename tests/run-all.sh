#!/bin/sh
# `make test`: unit tests, a fuzz smoke run, and the integration suites
# against every store plugin; ends with one "N passed, N failed" line.
set -u
out=${1:-build/test}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

sh tests/run-unit.sh "$out" 2>&1 | tee -a "$log" || status=1
FUZZ_SECONDS=${FUZZ_SECONDS:-15} sh tests/fuzz/run.sh 2>&1 | tee -a "$log" || status=1
sh tests/run-integration.sh "$out" 2>&1 | tee -a "$log" || status=1

# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
# node --test: "# pass N" / "# fail N"; fuzz: "fuzz: N passed, M failed".
passed=$(awk '/^\[  PASSED  \] [0-9]+ test/ {s += $4} /^# pass [0-9]+/ {s += $3}
	/^fuzz: [0-9]+ passed/ {s += $2} END {print s + 0}' "$log")
failed=$(awk '/^\[  FAILED  \] [0-9]+ test/ {s += $4} /^# fail [0-9]+/ {s += $3}
	/^fuzz: [0-9]+ passed, [0-9]+ failed/ {s += $4} END {print s + 0}' "$log")
[ "$failed" -gt 0 ] && status=1
echo
echo "$passed passed, $failed failed"
exit $status
