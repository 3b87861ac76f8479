#!/bin/sh
# Commits at the disk's pace (issue 11): `sh tests/bench/commits.sh` from
# the repository root after `make all`; tests/bench/run.sh calls it.
#
# A commit writes a new metadata file (create, write, fsync, fsync of the
# directory), then swaps the table pointer and records the catalog commit
# in one store transaction.  The baseline, measured in the same run on the
# same filesystem, is the disk doing only the file part
# (tests/bench/fsync_bench.c), per thread and with one thread per worker.
# Then, per store (SQLite; PostgreSQL when its plugin is built), a fresh
# server (release build, 2 workers, no-auth) seeded by seed.js:
#   64 tables   wrk -c64, set-properties commits round-robin over c0..c63
#   one table   wrk -c64, every commit on c0: the share still 409 after
#               the server's retries
# COMMITS_RUNS runs of COMMITS_SECS seconds each, interleaved; medians.
# Servers and cleanup: bench_servers.sh.  Writes
# build/bench/commits-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
RUNS=${COMMITS_RUNS:-3}
SECS=${COMMITS_SECS:-5}
WORKERS=${BENCH_WORKERS:-2}

die() {
	echo "commits bench: $*" >&2
	exit 2
}

command -v wrk >/dev/null 2>&1 || die "wrk is not installed (make deps)"
. "$HERE/bench_servers.sh"
bench_setup commits

cc -O2 -pthread -o "$TMP/fsync_bench" "$HERE/fsync_bench.c" ||
	die "cannot build fsync_bench"

# fsync_rate THREADS: files per second, the disk alone.
fsync_rate() {
	rm -rf "$TMP/fs" && mkdir "$TMP/fs"
	"$TMP/fsync_bench" "$TMP/fs" "$SECS" "$1"
}

# start NAME STORE: a server seeded by seed.js; prints its URL.
start() {
	url=$(bench_server "$1" "$2")
	node "$HERE/seed.js" iceberg "$url" "$TMP/$1/wh" >"$TMP/$1/seed.log" 2>&1 ||
		{ cat "$TMP/$1/seed.log" >&2; die "seeding $1 failed"; }
	echo "$url"
}

# wrk_row URL SCRIPT -> "rps p50_ms p99_ms non2xx" of one run.
wrk_row() {
	wrk -t2 -c64 -d"${SECS}s" --latency -s "$HERE/$2" "$1" 2>&1 | awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		return u == "us" ? n / 1000 : u == "s" ? n * 1000 : n
	}
	/^Requests\/sec:/		{ rps = $2 }
	/^ +[0-9.]+ requests in/	{ total = $1 }
	$1 == "50%"			{ p50 = ms($2) }
	$1 == "99%"			{ p99 = ms($2) }
	/Non-2xx or 3xx responses:/	{ bad = $NF }
	END { printf "%s %.2f %.2f %d %d\n", rps, p50, p99, bad + 0, total + 0 }'
}

median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
	END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

STORES="sqlite"
SQLITE_URL=$(start sqlite "$(bench_sqlite sqlite)")
if PG_URL=$(bench_postgres); then
	POSTGRES_URL=$(start postgres "$(bench_pg_store "$PG_URL")")
	STORES="$STORES postgres"
else
	echo "commits bench: no PostgreSQL here; SQLite only" >&2
fi

r=1
while [ "$r" -le "$RUNS" ]; do
	fsync_rate 1 >>"$TMP/fsync1"
	fsync_rate "$WORKERS" >>"$TMP/fsyncW"
	for s in $STORES; do
		eval "url=\$$(echo "$s" | tr a-z A-Z)_URL"
		wrk_row "$url/v1/bench/namespaces/b/tables/c0" commit_many.lua \
		    >>"$TMP/$s.many"
		wrk_row "$url/v1/bench/namespaces/b/tables/c0" commit_one.lua \
		    >>"$TMP/$s.one"
	done
	echo "commits bench: run $r/$RUNS done" >&2
	r=$((r + 1))
done

F1=$(median "$TMP/fsync1" 1)
FW=$(median "$TMP/fsyncW" 1)
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "# Commits beside the disk's pace"
	echo
	echo "- $(nproc) CPUs ($CPU); load average at the end $(cut -d' ' -f1-3 /proc/loadavg);" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- release build, $WORKERS workers, no-auth; wrk -t2 -c64 -d${SECS}s; $RUNS runs, medians;" \
	    "PostgreSQL is the test server (local, fsync off), so its commits pay the file's fsync only"
	echo "- baseline: create + write 2 KiB + fsync + directory fsync on the same filesystem:" \
	    "$F1/s with 1 thread, $FW/s with $WORKERS threads"
	echo
	echo "| store | row | commits/s | vs disk ($WORKERS threads) | p50 ms | p99 ms | answered 409 |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for s in $STORES; do
		for row in many one; do
			f=$TMP/$s.$row
			rps=$(median "$f" 1)
			awk -v s="$s" -v row="$row" -v rps="$rps" -v fw="$FW" \
			    -v p50="$(median "$f" 2)" -v p99="$(median "$f" 3)" '
			{ bad += $4; total += $5 }
			END {
				name = "one table"
				if (row == "many") name = "64 tables"
				ratio = 0; if (fw > 0) ratio = rps / fw
				share = 0; if (total > 0) share = 100 * bad / total
				printf "| %s | %s | %.0f | %.2f | %s | %s | %d of %d (%.2f %%) |\n", s, name, rps, ratio, p50, p99, bad, total, share
			}' "$f"
		done
	done
} >"$OUT/commits-results.md"
cat "$OUT/commits-results.md"
