#!/bin/sh
# Where a commit's CPU goes (issue 45):
#   sh tests/bench/commit_profile.sh URL PID OUT [SECONDS]
# from the repository root; commits.sh calls it after its runs, against
# its SQLite server (seeded by seed.js: tables c0..c63 in bench.b).
#
# While a 64-table commit storm runs on the server at URL (wrk -t2 -c64,
# commit_many.lua, as the commit table's first row), perf samples every
# CPU for SECONDS (default 3) at 499 Hz with DWARF call graphs: the
# release build has -g but no frame pointers, so only DWARF unwinds
# through it.  Every CPU (-a), not only the server, so the summary can
# say what share of the machine the server had: on a shared 2-CPU host
# the rest (wrk, kernel threads, other users) is not small.
#
# Each sample of the server's processes (PID, its workers and their
# write pools) is charged to the innermost frame in pangolin's own code:
# the binary or a plugin .so beside it (build/release/plugins/), so time
# in jansson, libc or the kernel counts for the pangolin function that
# called it; a function inlined into that frame (jansson's json_decref
# is one) counts for the frame.  The
# top 15 go to OUT as "share% function", with the date, the load average
# and what was measured; OUT is printed too.
#
# Without perf, or where it may not sample the whole system
# (perf_event_paranoid above 0 and not root, no CAP_PERFMON in a
# container), OUT says so in one line and the script exits 0: the bench
# must never fail, nor hang, because of its profile.
set -u

URL=$1
PID=$2
OUTF=$3
PSECS=${4:-3}
HERE=tests/bench

# note LINE: the one line OUT holds when there is no profile; exit 0.
note() {
	echo "commit profile: $*" >&2
	printf '# The commit path'"'"'s profile\n\n- %s: %s\n' \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >"$OUTF"
	exit 0
}

command -v perf >/dev/null 2>&1 || note "no profile: perf is not installed (apt-get install linux-perf)"
# Debian's and Ubuntu's perf are wrappers that fail when no perf matches
# the running kernel; the version check goes through the same wrapper.
perf version >/dev/null 2>&1 || note "no profile: perf is installed but does not run here"
PARANOID=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)
[ "$(id -u)" -eq 0 ] || [ "$PARANOID" -le 0 ] ||
	note "no profile: kernel.perf_event_paranoid is $PARANOID; sampling every CPU needs 0 or less (or root)"
command -v wrk >/dev/null 2>&1 || note "no profile: wrk is not installed"
kill -0 "$PID" 2>/dev/null || note "no profile: no server with pid $PID"

# What counts as pangolin's code: the binary the server runs and the
# plugins beside it, as the kernel names their mappings (real paths:
# ./pangolin and plugins/ are symlinks into build/release).
BIN=$(realpath "/proc/$PID/exe" 2>/dev/null || realpath ./pangolin)
ROOT=$(dirname "$BIN")

