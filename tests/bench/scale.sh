#!/bin/sh
# The scale bench (issue 69): `sh tests/bench/scale.sh` from the
# repository root after `make all` and the bench programs (`make bench`
# builds them; BENCH_ONLY=scale runs this bench alone); tests/bench/run.sh
# calls it.
#
# Per store (SQLite; PostgreSQL when its plugin is built and a server can
# be started), two catalogs of SCALE_SMALL (1,000) and SCALE_TABLES
# (default 1,000,000; 100000 to try it quickly) tables, in a hundredth as
# many namespaces, a fifth of the tables in one (200,000 of a million),
# each table with its own location and its own metadata file path: the
# first made by createTable over HTTP, the others by the bulk loader
# (search_bench -t, through the store plugin, PostgreSQL's rows by COPY;
# not an HTTP loop).  The catalogs are kept in SCALE_DIR (default
# /tmp/pangolin-scale: a SQLite file and a PostgreSQL cluster, a schema a
# size) and used as they are by the next run; `rm -rf` it to build anew.
# Then both servers up (release build, BENCH_WORKERS (2) workers, no-auth,
# default caches), the same figures of both in the same run:
#   - start-up: launch to /health/ready answering, ms;
#   - loadTable over uniformly random tables (wrk, SCALE_CONNS (32)
#     connections, SCALE_SECS (10) s, SCALE_RUNS (3) runs interleaved
#     small, large, small, ...; medians): req/s and p99;
#   - listTables: the first SCALE_PAGES (300) pages of the big namespace
#     (30,000 tables deep; 2000 is all of a million's) and the first of
#     50 others, listNamespaces' first 100 pages (pageSize 100, one at a
#     time): p50, p99;
#   - search: 200 searches of a random table's whole name, one at a time:
#     p50, p99;
#   - createTable, commit (set-properties), rename, drop: SCALE_WRITES
#     (300) each, 4 clients, in a namespace of about 100 tables: per s;
#   - worker memory: the largest worker's resident set after all that.
# SCALE_ONLY=search: the search figures alone (both catalogs up, 200
# searches each, nothing written), for an index's before and after.
# Writes build/bench/scale-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
N=${SCALE_TABLES:-1000000}
SMALL=${SCALE_SMALL:-1000}
KEEP=${SCALE_DIR:-/tmp/pangolin-scale}
SECS=${SCALE_SECS:-10}
RUNS=${SCALE_RUNS:-3}
CONNS=${SCALE_CONNS:-32}
WRITES=${SCALE_WRITES:-300}
PAGES=${SCALE_PAGES:-300}
WORKERS=${BENCH_WORKERS:-2}
BIN=build/release/bench/search_bench
PG_DIR=$KEEP/pg
ONLY=${SCALE_ONLY:-}

die() {
	echo "scale bench: $*" >&2
	exit 2
}

. "$HERE/bench_servers.sh"
bench_setup scale
PG_UP=
scale_cleanup() {
	bench_cleanup
	[ -z "$PG_UP" ] || sh tests/servers/postgres.sh stop "$PG_DIR" \
	    >/dev/null 2>&1 || true
}
trap scale_cleanup EXIT

[ -x "$BIN" ] || die "$BIN not built (make bench builds it)"
command -v wrk >/dev/null 2>&1 || die "wrk is not installed"
mkdir -p "$KEEP" "$OUT"
chmod 755 "$KEEP"

# The [store] section of catalog STORE-SIZE.
store_conf() {
	case $1 in
	sqlite) printf '[store]\nplugin = "store-sqlite"\n\n[store.options]\npath = "%s"\n' \
	    "$KEEP/sqlite-$2/pangolin.db" ;;
	postgres) bench_pg_store "$PG_URL" "scale$2" ;;
	esac
}

# The loader's options of catalog STORE-SIZE.
store_opts() {
	case $1 in
	sqlite) echo "path=$KEEP/sqlite-$2/pangolin.db" ;;
	postgres) echo "url=$PG_URL;schema=scale$2" ;;
	esac
}

