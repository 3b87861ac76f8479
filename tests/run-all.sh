#!/bin/sh
# `make test`: the layering check, unit tests, a fuzz smoke run, the
# integration suites against every store plugin, and the Debian package
# of the release build (tests/package); ends with one "N passed, N
# failed" line and the wall time.
#
# The parts overlap: the layering check, the unit tests, the fuzz
# smoke run and the package test start in the background, each with its
# output in a file of its own, while the integration suites run in the
# foreground (tests/run-integration.sh: PGL_IT_JOBS test files at a
# time).  The background parts' output is printed whole, each in turn,
# once the integration suites are done, so no two parts interleave in
# the log.
#
# The end of the output is written for a reader who sees only the tail
# of a CI log: each background part's wall time and CPU, the integration
# jobs' time, the ten slowest of them, then every failed test
# (integration: pass, file, test, error, where its server logs are; unit:
# binary and test; fuzz and package: their "not ok" lines), then the
# totals and the wall time.
set -u
out=${1:-build/test}
# The package is made of the release build, as `make deb` makes it: what
# ships (jemalloc, no sanitizers) is what the package test starts.
release=${2:-build/release}
pgl_tmpdir_owned=""
. tests/tmpdir.sh
log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$log" "$tmp"; [ -n "$pgl_tmpdir_owned" ] && rm -rf "$PGL_TEST_TMPDIR"' EXIT
status=0
t0=$(date +%s)
# The machine's CPU ticks (all cores: busy, idle) at the start, for the
# summary's line of how busy the run kept the cores: idle cores mean the
# run waits on the clock, busy ones that it needs less work.
ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat
}
ticks0=$(ticks)

# A part in the foreground, its output both shown and kept in the log.
# "|| status=1" after a pipe into tee would read tee's status, not the
# part's: a part that died without a failing test line passed unseen.
logged() {
	name=$1
	shift
	{ "$@" 2>&1; echo $? >"$tmp/$name.rc"; } | tee -a "$log"
	[ "$(cat "$tmp/$name.rc")" = 0 ] || { status=1; broken="$broken $name"; }
}
broken=""

# A background part: its output in $tmp/<name>, and a line of its wall
# time and CPU (what it ran and waited for) for the summary, so a part
# that grew is seen.  Run with &: times then counts this part alone.
part() {
	name=$1
	shift
	t=$(date +%s)
	"$@" >"$tmp/$name" 2>&1
	rc=$?
	times >"$tmp/$name.times"
	echo "run-all: $name took $(($(date +%s) - t)) s, cpu $(awk 'NR == 2 {
	    gsub(/[ms]/, " "); printf "%.0f", $1 * 60 + $2 + $3 * 60 + $4 }' \
	    "$tmp/$name.times") s" >"$tmp/$name.took"
	return $rc
}
# The layering check is a part too: node reading every file's calls,
# one core for some seconds, beside the integration suites' start.
part layering sh tests/layering.sh &
layering=$!
# The unit tests and the bench programs are built here, not before the
# parts start (the Makefile's test target): one file at a time, in the
# time the integration jobs leave a core idle.  The package part's make
# deb builds the release flavor the same way.  A nested make must not
# read the jobserver of the make that ran this script: it is not ours.
unit_part() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory \
	    FLAVOR="$(basename "$out")" build-unit >"$tmp/unit-build.log" 2>&1 ||
	    { cat "$tmp/unit-build.log"; printf '== make\n[  FAILED  ] build-unit\n[  FAILED  ] 1 test(s)\n'; return 1; }
	sh tests/run-unit.sh "$out"
}
package_part() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL sh tests/package/run.sh "$release"
}
part unit unit_part &
unit=$!
part fuzz sh tests/fuzz/run.sh &
fuzz=$!
part package package_part &
package=$!
logged integration sh tests/run-integration.sh "$out"
wait $layering || { status=1; broken="$broken layering"; }
wait $unit || { status=1; broken="$broken unit"; }
wait $fuzz || { status=1; broken="$broken fuzz"; }
wait $package || { status=1; broken="$broken package"; }
for part in layering unit fuzz package; do
	tee -a "$log" <"$tmp/$part"
done

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
echo "== summary"
echo "$ticks0 $(ticks) $(getconf CLK_TCK)" | awk '{ b = ($3 - $1) / $5
    i = ($4 - $2) / $5; printf "run-all: the cores were busy %.0f s and idle %.0f s (%.0f%% busy)\n", b, i, 100 * b / (b + i + 0.001) }'
cat "$tmp/layering.took" "$tmp/unit.took" "$tmp/fuzz.took" "$tmp/package.took" 2>/dev/null
grep -E '^run-integration: (all jobs done|the ten slowest|jobs that ran long|  )' "$log"
# Every failed test, last, where a reader of the log's tail sees it.
{
	grep -E '^run-integration: FAILED ' "$log"
	# cmocka names a failed test twice ("[  FAILED  ] name" after it ran,
	# and in the list at the end): once here, with its binary ("== x").
	awk '/^== / { bin = $2 }
	    /^\[  FAILED  \] [A-Za-z_]/ { t = $4; if (!seen[bin " " t]++)
		printf "unit: FAILED %s › %s\n", bin, t }' "$tmp/unit"
	for part in fuzz package; do
		sed -n "s/^not ok - /$part: FAILED /p" "$tmp/$part"
	done
	# The layering check's own lines name what broke the rules.
	case " $broken " in *" layering "*)
		grep -E '^layering: [^0-9]' "$log" | grep -v ' passed, ' |
		    head -20 | sed 's/^layering: /layering: FAILED /' ;;
	esac
} >"$tmp/failures"
if [ -s "$tmp/failures" ]; then
	echo "== failed ($(wc -l <"$tmp/failures") lines)"
	cat "$tmp/failures"
fi
[ -n "$broken" ] && echo "exited non-zero:$broken"
echo "$passed passed, $failed failed"
wall=$(($(date +%s) - t0))
echo "make test: $((wall / 60)) min $((wall % 60)) s"
exit $status
