#!/bin/sh
# Table maintenance and task runners (issue 12): `sh tests/bench/maintenance.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
#
# 1. Expire and orphan scan on one big table.  tests/bench/maint_gen.js
#    writes a format-v2 table of SNAPSHOTS overwrite snapshots of FILES
#    data files each (manifest lists and manifests: Avro written by avsc
#    to the Iceberg spec; data files empty placeholders) straight into the
#    catalog's storage, and its metadata JSON; it is registered through
#    POST .../register.  Per run, on a fresh hard-linked copy of it:
#      expire   POST .../maintenance {expire_snapshots, older_than_ms 0,
#               retain_last 1}: every snapshot but the last goes, with its
#               manifest list, manifest and data files;
#      orphans  the same table plus ORPHANS files no snapshot reaches,
#               spread over its data directories: remove_orphan_files,
#               older_than_ms 0 (lists the location, reads every
#               manifest list and manifest, deletes the orphans).
#    Each is timed from the 202 to the GET that shows it succeeded (the
#    runner polls every 50 ms here, one runner, SQLite store, a fresh
#    server for each task), with the runner's peak RSS (VmHWM, reset
#    through /proc/PID/clear_refs before the POST).  Beside them, in the same run and on the same files:
#    `find -type f` listing the same tree just before the task, and for
#    the expire `find -type f -delete` of a hard-linked copy of the same
#    files (wall time and peak RSS from /usr/bin/time).  The table's
#    files are hard links to a pristine copy in every run, for the task
#    and the baselines alike (an unlink frees no inode).  Runs
#    interleave; medians quoted.
# 2. Task claim latency: a fresh server per row with the default
#    TASK_WORKER_POLL_INTERVAL_MS (1000), CLAIMS tasks one at a time (a
#    dry-run expire of an empty table), each POSTed after a random pause
#    within one poll interval; from sending the POST to the first GET
#    (every 2 ms) that shows it claimed.  Then BURST such tasks queued
#    through a server whose runners are off (TASK_WORKER_ENABLED=false)
#    and drained by a second server on the same store with the row's
#    runners: tasks per second from the first claim seen to the queue
#    empty.  SQLite with the default 2 runners; PostgreSQL with 2
#    and with 4.  Beside them the raw store round trips of the same
#    lifecycle (tests/bench/claim_bench.c: create_task, claim_task,
#    update_task to succeeded, called directly on the plugin).
#
# Environment:
#   BENCH_MAINT_SNAPSHOTS  snapshots of the big table          (10000)
#   BENCH_MAINT_FILES      data files per snapshot             (10)
#   BENCH_MAINT_ORPHANS    orphan files for the orphan scan    (10000)
#   BENCH_MAINT_RUNS       runs of each maintenance row        (3)
#   BENCH_MAINT_CLAIMS     tasks for the claim latency         (20)
#   BENCH_MAINT_BURST      tasks for the tasks-per-second row  (1000)
#   BENCH_MAINT_BACKENDS   sqlite and/or postgres              (sqlite postgres)
#
# Writes build/bench/maintenance-results.md and prints it.
set -eu

OUT=build/bench
HERE=tests/bench
SNAPS=${BENCH_MAINT_SNAPSHOTS:-10000}
FILES=${BENCH_MAINT_FILES:-10}
ORPHANS=${BENCH_MAINT_ORPHANS:-10000}
RUNS=${BENCH_MAINT_RUNS:-3}
CLAIMS=${BENCH_MAINT_CLAIMS:-20}
BURST=${BENCH_MAINT_BURST:-1000}
BACKENDS=${BENCH_MAINT_BACKENDS:-sqlite postgres}

die() {
	echo "maintenance bench: $*" >&2
	exit 2
}
say() {
	echo "maintenance bench: $*" >&2
}

