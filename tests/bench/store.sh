#!/bin/sh
# Store-level bench (issue 4, item 5): `sh tests/bench/store.sh` from the
# repository root after `make all`; tests/bench/run.sh calls it last, so
# `make bench` prints this table after the HTTP one.
#
# For every store plugin built: branch copy, commit ancestry, conflict
# listing and merge base, each single-query method next to the naive loop
# it replaces
# (one query per asset or commit), timed in the same run, with the store
# round trips each took.  tests/bench/store_bench.c says exactly what is
# measured.  Backends:
#   sqlite     a temp file (WAL, synchronous=NORMAL: the plugin's defaults)
#   postgres   a throwaway server (tests/servers/postgres.sh) on a free
#              port, fresh schema
#   mongo      a throwaway server (tests/servers/mongo.sh), fresh database,
#              when build/<flavor>/plugins/store-mongo.so and the script exist
#
# Environment:
#   STORE_BENCH_SIZES     sizes N                          (100,1000,10000)
#   STORE_BENCH_RUNS      runs per row, median quoted      (3)
#   STORE_BENCH_BACKENDS  which backends                   (sqlite postgres mongo)
#   STORE_BENCH_BUILD     where the plugins are            (build/release)
#   STORE_BENCH_MONGO_NAIVE_MAX  largest N whose naive loops run on mongo
#                         (1000; 0 = every N).  CongoDB, the test server,
#                         pays O(documents) per command, so the naive
#                         loops at 10,000 are quadratic there: one naive
#                         branch copy of 10,000 took 123 s, and the three
#                         rows x 3 runs about 9 minutes.
#
# Prints the table and writes it as Markdown to build/bench/store-results.md.
# Exits 1 if a single-query method's round trips grew with N, 2 if a
# backend could not be measured.
set -eu

SIZES=${STORE_BENCH_SIZES:-100,1000,10000}
RUNS=${STORE_BENCH_RUNS:-3}
BACKENDS=${STORE_BENCH_BACKENDS:-sqlite postgres mongo}
BUILD=${STORE_BENCH_BUILD:-build/release}
OUT=build/bench
HERE=tests/bench
BIN=build/release/bench/store_bench

die() {
	echo "store bench: $*" >&2
	exit 2
}

[ -f Makefile ] && [ -d "$HERE" ] ||
	die "run from the repository root (sh tests/bench/store.sh)"
[ -f "$BUILD/plugins/store-sqlite.so" ] ||
	die "$BUILD/plugins is missing: run 'make all' first"

mkdir -p "$OUT"
[ -x "$BIN" ] || die "$BIN is missing: make bench builds it"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-store-bench.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PG_DIR=
MONGO_DIR=
MONGO_PORT=
MONGO_NAIVE_MAX=${STORE_BENCH_MONGO_NAIVE_MAX:-1000}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	[ -n "$PG_DIR" ] &&
		sh tests/servers/postgres.sh stop "$PG_DIR" >/dev/null 2>&1
	[ -n "$MONGO_DIR" ] &&
		sh tests/servers/mongo.sh stop "$MONGO_DIR" "$MONGO_PORT" \
		    >/dev/null 2>&1
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
: >"$TMP/rows"
: >"$TMP/notes"
status=0

# run <backend> <plugin> <options> [naive max N]: rows to $TMP/rows.
# store_bench exits 1 when a single-query method's round trips grew with
# N (its rows still count), 2 when the backend could not be measured.
run() {
	name=$1 so=$2 opts=$3 nmax=${4:-0}
	echo "store bench: $name ($so), N = $SIZES, $RUNS runs per row"
	t0=$(date +%s)
	rc=0
	"$BIN" -p "$so" -o "$opts" -b "$name" -n "$SIZES" -r "$RUNS" \
	    -m "$nmax" >"$TMP/$name.rows" 2>"$TMP/$name.log" || rc=$?
	sed 's/^/store bench: /' "$TMP/$name.log"
	grep -v '^#' "$TMP/$name.rows" >>"$TMP/rows" || true
	case $rc in
	0)	;;
	1)	status=1
		echo "$name: a single-query method's round trips grew with N" \
		    "(see above)" >>"$TMP/notes" ;;
	*)	[ $status -ne 0 ] || status=2
		echo "$name: not measured (store_bench exit $rc)" \
		    >>"$TMP/notes" ;;
	esac
	echo "store bench: $name done in $(($(date +%s) - t0)) s"
}

# Start <script> on the first free port from <base>; prints the URL on
# stdout and the port in <dir>.port.
start_server() {
	script=$1 dir=$2 base=$3
	mkdir -p "$dir"
	for port in $(seq "$base" $((base + 19))); do
		if url=$(sh "$script" start "$dir" "$port" 2>"$dir.err"); then
			echo "$port" >"$dir.port"
			echo "$url"
			return 0
		fi
	done
	cat "$dir.err" >&2
	return 1
}

bench_sqlite() {
	run sqlite "$BUILD/plugins/store-sqlite.so" "path=$TMP/sqlite.db"
	echo "sqlite: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 ||
	    echo '?'), a temp file, WAL, synchronous=NORMAL" >>"$TMP/setup"
}

