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

. "$HERE/bench_servers.sh"
bench_setup merge

# run NAME STORE: a server, the bench; appends its rows.
run() {
	url=$(bench_server "$1" "$2")
	node "$HERE/merge.js" "$url" "$(bench_wh "$1")" "$N" "$C" "$RUNS" \
	    >"$TMP/$1.rows" || die "the $1 run failed"
	bench_stop "$1"
	echo "merge bench: $1 done" >&2
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
run sqlite "$(bench_sqlite sqlite)"
STORES=sqlite
if PG_URL=$(bench_postgres); then
	run postgres "$(bench_pg_store "$PG_URL")"
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