# start NAME STORE SIZE: a no-auth server on that catalog; its URL in
# $TMP/NAME/url, launch to ready in ms in $TMP/NAME/startup.
start() {
	port=$(node "$HERE/seed.js" port)
	mkdir -p "$TMP/$1" "$KEEP/$2-$3/wh"
	cat >"$TMP/$1/pangolin.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = $WORKERS
pid_file = "$TMP/$1/pangolin.pid"

$(store_conf "$2" "$3")

[auth]
no_auth = true

# A million tables in one tenant: past the default quota (100,000).
[quota]
tables = 10000000

[defaults]
warehouse = "wh"
warehouse_root = "$KEEP/$2-$3/wh"
catalog = "bench"
EOT
	t0=$(date +%s%N)
	./pangolin -c "$TMP/$1/pangolin.toml" >"$TMP/$1/log" 2>&1 &
	echo $! >"$TMP/$1/server"
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { cat "$TMP/$1/log" >&2; die "$1 did not start"; }
		kill -0 "$(cat "$TMP/$1/server")" 2>/dev/null ||
			{ cat "$TMP/$1/log" >&2; die "$1 exited"; }
		sleep 0.01
	done
	echo $((($(date +%s%N) - t0) / 1000000)) >"$TMP/$1/startup"
	echo "http://127.0.0.1:$port" >"$TMP/$1/url"
}

# build STORE SIZE: the catalog, unless kept from a run before.
build() {
	d=$KEEP/$1-$2
	[ ! -f "$d/seeded" ] || return 0
	mkdir -p "$d"
	start build "$1" "$2"
	node "$HERE/scale.mjs" first "$(cat "$TMP/build/url")" ||
		die "the first table of $1-$2"
	bench_stop build
	t0=$(date +%s)
	"$BIN" -t -p "build/release/plugins/store-$1.so" -o "$(store_opts "$1" \
	    "$2")" -n "$2" || die "loading $1-$2"
	echo $(($(date +%s) - t0)) >"$d/seeded"
	echo "scale bench: $1: $2 tables loaded in $(cat "$d/seeded") s" >&2
}

# The largest worker's resident set of server NAME, MB.
worker_mb() {
	for p in $(tree_pids "$(cat "$TMP/$1/server")"); do
		awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true
	done | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }'
}

# wrk's loads on server NAME of SIZE tables: "rps p99" a line.
loads() {
	wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$HERE/scale_load.lua" \
	    "$(cat "$TMP/$1/url")" -- "$2" >"$TMP/wrk.out" 2>&1 ||
		{ cat "$TMP/wrk.out" >&2; die "wrk on $1"; }
	awk '
	function ms(v,   n, u) {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		return u == "us" ? n / 1000 : u == "s" ? n * 1000 : n
	}
	/^Requests\/sec:/		{ rps = $2 }
	$1 == "99%"			{ p99 = ms($2) }
	/Non-2xx or 3xx responses:/	{ bad = $NF }
	END { if (bad > 0) exit 1; printf "%.0f %.2f\n", rps, p99 }
	' "$TMP/wrk.out" >>"$TMP/$1/loads" ||
		{ cat "$TMP/wrk.out" >&2; die "loads on $1 answered non-2xx"; }
}

# measure_search STORE: only the search figures, a row each.
measure_search() {
	s=$1
	start "$s-small" "$s" "$SMALL"
	start "$s-large" "$s" "$N"
	node "$HERE/scale.mjs" search "$(cat "$TMP/$s-small/url")" "$SMALL" \
	    200 >"$TMP/$s-small/search"
	node "$HERE/scale.mjs" search "$(cat "$TMP/$s-large/url")" "$N" \
	    200 >"$TMP/$s-large/search"
	bench_stop "$s-small"
	bench_stop "$s-large"
	paste -d' ' "$TMP/$s-small/search" "$TMP/$s-large/search" |
	    awk -v s="$s" '{
		split("search p50 ms|search p99 ms|search hits", name, "|")
		for (i = 1; i <= 3; i++)
			printf "| %s | %s | %s | %s | %s |\n", s, name[i], $i,
			    $(i + 3), ($i > 0 ? sprintf("%.2f", $(i + 3) / $i) : "-")
	}' >"$TMP/$s.table"
	echo "scale bench: $s search done" >&2
}

