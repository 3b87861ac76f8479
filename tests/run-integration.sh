#!/bin/sh
# HTTP integration tests: the real binary of <build dir> (default
# build/test) against each store plugin, with node's built-in test runner.
#
# Passes.  The sqlite pass (the embedded default store) runs every
# tests/integration/*.test.js.  The memory, postgres and mongo passes run
# every file but the store-independent ones listed, each with its reason,
# in tests/integration/store-independent.txt: what those check (HTTP
# framing, connections, config, logging, rate limits, S3 stalls, the
# CLI, the pages...) does not depend on the store plugin, so they run
# once.  iceberg_js.test.js runs three more times on sqlite: OAuth, an S3
# warehouse, STS.  Files that skip themselves on some stores still do
# (admin_coverage.test.js runs on the memory pass only; db_restart,
# scaleout and commit_unknown on the postgres pass only).
#
# The production configuration is a tested one (issue 67): the postgres
# pass runs every file with PANGOLIN_ENCRYPTION_KEY set (PGL_IT_ENCRYPTION_
# KEY, which lib/server.js gives every server it starts unless a test
# sets its own), so warehouse, webhook, settings and federation secrets
# are sealed at rest there, as the operator guide recommends; so do the
# s3 and sts passes (iceberg-js on an S3 warehouse's sealed keys).
# Webhooks once never delivered with the key set, and no pass saw it.
#
# A part of it (tests/README.md):
#   PGL_IT_FILES   file names (x.test.js, x, or tests/integration/x.test.js):
#                  only these files
#   PGL_IT_PASSES  pass names (memory sqlite postgres mongo oauth s3 sts):
#                  only these passes
#
# Schedule.  Every (pass, file) pair is one job, `node <file>` with
# PGL_STORE set (the tests run in the file's own process; `node --test`
# would start a second node per job).  PGL_IT_JOBS (default 4) jobs run
# at a time, the passes mixed, the longest first by the seconds each
# took in a measured run (tests/integration/times.txt; a job it does not
# list goes first, as if the longest).  A wrong figure costs minutes,
# never a test, and cannot go stale unseen: every run writes its own
# figures to <build dir>/times.txt, and the summary names each job of
# 30 s or more that the list misses or puts at under half its time
# (`make it-times` copies a full run's figures into the list).  Each
# job's TAP goes to a file; a line per finished job says
# how it went, and when all are done each pass is printed whole,
# "== integration (<pass>)" and its files' TAP in name order.
# PostgreSQL, the MongoDB-protocol server and Swift are started here
# (tests/servers/) when a job needs them, once, and stopped afterwards;
# every pangolin under test gets its own schema / database there, every
# test file its own bucket.
#
# Logs.  Each job's servers write their logs to
# <build dir>/logs/<pass>/<file>/ (lib/server.js, PGL_IT_LOGS); a job
# that passes leaves nothing there.  The end of the output: the ten
# slowest jobs, then every failed test, "FAILED <pass> <file> › <test>:
# <its error's first line> [logs: <dir>]", which tests/run-all.sh
# prints again last.  Exits non-zero if any job fails.
set -u
out=${1:-build/test}
cd "$(dirname "$0")/.." || exit 2

if [ ! -x "$out/pangolin" ]; then
	echo "run-integration: $out/pangolin not built (make FLAVOR=test build)" >&2
	exit 2
fi
for p in abi_mismatch no_symbol missing_methods undefined_symbol open_fails; do
	if [ ! -f "$out/tests/plugins/$p.so" ]; then
		echo "run-integration: $out/tests/plugins/$p.so missing" \
		    "(make FLAVOR=test build-unit)" >&2
		exit 2
	fi
done
command -v node >/dev/null || { echo "run-integration: node not found" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "run-integration: sqlite3 not found" >&2; exit 2; }
# tests/deps.sh installs the suite's npm packages beside the build.
sh tests/npm-wait.sh || exit 2

PGL_BIN=$(cd "$out" && pwd)/pangolin
export PGL_BIN
jobs=${PGL_IT_JOBS:-4}
logs=$(cd "$out" && pwd)/logs
rm -rf "$logs"

