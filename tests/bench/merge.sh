#!/bin/sh
# Merge bench (issue 13): `sh tests/bench/merge.sh` from the repository
# root after `make all`; tests/bench/run.sh calls it.
#
# Per store (SQLite; PostgreSQL when its plugin is built and a server can
# be started), a fresh server (release build, 2 workers, no-auth) holding
# MERGE_TABLES tables (default 10,000); then MERGE_RUNS times (3): a
# branch, MERGE_CHANGED (100) set-properties commits on it and as many on
# main, and POST /api/v1/branches/merge timed, beside the naive per-asset
# loop a client would run instead (loadTable of every table on both
# branches) in the same run (tests/bench/merge.js).  The merge's store
# queries are constant in number whatever the catalog's size (the
# branches' assets, the merge base, the base's history: store.sh counts
# the round trips of each).  Writes build/bench/merge-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
N=${MERGE_TABLES:-10000}
C=${MERGE_CHANGED:-100}
RUNS=${MERGE_RUNS:-3}

die() {
	echo "merge bench: $*" >&2
	exit 2
}

[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-merge.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PIDS=
cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	sh tests/servers/postgres.sh stop "$TMP/pg" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# run NAME STORE_LINES: a server, the bench; appends its rows.
run() {
	port=$(node "$HERE/seed.js" port)
	mkdir -p "$TMP/$1"
	cat >"$TMP/$1/pangolin.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = 2
pid_file = "$TMP/$1/pangolin.pid"

$2

[auth]
no_auth = true
EOT
	./pangolin -c "$TMP/$1/pangolin.toml" >"$TMP/$1/log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1/log" >&2; die "$1 did not start"; }
		sleep 0.1
	done
	node "$HERE/merge.js" "http://127.0.0.1:$port" "$TMP/$1/wh" "$N" "$C" \
	    "$RUNS" >"$TMP/$1.rows" || die "the $1 run failed"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "merge bench: $1 done" >&2
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
run sqlite "[store]
plugin = \"store-sqlite\"

[store.options]
path = \"$TMP/sqlite/pangolin.db\""
STORES=sqlite
if [ -f build/release/plugins/store-postgres.so ] &&
    PG_URL=$(sh tests/servers/postgres.sh start "$TMP/pg" \
    "$(node "$HERE/seed.js" port)" 2>"$TMP/pg.err"); then
	run postgres "[store]
plugin = \"store-postgres\"

[store.options]
url = \"$PG_URL\""
	STORES="$STORES postgres"
else
	echo "merge bench: no PostgreSQL here; SQLite only" >&2
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "merge of $C changed tables on each side, $N tables in the catalog;" \
	    "median of $RUNS runs; load average $LOAD_START at start, $LOAD_END at end"
	echo
	echo "| store | tables | changed per side | merge ms | naive loop ms | naive requests |"
	echo "|---|---:|---:|---:|---:|---:|"
	for s in $STORES; do
		m=$(awk '{ print $3 }' "$TMP/$s.rows" | sort -g |
		    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		nv=$(awk '{ print $4 }' "$TMP/$s.rows" | sort -g |
		    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		echo "| $s | $N | $C | $m | $nv | $((2 * N)) |"
	done
} | tee "$OUT/merge-results.md"
