#!/bin/sh
# Search bench (issue 26): `sh tests/bench/search.sh` from the repository
# root after `make all`; tests/bench/run.sh calls it.
#
# Per store (SQLite; PostgreSQL when its plugin is built and a server can
# be started): SEARCH_ASSETS assets (default 100,000) seeded through the
# plugin (tests/bench/search_bench.c), then
#   - at the store: search_assets through the text index (SQLite FTS5
#     trigram, PostgreSQL pg_trgm) beside a plain LIKE (ILIKE) scan of the
#     same rows, alternating, in the same run: a page of 50 and the total
#     each, median of SEARCH_RUNS (9);
#   - over HTTP: a no-auth server (release build, 2 workers) on the same
#     database, GET /api/v1/assets/search for the same queries and
#     /api/v1/search/assets, one request at a time, median and p90.
# Then (issue 69) the latency rows at each size of SEARCH_SIZES (default
# "1000 100000"; add 1000000 for the million-asset figures, about 15
# minutes of seeding and queries a store here): each shape of a typed
# search SEARCH_SAMPLES times (default 100; 20 below a trigram), each
# time another asset's text, p50 and p99 of the wall clock and of the
# CPU the search cost (search_bench -l), the sizes side by side.
# MongoDB is not measured: the MongoDB-protocol test server (CongoDB)
# answers every query by reading the whole collection in JavaScript, so it
# would time CongoDB, not the trigram index a MongoDB server would use
# (the answers are tested on it: tests/unit/store/search.c).
# Writes build/bench/search-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
N=${SEARCH_ASSETS:-100000}
RUNS=${SEARCH_RUNS:-9}
SIZES=${SEARCH_SIZES:-1000 100000}
SAMPLES=${SEARCH_SAMPLES:-100}
BIN=build/release/bench/search_bench

die() {
	echo "search bench: $*" >&2
	exit 2
}

. "$HERE/bench_servers.sh"
bench_setup search

[ -x "$BIN" ] || die "$BIN not built (make bench builds it)"

# store NAME PLUGIN OPTS: seed, then the store rows and the HTTP rows.
store() {
	mkdir -p "$TMP/$1"
	"$BIN" -p "build/release/plugins/store-$1.so" -o "$3" -n "$N" -s \
	    >"$TMP/$1.queries" || die "seeding $1 failed"
	"$BIN" -p "build/release/plugins/store-$1.so" -o "$3" -n "$N" \
	    -r "$RUNS" | grep -v '^#' >"$TMP/$1.rows" ||
		die "the $1 store rows failed"
	url=$(bench_server "$1" "$2")
	node "$HERE/search_http.js" "$url" "$RUNS" <"$TMP/$1.queries" \
	    >"$TMP/$1.http" || die "the $1 HTTP rows failed"
	bench_stop "$1"
	echo "search bench: $1 done" >&2
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
store sqlite "$(bench_sqlite sqlite)" "path=$TMP/sqlite/pangolin.db"
STORES=sqlite
if PG_URL=$(bench_postgres); then
	store postgres "$(bench_pg_store "$PG_URL")" "url=$PG_URL"
	STORES="$STORES postgres"
else
	echo "search bench: no PostgreSQL here; SQLite only" >&2
fi
# sizes NAME OPTS: the latency rows at each size, a database (SQLite)
# or schema (PostgreSQL) a size.
sizes() {
	for n in $SIZES; do
		"$BIN" -p "build/release/plugins/store-$1.so" -o "$(printf \
		    "$2" "$n")" -n "$n" -l "$SAMPLES" 2>/dev/null |
		    grep -v '^#' >>"$TMP/$1.sizes" ||
			die "the $1 latency rows at $n failed"
	done
}
sizes sqlite "path=$TMP/sqlite/size-%s.db"
[ -z "${PG_URL:-}" ] || sizes postgres "url=$PG_URL;schema=size%s"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "search over $N assets (a page of 50 and the total), median of" \
	    "$RUNS runs; load average $LOAD_START at start, $LOAD_END at end"
	echo
	echo "| store | query | hits | text index ms | index CPU ms | LIKE scan ms | speed-up |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for s in $STORES; do
		awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n",
		    $1, $2, $4, $5, $6, $7, $8 }' "$TMP/$s.rows"
	done
	echo
	echo "| store | over HTTP | hits | median ms | p90 ms |"
	echo "|---|---|---:|---:|---:|"
	for s in $STORES; do
		awk -F'|' -v s="$s" '{ printf "| %s | %s | %s | %s | %s |\n",
		    s, $1, $2, $3, $4 }' "$TMP/$s.http"
	done
	echo
	echo "typed searches at each size (a page of 50 and the total;" \
	    "$SAMPLES samples a shape, 20 below a trigram)"
	echo
	echo "| store | shape | assets | mean hits | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	for s in $STORES; do
		awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    $1, $2, $3, $4, $5, $6, $7, $8 }' "$TMP/$s.sizes"
	done
	echo
	echo "mongo: not measured (CongoDB reads the whole collection for" \
	    "every query; MongoDB would use the trigram multikey index)"
} | tee "$OUT/search-results.md"