# connections.test.js holds 10,000 idle connections: this process and the
# servers it starts need the descriptors (root in CI may raise the hard
# limit; anyone else gets the hard limit, and the test needs 3,000).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

# The store-independent files: the first word of each line of the list,
# comments and blank lines aside.  A name that is no test file stops the
# run: a renamed file must not drop out of three passes unseen.
list=tests/integration/store-independent.txt
once=$(sed -e 's/#.*//' "$list" | awk 'NF { print $1 }')
for f in $once; do
	[ -f "tests/integration/$f" ] ||
		{ echo "run-integration: $list names $f, which is not in tests/integration" >&2; exit 2; }
done
all=$(cd tests/integration && ls *.test.js)
if [ -n "${PGL_IT_FILES:-}" ]; then
	want=""
	for f in $PGL_IT_FILES; do
		f=${f##*/}
		f=${f%.test.js}.test.js
		[ -f "tests/integration/$f" ] ||
			{ echo "run-integration: PGL_IT_FILES names $f, which is not in tests/integration" >&2; exit 2; }
		want="$want $f"
	done
	all=$(echo "$all" | grep -xF "$(echo $want | tr ' ' '\n')")
fi
every_store=$(for f in $all; do
	echo "$once" | grep -qxF "$f" || echo "$f"
done)

# Measured seconds a job: "<seconds> <pass> <file>" a line.
times=tests/integration/times.txt
[ -f "$times" ] || times=/dev/null

pgl_tmpdir_owned=""
. tests/tmpdir.sh
srvdir=""
swift_start=""
cleanup() {
	if [ -n "$srvdir" ]; then
		# A Swift still starting is stopped once it has.
		[ -n "$swift_start" ] && wait "$swift_start" 2>/dev/null
		sh tests/servers/postgres.sh stop "$srvdir/pg" >/dev/null 2>&1
		sh tests/servers/mongo.sh stop "$srvdir/mongo" >/dev/null 2>&1
		sh tests/servers/swift.sh stop "$srvdir/swift" >/dev/null 2>&1
		rm -rf "$srvdir"
		srvdir=""
	fi
	[ -n "$pgl_tmpdir_owned" ] && rm -rf "$PGL_TEST_TMPDIR"
	pgl_tmpdir_owned=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM
srvdir=$(mktemp -d)
chmod 755 "$srvdir"	# the PostgreSQL server runs as user postgres

# Start <script> on the first free port from one that depends on our PID;
# prints the server's URL.
start_server() {
	script=$1 dir=$2 base=$3
	mkdir -p "$dir"
	for port in $(seq "$base" $((base + 19))); do
		sh "$script" start "$dir" "$port" 2>"$dir.err" && return 0
	done
	cat "$dir.err" >&2
	return 1
}

# The files of a pass.  oauth, s3 and sts are iceberg-js again on the
# sqlite store: authenticated by a bearer token from OAuth2 client
# credentials (auth on); with its catalog on an S3 warehouse (Swift +
# s3api); on a warehouse vending STS credentials from Ceph's RADOS
# Gateway (tests/servers/ceph.sh), the client asking for them on every
# table call.
files_of() {
	case $1 in
	sqlite) echo "$all" ;;
	oauth | s3 | sts) echo "$all" | grep -x iceberg_js.test.js ;;
	*) echo "$every_store" ;;
	esac
}

status=0
passes="memory sqlite oauth s3 sts"
[ -f "$out/plugins/store-postgres.so" ] && passes="$passes postgres"
[ -f "$out/plugins/store-mongo.so" ] && passes="$passes mongo"
if [ -n "${PGL_IT_PASSES:-}" ]; then
	for p in $PGL_IT_PASSES; do
		echo " $passes " | grep -qF " $p " ||
			{ echo "run-integration: PGL_IT_PASSES names $p; the passes are: $passes" >&2; exit 2; }
	done
	passes=$PGL_IT_PASSES
fi
# A pass with no file of the selection is not run.
run=""
for p in $passes; do
	[ -n "$(files_of "$p")" ] && run="$run $p"
done
passes=$run