[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-maint.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PID=
API_PID=
DRAIN_PID=
PG_DIR=
cleanup() {
	for p in $PID $API_PID $DRAIN_PID; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -z "$PG_DIR" ] || sh tests/servers/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
WH=$TMP/warehouse

# start NAME STORE_TOML [ENV=V ...]: a server (2 workers, no-auth, catalog
# "bench" on $WH); sets PID and URL.
start() {
	name=$1 store=$2
	shift 2
	port=$(node "$HERE/seed.js" port)
	cat >"$TMP/$name.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = 2
pid_file = "$TMP/$name.pid"

$store

[auth]
no_auth = true

[defaults]
warehouse = "wh"
warehouse_root = "$WH"
catalog = "bench"
EOT
	env -u TASK_WORKER_CONCURRENCY -u TASK_WORKER_POLL_INTERVAL_MS \
	    -u TASK_WORKER_ENABLED -u DATABASE_URL -u PANGOLIN_CONFIG "$@" \
	    ./pangolin -c "$TMP/$name.toml" >"$TMP/$name.log" 2>&1 &
	PID=$!
	URL=http://127.0.0.1:$port
	i=0
	until curl -sf -o /dev/null "$URL/health/ready"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$name.log" >&2; die "$name did not start"; }
		sleep 0.1
	done
}
stop() {
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
}

# The task runners: the children of the server's children (the
# supervisor's); Kore's workers have none.
runners() {
	for c in $(ps -o pid= --ppid "$PID"); do
		ps -o pid= --ppid "$c"
	done | tr -d ' '
}
hwm_reset() {
	for r in $(runners); do echo 5 >"/proc/$r/clear_refs" 2>/dev/null || true; done
}
# Largest VmHWM (kB) among the runners.
hwm() {
	m=0
	for r in $(runners); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$r/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	echo "$m"
}
now() {
	date +%s.%N
}
# timed OUTFILE CMD...: appends "seconds peak_rss_kB" of CMD to OUTFILE.
timed() {
	f=$1
	shift
	t0=$(now)
	/usr/bin/time -f %M -o "$TMP/rss" "$@" >"$TMP/timed.out"
	t1=$(now)
	echo "$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }') $(tail -1 "$TMP/rss")" >>"$f"
}
median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '
	{ v[NR] = $c }
	END {
		if (NR == 0) print "-"
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}
req() {
	curl -s -o "$TMP/req.out" -w '%{http_code}' -X "$1" \
	    -H 'content-type: application/json' ${3:+-d "$3"} "$URL$2"
}

# --- 1. expire and orphan scan -------------------------------------------------

# A fresh server (the same database) before each task: a runner's heap
# is not given back after a task, so its peak RSS would carry over.
maint_server() {
	[ -z "$PID" ] || stop
	start maint "[store]
plugin = \"store-sqlite\"

[store.options]
path = \"$TMP/maint.db\"" TASK_WORKER_CONCURRENCY=1 TASK_WORKER_POLL_INTERVAL_MS=50
}
maint_server
[ "$(req POST /v1/bench/namespaces '{"namespace":["m"]}')" = 200 ] ||
	die "create namespace: $(cat "$TMP/req.out")"
LOC=$WH/bench/m/big
say "writing a table of $SNAPS snapshots x $FILES data files, and $ORPHANS orphans"
t0=$(now)
node "$HERE/maint_gen.js" gen "$LOC" "$SNAPS" "$FILES" "$ORPHANS" "$TMP/orphans" \
    >"$TMP/gen.out" || die "the generator failed"
GEN_SECS=$(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }')
META=$(cut -d' ' -f1 "$TMP/gen.out")
DATAFILES=$(cut -d' ' -f2 "$TMP/gen.out")
AVROFILES=$(cut -d' ' -f3 "$TMP/gen.out")
mv "$LOC" "$TMP/pristine"

# restore [orphans]: the table's files afresh (hard links to the pristine
# copy), registered again under the same metadata file.
restore() {
	code=$(req DELETE /v1/bench/namespaces/m/tables/big)
	[ "$code" = 204 ] || [ "$code" = 404 ] || die "drop: $code $(cat "$TMP/req.out")"
	rm -rf "$LOC"
	cp -al "$TMP/pristine" "$LOC"
	[ -z "${1:-}" ] || cp -al "$TMP/orphans/." "$LOC/"
	[ "$(req POST /v1/bench/namespaces/m/register \
	    "{\"name\":\"big\",\"metadata-location\":\"file://$META\"}")" = 200 ] ||
		die "register: $(cat "$TMP/req.out")"
}
# task FILE BODY: one maintenance task; appends "seconds status expired
# deleted listed peak_rss_kB" to FILE.
task() {
	hwm_reset
	res=$(node "$HERE/maint.js" task "$URL" /v1/bench/namespaces/m/tables/big "$2") ||
		die "the task failed"
	set -- "$1" $res
	[ "$3" = succeeded ] || die "task ended $3"
	echo "$2 $3 $4 $5 $6 $(hwm)" >>"$1"
}

: >"$TMP/expire" ; : >"$TMP/orphan" ; : >"$TMP/list" ; : >"$TMP/delete" ; : >"$TMP/olist"
run=1
while [ "$run" -le "$RUNS" ]; do
	maint_server
	restore
	timed "$TMP/list" find "$LOC" -type f
	TREE=$(wc -l <"$TMP/timed.out")
	task "$TMP/expire" '{"operations":["expire_snapshots"],"older_than_ms":0,"retain_last":1}'
	cp -al "$TMP/pristine" "$TMP/copy"
	timed "$TMP/delete" find "$TMP/copy" -type f -delete
	rm -rf "$TMP/copy"
	maint_server
	restore orphans
	timed "$TMP/olist" find "$LOC" -type f
	OTREE=$(wc -l <"$TMP/timed.out")
	task "$TMP/orphan" '{"operations":["remove_orphan_files"],"older_than_ms":0}'
	say "run $run/$RUNS: expire $(cut -d' ' -f1 "$TMP/expire" | tail -1) s, orphans $(cut -d' ' -f1 "$TMP/orphan" | tail -1) s"
	run=$((run + 1))
done
rm -rf "$TMP/copy" "$LOC"
stop

EXP_S=$(median "$TMP/expire" 1)
EXP_N=$(tail -1 "$TMP/expire" | cut -d' ' -f3)
EXP_F=$(tail -1 "$TMP/expire" | cut -d' ' -f4)
EXP_RSS=$(median "$TMP/expire" 6)
ORP_S=$(median "$TMP/orphan" 1)
ORP_F=$(tail -1 "$TMP/orphan" | cut -d' ' -f4)
ORP_L=$(tail -1 "$TMP/orphan" | cut -d' ' -f5)
ORP_RSS=$(median "$TMP/orphan" 6)
LIST_S=$(median "$TMP/list" 1)
LIST_RSS=$(median "$TMP/list" 2)
DEL_S=$(median "$TMP/delete" 1)
DEL_RSS=$(median "$TMP/delete" 2)
OLIST_S=$(median "$TMP/olist" 1)
OLIST_RSS=$(median "$TMP/olist" 2)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'
}
mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# --- 2. claim latency and tasks per second -----------------------------------------

BIN=build/release/bench/claim_bench
[ -x "$BIN" ] || die "$BIN is missing: make bench builds it"

: >"$TMP/claims"
# claim_row LABEL RUNNERS STORE_TOML PLUGIN PLUGIN_OPTS
claim_row() {
	if [ "$2" = 2 ]; then
		start claims "$3"
	else
		start claims "$3" TASK_WORKER_CONCURRENCY="$2"
	fi
	node "$HERE/maint.js" setup "$URL" bench 8 || die "setup failed"
	lat=$(node "$HERE/maint.js" claims "$URL" bench "$CLAIMS" 1000) ||
		die "the claim latency run failed"
	stop
	# Throughput: BURST tasks queued through a server whose runners are
	# off, then a second server on the same store with RUNNERS runners
	# drains them; timed from the first claim seen to the queue empty.
	start api "$3" TASK_WORKER_ENABLED=false
	API_PID=$PID API_URL=$URL
	node "$HERE/maint.js" enqueue "$URL" bench "$BURST" 8 || die "enqueue failed"
	rm -f "$TMP/drain.ready"
	node "$HERE/maint.js" drain "$API_URL" "$BURST" "$TMP/drain.ready" >"$TMP/drain.out" &
	DRAIN_PID=$!
	while [ ! -f "$TMP/drain.ready" ]; do sleep 0.05; done
	start runners "$3" TASK_WORKER_CONCURRENCY="$2"
	wait "$DRAIN_PID" || die "the drain failed"
	tps=$(cat "$TMP/drain.out")
	stop
	PID=$API_PID
	stop
	API_PID= DRAIN_PID=
	raw=$("$BIN" -p "build/release/plugins/store-$4.so" -o "$5" -n 200) ||
		die "claim_bench failed on $4"
	say "$1, $2 runners: claim p50/p90/max $lat ms; $tps (tasks/s s failed); raw $raw"
	echo "$1|$2|$lat|$tps|$raw" >>"$TMP/claims"
}

for b in $BACKENDS; do
	case $b in
	sqlite)
		claim_row SQLite 2 "[store]
