#!/bin/sh
# Copy-on-write branch bench (issue 29): `sh tests/bench/branch.sh` from
# the repository root after `make all`; tests/bench/run.sh calls it.
#
# Per store: a branch made by fork_branch beside today's row copy at
# 1,000, 10,000 and 100,000 tables, with the rows each stored and the
# store's raw round trip (ping) measured in the same run; get_asset on a
# branch three forks deep (main -> a -> b -> c) beside main; and the
# whole-branch listing merge planning reads, on main and on c.
# tests/bench/branch_bench.c says exactly what is measured.  Backends:
#   sqlite     a temp file (WAL, synchronous=NORMAL: the plugin's defaults)
#   postgres   a throwaway server (tests/servers/postgres.sh) on a free
#              port, fresh schema
#   mongo      a throwaway server (tests/servers/mongo.sh), only when
#              build/<flavor>/plugins/store-mongo.so has fork_branch
#              (store ABI 1.12); otherwise skipped, said in a note
#
# What matters on the machine: every figure is one client's latency, so
# the CPUs' speed and what else runs.  The bench is single-threaded but
# PostgreSQL's backend is a second process, so 2 free cores are enough;
# the header prints nproc and the load average at start and end, and a
# load near nproc or above means the ratios (same run, runs alternated)
# are what to read, not the absolute times.
#
# Environment:
#   BRANCH_BENCH_SIZES     sizes N of the create rows   (1000,10000,100000)
#   BRANCH_BENCH_PG_SIZES  the same on PostgreSQL, whose seeding through
#                          create_asset (several statements each) takes
#                          about a minute at 100,000    (BRANCH_BENCH_SIZES)
#   BRANCH_BENCH_GET_N     N of the get and listing rows           (10000)
#   BRANCH_BENCH_CALLS     get_asset calls per branch              (3000)
#   BRANCH_BENCH_RUNS      runs per row, median quoted             (5)
#   BRANCH_BENCH_BACKENDS  which backends            (sqlite postgres mongo)
#   BRANCH_BENCH_BUILD     where the plugins are                   (build/release)
#
# Prints the tables and writes them as Markdown to
# build/bench/branch-results.md.  Exits 1 if a fork was not flat in N
# (more than 3x slower at the largest N than at the smallest), 2 if a
# backend could not be measured.
set -eu

SIZES=${BRANCH_BENCH_SIZES:-1000,10000,100000}
PG_SIZES=${BRANCH_BENCH_PG_SIZES:-$SIZES}
GET_N=${BRANCH_BENCH_GET_N:-10000}
CALLS=${BRANCH_BENCH_CALLS:-3000}
RUNS=${BRANCH_BENCH_RUNS:-5}
BACKENDS=${BRANCH_BENCH_BACKENDS:-sqlite postgres mongo}
BUILD=${BRANCH_BENCH_BUILD:-build/release}
OUT=build/bench
HERE=tests/bench
BIN=build/release/bench/branch_bench

die() {
	echo "branch bench: $*" >&2
	exit 2
}

[ -f Makefile ] && [ -d "$HERE" ] ||
	die "run from the repository root (sh tests/bench/branch.sh)"
[ -f "$BUILD/plugins/store-sqlite.so" ] ||
	die "$BUILD/plugins is missing: run 'make all' first"
mkdir -p "$OUT"
[ -x "$BIN" ] || die "$BIN is missing: make bench builds it"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-branch-bench.XXXXXX")
chmod 755 "$TMP"	# PostgreSQL runs as user postgres when we are root
PG_DIR=
MONGO_DIR=
MONGO_PORT=

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
echo "branch bench: $(nproc) CPUs, load average $LOAD_START"
: >"$TMP/rows"
: >"$TMP/notes"
: >"$TMP/setup"
status=0

# run <backend> <plugin> <options> <sizes>: rows to $TMP/rows.
# branch_bench exits 1 when the fork was not flat in N (its rows still
# count), 2 when the backend could not be measured.
run() {
	name=$1 so=$2 opts=$3 sizes=$4
	echo "branch bench: $name ($so), N = $sizes, get/list at $GET_N," \
	    "$RUNS runs per row"
	t0=$(date +%s)
	rc=0
	"$BIN" -p "$so" -o "$opts" -b "$name" -n "$sizes" -g "$GET_N" \
	    -c "$CALLS" -r "$RUNS" >"$TMP/$name.rows" 2>"$TMP/$name.log" ||
		rc=$?
	sed 's/^/branch bench: /' "$TMP/$name.log"
	grep -v '^#' "$TMP/$name.rows" >>"$TMP/rows" || true
	grep 'seeded' "$TMP/$name.log" | sed 's/^branch_bench: //' \
	    >>"$TMP/seeding" || true
	case $rc in
	0)	;;
	1)	status=1
		echo "$name: the fork was not flat in N (see above)" \
		    >>"$TMP/notes" ;;
	*)	[ $status -ne 0 ] || status=2
		echo "$name: not measured (branch_bench exit $rc)" \
		    >>"$TMP/notes" ;;
	esac
	echo "branch bench: $name done in $(($(date +%s) - t0)) s"
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
	run sqlite "$BUILD/plugins/store-sqlite.so" "path=$TMP/sqlite.db" \
	    "$SIZES"
	load_table sqlite ""
	echo "sqlite: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 ||
	    echo '?'), a temp file, WAL, synchronous=NORMAL" >>"$TMP/setup"
}

