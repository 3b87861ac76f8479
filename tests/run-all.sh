#!/bin/sh
# `make test`: unit tests, a fuzz smoke run, the integration suites
# against every store plugin, and the Debian package (tests/package);
# ends with one "N passed, N failed" line.
set -u
out=${1:-build/test}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

sh tests/layering.sh 2>&1 | tee -a "$log" || status=1
sh tests/run-unit.sh "$out" 2>&1 | tee -a "$log" || status=1
FUZZ_SECONDS=${FUZZ_SECONDS:-15} sh tests/fuzz/run.sh 2>&1 | tee -a "$log" || status=1
sh tests/run-integration.sh "$out" 2>&1 | tee -a "$log" || status=1
sh tests/package/run.sh "$out" 2>&1 | tee -a "$log" || status=1

# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
# node --test: "# pass N" / "# fail N"; fuzz, layering, package: "X: N passed,
# M failed".
count() {
	awk -v pat="$1" '{ while (match($0, pat)) {
		n = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", n); s += n
		$0 = substr($0, RSTART + RLENGTH) } } END { print s + 0 }' "$log"
}
passed=$(( $(count '\\[  PASSED  \\] [0-9]+') + $(count '^# pass [0-9]+') + \
	$(count 'fuzz: [0-9]+ passed') + $(count 'layering: [0-9]+ passed') + \
	$(count 'package: [0-9]+ passed') ))
failed=$(( $(count '\\[  FAILED  \\] [0-9]+') + $(count '^# fail [0-9]+') + \
	$(count 'passed, [0-9]+ failed') ))
[ "$failed" -gt 0 ] && status=1
echo
echo "$passed passed, $failed failed"
exit $status