# The jobs, "<pass> <file>" a line, the longest first (unlisted ones
# before all).
for p in $passes; do
	mkdir -p "$srvdir/tap/$p"
	files_of "$p" >"$srvdir/files.$p"
	sed "s/^/$p /" "$srvdir/files.$p"
done | awk -v times="$times" '
    BEGIN { while ((getline l < times) > 0) { split(l, f)
	if (l !~ /^#/ && f[3] != "") t[f[2] " " f[3]] = f[1] } }
    { print (($0 in t) ? t[$0] : 999999), NR, $0 }' |
    sort -s -k1,1nr -k2,2n | cut -d' ' -f3- >"$srvdir/jobs"

# The shared servers the jobs need, each started once, side by side.
# One Swift for every file that needs S3 (lib/s3.js), each file in a
# bucket of its own: a start is four Pythons and three ring builds,
# 10-15 s of CPU and about 16 s of wall, so the jobs do not wait for it:
# it starts in the background and lib/s3.js waits for the file naming its
# URL (PGL_SWIFT_URL_FILE; "failed" in it when it could not start).  A
# single file that needs it starts its own instead (lib/s3.js).
# PostgreSQL and the MongoDB-protocol server start at the same time, and
# the jobs wait for both (most jobs need one of them).
needs() {
	grep -q "^$1 " "$srvdir/jobs"
}
swift_files=$(cd tests/integration && grep -l 'lib/s3.js' $all 2>/dev/null)
if [ "$(wc -l <"$srvdir/jobs")" -gt 1 ] && [ -n "$swift_files" ]; then
	PGL_SWIFT_URL_FILE=$srvdir/swift.url
	export PGL_SWIFT_URL_FILE
	( url=$(start_server tests/servers/swift.sh "$srvdir/swift" \
	    $((37017 + $$ % 400 * 10))) || url=failed
	  echo "$url" >"$srvdir/swift.url.part"
	  mv "$srvdir/swift.url.part" "$srvdir/swift.url" ) &
	swift_start=$!
fi
if needs postgres; then
	( start_server tests/servers/postgres.sh "$srvdir/pg" \
	    $((56432 + $$ % 400 * 10)) >"$srvdir/pg.url" ||
	    echo "run-integration: cannot start PostgreSQL" >&2 ) &
	pg_start=$!
fi
if needs mongo; then
	( start_server tests/servers/mongo.sh "$srvdir/mongo" \
	    $((47017 + $$ % 400 * 10)) >"$srvdir/mongo.url" ||
	    echo "run-integration: cannot start the MongoDB-protocol server" >&2 ) &
	mongo_start=$!
fi
# The template of the suite's new SQLite databases, made by a first start
# meanwhile (lib/sqlite_template.js; lib/server.js copies it).
if needs sqlite || needs oauth || needs s3 || needs sts; then
	if PGL_STORE=sqlite node tests/integration/lib/sqlite_template.js \
	    "$srvdir/sqlite-template.db" >"$srvdir/sqlite-template.log" 2>&1
	then
		PGL_SQLITE_TEMPLATE=$srvdir/sqlite-template.db
		export PGL_SQLITE_TEMPLATE
	else
		echo "run-integration: the SQLite template was not made:" >&2
		cat "$srvdir/sqlite-template.log" >&2
		exit 1
	fi
fi
if needs postgres; then
	wait $pg_start
	PGL_PG_URL=$(cat "$srvdir/pg.url")
	[ -n "$PGL_PG_URL" ] || exit 1
	export PGL_PG_URL
fi
if needs mongo; then
	wait $mongo_start
	PGL_MONGO_URL=$(cat "$srvdir/mongo.url")
	[ -n "$PGL_MONGO_URL" ] || exit 1
	export PGL_MONGO_URL
fi

# A job still running after PGL_IT_JOB_SECS (default 600 s; the slowest
# take about 130 s) is hung: it is stopped (TERM, KILL 10 s later) and
# named as such at the end.  Without the bound one hung file held the
# whole run until CI's own limit killed it, and the end of the log named
# nothing (seen: authz.test.js, a deadlock inside Node's crypto).
PGL_IT_JOB_SECS=${PGL_IT_JOB_SECS:-600}
export PGL_IT_JOB_SECS

# One job: its TAP in tap/<pass>/<file>, its servers' logs in
# logs/<pass>/<file>/ (removed when it passes), a line when it ends; a
# failure is a line in failed.jobs.
job='pass=$1 file=$2
case $pass in
oauth) store=sqlite; export PGL_ICEBERG_AUTH=oauth ;;
s3) store=sqlite; export PGL_ICEBERG_S3=1 PGL_IT_ENCRYPTION_KEY=$PGL_IT_SEAL_KEY ;;
sts) store=sqlite; export PGL_ICEBERG_STS=1 PGL_IT_ENCRYPTION_KEY=$PGL_IT_SEAL_KEY ;;
postgres) store=postgres; export PGL_IT_ENCRYPTION_KEY=$PGL_IT_SEAL_KEY ;;
*) store=$pass ;;
esac
PGL_IT_LOGS=$PGL_IT_LOGROOT/$pass/${file%.test.js}
export PGL_IT_LOGS
t0=$(date +%s)
PGL_STORE=$store timeout -k 10 "$PGL_IT_JOB_SECS" \
    node --test-reporter=tap "tests/integration/$file" \
    >"$PGL_IT_DIR/tap/$pass/$file" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	rm -rf "$PGL_IT_LOGS"
