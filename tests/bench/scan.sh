#!/bin/sh
# Server-side scan planning (issue 28): `sh tests/bench/scan.sh` from the
# repository root after `make bench` built ./pangolin and
# build/release/bench/scan_bench; tests/bench/run.sh calls it.
#
# tests/bench/scan_gen.js writes one format-v2 table of MANIFESTS
# manifests x FILES data files (identity-partitioned by `part`, one
# partition per manifest, column metrics on every file; data files are
# never written: a plan never opens one), registered through POST
# .../register on a SQLite store.  Then, on one server (2 workers, one
# task runner polling every 50 ms):
#   1 %      POST .../plan {"filter": part < MANIFESTS/100}: the manifest
#            list's summaries keep 1 % of the manifests; planned in the
#            request ([scan] sync_max_manifests 1000, the default since
#            issue 42; it was 16, which made it a task).  The first
#            plan is cold (its manifests read from disk); the table
#            quotes the median of RUNS warm ones (the manifests in the
#            worker's metadata cache) and their p90.
#   1 % + id a filter on part and on id: the same manifests, and column
#            metrics keep one file in each.
#   all      no filter: every manifest read, every file planned, as a
#            task (submitted -> completed, polled every 20 ms), then every
#            plan task fetched; timed from the POST to the last part.
# A plan's time is curl's own (%{time_total}: connect to the last byte of
# the answer), not the shell's around it.
# Beside them, in the same run: reading every manifest of the table once
# and decoding every entry in full (tests/bench/scan_bench.c, the pure
# reader the planner uses, no evaluation), and `cat` of the same files.
# Bytes read from storage per plan come from the X-Pangolin-Scan header
# the plan route answers; peak RSS is the workers' and the runner's
# VmHWM after the runs.
#
# Environment:
#   BENCH_SCAN_MANIFESTS  manifests of the table        (10000)
#   BENCH_SCAN_FILES      data files per manifest       (100)
#   BENCH_SCAN_RUNS       warm plans per row            (20)
#
# Writes build/bench/scan-results.md and prints it.
set -eu

OUT=build/bench
HERE=tests/bench
MANIFESTS=${BENCH_SCAN_MANIFESTS:-10000}
FILES=${BENCH_SCAN_FILES:-100}
RUNS=${BENCH_SCAN_RUNS:-20}
SCAN_BENCH=build/release/bench/scan_bench

die() {
	echo "scan bench: $*" >&2
	exit 2
}
say() {
	echo "scan bench: $*" >&2
}

[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
[ -x "$SCAN_BENCH" ] || die "$SCAN_BENCH is missing: run 'make bench'"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-scan.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WH=$TMP/warehouse
port=$(node "$HERE/seed.js" port)
cat >"$TMP/scan.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = 2
pid_file = "$TMP/scan.pid"

[store]
plugin = "store-sqlite"

[store.options]
path = "$TMP/scan.db"

[auth]
no_auth = true

[tasks]
concurrency = 1
poll_interval_ms = 50

[scan]
sync_max_manifests = 1000
# The every-file plan stores ~350 MB: past the defaults' ceilings of one
# plan (64 MiB) and of a tenant's stored plans (256 MiB).
max_plan_bytes = 1073741824
max_bytes_per_tenant = 0

[defaults]
warehouse = "wh"
warehouse_root = "$WH"
catalog = "bench"
EOT
env -u DATABASE_URL -u PANGOLIN_CONFIG -u TASK_WORKER_CONCURRENCY \
    -u TASK_WORKER_POLL_INTERVAL_MS ./pangolin -c "$TMP/scan.toml" \
    >"$TMP/scan.log" 2>&1 &
PID=$!
URL=http://127.0.0.1:$port
i=0
until curl -sf -o /dev/null "$URL/health/ready"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$TMP/scan.log" >&2; die "the server did not start"; }
	sleep 0.1
done

now() {
	date +%s.%N
}
req() {
	curl -s -o "$TMP/req.out" -D "$TMP/req.hdr" -w '%{http_code}' -X "$1" \
	    -H 'content-type: application/json' ${3:+-d "$3"} "$URL$2"
}
# timed_req METHOD PATH BODY: "status ms", the time as curl measured it
# (connect to last byte), without the shell's fork and exec around it.
timed_req() {
	curl -s -o "$TMP/req.out" -D "$TMP/req.hdr" \
	    -w '%{http_code} %{time_total}' -X "$1" \
	    -H 'content-type: application/json' ${3:+-d "$3"} "$URL$2" |
	    awk '{ printf "%s %.2f\n", $1, $2 * 1000 }'
}
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-"
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
p90() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { i = int(NR * 0.9); if (i < 1) i = 1; print v[i] }'
}
# The X-Pangolin-Scan header's field of the last answer.
stat_of() {
	tr -d '\r' <"$TMP/req.hdr" | awk -v k="$1" 'tolower($0) ~ /^x-pangolin-scan:/ {
		n = split($2, kv, ";"); for (i = 1; i <= n; i++) { split(kv[i], p, "=");
		if (p[1] == k) print p[2] } }'
}