W=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-profile.XXXXXX") || note "no profile: no temporary directory"
trap 'rm -rf "$W"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The server's processes: the parent and every descendant (perf script
# filters on them; threads belong to their process).
tree_pids() {
	echo "$1"
	for c in $(pgrep -P "$1"); do tree_pids "$c"; done
}
PIDS=$(tree_pids "$PID" | paste -sd, -)

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# The storm outlasts the sampling by a second at each end, so perf sees
# it under way and never its ramp or its end.
wrk -t2 -c64 -d"$((PSECS + 2))s" -s "$HERE/commit_many.lua" \
    "$URL/v1/bench/namespaces/b/tables/c0" >"$W/wrk.out" 2>&1 &
WPID=$!
sleep 1
perf record -o "$W/perf.data" -a --call-graph dwarf,16384 -F 499 \
    -- sleep "$PSECS" >"$W/record.log" 2>&1
RC=$?
wait "$WPID"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$RC" -eq 0 ] && [ -s "$W/perf.data" ] ||
	note "no profile: perf record failed ($(grep -v '^ *$' "$W/record.log" | head -1))"
RATE=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$W/wrk.out")

# All samples, for the server's share of the machine; then the server's
# with their call chains.  Unwinding ~3,000 DWARF stacks is seconds of
# CPU: niced, and bounded so that it cannot hold the bench.
ALL=$(timeout 120 nice -n 15 perf script -i "$W/perf.data" -F tid 2>/dev/null | wc -l)
# --no-inline: a frame is a function the symbol table names, and perf
# does not spend minutes asking the DWARF for inline chains.
timeout 300 nice -n 15 perf script -i "$W/perf.data" --pid "$PIDS" --no-inline \
    -F comm,tid,ip,sym,dso >"$W/script.txt" 2>"$W/script.err" ||
	note "no profile: perf script failed ($(head -1 "$W/script.err"))"

# A sample is a header line ("comm tid") and its frames, innermost first
# ("addr symbol (object)"), then a blank line.  Prints "count function"
# per function, "count @object" per object of the innermost frame (what
# the charged time was spent in), then "total n".
awk -v bin="$BIN" -v root="$ROOT/plugins/" '
function ours(o) {
	return o == "(" bin ")" || index(o, "(" root) == 1
}
function close_sample() {
	if (insample) {
		c[got == "" ? "?" : got]++
		leaf[lobj == "" ? "?" : lobj]++
	}
	insample = 0
}
/^[^ \t]/	{ close_sample(); insample = 1; got = ""; lobj = ""; n++; next }
/^[ \t]*$/	{ close_sample(); next }
insample {
	obj = $NF
	sym = $0
	sub(/^[ \t]*[0-9a-f]+ /, "", sym)
	sub(/ \([^()]*\)$/, "", sym)
	if (sym == "") sym = "[unknown]"
	if (lobj == "") {
		lobj = obj; gsub(/[()]/, "", lobj)
		if (ours(obj)) lobj = "pangolin"
		else if (lobj ~ /kernel/) lobj = "kernel"
		else { sub(/.*\//, "", lobj); sub(/\.so.*/, "", lobj) }
	}
	if (got == "" && ours(obj)) got = sym
}
END {
	close_sample()
	for (k in c) print c[k], k
	for (k in leaf) print leaf[k], "@" k
	print "total", n
}' "$W/script.txt" >"$W/counts"

N=$(awk '$1 == "total" { print $2 }' "$W/counts")
[ "${N:-0}" -gt 0 ] || note "no profile: perf caught no sample of the server's processes ($PIDS)"

{
	echo "# The commit path's profile"
	echo
	echo "- $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) CPUs; load average $LOAD0 before, $LOAD1 after"
	echo "- measured: \`perf record -a --call-graph dwarf,16384 -F 499 -- sleep $PSECS\` while" \
	    "wrk -t2 -c64 committed set-properties round-robin over 64 tables (the SQLite server," \
	    "release build, no-auth): ${RATE:-?} commits/s under the profiler, which copies 16 KiB" \
	    "of stack per sample, so below the commit table's rate"
	echo "- $N samples of the server's processes of $ALL on all CPUs" \
	    "($(awk -v n="$N" -v a="$ALL" 'BEGIN { printf "%.0f", (a > 0 ? 100 * n / a : 0) }') %);" \
	    "each charged to its innermost frame in $BIN or a plugin beside it, so jansson, libc" \
	    "and kernel time counts for the pangolin function that called it" \
	    "(\"?\": no such frame, e.g. an unwinding that stopped early)"
	echo "- where the innermost frame was:" \
	    "$(awk -v n="$N" '$2 ~ /^@/ { sub(/^@/, "", $2); printf "%d %s\n", $1, $2 }' "$W/counts" |
	    sort -rn | head -6 |
	    awk -v n="$N" '{ printf "%s%s %.0f %%", (NR > 1 ? ", " : ""), $2, 100 * $1 / n }')"
	echo
	echo "Top 15, share% function:"
	echo
	echo '```'
	awk '$1 != "total" && $2 !~ /^@/' "$W/counts" | sort -rn | head -15 |
	    awk -v n="$N" '{ c = $1; $1 = ""; sub(/^ /, ""); printf "%6.2f%% %s\n", 100 * c / n, $0 }'
	echo '```'
} >"$OUTF"
cat "$OUTF"