bench_postgres() {
	so=$BUILD/plugins/store-postgres.so
	if [ ! -f "$so" ]; then
		echo "postgres: skipped, $so is not built" >>"$TMP/notes"
		return 0
	fi
	PG_DIR=$TMP/pg
	if ! url=$(start_server tests/servers/postgres.sh "$PG_DIR" \
	    $((57432 + $$ % 400 * 10))); then
		echo "postgres: not measured, the server did not start" \
		    >>"$TMP/notes"
		[ $status -ne 0 ] || status=2
		return 0
	fi
	run postgres "$so" "url=$url;schema=store_bench_$$"
	echo "postgres: $(psql --version 2>/dev/null | awk '{ print $3 }'),"\
	    "local TCP, throwaway cluster (fsync=off," \
	    "synchronous_commit=off), fresh schema" >>"$TMP/setup"
	sh tests/servers/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || true
	PG_DIR=
}

bench_mongo() {
	so=$BUILD/plugins/store-mongo.so
	if [ ! -f "$so" ] || [ ! -f tests/servers/mongo.sh ]; then
		echo "mongo: skipped, $so or tests/servers/mongo.sh missing" \
		    >>"$TMP/notes"
		return 0
	fi
	MONGO_DIR=$TMP/mongo
	if ! url=$(start_server tests/servers/mongo.sh "$MONGO_DIR" \
	    $((48017 + $$ % 400 * 10))); then
		echo "mongo: not measured, the server did not start" \
		    >>"$TMP/notes"
		[ $status -ne 0 ] || status=2
		return 0
	fi
	MONGO_PORT=$(cat "$MONGO_DIR.port")
	[ -n "$url" ] || url=mongodb://127.0.0.1:$MONGO_PORT
	run mongo "$so" "url=$url;database=store_bench_$$" "$MONGO_NAIVE_MAX"
	if [ "$MONGO_NAIVE_MAX" != 0 ] && grep -q '|-|' "$TMP/mongo.rows"; then
		echo "mongo: naive loops not run for N > $MONGO_NAIVE_MAX:" \
		    "CongoDB pays O(documents) per command, so they are" \
		    "quadratic there (STORE_BENCH_MONGO_NAIVE_MAX=0 runs" \
		    "them: minutes)" >>"$TMP/notes"
	fi
	echo "mongo: CongoDB (MongoDB protocol, node), local TCP," \
	    "fresh database" >>"$TMP/setup"
	sh tests/servers/mongo.sh stop "$MONGO_DIR" "$MONGO_PORT" \
	    >/dev/null 2>&1 || true
	MONGO_DIR=
}

: >"$TMP/setup"
for b in $BACKENDS; do
	case $b in
	sqlite)		bench_sqlite ;;
	postgres)	bench_postgres ;;
	mongo)		bench_mongo ;;
	*)		die "unknown backend $b (sqlite, postgres, mongo)" ;;
	esac
done

# --- the table -----------------------------------------------------------------

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$CPU" ] || CPU=unknown
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
END=$(date +%s)

HDR1="machine: $(nproc) CPUs, $CPU, Linux $(uname -r); load average (1/5/15 min) at start $LOAD_START, at end $LOAD_END"
HDR2="method: the store ABI called in-process (tests/bench/store_bench.c); median of $RUNS runs per row, single and naive runs alternating; seeding not timed; wall time $((END - START)) s"
HDR3="single query: branch copy = create_branch + copy_assets_bulk; ancestry = get_commit_ancestry(head N deep, N); conflict = list_all_assets_for_branch on two N-asset branches; merge base = get_merge_base(head N deep, a side commit on the root)"
HDR4="naive: branch copy = create_branch + list_assets pages (1000) + create_asset per asset; ancestry = get_commit per step along parent_id; conflict = list_namespaces + list_assets per namespace (pages of 1000) + get_asset on the other branch per asset; merge base = get_commit along the head's history, then along the side's until a commit in it"
HDR5="round trips: statements/commands the plugin sent (ops->round_trips), BEGIN/COMMIT excluded in both columns; speed-up = naive ms / single-query ms; branch copies run in one transaction each"

echo
echo "$HDR1"
echo "$HDR2"
echo "$HDR3"
echo "$HDR4"
echo "$HDR5"
sed 's/^/setup: /' "$TMP/setup"
echo
awk -F'|' '
BEGIN {
	f = "%-9s %-17s %6s %12s %8s %12s %8s %9s\n"
	printf f, "backend", "operation", "N", "single ms", "trips",
	    "naive ms", "trips", "speed-up"
}
{ printf f, $1, $2, $3, $4, $5, $6, $7, $8 ($8 == "-" ? "" : "x") }
' "$TMP/rows"
if [ -s "$TMP/notes" ]; then
	echo
	sed 's/^/note: /' "$TMP/notes"
fi

{
	echo "# Pangolin store bench results"
	echo
	echo "- $HDR1"
	echo "- $HDR2"
	echo "- $HDR3"
	echo "- $HDR4"
	echo "- $HDR5"
	sed 's/^/- setup: /' "$TMP/setup"
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ), pangolin $(cat VERSION 2>/dev/null || echo '?')"
	echo
	echo "| backend | operation | N | single-query ms | single-query round trips | naive ms | naive round trips | speed-up |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s%s |\n", $1, $2, $3, $4, $5, $6, $7, $8, ($8 == "-" ? "" : "x") }' "$TMP/rows"
	if [ -s "$TMP/notes" ]; then
		echo
		sed 's/^/- note: /' "$TMP/notes"
	fi
} >"$OUT/store-results.md"
echo
echo "store bench: written $OUT/store-results.md"
exit $status