else
	echo "$pass $file $rc" >>"$PGL_IT_DIR/failed.jobs"
fi
# CPU of the job: node and what it started and waited for (servers and
# their workers, the CLI, Chromium), from the shell'"'"'s times.
# (times must run in this shell, not a subshell: a fork starts at zero.)
times >"$PGL_IT_DIR/times.$$"
cpu=$(awk '"'"'NR == 2 { gsub(/[ms]/, " "); printf "%.0f", $1 * 60 + $2 + $3 * 60 + $4 }'"'"' "$PGL_IT_DIR/times.$$")
rm -f "$PGL_IT_DIR/times.$$"
echo "run-integration: $pass $file: exit $rc after $(($(date +%s) - t0)) s, cpu $cpu s"'
PGL_IT_DIR=$srvdir PGL_IT_LOGROOT=$logs
# The encryption pass's PANGOLIN_ENCRYPTION_KEY: 32 random bytes a run.
PGL_IT_SEAL_KEY=$(openssl rand -base64 32)
export PGL_IT_DIR PGL_IT_LOGROOT PGL_IT_SEAL_KEY
t0=$(date +%s)
echo "run-integration: $(wc -l <"$srvdir/jobs") jobs, $jobs at a time"
xargs -P "$jobs" -L 1 sh -c "$job" sh <"$srvdir/jobs" | tee "$srvdir/jobs.log"
echo "run-integration: all jobs done after $(($(date +%s) - t0)) s," \
    "their CPU $(awk '{ s += $NF == "s" ? $(NF - 1) : 0 } END { print s }' "$srvdir/jobs.log") s"