# measure STORE: both catalogs' figures, side by side, a row a figure.
measure() {
	s=$1
	start "$s-small" "$s" "$SMALL"
	start "$s-large" "$s" "$N"
	S=$(cat "$TMP/$s-small/url")
	L=$(cat "$TMP/$s-large/url")
	r=1
	while [ $r -le "$RUNS" ]; do
		loads "$s-small" "$SMALL"
		loads "$s-large" "$N"
		r=$((r + 1))
	done
	node "$HERE/scale.mjs" lists "$S" "$SMALL" "$PAGES" >"$TMP/$s-small/lists"
	node "$HERE/scale.mjs" lists "$L" "$N" "$PAGES" >"$TMP/$s-large/lists"
	node "$HERE/scale.mjs" search "$S" "$SMALL" 200 >"$TMP/$s-small/search"
	node "$HERE/scale.mjs" search "$L" "$N" 200 >"$TMP/$s-large/search"
	tag=$(date +%s)
	node "$HERE/scale.mjs" writes "$S" "$WRITES" 4 "s$tag" >"$TMP/$s-small/writes"
	node "$HERE/scale.mjs" writes "$L" "$WRITES" 4 "l$tag" >"$TMP/$s-large/writes"
	for k in small large; do
		worker_mb "$s-$k" >"$TMP/$s-$k/mem"
		echo "$(median "$TMP/$s-$k/loads" 1) $(median "$TMP/$s-$k/loads" 2)" \
		    "$(cat "$TMP/$s-$k/lists") $(cat "$TMP/$s-$k/search")" \
		    "$(cat "$TMP/$s-$k/writes") $(cat "$TMP/$s-$k/startup")" \
		    "$(cat "$TMP/$s-$k/mem")" >"$TMP/$s-$k/row"
	done
	bench_stop "$s-small"
	bench_stop "$s-large"
	# The figures, a row each: small, large, large / small.
	paste -d' ' "$TMP/$s-small/row" "$TMP/$s-large/row" | awk -v s="$s" '
	BEGIN {
		split("loadTable req/s|loadTable p99 ms|listTables page p50 ms|" \
		    "listTables page p99 ms|pages of the big namespace|" \
		    "listNamespaces page p50 ms|listNamespaces page p99 ms|" \
		    "search p50 ms|search p99 ms|search hits|createTable /s|" \
		    "commit /s|rename /s|drop /s|start-up ms|worker RSS MB",
		    name, "|")
	}
	{
		k = NF / 2
		for (i = 1; i <= k; i++)
			printf "| %s | %s | %s | %s | %s |\n", s, name[i], $i,
			    $(i + k), ($i > 0 ? sprintf("%.2f", $(i + k) / $i) : "-")
	}' >"$TMP/$s.table"
	echo "scale bench: $s done" >&2
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STORES=sqlite
build sqlite "$SMALL"
build sqlite "$N"
if [ -f build/release/plugins/store-postgres.so ] &&
    PG_URL=$(sh tests/servers/postgres.sh start "$PG_DIR" \
    "$(node "$HERE/seed.js" port)" 2>"$TMP/pg.err"); then
	PG_UP=1
	build postgres "$SMALL"
	build postgres "$N"
	STORES="$STORES postgres"
else
	echo "scale bench: no PostgreSQL here; SQLite only" >&2
fi
for s in $STORES; do
	if [ "$ONLY" = search ]; then
		measure_search "$s"
	else
		measure "$s"
	fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
	echo "# The scale bench: $SMALL beside $N tables"
	echo
	echo "- $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' \
	    /proc/cpuinfo); load average $LOAD_START at start, $LOAD_END at end;" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- $WORKERS workers a server, no-auth, default caches; loads: wrk" \
	    "-c$CONNS, ${SECS} s, $RUNS runs interleaved, medians; the rest one" \
	    "request at a time (writes: 4 clients, $WRITES each)"
	for s in $STORES; do
		for k in $SMALL $N; do
			[ ! -f "$KEEP/$s-$k/seeded" ] ||
				echo "- $s: $k tables loaded in $(cat "$KEEP/$s-$k/seeded") s (when built)"
		done
	done
	echo
	echo "| store | figure | $SMALL tables | $N tables | ratio |"
	echo "|---|---|---:|---:|---:|"
	for s in $STORES; do
		cat "$TMP/$s.table"
	done
} | tee "$OUT/scale-results.md"