plugin = \"store-sqlite\"

[store.options]
path = \"$TMP/claims.db\"" sqlite "path=$TMP/claims-raw.db"
		;;
	postgres)
		[ -f build/release/plugins/store-postgres.so ] ||
			{ say "store-postgres is not built: PostgreSQL rows skipped"; continue; }
		PG_DIR=$TMP/pg
		PG_URL=$(sh tests/servers/postgres.sh start "$PG_DIR" "$(node "$HERE/seed.js" port)") ||
			die "cannot start PostgreSQL (make deps-test installs it)"
		for n in 2 4; do
			claim_row PostgreSQL "$n" "[store]
plugin = \"store-postgres\"

[store.options]
url = \"$PG_URL\"
schema = \"claims$n\"" postgres "url=$PG_URL;schema=raw$n"
		done
		sh tests/servers/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || true
		PG_DIR=
		;;
	*) die "unknown backend $b" ;;
	esac
done

# --- the table ---------------------------------------------------------------------

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "# Table maintenance and task runners"
	echo
	echo "- machine: $(nproc) CPUs, ${CPU:-unknown}, Linux $(uname -r); load average (1/5/15 min) at start $LOAD_START, at end $LOAD_END; wall time $(($(date +%s) - START)) s; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- table: format v2, $SNAPS snapshots (overwrites), $DATAFILES data files (empty placeholders), $AVROFILES Avro files (a manifest list and a manifest per snapshot, avsc), written in $GEN_SECS s by tests/bench/maint_gen.js and registered; for the orphan scan $ORPHANS more files no snapshot reaches in the same directories"
	echo "- server: release build, 2 workers, SQLite store, one task runner polling every 50 ms, a fresh server (same database) for each task; a task is timed from its 202 to the GET (every 20 ms) that shows it succeeded; peak RSS is the runner's VmHWM; $RUNS runs, interleaved with the baselines, medians"
	echo
	echo "| operation | files | seconds (median) | peak RSS MiB | baseline, same files, same run | baseline s | baseline peak RSS MiB | time vs baseline |"
	echo "|---|---:|---:|---:|---|---:|---:|---:|"
	echo "| expire_snapshots: $EXP_N snapshots expired | $EXP_F deleted | $EXP_S | $(mb "$EXP_RSS") | \`find -type f -delete\` of the $TREE files (hard-linked copy) | $DEL_S | $(mb "$DEL_RSS") | $(ratio "$EXP_S" "$DEL_S") |"
	echo "| (same) | | | | \`find -type f\` listing the $TREE files | $LIST_S | $(mb "$LIST_RSS") | $(ratio "$EXP_S" "$LIST_S") |"
	echo "| remove_orphan_files: $ORP_L listed | $ORP_F deleted | $ORP_S | $(mb "$ORP_RSS") | \`find -type f\` listing the $OTREE files | $OLIST_S | $(mb "$OLIST_RSS") | $(ratio "$ORP_S" "$OLIST_S") |"
	echo
	echo "Task claim latency (default TASK_WORKER_POLL_INTERVAL_MS 1000: an idle runner naps a second between looks; $CLAIMS tasks, each POSTed after a random pause within one interval; from sending the POST to the first GET, every 2 ms, showing it claimed) and throughput ($BURST such tasks over 8 empty tables queued through a server with its runners off, then drained by a second server on the same store with the row's runners; from the first claim seen to the queue empty).  Baseline: the same lifecycle straight on the store plugin, one connection, no HTTP (tests/bench/claim_bench.c, median of 200: create_task, claim_task, update_task to succeeded)."
	echo
	echo "| store | runners | claim p50 ms | p90 ms | max ms | tasks/s | failed | raw create µs | raw claim µs | raw finish µs | raw lifecycle/s, one connection | tasks/s vs raw |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'|' '{
		split($3, l, " "); split($4, t, " "); split($5, w, " ")
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n", $1, $2, l[1], l[2], l[3], t[1], t[3] == 0 ? "0" : "some", w[1], w[2], w[3], w[4], t[1] / w[4]
	}' "$TMP/claims"
} >"$OUT/maintenance-results.md"
cat "$OUT/maintenance-results.md"