[ "$(req POST /v1/bench/namespaces '{"namespace":["s"]}')" = 200 ] ||
	die "create namespace: $(cat "$TMP/req.out")"
LOC=$WH/bench/s/big
say "writing a table of $MANIFESTS manifests x $FILES data files"
t0=$(now)
node "$HERE/scan_gen.js" gen "$LOC" "$MANIFESTS" "$FILES" >"$TMP/gen.out" ||
	die "the generator failed"
GEN_SECS=$(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }')
META=$(cut -d' ' -f1 "$TMP/gen.out")
DATAFILES=$(cut -d' ' -f2 "$TMP/gen.out")
MBYTES=$(du -sm "$LOC/metadata" | cut -f1)
[ "$(req POST /v1/bench/namespaces/s/register \
    "{\"name\":\"big\",\"metadata-location\":\"file://$META\"}")" = 200 ] ||
	die "register: $(cat "$TMP/req.out")"
T=/v1/bench/namespaces/s/tables/big

# Baselines: every manifest read and decoded once; cat of the same bytes.
sync
"$SCAN_BENCH" "$LOC/metadata" >"$TMP/floor.out" || die "scan_bench failed"
t0=$(now)
cat "$LOC"/metadata/*-m*.avro >/dev/null
CAT_MS=$(echo "$(now) $t0" | awk '{ printf "%.0f", ($1 - $2) * 1000 }')
read -r F_MANIFESTS F_BYTES F_ENTRIES F_READ F_DECODE <"$TMP/floor.out"

# plan_row NAME BODY: one cold plan, then RUNS warm ones.
plan_row() {
	name=$1 body=$2
	: >"$TMP/$name.ms"
	read -r code cold <<EOT
$(timed_req POST "$T/plan" "$body")
EOT
	[ "$code" = 200 ] || die "$name: $code $(cat "$TMP/req.out")"
	grep -q '"completed"' "$TMP/req.out" || die "$name: not planned in the request: $(head -c 300 "$TMP/req.out")"
	eval "${name}_COLD=$cold"
	eval "${name}_COLD_BYTES=$(stat_of bytes-read)"
	eval "${name}_READ=$(stat_of manifests-read)"
	eval "${name}_FILES=$(stat_of files)"
	r=0
	while [ $r -lt "$RUNS" ]; do
		read -r code ms <<EOT
$(timed_req POST "$T/plan" "$body")
EOT
		echo "$ms" >>"$TMP/$name.ms"
		[ "$code" = 200 ] || die "$name: $code"
		r=$((r + 1))
	done
	eval "${name}_WARM_BYTES=$(stat_of bytes-read)"
	eval "${name}_P50=$(median "$TMP/$name.ms")"
	eval "${name}_P90=$(p90 "$TMP/$name.ms")"
}
KEEP=$((MANIFESTS / 100))
say "planning 1 % of the partitions, $RUNS times"
plan_row one "{\"filter\":{\"type\":\"lt\",\"term\":\"part\",\"value\":$KEEP}}"
say "planning 1 % of the partitions and one id range, $RUNS times"
plan_row ids "{\"filter\":{\"type\":\"and\",\"left\":{\"type\":\"lt\",\"term\":\"part\",\"value\":$KEEP},\"right\":{\"type\":\"lt\",\"term\":\"id\",\"value\":50}}}"

# Everything, as a task, then every part fetched.
say "planning every file as a task"
t0=$(now)
code=$(req POST "$T/plan" '{}')
[ "$code" = 200 ] || die "all: $code $(cat "$TMP/req.out")"
ID=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));process.stdout.write(j["plan-id"])' "$TMP/req.out")
while :; do
	code=$(req GET "$T/plan/$ID")
	grep -q '"submitted"' "$TMP/req.out" || break
	sleep 0.02
done
grep -q '"completed"' "$TMP/req.out" || die "all: $(head -c 300 "$TMP/req.out")"
ALL_PLAN_MS=$(echo "$(now) $t0" | awk '{ printf "%.0f", ($1 - $2) * 1000 }')
node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));for(const t of j["plan-tasks"])console.log(t)' "$TMP/req.out" >"$TMP/parts"
PARTS=$(wc -l <"$TMP/parts")
ALL_FILES=0
while read -r pt; do
	[ "$(req POST "$T/tasks" "{\"plan-task\":\"$pt\"}")" = 200 ] || die "fetch $pt: $(cat "$TMP/req.out")"
	n=$(grep -o '"data-file"' "$TMP/req.out" | wc -l)
	ALL_FILES=$((ALL_FILES + n))
done <"$TMP/parts"
ALL_MS=$(echo "$(now) $t0" | awk '{ printf "%.0f", ($1 - $2) * 1000 }')
[ "$ALL_FILES" = "$DATAFILES" ] || die "all: $ALL_FILES files planned of $DATAFILES"

# Peak RSS: the workers (the server's children) and the runner.
rss_of() {
	m=0
	for p in "$@"; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$m" ] && m=$v
	done
	echo $((m / 1024))
}
KIDS=$(ps -o pid= --ppid "$PID" | tr -d ' ')
GRAND=$(for c in $KIDS; do ps -o pid= --ppid "$c"; done | tr -d ' ')
RSS_WORKERS=$(rss_of $KIDS)
RSS_RUNNER=$(rss_of $GRAND)

RES=$OUT/scan-results.md
{
	echo "## Scan planning (issue 28)"
	echo
	echo "- table: format v2, $MANIFESTS manifests x $FILES data files = $DATAFILES files, $MBYTES MB of manifests, one partition per manifest, column metrics on every file (written in $GEN_SECS s by tests/bench/scan_gen.js)"
	echo "- machine: $(nproc) CPUs, load at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg); release build, SQLite store, 2 workers, 1 runner"
	echo
	echo "| plan | manifests read | files planned | cold ms (bytes read) | warm p50 ms | warm p90 ms | warm bytes read |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	echo "| 1 % of partitions (part < $KEEP) | $one_READ | $one_FILES | $one_COLD ($one_COLD_BYTES) | $one_P50 | $one_P90 | $one_WARM_BYTES |"
	echo "| 1 % and id < 50 (metrics) | $ids_READ | $ids_FILES | $ids_COLD ($ids_COLD_BYTES) | $ids_P50 | $ids_P90 | $ids_WARM_BYTES |"
	echo
	echo "| every file (task) | plan tasks | files | submit to completed ms | to the last part fetched ms |"
	echo "|---|---:|---:|---:|---:|"
	echo "| no filter | $PARTS | $ALL_FILES | $ALL_PLAN_MS | $ALL_MS |"
	echo
	echo "| baseline, same files, same run | manifests | MB | entries | ms |"
	echo "|---|---:|---:|---:|---:|"
	echo "| read every manifest once (scan_bench) | $F_MANIFESTS | $((F_BYTES / 1048576)) | - | $F_READ |"
	echo "| decode every entry in full (scan_bench) | $F_MANIFESTS | - | $F_ENTRIES | $F_DECODE |"
	echo "| cat every manifest to /dev/null | $F_MANIFESTS | - | - | $CAT_MS |"
	echo
	echo "Peak RSS: workers $RSS_WORKERS MB, task runner $RSS_RUNNER MB."
} >"$RES"
cat "$RES"
