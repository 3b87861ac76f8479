#!/bin/sh
# The metadata cache under a Zipf mix (issue 11): `sh tests/bench/zipf.sh`
# from the repository root after `make all`; tests/bench/run.sh calls it.
#
# One server (release build, 2 workers, SQLite store, no-auth), 1,000
# tables, 40,000 loadTable requests drawn from a Zipf distribution over
# them (exponent 1.0), 16 clients at a time: the metadata cache's hit ratio
# summed over both workers (GET /api/v1/cache/stats), with the default
# cache (10,000 entries per worker) and with one of 100 entries per worker
# (LRU eviction under pressure).  Writes build/bench/zipf-results.md.
set -eu

OUT=build/bench
HERE=tests/bench
TABLES=${ZIPF_TABLES:-1000}
LOADS=${ZIPF_LOADS:-40000}
CLIENTS=${ZIPF_CLIENTS:-16}

die() {
	echo "zipf bench: $*" >&2
	exit 2
}

[ -x ./pangolin ] || die "./pangolin is missing: run 'make all' first"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-zipf.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# run LABEL ENTRIES: a fresh server with that cache size; one result line.
run() {
	rm -rf "$TMP/data" && mkdir -p "$TMP/data"
	port=$(node "$HERE/seed.js" port)
	cat >"$TMP/p.toml" <<EOT
[server]
bind = "127.0.0.1"
port = $port
workers = 2
pid_file = "$TMP/p.pid"

[store]
plugin = "store-sqlite"

[store.options]
path = "$TMP/data/p.db"

[cache.options]
max_entries = $2

[auth]
no_auth = true

[defaults]
warehouse = "wh"
warehouse_root = "$TMP/data/warehouse"
catalog = "bench"
EOT
	./pangolin -c "$TMP/p.toml" >"$TMP/p.log" 2>&1 &
	PID=$!
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/p.log" >&2; die "the server did not start"; }
		sleep 0.1
	done
	r=$(node "$HERE/zipf.js" "http://127.0.0.1:$port" "$TABLES" "$LOADS" "$CLIENTS") ||
		die "the measurement failed"
	kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
	echo "$1 $2 $r"
}

{
	echo "# Metadata cache under a Zipf mix over $TABLES tables"
	echo
	echo "- $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg) at the start; 2 workers, SQLite; $LOADS loadTable requests, Zipf exponent 1.0, $CLIENTS clients; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "| cache | entries per worker | hit ratio | hits | misses | req/s | p50 ms | p99 ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for row in "default:10000" "small:100"; do
		run "${row%%:*}" "${row#*:}"
	done | awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
} >"$OUT/zipf-results.md"
cat "$OUT/zipf-results.md"