# loadTable over HTTP on a branch three forks deep beside main
# (tests/bench/branch_load.js: the release binary, one connection): its
# row joins the get and listing rows.  Needs node and the integration
# tests' modules (make test installs them); skipped without.
load_table() {
	if ! command -v node >/dev/null 2>&1 ||
	    [ ! -d tests/integration/node_modules ] ||
	    [ ! -x build/release/pangolin ]; then
		echo "$1: loadTable skipped (node, tests/integration/node_modules" \
		    "or build/release/pangolin missing)" >>"$TMP/notes"
		return 0
	fi
	if ! PGL_BIN=$PWD/build/release/pangolin PGL_STORE=$1 PGL_PG_URL=$2 \
	    node tests/bench/branch_load.js 2>>"$TMP/load.err" |
	    grep '^loadTable|' >>"$TMP/rows"; then
		echo "$1: loadTable not measured: $(tail -1 "$TMP/load.err")" \
		    >>"$TMP/notes"
		[ $status -ne 0 ] || status=2
	fi
}

bench_postgres() {
	so=$BUILD/plugins/store-postgres.so
	if [ ! -f "$so" ]; then
		echo "postgres: skipped, $so is not built" >>"$TMP/notes"
		return 0
	fi
	PG_DIR=$TMP/pg
	if ! url=$(start_server tests/servers/postgres.sh "$PG_DIR" \
	    $((56432 + $$ % 400 * 10))); then
		echo "postgres: not measured, the server did not start" \
		    >>"$TMP/notes"
		[ $status -ne 0 ] || status=2
		return 0
	fi
	run postgres "$so" "url=$url;schema=branch_bench_$$" "$PG_SIZES"
	load_table postgres "$url"
	echo "postgres: $(psql --version 2>/dev/null | awk '{ print $3 }'),"\
	    "local TCP, throwaway cluster (fsync=off," \
	    "synchronous_commit=off), fresh schema" >>"$TMP/setup"
	sh tests/servers/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || true
	PG_DIR=
}

# Mongo forks only once its plugin implements fork_branch: ask the plugin
# (branch_bench -F loads it and opens nothing) before starting a server.
bench_mongo() {
	so=$BUILD/plugins/store-mongo.so
	if [ ! -f "$so" ] || [ ! -f tests/servers/mongo.sh ]; then
		echo "mongo: skipped, $so or tests/servers/mongo.sh missing" \
		    >>"$TMP/notes"
		return 0
	fi
	if ! "$BIN" -p "$so" -F 2>/dev/null; then
		echo "mongo: skipped, $so has no fork_branch (store ABI 1.12)" \
		    >>"$TMP/notes"
		return 0
	fi
	MONGO_DIR=$TMP/mongo
	if ! url=$(start_server tests/servers/mongo.sh "$MONGO_DIR" \
	    $((47017 + $$ % 400 * 10))); then
		echo "mongo: not measured, the server did not start" \
		    >>"$TMP/notes"
		[ $status -ne 0 ] || status=2
		return 0
	fi
	MONGO_PORT=$(cat "$MONGO_DIR.port")
	[ -n "$url" ] || url=mongodb://127.0.0.1:$MONGO_PORT
	run mongo "$so" "url=$url;database=branch_bench_$$" "$SIZES"
	echo "mongo: CongoDB (MongoDB protocol, node), local TCP," \
	    "fresh database" >>"$TMP/setup"
	sh tests/servers/mongo.sh stop "$MONGO_DIR" "$MONGO_PORT" \
	    >/dev/null 2>&1 || true
	MONGO_DIR=
}

: >"$TMP/seeding"
for b in $BACKENDS; do
	case $b in
	sqlite)		bench_sqlite ;;
	postgres)	bench_postgres ;;
	mongo)		bench_mongo ;;
	*)		die "unknown backend $b (sqlite, postgres, mongo)" ;;
	esac
done

# --- the tables -------------------------------------------------------------------

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
[ -n "$CPU" ] || CPU=unknown
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
END=$(date +%s)

