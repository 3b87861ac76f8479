#!/bin/sh
# Commits at the disk's pace (issue 11): `sh tests/bench/commits.sh` from
# the repository root after `make all`; tests/bench/run.sh calls it.
#
# A commit writes a new metadata file (create, write, fsync, fsync of the
# directory), then swaps the table pointer and records the catalog commit
# in one store transaction.  The baseline, measured in the same run on the
# same filesystem, is the disk doing only the file part
# (tests/bench/fsync_bench.c), with one thread, one per worker, and as
# many as the workers' write pools hold (PGL_WPOOL_THREADS each, so many
# files are in flight at once, as in a commit storm).
# Then, per store (SQLite; PostgreSQL when its plugin is built), a fresh
# server (release build, 2 workers, no-auth) seeded by seed.js:
#   64 tables   wrk -c64, set-properties commits round-robin over c0..c63
#   one table   wrk -c64, every commit on c0: the share still 409 after
#               the server's retries
#   1 connection  wrk -c1 over the 64 tables, beside the disk with 1 thread
# COMMITS_RUNS runs of COMMITS_SECS seconds each, interleaved; medians.
# Beside each row: the server's CPU time per commit (user + system of the
# parent, its workers and their write pools, from /proc, over the commits
# wrk counted), which stays put when the disk's pace swings.
# Servers and cleanup: bench_servers.sh.  Writes
# build/bench/commits-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
RUNS=${COMMITS_RUNS:-3}
SECS=${COMMITS_SECS:-5}
WORKERS=${BENCH_WORKERS:-2}
POOL=$(awk '/define PGL_WPOOL_THREADS/ { print $3 }' src/storage/write_pool.h)
POOLED=$((WORKERS * ${POOL:-16}))

die() {
	echo "commits bench: $*" >&2
	exit 2
}

command -v wrk >/dev/null 2>&1 || die "wrk is not installed (make deps)"
. "$HERE/bench_servers.sh"
bench_setup commits

FSYNC_BENCH=build/release/bench/fsync_bench
[ -x "$FSYNC_BENCH" ] || die "$FSYNC_BENCH is missing: make bench builds it"

# fsync_rate THREADS: files per second, the disk alone, and its CPU
# time per file.
fsync_rate() {
	rm -rf "$TMP/fs" && mkdir "$TMP/fs"
	"$FSYNC_BENCH" "$TMP/fs" "$SECS" "$1"
}

# start NAME STORE: a server seeded by seed.js; prints its URL.
start() {
	url=$(bench_server "$1" "$2")
	node "$HERE/seed.js" iceberg "$url" "$(bench_wh "$1")" >"$TMP/$1/seed.log" 2>&1 ||
		{ cat "$TMP/$1/seed.log" >&2; die "seeding $1 failed"; }
	echo "$url"
}

# mixed_row URL -> "loads/s p50_ms p99_ms commits/s": loadTable of one
# table (8 connections) while 32 connections commit across the 64
# tables: what a commit storm costs the readers on the same workers.
mixed_row() {
	wrk -t1 -c32 -d"${SECS}s" -s "$HERE/commit_many.lua" \
	    "$1/v1/bench/namespaces/b/tables/c0" >"$TMP/mix.commits" 2>&1 &
	mpid=$!
	wrk -t1 -c8 -d"${SECS}s" --latency "$1/v1/bench/namespaces/b/tables/c1" \
	    >"$TMP/mix.loads" 2>&1
	wait "$mpid"
	awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		return u == "us" ? n / 1000 : u == "s" ? n * 1000 : n
	}
	FILENAME ~ /loads/ && /^Requests\/sec:/	{ rps = $2 }
	FILENAME ~ /loads/ && $1 == "50%"	{ p50 = ms($2) }
	FILENAME ~ /loads/ && $1 == "99%"	{ p99 = ms($2) }
	FILENAME ~ /commits/ && /^Requests\/sec:/	{ c = $2 }
	END { printf "%s %.2f %.2f %s\n", rps, p50, p99, c }' \
	    "$TMP/mix.loads" "$TMP/mix.commits"
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
	fsync_rate "$POOLED" >>"$TMP/fsyncP"
	for s in $STORES; do
		eval "url=\$$(echo "$s" | tr a-z A-Z)_URL"
		wrk_row "$s" "$url/v1/bench/namespaces/b/tables/c0" commit_many.lua \
		    >>"$TMP/$s.many"
		wrk_row "$s" "$url/v1/bench/namespaces/b/tables/c0" commit_many.lua 1 \
		    >>"$TMP/$s.single"
		wrk_row "$s" "$url/v1/bench/namespaces/b/tables/c0" commit_one.lua \
		    >>"$TMP/$s.one"
		mixed_row "$url" >>"$TMP/$s.mixed"
	done
	echo "commits bench: run $r/$RUNS done" >&2
	r=$((r + 1))