# The shared servers' CPU, which no job's counts: a server and the
# children it reaped (PostgreSQL's backends), from /proc/<pid>/stat.
srvcpu=""
for f in "$srvdir/pg/data/postmaster.pid" "$srvdir/mongo/congodb.pid" \
    "$srvdir"/swift/*.pid; do
	[ -f "$f" ] || continue
	s=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, "")
	    printf "%.0f", ($12 + $13 + $14 + $15) / hz }' \
	    "/proc/$(head -1 "$f")/stat" 2>/dev/null) || continue
	srvcpu="$srvcpu, $(basename "$(dirname "$f")")/$(basename "$f" .pid) $s s"
done
[ -n "$srvcpu" ] && echo "run-integration: the shared servers' CPU${srvcpu#,}"

# Each pass whole, its files in name order.  TAP on stdout: the "# pass
# N" and "# fail N" lines of every file are what tests/run-all.sh sums.
for p in $passes; do
	case $p in
	oauth) echo "== integration (sqlite store, iceberg-js with OAuth)" ;;
	s3) echo "== integration (sqlite store, iceberg-js on S3)" ;;
	sts) echo "== integration (sqlite store, iceberg-js with STS)" ;;
	postgres) echo "== integration (postgres store, PANGOLIN_ENCRYPTION_KEY set)" ;;
	*) echo "== integration ($p store)" ;;
	esac
	for f in $(cat "$srvdir/files.$p"); do
		if [ -s "$srvdir/tap/$p/$f" ]; then
			cat "$srvdir/tap/$p/$f"
		else
			echo "not ok - $f: no output"
			echo "# fail 1"
			status=1
		fi
	done
done

# The ten slowest jobs, by wall time.
echo "run-integration: the ten slowest jobs:"
sed -n 's/^run-integration: \([a-z0-9]*\) \([^:]*\): exit [0-9]* after \([0-9]*\) s, cpu \([0-9]*\) s$/\3 \4 \1 \2/p' \
    "$srvdir/jobs.log" | sort -rn >"$srvdir/walls"
head -10 "$srvdir/walls" |
    awk '{ printf "run-integration:   %4d s (cpu %3d s)  %s %s\n", $1, $2, $3, $4 }'
# This run's figures over the list's (the jobs it ran replace theirs),
# for `make it-times`; and every job of 30 s or more the list misses or
# puts at under half its time, named: it started later than it should.
awk -v times="$times" -v stale="$srvdir/stale" '
    BEGIN { while ((getline l < times) > 0) { split(l, f)
	if (l !~ /^#/ && f[3] != "") t[f[2] " " f[3]] = f[1] } }
    { k = $3 " " $4; if ($1 >= 30 && (!(k in t) || t[k] * 2 < $1))
	printf("run-integration:   %s took %d s, %s (make it-times)\n", k, $1,
	    (k in t) ? "listed at " t[k] " s in " times : "not in " times) >stale
      t[k] = $1 }
    END { print "# seconds pass file: the wall time of each job in a run of" \
	" tests/run-integration.sh (make it-times)"
	for (k in t) print t[k], k }' "$srvdir/walls" |
    { read -r head; echo "$head"; sort -k1,1nr -k2; } >"$out/times.txt"
if [ -s "$srvdir/stale" ]; then
	echo "run-integration: jobs that ran long against tests/integration/times.txt:"
	cat "$srvdir/stale"
fi

# A digest of what failed, for tests/run-all.sh to print last (CI logs
# are often read from the tail): every failing test of every failed job,
# the innermost first, with the first line of its error and where the
# job's server logs are.  A job that failed without a failing test (it
# died, or a hook failed) is named by its exit status.
[ -f "$srvdir/failed.jobs" ] && while read -r p f rc; do
	status=1
	dir=$logs/$p/${f%.test.js}
	[ -d "$dir" ] && where=" [logs: $dir]" || where=""
	awk -v j="$p $f" -v where="$where" -v rc="$rc" -v secs="$PGL_IT_JOB_SECS" '
	    # A test inside a describe() is named with its suites: "a › b".
	    function indent(l) { match(l, /^ */); return RLENGTH / 4 }
	    /^ *# Subtest: / { d = indent($0); t = $0; sub(/^ *# Subtest: /, "", t)
		path[d] = t; next }
	    /^ *not ok / { d = indent($0); name = ""
		for (i = 0; i < d; i++) name = name path[i] " › "
		t = $0; sub(/^ *not ok [0-9]+ - /, "", t); name = name t
		want = 1; next }
	    want && /^ *error: / { e = $0; sub(/^ *error: */, "", e)
		if (e ~ /^[|>]-?$/) { getline e; sub(/^ */, "", e) }
		else if (e ~ /^'"'"'.*'"'"'$/) e = substr(e, 2, length(e) - 2)
		want = 0
		if (e ~ /^[0-9]+ subtests? failed$/) next
		n++
		printf "run-integration: FAILED %s › %s: %s%s\n", j, name, substr(e, 1, 200), where }
	    END { if (n == 0 && (rc == 124 || rc == 137))
		printf "run-integration: FAILED %s: still running after %s s, stopped (a hang)%s\n", j, secs, where
	    else if (n == 0) printf "run-integration: FAILED %s: exit %s, no failing test reported%s\n", j, rc, where }' \
	    "$srvdir/tap/$p/$f"
done <"$srvdir/failed.jobs"
exit $status