HDR1="machine: $(nproc) CPUs, $CPU, Linux $(uname -r); load average (1/5/15 min) at start $LOAD_START, at end $LOAD_END"
HDR2="method: the store ABI called in-process (tests/bench/branch_bench.c); median of $RUNS runs per row, fork and copy runs alternating, main and c alternating; seeding (one transaction of create_asset calls) not timed; wall time $((END - START)) s"
HDR3="create: fork = begin, fork_branch(main), commit; copy = begin, create_branch, copy_assets_bulk(main), commit; rows = asset rows it stored (count_catalog before and after); ping = the store's raw round trip, 50 before every run, median"
HDR4="get: get_asset of $CALLS distinct tables on main and on c (main -> a -> b -> c, forks, 50 tables changed on a, 50 on b plus 50 new), median of per-call µs, read once each (SQLite's asset cache never answers); list: list_all_assets_for_branch (merge planning's read) on main and on c; loadTable: GET of every table of 200 on main and on c@ over HTTP, one keep-alive connection, alternating rounds, median µs (tests/bench/branch_load.js, release binary)"

# "a/b" to 2 places, "-" when either is not a number.
ratio='function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) ? sprintf("%.2f", a / b) : "-" }'

echo
echo "$HDR1"
echo "$HDR2"
echo "$HDR3"
echo "$HDR4"
sed 's/^/setup: /' "$TMP/setup"
sed 's/^/seeding: /' "$TMP/seeding"
echo
awk -F'|' "$ratio"'
BEGIN {
	f = "%-9s %7s %10s %6s %12s %7s %9s %10s %9s\n"
	printf f, "backend", "N", "fork ms", "rows", "copy ms", "rows",
	    "ping us", "copy/fork", "fork/ping"
}
$1 == "create" {
	printf f, $2, $3, $4, $5, $6 ($10 < '"$RUNS"' && $6 != "-" ? "*" : ""),
	    $7, $8, ratio($6, $4), ratio($4 * 1000, $8)
}' "$TMP/rows"
echo
awk -F'|' "$ratio"'
BEGIN {
	f = "%-9s %-22s %7s %10s %10s %8s\n"
	printf f, "backend", "operation", "N", "main", "c (3 deep)", "c/main"
}
$1 == "get" { printf f, $2, "get_asset (us)", $3, $4, $5, ratio($5, $4) }
$1 == "loadTable" { printf f, $2, "loadTable HTTP (us)", $3, $4, $5, ratio($5, $4) }
$1 == "list" { printf f, $2, "listing (ms)" ($8 < '"$RUNS"' ? "*" : ""), $3,
    $4, $5, ratio($5, $4) }' "$TMP/rows"
if awk -F'|' -v r="$RUNS" '($1 == "create" && $6 != "-" && $10 < r) ||
    ($1 == "list" && $8 < r) { f = 1 } END { exit !f }' "$TMP/rows"; then
	echo "*: fewer runs than $RUNS: one took over 10 s, so it was not" \
	    "repeated (and the copy not run at larger N: -)" >>"$TMP/notes"
fi
if [ -s "$TMP/notes" ]; then
	echo
	sed 's/^/note: /' "$TMP/notes"
fi

{
	echo "# Pangolin copy-on-write branch bench results"
	echo
	echo "- $HDR1"
	echo "- $HDR2"
	echo "- $HDR3"
	echo "- $HDR4"
	sed 's/^/- setup: /' "$TMP/setup"
	sed 's/^/- seeding: /' "$TMP/seeding"
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ), pangolin $(cat VERSION 2>/dev/null || echo '?')"
	echo
	echo "| backend | N | fork ms | rows stored | copy ms | rows stored | ping µs | copy / fork | fork / ping |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'|' "$ratio"'
	$1 == "create" {
		printf "| %s | %s | %s | %s | %s%s | %s | %s | %s | %s |\n",
		    $2, $3, $4, $5, $6,
		    ($10 < '"$RUNS"' && $6 != "-" ? " *" : ""), $7, $8,
		    ratio($6, $4), ratio($4 * 1000, $8)
	}' "$TMP/rows"
	echo
	echo "| backend | operation | N | main | c (3 deep) | c / main |"
	echo "|---|---|---:|---:|---:|---:|"
	awk -F'|' "$ratio"'
	$1 == "get" { printf "| %s | get_asset (µs) | %s | %s | %s | %s |\n",
	    $2, $3, $4, $5, ratio($5, $4) }
	$1 == "loadTable" { printf "| %s | loadTable over HTTP (µs) | %s | %s | %s | %s |\n",
	    $2, $3, $4, $5, ratio($5, $4) }
	$1 == "list" { printf "| %s | listing (ms)%s | %s | %s | %s | %s |\n",
	    $2, ($8 < '"$RUNS"' ? " *" : ""), $3, $4, $5, ratio($5, $4) }' \
	    "$TMP/rows"
	if [ -s "$TMP/notes" ]; then
		echo
		sed 's/^/- note: /' "$TMP/notes"
	fi
} >"$OUT/branch-results.md"
echo
echo "branch bench: written $OUT/branch-results.md"
exit $status