done

F1=$(median "$TMP/fsync1" 1)
FW=$(median "$TMP/fsyncW" 1)
FP=$(median "$TMP/fsyncP" 1)
FPCPU=$(median "$TMP/fsyncP" 2)
NCPU=$(nproc)
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "# Commits beside the disk's pace"
	echo
	echo "- $(nproc) CPUs ($CPU); load average at the end $(cut -d' ' -f1-3 /proc/loadavg);" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- release build, $WORKERS workers, no-auth; wrk -t2 -c64 -d${SECS}s; $RUNS runs, medians;" \
	    "PostgreSQL is the test server (local, fsync off), so its commits pay the file's fsync only"
	echo "- baseline: create + write 2 KiB + fsync + directory fsync on the same filesystem:" \
	    "$F1/s with 1 thread, $FW/s with $WORKERS threads, $FP/s with $POOLED threads" \
	    "($FPCPU us of CPU per file at $POOLED threads)"
	echo "- CPU ceiling: $NCPU CPUs give $((NCPU * 1000000)) us of CPU a second, so a commit that costs the" \
	    "server C us of CPU cannot pass $NCPU x 10^6 / C commits/s however fast the disk (the last column below)"
	echo
	echo "| store | row | commits/s | vs disk (1 thread) | vs disk ($POOLED threads) | server CPU per commit | p50 ms | p99 ms | answered 409 | CPU ceiling, commits/s |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for s in $STORES; do
		for row in many single one; do
			f=$TMP/$s.$row
			rps=$(median "$f" 1)
			awk -v s="$s" -v row="$row" -v rps="$rps" -v f1="$F1" -v fp="$FP" \
			    -v p50="$(median "$f" 2)" -v p99="$(median "$f" 3)" \
			    -v cpu="$(median "$f" 6)" -v ncpu="$NCPU" '
			{ bad += $4; total += $5 }
			END {
				name = "one table, 64 connections"
				if (row == "many") name = "64 tables, 64 connections"
				if (row == "single") name = "64 tables, 1 connection"
				r1 = 0; if (f1 > 0) r1 = rps / f1
				rp = 0; if (fp > 0) rp = rps / fp
				share = 0; if (total > 0) share = 100 * bad / total
				ceil = 0; if (cpu > 0) ceil = ncpu * 1e6 / cpu
				printf "| %s | %s | %.0f | %.2f | %.2f | %.0f us | %s | %s | %d of %d (%.2f %%) | %.0f |\n", s, name, rps, r1, rp, cpu, p50, p99, bad, total, share, ceil
			}' "$f"
		done
	done
	echo
	echo "loadTable (8 connections) while 32 connections commit across the 64 tables:"
	echo
	echo "| store | loads/s | p50 ms | p99 ms | commits/s meanwhile |"
	echo "|---|---:|---:|---:|---:|"
	for s in $STORES; do
		f=$TMP/$s.mixed
		echo "| $s | $(median "$f" 1) | $(median "$f" 2) | $(median "$f" 3) | $(median "$f" 4) |"
	done
} >"$OUT/commits-results.md"
cat "$OUT/commits-results.md"
